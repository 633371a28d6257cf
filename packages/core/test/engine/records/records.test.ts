import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '#test-support/built-packages.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { connect, InvalidInputError, isToolError, runTool } from '@tooldock/core';
import { runRecords, type RunRecord } from '@tooldock/core/provenance';
import { session } from '@tooldock/core/docker';

const { busybox } = testImages();
const home = tempDir('records-home');
const journal = () => join(home, 'records', `${session.id}.jsonl`);
const last = (): RunRecord => runRecords().at(-1)!;

beforeAll(() => {
  process.env.TOOLDOCK_HOME = home; // read at every append: this file's records go here
});

describe('run records', () => {
  it('records a successful run: image id, argv, env names only, both sides of each mount, files, times', async () => {
    const data = tempDir('records-data');
    const input = join(data, 'in');
    const out = join(data, 'out');
    mkdirSync(input);
    mkdirSync(out);
    writeFileSync(join(input, 'reads.txt'), 'ACGT\n');
    const sink = join(data, 'listing.txt');
    const result = await runTool(
      busybox,
      ['sh', '-c', 'cat /in/reads.txt; cp /in/reads.txt /out/copy.txt'],
      [
        { path: input, target: '/in' },
        { path: out, target: '/out', write: true },
      ],
      { env: { API_TOKEN: 'never-in-a-record' }, stdout: { file: sink }, cwd: '/in' },
    );

    const record = last();
    expect(record).toMatchObject({
      session: session.id,
      attempt: 1,
      image: busybox,
      imageId: result.imageId,
      args: result.args,
      envNames: ['API_TOKEN'],
      cwd: '/in',
      userMode: 'auto',
      user: result.user,
      engine: connect().endpoint,
      exitCode: 0,
      succeeded: true,
      failed: false,
      cached: false,
    });
    expect(record.mounts).toEqual(result.mounts.map((m) => ({ localPath: m.localPath, target: m.target, source: m.source, readOnly: m.readOnly })));
    expect(record.inputs).toEqual([{ path: input, kind: 'directory', mtimeMs: statSync(input).mtimeMs }]);
    expect(record.outputs).toContainEqual({ path: sink, kind: 'file', size: 5, mtimeMs: statSync(sink).mtimeMs });
    expect(Date.parse(record.finishedAt) - Date.parse(record.startedAt)).toBe(record.durationMs);
    expect(Date.parse(record.startedAt)).toBeLessThanOrEqual(result.startedAt.getTime());

    // On disk, whole, and without the secret: it is written before the run settles.
    const lines = readFileSync(journal(), 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toEqual(record);
    expect(readFileSync(journal(), 'utf8')).not.toContain('never-in-a-record');
  });

  it('records a failure, then rethrows the ToolError unchanged', async () => {
    const before = runRecords().length;
    let thrown: unknown;
    try {
      await runTool(busybox, ['sh', '-c', 'echo nope >&2; exit 3']);
    } catch (error) {
      thrown = error;
    }
    expect(isToolError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ exitCode: 3, shortMessage: 'Command failed with exit code 3: sh', stderrTail: 'nope' });
    expect(runRecords()).toHaveLength(before + 1);
    expect(last()).toMatchObject({ exitCode: 3, succeeded: false, failed: true, error: 'Command failed with exit code 3: sh', image: busybox });
  });

  it('records a run that never started (an image that is not there) with what is known', async () => {
    await expect(runTool('tooldock-test/no-such-image:never', ['true'], [], { pull: 'never' })).rejects.toSatisfy(isToolError);
    expect(last()).toMatchObject({ image: 'tooldock-test/no-such-image:never', succeeded: false, failed: true, mounts: [] });
    expect(last().exitCode).toBeUndefined();
  });

  it('reads earlier sessions from disk: a child process runs a tool, this one reads its record', async () => {
    const script = join(tempDir('records-child'), 'child.mts');
    writeFileSync(
      script,
      [
        `import { runTool } from ${JSON.stringify(join(repoRoot, 'packages/core/src/index.ts'))};`,
        `import { session } from ${JSON.stringify(join(repoRoot, 'packages/core/src/subpaths/docker.ts'))};`,
        `await runTool(${JSON.stringify(busybox)}, ['echo', 'from the child']);`,
        'console.log(session.id);',
      ].join('\n'),
    );
    const { stdout } = await promisify(execFile)(join(repoRoot, 'node_modules/.bin/tsx'), [script], { env: { ...process.env, TOOLDOCK_HOME: home } });
    const child = stdout.trim();
    expect(child).toMatch(/^[0-9a-f]{16}$/);
    expect(runRecords().some((r) => r.session === child)).toBe(false);
    const theirs = runRecords({ all: true }).filter((r) => r.session === child);
    expect(theirs).toHaveLength(1);
    expect(theirs[0]).toMatchObject({ args: ['echo', 'from the child'], exitCode: 0, succeeded: true, image: busybox });
    expect(runRecords({ since: theirs[0]!.startedAt }).map((r) => r.id)).toContain(theirs[0]!.id);
    expect(runRecords({ since: new Date(Date.now() + 60_000) })).toEqual([]);
  });

  it('skips a torn last line (a process killed mid-append) and reads the rest', () => {
    const whole = { ...last(), id: 'a-whole-record', session: 'deadbeefdeadbeef' };
    const file = join(home, 'records', 'deadbeefdeadbeef.jsonl');
    appendFileSync(file, `${JSON.stringify(whole)}\n${JSON.stringify({ ...whole, id: 'torn' }).slice(0, 120)}`);
    const ids = runRecords({ all: true }).map((r) => r.id);
    expect(ids).toContain('a-whole-record');
    expect(ids).not.toContain('torn');
  });

  it('never fails a run when the records cannot be written: it warns once', async () => {
    const blocked = join(tempDir('records-blocked'), 'not-a-dir');
    writeFileSync(blocked, 'a file where TOOLDOCK_HOME should be a directory');
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    process.env.TOOLDOCK_HOME = blocked;
    try {
      await runTool(busybox, ['true']);
      await runTool(busybox, ['true']);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.env.TOOLDOCK_HOME = home;
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('run records could not be written'))).toHaveLength(1);
    expect(
      runRecords()
        .slice(-2)
        .map((r) => r.succeeded),
    ).toEqual([true, true]);
  });

  it('rejects unknown options with one InvalidInputError', () => {
    expect(() => runRecords({ al: true } as never)).toThrow(InvalidInputError);
    expect(() => runRecords({ since: 'yesterday-ish' })).toThrow(/options\.since/);
  });
});
