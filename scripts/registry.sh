#!/usr/bin/env bash
# The registry the pull tests start for themselves (test-support/registry.ts, on 127.0.0.1 only,
# none left running): Debian's docker-registry (distribution 2.8) with htpasswd auth from apache2-utils.
set -euo pipefail
log() { printf '[registry] %s\n' "$*" >&2; }
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
