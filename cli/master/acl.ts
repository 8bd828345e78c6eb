// `kefu master acl --mosquitto`: the broker policy and box passwords as Mosquitto's acl_file and password_file,
// with what mosquitto.conf needs and how to make a running Mosquitto re-read them.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { KefuError } from '../../protocol/errors.js';
import { SERVICE_SECRET_FILE } from '../../master/master.js';
import { mosquittoAcl } from '../../master/broker/policy.js';
import { createCredentialStore, ensureServiceCredential } from '../../master/credentials/credential-store.js';
import { writePrivateFile } from '../../master/credentials/secret-file.js';
import { action, print, type OutputOptions } from '../output.js';
import { chownFiles } from './file-owner.js';
import { MASTER_TLS_DIR } from './tls.js';
import { folderNote, resolveTarget, targetOptions, type TargetOptions } from './target.js';

interface AclOptions extends TargetOptions { serviceUser: string; aclFile?: string; passwordFile?: string; owner?: string; tlsDir?: string }

export interface BrokerTlsFiles { cert: string; key: string }

/** The broker certificate the snippet names: --tls-dir, else the config's broker.tls, else where `kefu master tls` writes. */
export function brokerTlsFiles(tlsDir: string | undefined, config: { broker: { tls: { cert: string; key: string } | null } } | null): BrokerTlsFiles {
  if (tlsDir) return { cert: resolve(tlsDir, 'master.crt'), key: resolve(tlsDir, 'master.key') };
  const own = config?.broker.tls;
  if (own) return { cert: resolve(own.cert), key: resolve(own.key) };
  return { cert: join(MASTER_TLS_DIR, 'master.crt'), key: join(MASTER_TLS_DIR, 'master.key') };
}

/** The mosquitto.conf lines for these files and the certificate `kefu master tls` made. */
export function mosquittoConfSnippet(aclFile: string, passwordFile: string, tls: BrokerTlsFiles): string {
  return [
    '# /etc/mosquitto/conf.d/kefu.conf',
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${passwordFile}`,
    `acl_file ${aclFile}`,
    '# boxes: TLS only off this machine',
    'listener 8883',
    `certfile ${tls.cert}`,
    `keyfile ${tls.key}`,
    '# the master\'s own link (and nothing else) in clear on loopback',
    'listener 1883 127.0.0.1',
    '# at high event rates: far above the defaults (20 / 1000), or Mosquitto drops QoS 1 messages for the master',
    'max_inflight_messages 1000',
    'max_queued_messages 100000',
  ].join('\n');
}

export function registerAcl(master: Command): void {
  targetOptions(master.command('acl'))
    .description('export the broker policy and box passwords for an external broker (Mosquitto)')
    .requiredOption('--mosquitto', 'Mosquitto acl_file and password_file lines')
    .option('--service-user <name>', 'the master service user', 'kefu-master')
    .option('--acl-file <file>', 'write the ACL here instead of stdout')
    .option('--password-file <file>', 'write the password file here instead of stdout')
    .option('--owner <user[:group]>', 'chown the written files to Mosquitto\'s user (it reads them after dropping root), e.g. mosquitto')
    .option('--tls-dir <dir>', `the folder \`kefu master tls --dir\` wrote: its master.crt/master.key go in the listener lines (default: the config's broker.tls, else ${MASTER_TLS_DIR})`)
    .action(action(async (opts: AclOptions, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      if (opts.owner && !opts.aclFile && !opts.passwordFile) throw new KefuError('OWNER_WITHOUT_FILES', '--owner needs --acl-file and/or --password-file');
      const t = await resolveTarget(opts);
      const store = createCredentialStore({ dataDir: t.dataDir });
      await ensureServiceCredential(store, join(t.dataDir, SERVICE_SECRET_FILE), opts.serviceUser);
      const policy = mosquittoAcl(await store.principals());
      const passwordLines = await store.mosquittoPasswordLines();
      const written: string[] = [];
      if (opts.aclFile) { await writeFile(opts.aclFile, policy, { mode: 0o640 }); written.push(resolve(opts.aclFile)); }
      if (opts.passwordFile) { await writePrivateFile(opts.passwordFile, `${passwordLines.join('\n')}\n`); written.push(resolve(opts.passwordFile)); }
      // Mosquitto 2 drops root to its own user before it opens these files: they must be that user's
      if (opts.owner) await chownFiles(opts.owner, written);
      const files = opts.aclFile && opts.passwordFile;
      const tls = brokerTlsFiles(opts.tlsDir, t.config);
      const conf = mosquittoConfSnippet(resolve(opts.aclFile ?? '/etc/mosquitto/kefu.acl'), resolve(opts.passwordFile ?? '/etc/mosquitto/kefu.passwd'), tls);
      const missingTls = [tls.cert, tls.key].filter((f) => !existsSync(f));
      const note = folderNote(t);
      const next = [
        ...(files && !opts.owner && process.getuid?.() === 0 ? ['these files are root\'s, mode 0600/0640: Mosquitto (user mosquitto) cannot open them; run again with --owner mosquitto'] : []),
        'mosquitto.conf needs:', conf,
        ...(missingTls.length
          ? [`${missingTls.join(' and ')} not found: make them with \`kefu master tls --host <publicHost> --dir ${dirname(tls.cert)}\` (or name the folder with --tls-dir)`]
          : []),
        `Mosquitto reads ${tls.key} after dropping root: if the master uses it too (http.tls), make it group-readable with \`kefu master tls … --owner root:kefu-master\` and \`usermod -aG kefu-master mosquitto\`; if only Mosquitto does, make them in a folder it reaches: \`kefu master tls … --dir /etc/mosquitto/certs --owner mosquitto\` and \`--tls-dir /etc/mosquitto/certs\` here`,
        'after every `kefu master box add|rotate|remove`: run this command again, then make Mosquitto re-read the files: systemctl reload mosquitto (or kill -HUP <its pid>)',
      ];
      print(out, { acl: policy, passwordLines, dataDir: resolve(t.dataDir), files: written, tls, ...(missingTls.length ? { missingTls } : {}), ...(opts.owner ? { owner: opts.owner } : {}), mosquittoConf: conf, ...(note ? { note } : {}) }, () => [
        ...(opts.aclFile ? [`ACL written to ${resolve(opts.aclFile)}`] : ['# ---- acl_file ----', policy]),
        ...(opts.passwordFile ? [`password file written to ${resolve(opts.passwordFile)}`] : ['# ---- password_file ----', ...passwordLines]),
        ...(opts.owner ? [`owner of ${written.join(', ')}: ${opts.owner}`] : []),
        ...(opts.aclFile || opts.passwordFile ? next : []),
        `credentials from ${resolve(t.dataDir)}${note ? ` (note: ${note})` : ''}`,
      ].join('\n'));
    }));
}
