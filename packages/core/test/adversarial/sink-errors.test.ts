import { createWriteStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { thrown } from '#test-support/invalid-input.js';
import { testImages } from '#test-support/test-images.js';
import { rejection } from '#test-support/tool-rejection.js';

const { busybox } = testImages();

/** Fails the test on any uncaught exception while `fn` runs (an unhandled 'error' event is one). */
async function noUncaught<T>(fn: () => Promise<T>): Promise<T> {
  const uncaught: unknown[] = [];
  const onError = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onError);
  try {
    const value = await fn();
    await new Promise((r) => setTimeout(r, 200));
    return value;
  } finally {
    process.off('uncaughtException', onError);
    expect(uncaught).toEqual([]);
  }
}

// Issue 23, item 6, and the weak items on run.stdout destroyed by its reader and tiny cpus.
describe('a sink that fails ends its run with a ToolError, never the process', () => {
  it('a Writable on /dev/full (ENOSPC)', async () => {
    const error = await noUncaught(() =>
      rejection(runTool(busybox, ['sh', '-c', 'yes tooldock | head -c 1000000'], [], { stdout: createWriteStream('/dev/full') })),
    );
    expect(error.message).toMatch(/could not write its stdout \(ENOSPC/);
  });

  it('a Writable to a directory that does not exist', async () => {
    const error = await noUncaught(() =>
      rejection(runTool(busybox, ['echo', 'hi'], [], { stdout: createWriteStream('/nonexistent-tooldock-dir/x') })),
    );
    expect(error.message).toMatch(/could not write its stdout \(ENOENT/);
  });

  it('a { file } sink in a directory that does not exist: refused before the run', () => {
    expect(thrown(() => runTool(busybox, ['echo', 'hi'], [], { stdout: { file: '/nonexistent-tooldock-dir/x' } })).field).toBe('options.stdout.file');
  });

  it('run.stdout destroyed by its reader during a large output: the run settles without a timeout', async () => {
    const run = runTool(busybox, ['sh', '-c', 'yes tooldock-output-line']);
    run.stdout.once('data', () => run.stdout.destroy());
    const error = await rejection(run);
    expect(error.message).toMatch(/run\.stdout was closed before the tool's output ended/);
  });

  it("cpus below the kernel's smallest quota: an InvalidInputError, not runc's", () => {
    const error = thrown(() => runTool(busybox, ['true'], [], { cpus: 0.001 }));
    expect(error.field).toBe('options.cpus');
    expect(error.message).toMatch(/from 0\.01/);
  });
});
