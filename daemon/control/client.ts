// Client of the daemon's control socket, for `kefu status`, `plugins`, `transports` and `kefu doctor`.
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { KefuError } from '../../protocol/errors.js';
import { controlSocketPath, type ControlResponse } from './protocol.js';

export async function controlRequest<T = unknown>(dataDir: string, method: string, params?: unknown, timeoutMs = 5000): Promise<T> {
  const path = controlSocketPath(dataDir);
  return new Promise<T>((resolve, reject) => {
    const socket = connect(path);
    const timer = setTimeout(() => { socket.destroy(); reject(new KefuError('CONTROL_TIMEOUT', `the daemon did not answer "${method}" within ${timeoutMs} ms`)); }, timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // the socket is the daemon's own (root-only): one this user may not open says nothing about whether it runs
      if (err.code === 'EACCES' || err.code === 'EPERM') reject(new KefuError('CONTROL_DENIED', `the daemon's control socket ${path} is not open to this user (${err.code}): run kefu as root or as the daemon's user (the systemd unit's is kefu: \`runuser -u kefu -- kefu …\`)`));
      else reject(new KefuError('DAEMON_NOT_RUNNING', `the daemon is not running: nothing answers at ${path} (${err.code}); start the box with this data folder (\`npm start\`/\`kefu up\`, \`kefu start\`, or \`systemctl start kefu\`)`));
    });
    socket.on('connect', () => socket.write(`${JSON.stringify({ id: 1, method, params })}\n`));
    // readline re-emits the socket's errors: the socket's own handler above reports them
    const lines = createInterface({ input: socket });
    lines.on('error', () => {});
    lines.once('line', (line) => {
      clearTimeout(timer);
      socket.end();
      const res = JSON.parse(line) as ControlResponse;
      if (res.ok) resolve(res.result as T);
      else reject(new KefuError(res.error.code, res.error.message));
    });
  });
}
