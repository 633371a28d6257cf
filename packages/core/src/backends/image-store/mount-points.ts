import { lstat, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// What ch-run binds into every container: Charliecloud's mount_points_ensure in ch-convert, and
// `sys`, which ch-run 0.31 binds too (an image from `docker export` always has it).
const DIRECTORIES = ['bin', 'dev', 'etc', 'mnt', 'proc', 'sys', 'usr', ...Array.from({ length: 10 }, (_, i) => `mnt/${i}`)];
const FILES = ['etc/hosts', 'etc/resolv.conf'];

/**
 * Makes the mount points ch-run needs in an image directory, as `ch-convert` does for the images
 * it writes: each only where nothing of that name exists (a symlink is left alone: it resolves
 * inside the container).
 */
export async function ensureMountPoints(root: string): Promise<void> {
  const missing = async (path: string) => !(await lstat(join(root, path)).catch(() => undefined));
  for (const dir of DIRECTORIES) if (await missing(dir)) await mkdir(join(root, dir), { mode: 0o755 });
  for (const file of FILES) if (await missing(file)) await writeFile(join(root, file), '', { mode: 0o644, flag: 'wx' });
}
