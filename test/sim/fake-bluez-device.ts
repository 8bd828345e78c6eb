// One remote device of the fake BlueZ: Device1 plus a mirror of the relay's GATT services and characteristics
// under the device path, forwarding writes to the relay and its notifications back.
import dbus from 'dbus-next';

const { Interface } = dbus.interface;
const { Variant, DBusError } = dbus;

export interface RelayChar { path: string; uuid: string; flags: string[]; service: string }

export interface DeviceOptions {
  bus: dbus.MessageBus;
  adapterPath: string;
  address: string;
  name: string;
  uuids: string[];
  rssi: number;
  mtu: () => number;
  relay: { sender: string; chars: RelayChar[]; services: Array<{ path: string; uuid: string }> };
}

export type DeviceObjects = ReturnType<typeof createDeviceObjects>;

const notConnected = () => new DBusError('org.bluez.Error.NotConnected', 'Not Connected');

export function createDeviceObjects(o: DeviceOptions) {
  const path = `${o.adapterPath}/dev_${o.address.replace(/:/g, '_')}`;
  let connected = false;
  let resolved = false;
  let exported: Array<{ path: string; iface: dbus.interface.Interface; cleanup?: () => void }> = [];

  class Device1 extends Interface {
    get Address() { return o.address; }
    get AddressType() { return 'random'; }
    get Name() { return o.name; }
    get Alias() { return o.name; }
    get Paired() { return false; }
    get Trusted() { return false; }
    get Connected() { return connected; }
    get ServicesResolved() { return resolved; }
    get RSSI() { return o.rssi; }
    get UUIDs() { return o.uuids; }
    get Adapter() { return o.adapterPath; }
    async Connect(): Promise<void> {
      if (connected) return;
      connected = true;
      Interface.emitPropertiesChanged(this, { Connected: true }, []);
      exportGatt();
      setImmediate(() => { if (connected) { resolved = true; Interface.emitPropertiesChanged(device, { ServicesResolved: true }, []); } });
    }
    Disconnect(): void { disconnect('local'); }
    Pair(): void {}
    CancelPair(): void {}
  }
  Device1.configureMembers({
    properties: Object.fromEntries([['Address', 's'], ['AddressType', 's'], ['Name', 's'], ['Alias', 's'], ['Paired', 'b'], ['Trusted', 'b'], ['Connected', 'b'], ['ServicesResolved', 'b'], ['RSSI', 'n'], ['UUIDs', 'as'], ['Adapter', 'o']].map(([k, s]) => [k, { signature: s, access: 'read' as const }])),
    methods: { Connect: {}, Disconnect: {}, Pair: {}, CancelPair: {} },
  });

  class GattService1 extends Interface {
    constructor(readonly uuid: string) { super('org.bluez.GattService1'); }
    get UUID() { return this.uuid; }
    get Primary() { return true; }
    get Device() { return path; }
  }
  GattService1.configureMembers({ properties: { UUID: { signature: 's', access: 'read' }, Primary: { signature: 'b', access: 'read' }, Device: { signature: 'o', access: 'read' } } });

  class GattCharacteristic1 extends Interface {
    value: Buffer = Buffer.alloc(0);
    notifying = false;
    stopRelay: (() => void) | null = null;
    constructor(readonly relayChar: RelayChar, readonly servicePath: string) { super('org.bluez.GattCharacteristic1'); }
    get UUID() { return this.relayChar.uuid; }
    get Service() { return this.servicePath; }
    get Flags() { return this.relayChar.flags; }
    get Value() { return this.value; }
    get Notifying() { return this.notifying; }
    get MTU() { return o.mtu(); }
    private async relayIface(name: string) { return (await o.bus.getProxyObject(o.relay.sender, this.relayChar.path)).getInterface(name); }
    async ReadValue(): Promise<Buffer> {
      if (!connected) throw notConnected();
      return Buffer.from(await (await this.relayIface('org.bluez.GattCharacteristic1')).ReadValue({ device: new Variant('o', path) }));
    }
    async WriteValue(value: Buffer, options: Record<string, dbus.Variant>): Promise<void> {
      if (!connected) throw notConnected();
      if (value.length > o.mtu() - 3) throw new DBusError('org.bluez.Error.InvalidValueLength', `${value.length} bytes > MTU ${o.mtu()} - 3`);
      const c = await this.relayIface('org.bluez.GattCharacteristic1');
      await c.WriteValue(value, { device: new Variant('o', path), mtu: new Variant('q', o.mtu()), link: new Variant('s', 'LE'), type: options.type ?? new Variant('s', 'request') });
    }
    async StartNotify(): Promise<void> {
      if (!connected) throw notConnected();
      if (this.notifying) return;
      const props = await this.relayIface('org.freedesktop.DBus.Properties');
      const onChange = (iface: string, changed: Record<string, dbus.Variant>) => {
        if (iface !== 'org.bluez.GattCharacteristic1' || !changed.Value || !connected || !this.notifying) return;
        this.value = Buffer.from(changed.Value.value as Buffer);
        Interface.emitPropertiesChanged(this, { Value: this.value }, []);
      };
      props.on('PropertiesChanged', onChange);
      this.stopRelay = () => props.off('PropertiesChanged', onChange);
      await (await this.relayIface('org.bluez.GattCharacteristic1')).StartNotify();
      this.notifying = true;
      Interface.emitPropertiesChanged(this, { Notifying: true }, []);
    }
    async StopNotify(): Promise<void> {
      this.stopRelay?.(); this.stopRelay = null;
      if (!this.notifying) return;
      this.notifying = false;
      await (await this.relayIface('org.bluez.GattCharacteristic1')).StopNotify().catch(() => {});
    }
  }
  GattCharacteristic1.configureMembers({
    properties: { UUID: { signature: 's', access: 'read' }, Service: { signature: 'o', access: 'read' }, Flags: { signature: 'as', access: 'read' }, Value: { signature: 'ay', access: 'read' }, Notifying: { signature: 'b', access: 'read' }, MTU: { signature: 'q', access: 'read' } },
    methods: { ReadValue: { inSignature: 'a{sv}', outSignature: 'ay' }, WriteValue: { inSignature: 'aya{sv}' }, StartNotify: {}, StopNotify: {} },
  });

  function exportGatt(): void {
    o.relay.services.forEach((s, i) => {
      const sPath = `${path}/service${(0x10 * (i + 1)).toString(16).padStart(4, '0')}`;
      const svc = new GattService1(s.uuid);
      o.bus.export(sPath, svc);
      exported.push({ path: sPath, iface: svc });
      o.relay.chars.filter((c) => c.service === s.path).forEach((c, j) => {
        const cPath = `${sPath}/char${(0x10 * (i + 1) + j + 1).toString(16).padStart(4, '0')}`;
        const ch = new GattCharacteristic1(c, sPath);
        o.bus.export(cPath, ch);
        exported.push({ path: cPath, iface: ch, cleanup: () => { void ch.StopNotify(); } });
      });
    });
  }

  function disconnect(_why: string): void {
    if (!connected) return;
    connected = false; resolved = false;
    for (const e of exported.reverse()) { e.cleanup?.(); o.bus.unexport(e.path, e.iface); }
    exported = [];
    Interface.emitPropertiesChanged(device, { Connected: false, ServicesResolved: false }, []);
  }

  const device = new Device1('org.bluez.Device1');
  o.bus.export(path, device);

  return {
    path,
    connected: () => connected,
    disconnect,
    remove(): void { disconnect('removed'); o.bus.unexport(path, device); },
  };
}
