// `node --import tsx --import <this file> cli/bin.js start …`: adds the failover-seq test plugin to the daemon's
// built-in plugin list before the CLI loads its config, so the real `kefu start` runs with an event source the
// test controls. Nothing else in the daemon changes.
import { plugins } from '../../daemon/builtins.js';

if (!plugins.some((p) => p.name === 'failover-seq')) {
  plugins.push({
    name: 'failover-seq',
    schema: async () => (await import('./failover-seq-plugin.js')).default.config,
    load: async () => (await import('./failover-seq-plugin.js')).default,
  });
}
