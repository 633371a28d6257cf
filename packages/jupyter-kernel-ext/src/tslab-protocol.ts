import { tslabInternal, type TslabJupyter } from './tslab-kernel.js';

// tslab 1.0 speaks a reduced Jupyter protocol: no execute_input (executed notebooks have no
// execution counts), no execute_result (a cell's value is console.log'ged), error replies without
// ename/evalue/traceback (nbconvert says "<Error>:"), and after an error it aborts the requests
// of the next 200 ms even when the client asked it not to stop (stop_on_error: false) — cells
// then vanish silently. Loaded into the kernel's process, we complete it from the next cell on.

type Publish = (msgType: string, content: Record<string, unknown>) => void;
type WriteStream = (name: string, text: string) => void;
type WriteDisplay = (content: Record<string, unknown>, update: boolean) => void;
interface Message { content: Record<string, unknown>; createReply(): Message; header: { msg_type: string }; signAndSend(key: string, sock: unknown): void }
interface Server { connInfo: { key: string }; iopub: unknown; handler: Handler }
interface Handler {
  execCount: number;
  executor: { execute(code: string): Promise<boolean> };
  execQueue: { add<T>(task: () => Promise<T>): Promise<T>; reset(delayMs?: number): void };
  createWriteToIopub(name: string, write: WriteStream): (chunk: unknown) => boolean;
}

const installed = Symbol.for('tooldock.jupyter.tslabProtocol');
const failed = Symbol('cell failed');
const resultMarker = /\u2063tooldock-result:(\d+)\u2063\n?/;

/** Bundles of the values a cell ended with, until tslab's console.log of them reaches stdout. */
const pendingResults = new Map<number, Record<string, string>>();
let nextResult = 0;

let cellRunning = false;

/** True once the protocol completion runs in this tslab kernel. */
export function tslabProtocolInstalled(): boolean {
  return (globalThis as Record<symbol, unknown>)[installed] === true;
}

/** True while a cell runs under the completed protocol (not the cell that installed it). */
export function tslabCellUnderProtocol(): boolean {
  return cellRunning;
}

/**
 * What a cell's last-expression value prints as under tslab: a marker that the completed
 * protocol turns into a real `execute_result` carrying `bundle`.
 */
export function tslabResultMarker(bundle: Record<string, string>): string {
  const id = nextResult++;
  pendingResults.set(id, bundle);
  return `\u2063tooldock-result:${id}\u2063`;
}

/** Completes tslab's protocol (see above) for every cell after this one. False if not tslab. */
export function installTslabProtocol(): boolean {
  if (tslabProtocolInstalled()) return true;
  const jupyter = tslabInternal<TslabJupyter>('jupyter.js');
  const util = tslabInternal<{ TaskCanceledError: new () => Error }>('util.js');
  if (!jupyter || !util || typeof jupyter.ZmqServer?.prototype.handleExecute !== 'function') return false;

  jupyter.ZmqServer.prototype.handleExecute = async function (this: Server, sock: unknown, msg: Message) {
    const publish: Publish = (msgType, content) => {
      const out = msg.createReply();
      out.header.msg_type = msgType;
      out.content = content;
      out.signAndSend(this.connInfo.key, this.iopub);
    };
    const reply = msg.createReply();
    reply.header.msg_type = 'execute_reply';
    reply.content = await executeRequest(this.handler, msg.content, publish);
    reply.signAndSend(this.connInfo.key, sock);
  };

  async function executeRequest(handler: Handler, request: Record<string, unknown>, publish: Publish): Promise<Record<string, unknown>> {
    try {
      const count = await handler.execQueue.add(() => executeCell(handler, String(request.code ?? ''), publish));
      return { status: 'ok', execution_count: count, user_expressions: {} };
    } catch (error) {
      if (error instanceof util!.TaskCanceledError) return { status: 'abort' };
      const { count, ename, evalue, traceback } = (error as { [failed]?: { count: number; ename: string; evalue: string; traceback: string[] } })[failed]
        ?? { count: handler.execCount, ...describe(String(error)) };
      // tslab's queue cancels every request chained after a failed one until it is reset: the
      // 200 ms drop the rest of a "run all". A client that says it wants to go on
      // (nbconvert --allow-errors: stop_on_error false) gets its next cell run.
      handler.execQueue.reset(request.stop_on_error === false ? undefined : 200);
      return { status: 'error', execution_count: count, ename, evalue, traceback };
    }
  }

  async function executeCell(handler: Handler, code: string, publish: Publish): Promise<number> {
    const count = ++handler.execCount;
    publish('execute_input', { code, execution_count: count });
    const streams = new HeldStderr((name, text) => publish('stream', { name, text }));
    const writeStdout: WriteStream = (name, text) => {
      const match = resultMarker.exec(text);
      const bundle = match ? pendingResults.get(Number(match[1])) : undefined;
      if (!match || !bundle) return streams.write(name, text);
      pendingResults.delete(Number(match[1]));
      const before = text.slice(0, match.index);
      const after = text.slice(match.index + match[0].length);
      if (before) streams.write(name, before);
      streams.flush();
      publish('execute_result', { execution_count: count, data: bundle, metadata: {} });
      if (after) streams.write(name, after);
    };
    // As tslab does: the cell's output goes to the cell, also what arrives after it ended.
    process.stdout.write = handler.createWriteToIopub('stdout', writeStdout) as typeof process.stdout.write;
    process.stderr.write = handler.createWriteToIopub('stderr', (name, text) => streams.write(name, text)) as typeof process.stderr.write;
    jupyter!.lastWriteDisplayData = ((content, update) => {
      streams.flush();
      publish(update ? 'update_display_data' : 'display_data', content);
    }) as WriteDisplay;
    cellRunning = true;
    const ok = await handler.executor.execute(code).finally(() => { cellRunning = false; });
    // tslab prints a failure with console.error as its last word: that is the error output.
    const last = ok ? undefined : streams.takeLast();
    streams.release();
    if (ok) return count;
    const details = describe(last ?? 'the cell failed');
    publish('error', details);
    throw Object.assign(new Error(details.evalue), { [failed]: { count, ...details } });
  }

  (globalThis as Record<symbol, unknown>)[installed] = true;
  return true;
}

/** ename/evalue/traceback from the text tslab printed for a failure. */
function describe(text: string): { ename: string; evalue: string; traceback: string[] } {
  const lines = text.replace(/\s+$/, '').split('\n');
  const [, ename, evalue] = /^([A-Za-z_$][\w$]*(?:Error|Exception)|Uncaught)\b:?\s*(.*)$/.exec(lines[0] ?? '') ?? [];
  return { ename: ename ?? 'Error', evalue: ename ? evalue ?? '' : lines[0] ?? '', traceback: lines };
}

/**
 * Keeps back the latest stderr write until something else is written or the cell ends, so that
 * a failure's text can become the cell's error output instead of a stream.
 */
class HeldStderr {
  private held: string | undefined;
  private holding = true;
  constructor(private readonly send: WriteStream) {}

  write(name: string, text: string): void {
    this.flush();
    if (name === 'stderr' && this.holding) this.held = text;
    else this.send(name, text);
  }

  flush(): void {
    if (this.held !== undefined) this.send('stderr', this.held);
    this.held = undefined;
  }

  takeLast(): string | undefined {
    const last = this.held;
    this.held = undefined;
    return last;
  }

  /** The cell is over: whatever is still written goes straight out. */
  release(): void {
    this.flush();
    this.holding = false;
  }
}
