// Active-speaker detection and audio last-N from the RFC 6464 audio level each packet carries.
// Level is -dBov (0 loud, 127 silence); we keep a decaying loudness per participant and rank them.

export interface SpeakerTrackerOptions {
  /** how many speakers' audio is forwarded */
  lastN: number;
  /** loudness (127 - level) under which a participant counts as silent */
  silence?: number;
  /** a new active speaker must lead for this long (ms), against flapping */
  holdMs?: number;
}

export interface SpeakerTracker {
  observe(id: string, level: number, now: number): void;
  remove(id: string): void;
  /** recompute; returns true when the active speaker or the last-N set changed */
  tick(now: number): boolean;
  readonly active: string | null;
  readonly audible: ReadonlySet<string>;
  loudness(id: string): number;
}

export function createSpeakerTracker(opts: SpeakerTrackerOptions): SpeakerTracker {
  const silence = opts.silence ?? 25;
  const holdMs = opts.holdMs ?? 800;
  const loud = new Map<string, { value: number; at: number }>();
  let active: string | null = null;
  let leader: { id: string; since: number } | null = null;
  let audible = new Set<string>();
  const decayed = (e: { value: number; at: number }, now: number) => e.value * Math.pow(0.5, Math.max(0, now - e.at) / 400);

  return {
    observe(id, level, now) {
      const v = 127 - Math.min(127, Math.max(0, level));
      const e = loud.get(id);
      if (!e) { loud.set(id, { value: v, at: now }); return; }
      // fast attack, slow release
      const d = decayed(e, now);
      e.value = v > d ? d + (v - d) * 0.5 : d;
      e.at = now;
    },
    remove(id) {
      loud.delete(id);
      if (active === id) active = null;
      if (leader?.id === id) leader = null;
      audible.delete(id);
    },
    tick(now) {
      const ranked = [...loud.entries()].map(([id, e]) => ({ id, v: decayed(e, now) }))
        .filter((r) => r.v >= silence).sort((a, b) => b.v - a.v);
      let changed = false;
      const top = ranked[0]?.id ?? null;
      if (top && top !== active) {
        if (leader?.id !== top) leader = { id: top, since: now };
        else if (now - leader.since >= holdMs || active === null) { active = top; changed = true; }
      } else leader = null;
      // the active speaker keeps audio even in a brief pause, then the loudest others fill the set
      const next = new Set<string>();
      if (active && loud.has(active)) next.add(active);
      for (const r of ranked) { if (next.size >= opts.lastN) break; next.add(r.id); }
      if (next.size !== audible.size || [...next].some((id) => !audible.has(id))) changed = true;
      audible = next;
      return changed;
    },
    get active() { return active; },
    get audible() { return audible; },
    loudness(id) { const e = loud.get(id); return e ? decayed(e, Date.now()) : 0; },
  };
}
