// The `uplink` a plugin sees in its context: durable events under its own `evt/{plugin}/`, rate-limited telemetry.
import type { PluginUplink } from '../plugin-api.js';
import { topics, type BoxRef } from '../../protocol/topics.js';
import { KefuError } from '../../protocol/errors.js';
import type { Outbox } from '../outbox/index.js';
import type { Uplink } from './uplink.js';

/** One topic level: no separators or wildcards, so a plugin cannot publish outside its own subtree. */
const LEVEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function createPluginUplink(deps: { box: BoxRef; outbox: Pick<Outbox, 'enqueue'>; uplink: Pick<Uplink, 'telemetry'> }, plugin: string): PluginUplink {
  return {
    publish(type, data, o) {
      if (!LEVEL.test(type)) return Promise.reject(new KefuError('EVENT_TYPE_INVALID', `event type "${type}" must be one topic level`));
      return deps.outbox.enqueue({ topic: topics.event(deps.box, plugin, type), class: o?.class ?? 'event', data });
    },
    telemetry(name, data) {
      if (!LEVEL.test(name)) throw new KefuError('TELEMETRY_NAME_INVALID', `telemetry name "${name}" must be one topic level`);
      deps.uplink.telemetry(name, data);
    },
  };
}
