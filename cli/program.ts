// The `kefu` program: one file per command under cli/commands/, no logic here. cli/kefu.ts runs it; the build
// bundles it as a CommonJS module exporting main() (no top-level await there), see cli/bundle.js.
import { Command, CommanderError } from 'commander';
import { KefuError } from '../protocol/errors.js';
import { VERSION } from '../daemon/version.js';
import { commands } from './commands/index.js';
import { fail } from './output.js';

/** Commander's usage errors as ours: one line with a code (JSON with --json), never the whole help. */
const USAGE_CODES: Record<string, string> = {
  'commander.unknownCommand': 'UNKNOWN_CLI_COMMAND', // not UNKNOWN_COMMAND: that is a box's answer to `kefu master send`
  'commander.unknownOption': 'UNKNOWN_OPTION',
  'commander.missingMandatoryOptionValue': 'MISSING_OPTION',
  'commander.optionMissingArgument': 'MISSING_OPTION_VALUE',
  'commander.missingArgument': 'MISSING_ARGUMENT',
  'commander.excessArguments': 'TOO_MANY_ARGUMENTS',
  'commander.invalidArgument': 'INVALID_ARGUMENT',
  'commander.conflictingOption': 'CONFLICTING_OPTIONS',
};

/** The command path the user typed, for `see kefu <path> --help`. */
function commandPath(program: Command, argv: string[]): string {
  const words: string[] = [];
  let cmd: Command | undefined = program;
  for (const a of argv.slice(2)) {
    if (a.startsWith('-')) continue;
    const sub: Command | undefined = cmd?.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) break;
    words.push(a);
    cmd = sub;
  }
  return ['kefu', ...words].join(' ');
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('kefu')
    .description('kefu-edge: the regional box daemon, the master center and the installer tools')
    .option('--json', 'machine-readable output')
    .version(VERSION, '-V, --version', 'print the version')
    // inherited by every command registered below: errors come back here instead of exiting with the help
    .exitOverride()
    .configureOutput({ outputError: () => {} });

  // the first word that is not an option names the command; unknown or none (help) → register them all
  const invoked = argv.slice(2).find((a) => !a.startsWith('-'));
  const chosen = invoked && invoked in commands ? [commands[invoked]] : Object.values(commands);
  for (const load of chosen) (await load())(program);

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    const code = USAGE_CODES[err.code];
    // help, --version and a bare group (which prints its help) keep commander's exit code
    if (!code) process.exit(err.exitCode);
    const message = err.message.replace(/^error: /, '').replace(/\n/g, ' ').trim();
    fail(new KefuError(code, `${message} (see ${commandPath(program, argv)} --help)`), { json: argv.includes('--json') });
  }
}
