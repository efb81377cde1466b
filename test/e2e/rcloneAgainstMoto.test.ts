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
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateUserCommand,
  GetAccountAuthorizationDetailsCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ExplainReport, Finding, JobProfile } from '../../src/domain/explain/report.js';
import { runCli } from '../cli/cliHarness.js';
import { type MotoServer, startMotoServer } from '../support/motoServer.js';
import {
  cloudTrailFile,
  type IamUserIdentity,
  type S3CallRecorder,
  startS3CallRecorder,
} from '../support/s3CallRecorder.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const run = promisify(execFile);
const REGION = 'us-east-1';
const BUCKET = 'backup-bucket';
/** Credentials for setting up while moto does not enforce IAM (any key is accepted then). */
const SETUP_CREDENTIALS = { accessKeyId: 'AKIASETUPSETUPSETUP0', secretAccessKey: 'setup' };

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

interface User extends IamUserIdentity {
  readonly secretAccessKey: string;
}

interface RcloneRun {
  readonly code: number;
  readonly output: string;
}

describe('rclone against moto: explain, apply, run again', () => {
  const dir = temporaryDirectory('pa-rclone-moto-');
  let moto: MotoServer;
  let recorder: S3CallRecorder;
  let iam: IAMClient;
  let s3: S3Client;
  let accountId: string;

  before(async () => {
    await run('rclone', ['version']).catch((error: unknown) => {
      throw new Error(`rclone cannot be run (${String(error)}); install it with: npm run test:deps`);
    });
    moto = await startMotoServer();
    recorder = await startS3CallRecorder(moto.endpoint);
    const clientConfig = { endpoint: moto.endpoint, region: REGION, credentials: SETUP_CREDENTIALS };
    iam = new IAMClient(clientConfig);
    s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await mkdir(join(dir(), 'data', 'sub'), { recursive: true });
    await writeFile(join(dir(), 'data', 'a.txt'), 'first file\n');
    await writeFile(join(dir(), 'data', 'sub', 'b.txt'), 'second file\n');
  });

  after(async () => {
    iam?.destroy();
    s3?.destroy();
    await recorder?.close();
    await moto?.stop();
  });

  /** A user with one customer-managed policy, and an access key. */
  async function createUser(
    name: string,
    policyName: string,
    document: unknown,
  ): Promise<User & { policyArn: string }> {
    const user = (await iam.send(new CreateUserCommand({ UserName: name }))).User;
    const policy = (
      await iam.send(
        new CreatePolicyCommand({ PolicyName: policyName, PolicyDocument: JSON.stringify(document) }),
      )
    ).Policy;
    assert.ok(user?.UserId && user.Arn && policy?.Arn);
    await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: policy.Arn }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
    assert.ok(key?.AccessKeyId && key.SecretAccessKey);
    accountId = user.Arn.split(':')[4] ?? '';
    return {
      accountId,
      userName: name,
      userId: user.UserId,
      accessKeyId: key.AccessKeyId,
      secretAccessKey: key.SecretAccessKey,
      policyArn: policy.Arn,
    };
  }

  /** Runs rclone as `user` through the recorder, with moto enforcing IAM; returns its exit code and log. */
  async function rclone(user: User, args: readonly string[]): Promise<{ result: RcloneRun; from: number }> {
    const from = recorder.calls.length;
    const env = {
      // Only the remote below: no AWS_* variables of this machine (a CA bundle, a profile) reach rclone.
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AWS_|RCLONE_)/.test(name))),
      RCLONE_CONFIG: join(dir(), 'no-rclone.conf'),
      RCLONE_CONFIG_MOTO_TYPE: 's3',
      RCLONE_CONFIG_MOTO_PROVIDER: 'Other',
      RCLONE_CONFIG_MOTO_ENDPOINT: recorder.endpoint,
      RCLONE_CONFIG_MOTO_REGION: REGION,
      RCLONE_CONFIG_MOTO_ACCESS_KEY_ID: user.accessKeyId,
      RCLONE_CONFIG_MOTO_SECRET_ACCESS_KEY: user.secretAccessKey,
    };
    await moto.enforceIam(true);
    try {
      await run('rclone', [...args, '--retries', '1', '--low-level-retries', '1'], { cwd: dir(), env });
      return { result: { code: 0, output: '' }, from };
    } catch (error) {
      const failure = error as { code?: unknown; stderr?: string; stdout?: string };
      if (typeof failure.code !== 'number') throw error;
      return {
        result: { code: failure.code, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` },
        from,
      };
    } finally {
      await moto.enforceIam(false);
    }
  }

  /** `aws iam get-account-authorization-details` from moto, all pages, as the API returns it. */
  async function accountSnapshot(): Promise<string> {
    const pages: Omit<GetAccountAuthorizationDetailsCommandOutput, '$metadata'>[] = [];
    let marker: string | undefined;
    do {
      const { $metadata: _, ...page } = await iam.send(
        new GetAccountAuthorizationDetailsCommand(marker !== undefined ? { Marker: marker } : {}),
      );
      pages.push(page);
      marker = page.IsTruncated === true ? page.Marker : undefined;
    } while (marker !== undefined);
    const path = join(dir(), `authz-${Date.now()}.json`);
    await writeFile(
      path,
      JSON.stringify({
        UserDetailList: pages.flatMap((p) => p.UserDetailList ?? []),
        GroupDetailList: pages.flatMap((p) => p.GroupDetailList ?? []),
        RoleDetailList: pages.flatMap((p) => p.RoleDetailList ?? []),
        Policies: pages.flatMap((p) => p.Policies ?? []),
      }),
    );
    return path;
  }

  /** `permission-auditor explain --format json` on the CloudTrail events of `user`'s calls since `from`. */
  async function explainCalls(user: User, from: number, name: string): Promise<ExplainReport> {
    const trail = join(dir(), `${name}.json`);
    await writeFile(trail, cloudTrailFile(recorder.calls.slice(from), user));
    const cli = await runCli([
      'explain',
      trail,
      '--account-snapshot',
      await accountSnapshot(),
      '--format',
      'json',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const report = JSON.parse(cli.stdout) as ExplainReport;
    assert.deepEqual(report.errors, []);
    return report;
  }

  async function objectKeys(prefix: string): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
  }

  function onlyFinding(report: ExplainReport): Finding {
    assert.equal(report.findings.length, 1, JSON.stringify(report.findings.map((f) => f.summary)));
    return report.findings[0]!;
  }

  /** The job profile as an inline policy of `user`. */
  async function grantProfile(user: User, profile: JobProfile): Promise<void> {
    await iam.send(
      new PutUserPolicyCommand({
        UserName: user.userName,
        PolicyName: 'RcloneJobProfile',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: profile.statements }),
      }),
    );
  }

  let seedUser: User & { policyArn: string };

  test('rclone copy with PutObject + GetObject fails on the listing; explain names s3:ListBucket in BackupWriter, and its new version lets the same job finish', async () => {
    seedUser = await createUser('rclone-backup', 'BackupWriter', WRITE_ONLY_POLICY);
    const failed = await rclone(seedUser, ['copy', 'data', `moto:${BUCKET}/daily`]);
    assert.notEqual(failed.result.code, 0, 'the job must fail before the fix');
    assert.match(failed.result.output, /AccessDenied/);

    const finding = onlyFinding(await explainCalls(seedUser, failed.from, 'copy-denied'));
    assert.equal(finding.principal.arn, `arn:aws:iam::${accountId}:user/rclone-backup`);
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
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: seedUser.policyArn,
        PolicyDocument: JSON.stringify(fix.newDocument),
        SetAsDefault: true,
      }),
    );
    const again = await rclone(seedUser, ['copy', 'data', `moto:${BUCKET}/daily`]);
    assert.equal(again.result.code, 0, again.result.output);
    assert.deepEqual(await objectKeys('daily/'), ['daily/a.txt', 'daily/sub/b.txt']);
  });

  test('rclone copyto then fails on CreateBucket; explain offers no_check_bucket instead, and with it the job finishes without the grant', async () => {
    assert.ok(seedUser !== undefined, 'runs after the first test');
    const failed = await rclone(seedUser, ['copyto', 'data/a.txt', `moto:${BUCKET}/daily/one.txt`]);
    assert.notEqual(failed.result.code, 0);

    const finding = onlyFinding(await explainCalls(seedUser, failed.from, 'copyto-denied'));
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
    assert.equal(withAlternative.result.code, 0, withAlternative.result.output);
    assert.ok((await objectKeys('daily/')).includes('daily/one.txt'));
    const current = await iam.send(new GetPolicyCommand({ PolicyArn: seedUser.policyArn }));
    const version = await iam.send(
      new GetPolicyVersionCommand({
        PolicyArn: seedUser.policyArn,
        VersionId: current.Policy?.DefaultVersionId,
      }),
    );
    assert.doesNotMatch(decodeURIComponent(version.PolicyVersion?.Document ?? ''), /CreateBucket/);
  });

  test('the rclone job profile from one failed copy is the whole set: with it alone, copy, a second copy and copyto with no_check_bucket all succeed', async () => {
    const user = await createUser('rclone-nightly', 'NightlyWriter', {
      ...WRITE_ONLY_POLICY,
      Statement: [{ ...WRITE_ONLY_POLICY.Statement[0], Resource: `arn:aws:s3:::${BUCKET}/nightly/*` }],
    });
    const failed = await rclone(user, ['copy', 'data', `moto:${BUCKET}/nightly`]);
    assert.notEqual(failed.result.code, 0);
    const profile = onlyFinding(await explainCalls(user, failed.from, 'nightly-denied')).jobProfile;
    assert.ok(profile !== null);
    assert.equal(profile.tool, 'rclone');
    // Scoped to the job's directory (the denied HEAD of `nightly` names it), not the whole bucket.
    assert.deepEqual(resourcesOf(profile), [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/nightly/*`]);

    // Replace every grant the user had with the profile alone.
    await grantProfile(user, profile);
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: user.policyArn,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: 'arn:aws:s3:::unused-bucket' },
          ],
        }),
        SetAsDefault: true,
      }),
    );
    for (const args of [
      ['copy', 'data', `moto:${BUCKET}/nightly`],
      ['copy', 'data', `moto:${BUCKET}/nightly`],
      ['copyto', 'data/sub/b.txt', `moto:${BUCKET}/nightly/single.txt`, '--s3-no-check-bucket'],
    ]) {
      const done = await rclone(user, args);
      assert.equal(done.result.code, 0, `rclone ${args.join(' ')}: ${done.result.output}`);
      if (args[0] === 'copy') {
        // The root probe explain leaves out of the profile is still refused, and rclone finishes anyway.
        const probe = recorder.calls
          .slice(done.from)
          .find((c) => c.method === 'HEAD' && c.url === `/${BUCKET}/nightly`);
        assert.equal(probe?.status, 403);
      }
    }
    assert.deepEqual(await objectKeys('nightly/'), [
      'nightly/a.txt',
      'nightly/single.txt',
      'nightly/sub/b.txt',
    ]);
  });

  test('rclone sync with a copy-only policy fails deleting a stale file; explain calls it a sync and its profile adds s3:DeleteObject, with which the sync finishes', async () => {
    const user = await createUser('rclone-mirror', 'MirrorWriter', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:GetObject'],
          Resource: `arn:aws:s3:::${BUCKET}/mirror/*`,
        },
      ],
    });
    for (const key of ['mirror/stale-1.txt', 'mirror/old/stale-2.txt']) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'left from an earlier run\n' }));
    }
    const failed = await rclone(user, ['sync', 'data', `moto:${BUCKET}/mirror`]);
    assert.notEqual(failed.result.code, 0, 'the deletes must be refused');

    const finding = onlyFinding(await explainCalls(user, failed.from, 'sync-denied'));
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

    await grantProfile(user, profile);
    const again = await rclone(user, ['sync', 'data', `moto:${BUCKET}/mirror`]);
    assert.equal(again.result.code, 0, again.result.output);
    assert.deepEqual(await objectKeys('mirror/'), ['mirror/a.txt', 'mirror/sub/b.txt']);
  });
});
