// Public surface of the cellular transport.
export { cellularTransport, cellularTransport as default } from './definition.js';
export { CellularConfigSchema, type CellularConfig } from './config.js';
export { createCellularTransport, type CellularTransport, type SignalSample } from './cellular-transport.js';
export { cellularDoctor, cellularDoctorChecks, type DoctorCheck } from './doctor.js';
export { parseReply } from './at/registry.js';
export { loadProfiles, matchProfile, validateProfile } from './profiles.js';
