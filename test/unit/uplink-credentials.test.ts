// master.passwordFile kept current (review s7 #6): a replaced file is picked up, a half-written one is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCredentialSource } from '../../daemon/uplink/credentials.js';
import { silentLogger } from '../../daemon/logger.js';
import { tempDir } from '../helpers/tmp.js';

test('a replaced password file is read again and announced; an empty (half-written) one keeps the old password', async (t) => {
  const file = join(await tempDir(t), 'box.secret');
  await writeFile(file, 'first\n');
  let changes = 0;
  const creds = createCredentialSource({ username: 'hall-01', passwordFile: file, log: silentLogger(), pollMs: 50, onChange: () => { changes++; } });
  t.after(() => creds.stop());
  await creds.start();
  assert.deepEqual(creds.current(), { username: 'hall-01', password: 'first' });
  await writeFile(file, '');
  await sleep(300);
  assert.equal(creds.current().password, 'first');
  assert.equal(changes, 0);
  await writeFile(`${file}.new`, 'second\n');
  await rename(`${file}.new`, file);
  for (let i = 0; i < 40 && changes === 0; i++) await sleep(50);
  assert.equal(creds.current().password, 'second');
  assert.equal(changes, 1);
  // after a refused login the file is read again even when no change was seen (the watcher off: no race with it)
  creds.stop();
  await writeFile(file, 'third');
  assert.equal(await creds.refresh(), true);
  assert.equal(creds.current().password, 'third');
});

test('an unreadable password file at start names its key', async (t) => {
  const creds = createCredentialSource({ passwordFile: join(await tempDir(t), 'missing'), log: silentLogger() });
  await assert.rejects(creds.start(), /master\.passwordFile: secret file .*missing: cannot read \(ENOENT\)/);
  creds.stop();
});
