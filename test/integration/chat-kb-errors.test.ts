// Review s7 leftovers #9: a KB the chat plugin cannot read is reported like every other config error, with the
// setting's full path (`plugins.chat.kb: cannot read … (ENOENT)`), at start and on `chat.kb.reload`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import chat from '../../plugins/chat/index.js';
import { ConfigError } from '../../protocol/errors.js';
import { createPluginHarness } from '../helpers/plugin-harness.js';
import { tempDir } from '../helpers/tmp.js';

const issuesOf = (err: unknown) => (err instanceof ConfigError ? err.issues : []);

test('plugins.chat.kb errors name the setting: missing file at start, missing or invalid file on reload', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-chat-kb-');
  const missing = join(dir, 'nope.json');
  await assert.rejects(createPluginHarness(t, chat, { kb: missing }), (err) => {
    assert.deepEqual(issuesOf(err), [`plugins.chat.kb: cannot read ${missing} (ENOENT)`]);
    assert.equal((err as ConfigError).code, 'CONFIG_INVALID');
    return true;
  });

  const kb = join(dir, 'kb.json');
  await copyFile(new URL('../fixtures/faq/kb.json', import.meta.url), kb);
  const h = await createPluginHarness(t, chat, { kb, businessHours: 'always' });
  await rm(kb);
  await assert.rejects(h.command('chat.kb.reload'), (err) => {
    assert.deepEqual(issuesOf(err), [`plugins.chat.kb: cannot read ${kb} (ENOENT)`]);
    return true;
  });
  await writeFile(kb, '{"kb": [');
  await assert.rejects(h.command('chat.kb.reload'), (err) => {
    assert.match(issuesOf(err)[0] ?? '', new RegExp(`^plugins\\.chat\\.kb: ${kb.replace(/[.]/g, '\\.')} is not valid JSON: `));
    return true;
  });
  await writeFile(kb, JSON.stringify({ businesses: {}, kb: [{ id: 'X-1', business: 'nope', question: 'q', answer: 'a' }] }));
  await assert.rejects(h.command('chat.kb.reload'), (err) => {
    assert.ok(issuesOf(err).some((i) => i.startsWith(`plugins.chat.kb: ${kb}: kb.0.business: `)), issuesOf(err).join('\n'));
    return true;
  });
});
