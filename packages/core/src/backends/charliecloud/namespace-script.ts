/**
 * What runs between `unshare` and `ch-run`, inside a private user, mount (and network, pid)
 * namespace of the caller's own. ch-run 0.31 binds read-write only, needs each mount point to
 * exist in the (read-only) image and shares the host's network; so here, where every mount is
 * ours to make:
 * - each mount source is bind-mounted (recursively) under the private stage, and a read-only one
 *   is remounted read-only, submounts included (ch-run's bind of it stays read-only: a bind keeps
 *   the flags of what it binds, and ch-run's own user namespace cannot lift them);
 * - the image is shown through a read-only overlay whose top layer holds the mount points, so
 *   nothing is written to the image (which may be another user's, on a shared filesystem);
 * - then it becomes ch-run (`exec`), so ch-run and the tool are the pid namespace's first process:
 *   killing it ends every process of the run.
 * - `hide N PATH` (after the mounts): an empty read-only tmpfs over PATH inside mount N — on a
 *   Slurm node, the spool where a mount of its parent would show it (ch-run binds recursively, so
 *   the tool sees the empty one).
 * Arguments: STAGE IMAGE [ro|rw SOURCE TARGET | hide N PATH]... -- CH-RUN ARGV... (never re-parsed by a shell).
 * Mount n is at `$STAGE/m<n>` (n from 1), the image at `$STAGE/root` (ch-run-command.ts).
 */
export const NAMESPACE_SCRIPT = `set -eu
stage=$1 image=$2
shift 2
[ -d "$stage" ] || mkdir -p "$stage"
mount -t tmpfs -o mode=0700 tooldock "$stage"
mkdir "$stage/points" "$stage/root"
i=0
while [ "$1" != "--" ]; do
  mode=$1 src=$2 dst=$3
  shift 3
  if [ "$mode" = hide ]; then
    mount -t tmpfs -o ro,size=4k,mode=0555 tooldock "$stage/m$src$dst"
    continue
  fi
  i=$((i + 1))
  if [ -d "$src" ]; then
    mkdir -p "$stage/points$dst" "$stage/m$i"
  else
    mkdir -p "$stage/points\${dst%/*}"
    : > "$stage/points$dst"
    : > "$stage/m$i"
  fi
  mount --rbind "$src" "$stage/m$i"
  if [ "$mode" = ro ]; then
    findmnt -Rrn -o TARGET "$stage/m$i" | while IFS= read -r sub; do
      mount -o remount,bind,ro "$(printf '%b' "$sub")"
    done
  fi
done
shift
mount -t overlay -o "lowerdir=$stage/points:$image" tooldock "$stage/root"
exec "$@"
`;

/** The marker ch-run prints when it cannot execute the command (`can't execve(2): cmd: <why>`). */
export const CH_RUN_EXEC_FAILED = /^ch-run\[\d+\]: error: can't execve\(2\): (.*): ([^:(]+?) \(ch_core\.c:\d+ (\d+)\)/m;
