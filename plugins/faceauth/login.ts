// Login = face AND identity: the face (1:1 against the claimed account, or 1:N to propose it) plus a
// password or an ID number with a one-time code, plus the active liveness challenge. Failures count
// against the account and the terminal; every attempt becomes an archive event.
import type { Logger } from 'pino';
import type { EventBus } from '../../daemon/event-bus.js';
import type { FaceService } from './face-service.js';
import { checkQuality } from './quality.js';
import type { IdentityProvider } from './auth/identity-provider.js';
import type { CredentialStore } from './auth/passwords.js';
import type { OtpIssuer } from './auth/otp.js';
import type { Lockout } from './auth/lockout.js';
import { evaluateChallenge, observeFrame, type ChallengeBook, type ChallengeResult, type FrameObservation } from './liveness/challenge.js';

export interface LoginRequest {
  /** the lockout key of the terminal: its network address, which a client cannot choose */
  terminal: string;
  /** the terminal's self-declared name, for the archive only */
  terminalName?: string;
  account?: string;
  idNumber?: string;
  password?: string;
  code?: string;
  challengeId?: string;
  /** camera frames (JPEG), in capture order; the first frontal one is matched */
  frames: Uint8Array[];
}

export type LoginReason =
  | 'TERMINAL_LOCKED' | 'ACCOUNT_LOCKED' | 'ACCOUNT_UNKNOWN' | 'IDENTITY_REQUIRED' | 'IDENTITY_FAILED'
  | 'NOT_ENROLLED' | 'NO_FACE' | 'FACE_MISMATCH' | 'LIVENESS_REQUIRED' | 'LIVENESS_FAILED' | 'SPOOF_SUSPECTED';

export interface LoginOutcome {
  ok: boolean;
  account?: string;
  reason?: LoginReason;
  method?: 'password' | 'otp';
  score?: number;
  threshold: number;
  liveness?: ChallengeResult & { kind?: string; passive?: number };
  lockedForMs?: number;
  proposed?: boolean;
  /** quality problems of the matched frame, so a terminal can say why a face did not match (dark, blurred…) */
  quality?: string[];
}

export interface LoginDeps {
  face: FaceService;
  identity: IdentityProvider;
  credentials: CredentialStore;
  otp: OtpIssuer;
  accountLockout: Lockout;
  terminalLockout: Lockout;
  challenges: ChallengeBook;
  bus: EventBus;
  log: Logger;
  livenessRequired: boolean;
  passiveMin?: number;
  /** demo only: hand the one-time code back to the caller */
  otpDemoEcho?: boolean;
}

export function createLoginService(d: LoginDeps) {
  function record(out: LoginOutcome, req: LoginRequest) {
    d.bus.emit('archive.record', {
      customerId: out.account ?? 'unknown', kind: 'faceauth.login', channel: 'terminal', ts: Date.now(),
      data: { outcome: out.ok ? 'success' : 'failure', reason: out.reason ?? null, method: out.method ?? null, score: out.score ?? null, terminal: req.terminalName ?? req.terminal, address: req.terminal, liveness: out.liveness?.passed ?? null, proposed: out.proposed ?? false },
    });
    d.log.info({ account: out.account, ok: out.ok, reason: out.reason, terminal: req.terminal }, 'face login attempt');
    return out;
  }

  async function attempt(req: LoginRequest): Promise<LoginOutcome> {
    const threshold = d.face.threshold;
    const fail = (reason: LoginReason, extra: Partial<LoginOutcome> = {}): LoginOutcome => {
      const locks = [d.terminalLockout.fail(req.terminal), extra.account ? d.accountLockout.fail(extra.account) : 0];
      const lockedForMs = Math.max(...locks);
      return { ok: false, reason, threshold, ...extra, ...(lockedForMs ? { lockedForMs } : {}) };
    };
    const tLock = d.terminalLockout.lockedFor(req.terminal);
    if (tLock) return { ok: false, reason: 'TERMINAL_LOCKED', threshold, lockedForMs: tLock };

    // the frames once: embeddings, yaw and eye opening for both the match and the challenge
    const passive = d.passiveMin !== undefined;
    const analysed = await Promise.all(req.frames.map((f) => d.face.analyse(f, { embed: 'largest', liveness: passive }).catch(() => null)));
    const obs: FrameObservation[] = analysed.map(observeFrame);
    const frontal = obs.map((o, i) => ({ o, i })).filter(({ o }) => o.embedding).sort((a, b) => Math.abs(a.o.yaw!) - Math.abs(b.o.yaw!))[0];

    let account = req.account?.trim() || undefined;
    let proposed = false;
    if (!account && req.idNumber) account = (await d.identity.accountForIdNumber(req.idNumber)) ?? undefined;
    if (!account && frontal) { account = (await d.face.identify(frontal.o.embedding!, 1))[0]?.id; proposed = account !== undefined; }
    if (!account) return fail(req.idNumber ? 'ACCOUNT_UNKNOWN' : frontal ? 'FACE_MISMATCH' : 'NO_FACE');
    const aLock = d.accountLockout.lockedFor(account);
    if (aLock) return { ok: false, reason: 'ACCOUNT_LOCKED', account, threshold, lockedForMs: aLock };

    let method: LoginOutcome['method'];
    if (req.password !== undefined) {
      method = 'password';
      if (!(await d.credentials.checkPassword(account, req.password))) return fail('IDENTITY_FAILED', { account, method, proposed });
    } else if (req.code !== undefined && req.idNumber) {
      method = 'otp';
      if (!d.otp.verify(account, req.code)) return fail('IDENTITY_FAILED', { account, method, proposed });
    } else {
      return fail('IDENTITY_REQUIRED', { account, proposed });
    }

    if (!(await d.face.isEnrolled(account))) return fail('NOT_ENROLLED', { account, method, proposed });
    if (!frontal) return fail('NO_FACE', { account, method, proposed });
    const score = (await d.face.scoreAgainst(account, frontal.o.embedding!))!;
    const base = { account, method, proposed, score: Math.round(score * 10000) / 10000 };
    if (score < threshold) return fail('FACE_MISMATCH', { ...base, quality: checkQuality(analysed[frontal.i]!).issues.map((i) => i.code) });

    const challenge = req.challengeId ? d.challenges.take(req.challengeId) : null;
    if (!challenge && d.livenessRequired) return fail('LIVENESS_REQUIRED', base);
    let liveness: LoginOutcome['liveness'];
    if (challenge) {
      liveness = { ...evaluateChallenge(challenge.kind, obs), kind: challenge.kind };
      if (!liveness.passed) return fail('LIVENESS_FAILED', { ...base, liveness });
    }
    if (passive) {
      // the passive model's "real" probability, averaged over the frames that have a face
      const scores = analysed.map((r) => r?.faces[0]?.liveness).filter((x): x is number => x !== undefined);
      const p = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : 0;
      liveness = { ...(liveness ?? { passed: true, detail: {} }), passive: Math.round(p * 1000) / 1000 };
      if (p < d.passiveMin!) return fail('SPOOF_SUSPECTED', { ...base, liveness });
    }
    d.accountLockout.succeed(account);
    d.terminalLockout.succeed(req.terminal);
    return { ok: true, threshold, ...base, ...(liveness ? { liveness } : {}) };
  }

  return {
    async login(req: LoginRequest): Promise<LoginOutcome> { return record(await attempt(req), req); },
    /**
     * 1:N proposal of the account for a face (to prefill the login form; identity is still required).
     * A miss counts against the terminal, so the gallery cannot be probed without limit.
     */
    async propose(embedding: Float32Array | undefined, terminal: string): Promise<{ candidates: Array<{ account: string; score: number }>; lockedForMs?: number }> {
      const tLock = d.terminalLockout.lockedFor(terminal);
      if (tLock) return { candidates: [], lockedForMs: tLock };
      const found = embedding ? await d.face.identify(embedding, 1) : [];
      if (found.length === 0) d.terminalLockout.fail(terminal);
      return { candidates: found.map((m) => ({ account: m.id, score: Math.round(m.score * 10000) / 10000 })) };
    },
    /** Sends a one-time code to the account behind an ID number; the answer does not tell whether it exists. */
    async requestCode(idNumber: string, terminal: string): Promise<{ sent: true; to?: string; code?: string }> {
      const tLock = d.terminalLockout.lockedFor(terminal);
      if (tLock) return { sent: true };
      const account = await d.identity.accountForIdNumber(idNumber);
      if (!account) { d.terminalLockout.fail(terminal); return { sent: true }; }
      const code = d.otp.issue(account);
      const r = await d.identity.sendCode(account, code);
      return { sent: true, to: r.to, ...(d.otpDemoEcho ? { code } : {}) };
    },
  };
}

export type LoginService = ReturnType<typeof createLoginService>;
