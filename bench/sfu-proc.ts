// Where a room's packets are lost and who has the CPU, read from /proc for bench/sfu.ts. The kernel counts a
// datagram dropped because a socket's receive buffer was full per socket (`drops` in /proc/net/udp), so the
// SFU's sockets and the generators' sockets are told apart by the socket inodes each process holds open.
// Scheduler wait (/proc/PID/schedstat: time runnable but not running) tells a starved SFU from a saturated one.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** inodes of the UDP/TCP sockets process `pid` has open */
function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  let fds: string[] = [];
  try { fds = readdirSync(`/proc/${pid}/fd`); } catch { return out; }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch { /* closed meanwhile */ }
  }
  return out;
}

export interface UdpSample { sockets: number; drops: number; rxQueueBytes: number; rcvbufBytes: number[] }

/** Sums the kernel's receive-buffer drops and queued bytes over the UDP sockets of `pids`. */
export function udpSample(pids: number[]): UdpSample {
  const inodes = new Set<string>();
  for (const pid of pids) for (const i of socketInodes(pid)) inodes.add(i);
  const s: UdpSample = { sockets: 0, drops: 0, rxQueueBytes: 0, rcvbufBytes: [] };
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 13 || !inodes.has(f[9]!)) continue;
      s.sockets++;
      s.drops += Number(f[12]);
      s.rxQueueBytes += parseInt(f[4]!.split(':')[1]!, 16);
    }
  }
  return s;
}

/** The namespace-wide UDP counters (RcvbufErrors, SndbufErrors, InErrors) of /proc/net/snmp. */
export function udpSnmp(): Record<string, number> {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const keys = lines[0]!.split(/\s+/).slice(1); const vals = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(keys.map((k, i) => [k, vals[i]!]));
}

/** [ns on a CPU, ns runnable but waiting for one] summed over every thread of `pid` */
export function schedstat(pid: number): [number, number] {
  let run = 0; let wait = 0;
  let tids: string[] = [];
  try { tids = readdirSync(`/proc/${pid}/task`); } catch { return [0, 0]; }
  for (const t of tids) {
    try {
      const [r, w] = readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ').map(Number);
      run += r!; wait += w!;
    } catch { /* thread ended */ }
  }
  return [run, wait];
}

/** busy and total jiffies of the whole machine (/proc/stat), for the machine's load during the window */
export function machineJiffies(): [number, number] {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return [total - idle, total];
}

/** main thread's and the process's other threads' (libuv pool, GC helpers) CPU ticks */
export function threadTicks(pid: number): { main: number; others: number } {
  let main = 0; let others = 0;
  let tids: string[] = [];
  try { tids = readdirSync(`/proc/${pid}/task`); } catch { return { main, others }; }
  for (const t of tids) {
    try {
      const f = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const ticks = Number(f[11]) + Number(f[12]);
      if (t === String(pid)) main += ticks; else others += ticks;
    } catch { /* thread ended */ }
  }
  return { main, others };
}
