/**
 * A Spark job (PySpark 3.5.3 in local mode, from `npm run test:deps`, with the Hadoop 3.3.6 S3A jars in
 * front of Spark's own Hadoop client) appends a day's orders to a Parquet table partitioned by `dt`,
 * through S3A, against moto with IAM enforced, through the recording proxy.
 *
 * The role's policy covers the table's objects (`warehouse/orders/*`) and the listing, as people write
 * it first. The job fails before it writes: the committer creates `_temporary/0`, and S3A checks each
 * parent, up to a HEAD of the key `warehouse/orders`, which that policy does not cover. explain reads the
 * committer's pending directory as a writer's, and cuts the directory above it; the profile, applied
 * alone, lets that day's job and the next day's (another partition) run without one refused call.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { PolicyStatement } from '../../src/domain/explain/report.js';
import { hadoopS3aJars } from '../support/hadoopS3a.js';
import {
  awsSdkEnvironment,
  type ClientRun,
  type MotoUser,
  motoSuite,
  onlyFinding,
} from '../support/motoAccount.js';
import { installedTool } from '../support/testTools.js';

const BUCKET = 'lake';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const JOB = new URL('../support/spark_s3a_job.py', import.meta.url).pathname;
/** The Hadoop 3.3.6 client, S3A and what it needs, before Spark's Hadoop 3.3.4 client. */
function classpath(): string {
  const jars = hadoopS3aJars('3.3.6');
  return [
    'hadoop-client-api-3.3.6.jar',
    'hadoop-client-runtime-3.3.6.jar',
    'hadoop-aws-3.3.6.jar',
    'aws-java-sdk-bundle-1.12.367.jar',
    'commons-lang3-3.12.0.jar',
  ]
    .map((jar) => join(jars, jar))
    .join(':');
}

describe('a Spark job writing a partitioned table through S3A against moto', () => {
  const suite = motoSuite('pa-spark-moto-', [BUCKET]);

  /** Appends `day`'s orders to the table as `user`, with IAM enforced. */
  function sparkJob(user: MotoUser, day: string): Promise<ClientRun> {
    const table = `s3a://${BUCKET}/warehouse/orders`;
    return suite.account.runClient(
      'python3',
      [JOB, suite.account.recorder.endpoint, classpath(), table, day],
      {
        cwd: suite.dir(),
        env: {
          ...awsSdkEnvironment(user, suite.dir()),
          PYTHONPATH: installedTool('PySpark 3.5.3', 'PA_TEST_PYSPARK', 'pyspark-3.5.3', 'pyspark'),
        },
      },
    );
  }

  test("the table's objects alone: refused S3A's check of the table's key; the profile, alone, lets two days' jobs run", async () => {
    const user = await suite.account.createUser('spark-orders', 'OrdersTable', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: BUCKET_ARN },
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: `${BUCKET_ARN}/warehouse/orders/*`,
        },
      ],
    });
    const first = await sparkJob(user, '2026-11-28');
    assert.notEqual(first.code, 0, 'the job must be refused');
    assert.deepEqual(suite.account.refusedCalls(first), ['HEAD /lake/warehouse/orders']);

    const finding = onlyFinding(await suite.account.explainRun(user, first, 'spark-orders-refused'));
    assert.equal(finding.jobProfile?.tool, 'hadoop-s3a');
    const statements = finding.jobProfile?.statements ?? [];
    assert.deepEqual(
      statements.map((s: PolicyStatement) => [s.Sid, s.Action, s.Resource]),
      [
        ['S3aBucket', ['s3:ListBucket', 's3:ListBucketMultipartUploads'], [BUCKET_ARN]],
        ['S3aParentDirectories', ['s3:GetObject'], [`${BUCKET_ARN}/warehouse`, `${BUCKET_ARN}/warehouse/`]],
        [
          'S3aDirectory',
          ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          [
            `${BUCKET_ARN}/warehouse/orders`,
            `${BUCKET_ARN}/warehouse/orders/`,
            `${BUCKET_ARN}/warehouse/orders/*`,
          ],
        ],
      ],
    );

    await suite.account.grantOnly(user, statements);
    for (const day of ['2026-11-28', '2026-11-29']) {
      const run = await sparkJob(user, day);
      assert.equal(run.code, 0, `the job of ${day}: ${run.output.slice(-2000)}`);
      assert.deepEqual(suite.account.refusedCalls(run), [], `the job of ${day} was refused calls`);
    }
    const files = await suite.account.objectKeys(BUCKET, 'warehouse/orders/');
    assert.ok(files.includes('warehouse/orders/_SUCCESS'), JSON.stringify(files));
    for (const day of ['2026-11-28', '2026-11-29'])
      assert.ok(
        files.some((key) => key.startsWith(`warehouse/orders/dt=${day}/part-`)),
        `${day}: ${JSON.stringify(files)}`,
      );
    // The committer cleaned up after itself: its deletes in the table were allowed.
    assert.ok(
      files.every((key) => !key.includes('_temporary')),
      JSON.stringify(files),
    );
  });
});
