/**
 * duplicity against moto with IAM enforced, through the recording proxy, with the boto3 backend
 * (`boto3+s3://` in 0.8, `s3://` from 2.0), in two versions: the machine's `duplicity` (Debian's 0.8.22 with python3-boto3 by
 * `npm run test:deps`; PA_TEST_DUPLICITY names another) and the 3.2.1 release from PyPI that `test:deps`
 * installs in its own directory (PA_TEST_DUPLICITY_3_2_1 names another). duplicity's user agent is boto3's: explain recognises the backup from
 * its file names. Both versions give the same findings and profiles.
 *
 * A backup user granted s3:ListBucket and s3:PutObject (a backup only writes, people think) runs a full
 * backup that succeeds while S3 refuses its size checks, then an incremental backup from another machine
 * (an empty cache) that fails. The duplicity profile explain proposes, applied alone, lets incremental,
 * verify, restore and collection-status run without one refused call. remove-all-but-n-full exits with
 * status 0 although S3 refused every delete; the profile explain gives for that run lets it delete.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Finding, PolicyStatement } from '../../src/domain/explain/report.js';
import {
  awsSdkEnvironment,
  type ClientRun,
  type MotoUser,
  motoSuite,
  onlyFinding,
  writeSampleData,
} from '../support/motoAccount.js';
import { installedTool } from '../support/testTools.js';

const BUCKET = 'backups';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
/** A duplicity to run: its command line before the arguments, and what its environment adds. */
interface DuplicityBuild {
  readonly name: string;
  /** The URL of a backup at `path` in the bucket, as users of that version write it for S3 with boto3. */
  readonly url: (path: string) => string;
  readonly command: () => { readonly argv: readonly string[]; readonly env: Record<string, string> };
}

const BUILDS: readonly DuplicityBuild[] = [
  {
    name: "Debian's duplicity",
    // Before duplicity 2.0, `s3://` is the old boto library's backend.
    url: (path) => `boto3+s3://${BUCKET}/${path}`,
    command: () => ({ argv: [process.env.PA_TEST_DUPLICITY ?? 'duplicity'], env: {} }),
  },
  {
    name: 'duplicity 3.2.1',
    // From 2.0, `s3://` is boto3's backend (`boto3+s3://` still names it too).
    url: (path) => `s3://${BUCKET}/${path}`,
    command: () => {
      const directory = installedTool(
        'duplicity 3.2.1',
        'PA_TEST_DUPLICITY_3_2_1',
        'duplicity-3.2.1',
        'bin/duplicity',
      );
      return { argv: ['python3', join(directory, 'bin', 'duplicity')], env: { PYTHONPATH: directory } };
    },
  },
];

for (const build of BUILDS) {
  describe(`${build.name} against moto: explain, apply the profile, run again`, () => {
    const suite = motoSuite('pa-duplicity-moto-', [BUCKET], (_, directory) => writeSampleData(directory));
    const { dir } = suite;
    let caches = 0;

    /** A new, empty local cache (--archive-dir): another machine, or a lost cache. */
    async function freshCache(): Promise<string> {
      const cache = join(dir(), `cache-${++caches}`);
      await mkdir(cache);
      return cache;
    }

    /**
     * `duplicity COMMAND [ARGS] ` as `user`, with the backup at `prefix`: unencrypted, one try per call and
     * no wait between tries (duplicity waits 30 s by default), through the recorder.
     */
    function duplicity(
      user: MotoUser,
      cache: string,
      command: readonly string[],
      args: readonly string[],
    ): Promise<ClientRun> {
      const { argv, env } = build.command();
      return suite.account.runClient(
        argv[0]!,
        [
          ...argv.slice(1),
          ...command,
          '--no-encryption',
          '--num-retries',
          '1',
          '--backend-retry-delay',
          '0',
          '--archive-dir',
          cache,
          '--s3-endpoint-url',
          suite.account.recorder.endpoint,
          ...args,
        ],
        { cwd: dir(), env: { ...awsSdkEnvironment(user, dir()), ...env, PASSPHRASE: '' } },
      );
    }

    function statementsOf(finding: Finding): [string | undefined, readonly string[], readonly string[]][] {
      assert.equal(finding.jobProfile?.tool, 'duplicity', JSON.stringify(finding.jobProfile));
      return finding.jobProfile.statements.map((s: PolicyStatement) => [s.Sid, s.Action, s.Resource]);
    }

    test('a write-only backup user: explain recognises duplicity from its refused size checks, and its profile alone lets incremental, verify and restore run; removals get s3:DeleteObject from their own refusals', async () => {
      const prefix = 'hosts/web1';
      const url = build.url(prefix);
      const user = await suite.account.createUser('duplicity-web1', 'DuplicityWriteOnly', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: BUCKET_ARN },
          { Effect: 'Allow', Action: 's3:PutObject', Resource: `${BUCKET_ARN}/${prefix}/*` },
        ],
      });
      const data = join(dir(), 'data');
      const cache = await freshCache();
      const full = await duplicity(user, cache, ['full'], [data, url]);
      // The backup succeeds: a refused HEAD of a volume only skips its size check...
      assert.equal(full.code, 0, full.output);
      const refused = suite.account.refusedCalls(full);
      assert.ok(
        refused.length > 0 && refused.every((c) => /^HEAD \/backups\/hosts\/web1\/duplicity-full\./.test(c)),
        JSON.stringify(refused),
      );
      // ... which CloudTrail logs as AccessDenied, and explain reads as duplicity's.
      const checks = onlyFinding(await suite.account.explainRun(user, full, 'duplicity-full-size-checks'));
      assert.equal(checks.client.tool, 'boto3');
      assert.equal(checks.cause, 'identity-missing-allow');
      const backupProfile: ReturnType<typeof statementsOf> = [
        ['DuplicityBucket', ['s3:ListBucket'], [BUCKET_ARN]],
        [
          'DuplicityBackup',
          ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
          [`${BUCKET_ARN}/${prefix}/*`],
        ],
      ];
      assert.deepEqual(statementsOf(checks), backupProfile);

      // Another machine (an empty cache) must download the manifest and signatures first: refused, it stops.
      await writeFile(join(data, 'c.txt'), 'third file\n');
      const incremental = await duplicity(user, await freshCache(), ['incremental'], [data, url]);
      assert.notEqual(incremental.code, 0, 'an incremental backup from an empty cache must be refused');
      const download = onlyFinding(
        await suite.account.explainRun(user, incremental, 'duplicity-inc-refused'),
      );
      assert.deepEqual(statementsOf(download), backupProfile);

      await suite.account.grantOnly(user, download.jobProfile?.statements ?? []);
      const other = await freshCache();
      for (const [command, args] of [
        [['incremental'], [data, url]],
        [['verify'], [url, data]],
        [['restore'], [url, join(dir(), 'restored')]],
        [['collection-status'], [url]],
        [['full'], [data, url]],
      ] as const) {
        const run = await duplicity(user, other, command, args);
        assert.equal(run.code, 0, `duplicity ${command[0]}: ${run.output}`);
        assert.deepEqual(suite.account.refusedCalls(run), [], `duplicity ${command[0]} was refused calls`);
      }
      assert.equal(await readFile(join(dir(), 'restored', 'c.txt'), 'utf8'), 'third file\n');

      // Two full backups now: keeping one deletes the first chain. duplicity exits 0 whatever S3 answers.
      const remove = ['remove-all-but-n-full', '1'];
      const refusedRemoval = await duplicity(user, other, remove, ['--force', url]);
      assert.equal(refusedRemoval.code, 0, refusedRemoval.output);
      assert.ok(
        suite.account.refusedCalls(refusedRemoval).some((c) => c.startsWith('DELETE ')),
        'the removal must be refused its deletes',
      );
      const removal = onlyFinding(
        await suite.account.explainRun(user, refusedRemoval, 'duplicity-remove-refused'),
      );
      assert.deepEqual(statementsOf(removal), [
        ['DuplicityBucket', ['s3:ListBucket'], [BUCKET_ARN]],
        [
          'DuplicityBackup',
          ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          [`${BUCKET_ARN}/${prefix}/*`],
        ],
      ]);
      const before = await suite.account.objectKeys(BUCKET, `${prefix}/`);
      await suite.account.grantOnly(user, removal.jobProfile?.statements ?? []);
      const removed = await duplicity(user, other, remove, ['--force', url]);
      assert.equal(removed.code, 0, removed.output);
      assert.deepEqual(suite.account.refusedCalls(removed), []);
      const after = await suite.account.objectKeys(BUCKET, `${prefix}/`);
      assert.ok(
        after.length > 0 && after.length < before.length,
        `${before.length} -> ${after.length} files`,
      );
      assert.ok(
        after.every((key) => !key.includes('duplicity-inc.')),
        JSON.stringify(after),
      );
    });

    test('a user with s3:GetObject and s3:PutObject is refused the HEAD of the bucket: the fix is s3:ListBucket, and no file names duplicity yet', async () => {
      const user = await suite.account.createUser('duplicity-web2', 'DuplicityObjectsOnly', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `${BUCKET_ARN}/*` },
        ],
      });
      const url = build.url('hosts/web2');
      const full = await duplicity(user, await freshCache(), ['full'], [join(dir(), 'data'), url]);
      assert.notEqual(full.code, 0, 'the backup must stop at the refused HEAD of the bucket');
      assert.deepEqual(suite.account.refusedCalls(full), ['HEAD /backups']);
      const finding = onlyFinding(await suite.account.explainRun(user, full, 'duplicity-head-bucket'));
      assert.deepEqual(
        finding.fix?.statements.map((s) => [s.Action, s.Resource]),
        [[['s3:ListBucket'], [BUCKET_ARN]]],
      );
      // A HEAD of the bucket names no file: explain cannot tell duplicity from any other boto3 job yet.
      assert.equal(finding.jobProfile, null);

      // With the fix added to what the user had, the backup runs without a refusal.
      await suite.account.grantOnly(user, [
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [`${BUCKET_ARN}/*`] },
        ...(finding.fix?.statements ?? []),
      ]);
      const again = await duplicity(user, await freshCache(), ['full'], [join(dir(), 'data'), url]);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(suite.account.refusedCalls(again), []);
    });
  });
}
