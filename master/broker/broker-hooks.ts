// aedes hooks built from the policy: authentication, the will check, topic ACLs and connect limits.
// Hooks are async inside and call aedes' callbacks exactly once.
import type { AedesOptions, AuthenticateError, Client, ConnectPacket } from 'aedes';
import type { Logger } from 'pino';
import type { CredentialStore } from '../credentials/credential-store.js';
import { canPublish, canSubscribe, clientIdOwner, sessionKind, type Principal } from './policy.js';
import type { ConnectLimiter } from './connect-limiter.js';

export interface BrokerCounters {
  connects: number; authFailures: number; rateLimited: number; deniedPublish: number; deniedSubscribe: number;
  deniedWill: number; oversize: number;
  /** connects that closed a live session of the same client id */
  takeovers: number;
}

type ReturnCode = 2 | 4 | 5; // identifier rejected, bad username or password, not authorised

function authError(code: ReturnCode, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as unknown as AuthenticateError;
}

/**
 * Sees a box's authorised publish before aedes acknowledges it (aedes writes a QoS 1 PUBACK right after
 * authorizePublish): a returned promise holds the PUBACK until it settles, a rejection closes the session
 * without one. null: nothing to wait for.
 */
export type PublishInterceptor = (topic: string, payload: Buffer, retain: boolean) => Promise<void> | null;

export function createBrokerHooks(deps: { credentials: CredentialStore; limiter: ConnectLimiter; log: Logger; counters: BrokerCounters; intercept?: () => PublishInterceptor | null }) {
  const { credentials, limiter, log, counters } = deps;
  const principals = new WeakMap<Client, Principal>();
  const connectPackets = new WeakMap<Client, ConnectPacket>();
  // a box publishes to a handful of topics over and over: remember the ones its rules allowed
  const allowedTopics = new WeakMap<Principal, Set<string>>();
  const mayPublish = (who: Principal, topic: string) => {
    let known = allowedTopics.get(who);
    if (known?.has(topic)) return true;
    if (!canPublish(who, topic)) return false;
    if (!known) allowedTopics.set(who, (known = new Set()));
    if (known.size >= 256) known.clear();
    known.add(topic);
    return true;
  };

  const hooks: Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'> & { principalOf(c: Client): Principal | undefined } = {
    principalOf: (c) => principals.get(c),

    preConnect(client, packet, done) {
      const address = (client.conn as { remoteAddress?: string }).remoteAddress;
      if (!limiter.allow(address)) {
        counters.rateLimited++;
        log.warn({ address }, 'connect rate limit exceeded');
        done(new Error('connect rate limit exceeded'), false);
        return;
      }
      connectPackets.set(client, packet);
      done(null, true);
    },

    authenticate(client, username, password, done) {
      const packet = connectPackets.get(client);
      (async () => {
        if (!username || !password) return authError(4, 'username and password required');
        let who = await credentials.verify(username, password);
        if (!who) return authError(4, 'bad username or password');
        if (who.role === 'box') {
          // side sessions of a box (link probes, `kefu doctor`) use `{username}-{purpose}`: they never kick the
          // main session, and they may only connect and ping
          const kind = sessionKind(who.username, client.id);
          if (!kind) return authError(2, 'a box must connect with clientId = its username (or {username}-{purpose})');
          if (clientIdOwner(client.id, await credentials.principals()) !== who.username) return authError(2, `client id ${client.id} belongs to another user`);
          if (kind === 'side') who = { ...who, side: true };
        }
        // aedes only checks a will when it fires; refusing it here tells the box at once instead of losing its LWT
        if (packet?.will && !canPublish(who, packet.will.topic)) {
          counters.deniedWill++;
          return authError(5, `will topic ${packet.will.topic} not allowed`);
        }
        principals.set(client, who);
        return null;
      })().then(
        (err) => {
          if (err) {
            counters.authFailures++;
            log.warn({ clientId: client.id, username, reason: err.message }, 'connect refused');
            done(err, false);
          } else {
            counters.connects++;
            done(null, true);
          }
        },
        (err: Error) => {
          log.error({ err }, 'authentication failed with an error');
          done(authError(4, 'authentication unavailable'), false);
        },
      );
    },

    authorizePublish(client, packet, done) {
      if (packet.topic.startsWith('$SYS')) {
        counters.deniedPublish++;
        done(new Error('$SYS topics are reserved'));
        return;
      }
      // client is null only for a will left by another broker instance: its topic was checked at connect
      const who = client ? principals.get(client) : undefined;
      if (client && (!who || !mayPublish(who, packet.topic))) {
        counters.deniedPublish++;
        log.warn({ clientId: client.id, topic: packet.topic }, 'publish denied');
        done(new Error(`publish to ${packet.topic} not allowed`));
        return;
      }
      const held = who?.role === 'box' ? deps.intercept?.()?.(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), packet.retain) : null;
      if (!held) {
        done(null);
        return;
      }
      held.then(() => done(null), (err: Error) => done(err));
    },

    authorizeSubscribe(client, sub, done) {
      const who = principals.get(client);
      if (!who || !canSubscribe(who, sub.topic)) {
        counters.deniedSubscribe++;
        log.warn({ clientId: client.id, topic: sub.topic }, 'subscribe denied');
        done(null, null); // negative SUBACK (0x80) for this filter; the connection stays
        return;
      }
      done(null, sub);
    },
  };
  return hooks;
}
