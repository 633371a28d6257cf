import { createHash } from 'node:crypto';
import { memoryToBytes } from '../api/options.js';
import { formatCommand } from '../errors/tool-error.js';
import type { RecordedFile } from '../records/run-record.js';
import { stepLabel, type CallPlan, type Slot } from './call-plan.js';
import type { YamlValue } from './yaml.js';

/** What one step hands its tool: a name (string input) or a file (wired later by identity). */
export type ToolBinding = { input: string; name: string } | { input: string; file: RecordedFile };

/** A file the step's tool writes, under the tool output's id. */
export interface ToolProduct {
  output: string;
  file?: RecordedFile;
}

/** One call as a CommandLineTool: the tool (shared by every call of the same shape) and this call's values. */
export interface ToolCall {
  /** Same for every call of the same shape: one tool file per key. */
  key: string;
  /** The tool file's name, e.g. `samtools-sort-1a2b3c4d.cwl`. */
  fileName: string;
  document: { [key: string]: YamlValue };
  bindings: ToolBinding[];
  products: ToolProduct[];
  /** Names of the env inputs (`env_NAME`), wired to workflow inputs without values. */
  env: string[];
}

/**
 * The CommandLineTool for a planned call. The tool runs in its output directory (as CWL tools
 * do): each input slot's files are staged there under the slot's name (so `ref.fa` and its
 * `ref.fa.bwt` stay side by side, as bwa needs), outputs are written there under their final
 * names and collected by glob, and the command line names them relative to it. Names are inputs
 * too, so every sample's call shares one tool. Pure.
 */
export function toolCall(plan: CallPlan): ToolCall {
  const ids = slotIds(plan.slots);
  const inputs: Record<string, YamlValue> = {};
  const outputs: Record<string, YamlValue> = {};
  const listing: YamlValue[] = [];
  const bindings: ToolBinding[] = [];
  const products: ToolProduct[] = [];
  plan.slots.forEach((slot, i) => {
    const id = ids[i]!;
    if (!(slot.role === 'output' && slot.directory)) {
      inputs[`${id}_name`] = { type: 'string', doc: `${slot.role === 'input' ? 'Staged' : 'Written'} as this name in the working directory.` };
      bindings.push({ input: `${id}_name`, name: slot.name });
    }
    slot.files.forEach((f, j) => {
      const fileId = fileIdOf(id, f.suffix, j);
      const where = slot.role === 'output' && slot.directory ? escape(f.suffix.slice(1)) : `$(inputs.${id}_name)${escape(f.suffix, true)}`;
      if (slot.role === 'input') {
        inputs[fileId] = 'File';
        listing.push({ entry: `$(inputs.${fileId})`, entryname: where });
        bindings.push({ input: fileId, file: f.file });
      } else {
        outputs[fileId] = { type: 'File', outputBinding: { glob: where } };
        products.push({ output: fileId, file: f.file });
      }
    });
  });
  if (plan.stdin) {
    inputs.stdin_file = 'File';
    bindings.push({ input: 'stdin_file', file: plan.stdin.file });
  }
  if (plan.stdout) {
    inputs.stdout_name = { type: 'string', doc: 'The file its standard output is written to.' };
    outputs.stdout_file = 'stdout';
    bindings.push({ input: 'stdout_name', name: plan.stdout.name });
    products.push({ output: 'stdout_file', ...(plan.stdout.file ? { file: plan.stdout.file } : {}) });
  }
  const env = plan.envNames.map((name) => `env_${name}`);
  for (const [i, name] of plan.envNames.entries())
    inputs[env[i]!] = { type: 'string', doc: `The value of ${name}: set for the run, never recorded (it may be a secret).` };
  const args = plan.argv.map((part, i) => {
    if (!('literal' in part)) return `${escape(part.before, true)}${slotArg(plan.slots[part.slot]!, ids[part.slot]!)}`;
    if (!isValue(part.literal, i)) return escape(part.literal);
    // A value (a thread count, a read group, a region) is an input: calls differing only in values share the tool.
    inputs[`arg${i + 1}`] = { type: 'string', doc: `Argument ${i + 1} of the command line.` };
    bindings.push({ input: `arg${i + 1}`, name: part.literal });
    return `$(inputs.arg${i + 1})`;
  });
  const requirements = requirementsOf(plan, listing);
  const shape = {
    image: requirements.DockerRequirement,
    args,
    slots: plan.slots.map((s) => [s.role, s.directory, s.files.map((f) => f.suffix)]),
    stdin: !!plan.stdin,
    stdout: !!plan.stdout,
    env: plan.envNames,
    resources: requirements.ResourceRequirement ?? null,
  };
  const key = createHash('sha256').update(JSON.stringify(shape)).digest('hex');
  const label = stepLabel(plan.record);
  const document: Record<string, YamlValue> = {
    cwlVersion: 'v1.2',
    class: 'CommandLineTool',
    label: label.replace(/-/g, ' '),
    doc: `Exported by tooldock from: ${formatCommand(plan.record.args)}\nImage: ${plan.image.reference}${plan.image.id ? ` (id ${plan.image.id})` : ''}`,
    requirements,
    ...(args[0] !== undefined && 'literal' in plan.argv[0]! ? { baseCommand: [args[0]], arguments: args.slice(1) } : { arguments: args }),
    inputs,
    outputs,
    ...(plan.stdin ? { stdin: '$(inputs.stdin_file.path)' } : {}),
    ...(plan.stdout ? { stdout: '$(inputs.stdout_name)' } : {}),
  };
  return { key, fileName: `${label}-${key.slice(0, 8)}.cwl`, document, bindings, products, env };
}

function requirementsOf(plan: CallPlan, listing: YamlValue[]): Record<string, YamlValue> {
  const requirements: Record<string, YamlValue> = {
    // The id pins what ran (cwltool runs `docker run <id>`); a digest reference can be pulled elsewhere.
    DockerRequirement: {
      ...(plan.image.reference.includes('@sha256:') ? { dockerPull: plan.image.reference } : {}),
      dockerImageId: plan.image.id ?? plan.image.reference,
    },
  };
  if (listing.length > 0) requirements.InitialWorkDirRequirement = { listing };
  if (plan.envNames.length > 0)
    requirements.EnvVarRequirement = { envDef: plan.envNames.map((name) => ({ envName: name, envValue: `$(inputs.env_${name})` })) };
  const resources = resourcesOf(plan.resources);
  if (resources) requirements.ResourceRequirement = resources;
  return requirements;
}

function resourcesOf(resources: CallPlan['resources']): Record<string, YamlValue> | undefined {
  if (!resources) return undefined;
  const out: Record<string, YamlValue> = {};
  if (resources.cpus !== undefined) out.coresMin = resources.cpus;
  if (resources.memory !== undefined) {
    const bytes = memoryToBytes(resources.memory);
    if (Number.isFinite(bytes)) out.ramMin = Math.ceil(bytes / 2 ** 20);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The command and its subcommand stay words of the tool, and so do options; the rest are values. */
function isValue(literal: string, index: number): boolean {
  return index >= 2 && !literal.startsWith('-');
}

/** What the command line says for a slot: its name in the working directory. */
function slotArg(slot: Slot, id: string): string {
  return slot.role === 'output' && slot.directory ? '$(runtime.outdir)' : `$(inputs.${id}_name)`;
}

/** Ids per role, numbered in command-line order: `in1`, `out1`, `tmp1`. */
function slotIds(slots: readonly Slot[]): string[] {
  const counts = { input: 0, output: 0, scratch: 0 };
  const prefix = { input: 'in', output: 'out', scratch: 'tmp' };
  return slots.map((slot) => `${prefix[slot.role]}${++counts[slot.role]}`);
}

/** `in1` for the path's own file, `in1_bwt` for `.bwt` beside it, `in1_f3` when the suffix is no word. */
function fileIdOf(id: string, suffix: string, index: number): string {
  if (suffix === '') return id;
  const word = suffix.replace(/^[./]+/, '').replace(/[^A-Za-z0-9]+/g, '_');
  return /^[A-Za-z0-9_]{1,24}$/.test(word) ? `${id}_${word}` : `${id}_f${index + 1}`;
}

/**
 * Literal text in a CWL string. cwltool interpolates only strings holding `$(` or `${`; in
 * those, `\$(` is a literal `$(` and `\\` a backslash. A string without them is taken as is
 * (so bwa's `@RG\tID:…` keeps its backslash), and `inside` says it will sit in one that has.
 */
export function escape(text: string, inside = false): string {
  if (!inside && !/\$[({]/.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\$([({])/g, '\\$$$1');
}
