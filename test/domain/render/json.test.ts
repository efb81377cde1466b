import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ExplainReport } from '../../../src/domain/explain/report.js';
import { reportJsonPieces } from '../../../src/domain/render/json.js';
import { fullReport, hugeFinding } from './reportFixtures.js';

const joined = (report: ExplainReport): string => [...reportJsonPieces(report)].join('');

describe('reportJsonPieces', () => {
  test('joined, the pieces are the text JSON.stringify gives, for reports of every shape', () => {
    const reports: ExplainReport[] = [
      { findings: [], skipped: [], errors: [] },
      fullReport,
      { ...fullReport, findings: [hugeFinding(40, 3)] },
      {
        findings: [],
        skipped: [{ eventId: 'line\nbreak "quoted" \u2028', reason: 'not-s3', message: 'a\tb\\c' }],
        errors: [{ input: 'x.json', code: 'cloudtrail.invalidJson', message: 'at line 1' }],
      },
    ];
    for (const report of reports) assert.equal(joined(report), JSON.stringify(report, null, 2));
  });

  test('any JSON data in the report lists is written as JSON.stringify writes it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        (findings, skipped, errors) => {
          const report = { findings, skipped, errors } as unknown as ExplainReport;
          assert.equal(joined(report), JSON.stringify(report, null, 2));
        },
      ),
    );
  });

  test('each listed element is a piece of its own, so no piece grows with the report', () => {
    const skipped = Array.from({ length: 1000 }, (_, i) => ({
      eventId: `e-${i}`,
      reason: 'not-s3' as const,
      message: 'GetCallerIdentity from sts.amazonaws.com is not an S3 request.',
    }));
    const pieces = [...reportJsonPieces({ findings: [], skipped, errors: [] })];
    assert.ok(pieces.length > 1000);
    assert.ok(Math.max(...pieces.map((p) => p.length)) < 200);
  });
});
