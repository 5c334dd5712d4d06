/** A bounded closed-loop load: `concurrency` requests in flight until `count` are done. */
export interface LoadResult {
  count: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

export async function runLoad(count: number, concurrency: number, request: (index: number) => Promise<boolean>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      const begin = performance.now();
      const ok = await request(index).catch(() => false);
      latencies.push(performance.now() - begin);
      if (!ok) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) => latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? 0;
  return { count, errors, rps: count / elapsed, p50: at(0.5), p99: at(0.99) };
}
