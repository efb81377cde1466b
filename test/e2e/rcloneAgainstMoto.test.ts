/**
 * The seed story with the real tools: Debian's rclone talks S3 to moto (a real AWS API emulator, in
 * server mode on loopback) with IAM enforcement on, as a user whose policy grants only s3:PutObject and
 * s3:GetObject. The job fails; `explain` reads the CloudTrail events of its calls and the account
 * snapshot that moto's `GetAccountAuthorizationDetails` returns (through the AWS SDK v3 IAM client); the
 * test then applies what explain proposed and runs the same job again.
 *
 * moto does not log S3 data events to CloudTrail: a recording proxy between rclone and moto writes the
 * events AWS would have logged (`test/support/s3CallRecorder.ts`). moto authorizes each S3 request by
 * operation (HEAD object = s3:GetObject, list = s3:ListBucket, PUT bucket = s3:CreateBucket); unlike
 * AWS it does not require s3:PutObjectAcl for the `x-amz-acl` header rclone 1.60 sends, nor answer 403
 * for a HEAD on a missing key without s3:ListBucket, so those two rules are tested elsewhere
 * (events/03 and events/23, `test/events`).
 *
 * Needs `python3 -m pip install 'moto[server]'` and rclone (`apt-get install rclone`); `.ci/run`
 * installs both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetPolicyCommand, GetPolicyVersionCommand } from '@aws-sdk/client-iam';
import type { JobProfile } from '../../src/domain/explain/report.js';
import {
  type ClientRun,
  cleanEnvironment,
  MotoAccount,
  type MotoRoleSession,
  type MotoUser,
  onlyFinding,
  writeSampleData,
} from '../support/motoAccount.js';
import { copyOnlyPolicy, runRclone } from '../support/rclone.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const BUCKET = 'backup-bucket';

const WRITE_ONLY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'BackupObjects',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject'],
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    },
  ],
};

/** Every Resource of the profile's statements, sorted. */
function resourcesOf(profile: JobProfile): string[] {
  return [...new Set(profile.statements.flatMap((s) => s.Resource))].sort();
}

describe('rclone against moto: explain, apply, run again', () => {
  const dir = temporaryDirectory('pa-rclone-moto-');
  let account: MotoAccount;

  before(async () => {
    account = await MotoAccount.start(dir(), [BUCKET]);
    const version = await account.runClient('rclone', ['version'], { cwd: dir(), env: cleanEnvironment() });
    if (version.code !== 0) throw new Error(`rclone version failed: ${version.output}`);
    await writeSampleData(dir());
  });

  after(async () => {
    await account?.stop();
  });

  /**
   * Runs Debian's rclone as `user`. Debian's build sends a bare `rclone/` user agent; by default the runs
   * send the version it is, as a release build does, so that explain applies what v1.60.1 does.
   */
  function rclone(
    user: MotoUser | MotoRoleSession,
    args: readonly string[],
    userAgent = 'rclone/v1.60.1',
  ): Promise<ClientRun> {
    return runRclone(account, user, args, { cwd: dir(), userAgent });
  }

  let seedUser: MotoUser;

  test('rclone copy with PutObject + GetObject fails on the listing; explain names s3:ListBucket in BackupWriter, and its new version lets the same job finish', async () => {
    seedUser = await account.createUser('rclone-backup', 'BackupWriter', WRITE_ONLY_POLICY);
    const failed = await rclone(seedUser, ['copy', 'data', `moto:${BUCKET}/daily`]);
    assert.notEqual(failed.code, 0, 'the job must fail before the fix');
    assert.match(failed.output, /AccessDenied/);

    const finding = onlyFinding(await account.explainRun(seedUser, failed, 'copy-denied'));
    assert.equal(finding.principal.arn, `arn:aws:iam::${seedUser.accountId}:user/rclone-backup`);
    assert.equal(finding.client.tool, 'rclone');
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.equal(finding.evidence, 'policies');
    assert.deepEqual(
      finding.requests.map((r) => [r.eventName, r.action, r.resource, r.decision]),
      [['ListObjects', 's3:ListBucket', `arn:aws:s3:::${BUCKET}`, 'ImplicitlyDenied']],
    );
    const fix = finding.fix;
    assert.ok(fix !== null);
    assert.equal(fix.attachKind, 'managed-policy-version');
    assert.equal(fix.policyArn, seedUser.policyArn);
    assert.deepEqual(
      fix.statements.map((s) => [s.Effect, s.Action, s.Resource]),
      [['Allow', ['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]]],
    );
    assert.equal(fix.verified, true);
    // AWS would also have refused the HEAD of `daily` (a missing key, without s3:ListBucket), which tells
    // explain the job is a copy or sync; moto answered 404, so only the listing was denied, and a job
    // that dies on its first listing could be a read-only one.
    assert.equal(finding.jobProfile?.operation, 'unknown');

    // Apply the proposed version exactly as explain wrote it, then run the same job again.
    await account.setPolicyVersion(seedUser, fix.newDocument);
    const again = await rclone(seedUser, ['copy', 'data', `moto:${BUCKET}/daily`]);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'daily/'), ['daily/a.txt', 'daily/sub/b.txt']);
  });

  test('rclone copyto then fails on CreateBucket; explain offers no_check_bucket instead, and with it the job finishes without the grant', async () => {
    assert.ok(seedUser !== undefined, 'runs after the first test');
    const failed = await rclone(seedUser, ['copyto', 'data/a.txt', `moto:${BUCKET}/daily/one.txt`]);
    assert.notEqual(failed.code, 0);

    const finding = onlyFinding(await account.explainRun(seedUser, failed, 'copyto-denied'));
    assert.deepEqual(
      [...new Set(finding.requests.map((r) => [r.eventName, r.action, r.resource, r.decision].join(' ')))],
      [`CreateBucket s3:CreateBucket arn:aws:s3:::${BUCKET} ImplicitlyDenied`],
    );
    assert.deepEqual(
      finding.fix?.statements.map((s) => s.Action),
      [['s3:CreateBucket']],
    );
    assert.equal(finding.fix?.verified, true);
    const noCheck = finding.alternatives.find((a) => a.removes.includes('s3:CreateBucket'));
    assert.ok(noCheck !== undefined, 'an alternative that removes s3:CreateBucket');
    assert.match(noCheck.text, /--s3-no-check-bucket/);

    const withAlternative = await rclone(seedUser, [
      'copyto',
      'data/a.txt',
      `moto:${BUCKET}/daily/one.txt`,
      '--s3-no-check-bucket',
    ]);
    assert.equal(withAlternative.code, 0, withAlternative.output);
    assert.ok((await account.objectKeys(BUCKET, 'daily/')).includes('daily/one.txt'));
    const current = await account.iam.send(new GetPolicyCommand({ PolicyArn: seedUser.policyArn }));
    const version = await account.iam.send(
      new GetPolicyVersionCommand({
        PolicyArn: seedUser.policyArn,
        VersionId: current.Policy?.DefaultVersionId,
      }),
    );
    assert.doesNotMatch(decodeURIComponent(version.PolicyVersion?.Document ?? ''), /CreateBucket/);
  });

  test('the rclone job profile from one failed copy is the whole set: with it alone, copy, a second copy and copyto with no_check_bucket all succeed', async () => {
    const user = await account.createUser('rclone-nightly', 'NightlyWriter', {
      ...WRITE_ONLY_POLICY,
      Statement: [{ ...WRITE_ONLY_POLICY.Statement[0], Resource: `arn:aws:s3:::${BUCKET}/nightly/*` }],
    });
    const failed = await rclone(user, ['copy', 'data', `moto:${BUCKET}/nightly`]);
    assert.notEqual(failed.code, 0);
    const profile = onlyFinding(await account.explainRun(user, failed, 'nightly-denied')).jobProfile;
    assert.ok(profile !== null);
    assert.equal(profile.tool, 'rclone');
    // Scoped to the job's directory (the denied HEAD of `nightly` names it), not the whole bucket.
    assert.deepEqual(resourcesOf(profile), [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/nightly/*`]);

    // Replace every grant the user had with the profile alone.
    await account.grantOnly(user, profile.statements);
    for (const args of [
      ['copy', 'data', `moto:${BUCKET}/nightly`],
      ['copy', 'data', `moto:${BUCKET}/nightly`],
      ['copyto', 'data/sub/b.txt', `moto:${BUCKET}/nightly/single.txt`, '--s3-no-check-bucket'],
    ]) {
      const done = await rclone(user, args);
      assert.equal(done.code, 0, `rclone ${args.join(' ')}: ${done.output}`);
      if (args[0] === 'copy') {
        // The root probe explain leaves out of the profile is still refused, and rclone finishes anyway.
        const probe = account.recorder.calls
          .slice(done.from)
          .find((c) => c.method === 'HEAD' && c.url === `/${BUCKET}/nightly`);
        assert.equal(probe?.status, 403);
        // Its whole trail (the listing of nightly/ succeeded) shows that check as the only denial: one
        // finding with nothing to grant, not an s3:GetObject on the bucket.
        const finding = onlyFinding(await account.explainRun(user, done, `nightly-ok-${done.from}`));
        assert.equal(finding.fix, null);
        assert.ok(
          finding.caveats.some((c) => c.startsWith('Nothing to grant')),
          finding.caveats.join(' | '),
        );
      }
    }
    assert.deepEqual(await account.objectKeys(BUCKET, 'nightly/'), [
      'nightly/a.txt',
      'nightly/single.txt',
      'nightly/sub/b.txt',
    ]);
  });

  test('rclone sync with a copy-only policy fails deleting a stale file; explain calls it a sync and its profile adds s3:DeleteObject, with which the sync finishes', async () => {
    const user = await account.createUser('rclone-mirror', 'MirrorWriter', copyOnlyPolicy(BUCKET, 'mirror'));
    await account.putObjects(
      BUCKET,
      ['mirror/stale-1.txt', 'mirror/old/stale-2.txt'],
      'left from an earlier run\n',
    );
    const failed = await rclone(user, ['sync', 'data', `moto:${BUCKET}/mirror`]);
    assert.notEqual(failed.code, 0, 'the deletes must be refused');

    const finding = onlyFinding(await account.explainRun(user, failed, 'sync-denied'));
    assert.equal(finding.cause, 'identity-missing-allow');
    // rclone first HEADs `mirror` (is the destination a file?): outside mirror/*, so denied, and ignored
    // by rclone. explain lists it, but neither grants it nor lets it widen the fix to the whole bucket.
    assert.deepEqual(finding.requests.map((r) => [r.eventName, r.action, r.resource]).sort(), [
      ['DeleteObject', 's3:DeleteObject', `arn:aws:s3:::${BUCKET}/mirror/old/stale-2.txt`],
      ['DeleteObject', 's3:DeleteObject', `arn:aws:s3:::${BUCKET}/mirror/stale-1.txt`],
      ['HeadObject', 's3:GetObject', `arn:aws:s3:::${BUCKET}/mirror`],
    ]);
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:DeleteObject'], [`arn:aws:s3:::${BUCKET}/mirror/*`]]],
    );
    assert.equal(finding.fix?.verified, true);
    assert.ok(finding.caveats.some((c) => c.includes(`HEAD of ${BUCKET}/mirror is rclone checking`)));
    const profile = finding.jobProfile;
    assert.equal(profile?.operation, 'sync');
    assert.ok(profile.statements.some((s) => s.Action.includes('s3:DeleteObject')));
    assert.deepEqual(resourcesOf(profile), [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/mirror/*`]);

    await account.grantOnly(user, profile.statements);
    const again = await rclone(user, ['sync', 'data', `moto:${BUCKET}/mirror`]);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'mirror/'), ['mirror/a.txt', 'mirror/sub/b.txt']);
  });

  test('as a role session (role at a path): explain finds the role and its managed policy in the snapshot, and the fixed version lets the session finish', async () => {
    const session = await account.createRoleSession(
      'backup-runner',
      '/jobs/nightly/',
      'RunnerObjects',
      {
        ...WRITE_ONLY_POLICY,
        Statement: [{ ...WRITE_ONLY_POLICY.Statement[0], Resource: `arn:aws:s3:::${BUCKET}/runner/*` }],
      },
      'nightly-42',
    );
    const failed = await rclone(session, ['copy', 'data', `moto:${BUCKET}/runner/`]);
    assert.notEqual(failed.code, 0);

    const finding = onlyFinding(await account.explainRun(session, failed, 'role-denied'));
    assert.equal(finding.principal.type, 'Role');
    assert.equal(
      finding.principal.arn,
      `arn:aws:sts::${session.accountId}:assumed-role/backup-runner/nightly-42`,
    );
    assert.equal(finding.cause, 'identity-missing-allow');
    const fix = finding.fix;
    assert.ok(fix?.verified);
    assert.equal(fix.attachKind, 'managed-policy-version');
    assert.equal(fix.policyArn, session.policyArn);
    assert.deepEqual(
      fix.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]]],
    );

    await account.setPolicyVersion(session, fix.newDocument);
    const again = await rclone(session, ['copy', 'data', `moto:${BUCKET}/runner/`]);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'runner/'), ['runner/a.txt', 'runner/sub/b.txt']);
  });

  test("with Debian's bare `rclone/` user agent the version is unknown: the denied root check is granted on that key alone, and the sync finishes", async () => {
    const user = await account.createUser('rclone-bare', 'BareWriter', copyOnlyPolicy(BUCKET, 'bare'));
    await account.putObjects(BUCKET, ['bare/stale.txt'], 'old\n');
    const failed = await rclone(user, ['sync', 'data', `moto:${BUCKET}/bare`], '');
    assert.notEqual(failed.code, 0);

    const finding = onlyFinding(await account.explainRun(user, failed, 'bare-denied'));
    assert.equal(finding.client.tool, 'rclone');
    assert.equal(finding.client.version, undefined);
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [
        [['s3:GetObject'], [`arn:aws:s3:::${BUCKET}/bare`]],
        [['s3:DeleteObject'], [`arn:aws:s3:::${BUCKET}/bare/*`]],
      ],
    );
    assert.ok(finding.caveats.some((c) => c.includes('the rclone version is unknown')));
    await account.setPolicyVersion(user, finding.fix?.newDocument);
    const again = await rclone(user, ['sync', 'data', `moto:${BUCKET}/bare`], '');
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'bare/'), ['bare/a.txt', 'bare/sub/b.txt']);
  });
});
