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
import { evaluateChallenge, observeFrame, type Challenge, type ChallengeBook, type ChallengeKind, type ChallengeResult, type FrameObservation } from './liveness/challenge.js';

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

/** The identity half of a login: an account and its password, or an ID number and its one-time code. */
export type IdentityRequest = Pick<LoginRequest, 'account' | 'idNumber' | 'password' | 'code'>;

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

  const failWith = (req: { terminal: string }, threshold: number) => (reason: LoginReason, extra: Partial<LoginOutcome> = {}): LoginOutcome => {
    const locks = [d.terminalLockout.fail(req.terminal), extra.account ? d.accountLockout.fail(extra.account) : 0];
    const lockedForMs = Math.max(...locks);
    return { ok: false, reason, threshold, ...extra, ...(lockedForMs ? { lockedForMs } : {}) };
  };

  /**
   * The password or the one-time code of an account, checked before any face work: a wrong password is
   * told at once, not after the camera and the liveness challenge.
   */
  async function checkIdentity(req: IdentityRequest, account: string, proposed: boolean, fail: ReturnType<typeof failWith>): Promise<LoginOutcome | { method: 'password' | 'otp' }> {
    if (req.password !== undefined) {
      if (!(await d.credentials.checkPassword(account, req.password))) return fail('IDENTITY_FAILED', { account, method: 'password', proposed });
      return { method: 'password' };
    }
    if (req.code !== undefined && req.idNumber) {
      if (!d.otp.verify(account, req.code)) return fail('IDENTITY_FAILED', { account, method: 'otp', proposed });
      return { method: 'otp' };
    }
    return fail('IDENTITY_REQUIRED', { account, proposed });
  }

  async function attempt(req: LoginRequest): Promise<LoginOutcome> {
    const threshold = d.face.threshold;
    const fail = failWith(req, threshold);
    const tLock = d.terminalLockout.lockedFor(req.terminal);
    if (tLock) return { ok: false, reason: 'TERMINAL_LOCKED', threshold, lockedForMs: tLock };
    // single use: taken whatever the outcome
    const challenge = req.challengeId ? d.challenges.take(req.challengeId) : null;

    // the frames once, and only when needed: embeddings, yaw and eye opening for the match and the challenge
    const passive = d.passiveMin !== undefined;
    let analysedP: Promise<Array<Awaited<ReturnType<FaceService['analyse']>> | null>> | null = null;
    const analyse = () => (analysedP ??= Promise.all(req.frames.map((f) => d.face.analyse(f, { embed: 'largest', liveness: passive }).catch(() => null))));
    const observe = async () => {
      const analysed = await analyse();
      const obs: FrameObservation[] = analysed.map(observeFrame);
      const frontal = obs.map((o, i) => ({ o, i })).filter(({ o }) => o.embedding).sort((a, b) => Math.abs(a.o.yaw!) - Math.abs(b.o.yaw!))[0];
      return { analysed, obs, frontal };
    };

    let account = req.account?.trim() || undefined;
    let proposed = false;
    if (!account && req.idNumber) account = (await d.identity.accountForIdNumber(req.idNumber)) ?? undefined;
    if (!account && !req.idNumber) {
      // no claimed account: the face proposes one (identity is still required below)
      const { frontal } = await observe();
      if (frontal) { account = (await d.face.identify(frontal.o.embedding!, 1))[0]?.id; proposed = account !== undefined; }
      if (!account) return fail(frontal ? 'FACE_MISMATCH' : 'NO_FACE');
    }
    if (!account) return fail('ACCOUNT_UNKNOWN');
    const aLock = d.accountLockout.lockedFor(account);
    if (aLock) return { ok: false, reason: 'ACCOUNT_LOCKED', account, threshold, lockedForMs: aLock };

    const v = challenge?.verified;
    const id = v && v.account === account && v.terminal === req.terminal ? { method: v.method } : await checkIdentity(req, account, proposed, fail);
    if ('ok' in id) return id;
    const method = id.method;

    if (!(await d.face.isEnrolled(account))) return fail('NOT_ENROLLED', { account, method, proposed });
    const { analysed, obs, frontal } = await observe();
    if (!frontal) return fail('NO_FACE', { account, method, proposed });
    const score = (await d.face.scoreAgainst(account, frontal.o.embedding!))!;
    const base = { account, method, proposed, score: Math.round(score * 10000) / 10000 };
    if (score < threshold) return fail('FACE_MISMATCH', { ...base, quality: checkQuality(analysed[frontal.i]!).issues.map((i) => i.code) });

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

  /**
   * Step 1 of the terminal's login: the password or code is checked first, and the liveness challenge is
   * issued bound to the account and the terminal, so the final login does not ask for them again (a
   * one-time code cannot be used twice anyway). Failures count as login failures.
   */
  async function challengeFor(req: IdentityRequest & { terminal: string; terminalName?: string }, kinds: ChallengeKind[]): Promise<LoginOutcome | { ok: true; challenge: Challenge }> {
    const threshold = d.face.threshold;
    const fail = failWith(req, threshold);
    const tLock = d.terminalLockout.lockedFor(req.terminal);
    if (tLock) return { ok: false, reason: 'TERMINAL_LOCKED', threshold, lockedForMs: tLock };
    let account = req.account?.trim() || undefined;
    if (!account && req.idNumber) {
      account = (await d.identity.accountForIdNumber(req.idNumber)) ?? undefined;
      if (!account) return fail('ACCOUNT_UNKNOWN');
    }
    if (!account) return { ok: false, reason: 'IDENTITY_REQUIRED', threshold };
    const aLock = d.accountLockout.lockedFor(account);
    if (aLock) return { ok: false, reason: 'ACCOUNT_LOCKED', account, threshold, lockedForMs: aLock };
    const id = await checkIdentity(req, account, false, fail);
    if ('ok' in id) return id;
    return { ok: true, challenge: d.challenges.issue(kinds, { account, method: id.method, terminal: req.terminal }) };
  }

  return {
    async login(req: LoginRequest): Promise<LoginOutcome> { return record(await attempt(req), req); },
    /** Identity first: a challenge for a checked account, or the failure (recorded like a login's). */
    async challenge(req: IdentityRequest & { terminal: string; terminalName?: string }, kinds: ChallengeKind[]) {
      const r = await challengeFor(req, kinds);
      if (!('challenge' in r)) record(r, { ...req, frames: [] });
      return r;
    },
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
