import { afterEach, describe, expect, it } from 'vitest';
import { copyModeResolver } from '../../../src/backends/docker/copy-mode/copy-resolver.js';
import type { DockerEngine } from '../../../src/backends/docker/engine/docker-engine.js';
import { sameHostResolver, setPathResolver, type PathResolver } from '../../../src/backends/docker/transfer/path-resolver.js';
import { decideTransfer } from '../../../src/backends/docker/transfer/transfer-decision.js';

// The rules that need no daemon; detection itself (DooD, remote, DinD) is covered by the engine
// tests (dood/, topology/, copy-mode/). This engine throws if the decision asks it anything.
const untouchable = new Proxy(
  {},
  {
    get: (_, key) => {
      throw new Error(`the decision asked the engine for ${String(key)}`);
    },
  },
) as DockerEngine;

describe('decideTransfer', () => {
  afterEach(() => {
    setPathResolver(undefined);
    delete process.env.TOOLDOCK_TRANSFER;
  });

  it('a resolver set with setPathResolver wins, reported by the mode it declares', async () => {
    setPathResolver(copyModeResolver);
    expect(await decideTransfer(untouchable)).toEqual({ mode: 'copy', reason: 'chosen with setPathResolver()', resolver: copyModeResolver });
    setPathResolver(sameHostResolver);
    expect((await decideTransfer(untouchable)).mode).toBe('bind');
    const custom: PathResolver = { plan: async () => ({ mounts: [] }) };
    setPathResolver(custom);
    expect(await decideTransfer(untouchable)).toMatchObject({ mode: 'bind', resolver: custom });
  });

  it('TOOLDOCK_TRANSFER=copy forces copy mode, read at each call', async () => {
    process.env.TOOLDOCK_TRANSFER = 'copy';
    expect(await decideTransfer(untouchable)).toEqual({ mode: 'copy', reason: 'TOOLDOCK_TRANSFER=copy', resolver: copyModeResolver });
    process.env.TOOLDOCK_TRANSFER = 'mount';
    await expect(decideTransfer(untouchable)).rejects.toThrow(/asked the engine/); // now it has to look
  });
});
