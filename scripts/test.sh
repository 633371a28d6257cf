#!/usr/bin/env bash
# The test command (README's `npm test`, and CI): set-up, type check, then every test against
# the real engine. Ends with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/test-peers.sh
bash scripts/charliecloud.sh  # the daemonless engine (ch-run) and its unprivileged test user
bash scripts/rootless.sh      # the user the rootless Docker and Podman tests start their engines as
bash scripts/cwltool.sh       # the workflow engine that re-runs exported workflows
bash scripts/slurm-cluster.sh install  # the Slurm tests start their own two-node cluster
bash scripts/registry.sh
bash scripts/browser-setup.sh
pnpm run --silent typecheck
# ESLint (typescript-eslint's recommended rules, eslint.config.js): fix findings, do not silence them.
pnpm run --silent lint
# Prettier (.prettierrc): `pnpm run format` rewrites; here a file not in its style fails the run.
pnpm run --silent format:check
# The API reference builds and every exported value shows an @example (scripts/check-examples.mjs).
pnpm run --silent docs >/dev/null
set +e
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json "$@"
status=$?
set -e
# The benchmarks must not rot: a short smoke run (figures not judged here; see docs/performance.md).
if [ "$status" -eq 0 ] && [ -z "${TOOLDOCK_SKIP_BENCH_SMOKE:-}" ]; then
  pnpm exec tsx bench/run.ts --smoke >/dev/null || status=$?
fi
node -e '
  const r = JSON.parse(require("fs").readFileSync(".cache/vitest-report.json", "utf8"));
  // A file whose set-up failed counts no failed test (its tests show as skipped): say it too.
  const failedFiles = r.testResults.filter((file) => file.status === "failed").length;
  const files = failedFiles ? `; ${failedFiles} test file(s) failed` : "";
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : "") + files);
' || true
exit $status
