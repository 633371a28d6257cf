/** A workflow exported from run records (workflow/export-workflow.ts), as a crate links it. */
export interface WorkflowExportNote {
  /** The workflow file (absolute). */
  workflow: string;
  /** Ids of the records it was made from. */
  recordIds: ReadonlySet<string>;
}

const exported: WorkflowExportNote[] = [];

/** Remembers an export of this process, so a later provenance crate of the same runs links it. */
export function noteWorkflowExport(note: WorkflowExportNote): void {
  exported.push(note);
}

/** The latest workflow this process exported from any of these records, if any. */
export function exportedWorkflowOf(recordIds: readonly string[]): WorkflowExportNote | undefined {
  return [...exported].reverse().find((note) => recordIds.some((id) => note.recordIds.has(id)));
}
