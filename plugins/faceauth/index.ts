export { default } from './plugin.js';
export { faceauthConfigSchema, DEFAULT_THRESHOLD } from './config.js';
export { DEMO_IDENTITIES, writeDemoIdentities } from './demo.js';
