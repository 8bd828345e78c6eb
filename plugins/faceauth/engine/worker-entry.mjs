// Plain-JS entry of a pool thread: worker threads do not inherit the parent's TypeScript loader (neither
// `--import tsx` nor tsx's register()), so load the TypeScript worker through tsx's scoped import.
import { tsImport } from 'tsx/esm/api';

const mod = await tsImport('./worker.ts', import.meta.url);
export default mod.default;
