// How a config problem names its place. Installers know their links by id (5g, 4g, eth, ble), not by position,
// so an array entry with an id of its own is named by it: `transports[4g].apn`, `plugins.chat.agents[a1].capacity`.
// An entry without one, with one another entry shares, or with one that reads like a position keeps its index
// (`transports[1].id: duplicate ...`), so a name always points at exactly one entry.
const isContainer = (v: unknown): v is Record<PropertyKey, unknown> => typeof v === 'object' && v !== null;

function entryName(list: unknown, index: number): string {
  if (!Array.isArray(list)) return String(index);
  const id = (list[index] as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' || !/^[^\s[\].]+$/.test(id) || /^\d+$/.test(id)) return String(index);
  return list.filter((e) => isContainer(e) && e.id === id).length === 1 ? id : String(index);
}

/** `path` (as zod gives it) in the raw config `root`, as the user should read it; '' for the root itself */
export function describePath(path: readonly PropertyKey[], root: unknown): string {
  let node = root;
  let out = '';
  for (const p of path) {
    out += typeof p === 'number' ? `[${entryName(node, p)}]` : `${out ? '.' : ''}${String(p)}`;
    node = isContainer(node) ? node[p] : undefined;
  }
  return out;
}
