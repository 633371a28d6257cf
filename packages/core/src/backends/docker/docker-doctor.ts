import { statSync } from 'node:fs';
import { userMapping } from './identity/caller-user.js';
import type { DockerEngine } from './engine/docker-engine.js';
import { decideTransfer } from './transfer/transfer-decision.js';
import { locateSelf } from './dood/detect-self.js';
import { describeGpuSupport, gpuSupport } from './gpu-support.js';
import type { DoctorFinding, DoctorReport } from '../../diagnose/doctor-report.js';

/**
 * `doctor()` for a daemon: which daemon, its version and user mapping, whether we run in a
 * container and which, our mounts and which can be shared with tools, the socket's owner and
 * mode against our groups — with a fix for each problem.
 */
export async function dockerDoctor(engine: DockerEngine): Promise<DoctorReport> {
  const findings: DoctorFinding[] = [];
  const caller = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, groups: process.getgroups?.() ?? [] };
  const report: DoctorReport = {
    engine: {
      endpoint: engine.endpoint,
      chosenBy: engine.target.source,
      ...(engine.target.context ? { context: engine.target.context } : {}),
      reachable: false,
    },
    caller,
    mounts: [],
    findings,
    text: '',
  };
  const socketPath = engine.target.socketPath;
  if (socketPath) {
    try {
      const st = statSync(socketPath);
      // From the mode bits, not access(2): Deno's accessSync ignores supplementary groups.
      const usable = mayReadWrite(st, caller);
      report.socket = { path: socketPath, uid: st.uid, gid: st.gid, mode: (st.mode & 0o777).toString(8), usable };
      if (!usable) {
        findings.push({
          problem: `this process (uid ${caller.uid}, groups ${caller.groups.join(',') || 'none'}) may not use ${socketPath} (owner ${st.uid}:${st.gid}, mode ${report.socket.mode})`,
          fix: `add the socket's group: docker run --group-add ${st.gid} … (compose: group_add: ["${st.gid}"]); on a host: usermod -aG docker $USER, then log in again`,
        });
      }
    } catch {
      findings.push({
        problem: `no socket at ${socketPath}`,
        fix: 'start the daemon, or mount the host socket into this container (-v /var/run/docker.sock:/var/run/docker.sock), or set DOCKER_HOST',
      });
    }
  }
  try {
    const version = await engine.version();
    Object.assign(report.engine, {
      reachable: true,
      version: version.Version,
      apiVersion: version.ApiVersion,
      userMapping: await userMapping(engine),
      gpus: await gpuSupport(engine),
    });
  } catch (error) {
    report.engine.error = (error as Error).message.split('\n')[0];
  }
  if (report.engine.reachable) {
    const self = await locateSelf(engine);
    report.self = self;
    const { mode, reason } = await decideTransfer(engine);
    report.engine.files = { mode, reason };
    if (self.kind === 'container') {
      for (const m of self.mounts) {
        const socket = m.destination.endsWith('.sock');
        const shareable = !socket && m.type !== 'tmpfs' && !!m.source;
        report.mounts.push({
          destination: m.destination,
          type: m.type,
          source: m.name ?? m.source,
          readOnly: !m.rw,
          shareable,
          ...(socket ? { note: 'the daemon socket: never passed to tools' } : !shareable ? { note: 'exists only in this container' } : {}),
        });
      }
      if (!report.mounts.some((m) => m.shareable)) {
        findings.push({
          problem: `container ${self.name} has no bind mounts or volumes: no path can be shared with tools`,
          fix: 'mount your data into it (docker run -v /host/data:/data …, compose: volumes) and keep the files there',
        });
      }
    } else if (self.kind === 'unverified-container') {
      findings.push({
        problem: `this process runs in a container, but ${self.reason}`,
        fix:
          mode === 'copy'
            ? 'nothing to do if the daemon is remote: files are copied to and from tools (copy mode); for bind mounts, mount the host socket into this container (DooD)'
            : 'mount the host socket into this container (DooD), or set TOOLDOCK_SELF_CONTAINER=<id>, or TOOLDOCK_TRANSFER=copy to copy files to and from tools',
      });
    }
    if (report.engine.userMapping === 'userns-remap') {
      findings.push({
        problem: 'the daemon uses userns-remap: files written by tools belong to remapped uids on the host',
        fix: 'run tools with user: "image" and fix ownership afterwards, or use a daemon without userns-remap',
      });
    }
  } else if (findings.length === 0) {
    // a socket finding already says why
    findings.push({
      problem: `the daemon at ${engine.endpoint} does not answer: ${report.engine.error}`,
      fix: 'start it, or point DOCKER_HOST at a daemon that runs',
    });
  }
  report.text = render(report);
  return report;
}

/** Whether uid/groups may read and write a file with this owner and mode (as the kernel decides). */
function mayReadWrite(st: { uid: number; gid: number; mode: number }, who: { uid: number; gid: number; groups: number[] }): boolean {
  if (who.uid === 0) return true;
  if (st.uid === who.uid) return (st.mode & 0o600) === 0o600;
  if (st.gid === who.gid || who.groups.includes(st.gid)) return (st.mode & 0o060) === 0o060;
  return (st.mode & 0o006) === 0o006;
}

function render(r: DoctorReport): string {
  const lines = ['tooldock doctor', ''];
  lines.push(`daemon     ${r.engine.endpoint} (chosen by ${r.engine.chosenBy}${r.engine.context ? ` "${r.engine.context}"` : ''})`);
  lines.push(
    r.engine.reachable
      ? `           Docker ${r.engine.version}, API ${r.engine.apiVersion}, users: ${r.engine.userMapping}`
      : `           not reachable: ${r.engine.error}`,
  );
  if (r.engine.gpus) lines.push(`gpus       ${describeGpuSupport(r.engine.gpus)}`);
  if (r.socket)
    lines.push(`socket     owner ${r.socket.uid}:${r.socket.gid}, mode ${r.socket.mode}, ${r.socket.usable ? 'usable by us' : 'NOT usable by us'}`);
  lines.push(`caller     uid ${r.caller.uid}, gid ${r.caller.gid}, groups ${r.caller.groups.join(',') || 'none'}`);
  const self = r.self;
  lines.push(
    `where      ${
      !self
        ? 'unknown (daemon unreachable)'
        : self.kind === 'host'
          ? "on the daemon's host: paths pass through"
          : self.kind === 'container'
            ? `in container ${self.name} (${self.containerId.slice(0, 12)}, image ${self.image}): paths are translated`
            : 'in a container the daemon does not know'
    }`,
  );
  if (r.engine.files) lines.push(`files      ${r.engine.files.mode}: ${r.engine.files.reason}`);
  if (r.mounts.length) {
    lines.push('mounts');
    for (const m of r.mounts) {
      lines.push(
        `  ${m.shareable ? '✓' : '✗'} ${m.destination}  ← ${m.type} ${m.source}${m.readOnly ? ' (read-only)' : ''}${m.note ? `  — ${m.note}` : ''}`,
      );
    }
  }
  lines.push('');
  if (r.findings.length === 0) lines.push('no problems found');
  for (const f of r.findings) lines.push(`problem: ${f.problem}`, `    fix: ${f.fix}`);
  return lines.join('\n');
}
