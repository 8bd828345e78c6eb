// Regression (review s7 #23): a command the box refuses with a code (BAD_ARGS, UNKNOWN_CALL, ARGS_INVALID…) is
// routine, logged at info without a stack; a handler that breaks unexpectedly keeps a warn line with its stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { createCommandRouter } from '../../../daemon/commands/index.js';
import { createLogger } from '../../../daemon/logger.js';
import { createRootStore, sublevel } from '../../../daemon/store.js';
import { KefuError } from '../../../protocol/errors.js';
import { PROTOCOL_VERSION } from '../../../protocol/schemas.js';
import { topics } from '../../../protocol/topics.js';
import { tempDir } from '../../helpers/tmp.js';

test('coded refusals are info lines without a stack; an unexpected error is a warn line with its stack', async (t) => {
  const root = createRootStore(await tempDir(t));
  await root.open();
  t.after(() => root.close());
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); cb(); } });
  const box = { region: 'r', box: 'b' };
  let deliver: (m: { topic: string; payload: Buffer }) => void = () => {};
  const results: Array<Record<string, any>> = [];
  const router = createCommandRouter({
    box, log: createLogger({ level: 'debug', destination: sink }), allow: ['*', '!shell.*'], store: sublevel(root, 'commands'),
    link: { subscribe() {}, on: (_e, fn) => { deliver = fn; return () => {}; } },
    outbox: { enqueue: async (e) => { results.push((e as { payload: Record<string, any> }).payload); return { id: 'x', seq: results.length }; } },
  });
  router.handle('video.broadcast', z.object({}).passthrough(), () => { throw new KefuError('BAD_ARGS', 'give terminals or rooms'); });
  router.handle('video.hangup', z.object({ id: z.string() }), () => { throw new KefuError('UNKNOWN_CALL', 'no call c1'); });
  router.handle('system.oops', z.object({}), () => { throw new TypeError("Cannot read properties of undefined (reading 'x')"); });
  router.handle('shell.run', z.object({}), () => 'never');
  await router.start();
  const send = (name: string, id: string, args?: unknown) =>
    deliver({ topic: topics.command(box, name), payload: Buffer.from(JSON.stringify({ v: PROTOCOL_VERSION, id, args })) });
  send('video.broadcast', 'c1', { text: 'hi' });
  send('video.hangup', 'c2', { id: 'c1' });
  send('video.hangup', 'c3', {});          // ARGS_INVALID
  send('nope.thing', 'c4', {});            // UNKNOWN_COMMAND
  send('shell.run', 'c5', {});             // COMMAND_NOT_ALLOWED
  send('system.oops', 'c6', {});
  for (let i = 0; i < 200 && results.length < 6; i++) await new Promise((r) => setTimeout(r, 10));
  await router.stop();
  assert.equal(results.length, 6, JSON.stringify(results));

  const about = (id: string) => lines.filter((l) => l.id === id);
  for (const [id, code] of [['c1', 'BAD_ARGS'], ['c2', 'UNKNOWN_CALL'], ['c3', 'ARGS_INVALID'], ['c4', 'UNKNOWN_COMMAND'], ['c5', 'COMMAND_NOT_ALLOWED']]) {
    const own = about(id);
    assert.equal(own.length, 1, `one line for ${id}: ${JSON.stringify(own)}`);
    assert.equal(own[0].level, 30, `${code} is logged at info: ${JSON.stringify(own[0])}`);
    assert.equal(own[0].code, code);
    assert.ok(!JSON.stringify(own[0]).includes('"stack"'), `no stack for ${code}: ${JSON.stringify(own[0])}`);
  }
  const oops = about('c6');
  assert.equal(oops.length, 1);
  assert.equal(oops[0].level, 40, 'an unexpected error stays a warning');
  assert.match(oops[0].err?.stack ?? '', /TypeError: Cannot read properties/);
});
