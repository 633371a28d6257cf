import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildPackages } from '#test-support/built-packages.js';
import { testImages } from '#test-support/test-images.js';

const { busybox } = testImages();
const store = inject('charliecloudStore');
const fixture = fileURLToPath(new URL('./fixtures/ch-run-holder.mjs', import.meta.url));

/** Pids whose command line (/proc/<pid>/cmdline) carries `marker`. */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** Stage directories and variables files (`.env`) in the temp dir made by process `pid` (their name carries it). */
function stageDirsOf(pid: number): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('tooldock-ch-') && name.includes(`-${pid}-`));
}

/** Polls until `done()` or `withinMs` passed. */
async function until(done: () => boolean, withinMs: number): Promise<void> {
  const started = Date.now();
  while (!done() && Date.now() - started < withinMs) await new Promise((r) => setTimeout(r, 100));
}

/** Fixture processes still to be killed when a test ends (also a failed one). */
const started = new Set<ChildProcess>();

function fixtureProcess(mode: 'hold' | 'once', marker = '') {
  const child = spawn(process.execPath, [fixture, mode, store, busybox, marker], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.add(child);
  child.on('exit', () => started.delete(child));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited };
}

describe('a SIGKILLed submitter leaves no ch-run tool behind', () => {
  beforeAll(async () => {
    await buildPackages();
  }, 120_000);

  afterEach(() => {
    for (const child of started) child.kill('SIGKILL');
  });

  it('its tool dies with it, also a process that left the group; the next start removes its stage directory', async () => {
    // A unique sleep duration: `sleep 300.<nonce>1` is found in /proc/*/cmdline, and nowhere else.
    const marker = `300.${process.pid}${Date.now() % 1_000_000}`;
    const { child, exited } = fixtureProcess('hold', marker);
    for await (const line of createInterface({ input: child.stdout! })) if (line === 'RUNNING') break;
    // The backgrounded shells start their `sleep` after the tool printed STARTED.
    await until(() => processesWith(`sleep\0${marker}`).length === 2, 10_000);
    expect(processesWith(`sleep\0${marker}`).length).toBe(2);
    const owned = stageDirsOf(child.pid!);
    expect(owned.map((name) => name.endsWith('.env')).sort()).toEqual([false, true]); // its stage directory and variables file

    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    await until(() => processesWith(marker).length === 0, 5_000);
    expect(processesWith(`sleep\0${marker}`)).toEqual([]);
    expect(processesWith(marker)).toEqual([]);

    // Nothing removed the dead process's stage directory and variables file; the next process that runs a tool does.
    expect(stageDirsOf(child.pid!)).toEqual(owned);
    const next = fixtureProcess('once');
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(stageDirsOf(child.pid!)).toEqual([]);
    expect(readdirSync(tmpdir()).filter((name) => name.includes(`-${next.child.pid}-`) && name.startsWith('tooldock-ch-'))).toEqual([]);
  });
});
