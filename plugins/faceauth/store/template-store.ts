// Face templates at rest: one sealed record per account in the plugin's level sublevel; the embedding never
// touches disk in clear. Optional enrollment images are sealed the same way (off by default).
import type { Store } from '../../../daemon/store.js';
import { open, seal, type Sealed } from './crypto.js';

export interface TemplateMeta { frames: number; createdAt: number; updatedAt: number; model: string }
export interface TemplateRecord { account: string; template: Float32Array; meta: TemplateMeta }

const TPL = 'tpl:', IMG = 'img:';

export interface TemplateStore {
  put(account: string, template: Float32Array, meta: Omit<TemplateMeta, 'updatedAt' | 'createdAt'> & { createdAt?: number }): Promise<void>;
  get(account: string): Promise<TemplateRecord | null>;
  delete(account: string): Promise<boolean>;
  accounts(): Promise<string[]>;
  all(): AsyncIterable<TemplateRecord>;
  putImages(account: string, images: Uint8Array[]): Promise<void>;
  imageCount(account: string): Promise<number>;
}

function encode(template: Float32Array, meta: TemplateMeta): Buffer {
  return Buffer.from(JSON.stringify({ meta, emb: Buffer.from(template.buffer, template.byteOffset, template.byteLength).toString('base64') }));
}

function decode(account: string, plain: Buffer): TemplateRecord {
  const { meta, emb } = JSON.parse(plain.toString('utf8')) as { meta: TemplateMeta; emb: string };
  const b = Buffer.from(emb, 'base64');
  const template = new Float32Array(b.byteLength / 4);
  new Uint8Array(template.buffer).set(b);
  return { account, template, meta };
}

export function createTemplateStore(store: Store, key: Buffer): TemplateStore {
  const getSealed = async (k: string): Promise<Sealed | undefined> => (await store.get(k)) as Sealed | undefined;
  return {
    async put(account, template, meta) {
      const prev = await getSealed(TPL + account);
      const createdAt = meta.createdAt ?? (prev ? decode(account, open(key, prev, TPL + account)).meta.createdAt : Date.now());
      await store.put(TPL + account, seal(key, encode(template, { ...meta, createdAt, updatedAt: Date.now() }), TPL + account));
    },
    async get(account) {
      const s = await getSealed(TPL + account);
      return s ? decode(account, open(key, s, TPL + account)) : null;
    },
    async delete(account) {
      const had = (await getSealed(TPL + account)) !== undefined;
      // array batches (unlike chained ones) wait for a sublevel that is still opening
      const ops: Array<{ type: 'del'; key: string }> = [{ type: 'del', key: TPL + account }];
      for await (const k of store.keys({ gte: `${IMG}${account}:`, lt: `${IMG}${account}:\xff` })) ops.push({ type: 'del', key: k });
      await store.batch(ops);
      return had;
    },
    async accounts() {
      const out: string[] = [];
      for await (const k of store.keys({ gte: TPL, lt: `${TPL}\xff` })) out.push(k.slice(TPL.length));
      return out;
    },
    async *all() {
      for await (const [k, v] of store.iterator({ gte: TPL, lt: `${TPL}\xff` })) {
        const account = k.slice(TPL.length);
        yield decode(account, open(key, v as Sealed, k));
      }
    },
    async putImages(account, images) {
      await store.batch(images.map((img, i) => { const k = `${IMG}${account}:${i}`; return { type: 'put' as const, key: k, value: seal(key, Buffer.from(img), k) }; }));
    },
    async imageCount(account) {
      let n = 0;
      for await (const _ of store.keys({ gte: `${IMG}${account}:`, lt: `${IMG}${account}:\xff` })) n++;
      return n;
    },
  };
}
