// A private D-Bus daemon (TESTING.md recipe): the fake BlueZ, the central and the relay all talk over it.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

export interface PrivateBus { address: string; proc: ChildProcess; stop(): Promise<void> }

export async function startPrivateBus(dir: string): Promise<PrivateBus> {
  try { execFileSync('sh', ['-c', 'command -v dbus-daemon'], { stdio: 'ignore' }); } catch { throw new Error('the Bluetooth tests need `dbus-daemon` (Debian: dbus)'); }
  const conf = join(dir, 'bus.conf');
  const addrFile = join(dir, 'bus.addr');
  await writeFile(conf, `<busconfig><type>system</type><listen>unix:path=${join(dir, 'bus.sock')}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/>
<allow send_type="method_call"/><allow send_type="signal"/><allow send_type="method_return"/><allow send_type="error"/>
<allow receive_type="method_call"/><allow receive_type="signal"/><allow receive_type="method_return"/><allow receive_type="error"/>
</policy></busconfig>\n`);
  const proc = spawn('sh', ['-c', `exec dbus-daemon --config-file=${conf} --nofork --print-address=3 3>${addrFile}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (b) => { stderr += b; });
  const deadline = Date.now() + 10_000;
  let address = '';
  while (!address) {
    if (proc.exitCode !== null) throw new Error(`dbus-daemon exited: ${stderr}`);
    if (Date.now() > deadline) { proc.kill(); throw new Error(`dbus-daemon did not start: ${stderr}`); }
    address = (await readFile(addrFile, 'utf8').catch(() => '')).split('\n')[0].trim();
    if (!address) await new Promise((r) => setTimeout(r, 20));
  }
  return {
    address, proc,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
