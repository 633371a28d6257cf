/**
 * `argv` made to die with the process that spawns it (us), even when we are SIGKILLed and no
 * handler of ours runs: `setpriv --pdeathsig KILL` (util-linux) asks the kernel to send SIGKILL
 * when the parent goes, and the signal survives the exec into `unshare`, whose `--kill-child`
 * then ends the pid namespace and so every process of the run.
 *
 * Parent death is per thread: the signal fires when the thread that spawned the process exits.
 * Node spawns from the thread that calls `spawn` (the main thread, or a worker: its tools die
 * with it). A parent that died before `setpriv` set the signal would never send it: the shell
 * checks that its parent is still `parentPid` once the signal is armed, and gives up otherwise.
 */
export function dieWithParent(argv: string[], parentPid: number): string[] {
  return ['setpriv', '--pdeathsig', 'KILL', '/bin/sh', '-c', PARENT_CHECK, 'tooldock-ch-parent', String(parentPid), ...argv];
}

/** $PPID is read when the shell starts, after setpriv armed the signal: no window left. */
const PARENT_CHECK = '[ "$PPID" = "$1" ] || exit 137; shift; exec "$@"';
