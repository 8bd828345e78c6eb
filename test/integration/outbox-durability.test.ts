// kill -9 a box whose outbox holds acknowledged events while the broker is down; restart it, bring the broker up:
// every event arrives (after dedupe on the envelope id, once each), in order per class.
import { test } from 'node:test';
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

function runBox(t: import('node:test').TestContext, dir: string, port: number, count: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', SIM, dir, String(port), String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const seen: any[] = [];
  const waiting = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => { seen.push(JSON.parse(line)); for (const w of [...waiting]) w(); });
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
  return { child, next };
}

const killed = (child: ChildProcess) => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGKILL'); });

test('events acknowledged as persisted survive kill -9 and are all delivered after restart', async (t) => {
  const dir = await tempDir(t);
  let boxMayConnect = false;
  // the broker exists only to reserve a port; it is down while the box runs the first time
  const broker = await startBroker({
    authenticate: (client, _u, _p, done) => done(null, client.id !== BOX.box || boxMayConnect),
  });
  t.after(() => broker.stop());
  await broker.down();

  const t0 = Date.now(); const lap = (w: string) => process.stderr.write(`# ${w} ${Date.now() - t0}ms\n`);
  const first = runBox(t, dir, broker.port, N);
  const { persisted } = await first.next('persisted', 60_000);
  assert.equal(persisted.length, N);
  lap('persisted'); await killed(first.child);

  const second = runBox(t, dir, broker.port, 0);
  const started = await second.next('started', 30_000);
  assert.equal(Object.values(started.pending as Record<string, number>).reduce((a, b) => a + b, 0), N, 'all N found on disk after kill -9');
  lap('restarted'); await broker.up();
  const sub = await subscriber(broker.port, topics.event(BOX, 'sim', '+'));
  t.after(() => sub.close());
  boxMayConnect = true;
  await sub.until((m) => new Set(m.map((x) => x.json.id)).size >= N, 60_000, `${N} distinct ids`);
  lap('received'); await second.next('drained', 30_000); lap('drained');

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
  second.child.kill('SIGTERM');
});
