/** samtools' `-@` counts *extra* threads: `threads: 4` means `-@ 3`. */
export function extraThreads(threads: number | undefined): string[] {
  return threads && threads > 1 ? ['-@', String(threads - 1)] : [];
}

/** One `samtools sort`: what samtools.sort runs, and the sorting half of bwa.mem's pipe. */
export interface SortCommand {
  /** A path, or `-` for stdin. */
  input: string;
  /** Where samtools writes (a hidden temp name); its own scratch files go beside it. */
  output: string;
  format: 'bam' | 'cram' | 'sam';
  threads?: number;
  byName?: boolean;
  memoryPerThread?: string;
}

export function samtoolsSortArgs(c: SortCommand): string[] {
  return [
    'samtools',
    'sort',
    ...extraThreads(c.threads),
    ...(c.byName ? ['-n'] : []),
    ...(c.memoryPerThread ? ['-m', c.memoryPerThread] : []),
    '-O',
    c.format,
    '-T',
    `${c.output}.tmp`,
    '-o',
    c.output,
    c.input,
  ];
}
