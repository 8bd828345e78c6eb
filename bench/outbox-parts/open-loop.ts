// Events offered at a fixed rate (an open loop: a busy hall does not wait for the outbox), each timed from its
// enqueue call to its resolution. Resolves, once every enqueue has settled, with the latencies in ms, sorted.
export async function offerAtRate(enqueue: (n: number) => Promise<unknown>, ratePerS: number, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Array<Promise<unknown>> = [];
  const total = ratePerS * seconds;
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * ratePerS));
      for (; sent < due; sent++) {
        const s = performance.now();
        pending.push(enqueue(sent).then(() => latencies.push(performance.now() - s)));
      }
      if (sent >= total) { clearInterval(tick); resolve(); }
    }, 1);
  });
  await Promise.all(pending);
  return latencies.sort((a, b) => a - b);
}
