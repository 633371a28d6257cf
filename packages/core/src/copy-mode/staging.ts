import { randomBytes } from 'node:crypto';

const PREFIX = '.tooldock-staging-';

/** A fresh name for the hidden directory where copied-back outputs wait until they are complete. */
export function stagingName(): string {
  return `${PREFIX}${randomBytes(6).toString('hex')}`;
}

/** Staging directories of other runs are never copied into a tool container. */
export function isStagingName(name: string): boolean {
  return name.startsWith(PREFIX);
}
