// `kefu relay ble` and `kefu ble scan` as real processes against the fake BlueZ: the relay registers and
// advertises, the scan lists it as a tunnel relay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { startPrivateBus } from '../sim/dbus-bus.js';
import { startFakeBluez } from '../sim/fake-bluez.js';

const bin = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const run = promisify(execFile);

test('kefu relay ble advertises; kefu ble scan lists it as a tunnel relay', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-blecli-');
  const bus = await startPrivateBus(dir);
  const fake = await startFakeBluez({ busAddress: bus.address, firstPeerAddress: 'AA:BB:CC:DD:EE:07' });
  const relay = spawn(process.execPath, [bin, 'relay', 'ble', '--broker', '127.0.0.1:1883', '--bus', bus.address, '--name', 'hall-relay'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KEFU_LOG_LEVEL: 'warn' } });
  t.after(async () => {
    if (relay.exitCode === null) { relay.kill('SIGTERM'); await once(relay, 'exit'); }
    await fake.stop().catch(() => {});
    await bus.stop();
  });
  let out = '';
  relay.stdout.on('data', (b) => { out += b; });
  const deadline = Date.now() + 20_000;
  while (!out.includes('BLE relay')) {
    if (relay.exitCode !== null || Date.now() > deadline) throw new Error(`relay did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const { stdout } = await run(process.execPath, [bin, '--json', 'ble', 'scan', '--seconds', '0.3', '--bus', bus.address]);
  const devices = JSON.parse(stdout) as Array<{ address: string; name: string; tunnel: boolean }>;
  assert.deepEqual(devices.map((d) => [d.address, d.name, d.tunnel]), [['AA:BB:CC:DD:EE:07', 'hall-relay', true]]);
  const human = await run(process.execPath, [bin, 'ble', 'scan', '--seconds', '0.3', '--bus', bus.address]);
  assert.match(human.stdout, /AA:BB:CC:DD:EE:07\s+hall-relay\s+-60\s+yes/);
  relay.kill('SIGTERM');
  const [code] = await once(relay, 'exit');
  assert.equal(code, 0);
});

test('kefu ble scan without BlueZ fails with one line, non-zero', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-blecli-');
  const r = await run(process.execPath, [bin, 'ble', 'scan', '--seconds', '0.1', '--bus', `unix:path=${dir}/none`]).then(() => null, (e: { code: number; stderr: string }) => e);
  assert.ok(r, 'must fail');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /^kefu: .+\[/);
});
