// `@tooldock/core/provenance`: what ran — run records and their RO-Crate export (docs/provenance.md).
export { runRecords, type RunRecordsOptions } from '../records/run-records.js';
export type { RunRecord, RecordedFile, RecordedMount } from '../records/run-record.js';
export { exportProvenance, type ExportProvenanceOptions, type ExportedCrate } from '../records/crate/export-provenance.js';
