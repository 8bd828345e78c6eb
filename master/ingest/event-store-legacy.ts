// Stores written by masters before the id-keyed layout held one record per event keyed by box, ts, seq and id
// ('events') beside a per-id dedupe index ('dedupe', 'dedupe-by-time'). The first open rewrites them into
// today's layout (event-store.ts) in chunks, each chunk one atomic batch, so a crash midway resumes cleanly.
import type { RootStore, Store } from '../../daemon/store.js';
import { sublevel } from '../../daemon/store.js';
import type { OutboxClass } from '../../protocol/schemas.js';
import { encodeEvent, eventKey, pageKey, type EventRecords, type StoreOp } from './event-format.js';

/** How many events were moved (0 for a store in today's layout) and the highest seq seen per box. */
export async function migrateLegacyEvents(root: RootStore, to: { events: EventRecords; pages: Store }, chunkSize = 1000): Promise<{ moved: number; highestSeq: Map<string, number> }> {
  const legacy = sublevel(root, 'events');
  const highestSeq = new Map<string, number>();
  let moved = 0;
  for (;;) {
    const chunk = await legacy.iterator({ limit: chunkSize }).all();
    if (!chunk.length) break;
    const ops: StoreOp[] = [];
    const byBox = new Map<string, { ids: string[]; receivedAt: number }>();
    for (const [key, value] of chunk) {
      const e = value as { id?: string; region?: string; plugin?: string; type?: string; seq?: number; ts?: number; class?: OutboxClass; data?: unknown; receivedAt?: number };
      const box = key.slice(0, key.indexOf('!'));
      const id = e.id ?? key.slice(key.lastIndexOf('!') + 1);
      const env = { v: 1 as const, id, seq: e.seq ?? 0, ts: e.ts ?? 0, ...(e.class ? { class: e.class } : {}), data: e.data ?? null };
      const record = encodeEvent({ box, region: e.region ?? '', plugin: e.plugin ?? '', type: e.type ?? '' }, env, e.receivedAt ?? e.ts ?? 0);
      ops.push({ type: 'put', sublevel: to.events, key: eventKey(box, id), value: record }, { type: 'del', sublevel: legacy, key });
      highestSeq.set(box, Math.max(highestSeq.get(box) ?? -1, env.seq));
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
  return { moved, highestSeq };
}
