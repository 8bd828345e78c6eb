// What the tunnel needs from a GATT link, whichever side it is on: send one frame, receive frames, learn of the
// drop. The central (node-ble) and the relay (a BlueZ GATT application) each provide one.
import type { Disposer } from '../transport.js';

export interface BlePipe {
  /** ATT MTU agreed for this connection */
  readonly mtu: number;
  /** one GATT write (central) or notification (relay); rejects when the link is gone */
  send(frame: Buffer): Promise<void>;
  onFrame(listener: (frame: Buffer) => void): Disposer;
  /** the link dropped (disconnect, D-Bus error); fires once */
  onClose(listener: (err: Error) => void): Disposer;
  close(): Promise<void>;
}
