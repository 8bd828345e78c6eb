// PUBACK after the store commit. mqtt.js acknowledges a QoS 1 message as soon as its 'message' listeners
// returned, and its documented hooks (customHandleAcks, handleMessage) hold the whole inbound packet pump
// until they call back: waiting there for a commit would store one event per commit. So the client's
// packet writer is wrapped instead: the PUBACK of a held message is kept back (the pump goes on) and
// written when release() says the event is stored. A connection that closes drops what is held: the
// broker redelivers those messages to the persistent session and the store dedupes them.
import type { IPublishPacket, MqttClient, Packet } from 'mqtt';

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => void;
type Held = 'pending' | 'released' | Packet;

export interface DeferredPuback {
  /** mqtt.js could be hooked (its private packet writer exists); otherwise PUBACKs go out as before */
  readonly supported: boolean;
  /** call synchronously from the 'message' listener: this message's PUBACK waits for release() */
  hold(packet: IPublishPacket): void;
  release(packet: IPublishPacket): void;
  /** from now on, PUBACKs of messages nobody holds are never sent (the master is stopping; the broker keeps them) */
  refuseUnheld(): void;
  readonly held: number;
  uninstall(): void;
}

export function deferPubacks(client: MqttClient): DeferredPuback {
  const target = client as unknown as { _sendPacket?: SendPacket };
  const original = target._sendPacket;
  const supported = typeof original === 'function';
  const byMessageId = new Map<number, IPublishPacket>();
  const held = new Map<IPublishPacket, Held>();
  let refusing = false;

  const send = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => original!.call(client, packet, cb, ...rest);

  function wrapped(packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]): void {
    if (packet.cmd === 'puback' && packet.messageId !== undefined) {
      const pub = byMessageId.get(packet.messageId);
      const state = pub ? held.get(pub) : undefined;
      if (pub) byMessageId.delete(packet.messageId);
      if (state === 'pending') {
        held.set(pub!, packet);
        cb?.(); // the inbound pump moves on to the next message
        return;
      }
      if (state === 'released') held.delete(pub!);
      else if (refusing) { cb?.(); return; }
    }
    send(packet, cb, ...rest);
  }

  const onClose = () => { byMessageId.clear(); held.clear(); };
  if (supported) {
    target._sendPacket = wrapped;
    client.on('close', onClose);
  }

  return {
    supported,
    hold(packet) {
      if (!supported || packet.qos !== 1 || packet.messageId === undefined) return;
      byMessageId.set(packet.messageId, packet);
      held.set(packet, 'pending');
    },
    release(packet) {
      const state = held.get(packet);
      if (state === undefined) return; // not held, or its connection is gone
      if (state === 'pending') { held.set(packet, 'released'); return; }
      if (state === 'released') return;
      held.delete(packet);
      send(state);
    },
    refuseUnheld() { refusing = true; },
    get held() { return held.size; },
    uninstall() {
      if (!supported) return;
      if (target._sendPacket === wrapped) target._sendPacket = original;
      client.off('close', onClose);
      onClose();
    },
  };
}
