import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { RunRecord } from '../records/run-record.js';
import { runRecords } from '../records/run-records.js';
import { exportWorkflow } from '../workflow/export-workflow.js';

export const EXPORT_USAGE = `  export cwl <dir> [--since T] [--session ID]
                                  write what ran as a CWL workflow (docs/provenance.md):
                                  default the latest session's runs; T an ISO date`;

/**
 * `tooldock export cwl <dir>`: the records on disk as a CWL workflow. A command line has no runs
 * of its own, so it exports a session's: the one named, every one since a time, or the latest.
 * Returns the exit code.
 */
export async function exportCommand(args: string[], print: (line: string) => void = console.log): Promise<number> {
  const [format, dir, ...rest] = args;
  if (format !== 'cwl' || !dir || dir.startsWith('--')) {
    print(`usage: tooldock\n${EXPORT_USAGE}`);
    return 2;
  }
  try {
    const flags = flagValues(rest);
    const records = chosenRecords(flags);
    if (records.length === 0) {
      print('no run records to export (they are kept under <TOOLDOCK_HOME>/records/)');
      return 1;
    }
    const exported = await exportWorkflow(dir, { format: 'cwl', records });
    print(`wrote ${exported.workflow}: ${exported.steps} step(s) (${exported.added} new), ${exported.tools.length} tool(s)`);
    print(`re-run: cwltool --outdir out ${exported.workflow} ${exported.job}`);
    for (const warning of exported.warnings) print(`warning: ${warning}`);
    return 0;
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    print(error.message);
    return 2;
  }
}

function chosenRecords(flags: Map<string, string>): RunRecord[] {
  const since = flags.get('since');
  const all = since !== undefined ? runRecords({ since }) : runRecords({ all: true });
  const wanted = flags.get('session') ?? (since !== undefined ? undefined : all.at(-1)?.session);
  return wanted === undefined ? all : all.filter((r) => r.session === wanted);
}

function flagValues(args: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!;
    const value = args[i + 1];
    if ((name !== '--since' && name !== '--session') || value === undefined)
      throw new InvalidInputError('export', name, 'must be --since <ISO date> or --session <id>');
    flags.set(name.slice(2), value);
    i++;
  }
  return flags;
}
