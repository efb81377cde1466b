/**
 * What a request the visible policies allow is told about S3 Block Public Access and ACLs: Block Public
 * Access only where it can apply, and ACLs as what they are (they only grant).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import {
  ACCOUNT,
  backupUserContext,
  deniedRecord,
  explainContext,
  snapshotWithUser,
} from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const OTHER = '444455556666';

/** The "What can still deny it" caveat of the finding of `record`, its policies allowing `statements`. */
function stillDeny(record: unknown, statements: readonly unknown[], bucketPolicy?: unknown): string {
  const context =
    bucketPolicy === undefined
      ? backupUserContext(statements)
      : explainContext({
          snapshot: snapshotWithUser('backup', { Version: '2012-10-17', Statement: statements }),
          bucketPolicies: new Map([['data', bucketPolicy]]),
        });
  const [finding] = explainTexts(text(record), context).findings;
  assert.equal(finding?.cause, 'allowed-by-visible-policies', finding?.caveats.join(' | '));
  const caveat = finding?.caveats.find((c) => c.includes('What can still deny it'));
  assert.ok(caveat !== undefined, finding?.caveats.join(' | '));
  return caveat;
}

describe('what can still deny a request the visible policies allow', () => {
  test("a read of the bucket owner's own account: neither Block Public Access nor ACLs are named, the KMS key policy is", () => {
    const record = deniedRecord({ eventName: 'GetObject', errorMessage: 'Access Denied' });
    // With s3:ListBucket, so that the 403 is not taken for that of a key that does not exist.
    const caveat = stillDeny(record, [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
    ]);
    assert.doesNotMatch(caveat, /Block Public Access|ACL|Object Ownership/);
    assert.match(caveat, /\(\d\) a KMS key policy for encrypted objects\.$/);
  });

  test('a caller of another account: RestrictPublicBuckets, for a bucket whose policy is public', () => {
    const record = deniedRecord({
      eventName: 'GetObject',
      errorMessage: 'Access Denied',
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/in/a.csv' },
        { accountId: OTHER, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      ],
    });
    const bucketPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: ['s3:GetObject', 's3:ListBucket'],
          Resource: ['arn:aws:s3:::data/*', 'arn:aws:s3:::data'],
        },
      ],
    };
    // With s3:ListBucket on both sides, so that the 403 is not taken for that of a key that does not exist.
    const caveat = stillDeny(
      record,
      [
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:ListBucket'],
          Resource: ['arn:aws:s3:::data/*', 'arn:aws:s3:::data'],
        },
      ],
      bucketPolicy,
    );
    assert.match(
      caveat,
      new RegExp(
        `S3 Block Public Access \\(of the bucket, or of the account\\): if the bucket's policy is public, RestrictPublicBuckets limits access to AWS service principals and users of the bucket owner's account \\(${OTHER}\\), which refuses a caller of account ${ACCOUNT} even where the policy allows it`,
      ),
    );
    assert.doesNotMatch(caveat, /BlockPublicAcls|BlockPublicPolicy|ACL \(/);
  });

  test('an upload that sets a public ACL: BlockPublicAcls, and what an ACL can and cannot do', () => {
    const record = deniedRecord({
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'data', key: 'in/a.csv', Host: 'x', 'x-amz-acl': 'public-read' },
    });
    const caveat = stillDeny(record, [
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl'], Resource: 'arn:aws:s3:::data/*' },
    ]);
    assert.match(
      caveat,
      /BlockPublicAcls refuses a request that sets a public ACL, as this one does \(x-amz-acl: public-read\)/,
    );
    assert.doesNotMatch(caveat, /RestrictPublicBuckets|BlockPublicPolicy/);
    assert.match(
      caveat,
      /The request sets an ACL \(x-amz-acl: public-read\): an ACL only grants access, never denies it, and on a bucket whose Object Ownership is "Bucket owner enforced" a request that sets any ACL but bucket-owner-full-control fails with AccessControlListNotSupported, a 400 error, not AccessDenied/,
    );
  });

  test('an upload with bucket-owner-full-control: no Block Public Access, and the ACL note', () => {
    const record = deniedRecord({
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        Host: 'x',
        'x-amz-acl': 'bucket-owner-full-control',
      },
    });
    const caveat = stillDeny(record, [
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl'], Resource: 'arn:aws:s3:::data/*' },
    ]);
    assert.doesNotMatch(caveat, /Block Public Access/);
    assert.match(caveat, /The request sets an ACL \(x-amz-acl: bucket-owner-full-control\)/);
  });

  test('a grant to AllUsers is a public ACL too', () => {
    const record = deniedRecord({
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        Host: 'x',
        'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
      },
    });
    const caveat = stillDeny(record, [
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl'], Resource: 'arn:aws:s3:::data/*' },
    ]);
    assert.match(
      caveat,
      /BlockPublicAcls refuses a request that sets a public ACL, as this one does \(x-amz-grant-read: /,
    );
  });

  test('a bucket policy being set: BlockPublicPolicy', () => {
    const record = deniedRecord({
      eventName: 'PutBucketPolicy',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        bucketPolicy: { Version: '2012-10-17', Statement: [] },
        policy: '',
        Host: 'x',
      },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
    const caveat = stillDeny(record, [
      { Effect: 'Allow', Action: 's3:PutBucketPolicy', Resource: 'arn:aws:s3:::data' },
    ]);
    assert.match(
      caveat,
      /BlockPublicPolicy refuses a policy that grants public access, if the one the request sets does/,
    );
    assert.doesNotMatch(caveat, /RestrictPublicBuckets|BlockPublicAcls|The request sets an ACL/);
  });
});

/**
 * A KMS key policy can refuse S3's KMS call for the caller only where S3 makes one: an SSE-KMS object's
 * read or write. A bucket configuration change or a version delete involves no KMS key.
 */
describe('the KMS key policy among what can still deny a request the visible policies allow', () => {
  const bucketRecord = (eventName: string, params: Record<string, unknown>) =>
    deniedRecord({
      eventName,
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'data', Host: 'data.s3.eu-west-1.amazonaws.com', ...params },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
      managementEvent: true,
      eventCategory: 'Management',
    });

  test('a bucket configuration change (PutBucketVersioning) does not name it', () => {
    const record = bucketRecord('PutBucketVersioning', {
      versioning: '',
      VersioningConfiguration: { Status: 'Enabled' },
    });
    const caveat = stillDeny(record, [
      { Effect: 'Allow', Action: 's3:PutBucketVersioning', Resource: 'arn:aws:s3:::data' },
    ]);
    assert.doesNotMatch(caveat, /KMS/);
  });

  test('a version delete does not name it', () => {
    const record = deniedRecord({
      eventName: 'DeleteObject',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        versionId: 'v1',
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
    const caveat = stillDeny(record, [
      { Effect: 'Allow', Action: 's3:DeleteObjectVersion', Resource: 'arn:aws:s3:::data/*' },
    ]);
    assert.doesNotMatch(caveat, /KMS/);
  });

  test('an upload names it', () => {
    const caveat = stillDeny(deniedRecord({ errorMessage: 'Access Denied' }), [
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' },
    ]);
    assert.match(caveat, /\(\d\) a KMS key policy for encrypted objects\.$/);
  });

  test('with the bucket policy, SCPs and RCPs given, a bucket change is told the snapshot may be out of date', () => {
    const record = bucketRecord('GetBucketTagging', { tagging: '' });
    const allowAll = (principal: boolean) => [
      {
        name: 'FullAccess',
        document: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', ...(principal ? { Principal: '*' } : {}), Action: '*', Resource: '*' },
          ],
        },
      },
    ];
    const context = explainContext({
      snapshot: snapshotWithUser('backup', {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetBucketTagging', Resource: 'arn:aws:s3:::data' }],
      }),
      bucketPolicies: new Map([['data', { Version: '2012-10-17', Statement: [] }]]),
      scpLevels: [allowAll(false)],
      rcpLevels: [allowAll(true)],
    });
    const [finding] = explainTexts(text(record), context).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies', finding?.caveats.join(' | '));
    const caveat = finding?.caveats.find((c) => c.includes('What can still deny it'));
    assert.match(
      caveat ?? '',
      /What can still deny it: \(1\) a policy changed since the request \(the snapshot may be out of date\)\.$/,
    );
  });
});
