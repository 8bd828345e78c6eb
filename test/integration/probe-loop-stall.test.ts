// The box's own event loop stalling (an SFU, face recognition, a KB rebuild sharing the daemon's loop) delays every
// PINGRESP's handler, on every link at once: that is no evidence against a link. Real probes over delay proxies to
// an aedes broker; the stall is a busy loop in this process, the box's, while probes are in flight.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import type { DelayProxy } from '../sim/delay-proxy.js';
import { startLinkRig } from '../helpers/link-rig.js';
import { createTransportManager, type SwitchEvent, type ManagerOptionsInput } from '../../transports/manager/index.js';
import { StateCell, type Transport, type TransportKind } from '../../transports/transport.js';
import { silentLogger } from '../../daemon/logger.js';

/** A PINGREQ is 0xC0 0x00: the probes' pings, not the sessions' other packets. */
const isPing = (chunk: unknown) => Buffer.isBuffer(chunk) && chunk.length === 2 && chunk[0] === 0xc0;

function proxyTransport(id: string, kind: TransportKind, proxy: DelayProxy, onPing: () => void): Transport {
  const cell = new StateCell();
  return {
    id, kind,
    get state() { return cell.current; },
    onState: (l) => cell.on(l),
    async start() { cell.set({ status: 'up', quality: 1 }); },
    async stop() { cell.set({ status: 'down', quality: null }); },
    async openStream() {
      const s = net.connect(proxy.port, '127.0.0.1');
      await once(s, 'connect');
      const write = s.write.bind(s) as (...a: unknown[]) => boolean;
      s.write = ((...a: unknown[]) => { const r = write(...a); if (isPing(a[0])) onPing(); return r; }) as typeof s.write;
      return s;
    },
  };
}

async function setup(t: TestContext, options: ManagerOptionsInput = {}) {
  const { port, proxies, cleanup: stack } = await startLinkRig(t, ['5g', '4g']);
  const stalls = createStaller();
  stack.push(() => stalls.stop());
  // product defaults: 250 ms pings on the active link, 1 s on standbys, 750 ms timeout, late at 150 ms, 25 % of 20
  const manager = createTransportManager({
    transports: [proxyTransport('5g', 'nr5g', proxies['5g'], stalls.onPing), proxyTransport('4g', 'lte', proxies['4g'], stalls.onPing)],
    broker: { host: '127.0.0.1', port }, probeIdentity: { clientId: 'box1' }, log: silentLogger(),
    options: { holdDownMs: 60_000, probe: { intervalMs: 250, standbyIntervalMs: 1000 }, ...options },
  });
  const events: SwitchEvent[] = [];
  manager.onSwitch((e) => events.push(e));
  stack.push(() => manager.stop());
  await manager.start();
  return { manager, proxies, events, stalls };
}

/** While stalling, a ping sent at least `gapMs` after the last stall ended is followed by a busy wait of 250-450 ms
 *  on this process's event loop (the box's) before its answer can be read: more than one a second, the load that
 *  made a loaded box leave 5G (the loop ~60 % busy). The PINGRESP reaches the socket in ~1 ms and waits for the loop. */
function createStaller(gapMs = 200) {
  let on = false;
  let lastEnd = 0;
  let count = 0;
  const busy = (ms: number) => { const end = Date.now() + ms; while (Date.now() < end) { /* the loop is busy */ } count++; lastEnd = Date.now(); };
  return {
    start() { on = true; },
    stop() { on = false; },
    busy,
    onPing() { if (on && Date.now() - lastEnd >= gapMs) { lastEnd = Infinity; setImmediate(() => busy(250 + (count % 3) * 100)); } },
    count: () => count,
  };
}

const until = async (fn: () => boolean, ms: number, what: string) => {
  const deadline = Date.now() + ms;
  while (!fn()) { if (Date.now() > deadline) throw new Error(`timed out: ${what}`); await new Promise((r) => setTimeout(r, 20)); }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const away = (e: SwitchEvent) => e.from === '5g' && e.kind !== 'initial';

/** 5G healthy, the box's loop stalling ~300 ms a second for 6 s, then once for longer than the probe timeout. */
async function stallHealthyLink(t: TestContext, options: ManagerOptionsInput = {}) {
  const { manager, events, stalls } = await setup(t, options);
  await until(() => manager.current()?.id === '5g', 5000, '5g active');
  await sleep(500);
  stalls.start();
  const states = new Set<string>();
  let worstLoss = 0;
  const watch = setInterval(() => {
    const l = manager.status().links.find((x) => x.id === '5g')!;
    states.add(`${l.state}${l.reason ? `: ${l.reason}` : ''}`);
    worstLoss = Math.max(worstLoss, l.lossPct);
  }, 50);
  t.after(() => clearInterval(watch));
  await sleep(6000);
  stalls.stop();
  // a ping in flight while the loop stalls 900 ms: its timeout (750 ms) passes before the loop can read the answer
  await sleep(300);
  stalls.busy(900);
  await sleep(1000);
  clearInterval(watch);
  t.diagnostic(`${stalls.count()} stalls; 5g judged ${[...states].join(' | ')}; worst loss ${worstLoss}%; switches ${events.map((e) => `${e.kind} ${e.from}->${e.to}`).join(', ')}`);
  assert.ok(stalls.count() >= 6, `only ${stalls.count()} stalls ran`);
  return { events: events.filter(away), states: [...states], worstLoss };
}

test('stalls of the box\'s own event loop (250-900 ms) on a healthy link: no switch, no late or lost probe', { timeout: 30_000 }, async (t) => {
  const r = await stallHealthyLink(t);
  assert.deepEqual(r.events, [], `switched away: ${JSON.stringify(r.events)}`);
  assert.deepEqual(r.states, ['up'], `5g was judged ${r.states.join(' | ')}`);
  // a stray late ping from the machine's own load is tolerated, the stalls' are not (every other ping had one)
  assert.ok(r.worstLoss <= 10, `5g showed ${r.worstLoss}% of its probes lost or late`);
});

test('control: with the corrections off (probe.maxLocalDelayMs 0, gates.excuseCommonLate false) the same stalls fail the healthy link', { timeout: 30_000 }, async (t) => {
  const r = await stallHealthyLink(t, { probe: { intervalMs: 250, standbyIntervalMs: 1000, maxLocalDelayMs: 0 }, gates: { excuseCommonLate: false } });
  assert.ok(r.worstLoss > 25, `5g showed only ${r.worstLoss}% of its probes lost or late`);
  assert.ok(r.states.some((s) => s !== 'up'), `5g stayed up: ${r.states.join(' | ')}`);
});

test('a really slow link (240 ms) is still left while the loop stalls', { timeout: 30_000 }, async (t) => {
  const { manager, proxies, events, stalls } = await setup(t);
  await until(() => manager.current()?.id === '5g', 5000, '5g active');
  stalls.start();
  await sleep(1000);
  assert.deepEqual(events.filter(away), [], 'no switch before the link slows');
  // 120 ms each way: every ping takes 240 ms on the wire, above the 150 ms late threshold
  const t0 = Date.now();
  proxies['5g'].setDelay(120);
  await until(() => events.some(away), 10_000, 'switch away from the slow link');
  const ev = events.find(away)!;
  t.diagnostic(`left 5g after ${ev.at - t0} ms: ${ev.kind} (${ev.reason})`);
  assert.equal(ev.to, '4g');
  assert.match(ev.reason, /late|rtt/);
});

test('a lossy link (answers stop) is still left while the loop stalls', { timeout: 30_000 }, async (t) => {
  const { manager, proxies, events, stalls } = await setup(t);
  await until(() => manager.current()?.id === '5g', 5000, '5g active');
  stalls.start();
  await sleep(1000);
  const t0 = Date.now();
  proxies['5g'].setMode('blackhole');
  await until(() => events.some(away), 10_000, 'switch away from the black-holed link');
  const ev = events.find(away)!;
  t.diagnostic(`left 5g after ${ev.at - t0} ms: ${ev.kind} (${ev.reason})`);
  assert.equal(ev.to, '4g');
});
