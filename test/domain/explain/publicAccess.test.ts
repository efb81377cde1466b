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
import { mayBePublicPolicy } from '../../../src/domain/explain/publicAccess.js';
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
  test("a read of the bucket owner's own account: not Block Public Access, but an object another account owns, and the KMS key policy", () => {
    const record = deniedRecord({ eventName: 'GetObject', errorMessage: 'Access Denied' });
    // With s3:ListBucket, so that the 403 is not taken for that of a key that does not exist.
    const caveat = stillDeny(record, [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
    ]);
    assert.doesNotMatch(caveat, /Block Public Access|The request sets an ACL/);
    // The record shows neither the object's owner nor the bucket's Object Ownership: an object another
    // account uploaded is granted by its ACL alone, whatever the bucket owner's policies allow.
    assert.match(
      caveat,
      /\(\d\) Object Ownership: on a bucket with ACLs enabled \(Object Ownership "Object writer", or "Bucket owner preferred" for an upload that did not send bucket-owner-full-control\), an object uploaded by another account belongs to that account, and the bucket owner's policies \(its bucket policy, its IAM policies\) do not grant access to it: only the object's ACL can\./,
    );
    assert.match(
      caveat,
      /`aws s3api list-objects-v2 --bucket data --prefix in\/a\.csv --fetch-owner` shows the object's owner/,
    );
    assert.match(
      caveat,
      /`aws s3api put-bucket-ownership-controls --bucket data --ownership-controls 'Rules=\[\{ObjectOwnership=BucketOwnerEnforced\}\]'`, which needs s3:PutBucketOwnershipControls/,
    );
    assert.match(caveat, /copy the objects again with the canned ACL bucket-owner-full-control/);
    assert.match(
      caveat,
      /about-object-ownership\.html, https:\/\/docs\.aws\.amazon\.com\/AmazonS3\/latest\/userguide\/troubleshoot-403-errors\.html/,
    );
    assert.match(caveat, /\(\d\) a KMS key policy for encrypted objects\.$/);
  });

  test('an upload, and a delete, are not told of Object Ownership: they act on no object another account owns', () => {
    const upload = deniedRecord({
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        Host: 'x',
        'x-amz-acl': 'bucket-owner-full-control',
      },
    });
    assert.doesNotMatch(
      stillDeny(upload, [
        { Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl'], Resource: 'arn:aws:s3:::data/*' },
      ]),
      /Object Ownership:/,
    );
    const deletion = deniedRecord({ eventName: 'DeleteObject', errorMessage: 'Access Denied' });
    assert.doesNotMatch(
      stillDeny(deletion, [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/*' }]),
      /Object Ownership:/,
    );
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
    // A public policy: everyone may read, which grants the caller's account too.
    const bucketPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: ['s3:GetObject', 's3:ListBucket'],
          Resource: ['arn:aws:s3:::data/*', 'arn:aws:s3:::data'],
        },
      ],
    };
    // With s3:ListBucket on both sides, so that the 403 is not taken for that of a key that does not exist.
    const statements = [
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::data/*', 'arn:aws:s3:::data'],
      },
    ];
    const caveat = stillDeny(record, statements, bucketPolicy);
    assert.match(
      caveat,
      new RegExp(
        `S3 Block Public Access \\(of the bucket, or of the account\\): if the bucket's policy is public, RestrictPublicBuckets limits access to AWS service principals and users of the bucket owner's account \\(${OTHER}\\), which refuses a caller of account ${ACCOUNT} even where the policy allows it`,
      ),
    );
    assert.doesNotMatch(caveat, /BlockPublicAcls|BlockPublicPolicy|ACL \(/);
    // A policy that names the caller's account, and no one else, is not public: RestrictPublicBuckets
    // does not act on it, so it is not named.
    const named = {
      Version: '2012-10-17',
      Statement: [{ ...bucketPolicy.Statement[0], Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }],
    };
    assert.doesNotMatch(stillDeny(record, statements, named), /RestrictPublicBuckets|Block Public Access/);
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

  test('an ACL sent in the body (s3cmd setacl --acl-public) that grants AllUsers is a public ACL too', () => {
    // The shape CloudTrail logs a body ACL in (AWS's PutBucketAcl example record): several grants as a list.
    const grants = (groupUri: string) => ({
      AccessControlList: {
        Grant: [
          {
            Grantee: { 'xsi:type': 'CanonicalUser', ID: '75aa57f0' },
            Permission: 'FULL_CONTROL',
          },
          { Grantee: { 'xsi:type': 'Group', URI: groupUri }, Permission: 'READ' },
        ],
      },
      Owner: { ID: '75aa57f0' },
    });
    const record = (policy: unknown) =>
      deniedRecord({
        eventName: 'PutObjectAcl',
        errorMessage: 'Access Denied',
        requestParameters: {
          bucketName: 'data',
          key: 'in/a.csv',
          Host: 'x',
          acl: '',
          AccessControlPolicy: policy,
        },
      });
    const statements = [{ Effect: 'Allow', Action: 's3:PutObjectAcl', Resource: 'arn:aws:s3:::data/*' }];
    const caveat = stillDeny(record(grants('http://acs.amazonaws.com/groups/global/AllUsers')), statements);
    assert.match(
      caveat,
      /BlockPublicAcls refuses a request that sets a public ACL, as this one does \(AccessControlPolicy in the request body: READ to uri=http:\/\/acs\.amazonaws\.com\/groups\/global\/AllUsers\)/,
    );
    assert.match(
      caveat,
      /The request sets an ACL \(AccessControlPolicy in the request body: READ to uri=http:\/\/acs\.amazonaws\.com\/groups\/global\/AllUsers\): an ACL only grants access/,
    );
    // AuthenticatedUsers (any AWS account) is public too.
    assert.match(
      stillDeny(record(grants('http://acs.amazonaws.com/groups/global/AuthenticatedUsers')), statements),
      /BlockPublicAcls refuses a request that sets a public ACL, as this one does \(AccessControlPolicy in the request body: READ to uri=http:\/\/acs\.amazonaws\.com\/groups\/global\/AuthenticatedUsers\)/,
    );
    // One grant is logged as an object, not a list; to the log delivery group, it is not public.
    const own = stillDeny(
      record({
        AccessControlList: {
          Grant: {
            Grantee: { 'xsi:type': 'Group', URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' },
            Permission: 'WRITE',
          },
        },
      }),
      statements,
    );
    assert.doesNotMatch(own, /Block Public Access/);
    assert.match(own, /The request sets an ACL \(AccessControlPolicy in the request body, 1 grant\)/);
  });

  test('a bucket ACL sent in the body that grants AllUsers: BlockPublicAcls', () => {
    const record = deniedRecord({
      eventName: 'PutBucketAcl',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        Host: 'x',
        acl: [''],
        AccessControlPolicy: {
          AccessControlList: {
            Grant: {
              Grantee: { 'xsi:type': 'Group', URI: ['http://acs.amazonaws.com/groups/global/AllUsers'] },
              Permission: 'READ',
            },
          },
        },
      },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
    const caveat = stillDeny(record, [
      { Effect: 'Allow', Action: 's3:PutBucketAcl', Resource: 'arn:aws:s3:::data' },
    ]);
    assert.match(
      caveat,
      /BlockPublicAcls refuses a request that sets a public ACL, as this one does \(AccessControlPolicy in the request body: READ to uri=http:\/\/acs\.amazonaws\.com\/groups\/global\/AllUsers\)/,
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

describe('an anonymous read that a public bucket policy allows', () => {
  const record = deniedRecord({
    eventName: 'GetObject',
    errorMessage: 'Access Denied',
    userIdentity: { type: 'AWSAccount', principalId: '', accountId: 'anonymous' },
  });
  // Public read, with the listing so that the 403 is not taken for that of a key that does not exist.
  const publicRead = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: '*',
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::data/*', 'arn:aws:s3:::data'],
      },
    ],
  };
  const finding = () => {
    const [found] = explainTexts(
      text(record),
      explainContext({ bucketPolicies: new Map([['data', publicRead]]) }),
    ).findings;
    assert.ok(found !== undefined);
    return found;
  };

  test('Requester Pays is named as refusing every unsigned request, and IgnorePublicAcls beside RestrictPublicBuckets', () => {
    const caveat = finding().caveats.find((c) => c.includes('What can still deny it'));
    assert.ok(caveat !== undefined, finding().caveats.join(' | '));
    assert.match(
      caveat,
      /\(\d\) Requester Pays: anonymous access to a Requester Pays bucket is not allowed, so if the bucket is one, S3 refuses every unsigned request to it/,
    );
    assert.match(caveat, /RestrictPublicBuckets limits access/);
    assert.match(
      caveat,
      /IgnorePublicAcls makes S3 ignore public ACLs, which refuses an anonymous request that only a public ACL \(the AllUsers group, such as public-read\) allows/,
    );
  });

  test('the anonymous caveat names public ACLs, and the 403 once ACLs are disabled or ignored', () => {
    const caveat = finding().caveats.find((c) => c.startsWith('The request was anonymous (unsigned)'));
    assert.ok(caveat !== undefined, finding().caveats.join(' | '));
    assert.match(
      caveat,
      /only a bucket policy with Principal "\*", or an ACL that grants the AllUsers group \(an object or bucket made public-read by its ACL\), can allow it/,
    );
    assert.match(
      caveat,
      /once ACLs are disabled \(Object Ownership set to "Bucket owner enforced"\) or IgnorePublicAcls is on: objects that were public through their ACL alone are then refused with 403/,
    );
    assert.match(caveat, /acl-overview\.html/);
  });
});

describe('mayBePublicPolicy', () => {
  const policy = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
  test('an Allow to named principals is not public; a wildcard, NotPrincipal or unreadable one may be', () => {
    const named = { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111122223333:root'] }, Action: 's3:*' };
    assert.equal(mayBePublicPolicy(policy(named)), false);
    // A Deny to everyone grants nothing.
    assert.equal(mayBePublicPolicy(policy(named, { Effect: 'Deny', Principal: '*', Action: 's3:*' })), false);
    assert.equal(mayBePublicPolicy(policy({ ...named, Principal: '*' })), true);
    assert.equal(mayBePublicPolicy(policy({ ...named, Principal: { AWS: 'arn:aws:iam::*:root' } })), true);
    assert.equal(
      mayBePublicPolicy(policy({ Effect: 'Allow', NotPrincipal: { AWS: 'x' }, Action: 's3:*' })),
      true,
    );
    assert.equal(mayBePublicPolicy('not a policy'), true);
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
