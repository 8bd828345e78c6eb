// Child process of the master-ingest bench: the master's embedded broker (aedes + policy hooks) alone, for
// the "broker in its own process" topology (the master then connects to it as an external broker).
// argv: dataDir (whose credential store holds the service user and the boxes). Sends {port} once listening.
import { createEmbeddedBroker } from '../../master/broker/embedded-broker.js';
import { EmbeddedBrokerConfig } from '../../master/broker/broker-config.js';
import { createCredentialStore } from '../../master/credentials/credential-store.js';
import { silentLogger } from '../../daemon/logger.js';

const broker = createEmbeddedBroker({
  config: EmbeddedBrokerConfig.parse({ tcp: { host: '127.0.0.1', port: 0 }, connectRate: { perWindow: 1000, windowMs: 1000 } }),
  credentials: createCredentialStore({ dataDir: process.argv[2] }),
  log: silentLogger(),
});
const addrs = await broker.start();
process.send!({ port: addrs.tcp!.port });
process.on('disconnect', () => { void broker.stop().then(() => process.exit(0)); });
