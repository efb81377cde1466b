/**
 * A boto3 job (test/support/boto3_job.py; boto3 comes with moto, which `npm run test:deps` installs)
 * against moto with IAM enforced: a multipart upload and a download are refused, explain reads their
 * CloudTrail events (written by the recording proxy) and moto's account snapshot, the test applies the
 * fix and runs the same job again. boto3 has no job profile: the fix is the answer.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  awsSdkEnvironment,
  type ClientRun,
  MotoAccount,
  type MotoUser,
  onlyFinding,
} from '../support/motoAccount.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const BUCKET = 'etl-bucket';
const JOB = new URL('../support/boto3_job.py', import.meta.url).pathname;

describe('boto3 against moto: explain, apply, run again', () => {
  const dir = temporaryDirectory('pa-boto3-moto-');
  let account: MotoAccount;
  let user: MotoUser;

  before(async () => {
    account = await MotoAccount.start(dir(), [BUCKET]);
    // 12 MB: a multipart upload in three 5 MB parts.
    await writeFile(join(dir(), 'extract.parquet'), Buffer.alloc(12 * 1024 * 1024, 42));
    user = await account.createUser('etl-loader', 'EtlLoader', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/reference/*` },
      ],
    });
  });

  after(async () => {
    await account?.stop();
  });

  function boto3(args: readonly string[]): Promise<ClientRun> {
    return account.runClient('python3', [JOB, ...args], {
      cwd: dir(),
      env: { ...awsSdkEnvironment(user, dir()), S3_ENDPOINT: account.recorder.endpoint },
    });
  }

  test('a multipart upload_file is refused at CreateMultipartUpload; explain adds s3:PutObject on the directory to EtlLoader, and the upload then completes', async () => {
    const key = 'staging/2026-11-28/extract.parquet';
    const failed = await boto3(['upload', 'extract.parquet', BUCKET, key]);
    assert.notEqual(failed.code, 0);
    assert.match(failed.output, /CreateMultipartUpload operation: Access Denied/);

    const finding = onlyFinding(await account.explainRun(user, failed, 'boto3-upload'));
    assert.equal(finding.client.tool, 'boto3');
    assert.match(finding.client.version ?? '', /^\d+\.\d+\.\d+$/);
    assert.deepEqual(
      finding.requests.map((r) => [r.eventName, r.action, r.resource, r.decision]),
      [['CreateMultipartUpload', 's3:PutObject', `arn:aws:s3:::${BUCKET}/${key}`, 'ImplicitlyDenied']],
    );
    assert.equal(finding.fix?.attachKind, 'managed-policy-version');
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:PutObject'], [`arn:aws:s3:::${BUCKET}/staging/2026-11-28/*`]]],
    );
    assert.equal(finding.fix?.verified, true);
    assert.equal(finding.jobProfile, null);

    await account.setPolicyVersion(user, finding.fix?.newDocument);
    const again = await boto3(['upload', 'extract.parquet', BUCKET, key]);
    assert.equal(again.code, 0, again.output);
    const calls = account.recorder.calls.slice(again.from).map((c) => `${c.method} ${c.status}`);
    assert.deepEqual(calls, ['POST 200', 'PUT 200', 'PUT 200', 'PUT 200', 'POST 200']);
    assert.deepEqual(await account.objectKeys(BUCKET, 'staging/'), [key]);
  });

  test('an upload to the bucket root: explain grants s3:PutObject on that object alone, not the whole bucket, and says so; the upload then completes, and another key at the root stays refused', async () => {
    await writeFile(join(dir(), 'manifest.json'), '{"rows": 3}\n');
    const failed = await boto3(['upload', 'manifest.json', BUCKET, 'manifest.json']);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'boto3-root-upload'));
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:PutObject'], [`arn:aws:s3:::${BUCKET}/manifest.json`]]],
    );
    assert.equal(finding.fix?.verified, true);
    assert.ok(
      finding.caveats.some(
        (c) => c.startsWith(`${BUCKET}/manifest.json is at the bucket root`) && c.includes(`${BUCKET}/*`),
      ),
      finding.caveats.join(' | '),
    );

    await account.setPolicyVersion(user, finding.fix?.newDocument);
    const again = await boto3(['upload', 'manifest.json', BUCKET, 'manifest.json']);
    assert.equal(again.code, 0, again.output);
    const other = await boto3(['upload', 'manifest.json', BUCKET, 'manifest-2.json']);
    assert.notEqual(other.code, 0, 'the fix must not open the bucket root');
  });

  test('download_file is refused at its HeadObject; the s3:GetObject explain adds lets the same download finish with the same bytes', async () => {
    const key = 'staging/2026-11-28/extract.parquet';
    const failed = await boto3(['download', BUCKET, key, 'copy.parquet']);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'boto3-download'));
    assert.deepEqual(
      finding.requests.map((r) => [r.eventName, r.action, r.resource]),
      [['HeadObject', 's3:GetObject', `arn:aws:s3:::${BUCKET}/${key}`]],
    );
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:GetObject'], [`arn:aws:s3:::${BUCKET}/staging/2026-11-28/*`]]],
    );

    await account.setPolicyVersion(user, finding.fix?.newDocument);
    const again = await boto3(['download', BUCKET, key, 'copy.parquet']);
    assert.equal(again.code, 0, again.output);
    assert.ok(
      (await readFile(join(dir(), 'copy.parquet'))).equals(await readFile(join(dir(), 'extract.parquet'))),
    );
  });

  test('delete_objects is refused key by key inside a 200 answer: CloudTrail has no denial to explain, and explain says so in the skipped entry', async () => {
    const key = 'staging/2026-11-28/extract.parquet';
    const failed = await boto3(['delete-batch', BUCKET, key]);
    assert.notEqual(failed.code, 0);
    assert.match(failed.output, /DeleteObjects refused .*AccessDenied/);
    assert.deepEqual(
      account.recorder.calls.slice(failed.from).map((c) => `${c.method} ${c.status}`),
      ['POST 200'],
    );
    const report = await account.explainRun(user, failed, 'boto3-delete-batch');
    assert.deepEqual(report.findings, []);
    assert.equal(report.skipped.length, 1);
    assert.match(report.skipped[0]?.message ?? '', /a denied batch delete is not visible here/);
    assert.deepEqual(await account.objectKeys(BUCKET, 'staging/'), [key]);
  });
});
