// How the master stores an event: its key (box + envelope id, the dedupe key), the key of a page of ids (box +
// receipt time), and the record. The record embeds the envelope's own bytes as the box sent them (already
// validated JSON) instead of re-serialising the parsed object, which would only repeat the box's JSON.stringify
// and the string → UTF-8 copy on the master's hot path.
import type { AbstractSublevel } from 'abstract-level';
import type { RootStore, Store } from '../../daemon/store.js';
import type { EventEnvelope } from '../../protocol/schemas.js';

export interface StoredEvent {
  id: string; box: string; region: string; plugin: string; type: string;
  seq: number; ts: number; class?: string; data: unknown; receivedAt: number;
}

export interface EventRef { region: string; box: string; plugin: string; type: string }

/** the records, raw bytes (see encodeEvent) */
export type EventRecords = AbstractSublevel<RootStore, string | Buffer | Uint8Array, string, Uint8Array>;
/** one op of a root batch across the event store's sublevels */
export type StoreOp = { type: 'put' | 'del'; sublevel: Store | EventRecords; key: string; value?: unknown };

export const pad = (n: number, width = 15) => String(Math.max(0, Math.trunc(n))).padStart(width, '0');
export const eventKey = (box: string, id: string) => `${box}!${id}`;
export const pageKey = (box: string, receivedAt: number, firstId: string) => `${box}!${pad(receivedAt)}!${firstId}`;

const CLOSE = Buffer.from('}');

/** `raw`: the envelope's bytes as received (must be the JSON `env` was parsed from); without it `env` is serialised. */
export function encodeEvent(ref: EventRef, env: EventEnvelope, receivedAt: number, raw?: Buffer): Buffer {
  const head = `{"box":${JSON.stringify(ref.box)},"region":${JSON.stringify(ref.region)},"plugin":${JSON.stringify(ref.plugin)},"type":${JSON.stringify(ref.type)},"receivedAt":${receivedAt},"env":`;
  return Buffer.concat([Buffer.from(head), raw ?? Buffer.from(JSON.stringify(env)), CLOSE]);
}

export function decodeEvent(record: Uint8Array): StoredEvent {
  const r = JSON.parse(Buffer.from(record.buffer, record.byteOffset, record.byteLength).toString()) as EventRef & { receivedAt: number; env: EventEnvelope };
  const { env } = r;
  return {
    id: env.id, box: r.box, region: r.region, plugin: r.plugin, type: r.type,
    seq: env.seq, ts: env.ts, ...(env.class ? { class: env.class } : {}), data: env.data, receivedAt: r.receivedAt,
  };
}
