// Broker users of one master: boxes (id → region + password hashes) and the master's own service user.
// Kept as a JSON file in the master's data dir. The file is re-read when it changes on disk, so
// `kefu master box add` works against a running master without a restart.
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ID_PATTERN } from '../../protocol/topics.js';
import { KefuError } from '../../protocol/errors.js';
import type { Principal } from '../broker/policy.js';
import { generatePassword, hashPassword, mosquittoHash, verifyPassword } from './password-hash.js';
import { ensureSecretFile, writePrivateFile } from './secret-file.js';

const UserRecord = z.object({
  role: z.enum(['box', 'service']),
  region: z.string().optional(),
  scrypt: z.string(),
  mosquitto: z.string().optional(),
  createdAt: z.number().int(),
  rotatedAt: z.number().int().optional(),
});
type UserRecord = z.infer<typeof UserRecord>;
const StoreFile = z.object({ version: z.literal(1), users: z.record(z.string(), UserRecord) });

export interface BoxCredential { id: string; region: string; createdAt: number }

export interface CredentialStore {
  readonly file: string;
  /** Adds a box with a fresh random password; returns the password (shown once, never stored in clear). */
  addBox(id: string, region: string): Promise<{ password: string }>;
  /** A fresh password for an existing box (the old one stops working; sessions opened with it are closed by the
   *  broker's revalidation). Returns the new password. */
  rotateBox(id: string): Promise<{ password: string; region: string }>;
  removeBox(id: string): Promise<boolean>;
  listBoxes(): Promise<BoxCredential[]>;
  /** Sets (or rotates) a service user's password. */
  setService(username: string, password: string): Promise<void>;
  /** The principal for a username/password pair, or null. */
  verify(username: string, password: Buffer | string): Promise<Principal | null>;
  principals(): Promise<Principal[]>;
  /** Mosquitto password-file lines (`user:$7$…`). */
  mosquittoPasswordLines(): Promise<string[]>;
}

export function credentialsFile(dataDir: string): string {
  return join(dataDir, 'credentials.json');
}

export function createCredentialStore(opts: { dataDir: string }): CredentialStore {
  const file = credentialsFile(opts.dataDir);
  let cache: { ino: number; mtimeMs: number; size: number; users: Record<string, UserRecord> } | null = null;
  let writing: Promise<unknown> = Promise.resolve();

  async function load(): Promise<Record<string, UserRecord>> {
    let st;
    try {
      st = await stat(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    if (cache && cache.ino === st.ino && cache.mtimeMs === st.mtimeMs && cache.size === st.size) return cache.users;
    verified.clear();
    const parsed = StoreFile.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success) throw new KefuError('CREDENTIALS_INVALID', `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    cache = { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, users: parsed.data.users };
    return cache.users;
  }

  // Writes are serialised so two changes from one process never lose each other.
  function update<T>(fn: (users: Record<string, UserRecord>) => Promise<T>): Promise<T> {
    const run = writing.then(async () => {
      const users = { ...(await load()) };
      const out = await fn(users);
      await writePrivateFile(file, `${JSON.stringify({ version: 1, users }, null, 2)}\n`);
      cache = null;
      return out;
    });
    writing = run.catch(() => undefined);
    return run;
  }

  // Successful checks are remembered (keyed by an HMAC with a per-process key, never the password) until the
  // file changes: a reconnect storm after a master restart then costs one scrypt per box, not one per connect.
  const verified = new Map<string, Principal>();
  const hmacKey = randomBytes(32);
  const verifiedKey = (username: string, password: Buffer | string) => createHmac('sha256', hmacKey).update(username).update('\0').update(password).digest('base64');
  let dummy: Promise<string> | null = null;
  const dummyHash = () => (dummy ??= hashPassword(generatePassword()));

  const stampOf = (u: UserRecord) => String(u.rotatedAt ?? u.createdAt);
  // the stamp changes with the password, so a session opened with an old one no longer matches the store
  const toPrincipal = (username: string, u: UserRecord): Principal =>
    u.role === 'service' ? { role: 'service', username, stamp: stampOf(u) } : { role: 'box', username, box: username, region: u.region ?? '', stamp: stampOf(u) };

  return {
    file,
    addBox(id, region) {
      if (!ID_PATTERN.test(id)) return Promise.reject(new KefuError('BOX_ID_INVALID', `box id "${id}" must match ${ID_PATTERN}`));
      if (!ID_PATTERN.test(region)) return Promise.reject(new KefuError('REGION_INVALID', `region "${region}" must match ${ID_PATTERN}`));
      return update(async (users) => {
        if (users[id]) throw new KefuError('BOX_EXISTS', `box ${id} already exists (\`kefu master box rotate ${id}\` gives it a new password)`);
        const service = Object.entries(users).find(([name, u]) => u.role === 'service' && id.startsWith(`${name}-`));
        if (service) throw new KefuError('BOX_ID_INVALID', `box id "${id}" would collide with the client ids of service user ${service[0]}`);
        const password = generatePassword();
        users[id] = { role: 'box', region, scrypt: await hashPassword(password), mosquitto: await mosquittoHash(password), createdAt: Date.now() };
        return { password };
      });
    },
    rotateBox(id) {
      return update(async (users) => {
        const u = users[id];
        if (u?.role !== 'box') throw new KefuError('BOX_UNKNOWN', `no box ${id} in ${file}`);
        const password = generatePassword();
        users[id] = { ...u, scrypt: await hashPassword(password), mosquitto: await mosquittoHash(password), rotatedAt: Date.now() };
        return { password, region: u.region ?? '' };
      });
    },
    removeBox(id) {
      return update(async (users) => {
        if (users[id]?.role !== 'box') return false;
        delete users[id];
        return true;
      });
    },
    async listBoxes() {
      const users = await load();
      return Object.entries(users)
        .filter(([, u]) => u.role === 'box')
        .map(([id, u]) => ({ id, region: u.region ?? '', createdAt: u.createdAt }))
        .sort((a, b) => a.id.localeCompare(b.id));
    },
    setService(username, password) {
      return update(async (users) => {
        if (users[username]?.role === 'box') throw new KefuError('USER_EXISTS', `${username} is a box, not a service user`);
        users[username] = { role: 'service', scrypt: await hashPassword(password), mosquitto: await mosquittoHash(password), createdAt: Date.now() };
      });
    },
    async verify(username, password) {
      const users = await load();
      const key = verifiedKey(username, password);
      const known = verified.get(key);
      if (known) return known;
      const u = users[username];
      if (!u) {
        // same cost as a real check, so response time does not reveal which usernames exist
        await verifyPassword(await dummyHash(), password);
        return null;
      }
      if (!(await verifyPassword(u.scrypt, password))) return null;
      const who = toPrincipal(username, u);
      if (verified.size >= 10_000) verified.clear();
      verified.set(key, who);
      return who;
    },
    async principals() {
      return Object.entries(await load()).map(([name, u]) => toPrincipal(name, u));
    },
    async mosquittoPasswordLines() {
      return Object.entries(await load()).filter(([, u]) => u.mosquitto).map(([name, u]) => `${name}:${u.mosquitto}`);
    },
  };
}

/** The master's own broker credential: the secret file in the data dir, registered in the store. */
export async function ensureServiceCredential(store: CredentialStore, secretFile: string, username: string): Promise<string> {
  const password = await ensureSecretFile(secretFile, generatePassword);
  if (!(await store.verify(username, password))) await store.setService(username, password);
  return password;
}

/**
 * A box's credential for an all-in-one setup (`kefu up`): reuses the password in `secretFile` when it still
 * matches the store, otherwise (re)creates the box and writes a fresh password there. Returns the password.
 */
export async function ensureBoxCredential(store: CredentialStore, id: string, region: string, secretFile: string): Promise<string> {
  const existing = await readFile(secretFile, 'utf8').then((s) => s.trim(), () => '');
  if (existing) {
    const who = await store.verify(id, existing);
    if (who?.role === 'box' && who.region === region) return existing;
  }
  await store.removeBox(id);
  const { password } = await store.addBox(id, region);
  await writePrivateFile(secretFile, `${password}\n`);
  return password;
}
