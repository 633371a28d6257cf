import { describe, expect, it } from 'vitest';
import * as root from '@tooldock/core';
import * as advanced from '@tooldock/core/advanced';

// The front door tells one story (run, fan out, engines, diagnose, errors, session); hooks for
// wrappers, tests and custom topologies live in @tooldock/core/advanced.
describe('package exports', () => {
  it('the root exports exactly the front-door values', () => {
    expect(Object.keys(root).sort()).toEqual([
      'CharliecloudEngine', 'DockerEngine', 'EngineUnreachableError', 'InvalidInputError', 'PathNotShareableError', 'RegistryAuthError', 'SlurmEngine', 'ToolError', 'ToolRun', 'ToolSession', 'TooldockError',
      'cacheInfo', 'cleanupOrphans', 'configure', 'connect', 'currentDockerContext', 'doctor', 'exportProvenance', 'exportWorkflow', 'formatPullProgress', 'isToolError', 'isTooldockError', 'pruneCache', 'pullImages', 'resolveHostPath',
      'runMany', 'runRecords', 'runTool', 'session', 'terminalProgress', 'toolSession',
    ]);
  });

  it('keeps the core names at the root', () => {
    for (const name of ['runTool', 'ToolRun', 'ToolError', 'isToolError', 'InvalidInputError', 'runMany', 'DockerEngine', 'connect', 'resolveHostPath', 'doctor', 'cleanupOrphans', 'toolSession']) {
      expect(root, name).toHaveProperty(name);
    }
  });

  it('/advanced holds the hooks, and none of them is also at the root', () => {
    expect(Object.keys(advanced).sort()).toEqual([
      'ImageReferenceSchema', 'RunOptionsSchema', 'copyModeReason', 'copyModeResolver', 'hiddenTempName', 'imageReferenceProblem',
      'locateSelf', 'parseOrThrow', 'partialPrefix', 'removeLiveContainers', 'sameHostResolver', 'setPathResolver',
    ]);
    for (const name of Object.keys(advanced)) expect(Object.keys(root)).not.toContain(name);
  });

  it('the subpaths group the rest by concern (still at the root too, for now)', async () => {
    const subpaths = {
      cache: ['cacheInfo', 'configure', 'pruneCache'],
      docker: ['DockerEngine', 'PathNotShareableError', 'currentDockerContext', 'resolveHostPath', 'session'],
      images: ['RegistryAuthError', 'formatPullProgress', 'pullImages'],
      provenance: ['exportProvenance', 'exportWorkflow', 'runRecords'],
      slurm: ['SlurmEngine'],
    };
    for (const [path, names] of Object.entries(subpaths)) {
      const values = (await import(`@tooldock/core/${path}`)) as Record<string, unknown>;
      expect(Object.keys(values).sort(), path).toEqual(names);
      for (const name of names) expect(values[name], `${path}.${name}`).toBe((root as Record<string, unknown>)[name]);
    }
  });
});
