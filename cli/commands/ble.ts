// `kefu ble scan`: nearby Bluetooth LE devices, marking relays that offer the kefu tunnel service.
import type { Command } from 'commander';
import { silentLogger } from '../../daemon/logger.js';
import { createBleCentral } from '../../transports/ble/index.js';
import { action, print, table } from '../output.js';

export function register(program: Command): void {
  const ble = program.command('ble').description('Bluetooth LE tools');
  ble.command('scan')
    .description('scan for devices (relays show tunnel = yes)')
    .option('--seconds <n>', 'how long to scan', '5')
    .option('--adapter <name>', 'BlueZ adapter (default: the first)')
    .option('--bus <address>', 'D-Bus address of BlueZ (default: the system bus)')
    .action(action(async (opts: { seconds: string; adapter?: string; bus?: string }, cmd: Command) => {
      const central = createBleCentral({ busAddress: opts.bus, adapter: opts.adapter, log: silentLogger() });
      try {
        const devices = await central.scan(Math.max(0.1, Number(opts.seconds)) * 1000);
        print(cmd.optsWithGlobals(), devices, () => table(devices.map((d) => ({ ...d, tunnel: d.tunnel ? 'yes' : '' })), ['address', 'name', 'rssi', 'tunnel']));
      } finally {
        await central.close();
      }
    }));
}
