/**
 * The shell snippets a warm session runs inside its container. A session needs a POSIX `sh` in
 * the image (busybox, Debian, Alpine, BioContainers all have one); nothing else is assumed.
 */

/** Where calls leave their pid: a tmpfs of the session's own, writable whatever the image. */
export const CALLS_DIR = '/.tooldock-calls';

/**
 * What the session container runs between calls: nothing, for as long as it lives. docker-init
 * (HostConfig.Init) is PID 1 and reaps the orphans calls leave behind, so zombies never pile up.
 */
export const KEEP_ALIVE = ['sh', '-c', 'while :; do sleep 86400; done'];

/**
 * Wraps one call. Every exec is a session leader (runc calls setsid for it), so the wrapper's pid
 * is the session id of every process the call forks; it is written down for {@link killCall}.
 * The tool runs as a child, not via `exec`, so the file can be removed after a normal exit.
 */
export function callCommand(callId: string, args: string[]): string[] {
  const script = `f=${CALLS_DIR}/$0; echo $$ > "$f" 2>/dev/null; "$@"; c=$?; rm -f "$f"; exit $c`;
  return ['sh', '-c', script, callId, ...args];
}

/**
 * Kills every process of one call: all processes whose session is the call's (children that
 * moved to another process group included), repeated until none is left so a fork racing the
 * kill is caught too. Zombies are skipped: docker-init reaps them. Only shell builtins are used.
 */
export function killCallCommand(callId: string): string[] {
  const script = [
    `f=${CALLS_DIR}/$0`,
    // Not written yet (a cancel right after start): the caller retries while the call runs.
    'read -r s < "$f" 2>/dev/null || { echo not-started; exit 0; }',
    'i=0',
    'while [ $i -lt 100 ]; do',
    '  found=0',
    '  for p in /proc/[0-9]*/stat; do',
    '    read -r line < "$p" 2>/dev/null || continue',
    '    set -- ${line##*) }',
    '    [ "$4" = "$s" ] && [ "$1" != Z ] || continue',
    '    pid=${p%/stat}; kill -9 "${pid#/proc/}" 2>/dev/null && found=1',
    '  done',
    '  [ $found = 0 ] && break',
    '  i=$((i+1))',
    'done',
    'rm -f "$f"',
  ].join('\n');
  return ['sh', '-c', script, callId];
}

/** What {@link SWEEP_COMMAND} prints once a pass over `/proc` found nothing left to kill. */
export const SWEPT = 'swept';

/**
 * Kills every process calls left in the container: all but the container's own session
 * (docker-init and the keep-alive loop share PID 1's session id; every call is a session of its
 * own, and cannot join another) and the sweep itself. A process that made itself a session
 * leader (`setsid`) is caught too. Prints {@link SWEPT} once a whole pass finds none alive, so a
 * process that would not die (EPERM, not reaped yet) is never taken for gone. Builtins only.
 */
export const SWEEP_COMMAND = [
  'sh',
  '-c',
  [
    'read -r l < /proc/1/stat || exit 1; set -- ${l##*) }; keep=$4',
    'i=0',
    'while [ $i -lt 100 ]; do',
    '  alive=0',
    '  for p in /proc/[0-9]*/stat; do',
    '    read -r line < "$p" 2>/dev/null || continue',
    '    set -- ${line##*) }',
    '    [ "$4" != "$keep" ] && [ "$4" != $$ ] && [ "$1" != Z ] || continue',
    '    alive=1; pid=${p%/stat}; kill -9 "${pid#/proc/}" 2>/dev/null',
    '  done',
    `  [ $alive = 0 ] && { echo ${SWEPT}; exit 0; }`,
    '  i=$((i+1))',
    'done',
  ].join('\n'),
];
