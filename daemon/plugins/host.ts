// Runs plugins: setup in dependency order, time-boxed start/stop, a failure marks only that plugin `failed`,
// and a failed plugin is restarted with exponential backoff until it runs or the daemon stops — unless its
// configuration is what failed: a missing KB file does not appear by waiting, so that one stays failed at once.
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import { ConfigError, PluginError, toErrorBody } from '../../protocol/errors.js';
import type { PluginContext, PluginDefinition, PluginHealth, PluginInstance } from '../plugin-api.js';
import { PLUGIN_API_VERSION } from '../plugin-api.js';
import { timeBox } from '../time-box.js';
import { dependencyOrder } from './order.js';

export type PluginStatus = 'stopped' | 'starting' | 'running' | 'failed' | 'stopping';

export interface PluginRecord {
  name: string;
  status: PluginStatus;
  error?: { code: string; message: string };
  /** automatic restarts after a failure, and restarts asked for (`kefu plugins restart`, `plugin.restart`) */
  restarts: number;
  since: number;
}

export interface PluginHostOptions {
  log: Logger;
  definitions: PluginDefinition[];
  configs: Record<string, unknown>;
  makeContext(def: PluginDefinition, config: unknown, isRunning: () => boolean): PluginContext;
  onStatus?(record: PluginRecord): void;
  timeouts?: { setupMs?: number; startMs?: number; stopMs?: number };
  restart?: { retries?: number; minMs?: number; maxMs?: number };
}

/** A start that failed on its configuration: retrying cannot help until someone edits the config. */
const isConfigError = (err: unknown) => err instanceof ConfigError || (err as { code?: unknown } | null)?.code === 'CONFIG_INVALID';

interface Slot { def: PluginDefinition; record: PluginRecord; instance?: PluginInstance; retry?: AbortController }

export function createPluginHost(opts: PluginHostOptions) {
  const t = { setupMs: 10_000, startMs: 15_000, stopMs: 5_000, ...opts.timeouts };
  const restart = { retries: 8, minMs: 1_000, maxMs: 60_000, ...opts.restart };
  const slots = new Map<string, Slot>();
  let order: string[] = [];
  let stopping = false;

  const setStatus = (slot: Slot, status: PluginStatus, error?: unknown) => {
    slot.record = { ...slot.record, status, since: Date.now(), error: error === undefined ? undefined : toErrorBody(error) };
    opts.onStatus?.(slot.record);
  };

  async function startOnce(slot: Slot): Promise<void> {
    if (!slot.instance) throw new PluginError('PLUGIN_NOT_SET_UP', slot.def.name, `plugin ${slot.def.name} was not set up`);
    setStatus(slot, 'starting');
    try {
      await timeBox(`plugin ${slot.def.name} start`, t.startMs, () => slot.instance!.start());
      setStatus(slot, 'running');
    } catch (err) {
      setStatus(slot, 'failed', err);
      opts.log.error({ plugin: slot.def.name, err: toErrorBody(err) }, 'plugin failed to start');
      // release whatever a half-started plugin opened
      await timeBox(`plugin ${slot.def.name} stop`, t.stopMs, () => slot.instance!.stop()).catch(() => undefined);
      throw err;
    }
  }

  const logConfigFailure = (slot: Slot, err: unknown) => opts.log.error({ plugin: slot.def.name, err: toErrorBody(err) },
    `plugin ${slot.def.name} stays failed: its configuration is invalid (fix it, then \`kefu plugins restart ${slot.def.name}\`)`);

  function scheduleRestart(slot: Slot, cause: unknown): void {
    if (stopping || slot.retry) return;
    if (isConfigError(cause)) { logConfigFailure(slot, cause); return; }
    const ctrl = new AbortController();
    slot.retry = ctrl;
    pRetry(async () => {
      if (stopping) throw new AbortError('daemon stopping');
      slot.record.restarts++;
      try {
        await startOnce(slot);
      } catch (err) {
        throw isConfigError(err) ? new AbortError(err as Error) : err;
      }
      await startDependants(slot.def.name);
    }, { retries: restart.retries, factor: 2, minTimeout: restart.minMs, maxTimeout: restart.maxMs, signal: ctrl.signal })
      .catch((err) => {
        if (stopping) return;
        if (isConfigError(err)) logConfigFailure(slot, err);
        else opts.log.error({ plugin: slot.def.name, err: toErrorBody(err) }, 'plugin gave up restarting');
      })
      .finally(() => { slot.retry = undefined; });
  }

  async function startDependants(name: string): Promise<void> {
    for (const other of order) {
      const s = slots.get(other)!;
      if (s.record.status === 'failed' && (s.def.dependsOn ?? []).includes(name) && depsRunning(s)) {
        await startOnce(s).catch((err) => scheduleRestart(s, err));
      }
    }
  }

  const depsRunning = (slot: Slot) => (slot.def.dependsOn ?? []).every((d) => slots.get(d)?.record.status === 'running');

  return {
    /** Validated configs in, contexts built, `setup` run in dependency order. Registers routes and commands. */
    async setup(): Promise<void> {
      const enabled = opts.definitions.filter((d) => d.name in opts.configs);
      const res = dependencyOrder(enabled);
      order = res.order;
      for (const def of enabled) {
        const slot: Slot = { def, record: { name: def.name, status: 'stopped', restarts: 0, since: Date.now() } };
        slots.set(def.name, slot);
        if (def.apiVersion !== PLUGIN_API_VERSION) res.problems[def.name] = `plugin API ${def.apiVersion} is not supported (this daemon: ${PLUGIN_API_VERSION})`;
        if (res.problems[def.name]) setStatus(slot, 'failed', new PluginError('PLUGIN_DEPENDENCY', def.name, res.problems[def.name]));
      }
      for (const name of order) {
        const slot = slots.get(name)!;
        if (slot.record.status === 'failed') continue;
        const ctx = opts.makeContext(slot.def, opts.configs[name], () => slot.record.status === 'running');
        try {
          slot.instance = await timeBox(`plugin ${name} setup`, t.setupMs, () => slot.def.setup(ctx));
        } catch (err) {
          setStatus(slot, 'failed', err);
          opts.log.error({ plugin: name, err: toErrorBody(err) }, 'plugin setup failed');
        }
      }
    },

    async start(): Promise<void> {
      stopping = false;
      for (const name of order) {
        const slot = slots.get(name)!;
        if (!slot.instance) continue;
        if (!depsRunning(slot)) { setStatus(slot, 'failed', new PluginError('PLUGIN_DEPENDENCY', name, 'a dependency is not running')); continue; }
        await startOnce(slot).catch((err) => scheduleRestart(slot, err));
      }
    },

    async stop(): Promise<void> {
      stopping = true;
      for (const slot of slots.values()) slot.retry?.abort();
      for (const name of [...order].reverse()) await this.stopOne(name);
    },

    async stopOne(name: string): Promise<void> {
      const slot = slots.get(name);
      if (!slot?.instance || slot.record.status === 'stopped') return;
      setStatus(slot, 'stopping');
      try {
        await timeBox(`plugin ${name} stop`, t.stopMs, () => slot.instance!.stop());
        setStatus(slot, 'stopped');
      } catch (err) {
        setStatus(slot, 'failed', err);
        opts.log.error({ plugin: name, err: toErrorBody(err) }, 'plugin failed to stop');
      }
    },

    /** `plugin.restart`: stop (time-boxed) and start again; it counts as a restart like an automatic one. */
    async restart(name: string): Promise<PluginRecord> {
      const slot = slots.get(name);
      if (!slot) throw new PluginError('PLUGIN_UNKNOWN', name, `no plugin named "${name}" is enabled`);
      if (!slot.instance) throw new PluginError('PLUGIN_NOT_SET_UP', name, `plugin ${name} failed during setup; fix its config and restart the daemon`);
      slot.retry?.abort();
      await this.stopOne(name);
      slot.record.restarts++;
      await startOnce(slot);
      return slot.record;
    },

    async health(): Promise<Record<string, PluginRecord & { health?: PluginHealth }>> {
      const out: Record<string, PluginRecord & { health?: PluginHealth }> = {};
      for (const [name, slot] of slots) {
        let health: PluginHealth | undefined;
        if (slot.record.status === 'running' && slot.instance?.health) {
          health = await timeBox(`plugin ${name} health`, 2_000, () => slot.instance!.health!()).catch((e) => ({ ok: false, detail: toErrorBody(e) }));
        }
        out[name] = { ...slot.record, health };
      }
      return out;
    },

    list(): PluginRecord[] { return [...slots.values()].map((s) => s.record); },
    statuses(): Record<string, PluginStatus> { return Object.fromEntries([...slots].map(([n, s]) => [n, s.record.status])); },
  };
}

export type PluginHost = ReturnType<typeof createPluginHost>;
