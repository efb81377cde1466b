import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CloudTrailRecord } from '../../../src/domain/cloudtrail/types.js';
import { authorizationChecksFor } from '../../../src/domain/s3/authorizationChecks.js';
import type { S3AuthorizationCheck } from '../../../src/domain/s3/types.js';
import { BUCKET, CALLER_ACCOUNT, s3Event, s3Record, toRecord } from './s3EventRecords.js';

interface ExpectedCheck {
  readonly action: string;
  readonly resource: string;
  readonly role?: 'source' | 'destination';
  readonly kind?: 'kms';
}

interface Case {
  readonly name: string;
  readonly record: CloudTrailRecord;
  readonly checks: readonly ExpectedCheck[];
  /** Each pattern must match at least one note. */
  readonly notes?: readonly RegExp[];
}

const OBJECT = `arn:aws:s3:::${BUCKET}/photos/2026/a.jpg`;
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const KEY_ARN = `arn:aws:kms:eu-west-1:${CALLER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function project(check: S3AuthorizationCheck): ExpectedCheck {
  return {
    action: check.action,
    resource: check.resource,
    ...(check.role !== undefined ? { role: check.role } : {}),
    ...(check.kind === 'kms' ? { kind: 'kms' as const } : {}),
  };
}

const objectParams = { bucketName: BUCKET, key: 'photos/2026/a.jpg' };

// Each case cites the rule it pins down; URLs are in the catalogue entries.
const cases: readonly Case[] = [
  {
    name: 'a ListObjectsV2 call (logged as ListObjects with list-type 2) needs s3:ListBucket on the bucket, not bucket/*',
    record: s3Record({
      eventName: 'ListObjects',
      requestParameters: {
        bucketName: BUCKET,
        'list-type': '2',
        prefix: 'photos/',
        delimiter: '/',
        'encoding-type': 'url',
      },
      resources: [
        { type: 'AWS::S3::Object', ARNPrefix: `${BUCKET_ARN}/photos/` },
        { accountId: CALLER_ACCOUNT, type: 'AWS::S3::Bucket', ARN: BUCKET_ARN },
      ],
    }),
    checks: [{ action: 's3:ListBucket', resource: BUCKET_ARN }],
    notes: [/ListObjectsV2 as eventName ListObjects/],
  },
  {
    name: 'the SDK name ListObjectsV2 maps to the same entry as ListObjects',
    record: s3Record({
      eventName: 'ListObjectsV2',
      requestParameters: { bucketName: BUCKET, 'list-type': '2' },
    }),
    checks: [{ action: 's3:ListBucket', resource: BUCKET_ARN }],
  },
  {
    name: 'HeadBucket needs s3:ListBucket because there is no s3:HeadBucket action',
    record: s3Record({ eventName: 'HeadBucket', requestParameters: { bucketName: BUCKET } }),
    checks: [{ action: 's3:ListBucket', resource: BUCKET_ARN }],
  },
  {
    name: 'ListObjectVersions needs s3:ListBucketVersions',
    record: s3Record({
      eventName: 'ListObjectVersions',
      requestParameters: { bucketName: BUCKET, versions: '' },
    }),
    checks: [{ action: 's3:ListBucketVersions', resource: BUCKET_ARN }],
  },
  {
    name: 'HeadObject needs s3:GetObject on the object',
    record: s3Record({ eventName: 'HeadObject', requestParameters: objectParams }),
    checks: [{ action: 's3:GetObject', resource: OBJECT }],
    notes: [/no s3:HeadObject action/, /404 only if the caller has s3:ListBucket/],
  },
  {
    name: 'HeadObject with a versionId needs only s3:GetObjectVersion',
    record: s3Record({
      eventName: 'HeadObject',
      requestParameters: { ...objectParams, versionId: '3HL4kqtJlcpXroDTDmJ' },
    }),
    checks: [{ action: 's3:GetObjectVersion', resource: OBJECT }],
  },
  {
    name: 'GetObject with a versionId needs s3:GetObjectVersion and not s3:GetObject',
    record: s3Record({
      eventName: 'GetObject',
      requestParameters: { ...objectParams, versionId: '3HL4kqtJlcpXroDTDmJ' },
    }),
    checks: [{ action: 's3:GetObjectVersion', resource: OBJECT }],
    notes: [/kms:Decrypt/],
  },
  {
    name: 'GetObjectAttributes needs both s3:GetObject and s3:GetObjectAttributes',
    record: s3Record({
      eventName: 'GetObjectAttributes',
      requestParameters: { ...objectParams, attributes: '' },
    }),
    checks: [
      { action: 's3:GetObject', resource: OBJECT },
      { action: 's3:GetObjectAttributes', resource: OBJECT },
    ],
  },
  {
    name: 'CopyObject reads the URL-decoded source object and writes the destination',
    record: s3Record({
      eventName: 'CopyObject',
      requestParameters: {
        ...objectParams,
        'x-amz-copy-source': 'source-bucket/reports/Q3%20summary%2B%C3%A9.pdf',
        'x-amz-metadata-directive': 'COPY',
      },
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT, role: 'destination' },
      {
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::source-bucket/reports/Q3 summary+é.pdf',
        role: 'source',
      },
    ],
  },
  {
    name: 'CopyObject with a versioned source needs s3:GetObjectVersion on the source',
    record: s3Record({
      eventName: 'CopyObject',
      requestParameters: {
        ...objectParams,
        'x-amz-copy-source': '/source-bucket/a.txt?versionId=L4kqtJlcpXroDTDmpUMLUo',
      },
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT, role: 'destination' },
      { action: 's3:GetObjectVersion', resource: 'arn:aws:s3:::source-bucket/a.txt', role: 'source' },
    ],
  },
  {
    name: 'CopyObject with an ACL header also needs s3:PutObjectAcl on the destination (rclone <= 1.60 sends one)',
    record: s3Record({
      eventName: 'CopyObject',
      requestParameters: {
        ...objectParams,
        'x-amz-copy-source': 'backup-bucket/old/a.jpg',
        'x-amz-acl': 'private',
      },
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT, role: 'destination' },
      { action: 's3:GetObject', resource: `${BUCKET_ARN}/old/a.jpg`, role: 'source' },
      { action: 's3:PutObjectAcl', resource: OBJECT, role: 'destination' },
    ],
  },
  {
    name: 'UploadPartCopy reads the source and writes the destination like CopyObject',
    record: s3Record({
      eventName: 'UploadPartCopy',
      requestParameters: {
        ...objectParams,
        partNumber: '3',
        uploadId: 'VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA',
        'x-amz-copy-source': 'source-bucket/big.iso',
        'x-amz-copy-source-range': 'bytes=0-5242879',
      },
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT, role: 'destination' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::source-bucket/big.iso', role: 'source' },
    ],
  },
  {
    name: 'a copy whose source is not valid URL encoding keeps the destination check and says why the source is missing',
    record: s3Record({
      eventName: 'CopyObject',
      requestParameters: { ...objectParams, 'x-amz-copy-source': 'source-bucket/bad%E0%A4%A' },
    }),
    checks: [{ action: 's3:PutObject', resource: OBJECT, role: 'destination' }],
    notes: [/not valid URL encoding/],
  },
  {
    name: 'PutObject with x-amz-acl also needs s3:PutObjectAcl',
    record: s3Record({
      eventName: 'PutObject',
      requestParameters: { ...objectParams, 'x-amz-acl': 'private' },
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT },
      { action: 's3:PutObjectAcl', resource: OBJECT },
    ],
  },
  {
    name: 'PutObject with an x-amz-grant-read header also needs s3:PutObjectAcl',
    record: s3Record({
      eventName: 'PutObject',
      requestParameters: {
        ...objectParams,
        'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
      },
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT },
      { action: 's3:PutObjectAcl', resource: OBJECT },
    ],
  },
  {
    name: 'PutObject with x-amz-tagging also needs s3:PutObjectTagging',
    record: s3Record({
      eventName: 'PutObject',
      requestParameters: { ...objectParams, 'x-amz-tagging': 'team=data' },
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT },
      { action: 's3:PutObjectTagging', resource: OBJECT },
    ],
  },
  {
    name: 'PutObject with an Object Lock retention header also needs s3:PutObjectRetention',
    record: s3Record({
      eventName: 'PutObject',
      requestParameters: {
        ...objectParams,
        'x-amz-object-lock-mode': 'GOVERNANCE',
        'x-amz-object-lock-retain-until-date': '2027-01-01T00:00:00Z',
      },
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT },
      { action: 's3:PutObjectRetention', resource: OBJECT },
    ],
  },
  {
    name: 'PutObject with SSE-KMS and a key ARN needs kms:GenerateDataKey on that key',
    record: s3Record({
      eventName: 'PutObject',
      requestParameters: {
        ...objectParams,
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
      },
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT },
      { action: 'kms:GenerateDataKey', resource: KEY_ARN, kind: 'kms' },
    ],
  },
  {
    name: 'a bare KMS key id is resolved in the caller account and the request region',
    record: s3Record({
      eventName: 'PutObject',
      requestParameters: {
        ...objectParams,
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': '1234abcd-12ab-34cd-56ef-1234567890ab',
      },
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT },
      { action: 'kms:GenerateDataKey', resource: KEY_ARN, kind: 'kms' },
    ],
  },
  {
    name: "a bare KMS key id in a request to another account's bucket: resolved in the caller account, with a note that the owner's key needs its ARN",
    record: s3Record({
      eventName: 'PutObject',
      requestParameters: {
        ...objectParams,
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': '1234abcd-12ab-34cd-56ef-1234567890ab',
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: OBJECT },
        { accountId: '444455556666', type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKET}` },
      ],
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT },
      { action: 'kms:GenerateDataKey', resource: KEY_ARN, kind: 'kms' },
    ],
    notes: [
      /by its ID alone \(1234abcd-12ab-34cd-56ef-1234567890ab\).*not in the bucket owner's 444455556666: if the key is the bucket owner's, name it by its full ARN/,
    ],
  },
  {
    name: 'SSE-KMS without a key id produces a note instead of a guessed key',
    record: s3Record({
      eventName: 'PutObject',
      requestParameters: { ...objectParams, 'x-amz-server-side-encryption': 'aws:kms' },
    }),
    checks: [{ action: 's3:PutObject', resource: OBJECT }],
    notes: [/aws\/s3/],
  },
  {
    name: 'a KMS alias produces a note because KMS authorizes on the key, not the alias',
    record: s3Record({
      eventName: 'PutObject',
      requestParameters: {
        ...objectParams,
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'alias/backups',
      },
    }),
    checks: [{ action: 's3:PutObject', resource: OBJECT }],
    notes: [/alias\/backups/],
  },
  {
    // "The requester must also have permissions for the kms:GenerateDataKey action for the
    // CreateMultipartUpload API. Then, the requester needs permissions for the kms:Decrypt action on the
    // UploadPart and UploadPartCopy APIs" (UploadPartCopy's API reference, Permissions).
    name: 'CreateMultipartUpload with SSE-KMS needs kms:GenerateDataKey (kms:Decrypt is for its parts)',
    record: s3Record({
      eventName: 'CreateMultipartUpload',
      requestParameters: {
        ...objectParams,
        uploads: '',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
      },
    }),
    checks: [
      { action: 's3:PutObject', resource: OBJECT },
      { action: 'kms:GenerateDataKey', resource: KEY_ARN, kind: 'kms' },
    ],
  },
  {
    name: 'CompleteMultipartUpload needs s3:PutObject like the upload it completes',
    record: s3Record({
      eventName: 'CompleteMultipartUpload',
      requestParameters: { ...objectParams, uploadId: 'VXBsb2FkIElE' },
    }),
    checks: [{ action: 's3:PutObject', resource: OBJECT }],
  },
  {
    name: 'AbortMultipartUpload needs s3:AbortMultipartUpload',
    record: s3Record({
      eventName: 'AbortMultipartUpload',
      requestParameters: { ...objectParams, uploadId: 'VXBsb2FkIElE' },
    }),
    checks: [{ action: 's3:AbortMultipartUpload', resource: OBJECT }],
  },
  {
    name: 'ListParts needs s3:ListMultipartUploadParts on the object',
    record: s3Record({
      eventName: 'ListParts',
      requestParameters: { ...objectParams, uploadId: 'VXBsb2FkIElE' },
    }),
    checks: [{ action: 's3:ListMultipartUploadParts', resource: OBJECT }],
  },
  {
    name: 'ListMultipartUploads needs s3:ListBucketMultipartUploads on the bucket',
    record: s3Record({
      eventName: 'ListMultipartUploads',
      requestParameters: { bucketName: BUCKET, uploads: '' },
    }),
    checks: [{ action: 's3:ListBucketMultipartUploads', resource: BUCKET_ARN }],
  },
  {
    name: 'DeleteObject with a versionId needs s3:DeleteObjectVersion',
    record: s3Record({
      eventName: 'DeleteObject',
      requestParameters: {
        ...objectParams,
        versionId: 'UIORUnfndfiufdisojhr398493jfdkjFJjkndnqUifhnw89493jJFJ',
      },
    }),
    checks: [{ action: 's3:DeleteObjectVersion', resource: OBJECT }],
  },
  {
    name: 'DeleteObject with governance bypass also needs s3:BypassGovernanceRetention',
    record: s3Record({
      eventName: 'DeleteObject',
      requestParameters: { ...objectParams, 'x-amz-bypass-governance-retention': 'true' },
    }),
    checks: [
      { action: 's3:DeleteObject', resource: OBJECT },
      { action: 's3:BypassGovernanceRetention', resource: OBJECT },
    ],
  },
  {
    name: 'DeleteObjects without logged keys is checked on bucket/* and says why',
    record: s3Record({ eventName: 'DeleteObjects', requestParameters: { bucketName: BUCKET, delete: '' } }),
    checks: [{ action: 's3:DeleteObject', resource: `${BUCKET_ARN}/*` }],
    notes: [/does not log the keys/],
  },
  {
    name: 'DeleteObjects with a logged body checks each key, versioned keys as s3:DeleteObjectVersion',
    record: s3Record({
      eventName: 'DeleteObjects',
      requestParameters: {
        bucketName: BUCKET,
        delete: '',
        Delete: {
          Object: [{ Key: 'a.txt' }, { Key: 'b.txt', VersionId: 'v2' }],
          xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
        },
      },
    }),
    checks: [
      { action: 's3:DeleteObject', resource: `${BUCKET_ARN}/a.txt` },
      { action: 's3:DeleteObjectVersion', resource: `${BUCKET_ARN}/b.txt` },
    ],
  },
  {
    name: 'GetObjectTagging with a versionId needs s3:GetObjectVersionTagging',
    record: s3Record({
      eventName: 'GetObjectTagging',
      requestParameters: { ...objectParams, tagging: '', versionId: 'v1' },
    }),
    checks: [{ action: 's3:GetObjectVersionTagging', resource: OBJECT }],
  },
  {
    name: 'PutObjectAcl with a versionId needs s3:PutObjectVersionAcl',
    record: s3Record({
      eventName: 'PutObjectAcl',
      requestParameters: { ...objectParams, acl: '', versionId: 'v1' },
    }),
    checks: [{ action: 's3:PutObjectVersionAcl', resource: OBJECT }],
  },
  {
    name: 'ListBuckets needs s3:ListAllMyBuckets on "*" and no bucket',
    record: toRecord(
      s3Event({
        eventName: 'ListBuckets',
        requestParameters: { Host: 's3.eu-west-1.amazonaws.com' },
        resources: [],
        overrides: { eventCategory: 'Management', managementEvent: true, readOnly: true },
      }),
    ),
    checks: [{ action: 's3:ListAllMyBuckets', resource: '*' }],
  },
  {
    name: 'CreateBucket with the private canned ACL needs only s3:CreateBucket',
    record: s3Record({
      eventName: 'CreateBucket',
      requestParameters: {
        bucketName: BUCKET,
        'x-amz-acl': 'private',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      },
    }),
    checks: [{ action: 's3:CreateBucket', resource: BUCKET_ARN }],
  },
  {
    name: 'CreateBucket with a public-read ACL also needs s3:PutBucketAcl',
    record: s3Record({
      eventName: 'CreateBucket',
      requestParameters: { bucketName: BUCKET, 'x-amz-acl': 'public-read' },
    }),
    checks: [
      { action: 's3:CreateBucket', resource: BUCKET_ARN },
      { action: 's3:PutBucketAcl', resource: BUCKET_ARN },
    ],
  },
  {
    name: 'CreateBucket with Object Lock and an ownership header needs the lock, versioning and ownership actions',
    record: s3Record({
      eventName: 'CreateBucket',
      requestParameters: {
        bucketName: BUCKET,
        'x-amz-bucket-object-lock-enabled': 'true',
        'x-amz-object-ownership': 'BucketOwnerEnforced',
      },
    }),
    checks: [
      { action: 's3:CreateBucket', resource: BUCKET_ARN },
      { action: 's3:PutBucketObjectLockConfiguration', resource: BUCKET_ARN },
      { action: 's3:PutBucketVersioning', resource: BUCKET_ARN },
      { action: 's3:PutBucketOwnershipControls', resource: BUCKET_ARN },
    ],
  },
  {
    name: 'DeleteBucketCors is authorized by s3:PutBucketCORS',
    record: s3Record({ eventName: 'DeleteBucketCors', requestParameters: { bucketName: BUCKET, cors: '' } }),
    checks: [{ action: 's3:PutBucketCORS', resource: BUCKET_ARN }],
  },
  {
    name: 'DeleteBucketEncryption is authorized by s3:PutEncryptionConfiguration',
    record: s3Record({
      eventName: 'DeleteBucketEncryption',
      requestParameters: { bucketName: BUCKET, encryption: '' },
    }),
    checks: [{ action: 's3:PutEncryptionConfiguration', resource: BUCKET_ARN }],
  },
  {
    name: 'DeleteBucketPublicAccessBlock (CloudTrail name) is authorized by s3:PutBucketPublicAccessBlock',
    record: s3Record({
      eventName: 'DeleteBucketPublicAccessBlock',
      requestParameters: { bucketName: BUCKET, publicAccessBlock: '' },
    }),
    checks: [{ action: 's3:PutBucketPublicAccessBlock', resource: BUCKET_ARN }],
  },
  {
    name: 'GetBucketLifecycle (CloudTrail name) needs s3:GetLifecycleConfiguration',
    record: s3Record({
      eventName: 'GetBucketLifecycle',
      requestParameters: { bucketName: BUCKET, lifecycle: '' },
    }),
    checks: [{ action: 's3:GetLifecycleConfiguration', resource: BUCKET_ARN }],
  },
  {
    name: 'PutBucketReplication also needs iam:PassRole on the replication role',
    record: s3Record({
      eventName: 'PutBucketReplication',
      requestParameters: {
        bucketName: BUCKET,
        replication: '',
        ReplicationConfiguration: {
          Role: `arn:aws:iam::${CALLER_ACCOUNT}:role/s3-replication`,
          Rule: { Status: 'Enabled' },
        },
      },
    }),
    checks: [
      { action: 's3:PutReplicationConfiguration', resource: BUCKET_ARN },
      { action: 'iam:PassRole', resource: `arn:aws:iam::${CALLER_ACCOUNT}:role/s3-replication` },
    ],
  },
  {
    name: 'the bucket comes from the virtual-hosted Host header when bucketName and resources are absent',
    record: s3Record({
      eventName: 'GetBucketAcl',
      requestParameters: {
        bucketName: '',
        acl: '',
        Host: 'logs.example.s3.dualstack.us-east-1.amazonaws.com',
      },
      resources: [],
    }),
    checks: [{ action: 's3:GetBucketAcl', resource: 'arn:aws:s3:::logs.example' }],
  },
  {
    name: 'the bucket and key come from resources[] when requestParameters lacks them',
    record: s3Record({
      eventName: 'GetObject',
      requestParameters: { Host: 's3.eu-west-1.amazonaws.com' },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::other-bucket/x/y.bin' },
        { accountId: CALLER_ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::other-bucket' },
      ],
    }),
    checks: [{ action: 's3:GetObject', resource: 'arn:aws:s3:::other-bucket/x/y.bin' }],
  },
  {
    name: 'records from the China partition produce aws-cn ARNs',
    record: s3Record({
      eventName: 'GetObject',
      requestParameters: { ...objectParams, Host: `${BUCKET}.s3.cn-north-1.amazonaws.com.cn` },
      resources: [],
      overrides: { awsRegion: 'cn-north-1' },
    }),
    checks: [{ action: 's3:GetObject', resource: `arn:aws-cn:s3:::${BUCKET}/photos/2026/a.jpg` }],
  },
];

describe('a copy whose source is named by an access point ARN', () => {
  test('the source check names the access point and the key, and no bucket', () => {
    const source = `arn:aws:s3:eu-west-1:${CALLER_ACCOUNT}:accesspoint/ingest-ap/object/incoming/a.mp4`;
    const result = authorizationChecksFor(
      s3Record({
        eventName: 'CopyObject',
        requestParameters: { ...objectParams, 'x-amz-copy-source': source },
      }),
    );
    assert.ok(result.ok);
    const read = result.checks.find((c) => c.role === 'source');
    assert.deepEqual(
      { resource: read?.resource, accessPoint: read?.accessPoint, key: read?.key, bucket: read?.bucket },
      {
        resource: source,
        accessPoint: `arn:aws:s3:eu-west-1:${CALLER_ACCOUNT}:accesspoint/ingest-ap`,
        key: 'incoming/a.mp4',
        bucket: undefined,
      },
    );
  });
});

describe('authorizationChecksFor', () => {
  for (const c of cases) {
    test(c.name, () => {
      const result = authorizationChecksFor(c.record);
      assert.ok(result.ok, `expected ok, got ${JSON.stringify(result)}`);
      assert.deepEqual(result.checks.map(project), c.checks);
      for (const pattern of c.notes ?? []) {
        assert.ok(
          result.notes.some((note) => pattern.test(note)),
          `no note matches ${pattern}: ${JSON.stringify(result.notes)}`,
        );
      }
    });
  }

  test('every S3 check names its bucket, and object checks name their key', () => {
    const result = authorizationChecksFor(
      s3Record({
        eventName: 'CopyObject',
        requestParameters: { ...objectParams, 'x-amz-copy-source': 'src/k' },
      }),
    );
    assert.ok(result.ok);
    assert.deepEqual(
      result.checks.map((check) => [check.bucket, check.key]),
      [
        [BUCKET, 'photos/2026/a.jpg'],
        ['src', 'k'],
      ],
    );
  });

  test('a check reason says which request feature triggered it and cites an AWS document', () => {
    const result = authorizationChecksFor(
      s3Record({
        eventName: 'PutObject',
        requestParameters: { ...objectParams, 'x-amz-acl': 'bucket-owner-full-control' },
      }),
    );
    assert.ok(result.ok);
    const aclCheck = result.checks.find((check) => check.action === 's3:PutObjectAcl');
    assert.match(aclCheck?.reason ?? '', /x-amz-acl or x-amz-grant-\* header present/);
    assert.match(aclCheck?.reason ?? '', /Source: https:\/\/docs\.aws\.amazon\.com\//);
  });

  test('rules that no AWS document states are marked unverified in their reason', () => {
    const result = authorizationChecksFor(
      s3Record({
        eventName: 'PutObject',
        requestParameters: { ...objectParams, 'x-amz-object-lock-legal-hold': 'ON' },
      }),
    );
    assert.ok(result.ok);
    const legalHold = result.checks.find((check) => check.action === 's3:PutObjectLegalHold');
    assert.match(legalHold?.reason ?? '', /unverified/);
  });

  test('KMS checks carry the forward-access context S3 uses when it calls KMS', () => {
    const result = authorizationChecksFor(
      s3Record({
        eventName: 'PutObject',
        requestParameters: { ...objectParams, 'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN },
      }),
    );
    assert.ok(result.ok);
    const kms = result.checks.find((check) => check.kind === 'kms');
    assert.equal(kms?.context['kms:ViaService'], 's3.eu-west-1.amazonaws.com');
    assert.equal(kms?.context['kms:CallerAccount'], CALLER_ACCOUNT);
    assert.equal(kms?.context['aws:ViaAWSService'], true);
  });

  test("an upload that names SSE-S3 or SSE-C gets no note on the bucket's default KMS key; one that names none does", () => {
    const notesOf = (extra: Record<string, string>) => {
      const result = authorizationChecksFor(
        s3Record({ eventName: 'PutObject', requestParameters: { ...objectParams, ...extra } }),
      );
      assert.ok(result.ok);
      return result.notes.filter((note) => note.includes('default SSE-KMS encryption'));
    };
    assert.equal(notesOf({}).length, 1);
    assert.deepEqual(notesOf({ 'x-amz-server-side-encryption': 'AES256' }), []);
    assert.deepEqual(notesOf({ 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }), []);
  });

  test('a versioned DeleteObjects key carries its own s3:versionid in the context', () => {
    const result = authorizationChecksFor(
      s3Record({
        eventName: 'DeleteObjects',
        requestParameters: { bucketName: BUCKET, Delete: { Object: { Key: 'b.txt', VersionId: 'v2' } } },
      }),
    );
    assert.ok(result.ok);
    assert.equal(result.checks[0]?.context['s3:versionid'], 'v2');
  });

  test('a DeleteObjects whose keys are logged does not say they are not, and keeps its other note', () => {
    const withKeys = (bypass: boolean) =>
      authorizationChecksFor(
        s3Record({
          eventName: 'DeleteObjects',
          requestParameters: {
            bucketName: BUCKET,
            delete: '',
            Delete: { Object: [{ Key: 'a.txt' }, { Key: 'b.txt', VersionId: 'v2' }] },
            ...(bypass ? { 'x-amz-bypass-governance-retention': 'true' } : {}),
          },
        }),
      );
    // With the bypass header, two rules resolve the logged keys: the note is dropped once, not twice.
    for (const result of [withKeys(false), withKeys(true)]) {
      assert.ok(result.ok);
      assert.ok(
        !result.notes.some((note) => /does not log the keys/.test(note)),
        JSON.stringify(result.notes),
      );
      assert.ok(result.notes.some((note) => /Per-key failures come back inside a 200 response/.test(note)));
    }
  });

  test('a copy source in another bucket does not inherit the destination bucket owner account', () => {
    const result = authorizationChecksFor(
      s3Record({
        eventName: 'CopyObject',
        requestParameters: { ...objectParams, 'x-amz-copy-source': 'elsewhere/k' },
      }),
    );
    assert.ok(result.ok);
    const [destination, source] = result.checks;
    assert.equal(destination?.context['s3:ResourceAccount'], CALLER_ACCOUNT);
    assert.equal(source?.context['s3:ResourceAccount'], undefined);
    assert.equal(source?.context['aws:ResourceAccount'], undefined);
  });

  test('when the bucket owner is only known from recipientAccountId a note warns about cross-account copies', () => {
    const result = authorizationChecksFor(
      s3Record({
        eventName: 'GetBucketAcl',
        requestParameters: { bucketName: BUCKET, acl: '' },
        resources: [],
      }),
    );
    assert.ok(result.ok);
    assert.ok(result.notes.some((note) => /recipientAccountId/.test(note)));
  });

  describe('expected failures are values with stable codes', () => {
    const failures: readonly { name: string; record: CloudTrailRecord; code: string }[] = [
      {
        name: 'an event that is not from S3 is rejected with s3.notS3Event',
        record: s3Record({
          eventName: 'GetObject',
          requestParameters: objectParams,
          overrides: { eventSource: 'kms.amazonaws.com' },
        }),
        code: 's3.notS3Event',
      },
      {
        name: 'an unknown eventName is rejected with s3.unsupportedOperation',
        record: s3Record({ eventName: 'MakeCoffee', requestParameters: { bucketName: BUCKET } }),
        code: 's3.unsupportedOperation',
      },
      {
        name: 'a bucket operation whose record names no bucket is rejected with s3.missingBucket',
        record: s3Record({
          eventName: 'GetBucketPolicy',
          requestParameters: { Host: 's3.eu-west-1.amazonaws.com', policy: '' },
          resources: [],
        }),
        code: 's3.missingBucket',
      },
      {
        name: 'an access point host is not mistaken for a bucket',
        record: s3Record({
          eventName: 'GetBucketPolicy',
          requestParameters: { Host: 'finance-ap-111122223333.s3-accesspoint.eu-west-1.amazonaws.com' },
          resources: [],
        }),
        code: 's3.missingBucket',
      },
      {
        name: 'an object operation whose record names no key is rejected with s3.missingKey',
        record: s3Record({
          eventName: 'GetObject',
          requestParameters: { bucketName: BUCKET },
          resources: [{ accountId: CALLER_ACCOUNT, type: 'AWS::S3::Bucket', ARN: BUCKET_ARN }],
        }),
        code: 's3.missingKey',
      },
    ];
    test('kms:Decrypt is said to be needed by a HEAD only when it asks for the checksum, by a completion only with checksums', () => {
      const notesOf = (eventName: string, extra: Record<string, unknown> = {}) => {
        const result = authorizationChecksFor(
          s3Record({ eventName, requestParameters: { ...objectParams, ...extra }, resources: [] }),
        );
        return result.ok ? result.notes.join('\n') : '';
      };
      assert.match(
        notesOf('HeadObject'),
        /SSE-KMS encrypted and the request asks for its checksum \(x-amz-checksum-mode\)/,
      );
      assert.match(notesOf('GetObject'), /^If the object is SSE-KMS encrypted, S3 also needs kms:Decrypt/m);
      assert.match(
        notesOf('CompleteMultipartUpload', { uploadId: 'VXBsb2FkIElE' }),
        /uses SSE-KMS and its parts carry an additional checksum, completing it also needs kms:Decrypt/,
      );
    });

    test('creating a bucket with tags also needs s3:TagResource on it', () => {
      const record = s3Record({
        eventName: 'CreateBucket',
        requestParameters: {
          bucketName: BUCKET,
          CreateBucketConfiguration: {
            LocationConstraint: 'eu-west-1',
            Tags: { Tag: [{ Key: 'team', Value: 'a' }] },
          },
        },
        resources: [],
      });
      const result = authorizationChecksFor(record);
      assert.ok(result.ok);
      assert.deepEqual(
        result.checks.map((c) => [c.action, c.resource]),
        [
          ['s3:CreateBucket', BUCKET_ARN],
          ['s3:TagResource', BUCKET_ARN],
        ],
      );
      const plain = authorizationChecksFor(
        s3Record({ eventName: 'CreateBucket', requestParameters: { bucketName: BUCKET }, resources: [] }),
      );
      assert.deepEqual(plain.ok ? plain.checks.map((c) => c.action) : [], ['s3:CreateBucket']);
      for (const Tags of [{}, '', { Tag: [] }, { Tag: {} }, null]) {
        const empty = authorizationChecksFor(
          s3Record({
            eventName: 'CreateBucket',
            requestParameters: { bucketName: BUCKET, CreateBucketConfiguration: { Tags } },
            resources: [],
          }),
        );
        assert.deepEqual(
          empty.ok ? empty.checks.map((c) => c.action) : [],
          ['s3:CreateBucket'],
          `an empty Tags element (${JSON.stringify(Tags)}) sets no tag`,
        );
      }
    });

    test('a versioned copy source is read with s3:GetObjectVersion, its version in s3:versionid', () => {
      const record = s3Record({
        eventName: 'CopyObject',
        requestParameters: {
          ...objectParams,
          'x-amz-copy-source': 'source-bucket/a.txt?versionId=L4kqtJlcpXroDTDmpUMLUo',
        },
        resources: [],
      });
      const result = authorizationChecksFor(record);
      assert.ok(result.ok);
      const source = result.checks.find((c) => c.role === 'source');
      assert.equal(source?.action, 's3:GetObjectVersion');
      assert.equal(source?.context['s3:versionid'], 'L4kqtJlcpXroDTDmpUMLUo');
      const destination = result.checks.find((c) => c.action === 's3:PutObject');
      assert.equal(destination?.context['s3:versionid'], undefined);
    });

    test('a copy from a directory bucket gets no s3:GetObject check on it, and a note on s3express:CreateSession', () => {
      for (const eventName of ['CopyObject', 'UploadPartCopy']) {
        const record = s3Record({
          eventName,
          requestParameters: { ...objectParams, 'x-amz-copy-source': 'fast--use1-az4--x-s3/src/a' },
          resources: [],
        });
        const result = authorizationChecksFor(record);
        assert.ok(result.ok);
        assert.deepEqual(
          result.checks.filter((c) => c.kind === 's3').map((c) => c.action),
          ['s3:PutObject'],
        );
        assert.ok(
          result.notes.some((n) =>
            n.startsWith(
              'The copy source is in the directory bucket fast--use1-az4--x-s3: reading it is authorized by s3express:CreateSession',
            ),
          ),
          result.notes.join('\n'),
        );
      }
    });

    test('a record of a China region (eventSource s3.amazonaws.com.cn) is mapped, in the aws-cn partition', () => {
      const record = s3Record({
        eventName: 'GetObject',
        requestParameters: objectParams,
        overrides: { eventSource: 's3.amazonaws.com.cn', awsRegion: 'cn-north-1' },
        resources: [],
      });
      const result = authorizationChecksFor(record);
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.deepEqual(
        result.checks.map((c) => [c.action, c.resource]),
        [['s3:GetObject', `arn:aws-cn:s3:::${BUCKET}/photos/2026/a.jpg`]],
      );
    });

    for (const f of failures) {
      test(f.name, () => {
        const result = authorizationChecksFor(f.record);
        assert.equal(result.ok, false);
        assert.equal(result.ok ? undefined : result.code, f.code);
        assert.ok(!result.ok && result.message.length > 0);
      });
    }
  });
});
