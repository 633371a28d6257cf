export interface BenchContext {
  images: { busybox: string; bio: string } & Record<string, string>;
  smoke: boolean;
  scratch: string;
}

export interface BenchRow {
  id: string;
  what: string;
  figures: Record<string, number>;
  /** Ours divided by the baseline: < 1 is faster for times, > 1 is faster for throughputs. */
  ratios: Record<string, number>;
  /** Targets for the ratios (upper bounds for times, lower bounds for throughputs; see `higherIsBetter`). */
  targets: Record<string, number>;
  higherIsBetter?: boolean;
  note?: string;
}
