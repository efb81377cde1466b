/**
 * Hadoop's S3A connector (`hadoop fs`: FsShell from the jars `npm run test:deps` copies from Maven
 * Central, run with the machine's Java) against moto with IAM enforced, through the recording proxy, in
 * Hadoop 3.3.6 (AWS SDK for Java v1) and 3.4.1 (v2, to which S3A moved in 3.4.0): both give the same
 * refusals and profiles. S3A sends `Hadoop 3.3.6, aws-sdk-java/1.12.367 …` and
 * `Hadoop 3.4.1, aws-sdk-java/2.24.6 …` as its user agent.
 *
 * The policy people write first for a data directory, s3:ListBucket on the bucket and s3:GetObject and
 * s3:PutObject on `warehouse/sales/*`, is refused at S3A's first check: a HEAD of the key
 * `warehouse/sales` itself (S3A checks each parent of a path it creates). The profile explain proposes
 * covers those checks; the write profile from the next run's refusal (its rename's delete), applied
 * alone, lets mkdir, put, ls, cat, mv and rm -r run without a refusal in the directory.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Finding, PolicyStatement } from '../../src/domain/explain/report.js';
import { HADOOP_S3A_VERSIONS, hadoopS3aJars } from '../support/hadoopS3a.js';
import {
  awsSdkEnvironment,
  type ClientRun,
  type MotoUser,
  motoSuite,
  onlyFinding,
  REGION,
  writeSampleData,
} from '../support/motoAccount.js';

const BUCKET = 'lake';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
for (const version of HADOOP_S3A_VERSIONS) {
  describe(`Hadoop ${version} S3A (hadoop fs) against moto: explain, apply the profile, run again`, () => {
    const suite = motoSuite('pa-s3a-moto-', [BUCKET], async (account, directory) => {
      await writeSampleData(directory);
      // The classpath needs a core-site.xml; the S3A settings go there.
      await mkdir(join(directory, 'conf'));
      await writeFile(
        join(directory, 'conf', 'core-site.xml'),
        `<?xml version="1.0"?>
<configuration>
  <property><name>fs.s3a.endpoint</name><value>${account.recorder.endpoint}</value></property>
  <property><name>fs.s3a.endpoint.region</name><value>${REGION}</value></property>
  <property><name>fs.s3a.path.style.access</name><value>true</value></property>
  <property><name>fs.s3a.connection.ssl.enabled</name><value>false</value></property>
  <property><name>fs.s3a.attempts.maximum</name><value>1</value></property>
  <property><name>fs.s3a.retry.limit</name><value>1</value></property>
</configuration>
`,
      );
      await account.putObjects(BUCKET, ['warehouse/sales/2026-11-27.csv']);
    });
    const { dir } = suite;

    /** `hadoop fs ARGS` as `user`, through the recorder, with IAM enforced. */
    function hadoopFs(user: MotoUser, args: readonly string[]): Promise<ClientRun> {
      return suite.account.runClient(
        'java',
        [
          '-cp',
          `${join(dir(), 'conf')}:${hadoopS3aJars(version)}/*`,
          'org.apache.hadoop.fs.FsShell',
          ...args,
        ],
        { cwd: dir(), env: awsSdkEnvironment(user, dir()) },
      );
    }

    function statementsOf(finding: Finding): [string | undefined, readonly string[], readonly string[]][] {
      assert.equal(finding.jobProfile?.tool, 'hadoop-s3a', JSON.stringify(finding.jobProfile));
      return finding.jobProfile.statements.map((s: PolicyStatement) => [s.Sid, s.Action, s.Resource]);
    }

    const sales = `s3a://${BUCKET}/warehouse/sales`;
    const parents: [string, string[], string[]] = [
      'S3aParentDirectories',
      ['s3:GetObject'],
      [`${BUCKET_ARN}/warehouse`, `${BUCKET_ARN}/warehouse/`],
    ];
    const directory = [
      `${BUCKET_ARN}/warehouse/sales`,
      `${BUCKET_ARN}/warehouse/sales/`,
      `${BUCKET_ARN}/warehouse/sales/*`,
    ];

    test("a writer granted warehouse/sales/* alone is refused S3A's HEAD of the directory: the profile covers the parents' checks, and the next refusal gives the writes", async () => {
      const original: PolicyStatement[] = [
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [BUCKET_ARN] },
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: [`${BUCKET_ARN}/warehouse/sales/*`],
        },
      ];
      const user = await suite.account.createUser('etl-sales', 'SalesWriter', {
        Version: '2012-10-17',
        Statement: original,
      });
      const put = await hadoopFs(user, ['-put', join(dir(), 'data', 'a.txt'), `${sales}/a.txt`]);
      assert.notEqual(put.code, 0, 'the put must be refused');
      assert.deepEqual(suite.account.refusedCalls(put), ['HEAD /lake/warehouse/sales']);

      const checks = onlyFinding(await suite.account.explainRun(user, put, 's3a-put-parent-check'));
      assert.equal(checks.client.tool, 'other');
      assert.match(
        checks.client.userAgent ?? '',
        new RegExp(
          `^Hadoop ${version.replaceAll('.', '\\.')}, aws-sdk-java/${version.startsWith('3.3.') ? '1' : '2'}\\.`,
        ),
      );
      assert.deepEqual(
        checks.fix?.statements.map((s) => [s.Action, s.Resource]),
        // S3A checking a parent of the paths it listed: granted on that key alone, not on the directory
        // above it (which would open every table beside it).
        [[['s3:GetObject'], [`${BUCKET_ARN}/warehouse/sales`]]],
      );
      // The fix alone gets a put past the check (to another file: -put refuses an existing one).
      await suite.account.grantOnly(user, [...original, ...(checks.fix?.statements ?? [])]);
      const fixed = await hadoopFs(user, ['-put', join(dir(), 'data', 'a.txt'), `${sales}/fixed.txt`]);
      assert.ok(
        !suite.account.refusedCalls(fixed).includes('HEAD /lake/warehouse/sales'),
        JSON.stringify(suite.account.refusedCalls(fixed)),
      );
      // Nothing was written yet: the profile is a reader's, with the checks of every parent.
      assert.deepEqual(statementsOf(checks), [
        ['S3aBucket', ['s3:ListBucket'], [BUCKET_ARN]],
        parents,
        ['S3aDirectory', ['s3:GetObject'], directory],
      ]);

      await suite.account.grantOnly(user, [...original, ...(checks.jobProfile?.statements ?? [])]);
      const again = await hadoopFs(user, ['-put', join(dir(), 'data', 'a.txt'), `${sales}/a.txt`]);
      const refused = suite.account.refusedCalls(again);
      assert.ok(
        refused.includes('DELETE /lake/warehouse/sales/a.txt._COPYING_'),
        `the rename's delete must be refused: ${JSON.stringify(refused)}`,
      );
      const writes = onlyFinding(await suite.account.explainRun(user, again, 's3a-put-rename-delete'));
      assert.deepEqual(statementsOf(writes), [
        ['S3aBucket', ['s3:ListBucket', 's3:ListBucketMultipartUploads'], [BUCKET_ARN]],
        parents,
        [
          'S3aDirectory',
          ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          directory,
        ],
      ]);

      await suite.account.grantOnly(user, writes.jobProfile?.statements ?? []);
      const bulkDeletes: string[] = [];
      for (const args of [
        ['-mkdir', '-p', `${sales}/day=2`],
        ['-put', join(dir(), 'data', 'sub', 'b.txt'), `${sales}/day=2/b.txt`],
        ['-put', '-f', join(dir(), 'data', 'a.txt'), `${sales}/a.txt`],
        ['-ls', '-R', sales],
        ['-cat', `${sales}/a.txt`],
        ['-mv', `${sales}/a.txt`, `${sales}/day=2/a.txt`],
        ['-rm', '-r', `${sales}/day=2`],
      ]) {
        const run = await hadoopFs(user, args);
        assert.equal(run.code, 0, `hadoop fs ${args.join(' ')}: ${run.output.slice(-2000)}`);
        assert.deepEqual(suite.account.refusedCalls(run), [], `hadoop fs ${args[0]} was refused calls`);
        const calls = suite.account.recorder.calls.slice(run.from);
        if (calls.some((c) => c.method === 'POST' && /\?delete(?:=|&|$)/.test(c.url)))
          bulkDeletes.push(args[0]!);
      }
      assert.deepEqual(await suite.account.objectKeys(BUCKET, 'warehouse/sales/day=2'), []);
      // What the profile's note says: S3A 3.3 deletes the parents' directory markers in bulk after each
      // write; 3.4 keeps them (fs.s3a.directory.marker.retention=keep is its default), and only -rm
      // deletes in bulk.
      assert.deepEqual(
        bulkDeletes,
        version.startsWith('3.3.') ? ['-mkdir', '-put', '-put', '-mv', '-rm'] : ['-rm'],
      );
    });
  });
}
