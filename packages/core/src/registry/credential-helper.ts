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
 * killed when `signal` aborts or after 2 minutes; its output is capped, and never logged or
 * quoted whole (it holds the secret).
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
    throw new Error(`${program} get failed (exit ${code})${text && !text.startsWith('{') ? `: ${text.split('\n')[0]!.slice(0, 200)}` : ''}`);
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
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'ignore'], signal, killSignal: 'SIGKILL' });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        child.kill('SIGKILL');
        reject(new Error(`${program} get wrote more than ${MAX_OUTPUT_BYTES} bytes; not a credential helper answer`));
      } else chunks.push(chunk);
    });
    child.stdin.on('error', () => { /* a helper that exits without reading: its exit code says why */ });
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT'
      ? new Error(`${program} is not on PATH (install it, or remove it from the docker config file)`)
      : error.name === 'AbortError' ? signal.reason : error));
    child.once('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(chunks).toString('utf8') }));
    child.stdin.end(serverUrl);
  });
}
