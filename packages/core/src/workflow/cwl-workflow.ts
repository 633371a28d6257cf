import { basename } from 'node:path';
import type { RecordedFile, RunRecord } from '../records/run-record.js';
import { planCall, stepLabel } from './call-plan.js';
import { toolCall, type ToolCall } from './cwl-tool.js';
import { producerOf, type Produced } from './data-flow.js';
import type { YamlValue } from './yaml.js';

/** Where tool files go inside the export. */
export const TOOLS_DIR = 'tools';

/** A record left out of the workflow, and why. */
export interface LeftOut {
  record: RunRecord;
  reason: string;
}

/** One exported call. */
export interface ExportedStep {
  id: string;
  record: RunRecord;
  tool: string;
}

/** The whole translation: documents to write, and what the README reports. */
export interface Translation {
  /** Tool documents by file name (under `tools/`). */
  tools: Map<string, { [key: string]: YamlValue }>;
  workflow: { [key: string]: YamlValue };
  /** The job: workflow inputs → the original files. */
  job: { [key: string]: YamlValue };
  /** Env inputs the job cannot fill (values are never recorded). */
  envInputs: string[];
  /** Workflow inputs (files) with the file each one stands for. */
  inputs: Array<{ id: string; file: RecordedFile }>;
  steps: ExportedStep[];
  leftOut: LeftOut[];
  /** Files a step wrote that its command line did not name: not among its outputs. */
  undeclared: Array<{ step: string; file: RecordedFile }>;
}

/**
 * Run records as one CWL Workflow: a step per successful call (oldest first), one
 * CommandLineTool per distinct call shape, a step's input wired to the earlier step's output
 * that wrote the same content, anything else a workflow input pointing at the original file.
 * Pure: the same records give the same documents.
 */
export function translate(records: readonly RunRecord[]): Translation {
  const sorted = [...records].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  const tools = new Map<string, { [key: string]: YamlValue }>();
  const leftOut: LeftOut[] = [];
  const calls: Array<{ id: string; record: RunRecord; call: ToolCall }> = [];
  const counts = new Map<string, number>();
  for (const record of sorted) {
    const planned = planCall(record, calls.length);
    if ('skipped' in planned) {
      leftOut.push({ record, reason: planned.skipped });
      continue;
    }
    const call = toolCall(planned.plan);
    if (!tools.has(call.fileName)) tools.set(call.fileName, call.document); // the first call of a shape describes it
    const label = stepLabel(record).replace(/-/g, '_');
    const n = (counts.get(label) ?? 0) + 1;
    counts.set(label, n);
    calls.push({ id: `${label}_${n}`, record, call });
  }
  const produced: Produced[] = calls.flatMap(({ id, record, call }) =>
    call.products.flatMap((p) => (p.file ? [{ step: id, output: p.output, file: p.file, record }] : [])),
  );
  const inputs = new WorkflowInputs();
  const env = new Set<string>();
  const steps: Record<string, YamlValue> = {};
  const outputs: Record<string, YamlValue> = {};
  for (const { id, record, call } of calls) {
    const stepIn: Record<string, YamlValue> = {};
    for (const binding of call.bindings) {
      if ('name' in binding) {
        stepIn[binding.input] = { default: binding.name };
        continue;
      }
      const producer = producerOf(binding.file, record, produced);
      stepIn[binding.input] = producer ? `${producer.step}/${producer.output}` : inputs.idFor(binding.file);
    }
    for (const name of call.env) {
      env.add(name);
      stepIn[name] = name;
    }
    steps[id] = { run: `${TOOLS_DIR}/${call.fileName}`, in: stepIn, out: call.products.map((p) => p.output) };
    for (const p of call.products) outputs[`${id}_${p.output}`] = { type: 'File', outputSource: `${id}/${p.output}` };
  }
  const workflowInputs: Record<string, YamlValue> = {};
  for (const { id, file } of inputs.all()) workflowInputs[id] = { type: 'File', doc: `Originally ${file.path}` };
  for (const name of env) workflowInputs[name] = { type: 'string', doc: 'An environment variable of the runs; its value was not recorded.' };
  const job: Record<string, YamlValue> = {};
  for (const { id, file } of inputs.all()) job[id] = { class: 'File', path: file.path };
  return {
    tools,
    workflow: {
      cwlVersion: 'v1.2',
      class: 'Workflow',
      label: 'Tool runs exported by tooldock',
      doc: `${calls.length} call(s) recorded by tooldock, wired by the files they passed on. See README.md.`,
      inputs: workflowInputs,
      outputs,
      steps,
    },
    job,
    envInputs: [...env],
    inputs: inputs.all(),
    steps: calls.map(({ id, record, call }) => ({ id, record, tool: call.fileName })),
    leftOut,
    undeclared: calls.flatMap(({ id, call, record }) => planUndeclared(record, call).map((file) => ({ step: id, file }))),
  };
}

/** Files a call wrote that none of its tool's outputs collects. */
function planUndeclared(record: RunRecord, call: ToolCall): RecordedFile[] {
  const collected = new Set(call.products.flatMap((p) => (p.file ? [p.file] : [])));
  return record.outputs.filter((f) => f.kind === 'file' && !collected.has(f));
}

/** Workflow inputs: one per distinct original file (the same content at the same path is one input). */
class WorkflowInputs {
  private readonly byKey = new Map<string, { id: string; file: RecordedFile }>();
  private readonly ids = new Set<string>();

  idFor(file: RecordedFile): string {
    const key = `${file.path}\0${file.sha256 ?? `${file.size}:${file.mtimeMs}`}`;
    const known = this.byKey.get(key);
    if (known) return known.id;
    const base =
      basename(file.path)
        .replace(/[^A-Za-z0-9_]/g, '_')
        .replace(/^(?=[^A-Za-z_])/, 'f_') || 'input';
    let id = base;
    for (let n = 2; this.ids.has(id); n++) id = `${base}_${n}`;
    this.ids.add(id);
    this.byKey.set(key, { id, file });
    return id;
  }

  all(): Array<{ id: string; file: RecordedFile }> {
    return [...this.byKey.values()];
  }
}
