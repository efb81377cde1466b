import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ExplainReport } from '../../../src/domain/explain/report.js';
import { reportJsonPieces } from '../../../src/domain/render/json.js';
import { fullReport, hugeFinding } from './reportFixtures.js';

const joined = (report: ExplainReport): string => [...reportJsonPieces(report)].join('');

/** JSON.stringify's text with the characters the report escapes written as escapes (a JSON string holds them only inside strings). */
const stringified = (report: ExplainReport): string =>
  JSON.stringify(report, null, 2).replace(
    /[\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

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
    for (const report of reports) assert.equal(joined(report), stringified(report));
  });

  test('any JSON data in the report lists is written as JSON.stringify writes it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        (findings, skipped, errors) => {
          const report = { findings, skipped, errors } as unknown as ExplainReport;
          assert.equal(joined(report), stringified(report));
          assert.deepEqual(JSON.parse(joined(report)), JSON.parse(JSON.stringify(report)));
        },
      ),
    );
  });

  test('characters a terminal acts on or that reorder text are escapes, the same JSON value', () => {
    const id = 'k\u009b2J \u009d0;t\u0007 \u202egnp.exe \u200b\u007f';
    const text = joined({
      findings: [],
      skipped: [{ eventId: id, reason: 'not-s3', message: '' }],
      errors: [],
    });
    assert.ok(text.includes('"k\\u009b2J \\u009d0;t\\u0007 \\u202egnp.exe \\u200b\\u007f"'), text);
    assert.doesNotMatch(text, /[\u007f-\u009f\u202e\u200b]/);
    assert.equal((JSON.parse(text) as ExplainReport).skipped[0]?.eventId, id);
  });

  test('the other default-ignorable characters (soft hyphen, tag characters, Hangul filler) are escapes too', () => {
    const key = 'in/a\u00adb\u{E0041}\u3164.csv';
    const text = joined({
      findings: [],
      skipped: [{ eventId: key, reason: 'not-s3', message: '' }],
      errors: [],
    });
    assert.ok(text.includes('"in/a\\u00adb\\udb40\\udc41\\u3164.csv"'), text);
    assert.equal((JSON.parse(text) as ExplainReport).skipped[0]?.eventId, key);
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
