// Which simulcast layer each subscriber gets of each publisher: what the subscriber can see, then what its
// downlink can carry. Pure, so the rules are tested without media.
import { LAYER_BPS, type Layer } from './types.js';

export type Want = Layer | 'off';

export interface SubscriberView {
  /** publishers whose tile is on screen; undefined = all */
  visible?: ReadonlySet<string>;
  pinned?: string | null;
  /** explicit per-publisher caps requested by the client ("layer requests") */
  caps?: ReadonlyMap<string, Want>;
}

export interface PolicyInput {
  publishers: readonly string[];
  view: SubscriberView;
  activeSpeaker: string | null;
  /** downlink estimate in bits/s; 0 = unknown (no cap) */
  estimateBps: number;
}

const RANK: Record<Want, number> = { off: 0, q: 1, h: 2, f: 3 };
const BY_RANK: Want[] = ['off', 'q', 'h', 'f'];
const minWant = (a: Want, b: Want): Want => (RANK[a] <= RANK[b] ? a : b);

export function chooseLayers(input: PolicyInput): Map<string, Want> {
  const { publishers, view, activeSpeaker } = input;
  const visible = view.visible;
  const tiles = visible ? publishers.filter((p) => visible.has(p)).length : publishers.length;
  const out = new Map<string, Want>();
  for (const p of publishers) {
    let w: Want;
    if (visible && !visible.has(p)) w = 'off';
    else if (view.pinned === p) w = 'f';
    else if (p === activeSpeaker) w = tiles <= 4 ? 'f' : 'h';
    else w = tiles <= 2 ? 'f' : tiles <= 6 ? 'h' : 'q';
    const cap = view.caps?.get(p);
    if (cap) w = minWant(w, cap);
    out.set(p, w);
  }
  if (input.estimateBps > 0) fitBudget(out, input.estimateBps, view.pinned ?? null, activeSpeaker);
  return out;
}

/** Step layers down, least important first (all the way to `q`), until the sum fits; never below `q`. */
function fitBudget(out: Map<string, Want>, budget: number, pinned: string | null, speaker: string | null): void {
  let cost = [...out.values()].reduce((s, w) => s + (w === 'off' ? 0 : LAYER_BPS[w]), 0);
  const prio = (id: string) => (id === pinned ? 2 : id === speaker ? 1 : 0);
  const order = [...out.keys()].sort((a, b) => prio(a) - prio(b));
  for (const id of order) {
    let w = out.get(id)!;
    while (cost > budget && RANK[w] > 1) {
      const next = BY_RANK[RANK[w] - 1] as Layer;
      cost += LAYER_BPS[next] - LAYER_BPS[w as Layer];
      w = next;
      out.set(id, w);
    }
    if (cost <= budget) return;
  }
}

/** The union of layers wanted of one publisher: encodings nobody needs can be paused at the source. */
export function neededLayers(wants: Iterable<Want>): Layer[] {
  let max = 0;
  for (const w of wants) max = Math.max(max, RANK[w]);
  // q always stays on: it is the fallback a switch can land on at once
  return (['q', 'h', 'f'] as Layer[]).filter((l) => RANK[l] <= Math.max(1, max));
}

/**
 * Frame rate a grid thumbnail needs (frames/s): small grids see every frame, a large grid of small tiles
 * looks fluid enough at 7.5 and the SFU forwards a fraction of the packets (temporal layers).
 */
export function thumbnailFps(tiles: number, cap = Infinity): number {
  if (tiles <= 4) return Infinity; // a small call sees every frame, whatever the cap

  const bySize = tiles <= 9 ? Infinity : tiles <= 16 ? 15 : 7.5;
  return Math.min(bySize, cap);
}

/**
 * The lowest temporal layer cap whose frames add up to about `fps` (at least two thirds of it: a publisher
 * a little under its nominal rate, 12 fps instead of 15, still gets halved, not forwarded whole), from the
 * frame rates measured per TID. A stream without temporal layers or not yet measured is forwarded whole (2).
 */
export function temporalCap(fpsByTid: readonly number[], fps: number): number {
  if (!Number.isFinite(fps)) return 2;
  const upper = fpsByTid.slice(1).reduce((a, b) => a + b, 0);
  if (upper <= 0) return 2;
  let sum = 0;
  for (let t = 0; t < fpsByTid.length; t++) {
    sum += fpsByTid[t]!;
    if (sum >= (2 / 3) * fps) return t;
  }
  return 2;
}
