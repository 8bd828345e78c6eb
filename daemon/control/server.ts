// Unix socket for local tools (`kefu status`, `kefu plugins`, `kefu transports`). Root-only by file mode.
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { KefuError, toErrorBody } from '../../protocol/errors.js';
import type { ControlRequest, ControlResponse } from './protocol.js';

export type ControlHandler = (params: unknown) => Promise<unknown> | unknown;

export function createControlServer(opts: { path: string; log: Logger }) {
  const handlers = new Map<string, ControlHandler>();
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  async function answer(line: string): Promise<ControlResponse> {
    let req: ControlRequest;
    try {
      req = JSON.parse(line) as ControlRequest;
    } catch {
      return { id: -1, ok: false, error: { code: 'CONTROL_BAD_REQUEST', message: 'not a JSON line' } };
    }
    const handler = handlers.get(req.method);
    if (!handler) return { id: req.id, ok: false, error: { code: 'CONTROL_UNKNOWN_METHOD', message: `unknown method "${req.method}" (known: ${[...handlers.keys()].join(', ')})` } };
    try {
      return { id: req.id, ok: true, result: await handler(req.params) };
    } catch (err) {
      if (!(err instanceof KefuError)) opts.log.error({ method: req.method, err: toErrorBody(err) }, 'control request failed');
      return { id: req.id, ok: false, error: toErrorBody(err) };
    }
  }

  return {
    handle(method: string, handler: ControlHandler): void { handlers.set(method, handler); },

    async start(): Promise<void> {
      await rm(opts.path, { force: true });
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
        const lines = createInterface({ input: socket, crlfDelay: Infinity });
        lines.on('line', (line) => {
          void answer(line).then((res) => { if (!socket.destroyed) socket.write(`${JSON.stringify(res)}\n`); });
        });
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(opts.path, () => resolve());
      });
      await chmod(opts.path, 0o600);
    },

    async stop(): Promise<void> {
      if (!server) return;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
      await rm(opts.path, { force: true });
    },
  };
}

export type ControlServer = ReturnType<typeof createControlServer>;
