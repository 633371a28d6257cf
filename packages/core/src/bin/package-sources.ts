import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The packages a notebook folder gets, by name and by their folder in a tooldock checkout. */
export const NOTEBOOK_PACKAGES = [
  { name: '@tooldock/core', folder: 'core' },
  { name: '@tooldock/recipes', folder: 'recipes' },
  { name: '@tooldock/jupyter', folder: 'jupyter-kernel-ext' },
] as const;

/** The tooldock checkout this CLI runs from (packages/core/dist/bin/ inside it), if it is one. */
export function checkoutRoot(): string | undefined {
  const root = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
  return existsSync(join(root, 'pnpm-workspace.yaml')) && existsSync(join(root, 'packages', 'jupyter-kernel-ext')) ? root : undefined;
}

/** This CLI's own version: installing from the registry pins the packages to it. */
export function ownVersion(): string {
  const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * Packs the checkout's packages into `destination` and returns the tarballs. pnpm packs them
 * because it rewrites `workspace:*` dependencies to real versions (npm pack would not).
 */
export function packCheckout(root: string, destination: string): string[] {
  const unbuilt = NOTEBOOK_PACKAGES.filter((p) => !existsSync(join(root, 'packages', p.folder, 'dist', 'index.js')));
  if (unbuilt.length) throw new Error(`${unbuilt.map((p) => p.name).join(', ')} not built: run \`pnpm build\` in ${root} first`);
  mkdirSync(destination, { recursive: true });
  return NOTEBOOK_PACKAGES.map((p) => {
    const folder = join(root, 'packages', p.folder);
    execFileSync('pnpm', ['pack', '--pack-destination', destination], { cwd: folder, stdio: ['ignore', 'ignore', 'inherit'] });
    const { version } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version: string };
    return join(destination, `${p.name.slice(1).replace('/', '-')}-${version}.tgz`);
  });
}
