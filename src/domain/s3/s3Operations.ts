/**
 * The S3 operation catalogue: for each CloudTrail `eventName`, the IAM actions S3 authorizes, on which
 * resource, and which request features add or replace actions.
 *
 * Keys are CloudTrail event names, which differ from SDK operation names for a few bucket operations
 * (`GetBucketLifecycle`, `PutBucketNotification`, `GetBucketPublicAccessBlock`...) and for
 * ListObjectsV2, which CloudTrail records as `ListObjects` with `list-type: 2`.
 * {@link s3EventNameAliases} maps the SDK names onto these keys.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import type { RequestFeatureName } from './requestFeatures.js';

/**
 * The resource an action is authorized on.
 * - `bucket`: `arn:aws:s3:::bucket`
 * - `object`: `arn:aws:s3:::bucket/key`
 * - `copySource`: the object named by `x-amz-copy-source`
 * - `deletedObjects`: every key of a DeleteObjects request; CloudTrail does not log them, so the check
 *   uses `arn:aws:s3:::bucket/*` unless the body happens to be logged
 * - `none`: `*` (the action defines no resource type, e.g. `s3:ListAllMyBuckets`)
 * - `passedRole`: the IAM role ARN passed to S3 (replication)
 */
export type ResourceForm = 'bucket' | 'object' | 'copySource' | 'deletedObjects' | 'none' | 'passedRole';

/** One action S3 authorizes for an operation, optionally only with (or without) a request feature. */
export interface ActionRule {
  readonly action: string;
  readonly on: ResourceForm;
  /** The action is required only when this feature is in the request. */
  readonly when?: RequestFeatureName;
  /** The action is required only when this feature is NOT in the request (it is replaced). */
  readonly unless?: RequestFeatureName;
  readonly why: string;
  /** Set when no AWS document states the rule; the reason then says so. */
  readonly unverified?: true;
  readonly source?: string;
}

/** A KMS permission S3 uses on the caller's behalf when the request asks for SSE-KMS with a visible key. */
export interface KmsRule {
  readonly action: 'kms:GenerateDataKey' | 'kms:Decrypt';
  readonly why: string;
}

export interface S3Operation {
  /** CloudTrail event category: management events are logged by default, data events only if selected. */
  readonly category: 'management' | 'data';
  /** What the request must identify: nothing (`account`), a bucket, or an object. */
  readonly scope: 'account' | 'bucket' | 'object';
  readonly actions: readonly ActionRule[];
  /** Applied when the request carries `x-amz-server-side-encryption: aws:kms` (or DSSE) and a key id. */
  readonly kms?: readonly KmsRule[];
  /** When the object may be SSE-KMS encrypted but its key is not in the request. */
  readonly kmsHidden?: string;
  readonly notes?: readonly string[];
  /** AWS documentation defining the entry (first URL is quoted in check reasons). */
  readonly source: readonly string[];
}

const api = (operation: string): string =>
  `https://docs.aws.amazon.com/AmazonS3/latest/API/API_${operation}.html`;
const PERMISSIONS = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html';
const CLOUDTRAIL_EVENTS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html';
const SAR = 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html';
const SSE_KMS = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html';
const MPU_PERMISSIONS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions';
const OBJECT_LOCK = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html';
const TAGGING = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html';

/** Said of reads whose key the request cannot show (explain drops it when AWS's message names the key). */
export const DECRYPT_HIDDEN =
  'If the object is SSE-KMS encrypted, S3 also needs kms:Decrypt on its key; the key is not in the request, so that check cannot be derived from this record.';
/**
 * Said of a HEAD: S3 needs kms:Decrypt on an SSE-KMS object's key only when the request asks for its
 * checksum (`x-amz-checksum-mode`).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
 */
export const HEAD_DECRYPT_HIDDEN =
  'If the object is SSE-KMS encrypted and the request asks for its checksum (x-amz-checksum-mode), S3 also needs kms:Decrypt on its key; the key is not in the request, so that check cannot be derived from this record.';
/**
 * The note of an upload that names no KMS key: the bucket's default encryption may still use one.
 * Findings drop it when the request names its key (the SSE-KMS headers).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html
 */
export const DEFAULT_KEY_NOTE =
  'If the bucket has default SSE-KMS encryption and the request does not name a key, S3 still needs kms:GenerateDataKey on the default key.';

/**
 * The note of a read whose key may not exist: S3 answers 403 rather than 404 to a caller without
 * s3:ListBucket. Findings drop it when the caller's visible policies allow the listing.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
/**
 * How an EventBridge rule receives ListBuckets (a read-only management event): not said of a network
 * activity event, which is no management event.
 */
export const LIST_BUCKETS_EVENTBRIDGE_NOTE =
  'ListBuckets is a read-only management event: an EventBridge rule only receives it in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.';

export const MISSING_KEY_403 =
  'For a key that does not exist S3 answers 404 only if the caller has s3:ListBucket on the bucket, otherwise 403 AccessDenied: the denial may be about s3:ListBucket.';

/**
 * The note of a DeleteObjects whose keys the record does not show (the request body is not logged).
 * Dropped when the record does log them: each key is then checked on its own.
 */
export const UNLOGGED_DELETE_KEYS =
  'CloudTrail does not log the keys of a DeleteObjects request, so the check uses arn:aws:s3:::bucket/* ; a policy scoped to a prefix may still allow the real keys, and keys sent with a VersionId need s3:DeleteObjectVersion instead.';

function bucketOperation(
  action: string,
  apiOperation: string,
  extraNotes: readonly string[] = [],
): S3Operation {
  return {
    category: 'management',
    scope: 'bucket',
    actions: [{ action, on: 'bucket', why: `${apiOperation} is authorized by ${action} on the bucket` }],
    ...(extraNotes.length > 0 ? { notes: extraNotes } : {}),
    source: [api(apiOperation), PERMISSIONS, CLOUDTRAIL_EVENTS],
  };
}

const METADATA_PERMISSIONS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-permissions.html';
const METADATA_S3TABLES =
  'Creating the metadata tables (or the inventory table) also needs S3 Tables permissions in the account (s3tables:CreateTableBucket, s3tables:CreateNamespace, s3tables:CreateTable, s3tables:GetTable, s3tables:PutTablePolicy…, and KMS permissions for SSE-KMS tables), which this record does not show: see https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-permissions.html';
const ABAC_TAGS =
  'With ABAC enabled, the bucket tags are managed with TagResource and UntagResource (s3:TagResource, s3:UntagResource) instead of PutBucketTagging and DeleteBucketTagging.';

/** An S3 Metadata configuration operation: one action on the bucket, as the metadata permissions page lists. */
function metadataOperation(action: string, apiOperation: string, notes: readonly string[] = []): S3Operation {
  const operation = bucketOperation(action, apiOperation, notes);
  return { ...operation, source: [api(apiOperation), METADATA_PERMISSIONS, SAR] };
}

/** Delete*Configuration operations have no delete action of their own: S3 checks the Put action. */
function bucketDeleteOperation(action: string, apiOperation: string): S3Operation {
  return {
    category: 'management',
    scope: 'bucket',
    actions: [
      {
        action,
        on: 'bucket',
        why: `${apiOperation} has no action of its own; S3 authorizes it with ${action}`,
      },
    ],
    source: [api(apiOperation), PERMISSIONS, CLOUDTRAIL_EVENTS],
  };
}

function objectOperation(
  action: string,
  apiOperation: string,
  versionedAction?: string,
  extra: {
    readonly kmsHidden?: string;
    readonly notes?: readonly string[];
    readonly also?: readonly ActionRule[];
  } = {},
): S3Operation {
  const { also = [], ...rest } = extra;
  const base: ActionRule[] = versionedAction
    ? [
        {
          action,
          on: 'object',
          unless: 'versionId',
          why: `${apiOperation} is authorized by ${action} on the object`,
        },
        {
          action: versionedAction,
          on: 'object',
          when: 'versionId',
          why: `${apiOperation} with versionId is authorized by ${versionedAction} instead of ${action}`,
        },
      ]
    : [{ action, on: 'object', why: `${apiOperation} is authorized by ${action} on the object` }];
  return {
    category: 'data',
    scope: 'object',
    actions: [...base, ...also],
    ...rest,
    source: [api(apiOperation), PERMISSIONS, SAR],
  };
}

const bypassGovernance = (why: string): ActionRule => ({
  action: 's3:BypassGovernanceRetention',
  on: 'object',
  when: 'bypassGovernance',
  why,
  source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html',
});

const putObjectExtras: readonly ActionRule[] = [
  {
    action: 's3:PutObjectAcl',
    on: 'object',
    when: 'aclHeaders',
    why: 'the request sets an ACL (x-amz-acl / x-amz-grant-*), which needs s3:PutObjectAcl',
  },
  {
    action: 's3:PutObjectTagging',
    on: 'object',
    when: 'taggingHeader',
    why: 'the request sets tags (x-amz-tagging), which needs s3:PutObjectTagging',
    source: TAGGING,
  },
  {
    action: 's3:PutObjectRetention',
    on: 'object',
    when: 'objectLockRetention',
    why: 'the request sets an Object Lock retention (x-amz-object-lock-mode / retain-until-date)',
    unverified: true,
    source: OBJECT_LOCK,
  },
  {
    action: 's3:PutObjectLegalHold',
    on: 'object',
    when: 'objectLockLegalHold',
    why: 'the request sets an Object Lock legal hold (x-amz-object-lock-legal-hold)',
    unverified: true,
    source: OBJECT_LOCK,
  },
];

export const s3Operations = {
  // ----- Object reads -----
  GetObject: objectOperation('s3:GetObject', 'GetObject', 's3:GetObjectVersion', {
    kmsHidden: DECRYPT_HIDDEN,
    notes: [MISSING_KEY_403],
  }),
  HeadObject: objectOperation('s3:GetObject', 'HeadObject', 's3:GetObjectVersion', {
    kmsHidden: HEAD_DECRYPT_HIDDEN,
    notes: ['There is no s3:HeadObject action: HEAD is authorized as a read.', MISSING_KEY_403],
  }),
  GetObjectAttributes: {
    category: 'data',
    scope: 'object',
    actions: [
      {
        action: 's3:GetObject',
        on: 'object',
        unless: 'versionId',
        why: 'GetObjectAttributes needs s3:GetObject',
      },
      {
        action: 's3:GetObjectAttributes',
        on: 'object',
        unless: 'versionId',
        why: 'GetObjectAttributes also needs s3:GetObjectAttributes',
      },
      {
        action: 's3:GetObjectVersion',
        on: 'object',
        when: 'versionId',
        why: 'GetObjectAttributes with versionId needs s3:GetObjectVersion',
      },
      {
        action: 's3:GetObjectVersionAttributes',
        on: 'object',
        when: 'versionId',
        why: 'GetObjectAttributes with versionId also needs s3:GetObjectVersionAttributes',
      },
    ],
    kmsHidden: DECRYPT_HIDDEN,
    notes: [MISSING_KEY_403],
    source: [api('GetObjectAttributes'), PERMISSIONS],
  },
  SelectObjectContent: objectOperation('s3:GetObject', 'SelectObjectContent', undefined, {
    kmsHidden: DECRYPT_HIDDEN,
  }),
  GetObjectTorrent: objectOperation('s3:GetObjectTorrent', 'GetObjectTorrent', 's3:GetObjectVersionTorrent'),
  RestoreObject: objectOperation('s3:RestoreObject', 'RestoreObject'),

  // ----- Object writes -----
  PutObject: {
    category: 'data',
    scope: 'object',
    actions: [
      { action: 's3:PutObject', on: 'object', why: 'PutObject is authorized by s3:PutObject' },
      ...putObjectExtras,
    ],
    kms: [
      {
        action: 'kms:GenerateDataKey',
        why: 'S3 generates a data key to encrypt the new object with SSE-KMS',
      },
    ],
    notes: [DEFAULT_KEY_NOTE],
    source: [api('PutObject'), PERMISSIONS, SSE_KMS],
  },
  PostObject: {
    category: 'data',
    scope: 'object',
    actions: [
      {
        action: 's3:PutObject',
        on: 'object',
        why: 'a browser-form POST upload is authorized by s3:PutObject',
      },
      ...putObjectExtras,
    ],
    source: ['https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html', PERMISSIONS],
  },
  CopyObject: {
    category: 'data',
    scope: 'object',
    actions: [
      {
        action: 's3:PutObject',
        on: 'object',
        why: 'a copy writes the destination object, which needs s3:PutObject on it',
      },
      {
        action: 's3:GetObject',
        on: 'copySource',
        unless: 'copySourceVersionId',
        why: 'a copy reads the source object named by x-amz-copy-source, which needs s3:GetObject on it',
      },
      {
        action: 's3:GetObjectVersion',
        on: 'copySource',
        when: 'copySourceVersionId',
        why: 'x-amz-copy-source names a versionId, so reading it needs s3:GetObjectVersion',
      },
      {
        action: 's3:PutObjectAcl',
        on: 'object',
        when: 'aclHeaders',
        why: 'the copy sets an ACL (x-amz-acl / x-amz-grant-*), which needs s3:PutObjectAcl',
      },
      {
        action: 's3:PutObjectTagging',
        on: 'object',
        when: 'copyTaggingReplace',
        why: 'the copy replaces the tags (x-amz-tagging-directive REPLACE), which needs s3:PutObjectTagging',
        unverified: true,
        source: TAGGING,
      },
      {
        action: 's3:PutObjectRetention',
        on: 'object',
        when: 'objectLockRetention',
        why: 'the copy sets an Object Lock retention',
        unverified: true,
        source: OBJECT_LOCK,
      },
      {
        action: 's3:PutObjectLegalHold',
        on: 'object',
        when: 'objectLockLegalHold',
        why: 'the copy sets an Object Lock legal hold',
        unverified: true,
        source: OBJECT_LOCK,
      },
    ],
    kms: [
      { action: 'kms:GenerateDataKey', why: 'S3 encrypts the destination object with the requested KMS key' },
    ],
    kmsHidden:
      'If the source object is SSE-KMS encrypted, S3 also needs kms:Decrypt on the source key, which is not in the request.',
    notes: [
      'With the default tagging directive (COPY), S3 copies the source tags, which may also need s3:GetObjectTagging on the source (not stated by the API reference).',
    ],
    source: [api('CopyObject'), PERMISSIONS, SSE_KMS],
  },
  CreateMultipartUpload: {
    category: 'data',
    scope: 'object',
    actions: [
      { action: 's3:PutObject', on: 'object', why: 'multipart uploads are authorized by s3:PutObject' },
      ...putObjectExtras,
    ],
    // CreateMultipartUpload needs kms:GenerateDataKey; kms:Decrypt is needed by the parts (UploadPart,
    // UploadPartCopy), whose records name no key: the finding's KMS calls add it on this key
    // (kmsCallerSide's kmsCallsOf), so a fix grants both (UploadPartCopy's API reference, Permissions).
    kms: [
      { action: 'kms:GenerateDataKey', why: 'S3 generates the data key for an SSE-KMS multipart upload' },
    ],
    source: [api('CreateMultipartUpload'), MPU_PERMISSIONS, PERMISSIONS, SSE_KMS],
  },
  UploadPart: objectOperation('s3:PutObject', 'UploadPart', undefined, {
    kmsHidden:
      'If the upload uses SSE-KMS, each part also needs kms:Decrypt on the key chosen at CreateMultipartUpload.',
  }),
  UploadPartCopy: {
    category: 'data',
    scope: 'object',
    actions: [
      {
        action: 's3:PutObject',
        on: 'object',
        why: 'a part copy writes the destination upload (s3:PutObject)',
      },
      {
        action: 's3:GetObject',
        on: 'copySource',
        unless: 'copySourceVersionId',
        why: 'a part copy reads the source object named by x-amz-copy-source (s3:GetObject)',
      },
      {
        action: 's3:GetObjectVersion',
        on: 'copySource',
        when: 'copySourceVersionId',
        why: 'x-amz-copy-source names a versionId, so reading it needs s3:GetObjectVersion',
      },
    ],
    kmsHidden: 'If the upload or the source uses SSE-KMS, S3 also needs kms:Decrypt on those keys.',
    source: [api('UploadPartCopy'), MPU_PERMISSIONS, PERMISSIONS],
  },
  CompleteMultipartUpload: objectOperation('s3:PutObject', 'CompleteMultipartUpload', undefined, {
    kmsHidden:
      'If the upload uses SSE-KMS and its parts carry an additional checksum, completing it also needs kms:Decrypt on its key.',
  }),
  AbortMultipartUpload: objectOperation('s3:AbortMultipartUpload', 'AbortMultipartUpload'),
  ListParts: objectOperation('s3:ListMultipartUploadParts', 'ListParts', undefined, {
    kmsHidden: 'If the upload uses SSE-KMS, listing its parts also needs kms:Decrypt on its key.',
  }),

  // ----- Object deletes -----
  DeleteObject: objectOperation('s3:DeleteObject', 'DeleteObject', 's3:DeleteObjectVersion', {
    also: [bypassGovernance('x-amz-bypass-governance-retention: true needs s3:BypassGovernanceRetention')],
  }),
  DeleteObjects: {
    category: 'data',
    scope: 'bucket',
    actions: [
      {
        action: 's3:DeleteObject',
        on: 'deletedObjects',
        why: 'S3 authorizes s3:DeleteObject for every key in a DeleteObjects request (s3:DeleteObjectVersion for keys with a VersionId)',
      },
      {
        ...bypassGovernance('x-amz-bypass-governance-retention: true needs s3:BypassGovernanceRetention'),
        on: 'deletedObjects',
      },
    ],
    notes: [
      UNLOGGED_DELETE_KEYS,
      'Per-key failures come back inside a 200 response, so a denied key may not appear as an errorCode.',
    ],
    source: [api('DeleteObjects'), PERMISSIONS, CLOUDTRAIL_EVENTS],
  },

  // ----- Object ACL, tags, lock -----
  GetObjectAcl: objectOperation('s3:GetObjectAcl', 'GetObjectAcl', 's3:GetObjectVersionAcl'),
  PutObjectAcl: objectOperation('s3:PutObjectAcl', 'PutObjectAcl', 's3:PutObjectVersionAcl'),
  GetObjectTagging: objectOperation('s3:GetObjectTagging', 'GetObjectTagging', 's3:GetObjectVersionTagging'),
  PutObjectTagging: objectOperation('s3:PutObjectTagging', 'PutObjectTagging', 's3:PutObjectVersionTagging'),
  DeleteObjectTagging: objectOperation(
    's3:DeleteObjectTagging',
    'DeleteObjectTagging',
    's3:DeleteObjectVersionTagging',
  ),
  GetObjectLegalHold: objectOperation('s3:GetObjectLegalHold', 'GetObjectLegalHold'),
  PutObjectLegalHold: objectOperation('s3:PutObjectLegalHold', 'PutObjectLegalHold'),
  UpdateObjectEncryption: objectOperation('s3:UpdateObjectEncryption', 'UpdateObjectEncryption', undefined, {
    notes: [
      'Changing the object to SSE-KMS, or to another KMS key, also needs KMS permissions on the keys involved; the key is in the request body, which this record does not show (https://docs.aws.amazon.com/AmazonS3/latest/userguide/update-sse-encryption.html).',
    ],
  }),
  GetObjectRetention: objectOperation('s3:GetObjectRetention', 'GetObjectRetention'),
  PutObjectRetention: objectOperation('s3:PutObjectRetention', 'PutObjectRetention', undefined, {
    also: [
      bypassGovernance(
        'shortening a GOVERNANCE retention with x-amz-bypass-governance-retention needs s3:BypassGovernanceRetention',
      ),
    ],
  }),

  // ----- Listing -----
  ListObjects: {
    category: 'data',
    scope: 'bucket',
    actions: [
      {
        action: 's3:ListBucket',
        on: 'bucket',
        why: 'listing objects (ListObjects and ListObjectsV2) is authorized by s3:ListBucket on the bucket, never on bucket/*',
      },
    ],
    notes: [
      'CloudTrail records ListObjectsV2 as eventName ListObjects with requestParameters list-type "2"; both need s3:ListBucket. Prefix restrictions use the s3:prefix condition key, not the resource.',
    ],
    source: [api('ListObjectsV2'), api('ListObjects'), PERMISSIONS, CLOUDTRAIL_EVENTS],
  },
  ListObjectVersions: {
    category: 'data',
    scope: 'bucket',
    actions: [
      {
        action: 's3:ListBucketVersions',
        on: 'bucket',
        why: 'ListObjectVersions is authorized by s3:ListBucketVersions (note the name difference)',
      },
    ],
    source: [api('ListObjectVersions'), PERMISSIONS, CLOUDTRAIL_EVENTS],
  },
  HeadBucket: {
    category: 'data',
    scope: 'bucket',
    actions: [
      {
        action: 's3:ListBucket',
        on: 'bucket',
        why: 'there is no s3:HeadBucket action: HeadBucket is authorized by s3:ListBucket',
      },
    ],
    source: [api('HeadBucket'), PERMISSIONS, CLOUDTRAIL_EVENTS],
  },
  ListMultipartUploads: {
    category: 'data',
    scope: 'bucket',
    actions: [
      {
        action: 's3:ListBucketMultipartUploads',
        on: 'bucket',
        why: 'ListMultipartUploads is authorized by s3:ListBucketMultipartUploads',
      },
    ],
    source: [api('ListMultipartUploads'), PERMISSIONS, MPU_PERMISSIONS],
  },
  ListBuckets: {
    category: 'management',
    scope: 'account',
    actions: [
      {
        action: 's3:ListAllMyBuckets',
        on: 'none',
        why: 'ListBuckets is authorized by s3:ListAllMyBuckets, which takes no resource (Resource "*")',
      },
    ],
    notes: [LIST_BUCKETS_EVENTBRIDGE_NOTE],
    source: [api('ListBuckets'), PERMISSIONS, SAR],
  },

  // ----- Bucket lifecycle -----
  CreateBucket: {
    category: 'management',
    scope: 'bucket',
    actions: [
      { action: 's3:CreateBucket', on: 'bucket', why: 'CreateBucket is authorized by s3:CreateBucket' },
      {
        action: 's3:PutBucketAcl',
        on: 'bucket',
        when: 'nonPrivateBucketAcl',
        why: 'the request sets a bucket ACL other than private, which also needs s3:PutBucketAcl',
      },
      {
        action: 's3:PutBucketObjectLockConfiguration',
        on: 'bucket',
        when: 'bucketObjectLock',
        why: 'creating a bucket with Object Lock enabled also needs s3:PutBucketObjectLockConfiguration',
      },
      {
        action: 's3:PutBucketVersioning',
        on: 'bucket',
        when: 'bucketObjectLock',
        why: 'creating a bucket with Object Lock enabled also needs s3:PutBucketVersioning',
      },
      {
        action: 's3:PutBucketOwnershipControls',
        on: 'bucket',
        when: 'objectOwnershipHeader',
        why: 'setting x-amz-object-ownership at creation also needs s3:PutBucketOwnershipControls',
      },
      {
        action: 's3:TagResource',
        on: 'bucket',
        when: 'bucketTags',
        why: 'creating a general purpose bucket with tags also needs s3:TagResource',
        source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucketConfiguration.html',
      },
    ],
    source: [api('CreateBucket'), PERMISSIONS, CLOUDTRAIL_EVENTS],
  },
  DeleteBucket: bucketOperation('s3:DeleteBucket', 'DeleteBucket'),
  GetBucketLocation: bucketOperation('s3:GetBucketLocation', 'GetBucketLocation'),

  // ----- Bucket configuration (CloudTrail names) -----
  GetBucketPolicy: bucketOperation('s3:GetBucketPolicy', 'GetBucketPolicy'),
  PutBucketPolicy: bucketOperation('s3:PutBucketPolicy', 'PutBucketPolicy'),
  DeleteBucketPolicy: bucketOperation('s3:DeleteBucketPolicy', 'DeleteBucketPolicy'),
  GetBucketPolicyStatus: bucketOperation('s3:GetBucketPolicyStatus', 'GetBucketPolicyStatus'),
  GetBucketAcl: bucketOperation('s3:GetBucketAcl', 'GetBucketAcl'),
  PutBucketAcl: bucketOperation('s3:PutBucketAcl', 'PutBucketAcl'),
  GetBucketVersioning: bucketOperation('s3:GetBucketVersioning', 'GetBucketVersioning'),
  PutBucketVersioning: bucketOperation('s3:PutBucketVersioning', 'PutBucketVersioning'),
  GetBucketTagging: bucketOperation('s3:GetBucketTagging', 'GetBucketTagging'),
  PutBucketTagging: bucketOperation('s3:PutBucketTagging', 'PutBucketTagging'),
  DeleteBucketTagging: bucketDeleteOperation('s3:PutBucketTagging', 'DeleteBucketTagging'),
  GetBucketCors: bucketOperation('s3:GetBucketCORS', 'GetBucketCors'),
  PutBucketCors: bucketOperation('s3:PutBucketCORS', 'PutBucketCors'),
  DeleteBucketCors: bucketDeleteOperation('s3:PutBucketCORS', 'DeleteBucketCors'),
  GetBucketEncryption: bucketOperation('s3:GetEncryptionConfiguration', 'GetBucketEncryption'),
  PutBucketEncryption: bucketOperation('s3:PutEncryptionConfiguration', 'PutBucketEncryption'),
  DeleteBucketEncryption: bucketDeleteOperation('s3:PutEncryptionConfiguration', 'DeleteBucketEncryption'),
  GetBucketLogging: bucketOperation('s3:GetBucketLogging', 'GetBucketLogging'),
  PutBucketLogging: bucketOperation('s3:PutBucketLogging', 'PutBucketLogging'),
  GetBucketRequestPayment: bucketOperation('s3:GetBucketRequestPayment', 'GetBucketRequestPayment'),
  PutBucketRequestPayment: bucketOperation('s3:PutBucketRequestPayment', 'PutBucketRequestPayment'),
  GetBucketWebsite: bucketOperation('s3:GetBucketWebsite', 'GetBucketWebsite'),
  PutBucketWebsite: bucketOperation('s3:PutBucketWebsite', 'PutBucketWebsite'),
  DeleteBucketWebsite: bucketOperation('s3:DeleteBucketWebsite', 'DeleteBucketWebsite'),
  GetBucketOwnershipControls: bucketOperation('s3:GetBucketOwnershipControls', 'GetBucketOwnershipControls'),
  PutBucketOwnershipControls: bucketOperation('s3:PutBucketOwnershipControls', 'PutBucketOwnershipControls'),
  DeleteBucketOwnershipControls: bucketDeleteOperation(
    's3:PutBucketOwnershipControls',
    'DeleteBucketOwnershipControls',
  ),
  GetObjectLockConfiguration: bucketOperation(
    's3:GetBucketObjectLockConfiguration',
    'GetObjectLockConfiguration',
  ),
  PutObjectLockConfiguration: bucketOperation(
    's3:PutBucketObjectLockConfiguration',
    'PutObjectLockConfiguration',
  ),
  GetBucketAccelerateConfiguration: bucketOperation(
    's3:GetAccelerateConfiguration',
    'GetBucketAccelerateConfiguration',
  ),
  PutBucketAccelerateConfiguration: bucketOperation(
    's3:PutAccelerateConfiguration',
    'PutBucketAccelerateConfiguration',
  ),
  GetBucketAnalyticsConfiguration: bucketOperation(
    's3:GetAnalyticsConfiguration',
    'GetBucketAnalyticsConfiguration',
  ),
  PutBucketAnalyticsConfiguration: bucketOperation(
    's3:PutAnalyticsConfiguration',
    'PutBucketAnalyticsConfiguration',
  ),
  DeleteBucketAnalyticsConfiguration: bucketDeleteOperation(
    's3:PutAnalyticsConfiguration',
    'DeleteBucketAnalyticsConfiguration',
  ),
  ListBucketAnalyticsConfigurations: bucketOperation(
    's3:GetAnalyticsConfiguration',
    'ListBucketAnalyticsConfigurations',
  ),
  GetBucketInventoryConfiguration: bucketOperation(
    's3:GetInventoryConfiguration',
    'GetBucketInventoryConfiguration',
  ),
  PutBucketInventoryConfiguration: bucketOperation(
    's3:PutInventoryConfiguration',
    'PutBucketInventoryConfiguration',
  ),
  DeleteBucketInventoryConfiguration: bucketDeleteOperation(
    's3:PutInventoryConfiguration',
    'DeleteBucketInventoryConfiguration',
  ),
  ListBucketInventoryConfigurations: bucketOperation(
    's3:GetInventoryConfiguration',
    'ListBucketInventoryConfigurations',
  ),
  GetBucketMetricsConfiguration: bucketOperation(
    's3:GetMetricsConfiguration',
    'GetBucketMetricsConfiguration',
  ),
  PutBucketMetricsConfiguration: bucketOperation(
    's3:PutMetricsConfiguration',
    'PutBucketMetricsConfiguration',
  ),
  DeleteBucketMetricsConfiguration: bucketDeleteOperation(
    's3:PutMetricsConfiguration',
    'DeleteBucketMetricsConfiguration',
  ),
  ListBucketMetricsConfigurations: bucketOperation(
    's3:GetMetricsConfiguration',
    'ListBucketMetricsConfigurations',
  ),
  GetBucketIntelligentTieringConfiguration: bucketOperation(
    's3:GetIntelligentTieringConfiguration',
    'GetBucketIntelligentTieringConfiguration',
  ),
  PutBucketIntelligentTieringConfiguration: bucketOperation(
    's3:PutIntelligentTieringConfiguration',
    'PutBucketIntelligentTieringConfiguration',
  ),
  DeleteBucketIntelligentTieringConfiguration: bucketDeleteOperation(
    's3:PutIntelligentTieringConfiguration',
    'DeleteBucketIntelligentTieringConfiguration',
  ),
  ListBucketIntelligentTieringConfigurations: bucketOperation(
    's3:GetIntelligentTieringConfiguration',
    'ListBucketIntelligentTieringConfigurations',
  ),
  // Attribute-based access control for general purpose buckets.
  GetBucketAbac: bucketOperation('s3:GetBucketAbac', 'GetBucketAbac'),
  PutBucketAbac: bucketOperation('s3:PutBucketAbac', 'PutBucketAbac', [ABAC_TAGS]),
  // S3 Metadata: the V1 operations (…MetadataTableConfiguration) and the V2 ones (…MetadataConfiguration)
  // are authorized by the same actions.
  CreateBucketMetadataTableConfiguration: metadataOperation(
    's3:CreateBucketMetadataTableConfiguration',
    'CreateBucketMetadataTableConfiguration',
    [METADATA_S3TABLES],
  ),
  CreateBucketMetadataConfiguration: metadataOperation(
    's3:CreateBucketMetadataTableConfiguration',
    'CreateBucketMetadataConfiguration',
    [METADATA_S3TABLES],
  ),
  GetBucketMetadataTableConfiguration: metadataOperation(
    's3:GetBucketMetadataTableConfiguration',
    'GetBucketMetadataTableConfiguration',
  ),
  GetBucketMetadataConfiguration: metadataOperation(
    's3:GetBucketMetadataTableConfiguration',
    'GetBucketMetadataConfiguration',
  ),
  DeleteBucketMetadataTableConfiguration: metadataOperation(
    's3:DeleteBucketMetadataTableConfiguration',
    'DeleteBucketMetadataTableConfiguration',
  ),
  DeleteBucketMetadataConfiguration: metadataOperation(
    's3:DeleteBucketMetadataTableConfiguration',
    'DeleteBucketMetadataConfiguration',
  ),
  UpdateBucketMetadataInventoryTableConfiguration: metadataOperation(
    's3:UpdateBucketMetadataInventoryTableConfiguration',
    'UpdateBucketMetadataInventoryTableConfiguration',
    [METADATA_S3TABLES],
  ),
  UpdateBucketMetadataJournalTableConfiguration: metadataOperation(
    's3:UpdateBucketMetadataJournalTableConfiguration',
    'UpdateBucketMetadataJournalTableConfiguration',
  ),
  GetBucketLifecycle: bucketOperation('s3:GetLifecycleConfiguration', 'GetBucketLifecycleConfiguration'),
  PutBucketLifecycle: bucketOperation('s3:PutLifecycleConfiguration', 'PutBucketLifecycleConfiguration'),
  DeleteBucketLifecycle: bucketDeleteOperation('s3:PutLifecycleConfiguration', 'DeleteBucketLifecycle'),
  GetBucketNotification: bucketOperation('s3:GetBucketNotification', 'GetBucketNotificationConfiguration'),
  PutBucketNotification: bucketOperation('s3:PutBucketNotification', 'PutBucketNotificationConfiguration'),
  GetBucketReplication: bucketOperation('s3:GetReplicationConfiguration', 'GetBucketReplication'),
  PutBucketReplication: {
    category: 'management',
    scope: 'bucket',
    actions: [
      {
        action: 's3:PutReplicationConfiguration',
        on: 'bucket',
        why: 'PutBucketReplication is authorized by s3:PutReplicationConfiguration',
      },
      {
        action: 'iam:PassRole',
        on: 'passedRole',
        when: 'replicationRole',
        why: 'the replication configuration passes an IAM role to S3, which needs iam:PassRole on it',
        source:
          'https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html',
      },
    ],
    source: [
      api('PutBucketReplication'),
      PERMISSIONS,
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html',
    ],
  },
  DeleteBucketReplication: bucketDeleteOperation('s3:PutReplicationConfiguration', 'DeleteBucketReplication'),
  GetBucketPublicAccessBlock: bucketOperation('s3:GetBucketPublicAccessBlock', 'GetPublicAccessBlock'),
  PutBucketPublicAccessBlock: bucketOperation('s3:PutBucketPublicAccessBlock', 'PutPublicAccessBlock'),
  DeleteBucketPublicAccessBlock: bucketDeleteOperation(
    's3:PutBucketPublicAccessBlock',
    'DeletePublicAccessBlock',
  ),

  // ----- Account-level (S3 Control, logged with eventSource s3.amazonaws.com) -----
  GetAccountPublicAccessBlock: {
    category: 'management',
    scope: 'account',
    actions: [
      {
        action: 's3:GetAccountPublicAccessBlock',
        on: 'none',
        why: 'reading the account Block Public Access settings needs s3:GetAccountPublicAccessBlock (Resource "*")',
      },
    ],
    source: [api('control_GetPublicAccessBlock'), CLOUDTRAIL_EVENTS, SAR],
  },
  PutAccountPublicAccessBlock: {
    category: 'management',
    scope: 'account',
    actions: [
      {
        action: 's3:PutAccountPublicAccessBlock',
        on: 'none',
        why: 'changing the account Block Public Access settings needs s3:PutAccountPublicAccessBlock (Resource "*")',
      },
    ],
    source: [api('control_PutPublicAccessBlock'), CLOUDTRAIL_EVENTS, SAR],
  },
  DeleteAccountPublicAccessBlock: {
    category: 'management',
    scope: 'account',
    actions: [
      {
        action: 's3:PutAccountPublicAccessBlock',
        on: 'none',
        why: 'deleting the account Block Public Access settings is authorized by s3:PutAccountPublicAccessBlock',
      },
    ],
    source: [api('control_DeletePublicAccessBlock'), CLOUDTRAIL_EVENTS, SAR],
  },
} as const satisfies Record<string, S3Operation>;

export type S3EventName = keyof typeof s3Operations;

/**
 * SDK operation names that CloudTrail records under a different `eventName`.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
 */
export const s3EventNameAliases = {
  ListObjectsV2: 'ListObjects',
  GetBucketLifecycleConfiguration: 'GetBucketLifecycle',
  PutBucketLifecycleConfiguration: 'PutBucketLifecycle',
  GetBucketNotificationConfiguration: 'GetBucketNotification',
  PutBucketNotificationConfiguration: 'PutBucketNotification',
  GetPublicAccessBlock: 'GetBucketPublicAccessBlock',
  PutPublicAccessBlock: 'PutBucketPublicAccessBlock',
  DeletePublicAccessBlock: 'DeleteBucketPublicAccessBlock',
} as const satisfies Record<string, S3EventName>;

/**
 * The catalogue entry for a CloudTrail `eventName` (or an SDK operation name CloudTrail renames).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
 */
export function s3OperationFor(
  eventName: string,
): { readonly name: S3EventName; readonly operation: S3Operation } | undefined {
  const name = Object.hasOwn(s3Operations, eventName)
    ? (eventName as S3EventName)
    : Object.hasOwn(s3EventNameAliases, eventName)
      ? s3EventNameAliases[eventName as keyof typeof s3EventNameAliases]
      : undefined;
  return name === undefined ? undefined : { name, operation: s3Operations[name] };
}

let resourceForms: Map<string, 'bucket' | 'object'> | undefined;

/**
 * Whether the catalogue's operations authorize `action` on a bucket or on an object (the first rule that
 * names it says; copy sources and deleted objects are objects); `undefined` for an action no operation
 * of the catalogue authorizes on either.
 */
export function actionResourceForm(action: string): 'bucket' | 'object' | undefined {
  if (resourceForms === undefined) {
    resourceForms = new Map();
    for (const operation of Object.values(s3Operations) as readonly S3Operation[]) {
      for (const rule of operation.actions) {
        const form =
          rule.on === 'bucket'
            ? 'bucket'
            : rule.on === 'object' || rule.on === 'copySource' || rule.on === 'deletedObjects'
              ? 'object'
              : undefined;
        const key = rule.action.toLowerCase();
        if (form !== undefined && !resourceForms.has(key)) resourceForms.set(key, form);
      }
    }
  }
  return resourceForms.get(action.toLowerCase());
}
