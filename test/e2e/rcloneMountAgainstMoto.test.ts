/**
 * `rclone mount` (Debian's rclone 1.60.1, with its bare `rclone/` user agent) of a directory of a bucket
 * in moto, with IAM enforced for as long as it is mounted, through the recording proxy (root and
 * /dev/fuse, see fuseMount.ts). With s3:ListBucket, and s3:GetObject and s3:PutObject on the directory,
 * listing, reading and writing work, but `mv` (a server-side copy, then a delete) and `rm` fail with an
 * I/O error. explain reads the mount's CloudTrail events: reads with deletes make it a mount, and the
 * profile it proposes, applied alone, lets every file operation through.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { withMount } from '../support/fuseMount.js';
import { type MotoUser, motoSuite, onlyFinding } from '../support/motoAccount.js';
import { copyOnlyPolicy, rcloneEnvironment } from '../support/rclone.js';

const BUCKET = 'shared-data';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;

describe('rclone mount against moto: explain, apply the profile, mount again', () => {
  const suite = motoSuite('pa-rclone-mount-', [BUCKET], (account) =>
    account.putObjects(BUCKET, ['team/a.txt', 'team/sub/b.txt']),
  );
  const { dir } = suite;

  function rcloneMount(user: MotoUser, name: string, steps: readonly string[]) {
    const point = join(dir(), name);
    return withMount(
      suite.account,
      point,
      {
        command: 'rclone',
        args: [
          'mount',
          `moto:${BUCKET}/team`,
          point,
          '--daemon',
          '--retries',
          '1',
          '--low-level-retries',
          '1',
        ],
        env: rcloneEnvironment(suite.account, user, dir()),
      },
      steps,
    );
  }

  test('a copy-only policy: mv and rm fail; explain calls it a mount, and its profile alone lets every file operation through', async () => {
    const user = await suite.account.createUser(
      'rclone-mount',
      'RcloneMountCopyOnly',
      copyOnlyPolicy(BUCKET, 'team'),
    );
    const refused = await rcloneMount(user, 'copy-only', [
      'ls -la . sub',
      'cat a.txt',
      'echo hello > new.txt',
      'mkdir dir2',
      'mv new.txt dir2/moved.txt',
      'rm a.txt',
    ]);
    assert.ok(refused.mounted);
    assert.deepEqual(
      refused.codes.map((c) => c === 0),
      [true, true, true, true, false, false],
      refused.run.output,
    );

    const finding = onlyFinding(await suite.account.explainRun(user, refused.run, 'rclone-mount-denied'));
    assert.equal(finding.client.tool, 'rclone');
    assert.ok(
      finding.requests.some(
        (r) =>
          r.action === 's3:DeleteObject' &&
          r.resource === `${BUCKET_ARN}/team/a.txt` &&
          r.decision !== 'Allowed',
      ),
    );
    const profile = finding.jobProfile;
    assert.equal(profile?.tool, 'rclone');
    assert.equal(profile.operation, 'mount');
    const objects = profile.statements.find((s) => s.Resource.includes(`${BUCKET_ARN}/team/*`));
    assert.deepEqual(objects?.Action, [
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);

    await suite.account.grantOnly(user, profile.statements);
    const again = await rcloneMount(user, 'profile', [
      'mv dir2/moved.txt renamed.txt',
      'rm a.txt new.txt',
      'echo again > c.txt',
      'mkdir d3',
      'mv c.txt d3/',
      'rm d3/c.txt renamed.txt',
      'rmdir d3 dir2',
    ]);
    assert.ok(again.mounted);
    assert.deepEqual(again.codes, [0, 0, 0, 0, 0, 0, 0], again.run.output);
    assert.deepEqual(
      suite.account.refusedCalls(again.run),
      [],
      'a call of the mount was refused under the profile',
    );
    assert.deepEqual(await suite.account.objectKeys(BUCKET, 'team/'), ['team/sub/b.txt']);
  });
});
