// The faceauth plugin: face capture and login for the hall's terminals (see DESIGN.md "Plugins").
import './bus.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { definePlugin } from '../../daemon/plugin-api.js';
import { faceauthConfigSchema, resolveThreshold } from './config.js';
import { createFaceEngine } from './engine/engine.js';
import { createFaceService, type FaceService } from './face-service.js';
import { createLoginService } from './login.js';
import { readOrCreateKeyFile, readKeyFile } from './store/crypto.js';
import { createTemplateStore } from './store/template-store.js';
import { createFileIdentityProvider } from './auth/identity-provider.js';
import { createCredentialStore } from './auth/passwords.js';
import { createOtpIssuer } from './auth/otp.js';
import { createLockout } from './auth/lockout.js';
import { createChallengeBook } from './liveness/challenge.js';
import { faceRoutes, type FaceApi } from './http/routes.js';
import { PluginError } from '../../protocol/errors.js';

export default definePlugin({
  name: 'faceauth',
  apiVersion: 1,
  config: faceauthConfigSchema,
  setup(ctx) {
    const cfg = ctx.config;
    const dir = join(ctx.box.dataDir, 'faceauth');
    let api: FaceApi | null = null;
    let face: FaceService | null = null;
    let stopBus: (() => void) | null = null;
    const current = (): FaceApi => { if (!api) throw new PluginError('PLUGIN_NOT_RUNNING', 'faceauth', 'faceauth is not running'); return api; };
    const logins = { ok: ctx.metrics.counter('login_success_total', 'face logins that passed'), fail: ctx.metrics.counter('login_failure_total', 'face logins refused') };

    for (const r of faceRoutes(current)) ctx.http.route(r);
    ctx.http.static(fileURLToPath(new URL('./web/', import.meta.url)));

    ctx.commands.handle('faceauth.delete', z.object({ account: z.string().min(1) }).strict(), async ({ account }) => {
      const deleted = await current().face.delete(account);
      await current().credentials.delete(account);
      ctx.bus.emit('faceauth.deleted', { account, reason: 'request' });
      return { account, deleted };
    }, { description: "delete an account's face template and login credentials" });
    ctx.commands.handle('faceauth.accounts', z.object({}).strict(), async () => ({ accounts: await current().face.accounts() }),
      { description: 'accounts with a face template on this box' });
    // templates leave the box only when the operator allowed it in the config
    if (cfg.allowTemplateExport) {
      ctx.commands.handle('faceauth.export', z.object({ account: z.string().min(1) }).strict(), async ({ account }) => {
        const rec = await current().templates.get(account);
        if (!rec) throw new PluginError('FACE_NOT_ENROLLED', 'faceauth', `account ${account} has no face template`);
        ctx.log.warn({ account }, 'face template exported');
        return { account, model: rec.meta.model, dim: rec.template.length, template: Buffer.from(rec.template.buffer, rec.template.byteOffset, rec.template.byteLength).toString('base64') };
      }, { description: "an account's face template, base64 (only with plugins.faceauth.allowTemplateExport: true)" });
    }

    return {
      async start() {
        if (api) return;
        // a configured key must exist (an operator's secret); the default one is created on first start
        const key = cfg.keyFile ? await readKeyFile(cfg.keyFile) : await readOrCreateKeyFile(join(dir, 'template.key'));
        const templates = createTemplateStore(ctx.store, key);
        const engine = createFaceEngine({ modelDir: cfg.modelDir, workers: cfg.workers, flip: cfg.flip, liveness: cfg.liveness.passiveMin !== undefined });
        face = createFaceService({ engine, templates, threshold: resolveThreshold(cfg.threshold), minFrames: cfg.enroll.minFrames, keepImages: cfg.enroll.keepImages, log: ctx.log });
        await face.start();
        const identity = createFileIdentityProvider(cfg.identityFile ?? join(dir, 'identities.json'));
        const credentials = createCredentialStore(ctx.store);
        const challenges = createChallengeBook();
        const otp = createOtpIssuer(cfg.otp.ttlMs);
        const login = createLoginService({
          face, identity, credentials, otp, challenges, bus: ctx.bus, log: ctx.log,
          accountLockout: createLockout(cfg.lockout),
          terminalLockout: createLockout({ ...cfg.lockout, maxFailures: cfg.lockout.terminalMaxFailures }),
          livenessRequired: cfg.liveness.required, passiveMin: cfg.liveness.passiveMin, otpDemoEcho: cfg.otp.demoEcho,
        });
        // every attempt also goes to the master as evt/faceauth/login: outcome and account, never biometrics
        const publish = (type: string, data: Record<string, unknown>) =>
          void ctx.uplink.publish(type, data).catch((err) => ctx.log.warn({ err: (err as Error).message, type }, 'faceauth event not queued'));
        const counted = {
          ...login,
          login: async (req: Parameters<typeof login.login>[0]) => {
            const r = await login.login(req);
            (r.ok ? logins.ok : logins.fail).inc();
            publish('login', { account: r.account ?? null, ok: r.ok, reason: r.reason ?? null, method: r.method ?? null, terminal: req.terminalName ?? req.terminal, liveness: r.liveness?.passed ?? null });
            return r;
          },
          // a password or code refused before the face step is a failed login too
          challenge: async (...args: Parameters<typeof login.challenge>) => {
            const r = await login.challenge(...args);
            if (!('challenge' in r)) {
              logins.fail.inc();
              publish('login', { account: r.account ?? null, ok: false, reason: r.reason ?? null, method: r.method ?? null, terminal: args[0].terminalName ?? args[0].terminal, liveness: null });
            }
            return r;
          },
        };
        api = {
          face, templates, login: counted, identity, credentials, challenges, challengeKinds: cfg.liveness.challenges, demo: cfg.otp.demoEcho,
          onEnrolled: (account, frames) => {
            ctx.bus.emit('faceauth.enrolled', { account, frames });
            publish('enroll', { account, frames });
            ctx.bus.emit('archive.record', { customerId: account, kind: 'faceauth.enroll', channel: 'terminal', ts: Date.now(), data: { frames } });
          },
        };
        stopBus = ctx.bus.on('archive.erase', 'faceauth', async ({ customerId }) => {
          const deleted = await face!.delete(customerId);
          await credentials.delete(customerId);
          if (deleted) ctx.bus.emit('faceauth.deleted', { account: customerId, reason: 'erase' });
          ctx.log.info({ account: customerId, deleted }, 'face data erased on request');
        });
      },
      async stop() {
        stopBus?.(); stopBus = null;
        api?.challenges.clear();
        api = null;
        const f = face; face = null;
        await f?.stop();
      },
      async health() {
        return { ok: api !== null, detail: api ? { enrolled: (await api.face.accounts()).length, threshold: api.face.threshold } : {} };
      },
    };
  },
});
