// Box and master network namespaces joined by three veth links (5G, 4G, wired) with policy routing, exactly as
// TESTING.md's recipe. Needs root: without it `createNetns` throws naming what is missing (tests fail, never skip).
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export const BROKER_IP = '10.99.100.1';

export interface NetLink { name: '5g' | '4g' | 'eth'; boxIf: string; masterIf: string; boxIp: string; masterIp: string; table: number }

export const LINKS: NetLink[] = [
  { name: '5g', boxIf: 'wwan5g', masterIf: 'm5g', boxIp: '10.99.1.2', masterIp: '10.99.1.1', table: 101 },
  { name: '4g', boxIf: 'wwan4g', masterIf: 'm4g', boxIp: '10.99.2.2', masterIp: '10.99.2.1', table: 102 },
  { name: 'eth', boxIf: 'eth0', masterIf: 'meth', boxIp: '10.99.3.2', masterIp: '10.99.3.1', table: 103 },
];

export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`${what} needs root (network namespaces, veth, nftables): run the tests as root, as CI does`);
  }
  for (const cmd of ['ip', 'nft']) {
    try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); } catch { throw new Error(`${what} needs \`${cmd}\` (Debian: ${cmd === 'ip' ? 'iproute2' : 'nftables'})`); }
  }
}

const run = (args: string[]) => execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export interface Netns {
  box: string;
  master: string;
  link(name: NetLink['name']): NetLink;
  /** runs a command in a namespace and returns stdout */
  exec(ns: string, args: string[]): string;
  /** spawns a long-running process inside a namespace */
  spawnIn(ns: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** hard cut: the box-side interface goes down */
  linkDown(name: NetLink['name']): void;
  /** carrier loss: the master side goes down, the box side keeps its address but loses carrier */
  carrierLoss(name: NetLink['name']): void;
  restore(name: NetLink['name']): void;
  /** silent black hole: nftables drops everything on the link in both directions */
  silentDrop(name: NetLink['name']): void;
  randomLoss(name: NetLink['name'], percent: number): void;
  clearNft(): void;
  teardown(): void;
}

export function createNetns(tag = `${process.pid}`): Netns {
  requireRoot('the namespace harness');
  const box = `kefu-box-${tag}`;
  const master = `kefu-master-${tag}`;
  const cleanup = () => {
    for (const ns of [box, master]) { try { run(['ip', 'netns', 'del', ns]); } catch { /* already gone */ } }
  };
  cleanup();
  try {
    run(['ip', 'netns', 'add', box]);
    run(['ip', 'netns', 'add', master]);
    run(['ip', '-n', box, 'link', 'set', 'lo', 'up']);
    run(['ip', '-n', master, 'link', 'set', 'lo', 'up']);
    run(['ip', '-n', master, 'addr', 'add', `${BROKER_IP}/32`, 'dev', 'lo']);
    LINKS.forEach((l, i) => {
      run(['ip', 'link', 'add', l.boxIf, 'netns', box, 'type', 'veth', 'peer', 'name', l.masterIf, 'netns', master]);
      run(['ip', '-n', box, 'addr', 'add', `${l.boxIp}/24`, 'dev', l.boxIf]);
      run(['ip', '-n', master, 'addr', 'add', `${l.masterIp}/24`, 'dev', l.masterIf]);
      run(['ip', '-n', box, 'link', 'set', l.boxIf, 'up']);
      run(['ip', '-n', master, 'link', 'set', l.masterIf, 'up']);
      run(['ip', '-n', box, 'route', 'add', `${BROKER_IP}/32`, 'via', l.masterIp, 'dev', l.boxIf, 'table', String(l.table)]);
      // without it a bound socket leaks onto another link when its own is down, and hangs
      run(['ip', '-n', box, 'route', 'add', 'unreachable', 'default', 'metric', '4096', 'table', String(l.table)]);
      run(['ip', '-n', box, 'rule', 'add', 'from', l.boxIp, 'lookup', String(l.table), 'pref', String(1001 + i)]);
      run(['ip', '-n', box, 'route', 'add', `${BROKER_IP}/32`, 'via', l.masterIp, 'dev', l.boxIf, 'metric', String(20 + 10 * i)]);
    });
    run(['ip', 'netns', 'exec', box, 'sysctl', '-qw', 'net.ipv4.conf.all.ignore_routes_with_linkdown=1']);
    run(['ip', 'netns', 'exec', box, 'nft', 'add table inet kefu; add chain inet kefu out { type filter hook output priority 0; }; add chain inet kefu in { type filter hook input priority 0; }']);
  } catch (err) {
    cleanup();
    throw err;
  }
  const link = (name: NetLink['name']) => LINKS.find((l) => l.name === name) as NetLink;
  const nft = (rule: string) => run(['ip', 'netns', 'exec', box, 'nft', rule]);
  return {
    box, master, link,
    exec: (ns, args) => run(['ip', 'netns', 'exec', ns, ...args]),
    spawnIn: (ns, args, opts = {}) => spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...opts }),
    linkDown: (name) => { run(['ip', '-n', box, 'link', 'set', link(name).boxIf, 'down']); },
    carrierLoss: (name) => { run(['ip', '-n', master, 'link', 'set', link(name).masterIf, 'down']); },
    restore: (name) => {
      const l = link(name);
      run(['ip', '-n', master, 'link', 'set', l.masterIf, 'up']);
      run(['ip', '-n', box, 'link', 'set', l.boxIf, 'up']);
      // the policy route went with the link; put it back (a no-op error when it survived)
      try { run(['ip', '-n', box, 'route', 'replace', `${BROKER_IP}/32`, 'via', l.masterIp, 'dev', l.boxIf, 'table', String(l.table)]); } catch { /* link not ready yet */ }
      try { run(['ip', '-n', box, 'route', 'replace', `${BROKER_IP}/32`, 'via', l.masterIp, 'dev', l.boxIf, 'metric', String(20 + 10 * LINKS.indexOf(l))]); } catch { /* idem */ }
    },
    silentDrop: (name) => {
      const i = link(name).boxIf;
      nft(`add rule inet kefu out oifname "${i}" drop; add rule inet kefu in iifname "${i}" drop`);
    },
    randomLoss: (name, percent) => {
      const i = link(name).boxIf;
      nft(`add rule inet kefu out oifname "${i}" numgen random mod 100 < ${percent} drop; add rule inet kefu in iifname "${i}" numgen random mod 100 < ${percent} drop`);
    },
    clearNft: () => { nft('flush chain inet kefu out; flush chain inet kefu in'); },
    teardown: cleanup,
  };
}

if (process.argv[1]?.endsWith('netns.ts') && process.argv[2] === 'selftest') {
  const ns = createNetns('selftest');
  try {
    process.stdout.write(ns.exec(ns.box, ['ip', 'rule']));
  } finally { ns.teardown(); }
}
