// The list of CLI commands; each file registers one command (or one command group).
import type { Command } from 'commander';
import { register as ai } from './ai.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [ai];
