// The systemd units an installer copies (deploy/systemd/): systemd's own checker accepts them, and they keep what
// the box and the master need (review s7: "no unit ships"): their own user and state folder, restart, overrides
// from an environment file, a clean SIGTERM, and hardening that still lets the box open its modem's tty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const DIR = fileURLToPath(new URL('../../deploy/systemd/', import.meta.url));
const UNITS = ['kefu.service', 'kefu-master.service'];

/** `[Section]` → key → every value given (systemd keys may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let cur: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) { cur = new Map(); sections.set(head[1], cur); continue; }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    assert.ok(kv && cur, `not a key=value line in a section: ${line}`);
    cur.set(kv[1], [...(cur.get(kv[1]) ?? []), kv[2]]);
  }
  return sections;
}

test('systemd-analyze verify accepts the shipped units', { timeout: 60_000 }, async () => {
  assert.ok(existsSync('/usr/bin/systemd-analyze'), 'systemd-analyze (Debian package systemd) is needed: apt-get install systemd');
  const r = await run('systemd-analyze', ['verify', ...UNITS.map((u) => `${DIR}${u}`)]).then((x) => ({ code: 0, ...x }), (e: { code: number; stdout: string; stderr: string }) => e);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', 'no warnings (unknown keys, bad values, missing binaries)');
});

test('the units keep what the box and the master need', async () => {
  const [box, master] = await Promise.all(UNITS.map(async (u) => parseUnit(await readFile(`${DIR}${u}`, 'utf8'))));
  const one = (u: typeof box, key: string) => u.get('Service')?.get(key)?.join(' ');
  for (const [u, user, start] of [[box, 'kefu', /^\/usr\/bin\/node \/opt\/kefu\/cli\/bin\.js start -c \/etc\/kefu\/kefu\.yaml$/], [master, 'kefu-master', /^\/usr\/bin\/node \/opt\/kefu\/cli\/bin\.js master run --config \/etc\/kefu-master\/master\.yaml$/]] as const) {
    assert.equal(one(u, 'User'), user);
    assert.equal(one(u, 'StateDirectory'), user, 'the data folder /var/lib/<user>, owned by the service user');
    assert.equal(one(u, 'WorkingDirectory'), `/var/lib/${user}`);
    assert.equal(one(u, 'Restart'), 'always');
    assert.match(one(u, 'EnvironmentFile') ?? '', /^-\/etc\/kefu(-master)?\/.+\.env$/, 'optional KEFU__ overrides');
    assert.match(one(u, 'ExecStart') ?? '', start);
    assert.equal(one(u, 'KillSignal'), 'SIGTERM');
    assert.equal(one(u, 'NoNewPrivileges'), 'yes');
    assert.equal(one(u, 'ProtectSystem'), 'strict');
    assert.equal(one(u, 'CapabilityBoundingSet'), '');
    for (const family of ['AF_UNIX', 'AF_INET', 'AF_INET6']) assert.ok(one(u, 'RestrictAddressFamilies')?.split(/\s+/).includes(family), `${user}: ${family}`);
    assert.equal(u.get('Install')?.get('WantedBy')?.[0], 'multi-user.target');
  }
  // the box opens /dev/ttyUSB* (dialout) and talks to BlueZ over D-Bus: nothing may close the devices
  assert.match(one(box, 'SupplementaryGroups') ?? '', /\bdialout\b/);
  for (const closing of ['PrivateDevices', 'DeviceAllow', 'DevicePolicy', 'ProtectClock']) assert.equal(one(box, closing), undefined, `${closing} would hide the modem's tty`);
  assert.ok(existsSync(fileURLToPath(new URL('../../cli/bin.js', import.meta.url))), 'ExecStart runs cli/bin.js of the clone');
});
