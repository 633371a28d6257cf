import { describe, expect, it } from 'vitest';
import type { RecordedFile, RunRecord } from '../../../src/records/run-record.js';
import { recordOf } from '../records/fixtures.js';
import { translate } from '../../../src/workflow/cwl-workflow.js';
import { exportWarnings } from '../../../src/workflow/export-readme.js';
import { finalName } from '../../../src/workflow/final-name.js';
import { toYaml } from '../../../src/workflow/yaml.js';

const IMAGE_ID = `sha256:${'ab'.repeat(32)}`;
let clock = Date.parse('2026-12-01T10:00:00Z');

/** A successful, cached record; each call starts one second after the previous one ended. */
function record(args: string[], files: { inputs?: RecordedFile[]; outputs?: RecordedFile[] }, extra: Partial<RunRecord> = {}): RunRecord {
  const startedAt = new Date((clock += 1000)).toISOString();
  const finishedAt = new Date((clock += 1000)).toISOString();
  return recordOf({
    id: `r${clock}`,
    session: 's',
    pid: 1,
    host: 'h',
    image: 'tooldock-test/bio:1',
    imageId: IMAGE_ID,
    args,
    envNames: [],
    mounts: [{ localPath: '/data', target: '/data', readOnly: false }],
    stdio: { stdin: 'none', stdout: 'capture', stderr: 'capture' },
    startedAt,
    finishedAt,
    durationMs: 1000,
    cache: { key: 'k', hit: false, inputMode: 'content' },
    inputs: files.inputs ?? [],
    outputs: files.outputs ?? [],
    ...extra,
  });
}

const file = (path: string, sha: string, size = 10): RecordedFile => ({ path, kind: 'file', size, sha256: sha.repeat(64 / sha.length) });

describe('finalName', () => {
  it('strips the hidden temp part a recipe renames away, keeping what the tool appended', () => {
    expect(finalName('.s1.bam.partial-3f9c0a1e')).toBe('s1.bam');
    expect(finalName('.ref.fa.partial-host-12-3f9c0a1e.bwt')).toBe('ref.fa.bwt');
    expect(finalName('s1.bam')).toBe('s1.bam');
  });
});

describe('translate', () => {
  const ref = file('/data/ref.fa', 'a');
  const index = ['amb', 'bwt'].map((ext, i) => file(`/data/.ref.fa.partial-0a1b2c3d.${ext}`, String(i + 1)));
  const indexRenamed = ['amb', 'bwt'].map((ext, i) => file(`/data/ref.fa.${ext}`, String(i + 1)));
  const reads = (s: string) => file(`/data/${s}.fq`, s === 's1' ? 'c' : 'd');
  const sam = (s: string) => file(`/data/${s}.sam`, s === 's1' ? 'e' : 'f');
  const flow = () => [
    record(['bwa', 'index', '-p', '/data/.ref.fa.partial-0a1b2c3d', '/data/ref.fa'], { inputs: [ref], outputs: index }),
    ...['s1', 's2'].map((s) =>
      record(
        ['bwa', 'mem', '-t', '2', '/data/ref.fa', `/data/${s}.fq`],
        { inputs: [ref, ...indexRenamed, reads(s)], outputs: [sam(s)] },
        {
          mounts: [{ localPath: '/data', target: '/data', readOnly: true }],
          stdio: { stdin: 'none', stdout: { file: `/data/${s}.sam` }, stderr: 'capture' },
        },
      ),
    ),
  ];

  it('one tool per call shape; outputs feed later inputs by content, renamed or not; the rest are workflow inputs', () => {
    const t = translate(flow());
    expect([...t.tools.keys()].map((n) => n.replace(/-[0-9a-f]{8}\.cwl$/, ''))).toEqual(['bwa-index', 'bwa-mem']);
    expect(t.steps.map((s) => s.id)).toEqual(['bwa_index_1', 'bwa_mem_1', 'bwa_mem_2']);
    const steps = t.workflow.steps as Record<string, { in: Record<string, unknown>; out: string[] }>;
    expect(steps.bwa_index_1!.out).toEqual(['out1_amb', 'out1_bwt', 'stdout_file']);
    expect(steps.bwa_index_1!.in).toMatchObject({ out1_name: { default: 'ref.fa' }, in1_name: { default: 'ref.fa' }, in1: 'ref_fa' });
    expect(steps.bwa_mem_2!.in).toMatchObject({
      in1: 'ref_fa',
      in1_amb: 'bwa_index_1/out1_amb',
      in1_bwt: 'bwa_index_1/out1_bwt',
      in2: 's2_fq',
      arg4: { default: '2' },
      stdout_name: { default: 's2.sam' },
    });
    expect(t.job).toEqual({
      ref_fa: { class: 'File', path: '/data/ref.fa' },
      s1_fq: { class: 'File', path: '/data/s1.fq' },
      s2_fq: { class: 'File', path: '/data/s2.fq' },
    });
    const mem = [...t.tools.values()][1]!;
    expect(mem).toMatchObject({
      baseCommand: ['bwa'],
      arguments: ['mem', '-t', '$(inputs.arg4)', '$(inputs.in1_name)', '$(inputs.in2_name)'],
      stdout: '$(inputs.stdout_name)',
      outputs: { stdout_file: 'stdout' },
      requirements: {
        DockerRequirement: { dockerImageId: IMAGE_ID },
        InitialWorkDirRequirement: {
          listing: [
            { entry: '$(inputs.in1)', entryname: '$(inputs.in1_name)' },
            { entry: '$(inputs.in1_amb)', entryname: '$(inputs.in1_name).amb' },
            { entry: '$(inputs.in1_bwt)', entryname: '$(inputs.in1_name).bwt' },
            { entry: '$(inputs.in2)', entryname: '$(inputs.in2_name)' },
          ],
        },
      },
    });
    expect(exportWarnings(t)).toEqual([]);
  });

  it('never wires by path alone: the same path with other content is a workflow input', () => {
    const [indexRun, mem] = flow();
    const changed = { ...mem!, inputs: [ref, file('/data/ref.fa.amb', '9'), file('/data/ref.fa.bwt', '2'), reads('s1')] };
    const steps = translate([indexRun!, changed]).workflow.steps as Record<string, { in: Record<string, unknown> }>;
    expect(steps.bwa_mem_1!.in).toMatchObject({ in1_amb: 'ref_fa_amb', in1_bwt: 'bwa_index_1/out1_bwt' });
  });

  it('an output read before its producer finished is not wired to it', () => {
    const [indexRun, mem] = flow();
    const early = { ...mem!, startedAt: new Date(Date.parse(indexRun!.finishedAt) - 500).toISOString() };
    const steps = translate([indexRun!, early]).workflow.steps as Record<string, { in: Record<string, unknown> }>;
    expect(steps.bwa_mem_1!.in.in1_bwt).toBe('ref_fa_bwt');
  });

  it('leaves out failures and stream-fed calls with the reason; exports cache hits as the runs they replayed', () => {
    const failed = record(['samtools', 'view', '/data/x.bam'], {}, { succeeded: false, failed: true, exitCode: 1, error: 'exit code 1' });
    const streamed = record(['wc', '-c'], {}, { stdio: { stdin: 'stream', stdout: 'capture', stderr: 'capture' } });
    const piped = record(['samtools', 'sort', '-'], {}, { stdio: { stdin: 'run', stdout: 'capture', stderr: 'capture' } });
    const text = record(['cat'], {}, { stdio: { stdin: 'text', stdout: 'capture', stderr: 'capture' } });
    const uncached = record(['ls', '/data'], {}, { cache: undefined });
    const hit = record(['samtools', 'flagstat', '/data/s1.sam'], { inputs: [sam('s1')] }, { cached: true });
    const t = translate([failed, streamed, piped, text, uncached, hit]);
    expect(t.leftOut.map((l) => l.reason)).toEqual([
      expect.stringContaining('it failed (exit code 1)'),
      expect.stringContaining('fed by a Node stream'),
      expect.stringContaining("another run's stdout through a pipe"),
      expect.stringContaining('they may be a secret'),
      expect.stringContaining("cache: { inputs: 'content' }"),
    ]);
    expect(t.steps.map((s) => s.id)).toEqual(['samtools_flagstat_1']);
    expect(exportWarnings(t)).toContainEqual("step samtools_flagstat_1 was served from tooldock's cache: exported as the run it replayed");
  });

  it('names a file the command line does not name as not exported', () => {
    const stray = record(['sh', '-c', 'touch /data/other'], { outputs: [file('/data/other', '7', 0)] });
    const t = translate([stray]);
    expect(exportWarnings(t)).toEqual(["step sh_1 wrote /data/other, which its command line does not name: it is not among the workflow's outputs"]);
  });

  it('env names become inputs without values; cpus and memory a ResourceRequirement; literal $( is escaped', () => {
    const r = record(['tool', 'run', '-x', 'a$(b)'], {}, { envNames: ['API_TOKEN'], resources: { cpus: 2, memory: '1g' } });
    const t = translate([r]);
    const tool = [...t.tools.values()][0]!;
    expect(tool).toMatchObject({
      arguments: ['run', '-x', '$(inputs.arg4)'],
      requirements: {
        EnvVarRequirement: { envDef: [{ envName: 'API_TOKEN', envValue: '$(inputs.env_API_TOKEN)' }] },
        ResourceRequirement: { coresMin: 2, ramMin: 1024 },
      },
    });
    expect((t.workflow.steps as Record<string, { in: Record<string, unknown> }>).tool_run_1!.in).toMatchObject({
      arg4: { default: 'a$(b)' },
      env_API_TOKEN: 'env_API_TOKEN',
    });
    expect(JSON.stringify(t.job)).not.toContain('API_TOKEN');
    const literal = translate([record(['echo', '-n$(x)'], {})]);
    expect([...literal.tools.values()][0]!.arguments).toEqual(['-n\\$(x)']);
  });

  it('is deterministic', () => {
    const records = flow();
    expect(toYaml(translate(records).workflow)).toBe(toYaml(translate(records).workflow));
  });
});

describe('toYaml', () => {
  it('writes block YAML with quoted strings', () => {
    expect(toYaml({ a: 'x', b: [1, { c: 'y', d: [] }], 'e f': null, g: {} })).toBe('a: "x"\nb:\n  - 1\n  - c: "y"\n    d: []\n"e f": null\ng: {}\n');
  });
});
