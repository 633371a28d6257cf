import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Folder-level dependency direction, by dependency-cruiser's rules (.dependency-cruiser.cjs).
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CONFIG = `${ROOT}.dependency-cruiser.cjs`;
const DEPCRUISE = `${ROOT}node_modules/.bin/depcruise`;

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** The rule violations dependency-cruiser finds under `cwd` (the tree is packages/core/src). */
function violations(cwd: string): Violation[] {
  let out: string;
  try {
    out = execFileSync(DEPCRUISE, ['packages/core/src', '--config', CONFIG, '--output-type', 'json'], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    // depcruise exits non-zero when it finds violations; its report is still on stdout.
    out = (error as { stdout?: string }).stdout ?? '';
    if (!out) throw error;
  }
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('dependency rules', () => {
  it('bite: a fixture tree breaking them is reported, rule by rule', { timeout: 60_000 }, () => {
    const found = violations(fileURLToPath(new URL('../fixtures/dependency-rules/', import.meta.url)));
    const names = new Set(found.map((v) => v.rule.name));
    expect([...names].sort()).toEqual(['backends-below-features', 'leaves-stay-leaves', 'lifecycle-is-runtime-neutral', 'no-circular']);
  });

  it('@tooldock/core keeps them', { timeout: 120_000 }, () => {
    const found = violations(ROOT).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(found).toEqual([]);
  });
});
