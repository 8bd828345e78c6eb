// `kefu doctor`: checks config, store, secrets, broker, clock and every transport; each failure says what to do.
import type { Command } from 'commander';
import { ConfigError } from '../../protocol/errors.js';
import { loadCliBoxConfig } from '../box-config.js';
import { doctorChecks } from '../../daemon/doctor/index.js';
import { runChecks, type CheckResult } from '../../daemon/doctor/check.js';
import { resolveConfigPath } from '../config-path.js';
import { action, print } from '../output.js';

/** What to do about config problems: the file, or the KEFU__ variables when they alone are at fault. */
function configFix(issues: string[], file: string): string {
  const fromEnv = issues.filter((i) => i.includes('environment variable KEFU__'));
  const env = fromEnv.length ? `fix or unset the environment variable${fromEnv.length > 1 ? 's' : ''} named above` : '';
  if (fromEnv.length === issues.length) return env;
  return `edit ${file} (each problem is path: message), or run \`kefu init\`${env ? `; ${env}` : ''}`;
}

/** The report; a hint shared by several failed checks (one missing modem fails them all) is printed once. */
export function renderChecks(results: CheckResult[]): string {
  const shown = new Set<string>();
  return results.map((r) => {
    const head = `${r.ok ? '✔' : '✘'} ${r.name.padEnd(20)} ${r.detail}`;
    if (r.ok || !r.fix || shown.has(r.fix)) return head;
    shown.add(r.fix);
    return `${head}\n  → ${r.fix}`;
  }).join('\n');
}

export function register(program: Command): void {
  program.command('doctor')
    .description('check that this box can run: config, store, secrets, broker, clock, transports (under 10 s)')
    .option('-c, --config <file>', 'box config file')
    .action(action(async (opts: { config?: string }, cmd: Command) => {
      const file = resolveConfigPath(opts.config);
      let results: CheckResult[];
      try {
        const config = await loadCliBoxConfig(opts.config);
        results = [{ name: 'config', ok: true, detail: `${file} is valid` }, ...await runChecks(await doctorChecks(config))];
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        results = [{ name: 'config', ok: false, detail: `${file}:\n    ${err.issues.join('\n    ')}`, fix: configFix(err.issues, file) }];
      }
      const ok = results.every((r) => r.ok);
      print(cmd.optsWithGlobals(), { ok, checks: results }, () => renderChecks(results));
      if (!ok) process.exitCode = 1;
    }));
}
