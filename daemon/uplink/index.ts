export * from './uplink.js';
export * from './plugin-uplink.js';
export { createDeferredDuplex } from './deferred-duplex.js';
export { createTelemetryLimiter, type TelemetryLimiter } from './telemetry-limiter.js';
export * from './config.js';
