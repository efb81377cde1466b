import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isS3fsAgent, s3fsProfile } from '../../../src/domain/tools/s3fsProfile.js';

describe('isS3fsAgent', () => {
  test("s3fs's own user agent, and nothing that merely mentions it", () => {
    assert.equal(isS3fsAgent('s3fs/1.90 (commit hash unknown; GnuTLS(gcrypt))'), true);
    assert.equal(isS3fsAgent('s3fs/1.95 (commit hash 2e84f3c; OpenSSL) [my-mount]'), true);
    assert.equal(isS3fsAgent('rclone/v1.66.0'), false);
    assert.equal(isS3fsAgent('s3fs-client'), false);
    assert.equal(isS3fsAgent(undefined), false);
  });
});

describe('s3fsProfile', () => {
  test("a mount's directory: the listing on the bucket, and reads, writes and deletes under the directory", () => {
    const profile = s3fsProfile({
      bucket: 'shared-data',
      directory: 'team/',
      eventNames: new Set(['DeleteObject', 'HeadObject']),
    });
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['S3fsListBucket', ['s3:ListBucket'], ['arn:aws:s3:::shared-data']],
        [
          'S3fsObjects',
          ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::shared-data/team/*'],
        ],
      ],
    );
    assert.ok(profile.notes[0]?.includes('chmod, chown and touch copy the object onto itself'));
    assert.equal(profile.notes.length, 1);
    // It wrote (a delete): mounting read-only would not do.
    assert.deepEqual(profile.alternatives, []);
  });

  test('a mount that only read gets read-only mounting as the alternative that drops the writes', () => {
    const profile = s3fsProfile({
      bucket: 'shared-data',
      directory: 'team/',
      eventNames: new Set(['ListObjects', 'HeadObject', 'GetObject']),
    });
    assert.deepEqual(
      profile.alternatives.map((a) => [a.kind, a.removes]),
      [['client-config', ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject']]],
    );
    assert.match(profile.alternatives[0]?.text ?? '', /-o ro/);
  });

  test('no directory known (only the listing when mounting): the whole bucket, with a note on scoping it', () => {
    const profile = s3fsProfile({
      bucket: 'shared-data',
      partition: 'aws-us-gov',
      directory: undefined,
      eventNames: new Set(['ListObjects']),
    });
    assert.deepEqual(profile.statements[1]?.Resource, ['arn:aws-us-gov:s3:::shared-data/*']);
    assert.ok(profile.notes.some((n) => n.includes('shared-data:/path') && n.includes('shared-data/path/*')));
  });

  test("the bucket's root ('') is the whole bucket, without the note; IAM wildcards in a directory are literal", () => {
    const root = s3fsProfile({ bucket: 'b', directory: '', eventNames: new Set() });
    assert.deepEqual(root.statements[1]?.Resource, ['arn:aws:s3:::b/*']);
    assert.equal(root.notes.length, 1);
    const starred = s3fsProfile({ bucket: 'b', directory: 'what?/', eventNames: new Set() });
    assert.deepEqual(starred.statements[1]?.Resource, ['arn:aws:s3:::b/what${?}/*']);
  });
});
