/**
 * The batch script every tooldock job runs on its node (one script, any runtime): the array
 * index selects a task directory, whose `*.argv` files (NUL-separated, never re-parsed by a
 * shell) say how to run, inspect and remove the container. Why a trap and not just the runtime
 * CLI: `scancel` kills the CLI, but the container is the daemon's child and would keep running;
 * so on TERM (scancel, `--time`, node shutdown) and on any exit the container is removed by name.
 * The exit code and the container's OOM flag are written to `result` by rename: never half-written.
 * A run with stdin waits for `stdin.done` (its stdin spooled to the shared filesystem).
 */
export const JOB_SCRIPT = `#!/bin/bash
# tooldock: runs one tool container of this job on the node (packages/core/src/backends/slurm/job-script.ts)
set -u
dir=$(sed -n "$((\${SLURM_ARRAY_TASK_ID:-0} + 1))p" "$1")
cd "$dir" || exit 1
mapfile -d '' -t run < run.argv
mapfile -d '' -t state < state.argv
mapfile -d '' -t remove < rm.argv
for i in "\${!run[@]}"; do
  [ "\${run[$i]}" = "@tooldock-allocated-gpus@" ] && run[$i]="\\"device=\${SLURM_JOB_GPUS:-\${CUDA_VISIBLE_DEVICES:-none}}\\""
done
finish() { "\${remove[@]}" >/dev/null 2>&1; }
report() { printf '%s %s\\n' "$1" "$2" > result.tmp && mv -f result.tmp result; }
ended() { trap - EXIT; finish; report 143 false; exit 143; }
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
