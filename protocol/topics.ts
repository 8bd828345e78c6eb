// Every MQTT topic of the contract is built and parsed here, nowhere else.
export const TOPIC_PREFIX = 'kefu/v1';
export const BROADCAST = '_all';

export interface BoxRef { region: string; box: string }

/** Region and box ids become topic levels: keep them to characters that are safe in topics and ACLs. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function boxRoot({ region, box }: BoxRef): string {
  return `${TOPIC_PREFIX}/${region}/${box}`;
}

export const topics = {
  state: (b: BoxRef) => `${boxRoot(b)}/state`,
  event: (b: BoxRef, plugin: string, type: string) => `${boxRoot(b)}/evt/${plugin}/${type}`,
  telemetry: (b: BoxRef, name: string) => `${boxRoot(b)}/tel/${name}`,
  command: (b: BoxRef, name: string) => `${boxRoot(b)}/cmd/${name}`,
  result: (b: BoxRef, cmdId: string) => `${boxRoot(b)}/res/${cmdId}`,
  cfg: (b: BoxRef) => `${boxRoot(b)}/cfg`,
  cfgReported: (b: BoxRef) => `${boxRoot(b)}/cfg/reported`,
  regionBroadcast: (region: string, name: string) => `${TOPIC_PREFIX}/${region}/${BROADCAST}/cmd/${name}`,
  globalBroadcast: (name: string) => `${TOPIC_PREFIX}/${BROADCAST}/cmd/${name}`,
};

/** What a box subscribes to: its own commands and config, and the two broadcast levels. */
export function boxSubscriptions(b: BoxRef): string[] {
  return [
    `${boxRoot(b)}/cmd/+`,
    topics.cfg(b),
    `${TOPIC_PREFIX}/${b.region}/${BROADCAST}/cmd/+`,
    `${TOPIC_PREFIX}/${BROADCAST}/cmd/+`,
  ];
}

/** What the master subscribes to (everything boxes send). */
export const masterSubscriptions = [
  `${TOPIC_PREFIX}/+/+/state`,
  `${TOPIC_PREFIX}/+/+/evt/#`,
  `${TOPIC_PREFIX}/+/+/tel/#`,
  `${TOPIC_PREFIX}/+/+/res/+`,
  `${TOPIC_PREFIX}/+/+/cfg/reported`,
];

export type ParsedTopic =
  | { kind: 'state'; region: string; box: string }
  | { kind: 'event'; region: string; box: string; plugin: string; type: string }
  | { kind: 'telemetry'; region: string; box: string; name: string }
  | { kind: 'command'; region: string; box: string; name: string; broadcast: 'none' | 'region' | 'global' }
  | { kind: 'result'; region: string; box: string; cmdId: string }
  | { kind: 'cfg'; region: string; box: string }
  | { kind: 'cfgReported'; region: string; box: string };

/** Parses a topic of the contract; returns null for anything else. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== 'kefu' || parts[1] !== 'v1') return null;
  if (parts[2] === BROADCAST && parts[3] === 'cmd' && parts.length === 5) {
    return { kind: 'command', region: BROADCAST, box: BROADCAST, name: parts[4], broadcast: 'global' };
  }
  const [region, box, kind, ...rest] = parts.slice(2);
  if (!region || !box || !kind) return null;
  if (kind === 'state' && rest.length === 0) return { kind: 'state', region, box };
  if (kind === 'evt' && rest.length === 2) return { kind: 'event', region, box, plugin: rest[0], type: rest[1] };
  if (kind === 'tel' && rest.length === 1) return { kind: 'telemetry', region, box, name: rest[0] };
  if (kind === 'cmd' && rest.length === 1) {
    return { kind: 'command', region, box, name: rest[0], broadcast: box === BROADCAST ? 'region' : 'none' };
  }
  if (kind === 'res' && rest.length === 1) return { kind: 'result', region, box, cmdId: rest[0] };
  if (kind === 'cfg' && rest.length === 0) return { kind: 'cfg', region, box };
  if (kind === 'cfg' && rest.length === 1 && rest[0] === 'reported') return { kind: 'cfgReported', region, box };
  return null;
}
