import { describe, expect, it } from 'vitest';
import { EngineUnreachableError, InvalidInputError, isTooldockError, isToolError, ToolError, TooldockError, runTool } from '@tooldock/core';
import { RegistryAuthError } from '@tooldock/core/images';
import { PathNotShareableError } from '@tooldock/core/docker';

// Every error class has a stable code (branch on it, not on messages), and one base.
describe('TooldockError', () => {
  it('is the base of the public error classes, each with its code', () => {
    const invalid = new InvalidInputError('options.cpus', -1, 'must be positive');
    const tool = new ToolError('Tool failed: x', { image: 'busybox', args: ['false'], command: 'false' });
    const cases: Array<[TooldockError, string]> = [
      [invalid, 'ERR_TOOLDOCK_INVALID_INPUT'],
      [tool, 'ERR_TOOLDOCK_TOOL_FAILED'],
    ];
    for (const [error, code] of cases) {
      expect(error).toBeInstanceOf(TooldockError);
      expect(error).toBeInstanceOf(Error);
      expect(isTooldockError(error)).toBe(true);
      expect(error.code).toBe(code);
    }
    expect(isToolError(tool)).toBe(true);
    expect(isToolError(invalid)).toBe(false);
    for (const cls of [EngineUnreachableError, PathNotShareableError, RegistryAuthError]) expect(cls.prototype).toBeInstanceOf(TooldockError);
  });

  it('is not claimed by foreign errors', () => {
    expect(isTooldockError(new Error('x'))).toBe(false);
    expect(isTooldockError({ code: 'ERR_TOOLDOCK_TOOL_FAILED' })).toBe(false);
    expect(isTooldockError(undefined)).toBe(false);
  });

  it('a NUL byte in an argument is invalid input for every engine, naming the argument', () => {
    expect(() => runTool('busybox', ['echo', 'a\0b'])).toThrow(expect.objectContaining({ code: 'ERR_TOOLDOCK_INVALID_INPUT', field: 'args[1]' }));
  });
});
