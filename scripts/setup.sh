#!/usr/bin/env bash
# Everything a fresh Debian machine needs to run tooldock's examples and tests, idempotent:
# pnpm and the workspace's packages, a Docker Engine (reused when one answers), the local
# test images, and the built packages.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[setup] %s\n' "$*" >&2; }

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  log "installing pnpm $pnpm_version"
  npm install -g "pnpm@$pnpm_version" >/dev/null
fi
# packageImportMethod: copy (pnpm-workspace.yaml; why: docs/notebooks.md, tslab). pnpm does not
# re-import a checkout installed earlier with hard links into its store: that one is installed afresh.
if [ -f node_modules/typescript/package.json ] && [ "$(stat -L -c %h node_modules/typescript/package.json)" -gt 1 ]; then
  log "node_modules shares files with pnpm's store (hard links): installing them as copies"
  rm -rf node_modules packages/*/node_modules examples/node_modules bench/node_modules
fi
pnpm install --frozen-lockfile --reporter=silent
bash scripts/engine.sh
bash scripts/images.sh
bash scripts/jupyter-setup.sh
pnpm run --silent build
log "ready"
