/**
 * Request features visible in a CloudTrail S3 record that change which IAM actions S3 authorizes.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
import { readNonEmptyParam, readObject, readParam } from './requestParameters.js';
import { parseCopySource } from './s3Location.js';

type Params = Readonly<Record<string, unknown>>;

export interface RequestFeature {
  /** Human-readable trigger, used in check reasons. */
  readonly description: string;
  readonly present: (params: Params) => boolean;
  readonly source: string;
}

/** Headers that set an object or bucket ACL on a write. */
export const ACL_HEADERS = [
  'x-amz-acl',
  'x-amz-grant-read',
  'x-amz-grant-write',
  'x-amz-grant-read-acp',
  'x-amz-grant-write-acp',
  'x-amz-grant-full-control',
] as const;

const GRANT_HEADERS = ACL_HEADERS.filter((header) => header !== 'x-amz-acl');

const has = (params: Params, name: string): boolean => readNonEmptyParam(params, name) !== undefined;
const isTrue = (params: Params, name: string): boolean => readParam(params, name)?.toLowerCase() === 'true';

/**
 * Whether a logged XML element holds anything: `<Tags/>` (logged as `{}`, `""` or `{"Tag": []}`) sets no
 * tag, so it needs no permission of its own.
 */
function holdsSomething(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.some(holdsSomething);
  if (typeof value === 'object') return Object.values(value).some(holdsSomething);
  return true;
}

/**
 * Every feature the operation catalogue can condition an action on.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
export const requestFeatures = {
  versionId: {
    description: 'versionId query parameter present',
    present: (p) => has(p, 'versionId'),
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html',
  },
  aclHeaders: {
    description: 'x-amz-acl or x-amz-grant-* header present',
    present: (p) => ACL_HEADERS.some((header) => has(p, header)),
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html',
  },
  nonPrivateBucketAcl: {
    description: 'x-amz-acl other than private, or an x-amz-grant-* header',
    present: (p) => {
      const acl = readNonEmptyParam(p, 'x-amz-acl');
      return (acl !== undefined && acl !== 'private') || GRANT_HEADERS.some((header) => has(p, header));
    },
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html',
  },
  taggingHeader: {
    description: 'x-amz-tagging header present',
    present: (p) => has(p, 'x-amz-tagging'),
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html',
  },
  copyTaggingReplace: {
    description: 'x-amz-tagging-directive REPLACE with x-amz-tagging',
    present: (p) =>
      readParam(p, 'x-amz-tagging-directive')?.toUpperCase() === 'REPLACE' && has(p, 'x-amz-tagging'),
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html',
  },
  copySourceVersionId: {
    description: 'x-amz-copy-source names a versionId',
    present: (p) => {
      const parsed = parseCopySource(readParam(p, 'x-amz-copy-source'));
      return parsed.ok && parsed.source.versionId !== undefined;
    },
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html',
  },
  objectLockRetention: {
    description: 'x-amz-object-lock-mode or x-amz-object-lock-retain-until-date header present',
    present: (p) => has(p, 'x-amz-object-lock-mode') || has(p, 'x-amz-object-lock-retain-until-date'),
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html',
  },
  objectLockLegalHold: {
    description: 'x-amz-object-lock-legal-hold header present',
    present: (p) => has(p, 'x-amz-object-lock-legal-hold'),
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html',
  },
  bypassGovernance: {
    description: 'x-amz-bypass-governance-retention: true',
    present: (p) => isTrue(p, 'x-amz-bypass-governance-retention'),
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html',
  },
  bucketObjectLock: {
    description: 'x-amz-bucket-object-lock-enabled: true',
    present: (p) => isTrue(p, 'x-amz-bucket-object-lock-enabled'),
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html',
  },
  objectOwnershipHeader: {
    description: 'x-amz-object-ownership header present',
    present: (p) => has(p, 'x-amz-object-ownership'),
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html',
  },
  bucketTags: {
    description: 'CreateBucketConfiguration.Tags present',
    present: (p) => holdsSomething(readObject(p, 'CreateBucketConfiguration')?.Tags),
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucketConfiguration.html',
  },
  replicationRole: {
    description: 'ReplicationConfiguration.Role present',
    present: (p) => replicationRoleOf(p) !== undefined,
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html',
  },
} as const satisfies Record<string, RequestFeature>;

export type RequestFeatureName = keyof typeof requestFeatures;

/** The IAM role S3 replication will assume, from the logged PutBucketReplication body. */
export function replicationRoleOf(params: Params): string | undefined {
  const role = readObject(params, 'ReplicationConfiguration')?.Role;
  return typeof role === 'string' && role.startsWith('arn:') ? role : undefined;
}
