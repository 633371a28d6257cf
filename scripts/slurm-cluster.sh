#!/usr/bin/env bash
# A real two-node Slurm cluster on this host, for tests and benchmarks (Debian's slurm-wlm).
#
#   scripts/slurm-cluster.sh install          # the Debian packages, when missing
#   scripts/slurm-cluster.sh start [DIR]      # prints `export SLURM_CONF=DIR/slurm.conf`
#   scripts/slurm-cluster.sh status [DIR]     # sinfo, or exit 1 when not running
#   scripts/slurm-cluster.sh stop [DIR]       # stops what start started (pid files), removes DIR
#
# DIR defaults to $TOOLDOCK_SLURM_DIR or /tmp/tooldock-slurm. Everything lives in DIR, including
# a private munged on its own socket (AuthInfo=socket=…): clusters in different DIRs do not share
# anything, and stopping one never touches another or a machine's own munge/slurm.
# Nodes n1 and n2 are two slurmd on this host; they share its Docker daemon and filesystem.
# `start` is idempotent: a running cluster in DIR is reused.
set -euo pipefail
log() { printf '[slurm-cluster] %s\n' "$*" >&2; }

command=${1:-}
dir=${2:-${TOOLDOCK_SLURM_DIR:-/tmp/tooldock-slurm}}
conf="$dir/slurm.conf"

install_packages() {
  local missing=()
  command -v slurmctld >/dev/null 2>&1 || missing+=(slurmctld)
  command -v slurmd >/dev/null 2>&1 || missing+=(slurmd)
  command -v sbatch >/dev/null 2>&1 || missing+=(slurm-client)
  command -v munged >/dev/null 2>&1 || missing+=(munge)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Four consecutive free loopback ports: slurmctld, SlurmdPort, n1, n2.
free_ports() {
  node -e '
    const net = require("net");
    const free = (p) => new Promise((ok) => { const s = net.createServer().once("error", () => ok(false)).listen(p, () => s.close(() => ok(true))); });
    (async () => {
      for (let i = 0; i < 200; i++) {
        const base = 20000 + Math.floor(Math.random() * 30000);
        const all = await Promise.all([0, 1, 2, 3].map((d) => free(base + d)));
        if (all.every(Boolean)) { console.log(base); return; }
      }
      process.exit(1);
    })();'
}

write_config() {
  local host base
  host=$(hostname -s)
  base=$(free_ports)
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
  chmod 0700 "$dir/munge"
  cat >"$conf" <<EOF
ClusterName=tooldock
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/ctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/ctld.log
SlurmdLogFile=$dir/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
ReturnToService=2
KillWait=30
MinJobAge=300
SchedulerParameters=sched_min_interval=0
NodeName=n[1-2] NodeHostname=$host Port=$((base + 2))-$((base + 3)) CPUs=2 RealMemory=4000 State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  install_packages
  if alive "$dir/ctld.pid" && alive "$dir/slurmd-n1.pid" && alive "$dir/slurmd-n2.pid"; then
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  stop_daemons
  mkdir -p "$dir"
  chmod 0700 "$dir"
  write_config
  munged --force --socket="$dir/munge/munge.sock" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
  export SLURM_CONF=$conf
  slurmctld -f "$conf"
  slurmd -f "$conf" -N n1
  slurmd -f "$conf" -N n2
  wait_idle
  echo "export SLURM_CONF=$conf"
}

wait_idle() {
  for _ in $(seq 1 150); do
    if [ "$(sinfo -h -N -o '%t' 2>/dev/null | grep -c '^idle')" = 2 ]; then return 0; fi
    sleep 0.2
  done
  log "nodes did not become idle within 30 s; logs in $dir"
  sinfo -N >&2 || true
  tail -n 20 "$dir"/ctld.log "$dir"/slurmd-*.log >&2 || true
  exit 1
}

stop_daemon() {
  local pidfile=$1
  alive "$pidfile" || return 0
  local pid
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

stop_daemons() {
  # Jobs first: a job's script removes its container when Slurm signals it.
  if alive "$dir/ctld.pid"; then
    local jobs
    jobs=$(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
    [ -n "${jobs// }" ] && SLURM_CONF=$conf scancel $jobs 2>/dev/null
    for _ in $(seq 1 100); do
      [ -z "$(SLURM_CONF=$conf squeue -h -o %i 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  stop_daemon "$dir/slurmd-n1.pid"
  stop_daemon "$dir/slurmd-n2.pid"
  stop_daemon "$dir/ctld.pid"
  stop_daemon "$dir/munge/munged.pid"
  stop_stepds
}

# slurmstepd outlives slurmd by design (a restarted slurmd reattaches): this cluster's (their
# working directory is DIR) go too. Their jobs' scripts get TERM first, so their traps run.
stop_stepds() {
  local stepds=() pid
  for pid in $(pgrep -x slurmstepd 2>/dev/null); do
    case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in "$dir"|"$dir"/*|"$dir (deleted)") stepds+=("$pid") ;; esac
  done
  [ ${#stepds[@]} -eq 0 ] && return 0
  for pid in "${stepds[@]}"; do pkill -TERM -P "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local busy=0
    for pid in "${stepds[@]}"; do pgrep -P "$pid" >/dev/null 2>&1 && busy=1; done
    [ $busy = 0 ] && break
    sleep 0.2
  done
  for pid in "${stepds[@]}"; do pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; done
}

case "$command" in
  install) install_packages ;;
  start) start ;;
  status)
    alive "$dir/ctld.pid" || { log "not running in $dir"; exit 1; }
    SLURM_CONF=$conf sinfo -N
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    stop_daemons
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 install|start|stop|status [DIR]" >&2; exit 2 ;;
esac
