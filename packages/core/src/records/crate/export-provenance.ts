import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { hiddenTempName } from '../../util/hidden-temp-name.js';
import { InvalidInputError, parseOrThrow } from '../../errors/invalid-input-error.js';
import { session } from '../../backends/docker/process-session.js';
import type { RunRecord } from '../run-record.js';
import { runRecords } from '../run-records.js';
import { copyData, type CopiedData } from './copy-data.js';
import { crateOf, type CrateSettings } from './crate-of.js';
import { exportedWorkflowOf } from './workflow-link.js';

const isRecord = (v: unknown) =>
  typeof v === 'object' && v !== null && typeof (v as RunRecord).id === 'string' && Array.isArray((v as RunRecord).args);

const ExportOptionsSchema = z
  .object({
    /** The records to export; default: this process's (`runRecords()`). */
    records: z.array(z.custom<RunRecord>(isRecord, { message: 'must be a run record from runRecords()' })).optional(),
    /** Copy the files the runs read and wrote into the crate (`data/…`); default: reference them by `file://` URI. */
    includeData: z.boolean().default(false),
    /** The crate's name; default: "tooldock runs". */
    name: z.string().min(1).optional(),
    description: z.string().min(1).optional(),
    /** The license of the crate's content, as a URL (e.g. `https://spdx.org/licenses/CC-BY-4.0`). */
    license: z.url({ message: 'must be a URL, e.g. "https://spdx.org/licenses/CC-BY-4.0"' }).optional(),
    /**
     * A workflow exported from these runs (`exportWorkflow`'s `workflow` file) to link from the
     * crate; default: the latest one this process exported from any of them; `false`: none.
     */
    workflow: z.union([z.string().min(1), z.literal(false)]).optional(),
    /** Replace a directory that exists and is not empty (default: refuse). */
    overwrite: z.boolean().default(false),
  })
  .strict();

/** Options of {@link exportProvenance}. */
export type ExportProvenanceOptions = z.input<typeof ExportOptionsSchema>;

/** What {@link exportProvenance} wrote. */
export interface ExportedCrate {
  /** The crate's directory (absolute). */
  dir: string;
  /** Actions written: one per record. */
  actions: number;
  /** Files copied into the crate (`includeData`), and those left as references with the reason. */
  copied: string[];
  notCopied: Array<{ path: string; reason: string }>;
}

/**
 * Writes run records as an RO-Crate 1.1 following the Process Run Crate profile
 * (https://w3id.org/ro/wfrun/process/0.5): `ro-crate-metadata.json` with one `CreateAction`
 * per run (`ActivateAction` when it wrote no file) — the tool as `instrument`, the image and its
 * digest as `containerImage`, inputs as `object`, outputs as `result` (with size and SHA-256
 * when known), times, status and agent.
 * Atomic: written beside `dir` under a hidden name and renamed into place, so a crate that is
 * there is complete. Data files are referenced by `file://` URI unless `includeData` copies them.
 *
 * @example
 * ```ts
 * await runTool(image, ['samtools', 'sort', '-o', '/data/s1.bam', '/data/s1.sam'], ['/data:rw'], { cache: true });
 * await exportProvenance('/work/run-crate', { license: 'https://spdx.org/licenses/CC-BY-4.0' });
 * ```
 */
export async function exportProvenance(dir: string, options: ExportProvenanceOptions = {}): Promise<ExportedCrate> {
  if (typeof dir !== 'string' || dir === '')
    throw new InvalidInputError('dir', dir, 'must be the path of the directory to create, e.g. "/work/run-crate"');
  const parsed = parseOrThrow(ExportOptionsSchema, options, 'options');
  const target = resolve(dir);
  await checkTarget(dir, target, parsed.overwrite);
  const records = parsed.records ?? runRecords();
  const temp = hiddenTempName(target, `${session.host}-${session.pid}`);
  await mkdir(temp, { mode: 0o755 });
  try {
    const data: CopiedData = parsed.includeData ? await copyData(records, temp) : { copied: new Map(), notCopied: [] };
    const crate = crateOf(records, {
      name: parsed.name ?? 'tooldock runs',
      description: parsed.description ?? `Provenance of ${records.length} tool run(s) recorded by tooldock.`,
      license: parsed.license,
      datePublished: new Date(),
      copied: data.copied,
      ...linkedWorkflow(parsed.workflow, records),
    });
    // The metadata file last: a crate directory is complete once it holds it.
    await writeFile(join(temp, 'ro-crate-metadata.json'), `${JSON.stringify(crate, null, 2)}\n`, { flag: 'wx' });
    await moveIntoPlace(temp, target, parsed.overwrite);
    return { dir: target, actions: records.length, copied: [...data.copied.keys()], notCopied: data.notCopied };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** The workflow to link: the one named (for every record), or this process's latest export of these runs. */
function linkedWorkflow(option: string | false | undefined, records: readonly RunRecord[]): Pick<CrateSettings, 'workflow'> {
  if (option === false) return {};
  if (typeof option === 'string') return { workflow: { path: resolve(option), recordIds: new Set(records.map((r) => r.id)) } };
  const noted = exportedWorkflowOf(records.map((r) => r.id));
  return noted ? { workflow: { path: noted.workflow, recordIds: noted.recordIds } } : {};
}

async function checkTarget(dir: string, target: string, overwrite: boolean): Promise<void> {
  const parent = await stat(dirname(target)).catch(() => undefined);
  if (!parent?.isDirectory()) throw new InvalidInputError('dir', dir, `its parent directory ${dirname(target)} must exist`);
  const existing = await stat(target).catch(() => undefined);
  if (!existing) return;
  if (!existing.isDirectory()) throw new InvalidInputError('dir', dir, 'exists and is not a directory');
  if (!overwrite && (await readdir(target)).length > 0) {
    throw new InvalidInputError('dir', dir, 'exists and is not empty; name a new directory, or pass { overwrite: true } to replace it');
  }
}

/** An absent or empty target takes the rename as is; a full one (overwrite) is swapped out first. */
async function moveIntoPlace(temp: string, target: string, overwrite: boolean): Promise<void> {
  try {
    await rename(temp, target);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Filled meanwhile by someone else: without overwrite, theirs stays.
    if (!overwrite || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) throw error;
  }
  const old = hiddenTempName(target);
  await rename(target, old);
  await rename(temp, target);
  await rm(old, { recursive: true, force: true });
}
