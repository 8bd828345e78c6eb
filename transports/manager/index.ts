export { createTransportManager, type TransportManager, type TransportManagerDeps } from './manager.js';
export { ManagerOptions, LinkPolicy, DEFAULT_ORDER, type ManagerOptionsInput } from './options.js';
export { createSelector, type SwitchEvent, type SwitchKind, type LinkStatus } from './selector.js';
export type { ProbeIdentity } from './mqtt-probe.js';
export { createDeferredDuplex } from '../deferred-duplex.js';
