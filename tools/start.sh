#!/usr/bin/env bash
# `npm start`: installs the dependencies when they are missing or older than package-lock.json, then starts
# Kafka, FerretDB and every service (tools/start.ts). Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
export PUPPETEER_SKIP_DOWNLOAD=true
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ponte: installing dependencies (npm install, from package-lock.json)…"
  npm install --no-audit --no-fund
fi
exec node -r @swc-node/register tools/start.ts "$@"
