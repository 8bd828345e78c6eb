// The outbox with its write-ahead log: what is on disk when enqueue resolves, and what a crash (the process
// gone without close(), possibly mid-write) leaves for the next start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp, { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { createRootStore, sublevel } from '../../daemon/store.js';
import { createOutbox, type Outbox } from '../../daemon/outbox/index.js';
import { decodeLog, encodeEventRecord } from '../../daemon/outbox/wal-codec.js';
import { META_LOSSES_KEY } from '../../daemon/outbox/codec.js';
import { createLogger, silentLogger } from '../../daemon/logger.js';
import { Writable } from 'node:stream';
import { OUTBOX_CLASSES } from '../../protocol/schemas.js';
import { tempDir } from '../helpers/tmp.js';

async function open(t: { after(fn: () => unknown): void }, dir: string, extra: Partial<Parameters<typeof createOutbox>[0]> = {}) {
  const root = createRootStore(join(dir, 'db'));
  await root.open();
  const store = sublevel(root, 'outbox');
  const batches: boolean[] = [];
  const realBatch = store.batch.bind(store);
  (store as { batch: unknown }).batch = (ops: unknown[], o: { sync?: boolean }) => { batches.push(!!o?.sync); return realBatch(ops as never, o as never); };
  const outbox = createOutbox({ store, log: silentLogger(), maxBytes: 1e7, groupCommitMs: 0, walDir: join(dir, 'wal'), ...extra });
  await outbox.open();
  let closed = false;
  const crash = async () => { closed = true; await root.close(); }; // no outbox.close(): nothing is flushed or checkpointed
  t.after(async () => { if (!closed) { await outbox.close(); await root.close(); } });
  return { outbox, root, store, batches, crash };
}

async function walRecords(dir: string) {
  const files = (await readdir(join(dir, 'wal'))).sort();
  const out = [];
  for (const f of files) out.push(...decodeLog(await readFile(join(dir, 'wal', f))).records);
  return { files, records: out };
}

/** Sends everything the outbox holds, acking each; returns [cls, data] in send order. */
async function drain(outbox: Outbox): Promise<Array<[string, unknown]>> {
  const got: Array<[string, unknown]> = [];
  for (;;) {
    const batch = outbox.take(undefined, 50);
    if (batch.length === 0 && outbox.stats().bytes === 0) return got;
    for (const e of batch) { got.push([e.cls, JSON.parse(e.payload.toString()).data]); outbox.ack(e.seq); }
    await new Promise((r) => setImmediate(r));
  }
}

test('enqueue resolves once the event is in the log; level is not written on the enqueue path', async (t) => {
  const dir = await tempDir(t);
  const { outbox, batches } = await open(t, dir);
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => outbox.enqueue({ topic: `t/${i % 3}`, class: OUTBOX_CLASSES[i % 4], data: { i } })));
  const { records } = await walRecords(dir);
  const logged = new Set(records.flatMap((r) => (r.type === 'event' ? [r.event.seq] : [])));
  for (const r of results) assert.ok(logged.has(r.seq), `seq ${r.seq} is in the log when its enqueue resolved`);
  assert.equal(batches.filter((s) => s).length, 0, 'no synced level batch: the log alone makes an event durable');
});

test('zeroed space is written ahead of the appends; a kill leaves it, and the next start reads it as the end, not a tear', async (t) => {
  const dir = await tempDir(t);
  const first = await open(t, dir);
  for (let i = 0; i < 20; i++) await first.outbox.enqueue({ topic: 't', class: 'event', data: i });
  const [file] = (await readdir(join(dir, 'wal'))).sort().reverse();
  const path = join(dir, 'wal', file);
  for (let i = 0; i < 200 && (await stat(path)).size < 1024 * 1024; i++) await new Promise((r) => setTimeout(r, 10));
  const buf = await readFile(path);
  const { records, good } = decodeLog(buf);
  assert.equal(records.length, 20);
  assert.ok(buf.length >= good + 512 * 1024, `zeroed space ahead (${buf.length - good} bytes)`);
  assert.ok(buf.subarray(good).every((b) => b === 0));
  await first.crash();
  const warnings: unknown[] = [];
  const log = silentLogger();
  (log as { warn: unknown }).warn = (...a: unknown[]) => { warnings.push(a); };
  const second = await open(t, dir, { log });
  assert.deepEqual(second.outbox.take(undefined, 100).map((e) => JSON.parse(e.payload.toString()).data), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(warnings, [], 'no torn write reported');
});

test('kill (no close): acknowledged events come back in order per class, acked ones do not, seq continues', async (t) => {
  const dir = await tempDir(t);
  const first = await open(t, dir);
  const sent: Array<{ seq: number; cls: string; i: number }> = [];
  for (let i = 0; i < 120; i++) {
    const cls = OUTBOX_CLASSES[i % 4];
    const { seq } = await first.outbox.enqueue({ topic: 't', class: cls, data: i });
    sent.push({ seq, cls, i });
  }
  const acked = new Set(first.outbox.take(undefined, 40).map((e) => { first.outbox.ack(e.seq); return e.seq; }));
  await first.outbox.enqueue({ topic: 't', class: 'bulk', data: 'carrier' }); // the acks ride along with this commit
  await first.crash();

  const second = await open(t, dir);
  const got = await drain(second.outbox);
  const want = sent.filter((s) => !acked.has(s.seq));
  assert.equal(got.length, want.length + 1, 'every un-acked event, nothing acked');
  for (const cls of OUTBOX_CLASSES) {
    assert.deepEqual(got.filter(([c, d]) => c === cls && d !== 'carrier').map(([, d]) => d), want.filter((s) => s.cls === cls).map((s) => s.i), `${cls} in order`);
  }
  assert.deepEqual([...new Set(got.map(([c]) => c))], OUTBOX_CLASSES.filter((c) => got.some(([g]) => g === c)), 'classes by rank');
  const next = await second.outbox.enqueue({ topic: 't', class: 'event', data: 'next' });
  assert.ok(next.seq > Math.max(...sent.map((s) => s.seq)), 'seq never reused');
  assert.equal((await walRecords(dir)).files.length, 1, 'the old log was folded into level and removed');
});

test('a torn last commit (the crash hit mid-write) is ignored; every whole commit before it is recovered', async (t) => {
  const dir = await tempDir(t);
  const first = await open(t, dir);
  const ids = [];
  for (let i = 0; i < 30; i++) ids.push((await first.outbox.enqueue({ topic: 't', class: 'event', data: i })).id);
  await first.crash();
  const [file] = (await readdir(join(dir, 'wal'))).sort().reverse();
  const path = join(dir, 'wal', file);
  const torn = encodeEventRecord('critical', { seq: 999, id: 'torn', topic: 't', retain: false, payload: Buffer.from('{"data":"torn"}') });
  const after = encodeEventRecord('critical', { seq: 1000, id: 'after', topic: 't', retain: false, payload: Buffer.from('{"data":"after"}') });
  // where the next commit would have gone (the zeroed space ahead of the log)
  const end = decodeLog(await readFile(path)).good;
  const fh = await fsp.open(path, 'r+');
  await fh.write(torn, 0, torn.length - 3, end);
  // a whole frame after the tear is not trusted either (it could only follow a failed write)
  await fh.write(after, 0, after.length, end + torn.length - 3);
  await fh.close();

  const second = await open(t, dir);
  const got = second.outbox.take(undefined, 100).map((e) => JSON.parse(e.payload.toString()));
  assert.deepEqual(got.map((e) => e.id), ids);
  assert.ok(second.outbox.stats().lastSeq >= 30);
});

test('a log cut at every byte of its last commit recovers exactly the commits before it', async (t) => {
  const dir = await tempDir(t);
  const first = await open(t, dir);
  for (let i = 0; i < 5; i++) await first.outbox.enqueue({ topic: 't', class: 'event', data: i });
  const [file] = (await readdir(join(dir, 'wal'))).sort().reverse();
  const path = join(dir, 'wal', file);
  const before = decodeLog(await readFile(path)).good;
  await Promise.all([5, 6, 7].map((i) => first.outbox.enqueue({ topic: 't', class: 'event', data: i }))); // one commit
  await first.crash();
  const whole = await readFile(path);
  const end = decodeLog(whole).good;
  assert.ok(end > before);
  for (const cut of [before, before + 1, before + 8, Math.floor((before + end) / 2), end - 1]) {
    // the file as a crash leaves it: cut short, or (in the zeroed space ahead) the rest of the commit still zeros
    for (const tail of ['cut', 'zeros'] as const) {
      const copy = await tempDir(t);
      await cp(join(dir, 'db'), join(copy, 'db'), { recursive: true });
      await mkdir(join(copy, 'wal'));
      const torn = tail === 'cut' ? whole.subarray(0, cut) : Buffer.concat([whole.subarray(0, cut), Buffer.alloc(whole.length - cut)]);
      await writeFile(join(copy, 'wal', file), torn);
      const again = await open(t, copy);
      const data = again.outbox.take(undefined, 100).map((e) => JSON.parse(e.payload.toString()).data as number);
      assert.deepEqual(data.slice(0, 5), [0, 1, 2, 3, 4], `${tail} at ${cut}: the earlier commits survive`);
      assert.ok(data.length === 5 || data.length === 6 || data.length === 7, `${tail} at ${cut}: a prefix of the torn commit at most`);
      assert.deepEqual(data, data.slice().sort((a, b) => a - b));
    }
  }
});

test('eviction and losses hold across a kill: evicted events stay gone', async (t) => {
  const dir = await tempDir(t);
  const payload = 'x'.repeat(400);
  const first = await open(t, dir, { maxBytes: 10_000 });
  for (let i = 0; i < 10; i++) await first.outbox.enqueue({ topic: 't/bulk', class: 'bulk', data: payload });
  for (let i = 0; i < 20; i++) await first.outbox.enqueue({ topic: 't/evt', class: 'event', data: payload });
  const s = first.outbox.stats();
  assert.ok(s.losses.bulk > 0);
  // the loss counters reach level (unsynced) after the commit: wait for them there, a fixed pause can be too short
  const stored = async () => JSON.stringify(await first.store.get(META_LOSSES_KEY).catch(() => undefined));
  for (const end = Date.now() + 10_000; (await stored()) !== JSON.stringify(s.losses) && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
  await first.crash();
  const second = await open(t, dir, { maxBytes: 10_000 });
  assert.deepEqual(second.outbox.stats().pending, s.pending, 'the evicted events did not come back from the log');
  assert.deepEqual(second.outbox.stats().losses, s.losses);
});

test('past walMaxBytes the log is checkpointed into level and starts over; a kill after that loses nothing', async (t) => {
  const dir = await tempDir(t);
  const first = await open(t, dir, { walMaxBytes: 4_000 });
  const ids: string[] = [];
  for (let i = 0; i < 100; i++) ids.push((await first.outbox.enqueue({ topic: 't', class: 'telemetry', data: { i, pad: 'p'.repeat(50) } })).id);
  const { files } = await walRecords(dir);
  assert.equal(files.length, 1, 'older logs removed after their checkpoint');
  const used = decodeLog(await readFile(join(dir, 'wal', files[0]))).good;
  assert.ok(used < 4_000 + 1_000, `the log stays near its bound (${used} bytes)`);
  assert.ok(first.batches.filter((b) => b).length >= 3, 'checkpoints are synced level batches');
  await first.crash();
  const second = await open(t, dir, { walMaxBytes: 4_000 });
  assert.deepEqual(second.outbox.take(undefined, 1000).map((e) => JSON.parse(e.payload.toString()).id), ids);
});

test('a clean close checkpoints: the next start finds an empty log', async (t) => {
  const dir = await tempDir(t);
  const first = await open(t, dir);
  for (let i = 0; i < 10; i++) await first.outbox.enqueue({ topic: 't', class: 'event', data: i });
  await first.outbox.close();
  const { records } = await walRecords(dir);
  assert.equal(records.filter((r) => r.type === 'event').length, 0);
  await first.crash();
  const second = await open(t, dir);
  assert.equal(second.outbox.stats().pending.event, 10);
});

test('a failed or short log write rejects its enqueues; nothing of it comes back, later commits go to a new file', async (t) => {
  const dir = await tempDir(t);
  const first = await open(t, dir);
  const kept = await first.outbox.enqueue({ topic: 't', class: 'event', data: 'kept' });
  // the next append writes only its first frame (a whole event record) and then reports a short write
  const realWrite = fs.write;
  let armed = true;
  (fs as { write: unknown }).write = (fd: number, buf: Buffer, off: number, len: number, pos: null, cb: (e: Error | null, n: number) => void) => {
    if (!armed || buf.readUInt32LE(0) === 0) return realWrite(fd, buf, off, len, pos, cb); // zeros written ahead pass
    armed = false;
    const firstFrame = 8 + buf.readUInt32LE(0);
    return realWrite(fd, buf, off, firstFrame, pos, (e, n) => cb(e, n));
  };
  syncBuiltinESMExports();
  t.after(() => { (fs as { write: unknown }).write = realWrite; syncBuiltinESMExports(); });
  const failed = await Promise.allSettled([1, 2].map((i) => first.outbox.enqueue({ topic: 't', class: 'event', data: `lost-${i}` })));
  assert.deepEqual(failed.map((r) => r.status), ['rejected', 'rejected']);
  assert.equal((failed[0] as PromiseRejectedResult).reason.code, 'OUTBOX_WRITE_FAILED');
  const after = await first.outbox.enqueue({ topic: 't', class: 'event', data: 'after' });
  assert.ok(after.seq > kept.seq);
  assert.equal((await walRecords(dir)).files.length, 2, 'the torn file is left behind; appends continue in a new one');
  await first.crash();

  const second = await open(t, dir);
  assert.deepEqual(second.outbox.take(undefined, 10).map((e) => JSON.parse(e.payload.toString()).data), ['kept', 'after'], 'the whole record of a rejected enqueue is cancelled, not replayed');
});

test('stress: producers, acks, evictions, spills and checkpoints at once; a kill then loses nothing and revives nothing evicted', async (t) => {
  const dir = await tempDir(t);
  const opts = { maxBytes: 60_000, memoryBytes: 8_000, walMaxBytes: 16_000, maxSegmentEntries: 16 };
  const first = await open(t, dir, opts);
  const { outbox } = first;
  const acked = new Set<number>();
  let stop = false;
  let spilled = false;
  let n = 0;
  // a link that takes some events now and then and acks most of them
  const link = (async () => {
    let turn = 0;
    while (!stop) {
      const st = outbox.stats();
      if (st.residentBytes < st.bytes) spilled = true;
      // slow at first, so a backlog builds up (evictions, spills, checkpoints), then catching up
      const batch = outbox.take(undefined, n < 800 ? 2 : 20);
      for (const e of batch) if ((e.seq + turn) % 5 !== 0) { outbox.ack(e.seq); acked.add(e.seq); }
      turn++;
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  await Promise.all(Array.from({ length: 12 }, async () => {
    while (n < 1200) {
      const i = n++;
      const cls = OUTBOX_CLASSES[i % 4];
      await outbox.enqueue({ topic: `t/${cls}`, class: cls, data: { i, pad: 'x'.repeat(i % 7 === 0 ? 300 : 40) } }).catch((err) => {
        if (err.code !== 'OUTBOX_FULL') throw err;
      });
    }
  }));
  stop = true;
  await link;
  outbox.requeueInflight();
  const live = new Map(outbox.peek(1e6).map((e) => [e.seq, e.cls]));
  const s = outbox.stats();
  assert.ok(Object.values(s.losses).reduce((a, b) => a + b, 0) > 0, 'evictions happened');
  assert.ok(spilled, 'payloads were spilled to disk on the way');
  assert.ok(first.batches.filter((b) => b).length >= 3, 'checkpoints ran meanwhile');
  await first.crash();

  const second = await open(t, dir, opts);
  const after = second.outbox.peek(1e6);
  const afterSeqs = new Set(after.map((e) => e.seq));
  for (const seq of live.keys()) assert.ok(afterSeqs.has(seq), `live seq ${seq} survived the kill`);
  for (const e of after) assert.ok(live.has(e.seq) || acked.has(e.seq), `seq ${e.seq} came back although it was evicted`);
  for (const cls of OUTBOX_CLASSES) {
    const seqs = after.filter((e) => e.cls === cls).map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${cls} in order`);
  }
  const sent = await drain(second.outbox);
  assert.equal(sent.length, after.length, 'every payload readable, cold ones too');
});

/** The flags the log's open file was opened with (/proc/self/fdinfo), and how many fdatasync calls were made. */
async function walFileFlags(dir: string): Promise<number> {
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await fsp.readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (!target.startsWith(join(dir, 'wal'))) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
    return parseInt(/flags:\s*([0-7]+)/.exec(info)![1], 8);
  }
  throw new Error('no open file in the log folder');
}
function countSyncs(t: { after(fn: () => unknown): void }, fail?: () => boolean) {
  const realSync = fs.fdatasync;
  const calls = { n: 0 };
  (fs as { fdatasync: unknown }).fdatasync = (fd: number, cb: (e: Error | null) => void) => {
    calls.n++;
    if (fail?.()) return setImmediate(() => cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })));
    return realSync(fd, cb);
  };
  syncBuiltinESMExports();
  t.after(() => { (fs as { fdatasync: unknown }).fdatasync = realSync; syncBuiltinESMExports(); });
  return calls;
}

test('syncEveryMs 0: the log is opened O_DSYNC, each append is on stable storage when it returns, no separate sync', async (t) => {
  const dir = await tempDir(t);
  const syncs = countSyncs(t);
  const { outbox } = await open(t, dir, { syncEveryMs: 0 });
  assert.ok((await walFileFlags(dir)) & fs.constants.O_DSYNC, 'O_DSYNC set');
  await Promise.all(Array.from({ length: 20 }, (_, i) => outbox.enqueue({ topic: 't', class: 'event', data: { i } })));
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(syncs.n, 0);
});

test('syncEveryMs N: an enqueue resolves once the OS has the event, an fdatasync follows within N ms, a close syncs the rest', async (t) => {
  const dir = await tempDir(t);
  const syncs = countSyncs(t);
  const { outbox } = await open(t, dir, { syncEveryMs: 300 });
  assert.equal((await walFileFlags(dir)) & fs.constants.O_DSYNC, 0, 'no O_DSYNC: appends do not wait for the disk');
  const before = syncs.n;
  const r = await outbox.enqueue({ topic: 't', class: 'event', data: 'a' });
  assert.equal(syncs.n, before, 'resolved before any sync');
  assert.ok((await walRecords(dir)).records.some((x) => x.type === 'event' && x.event.seq === r.seq), 'the record is in the file (page cache) when the enqueue resolves');
  // a burst within one window costs one sync
  await Promise.all(Array.from({ length: 50 }, (_, i) => outbox.enqueue({ topic: 't', class: 'event', data: { i } })));
  const deadline = Date.now() + 5_000;
  while (syncs.n === before && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  assert.equal(syncs.n, before + 1, 'one deferred sync for the whole burst');
  await outbox.enqueue({ topic: 't', class: 'event', data: 'last' });
  const n = syncs.n;
  await outbox.close();
  assert.ok(syncs.n > n, 'the close syncs what is not synced yet');
});

test('syncEveryMs N: a failed deferred sync is logged with its code and later appends go to a new file', async (t) => {
  const dir = await tempDir(t);
  let failing = true;
  countSyncs(t, () => failing);
  const lines: Array<{ code?: string; msg: string }> = [];
  const destination = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
  const { outbox, crash } = await open(t, dir, { syncEveryMs: 20, log: createLogger({ level: 'error', destination }) });
  await outbox.enqueue({ topic: 't', class: 'event', data: 'a' });
  const deadline = Date.now() + 5_000;
  while (!lines.some((l) => l.code === 'OUTBOX_SYNC_FAILED') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  assert.ok(lines.some((l) => l.code === 'OUTBOX_SYNC_FAILED'), 'logged with OUTBOX_SYNC_FAILED');
  failing = false;
  await outbox.enqueue({ topic: 't', class: 'event', data: 'b' });
  assert.equal((await walRecords(dir)).files.length, 2, 'a new file after the failed sync');
  await crash();
  const second = await open(t, dir);
  assert.deepEqual(second.outbox.take(undefined, 10).map((e) => JSON.parse(e.payload.toString()).data), ['a', 'b'], 'both events are recovered (the page cache still had them)');
});
