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
