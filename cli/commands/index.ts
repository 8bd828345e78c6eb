// The list of CLI commands; each file registers one command (or one command group).
import type { Command } from 'commander';
import { register as master } from './master.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [master];
