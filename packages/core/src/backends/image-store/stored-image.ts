/** What the store keeps beside an image's directory (`<key>.json`, written last: its presence means complete). */
export interface StoredImage {
  /** The image id (`sha256:…`) or registry digest: what the store is keyed by. */
  imageId: string;
  /** The references it was converted from (`tooldock-test/bio:…`). */
  names: string[];
  /** Where it came from: `docker`, `podman`, `archive:<path>`, `registry`. */
  source: string;
  /** From the image's config: what `docker run` would use. */
  entrypoint: string[] | null;
  cmd: string[] | null;
  env: string[];
  workingDir: string;
  convertedAt: string;
  /** Bytes on disk (approximate, for list and prune). */
  bytes?: number;
}

/** The store's directory name of an image id: no `:` (it separates overlay layers and bind specs). */
export function storeKey(imageId: string): string {
  const key = imageId.replace(/^([a-z0-9]+):/, '$1-');
  if (!/^[A-Za-z0-9._-]+$/.test(key)) throw new Error(`an image id the store cannot name: ${JSON.stringify(imageId)}`);
  return key;
}
