// `kefu master …`: run the master center, query it over its HTTP API, manage box credentials, make its TLS
// certificate, and export the broker policy for Mosquitto. The subcommands live in cli/master/.
import type { Command } from 'commander';
import { registerAcl } from '../master/acl.js';
import { registerBox } from '../master/box.js';
import { registerFleet } from '../master/fleet.js';
import { registerRun } from '../master/run.js';
import { registerTls } from '../master/tls.js';

export function register(program: Command): void {
  const master = program.command('master').description('the master center: broker, fleet, commands, credentials, TLS, dashboard');
  registerRun(master);
  registerFleet(master);
  registerBox(master);
  registerAcl(master);
  registerTls(master);
}
