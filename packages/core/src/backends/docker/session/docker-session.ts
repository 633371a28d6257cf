import type Docker from 'dockerode';
import type { StepContext, ToolRequest } from '../../tool-backend.js';
import { containerConfig } from '../container-config.js';
import { LABEL } from '../labels.js';
import { bounded } from '../../../lifecycle/bounded.js';
import { removeContainer } from '../live-containers.js';
import { bringUp } from '../engine/bring-up.js';
import { decide, type Decided } from '../engine/decide.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { CALLS_DIR, KEEP_ALIVE } from './session-helper.js';
import { TooldockError } from '../../../errors/tooldock-error.js';
import { SharedExclusiveGate } from '../../../util/shared-exclusive-gate.js';

/**
 * The long-lived container of a warm session: created exactly like a tool container (same
 * mounts and transfer mode, user, hardening, labels, so the reaper and signal handlers cover it),
 * but running a keep-alive loop; each call is an exec into it (exec-tool.ts).
 */
export class SessionContainer {
  /** Why the container is gone, once it is (it died, or the session was closed). */
  private gone: string | undefined;
  private closing = false;
  /** Calls pass it shared; a call with an env of its own, alone (call-admission.ts). */
  readonly gate = new SharedExclusiveGate();
  /** A call ran since the last sweep: processes it left behind may still run. */
  mayHoldLeftovers = false;

  private constructor(
    readonly engine: DockerEngine,
    readonly id: string,
    readonly image: string,
    readonly decided: Decided,
    /** The container's own env: every process in it has it, so a call repeating it adds nothing. */
    readonly env: Readonly<Record<string, string>>,
    exited: Promise<number>,
  ) {
    exited.then(
      (code) => void this.explainDeath(code),
      (error: unknown) => (this.gone ??= `lost track of the session's container ${short(id)}: ${(error as Error).message}`),
    );
  }

  /** Creates, fills (copy mode: inputs go in once) and starts the container. */
  static async open(engine: DockerEngine, request: ToolRequest, step: StepContext): Promise<SessionContainer> {
    const decided = await decide(engine, request, step);
    return await bringUp(engine, request, decided, sessionConfig(request, decided), step, async (id) => {
      // Every call is an exec as the session's user: the name given at bring-up serves them all.
      const handle = engine.docker.getContainer(id);
      if (decided.plan.beforeStart) await bounded(decided.plan.beforeStart(handle, step.signal), step.signal, 'copying inputs into the session');
      const { exited } = await bounded(engine.containers.registerWait(id), step.signal, 'registering the wait for its exit');
      const code = exited.then((s) => s.StatusCode);
      code.catch(() => {});
      await bounded(engine.containers.start(id), step.signal, 'starting the session container');
      return new SessionContainer(engine, id, request.image, decided, request.options.env ?? {}, code);
    });
  }

  /** Throws a clear error when the container cannot take calls any more. */
  assertAlive(): void {
    if (this.gone) throw new SessionGoneError(this.gone);
  }

  /**
   * Asks the daemon whether the container still runs (a call that failed may have failed because
   * it died, before its wait told us); throws a clear error if not.
   */
  async confirmAlive(signal: AbortSignal): Promise<void> {
    this.assertAlive();
    const state = await bounded(this.engine.containers.inspect(this.id), signal, 'checking the session container').then(
      (i) => i.State,
      () => undefined,
    );
    if (state?.Running) return;
    await this.explainDeath(state?.ExitCode ?? -1, state?.OOMKilled === true);
    this.assertAlive();
  }

  /** The reason the container is gone, or undefined while it runs. */
  get goneReason(): string | undefined {
    return this.gone;
  }

  /** The container as the mount plan's hooks receive it. */
  handle(): Docker.Container {
    return this.engine.docker.getContainer(this.id);
  }

  /** Removes the container (and so every process left in it). */
  async close(signal: AbortSignal, why = 'the session was closed'): Promise<void> {
    this.closing = true;
    this.gone ??= why;
    await bounded(removeContainer(this.engine, this.id), signal, 'removing the session container');
  }

  /** A death we did not cause is explained from the container's last state (OOM, killed, …). */
  private async explainDeath(code: number, known?: boolean): Promise<void> {
    if (this.closing) return;
    let oom = known ?? false;
    if (known === undefined) {
      try {
        oom = (await this.engine.containers.inspect(this.id)).State.OOMKilled === true;
      } catch {
        // removed already: the exit code says enough
      }
    }
    const how = oom ? 'was killed for running out of memory (OOM)' : code === 137 ? 'was killed (exit code 137)' : `exited with code ${code}`;
    this.gone ??= `the session's container ${short(this.id)} ${how}; open a new session`;
    // It cannot take calls any more: remove it now rather than at close.
    removeContainer(this.engine, this.id).catch(() => {});
  }
}

/** A call on a session whose container is gone: never hangs, says why. */
export class SessionGoneError extends TooldockError {
  readonly code = 'ERR_TOOLDOCK_SESSION_GONE';
  override readonly name = 'SessionGoneError';
}

/** A tool container's config, with the keep-alive loop, an init and the calls' tmpfs. */
function sessionConfig(request: ToolRequest, decided: Decided): Docker.ContainerCreateOptions {
  const options = { ...request.options, stdin: undefined, entrypoint: KEEP_ALIVE.slice(0, 1) };
  const config = containerConfig({
    image: request.image,
    args: KEEP_ALIVE.slice(1),
    mounts: decided.plan.mounts,
    masks: decided.masks,
    user: decided.user,
    options,
  });
  const host = config.HostConfig!;
  return {
    ...config,
    Labels: { ...config.Labels, [LABEL.tool]: `session of ${request.image}` },
    HostConfig: {
      ...host,
      Init: true,
      Mounts: [
        ...(host.Mounts ?? []),
        { Type: 'tmpfs', Target: CALLS_DIR, TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o1777 } } as Docker.MountSettings,
      ],
    },
  };
}

function short(id: string): string {
  return id.slice(0, 12);
}
