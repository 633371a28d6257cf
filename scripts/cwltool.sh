#!/usr/bin/env bash
# The workflow engine that re-runs exported workflows (docs/provenance.md, "From notebook to
# pipeline"): Debian's cwltool, installed once; a machine that has it keeps its own.
set -euo pipefail
log() { printf '[cwltool] %s\n' "$*" >&2; }
if command -v cwltool >/dev/null 2>&1; then exit 0; fi
log "installing Debian's cwltool"
export DEBIAN_FRONTEND=noninteractive
# Other set-up scripts may hold the package lock: wait for it rather than fail.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends cwltool >/dev/null
command -v cwltool >/dev/null
