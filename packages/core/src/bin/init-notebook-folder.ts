import { execFileSync } from 'node:child_process';
import { accessSync, constants, lstatSync, mkdirSync, readFileSync, writeFileSync, type Stats } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.js';
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
 * node_modules, and @tooldock/core, recipes and jupyter installed with npm: from this checkout's
 * packed packages when the CLI runs from a checkout, otherwise (or with `fromRegistry`) the
 * published versions equal to this CLI's, from the registry npm is configured with (the folder's
 * .npmrc counts). Returns the exit code.
 */
export async function initNotebookFolder(options: InitOptions): Promise<number> {
  const folder = resolve(options.base, options.folder ?? '.');
  try {
    writeManifests(folder);
  } catch (error) {
    // A bad file or folder is the user's to fix: one clear line, no stack trace, nothing half-written.
    if (!(error instanceof InvalidInputError)) throw error;
    console.error(`tooldock init: ${error.message}`);
    return 1;
  }

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
    // Published versions are pinned exactly: the three packages are released together, in lockstep.
    const pin = root ? [] : ['--save-exact'];
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...pin, ...specs], { cwd: folder, stdio: 'inherit' });
  } catch {
    console.error('tooldock init: npm install failed (see above)');
    return 1;
  }
  console.log(nextSteps(folder));
  return 0;
}

/**
 * package.json and deno.json, validated both before either is written: each must be absent or a
 * regular file (a symlink would rewrite another project's file) holding a JSON object (not
 * `null`, not JSONC with comments), and the folder must be writable. Anything else is an
 * InvalidInputError naming the file, and nothing is written.
 */
function writeManifests(folder: string): void {
  const folderStats = lstatOrUndefined(folder);
  if (folderStats && !folderStats.isDirectory()) throw new InvalidInputError('folder', folder, 'must be a directory (or not exist yet)');
  const pending: Array<() => void> = [];
  const updateJson = (file: string, change: (value: Record<string, unknown>) => Record<string, unknown>) => {
    const current = readJsonObject(file);
    const next = change(current);
    if (JSON.stringify(next) !== JSON.stringify(current)) pending.push(() => writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`));
  };
  updateJson(join(folder, 'package.json'), (pkg) => ({
    name: npmName(basename(folder)),
    private: true,
    type: 'module',
    ...pkg,
    // `npm run tooldock -- doctor` runs node_modules/.bin/tooldock or fails: never a download.
    scripts: { tooldock: 'tooldock', ...(pkg.scripts as object | undefined) },
    // tslab type-checks cells: without Node's types, `import … from 'node:fs'` is an error.
    devDependencies: { '@types/node': '^20.19.0', ...(pkg.devDependencies as object | undefined) },
  }));
  // Deno's kernel resolves bare imports through package.json only with a node_modules it may read.
  updateJson(join(folder, 'deno.json'), (deno) => ({ nodeModulesDir: 'manual', ...deno }));
  if (pending.length === 0) return;
  if (!folderStats) mkdirSync(folder, { recursive: true });
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new InvalidInputError('folder', folder, 'must be writable (tooldock init writes package.json and deno.json there)');
  }
  try {
    for (const write of pending) write();
  } catch (error) {
    throw new InvalidInputError('folder', folder, `must be writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function readJsonObject(file: string): Record<string, unknown> {
  const stats = lstatOrUndefined(file);
  if (!stats) return {};
  if (stats.isSymbolicLink())
    throw new InvalidInputError(
      basename(file),
      file,
      'must be a regular file, not a symbolic link (tooldock init would rewrite the file it points to)',
    );
  if (!stats.isFile()) throw new InvalidInputError(basename(file), file, 'must be a regular file');
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidInputError(basename(file), file, `must be plain JSON (JSONC comments cannot be kept: remove them): ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidInputError(basename(file), file, 'must hold a JSON object ({ … })');
  return value as Record<string, unknown>;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function npmName(folderName: string): string {
  return (
    folderName
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+/, '') || 'notebooks'
  );
}

function nextSteps(folder: string): string {
  return `
ready: ${folder}
  notebooks here:  import { runTool } from '@tooldock/core' works under tslab and Deno's kernel
  kernels:         npm install -g tslab && tslab install   |   deno jupyter --install
  check docker:    npm run tooldock -- doctor   (or: pnpm exec tooldock doctor)`;
}
