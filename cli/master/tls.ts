// `kefu master tls --host <name>…`: a CA (made once, kept for renewals) and a certificate for the master's
// broker (mqtts, wss) and HTTPS, for the names and addresses boxes use; prints the config keys and the box side.
import type { Command } from 'commander';
import { chmod } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ensureLocalTls, type LocalTls } from '../../daemon/tls/local-ca.js';
import { action, print, type OutputOptions } from '../output.js';
import { chownFiles, ownerHasGroup } from './file-owner.js';

/** where `kefu master tls` writes by default (and what `kefu master acl --mosquitto` names unless told) */
export const MASTER_TLS_DIR = '/etc/kefu-master/tls';
const DEFAULT_DIR = MASTER_TLS_DIR;

interface TlsOptions { host: string[]; dir: string; days: string; owner?: string }

export const altName = (h: string) => (isIP(h) ? `IP:${h}` : `DNS:${h}`);

/**
 * The master (user kefu-master) or Mosquitto reads the certificate and key without root. `user`: they become its,
 * key 0600; `user:group`: the group reads the key (0640), e.g. root:kefu-master as the README lays out /etc/kefu-master.
 * The folder lets them through (0711; with a group, group:0750); the CA key stays root's, 0600.
 */
async function handOver(dir: string, tls: LocalTls, owner: string): Promise<void> {
  const group = ownerHasGroup(owner);
  await chownFiles(owner, [tls.cert, tls.key]);
  await chmod(tls.key, group ? 0o640 : 0o600);
  await chmod(tls.cert, 0o644);
  if (group) {
    await chownFiles(`:${owner.split(':')[1] || owner.split(':')[0]}`, [dir]);
    await chmod(dir, 0o750);
  } else {
    await chmod(dir, 0o711);
  }
}

export function registerTls(master: Command): void {
  master.command('tls')
    .description('create a CA and a certificate for the master\'s broker (mqtts/wss) and HTTPS, and print the next steps')
    .requiredOption('--host <name...>', 'names and addresses boxes use to reach the master (the first is its publicHost)')
    .option('--dir <dir>', 'where to write ca.crt/ca.key/master.crt/master.key (an existing CA there is reused)', DEFAULT_DIR)
    .option('--days <n>', 'certificate validity in days', '825')
    .option('--owner <user[:group]>', 'hand the certificate and key to the user that runs the master (or Mosquitto), e.g. kefu-master or root:kefu-master (group-readable key); the CA key stays root\'s')
    .action(action(async (o: TlsOptions, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const dir = resolve(o.dir);
      const publicHost = o.host[0];
      const tls = await ensureLocalTls(dir, { boxId: publicHost, name: 'master', caName: `kefu master CA ${publicHost}`, altNames: o.host.map(altName), days: Number(o.days) });
      if (o.owner) await handOver(dir, tls, o.owner);
      // made by root, 0600 in a 0700 folder: a master run as its own user could not open them
      const rootOnly = !o.owner && process.getuid?.() === 0;
      const ownerNote = rootOnly ? `${tls.cert} and ${tls.key} are root's (key 0600, folder 0700): a master run as user kefu-master cannot read them; run this again with --owner root:kefu-master (or --owner kefu-master)` : null;
      const pair = `cert: ${tls.cert}, key: ${tls.key}`;
      const config = {
        publicHost,
        broker: {
          tcp: { host: '127.0.0.1', port: 1883 },
          tls: { host: '0.0.0.0', port: 8883, cert: tls.cert, key: tls.key },
          ws: { host: '0.0.0.0', port: 8884, path: '/mqtt', tls: { cert: tls.cert, key: tls.key } },
        },
        http: { host: '0.0.0.0', port: 8080, tls: { cert: tls.cert, key: tls.key, ca: tls.caCert } },
      };
      print(out, { ok: true, dir, caCert: tls.caCert, caKey: tls.caKey, cert: tls.cert, key: tls.key, hosts: o.host, config, ...(o.owner ? { owner: o.owner } : {}), ...(ownerNote ? { note: ownerNote } : {}), box: { url: `mqtts://${publicHost}:8883`, caFile: '/etc/kefu/master-ca.crt' } }, () => [
        `CA          ${tls.caCert}   (its key ${tls.caKey} stays here: it signs renewals, run this again before ${o.days} days)`,
        `certificate ${tls.cert} for ${o.host.join(', ')}, this machine's addresses, localhost and 127.0.0.1`,
        `key         ${tls.key}${o.owner ? `   (certificate and key: owner ${o.owner}, key mode ${ownerHasGroup(o.owner) ? '0640' : '0600'})` : ''}`,
        ...(ownerNote ? ['', `note: ${ownerNote}`] : []),
        '',
        'next:',
        '1. in master.yaml (TLS on every interface, plain MQTT only on loopback for the master\'s own link):',
        `     publicHost: ${publicHost}`,
        '     broker:',
        '       tcp: { host: 127.0.0.1, port: 1883 }',
        `       tls: { host: 0.0.0.0, port: 8883, ${pair} }`,
        `       ws:  { host: 0.0.0.0, port: 8884, path: /mqtt, tls: { ${pair} } }`,
        `     http: { host: 0.0.0.0, port: 8080, tls: { ${pair}, ca: ${tls.caCert} } }`,
        '2. restart the master: kefu master run --config master.yaml',
        `3. copy ${tls.caCert} to every box (e.g. install -m644 ca.crt /etc/kefu/master-ca.crt) and set in its kefu.yaml:`,
        `     master: { url: "mqtts://${publicHost}:8883", caFile: /etc/kefu/master-ca.crt, … }`,
        `4. on other machines the master's CLI and browsers trust the same ca.crt: kefu master boxes --url https://${publicHost}:8080 --ca ca.crt --token-file http.token`,
      ].join('\n'));
    }));
}
