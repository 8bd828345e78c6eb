// `kefu tls show|renew`: the box's HTTPS certificate from `kefu init --tls`. Renewal signs a new one with the same
// hall CA (terminals keep trusting it) without touching the config, which `kefu init --tls --force` would rewrite.
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ensureLocalTls } from '../../daemon/tls/local-ca.js';
import { KefuError } from '../../protocol/errors.js';
import { loadCliBoxConfig } from '../box-config.js';
import { action, print } from '../output.js';

interface CertInfo { file: string; subject: string; issuer: string; validFrom: string; validTo: string; daysLeft: number; names: string[] }

async function certInfo(file: string): Promise<CertInfo> {
  const pem = await readFile(file).catch((err: NodeJS.ErrnoException) => { throw new KefuError('TLS_CERT_UNREADABLE', `http.tls.cert: cannot read ${file} (${err.code})`); });
  const c = new X509Certificate(pem);
  // node writes `IP Address:10.0.0.5`; openssl's -addext wants `IP:10.0.0.5`
  const names = (c.subjectAltName ?? '').split(/,\s*/).filter(Boolean).map((n) => n.replace(/^IP Address:/, 'IP:'));
  const validTo = new Date(c.validTo);
  return { file, subject: c.subject.replace(/\n/g, ', '), issuer: c.issuer.replace(/\n/g, ', '), validFrom: new Date(c.validFrom).toISOString(),
    validTo: validTo.toISOString(), daysLeft: Math.floor((validTo.getTime() - Date.now()) / 86_400_000), names };
}

async function boxTls(configFlag?: string): Promise<{ cert: string; key: string; boxId: string }> {
  const config = await loadCliBoxConfig(configFlag);
  const tls = config.root.http.tls;
  if (!tls) throw new KefuError('TLS_NOT_CONFIGURED', `${config.file} has no http.tls: the box serves plain HTTP (\`kefu init --tls\` makes a hall CA and a certificate)`);
  return { cert: resolve(tls.cert), key: resolve(tls.key), boxId: config.root.box.id };
}

const human = (i: CertInfo) => [
  `certificate ${i.file}`,
  `  subject   ${i.subject}`,
  `  issuer    ${i.issuer}`,
  `  valid     ${i.validFrom.slice(0, 10)} → ${i.validTo.slice(0, 10)} (${i.daysLeft} days left)`,
  `  names     ${i.names.join(', ')}`,
].join('\n');

export function register(program: Command): void {
  const tls = program.command('tls').description("the box's HTTPS certificate: show it, renew it from the hall CA");

  tls.command('show')
    .description('expiry and names of the box certificate (http.tls.cert)')
    .option('-c, --config <file>', 'box config file')
    .action(action(async (o: { config?: string }, cmd: Command) => {
      const info = await certInfo((await boxTls(o.config)).cert);
      print(cmd.optsWithGlobals(), info, () => human(info));
    }));

  tls.command('renew')
    .description('a new box certificate signed by the same hall CA: the names it had, this host\'s current ones and --name')
    .option('-c, --config <file>', 'box config file')
    .option('--name <san...>', 'extra names terminals use, e.g. DNS:kefu-hall01.lan IP:10.0.0.5')
    .option('--days <n>', 'validity (browsers refuse more than 825)', '825')
    .action(action(async (o: { config?: string; name?: string[]; days: string }, cmd: Command) => {
      const { cert, key, boxId } = await boxTls(o.config);
      const dir = dirname(cert);
      const made = { cert: join(dir, 'box.crt'), key: join(dir, 'box.key'), ca: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key') };
      if (cert !== made.cert || key !== made.key || !existsSync(made.ca) || !existsSync(made.caKey)) {
        throw new KefuError('TLS_NOT_LOCAL', `${cert} is not the certificate \`kefu init --tls\` made (box.crt and box.key beside the hall CA's ca.crt and ca.key): renew it where it came from`);
      }
      const days = Number(o.days);
      if (!Number.isInteger(days) || days < 1 || days > 825) throw new KefuError('BAD_ARGUMENT', '--days must be a whole number from 1 to 825');
      for (const n of o.name ?? []) if (!/^(DNS|IP):\S+$/.test(n)) throw new KefuError('BAD_ARGUMENT', `--name ${n}: write DNS:<host name> or IP:<address>`);
      const before = await certInfo(cert);
      // the daemon runs as its own user: the new key gets the owner and mode the old one was given
      const keyStat = await stat(key);
      await ensureLocalTls(dir, { boxId, days, altNames: [...before.names, ...(o.name ?? [])] });
      await chown(key, keyStat.uid, keyStat.gid);
      await chmod(key, keyStat.mode & 0o777);
      const after = await certInfo(cert);
      print(cmd.optsWithGlobals(), { ok: true, before, after }, () => [
        human(after),
        `previous one valid to ${before.validTo.slice(0, 10)}; terminals that trust ${made.ca} trust this one too`,
        'restart the daemon to serve it: systemctl restart kefu',
      ].join('\n'));
    }));
}
