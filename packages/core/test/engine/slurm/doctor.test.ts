import { describe, expect, it } from 'vitest';
import { doctor } from '@tooldock/core';
import { testCluster } from '#test-support/slurm-engine.js';
import { tempDir } from '#test-support/temp-dir.js';

const cluster = testCluster();

describe('doctor() for a Slurm engine', () => {
  it("reports Slurm, its partition and free CPUs, the nodes' runtime, and node-local mounts", async () => {
    const report = await doctor({ engine: cluster, mounts: [tempDir('doctor'), '/dev/shm', '/no/such/dir'] });
    expect(report.engine.reachable).toBe(true);
    expect(report.slurm!.version).toMatch(/^slurm(-wlm)? \d+\.\d+/);
    expect(report.slurm!.partitions).toContainEqual(expect.objectContaining({ name: 'main', default: true, nodes: 2, totalCpus: 4 }));
    expect(Object.keys(report.slurm!.runtime.nodes).sort()).toEqual(['n1', 'n2']);
    for (const version of Object.values(report.slurm!.runtime.nodes)) expect(version).toMatch(/^\d+\.\d+/);
    expect(report.slurm!.mounts.find((m) => m.path === '/dev/shm')).toMatchObject({ filesystem: 'tmpfs', verdict: 'node-local' });
    expect(report.findings.map((f) => f.problem)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/dev\/shm is on a node-local filesystem/),
        expect.stringMatching(/^\/no\/such\/dir does not exist/),
      ]),
    );
    expect(report.text).toContain('partition main (default)');
  });
});
