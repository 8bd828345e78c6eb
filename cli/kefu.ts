// The `kefu` program: one file per command under cli/commands/, no logic here.
import { Command } from 'commander';
import { commands } from './commands/index.js';

const program = new Command('kefu')
  .description('kefu-edge: the regional box daemon, the master center and the installer tools')
  .option('--json', 'machine-readable output')
  .showHelpAfterError();

for (const register of commands) register(program);

await program.parseAsync(process.argv);
