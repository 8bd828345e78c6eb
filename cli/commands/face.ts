// `kefu face enroll|verify|delete|list|eval`: face templates on a box's data folder, and the evaluation
// contract of DESIGN.md (`kefu face eval --dir <folder per person> --json`).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ConfigError, KefuError } from '../../protocol/errors.js';
import { faceauthConfigSchema, resolveThreshold, type FaceauthConfig } from '../../plugins/faceauth/config.js';
import { createFaceEngine } from '../../plugins/faceauth/engine/engine.js';
import { evaluateDir } from '../../plugins/faceauth/eval/evaluate.js';
import { openOffline } from '../../plugins/faceauth/offline.js';
import { controlRequest } from '../../daemon/control/client.js';
import { controlSocketPath } from '../../daemon/control/protocol.js';
import { resolveConfigPath } from '../config-path.js';
import { action, print, table } from '../output.js';

interface Common { config?: string; data?: string }

/**
 * The box config's dataDir and plugins.faceauth section, found as every box command finds it; defaults when
 * there is no config file, except the data folder: guessing one would silently read an empty store.
 */
async function faceContext(opts: Common, needsData = true): Promise<{ dataDir: string; cfg: FaceauthConfig }> {
  const file = resolveConfigPath(opts.config);
  let raw: { dataDir?: string; plugins?: { faceauth?: unknown } } = {};
  if (existsSync(file)) raw = (parseYaml(await readFile(file, 'utf8')) ?? {}) as typeof raw;
  else if (opts.config || (needsData && !opts.data)) throw new ConfigError([`${file}: cannot read (ENOENT); pass -c <box config> or --data <folder>`]);
  const parsed = faceauthConfigSchema.safeParse(raw.plugins?.faceauth ?? {});
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `plugins.faceauth.${i.path.join('.')}: ${i.message}`));
  const base = dirname(file);
  const dataDir = resolve(opts.data ?? (raw.dataDir ? resolve(base, raw.dataDir) : '/var/lib/kefu'));
  return { dataDir, cfg: parsed.data };
}

/**
 * Runs `fn` on the data folder; while the daemon holds the store, asks the daemon to run the plugin
 * command instead (control method `commands.run`, when the daemon offers it).
 */
async function offlineOrDaemon<T>(dataDir: string, cfg: FaceauthConfig, fn: (box: Awaited<ReturnType<typeof openOffline>>) => Promise<T>, command: { name: string; args: unknown; map: (r: any) => T }): Promise<T> {
  let box: Awaited<ReturnType<typeof openOffline>>;
  try { box = await openOffline(dataDir, cfg); } catch (err) {
    if ((err as KefuError).code !== 'FACE_STORE_BUSY' || !existsSync(controlSocketPath(dataDir))) throw err;
    try { return command.map(await controlRequest(dataDir, 'commands.run', { name: command.name, args: command.args }, 30_000)); } catch { throw err; }
  }
  try { return await fn(box); } finally { await box.close(); }
}

export function register(program: Command): void {
  const face = program.command('face').description('face templates: enroll, verify, delete, list, eval');
  const withData = (c: Command) => c.option('-c, --config <file>', 'box config file').option('--data <dir>', 'data folder (default: the config\'s dataDir)');

  withData(face.command('enroll <account> <images...>'))
    .description('enroll a face from several images (each must pass the quality checks)')
    .option('--min-frames <n>', 'usable images needed (default: config, capped by the number given)')
    .option('--no-quality', 'accept any image with a face (for archive photos)')
    .action(action(async (account: string, images: string[], opts: Common & { minFrames?: string; quality: boolean }, cmd: Command) => {
      const { dataDir, cfg } = await faceContext(opts);
      const box = await openOffline(dataDir, cfg);
      try {
        const frames = await Promise.all(images.map(async (f) => new Uint8Array(await readFile(f))));
        const minFrames = opts.minFrames ? Number(opts.minFrames) : Math.min(cfg.enroll.minFrames, frames.length);
        const r = await box.face.enroll(account, frames, { minFrames, skipQuality: !opts.quality });
        print(cmd.optsWithGlobals(), { ok: true, ...r }, () => [
          `enrolled ${account} from ${r.frames} of ${images.length} images${r.replaced ? ' (replaced the old template)' : ''}`,
          ...r.rejected.map((x) => `  skipped ${images[x.index]}: ${x.issues.map((i) => `${i.code} ${i.zh} / ${i.en}`).join('; ')}`),
        ].join('\n'));
      } finally { await box.close(); }
    }));

  withData(face.command('verify <account> <image>'))
    .description('1:1: does the image match the account\'s template? (exit code 1 when it does not)')
    .action(action(async (account: string, image: string, opts: Common, cmd: Command) => {
      const { dataDir, cfg } = await faceContext(opts);
      const box = await openOffline(dataDir, cfg);
      try {
        const r = await box.face.verify(account, new Uint8Array(await readFile(image)));
        const out = { account, match: r.match, score: Math.round(r.score * 10000) / 10000, threshold: r.threshold, quality: r.quality.issues.map((i) => i.code) };
        print(cmd.optsWithGlobals(), out, () => `${r.match ? 'MATCH' : 'NO MATCH'}  ${account}  score ${out.score} (threshold ${r.threshold})${out.quality.length ? `  quality: ${out.quality.join(', ')}` : ''}`);
        if (!r.match) process.exitCode = 1;
      } finally { await box.close(); }
    }));

  withData(face.command('delete <account>'))
    .description('delete the account\'s face template, kept images and password')
    .action(action(async (account: string, opts: Common, cmd: Command) => {
      const { dataDir, cfg } = await faceContext(opts);
      const deleted = await offlineOrDaemon(dataDir, cfg, async (box) => {
        const d = await box.face.delete(account);
        await box.credentials.delete(account);
        return d;
      }, { name: 'faceauth.delete', args: { account }, map: (r: { deleted: boolean }) => r.deleted });
      print(cmd.optsWithGlobals(), { account, deleted }, () => (deleted ? `deleted the face data of ${account}` : `${account} had no face template`));
    }));

  withData(face.command('list'))
    .description('accounts with a face template')
    .action(action(async (opts: Common, cmd: Command) => {
      const { dataDir, cfg } = await faceContext(opts);
      const accounts = await offlineOrDaemon(dataDir, cfg, (box) => box.face.accounts(), { name: 'faceauth.accounts', args: {}, map: (r: { accounts: string[] }) => r.accounts });
      print(cmd.optsWithGlobals(), { accounts }, () => table(accounts.map((a) => ({ account: a }))));
    }));

  face.command('eval')
    .description('every genuine and impostor pair of a folder with one subfolder per person, at the configured threshold')
    .requiredOption('--dir <folder>', 'one subfolder per person (folders starting with _ are skipped)')
    .option('-c, --config <file>', 'box config file (for plugins.faceauth.threshold / modelDir)')
    .option('--threshold <t>', 'override the configured threshold')
    .option('--workers <n>', 'inference threads (default: cores)')
    .option('--stats', 'add score distributions and the impostor-tail threshold')
    .option('--augment', 'add synthetic variants (light, blur, rotation, scale, JPEG) as extra pairs')
    .option('--scenes <folder>', 'group photos: faces in one photo are impostor pairs')
    .action(action(async (opts: { dir: string; config?: string; threshold?: string; workers?: string; stats?: boolean; augment?: boolean; scenes?: string }, cmd: Command) => {
      const { cfg } = await faceContext({ config: opts.config }, false);
      if (!existsSync(resolve(opts.dir))) throw new ConfigError([`--dir: ${resolve(opts.dir)} not found`]);
      const threshold = opts.threshold !== undefined ? Number(opts.threshold) : resolveThreshold(cfg.threshold);
      if (!Number.isFinite(threshold)) throw new ConfigError([`--threshold: not a number`]);
      const engine = createFaceEngine({ modelDir: cfg.modelDir, flip: cfg.flip, workers: opts.workers !== undefined ? Number(opts.workers) : cfg.workers });
      try {
        await engine.start();
        const { result, stats } = await evaluateDir(engine, resolve(opts.dir), threshold, { stats: opts.stats, augment: opts.augment, scenes: opts.scenes && resolve(opts.scenes) });
        const out = stats ? { ...result, stats } : result;
        print(cmd.optsWithGlobals(), out, () => [
          `${result.persons} persons, ${result.images} images, ${result.detected} with a face; ${result.genuine_pairs} genuine / ${result.impostor_pairs} impostor pairs`,
          `threshold ${threshold}: FRR ${(result.frr * 100).toFixed(2)} %  FAR ${(result.far * 100).toFixed(3)} %  (${result.ms_per_image} ms per image)`,
          ...(stats ? [JSON.stringify(stats, null, 2)] : []),
        ].join('\n'));
      } finally { await engine.stop(); }
    }));
}
