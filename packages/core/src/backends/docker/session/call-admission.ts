import type { StepContext } from '../../tool-backend.js';
import { RunAborted } from '../../../lifecycle/bounded.js';
import { pollUntil } from '../../../lifecycle/poll.js';
import type { GateRelease } from '../../../util/shared-exclusive-gate.js';
import type { SessionContainer } from './docker-session.js';
import { runHelperExec } from './helper-exec.js';
import { SWEEP_COMMAND, SWEPT } from './session-helper.js';

/** A call let into its session; `leave` lets the next ones in. */
export interface AdmittedCall {
  /** The call has an env of its own: it runs alone. */
  readonly alone: boolean;
  /** The call ended (or was killed): for a call that ran alone, whatever it left is killed first. */
  leave(signal: AbortSignal): Promise<void>;
  /** The call never started (its exec could not be created): nothing of it can be left. */
  abandon(): void;
}

/**
 * Calls with an env of their own run alone in their session (docs/security.md). Every process
 * in one container runs as one user, so any call could read another's env through
 * `/proc/<pid>/environ`. Such a call takes the session's gate exclusively (calls without an env
 * of their own share it; FIFO, so neither kind starves: util/shared-exclusive-gate.ts). Before
 * its env enters the container, whatever earlier calls left running is killed; when it ends,
 * every process it left (a `setsid` one too) is killed before the next call is let in. Waiting
 * is bounded by the call's signal, so it counts toward its `timeoutMs`; a cancel while waiting
 * settles the call at once, nothing started.
 */
export async function admitCall(
  session: SessionContainer,
  env: Readonly<Record<string, string>> | undefined,
  step: StepContext,
): Promise<AdmittedCall> {
  const alone = hasOwnEnv(env, session.env);
  const waiting = 'waiting for its turn in the session';
  const release = await session.gate
    .enter(alone ? 'exclusive' : 'shared', step.signal, () =>
      step.emit({
        type: 'session:waiting',
        sessionId: session.id,
        reason: alone
          ? 'this call has an env of its own: it runs alone in its session, once the calls running now have ended'
          : 'a call with an env of its own runs alone in this session: this call starts once it has ended',
      }),
    )
    .catch((error: unknown) => Promise.reject(step.signal.aborted ? new RunAborted(waiting) : error));
  try {
    // Let in just as it was canceled: it must not start.
    if (step.signal.aborted) throw new RunAborted(waiting);
    session.assertAlive();
    if (alone && session.mayHoldLeftovers) await sweep(session, step.signal, 'clearing the session for a call with its own env');
  } catch (error) {
    release();
    throw error;
  }
  // From now on this call may leave processes behind.
  session.mayHoldLeftovers = true;
  return alone ? aloneCall(session, release) : { alone, leave: async () => release(), abandon: release };
}

/** Whether a call's env holds anything the session's own env (every process has it anyway) does not. */
export function hasOwnEnv(env: Readonly<Record<string, string>> | undefined, sessionEnv: Readonly<Record<string, string>>): boolean {
  return Object.entries(env ?? {}).some(([name, value]) => sessionEnv[name] !== value);
}

function aloneCall(session: SessionContainer, release: GateRelease): AdmittedCall {
  return {
    alone: true,
    abandon: release,
    leave: async (signal) => {
      try {
        // A dead container holds no process any more.
        if (session.goneReason) return;
        await sweep(session, signal, 'ending the processes of a call with its own env');
        session.mayHoldLeftovers = false;
      } catch (error) {
        // Its processes, and with them its env, may still be there: no later call may join them.
        // close() marks the session gone at once, so no call let in after this one can start.
        session
          .close(
            AbortSignal.timeout(30_000),
            `the session was closed: the processes of a call with its own env could not be confirmed ended (${(error as Error).message})`,
          )
          .catch(() => {});
      } finally {
        release();
      }
    },
  };
}

/** Kills every process calls left in the container, until one pass finds none (bounded by `signal`). */
async function sweep(session: SessionContainer, signal: AbortSignal, during: string): Promise<void> {
  // Up to 21 passes, 50 ms apart.
  const pass = async () => (await runHelperExec(session, SWEEP_COMMAND, signal, during)).includes(SWEPT);
  const swept = await pollUntil(pass, (done) => done, { delayMs: (tries) => (tries <= 20 ? 50 : undefined), signal, during });
  if (!swept) throw new Error(`${during}: some processes would not end`);
}
