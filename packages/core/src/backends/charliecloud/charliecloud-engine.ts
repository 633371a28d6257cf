import { join } from 'node:path';
import { toolDockHome } from '../../util/environment.js';
import { parseOrThrow } from '../../errors/invalid-input-error.js';
import { ImageStore } from '../image-store/image-store.js';
import { CharliecloudOptionsSchema, type CharliecloudOptions } from './charliecloud-options.js';

/**
 * Tools run with Charliecloud's `ch-run` on this machine: no daemon, no root, the tool runs as
 * you. Images come from the image store (converted once from a Docker/Podman daemon). Accepted
 * wherever a Docker engine is (`runTool`, `runMany`, recipes, `doctor()`). Get one with
 * `connect({ runtime: 'charliecloud' })`.
 *
 * @example
 * ```ts
 * const engine = connect({ runtime: 'charliecloud' });
 * await runTool(image, ['samtools', 'flagstat', bam], [dir], { engine });
 * ```
 */
export class CharliecloudEngine {
  /** Tells engines apart without importing them. */
  readonly kind = 'charliecloud' as const;
  readonly options: CharliecloudOptions;
  /** Where images are converted to and run from. */
  readonly images: ImageStore;

  constructor(options: CharliecloudOptions) {
    this.options = parseOrThrow(CharliecloudOptionsSchema, options, 'options');
    this.images = new ImageStore(this.options.images ?? join(toolDockHome(), 'images'));
  }

  /** `charliecloud:<store>`, for messages. */
  get endpoint(): string {
    return `charliecloud:${this.images.dir}`;
  }

  /**
   * The id of the image the store holds under `image` (a name it was converted from, or its id),
   * without asking any daemon; undefined when it holds none (the run converts it). The cache keys on it.
   */
  identityOf(image: string): string | undefined {
    return this.images.find(image)?.imageId;
  }
}

const shared = new Map<string, CharliecloudEngine>();

/** The shared engine for these options (the same options give the same instance). */
export function connectCharliecloud(options: CharliecloudOptions): CharliecloudEngine {
  const parsed = parseOrThrow(CharliecloudOptionsSchema, options, 'options');
  const key = JSON.stringify(parsed);
  let engine = shared.get(key);
  if (!engine) {
    engine = new CharliecloudEngine(parsed);
    shared.set(key, engine);
  }
  return engine;
}

/** True for an engine from `connect({ runtime: 'charliecloud' })` (imports no engine). */
export function isCharliecloudEngine(value: unknown): value is CharliecloudEngine {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'charliecloud';
}
