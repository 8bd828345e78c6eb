// `npm run bench -- <name> [args]`: runs bench/<name>.ts, which prints one JSON line per figure.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, ''));
if (!name || !existsSync(join(here, `${name}.ts`))) {
  process.stderr.write(`usage: npm run bench -- <name>   (available: ${available.join(', ') || 'none yet'})\n`);
  process.exit(2);
}
process.argv.splice(2, 1);
await import(`./${name}.ts`);
