#!/usr/bin/env bash
# Installs tooldock, tslab and Deno into ./opt-tooldock for the workbench image (COPY'd there),
# so the image build itself needs no registry. From a tooldock checkout the packages are packed
# from the workspace; otherwise pass TOOLDOCK_SPEC (e.g. "@tooldock/core @tooldock/recipes
# @tooldock/jupyter") to install published ones.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/opt-tooldock"
tslab_version="${TSLAB_VERSION:-1.0.22}"
deno_version="${DENO_VERSION:-2.9.6}"
rm -rf "$out" && mkdir -p "$out"
echo '{"name":"tooldock-workbench-runtime","private":true}' > "$out/package.json"
if [ -n "${TOOLDOCK_SPEC:-}" ]; then
  specs=($TOOLDOCK_SPEC)
else
  tarballs="$(mktemp -d)"
  trap 'rm -rf "$tarballs"' EXIT
  (cd "$repo" && pnpm run --silent build)
  for pkg in core recipes jupyter-kernel-ext; do
    (cd "$repo/packages/$pkg" && pnpm pack --pack-destination "$tarballs" >/dev/null)
  done
  specs=("$tarballs"/*.tgz)
fi
# Deno's package unpacks its binary in an install script; tslab's zeromq ships prebuilt binaries.
(cd "$out" && npm install --no-audit --no-fund --loglevel=error --install-links "${specs[@]}" "tslab@$tslab_version" "deno@$deno_version")
"$out/node_modules/.bin/deno" --version >/dev/null
echo "ready: $out"
