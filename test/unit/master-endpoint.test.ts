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
