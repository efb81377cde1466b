import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyRecord } from '../../../src/domain/cloudtrail/classify.js';
import type { CloudTrailRecord } from '../../../src/domain/cloudtrail/types.js';

function record(overrides: Partial<CloudTrailRecord>): CloudTrailRecord {
  return {
    eventId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    eventTime: '2026-11-20T03:14:05Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'PutObject',
    principal: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/reports' },
    requestParameters: {},
    additionalEventData: {},
    resources: [],
    raw: {},
    ...overrides,
  };
}

describe('classifyRecord', () => {
  test('an S3 AccessDenied is a denied S3 request', () => {
    assert.deepEqual(classifyRecord(record({ errorCode: 'AccessDenied' })), { kind: 'denied-s3' });
  });

  test('AccessDeniedException counts as a denial', () => {
    assert.deepEqual(classifyRecord(record({ errorCode: 'AccessDeniedException' })), { kind: 'denied-s3' });
  });

  test('a successful S3 request is skipped as not denied', () => {
    const result = classifyRecord(record({}));
    assert.equal(result.kind, 'skip');
    assert.ok(result.kind === 'skip');
    assert.equal(result.reason, 'not-denied');
    assert.match(result.message, /PutObject succeeded/);
  });

  test('a DeleteObjects without an errorCode is skipped, saying that the keys it refused are not in CloudTrail', () => {
    const result = classifyRecord(record({ eventName: 'DeleteObjects' }));
    assert.ok(result.kind === 'skip');
    assert.equal(result.reason, 'not-denied');
    assert.match(
      result.message,
      /reports keys it refused \(AccessDenied\) inside the response, which CloudTrail does not log/,
    );
    const plain = classifyRecord(record({ eventName: 'DeleteObject' }));
    assert.ok(plain.kind === 'skip');
    assert.doesNotMatch(plain.message, /CloudTrail does not log/);
  });

  test('an IAM AccessDenied is skipped as not S3', () => {
    const result = classifyRecord(
      record({
        eventSource: 'iam.amazonaws.com',
        eventName: 'ListAttachedUserPolicies',
        errorCode: 'AccessDenied',
      }),
    );
    assert.ok(result.kind === 'skip');
    assert.equal(result.reason, 'not-s3');
    assert.match(result.message, /iam\.amazonaws\.com/);
  });

  test('an S3 on Outposts denial is skipped as not S3, saying it is S3 on Outposts and what authorizes it', () => {
    const result = classifyRecord(
      record({ eventSource: 's3-outposts.amazonaws.com', eventName: 'PutObject', errorCode: 'AccessDenied' }),
    );
    assert.ok(result.kind === 'skip');
    assert.equal(result.reason, 'not-s3');
    assert.match(
      result.message,
      /^PutObject from s3-outposts\.amazonaws\.com is an S3 on Outposts request: /,
    );
    assert.match(result.message, /authorized by s3-outposts actions \(s3-outposts:PutObject\), not s3 ones/);
    assert.match(result.message, /arn:aws:s3-outposts:REGION:ACCOUNT:outpost\/OUTPOST-ID\/bucket\/BUCKET/);
    assert.match(result.message, /S3OutpostsIAM\.html/);
    assert.doesNotMatch(result.message, /is not an S3 request/);
  });

  test('an S3 Object Lambda denial is skipped as not S3, saying it is Object Lambda and what authorizes it', () => {
    const result = classifyRecord(
      record({
        eventSource: 's3-object-lambda.amazonaws.com',
        eventName: 'GetObject',
        errorCode: 'AccessDenied',
      }),
    );
    assert.ok(result.kind === 'skip');
    assert.equal(result.reason, 'not-s3');
    assert.match(
      result.message,
      /^GetObject from s3-object-lambda\.amazonaws\.com is an S3 Object Lambda request: /,
    );
    assert.match(result.message, /s3-object-lambda actions \(s3-object-lambda:GetObject\)/);
    assert.match(result.message, /arn:aws:s3-object-lambda:REGION:ACCOUNT:accesspoint\/NAME/);
    assert.match(result.message, /supporting access point/);
    assert.doesNotMatch(result.message, /is not an S3 request/);
  });

  test('a directory bucket (S3 Express) denial is an unsupported operation that names what authorizes it', () => {
    const result = classifyRecord(
      record({
        eventSource: 's3express.amazonaws.com',
        eventName: 'CreateSession',
        errorCode: 'AccessDenied',
        awsRegion: 'us-west-2',
        recipientAccountId: '111122223333',
        principal: {
          type: 'IAMUser',
          arn: 'arn:aws:iam::111122223333:user/reports',
          account: '111122223333',
        },
        resources: [
          {
            accountId: '111122223333',
            type: 'AWS::S3Express::DirectoryBucket',
            arn: 'arn:aws:s3express:us-west-2:111122223333:bucket/logs--usw2-az1--x-s3',
          },
        ],
        requestParameters: {
          bucketName: 'logs--usw2-az1--x-s3',
          'x-amz-create-session-mode': 'ReadOnly',
        },
      }),
    );
    assert.ok(result.kind === 'skip');
    assert.equal(result.reason, 'unsupported-operation');
    assert.match(result.message, /^CreateSession on the directory bucket logs--usw2-az1--x-s3 \(s3express/);
    assert.match(
      result.message,
      /s3express:CreateSession on arn:aws:s3express:us-west-2:111122223333:bucket\/logs--usw2-az1--x-s3 /,
    );
    assert.match(result.message, /asked for a ReadOnly session/);
    assert.match(result.message, /\(in an identity-based policy or the directory bucket's policy\)/);
    const bare = classifyRecord(
      record({ eventSource: 's3express.amazonaws.com', eventName: 'PutObject', errorCode: 'AccessDenied' }),
    );
    assert.ok(bare.kind === 'skip');
    assert.equal(bare.reason, 'unsupported-operation');
    assert.match(bare.message, /arn:aws:s3express:REGION:ACCOUNT:bucket\/BUCKET/);
    assert.doesNotMatch(bare.message, /session;/);
  });

  test("a directory bucket of another account: its ARN names the owner (resources[], not the caller's copy's recipient), and both policies must allow", () => {
    const partner = {
      type: 'IAMUser',
      arn: 'arn:aws:iam::444455556666:user/partner',
      account: '444455556666',
    } as const;
    const session = (overrides: Partial<CloudTrailRecord>) =>
      classifyRecord(
        record({
          eventSource: 's3express.amazonaws.com',
          eventName: 'CreateSession',
          errorCode: 'AccessDenied',
          awsRegion: 'eu-west-1',
          principal: partner,
          requestParameters: { bucketName: 'orders-cache--euw1-az1--x-s3' },
          ...overrides,
        }),
      );
    // The requester's copy: recipientAccountId is the caller's account, resources[] names the owner.
    const copy = session({
      recipientAccountId: '444455556666',
      resources: [
        {
          accountId: '111122223333',
          type: 'AWS::S3Express::DirectoryBucket',
          arn: 'arn:aws:s3express:eu-west-1:111122223333:bucket/orders-cache--euw1-az1--x-s3',
        },
      ],
    });
    assert.ok(copy.kind === 'skip');
    assert.match(
      copy.message,
      /s3express:CreateSession on arn:aws:s3express:eu-west-1:111122223333:bucket\/orders-cache--euw1-az1--x-s3 \(in both the caller's identity-based policy and the directory bucket's policy, since the bucket is in account 111122223333 and the caller in 444455556666/,
    );
    assert.doesNotMatch(copy.message, /444455556666:bucket/);
    // The owner's copy names the owner as recipient.
    const owners = session({ recipientAccountId: '111122223333' });
    assert.ok(owners.kind === 'skip');
    assert.match(owners.message, /arn:aws:s3express:eu-west-1:111122223333:bucket\//);
    // The caller's copy without resources[]: the owner is not known.
    const unknown = session({ recipientAccountId: '444455556666' });
    assert.ok(unknown.kind === 'skip');
    assert.match(unknown.message, /arn:aws:s3express:eu-west-1:ACCOUNT:bucket\//);
    assert.match(
      unknown.message,
      /in both if the caller is of another account than the bucket, whose owner \(ACCOUNT\)/,
    );
  });

  test('a directory bucket request that succeeded, or failed for another reason, is not a denial', () => {
    const ok = classifyRecord(record({ eventSource: 's3express.amazonaws.com', eventName: 'CreateSession' }));
    assert.ok(ok.kind === 'skip');
    assert.equal(ok.reason, 'not-denied');
    const other = classifyRecord(
      record({ eventSource: 's3express.amazonaws.com', errorCode: 'SignatureDoesNotMatch' }),
    );
    assert.ok(other.kind === 'skip');
    assert.equal(other.reason, 'not-denied');
  });

  test('AllAccessDisabled is a 403 that no policy fixes, so it is skipped with the reason', () => {
    const result = classifyRecord(record({ eventName: 'GetObject', errorCode: 'AllAccessDisabled' }));
    assert.ok(result.kind === 'skip');
    assert.equal(result.reason, 'not-denied');
    assert.match(result.message, /AllAccessDisabled.*AWS Support/);
  });

  test('InvalidObjectState is skipped: a read is told the object is archived, a restore that it is not', () => {
    const read = classifyRecord(record({ eventName: 'GetObject', errorCode: 'InvalidObjectState' }));
    assert.ok(read.kind === 'skip');
    assert.equal(read.reason, 'not-denied');
    assert.match(read.message, /archived .* must be restored before access/);
    const restore = classifyRecord(record({ eventName: 'RestoreObject', errorCode: 'InvalidObjectState' }));
    assert.ok(restore.kind === 'skip');
    assert.equal(restore.reason, 'not-denied');
    assert.match(
      restore.message,
      /^RestoreObject failed with InvalidObjectState, which is not a permission denial: The object is not in an archive storage class or tier .* nothing to restore/,
    );
    assert.doesNotMatch(restore.message, /must be restored/);
  });

  test('AccessControlListNotSupported and InvalidBucketAclWithObjectOwnership say what Object Ownership refused, and what to do', () => {
    const acl = classifyRecord(
      record({
        errorCode: 'AccessControlListNotSupported',
        requestParameters: { bucketName: 'reports', key: 'a.csv', 'x-amz-acl': 'public-read' },
      }),
    );
    assert.ok(acl.kind === 'skip');
    assert.equal(acl.reason, 'not-denied');
    assert.match(
      acl.message,
      /^PutObject failed with AccessControlListNotSupported, which is not an access denial: S3 answers it \(a 400 error\) when the bucket's Object Ownership is "Bucket owner enforced", which disables ACLs, and the request sets an ACL other than bucket-owner-full-control \(x-amz-acl: public-read\)\. Drop the ACL from the request/,
    );
    assert.match(acl.message, /or send only bucket-owner-full-control/);
    assert.match(acl.message, /object-ownership-error-responses\.html/);
    const bucketAcl = classifyRecord(
      record({ eventName: 'PutBucketOwnershipControls', errorCode: 'InvalidBucketAclWithObjectOwnership' }),
    );
    assert.ok(bucketAcl.kind === 'skip');
    assert.match(
      bucketAcl.message,
      /a bucket ACL that grants access to anyone but the bucket owner.*Move the ACL's grants into the bucket policy and reset the bucket ACL to private first/,
    );
    // Other codes keep the short message.
    const other = classifyRecord(record({ errorCode: 'NoSuchKey' }));
    assert.ok(other.kind === 'skip');
    assert.equal(other.message, 'PutObject failed with NoSuchKey, which is not an access denial.');
  });

  test('a signature error is skipped as a credentials problem', () => {
    const result = classifyRecord(record({ errorCode: 'SignatureDoesNotMatch' }));
    assert.ok(result.kind === 'skip');
    assert.match(result.message, /credentials problem/);
  });

  test('an unrelated S3 error is skipped as not denied', () => {
    const result = classifyRecord(
      record({ eventName: 'CreateBucket', errorCode: 'BucketAlreadyOwnedByYou' }),
    );
    assert.ok(result.kind === 'skip');
    assert.equal(result.reason, 'not-denied');
    assert.match(result.message, /BucketAlreadyOwnedByYou/);
  });
});
