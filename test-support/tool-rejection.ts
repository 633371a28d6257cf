import { expect } from 'vitest';
import { isToolError, type ToolError } from '@tooldock/core';

/** The ToolError a run rejects with (fails the test if it rejects with anything else, or succeeds). */
export async function rejection(promise: PromiseLike<unknown>): Promise<ToolError> {
  try {
    await promise;
  } catch (error) {
    expect(isToolError(error)).toBe(true);
    return error as ToolError;
  }
  throw new Error('expected the run to fail');
}
