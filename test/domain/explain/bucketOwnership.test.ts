/**
 * Denials that no policy explains: a request that expected another bucket owner, and a Requester Pays
 * bucket read from another account.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, backupUserContext, deniedRecord } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const allowsData = [
  { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::data/*' },
];
const OTHER = '444455556666';

function upload(expectedOwner: string | undefined, ownerAccount: string | undefined) {
  return deniedRecord({
    errorMessage: 'Access Denied',
    requestParameters: {
      bucketName: 'data',
      key: 'in/a.csv',
      Host: 'data.s3.eu-west-1.amazonaws.com',
      ...(expectedOwner !== undefined ? { 'x-amz-expected-bucket-owner': expectedOwner } : {}),
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/in/a.csv' },
      ownerAccount !== undefined
        ? { accountId: ownerAccount, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }
        : { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
    ],
  });
}

describe('x-amz-expected-bucket-owner', () => {
  test('another account than the owner resources[] names: the caveat says S3 refuses the request for that', () => {
    const [finding] = explainTexts(text(upload(OTHER, ACCOUNT)), backupUserContext(allowsData)).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.match(
      finding?.caveats[0] ?? '',
      new RegExp(
        `^The request expected the bucket to be owned by account ${OTHER} \\(x-amz-expected-bucket-owner\\), but CloudTrail names account ${ACCOUNT}`,
      ),
    );
  });

  test('the owner itself, or an owner known only from recipientAccountId: no such caveat', () => {
    for (const record of [upload(ACCOUNT, ACCOUNT), upload(OTHER, undefined), upload(undefined, ACCOUNT)]) {
      const [finding] = explainTexts(text(record), backupUserContext(allowsData)).findings;
      assert.ok(
        !finding?.caveats.some((c) => c.includes('x-amz-expected-bucket-owner')),
        finding?.caveats.join(' | '),
      );
    }
  });
});

describe('Requester Pays', () => {
  test('a request into a bucket of another account that the visible policies allow: the caveat names the header', () => {
    const record = upload(undefined, OTHER);
    const context = {
      ...backupUserContext(allowsData),
      bucketPolicies: new Map([
        [
          'data',
          {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/backup` },
                Action: 's3:PutObject',
                Resource: 'arn:aws:s3:::data/*',
              },
            ],
          },
        ],
      ]),
    };
    const [finding] = explainTexts(text(record), context).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.ok(
      finding?.caveats.some((c) =>
        c.includes(`; (3) Requester Pays: if the bucket (owned by account ${OTHER})`),
      ),
      finding?.caveats.join(' | '),
    );
    // In the caller's own account, Requester Pays never refuses it.
    const own = explainTexts(text(upload(undefined, ACCOUNT)), backupUserContext(allowsData)).findings[0];
    assert.ok(!own?.caveats.some((c) => c.includes('Requester Pays')));
  });
});
