import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';
import { useCopyMode } from '#test-support/use-copy-mode.js';

const images = testImages() as ReturnType<typeof testImages> & { notebook_base: string };

// Copy mode (a daemon that shares no files with us): the entry goes in by the same archive API,
// next to the copied-in inputs, and never comes back out with the outputs.
describe('a user name for the mapped uid (copy mode)', () => {
  useCopyMode();

  it("whoami, id -un and Python's getpass answer, and the outputs come back", async () => {
    const data = tempDir('identity-copy');
    writeFileSync(join(data, 'in.txt'), 'x\n');
    chownSync(data, 1000, 1000); // copied in with its owner, as a bind mount would show it
    const script =
      'import getpass, os; open("/data/out.txt", "w").write(getpass.getuser() + " " + os.popen("whoami; id -un").read().replace("\\n", " "))';
    const result = await runTool(images.notebook_base, ['python3', '-c', script], [{ path: data, target: '/data', write: true }], {
      user: '1000:1000',
    });
    expect(result.mounts[0]?.source.type).toBe('copy');
    expect(readFileSync(join(data, 'out.txt'), 'utf8')).toBe('tooldock tooldock tooldock ');
    expect(readFileSync(join(data, 'in.txt'), 'utf8')).toBe('x\n');
  });
});
