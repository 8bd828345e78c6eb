// What `kefu status` and the box page show: one snapshot of the running daemon.
import type { PluginRecord } from './plugins/host.js';

export interface DaemonStatus {
  box: { id: string; region: string };
  version: string;
  uptimeSeconds: number;
  httpUrl: string;
  uplink: {
    connected: boolean; url: string; since: number | null;
    /** while not connected: the latest failure to reach the broker (ms timestamps), on a link or of the uplink */
    lastError: { code: string; message: string; at: number; since: number; attempts: number; link: string | null } | null;
  };
  transport: { id: string; kind: string; quality: number | null } | null;
  outbox: { pending: number; bytes: number; lost: number };
  plugins: PluginRecord[];
  apps: Array<{ key: string; url: string }>;
}
