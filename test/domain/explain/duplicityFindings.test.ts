/**
 * explain on duplicity's refusals: the profile comes from the file names, for the clients duplicity
 * talks through (boto3, and before duplicity 2.0 the old boto library, whose user agent explain does not
 * name), never for a tool that only carries duplicity's files (rclone copying a backup elsewhere).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, backupUserContext, deniedRecord } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const VOLUME = 'nas01/duplicity-full.20261026T020001Z.vol1.difftar.gpg';
const BOTO3 = '[Boto3/1.26.27 Python/3.11.2 Linux/6.1.0-28-amd64 Botocore/1.29.27 Resource]';

function refusedDelete(key: string, userAgent: string): Record<string, unknown> {
  return deniedRecord({
    eventName: 'DeleteObject',
    userAgent,
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::data/${key}" because no identity-based policy allows the s3:DeleteObject action`,
    requestParameters: { bucketName: 'data', key, Host: 'data.s3.eu-west-1.amazonaws.com' },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` },
      { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
    ],
  });
}

const context = backupUserContext([
  { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
  { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/nas01/*' },
]);

describe("duplicity's job profile in findings", () => {
  test("boto3's user agent and duplicity's file names: the duplicity profile, with the removals' deletes", () => {
    const [finding] = explainTexts(text(refusedDelete(VOLUME, BOTO3)), context).findings;
    assert.equal(finding?.client.tool, 'boto3');
    assert.equal(finding?.jobProfile?.tool, 'duplicity');
    assert.equal(finding?.jobProfile?.operation, 'unknown');
    assert.deepEqual(
      finding?.jobProfile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['DuplicityBucket', ['s3:ListBucket'], ['arn:aws:s3:::data']],
        [
          'DuplicityBackup',
          ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::data/nas01/*'],
        ],
      ],
    );
  });

  test("the old boto library's user agent (an unknown client) gets it too", () => {
    const [finding] = explainTexts(
      text(refusedDelete(VOLUME, '[Boto/2.49.0 Python/3.11.2 Linux/6.1.0-28-amd64]')),
      context,
    ).findings;
    assert.equal(finding?.client.tool, 'other');
    assert.equal(finding?.jobProfile?.tool, 'duplicity');
  });

  test("a boto3 job whose keys are not duplicity's gets no profile", () => {
    const [finding] = explainTexts(text(refusedDelete('nas01/reports/2026-11.csv', BOTO3)), context).findings;
    assert.equal(finding?.client.tool, 'boto3');
    assert.equal(finding?.jobProfile, null);
  });

  test("rclone moving duplicity's files gets rclone's profile, not duplicity's", () => {
    const [finding] = explainTexts(text(refusedDelete(VOLUME, '[rclone/v1.68.2]')), context).findings;
    assert.equal(finding?.client.tool, 'rclone');
    assert.notEqual(finding?.jobProfile?.tool, 'duplicity');
  });
});
