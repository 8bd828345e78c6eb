// `kefu up` (what `npm start` runs) as a child process: master + embedded broker + one box with every plugin,
// on free ports, in a temp data folder. Resolves with the URLs it prints once the box is online at the master.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { tempDir } from './tmp.js';

export const KEFU = join(import.meta.dirname, '..', '..', 'cli', 'bin.js');

export interface KefuUpUrls { master: { dashboard: string; tokenFile: string }; box: { url: string; apps: unknown[] } }
export interface FleetBox { id: string; region: string; online: boolean; version: string; transport: { id: string } | null; lastSeen: number }

export function kefu(args: string[]): string {
  return execFileSync(process.execPath, [KEFU, ...args], { encoding: 'utf8', timeout: 60_000 });
}

export async function startKefuUp(t: Pick<TestContext, 'after'>): Promise<{ proc: ChildProcess; dir: string; data: string; urls: KefuUpUrls; boxes: FleetBox[] }> {
  const dir = await tempDir(t, 'kefu-up-');
  const data = join(dir, 'kefu');
  const proc = spawn(process.execPath, [KEFU, '--json', 'up', '--data', data, '--mqtt-port', '0', '--master-http-port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { if (proc.exitCode === null) proc.kill('SIGKILL'); });
  const firstLine = await Promise.race([
    once(createInterface({ input: proc.stdout! }), 'line').then(([l]) => l as string),
    once(proc, 'exit').then(([code]) => { throw new Error(`kefu up exited early with ${code}`); }),
    sleep(60_000).then(() => { throw new Error('kefu up printed nothing within 60 s'); }),
  ]);
  const urls = JSON.parse(firstLine) as KefuUpUrls;
  let boxes: FleetBox[] = [];
  for (let i = 0; i < 40 && !boxes.some((b) => b.online); i++) {
    boxes = JSON.parse(kefu(['master', 'boxes', '--json', '--data', join(data, 'master')]));
    if (!boxes.some((b) => b.online)) await sleep(250);
  }
  return { proc, dir, data, urls, boxes };
}
