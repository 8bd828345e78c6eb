export { createMaster, RUNTIME_FILE, HTTP_TOKEN_FILE, SERVICE_SECRET_FILE, type Master, type MasterUrls } from './master.js';
export { MasterConfig, parseMasterConfig, loadMasterConfigFile, readMasterConfig, type MasterConfigInput } from './config.js';
export { createCredentialStore, credentialsFile, ensureBoxCredential, ensureServiceCredential, type CredentialStore, type BoxCredential } from './credentials/credential-store.js';
export { boxRules, canPublish, canSubscribe, mosquittoAcl, type Principal } from './broker/policy.js';
export { createEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
export { createFleetRegistry, type BoxInfo, type FleetRegistry } from './fleet/registry.js';
export { createCommandApi, type CommandApi } from './commands/command-api.js';
export { createDesiredConfigApi, type DesiredConfigApi } from './commands/desired-config-api.js';
export { createMasterClient, type MasterClient } from './http/master-client.js';
