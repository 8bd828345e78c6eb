// `kefu init`: writes a valid box config (flags, or prompts when run in a terminal), validated before writing.
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { KefuError } from '../../protocol/errors.js';
import { configSections } from '../../daemon/builtins.js';
import { validateConfig } from '../../daemon/config/load.js';
import { ensureLocalTls } from '../../daemon/tls/local-ca.js';
import { action, print } from '../output.js';
import { createPrompter } from '../prompt.js';

interface InitOptions {
  out: string; box?: string; region?: string; master?: string; username?: string; passwordFile?: string; caFile?: string;
  dataDir?: string; httpPort: string; transport: string[]; plugins: string; force?: boolean; yes?: boolean; tls?: string | boolean;
}

/** the real box's layout (README "Install on a real box"): config in /etc/kefu, state in /var/lib/kefu */
const SYSTEM_CONFIG_DIR = '/etc/kefu';
const SYSTEM_DATA_DIR = '/var/lib/kefu';

/** `-o` names the file, or a folder (one that exists, or written with a trailing slash) to put kefu.yaml in */
export function initOutFile(out: string): string {
  const isDir = out.endsWith('/') || out.endsWith(sep) || (existsSync(out) && statSync(out).isDirectory());
  return resolve(isDir ? join(out, 'kefu.yaml') : out);
}

/**
 * Where the password file and the data folder go when no flag says: beside the config, so a config written
 * anywhere but /etc/kefu works from there without root; in /etc/kefu, the system layout (/var/lib/kefu).
 */
export function initDefaults(outFile: string): { passwordFile: string; dataDir: string } {
  const dir = dirname(outFile);
  return { passwordFile: join(dir, 'box.secret'), dataDir: dir === SYSTEM_CONFIG_DIR ? SYSTEM_DATA_DIR : join(dir, 'data') };
}

/** the link ids installers and the README use; a kind given twice gets -2, -3 */
const LINK_ID: Record<string, string> = { wired: 'eth', nr5g: '5g', lte: '4g', ble: 'ble' };

/** `wired`, `wired:192.0.2.10`, `nr5g:/dev/ttyUSB2:wwan0`, `lte:auto:wwan1`, `ble:AA:BB:CC:DD:EE:FF` */
export function parseTransportSpec(spec: string, index: number, all: readonly string[] = [spec]): Record<string, unknown> {
  const [kind, ...rest] = spec.split(':');
  const nth = all.slice(0, index).filter((s) => s.split(':')[0] === kind).length;
  const id = `${LINK_ID[kind] ?? kind}${nth > 0 ? `-${nth + 1}` : ''}`;
  switch (kind) {
    case 'wired': return rest.length ? { id, kind, localAddress: rest.join(':') } : { id, kind };
    case 'nr5g': case 'lte': return { id, kind, modem: { port: rest[0] ?? 'auto', profile: 'auto', apn: 'cmnet' }, netdev: rest[1] ?? (kind === 'nr5g' ? 'wwan0' : 'wwan1') };
    case 'ble': return { id, kind, peer: rest.join(':'), classes: ['critical', 'event'] };
    default: throw new KefuError('INIT_BAD_TRANSPORT', `unknown transport "${spec}": use wired[:addr], nr5g[:port[:netdev]], lte[:port[:netdev]] or ble:<address>`);
  }
}

export function register(program: Command): void {
  program.command('init')
    .description('write a box config file')
    .option('-o, --out <file|dir/>', 'where to write it (a folder: <folder>/kefu.yaml)', `${SYSTEM_CONFIG_DIR}/kefu.yaml`)
    .option('--box <id>', 'box id, e.g. hall-01')
    .option('--region <id>', 'region id, e.g. dandong')
    .option('--master <url>', 'master broker url, e.g. mqtts://master.example:8883')
    .option('--username <name>', 'MQTT user name (default: the box id)')
    .option('--password-file <file>', 'file holding the box password (default: box.secret beside the config)')
    .option('--ca-file <file>', "CA certificate the master's broker certificate is checked against (mqtts:// with a private CA)")
    .option('--data-dir <dir>', `data folder (default: ${SYSTEM_DATA_DIR} for a config in ${SYSTEM_CONFIG_DIR}, else data/ beside the config)`)
    .option('--http-port <port>', 'LAN HTTP port', '8443')
    .option('--transport <spec...>', 'links in preference order: wired[:addr] nr5g[:port[:netdev]] lte[...] ble:<addr>', ['wired'])
    .option('--plugins <list>', 'comma-separated plugins to enable', 'system')
    .option('--tls [dir]', 'create a hall CA and a box certificate for HTTPS (terminals trust ca.crt once)')
    .option('-f, --force', 'overwrite an existing file')
    .option('-y, --yes', 'never prompt; fail on a missing value')
    .action(action(async (o: InitOptions, cmd: Command) => {
      const json = cmd.optsWithGlobals().json;
      const required = ['box', 'region', 'master'] as const;
      // questions only for what the flags left out: a terminal, or answers piped one per line
      if (!o.yes && !json && required.some((k) => !o[k])) {
        const p = createPrompter();
        try {
          o.box ||= await p.ask('box id (e.g. hall-01): ');
          o.region ||= await p.ask('region (e.g. dandong): ');
          o.master ||= await p.ask('master url (e.g. mqtts://master.example:8883): ');
          if (!o.caFile && /^(mqtts|tls|ssl):/i.test(o.master ?? '')) {
            o.caFile = (await p.ask("CA certificate of the master's broker (a file; empty if a public CA signed it): ")) || undefined;
          }
        } finally { p.close(); }
      }
      const missing = required.filter((k) => !o[k]);
      if (missing.length) throw new KefuError('INIT_MISSING', `missing ${missing.map((m) => `--${m}`).join(', ')}`);
      const out = initOutFile(o.out);
      const defaults = initDefaults(out);
      o.passwordFile = o.passwordFile ? resolve(o.passwordFile) : defaults.passwordFile;
      o.dataDir = o.dataDir ? resolve(o.dataDir) : defaults.dataDir;
      if (existsSync(out) && !o.force) throw new KefuError('INIT_EXISTS', `${out} exists (use --force to overwrite)`);
      const config = {
        box: { id: o.box, region: o.region },
        master: { url: o.master, username: o.username ?? o.box, passwordFile: o.passwordFile, ...(o.caFile ? { caFile: resolve(o.caFile) } : {}) },
        dataDir: o.dataDir,
        http: { port: Number(o.httpPort) },
        transports: o.transport.map((spec, i, all) => parseTransportSpec(spec, i, all)),
        plugins: Object.fromEntries(o.plugins.split(',').map((p) => p.trim()).filter(Boolean).map((p) => [p, {}])),
      };
      let caCert: string | undefined;
      if (o.tls) {
        const tls = await ensureLocalTls(typeof o.tls === 'string' ? resolve(o.tls) : resolve(dirname(out), 'tls'), { boxId: o.box! });
        Object.assign(config.http, { tls: { cert: tls.cert, key: tls.key } });
        caCert = tls.caCert;
      }
      validateConfig(structuredClone(config), await configSections(), out);
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, `# kefu box configuration (see README "Configuration")\n${stringify(config)}`, { mode: 0o640 });
      // the CA may well be copied over after init: say so now rather than leave it to a failing start
      const notes = o.caFile && !existsSync(resolve(o.caFile)) ? [`${resolve(o.caFile)} does not exist yet: copy there the CA certificate that signed the master's broker certificate before \`kefu start\``] : [];
      print({ json }, { ok: true, file: out, config, ...(caCert ? { caCert } : {}), ...(notes.length ? { notes } : {}) }, () => [
        `wrote ${out}`,
        ...notes.map((n) => `note: ${n}`),
        ...(caCert ? [`hall CA: ${caCert}: install it once on every terminal and agent PC as a trusted root, so the box's HTTPS pages open without a warning`] : []),
        `data folder: ${o.dataDir} (made on first start; the user that runs kefu must be able to write there)`,
        `next: write the box password to ${o.passwordFile} without it ever being readable by others (\`(umask 077 && cat > ${o.passwordFile})\`, paste, Ctrl-D), then run \`kefu doctor -c ${out}\` and \`kefu start -c ${out}\``,
      ].join('\n'));
    }));
}
