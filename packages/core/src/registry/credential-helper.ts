import { spawn } from 'node:child_process';

/** What a `docker-credential-<name> get` answered. */
export type HelperAnswer = { found: false } | { found: true; username: string; secret: string };

/** A helper's answer is a small JSON object; more output than this is not one. */
const MAX_OUTPUT_BYTES = 64 * 1024;
/** The protocol's "nothing stored for this server" answer (docker-credential-helpers' ErrCredentialsNotFound). */
const NOT_FOUND = 'credentials not found in native keychain';
/** A helper may unlock a keyring (a prompt elsewhere), but one that never answers must not hang a run without a timeout. */
const HELPER_TIMEOUT_MS = 120_000;
/** Only a plain program name: `credsStore: "../../tmp/x"` must not run a file outside PATH. */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Asks `docker-credential-<name> get` for the credentials of `serverUrl`, as the docker CLI
 * does: the server URL on stdin, `{ServerURL, Username, Secret}` on stdout. The process is
 * killed — its whole process group, so a background child it left cannot outlive the run — when
 * `signal` aborts, after 2 minutes, or as soon as it exits. Its output is capped and never
 * quoted, logged or recorded, whatever its exit code: it may hold the secret.
 */
export async function askCredentialHelper(name: string, serverUrl: string, signal: AbortSignal): Promise<HelperAnswer> {
  const program = `docker-credential-${name}`;
  if (!HELPER_NAME.test(name)) throw new Error(`the credential helper name "${name}" is not a plain program name (letters, digits, ".", "_", "-")`);
  const limit = AbortSignal.timeout(HELPER_TIMEOUT_MS);
  const { code, stdout } = await runHelper(program, serverUrl, AbortSignal.any([signal, limit])).catch((error: unknown) => {
    if (limit.aborted && !signal.aborted) throw new Error(`${program} get did not answer within ${HELPER_TIMEOUT_MS / 1000} s`);
    throw error;
  });
  const text = stdout.trim();
  if (code !== 0) {
    if (text === NOT_FOUND) return { found: false };
    throw new Error(`${program} get failed (exit ${code}); its output is not shown (it may hold a secret): run "${program} get" yourself to see it`);
  }
  return parseAnswer(program, text);
}

function parseAnswer(program: string, text: string): HelperAnswer {
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new Error(`${program} get did not answer with JSON ({ServerURL, Username, Secret})`);
  }
  if (typeof answer?.Secret !== 'string' || answer.Secret === '') return { found: false };
  return { found: true, username: typeof answer.Username === 'string' ? answer.Username : '', secret: answer.Secret };
}

function runHelper(program: string, serverUrl: string, signal: AbortSignal): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    // Its own process group: one kill reaches whatever it started in the background.
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* the group is gone already */
      }
    };
    const onAbort = () => {
      killGroup();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        killGroup();
        reject(new Error(`${program} get wrote more than ${MAX_OUTPUT_BYTES} bytes; not a credential helper answer`));
      } else chunks.push(chunk);
    });
    child.stdin.on('error', () => {
      /* a helper that exits without reading: its exit code says why */
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      reject(error.code === 'ENOENT' ? new Error(`${program} is not on PATH (install it, or remove it from the docker config file)`) : error);
    });
    // Once the helper exited, a background child still holding its stdout would keep 'close' away.
    child.once('exit', killGroup);
    child.once('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ code: code ?? -1, stdout: Buffer.concat(chunks).toString('utf8') });
    });
    child.stdin.end(serverUrl);
  });
}
