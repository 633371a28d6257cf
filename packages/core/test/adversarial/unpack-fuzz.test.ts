import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import type { LocalMount } from '../../src/api/mount-spec.js';
import { unpackOutputs } from '../../src/backends/docker/copy-mode/unpack-outputs.js';
import { sentByPacking } from '../unit/copy-mode/sent-by-packing.js';
import { archiveStream, buildTar, type TarEntry } from '../unit/copy-mode/tar-builder.js';

// Threat model: the archive `getArchive` returns is untrusted (a hostile tool wrote the tree, a
// spoofed daemon may have crafted the tar). Whatever it holds, unpacking it must not create or
// change anything outside the destination, and must resolve, or reject with an Error.

/** Stands for the absolute path of the sandbox's "outside" directory (known only per sandbox). */
const OUT = '@OUTSIDE@';
const SECRET = 'SECRET-c0ffee-must-never-be-copied-in';
const ARCHIVES_PER_RUN = 8; // unpacked in parallel, each in its own sandbox
// × 8 = 4 000 archives. Each case now also sends the destination's real contents first (deletions
// are fuzzed too), about twice the work per archive of round two: ~26 s per 1 000 on a loaded 2-core CI.
const RUNS = Number(process.env.TOOLDOCK_FUZZ_RUNS ?? 500);
const MTIME = new Date(1_700_000_000_000);
/** Far above any unpack of these small archives: beyond it, an unpack hangs. */
const HANG_MS = 10_000;

// Mostly names that meet the seeded destination (its symlinks, file and directory), so that
// archives get past the name checks; hostile names and types at a lower rate.
const segment = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('a', 'b', 'evil', 'rel', 'deep', 'up', 'secret', 'dangling', 'plain.txt', 'sub', 'c.txt') },
  { weight: 1, arbitrary: fc.constantFrom('..', '.', '') },
  { weight: 1, arbitrary: fc.constantFrom('L'.repeat(300), '.tooldock-staging-x', 'n'.repeat(250)) },
);
const inOut = fc.array(segment, { minLength: 1, maxLength: 4 }).map((rest) => ['out', ...rest].join('/'));
const dirName = fc.oneof(
  { weight: 30, arbitrary: inOut },
  { weight: 2, arbitrary: inOut.map((n) => `${n}/`) },
  { weight: 1, arbitrary: fc.constantFrom('out', 'out/', './out/a', 'zz/a', 'a', '') },
  { weight: 1, arbitrary: fc.array(segment, { maxLength: 3 }).map((rest) => [OUT, ...rest].join('/')) },
  { weight: 1, arbitrary: fc.constant(`out/${Array.from({ length: 25 }, (_, i) => `${i}`.padEnd(200, 'd')).join('/')}/f`) },
);
const fileName = fc.oneof({ weight: 10, arbitrary: fc.constant('c.txt') }, { weight: 1, arbitrary: dirName });

const symlinkTarget = fc.constantFrom(
  OUT,
  `${OUT}/secret.txt`,
  `${OUT}/new.txt`,
  `${OUT}/sub`,
  '../outside',
  '../../outside',
  '../../../outside/sub',
  '..',
  '.',
  'a',
  '/etc',
  '/etc/shadow',
  'evil/x',
  '',
);
const hardLinkTarget = (name: fc.Arbitrary<string>) =>
  fc.oneof(name, fc.constantFrom('out/secret', 'out/plain.txt', 'out/evil', 'out/../outside/secret.txt', `${OUT}/secret.txt`));

function entry(name: fc.Arbitrary<string>): fc.Arbitrary<TarEntry> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        name,
        type: fc.constant('file' as const),
        content: fc.constantFrom('', 'x', 'pwned\n', 'plain\n'),
        mode: fc.constantFrom(0o644, 0o755, 0o4755, 0),
      }),
    },
    { weight: 4, arbitrary: fc.record({ name, type: fc.constant('directory' as const), mode: fc.constantFrom(0o755, 0o700, 0) }) },
    { weight: 4, arbitrary: fc.record({ name, type: fc.constant('symlink' as const), linkname: symlinkTarget }) },
    { weight: 2, arbitrary: fc.record({ name, type: fc.constant('link' as const), linkname: hardLinkTarget(name) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        name,
        type: fc.constantFrom('fifo' as const, 'character-device' as const, 'block-device' as const),
        devmajor: fc.constant(1),
        devminor: fc.constant(3),
      }),
    },
  );
}

/** One hostile archive (for a directory mount, or a single-file one), and how it is fed to the unpacker. */
const archiveCase = fc
  .tuple(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          singleFile: fc.constant(false),
          entries: fc.array(entry(dirName), { minLength: 1, maxLength: 6 }),
          withRoot: fc.boolean(),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          singleFile: fc.constant(true),
          entries: fc.array(entry(fileName), { minLength: 1, maxLength: 2 }),
          withRoot: fc.constant(false),
        }),
      },
    ),
    fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat(4096) }), // cut the archive short
  )
  .map(([c, truncateAt]) => ({ ...c, truncateAt }));
type ArchiveCase = typeof archiveCase extends fc.Arbitrary<infer T> ? T : never;

interface Sandbox {
  root: string;
  outside: string;
  dest: string;
  /** Everything under `root` (but dest's own mtime) as it is before the next unpack. */
  baseline: Map<string, string>;
  /** A failed check may have left anything anywhere: rebuilt before the next (shrinking) run. */
  dirty?: boolean;
}

/**
 * What an earlier hostile run could have left in the destination: symlinks to outside, absolute
 * and relative, to a directory, to a file and dangling, one below a real directory; and a plain
 * file and directory. Keyed by top-level name, so a case's damage is repaired name by name.
 */
const SEEDS: Record<string, (dest: string, outside: string) => Promise<unknown>> = {
  evil: (dest, outside) => symlink(outside, join(dest, 'evil')),
  rel: (dest) => symlink('../outside', join(dest, 'rel')),
  deep: (dest) => mkdir(join(dest, 'deep')).then(() => symlink('../../outside', join(dest, 'deep/up'))),
  secret: (dest, outside) => symlink(join(outside, 'secret.txt'), join(dest, 'secret')),
  dangling: (dest, outside) => symlink(join(outside, 'new.txt'), join(dest, 'dangling')),
  sub: (dest) => mkdir(join(dest, 'sub')),
  'plain.txt': (dest) => writeFile(join(dest, 'plain.txt'), 'plain\n').then(() => utimes(join(dest, 'plain.txt'), MTIME, MTIME)),
  'c.txt': (dest) => writeFile(join(dest, 'c.txt'), 'single file\n'),
};

async function makeSandbox(root: string): Promise<Sandbox> {
  const outside = join(root, 'outside');
  const dest = join(root, 'dest');
  await mkdir(join(outside, 'sub'), { recursive: true });
  await mkdir(dest);
  await writeFile(join(outside, 'secret.txt'), `${SECRET}\n`);
  await writeFile(join(outside, 'sub/f.txt'), 'outside\n');
  await symlink('../dest', join(outside, 'back-to-dest'));
  await Promise.all(Object.values(SEEDS).map((seed) => seed(dest, outside)));
  return { root, outside, dest, baseline: snapshot(root, dest) };
}

/**
 * Puts back what an unpack changed in the destination (creating files is slow on some disks, so
 * only the top-level names that differ are removed and re-seeded).
 */
async function repairDestination(sandbox: Sandbox, after: Map<string, string>): Promise<void> {
  const { dest, outside, baseline } = sandbox;
  const topLevel = (path: string) => path.slice(dest.length + 1).split('/')[0]!;
  const changed = new Set<string>();
  for (const [path, facts] of after) if (path.startsWith(`${dest}/`) && baseline.get(path) !== facts) changed.add(topLevel(path));
  for (const path of baseline.keys()) if (path.startsWith(`${dest}/`) && !after.has(path)) changed.add(topLevel(path));
  if (changed.size === 0) return;
  await Promise.all(
    [...changed].map(async (name) => {
      await rm(join(dest, name), { recursive: true, force: true });
      await SEEDS[name]?.(dest, outside);
    }),
  );
  sandbox.baseline = snapshot(sandbox.root, dest);
}

/**
 * Every path under `dir` (not following links): type, link target, content, mode, size, mtime,
 * inode; `dest` itself without its mtime (each staging directory changes it). Synchronous: for a
 * few cached entries that is ten times faster than a thread-pool trip each.
 */
function snapshot(dir: string, dest: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (path: string) => {
    const stat = lstatSync(path);
    const kind = stat.isSymbolicLink()
      ? `link→${readlinkSync(path)}`
      : stat.isDirectory()
        ? 'dir'
        : stat.isFile()
          ? `file:${readFileSync(path, 'utf8')}`
          : 'other';
    seen.set(path, path === dest ? kind : `${kind} mode=${stat.mode.toString(8)} size=${stat.size} mtime=${stat.mtimeMs} ino=${stat.ino}`);
    if (stat.isDirectory()) for (const child of readdirSync(path)) visit(join(path, child));
  };
  visit(dir);
  return seen;
}

/** `expect` is costly at 10 000 cases: compared by hand, and handed to `expect` for the diff only when different. */
function expectSame(actual: Map<string, string>, expected: Map<string, string>, keep: (path: string) => boolean): void {
  const a = [...actual].filter(([path]) => keep(path));
  const b = [...expected].filter(([path]) => keep(path));
  if (a.length !== b.length || a.some(([path, facts]) => expected.get(path) !== facts)) expect(new Map(a)).toEqual(new Map(b));
}

function fail(message: string): never {
  throw new Error(message);
}

/** Unpacks one case into the sandbox and checks that nothing outside the destination moved. */
async function check(sandbox: Sandbox, c: ArchiveCase): Promise<void> {
  if (sandbox.dirty) {
    await rm(sandbox.root, { recursive: true, force: true });
    await mkdir(sandbox.root);
    Object.assign(sandbox, await makeSandbox(sandbox.root), { dirty: false });
  }
  try {
    await unpackAndCompare(sandbox, c);
  } catch (error) {
    sandbox.dirty = true;
    throw error;
  }
}

async function unpackAndCompare(sandbox: Sandbox, c: ArchiveCase): Promise<void> {
  const { dest, outside, root } = sandbox;
  const fill = (s: string) => s.split(OUT).join(outside);
  const entries = c.entries.map((e) => ({ ...e, name: fill(e.name), ...(e.linkname !== undefined ? { linkname: fill(e.linkname) } : {}) }));
  let tar = await buildTar(c.withRoot && !c.singleFile ? [{ name: 'out/', type: 'directory' }, ...entries] : entries);
  if (c.truncateAt !== null) tar = tar.subarray(0, c.truncateAt);
  const mount: LocalMount = c.singleFile
    ? { path: join(dest, 'c.txt'), target: '/tmp/c.txt', write: true }
    : { path: dest, target: '/out', write: true };
  // What copy mode sent: everything in the destination, so every path the archive lacks is a
  // deletion the unpacker must confine to the destination too.
  const sent = await sentByPacking([mount]);

  const unpacked = unpackOutputs(archiveStream(tar), mount, { sent, allTargets: [mount.target] }).then(
    ({ written, deleted }) => ({ written: [...written, ...deleted] }),
    (error: unknown) => ({ error }),
  );
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`unpackOutputs neither resolved nor rejected within ${HANG_MS} ms`)), HANG_MS);
  });
  const outcome = await Promise.race([unpacked, hung]).finally(() => clearTimeout(timer));

  const after = snapshot(root, dest);
  // Nothing but the mount's tree (a single-file mount: that file) may have changed.
  expectSame(after, sandbox.baseline, c.singleFile ? (p) => p !== mount.path : (p) => !p.startsWith(`${dest}/`));
  if ('error' in outcome) {
    if (!(outcome.error instanceof Error)) fail(`rejected with a non-Error: ${String(outcome.error)}`);
  } else {
    const stray = outcome.written.filter((path) => path !== mount.path && !path.startsWith(`${dest}/`));
    if (stray.length > 0) fail(`reported writing or deleting outside the mount: ${stray.join(', ')}`);
  }
  if (!after.get(dest)?.startsWith('dir')) fail(`${dest} is no longer a directory`);
  if (c.singleFile && !after.get(mount.path)?.startsWith('file:')) fail(`${mount.path} is no longer a regular file: ${after.get(mount.path)}`);
  for (const [path, facts] of after) {
    if (path.includes('.tooldock-staging-')) fail(`staging left behind: ${path}`);
    // Nothing outside was read into the destination either (a link followed while copying).
    if (facts.includes(SECRET) && path.startsWith(`${dest}/`)) fail(`${path} holds a copy of a file outside`);
  }
  await repairDestination(sandbox, after);
}

describe('unpacking hostile getArchive tars never touches anything outside the destination', () => {
  it(`${RUNS * ARCHIVES_PER_RUN} generated archives: symlink chains, .., absolute and long names, hard links, devices, duplicates, type changes`, async () => {
    const sandboxes = await Promise.all(Array.from({ length: ARCHIVES_PER_RUN }, () => makeSandbox(tempDir('unpack-fuzz'))));
    const unhandled: unknown[] = [];
    const record = (error: unknown) => unhandled.push(error);
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
    const started = performance.now();
    let archives = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(archiveCase, { minLength: ARCHIVES_PER_RUN, maxLength: ARCHIVES_PER_RUN }), async (cases) => {
          // All settled before the next run (or shrink step) reuses the sandboxes.
          const outcomes = await Promise.allSettled(cases.map((c, i) => check(sandboxes[i]!, c)));
          archives += cases.length;
          const failed = outcomes.find((o) => o.status === 'rejected');
          if (failed) throw failed.reason;
        }),
        // To replay a failure: TOOLDOCK_FUZZ_SEED and TOOLDOCK_FUZZ_PATH from its report.
        {
          numRuns: RUNS,
          ...(process.env.TOOLDOCK_FUZZ_SEED ? { seed: Number(process.env.TOOLDOCK_FUZZ_SEED), path: process.env.TOOLDOCK_FUZZ_PATH } : {}),
        },
      );
    } finally {
      process.off('unhandledRejection', record);
      process.off('uncaughtException', record);
    }
    console.log(`unpack-fuzz: ${archives} archives in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(unhandled).toEqual([]);
    expect(archives).toBeGreaterThanOrEqual(RUNS * ARCHIVES_PER_RUN);
  }, 300_000);
});
