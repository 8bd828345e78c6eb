// Skill queues and assignment, pure and clock-driven: oldest waiting first, longest-idle eligible agent,
// never an agent who is not online or is at capacity, overflow to related skills after a timeout.
import type { AgentStatus } from './model.js';

export interface QueueAgent {
  id: string; skills: string[]; capacity: number; status: AgentStatus;
  load: number;
  /** when the agent last became free or last received a conversation: smaller = idle longer */
  idleSince: number;
}

export interface Waiting { convId: string; skill: string; since: number }
export interface Assignment { convId: string; agentId: string; skill: string; overflow: boolean }

export interface QueueOptions {
  now: () => number;
  /** after this long in the queue, agents with a related skill may take it */
  overflowAfterMs: number;
  /** skill → related skills that can help when it overflows */
  related: Record<string, string[]>;
  /** a skill whose agents may take any overflowing conversation (e.g. general counter staff); null for none */
  fallbackSkill?: string | null;
  /** used for the ETA until real handling times exist */
  defaultHandleMs: number;
  /** handling times kept per skill for the ETA */
  window?: number;
}

export interface QueueEngine {
  upsertAgent(a: Omit<QueueAgent, 'load' | 'idleSince'> & Partial<Pick<QueueAgent, 'load' | 'idleSince'>>): void;
  setStatus(agentId: string, status: AgentStatus): void;
  agent(agentId: string): QueueAgent | undefined;
  agents(): QueueAgent[];
  enqueue(convId: string, skill: string, since?: number): void;
  remove(convId: string): boolean;
  waiting(): Waiting[];
  /** 1-based place among the conversations that compete for the same agents, or 0 if not queued */
  position(convId: string): number;
  etaMs(convId: string): number;
  /** whether any signed-in agent (not offline) could ever serve this skill, directly or by overflow */
  staffed(skill: string): boolean;
  /** position and ETA of every waiting conversation in one pass */
  snapshot(): Array<{ convId: string; skill: string; position: number; etaMs: number }>;
  /** runs assignment rounds until nothing more fits; the caller applies the result */
  assign(): Assignment[];
  /** an agent took a conversation directly (transfer to agent) */
  attach(agentId: string): void;
  /** an agent's conversation ended after durationMs (null if it never started) */
  release(agentId: string, skill: string | null, durationMs: number | null): void;
}

export function createQueueEngine(opts: QueueOptions): QueueEngine {
  const agents = new Map<string, QueueAgent>();
  let queue: Waiting[] = [];
  const handled = new Map<string, number[]>();
  const window = opts.window ?? 20;

  const canServe = (a: QueueAgent, w: Waiting, now: number) => {
    if (a.status !== 'online' || a.load >= a.capacity) return null;
    if (a.skills.includes(w.skill)) return 'direct';
    const helpers = [...(opts.related[w.skill] ?? []), ...(opts.fallbackSkill ? [opts.fallbackSkill] : [])];
    if (now - w.since >= opts.overflowAfterMs && helpers.some((s) => a.skills.includes(s))) return 'overflow';
    return null;
  };

  const avgHandle = (skill: string) => {
    const h = handled.get(skill) ?? [...handled.values()].flat();
    return h.length ? h.reduce((x, y) => x + y, 0) / h.length : opts.defaultHandleMs;
  };

  function eta(pos: number, skill: string): number {
    if (pos === 0) return 0;
    const staff = [...agents.values()].filter((a) => a.status !== 'offline' && a.skills.includes(skill));
    const slots = staff.reduce((n, a) => n + a.capacity, 0);
    if (slots === 0) return pos * avgHandle(skill);
    const free = staff.reduce((n, a) => n + (a.status === 'online' ? Math.max(0, a.capacity - a.load) : 0), 0);
    if (pos <= free) return 0;
    // each slot frees up once per average handling time
    return Math.round(Math.ceil((pos - free) / slots) * avgHandle(skill));
  }

  const engine: QueueEngine = {
    upsertAgent(a) {
      const prev = agents.get(a.id);
      agents.set(a.id, { ...a, load: a.load ?? prev?.load ?? 0, idleSince: a.idleSince ?? prev?.idleSince ?? opts.now() });
    },
    setStatus(id, status) {
      const a = agents.get(id);
      if (!a) return;
      // coming back online counts as becoming idle now, so an agent cannot jump the line by toggling status
      if (status === 'online' && a.status !== 'online') a.idleSince = opts.now();
      a.status = status;
    },
    agent: (id) => agents.get(id),
    agents: () => [...agents.values()],
    enqueue(convId, skill, since) {
      queue = queue.filter((w) => w.convId !== convId);
      queue.push({ convId, skill, since: since ?? opts.now() });
      queue.sort((x, y) => x.since - y.since);
    },
    remove(convId) {
      const n = queue.length;
      queue = queue.filter((w) => w.convId !== convId);
      return queue.length !== n;
    },
    waiting: () => [...queue],
    position(convId) {
      const me = queue.find((w) => w.convId === convId);
      if (!me) return 0;
      return queue.filter((w) => w.skill === me.skill && w.since <= me.since).length;
    },
    etaMs(convId) {
      const w = queue.find((x) => x.convId === convId);
      return w ? eta(engine.position(convId), w.skill) : 0;
    },
    staffed(skill) {
      const helpers = [skill, ...(opts.related[skill] ?? []), ...(opts.fallbackSkill ? [opts.fallbackSkill] : [])];
      return [...agents.values()].some((a) => a.status !== 'offline' && a.skills.some((s) => helpers.includes(s)));
    },
    snapshot() {
      const seen = new Map<string, number>();
      return queue.map((w) => {
        const position = (seen.get(w.skill) ?? 0) + 1;
        seen.set(w.skill, position);
        return { convId: w.convId, skill: w.skill, position, etaMs: eta(position, w.skill) };
      });
    },
    assign() {
      const now = opts.now();
      const out: Assignment[] = [];
      for (const w of [...queue]) {
        let best: QueueAgent | null = null;
        let bestKind: string | null = null;
        for (const a of agents.values()) {
          const kind = canServe(a, w, now);
          if (!kind) continue;
          // direct skills beat overflow; then longest idle; then lightest load
          const better = !best || (kind === 'direct' && bestKind === 'overflow') ||
            (kind === bestKind && (a.idleSince < best.idleSince || (a.idleSince === best.idleSince && a.load < best.load)));
          if (better) { best = a; bestKind = kind; }
        }
        if (!best) continue;
        best.load += 1;
        best.idleSince = now;
        queue = queue.filter((x) => x !== w);
        out.push({ convId: w.convId, agentId: best.id, skill: w.skill, overflow: bestKind === 'overflow' });
      }
      return out;
    },
    attach(id) {
      const a = agents.get(id);
      if (a) { a.load += 1; a.idleSince = opts.now(); }
    },
    release(id, skill, durationMs) {
      const a = agents.get(id);
      if (a) {
        a.load = Math.max(0, a.load - 1);
        if (a.load === 0) a.idleSince = opts.now();
      }
      if (skill && durationMs !== null) {
        const h = handled.get(skill) ?? [];
        h.push(durationMs);
        if (h.length > window) h.shift();
        handled.set(skill, h);
      }
    },
  };
  return engine;
}
