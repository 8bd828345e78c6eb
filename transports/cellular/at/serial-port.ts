// Our small interface over `serialport`, so the engine can run over anything that moves bytes (tests, ptys).
import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { TransportError } from '../../../protocol/errors.js';

export interface AtPort {
  readonly path: string;
  write(data: string): Promise<void>;
  onData(listener: (chunk: string) => void): () => void;
  /** fires once when the device goes away or the port is closed */
  onClose(listener: (err?: Error) => void): () => void;
  close(): Promise<void>;
}

export async function openSerialPort(path: string, baudRate = 115200): Promise<AtPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((err) => (err ? rej(new TransportError('PORT_OPEN_FAILED', `cannot open ${path}: ${err.message}`)) : res())));
  let closed = false;
  const closeListeners = new Set<(err?: Error) => void>();
  const fireClose = (err?: Error) => {
    if (closed) return;
    closed = true;
    clearInterval(nodeWatch);
    for (const l of [...closeListeners]) l(err);
  };
  // The poller's hang-up event can be missed (seen on ptys under load); a device node that is gone is the
  // other sure sign of an unplugged modem, and costs one stat() a quarter second.
  const nodeWatch = setInterval(() => {
    stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' || closed) return;
      fireClose(new TransportError('PORT_VANISHED', `${path} disappeared`));
      if (port.isOpen) port.close(() => undefined);
    });
  }, 250);
  nodeWatch.unref();
  port.on('close', (err?: Error) => fireClose(err ?? undefined));
  // Errors after open are followed by close on a vanished device; keep them from becoming uncaught.
  port.on('error', (err) => fireClose(err));
  return {
    path,
    write: (data) => new Promise((res, rej) => {
      if (closed) { rej(new TransportError('PORT_CLOSED', `${path} is closed`)); return; }
      port.write(data, 'latin1', (err) => (err ? rej(err) : res()));
    }),
    onData(listener) {
      const h = (b: Buffer) => listener(b.toString('latin1'));
      port.on('data', h);
      return () => { port.off('data', h); };
    },
    onClose(listener) { closeListeners.add(listener); return () => { closeListeners.delete(listener); }; },
    close: () => new Promise((res) => {
      if (closed || !port.isOpen) { closed = true; res(); return; }
      port.close(() => { fireClose(); res(); });
    }),
  };
}

export interface SerialCandidate { path: string; vendorId?: string; productId?: string; pnpId?: string }

export async function listSerialPorts(): Promise<SerialCandidate[]> {
  return (await SerialPort.list()).map((p) => ({ path: p.path, vendorId: p.vendorId, productId: p.productId, pnpId: p.pnpId }));
}
