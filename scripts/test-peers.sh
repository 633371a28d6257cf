#!/usr/bin/env bash
# The other daemons' peers that the topology tests start for themselves (each on loopback or a
# unix socket, none left running): Debian's openssh-server for ssh://, podman for its API.
set -euo pipefail
log() { printf '[peers] %s\n' "$*" >&2; }
missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v podman >/dev/null 2>&1 || missing+=(podman)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
