/**
 * explain on Terraform's S3 backend: the job profile reads the state key also from a HEAD that S3
 * refused on the bucket (a missing state, without s3:ListBucket), as `terraform init` meets it on AWS.
 * moto answers that HEAD with 404, so the end-to-end test cannot show it.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, backupUserContext, deniedRecord } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const UA =
  'APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io) aws-sdk-go-v2/1.36.0 ua/2.1 os/linux lang/go#1.23.3 api/s3#1.75.2';
const KEY = 'envs/prod/network.tfstate';
const listBucketMessage = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action`;

describe('Terraform init on AWS without s3:ListBucket', () => {
  test('the refused HEAD of the missing state names the bucket, and the profile still scopes to the state key', () => {
    const head = deniedRecord({
      eventName: 'HeadObject',
      eventTime: '2026-11-27T10:00:01Z',
      userAgent: `[${UA}]`,
      errorMessage: listBucketMessage,
      requestParameters: { bucketName: 'data', key: KEY, Host: 'data.s3.eu-west-1.amazonaws.com' },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${KEY}` },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      ],
    });
    const list = deniedRecord({
      eventName: 'ListObjects',
      userAgent: `[${UA}]`,
      errorMessage: listBucketMessage,
      requestParameters: {
        bucketName: 'data',
        'list-type': '2',
        prefix: 'env:/',
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
    const context = backupUserContext([
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::data/${KEY}` },
    ]);
    const [finding] = explainTexts(text(list, head), context).findings;
    assert.deepEqual(
      finding?.requests.map((r) => [r.eventName, r.action, r.resource]),
      [
        ['ListObjects', 's3:ListBucket', 'arn:aws:s3:::data'],
        ['HeadObject', 's3:ListBucket', 'arn:aws:s3:::data'],
      ],
    );
    assert.equal(finding?.jobProfile?.tool, 'terraform');
    assert.deepEqual(
      finding?.jobProfile?.statements.map((s) => [s.Sid, s.Resource]),
      [
        ['TerraformStateList', ['arn:aws:s3:::data']],
        ['TerraformState', [`arn:aws:s3:::data/${KEY}`]],
      ],
    );
    // The lock file was never reached: a note says what use_lockfile adds.
    assert.ok(finding?.jobProfile?.notes.some((n) => n.startsWith('With use_lockfile = true')));
  });
});
