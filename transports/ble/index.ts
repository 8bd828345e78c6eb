export { default, createBleTransport, BleConfig } from './ble-transport.js';
export { createBleCentral, type BleCentral, type ScannedDevice } from './central.js';
export { createTunnel, type Tunnel } from './tunnel.js';
export { createBleRelay, type BleRelay } from './relay/relay.js';
export { TUNNEL_SERVICE_UUID, TUNNEL_RX_UUID, TUNNEL_TX_UUID } from './uuids.js';
export type { BlePipe } from './pipe.js';
