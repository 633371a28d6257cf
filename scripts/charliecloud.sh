#!/usr/bin/env bash
# Charliecloud (Debian's 0.31: ch-run, ch-convert, ch-image), the daemonless runtime the
# charliecloud engine tests use locally and on the Slurm nodes, and an unprivileged user
# (`tooldock-ch`) for running them as someone other than root. Idempotent.
set -euo pipefail
log() { printf '[charliecloud] %s\n' "$*" >&2; }
if ! command -v ch-run >/dev/null 2>&1 || ! command -v ch-convert >/dev/null 2>&1; then
  log "installing charliecloud"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends charliecloud >/dev/null
fi
if ! id -u tooldock-ch >/dev/null 2>&1; then
  log "creating the unprivileged test user tooldock-ch"
  useradd --create-home --shell /bin/bash tooldock-ch
fi
