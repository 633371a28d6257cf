import { kindOf } from '../backends/registry.js';
import type { RunSpec } from '../lifecycle/run-container.js';
import { ToolSession } from '../sessions/tool-session.js';

/**
 * `runMany({ reuse: true })`: warm sessions per image, mount set and container settings, at most
 * one per running task (so never more than the concurrency). A task borrows an idle session or
 * opens one, and gives it back when done; everything is closed when the fan-out ends.
 */
export class SessionPool {
  private readonly idle = new Map<string, ToolSession[]>();
  private readonly all: ToolSession[] = [];

  /** A session fit for `spec`, or undefined when none could be opened (the task then runs fresh). */
  async acquire(spec: RunSpec, signal: AbortSignal): Promise<{ session: ToolSession; release: () => void } | undefined> {
    const key = poolKey(spec);
    const free = this.idle.get(key);
    let session = free?.pop();
    if (!session || session.closedReason) {
      try {
        const { image, mounts, options, engine } = spec;
        const sessions = kindOf(engine).sessions;
        if ('unsupported' in sessions) return undefined; // runMany refuses reuse on such engines
        // The container's settings are the task's; per-call ones (stdin, sinks, timeout) are left
        // out, and so are env and cwd: the container's env would be in every later task's
        // processes (a secret of this task read by the next), and its cwd their default.
        const containerOptions = { ...options, env: undefined, cwd: undefined, stdin: undefined, timeoutMs: undefined };
        // Its own signal, combined rather than listened to: the fan-out's one signal is shared by
        // every task, and each step of an open (bounded.ts) listens to the signal it is given —
        // 16 concurrent opens on the shared one were 16 listeners (MaxListenersExceededWarning).
        const own = AbortSignal.any([signal]);
        const container = await sessions.open(engine, { image, args: [], mounts, options: containerOptions }, { signal: own, emit: () => {} });
        session = new ToolSession(image, container, {}, undefined);
        this.all.push(session);
      } catch {
        // A fresh container reports the same problem (image missing, bad mount) as runTool would.
        return undefined;
      }
    }
    const borrowed = session;
    return {
      session: borrowed,
      release: () => {
        if (borrowed.closedReason) return;
        const list = this.idle.get(key) ?? [];
        list.push(borrowed);
        this.idle.set(key, list);
      },
    };
  }

  async closeAll(): Promise<void> {
    this.idle.clear();
    await Promise.allSettled(this.all.splice(0).map((s) => s.close()));
  }
}

/** Tasks share sessions when everything fixed at container creation is the same. */
function poolKey(spec: RunSpec): string {
  const o = spec.options;
  return JSON.stringify([
    spec.engine.endpoint,
    spec.image,
    spec.mounts.map((m) => [m.path, m.target, m.write]),
    o.user,
    o.cpus,
    o.memory,
    o.network,
    o.pull,
    o.labels,
    o.entrypoint,
    o.pidsLimit,
    o.noNewPrivileges,
    o.capabilities,
    o.exposeDaemonSocket,
  ]);
}
