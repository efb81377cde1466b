/**
 * Runs `explain` on a scenario directory of events/ (or a copy of one) with the arguments its
 * scenario.json gives, paths taken relative to that directory.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { explainFiles } from '../../src/app/explainFiles.js';
import { parseExplainArgs } from '../../src/cli/explainCommand.js';
import type { ExplainReport } from '../../src/domain/explain/report.js';

export async function explainScenario(dir: string, args: readonly string[]): Promise<ExplainReport> {
  const { values, positionals } = parseExplainArgs([...args]);
  const abs = (p: string) => join(dir, p);
  const result = await explainFiles(positionals.map(abs), {
    ...(values['account-snapshot'] !== undefined ? { accountSnapshot: abs(values['account-snapshot']) } : {}),
    bucketPolicies: (values['bucket-policy'] ?? []).map((arg) => {
      const eq = arg.indexOf('=');
      return `${arg.slice(0, eq)}=${abs(arg.slice(eq + 1))}`;
    }),
    scps: (values.scp ?? []).map(abs),
    rcps: (values.rcp ?? []).map(abs),
  });
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.report;
}

/** The only finding of `explain` on `dir` with `args` (paths relative to it): exactly one is expected. */
export async function onlyFindingOf(dir: string, args: readonly string[]) {
  const report = await explainScenario(dir, args);
  assert.equal(report.findings.length, 1, report.findings.map((f) => f.summary).join('\n'));
  return report.findings[0]!;
}
