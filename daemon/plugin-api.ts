// What a plugin sees: one narrow, typed context object (see DESIGN.md "Plugins").
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { OutboxClass } from '../protocol/schemas.js';
import type { EventBus } from './event-bus.js';
import type { Store } from './store.js';
import type { CommandInfo } from './commands/command-catalogue.js';

export const PLUGIN_API_VERSION = 1;

export interface PublishOptions { class?: OutboxClass }

export interface PluginUplink {
  /** Durable event `evt/{plugin}/{type}`: resolves once persisted in the outbox (not when delivered). */
  publish(type: string, data: unknown, opts?: PublishOptions): Promise<{ id: string; seq: number }>;
  /** Telemetry `tel/{name}`: QoS 0, rate-limited, may be dropped. */
  telemetry(name: string, data: Record<string, unknown>): void;
}

export interface CommandMeta { id: string; by?: string; /** send progress for long commands */ progress(fraction: number, note?: string): void }

export interface PluginCommands {
  /**
   * Registers `cmd/{name}`; the name should be `{plugin}.{verb}`. Args are validated by the schema (left out, they
   * are `{}` when the schema takes `{}`). `info.description` is the command's line in `commands.list` and README.
   */
  handle<S extends z.ZodType>(name: string, schema: S, handler: (args: z.infer<S>, meta: CommandMeta) => Promise<unknown> | unknown, info?: CommandInfo): void;
}

export interface PluginHttp {
  /** A fastify route under `/p/{plugin}` (url relative to that prefix). */
  route(opts: Omit<RouteOptions, 'url'> & { url: string }): void;
  /** A WebSocket endpoint under `/p/{plugin}{url}`. */
  ws(url: string, handler: (socket: WebSocket, req: FastifyRequest) => void): void;
  /** Serves a folder of static files (the plugin's web UI) at `/p/{plugin}/`. */
  static(dir: string): void;
}

export interface PluginMetrics {
  counter(name: string, help?: string): { inc(n?: number): void };
  gauge(name: string, help?: string): { set(v: number): void };
}

export interface PluginContext<C = unknown> {
  readonly name: string;
  readonly config: C;
  readonly log: Logger;
  readonly bus: EventBus;
  readonly store: Store;
  readonly uplink: PluginUplink;
  readonly commands: PluginCommands;
  readonly http: PluginHttp;
  readonly metrics: PluginMetrics;
  /** Box identity and the plugin's private data folder. */
  readonly box: { id: string; region: string; dataDir: string; version: string };
  readSecret(path: string): Promise<string>;
}

export interface PluginInstance {
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
  health?(): Promise<PluginHealth> | PluginHealth;
}

export interface PluginHealth { ok: boolean; detail?: Record<string, unknown> }

export interface PluginDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  apiVersion: typeof PLUGIN_API_VERSION;
  /** Plugins that must be running first (started in dependency order). */
  dependsOn?: string[];
  config: S;
  setup(ctx: PluginContext<z.infer<S>>): PluginInstance | Promise<PluginInstance>;
}

export function definePlugin<S extends z.ZodType>(def: PluginDefinition<S>): PluginDefinition<S> {
  return def;
}

export type { FastifyReply, FastifyRequest };
