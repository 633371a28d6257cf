/**
 * The batch script every tooldock job runs on its node (one script, any runtime): the array
 * index selects a task directory, whose `*.argv` files (NUL-separated, never re-parsed by a
 * shell) say how to run, inspect and remove the container. Why a trap and not just the runtime
 * CLI: `scancel` kills the CLI, but the container is the daemon's child and would keep running;
 * so on TERM (scancel, `--time`, node shutdown) and on any exit the container is removed by name.
 * A remove can come too early: when TERM arrives while the runtime is still creating the
 * container, the remove finds nothing ("no such container"), the CLI dies, and the create
 * completes afterwards — a `created` container nobody removes. So after a TERM the script waits
 * for the CLI to end, then claims the name with a placeholder create (`claim.argv`): while a
 * create is in flight the runtime holds the name and the claim fails "already in use" (remove,
 * try again); once the claim succeeds no create of that name can still land, and the
 * placeholder is removed. The exit code, the container's OOM flag and the node's name are
 * written to `result` as one line by one `printf` (a builtin: one write(2), no `mv` process); the
 * submitter takes it only once it ends in its newline, so a half-written one is never read (the
 * node is known even for a job that ended between two `squeue` polls). A run with stdin waits for `stdin.done` (its stdin spooled
 * to the shared filesystem). Given a run directory instead of a task list, the script is a job
 * step in a fan-out's allocation (fan-out-steps.ts) and first writes `step`: `<job>.<step> <node>`
 * (one line, the same way). Given `--worker`, it is a slot's worker step (slot-worker.ts) and runs
 * itself for each run directory it reads from stdin, printing `done <code>` after each.
 */
export const JOB_SCRIPT = `#!/bin/bash
# tooldock: runs one tool container of this job on the node (packages/core/src/backends/slurm/job-script.ts)
set -u
if [ "$1" = --worker ]; then
  # A fan-out slot's worker step (slot-worker.ts): the run directories it is sent, one at a time.
  # On TERM (scancel of the step, which signals the task too) it waits for the task to settle.
  child=
  trap '[ -n "$child" ] && { kill -TERM "$child" 2>/dev/null; wait "$child"; }; exit 143' TERM INT HUP
  while IFS= read -r dir; do
    "$BASH" "$0" "$dir" < /dev/null > /dev/null &
    child=$!
    wait "$child"
    code=$?
    child=
    printf 'done %s\n' "$code"
  done
  exit 0
fi
if [ -d "$1" ]; then
  # A job step of a fan-out's allocation (fan-out-steps.ts): its id and node, for its cancel.
  cd "$1" || exit 1
  printf '%s.%s %s\\n' "\${SLURM_JOB_ID:-}" "\${SLURM_STEP_ID:-}" "\${SLURMD_NODENAME:-}" > step
else
  dir=$(sed -n "$((\${SLURM_ARRAY_TASK_ID:-0} + 1))p" "$1")
  cd "$dir" || exit 1
fi
mapfile -d '' -t run < run.argv
mapfile -d '' -t state < state.argv
mapfile -d '' -t remove < rm.argv
mapfile -d '' -t claim < claim.argv
for i in "\${!run[@]}"; do
  [ "\${run[$i]}" = "@tooldock-allocated-gpus@" ] && run[$i]="\\"device=\${SLURM_JOB_GPUS:-\${CUDA_VISIBLE_DEVICES:-none}}\\""
done
finish() { "\${remove[@]}" >/dev/null 2>&1; }
# One line in one write(2) (a builtin: no process); readers take it only once it ends in its newline.
report() { printf '%s %s %s\\n' "$1" "$2" "\${SLURMD_NODENAME:-}" > result; }
# After a TERM: no create of the container may land once we are gone (see job-script.ts).
settle() {
  local cli=\${!:-} out i
  [ -n "$cli" ] || return 0
  kill -TERM "$cli" 2>/dev/null
  for i in {1..30}; do kill -0 "$cli" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$cli" 2>/dev/null
  for i in {1..40}; do
    if out=$("\${claim[@]}" 2>&1 >/dev/null); then finish; return 0; fi
    case "$out" in *"already in use"*) finish; sleep 0.1 ;; *) return 0 ;; esac
  done
}
# The result goes out first: Slurm's KillWait bounds the settling, and the run is over either way.
ended() { trap '' TERM INT HUP; trap - EXIT; finish; report 143 false; settle; exit 143; }
trap ended TERM INT HUP
trap finish EXIT
if [ -e stdin.wait ]; then
  while [ ! -e stdin.done ]; do sleep 0.1; done
  "\${run[@]}" < stdin > out 2> err &
else
  "\${run[@]}" < /dev/null > out 2> err &
fi
wait $!
code=$?
oom=false
# Only a failure needs the container's state (was it an OOM kill?); a success saves the call.
if [ "$code" -ne 0 ]; then
  read -r _ oom < <("\${state[@]}" 2>/dev/null) || oom=false
  [ "$oom" = true ] || oom=false
fi
finish
trap - TERM INT HUP EXIT
report "$code" "$oom"
exit 0
`;
