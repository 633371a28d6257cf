#!/usr/bin/env bash
# Headless Jupyter for the notebook tests and examples, idempotent: Debian's nbconvert and
# jupyter_client, and the Deno kernel (deno comes from npm as a dev dependency).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[jupyter] %s\n' "$*" >&2; }
# Debian's python3 (jupyter runs on it), not whatever python3 is first on PATH.
if ! command -v jupyter-nbconvert >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import nbconvert, jupyter_client, nbclient' 2>/dev/null; then
  log "installing Debian's jupyter-nbconvert, jupyter-client, nbclient"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends jupyter-nbconvert jupyter-client python3-nbclient >/dev/null
fi
if ! jupyter kernelspec list 2>/dev/null | grep -q '^ *deno '; then
  log "registering the Deno kernel"
  node_modules/.bin/deno jupyter --install >/dev/null 2>&1
fi
