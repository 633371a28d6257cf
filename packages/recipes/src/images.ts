import { z } from 'zod';
import { ImageReferenceSchema, parseOrThrow } from '@tooldock/core/advanced';

/** The tools a recipe can run, each with its own default image. */
export type RecipeTool = 'samtools' | 'bwa' | 'fastqc' | 'cellranger';

/**
 * Pinned, real, versioned tags (BioContainers has no `latest`, and no cellranger).
 *
 * @example
 * ```ts
 * console.log(DEFAULT_IMAGES.bwa); // quay.io/biocontainers/bwa:0.7.18--he4a0461_0
 * ```
 */
export const DEFAULT_IMAGES: Readonly<Record<RecipeTool, string>> = Object.freeze({
  samtools: 'quay.io/biocontainers/samtools:1.22.1--h96c455f_0',
  bwa: 'quay.io/biocontainers/bwa:0.7.18--he4a0461_0',
  fastqc: 'quay.io/biocontainers/fastqc:0.12.1--hdfd78af_0',
  cellranger: 'quay.io/nf-core/cellranger:10.0.0',
});

const configured: Partial<Record<RecipeTool, string>> = {};

// A typo (`image` for `images`, `samtool`) or a malformed reference must fail here, where it was
// made, not as a silently ignored setting or a failed pull in some later recipe call.
const imageOrReset = ImageReferenceSchema.optional(); // undefined resets the tool to the default
const ConfigSchema = z
  .object({
    images: z.object({ samtools: imageOrReset, bwa: imageOrReset, fastqc: imageOrReset, cellranger: imageOrReset }).strict().optional(),
  })
  .strict();

/**
 * Sets images for all later recipe calls (a per-call `image` still wins). Environment variables
 * `TOOLDOCK_SAMTOOLS_IMAGE`, `TOOLDOCK_BWA_IMAGE`, `TOOLDOCK_FASTQC_IMAGE`,
 * `TOOLDOCK_CELLRANGER_IMAGE` do the same without code. Pass `undefined` to reset one.
 * Unknown keys and invalid image references throw an `InvalidInputError` (nothing is changed).
 *
 * @example
 * ```ts
 * configureRecipes({ images: { samtools: 'my-registry/samtools:1.22.1', bwa: 'my-registry/bwa:0.7.18' } });
 * ```
 */
export function configureRecipes(config: { images?: Partial<Record<RecipeTool, string | undefined>> }): void {
  parseOrThrow(ConfigSchema, config, 'configureRecipes');
  for (const [tool, image] of Object.entries(config.images ?? {}) as Array<[RecipeTool, string | undefined]>) {
    if (image === undefined) delete configured[tool];
    else configured[tool] = image;
  }
}

/**
 * The image for `tool`: per call → configured → environment → pinned default.
 *
 * @example
 * ```ts
 * imageFor('samtools'); // the configured or pinned samtools image
 * ```
 */
export function imageFor(tool: RecipeTool, perCall?: string): string {
  return perCall ?? configured[tool] ?? process.env[`TOOLDOCK_${tool.toUpperCase()}_IMAGE`] ?? DEFAULT_IMAGES[tool];
}

/**
 * The image every recipe tool would run now (configured → environment → pinned), once each:
 * hand it to `pullImages` to pull them all before a long fan-out. `tools` narrows the list.
 *
 * @example
 * ```ts
 * await pullImages(recipeImages(['samtools', 'bwa']), { onProgress: terminalProgress() });
 * ```
 */
export function recipeImages(tools: readonly RecipeTool[] = Object.keys(DEFAULT_IMAGES) as RecipeTool[]): string[] {
  const checked = parseOrThrow(z.array(z.literal(['samtools', 'bwa', 'fastqc', 'cellranger'])), tools, 'recipeImages.tools');
  return [...new Set(checked.map((tool) => imageFor(tool)))];
}
