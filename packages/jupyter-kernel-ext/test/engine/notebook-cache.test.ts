import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@tooldock/core';
import { runRecords, type RunRecord } from '@tooldock/core/provenance';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';
import { runNotebook } from '#test-support/notebook-runner.js';
import { tempDir } from '#test-support/temp-dir.js';
import { notebookImageEnv } from '#test-support/test-images.js';

// Issue 15's "done when": re-running the alignment notebook with unchanged inputs serves every
// tool call from the cache — no container created — and marks the hits. Each kernel runs the
// example notebook as shipped, twice, with its own TOOLDOCK_HOME (cache + records) and TMPDIR
// (the notebook's data folder), so it never touches the user's cache or another run's data.

interface Output {
  output_type: string;
  text?: string[];
  data?: Record<string, string[]>;
}
interface NotebookRun {
  cells: Output[][];
  startedAt: number;
  finishedAt: number;
}

const notebooks = join(repoRoot, 'examples', 'notebooks');
const SAMPLES = ['s1', 's2', 's3'];
/** bwa index, then per sample: bwa mem, samtools sort (fed by it), samtools index, samtools flagstat. */
const CALLS = 1 + 4 * SAMPLES.length;
const SESSION_LABEL = 'tooldock.session';

const text = (o: Output | undefined) => (o?.text ?? []).join('');
const html = (o: Output | undefined) => (o?.data?.['text/html'] ?? []).join('');
const streamOf = (cell: Output[] | undefined) => text(cell?.find((o) => o.output_type === 'stream'));
const tableOf = (cell: Output[] | undefined) => html(cell?.find((o) => o.output_type === 'display_data'));

/** A private kernelspec for tslab: the user-wide one may point at another checkout. */
function jupyterPath(root: string): string {
  const spec = join(root, 'jupyter', 'kernels', 'tslab');
  mkdirSync(spec, { recursive: true });
  writeFileSync(
    join(spec, 'kernel.json'),
    JSON.stringify({
      argv: [join(repoRoot, 'node_modules', '.bin', 'tslab'), 'kernel', '--config-path', '{connection_file}'],
      language: 'typescript',
      display_name: 'TypeScript (tslab)',
    }),
  );
  return join(root, 'jupyter');
}

async function executeOnce(kernel: string, env: NodeJS.ProcessEnv, out: string): Promise<NotebookRun> {
  const startedAt = Date.now();
  // Like nbconvert --execute, keeping a Deno output that trails its cell's idle status (denoland/deno#20337).
  await runNotebook(`alignment-${kernel}.ipynb`, kernel, out, { cwd: notebooks, env, timeoutSeconds: 300 });
  const finishedAt = Date.now();
  const cells = (JSON.parse(readFileSync(out, 'utf8')) as { cells: Array<{ cell_type: string; outputs?: Output[] }> }).cells.map(
    (c) => c.outputs ?? [],
  );
  return { cells, startedAt, finishedAt };
}

/** Every output the notebook prints: the reference index line, the progress table, the mapping rates. */
function complete(run: NotebookRun): boolean {
  return streamOf(run.cells[1]) !== '' && tableOf(run.cells[2]) !== '' && streamOf(run.cells[3]) !== '';
}

/** Every file under the notebook's data folder, by content. */
function contentOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) =>
    readdirSync(d).forEach((name) => {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    });
  walk(dir);
  return files;
}

/** The run records on disk under `home`, grouped by session, oldest session first. */
function recordsBySession(home: string): RunRecord[][] {
  const previous = process.env.TOOLDOCK_HOME;
  process.env.TOOLDOCK_HOME = home;
  try {
    const sessions = new Map<string, RunRecord[]>();
    for (const record of runRecords({ all: true })) sessions.set(record.session, [...(sessions.get(record.session) ?? []), record]);
    return [...sessions.values()];
  } finally {
    if (previous === undefined) delete process.env.TOOLDOCK_HOME;
    else process.env.TOOLDOCK_HOME = previous;
  }
}

/**
 * Counts the containers the daemon creates from now on, by the session label they carry. Watched
 * live: the daemon replays past events only from a short in-memory buffer (256 events), which
 * other tests' containers overrun.
 */
async function watchCreatedContainers(): Promise<{ bySession: Map<string, number>; failure: () => unknown; stop: () => void }> {
  const stream = (await connect().docker.getEvents({
    filters: { type: ['container'], event: ['create'], label: [SESSION_LABEL] },
  } as never)) as unknown as Readable;
  const bySession = new Map<string, number>();
  let buffer = '';
  let failure: unknown;
  stream.on('error', (error) => {
    failure = error;
  });
  stream.on('data', (chunk: Buffer) => {
    const lines = (buffer + chunk.toString()).split('\n');
    buffer = lines.pop()!;
    for (const line of lines.filter((l) => l.trim())) {
      const session = (JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } }).Actor?.Attributes?.[SESSION_LABEL] ?? '';
      bySession.set(session, (bySession.get(session) ?? 0) + 1);
    }
  });
  return { bySession, failure: () => failure, stop: () => stream.destroy() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Each call's time as its record tells it (a hit spans its lookup and restore); no wall-clock assertion. */
function reportLatency(kernel: string, first: RunRecord[], rerun: RunRecord[], [cold, warm]: NotebookRun[]): void {
  const hits = rerun.filter((r) => r.cached).map((r) => r.durationMs);
  const seconds = (run: NotebookRun) => ((run.finishedAt - run.startedAt) / 1000).toFixed(1);
  console.log(
    `alignment-${kernel}: ${hits.length} of ${rerun.length} calls of the re-run served from the cache, median ${median(hits)} ms ` +
      `(min ${Math.min(...hits)}, max ${Math.max(...hits)}); the first run's calls median ${median(first.map((r) => r.durationMs))} ms; ` +
      `nbconvert wall time ${seconds(cold!)} s then ${seconds(warm!)} s (kernel start and cell compilation included)`,
  );
}

describe.each(['tslab', 'deno'])('the alignment notebook under %s, run twice (headless nbconvert)', (kernel) => {
  let cold: NotebookRun;
  let warm: NotebookRun;
  let home: string;
  let data: string;
  let coldFiles: Record<string, string>;
  let warmFiles: Record<string, string>;
  let created: Map<string, number>;

  beforeAll(async () => {
    await buildPackages();
    const root = tempDir(`notebook-cache-${kernel}`);
    home = join(root, 'home');
    mkdirSync(join(root, 'tmp'));
    data = join(root, 'tmp', 'tooldock-alignment');
    const { TOOLDOCK_CACHE: _unused, ...inherited } = process.env;
    const env = {
      ...inherited,
      ...notebookImageEnv(),
      TOOLDOCK_HOME: home,
      TMPDIR: join(root, 'tmp'),
      JUPYTER_PATH: jupyterPath(root),
      NO_COLOR: '1',
    };
    const watch = await watchCreatedContainers();
    try {
      await runTwice(env, root);
    } finally {
      // Events reach us a moment after the daemon acts: let the last ones arrive.
      await new Promise((resolve) => setTimeout(resolve, 500));
      watch.stop();
    }
    expect(watch.failure(), "the daemon's event stream").toBeUndefined();
    created = watch.bySession;
  }, 600_000);

  async function runTwice(env: NodeJS.ProcessEnv, root: string): Promise<void> {
    cold = await executeOnce(kernel, env, join(root, 'cold.ipynb'));
    expect(complete(cold), 'the first run printed every output').toBe(true);
    coldFiles = contentOf(data);
    warm = await executeOnce(kernel, env, join(root, 'warm.ipynb'));
    expect(complete(warm), 'the re-run printed every output').toBe(true);
    warmFiles = contentOf(data);
  }

  it('runs every tool call of the first run in a container and stores its result', () => {
    const [first] = recordsBySession(home);
    expect(first).toHaveLength(CALLS);
    for (const record of first!) {
      expect(record, record.args.join(' ')).toMatchObject({ cached: false, succeeded: true, cache: { hit: false, inputMode: 'content' } });
      expect(record.cache?.uncacheable, record.args.join(' ')).toBeUndefined();
    }
    expect(tableOf(cold.cells[2])).not.toContain('cached');
  });

  it('serves every tool call of the re-run from the cache: the daemon created no container for it', () => {
    const [first, ...reruns] = recordsBySession(home);
    expect(reruns.length).toBeGreaterThanOrEqual(1);
    reportLatency(kernel, first!, reruns.at(-1)!, [cold, warm]);
    for (const records of reruns) {
      expect(records.map((r) => r.args.join(' ').replace(/partial-\S+/g, 'partial-*')).sort()).toEqual(
        first!.map((r) => r.args.join(' ').replace(/partial-\S+/g, 'partial-*')).sort(),
      );
      for (const record of records) expect(record, record.args.join(' ')).toMatchObject({ cached: true, succeeded: true, cache: { hit: true } });
    }
    // The same watch saw every container of the first run: the zero below is not vacuous.
    expect(created.get(first![0]!.session)).toBe(CALLS);
    for (const records of reruns) expect(created.get(records[0]!.session) ?? 0).toBe(0);
  });

  it("gives the re-run the first run's outputs: the same files, the same printed mapping rates", () => {
    expect(Object.keys(coldFiles)).toEqual(
      expect.arrayContaining(SAMPLES.flatMap((s) => [`${s}/${s}.bam`, `${s}/${s}.bam.bai`, 'inputs/ref.fa.bwt'])),
    );
    expect(warmFiles).toEqual(coldFiles);
    expect(streamOf(warm.cells[1])).toBe(streamOf(cold.cells[1]));
    expect(streamOf(warm.cells[3])).toBe(streamOf(cold.cells[3]));
    expect(streamOf(cold.cells[3]).trim().split('\n')).toHaveLength(SAMPLES.length);
  });

  it('marks every sample of the re-run "done (cached)" in the live progress table', () => {
    const tables = warm.cells[2]!.filter((o) => o.output_type === 'display_data');
    expect(tables).toHaveLength(1);
    expect(html(tables[0])).toMatch(/alignment: 3\/3 done, 0 running, 0 queued, 3 cached/);
    for (const sample of SAMPLES) expect(html(tables[0])).toContain(`<td>${sample}</td><td style="color:#080">done (cached)</td>`);
  });
});
