// The bus's event map. Plugins add their events by declaration merging:
//   declare module '../../daemon/bus-events.js' { interface BusEvents { 'faceauth.login': {...} } }
export interface BusEvents {
  'plugin.state': { plugin: string; status: string; error?: string };
  'transport.switch': { from: string | null; to: string | null; reason: string };
  'uplink.connected': { transport: string | null };
  'uplink.disconnected': { reason: string };
  /** any plugin may record a customer behaviour; the archive plugin stores it */
  'archive.record': { customerId: string; kind: string; channel?: string; data?: Record<string, unknown>; ts?: number };
}
