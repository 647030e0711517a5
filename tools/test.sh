#!/usr/bin/env bash
# `npm test`: type-check, lint, then every jest project (unit and integration tests; the jest global setup starts
# real Kafka and FerretDB unless KAFKA_BROKERS / MONGO_URL are set). Always ends with one line
# `Tests: N passed, N failed`: jest's counts, where a failed type-check or lint counts as one failed test each.
set -uo pipefail
cd "$(dirname "$0")/.."
export PUPPETEER_SKIP_DOWNLOAD=true NX_DAEMON=false
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ponte: installing dependencies (npm install, from package-lock.json)…"
  npm install --no-audit --no-fund || { echo "Tests: 0 passed, 1 failed"; exit 1; }
fi

static_failures=0
echo "ponte: type-check (tsc)…"
npx tsc -p tsconfig.json --noEmit || { echo "ponte: type-check FAILED"; static_failures=$((static_failures + 1)); }
echo "ponte: lint (eslint, module boundaries)…"
# The boundary rule reads Nx's cached project graph; without it (a fresh clone, no daemon) it silently skips.
npx nx show projects >/dev/null || { echo "ponte: nx could not compute the project graph"; static_failures=$((static_failures + 1)); }
npx eslint --max-warnings=0 . || { echo "ponte: lint FAILED"; static_failures=$((static_failures + 1)); }

rm -f .jest-results.json
npx jest --ci --json --outputFile=.jest-results.json "$@"
jest_status=$?

node -e '
  const fs = require("node:fs");
  const staticFailures = Number(process.argv[1]);
  let passed = 0, failed = 1;
  if (fs.existsSync(".jest-results.json")) {
    const results = JSON.parse(fs.readFileSync(".jest-results.json", "utf8"));
    passed = results.numPassedTests;
    // A suite that fails to load has no failed tests of its own; count it, so it cannot pass unnoticed.
    failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  }
  console.log(`Tests: ${passed} passed, ${failed + staticFailures} failed`);
' "$static_failures"

[ "$jest_status" -eq 0 ] && [ "$static_failures" -eq 0 ]
