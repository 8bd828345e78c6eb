// What a customer writes: checked against the limits, answered by the router (the bot, a menu, or a handoff).
import { CommandError } from '../../protocol/errors.js';
import type { BusinessPolicy } from './business-policy.js';
import type { Conversation, FileRef } from './model.js';
import type { QueueAssignment } from './queue-assignment.js';
import { route } from './router.js';
import type { ServiceCore } from './service-core.js';

type Incoming = { text?: string; value?: string; file?: FileRef };

/** read after an await: the conversation may have changed meanwhile */
const stillTheBots = (c: Conversation, owner: Conversation['owner']) => c.status !== 'closed' && c.owner === owner;

export function createCustomerMessages(core: ServiceCore, assignment: QueueAssignment, policy: BusinessPolicy) {
  const { config, getConv, addMessage } = core;

  // a conversation's messages are handled one after another: the answer of one is awaited (the engine runs on its
  // own thread), and the next must see the conversation that answer left (a handoff silences the bot)
  const turns = new Map<string, Promise<unknown>>();
  function inTurn<T>(convId: string, work: () => Promise<T>): Promise<T> {
    const run = (turns.get(convId) ?? Promise.resolve()).then(work);
    const tail = run.catch(() => undefined);
    turns.set(convId, tail);
    void tail.then(() => { if (turns.get(convId) === tail) turns.delete(convId); });
    return run;
  }

  const customerMessage = (convId: string, m: Incoming): Promise<void> => inTurn(convId, () => customerTurn(convId, m));

  async function customerTurn(convId: string, m: Incoming) {
    const c = await getConv(convId);
    if (c.status === 'closed') throw new CommandError('CHAT_CLOSED', 'conversation is closed');
    if (m.file && m.file.size > config.limits.fileBytes) throw new CommandError('CHAT_FILE_TOO_LARGE', `file over ${config.limits.fileBytes} bytes`);
    if (m.text && m.text.length > config.limits.textChars) throw new CommandError('CHAT_TEXT_TOO_LONG', `text over ${config.limits.textChars} characters`);
    const label = m.value ? (m.text ?? m.value) : m.text;
    core.record(c, 'chat.message', { kind: m.file ? 'file' : m.value ? 'button' : 'text' });
    if (m.file) { await addMessage(c, { from: 'customer', kind: m.file.mime.startsWith('image/') ? 'image' : 'file', file: m.file, text: m.text }); return; }
    // the customer's line goes out at once (the terminal's echo); the bot's answer follows when the engine's
    // thread replies, in the same turn, so seq keeps the order
    const writes: Array<Promise<unknown>> = [];
    if (label) writes.push(addMessage(c, { from: 'customer', kind: 'text', text: label }));
    const engine = core.engine();
    const owner = c.owner;
    const r = await route(c, { text: m.value ? undefined : m.text, value: m.value }, { engine, businesses: engine.kb.businesses, modeOf: policy.modeOf, humansOpen: policy.humansOpen });
    if (r.error) core.log.warn({ err: r.error, conv: c.id }, 'chat AI unavailable: handed to a human');
    // closed (the customer ended it) or taken over while the engine thought: the answer is no longer the bot's to give
    if (!stillTheBots(c, owner)) { await Promise.all(writes); return; }
    Object.assign(c, r.patch);
    for (const reply of r.replies) {
      writes.push(addMessage(c, { from: 'bot', kind: reply.buttons ? 'buttons' : 'text', text: reply.text, buttons: reply.buttons, kbId: reply.kbId }));
      if (reply.kbId) core.stats.aiAnswers++;
    }
    if (!r.handoff) writes.push(core.save(c));
    await Promise.all(writes);
    if (r.handoff) await assignment.handoff(c, r.handoff.business, r.handoff.reason);
  }

  return {
    customerMessage,
    /** the 转人工 button: a structured request, whatever label (language) the page showed */
    async requestHuman(convId: string, label?: string) {
      const c = await getConv(convId);
      await customerMessage(convId, { value: 'human', text: label || (c.lang === 'en' ? 'Human agent' : '转人工') });
    },
  };
}
