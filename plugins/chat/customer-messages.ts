// What a customer writes: checked against the limits, answered by the router (the bot, a menu, or a handoff).
import { CommandError } from '../../protocol/errors.js';
import type { BusinessPolicy } from './business-policy.js';
import type { FileRef } from './model.js';
import type { QueueAssignment } from './queue-assignment.js';
import { route } from './router.js';
import type { ServiceCore } from './service-core.js';

export function createCustomerMessages(core: ServiceCore, assignment: QueueAssignment, policy: BusinessPolicy) {
  const { config, getConv, addMessage } = core;

  async function customerMessage(convId: string, m: { text?: string; value?: string; file?: FileRef }) {
    const c = await getConv(convId);
    if (c.status === 'closed') throw new CommandError('CHAT_CLOSED', 'conversation is closed');
    if (m.file && m.file.size > config.limits.fileBytes) throw new CommandError('CHAT_FILE_TOO_LARGE', `file over ${config.limits.fileBytes} bytes`);
    if (m.text && m.text.length > config.limits.textChars) throw new CommandError('CHAT_TEXT_TOO_LONG', `text over ${config.limits.textChars} characters`);
    const label = m.value ? (m.text ?? m.value) : m.text;
    core.record(c, 'chat.message', { kind: m.file ? 'file' : m.value ? 'button' : 'text' });
    if (m.file) { await addMessage(c, { from: 'customer', kind: m.file.mime.startsWith('image/') ? 'image' : 'file', file: m.file, text: m.text }); return; }
    // the customer's line, the bot's answer and the conversation are issued in the same tick, so they reach
    // the store as one group commit and the terminal gets the echo and the answer together (seq keeps the order)
    const writes: Array<Promise<unknown>> = [];
    if (label) writes.push(addMessage(c, { from: 'customer', kind: 'text', text: label }));
    const engine = core.engine();
    const r = route(c, { text: m.value ? undefined : m.text, value: m.value }, { engine, businesses: engine.kb.businesses, modeOf: policy.modeOf, humansOpen: policy.humansOpen });
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
