/**
 * A tiny measurement helper: warm up, then time several runs with a monotonic clock and report the
 * median run, so that one run disturbed by another process on a shared machine does not set the figure.
 */
import { availableParallelism, loadavg } from 'node:os';

export interface BenchResult {
  readonly name: string;
  readonly iterations: number;
  /** Duration of the reported (median) run. */
  readonly seconds: number;
  readonly perSecond: number;
  /** Rate of every timed run, in the order they ran, when the benchmark was run more than once. */
  readonly runs?: readonly number[];
}

export interface MeasureOptions {
  /** Timed runs; the median is reported (default 3). */
  readonly runs?: number;
  /** Untimed iterations first, so the timed runs see optimised code (default: a tenth, at most 10,000). */
  readonly warmup?: number;
}

/**
 * Times a loop that the benchmark writes itself: `loop(count)` must do `count` iterations and return
 * something derived from them (kept, so the work cannot be optimised away). Writing the loop in the
 * benchmark keeps the measured call direct, instead of one indirect call per iteration through a
 * harness callback, which would weigh on the fastest benchmarks.
 */
export function measureLoop(
  name: string,
  iterations: number,
  loop: (count: number) => unknown,
  options: MeasureOptions = {},
): BenchResult {
  const runs = Math.max(1, options.runs ?? 3);
  const warmup = options.warmup ?? Math.min(10_000, Math.max(1, Math.floor(iterations / 10)));
  let sink = loop(warmup);
  const durations: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    sink = loop(iterations);
    durations.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  if (sink === Symbol.for('never')) console.log('');
  const median = [...durations].sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  return {
    name,
    iterations,
    seconds: median,
    perSecond: iterations / median,
    ...(runs > 1 ? { runs: durations.map((d) => iterations / d) } : {}),
  };
}

/** Times `fn(i)` for i in 0..iterations-1 (one callback per iteration; prefer {@link measureLoop}). */
export function measure(
  name: string,
  iterations: number,
  fn: (i: number) => unknown,
  options: MeasureOptions = {},
): BenchResult {
  return measureLoop(
    name,
    iterations,
    (count) => {
      let sink: unknown;
      for (let i = 0; i < count; i++) sink = fn(i);
      return sink;
    },
    options,
  );
}

/**
 * The machine's load average (other processes on a shared machine skew the figures) and the CPUs this
 * process may run on: 1 under `taskset -c N`, where V8's collector and compiler threads share the one
 * core with JavaScript.
 */
export function machineLoad(): string {
  const [one = 0, five = 0] = loadavg();
  const cpus = availableParallelism();
  return `load average ${one.toFixed(2)} (1 min) ${five.toFixed(2)} (5 min); ${cpus} CPU${cpus === 1 ? '' : 's'} available to the process`;
}

const rate = (perSecond: number): string => Math.round(perSecond).toLocaleString('en-US');

export function formatResults(
  title: string,
  results: readonly BenchResult[],
  baselineIndexByResult: (i: number) => number | undefined,
): string {
  const withRuns = results.some((r) => r.runs !== undefined);
  const lines = [
    `## ${title}`,
    '',
    withRuns
      ? '| benchmark | iterations | seconds (median run) | per second (median) | runs (per second) | ratio to baseline |'
      : '| benchmark | iterations | seconds | per second | ratio to baseline |',
    withRuns ? '|---|---:|---:|---:|---:|---:|' : '|---|---:|---:|---:|---:|',
  ];
  results.forEach((r, i) => {
    const b = baselineIndexByResult(i);
    const ratio =
      b === undefined || b === i ? '1.00 (baseline)' : (r.perSecond / results[b]!.perSecond).toFixed(3);
    const runs = withRuns ? ` ${r.runs === undefined ? '' : r.runs.map(rate).join(' / ')} |` : '';
    lines.push(
      `| ${r.name} | ${r.iterations} | ${r.seconds.toFixed(3)} | ${rate(r.perSecond)} |${runs} ${ratio} |`,
    );
  });
  return `${lines.join('\n')}\n`;
}
