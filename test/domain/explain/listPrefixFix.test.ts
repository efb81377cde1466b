/**
 * A listing an Allow limits by s3:prefix, refused because its prefix is outside the limit (Athena or
 * Glue reading a new partition): the fix grants s3:ListBucket for the refused prefixes alone, with the
 * statement's other conditions, and the caveat names every refused prefix.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, backupUserContext, deniedRecord } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

function listing(prefix: string | undefined): Record<string, unknown> {
  return deniedRecord({
    eventName: 'ListObjects',
    userAgent: 'aws-sdk-java/1.12.767 AWSGlue/5.0',
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action`,
    requestParameters: {
      bucketName: 'data',
      'list-type': '2',
      ...(prefix !== undefined ? { prefix } : {}),
      delimiter: '/',
      Host: 'data.s3.eu-west-1.amazonaws.com',
    },
    resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
  });
}

const LIST_TABLE = {
  Sid: 'ListTable',
  Effect: 'Allow',
  Action: 's3:ListBucket',
  Resource: 'arn:aws:s3:::data',
  Condition: {
    StringLike: { 's3:prefix': ['table/year=2025/*'] },
    IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
  },
};

describe('a listing outside the prefixes an Allow limits it to', () => {
  test('the fix grants the refused prefixes alone, with the other conditions, verified; every prefix named', () => {
    const [finding] = explainTexts(
      text(listing('table/year=2026/month=11/'), listing('table/year=2026/month=11')),
      backupUserContext([LIST_TABLE]),
    ).findings;
    assert.deepEqual(finding?.fix?.statements, [
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::data'],
        Condition: {
          IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
          StringLike: { 's3:prefix': ['table/year=2026/month=11', 'table/year=2026/month=11/*'] },
        },
      },
    ]);
    assert.equal(finding?.fix?.verified, true);
    const caveat = finding?.caveats.find((c) => c.startsWith('s3:ListBucket: the identity-based policy'));
    assert.ok(
      caveat?.includes(
        'the job listed "table/year=2026/month=11/", "table/year=2026/month=11", outside them',
      ),
      caveat,
    );
    assert.ok(!finding?.caveats.some((c) => c.includes('No statement is added for it')));
    assert.ok(
      finding?.caveats.some((c) => c.startsWith('The prefixes granted are dated') && c.includes('"table/*"')),
      finding?.caveats.join(' | '),
    );
  });

  test("a listing of the bucket's root (no prefix) is what the limit refuses: no statement for it", () => {
    const [finding] = explainTexts(text(listing(undefined)), backupUserContext([LIST_TABLE])).findings;
    assert.equal(finding?.fix, null);
    assert.ok(
      finding?.caveats.some((c) => c.includes('No statement is added for it')),
      finding?.caveats.join(' | '),
    );
  });

  test('an Allow that also excludes prefixes (StringNotLike s3:prefix) is not widened', () => {
    const withExclusion = {
      ...LIST_TABLE,
      Condition: {
        StringLike: { 's3:prefix': ['table/year=2025/*'] },
        StringNotLike: { 's3:prefix': ['table/private/*'] },
      },
    };
    const [finding] = explainTexts(
      text(listing('table/year=2026/month=11/')),
      backupUserContext([withExclusion]),
    ).findings;
    assert.equal(finding?.fix, null);
  });
});
