// Prometheus metrics for the daemon and its plugins (served at /metrics on the LAN server).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PluginMetrics } from './plugin-api.js';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kefu_' });
  const metricName = (scope: string, name: string) => `kefu_${scope}_${name}`.replace(/[^a-zA-Z0-9_]/g, '_');

  function forScope(scope: string): PluginMetrics {
    const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
    return {
      counter(name, help = name) {
        const n = metricName(scope, name);
        return existing<Counter>(n) ?? new Counter({ name: n, help, registers: [registry] });
      },
      gauge(name, help = name) {
        const n = metricName(scope, name);
        return existing<Gauge>(n) ?? new Gauge({ name: n, help, registers: [registry] });
      },
    };
  }
  return { registry, forScope };
}

export type Metrics = ReturnType<typeof createMetrics>;
