import { expect } from 'vitest';
import { InvalidInputError } from '@tooldock/core';

/** The InvalidInputError `fn` throws synchronously (fails the test if it throws anything else, or nothing). */
export function thrown(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}
