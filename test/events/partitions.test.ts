/**
 * Every scenario in events/, moved to the China and GovCloud partitions: every `arn:aws:` of its event,
 * snapshot and policies rewritten to `arn:aws-cn:` (or `arn:aws-us-gov:`). The report must be the
 * scenario's own report in that partition: the same findings, causes, fixes (verified as before), job
 * profiles and caveats, with each ARN in the scenario's partition. A fix or profile that named
 * `arn:aws:s3:::` there would grant nothing.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ExplainReport } from '../../src/domain/explain/report.js';
import { explainScenario } from './explainScenario.js';

const EVENTS = join(import.meta.dirname, '..', '..', 'events');
const scenarioDirs = readdirSync(EVENTS)
  .filter((name) => /^\d\d-/.test(name) && statSync(join(EVENTS, name)).isDirectory())
  .sort();

const work = mkdtempSync(join(tmpdir(), 'permission-auditor-partitions-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the scenario's files with every `arn:aws:` rewritten to `arn:<partition>:` (inside gzipped files too). */
function moveScenario(name: string, partition: string): string {
  const from = join(EVENTS, name);
  const to = join(work, partition, name);
  for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const source = join(entry.parentPath, entry.name);
    const target = join(to, relative(from, source));
    mkdirSync(dirname(target), { recursive: true });
    // Gzipped trail files (scenario 46) are rewritten inside, and stay gzipped.
    const gzipped = entry.name.endsWith('.gz');
    const raw = readFileSync(source);
    const text = (gzipped ? gunzipSync(raw) : raw)
      .toString('utf8')
      .replaceAll('arn:aws:', `arn:${partition}:`);
    writeFileSync(target, gzipped ? gzipSync(text) : text);
  }
  return to;
}

/** The scenario's report, explained from `dir` (the scenario's directory or its copy). */
function explainIn(dir: string, name: string): Promise<ExplainReport> {
  const scenario = JSON.parse(readFileSync(join(EVENTS, name, 'scenario.json'), 'utf8')) as {
    args: string[];
  };
  return explainScenario(dir, scenario.args);
}

/** The report as JSON, with file paths made relative to the scenario (they name the temporary copy). */
function reportJson(report: ExplainReport, dir: string): string {
  return JSON.stringify(report).replaceAll(dir, '<scenario>');
}

describe('scenarios in the China and GovCloud partitions', () => {
  for (const partition of ['aws-cn', 'aws-us-gov']) {
    for (const name of scenarioDirs) {
      test(`${name} in ${partition}`, async () => {
        const original = await explainIn(join(EVENTS, name), name);
        const movedDir = moveScenario(name, partition);
        const moved = await explainIn(movedDir, name);
        const expected = reportJson(original, join(EVENTS, name)).replaceAll('arn:aws:', `arn:${partition}:`);
        assert.equal(reportJson(moved, movedDir), expected);
        // Nothing rewritten would leave nothing to compare: the report names ARNs of the partition.
        assert.ok(expected.includes(`arn:${partition}:`), `${name} names no ARN`);
      });
    }
  }
});
