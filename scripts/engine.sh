#!/usr/bin/env bash
# Ensure a Docker Engine answers. Reuses one that already answers (a developer's or
# user's daemon); otherwise installs Debian's docker.io and starts it with no bridge,
# so no container traffic can reach private-range addresses. Never stops a daemon
# it did not start.
set -euo pipefail

log() { printf '[engine] %s\n' "$*" >&2; }

if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  log "reusing the daemon at ${DOCKER_HOST:-unix:///var/run/docker.sock}"
  exit 0
fi

if [ -n "${DOCKER_HOST:-}" ]; then
  log "DOCKER_HOST=$DOCKER_HOST does not answer; refusing to start a local daemon in its place"
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi
if ! command -v docker >/dev/null 2>&1; then
  log "no docker client on PATH (docker.io ships one; check your PATH)"
  exit 1
fi

# A daemon killed with its session can leave pid files behind; a pid that is not (or is no
# longer) the process it names makes dockerd wait for a containerd that will never answer.
for pidfile in /var/run/docker/containerd/containerd.pid /var/run/docker.pid; do
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile" 2>/dev/null || true)
    state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
    if [ -z "$state" ] || [ "${state#Z}" != "$state" ]; then rm -f "$pidfile"; fi
  fi
done

log "starting dockerd (--bridge=none --iptables=false)"
setsid dockerd --bridge=none --iptables=false --ip6tables=false \
  >/tmp/tooldock-dockerd.log 2>&1 < /dev/null &

for _ in $(seq 1 120); do
  if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
    log "daemon $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
    exit 0
  fi
  sleep 0.5
done
log "dockerd did not answer within 60 s; its log:"
tail -n 30 /tmp/tooldock-dockerd.log >&2 || true
exit 1
