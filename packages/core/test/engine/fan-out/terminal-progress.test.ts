import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '#test-support/built-packages.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/progress-script.mjs', import.meta.url));

describe('terminal progress', () => {
  beforeAll(async () => {
    await buildPackages();
  }, 120_000);

  it('draws in place on a terminal (a real pty via script(1))', async () => {
    const { stdout } = await run('script', ['-qec', `stty rows 40 cols 120; ${process.execPath} ${fixture} ${busybox}`, '/dev/null']);
    // eslint-disable-next-line no-control-regex -- ANSI escape sequences are what this checks
    const text = stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(text).toContain('3/3 finished · 0 running · 0 queued');
    expect(text).toMatch(/▶ job-\d/);
    // eslint-disable-next-line no-control-regex -- ANSI escape sequences are what this checks
    expect(stdout).toMatch(/\x1b\[\d*A|\x1b\[2K/); // cursor movement: redrawn, not appended
    expect(text).toContain('script done');
  });

  it('is silent when stderr is not a terminal', async () => {
    const { stdout, stderr } = await run(process.execPath, [fixture, busybox]);
    expect(stderr).toBe('');
    expect(stdout).toBe('script done\n');
  });
});
