import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isResticAgent, type ResticInput, resticProfile } from '../../../src/domain/tools/resticProfile.js';
import { jobCalls } from './jobCallsFixture.js';

/** A 64-digit ID as restic names its files (`n` picks one). */
const id = (n: number): string => n.toString(16).padStart(2, '0').repeat(32);

function statements(partial: Partial<ResticInput>) {
  return resticProfile(jobCalls(partial))?.statements.map((s) => [s.Sid, s.Action, s.Resource]);
}

describe('isResticAgent', () => {
  test("minio-go's user agent (restic keeps it) or one that names restic", () => {
    assert.equal(isResticAgent('MinIO (linux; amd64) minio-go/v7.0.46'), true);
    assert.equal(isResticAgent('restic/0.18.1 (linux/amd64; go1.24)'), true);
    assert.equal(isResticAgent('rclone/v1.66.0'), false);
    assert.equal(isResticAgent('aws-cli/2.22.4 md/command#s3.cp'), false);
    assert.equal(isResticAgent(undefined), false);
  });

  test('a program that names itself after minio-go (the MinIO client) is not restic', () => {
    assert.equal(
      isResticAgent('MinIO (linux; amd64) minio-go/v7.0.70 mc/RELEASE.2024-06-12T14-34-03Z'),
      false,
    );
    assert.equal(isResticAgent('MinIO (linux; amd64) minio-go/v7.0.70 restic/0.17.3'), true);
  });
});

describe('resticProfile', () => {
  test('listings of a repository: the bucket, the repository, and deletes on its locks alone', () => {
    assert.deepEqual(statements({ listPrefixes: ['hosts/web1/keys/', 'hosts/web1/key/'] }), [
      ['ResticBucket', ['s3:ListBucket'], ['arn:aws:s3:::backups']],
      ['ResticRepository', ['s3:GetObject', 's3:PutObject'], ['arn:aws:s3:::backups/hosts/web1/*']],
      ['ResticLocks', ['s3:DeleteObject'], ['arn:aws:s3:::backups/hosts/web1/locks/*']],
    ]);
  });

  test("the repository's files name it too: data, index, snapshots and locks, at any depth", () => {
    for (const key of [
      `a/b/c/data/${id(1).slice(0, 2)}/${id(1)}`,
      `a/b/c/index/${id(2)}`,
      `a/b/c/snapshots/${id(3)}`,
      `a/b/c/locks/${id(4)}`,
      `a/b/c/keys/${id(5)}`,
    ]) {
      assert.deepEqual(resticProfile(jobCalls({ keys: [key] }))?.repositories, ['a/b/c'], key);
    }
  });

  test("a repository at the bucket's root", () => {
    assert.deepEqual(statements({ keys: [`snapshots/${id(7)}`] }), [
      ['ResticBucket', ['s3:ListBucket'], ['arn:aws:s3:::backups']],
      ['ResticRepository', ['s3:GetObject', 's3:PutObject'], ['arn:aws:s3:::backups/*']],
      ['ResticLocks', ['s3:DeleteObject'], ['arn:aws:s3:::backups/locks/*']],
    ]);
  });

  test('keys that are not a repository give no profile: a config alone, names that are not 64-digit IDs', () => {
    assert.equal(resticProfile(jobCalls({ keys: ['app/config'] })), undefined);
    assert.equal(resticProfile(jobCalls({ keys: ['app/data/report.csv', 'app/locks/today'] })), undefined);
    assert.equal(resticProfile(jobCalls({ listPrefixes: ['app/', 'daily/'] })), undefined);
    assert.equal(resticProfile(jobCalls({ keys: [`app/data/${id(0xab).toUpperCase()}`] })), undefined);
  });

  test('a delete of a snapshot, index or data file (forget, prune): s3:DeleteObject on the whole repository', () => {
    const snapshot = `hosts/web1/snapshots/${id(9)}`;
    const profile = resticProfile(jobCalls({ keys: [snapshot], deletedKeys: [snapshot] }));
    assert.deepEqual(
      profile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['ResticBucket', ['s3:ListBucket'], ['arn:aws:s3:::backups']],
        [
          'ResticRepository',
          ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::backups/hosts/web1/*'],
        ],
      ],
    );
    assert.ok(profile?.notes.some((n) => n.includes('forget and prune')));
  });

  test('a delete of a lock alone keeps the deletes on the locks', () => {
    const lock = `hosts/web1/locks/${id(3)}`;
    assert.deepEqual(statements({ keys: [lock], deletedKeys: [lock] })?.[2], [
      'ResticLocks',
      ['s3:DeleteObject'],
      ['arn:aws:s3:::backups/hosts/web1/locks/*'],
    ]);
  });

  test('the older S3 layout (key/, lock/, snapshot/, data/<id>): the locks are under lock/', () => {
    const profile = resticProfile(jobCalls({ keys: [`old/lock/${id(2)}`, `old/data/${id(4)}`] }));
    assert.deepEqual(profile?.repositories, ['old']);
    assert.deepEqual(profile?.statements[2]?.Resource, ['arn:aws:s3:::backups/old/lock/*']);
  });

  test('two repositories in one bucket: both, in order', () => {
    const profile = resticProfile(jobCalls({ listPrefixes: ['hosts/web2/keys/', 'hosts/web1/locks/'] }));
    assert.deepEqual(profile?.statements[1]?.Resource, [
      'arn:aws:s3:::backups/hosts/web1/*',
      'arn:aws:s3:::backups/hosts/web2/*',
    ]);
  });

  test("GetBucketLocation joins the bucket's actions, with the region as the alternative that removes it", () => {
    const profile = resticProfile(
      jobCalls({ listPrefixes: ['r/keys/'], eventNames: new Set(['GetBucketLocation', 'ListObjects']) }),
    );
    assert.deepEqual(profile?.statements[0]?.Action, ['s3:GetBucketLocation', 's3:ListBucket']);
    assert.deepEqual(
      profile?.alternatives.map((a) => [a.kind, a.removes]),
      [['client-config', ['s3:GetBucketLocation']]],
    );
    assert.match(profile?.alternatives[0]?.text ?? '', /AWS_DEFAULT_REGION=<region>, -o s3\.region=<region>/);
  });

  test('a refused CreateBucket (init of a missing bucket) joins too, with creating the bucket first as the alternative', () => {
    const profile = resticProfile(
      jobCalls({ listPrefixes: ['r/keys/'], eventNames: new Set(['CreateBucket']) }),
    );
    assert.deepEqual(profile?.statements[0]?.Action, ['s3:CreateBucket', 's3:ListBucket']);
    assert.deepEqual(
      profile?.alternatives.map((a) => a.removes),
      [['s3:CreateBucket']],
    );
  });

  test('a HEAD of the bucket (init) gets the note on restic 0.14.0, which stops when it is refused', () => {
    const profile = resticProfile(
      jobCalls({ listPrefixes: ['r/keys/'], eventNames: new Set(['HeadBucket']) }),
    );
    assert.ok(profile?.notes.some((n) => n.includes('restic 0.14.0')));
    assert.ok(
      !resticProfile(jobCalls({ listPrefixes: ['r/keys/'] }))?.notes.some((n) => n.includes('restic 0.14.0')),
    );
  });

  test("the bucket's partition, and IAM's wildcard characters in a prefix written literally", () => {
    assert.deepEqual(
      statements({ partition: 'aws-cn', listPrefixes: ['team*/keys/'] })?.map(([, , r]) => r),
      [
        ['arn:aws-cn:s3:::backups'],
        ['arn:aws-cn:s3:::backups/team${*}/*'],
        ['arn:aws-cn:s3:::backups/team${*}/locks/*'],
      ],
    );
  });
});
