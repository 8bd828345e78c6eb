// Which master a `kefu master …` command works on: `--config <master.yaml>` (or KEFU_MASTER_CONFIG) gives its
// data folder, HTTP address, token and CA, exactly as `kefu master run --config` uses them; `--data` (or
// KEFU_MASTER_DATA) names the data folder alone; neither: ./.kefu/master, what `kefu up` runs.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readMasterConfig, type MasterConfig } from '../../master/config.js';
import { createMasterClient, resolveMasterEndpoint } from '../../master/http/master-client.js';

export const DEFAULT_DATA = '.kefu/master';

export interface TargetOptions { config?: string; data?: string }
export interface ClientOptions extends TargetOptions { url?: string; tokenFile?: string; ca?: string }

export interface MasterTarget {
  dataDir: string;
  /** the config file it came from, if any */
  configFile: string | null;
  config: MasterConfig | null;
}

/** the config file to use: --config, else KEFU_MASTER_CONFIG unless --data names the folder */
export function configFileOf(o: TargetOptions, env: NodeJS.ProcessEnv = process.env): string | null {
  return o.config ?? (o.data ? null : env.KEFU_MASTER_CONFIG || null);
}

export async function resolveTarget(o: TargetOptions, env: NodeJS.ProcessEnv = process.env): Promise<MasterTarget> {
  const configFile = configFileOf(o, env);
  const config = configFile ? await readMasterConfig(configFile) : null;
  const dataDir = o.data ?? config?.dataDir ?? (env.KEFU_MASTER_DATA || DEFAULT_DATA);
  return { dataDir, configFile: configFile ? resolve(configFile) : null, config };
}

/** Whether a master has ever run on this folder (its store or runtime file is there). */
export function usedByMaster(dataDir: string): boolean {
  return existsSync(join(dataDir, 'store')) || existsSync(join(dataDir, 'master.json'));
}

/** Said by commands that write credentials, so a folder no master reads does not go unnoticed. */
export function folderNote(t: MasterTarget): string | null {
  if (usedByMaster(t.dataDir)) return null;
  return `no master has run on ${resolve(t.dataDir)} yet: if yours runs with --config <master.yaml>, pass the same --config here (or --data <its dataDir>)`;
}

/** The URL the config's http section implies, seen from this machine. */
function configUrl(c: MasterConfig): string | undefined {
  if (c.http.port === 0) return undefined;
  const h = c.http.host;
  const host = h === '0.0.0.0' || h === '::' || h === '' ? '127.0.0.1' : h.includes(':') ? `[${h}]` : h;
  return `${c.http.tls ? 'https' : 'http'}://${host}:${c.http.port}`;
}

export async function masterClient(o: ClientOptions, env: NodeJS.ProcessEnv = process.env) {
  const t = await resolveTarget(o, env);
  return createMasterClient(await resolveMasterEndpoint({
    url: o.url, tokenFile: o.tokenFile ?? t.config?.http.tokenFile, dataDir: t.dataDir, env,
    caFile: o.ca ?? (env.KEFU_MASTER_CA || t.config?.http.tls?.ca),
    configUrl: t.config ? configUrl(t.config) : undefined,
  }));
}

export const targetOptions = (cmd: Command) => cmd
  .option('--config <file>', 'the master\'s config file: its dataDir, HTTP address, token and CA (default: KEFU_MASTER_CONFIG)')
  .option('--data <dir>', `the master data dir (default: the config's dataDir, else KEFU_MASTER_DATA, else ${DEFAULT_DATA})`);

export const clientOptions = (cmd: Command) => targetOptions(cmd)
  .option('--url <url>', 'master HTTP API (default: KEFU_MASTER_URL, or the running master of --config/--data)')
  .option('--token-file <file>', 'API token file (default: KEFU_MASTER_TOKEN, or the config\'s http.tokenFile, or {data}/http.token)')
  .option('--ca <file>', 'CA certificate that signed the master\'s HTTPS certificate (default: KEFU_MASTER_CA, or the config\'s http.tls.ca)');
