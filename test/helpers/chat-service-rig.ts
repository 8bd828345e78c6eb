// A chat service on a real level store with the tax-hall KB's engine, a clock the test moves, and what it sends
// to the master and the archive recorded (unit tests of plugins/chat/service.ts).
import { readFileSync } from 'node:fs';
import { createEventBus } from '../../daemon/event-bus.js';
import { createRootStore, sublevel } from '../../daemon/store.js';
import { silentLogger } from '../../daemon/logger.js';
import { parseKb } from '../../plugins/chat/ai/kb-schema.js';
import { createAnswerEngine } from '../../plugins/chat/ai/engine.js';
import { createChatStore } from '../../plugins/chat/chat-store.js';
import { chatConfigSchema, type ChatConfigInput } from '../../plugins/chat/config.js';
import { createChatService, type ServiceEvent } from '../../plugins/chat/service.js';
import { tempDir } from './tmp.js';

let engine: ReturnType<typeof createAnswerEngine> | undefined;

/** `gate`: each answer waits for it (an engine on its own thread, slow for a moment) */
export async function chatServiceRig(t: { after(fn: () => unknown): void }, cfg: Partial<ChatConfigInput> = {}, gate?: () => Promise<void>) {
  engine ??= createAnswerEngine(parseKb(JSON.parse(readFileSync(new URL('../fixtures/faq/kb.json', import.meta.url), 'utf8'))));
  const inline = engine;
  const answers = gate ? { kb: inline.kb, ask: async (q: string) => { await gate(); return inline.ask(q); } } : inline;
  const dir = await tempDir(t);
  const root = createRootStore(`${dir}/db`);
  await root.open();
  t.after(() => root.close());
  let clock = Date.UTC(2026, 0, 5, 2, 0); // a Monday, 10:00 in Shanghai
  const published: Array<{ type: string; data: unknown; class?: string }> = [];
  const archive: Array<{ kind: string }> = [];
  const bus = createEventBus(() => {});
  bus.on('archive.record', 'test', (p) => { archive.push(p); });
  const config = chatConfigSchema.parse({ kb: 'unused', ...cfg });
  const store = createChatStore(sublevel(root, 'chat'));
  /** another service on the same store: what a restarted box finds */
  const make = () => createChatService({
    store, bus, log: silentLogger(), config, engine: () => answers, now: () => clock,
    uplink: { async publish(type, data, o) { published.push({ type, data, class: o?.class }); return { id: String(published.length), seq: published.length }; }, telemetry() {} },
  });
  const svc = make();
  await svc.start();
  t.after(() => svc.stop());
  const events: ServiceEvent[] = [];
  svc.subscribe((e) => events.push(e));
  return { svc, make, store, events, published, archive, advance: (ms: number) => { clock += ms; } };
}
