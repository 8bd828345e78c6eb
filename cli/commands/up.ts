// `kefu up` (`npm start`): the whole system on one machine — master with its embedded broker and one box
// linked over the wired transport on loopback — then prints the URLs. Ctrl-C stops everything cleanly.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadBoxConfig, pluginNames } from '../../daemon/builtins.js';
import { createDaemon } from '../../daemon/daemon.js';
import { createLogger } from '../../daemon/logger.js';
import { createMaster } from '../../master/master.js';
import { DEMO_IDENTITIES, writeDemoIdentities } from '../../plugins/faceauth/index.js';
import { portOrAny } from '../free-port.js';
import { acquireInstanceLock, dataDirInUse, masterAlreadyRunning, shortPath, type InstanceLock } from '../instance-lock.js';
import { KefuError } from '../../protocol/errors.js';
import { action, print } from '../output.js';
import { untilSignal } from '../signals.js';

interface UpOptions { data: string; box: string; region: string; mqttPort: string; masterHttpPort: string; httpPort: string; logLevel: string }

const DEMO_AGENT = { id: 'agent01', password: 'kefu-demo' };

/** What the box page calls its apps (daemon/web/index.html's English strings), by i18n key. */
export const APP_LABELS: Record<string, string> = {
  'app.chat.terminal': 'Customer terminal (AI chat)', 'app.chat.agent': 'Agent console', 'app.video.call': 'Video call',
  'app.faceauth.enroll': 'Face enrollment', 'app.faceauth.login': 'Face login', 'app.monitoring': 'Monitoring dashboard',
};

export const appLabel = (key: string): string => APP_LABELS[key] ?? key.replace(/^app\./, '');

/** The dashboard address that signs the page in: it reads the token from `#token=`. */
export const dashboardLink = (dashboard: string, token: string): string => `${dashboard}#token=${encodeURIComponent(token)}`;

/** Demo settings per plugin (each plugin's schema fills in the rest): one agent who serves every queue. */
export function demoPluginConfig(data: string): Record<string, unknown> {
  const skills = ['invoice', 'registration', 'declaration', 'refund', 'certificate', 'iit', 'social_insurance', 'property', 'e_tax', 'general', 'complaint'];
  return {
    faceauth: { identityFile: join(data, 'faceauth-identities.json'), otp: { demoEcho: true } },
    chat: { businessHours: 'always', agents: [{ id: DEMO_AGENT.id, name: '演示坐席 Demo agent', skills, capacity: 3, role: 'supervisor', passwordFile: join(data, 'agent01.secret') }] },
  };
}

export function register(program: Command): void {
  program.command('up')
    .description('run master + embedded broker + one box on this machine and print the URLs (Ctrl-C stops all)')
    .option('--data <dir>', 'data folder for master and box', '.kefu')
    .option('--box <id>', 'the demo box id', 'hall-01')
    .option('--region <id>', 'the demo region', 'demo')
    .option('--mqtt-port <port>', 'broker port (busy → any free port)', '1883')
    .option('--master-http-port <port>', 'master dashboard/API port (busy → any free port)', '8080')
    .option('--http-port <port>', 'box LAN port (busy → any free port)', '8443')
    .option('--log-level <level>', 'log level', 'warn')
    .action(action(async (o: UpOptions, cmd: Command) => {
      const json = cmd.optsWithGlobals().json;
      const data = resolve(o.data);
      // before anything opens the folder: a second `kefu up` must leave the running one untouched
      const lock = acquireInstanceLock(data, (pid, dir) => new KefuError('ALREADY_RUNNING',
        `kefu up is already running in ${shortPath(dir)} (pid ${pid}); stop it with Ctrl-C there or use --data <dir>`, { pid, dir }));
      // the embedded master and the box each take their folder's lock, as `kefu master run` and `kefu start` do:
      // one of those already running there is refused here with its own error, before anything is opened
      const held: InstanceLock[] = [lock];
      try {
        held.push(acquireInstanceLock(join(data, 'master'), (pid, dir) => masterAlreadyRunning(dir, pid, 'use kefu up --data <another folder>')));
        held.push(acquireInstanceLock(join(data, 'box'), (pid, dir) => dataDirInUse(dir, pid)));
        await run(o, data, json);
      } finally {
        for (const l of held.reverse()) l.release();
      }
    }));
}

async function run(o: UpOptions, data: string, json: boolean | undefined): Promise<void> {
  const log = createLogger({ level: o.logLevel, name: 'kefu' });
  const master = createMaster({
    dataDir: join(data, 'master'),
    broker: { tcp: { host: '127.0.0.1', port: await portOrAny(Number(o.mqttPort)) } },
    http: { host: '127.0.0.1', port: await portOrAny(Number(o.masterHttpPort)) },
  }, { log: log.child({ role: 'master' }) });
  const urls = await master.start();
  const cred = await master.provisionBox(o.box, o.region);

  const boxFile = join(data, 'box.yaml');
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'agent01.secret'), `${DEMO_AGENT.password}\n`, { mode: 0o600 });
  const demo = demoPluginConfig(data);
  await writeDemoIdentities(join(data, 'faceauth-identities.json'));
  await writeFile(boxFile, `# written by \`kefu up\`: the demo box\n${stringify({
    box: { id: o.box, region: o.region },
    master: { url: cred.url, username: cred.username, passwordFile: cred.passwordFile },
    dataDir: join(data, 'box'),
    log: { level: o.logLevel },
    http: { host: '127.0.0.1', port: await portOrAny(Number(o.httpPort)) },
    transports: [{ id: 'eth', kind: 'wired', localAddress: '127.0.0.1' }],
    plugins: Object.fromEntries(pluginNames.map((name) => [name, demo[name] ?? {}])),
  })}`);
  const daemon = createDaemon(await loadBoxConfig(boxFile), log.child({ role: 'box' }));
  try {
    await daemon.start();
  } catch (err) {
    await master.stop();
    throw err;
  }
  const token = master.config.http.tokenFile ?? join(master.config.dataDir, 'http.token');
  const link = dashboardLink(urls.dashboard, (await readFile(token, 'utf8')).trim());
  const box = daemon.httpUrl;
  const apps = daemon.status().apps.map((a) => ({ ...a, label: appLabel(a.key), url: `${box}${a.url}` }));
  const faces = DEMO_IDENTITIES.map((d) => ({ account: d.account, idNumber: d.idNumber, name: d.name }));
  const out = { master: { dashboard: urls.dashboard, dashboardLink: link, api: urls.http, mqtt: urls.mqtt, tokenFile: token }, box: { id: o.box, region: o.region, url: `${box}/`, config: boxFile, apps }, demoAgent: { id: DEMO_AGENT.id, passwordFile: join(data, 'agent01.secret') }, demoFaceAccounts: faces };
  // started by `npm start` in a checkout, `kefu` is not on the PATH (that takes `npm link`)
  const kefu = process.env.npm_lifecycle_event ? 'npx kefu' : 'kefu';
  print({ json }, out, () => [
    'kefu-edge is up:',
    `  master dashboard   ${link}   (API token in ${token})`,
    `  broker             ${urls.mqtt}`,
    `  box ${o.region}/${o.box}   ${box}/`,
    ...apps.map((a) => `    ${a.label.padEnd(28)} ${a.url}`),
    `  demo agent login   ${DEMO_AGENT.id} / ${DEMO_AGENT.password}`,
    `  demo face accounts (ID number; the one-time code is shown on the login page):`,
    ...faces.map((f) => `    ${f.account}  ${f.idNumber}  ${f.name}`),
    '',
    // from ./.kefu every command finds master and box on its own; elsewhere they need to be told
    resolve('.kefu') === data
      ? `try: ${kefu} master boxes   ·   ${kefu} master send ${o.box} system.info   ·   ${kefu} status`
      : `try: ${kefu} master boxes --data ${join(data, 'master')}   ·   ${kefu} status -c ${boxFile}`,
    'Ctrl-C stops everything.',
  ].join('\n'));
  // the logs are quiet at the default level: say what Ctrl-C is doing, a clean stop takes a second or two
  const say = (line: string) => { if (!json) process.stdout.write(`${line}\n`); };
  await untilSignal(log, async () => {
    say('\nstopping kefu-edge (box, then master)…');
    await daemon.stop();
    await master.stop();
    say('stopped.');
  });
}
