// `kefu init` from an installer's seat: answers piped or pasted all at once (review s7 #18: the prompts lost every
// line typed ahead, `Aborted with Ctrl+D`), and the master's CA file (#3) from a flag or the mqtts:// prompt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KEFU } from '../helpers/kefu-up.js';
import { kefuRun } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';

interface Run { code: number | null; out: string }

/** Runs argv with every answer written at once; `holdOpen` keeps stdin open until the child exits (a person at a terminal). */
async function withAnswers(argv: string[], answers: string, cwd: string, holdOpen = false): Promise<Run> {
  const env = { ...process.env };
  delete env.KEFU_CONFIG;
  const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  child.stdin.write(answers);
  if (!holdOpen) child.stdin.end();
  const [code] = await once(child, 'exit') as [number | null];
  clearTimeout(timer);
  child.stdin.destroy();
  return { code, out };
}

const config = async (file: string) => parse(await readFile(file, 'utf8')) as { box: { id: string; region: string }; master: Record<string, string> };

test('kefu init takes answers piped all at once, asks for the CA file of an mqtts:// master, and --ca-file writes master.caFile', { timeout: 180_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-init-');
  // a real terminal: `script` (util-linux, in every Debian) gives the child a pty; the answers arrive before the first prompt
  assert.equal(spawnSync('script', ['--version']).status, 0, 'the `script` command (Debian package bsdutils / util-linux) is needed for the terminal case');
  const ptyCmd = [process.execPath, KEFU, 'init', '-o', join(dir, 'tty.yaml')].map((a) => `'${a}'`).join(' ');
  const [piped, tty, flags] = await Promise.all([
    withAnswers([process.execPath, KEFU, 'init', '-o', 'piped.yaml'], 'hall-07\ndandong\nmqtts://master.example:8883\ncerts/master-ca.crt\n', dir),
    withAnswers(['script', '-qec', ptyCmd, '/dev/null'], 'hall-08\nshenyang\nmqtts://master.example:8883\n\n', dir, true),
    kefuRun(['--json', 'init', '-o', 'flags.yaml', '--box', 'hall-09', '--region', 'dandong', '--master', 'mqtts://m.example:8883', '--ca-file', 'ca.crt'], dir),
  ]);

  assert.equal(piped.code, 0, piped.out);
  const p = await config(join(dir, 'piped.yaml'));
  assert.deepEqual(p.box, { id: 'hall-07', region: 'dandong' });
  assert.equal(p.master.url, 'mqtts://master.example:8883');
  assert.equal(p.master.caFile, join(dir, 'certs/master-ca.crt'), 'a relative CA path is written absolute: the daemon runs from another folder');
  assert.match(piped.out, /master-ca\.crt does not exist yet/);

  assert.equal(tty.code, 0, tty.out);
  assert.doesNotMatch(tty.out, /Aborted/);
  const y = await config(join(dir, 'tty.yaml'));
  assert.deepEqual(y.box, { id: 'hall-08', region: 'shenyang' });
  assert.equal(y.master.caFile, undefined, 'an empty answer leaves the system trust store');

  assert.equal(flags.code, 0, flags.stderr);
  assert.equal((JSON.parse(flags.stdout) as { config: { master: { caFile: string } } }).config.master.caFile, join(dir, 'ca.crt'));
  assert.equal((await config(join(dir, 'flags.yaml'))).master.caFile, join(dir, 'ca.crt'));

  // input that ends early is a missing value, not a crash
  const short = await withAnswers([process.execPath, KEFU, 'init', '-o', 'short.yaml'], 'hall-10\n', dir);
  assert.equal(short.code, 1);
  assert.match(short.out, /missing --region, --master \[INIT_MISSING\]/);
});
