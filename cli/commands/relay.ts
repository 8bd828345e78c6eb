// `kefu relay ble --broker host:port`: the master-side Bluetooth peripheral that bridges boxes' GATT tunnels to
// the broker. Runs in the foreground until SIGTERM/SIGINT.
import type { Command } from 'commander';
import { createLogger } from '../../daemon/logger.js';
import { CommandError } from '../../protocol/errors.js';
import { createBleRelay } from '../../transports/ble/index.js';
import { action } from '../output.js';
import { untilSignal } from '../signals.js';

export function parseHostPort(text: string): { host: string; port: number } {
  const i = text.lastIndexOf(':');
  const host = text.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(text.slice(i + 1));
  if (i <= 0 || !host || !Number.isInteger(port) || port < 1 || port > 65535) throw new CommandError('BAD_ADDRESS', `"${text}" is not host:port`);
  return { host, port };
}

export function register(program: Command): void {
  const relay = program.command('relay').description('relays that run on the master side');
  relay.command('ble')
    .description('advertise the BLE tunnel service and bridge each box channel to the broker over TCP')
    .requiredOption('--broker <host:port>', 'the broker the tunnel leads to')
    .option('--adapter <name>', 'BlueZ adapter', 'hci0')
    .option('--name <name>', 'advertised local name', 'kefu-relay')
    .option('--bus <address>', 'D-Bus address of BlueZ (default: the system bus)')
    .action(action(async (opts: { broker: string; adapter: string; name: string; bus?: string }) => {
      const log = createLogger({ name: 'kefu-relay' });
      const r = createBleRelay({ broker: parseHostPort(opts.broker), adapter: opts.adapter, name: opts.name, busAddress: opts.bus, log });
      await r.start();
      process.stdout.write(`BLE relay "${opts.name}" on ${opts.adapter} → ${opts.broker}\n`);
      await untilSignal(log, () => r.stop());
    }));
}
