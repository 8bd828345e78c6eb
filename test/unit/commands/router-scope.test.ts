import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { createRootStore, sublevel } from '../../../daemon/store.js';
import { silentLogger } from '../../../daemon/logger.js';
import { createCommandRouter } from '../../../daemon/commands/index.js';
import { tempDir } from '../../helpers/tmp.js';

/** A router on a real store, with no link to a master. */
async function rig(t: { after(fn: () => unknown): void }, allow: string[]) {
  const root = createRootStore(await tempDir(t));
  await root.open();
  t.after(() => root.close());
  return createCommandRouter({
    box: { region: 'r', box: 'b' }, log: silentLogger(), allow, store: sublevel(root, 'commands'),
    link: { subscribe() {}, on: () => () => {} },
    outbox: { enqueue: async () => ({ id: 'x', seq: 1 }) },
  });
}

test('a plugin registers commands only under its own prefix, and a name only once', async (t) => {
  const router = await rig(t, ['*']);
  const chat = router.scoped('chat');
  chat.handle('chat.kb.reload', z.object({}), () => 'ok');
  assert.throws(() => chat.handle('system.reboot', z.object({}), () => 'no'), { code: 'COMMAND_NAME_INVALID' });
  assert.throws(() => chat.handle('chat.kb.reload', z.object({}), () => 'again'), { code: 'COMMAND_DUPLICATE' });
});

test('the local CLI runs a registered command through the same argument checks, whatever the allow-list', async (t) => {
  const router = await rig(t, ['system.*']);
  router.scoped('faceauth').handle('faceauth.accounts', z.object({ limit: z.number() }).strict(), ({ limit }, meta) => ({ limit, by: meta.by }));
  assert.deepEqual(await router.runLocal('faceauth.accounts', { limit: 3 }), { limit: 3, by: 'local' });
  await assert.rejects(router.runLocal('faceauth.accounts', { limit: 'x' }), { code: 'ARGS_INVALID' });
  await assert.rejects(router.runLocal('nope.nothing', {}), { code: 'UNKNOWN_COMMAND' });
});
