// `kefu master …`: run the master center, query it over its HTTP API, manage box credentials and export the
// broker policy for Mosquitto.
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { createLogger } from '../../daemon/logger.js';
import { ConfigError, KefuError } from '../../protocol/errors.js';
import { createMaster, loadMasterConfigFile, SERVICE_SECRET_FILE } from '../../master/index.js';
import { mosquittoAcl } from '../../master/broker/policy.js';
import { createCredentialStore, ensureServiceCredential } from '../../master/credentials/credential-store.js';
import { writePrivateFile } from '../../master/credentials/secret-file.js';
import { createMasterClient, resolveMasterEndpoint } from '../../master/http/master-client.js';
import { action, print, table, type OutputOptions } from '../output.js';

const DEFAULT_DATA = '.kefu/master';

interface ConnOpts extends OutputOptions { url?: string; tokenFile?: string; data?: string }

const dataDirOf = (opts: { data?: string }) => opts.data ?? process.env.KEFU_MASTER_DATA ?? DEFAULT_DATA;

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError([`port: ${value} is not a port number`]);
  return n;
}

function parseArgs(argsJson: string | undefined): unknown {
  try {
    return argsJson === undefined ? undefined : JSON.parse(argsJson);
  } catch (err) {
    throw new KefuError('ARGS_INVALID', `argsJson is not JSON: ${(err as Error).message}`);
  }
}

function ago(ts: number | null): string {
  if (ts === null) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ts) / 1000));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

async function client(opts: ConnOpts) {
  return createMasterClient(await resolveMasterEndpoint({ url: opts.url, tokenFile: opts.tokenFile, dataDir: opts.data ?? process.env.KEFU_MASTER_DATA ?? DEFAULT_DATA }));
}

const connOptions = (cmd: Command) => cmd
  .option('--url <url>', 'master HTTP API (default: KEFU_MASTER_URL, or the running master of --data)')
  .option('--token-file <file>', 'API token file (default: KEFU_MASTER_TOKEN, or {data}/http.token)')
  .option('--data <dir>', 'the master data dir (default: KEFU_MASTER_DATA or .kefu/master)');

export function register(program: Command): void {
  const master = program.command('master').description('the master center: broker, fleet, commands, dashboard');

  master.command('run')
    .description('run the master center (embedded broker unless the config names an external one)')
    .option('--config <file>', 'YAML config file')
    .option('--data <dir>', 'data dir (credentials, event store, secrets)')
    .option('--mqtt-port <port>', 'embedded broker TCP port', port)
    .option('--ws-port <port>', 'embedded broker WebSocket port', port)
    .option('--http-port <port>', 'HTTP API and dashboard port', port)
    .action(action(async (opts: { config?: string; data?: string; mqttPort?: number; wsPort?: number; httpPort?: number }, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const raw = (opts.config ? await loadMasterConfigFile(opts.config) : {}) as Record<string, any>;
      const cfg: Record<string, any> = { ...raw, dataDir: opts.data ?? raw.dataDir ?? dataDirOf({}) };
      cfg.broker = { ...(raw.broker ?? {}) };
      if (opts.mqttPort !== undefined) cfg.broker.tcp = { ...(raw.broker?.tcp ?? {}), port: opts.mqttPort };
      if (opts.wsPort !== undefined) cfg.broker.ws = { ...(raw.broker?.ws ?? {}), port: opts.wsPort };
      if (opts.httpPort !== undefined) cfg.http = { ...(raw.http ?? {}), port: opts.httpPort };
      const log = createLogger({ name: 'master' });
      const m = createMaster(cfg as { dataDir: string }, { log });
      const urls = await m.start();
      print(out, { ok: true, ...urls, dataDir: cfg.dataDir }, () => [
        `master running (data: ${cfg.dataDir})`,
        ...Object.entries(urls).map(([k, v]) => `  ${k.padEnd(9)} ${v}`),
        `  API token in ${m.config.http.tokenFile ?? join(cfg.dataDir, 'http.token')}; open the dashboard as ${urls.dashboard}#token=<token>`,
      ].join('\n'));
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await m.stop();
    }));

  connOptions(master.command('boxes').description('list the fleet'))
    .action(action(async (opts: ConnOpts, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const boxes = await (await client(opts)).boxes();
      print(out, boxes.map((b) => ({ id: b.id, region: b.region, online: b.online, version: b.version, transport: b.transport, lastSeen: b.lastSeen })), () =>
        table(boxes.map((b) => ({
          id: b.id, region: b.region, online: b.online ? 'online' : 'offline', version: b.version,
          link: b.transport ? `${b.transport.kind}${b.transport.quality === null ? '' : ` ${Math.round(b.transport.quality * 100)}%`}` : null,
          plugins: Object.keys(b.plugins).length, 'last seen': ago(b.lastSeen),
        }))));
    }));

  connOptions(master.command('send <box> <command> [argsJson]').description('send a command to a box and wait for its result'))
    .option('--timeout <ms>', 'how long to wait for the result', (v) => Number(v), 30_000)
    .action(action(async (box: string, name: string, argsJson: string | undefined, opts: ConnOpts & { timeout: number }, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const args = parseArgs(argsJson);
      const res = await (await client(opts)).send(box, name, args, opts.timeout);
      print(out, res, () => JSON.stringify(res.result, null, 2) ?? 'ok');
    }));

  connOptions(master.command('broadcast <command> [argsJson]').description('send a command to every box (of a region) and gather the results'))
    .option('--region <region>', 'only the boxes of this region')
    .option('--timeout <ms>', 'how long to gather results', (v) => Number(v), 10_000)
    .action(action(async (name: string, argsJson: string | undefined, opts: ConnOpts & { region?: string; timeout: number }, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const args = parseArgs(argsJson);
      const res = await (await client(opts)).broadcast(name, args, { region: opts.region, timeoutMs: opts.timeout });
      print(out, res, () => table(res.results.map((r) => ({ box: r.box, ok: r.ok, result: r.ok ? r.result : `${r.error?.code}: ${r.error?.message}` }))));
    }));

  const box = master.command('box').description('box credentials for the broker');
  box.command('add <id>')
    .description('create a box user with a random password (written to a secret file and printed once)')
    .requiredOption('--region <region>', 'the region of the box (its topic root)')
    .option('--data <dir>', 'the master data dir')
    .option('--secret-file <file>', 'where to write the password (default {data}/boxes/{id}.secret)')
    .action(action(async (id: string, opts: { region: string; data?: string; secretFile?: string }, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const dataDir = dataDirOf(opts);
      const { password } = await createCredentialStore({ dataDir }).addBox(id, opts.region);
      // absolute: it goes into the box's config, read from another folder (or machine)
      const secretFile = resolve(opts.secretFile ?? join(dataDir, 'boxes', `${id}.secret`));
      await writePrivateFile(secretFile, `${password}\n`);
      print(out, { ok: true, id, region: opts.region, username: id, password, secretFile }, () => [
        `box ${id} added (region ${opts.region}); MQTT username: ${id}, clientId: ${id}`,
        `password (shown once): ${password}`,
        `password file: ${secretFile}  → copy it to the box and point master.passwordFile at it`,
      ].join('\n'));
    }));
  box.command('remove <id>')
    .option('--data <dir>', 'the master data dir')
    .action(action(async (id: string, opts: { data?: string }, cmd: Command) => {
      const removed = await createCredentialStore({ dataDir: dataDirOf(opts) }).removeBox(id);
      if (!removed) throw new KefuError('BOX_UNKNOWN', `no box ${id}`);
      print(cmd.optsWithGlobals<OutputOptions>(), { ok: true, id }, () => `box ${id} removed`);
    }));
  box.command('list')
    .option('--data <dir>', 'the master data dir')
    .action(action(async (opts: { data?: string }, cmd: Command) => {
      const boxes = await createCredentialStore({ dataDir: dataDirOf(opts) }).listBoxes();
      print(cmd.optsWithGlobals<OutputOptions>(), boxes, () => table(boxes.map((b) => ({ id: b.id, region: b.region, created: new Date(b.createdAt).toISOString() }))));
    }));

  master.command('acl')
    .description('export the broker policy for an external broker')
    .requiredOption('--mosquitto', 'Mosquitto acl_file and password_file lines')
    .option('--data <dir>', 'the master data dir')
    .option('--service-user <name>', 'the master service user', 'kefu-master')
    .option('--acl-file <file>', 'write the ACL here instead of stdout')
    .option('--password-file <file>', 'write the password file here instead of stdout')
    .action(action(async (opts: { data?: string; serviceUser: string; aclFile?: string; passwordFile?: string }, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const dataDir = dataDirOf(opts);
      const store = createCredentialStore({ dataDir });
      await ensureServiceCredential(store, join(dataDir, SERVICE_SECRET_FILE), opts.serviceUser);
      const acl = mosquittoAcl(await store.principals());
      const passwordLines = await store.mosquittoPasswordLines();
      if (opts.aclFile) await writeFile(opts.aclFile, acl);
      if (opts.passwordFile) await writePrivateFile(opts.passwordFile, `${passwordLines.join('\n')}\n`);
      print(out, { acl, passwordLines }, () => [
        ...(opts.aclFile ? [`ACL written to ${opts.aclFile}`] : ['# ---- acl_file ----', acl]),
        ...(opts.passwordFile ? [`password file written to ${opts.passwordFile}`] : ['# ---- password_file ----', ...passwordLines]),
      ].join('\n'));
    }));
}
