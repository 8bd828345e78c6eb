// The `kefu` program: one file per command under cli/commands/, no logic here. cli/kefu.ts runs it; the build
// bundles it as a CommonJS module exporting main() (no top-level await there), see cli/bundle.js.
import { Command } from 'commander';
import { commands } from './commands/index.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('kefu')
    .description('kefu-edge: the regional box daemon, the master center and the installer tools')
    .option('--json', 'machine-readable output')
    .showHelpAfterError();

  // the first word that is not an option names the command; unknown or none (help) → register them all
  const invoked = argv.slice(2).find((a) => !a.startsWith('-'));
  const chosen = invoked && invoked in commands ? [commands[invoked]] : Object.values(commands);
  for (const load of chosen) (await load())(program);

  await program.parseAsync(argv);
}
