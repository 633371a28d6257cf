import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test-support/temp-dir.js';
import { InvalidInputError, runTool } from '@tooldock/core';

function thrown(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

// runTool validates synchronously: these throw before any daemon call, so no container can exist.
describe('input validation', () => {
  const dir = tempDir('valid');

  it('rejects an empty image', () => {
    const e = thrown(() => runTool('', ['true']));
    expect(e.field).toBe('image');
    expect(e.message).toMatch(/^image: "" is not valid: must be a non-empty image reference/);
  });

  it('rejects non-string args, naming the index', () => {
    const e = thrown(() => runTool('busybox', ['echo', 42 as unknown as string]));
    expect(e.message).toBe('args[1]: 42 is not valid: must be a string (convert numbers with String())');
  });

  it('rejects relative and missing mount paths', () => {
    expect(thrown(() => runTool('busybox', ['true'], ['data/in'])).message)
      .toMatch(/^mounts\[0\]: "data\/in" is not valid: must be an absolute path/);
    expect(thrown(() => runTool('busybox', ['true'], [dir, { path: '/no/such/dir', write: true }])).message)
      .toMatch(/^mounts\[1\]\.path: "\/no\/such\/dir" is not valid: does not exist/);
  });

  it('rejects negative cpus and unknown options, listing the valid ones', () => {
    expect(thrown(() => runTool('busybox', ['true'], [], { cpus: -1 })).message)
      .toMatch(/^options\.cpus: -1 is not valid: must be a positive number of cores/);
    const unknown = thrown(() => runTool('busybox', ['true'], [], { timeout: 5 } as never));
    expect(unknown.field).toBe('options.timeout');
    expect(unknown.message).toMatch(/"timeout" is not a known option; valid options are .*timeoutMs/);
  });

  it('rejects bad sinks, users and memory sizes', () => {
    expect(thrown(() => runTool('busybox', ['true'], [], { stdout: 'file' as never })).field).toBe('options.stdout');
    expect(thrown(() => runTool('busybox', ['true'], [], { stdout: { file: '/no/such/dir/x' } })).message)
      .toMatch(/directory \/no\/such\/dir must exist/);
    expect(thrown(() => runTool('busybox', ['true'], [], { user: 'root' })).field).toBe('options.user');
    expect(thrown(() => runTool('busybox', ['true'], [], { memory: '1m' as never })).field).toBe('options.memory');
    expect(thrown(() => runTool('busybox', ['true'], [], { memory: 1024 })).message).toMatch(/at least 6 MiB/);
  });
});
