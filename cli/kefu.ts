// The `kefu` program run from the sources (tsx) or the per-file build: see cli/program.ts.
import { main } from './program.js';

await main(process.argv);
