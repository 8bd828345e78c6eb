// An agent escalates a conversation to a video call. Chat asks the video plugin over the bus and never imports
// it: a box without video answers CHAT_VIDEO_UNAVAILABLE. The call is noted in the conversation (both sides
// see it), the agent gets the join path, and asking again while the call lasts rejoins the same call.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EventBus } from '../../daemon/event-bus.js';
import { CommandError } from '../../protocol/errors.js';
import type { ChatService } from './service.js';

export interface ChatCall { convId: string; callId: string; joinPath: string; agentId: string | null }
export type CallEvent = { type: 'started' | 'ended' | 'declined'; call: ChatCall };

const OWNER = 'chat.video';

export function createVideoEscalation(deps: { service: ChatService; bus: EventBus; log: Logger; answerMs?: number }) {
  const { service, bus, log } = deps;
  const active = new Map<string, ChatCall>();
  /** how the customer answered each active call's invitation (by call id): the note at its end depends on it */
  const answers = new Map<string, 'accepted' | 'declined'>();
  const waiting = new Map<string, { resolve(c: ChatCall): void; reject(e: Error): void; agentId: string }>();
  const listeners = new Set<(e: CallEvent) => void>();
  const fire = (e: CallEvent) => { for (const l of listeners) l(e); };
  const note = (convId: string, zh: string, en: string) =>
    service.note(convId, { zh, en }).catch((err: unknown) => log.warn({ err, convId }, 'call note not written'));

  bus.on('video.call.created', OWNER, (e) => {
    if (!e.conversationId) return;
    const w = e.requestId ? waiting.get(e.requestId) : undefined;
    if (e.requestId) waiting.delete(e.requestId);
    const call: ChatCall = { convId: e.conversationId, callId: e.callId, joinPath: e.joinPath, agentId: w?.agentId ?? null };
    active.set(call.convId, call);
    void note(call.convId, '客服邀请您进行视频通话，请在屏幕上点击“接听”。', 'The agent invites you to a video call: tap "Answer" on the screen.');
    w?.resolve(call);
    fire({ type: 'started', call });
  });
  bus.on('video.call.refused', OWNER, (e) => {
    const w = waiting.get(e.requestId);
    if (!w) return;
    waiting.delete(e.requestId);
    w.reject(new CommandError(e.code, e.message));
  });
  bus.on('video.call.invite', OWNER, (e) => {
    const call = e.conversationId ? active.get(e.conversationId) : undefined;
    if (!call || call.callId !== e.callId) return;
    // once taken, a later "declined" (another screen of the same customer) does not undo it
    if (answers.get(e.callId) !== 'accepted') answers.set(e.callId, e.answer);
    if (e.answer !== 'declined') return;
    void note(call.convId, '您暂未接听视频通话，可继续文字咨询。', 'You did not take the video call; the chat goes on.');
    fire({ type: 'declined', call });
  });
  bus.on('video.call.ended', OWNER, (e) => {
    const call = e.conversationId ? active.get(e.conversationId) : undefined;
    if (!call || call.callId !== e.callId) return;
    active.delete(call.convId);
    const answer = answers.get(call.callId);
    answers.delete(call.callId);
    // a call the customer never took has no duration to tell; a declined one was noted when it was declined
    if (answer === 'accepted') void note(call.convId, `视频通话已结束（${e.durationS} 秒）。`, `The video call has ended (${e.durationS} s).`);
    else if (answer === undefined) void note(call.convId, '视频通话邀请已取消。', 'The video call invitation was withdrawn.');
    fire({ type: 'ended', call });
  });

  return {
    async request(agentId: string, convId: string): Promise<ChatCall> {
      const c = await service.conversation(convId);
      if (c.agentId !== agentId || c.status !== 'active') throw new CommandError('CHAT_NOT_YOURS', 'accept the conversation first');
      const running = active.get(convId);
      if (running) return running;
      const requestId = randomUUID();
      const answered = new Promise<ChatCall>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(requestId);
          reject(new CommandError('CHAT_VIDEO_UNAVAILABLE', 'no video service answered: is the video plugin enabled on this box?'));
        }, deps.answerMs ?? 3000);
        waiting.set(requestId, {
          agentId,
          resolve: (call) => { clearTimeout(timer); resolve(call); },
          reject: (err) => { clearTimeout(timer); reject(err); },
        });
      });
      bus.emit('video.call.request', { conversationId: convId, agentId, terminals: [c.terminalId], requestId });
      return answered;
    },
    callOf: (convId: string) => active.get(convId),
    subscribe(fn: (e: CallEvent) => void) { listeners.add(fn); return () => { listeners.delete(fn); }; },
    stop() {
      bus.removeOwner(OWNER);
      for (const w of waiting.values()) w.reject(new CommandError('CHAT_NOT_STARTED', 'chat is stopping'));
      waiting.clear(); listeners.clear(); active.clear(); answers.clear();
    },
  };
}
export type VideoEscalation = ReturnType<typeof createVideoEscalation>;
