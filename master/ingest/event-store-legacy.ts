// Stores written by masters before the id-keyed layout held one record per event keyed by box, ts, seq and id
// ('events') beside a per-id dedupe index ('dedupe', 'dedupe-by-time'). The first open rewrites them into
// today's layout (event-store.ts) in chunks, each chunk one atomic batch, so a crash midway resumes cleanly.
import type { RootStore, Store } from '../../daemon/store.js';
import { sublevel } from '../../daemon/store.js';
import { eventKey, pageKey } from './event-keys.js';

type Op = { type: 'put' | 'del'; sublevel: Store; key: string; value?: unknown };

/** Returns how many events were moved (0 for a store in today's layout). */
export async function migrateLegacyEvents(root: RootStore, to: { events: Store; pages: Store }, chunkSize = 1000): Promise<number> {
  const legacy = sublevel(root, 'events');
  let moved = 0;
  for (;;) {
    const chunk = await legacy.iterator({ limit: chunkSize }).all();
    if (!chunk.length) break;
    const ops: Op[] = [];
    const byBox = new Map<string, { ids: string[]; receivedAt: number }>();
    for (const [key, value] of chunk) {
      const e = value as { id?: string; ts?: number; receivedAt?: number };
      const box = key.slice(0, key.indexOf('!'));
      const id = e.id ?? key.slice(key.lastIndexOf('!') + 1);
      ops.push({ type: 'put', sublevel: to.events, key: eventKey(box, id), value: { box, ...e, id } }, { type: 'del', sublevel: legacy, key });
      const page = byBox.get(box) ?? { ids: [], receivedAt: 0 };
      page.ids.push(id);
      page.receivedAt = Math.max(page.receivedAt, e.receivedAt ?? e.ts ?? 0);
      byBox.set(box, page);
    }
    for (const [box, page] of byBox) ops.push({ type: 'put', sublevel: to.pages, key: pageKey(box, page.receivedAt, page.ids[0]), value: page.ids });
    await root.batch(ops as never);
    moved += chunk.length;
  }
  await sublevel(root, 'dedupe').clear();
  await sublevel(root, 'dedupe-by-time').clear();
  return moved;
}
