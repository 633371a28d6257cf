import { z } from 'zod';

/** `connect({ runtime: 'charliecloud', images? })`: validated like runTool's options (a typo is an InvalidInputError). */
export const CharliecloudOptionsSchema = z
  .object({
    runtime: z.literal('charliecloud'),
    images: z
      .string()
      .regex(/^\/[^:,\\]*$/, 'must be an absolute directory path without ":", "," or "\\" (it becomes an overlay layer)')
      .optional(),
  })
  .strict();

/** A local engine with no daemon: tools run with `ch-run` (docs/clusters.md). */
export interface CharliecloudOptions {
  runtime: 'charliecloud';
  /**
   * The image store: images converted once into directories there (shared by every process and,
   * on a shared filesystem, every node). Default: `images` under `TOOLDOCK_HOME`.
   */
  images?: string;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<z.input<typeof CharliecloudOptionsSchema>, CharliecloudOptions> = true;
void schemaMatchesInterface;
