// Command allow-list from config: glob patterns over command names (`system.*`, `chat.kb.reload`, `*`).
// `*` matches any run of characters (dots included), `?` exactly one. A pattern starting with `!` denies, and a
// deny always wins over an allow, whatever the order (`['*', '!shell.*']`).
function toRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

export function compileAllowList(patterns: readonly string[]): (name: string) => boolean {
  const allow = patterns.filter((p) => !p.startsWith('!')).map(toRegExp);
  const deny = patterns.filter((p) => p.startsWith('!')).map((p) => toRegExp(p.slice(1)));
  return (name) => allow.some((r) => r.test(name)) && !deny.some((r) => r.test(name));
}
