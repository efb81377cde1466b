/**
 * `explain` throughput on one generated 100,000-event trail file (mixed principals, operations and
 * causes), with the account snapshot, bucket policies and SCP loaded once. The baseline, run in the same
 * process on the same file, only reads it and `JSON.parse`s it: explain cannot be faster than that, and
 * the target is at least half the baseline's rate.
 *
 * Both sides read the file from disk on every run (the OS page cache makes that a memory copy after the
 * first run, for both alike). The explain side reads through the real trail-file adapter, as the CLI does.
 */
import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readTrailInputs } from '../src/adapters/trailFileSource.js';
import { loadExplainContext } from '../src/app/loadExplainContext.js';
import type { ExplainContext } from '../src/domain/explain/context.js';
import { explainTexts } from '../src/domain/explain/explainBatch.js';
import type { ExplainReport } from '../src/domain/explain/report.js';
import { DEFAULT_DENIED_SHARE, type GeneratedTrailFiles, writeTrailFiles } from './generateTrail.js';
import { type BenchResult, machineLoad } from './measure.js';

/** The acceptance threshold: explain at no less than half the read + parse rate. */
export const TARGET_RATIO = 0.5;

export interface ExplainBenchOptions {
  /** Records in the generated trail (default 100,000). */
  readonly events?: number;
  /** Timed runs per side, after one untimed warm-up run each (default 5: on a shared machine the median of 5 moves less). */
  readonly runs?: number;
  /** Share of denied records in the generated trail (default 0.7; a real trail has far fewer). */
  readonly deniedShare?: number;
}

export interface ExplainBenchOutcome {
  /** `[baseline, explain, explain back to back]`, rates in events per second; `ratio` is explain's to the baseline. */
  readonly results: readonly BenchResult[];
  readonly ratio: number;
  /** Lines for the note: inputs, what the report contained, and the verdict. */
  readonly notes: readonly string[];
}

async function baselineOnce(file: string): Promise<number> {
  const text = await readFile(file, 'utf8');
  const parsed: unknown = JSON.parse(text);
  const records =
    typeof parsed === 'object' && parsed !== null && 'Records' in parsed && Array.isArray(parsed.Records)
      ? parsed.Records.length
      : 0;
  return records;
}

async function explainOnce(file: string, context: ExplainContext): Promise<ExplainReport> {
  const read = await readTrailInputs([file]);
  if (read.errors.length > 0) {
    throw new Error(`cannot read the generated trail: ${read.errors.map((e) => e.message).join('; ')}`);
  }
  return explainTexts(read.texts, context);
}

/**
 * A full collection before each timed run, so that neither side pays for the garbage the other left
 * (explain allocates far more than a parse, and the parsed 100,000 records make every major GC slow).
 * `npm run bench` does not pass `--expose-gc`; V8 lets the flag be set at run time, and a new context
 * then sees `gc`.
 */
function fullGarbageCollector(): () => void {
  const existing: unknown = Reflect.get(globalThis, 'gc');
  if (typeof existing === 'function') return () => existing();
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? () => gc() : () => undefined;
}

/** Idle time after the full collection that precedes each timed run. */
const SETTLE_MS = 250;

async function timed<T>(
  collectGarbage: () => void,
  fn: () => Promise<T>,
): Promise<{ value: T; seconds: number }> {
  collectGarbage();
  // The collector's helper threads finish sweeping and returning memory while the process is idle, so
  // that neither side pays for the other's heap.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** Back-to-back runs left untimed first: the first ones still compile again what the forced GC let go. */
const BACK_TO_BACK_UNTIMED = 2;

/**
 * Times `runs` runs of `fn` one after the other, after {@link BACK_TO_BACK_UNTIMED} untimed ones, with a
 * full collection before the first only.
 *
 * The full collection before each alternating run also makes V8 drop much of explain's optimised code:
 * once the objects of the previous run are gone, so are the hidden classes ("maps") of those built by
 * class constructors, object spreads or `JSON.parse`, and code that checks them is deoptimised. Each
 * alternating run therefore compiles again what the warm-up compiled (seen with `node --trace-opt`:
 * some 60 to 110 functions per run), and pinned to one core the compiler thread takes that time from
 * explain. Runs back to back keep their code, as in a directory of trail files, where such objects are
 * always alive; between them the collector works as it would in a long run, which makes single runs
 * vary more than after a forced collection.
 */
async function backToBack(
  runs: number,
  collectGarbage: () => void,
  fn: () => Promise<void>,
): Promise<number[]> {
  collectGarbage();
  const seconds: number[] = [];
  for (let i = 0; i < BACK_TO_BACK_UNTIMED + runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    if (i >= BACK_TO_BACK_UNTIMED) seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return seconds;
}

/** Reports the median run (one run disturbed by another process does not set the figure) and every run. */
function rateResult(name: string, events: number, seconds: readonly number[]): BenchResult {
  const sorted = [...seconds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return {
    name,
    iterations: events,
    seconds: median,
    perSecond: events / median,
    runs: seconds.map((s) => events / s),
  };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`)
    .join(', ');
}

function describeInputs(files: GeneratedTrailFiles): string[] {
  const m = files.mix;
  const n = (x: number) => x.toLocaleString('en-US');
  return [
    `- trail: ${n(files.events)} records, ${(files.trailBytes / 1e6).toFixed(1)} MB (${files.trailFile})`,
    `- mix: ${n(m.denied)} S3 AccessDenied (${n(m.deniedLegacy)} with the legacy message), ${n(m.succeeded)} successful S3 calls, ${n(m.otherS3Errors)} other S3 errors, ${n(m.notS3)} non-S3 events, ${n(m.duplicates)} re-delivered duplicates; ${m.principals} principals, ${m.buckets} buckets`,
    `- context (loaded once, not timed): account snapshot, ${files.bucketPolicyArgs.length} bucket policies, 1 SCP`,
  ];
}

/** What the notes say of a report: counts only (the report itself is not kept). */
function summariseReport(report: ExplainReport): { findings: number; lines: string[] } {
  const covered = report.findings.reduce((sum, f) => sum + f.eventIds.length, 0);
  const lines = [
    `- report: ${report.findings.length.toLocaleString('en-US')} findings covering ${covered.toLocaleString('en-US')} events, ${report.skipped.length.toLocaleString('en-US')} skipped, ${report.errors.length} errors`,
    `- skipped by reason: ${countBy(report.skipped, (s) => s.reason) || 'none'}`,
    `- findings by cause: ${countBy(report.findings, (f) => f.cause) || 'none'}`,
    `- fixes: ${report.findings.filter((f) => f.fix !== null).length.toLocaleString('en-US')} proposed, ${report.findings.filter((f) => f.fix?.verified === true).length.toLocaleString('en-US')} verified`,
    `- findings that repeat an earlier one's advice (repeatOf): ${report.findings.filter((f) => f.repeatOf !== undefined).length.toLocaleString('en-US')}`,
  ];
  if (report.errors.length > 0)
    lines.push(`- first error: ${report.errors[0]?.code}: ${report.errors[0]?.message}`);
  return { findings: report.findings.length, lines };
}

/** Generates the inputs, loads the context once, times baseline and explain alternately, then explain back to back. */
export async function runExplainBench(options: ExplainBenchOptions = {}): Promise<ExplainBenchOutcome> {
  const runs = options.runs ?? 5;
  const collectGarbage = fullGarbageCollector();
  const files = writeTrailFiles({
    events: options.events ?? 100_000,
    ...(options.deniedShare !== undefined ? { deniedShare: options.deniedShare } : {}),
  });
  const loaded = await loadExplainContext({
    accountSnapshot: files.snapshotFile,
    bucketPolicies: files.bucketPolicyArgs,
    scps: [files.scpFile],
  });
  if (!loaded.ok) throw new Error(`cannot load the generated context: ${loaded.code}: ${loaded.message}`);
  const context = loaded.context;

  // Warm-up: lets the JIT compile both paths and proves the inputs are what the bench claims.
  const parsedRecords = await baselineOnce(files.trailFile);
  if (parsedRecords !== files.events) {
    throw new Error(`the generated trail holds ${parsedRecords} records, expected ${files.events}`);
  }
  // The report is the same on every run: what the notes say of it is taken from the warm-up run, and no
  // report is kept alive while the timed runs go (the baseline keeps nothing of its parse either).
  const summary = summariseReport(await explainOnce(files.trailFile, context));

  const baselineSeconds: number[] = [];
  const explainSeconds: number[] = [];
  // Alternating runs spreads machine noise (page cache, frequency scaling, GC) over both sides.
  for (let i = 0; i < runs; i++) {
    baselineSeconds.push((await timed(collectGarbage, () => baselineOnce(files.trailFile))).seconds);
    const run = await timed(
      collectGarbage,
      async () => (await explainOnce(files.trailFile, context)).findings.length,
    );
    if (run.value !== summary.findings) throw new Error('explain gave a different report on a timed run');
    explainSeconds.push(run.seconds);
  }

  const backToBackSeconds = await backToBack(runs, collectGarbage, async () => {
    if ((await explainOnce(files.trailFile, context)).findings.length !== summary.findings)
      throw new Error('explain gave a different report on a back-to-back run');
  });

  const baseline = rateResult('baseline: read + JSON.parse', files.events, baselineSeconds);
  const explain = rateResult('explain: read + explainTexts', files.events, explainSeconds);
  const steady = rateResult(
    'explain back to back (no forced GC between runs; not the target figure)',
    files.events,
    backToBackSeconds,
  );
  const ratio = explain.perSecond / baseline.perSecond;
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const share =
    files.deniedShare === DEFAULT_DENIED_SHARE
      ? []
      : [
          `- trail generated with --denied-share ${files.deniedShare} (the default bench trail has ${DEFAULT_DENIED_SHARE}): the verdict below is for this trail, not the default one`,
        ];
  const notes = [
    ...share,
    ...describeInputs(files),
    ...summary.lines,
    `- rates: baseline ${fmt(baseline.perSecond)} events/s, explain ${fmt(explain.perSecond)} events/s, ratio ${ratio.toFixed(3)} (target >= ${TARGET_RATIO}): ${ratio >= TARGET_RATIO ? 'target met' : 'BELOW TARGET'}`,
    `- ratio of each explain run to the baseline run before it: ${explainSeconds.map((e, i) => ((baselineSeconds[i] ?? Number.NaN) / e).toFixed(2)).join(', ')}`,
    `- ${runs} timed runs per side, alternating, after one warm-up each; median run reported; a full GC and a ${SETTLE_MS} ms pause before every timed run; JavaScript on one thread (Node.js ${process.version}); ${machineLoad()}`,
    `- then ${runs} explain runs back to back, after ${BACK_TO_BACK_UNTIMED} untimed ones and without a forced GC between them, so that V8 keeps the code it optimised (see backToBack): ${fmt(steady.perSecond)} events/s, ${(steady.perSecond / baseline.perSecond).toFixed(3)} of the baseline's median rate; shown beside the target's figure, not instead of it`,
  ];
  return { results: [baseline, explain, steady], ratio, notes };
}
