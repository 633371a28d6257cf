/** Median of a sample (the middle value; mean of the two middle ones for even sizes). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs each contender once per round, in a rotated order, so drift hits all of them alike. */
export async function interleaved(rounds: number, contenders: Record<string, () => Promise<void>>): Promise<Record<string, number[]>> {
  const names = Object.keys(contenders);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      const start = performance.now();
      await contenders[name]!();
      times[name]!.push(performance.now() - start);
    }
  }
  return times;
}
