/**
 * Wrapping the text report to a terminal's width: a code span in prose (a command to copy) is never
 * broken, as the README says of `aws …` commands.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { finishLines } from '../../../src/domain/render/wrap.js';

describe('finishLines', () => {
  const command = '`aws ec2 describe-vpc-endpoints --vpc-endpoint-ids vpce-0a1b2c3d4e5f67890`';

  test('a code span is one word: kept whole on a line of its own when wider than the room', () => {
    const line = `    - The endpoint's policy may refuse it (read it with ${command}); the bucket policy too.`;
    const rows = finishLines(line, 60).split('\n');
    assert.deepEqual(rows, [
      "    - The endpoint's policy may refuse it (read it with",
      `      ${command});`,
      '      the bucket policy too.',
    ]);
  });

  test('a code span that fits is moved whole to the next line, not broken at its spaces', () => {
    const rows = finishLines(
      'Run `aws s3api get-bucket-policy --bucket data` to read it, then edit it.',
      40,
    ).split('\n');
    assert.deepEqual(rows, [
      'Run',
      '  `aws s3api get-bucket-policy --bucket data`',
      '  to read it, then edit it.',
    ]);
  });

  test('a lone backtick opens no span: the rest of the line is still broken at spaces', () => {
    const rows = finishLines('a lone ` here, then words that go on past the width of the line', 30).split(
      '\n',
    );
    assert.ok(rows.length > 2, rows.join('\n'));
    for (const row of rows) assert.ok(row.length <= 30, row);
  });
});
