// Which commands the master may run on this box: globs (`system.*`); a `!` pattern denies and wins over allows.
const toRegExp = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

export function compileAllowList(patterns: readonly string[]): (name: string) => boolean {
  const allow = patterns.filter((p) => !p.startsWith('!')).map(toRegExp);
  const deny = patterns.filter((p) => p.startsWith('!')).map((p) => toRegExp(p.slice(1)));
  return (name) => !deny.some((r) => r.test(name)) && allow.some((r) => r.test(name));
}
