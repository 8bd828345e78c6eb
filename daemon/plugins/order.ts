// Start order of plugins: dependencies first. Pure, so the rules are easy to test.
export interface OrderResult { order: string[]; problems: Record<string, string> }

export function dependencyOrder(plugins: Array<{ name: string; dependsOn?: string[] }>): OrderResult {
  const byName = new Map(plugins.map((p) => [p.name, p]));
  const order: string[] = [];
  const problems: Record<string, string> = {};
  const state = new Map<string, 'visiting' | 'done'>();

  const visit = (name: string, chain: string[]): boolean => {
    if (state.get(name) === 'done') return !problems[name];
    if (state.get(name) === 'visiting') { problems[name] = `dependency cycle: ${[...chain, name].join(' → ')}`; return false; }
    state.set(name, 'visiting');
    let ok = true;
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      if (!byName.has(dep)) { problems[name] = `needs plugin "${dep}", which is not enabled`; ok = false; continue; }
      if (!visit(dep, [...chain, name])) { problems[name] ??= `needs plugin "${dep}", which cannot start`; ok = false; }
    }
    state.set(name, 'done');
    if (ok) order.push(name);
    return ok;
  };
  for (const p of plugins) visit(p.name, []);
  return { order, problems };
}
