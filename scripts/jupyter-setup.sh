#!/usr/bin/env bash
# Headless Jupyter for the notebook tests and examples, idempotent: Debian's nbconvert and
# jupyter_client, and the Deno and tslab kernels (both come from npm as dev dependencies).
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
deno_spec="${HOME}/.local/share/jupyter/kernels/deno/kernel.json"
# Registered, and by this checkout's deno (a spec left by another checkout points at nothing).
if ! jupyter kernelspec list 2>/dev/null | grep -q '^ *deno ' || ! grep -qF "\"$PWD/node_modules/" "$deno_spec" 2>/dev/null; then
  log "registering the Deno kernel"
  node_modules/.bin/deno jupyter --install --force >/dev/null 2>&1
fi
# tslab's own installer needs IPython; its kernelspec is one file.
tslab_spec="${HOME}/.local/share/jupyter/kernels/tslab"
# The exact quoted path: a kernelspec left by another checkout (/elsewhere/work/main) must not pass.
# NODE_OPTIONS preloads scripts/tslab-bind-guard.cjs: tslab exits when its ports were taken, so
# Jupyter restarts it on new ones instead of waiting for it forever.
if [ ! -f "$tslab_spec/kernel.json" ] || ! grep -qF "\"$PWD/node_modules/.bin/tslab\"" "$tslab_spec/kernel.json" || ! grep -qF "tslab-bind-guard" "$tslab_spec/kernel.json"; then
  log "registering the tslab kernel"
  mkdir -p "$tslab_spec"
  printf '{"argv":["%s/node_modules/.bin/tslab","kernel","--config-path","{connection_file}"],"language":"typescript","display_name":"TypeScript (tslab)","env":{"NODE_OPTIONS":"--require %s/scripts/tslab-bind-guard.cjs"}}\n' "$PWD" "$PWD" > "$tslab_spec/kernel.json"
fi
