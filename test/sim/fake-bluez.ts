// A fake BlueZ on a private D-Bus: exports org.bluez (AgentManager1, Adapter1, GattManager1, LEAdvertisingManager1,
// Device1, GattService1, GattCharacteristic1) so that node-ble (the box's central) and the relay's GATT
// application (registered through GattManager1) both run unchanged against it. A relay that registered an
// application and an advertisement appears to the central as a remote device; the central's WriteValue goes to
// the relay's characteristic, and the relay's notifications come back as PropertiesChanged on the device's.
import dbus from 'dbus-next';
import { createDeviceObjects, type RelayChar, type DeviceObjects } from './fake-bluez-device.js';

const { Interface } = dbus.interface;
type Bus = dbus.MessageBus;

export interface FakeBluezOptions { busAddress: string; mtu?: number; firstPeerAddress?: string; rssi?: number }

interface Peer {
  address: string;
  sender: string;
  appPath: string;
  advPath: string | null;
  name: string;
  uuids: string[];
  chars: RelayChar[];
  services: Array<{ path: string; uuid: string }>;
  device: DeviceObjects | null;
}

class AgentManager1 extends Interface {
  RegisterAgent(): void {}
  UnregisterAgent(): void {}
  RequestDefaultAgent(): void {}
}
AgentManager1.configureMembers({ methods: { RegisterAgent: { inSignature: 'os' }, UnregisterAgent: { inSignature: 'o' }, RequestDefaultAgent: { inSignature: 'o' } } });

export async function startFakeBluez(o: FakeBluezOptions) {
  const bus: Bus = dbus.sessionBus({ busAddress: o.busAddress });
  await bus.requestName('org.bluez', 0);
  const peers = new Map<string, Peer>();
  let mtu = o.mtu ?? 247;
  let discovering = false;
  let lastSender = '';
  let nextAddr = parseInt((o.firstPeerAddress ?? 'AA:BB:CC:DD:EE:01').replace(/:/g, ''), 16);
  const ADAPTER = '/org/bluez/hci0';

  // dbus-next does not hand the caller to method implementations; registration needs it to call back
  const senderHook = (msg: { member?: string; sender?: string }) => { if (msg.sender) lastSender = msg.sender; return false; };
  bus.addMethodHandler(senderHook);

  const exposeDevice = (p: Peer) => {
    if (p.device || !p.advPath) return;
    p.device = createDeviceObjects({ bus, adapterPath: ADAPTER, address: p.address, name: p.name, uuids: p.uuids, rssi: o.rssi ?? -60, mtu: () => mtu, relay: { sender: p.sender, chars: p.chars, services: p.services } });
  };

  class Adapter1 extends Interface {
    get Address() { return '00:1A:7D:DA:71:13'; }
    get AddressType() { return 'public'; }
    get Name() { return 'kefu-fake-hci0'; }
    get Alias() { return 'kefu-fake-hci0'; }
    get Powered() { return true; }
    get Discovering() { return discovering; }
    get UUIDs() { return [] as string[]; }
    SetDiscoveryFilter(): void {}
    StartDiscovery(): void {
      discovering = true;
      Interface.emitPropertiesChanged(this, { Discovering: true }, []);
      for (const p of peers.values()) exposeDevice(p);
    }
    StopDiscovery(): void { discovering = false; Interface.emitPropertiesChanged(this, { Discovering: false }, []); }
    RemoveDevice(path: string): void {
      for (const p of peers.values()) if (p.device?.path === path) { p.device.remove(); p.device = null; }
    }
  }
  Adapter1.configureMembers({
    properties: Object.fromEntries([['Address', 's'], ['AddressType', 's'], ['Name', 's'], ['Alias', 's'], ['Powered', 'b'], ['Discovering', 'b'], ['UUIDs', 'as']].map(([k, s]) => [k, { signature: s, access: 'read' as const }])),
    methods: { SetDiscoveryFilter: { inSignature: 'a{sv}' }, StartDiscovery: {}, StopDiscovery: {}, RemoveDevice: { inSignature: 'o' } },
  });

  const peerOf = (sender: string) => [...peers.values()].find((p) => p.sender === sender);
  const newPeer = (sender: string): Peer => {
    const address = nextAddr.toString(16).toUpperCase().padStart(12, '0').match(/../g)!.join(':');
    nextAddr += 1;
    const p: Peer = { address, sender, appPath: '', advPath: null, name: 'kefu-relay', uuids: [], chars: [], services: [], device: null };
    peers.set(address, p);
    return p;
  };
  const removePeer = (p: Peer) => { p.device?.remove(); p.device = null; peers.delete(p.address); };

  class GattManager1 extends Interface {
    async RegisterApplication(appPath: string): Promise<void> {
      const sender = lastSender;
      const om = (await bus.getProxyObject(sender, appPath)).getInterface('org.freedesktop.DBus.ObjectManager');
      const objects = (await om.GetManagedObjects()) as Record<string, Record<string, Record<string, dbus.Variant>>>;
      const p = peerOf(sender) ?? newPeer(sender);
      p.appPath = appPath;
      p.services = []; p.chars = [];
      for (const [path, ifaces] of Object.entries(objects)) {
        const s = ifaces['org.bluez.GattService1'];
        if (s) p.services.push({ path, uuid: String(s.UUID.value) });
        const c = ifaces['org.bluez.GattCharacteristic1'];
        if (c) p.chars.push({ path, uuid: String(c.UUID.value), flags: c.Flags.value as string[], service: String(c.Service.value) });
      }
      if (p.services.length === 0) throw new dbus.DBusError('org.bluez.Error.InvalidArguments', 'no GATT service in the application');
      if (discovering) exposeDevice(p);
    }
    UnregisterApplication(): void { const p = peerOf(lastSender); if (p) removePeer(p); }
  }
  GattManager1.configureMembers({ methods: { RegisterApplication: { inSignature: 'oa{sv}' }, UnregisterApplication: { inSignature: 'o' } } });

  class LEAdvertisingManager1 extends Interface {
    get ActiveInstances() { return [...peers.values()].filter((p) => p.advPath).length; }
    get SupportedInstances() { return 4; }
    async RegisterAdvertisement(advPath: string): Promise<void> {
      const sender = lastSender;
      const props = (await bus.getProxyObject(sender, advPath)).getInterface('org.freedesktop.DBus.Properties');
      const all = (await props.GetAll('org.bluez.LEAdvertisement1')) as Record<string, dbus.Variant>;
      const p = peerOf(sender) ?? newPeer(sender);
      p.advPath = advPath;
      p.name = String(all.LocalName?.value ?? 'kefu-relay');
      p.uuids = (all.ServiceUUIDs?.value as string[] | undefined) ?? [];
      if (discovering && p.appPath) exposeDevice(p);
    }
    UnregisterAdvertisement(): void { const p = peerOf(lastSender); if (p) p.advPath = null; }
  }
  LEAdvertisingManager1.configureMembers({
    properties: { ActiveInstances: { signature: 'y', access: 'read' }, SupportedInstances: { signature: 'y', access: 'read' } },
    methods: { RegisterAdvertisement: { inSignature: 'oa{sv}' }, UnregisterAdvertisement: { inSignature: 'o' } },
  });

  bus.export('/org/bluez', new AgentManager1('org.bluez.AgentManager1'));
  bus.export(ADAPTER, new Adapter1('org.bluez.Adapter1'));
  bus.export(ADAPTER, new GattManager1('org.bluez.GattManager1'));
  bus.export(ADAPTER, new LEAdvertisingManager1('org.bluez.LEAdvertisingManager1'));

  // a relay process that vanishes takes its peripheral with it
  const dbusIface = (await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
  const onOwner = (name: string, _old: string, next: string) => { if (!next) { const p = peerOf(name); if (p) removePeer(p); } };
  dbusIface.on('NameOwnerChanged', onOwner);

  return {
    adapterPath: ADAPTER,
    peers: () => [...peers.values()].map((p) => ({ address: p.address, name: p.name, connected: p.device?.connected() ?? false })),
    setMtu(n: number) { mtu = n; },
    /** simulated radio loss: the central sees Connected=false, its objects vanish, the relay's notify session stops */
    drop(address?: string) { for (const p of peers.values()) if (!address || p.address === address) p.device?.disconnect('link loss'); },
    async stop() {
      dbusIface.off('NameOwnerChanged', onOwner);
      bus.removeMethodHandler(senderHook);
      for (const p of [...peers.values()]) removePeer(p);
      bus.disconnect();
    },
  };
}

export type FakeBluez = Awaited<ReturnType<typeof startFakeBluez>>;
