import { afterAll, beforeAll } from 'vitest';
import { copyModeResolver, setPathResolver, type PathResolver } from '@tooldock/core/advanced';

/**
 * Forces copy mode on the local daemon for the enclosing suite (the same code path as a remote
 * daemon's, checkable byte for byte), and restores detection afterwards.
 */
export function useCopyMode(): void {
  let previous: PathResolver | undefined;
  beforeAll(() => {
    previous = setPathResolver(copyModeResolver);
  });
  afterAll(() => {
    setPathResolver(previous);
  });
}
