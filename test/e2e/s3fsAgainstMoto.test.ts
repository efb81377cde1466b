/**
 * s3fs-fuse (the machine's `s3fs`, Debian's 1.90 by `npm run test:deps`; PA_TEST_S3FS names another)
 * mounts a directory of a bucket in moto, with IAM enforced, through the recording proxy; the tests run
 * as root, with /dev/fuse. A user with s3:ListBucket, and s3:GetObject and s3:PutObject on the
 * directory, can list, read, write and touch files, but `mv` and `rm` are refused; explain reads the
 * CloudTrail events of the mount's calls and moto's account snapshot, and the s3fs profile it proposes,
 * applied alone, lets every file operation through. A user without s3:ListBucket cannot mount at all: the
 * profile then covers the bucket and says how to scope it.
 *
 * s3fs runs with `-o sigv4`: s3fs 1.90 retries a refused request signed with signature version 2, which
 * moto with IAM enforced answers with a 500.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Finding, PolicyStatement } from '../../src/domain/explain/report.js';
import { type MountedRun, withMount } from '../support/fuseMount.js';
import { type MotoUser, motoSuite, onlyFinding } from '../support/motoAccount.js';

const BUCKET = 'shared-data';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const S3FS = process.env.PA_TEST_S3FS ?? 's3fs';

describe('s3fs against moto: explain, apply the profile, mount again', () => {
  const suite = motoSuite('pa-s3fs-moto-', [BUCKET], (account) =>
    account.putObjects(BUCKET, ['team/a.txt', 'team/sub/b.txt']),
  );
  const { dir } = suite;

  /** Mounts `BUCKET:/team` at `name` as `user` and runs `steps` in it (see withMount). */
  async function s3fsMount(user: MotoUser, name: string, steps: readonly string[]): Promise<MountedRun> {
    const passwd = join(dir(), `${name}.passwd`);
    await writeFile(passwd, `${user.accessKeyId}:${user.secretAccessKey}\n`, { mode: 0o600 });
    const point = join(dir(), name);
    const options = [
      `url=${suite.account.recorder.endpoint}`,
      'use_path_request_style',
      'sigv4',
      `passwd_file=${passwd}`,
    ];
    return withMount(
      suite.account,
      point,
      { command: S3FS, args: [`${BUCKET}:/team`, point, ...options.flatMap((o) => ['-o', o])] },
      steps,
    );
  }

  function profileOf(finding: Finding): [string | undefined, readonly string[], readonly string[]][] {
    assert.equal(finding.jobProfile?.tool, 's3fs', JSON.stringify(finding.jobProfile));
    assert.equal(finding.jobProfile.operation, 'mount');
    return finding.jobProfile.statements.map((s: PolicyStatement) => [s.Sid, s.Action, s.Resource]);
  }

  const FILE_STEPS = [
    'ls -la . sub',
    'cat a.txt',
    'echo hello > new.txt',
    'touch a.txt',
    'mv new.txt renamed.txt',
    'rm a.txt',
  ];

  test('s3:ListBucket, and s3:GetObject and s3:PutObject on the directory: mv and rm are refused; the s3fs profile alone lets every file operation through', async () => {
    const user = await suite.account.createUser('s3fs-team', 'S3fsTeamReadWrite', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: BUCKET_ARN },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `${BUCKET_ARN}/team/*` },
      ],
    });
    const refused = await s3fsMount(user, 'rw', FILE_STEPS);
    assert.ok(refused.mounted);
    // ls, cat, the write and touch (a copy onto itself) pass; mv (copy, then delete) and rm do not.
    assert.deepEqual(
      refused.codes.map((c) => c === 0),
      [true, true, true, true, false, false],
    );

    const finding = onlyFinding(await suite.account.explainRun(user, refused.run, 's3fs-delete-denied'));
    assert.equal(finding.client.tool, 'other');
    assert.match(finding.client.userAgent ?? '', /^s3fs\//);
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:DeleteObject'], [`${BUCKET_ARN}/team/*`]]],
    );
    assert.deepEqual(profileOf(finding), [
      ['S3fsListBucket', ['s3:ListBucket'], [BUCKET_ARN]],
      [
        'S3fsObjects',
        ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        [`${BUCKET_ARN}/team/*`],
      ],
    ]);
    // The mount wrote: no read-only alternative.
    assert.deepEqual(finding.alternatives, []);

    await suite.account.grantOnly(user, finding.jobProfile?.statements ?? []);
    const again = await s3fsMount(user, 'rw-again', [
      'echo again > b.txt',
      'chmod 600 b.txt',
      'mv b.txt moved.txt',
      'mkdir dir2',
      'mv moved.txt dir2/',
      'rm dir2/moved.txt renamed.txt new.txt',
      'rmdir dir2',
      'rm sub/b.txt',
    ]);
    assert.ok(again.mounted);
    assert.deepEqual(again.codes, [0, 0, 0, 0, 0, 0, 0, 0], again.run.output);
    assert.deepEqual(
      suite.account.refusedCalls(again.run),
      [],
      'a call of the mount was refused under the profile',
    );
    assert.deepEqual(await suite.account.objectKeys(BUCKET, 'team/'), ['team/a.txt']);
  });

  test('no s3:ListBucket: nothing is mounted; the profile covers the bucket, says how to scope it, and alone lets it mount', async () => {
    await suite.account.putObjects(BUCKET, ['team/c.txt']);
    const user = await suite.account.createUser('s3fs-objects', 'S3fsObjectsOnly', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `${BUCKET_ARN}/team/*` },
      ],
    });
    const refused = await s3fsMount(user, 'objects', []);
    assert.equal(refused.mounted, false, 'mounted without s3:ListBucket');

    const finding = onlyFinding(
      await suite.account.explainRun(user, { ...refused.run, code: 1 }, 's3fs-mount-denied'),
    );
    assert.deepEqual(
      [...new Set(finding.requests.map((r) => `${r.eventName} ${r.action} ${r.resource}`))],
      [`ListObjects s3:ListBucket ${BUCKET_ARN}`],
    );
    assert.deepEqual(profileOf(finding), [
      ['S3fsListBucket', ['s3:ListBucket'], [BUCKET_ARN]],
      [
        'S3fsObjects',
        ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        [`${BUCKET_ARN}/*`],
      ],
    ]);
    assert.ok(finding.jobProfile?.notes.some((n) => n.includes(`${BUCKET_ARN}/path/*`)));
    assert.deepEqual(
      finding.alternatives.map((a) => a.removes),
      [['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject']],
    );

    await suite.account.grantOnly(user, finding.jobProfile?.statements ?? []);
    const again = await s3fsMount(user, 'objects-again', ['ls']);
    assert.ok(again.mounted);
    assert.deepEqual(again.codes, [0]);
    assert.match(again.run.output, /c\.txt/);
  });
});
