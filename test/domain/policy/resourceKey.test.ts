import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resourceKey } from '../../../src/domain/policy/parsePolicy.js';

describe('resourceKey', () => {
  test('cuts an S3 object ARN at its bucket, and leaves other resources whole', () => {
    assert.equal(resourceKey('arn:aws:s3:::backup/daily/a.tar'), 'arn:aws:s3:::backup');
    assert.equal(resourceKey('arn:aws:s3:::backup'), 'arn:aws:s3:::backup');
    assert.equal(resourceKey('arn:aws:iam::111122223333:role/path/name'), 'arn:aws:iam::111122223333:role');
    assert.equal(resourceKey('*'), '*');
    // A `/` before the fifth colon does not cut.
    assert.equal(resourceKey('a/b:c:d:e:f:g/h'), 'a/b:c:d:e:f:g');
    assert.equal(resourceKey('a:b:c:d/e'), 'a:b:c:d/e');
    assert.equal(resourceKey('/x'), '/x');
  });
});
