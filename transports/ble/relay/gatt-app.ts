// The relay's side of the GATT link: a BlueZ GATT application (ObjectManager + the tunnel service with an RX
// write characteristic and a TX notify characteristic) and an LE advertisement, registered through
// org.bluez.GattManager1 / LEAdvertisingManager1. Each notify subscription is one central session (a BlePipe).
import dbus from 'dbus-next';
import { MIN_MTU } from '../frame.js';
import type { BlePipe } from '../pipe.js';
import { TUNNEL_RX_UUID, TUNNEL_SERVICE_UUID, TUNNEL_TX_UUID } from '../uuids.js';

const { Interface } = dbus.interface;
const { Variant } = dbus;

export interface GattAppOptions {
  bus: dbus.MessageBus;
  adapterPath: string;
  name: string;
  basePath?: string;
  onSession(pipe: BlePipe): void;
}

export async function registerGattApp(o: GattAppOptions) {
  const base = o.basePath ?? '/org/kefu/relay';
  const svcPath = `${base}/service0`;
  const rxPath = `${svcPath}/char0`;
  const txPath = `${svcPath}/char1`;
  const advPath = `${base}/advertisement0`;
  let session: ReturnType<typeof newSession> | null = null;
  let mtu = MIN_MTU;

  function newSession() {
    const frameL = new Set<(b: Buffer) => void>();
    const closeL = new Set<(e: Error) => void>();
    let closed = false;
    const pipe: BlePipe = {
      get mtu() { return mtu; },
      async send(frame: Buffer) {
        if (closed) throw new Error('central gone');
        tx.value = frame;
        Interface.emitPropertiesChanged(tx, { Value: frame }, []);
      },
      onFrame: (l) => { frameL.add(l); return () => frameL.delete(l); },
      onClose: (l) => { closeL.add(l); return () => closeL.delete(l); },
      async close() { end(new Error('relay closed the session')); },
    };
    const end = (err: Error) => { if (closed) return; closed = true; for (const l of [...closeL]) l(err); };
    return { pipe, feed: (b: Buffer) => { for (const l of [...frameL]) l(b); }, end };
  }
  const ensureSession = () => {
    if (!session) { session = newSession(); o.onSession(session.pipe); }
    return session;
  };

  class ObjectManager extends Interface {
    GetManagedObjects() {
      const chr = (uuid: string, flags: string[]) => ({ 'org.bluez.GattCharacteristic1': { UUID: new Variant('s', uuid), Service: new Variant('o', svcPath), Flags: new Variant('as', flags) } });
      return {
        [svcPath]: { 'org.bluez.GattService1': { UUID: new Variant('s', TUNNEL_SERVICE_UUID), Primary: new Variant('b', true) } },
        [rxPath]: chr(TUNNEL_RX_UUID, ['write', 'write-without-response']),
        [txPath]: chr(TUNNEL_TX_UUID, ['notify']),
      };
    }
  }
  ObjectManager.configureMembers({ methods: { GetManagedObjects: { outSignature: 'a{oa{sa{sv}}}' } } });

  class Service extends Interface {
    get UUID() { return TUNNEL_SERVICE_UUID; }
    get Primary() { return true; }
  }
  Service.configureMembers({ properties: { UUID: { signature: 's', access: 'read' }, Primary: { signature: 'b', access: 'read' } } });

  class Characteristic extends Interface {
    value: Buffer = Buffer.alloc(0);
    notifying = false;
    constructor(readonly uuid: string, readonly flags: string[]) { super('org.bluez.GattCharacteristic1'); }
    get UUID() { return this.uuid; }
    get Service() { return svcPath; }
    get Flags() { return this.flags; }
    get Value() { return this.value; }
    get Notifying() { return this.notifying; }
    ReadValue() { return this.value; }
    WriteValue(value: Buffer, options: Record<string, dbus.Variant>) {
      if (this.uuid !== TUNNEL_RX_UUID) return;
      const m = options?.mtu?.value;
      if (typeof m === 'number' && m >= MIN_MTU) mtu = m;
      ensureSession().feed(Buffer.from(value));
    }
    StartNotify() {
      if (this.uuid !== TUNNEL_TX_UUID) return;
      // a new subscription is a new central session: whatever was left of the previous one is over
      session?.end(new Error('central resubscribed'));
      session = null;
      this.notifying = true;
      ensureSession();
    }
    StopNotify() {
      if (this.uuid !== TUNNEL_TX_UUID) return;
      this.notifying = false;
      session?.end(new Error('central unsubscribed or disconnected'));
      session = null;
    }
  }
  Characteristic.configureMembers({
    properties: { UUID: { signature: 's', access: 'read' }, Service: { signature: 'o', access: 'read' }, Flags: { signature: 'as', access: 'read' }, Value: { signature: 'ay', access: 'read' }, Notifying: { signature: 'b', access: 'read' } },
    methods: { ReadValue: { inSignature: 'a{sv}', outSignature: 'ay' }, WriteValue: { inSignature: 'aya{sv}' }, StartNotify: {}, StopNotify: {} },
  });

  class Advertisement extends Interface {
    get Type() { return 'peripheral'; }
    get ServiceUUIDs() { return [TUNNEL_SERVICE_UUID]; }
    get LocalName() { return o.name; }
    get Includes() { return ['tx-power']; }
    Release() {}
  }
  Advertisement.configureMembers({
    properties: { Type: { signature: 's', access: 'read' }, ServiceUUIDs: { signature: 'as', access: 'read' }, LocalName: { signature: 's', access: 'read' }, Includes: { signature: 'as', access: 'read' } },
    methods: { Release: {} },
  });

  const om = new ObjectManager('org.freedesktop.DBus.ObjectManager');
  const svc = new Service('org.bluez.GattService1');
  const rx = new Characteristic(TUNNEL_RX_UUID, ['write', 'write-without-response']);
  const tx = new Characteristic(TUNNEL_TX_UUID, ['notify']);
  const adv = new Advertisement('org.bluez.LEAdvertisement1');
  const exports: Array<[string, dbus.interface.Interface]> = [[base, om], [svcPath, svc], [rxPath, rx], [txPath, tx], [advPath, adv]];
  for (const [p, i] of exports) o.bus.export(p, i);

  const adapter = await o.bus.getProxyObject('org.bluez', o.adapterPath);
  const gattManager = adapter.getInterface('org.bluez.GattManager1');
  const advManager = adapter.getInterface('org.bluez.LEAdvertisingManager1');
  await gattManager.RegisterApplication(base, {});
  await advManager.RegisterAdvertisement(advPath, {});

  return {
    async unregister(): Promise<void> {
      session?.end(new Error('relay stopping'));
      session = null;
      await advManager.UnregisterAdvertisement(advPath).catch(() => {});
      await gattManager.UnregisterApplication(base).catch(() => {});
      for (const [p, i] of exports) o.bus.unexport(p, i);
    },
  };
}
