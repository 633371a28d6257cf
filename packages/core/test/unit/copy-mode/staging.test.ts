import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '#test-support/temp-dir.js';
import { removeStaleStaging, stagingName } from '../../../src/backends/docker/copy-mode/staging.js';

/** A pid that surely belongs to no live process: one of a child that already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

/** `.tooldock-staging-<this host and pid namespace>`, as our own staging names start. */
const ours = stagingName().replace(/-\d+-[0-9a-f]{12}$/, '');

describe('staging directories', () => {
  it('carry the host and the pid in their name', () => {
    const name = stagingName();
    expect(name.startsWith(`.tooldock-staging-${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}`)).toBe(true);
    expect(name).toMatch(new RegExp(`-${process.pid}-[0-9a-f]{12}$`));
  });

  it('left by a dead process of this host are removed; live, foreign and unowned ones are kept', async () => {
    const dir = tempDir('stale-staging');
    const outside = tempDir('stale-outside');
    writeFileSync(join(outside, 'keep'), 'keep');
    const dead = `${ours}-${deadPid()}-0123456789ab`;
    const deadLink = `${ours}-${deadPid()}-ba9876543210`;
    const keep = [
      stagingName(), // ours, live
      `${ours}-1-0123456789ab`, // pid 1 is alive
      `.tooldock-staging-other-host-${deadPid()}-0123456789ab`, // its pids are not ours to judge
      '.tooldock-staging-0123456789ab', // an older, unowned name
      'results',
    ];
    for (const name of [dead, ...keep]) mkdirSync(join(dir, name));
    writeFileSync(join(dir, dead, 'half-written.bam'), 'x');
    symlinkSync(outside, join(dir, deadLink)); // removed as a link, never followed
    await removeStaleStaging(dir);
    expect(readdirSync(dir).sort()).toEqual(keep.sort());
    expect(readdirSync(outside)).toEqual(['keep']);
  });
});
