import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootStore, sublevel } from '../../daemon/store.js';
import { createChatStore } from '../../plugins/chat/chat-store.js';
import type { Conversation, Message } from '../../plugins/chat/model.js';
import { tempDir } from '../helpers/tmp.js';

test('concurrent writes are group-committed, each caller resolves after its data is readable', async (t) => {
  const root = createRootStore(`${await tempDir(t)}/db`);
  await root.open();
  t.after(() => root.close());
  const sub = sublevel(root, 'chat');
  let batches = 0;
  const batch = sub.batch.bind(sub) as (...a: unknown[]) => Promise<void>;
  (sub as unknown as { batch: typeof batch }).batch = (...a) => { batches++; return batch(...a); };
  const store = createChatStore(sub);
  const conv = { id: 'c1', customerId: 'u', status: 'open', createdAt: 1 } as Conversation;
  const msgs = Array.from({ length: 200 }, (_, i) => ({ id: `m${i}`, convId: 'c1', seq: i + 1, from: 'customer', kind: 'text', text: `#${i}`, ts: i }) as Message);
  await Promise.all(msgs.map((m) => store.putMessage(m, { ...conv, lastSeq: m.seq })));
  assert.ok(batches < 20, `200 writes took ${batches} batches`);
  assert.deepEqual((await store.messages('c1', 150)).map((m) => m.seq), Array.from({ length: 50 }, (_, i) => 151 + i));
  await store.putConv({ ...conv, status: 'closed' });
  assert.deepEqual(await store.openConvs(), []);
});

test('a flush writes each key once (the last value wins) and index keys only when a conversation opens or closes', async (t) => {
  const root = createRootStore(`${await tempDir(t)}/db`);
  await root.open();
  t.after(() => root.close());
  const sub = sublevel(root, 'chat');
  const ops: string[][] = [];
  const batch = sub.batch.bind(sub) as unknown as (o: Array<{ key: string }>) => Promise<void>;
  (sub as unknown as { batch: typeof batch }).batch = (o) => { ops.push(o.map((x) => x.key)); return batch(o); };
  const store = createChatStore(sub);
  const conv = { id: 'c1', customerId: 'u', status: 'open', createdAt: 1, lastSeq: 0 } as Conversation;
  await store.putConv(conv);
  assert.deepEqual(ops.pop()?.sort(), ['c:c1', 'k:u:c1', 'o:c1']);
  const m = (seq: number) => ({ id: `m${seq}`, convId: 'c1', seq, from: 'customer', kind: 'text', text: `#${seq}`, ts: seq }) as Message;
  // one customer turn: the customer's line, the bot's answer and the save, issued in one tick
  await Promise.all([store.putMessage(m(1), { ...conv, lastSeq: 1 }), store.putMessage(m(2), { ...conv, lastSeq: 2 }), store.putConv({ ...conv, lastSeq: 2, business: 'invoice' } as Conversation)]);
  assert.deepEqual(ops.pop()?.sort(), ['c:c1', `m:c1:${'1'.padStart(10, '0')}`, `m:c1:${'2'.padStart(10, '0')}`]);
  assert.equal((await store.getConv('c1'))?.lastSeq, 2);
  assert.equal((await store.getConv('c1'))?.business, 'invoice');
  await store.putConv({ ...conv, status: 'closed' } as Conversation);
  assert.deepEqual(ops.pop()?.sort(), ['c:c1', 'k:u:c1', 'o:c1']);
  assert.deepEqual(await store.openConvs(), []);
  // a fresh store (a restart) does not know what is indexed: it writes the index keys again
  const again = createChatStore(sub);
  await again.putConv({ ...conv, id: 'c2' });
  assert.deepEqual(ops.pop()?.sort(), ['c:c2', 'k:u:c2', 'o:c2']);
  assert.deepEqual((await again.openConvs()).map((c) => c.id), ['c2']);
});
