// Folder-level dependency direction of @tooldock/core (docs/architecture.md, "Folders"), checked
// by packages/core/test/unit/dependency-rules.test.ts (run by `npm test`). Type-only imports are
// allowed upwards where noted: they shape an interface, they do not couple at run time.
/** @type {import('dependency-cruiser').IConfiguration} */
const SRC = '^packages/core/src/';
const features = `${SRC}(fan-out|sessions|layers|cache|records|workflow|diagnose|bin)/|${SRC}api/(run-tool|tool-run)\\.ts$|${SRC}(index|advanced)\\.ts$|${SRC}shutdown/cleanup-orphans\\.ts$`;

module.exports = {
  forbidden: [
    {
      name: 'lifecycle-is-runtime-neutral',
      comment: 'The lifecycle drives any runtime through the seam (backends/tool-backend.ts): it names none.',
      severity: 'error',
      from: { path: `${SRC}lifecycle/` },
      to: { path: `${SRC}backends/(?!tool-backend\\.ts$|engine\\.ts$)` },
    },
    {
      name: 'only-the-registry-knows-the-runtimes',
      comment: 'Outside backends/, a runtime is reached through its EngineKind (backends/registry.ts); the root may export its engine class.',
      severity: 'error',
      from: { path: SRC, pathNot: [`${SRC}backends/`, `${SRC}(index|advanced)\\.ts$`, `${SRC}subpaths/`] },
      to: { path: `${SRC}backends/(slurm)/`, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'runtimes-stand-alone',
      comment: 'Docker does not reach into another runtime (Slurm reuses Docker\'s container settings on its nodes, not the reverse).',
      severity: 'error',
      from: { path: `${SRC}backends/docker/` },
      to: { path: `${SRC}backends/(?!docker/)[^/]+/` },
    },
    {
      name: 'backends-below-features',
      comment: 'A backend runs one tool; the features built on runs (layers, cache, records, fan-out, sessions, doctor, the call itself) sit above it.',
      severity: 'error',
      from: { path: `${SRC}backends/` },
      to: { path: features, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'lifecycle-below-layers',
      comment: 'The lifecycle is one attempt of one run; retries, records and the cache wrap it (layers/).',
      severity: 'error',
      from: { path: `${SRC}lifecycle/` },
      to: { path: `${features}|${SRC}retry/`, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'leaves-stay-leaves',
      comment: 'util/ and errors/ are used by everything, so they use nothing of tooldock (types excepted).',
      severity: 'error',
      from: { path: `${SRC}(util|errors)/` },
      to: { path: SRC, pathNot: `${SRC}(util|errors)/`, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'entry-points-are-not-imported',
      comment: 'index.ts, advanced.ts and bin/ are the package\'s doors: nothing inside goes out through them.',
      severity: 'error',
      from: { path: SRC, pathNot: `${SRC}(bin|subpaths)/` },
      to: { path: `${SRC}(index|advanced)\\.ts$|${SRC}(bin|subpaths)/` },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, type imports included (test/unit/no-import-cycles.test.ts says the same by hand).',
      severity: 'error',
      from: { path: SRC },
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
  },
};
