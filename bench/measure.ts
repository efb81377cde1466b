/** A tiny measurement helper: warm up, then time N iterations with a monotonic clock. */
export interface BenchResult {
  readonly name: string;
  readonly iterations: number;
  readonly seconds: number;
  readonly perSecond: number;
}

export function measure(name: string, iterations: number, fn: () => unknown): BenchResult {
  const warmup = Math.min(10_000, Math.max(1, Math.floor(iterations / 10)));
  let sink: unknown;
  for (let i = 0; i < warmup; i++) sink = fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === Symbol.for('never')) console.log('');
  return { name, iterations, seconds, perSecond: iterations / seconds };
}

export function formatResults(
  title: string,
  results: readonly BenchResult[],
  baselineIndexByResult: (i: number) => number | undefined,
): string {
  const lines = [
    `## ${title}`,
    '',
    '| benchmark | iterations | seconds | per second | ratio to baseline |',
    '|---|---:|---:|---:|---:|',
  ];
  results.forEach((r, i) => {
    const b = baselineIndexByResult(i);
    const ratio =
      b === undefined || b === i ? '1.00 (baseline)' : (r.perSecond / results[b]!.perSecond).toFixed(3);
    lines.push(
      `| ${r.name} | ${r.iterations} | ${r.seconds.toFixed(3)} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${ratio} |`,
    );
  });
  return `${lines.join('\n')}\n`;
}
