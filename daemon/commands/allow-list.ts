// Command allow-list from config: glob patterns over command names (`system.*`, `chat.kb.reload`, `*`).
// `*` matches any run of characters (dots included), `?` exactly one.
export function compileAllowList(patterns: readonly string[]): (name: string) => boolean {
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  return (name) => regexes.some((r) => r.test(name));
}
