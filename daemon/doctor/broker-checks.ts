// The master link as the daemon opens it: the address, TLS options and CA from daemon/broker-address.ts, the
// socket from the preferred wired link's own openStream (its source address or interface), then an MQTT CONNECT
// with the box's credentials under a side client id, so the running daemon's session is left alone.
import type { Duplex } from 'node:stream';
import { MqttClient, type IClientOptions } from 'mqtt';
import { KefuError } from '../../protocol/errors.js';
import type { BrokerAddress, TransportContext, TransportDefinition } from '../../transports/transport.js';
import { openSocket } from '../../transports/wired/open-socket.js';
import { brokerAddress, readCaFile } from '../broker-address.js';
import type { LoadedConfig } from '../config/load.js';
import { readSecret } from '../secrets.js';
import type { Check } from './check.js';

type Result = Awaited<ReturnType<Check['run']>>;

const CONNECT_TIMEOUT_MS = 5000;
/** Node's names for "the master's certificate does not chain to a CA we trust" */
const UNTRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE']);

const caFix = (file: string) => `put the master's CA certificate (PEM) at ${file}, or correct master.caFile (on the master: the CA that signed its broker certificate); leave master.caFile out only if the master's certificate is from a public CA`;

export function brokerChecks(config: LoadedConfig, definitions: Map<string, TransportDefinition>, ctx: TransportContext): Check[] {
  const { root } = config;
  const master = root.master;
  const checks: Check[] = [];
  const tls = /^(mqtts|tls|ssl):/.test(master.url);
  if (master.caFile) {
    const file = master.caFile;
    checks.push({
      name: 'master CA',
      async run() {
        let certs;
        try {
          ({ certs } = await readCaFile(file));
        } catch (err) {
          return { ok: false, detail: (err as Error).message, fix: caFix(file) };
        }
        const now = Date.now();
        const expired = certs.find((c) => Date.parse(c.validTo) < now || Date.parse(c.validFrom) > now);
        const first = `${certs[0].subject.replace(/\n/g, ', ')}, valid until ${new Date(certs[0].validTo).toISOString().slice(0, 10)}`;
        if (expired) return { ok: false, detail: `master.caFile: ${file}: ${expired.subject.replace(/\n/g, ', ')} is valid only ${expired.validFrom} – ${expired.validTo}`, fix: 'check the clock (`kefu doctor` clock line); if it is right, get the master\'s current CA certificate' };
        const unused = tls ? '' : ` (unused: master.url is plain ${master.url.split(':')[0]}://)`;
        return { ok: true, detail: `master.caFile ${file}: ${certs.length} certificate${certs.length > 1 ? 's' : ''} (${first})${unused}` };
      },
    });
  }
  checks.push({ name: 'broker', run: (signal) => brokerCheck(config, definitions, ctx, signal) });
  return checks;
}

/** The link the daemon would try first that doctor can open without taking a modem from the running daemon. */
function wiredPath(config: LoadedConfig, definitions: Map<string, TransportDefinition>) {
  const order = config.root.failover?.order ?? config.transports.map((t) => t.id);
  const wired = order.map((id) => config.transports.find((t) => t.id === id)).find((t) => t?.kind === 'wired');
  return wired && definitions.get('wired') ? { cfg: wired, def: definitions.get('wired')! } : undefined;
}

async function openPath(config: LoadedConfig, definitions: Map<string, TransportDefinition>, ctx: TransportContext, address: BrokerAddress, signal: AbortSignal): Promise<{ stream: Duplex; via: string }> {
  const path = wiredPath(config, definitions);
  if (!path) {
    return { stream: await openSocket(address, { timeoutMs: CONNECT_TIMEOUT_MS, signal }), via: 'over the default route (no wired link; cellular and BLE links have their own lines)' };
  }
  const link = path.def.create(ctx, path.cfg);
  await link.start(signal);
  try {
    const stream = await link.openStream(address);
    const from = (link.state.detail?.address as string | undefined) ?? (path.cfg.localAddress as string | undefined);
    return { stream, via: `over ${path.cfg.id} (${from ? `from ${from}` : 'default route: no localAddress or interface set'})` };
  } finally {
    await link.stop();
  }
}

async function brokerCheck(config: LoadedConfig, definitions: Map<string, TransportDefinition>, ctx: TransportContext, signal: AbortSignal): Promise<Result> {
  const { root } = config;
  const { url, caFile } = root.master;
  let address: BrokerAddress;
  try {
    address = await brokerAddress(root.master);
  } catch (err) {
    // the CA line (or the config) already says what to do; repeat the same fix so it is printed once
    return { ok: false, detail: `not tried: ${(err as Error).message}`, fix: caFile && /caFile/.test((err as Error).message) ? caFix(caFile) : 'correct master.url (mqtts://host:8883)' };
  }
  const password = root.master.passwordFile ? await readSecret(root.master.passwordFile).catch(() => undefined) : undefined;
  let opened: { stream: Duplex; via: string };
  try {
    opened = await openPath(config, definitions, ctx, address, signal);
  } catch (err) {
    return unreachable(err as NodeJS.ErrnoException, url, caFile);
  }
  const { stream, via } = opened;
  const client = new MqttClient(() => stream, {
    clientId: `${root.box.id}-doctor`, username: root.master.username, password, connectTimeout: CONNECT_TIMEOUT_MS,
    reconnectPeriod: 0, protocolVersion: 4, clean: true, log: () => {},
  } satisfies IClientOptions);
  signal.addEventListener('abort', () => client.end(true), { once: true });
  return new Promise((resolve) => {
    client.once('connect', () => { client.end(true); resolve({ ok: true, detail: `connected to ${url} ${via}` }); });
    client.once('error', (err: Error & { code?: number | string }) => {
      client.end(true);
      const auth = err.code === 4 || err.code === 5 || /Not authorized|Bad username/i.test(err.message);
      resolve(auth
        ? { ok: false, detail: `broker refused the credentials: ${err.message}`, fix: `check master.username and the password file; on the master: kefu master box add ${root.box.id} --region ${root.box.region}` }
        : unreachable(err as NodeJS.ErrnoException, url, caFile));
    });
    client.once('close', () => resolve({ ok: false, detail: `connection to ${url} closed ${via}`, fix: 'check the master url and that the broker accepts this client (TLS, ACL)' }));
  });
}

function unreachable(err: NodeJS.ErrnoException, url: string, caFile: string | undefined): Result {
  const code = String(err.code ?? (err instanceof KefuError ? err.code : ''));
  const detail = `cannot reach ${url}: ${err.message}`;
  if (UNTRUSTED.has(code)) {
    return { ok: false, detail, fix: caFile
      ? `the master's certificate is not signed by the CA in master.caFile (${caFile}): put the master's CA certificate there`
      : 'the master uses a private CA: set master.caFile to its CA certificate (PEM)' };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { ok: false, detail, fix: 'the host in master.url is not a name in the master\'s certificate: use the name the certificate was made for' };
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return { ok: false, detail, fix: 'check this box\'s clock; if it is right, the master\'s certificate needs renewing' };
  return { ok: false, detail, fix: 'check the master url, the active link (`kefu transports`), DNS and firewalls' };
}
