import type { UserMapping } from '../backends/docker/identity/caller-user.js';
import type { MountLocality } from '../backends/slurm/mount-locality.js';
import type { TransferMode } from '../backends/docker/transfer/mount-plan.js';
import type { SelfLocation } from '../backends/docker/dood/detect-self.js';

/** One finding of `doctor()`: what is wrong and what to do about it. */
export interface DoctorFinding {
  problem: string;
  fix: string;
}

/** What `doctor()` found. `text` is the same, for people. */
export interface DoctorReport {
  engine: {
    endpoint: string;
    chosenBy: string;
    /** The docker context that chose the daemon, if one did. */
    context?: string;
    reachable: boolean;
    /** How files reach tools, and why: the decision runTool makes for this daemon. */
    files?: { mode: TransferMode; reason: string };
    version?: string;
    apiVersion?: string;
    userMapping?: UserMapping;
    /**
     * GPU support (docs/gpus.md): whether `docker info` lists an NVIDIA runtime, which the `gpus`
     * option needs, and every runtime it lists.
     */
    gpus?: { nvidiaRuntime: boolean; runtimes: string[] };
    error?: string;
  };
  socket?: { path: string; uid: number; gid: number; mode: string; usable: boolean };
  caller: { uid: number; gid: number; groups: number[] };
  self?: SelfLocation;
  mounts: Array<{ destination: string; type: string; source: string; readOnly: boolean; shareable: boolean; note?: string }>;
  findings: DoctorFinding[];
  text: string;
  /** For a Slurm engine: version, partitions, the nodes' runtime, shared mounts (docs/clusters.md). */
  slurm?: SlurmDoctorReport;
  /** For a Charliecloud engine: ch-run, the namespaces, the image store, and what it enforces. */
  charliecloud?: CharliecloudDoctorReport;
}

/** What `doctor()` reports for a Slurm engine (in `report.slurm`). */
export interface SlurmDoctorReport {
  /** `sinfo --version`, e.g. `slurm 22.05.8`. */
  version?: string;
  partitions: Array<{ name: string; default: boolean; state: string; nodes: number; idleCpus: number; totalCpus: number; timeLimit: string }>;
  /** The runtime on each node probed (a one-task-per-node `srun`): its version, or what failed. */
  runtime: { name: string; nodes: Record<string, string> };
  /** The spool directory and the mounts asked about, with where they live. */
  mounts: MountLocality[];
}

/** What doctor() reports for a Charliecloud engine. */
export interface CharliecloudDoctorReport {
  /** `ch-run --version`, when it answered. */
  version?: string;
  /** Whether this user may create the namespaces every run needs (`unshare --user --map-root-user --mount --net --pid`). */
  namespaces: boolean;
  /** The image store and what it holds. */
  store: { dir: string; images: Array<{ imageId: string; names: string[]; convertedAt: string }> };
  /** What the engine enforces, option by option, and how. */
  enforces: ReadonlyArray<{ option: string; how: string }>;
  findings: Array<{ problem: string; fix: string }>;
}
