// The data-folder lock of `kefu up` / `kefu start`: a live kefu (node) holder refuses, a dead or unrelated one is
// stale, release removes only our own pid file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KefuError } from '../../protocol/errors.js';
import { acquireInstanceLock, dataDirInUse, LOCK_FILE } from '../../cli/instance-lock.js';
import { tempDir } from '../helpers/tmp.js';

const refuse = (pid: number, dir: string) => dataDirInUse(dir, pid);

test('a live node holder refuses with its pid; a dead or unrelated holder is stale', async (t) => {
  const dir = await tempDir(t);
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => { holder.kill('SIGKILL'); other.kill('SIGKILL'); });
  await Promise.all([once(holder, 'spawn'), once(other, 'spawn')]);

  await writeFile(join(dir, LOCK_FILE), `${holder.pid}\n`);
  assert.throws(() => acquireInstanceLock(dir, refuse), (err: unknown) => {
    assert.ok(err instanceof KefuError);
    assert.equal(err.code, 'DATA_DIR_IN_USE');
    assert.match(err.message, new RegExp(`pid ${holder.pid}`));
    return true;
  });

  await writeFile(join(dir, LOCK_FILE), `${other.pid}\n`);
  const a = acquireInstanceLock(dir, refuse);
  a.release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'release removes the pid file');

  holder.kill('SIGKILL');
  await once(holder, 'exit');
  await writeFile(join(dir, LOCK_FILE), `${holder.pid}\n`);
  const b = acquireInstanceLock(dir, refuse);
  b.release();
});
