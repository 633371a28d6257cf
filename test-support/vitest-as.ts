import { spawn } from 'node:child_process';
import { chownSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { repoRoot } from './built-packages.js';
import { tempDir } from './temp-dir.js';

/**
 * Runs vitest again as another (unprivileged) user, with a home of its own, and returns its exit
 * code and colourless output: how a test checks what a non-root caller sees. The config is loaded
 * by the runner (not bundled into node_modules, which that user cannot write).
 */
export async function vitestAs(
  user: { name: string; uid: number; gid: number },
  vitestArgs: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const home = tempDir(`${user.name}-home`);
  chownSync(home, user.uid, user.gid);
  const setpriv = ['--reuid', user.name, '--regid', user.name, '--init-groups', '--'];
  const vitest = [process.execPath, 'node_modules/vitest/vitest.mjs', 'run', '--configLoader', 'runner', ...vitestArgs];
  const child = spawn('setpriv', [...setpriv, ...vitest], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: home, TMPDIR: home, TOOLDOCK_HOME: `${home}/tooldock`, ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output: stripVTControlCharacters(output) };
}
