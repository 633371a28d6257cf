import { describe, expect, it } from 'vitest';
import { imageReferenceProblem } from '../../src/api/image-reference.js';

const hex64 = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);

describe('image references (distribution/reference grammar)', () => {
  it.each([
    'busybox',
    'busybox:1.36',
    'library/busybox:latest',
    'docker.io/library/busybox:1.36.1',
    'quay.io/biocontainers/samtools:1.22.1--h96c455f_0',
    'quay.io/nf-core/cellranger:10.0.0',
    'localhost:5000/a/b:tag',
    'localhost/a',
    '127.0.0.1:5000/x@sha256:' + hex64,
    'registry.example.com:443/team/tool:v2@sha256:' + hex64,
    'busybox@sha512:' + 'f'.repeat(128),
    '[::1]:5000/x:1',
    'Registry.Example.COM/x',
    'tooldock-test/bio:8146e939919c',
    'a__b/c--d/e_f.g:TAG_1.0-rc',
    'x:' + 'a'.repeat(128),
    'sha256:' + hex64,
    hex64,
    '8146e939919c',
    'sha256:abc', // the repository "sha256" with tag "abc": odd, but well-formed
  ])('accepts %s', (reference) => {
    expect(imageReferenceProblem(reference)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['BusyBox:Latest', /uppercase/],
    ['UPPER/x', /uppercase/],
    ['foo@@bar', /more than one "@"/],
    ['a b', /whitespace/],
    ['busybox\t', /whitespace/],
    ['x:', /no tag/],
    [':tag', /no repository name/],
    ['x:-tag', /invalid tag/],
    ['x:' + 'a'.repeat(129), /invalid tag/],
    ['x:a/b', /invalid registry "x:a"/], // a ":" before the first "/" makes it a host:port
    ['x@sha256:abc', /malformed digest/],
    ['x@sha256:' + hex64.toUpperCase(), /malformed digest/],
    ['x@md5:' + 'a'.repeat(32), /malformed digest/],
    ['x@', /malformed digest/],
    ['a//b', /invalid repository name/],
    ['a/', /invalid repository name/],
    ['/abs/path', /invalid repository name/],
    ['-lead', /invalid repository name/],
    ['a..b', /invalid repository name/],
    ['a___b', /invalid repository name/],
    ['bad_host.:5000/x', /invalid registry/],
    ['host.com:port/x', /invalid registry/],
    ['localhost:5000/', /no repository name/],
    ['x/' + 'a'.repeat(255), /longer than 255/],
    ['tcp://host/x', /invalid/],
  ])('rejects %j', (reference, why) => {
    expect(imageReferenceProblem(reference)).toMatch(why);
  });
});
