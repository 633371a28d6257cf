import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { hiddenTempName } from '../util/hidden-temp-name.js';
import { InvalidInputError, parseOrThrow } from '../errors/invalid-input-error.js';
import { noteWorkflowExport } from '../records/crate/workflow-link.js';
import { parseJournal } from '../records/read-journal.js';
import type { RecordedFile, RunRecord } from '../records/run-record.js';
import { runRecords } from '../records/run-records.js';
import { session } from '../backends/docker/process-session.js';
import { translate, TOOLS_DIR, type Translation } from './cwl-workflow.js';
import { exportReadme, exportWarnings } from './export-readme.js';
import { toYaml } from './yaml.js';

const WORKFLOW_FILE = 'workflow.cwl';
const JOB_FILE = 'job.yml';
const README_FILE = 'README.md';
/** The records an export was made from: a later export into the same directory adds to them. */
const RECORDS_FILE = 'tooldock-records.jsonl';

const isRecord = (v: unknown) =>
  typeof v === 'object' && v !== null && typeof (v as RunRecord).id === 'string' && Array.isArray((v as RunRecord).args);

const ExportWorkflowOptionsSchema = z
  .object({
    /** The workflow language; CWL (v1.2) is the one there is. */
    format: z.literal('cwl', { message: 'must be "cwl" (the only workflow format tooldock writes)' }).default('cwl'),
    /** Records of every session since then (as `runRecords({ since })`); default: this process's. */
    since: z.union([z.date(), z.string(), z.number()]).optional(),
    /** The records to export; default: this process's (`runRecords()`). */
    records: z.array(z.custom<RunRecord>(isRecord, { message: 'must be a run record from runRecords()' })).optional(),
  })
  .strict();

/** Options of {@link exportWorkflow}. */
export type ExportWorkflowOptions = z.input<typeof ExportWorkflowOptionsSchema>;

/** What {@link exportWorkflow} wrote. */
export interface ExportedWorkflow {
  /** The export's directory (absolute). */
  dir: string;
  /** The Workflow file (`<dir>/workflow.cwl`). */
  workflow: string;
  /** The job file with the original inputs (`<dir>/job.yml`). */
  job: string;
  readme: string;
  /** The CommandLineTool files (`<dir>/tools/*.cwl`), one per distinct call shape. */
  tools: string[];
  /** Steps in the workflow, and how many of them this export added to an earlier one in `dir`. */
  steps: number;
  added: number;
  /** Everything that was left out or could not be carried over, one sentence each (also in the README). */
  warnings: string[];
}

/**
 * Writes what ran as a CWL v1.2 workflow that `cwltool` re-runs from the original inputs: one
 * CommandLineTool per distinct call shape (DockerRequirement pinned to the image id that ran,
 * paths under mounts as File inputs and outputs, `{ file }` and captured stdout as `stdout`
 * outputs, `cpus`/`memory` as ResourceRequirement), a Workflow wiring each call's input to the
 * earlier call's output with the same content, a job file pointing at the original inputs and a
 * README saying what ran and what was left out (also returned as `warnings`). Exporting into a
 * directory that holds an earlier export adds the new calls to it: same shapes, same tools.
 * The calls need the cache's fingerprints (`cache: { inputs: 'content' }`): a call without them
 * is left out and said so. Atomic: a complete export replaces the directory's content.
 *
 * @example
 * ```ts
 * const run = { cache: { inputs: 'content' as const } };
 * await bwa.index({ reference: '/data/ref.fa', run });
 * await bwa.mem({ index: '/data/ref.fa', reads1: '/data/s1_R1.fq', output: '/data/s1.sam', run });
 * const { workflow, job, warnings } = await exportWorkflow('/work/pipeline', { format: 'cwl' });
 * // then: cwltool --outdir out /work/pipeline/workflow.cwl /work/pipeline/job.yml
 * ```
 */
export async function exportWorkflow(dir: string, options: ExportWorkflowOptions = { format: 'cwl' }): Promise<ExportedWorkflow> {
  if (typeof dir !== 'string' || dir === '')
    throw new InvalidInputError('dir', dir, 'must be the path of the directory to write, e.g. "/work/pipeline"');
  const parsed = parseOrThrow(ExportWorkflowOptionsSchema, options, 'options');
  const target = resolve(dir);
  const earlier = await earlierRecords(dir, target);
  const fresh = parsed.records ?? (parsed.since !== undefined ? runRecords({ since: parsed.since }) : runRecords());
  const merged = new Map(earlier.map((r) => [r.id, r]));
  for (const record of fresh) merged.set(record.id, record);
  const records = [...merged.values()];
  const translation = translate(records);
  const warnings = [...exportWarnings(translation), ...(await changedInputs(translation))];
  const previousSteps = translate(earlier).steps.length;
  const temp = hiddenTempName(target, `${session.host}-${session.pid}`);
  await mkdir(join(temp, TOOLS_DIR), { recursive: true, mode: 0o755 });
  try {
    await writeExport(temp, translation, records, warnings);
    await moveIntoPlace(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  const workflow = join(target, WORKFLOW_FILE);
  noteWorkflowExport({ workflow, recordIds: new Set(translation.steps.map((s) => s.record.id)) });
  return {
    dir: target,
    workflow,
    job: join(target, JOB_FILE),
    readme: join(target, README_FILE),
    tools: [...translation.tools.keys()].map((name) => join(target, TOOLS_DIR, name)),
    steps: translation.steps.length,
    added: translation.steps.length - previousSteps,
    warnings,
  };
}

async function writeExport(temp: string, t: Translation, records: RunRecord[], warnings: string[]): Promise<void> {
  for (const [name, document] of t.tools) await writeFile(join(temp, TOOLS_DIR, name), toYaml(document), { flag: 'wx' });
  const envLines = t.envInputs.map((name) => `# ${name}: "…"   (set it: tooldock never records environment values)`);
  await writeFile(join(temp, JOB_FILE), `${Object.keys(t.job).length ? toYaml(t.job) : '{}\n'}${envLines.map((l) => `${l}\n`).join('')}`, {
    flag: 'wx',
  });
  await writeFile(join(temp, RECORDS_FILE), records.map((r) => `${JSON.stringify(r)}\n`).join(''), { flag: 'wx', mode: 0o600 });
  await writeFile(
    join(temp, README_FILE),
    exportReadme(t, { exportedAt: new Date(), workflowFile: WORKFLOW_FILE, jobFile: JOB_FILE, extraWarnings: [] }, warnings),
    { flag: 'wx' },
  );
  // The workflow last: an export directory is complete once it holds it.
  await writeFile(join(temp, WORKFLOW_FILE), toYaml(t.workflow), { flag: 'wx' });
}

/** The records of an earlier export in `dir`; a directory with anything else in it is refused. */
async function earlierRecords(dir: string, target: string): Promise<RunRecord[]> {
  const parent = await stat(dirname(target)).catch(() => undefined);
  if (!parent?.isDirectory()) throw new InvalidInputError('dir', dir, `its parent directory ${dirname(target)} must exist`);
  const existing = await stat(target).catch(() => undefined);
  if (!existing) return [];
  if (!existing.isDirectory()) throw new InvalidInputError('dir', dir, 'exists and is not a directory');
  const entries = await readdir(target);
  if (entries.length === 0) return [];
  if (!entries.includes(RECORDS_FILE)) {
    throw new InvalidInputError('dir', dir, `is not empty and holds no earlier workflow export (${RECORDS_FILE}); name a new or empty directory`);
  }
  return parseJournal(await readFile(join(target, RECORDS_FILE), 'utf8'));
}

/** Inputs whose original file is gone or changed since the runs: the job points at them anyway. */
async function changedInputs(t: Translation): Promise<string[]> {
  const warnings: string[] = [];
  for (const { id, file } of t.inputs) {
    const now = await stat(file.path).catch(() => undefined);
    if (!now?.isFile()) warnings.push(`input ${id} (${file.path}) is no longer there: the job file points at it anyway`);
    else if (changed(file, now))
      warnings.push(`input ${id} (${file.path}) changed since the runs (size or modification time): a re-run reads its current content`);
  }
  return warnings;
}

function changed(file: RecordedFile, now: { size: number; mtimeMs: number }): boolean {
  return (file.size !== undefined && file.size !== now.size) || (file.mtimeMs !== undefined && Math.floor(file.mtimeMs) !== Math.floor(now.mtimeMs));
}

/** An absent or empty target takes the rename as is; an earlier export is swapped out. */
async function moveIntoPlace(temp: string, target: string): Promise<void> {
  try {
    await rename(temp, target);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  const old = hiddenTempName(target);
  await rename(target, old);
  await rename(temp, target);
  await rm(old, { recursive: true, force: true });
}
