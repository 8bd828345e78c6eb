// The list of CLI commands; each file registers one command (or one command group).
import type { Command } from 'commander';
import { register as ai } from './ai.js';
import { register as doctor } from './doctor.js';
import { register as init } from './init.js';
import { register as plugins } from './plugins.js';
import { register as status } from './status.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [init, status, plugins, doctor, ai];
