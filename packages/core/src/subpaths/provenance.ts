// `@tooldock/core/provenance`: what ran — run records, their RO-Crate export and their CWL workflow (docs/provenance.md).
export { runRecords, type RunRecordsOptions } from '../records/run-records.js';
export type { RunRecord, RecordedFile, RecordedMount } from '../records/run-record.js';
export { exportProvenance, type ExportProvenanceOptions, type ExportedCrate } from '../records/crate/export-provenance.js';
export { exportWorkflow, type ExportWorkflowOptions, type ExportedWorkflow } from '../workflow/export-workflow.js';
