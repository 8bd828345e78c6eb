import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveMasterEndpoint } from '../../master/http/master-client.js';
import { tempDir } from '../helpers/tmp.js';

test('a master data folder with no master running says so; no hint at all asks where the master is', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(resolveMasterEndpoint({ dataDir: dir, env: {} }), { code: 'MASTER_NOT_RUNNING', message: new RegExp(`no master is running with data folder ${dir}`) });
  await assert.rejects(resolveMasterEndpoint({ env: {} }), { code: 'MASTER_UNKNOWN' });
  assert.deepEqual(await resolveMasterEndpoint({ url: 'http://127.0.0.1:1/', token: 't', env: {} }), { url: 'http://127.0.0.1:1', token: 't' });
});

test('with a master config: the runtime file wins, a folder without one is MASTER_NOT_RUNNING, an unreadable folder falls back to the config\'s URL; the CA file is read', async (t) => {
  const { writeFile } = await import('node:fs/promises');
  const dir = await tempDir(t);
  const env = {};
  await assert.rejects(resolveMasterEndpoint({ dataDir: dir, token: 't', configUrl: 'https://127.0.0.1:8080', env }), { code: 'MASTER_NOT_RUNNING' });
  await writeFile(`${dir}/master.json`, JSON.stringify({ http: 'https://master.example:8080', api: 'https://127.0.0.1:9999' }));
  assert.equal((await resolveMasterEndpoint({ dataDir: dir, token: 't', configUrl: 'https://127.0.0.1:8080', env })).url, 'https://127.0.0.1:9999', 'the loopback API address of the running master');
  await writeFile(`${dir}/ca.crt`, 'PEM');
  const viaConfig = await resolveMasterEndpoint({ dataDir: `${dir}/missing`, token: 't', configUrl: 'https://127.0.0.1:8080', caFile: `${dir}/ca.crt`, env });
  assert.deepEqual(viaConfig, { url: 'https://127.0.0.1:8080', token: 't', ca: Buffer.from('PEM') });
  await assert.rejects(resolveMasterEndpoint({ url: 'https://x', token: 't', caFile: `${dir}/nope.crt`, env }), { code: 'FILE_UNREADABLE', message: /CA file: cannot read .*nope\.crt \(ENOENT\)/ });
});
