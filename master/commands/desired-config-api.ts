// Desired config for a box: the retained `cfg` message. Versions are millisecond timestamps (kept increasing),
// so a restarted master never reuses a version the box has already handled. Optionally waits for the box's
// `cfg/reported` of that version.
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { CommandError } from '../../protocol/errors.js';
import { PROTOCOL_VERSION, type CfgMessage, type CfgReportedMessage } from '../../protocol/schemas.js';
import { topics } from '../../protocol/topics.js';
import type { FleetRegistry } from '../fleet/registry.js';

export interface DesiredConfigApi {
  /** Publishes the desired config; with `waitMs`, resolves once the box reported that version (or rejects with CFG_TIMEOUT). */
  set(boxId: string, config: Record<string, unknown>, opts?: { waitMs?: number }): Promise<{ version: number; reported: CfgReportedMessage | null }>;
}

export function createDesiredConfigApi(deps: { client: () => MqttClient; registry: FleetRegistry; log: Logger }): DesiredConfigApi {
  const last = new Map<string, number>();
  return {
    async set(boxId, config, opts = {}) {
      const box = deps.registry.get(boxId);
      if (!box) throw new CommandError('BOX_UNKNOWN', `no box ${boxId} in the fleet`);
      const version = Math.max(Date.now(), (last.get(boxId) ?? 0) + 1, (box.cfgReported?.version ?? 0) + 1);
      last.set(boxId, version);
      const msg: CfgMessage = { v: PROTOCOL_VERSION, version, config };
      const reported = opts.waitMs
        ? new Promise<CfgReportedMessage>((resolve, reject) => {
          const timer = setTimeout(() => { off(); reject(new CommandError('CFG_TIMEOUT', `box ${boxId} did not report config version ${version} within ${opts.waitMs} ms`)); }, opts.waitMs);
          const off = deps.registry.onChange((b) => {
            if (b.id === boxId && b.cfgReported?.version === version) { clearTimeout(timer); off(); resolve(b.cfgReported); }
          });
        })
        : null;
      reported?.catch(() => undefined); // observed below; avoid an unhandled rejection if publishing fails first
      await deps.client().publishAsync(topics.cfg({ region: box.region, box: boxId }), JSON.stringify(msg), { qos: 1, retain: true });
      deps.log.info({ box: boxId, version }, 'desired config published');
      return { version, reported: reported ? await reported : null };
    },
  };
}
