// The demo prefers well-known ports, but must still start when one is taken: then it takes any free port.
import { createServer } from 'node:net';

export function portOrAny(preferred: number, host = '127.0.0.1'): Promise<number> {
  if (preferred === 0) return Promise.resolve(0);
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(0));
    srv.listen(preferred, host, () => srv.close(() => resolve(preferred)));
  });
}
