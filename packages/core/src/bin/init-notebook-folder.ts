import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { NOTEBOOK_PACKAGES, checkoutRoot, ownVersion, packCheckout } from './package-sources.js';

export interface InitOptions {
  /** The folder to prepare, relative to `base`; default: `base` itself. */
  folder?: string;
  /** Where the user stands. */
  base: string;
  /** Install the published packages even when running from a checkout. */
  fromRegistry?: boolean;
}

/** Where packed tarballs are kept: package.json refers to them, so `npm install` works again later. */
export const TARBALL_FOLDER = 'tooldock-packages';

/**
 * Makes a folder ready for tooldock notebooks and scripts: a package.json (ESM, a `tooldock`
 * script that can only run the installed CLI), a deno.json that lets Deno's kernel use
 * node_modules, and @tooldock/core, recipes and jupyter installed with npm — from this checkout's
 * packed packages until they are on the registry. Returns the exit code.
 */
export async function initNotebookFolder(options: InitOptions): Promise<number> {
  const folder = resolve(options.base, options.folder ?? '.');
  mkdirSync(folder, { recursive: true });
  updateJson(join(folder, 'package.json'), (pkg) => ({
    name: npmName(basename(folder)), private: true, type: 'module', ...pkg,
    // `npm run tooldock -- doctor` runs node_modules/.bin/tooldock or fails: never a download.
    scripts: { tooldock: 'tooldock', ...(pkg.scripts as object | undefined) },
    // tslab type-checks cells: without Node's types, `import … from 'node:fs'` is an error.
    devDependencies: { '@types/node': '^20.19.0', ...(pkg.devDependencies as object | undefined) },
  }));
  // Deno's kernel resolves bare imports through package.json only with a node_modules it may read.
  updateJson(join(folder, 'deno.json'), (deno) => ({ nodeModulesDir: 'manual', ...deno }));

  const root = options.fromRegistry ? undefined : checkoutRoot();
  let specs: string[];
  try {
    specs = root
      ? packCheckout(root, join(folder, TARBALL_FOLDER)).map((t) => `./${relative(folder, t)}`)
      : NOTEBOOK_PACKAGES.map((p) => `${p.name}@${ownVersion()}`);
  } catch (error) {
    console.error(`tooldock init: ${(error as Error).message}`);
    return 1;
  }
  console.log(`installing ${root ? `the packages of ${root}` : 'the published packages'} into ${folder}`);
  try {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { cwd: folder, stdio: 'inherit' });
  } catch {
    console.error('tooldock init: npm install failed (see above)');
    return 1;
  }
  console.log(nextSteps(folder));
  return 0;
}

function updateJson(file: string, change: (value: Record<string, unknown>) => Record<string, unknown>): void {
  const current = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> : {};
  const next = change(current);
  if (JSON.stringify(next) !== JSON.stringify(current)) writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
}

function npmName(folderName: string): string {
  return folderName.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'notebooks';
}

function nextSteps(folder: string): string {
  return `
ready: ${folder}
  notebooks here:  import { runTool } from '@tooldock/core' works under tslab and Deno's kernel
  kernels:         npm install -g tslab && tslab install   |   deno jupyter --install
  check docker:    npm run tooldock -- doctor   (or: pnpm exec tooldock doctor)`;
}
