import { InvalidInputError } from '../errors/invalid-input-error.js';
import { dockerKind } from './docker/docker-kind.js';
import type { Engine } from './engine.js';
import type { EngineKind } from './engine-kind.js';
import { slurmKind } from './slurm/slurm-kind.js';
import { charliecloudKind } from './charliecloud/charliecloud-kind.js';
import type { ToolBackend } from './tool-backend.js';

/**
 * Every runtime tooldock knows, one registration each (see engine-kind.ts). The default kind
 * (the one without a `connectOption`, Docker) comes last: `connect()` without a runtime's key
 * is its.
 */
const KINDS: readonly EngineKind<Engine>[] = [slurmKind, charliecloudKind, dockerKind];

/** The kind of `engine`: what it can do and how (throws InvalidInputError for a foreign object). */
export function kindOf<E extends Engine>(engine: E, field = 'options.engine'): EngineKind<E> {
  const kind = KINDS.find((k) => k.owns(engine));
  if (!kind) throw new InvalidInputError(field, engine, `must be an engine from connect() (${kindNames()})`);
  return kind as unknown as EngineKind<E>;
}

const backends = new WeakMap<Engine, ToolBackend>();

/** The backend that runs tools for `engine` (one per engine). */
export function backendFor(engine: Engine): ToolBackend {
  let backend = backends.get(engine);
  if (!backend) {
    backend = kindOf(engine).backend(engine);
    backends.set(engine, backend);
  }
  return backend;
}

/** `connect(options)`: the kind whose key is in `options`, or the default kind. */
export function connectKind(options: unknown): Engine {
  // Anything but an object is the default kind's to refuse (it names what is valid).
  const keys = typeof options === 'object' && options !== null ? Object.keys(options) : [];
  const whole = KINDS.find(
    (k) =>
      k.connectValue !== undefined && keys.includes(k.connectOption!) && (options as Record<string, unknown>)[k.connectOption!] === k.connectValue,
  );
  if (whole) return whole.connect(options) as Engine;
  const asked = KINDS.filter((k) => k.connectOption !== undefined && k.connectValue === undefined && keys.includes(k.connectOption));
  const kind = asked[0] ?? KINDS.find((k) => k.connectOption === undefined)!;
  const others = asked.length ? keys.filter((key) => key !== kind.connectOption) : [];
  // `{ slurm }` beside a daemon option (or another runtime's key): one would be silently ignored.
  if (others.length) {
    throw new InvalidInputError(
      `options.${others[0]}`,
      (options as Record<string, unknown>)[others[0]!],
      `cannot be combined with ${kind.connectOption} (a ${kind.name} engine reaches its runtime its own way)`,
    );
  }
  const arg = kind.connectOption === undefined ? options : (options as Record<string, unknown>)[kind.connectOption];
  return kind.connect(arg) as Engine;
}

/** The engine of a call that named none: the default kind's `connect()`. */
export function defaultEngine(): Engine {
  return connectKind({});
}

function kindNames(): string {
  return KINDS.map((k) => (k.connectOption ? `connect({ ${k.connectOption} }) for ${k.name}` : `connect() for ${k.name}`)).join(', ');
}
