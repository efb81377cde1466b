import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isMountpointAgent,
  isReadOnlyMountpointAgent,
  mountpointProfile,
} from '../../../src/domain/tools/mountpointProfile.js';

const UA =
  'mountpoint-s3/1.19.0 mountpoint-s3-client/0.17.0 os/linux#6.1.147-172.266.amzn2023.x86_64 md/arch#x86_64 md/instance#g5.xlarge';

describe('isMountpointAgent', () => {
  test("Mountpoint's user agent, also after a custom or the CSI driver's prefix; not its client library alone", () => {
    assert.equal(isMountpointAgent(UA), true);
    assert.equal(isMountpointAgent(`s3-csi-driver/1.14.1 ${UA}`), true);
    assert.equal(isMountpointAgent('mountpoint-s3-client/0.17.0 os/linux'), false);
    assert.equal(isMountpointAgent('s3fs/1.90 (commit hash unknown; GnuTLS(gcrypt))'), false);
    assert.equal(isMountpointAgent(undefined), false);
  });
});

describe('a mount with --read-only (md/mp-readonly in its user agent)', () => {
  test('is recognised, and gets the reads alone, with no --read-only alternative', () => {
    assert.equal(isReadOnlyMountpointAgent(`${UA} md/mp-readonly`), true);
    assert.equal(isReadOnlyMountpointAgent(UA), false);
    const profile = mountpointProfile({
      bucket: 'ml-datasets',
      directory: 'training/',
      eventNames: new Set(['ListObjects', 'GetObject']),
      readOnly: true,
    });
    assert.deepEqual(
      profile.statements.map((s) => s.Action),
      [['s3:ListBucket'], ['s3:GetObject']],
    );
    assert.deepEqual(profile.alternatives, []);
    assert.match(profile.notes[0] ?? '', /^The mount is read-only \(its user agent says md\/mp-readonly/);
  });
});

describe("a read-only mount whose caller's uploads (another client's) are seen on the bucket", () => {
  test('still reads alone: a mount with --read-only writes nothing', () => {
    const profile = mountpointProfile({
      bucket: 'ml-datasets',
      directory: 'training/',
      eventNames: new Set(['ListObjects', 'GetObject', 'PutObject', 'DeleteObject']),
      readOnly: true,
    });
    assert.deepEqual(
      profile.statements.map((s) => s.Action),
      [['s3:ListBucket'], ['s3:GetObject']],
    );
  });
});

describe('mountpointProfile', () => {
  test('a read-only mount of a prefix: the documented set without deletes, and --read-only as the alternative', () => {
    const profile = mountpointProfile({
      bucket: 'ml-datasets',
      directory: 'training/',
      eventNames: new Set(['ListObjects', 'HeadObject', 'GetObject']),
    });
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['MountpointListBucket', ['s3:ListBucket'], ['arn:aws:s3:::ml-datasets']],
        [
          'MountpointObjects',
          ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::ml-datasets/training/*'],
        ],
      ],
    );
    assert.ok(profile.notes.some((n) => n.includes('--allow-delete')));
    assert.ok(profile.notes.some((n) => n.includes('StringLike s3:prefix training/*')));
    assert.deepEqual(
      profile.alternatives.map((a) => [a.kind, a.removes]),
      [['client-config', ['s3:AbortMultipartUpload', 's3:PutObject']]],
    );
  });

  test('a delete shows --allow-delete: s3:DeleteObject joins, and no read-only alternative', () => {
    const profile = mountpointProfile({
      bucket: 'b',
      directory: '',
      eventNames: new Set(['DeleteObject']),
    });
    assert.deepEqual(profile.statements[1]?.Action, [
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
    assert.deepEqual(profile.statements[1]?.Resource, ['arn:aws:s3:::b/*']);
    assert.deepEqual(profile.alternatives, []);
    assert.ok(profile.notes.some((n) => n.includes('runs with --allow-delete')));
  });

  test('an upload: no read-only alternative; no directory known: the whole bucket, with a note on --prefix', () => {
    const profile = mountpointProfile({
      bucket: 'b',
      partition: 'aws-cn',
      directory: undefined,
      eventNames: new Set(['CreateMultipartUpload']),
    });
    assert.deepEqual(profile.alternatives, []);
    assert.deepEqual(profile.statements[1]?.Resource, ['arn:aws-cn:s3:::b/*']);
    assert.ok(
      profile.notes.some((n) => n.includes('--prefix path/') && n.includes('arn:aws-cn:s3:::b/path/*')),
    );
  });
});
