// The video plugin's configuration (plugins.video in the box's YAML).
import { z } from 'zod';
import { fileRef } from '../../daemon/config/file-ref.js';

const port = z.number().int().min(1024).max(65535);
const pair = z.tuple([z.number().nonnegative(), z.number().nonnegative()]);

export const videoConfig = z.object({
  maxParticipants: z.number().int().min(2).max(64).default(32),
  maxRooms: z.number().int().min(1).max(64).default(8),
  /** audio forwarded for the loudest N speakers only */
  lastN: z.number().int().min(1).max(16).default(3),
  /** UDP ports for ICE host candidates (inclusive); each participant uses two */
  portRange: z.tuple([port, port]).refine(([a, b]) => a < b, 'portRange: first port must be below the second').optional(),
  /** extra host addresses to offer, for example the LAN address a NAT hides */
  additionalHosts: z.array(z.string().min(1)).default([]),
  turn: z.object({ urls: z.string().regex(/^turns?:/), username: z.string().optional(), credentialFile: fileRef(z.string(), 'secret').optional() }).optional(),
  /**
   * receive/send buffer asked for each peer's UDP socket, bytes: a big room's bursts outlast the kernel default
   * (208 KiB) whenever the event loop stalls. Linux grants at most net.core.rmem_max / wmem_max.
   */
  socketBufferBytes: z.number().int().min(65_536).max(64 * 1024 * 1024).default(2 * 1024 * 1024),
  /**
   * seal subscribers' SRTP (AES-GCM, a third of a forwarded packet's cost) on a worker thread, the second core;
   * the event loop keeps receiving, choosing and sending. Off by default: it adds send jitter (a hop to the worker
   * and back), under which Chrome's jitter buffer grows and repairs more; the 40 % loss test's stutter expectation
   * then fails. Turn on for rooms the event loop cannot carry (see the sfu benchmark).
   */
  sealWorker: z.boolean().default(true),
  rejoinGraceMs: z.number().int().min(0).max(120_000).default(15_000),
  keyframeGapMs: z.number().int().min(50).max(5000).default(300),
  /**
   * most frames/s a grid thumbnail gets (by dropping VP8 temporal layers) in grids of 5+ tiles; unset = by grid
   * size: every frame up to 9 tiles, 15 up to 16, 7.5 above (speaker and pinned tiles always get every frame)
   */
  thumbnailFps: z.number().positive().max(60).optional(),
  /** [warn, bad] per QoS metric; bitrates and blur score: lower is worse */
  thresholds: z.object({
    videoKbps: pair, blurScore: pair, freezeSeconds: pair, stutterPct: pair, audioKbps: pair,
  }).partial().default({}),
  broadcast: z.object({
    voice: z.string().default('cmn'),
    espeak: z.string().default('espeak-ng'),
    maxClipBytes: z.number().int().positive().default(5 * 1024 * 1024),
    ackTimeoutMs: z.number().int().positive().default(30_000),
  }).default({ voice: 'cmn', espeak: 'espeak-ng', maxClipBytes: 5 * 1024 * 1024, ackTimeoutMs: 30_000 }),
});
export type VideoConfig = z.infer<typeof videoConfig>;
