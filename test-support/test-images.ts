import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Tags of the locally built test images (scripts/images.sh writes them). */
export interface TestImages {
  /** busybox-static in a scratch root. */
  busybox: string;
  /** Debian bookworm with real samtools, bwa and FastQC. */
  bio: string;
}

export function testImages(): TestImages {
  const file = fileURLToPath(new URL('../.cache/test-images.json', import.meta.url));
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TestImages;
  } catch {
    throw new Error(`${file} is missing: run \`npm test\` (or bash scripts/setup.sh) to build the test images`);
  }
}

/**
 * The variables the example notebooks read for their images (docs/notebooks.md), pointed at the
 * local test images: offline, nothing can be pulled.
 */
export function notebookImageEnv(): Record<string, string> {
  const { busybox, bio } = testImages();
  return { TOOLDOCK_SHELL_IMAGE: busybox, TOOLDOCK_BWA_IMAGE: bio, TOOLDOCK_SAMTOOLS_IMAGE: bio, TOOLDOCK_FASTQC_IMAGE: bio };
}
