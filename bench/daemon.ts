// `npm run bench -- daemon [runs]`: time from spawning `kefu start` to the retained `state` online at the broker,
// and the daemon's resident memory after it has been idle, for a minimal box and for a box with every plugin.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { loadBoxConfig, pluginNames } from '../daemon/builtins.js';
import { createDaemon } from '../daemon/daemon.js';
import { silentLogger } from '../daemon/logger.js';
import { StateMessage } from '../protocol/schemas.js';
import { KEFU_BIN, writeBoxConfig } from '../test/helpers/daemon-process.js';

const runs = Number(process.argv[2] ?? 3);
const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
const watcher = await mqtt.connectAsync(url, { clientId: 'bench-watcher' });

const rssMb = async (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const variants = {
  minimal: { system: {} },
  all_plugins: Object.fromEntries(pluginNames.map((name) => [name, {}])),
};

for (const [variant, plugins] of Object.entries(variants)) {
  const startMs: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'kefu-bench-daemon-'));
    const box = `bench-${variant.replace('_', '-')}-${i}`;
    const file = await writeBoxConfig(dir, { box, region: 'bench', url, password: 'unused', extra: { plugins } });
    const topic = `kefu/v1/bench/${box}/state`;
    await watcher.subscribeAsync(topic);
    const online = new Promise<number>((resolve) => watcher.on('message', (t, p) => {
      if (t === topic && StateMessage.safeParse(JSON.parse(p.toString())).data?.online) resolve(performance.now());
    }));
    const began = performance.now();
    const child = spawn(process.execPath, [KEFU_BIN, 'start', '-c', file], { stdio: 'ignore' });
    startMs.push(Math.round((await Promise.race([online, sleep(60_000).then(() => NaN)])) - began));
    await sleep(10_000); // idle: plugins started, first telemetry sent, GC settled
    rss.push(Math.round(await rssMb(child.pid!)));
    child.kill('SIGTERM');
    await once(child, 'exit');
    await watcher.unsubscribeAsync(topic);
    watcher.removeAllListeners('message');
    await rm(dir, { recursive: true, force: true });
  }
  const sorted = [...startMs].sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ bench: 'daemon', variant, runs, spawn_to_online_ms: startMs, spawn_to_online_ms_p50: sorted[Math.floor(sorted.length / 2)], idle_rss_mb: rss, load_avg_1m: Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]) })}\n`);
}
// the daemon's own start (modules already loaded): createDaemon + start() → retained state online
{
  const inProcess: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'kefu-bench-daemon-'));
    const box = `bench-inproc-${i}`;
    const topic = `kefu/v1/bench/${box}/state`;
    await watcher.subscribeAsync(topic);
    const online = new Promise<number>((resolve) => watcher.on('message', (t, p) => {
      if (t === topic && StateMessage.safeParse(JSON.parse(p.toString())).data?.online) resolve(performance.now());
    }));
    const config = await loadBoxConfig(await writeBoxConfig(dir, { box, region: 'bench', url, password: 'unused', extra: { plugins: { system: {} } } }));
    const began = performance.now();
    const daemon = createDaemon(config, silentLogger());
    await daemon.start();
    inProcess.push(Math.round((await online) - began));
    await daemon.stop();
    await watcher.unsubscribeAsync(topic);
    watcher.removeAllListeners('message');
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify({ bench: 'daemon', variant: 'in_process_start', runs, start_to_online_ms: inProcess })}\n`);
}
await watcher.endAsync(true);
await new Promise<void>((r) => aedes.close(() => r()));
server.close();
