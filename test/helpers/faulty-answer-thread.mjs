// Plain-JS entry of faulty-answer-thread.ts (worker threads do not inherit tsx).
await (await import('tsx/esm/api')).tsImport('./faulty-answer-thread.ts', import.meta.url);
