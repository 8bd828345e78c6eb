// One LevelDB per process; each plugin and service gets a sublevel of its own with JSON values.
import { Level } from 'level';
import type { AbstractSublevel } from 'abstract-level';

export type RootStore = Level<string, unknown>;
export type Store = AbstractSublevel<RootStore, string | Buffer | Uint8Array, string, unknown>;

export function createRootStore(path: string): RootStore {
  return new Level<string, unknown>(path, { valueEncoding: 'json' });
}

export function sublevel(root: RootStore, name: string): Store {
  return root.sublevel<string, unknown>(name, { valueEncoding: 'json' }) as Store;
}
