import { bounded } from '../../../lifecycle/bounded.js';
import type { SessionContainer } from './docker-session.js';

/**
 * Runs one of tooldock's own shell snippets (session-helper.ts) in the session's container, as
 * the session's user, with no env of any call, and returns what it printed. Every step is
 * bounded by `signal`.
 */
export async function runHelperExec(session: SessionContainer, cmd: string[], signal: AbortSignal, during: string): Promise<string> {
  const engine = session.engine;
  const helper = await bounded(
    engine.call(() =>
      session.handle().exec({
        Cmd: cmd,
        ...(session.decided.user.user ? { User: session.decided.user.user } : {}),
        AttachStdout: true,
        AttachStderr: true,
      }),
    ),
    signal,
    during,
  );
  const stream = await bounded(
    engine.call(() => helper.start({ Detach: false, Tty: false }) as Promise<NodeJS.ReadableStream>),
    signal,
    during,
  );
  return await bounded(
    new Promise<string>((resolve) => {
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      stream.on('end', () => resolve(text));
      stream.on('close', () => resolve(text));
      stream.on('error', () => resolve(text));
    }),
    signal,
    during,
  );
}
