import { runCommand } from '../image-store/run-command.js';
import { callerName } from '../image-store/daemon-source.js';
import type { CharliecloudDoctorReport, DoctorReport } from '../../diagnose/doctor-report.js';
import type { CharliecloudEngine } from './charliecloud-engine.js';
import { CHARLIECLOUD_GUARANTEES } from './guarantees.js';

/** Probes ch-run and the namespaces a run needs (each probe bounded to a few seconds). */
export async function charliecloudDoctor(engine: CharliecloudEngine): Promise<CharliecloudDoctorReport> {
  const env = { PATH: `${process.env.PATH ?? ''}:/usr/bin:/bin:/usr/sbin:/sbin`, USER: callerName() };
  const findings: CharliecloudDoctorReport['findings'] = [];
  const version = await runCommand(['ch-run', '--version'], AbortSignal.timeout(5_000), 'asking ch-run its version', { env }).then(
    (o) => (o.code === 0 ? (o.stdout + o.stderr).trim() : undefined),
    () => undefined,
  );
  if (!version)
    findings.push({
      problem: 'ch-run is not installed or does not run',
      fix: "install Charliecloud (Debian/Ubuntu: apt-get install charliecloud; or your site's module load charliecloud)",
    });
  const namespaces = await runCommand(
    ['unshare', '--user', '--map-root-user', '--mount', '--net', '--pid', '--fork', 'true'],
    AbortSignal.timeout(5_000),
    'creating namespaces',
    { env },
  ).then(
    (o) => o.code === 0,
    () => false,
  );
  if (!namespaces)
    findings.push({
      problem: 'this user cannot create unprivileged user, mount, network and pid namespaces',
      fix: 'enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0), or use a Docker/Podman engine',
    });
  const pdeathsig = await runCommand(
    ['setpriv', '--pdeathsig', 'KILL', 'true'],
    AbortSignal.timeout(5_000),
    'asking setpriv to set a parent-death signal',
    { env },
  ).then(
    (o) => o.code === 0,
    () => false,
  );
  if (!pdeathsig)
    findings.push({
      problem:
        'setpriv (util-linux) is missing or cannot set a parent-death signal: a run cannot be made to die with its submitter, and every run fails to start',
      fix: 'install util-linux (Debian/Ubuntu: apt-get install util-linux), which also provides unshare',
    });
  const images = engine.images.list().map(({ imageId, names, convertedAt }) => ({ imageId, names, convertedAt }));
  return { ...(version ? { version } : {}), namespaces, store: { dir: engine.images.dir, images }, enforces: CHARLIECLOUD_GUARANTEES, findings };
}

/** The report as text, for people. */
export function charliecloudDoctorText(engine: CharliecloudEngine, report: CharliecloudDoctorReport): string {
  const lines = [
    `engine: ${engine.endpoint} (no daemon; tools run with ch-run as you)`,
    `ch-run: ${report.version ?? 'not found'}`,
    `namespaces: ${report.namespaces ? 'yes' : 'NO'}`,
    `image store: ${report.store.dir} (${report.store.images.length} image${report.store.images.length === 1 ? '' : 's'})`,
    ...report.store.images.map((image) => `  ${image.imageId.slice(0, 19)}  ${image.names.join(', ')}`),
    'enforced:',
    ...report.enforces.map((g) => `  ${g.option}: ${g.how}`),
    ...report.findings.map((f) => `problem: ${f.problem}\n  fix: ${f.fix}`),
  ];
  return lines.join('\n');
}

/** doctor() for a Charliecloud engine. */
export async function charliecloudDoctorReport(engine: CharliecloudEngine): Promise<DoctorReport> {
  const charliecloud = await charliecloudDoctor(engine);
  const caller = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, groups: process.getgroups?.() ?? [] };
  const reachable = charliecloud.version !== undefined && charliecloud.namespaces && charliecloud.findings.length === 0; // setpriv too
  const engineReport = {
    endpoint: engine.endpoint,
    chosenBy: 'option',
    reachable,
    ...(charliecloud.version ? { version: charliecloud.version } : {}),
  };
  return {
    engine: engineReport,
    caller,
    mounts: [],
    findings: charliecloud.findings,
    text: charliecloudDoctorText(engine, charliecloud),
    charliecloud,
  };
}
