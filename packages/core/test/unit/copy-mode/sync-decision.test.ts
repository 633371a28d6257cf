import { describe, expect, it } from 'vitest';
import type { Identity } from '../../../src/backends/docker/copy-mode/identity.js';
import { isRacy } from '../../../src/backends/docker/copy-mode/identity.js';
import { syncAction, toolChanged } from '../../../src/backends/docker/copy-mode/sync-decision.js';

const file = (sha: string, mode = 0o644): Identity => ({ kind: 'file', mode, size: 5, sha256: sha });
const dir = (mode?: number): Identity => ({ kind: 'dir', ...(mode === undefined ? {} : { mode }) });
const link = (to: string): Identity => ({ kind: 'symlink', link: to });
const A = file('a');
const B = file('b');

describe('copy mode sync: sent identity + what came back + what is here → action', () => {
  it('the tool left it as sent: nothing, whatever happened here', () => {
    expect(syncAction(A, A, A)).toEqual({ do: 'none' });
    expect(syncAction(A, A, B)).toEqual({ do: 'none' });
    expect(syncAction(A, A, undefined)).toEqual({ do: 'none' });
    expect(toolChanged(A, A)).toBe(false);
  });

  it('the tool changed, created or retyped it and nothing changed here: its version is placed', () => {
    expect(syncAction(A, B, A)).toEqual({ do: 'place' });
    expect(syncAction(undefined, A, undefined)).toEqual({ do: 'place' });
    expect(syncAction(A, dir(0o755), A)).toEqual({ do: 'place' });
    expect(syncAction(link('x'), link('y'), link('x'))).toEqual({ do: 'place' });
  });

  it('same bytes, another mode: a chmod only (files and directories)', () => {
    expect(syncAction(A, file('a', 0o755), A)).toEqual({ do: 'chmod', mode: 0o755 });
    expect(syncAction(dir(0o755), dir(0o700), dir(0o755))).toEqual({ do: 'chmod', mode: 0o700 });
    // A directory only implied by the paths below it says nothing about its mode.
    expect(syncAction(dir(0o755), dir(), dir(0o755))).toEqual({ do: 'none' });
  });

  it('the tool deleted it: deleted here, unless it changed here', () => {
    expect(syncAction(A, undefined, A)).toEqual({ do: 'delete' });
    expect(syncAction(A, undefined, undefined)).toEqual({ do: 'none' });
    expect(syncAction(A, undefined, B)).toEqual({ do: 'keep-local', why: 'changed-here' });
  });

  it('changed here since it was sent, and by the tool: the local one is kept, with the reason', () => {
    expect(syncAction(A, B, file('c'))).toEqual({ do: 'keep-local', why: 'changed-here' });
    expect(syncAction(A, B, undefined)).toEqual({ do: 'keep-local', why: 'deleted-here' });
    expect(syncAction(undefined, A, B)).toEqual({ do: 'keep-local', why: 'appeared-here' });
    expect(syncAction(A, file('a', 0o755), file('a', 0o600))).toEqual({ do: 'keep-local', why: 'changed-here' });
  });

  it('already here as the tool left it (another run wrote the same): nothing', () => {
    expect(syncAction(A, B, B)).toEqual({ do: 'none' });
    expect(syncAction(undefined, A, A)).toEqual({ do: 'none' });
  });

  it('an unknown hash never counts as the same: the local file is kept rather than overwritten', () => {
    const unknown: Identity = { kind: 'file', mode: 0o644, size: 5 };
    expect(toolChanged(A, unknown)).toBeUndefined();
    expect(syncAction(A, B, unknown)).toEqual({ do: 'keep-local', why: 'changed-here' });
  });

  it('a local stamp is racy when written in the tick its identity was taken', () => {
    expect(isRacy({ mtimeMs: 5_000, ctimeMs: 5_000, takenAtMs: 5_900 })).toBe(true);
    expect(isRacy({ mtimeMs: 4_000, ctimeMs: 4_999, takenAtMs: 5_900 })).toBe(false);
  });
});
