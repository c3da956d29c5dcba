import type { BenchResult } from './report';
/** Placeholder until written. */
export async function dashboardLoad(_opts: { quick: boolean }): Promise<BenchResult | null> {
  return null;
}
