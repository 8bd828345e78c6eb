export { default, createWiredTransport, WiredConfig } from './wired.js';
export { openSocket } from './open-socket.js';
