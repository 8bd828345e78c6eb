#!/usr/bin/env bash
# The project's test command (`npm test`): prerequisites, type check, then every test file.
# `npm test -- <files>` runs just those files.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/prereqs.sh
if [ $# -gt 0 ]; then
  exec node --import tsx --test --test-force-exit --test-timeout=300000 --test-concurrency=1 "$@"
fi
npx tsc --noEmit -p .
# pure logic in parallel; anything with processes, ports, ptys or namespaces one file at a time
mapfile -t unit < <(find test/unit -name '*.test.ts' | sort)
mapfile -t serial < <(find test/integration test/contract test/e2e -name '*.test.ts' | sort)
[ ${#unit[@]} -eq 0 ] || node --import tsx --test --test-force-exit --test-timeout=300000 --test-concurrency=2 "${unit[@]}"
[ ${#serial[@]} -eq 0 ] || node --import tsx --test --test-force-exit --test-timeout=300000 --test-concurrency=1 "${serial[@]}"
