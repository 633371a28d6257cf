import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, repoRoot } from '#test-support/built-packages.js';

const driver = fileURLToPath(new URL('./fixtures/interrupt_driver.py', import.meta.url));

const readImages: Record<string, string> = {
  deno: 'const images = JSON.parse(Deno.readTextFileSync("../../.cache/test-images.json"));',
  tslab: 'import { readFileSync } from "fs";\nconst images = JSON.parse(readFileSync("../../.cache/test-images.json", "utf8"));',
};

describe.each(['deno', 'tslab'])('interrupting a %s kernel cell that runs tools (jupyter_client)', (kernel) => {
  beforeAll(async () => {
    await buildPackages();
  }, 120_000);

  it('cancels the tool containers, and the kernel answers the next cell', async () => {
    const id = randomUUID();
    const setup = `import { runMany } from "@tooldock/core";\nimport { cancelOnInterrupt } from "@tooldock/jupyter";\n${readImages[kernel]}`;
    const cell =
      `await runMany([1, 2].map(() => ({ image: images.busybox, args: ["sleep", "300"], options: { labels: { "interrupt-test": "${id}" } } })),` +
      ' { concurrency: 2, signal: cancelOnInterrupt() }).catch((e) => e.shortMessage);';
    // Debian's python3: jupyter_client lives there, whatever python3 is first on PATH.
    const { stdout } = await promisify(execFile)(
      '/usr/bin/python3',
      [driver, kernel, join(repoRoot, 'examples', 'notebooks'), `interrupt-test=${id}`, setup, cell],
      { timeout: 150_000 },
    );
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(report.runningBefore).toBe(2);
    expect(report.nextCellStatus).toBe('ok');
    // eslint-disable-next-line no-control-regex -- ANSI escape sequences are what this checks
    expect((report.nextCellResult as string[]).map((r) => r.replace(/\x1b\[[0-9;]*m/g, ''))).toEqual(['42']); // Deno colours it
    expect(report.containersAfter).toBe(0);
  }, 180_000);
});
