import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fitToFrame } from '../../src/html-report.js';

const fastqc = readFileSync(fileURLToPath(new URL('../browser/fixtures/fastqc-report.html', import.meta.url)), 'utf8');

// The layout itself is checked in Chromium (test/browser/); here: which reports are touched, and how.
describe('fitToFrame', () => {
  it('adds one screen-only rule to a FastQC report, in its head, after its own styles', () => {
    const fitted = fitToFrame(fastqc);
    expect(fitted.length).toBeGreaterThan(fastqc.length);
    const rule = fitted.indexOf('div.summary { bottom: 2.3em; overflow-y: auto;');
    expect(rule).toBeGreaterThan(fitted.lastIndexOf('</style>', rule - 1) - 1);
    expect(rule).toBeLessThan(fitted.indexOf('</head>'));
    expect(fitted.replace(/<style>@media screen \{ div\.summary[^<]*<\/style>/, '')).toBe(fastqc);
  });

  it('leaves any other report as it is', () => {
    for (const html of [
      '<html><head></head><body><div class="summary">MultiQC</div></body></html>',
      '<p>plain</p>',
      fastqc.replace('>FastQC</a>', '>OtherQC</a>'),
    ]) {
      expect(fitToFrame(html)).toBe(html);
    }
  });
});
