import { createRequire } from 'node:module';

interface TslabDisplay {
  html(s: string): void;
  text(s: string): void;
}

interface Tslab {
  display: TslabDisplay;
  newDisplay(): TslabDisplay;
}

/**
 * tslab's display API as the running kernel sees it: `tslab` resolved from the notebook's
 * directory, i.e. the same module instance the kernel loaded. Undefined outside tslab.
 */
export function tslab(): Tslab | undefined {
  try {
    return createRequire(`${process.cwd()}/`)('tslab') as Tslab;
  } catch {
    return undefined;
  }
}
