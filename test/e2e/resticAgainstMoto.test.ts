/**
 * restic against moto with IAM enforced, through the recording proxy, in two versions: the machine's
 * `restic` (Debian's 0.14.0 by `npm run test:deps`; PA_TEST_RESTIC names another) and the 0.18.1 release
 * that `test:deps` builds with `go install` (PA_TEST_RESTIC_0_18_1 names another). A backup user granted
 * s3:GetObject and s3:PutObject on the bucket's objects (the policy people write first) is refused
 * `restic init`; explain reads the CloudTrail events of its calls and moto's account snapshot, and
 * recognises the repository from the keys (restic's user agent is minio-go's). The job profile it
 * proposes, applied alone, lets init, two backups, snapshots, check and restore run without one refused
 * call; `forget --prune` is refused its deletes until the profile explain gives for that run is applied.
 * With the region given, restic asks for no bucket location, which the alternative says. Both versions
 * give the same findings (0.14 also lists the legacy `key/` directory; 0.18 does not).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Finding, PolicyStatement } from '../../src/domain/explain/report.js';
import {
  type ClientRun,
  cleanEnvironment,
  type MotoUser,
  motoSuite,
  onlyFinding,
  writeSampleData,
} from '../support/motoAccount.js';
import { installedTool } from '../support/testTools.js';

const BUCKET = 'backups';
const REPOSITORY = 'hosts/web1';
/** The restic builds the tests run: Debian's, and a current release. */
const RESTICS = [
  { name: "Debian's restic", binary: () => process.env.PA_TEST_RESTIC ?? 'restic' },
  {
    name: 'restic 0.18.1',
    binary: () => installedTool('restic 0.18.1', 'PA_TEST_RESTIC_0_18_1', 'restic-v0.18.1/bin/restic'),
  },
] as const;
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;

for (const { name, binary } of RESTICS) {
  describe(`${name} against moto: explain, apply the profile, run again`, () => {
    const suite = motoSuite('pa-restic-moto-', [BUCKET], (_, directory) => writeSampleData(directory));
    const { dir } = suite;

    /** `restic ARGS` as `user` on the repository, through the recorder, with IAM enforced. */
    function restic(
      user: MotoUser,
      args: readonly string[],
      extra: Record<string, string> = {},
    ): Promise<ClientRun> {
      return suite.account.runClient(binary(), ['--no-cache', ...args], {
        cwd: dir(),
        env: {
          ...cleanEnvironment(),
          AWS_ACCESS_KEY_ID: user.accessKeyId,
          AWS_SECRET_ACCESS_KEY: user.secretAccessKey,
          RESTIC_REPOSITORY: `s3:${suite.account.recorder.endpoint}/${BUCKET}/${REPOSITORY}`,
          RESTIC_PASSWORD: 'correct horse battery staple',
          ...extra,
        },
      });
    }

    function statementsOf(finding: Finding): [string | undefined, readonly string[], readonly string[]][] {
      const profile = finding.jobProfile;
      assert.equal(profile?.tool, 'restic', JSON.stringify(finding.jobProfile));
      return profile.statements.map((s: PolicyStatement) => [s.Sid, s.Action, s.Resource]);
    }

    test('a user with s3:GetObject and s3:PutObject is refused init; the restic profile alone lets init, backup, check and restore run, and forget --prune gets its deletes from its own refusal', async () => {
      const user = await suite.account.createUser('restic-web1', 'ResticObjectsOnly', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `${BUCKET_ARN}/*` },
        ],
      });
      const init = await restic(user, ['init']);
      assert.notEqual(init.code, 0, 'init must be refused before the profile');

      const finding = onlyFinding(await suite.account.explainRun(user, init, 'restic-init-denied'));
      assert.equal(finding.client.tool, 'other');
      assert.match(finding.client.userAgent ?? '', /minio-go\//);
      assert.equal(finding.cause, 'identity-missing-allow');
      assert.deepEqual(
        finding.fix?.statements.map((s) => [s.Action, s.Resource]),
        [[['s3:GetBucketLocation', 's3:ListBucket'], [BUCKET_ARN]]],
      );
      assert.deepEqual(statementsOf(finding), [
        ['ResticBucket', ['s3:GetBucketLocation', 's3:ListBucket'], [BUCKET_ARN]],
        ['ResticRepository', ['s3:GetObject', 's3:PutObject'], [`${BUCKET_ARN}/${REPOSITORY}/*`]],
        ['ResticLocks', ['s3:DeleteObject'], [`${BUCKET_ARN}/${REPOSITORY}/locks/*`]],
      ]);
      assert.deepEqual(
        finding.alternatives.map((a) => a.removes),
        [['s3:GetBucketLocation']],
      );

      await suite.account.grantOnly(user, finding.jobProfile?.statements ?? []);
      const first = suite.account.recorder.calls.length;
      for (const args of [
        ['init'],
        ['backup', join(dir(), 'data')],
        ['backup', join(dir(), 'data')],
        ['snapshots'],
        ['check', '--read-data'],
        ['restore', 'latest', '--target', join(dir(), 'restored')],
      ]) {
        const run = await restic(user, args);
        assert.equal(run.code, 0, `restic ${args.join(' ')}: ${run.output}`);
        assert.deepEqual(suite.account.refusedCalls(run), [], `restic ${args[0]} was refused calls`);
      }
      const restored = await readFile(join(dir(), 'restored', dir(), 'data', 'sub', 'b.txt'), 'utf8');
      assert.equal(restored, 'second file\n');
      // Every lock was deleted again: only s3:DeleteObject on locks/ was needed for these commands.
      assert.deepEqual(await suite.account.objectKeys(BUCKET, `${REPOSITORY}/locks/`), []);
      assert.ok(suite.account.recorder.calls.length > first);

      const forget = await restic(user, ['forget', '--keep-last', '1', '--prune']);
      assert.notEqual(forget.code, 0, 'forget must be refused deleting a snapshot under the backup profile');
      const pruning = onlyFinding(await suite.account.explainRun(user, forget, 'restic-forget-denied'));
      assert.ok(
        pruning.requests.some(
          (r) =>
            r.action === 's3:DeleteObject' && r.resource.startsWith(`${BUCKET_ARN}/${REPOSITORY}/snapshots/`),
        ),
        JSON.stringify(pruning.requests),
      );
      assert.deepEqual(statementsOf(pruning), [
        ['ResticBucket', ['s3:GetBucketLocation', 's3:ListBucket'], [BUCKET_ARN]],
        [
          'ResticRepository',
          ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          [`${BUCKET_ARN}/${REPOSITORY}/*`],
        ],
      ]);
      await suite.account.grantOnly(user, pruning.jobProfile?.statements ?? []);
      const pruned = await restic(user, ['forget', '--keep-last', '1', '--prune']);
      assert.equal(pruned.code, 0, pruned.output);
      assert.deepEqual(suite.account.refusedCalls(pruned), []);
      assert.equal((await suite.account.objectKeys(BUCKET, `${REPOSITORY}/snapshots/`)).length, 1);
    });

    test("with the region given (the alternative), restic never asks for the bucket's location: the profile without s3:GetBucketLocation runs init and backup without a refusal", async () => {
      const other = 'hosts/web2';
      const user = await suite.account.createUser('restic-web2', 'ResticRegion', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: BUCKET_ARN },
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `${BUCKET_ARN}/${other}/*` },
          { Effect: 'Allow', Action: 's3:DeleteObject', Resource: `${BUCKET_ARN}/${other}/locks/*` },
        ],
      });
      const region = {
        AWS_DEFAULT_REGION: 'us-east-1',
        RESTIC_REPOSITORY: `s3:${suite.account.recorder.endpoint}/${BUCKET}/${other}`,
      };
      for (const args of [['init'], ['backup', join(dir(), 'data')]]) {
        const run = await restic(user, args, region);
        assert.equal(run.code, 0, `restic ${args[0]}: ${run.output}`);
        assert.deepEqual(suite.account.refusedCalls(run), []);
        assert.ok(
          suite.account.recorder.calls.slice(run.from).every((c) => !c.url.includes('location')),
          'no GetBucketLocation call with the region given',
        );
      }
    });
  });
}
