import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runTool } from '@tooldock/core';
import { ensureNonRootUser, NON_ROOT_USER } from '#test-support/non-root-user.js';
import { vitestAs } from '#test-support/vitest-as.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const asRoot = process.getuid?.() === 0;

/**
 * The adversarial files that need no build step or privileged set-up of their own: they run again
 * as an unprivileged caller in the socket's group — socket-group withholding, capability
 * dropping, the caller's uid in the tool, private directories, non-root paths (read-only folders).
 */
const FILES = [
  'non-root-caller',
  'hardening',
  'careless-caller',
  'sink-errors',
  'link-at-mount-root',
  'own-directories',
  'secrets-never-shown',
  'cache-tampering',
  'init-folder',
].map((name) => `packages/core/test/adversarial/${name}.test.ts`);

// Issue 23: the review ran as root only. As root, this runs the files above as a non-root user
// (setpriv, with the user's groups); run as that user, the files themselves are the run.
describe("the adversarial suite as a non-root caller in the docker socket's group", () => {
  // Each half is registered only for the caller it is about (no skipped entries in either run).
  if (!asRoot)
    it("(as that user) the tool runs as the caller, without the socket's group and without capabilities", async () => {
      const socketGid = statSync('/var/run/docker.sock').gid;
      expect(process.getgroups?.()).toContain(socketGid); // the set-up is what it claims
      const { stdout } = await runTool(busybox, ['sh', '-c', 'id -u; id -G; grep CapEff /proc/self/status']);
      const [uid, groups, capEff] = String(stdout).trim().split('\n');
      expect(Number(uid)).toBe(process.getuid!());
      expect(groups!.split(' ').map(Number)).not.toContain(socketGid);
      expect(capEff).toMatch(/^CapEff:\s+0+$/);
    });

  if (asRoot)
    it("every file passes as uid != 0 with the socket's group", async () => {
      const user = ensureNonRootUser();
      const { code, output } = await vitestAs({ name: NON_ROOT_USER, ...user }, ['--project', 'engine', ...FILES]);
      expect(output).toMatch(/Test Files {2}\d+ passed/);
      expect(code, output.slice(-4000)).toBe(0);
    }, 900_000);
});
