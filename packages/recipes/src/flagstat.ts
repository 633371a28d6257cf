/** `samtools flagstat` numbers: QC-passed and QC-failed counts per category. */
export interface FlagstatCounts {
  total: number;
  primary: number;
  secondary: number;
  supplementary: number;
  duplicates: number;
  primaryDuplicates: number;
  mapped: number;
  primaryMapped: number;
  pairedInSequencing: number;
  read1: number;
  read2: number;
  properlyPaired: number;
  withItselfAndMateMapped: number;
  singletons: number;
  mateMappedToDifferentChr: number;
  mateMappedToDifferentChrMapq5: number;
}

export interface Flagstat {
  passed: FlagstatCounts;
  failed: FlagstatCounts;
}

const LINES: Array<[keyof FlagstatCounts, RegExp]> = [
  ['total', /in total/],
  ['primary', /^\d+ \+ \d+ primary$/],
  ['secondary', /secondary$/],
  ['supplementary', /supplementary$/],
  ['duplicates', /^\d+ \+ \d+ duplicates$/],
  ['primaryDuplicates', /primary duplicates$/],
  ['mapped', /^\d+ \+ \d+ mapped \(/],
  ['primaryMapped', /primary mapped \(/],
  ['pairedInSequencing', /paired in sequencing$/],
  ['read1', /read1$/],
  ['read2', /read2$/],
  ['properlyPaired', /properly paired/],
  ['withItselfAndMateMapped', /with itself and mate mapped$/],
  ['singletons', /singletons/],
  ['mateMappedToDifferentChrMapq5', /mate mapped to a different chr \(mapQ>=5\)$/],
  ['mateMappedToDifferentChr', /mate mapped to a different chr$/],
];

/**
 * Parses samtools' default flagstat text (1.10+ layout). Throws on text it does not recognise.
 *
 * @example
 * ```ts
 * const { passed } = parseFlagstat(text);
 * console.log(passed.mapped / passed.primary);
 * ```
 */
export function parseFlagstat(text: string): Flagstat {
  const passed = {} as FlagstatCounts;
  const failed = {} as FlagstatCounts;
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const numbers = /^(\d+) \+ (\d+) /.exec(line);
    const entry = LINES.find(([, pattern]) => pattern.test(line));
    if (!numbers || !entry) continue;
    passed[entry[0]] = Number(numbers[1]);
    failed[entry[0]] = Number(numbers[2]);
  }
  for (const [key] of LINES) {
    if (passed[key] === undefined) throw new Error(`samtools flagstat output had no "${key}" line:\n${text}`);
  }
  return { passed, failed };
}
