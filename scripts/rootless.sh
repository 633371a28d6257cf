#!/usr/bin/env bash
# Rootless engines for the rootless test (packages/core/test/rootless/): an unprivileged user
# `tooldock-rootless` with subordinate uid/gid ranges, a home (the engines' storage) and a runtime
# dir, plus what rootless Podman and rootless Docker need from Debian. The engines themselves are
# started by the test, as that user; the shared rootful daemon is never touched. Idempotent.
set -euo pipefail
log() { printf '[rootless] %s\n' "$*" >&2; }
user=tooldock-rootless
missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v newuidmap >/dev/null 2>&1 || missing+=(uidmap)
command -v rootlesskit >/dev/null 2>&1 || missing+=(rootlesskit)
command -v slirp4netns >/dev/null 2>&1 || missing+=(slirp4netns)
# dockerd-rootless.sh: in docker.io's contrib (Debian's engine, scripts/engine.sh) or on PATH
# (docker-ce-rootless-extras). Never docker.io over another engine: the test names what is missing.
if ! command -v dockerd-rootless.sh >/dev/null 2>&1 && [ ! -x /usr/share/docker.io/contrib/dockerd-rootless.sh ]; then
  log "no dockerd-rootless.sh (docker.io's contrib or docker-ce-rootless-extras): the rootless Docker test will fail"
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! id -u "$user" >/dev/null 2>&1; then
  log "creating the unprivileged test user $user"
  useradd --create-home --home-dir "/var/lib/$user" --shell /usr/sbin/nologin "$user"
fi
home=$(getent passwd "$user" | cut -d: -f6)
uid=$(id -u "$user")
# Subordinate ids: useradd assigns them on Debian, but an older account may lack them.
# 65536 ids from a start no other line of the file uses.
for file in /etc/subuid /etc/subgid; do
  if ! grep -q "^$user:" "$file" 2>/dev/null; then
    start=$(awk -F: 'BEGIN { m = 100000 } { if ($2 + $3 > m) m = $2 + $3 } END { print m }' "$file" 2>/dev/null || echo 100000)
    echo "$user:$start:65536" >>"$file"
  fi
done
# No systemd here: the runtime dir a login would get (the engines' sockets and run state).
install -d -m 700 -o "$user" -g "$user" "/run/user/$uid"
# On this kernel Podman's default ulimits fail ("error setting rlimit type 7"; TEST-ENV.md).
install -d -m 755 -o "$user" -g "$user" "$home/.config" "$home/.config/containers"
conf="$home/.config/containers/containers.conf"
if ! grep -q 'default_ulimits' "$conf" 2>/dev/null; then
  printf '[containers]\ndefault_ulimits = []\n' >"$conf"
  chown "$user:$user" "$conf"
fi
