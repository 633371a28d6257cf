import { describe, expect, it } from 'vitest';
import * as root from '@tooldock/core';
import * as advanced from '@tooldock/core/advanced';
import * as cache from '@tooldock/core/cache';
import * as charliecloud from '@tooldock/core/charliecloud';
import * as docker from '@tooldock/core/docker';
import * as images from '@tooldock/core/images';
import * as provenance from '@tooldock/core/provenance';
import * as slurm from '@tooldock/core/slurm';

// The front door tells one story (run, fan out, sessions, engines, diagnose, errors); the rest is
// on subpaths by concern, and hooks for wrappers, tests and custom topologies in /advanced.
// docs/architecture.md ("Entry points") says why each value is where it is.
// Loaded statically: a dynamic import of the whole core inside a test can outlast its timeout.
const SUBPATHS: Record<string, [object, string[]]> = {
  cache: [cache, ['cacheInfo', 'configure', 'pruneCache']],
  charliecloud: [charliecloud, ['CharliecloudEngine']],
  docker: [docker, ['DockerEngine', 'PathNotShareableError', 'currentDockerContext', 'resolveHostPath', 'session']],
  images: [images, ['RegistryAuthError', 'formatPullProgress', 'pullImages']],
  provenance: [provenance, ['exportProvenance', 'exportWorkflow', 'runRecords']],
  slurm: [slurm, ['SlurmEngine', 'WarmAllocation']],
};

describe('package exports', () => {
  it('the root exports exactly the front-door values', () => {
    expect(Object.keys(root).sort()).toEqual([
      'EngineUnreachableError',
      'InvalidInputError',
      'ToolError',
      'ToolRun',
      'ToolSession',
      'TooldockError',
      'cleanupOrphans',
      'connect',
      'doctor',
      'isToolError',
      'isTooldockError',
      'runMany',
      'runTool',
      'terminalProgress',
      'toolSession',
    ]);
  });

  it('/advanced holds the hooks, and none of them is also at the root', () => {
    expect(Object.keys(advanced).sort()).toEqual([
      'ImageReferenceSchema',
      'RunOptionsSchema',
      'copyModeReason',
      'copyModeResolver',
      'hiddenTempName',
      'imageReferenceProblem',
      'locateSelf',
      'parseOrThrow',
      'partialPrefix',
      'removeLiveContainers',
      'sameHostResolver',
      'setPathResolver',
    ]);
    for (const name of Object.keys(advanced)) expect(Object.keys(root)).not.toContain(name);
  });

  it('the subpaths group the rest by concern, each value behind one door only', () => {
    const seen = new Map<string, string>(Object.keys(root).map((name) => [name, 'root']));
    for (const [path, [values, names]] of Object.entries(SUBPATHS)) {
      expect(Object.keys(values).sort(), path).toEqual(names);
      for (const name of names) {
        expect(seen.get(name), `${name} is behind ${path} and ${seen.get(name)}`).toBeUndefined();
        seen.set(name, path);
      }
    }
  });

  it("a subpath's error is a TooldockError of the root (one module graph)", () => {
    expect(new docker.PathNotShareableError('/x', 'is not under any mount', [])).toBeInstanceOf(root.TooldockError);
  });
});
