import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxSubscriptions, parseTopic, topics } from '../../protocol/topics.js';
import { CommandMessage, decodePayload, PROTOCOL_VERSION } from '../../protocol/index.js';

const b = { region: 'dandong', box: 'hall-01' };

test('topic builders and the parser agree on every topic of the contract', () => {
  assert.deepEqual(parseTopic(topics.state(b)), { kind: 'state', ...b });
  assert.deepEqual(parseTopic(topics.event(b, 'chat', 'message')), { kind: 'event', ...b, plugin: 'chat', type: 'message' });
  assert.deepEqual(parseTopic(topics.telemetry(b, 'outbox')), { kind: 'telemetry', ...b, name: 'outbox' });
  assert.deepEqual(parseTopic(topics.command(b, 'system.info')), { kind: 'command', ...b, name: 'system.info', broadcast: 'none' });
  assert.deepEqual(parseTopic(topics.result(b, 'c1')), { kind: 'result', ...b, cmdId: 'c1' });
  assert.deepEqual(parseTopic(topics.cfg(b)), { kind: 'cfg', ...b });
  assert.deepEqual(parseTopic(topics.cfgReported(b)), { kind: 'cfgReported', ...b });
  assert.equal(parseTopic(topics.regionBroadcast('dandong', 'x'))?.kind, 'command');
  assert.equal((parseTopic(topics.globalBroadcast('x')) as { broadcast: string }).broadcast, 'global');
  assert.equal(parseTopic('kefu/v2/a/b/state'), null);
  assert.equal(parseTopic('kefu/v1/a/b/evt/onlyplugin'), null);
  assert.equal(boxSubscriptions(b).length, 4);
});

test('decodePayload reports bad JSON, invalid shape and oversize with a code', () => {
  assert.equal(decodePayload(CommandMessage, '{').ok, false);
  const bad = decodePayload(CommandMessage, JSON.stringify({ v: PROTOCOL_VERSION, id: 'a/b' }));
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.code, 'PAYLOAD_INVALID');
  const big = decodePayload(CommandMessage, 'x'.repeat(100), 10);
  assert.equal(!big.ok && big.code, 'PAYLOAD_TOO_LARGE');
  const good = decodePayload(CommandMessage, JSON.stringify({ v: 1, id: 'c-1', args: { a: 1 } }));
  assert.ok(good.ok);
});
