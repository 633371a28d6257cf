import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError, runTool } from '@tooldock/core';
import { configure } from '@tooldock/core/cache';
import { actualPath, canonicalPartials, isPartialPath } from '../../../src/cache/partial-names.js';
import { pinnedIdentity } from '../../../src/api/image-reference.js';
import { parseAge, parseSize } from '../../../src/cache/manage-cache.js';
import { cacheSettingsOf } from '../../../src/cache/cache-settings.js';
import { callKey } from '../../../src/cache/call-key.js';
import { cacheSwitch, defaultCacheDir } from '../../../src/util/environment.js';
import { prepareRun } from '../../../src/api/run-tool.js';
import { uncacheableReason } from '../../../src/cache/call-inputs.js';
import { Readable } from 'node:stream';
import { concurrentWith, namesPath, startWriting, stopWriting } from '../../../src/cache/concurrent-writers.js';

const ID = 'a'.repeat(64);

describe('cache: pure parts', () => {
  afterEach(() => {
    delete process.env.TOOLDOCK_CACHE;
    configure({ cache: undefined });
  });

  it("canonicalises hidden temp names and maps stored ones to this call's", () => {
    const temp = '/w/.s1.bam.partial-host~4026531836-123-0a1b2c3d';
    expect(canonicalPartials(`-o${temp}`)).toBe('-o/w/.s1.bam.partial-*');
    expect(isPartialPath('sub/.s1.bam.partial-*')).toBe(true);
    expect(isPartialPath('sub/s1.bam')).toBe(false);
    expect(actualPath('.s1.bam.partial-*', ['samtools', 'sort', '-o', '/w/.s1.bam.partial-99999999'])).toBe('.s1.bam.partial-99999999');
    expect(actualPath('.s1.bam.partial-*', ['-o', '/w/.s1.bam.partial-11111111', '/w/.s1.bam.partial-22222222'])).toBeUndefined();
    // samtools sort's scratch prefix beside its output: a different canonical name, not an ambiguity.
    const sort = ['-T', '/w/.s1.bam.partial-h~1-7-0a1b2c3d.tmp', '-o', '/w/.s1.bam.partial-h~1-7-0a1b2c3d'];
    expect(sort.map(canonicalPartials)).toEqual(['-T', '/w/.s1.bam.partial-*.tmp', '-o', '/w/.s1.bam.partial-*']);
    expect(actualPath('.s1.bam.partial-*', sort)).toBe('.s1.bam.partial-h~1-7-0a1b2c3d');
    expect(actualPath('.s1.bam.partial-*', ['no temp here'])).toBeUndefined();
    expect(actualPath('plain/file.txt', [])).toBe('plain/file.txt');
    expect(actualPath('.ref.fa.partial-*.bwt', ['bwa', 'index', '-p', '/w/.ref.fa.partial-0a1b2c3d', '/w/ref.fa'])).toBe(
      '.ref.fa.partial-0a1b2c3d.bwt',
    );
  });

  it('takes a digest or a full id as the image identity, a tag never', () => {
    expect(pinnedIdentity(`quay.io/biocontainers/samtools@sha256:${ID}`)).toBe(`digest:sha256:${ID}`);
    expect(pinnedIdentity(`sha256:${ID}`)).toBe(`sha256:${ID}`);
    expect(pinnedIdentity(ID)).toBe(`sha256:${ID}`);
    expect(pinnedIdentity('busybox:latest')).toBeUndefined();
    expect(pinnedIdentity('abcdef123456')).toBeUndefined(); // a short id prefix is ambiguous
  });

  it('keys on args, env, cwd, entrypoint, user, network, mounts and stdin, not on limits or sinks', () => {
    const key = (args: string[], options: object = {}, mounts: string[] = []) =>
      callKey(prepareRun('busybox', args, mounts, options), `sha256:${ID}`, [], undefined);
    const base = key(['echo', 'x']);
    expect(key(['echo', 'x'], { cpus: 1, memory: '1g', timeoutMs: 5, stdout: 'ignore' })).toBe(base);
    for (const changed of [
      key(['echo', 'y']),
      key(['echo', 'x'], { env: { A: '1' } }),
      key(['echo', 'x'], { cwd: '/tmp' }),
      key(['echo', 'x'], { entrypoint: 'sh' }),
      key(['echo', 'x'], { user: 'image' }),
      key(['echo', 'x'], { network: 'host' }),
      key(['echo', 'x'], {}, ['/tmp']),
      key(['echo', 'x'], {}, ['/tmp:rw']),
    ])
      expect(changed).not.toBe(base);
    expect(key(['echo', '/w/.o.partial-1234abcd'])).toBe(key(['echo', '/w/.o.partial-host~9-12-deadbeef']));
    expect(callKey(prepareRun('busybox', ['echo'], []), `sha256:${ID}`, [], 'stdin-a')).not.toBe(
      callKey(prepareRun('busybox', ['echo'], []), `sha256:${ID}`, [], 'stdin-b'),
    );
  });

  it('resolves the cache from the call, then configure(), then TOOLDOCK_CACHE', () => {
    const opts = (cache?: unknown) => prepareRun('busybox', ['true'], [], cache === undefined ? {} : ({ cache } as object)).options;
    expect(cacheSettingsOf(opts())).toBeUndefined();
    process.env.TOOLDOCK_CACHE = '1';
    expect(cacheSwitch()).toBe(defaultCacheDir());
    expect(cacheSettingsOf(opts())).toEqual({ dir: defaultCacheDir(), inputs: 'stat' });
    configure({ cache: { dir: '/tmp/c', inputs: 'content' } });
    expect(cacheSettingsOf(opts())).toEqual({ dir: '/tmp/c', inputs: 'content' });
    expect(cacheSettingsOf(opts(false))).toBeUndefined();
    expect(cacheSettingsOf(opts('/tmp/d'))).toEqual({ dir: '/tmp/d', inputs: 'stat' });
    configure({ cache: undefined });
    process.env.TOOLDOCK_CACHE = 'relative/dir';
    expect(() => cacheSettingsOf(opts())).toThrow(/TOOLDOCK_CACHE/);
    process.env.TOOLDOCK_CACHE = '0';
    expect(cacheSettingsOf(opts())).toBeUndefined();
  });

  it('refuses bad cache values with one InvalidInputError naming them', () => {
    expect(() => runTool('busybox', ['true'], [], { cache: 'relative' })).toThrow(InvalidInputError);
    expect(() => runTool('busybox', ['true'], [], { cache: { inputs: 'mtime' } as never })).toThrow(/options\.cache/);
    expect(() => configure({ cache: 42 as never })).toThrow(/configure\.cache/);
  });

  it('says why a call cannot be cached: a plain stream on stdin, pull "always"', () => {
    expect(uncacheableReason(prepareRun('busybox', ['cat'], [], { stdin: Readable.from(['x']) }))).toMatch(/stream/);
    expect(uncacheableReason(prepareRun('busybox', ['true'], [], { pull: 'always' }))).toMatch(/pull/);
    expect(uncacheableReason(prepareRun('busybox', ['cat'], [], { stdin: 'x' }))).toBeUndefined();
  });

  it("tells a call's own outputs by the paths it names (itself or a hidden temp name of it)", () => {
    expect(namesPath(['samtools', 'sort', '-o', '/o/.s1.bam.partial-0a1b2c3d', '-'], '/o/s1.bam')).toBe(true);
    expect(namesPath(['samtools', 'sort', '-o', '/o/.s1.bam.partial-0a1b2c3d', '-'], '/o/.s1.bam.partial-0a1b2c3d')).toBe(true);
    expect(namesPath(['samtools', 'index', '/o/s1.bam'], '/o/s1.bam')).toBe(true);
    expect(namesPath(['samtools', 'index', '/o/s1.bam.bai'], '/o/s1.bam')).toBe(false);
    expect(namesPath(['x', '--out=/o/s2.bam'], '/o/s2.bam')).toBe(true);
    expect(namesPath(['bwa', 'index', '-p', '/o/.r.fa.partial-0a1b2c3d', '/o/r.fa'], '/o/.r.fa.partial-0a1b2c3d.bwt')).toBe(true);
    const a = startWriting(['/o'], ['a']);
    const b = startWriting(['/o/sub'], ['b']);
    const c = startWriting(['/elsewhere'], ['c']);
    expect(concurrentWith(a).map((w) => w.args[0])).toEqual(['b']);
    [a, b, c].forEach(stopWriting);
  });

  it('parses ages and sizes for pruning', () => {
    expect(parseAge('7d')).toBe(7 * 86_400_000);
    expect(parseAge('90s')).toBe(90_000);
    expect(parseAge(5)).toBe(5);
    expect(parseSize('2g')).toBe(2 * 1024 ** 3);
    expect(parseSize(0)).toBe(0);
    expect(() => parseAge('soon')).toThrow(/olderThan/);
    expect(() => parseSize('big')).toThrow(/maxSize/);
  });
});
