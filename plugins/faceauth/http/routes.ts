// The terminal API under /p/faceauth/api/: frames travel as base64 JPEG (data URLs accepted).
import { z } from 'zod';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { KefuError, toErrorBody } from '../../../protocol/errors.js';
import type { FaceService } from '../face-service.js';
import type { TemplateStore } from '../store/template-store.js';
import type { LoginService } from '../login.js';
import type { IdentityProvider } from '../auth/identity-provider.js';
import type { CredentialStore } from '../auth/passwords.js';
import type { ChallengeBook, ChallengeKind } from '../liveness/challenge.js';

export interface FaceApi {
  face: FaceService; templates: TemplateStore; login: LoginService; identity: IdentityProvider; credentials: CredentialStore; challenges: ChallengeBook;
  challengeKinds: ChallengeKind[];
  /** demo mode (one-time codes echoed): the login page may show the demo accounts and codes */
  demo: boolean;
  onEnrolled(account: string, frames: number): void;
}

type Route = Omit<RouteOptions, 'url'> & { url: string };

const image = z.string().min(16).max(4_000_000);
const frames = z.array(image).min(1).max(30);
const Enroll = z.object({ account: z.string().min(1).max(64), idNumber: z.string().min(6).max(32), name: z.string().max(64).optional(), password: z.string().min(6).max(128).optional(), frames }).strict();
const Login = z.object({
  account: z.string().max(64).optional(), idNumber: z.string().max(32).optional(), password: z.string().max(128).optional(),
  code: z.string().max(12).optional(), challengeId: z.string().max(64).optional(), frames,
}).strict();

const Identity = z.object({
  account: z.string().max(64).optional(), idNumber: z.string().max(32).optional(), password: z.string().max(128).optional(), code: z.string().max(12).optional(),
}).strict();

export function decodeFrame(s: string): Uint8Array {
  const b64 = s.startsWith('data:') ? s.slice(s.indexOf(',') + 1) : s;
  const buf = Buffer.from(b64, 'base64');
  if (buf.length < 16) throw new KefuError('FACE_BAD_IMAGE', 'frame is not a base64 image');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Lockouts key on the address; the terminal's name header only labels archive events. */
const terminalOf = (req: FastifyRequest) => req.ip;
const terminalName = (req: FastifyRequest) => (typeof req.headers['x-kefu-terminal'] === 'string' ? req.headers['x-kefu-terminal'].slice(0, 64) : undefined);

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw new KefuError('FACE_BAD_REQUEST', r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

/** Wraps a handler: a KefuError becomes 400 with its code, anything else 500 (logged by fastify). */
function handle(fn: (req: FastifyRequest) => Promise<unknown>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    try { return await fn(req); } catch (err) {
      if (err instanceof KefuError) return reply.status(400).send({ error: { ...toErrorBody(err), ...(err.details ? { details: err.details } : {}) } });
      throw err;
    }
  };
}

export function faceRoutes(api: () => FaceApi): Route[] {
  return [
    { method: 'GET', url: '/api/status', handler: handle(async () => ({ threshold: api().face.threshold, enrolled: (await api().face.accounts()).length })) },
    {
      method: 'POST', url: '/api/quality',
      handler: handle(async (req) => {
        const v = await api().face.checkFrame(decodeFrame(parse(z.object({ image }), req.body).image));
        return { ok: v.ok, issues: v.issues, face: v.face ? { box: v.face.box, yaw: v.face.pose.yaw } : null };
      }),
    },
    {
      // the same records check the enrollment makes first, before the customer stands through the capture
      // (no new information: /api/enroll answers it before it looks at a frame)
      method: 'POST', url: '/api/enroll/check',
      handler: handle(async (req) => {
        const b = parse(Enroll.omit({ frames: true, password: true }), req.body);
        const check = await api().identity.verifyRegistration({ account: b.account, idNumber: b.idNumber, name: b.name });
        if (!check.ok) throw new KefuError('FACE_REGISTRATION_REFUSED', `registration not confirmed by the operator's records: ${check.reason}`, { reason: check.reason });
        return { ok: true };
      }),
    },
    {
      method: 'POST', url: '/api/enroll',
      handler: handle(async (req) => {
        const b = parse(Enroll, req.body);
        const check = await api().identity.verifyRegistration({ account: b.account, idNumber: b.idNumber, name: b.name });
        if (!check.ok) throw new KefuError('FACE_REGISTRATION_REFUSED', `registration not confirmed by the operator's records: ${check.reason}`, { reason: check.reason });
        const r = await api().face.enroll(b.account, b.frames.map(decodeFrame));
        if (b.password) await api().credentials.setPassword(b.account, b.password);
        api().onEnrolled(b.account, r.frames);
        return { ok: true, ...r };
      }),
    },
    {
      method: 'POST', url: '/api/challenge',
      handler: handle(async (req) => {
        const b = parse(Identity, req.body);
        // without credentials: a bare challenge (the login then checks the password or code itself)
        if (b.account === undefined && b.idNumber === undefined) {
          const c = api().challenges.issue(api().challengeKinds);
          return { id: c.id, kind: c.kind, expiresAt: c.expiresAt };
        }
        const r = await api().login.challenge({ ...b, terminal: terminalOf(req), terminalName: terminalName(req) }, api().challengeKinds);
        if (!('challenge' in r)) return r;
        return { ok: true, verified: true, id: r.challenge.id, kind: r.challenge.kind, expiresAt: r.challenge.expiresAt };
      }),
    },
    {
      // demo mode only (the code is echoed): the demo ID numbers, so a first-time user can log in at all
      method: 'GET', url: '/api/demo',
      handler: handle(async () => {
        if (!api().demo) return { demo: false };
        const accounts = await api().identity.listAccounts();
        const enrolled = new Set(await api().face.accounts());
        return { demo: true, accounts: accounts.slice(0, 5).map((a) => ({ ...a, enrolled: enrolled.has(a.account) })) };
      }),
    },
    {
      method: 'POST', url: '/api/otp',
      handler: handle(async (req) => api().login.requestCode(parse(z.object({ idNumber: z.string().min(6).max(32) }), req.body).idNumber, terminalOf(req))),
    },
    {
      method: 'POST', url: '/api/login',
      handler: handle(async (req) => {
        const b = parse(Login, req.body);
        return api().login.login({ ...b, terminal: terminalOf(req), terminalName: terminalName(req), frames: b.frames.map(decodeFrame) });
      }),
    },
    {
      method: 'POST', url: '/api/identify',
      handler: handle(async (req) => {
        const r = await api().face.analyse(decodeFrame(parse(z.object({ image }), req.body).image));
        return api().login.propose(r.faces[0]?.embedding, terminalOf(req));
      }),
    },
  ];
}
