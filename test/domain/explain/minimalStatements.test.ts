import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  commonDirectory,
  minimalStatements,
  objectPattern,
} from '../../../src/domain/explain/minimalStatements.js';

describe('commonDirectory', () => {
  test('cuts the longest common prefix back to its last slash', () => {
    assert.equal(commonDirectory(['daily/2026/a.bin', 'daily/2026/b.bin', 'daily/2025/c.bin']), 'daily/');
  });
  test('a single key keeps its whole directory', () => {
    assert.equal(commonDirectory(['daily/db.dump']), 'daily/');
  });
  test('keys without a common directory give the bucket root', () => {
    assert.equal(commonDirectory(['alpha.txt', 'beta/x']), '');
    assert.equal(commonDirectory([]), '');
  });
  test('a shared partial name is not a directory', () => {
    assert.equal(commonDirectory(['logs-2026/a', 'logs-2025/b']), '');
  });
  test('a key that is a directory itself, a leading slash and an empty key', () => {
    assert.equal(commonDirectory(['daily/', 'daily/a']), 'daily/');
    assert.equal(commonDirectory(['/a', '/b']), '/');
    assert.equal(commonDirectory(['', 'daily/a']), '');
  });
  test('is the longest common prefix of the keys, cut back to its last slash', () => {
    // The definition, spelled out: compare every key's prefixes.
    const reference = (keys: string[]): string => {
      let prefix = keys[0] ?? '';
      for (const key of keys) while (!key.startsWith(prefix)) prefix = prefix.slice(0, -1);
      return prefix.slice(0, prefix.lastIndexOf('/') + 1);
    };
    const key = fc.array(fc.constantFrom('a', 'b', '/', 'é', '*'), { maxLength: 8 }).map((c) => c.join(''));
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 5 }), (keys) => {
        assert.equal(commonDirectory(keys), reference(keys));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('minimalStatements', () => {
  test('bucket-level actions get the bucket ARN, object-level ones the common directory', () => {
    const statements = minimalStatements([
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::backup', bucket: 'backup' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::backup/daily/a', bucket: 'backup', key: 'daily/a' },
      {
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::backup/daily/sub/b',
        bucket: 'backup',
        key: 'daily/sub/b',
      },
    ]);
    assert.deepEqual(statements, [
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::backup'] },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::backup/daily/*'],
      },
    ]);
  });

  test('actions that take no resource get "*"', () => {
    assert.deepEqual(minimalStatements([{ action: 's3:ListAllMyBuckets', resource: '*' }]), [
      { Effect: 'Allow', Action: ['s3:ListAllMyBuckets'], Resource: ['*'] },
    ]);
  });

  test('repeated requests produce each action once', () => {
    const r = { action: 's3:PutObject', resource: 'arn:aws:s3:::b/x/1', bucket: 'b', key: 'x/1' };
    assert.deepEqual(minimalStatements([r, r, r])[0]?.Action, ['s3:PutObject']);
  });

  test('objects of two buckets get one statement each', () => {
    const statements = minimalStatements([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::src/in/a', bucket: 'src', key: 'in/a' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::dst/out/a', bucket: 'dst', key: 'out/a' },
    ]);
    assert.deepEqual(
      statements.map((s) => s.Resource[0]),
      ['arn:aws:s3:::dst/out/*', 'arn:aws:s3:::src/in/*'],
    );
  });

  test('wildcard characters in key names are written as literal policy variables', () => {
    assert.equal(objectPattern('b', 'weird*dir?/'), 'arn:aws:s3:::b/weird${*}dir${?}/*');
  });
});
