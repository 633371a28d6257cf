import { randomUUID } from 'node:crypto';
import vm from 'node:vm';
import { isToolError } from '@tooldock/core';
import { bareValueBundle } from './bare-value.js';
import type { MimeBundle } from './render.js';
import { tslabInternal, type TslabJupyter } from './tslab-kernel.js';

// tslab 1.0 speaks a reduced Jupyter protocol: no execute_input (executed notebooks have no
// execution counts), no execute_result (a cell's value is console.log'ged), error replies without
// ename/evalue/traceback (nbconvert says "<Error>:"), and after an error it aborts the requests
// of the next 200 ms even when the client asked it not to stop (stop_on_error: false) — cells
// then vanish silently. Loaded into the kernel's process, we complete it from the next cell on.

type Publish = (msgType: string, content: Record<string, unknown>) => void;
type WriteStream = (name: string, text: string) => void;
type WriteDisplay = (content: Record<string, unknown>, update: boolean) => void;
interface Message {
  content: Record<string, unknown>;
  createReply(): Message;
  header: { msg_type: string };
  signAndSend(key: string, sock: unknown): void;
}
interface Server {
  connInfo: { key: string };
  iopub: unknown;
  handler: Handler;
}
interface Handler {
  execCount: number;
  executor: { execute(code: string): Promise<boolean> };
  execQueue: { add<T>(task: () => Promise<T>): Promise<T>; reset(delayMs?: number): void };
  createWriteToIopub(name: string, write: WriteStream): (chunk: unknown) => boolean;
}

const installed = Symbol.for('tooldock.jupyter.tslabProtocol');
const failed = Symbol('cell failed');
const resultMarker = /\u2063tooldock-result:([\w-]+)\u2063\n?/;
/** Bundles of the values cells ended with, until tslab's console.log of their stand-ins reaches stdout. */
const pendingResults = new Map<string, MimeBundle>();

/**
 * What tslab gets instead of a cell's value that has a rich form: an object that inspects as a
 * marker naming the value's bundle. Values without one pass through unchanged.
 */
function standIn(value: unknown): unknown {
  const bundle = bareValueBundle(value);
  if (!bundle) return value;
  const id = randomUUID();
  pendingResults.set(id, bundle);
  return { [Symbol.for('nodejs.util.inspect.custom')]: () => `\u2063tooldock-result:${id}\u2063` };
}

/** The cell running under the completed protocol: where its value and its failure go. */
let cell: { result(bundle: MimeBundle): void; error?: unknown } | undefined;

/** True once the protocol completion runs in this tslab kernel. */
export function tslabProtocolInstalled(): boolean {
  return (globalThis as Record<symbol, unknown>)[installed] === true;
}

/** True while a cell runs under the completed protocol (not the cell that installed it). */
export function tslabCellUnderProtocol(): boolean {
  return cell !== undefined;
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
      const { count, ename, evalue, traceback } = (error as { [failed]?: { count: number; ename: string; evalue: string; traceback: string[] } })[
        failed
      ] ?? { count: handler.execCount, ...describe(String(error)) };
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
    // As tslab does: the cell's output goes to the cell, also what arrives after it ended.
    const writeStdout: WriteStream = (name, text) => {
      const match = resultMarker.exec(text);
      const bundle = match ? pendingResults.get(match[1]!) : undefined;
      if (!match || !bundle) return streams.write(name, text);
      pendingResults.delete(match[1]!);
      if (match.index > 0) streams.write(name, text.slice(0, match.index));
      current.result(bundle);
      const after = text.slice(match.index + match[0].length);
      if (after) streams.write(name, after);
    };
    process.stdout.write = handler.createWriteToIopub('stdout', writeStdout) as typeof process.stdout.write;
    process.stderr.write = handler.createWriteToIopub('stderr', (name, text) => streams.write(name, text)) as typeof process.stderr.write;
    jupyter!.lastWriteDisplayData = ((content, update) => {
      streams.flush();
      publish(update ? 'update_display_data' : 'display_data', content);
    }) as WriteDisplay;
    const current: NonNullable<typeof cell> = {
      result: (bundle) => {
        streams.flush();
        publish('execute_result', { execution_count: count, data: bundle, metadata: {} });
      },
    };
    cell = current;
    const ok = await handler.executor.execute(code).finally(() => {
      cell = undefined;
    });
    // tslab prints a failure with console.error as its last word: that is the error output —
    // the thrown value itself when we caught it on its way (short), else tslab's text.
    const last = ok ? undefined : streams.takeLast();
    streams.release();
    if (ok) return count;
    const details = current.error !== undefined ? shortError(current.error) : describe(last ?? 'the cell failed');
    publish('error', details);
    throw Object.assign(new Error(details.evalue), { [failed]: { count, ...details } });
  }

  // tslab ends a cell by console.log'ging its value — with the console it captured when it
  // started, out of our reach — and reports a failure with console.error(error). Its compiled
  // cell stores the value as `exports.tsLastExpr` first: there, through the exports object it
  // hands every cell, a value with a rich form is swapped for a stand-in that prints a marker,
  // which the cell's stdout turns into an execute_result (the user's value is not touched).
  const hook = (globalThis as { __tslab__?: { exports: object } }).__tslab__;
  if (hook) {
    const target = hook.exports;
    hook.exports = new Proxy(target, {
      set: (_t, key, value) => Reflect.set(target, key, cell && typeof key === 'string' && /^tsLastExpr\d*$/.test(key) ? standIn(value) : value),
    });
  }
  // The failure: tslab prints the thrown value with that captured console too. It runs each cell
  // through vm.runInThisContext (looked up per call): the wrapper sees the error itself, thrown
  // or rejected, and the cell's error output is made from it (shortError), not from the print.
  const run = vm.runInThisContext;
  vm.runInThisContext = function (this: unknown, code: string, options?: vm.RunningCodeOptions | string) {
    const current = cell;
    if (!current || !/^\((async )?function\(exports, require\) \{/.test(code)) return run.call(vm, code, options);
    try {
      const value = run.call(vm, code, options) as unknown;
      if (value instanceof Promise)
        value.catch((e: unknown) => {
          current.error ??= e;
        });
      return value;
    } catch (e) {
      current.error ??= e;
      throw e;
    }
  } as typeof vm.runInThisContext;

  (globalThis as Record<symbol, unknown>)[installed] = true;
  return true;
}

/**
 * A thrown error as a person wants to read it: name and message (a ToolError's message already
 * names the image, the command and the tool's last stderr lines), no stack of tooldock's or
 * tslab's internals; only the frames inside the cell itself for other errors (a bug in the cell).
 */
function shortError(e: unknown): { ename: string; evalue: string; traceback: string[] } {
  if (!(e instanceof Error)) return describe(String(e));
  const err = e as Error & { code?: unknown };
  if (err.message === 'Interrupted asynchronously') return INTERRUPTED;
  const head = `${err.name}: ${err.message}`.split('\n');
  const ours = isToolError(err) || typeof err.code === 'string' || err.name === 'InvalidInputError';
  const cellFrames = ours
    ? []
    : String(err.stack ?? '')
        .split('\n')
        .filter((l) => /^\s+at .*evalmachine/.test(l));
  return { ename: err.name, evalue: err.message, traceback: [...head, ...cellFrames] };
}

/** tslab's own rejection when the kernel is interrupted while a cell awaits, said in one line. */
const INTERRUPTED = {
  ename: 'Interrupted',
  evalue: 'the cell was interrupted',
  traceback: ['Interrupted: the cell was stopped; tooldock canceled the containers it was running (the kernel and its variables are kept)'],
};

/** ename/evalue/traceback from the text tslab printed for a failure (a type error, a thrown value). */
function describe(text: string): { ename: string; evalue: string; traceback: string[] } {
  if (/^Error: Interrupted asynchronously\b/.test(text)) return INTERRUPTED;
  const lines = text.replace(/\s+$/, '').split('\n');
  const [, ename, evalue] = /^([A-Za-z_$][\w$]*(?:Error|Exception)|Uncaught)\b:?\s*(.*)$/.exec(lines[0] ?? '') ?? [];
  return { ename: ename ?? 'Error', evalue: ename ? (evalue ?? '') : (lines[0] ?? ''), traceback: lines };
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
