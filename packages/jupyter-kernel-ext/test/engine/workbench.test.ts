import { execFile } from 'node:child_process';
import { chownSync, copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '#test-support/built-packages.js';
import { tempDir } from '#test-support/temp-dir.js';
import { testImages } from '#test-support/test-images.js';

const run = promisify(execFile);
const workbench = join(repoRoot, 'examples', 'workbench');
const images = testImages() as ReturnType<typeof testImages> & { notebook_base: string };
const tag = 'tooldock-test/workbench-notebook:latest';
const analyst = 1000;

// examples/workbench as a user runs it (compose.yaml, done here with `docker run` — no compose
// on this machine): built from a locally made base, the host socket mounted, the socket's group
// added, data mounted at another path than on the host, a notebook executed inside.
describe('the workbench image (examples/workbench)', () => {
  beforeAll(async () => {
    await run(join(workbench, 'prepare.sh'), [], { cwd: workbench, maxBuffer: 16 * 1024 * 1024 });
    await run(
      'docker',
      [
        'build',
        '--network',
        'none',
        '--build-arg',
        `BASE=${images.notebook_base}`,
        '--build-arg',
        `UID=${analyst}`,
        '--build-arg',
        `GID=${analyst}`,
        '-t',
        tag,
        workbench,
      ],
      { env: { ...process.env, DOCKER_BUILDKIT: '0' }, maxBuffer: 16 * 1024 * 1024 },
    );
  }, 600_000);

  it.each(['tslab', 'deno'])(
    'runs a notebook under %s that starts a tool on host paths, writing files the host user owns',
    async (kernel) => {
      const data = tempDir('workbench-data');
      const work = tempDir('workbench-work');
      copyFileSync(join(workbench, 'hello-dood.ipynb'), join(work, 'hello-dood.ipynb'));
      for (const dir of [data, work]) chownSync(dir, analyst, analyst);
      const socketGid = statSync('/var/run/docker.sock').gid;
      await run(
        'docker',
        [
          'run',
          '--rm',
          '--network',
          'none',
          '--user',
          `${analyst}:${analyst}`,
          '--group-add',
          String(socketGid),
          '-v',
          '/var/run/docker.sock:/var/run/docker.sock',
          '-v',
          `${data}:/home/analyst/data`,
          '-v',
          `${work}:/home/analyst/work`,
          '-e',
          `TOOL_IMAGE=${images.busybox}`,
          tag,
          'jupyter-nbconvert',
          '--to',
          'notebook',
          '--execute',
          `--ExecutePreprocessor.kernel_name=${kernel}`,
          '--ExecutePreprocessor.timeout=120',
          'hello-dood.ipynb',
          '--output',
          'out.ipynb',
        ],
        { maxBuffer: 16 * 1024 * 1024 },
      );

      expect(readFileSync(join(data, 'out.txt'), 'utf8')).toBe('WRITTEN IN THE NOTEBOOK, UPPERCASED BY A TOOL\n');
      expect(statSync(join(data, 'out.txt'))).toMatchObject({ uid: analyst, gid: analyst });
      const cells = (JSON.parse(readFileSync(join(work, 'out.ipynb'), 'utf8')) as { cells: Array<{ outputs?: Array<{ text?: string[] }> }> }).cells;
      const printed = (i: number) => (cells[i]!.outputs ?? []).map((o) => (o.text ?? []).join('')).join('');
      expect(printed(1)).toMatch(/where +in container \S+ \(\w{12}, image tooldock-test\/workbench-notebook:latest\): paths are translated/);
      expect(printed(1)).toContain('no problems found');
      expect(printed(2)).toContain(`tool ran as uid ${analyst}; /home/analyst/data was {"type":"bind","path":"${data}"} on the host`);
    },
    180_000,
  );
});
