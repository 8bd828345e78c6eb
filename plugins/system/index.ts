// Built-in plugin: box vitals (uptime, load, memory, disk, versions) as telemetry, and `system.info`.
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import { z } from 'zod';
import { definePlugin } from '../../daemon/plugin-api.js';

const Config = z.object({
  telemetryIntervalMs: z.number().int().min(1000).default(30_000),
}).strict();

export async function systemInfo(dataDir: string, version: string) {
  const fs = await statfs(dataDir).catch(() => undefined);
  const mem = process.memoryUsage();
  return {
    version,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    hostname: os.hostname(),
    uptime_s: Math.round(os.uptime()),
    daemon_uptime_s: Math.round(process.uptime()),
    load: os.loadavg().map((l) => Math.round(l * 100) / 100),
    cpus: os.availableParallelism(),
    mem_total_mb: Math.round(os.totalmem() / 2 ** 20),
    mem_free_mb: Math.round(os.freemem() / 2 ** 20),
    rss_mb: Math.round(mem.rss / 2 ** 20),
    disk_free_mb: fs ? Math.round((fs.bavail * fs.bsize) / 2 ** 20) : null,
    disk_total_mb: fs ? Math.round((fs.blocks * fs.bsize) / 2 ** 20) : null,
  };
}

export default definePlugin({
  name: 'system',
  apiVersion: 1,
  config: Config,
  setup(ctx) {
    let timer: NodeJS.Timeout | undefined;
    const info = () => systemInfo(ctx.box.dataDir, ctx.box.version);
    ctx.commands.handle('system.info', z.object({}).strict(), () => info(), { description: 'the box: version, uptime, CPU, memory, disk of the data folder' });
    ctx.http.route({ method: 'GET', url: '/info', handler: async () => info() });
    return {
      start() {
        const tick = () => void info().then((data) => ctx.uplink.telemetry('system', data)).catch((err) => ctx.log.warn({ err }, 'system telemetry failed'));
        tick();
        timer = setInterval(tick, ctx.config.telemetryIntervalMs);
        timer.unref();
      },
      stop() { clearInterval(timer); timer = undefined; },
      health: () => ({ ok: true }),
    };
  },
});
