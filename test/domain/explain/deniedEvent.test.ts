import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseS3ResourceArn } from '../../../src/domain/explain/deniedEvent.js';

describe('parseS3ResourceArn', () => {
  test('splits an object ARN into bucket and key, and reads a bucket ARN', () => {
    assert.deepEqual(parseS3ResourceArn('arn:aws:s3:::backup/daily/a.tar'), {
      bucket: 'backup',
      key: 'daily/a.tar',
    });
    assert.deepEqual(parseS3ResourceArn('arn:aws-us-gov:s3:::backup'), { bucket: 'backup' });
    assert.deepEqual(parseS3ResourceArn('arn:aws:s3:::backup/'), { bucket: 'backup', key: '' });
  });

  test('is undefined for what is not an S3 bucket or object ARN', () => {
    for (const text of [
      '*',
      'arn:aws:s3:::',
      'arn:aws:s3:::/k',
      'arn:aws:iam::1:user/x',
      'arn:aws:s3:::b/a\nb',
    ]) {
      assert.equal(parseS3ResourceArn(text), undefined, JSON.stringify(text));
    }
  });

  test('reads what the pattern ^arn:aws[a-z-]*:s3:::([^/]+)(?:/(.*))?$ reads', () => {
    const reference = (text: string) => {
      const m = /^arn:aws[a-z-]*:s3:::([^/]+)(?:\/(.*))?$/.exec(text);
      if (m === null) return undefined;
      return m[2] !== undefined ? { bucket: m[1]!, key: m[2] } : { bucket: m[1]! };
    };
    const piece = fc.constantFrom(
      'arn:aws',
      '-cn',
      '-us-gov',
      'X',
      ':s3:::',
      ':s3::',
      'b',
      '/',
      'k',
      '\n',
      '\u2028',
      '',
      ':',
    );
    const text = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(
          text,
          text.map((t) => `arn:aws:s3:::${t}`),
          fc.string(),
        ),
        (t) => {
          assert.deepEqual(parseS3ResourceArn(t), reference(t));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
