// Every exported function, class and value of the public API must show an @example in its TSDoc.
// Reads typedoc's JSON (pnpm run docs writes it) and lists what lacks one.
import { readFileSync } from 'node:fs';

const project = JSON.parse(readFileSync(new URL('../docs/api/api.json', import.meta.url), 'utf8'));
const FUNCTION = 64, CLASS = 128, VARIABLE = 32;
const hasExample = (r) => [r.comment, ...(r.signatures ?? []).map((s) => s.comment)]
  .some((c) => c?.blockTags?.some((t) => t.tag === '@example'));
const missing = [];
for (const module of project.children ?? []) {
  for (const r of module.children ?? []) {
    if ([FUNCTION, CLASS, VARIABLE].includes(r.kind) && !hasExample(r)) missing.push(`${module.name}: ${r.name}`);
  }
}
if (missing.length) {
  console.error(`exports without an @example:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log('every exported function, class and value has an @example');
