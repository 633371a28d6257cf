import { formatCommand } from '../errors/tool-error.js';
import type { RunRecord } from '../records/run-record.js';
import type { Translation } from './cwl-workflow.js';

/** What the README says besides the translation: when, and what changed since the runs. */
export interface ReadmeFacts {
  exportedAt: Date;
  workflowFile: string;
  jobFile: string;
  /** Warnings found outside the pure translation (inputs changed on disk since the runs). */
  extraWarnings: string[];
}

/**
 * Everything an export says it could not carry over, one sentence each: records left out,
 * outputs no command line names, cache hits (exported as the runs they replayed), images
 * known only by tag, env values. Pure.
 */
export function exportWarnings(t: Translation): string[] {
  const warnings = t.leftOut.map(({ record, reason }) => `left out ${describe(record)}: ${reason}`);
  for (const { step, file } of t.undeclared)
    warnings.push(`step ${step} wrote ${file.path}, which its command line does not name: it is not among the workflow's outputs`);
  for (const { id, record } of t.steps) {
    if (record.cached) warnings.push(`step ${id} was served from tooldock's cache: exported as the run it replayed`);
    if (!record.imageId) warnings.push(`step ${id}: the image id that ran is unknown; its tool names ${record.image}, which may have moved since`);
  }
  if (t.envInputs.length > 0) warnings.push(`environment values are never recorded: fill in ${t.envInputs.join(', ')} in the job before running`);
  return warnings;
}

/** The export's README.md: what ran, when, how to re-run it, and what was left out. */
export function exportReadme(t: Translation, facts: ReadmeFacts, warnings: readonly string[]): string {
  const starts = t.steps.map((s) => s.record.startedAt).sort();
  const ends = t.steps.map((s) => s.record.finishedAt).sort();
  const sessions = [...new Set(t.steps.map((s) => s.record.session))];
  const lines = [
    '# Workflow exported by tooldock',
    '',
    `Exported ${facts.exportedAt.toISOString()} from tooldock's run records: ${t.steps.length} call(s)` +
      (starts.length ? ` that ran between ${starts[0]} and ${ends.at(-1)}` : '') +
      (sessions.length ? ` in session(s) ${sessions.join(', ')}` : '') +
      '.',
    '',
    'Re-run it from the original inputs with any CWL runner, e.g.:',
    '',
    '```sh',
    `cwltool --outdir out ${facts.workflowFile} ${facts.jobFile}`,
    '```',
    '',
    `- \`${facts.workflowFile}\`: the Workflow. A step's input is wired to an earlier step's output when the records show the same file content (SHA-256 from the cache's \`inputs: 'content'\`, else final path, size and modification time).`,
    '- `tools/`: one CommandLineTool per distinct call shape, its DockerRequirement pinned to the image id that ran. Each tool runs in its own working directory: inputs are staged there under their original names, outputs written there, and the command line names them relative to it.',
    `- \`${facts.jobFile}\`: the workflow inputs, pointing at the original files.`,
    '- `tooldock-records.jsonl`: the run records this export was made from (a later export into this directory adds to them).',
    '',
    '## What ran',
    '',
    '| step | command | image | started | note |',
    '| --- | --- | --- | --- | --- |',
    ...t.steps.map(
      ({ id, record }) =>
        `| ${id} | \`${cell(formatCommand(record.args))}\` | ${cell(record.image)}${record.imageId ? ` (${record.imageId.slice(0, 19)}…)` : ''} | ${record.startedAt} | ${record.cached ? 'served from the cache: the run it replayed' : ''} |`,
    ),
    '',
    '## Inputs',
    '',
    ...(t.inputs.length ? t.inputs.map(({ id, file }) => `- \`${id}\`: ${file.path}${file.sha256 ? ` (sha256 ${file.sha256})` : ''}`) : ['None.']),
    ...t.envInputs.map((name) => `- \`${name}\`: a value to set yourself (tooldock never records environment values)`),
    '',
    '## Left out and not translated',
    '',
    ...(warnings.length || facts.extraWarnings.length
      ? [...warnings, ...facts.extraWarnings].map((w) => `- ${w}`)
      : ['Nothing: every recorded call is in the workflow.']),
    '',
  ];
  return lines.join('\n');
}

function describe(record: RunRecord): string {
  return `\`${formatCommand(record.args)}\` (${record.startedAt})`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
