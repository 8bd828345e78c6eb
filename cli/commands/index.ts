// The CLI commands, one file each. Loaded lazily: `kefu start` must not pay for the master, the face models or
// the modem tools at every daemon start, so only the invoked command's module is imported (all of them for help).
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

const lazy = (load: () => Promise<{ register: RegisterCommand }>) => async () => (await load()).register;

export const commands: Record<string, () => Promise<RegisterCommand>> = {
  up: lazy(() => import('./up.js')),
  init: lazy(() => import('./init.js')),
  start: lazy(() => import('./start.js')),
  status: lazy(() => import('./status.js')),
  plugins: lazy(() => import('./plugins.js')),
  doctor: lazy(() => import('./doctor.js')),
  transports: lazy(() => import('./transports.js')),
  modem: lazy(() => import('./modem.js')),
  ble: lazy(() => import('./ble.js')),
  relay: lazy(() => import('./relay.js')),
  ai: lazy(() => import('./ai.js')),
  face: lazy(() => import('./face.js')),
  master: lazy(() => import('./master.js')),
  tls: lazy(() => import('./tls.js')),
};
