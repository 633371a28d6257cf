import { partitionCpus } from './slurm-capacity.js';
import { slurmCommand } from './slurm-cli.js';
import type { SlurmEngine } from './slurm-engine.js';
import { mountLocality, type MountLocality } from './mount-locality.js';
import type { DoctorReport, SlurmDoctorReport } from '../../diagnose/doctor-report.js';

export type { SlurmDoctorReport } from '../../diagnose/doctor-report.js';

/** A problem and its fix (the shape of doctor()'s findings). */
interface Finding {
  problem: string;
  fix: string;
}

/** What doctor() learns about a cluster; diagnose/doctor.ts makes its report of it. */
export interface SlurmDiagnosis {
  reachable: boolean;
  error?: string;
  findings: Finding[];
  slurm: SlurmDoctorReport;
  text: string;
}

/** `doctor({ engine: cluster, mounts })` as the report every engine's doctor gives. */
export async function slurmDoctorReport(engine: SlurmEngine, mounts: string[]): Promise<DoctorReport> {
  const { reachable, error, findings, slurm, text } = await slurmDoctor(engine, mounts);
  const caller = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, groups: process.getgroups?.() ?? [] };
  const engineReport = {
    endpoint: engine.endpoint,
    chosenBy: 'option',
    reachable,
    ...(slurm.version ? { version: slurm.version } : {}),
    ...(error ? { error } : {}),
  };
  return { engine: engineReport, caller, mounts: [], findings, text, slurm };
}

/** `doctor({ engine: cluster, mounts })`: Slurm, partitions and free CPUs, the nodes' runtime, shared mounts. */
export async function slurmDoctor(engine: SlurmEngine, mounts: readonly string[]): Promise<SlurmDiagnosis> {
  const findings: Finding[] = [];
  const slurm: SlurmDoctorReport = { partitions: [], runtime: { name: engine.runtime.name, nodes: {} }, mounts: [] };
  const report: SlurmDiagnosis = { reachable: false, findings, slurm, text: '' };
  try {
    slurm.version = (await slurmCommand('sinfo', ['--version'], undefined, 15_000)).trim();
    report.reachable = true;
    slurm.partitions = await partitions();
    if ((await partitionCpus(engine)).total === 0)
      findings.push({
        problem: `partition ${engine.options.partition ?? '(default)'} has no CPUs`,
        fix: "check the partition name (sinfo) or ask the cluster's admins",
      });
    slurm.runtime.nodes = await probeRuntime(engine);
  } catch (error) {
    report.error = (error as Error).message.split('\n')[0];
    findings.push({
      problem: `Slurm does not answer: ${report.error}`,
      fix: 'run on a login node of the cluster (sinfo must work there), or set SLURM_CONF',
    });
  }
  for (const [node, answer] of Object.entries(slurm.runtime.nodes)) {
    if (!/^\d/.test(answer))
      findings.push({
        problem: `node ${node} cannot run ${engine.runtime.name}: ${answer}`,
        fix: `use the runtime the nodes have (runtime: "docker" or "podman"), or ask the admins for access to it`,
      });
  }
  slurm.mounts = [engine.spool.dir, ...mounts].map(mountLocality);
  for (const m of slurm.mounts) findings.push(...mountFindings(m));
  report.text = render(engine.endpoint, report);
  return report;
}

async function partitions(): Promise<SlurmDoctorReport['partitions']> {
  const out = await slurmCommand('sinfo', ['--noheader', '--format=%P|%a|%D|%C|%l'], undefined, 15_000);
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', state = '', nodes = '0', cpus = '0/0/0/0', timeLimit = ''] = line.split('|');
      const [, idle = 0, , total = 0] = cpus.split('/').map(Number);
      return { name: name.replace(/\*$/, ''), default: name.endsWith('*'), state, nodes: Number(nodes), idleCpus: idle, totalCpus: total, timeLimit };
    });
}

/** One task per node (up to 8 nodes), started only if they are free within 10 s. */
async function probeRuntime(engine: SlurmEngine): Promise<Record<string, string>> {
  const { partition } = engine.options;
  const idle = (
    await slurmCommand(
      'sinfo',
      ['--noheader', '--states=idle,mixed', '--format=%D', ...(partition ? [`--partition=${partition}`] : [])],
      undefined,
      15_000,
    )
  )
    .trim()
    .split('\n')
    .reduce((n, l) => n + (Number(l) || 0), 0);
  const nodes = Math.min(8, idle);
  if (nodes === 0) return {};
  const version =
    engine.runtime.name === 'charliecloud'
      ? 'USER=${USER:-tooldock} ch-run --version'
      : engine.runtime.name === 'apptainer'
        ? 'apptainer --version'
        : `${engine.runtime.name} version --format '{{.Server.Version}}'`;
  const probe = `echo "$SLURMD_NODENAME|$(${version} 2>&1 | head -n 1)"`;
  const out = await slurmCommand(
    'srun',
    [
      `--nodes=${nodes}`,
      `--ntasks=${nodes}`,
      '--ntasks-per-node=1',
      '--immediate=10',
      '--time=1',
      `--job-name=${engine.jobName}-doctor`,
      ...(partition ? [`--partition=${partition}`] : []),
      'bash',
      '-c',
      probe,
    ],
    undefined,
    60_000,
  ).catch((error: Error) => `?|${error.message.split('\n')[0]}`);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.split('|')[0]!, l.split('|').slice(1).join('|')]),
  );
}

function mountFindings(m: MountLocality): Finding[] {
  if (m.verdict === 'missing') return [{ problem: `${m.path} does not exist here`, fix: 'create it on the shared filesystem, or fix the path' }];
  if (m.verdict === 'node-local')
    return [
      {
        problem: `${m.path} is on a node-local filesystem (${m.filesystem}): each node has its own, so tools would not see these files`,
        fix: 'use a directory on the shared filesystem (home, project or scratch space)',
      },
    ];
  if (m.verdict === 'local-disk')
    return [
      {
        problem: `${m.path} is on this machine's own disk (${m.filesystem}); nodes see it only if it is exported to them`,
        fix: 'check that the nodes mount it at the same path, or use the shared filesystem',
      },
    ];
  return [];
}

function render(endpoint: string, report: SlurmDiagnosis): string {
  const { slurm } = report;
  const lines = [`Slurm engine ${endpoint}: ${report.reachable ? slurm.version : `unreachable (${report.error})`}`];
  for (const p of slurm.partitions)
    lines.push(
      `  partition ${p.name}${p.default ? ' (default)' : ''}: ${p.state}, ${p.nodes} nodes, ${p.idleCpus}/${p.totalCpus} CPUs free, time limit ${p.timeLimit}`,
    );
  for (const [node, answer] of Object.entries(slurm.runtime.nodes)) lines.push(`  ${node}: ${slurm.runtime.name} ${answer}`);
  for (const m of slurm.mounts) lines.push(`  ${m.path}: ${m.filesystem} (${m.verdict})`);
  for (const f of report.findings) lines.push(`! ${f.problem}\n  fix: ${f.fix}`);
  return lines.join('\n');
}
