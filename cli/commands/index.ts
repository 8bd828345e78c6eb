// The list of CLI commands; each file registers one command (or one command group).
import type { Command } from 'commander';
import { register as ai } from './ai.js';
import { register as ble } from './ble.js';
import { register as doctor } from './doctor.js';
import { register as face } from './face.js';
import { register as init } from './init.js';
import { register as master } from './master.js';
import { register as modem } from './modem.js';
import { register as plugins } from './plugins.js';
import { register as relay } from './relay.js';
import { register as start } from './start.js';
import { register as status } from './status.js';
import { register as transports } from './transports.js';
import { register as up } from './up.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [up, init, start, status, plugins, doctor, transports, modem, ble, relay, ai, face, master];
