/** What `cleanupOrphans()` removed and why. */
export interface OrphanReport {
  removed: Array<{ id: string; session: string; reason: string }>;
  /** Sessions that look alive (or can't be judged from here) and were left alone. */
  kept: string[];
}
