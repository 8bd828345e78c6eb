// Bus events faceauth adds (declaration merging into the daemon's event map).
declare module '../../daemon/bus-events.js' {
  interface BusEvents {
    /** a customer asked to be erased (the archive plugin emits it; every plugin holding personal data obeys) */
    'archive.erase': { customerId: string; requestId?: string };
    'faceauth.enrolled': { account: string; frames: number };
    'faceauth.deleted': { account: string; reason: 'request' | 'erase' };
  }
}
export {};
