export { default } from './plugin.js';
export { faceauthConfigSchema, DEFAULT_THRESHOLD } from './config.js';
