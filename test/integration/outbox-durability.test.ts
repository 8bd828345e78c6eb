// kill -9 a box whose outbox holds acknowledged events while the broker is down; restart it, bring the broker up:
// every event arrives (after dedupe on the envelope id, once each), in order per class.
import { test } from 'node:test';
import type { AedesOptions } from 'aedes';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startBroker, subscriber } from '../helpers/aedes-broker.js';
import { tempDir } from '../helpers/tmp.js';
import { topics } from '../../protocol/topics.js';
import { EventEnvelope, OUTBOX_CLASSES } from '../../protocol/schemas.js';

const SIM = fileURLToPath(new URL('../sim/outbox-box.ts', import.meta.url));
const BOX = { region: 'testregion', box: 'durable-1' };
const N = 3000;

type Mode = 'level' | 'wal' | 'wal-deferred';

function runBox(t: import('node:test').TestContext, dir: string, port: number, count: number, mode: Mode) {
  const child = spawn(process.execPath, ['--import', 'tsx', SIM, dir, String(port), String(count)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KEFU_OUTBOX_MODE: mode } });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const seen: any[] = [];
  const waiting = new Set<() => void>();
  const acknowledged: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line);
    if (msg.ids) acknowledged.push(...msg.ids);
    else seen.push(msg);
    for (const w of [...waiting]) w();
  });
  const next = (key: string, timeoutMs: number) => new Promise<any>((resolve, reject) => {
    const check = () => {
      const msg = seen.find((m) => key in m);
      if (!msg) return;
      clearTimeout(timer); waiting.delete(check); resolve(msg);
    };
    const timer = setTimeout(() => { waiting.delete(check); reject(new Error(`box did not report ${key} within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)); }, timeoutMs);
    waiting.add(check);
    check();
    child.once('exit', (code, sig) => { if (waiting.has(check)) { clearTimeout(timer); waiting.delete(check); reject(new Error(`box exited (${code ?? sig}) before ${key}; stderr: ${stderr.slice(-2000)}`)); } });
  });
  return { child, next, acknowledged };
}

/**
 * The box's CONNECT waits (unanswered) until the test's subscriber is in place: a refused login would make the box
 * back off 30-60 s (what a wrong password should do), longer than the test waits.
 */
function holdBoxUntil(allowed: () => boolean): AedesOptions['authenticate'] {
  return (client, _u, _p, done) => {
    const answer = () => { if (client.id !== BOX.box || allowed()) done(null, true); else setTimeout(answer, 20); };
    answer();
  };
}

const killed = (child: ChildProcess) => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGKILL'); });
/** A clean stop, awaited: the box checkpoints its log on the way out, so the temp dir must not go before it is done. */
const stopped = (child: ChildProcess) => new Promise<void>((r) => {
  if (child.exitCode !== null || child.signalCode !== null) return r();
  const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.once('exit', () => { clearTimeout(force); r(); });
  child.kill('SIGTERM');
});

for (const mode of ['level', 'wal'] as const) {
  test(`${mode}: events acknowledged as persisted survive kill -9 and are all delivered after restart`, async (t) => {
    const dir = await tempDir(t);
    let boxMayConnect = false;
    // the broker exists only to reserve a port; it is down while the box runs the first time
    const broker = await startBroker({ authenticate: holdBoxUntil(() => boxMayConnect) });
    t.after(() => broker.stop());
    await broker.down();

    const t0 = Date.now();
    const lap = (what: string) => t.diagnostic(`${what} after ${Date.now() - t0} ms`);
    const first = runBox(t, dir, broker.port, N, mode);
    const { persisted } = await first.next('persisted', 60_000);
    assert.equal(persisted.length, N);
    lap('persisted');
    await killed(first.child);

    const second = runBox(t, dir, broker.port, 0, mode);
    const started = await second.next('started', 30_000);
    assert.equal(Object.values(started.pending as Record<string, number>).reduce((a, b) => a + b, 0), N, 'all N found on disk after kill -9');
    lap('restarted');
    await broker.up();
    const sub = await subscriber(broker.port, topics.event(BOX, 'sim', '+'));
    t.after(() => sub.close());
    boxMayConnect = true;
    await sub.until((m) => new Set(m.map((x) => x.json.id)).size >= N, 60_000, `${N} distinct ids`);
    lap('received');
    await second.next('drained', 30_000);

    const seen = new Set<string>();
    const firsts = sub.messages.map((m) => EventEnvelope.parse(m.json)).filter((e) => !seen.has(e.id) && seen.add(e.id));
    assert.deepEqual(new Set(firsts.map((e) => e.id)), new Set(persisted), 'exactly the persisted ids');
    for (const cls of OUTBOX_CLASSES) {
      const seqs = firsts.filter((e) => e.class === cls).map((e) => e.seq);
      assert.equal(seqs.length, N / 4);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${cls} in order`);
    }
    const seqs = new Set(firsts.map((e) => e.seq));
    assert.equal(seqs.size, N, 'seq never reused');
    await stopped(second.child);
  });
}

for (const [mode, brokerUp] of [['level', false], ['wal', false], ['wal-deferred', false], ['wal', true]] as const) {
  test(`${mode}: kill -9 in the middle of group commits${brokerUp ? ' (broker up, acks flowing)' : ''}: every event reported as persisted is delivered`, async (t) => {
    const dir = await tempDir(t);
    let boxMayConnect = false;
    const broker = await startBroker({ authenticate: holdBoxUntil(() => boxMayConnect) });
    t.after(() => broker.stop());
    // broker up: the master's subscriber is there from the start, so acked events reach it before the kill
    const early = brokerUp ? await subscriber(broker.port, topics.event(BOX, 'sim', '+')) : null;
    if (early) { t.after(() => early.close()); boxMayConnect = true; } else await broker.down();

    const first = runBox(t, dir, broker.port, -1, mode);
    const deadline = Date.now() + 60_000;
    while (first.acknowledged.length < 1500) {
      if (Date.now() > deadline) throw new Error(`only ${first.acknowledged.length} events acknowledged in 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await killed(first.child); // mid-stream: some commits are in flight
    const acknowledged = [...first.acknowledged];

    const second = runBox(t, dir, broker.port, 0, mode);
    await second.next('started', 30_000);
    await broker.up();
    const sub = early ?? await subscriber(broker.port, topics.event(BOX, 'sim', '+'));
    if (!early) t.after(() => sub.close());
    boxMayConnect = true;
    await second.next('drained', 60_000);
    await sub.until((m) => { const ids = new Set(m.map((x) => x.json.id)); return acknowledged.every((id) => ids.has(id)); }, 30_000, 'every acknowledged id');

    const seen = new Set<string>();
    const firsts = sub.messages.map((m) => EventEnvelope.parse(m.json)).filter((e) => !seen.has(e.id) && seen.add(e.id));
    t.diagnostic(`${acknowledged.length} acknowledged before the kill, ${firsts.length} delivered (the rest were persisted but not yet reported)`);
    assert.ok(firsts.length >= acknowledged.length);
    for (const cls of OUTBOX_CLASSES) {
      const seqs = firsts.filter((e) => e.class === cls).map((e) => e.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${cls} in order`);
    }
    assert.equal(new Set(firsts.map((e) => e.seq)).size, firsts.length, 'seq never reused');
    await stopped(second.child);
  });
}
