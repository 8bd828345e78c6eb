// `kefu doctor`: checks config, store, secrets, broker, clock and every transport; each failure says what to do.
import type { Command } from 'commander';
import { ConfigError } from '../../protocol/errors.js';
import { loadBoxConfig } from '../../daemon/builtins.js';
import { doctorChecks } from '../../daemon/doctor/index.js';
import { runChecks, type CheckResult } from '../../daemon/doctor/check.js';
import { resolveConfigPath } from '../config-path.js';
import { action, print } from '../output.js';

export function register(program: Command): void {
  program.command('doctor')
    .description('check that this box can run: config, store, secrets, broker, clock, transports (under 10 s)')
    .option('-c, --config <file>', 'box config file')
    .action(action(async (opts: { config?: string }, cmd: Command) => {
      const file = resolveConfigPath(opts.config);
      let results: CheckResult[];
      try {
        const config = await loadBoxConfig(file);
        results = [{ name: 'config', ok: true, detail: `${file} is valid` }, ...await runChecks(await doctorChecks(config))];
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        results = [{ name: 'config', ok: false, detail: err.issues.join('; '), fix: `edit ${file} (each problem is path: message), or run \`kefu init\`` }];
      }
      const ok = results.every((r) => r.ok);
      print(cmd.optsWithGlobals(), { ok, checks: results }, () => results.map((r) =>
        `${r.ok ? '✔' : '✘'} ${r.name.padEnd(20)} ${r.detail}${r.ok || !r.fix ? '' : `\n  → ${r.fix}`}`).join('\n'));
      if (!ok) process.exitCode = 1;
    }));
}
