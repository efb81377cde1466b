/**
 * Permission sets for the aws-cli high-level `s3` commands, keyed by the command marker aws-cli puts in
 * its user agent (`md/command#s3.sync`, read by `detectClient` in `userAgent.ts`).
 *
 * @see https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/index.html
 */
import type { PolicyStatement } from '../explain/report.js';
import { jobResourceArns } from './jobResourceArns.js';

/** Which way the objects flow; the command marker alone does not say. */
export type AwsCliDirection = 'upload' | 'download' | 's3-to-s3';

interface CommandPermissions {
  /** Bucket-level actions whatever the direction (listing for sync/--recursive). */
  readonly bucket: readonly string[];
  /** Object-level actions per direction on the bucket/prefix this record is about. */
  readonly objects: Readonly<Record<AwsCliDirection, readonly string[]>>;
  readonly notes: readonly string[];
  readonly source: string;
}

const MULTIPART_NOTE =
  'Files above multipart_threshold (default 8 MB) are uploaded in parts (CreateMultipartUpload/UploadPart/CompleteMultipartUpload, all s3:PutObject); s3:AbortMultipartUpload lets aws-cli clean up a failed one (https://docs.aws.amazon.com/cli/latest/topic/s3-config.html).';
const COPY_NOTE =
  'Between buckets, CopyObject needs s3:GetObject on the source object and s3:PutObject on the destination object (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html); grant each on its own bucket.';
const ACL_NOTE =
  'With --acl or --grants, uploads also need s3:PutObjectAcl (https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/cp.html).';

/**
 * What each `aws s3` command calls, by direction. `HeadObject` (download size check) is authorized as
 * s3:GetObject; listings (ListObjectsV2) as s3:ListBucket on the bucket.
 */
const AWS_CLI_S3_COMMANDS: Readonly<Record<string, CommandPermissions>> = {
  's3.cp': {
    // Listing only happens with --recursive from S3; a single upload never lists.
    bucket: [],
    objects: {
      upload: ['s3:PutObject', 's3:AbortMultipartUpload'],
      download: ['s3:GetObject'],
      's3-to-s3': ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    },
    notes: [
      '`aws s3 cp --recursive` from S3 lists the source with ListObjectsV2, which needs s3:ListBucket on the source bucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).',
      MULTIPART_NOTE,
      ACL_NOTE,
    ],
    source: 'https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/cp.html',
  },
  's3.sync': {
    // sync always lists both sides that are in S3 to compare them.
    bucket: ['s3:ListBucket'],
    objects: {
      upload: ['s3:PutObject', 's3:AbortMultipartUpload'],
      download: ['s3:GetObject'],
      's3-to-s3': ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    },
    notes: [
      '`--delete` removes destination objects that are not in the source and then also needs s3:DeleteObject on the destination (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html).',
      MULTIPART_NOTE,
      ACL_NOTE,
    ],
    source: 'https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/sync.html',
  },
  's3.mv': {
    bucket: [],
    objects: {
      upload: ['s3:PutObject', 's3:AbortMultipartUpload'],
      download: ['s3:GetObject', 's3:DeleteObject'],
      's3-to-s3': ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    },
    notes: [
      '`aws s3 mv` copies, then deletes the source object: s3:DeleteObject is needed on the source side only.',
      '`--recursive` from S3 also needs s3:ListBucket on the source bucket.',
      MULTIPART_NOTE,
    ],
    source: 'https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/mv.html',
  },
  's3.rm': {
    bucket: [],
    objects: { upload: ['s3:DeleteObject'], download: ['s3:DeleteObject'], 's3-to-s3': ['s3:DeleteObject'] },
    notes: [
      '`--recursive` lists first (s3:ListBucket) and deletes in batches with DeleteObjects, which S3 authorizes per key as s3:DeleteObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html).',
    ],
    source: 'https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/rm.html',
  },
  's3.ls': {
    bucket: ['s3:ListBucket'],
    objects: { upload: [], download: [], 's3-to-s3': [] },
    notes: [
      '`aws s3 ls` without a bucket calls ListBuckets, which needs s3:ListAllMyBuckets on "*" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).',
    ],
    source: 'https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/ls.html',
  },
} as const;

export interface AwsCliProfileInput {
  /** Command from the user agent marker, e.g. `s3.sync`. */
  readonly command: string;
  readonly bucket: string;
  /** Object key prefix, `''` for the whole bucket. */
  readonly prefix: string;
  /** Denied event names for this principal and bucket; used to tell upload from download. */
  readonly eventNames: readonly string[];
}

export interface AwsCliProfile {
  readonly tool: 'aws-cli';
  readonly command: string;
  readonly direction: AwsCliDirection | 'unknown';
  readonly statements: readonly PolicyStatement[];
  readonly notes: readonly string[];
}

const UPLOAD_EVENTS = new Set([
  'PutObject',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
]);
const COPY_EVENTS = new Set(['CopyObject', 'UploadPartCopy']);

/** Direction from the denied calls; `unknown` when only listings were denied. */
export function inferAwsCliDirection(eventNames: readonly string[]): AwsCliDirection | 'unknown' {
  if (eventNames.some((name) => COPY_EVENTS.has(name))) return 's3-to-s3';
  if (eventNames.some((name) => UPLOAD_EVENTS.has(name))) return 'upload';
  if (eventNames.includes('GetObject') || eventNames.includes('HeadObject')) return 'download';
  return 'unknown';
}

/**
 * The permission set an `aws s3 <command>` run needs on `bucket/prefix`, or `undefined` for commands
 * without a profile (`s3api.*` calls map one-to-one to the operation catalogue instead). With an unknown
 * direction the profile covers only what every direction needs, and says what to add.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
export function awsCliProfile(input: AwsCliProfileInput): AwsCliProfile | undefined {
  const permissions = AWS_CLI_S3_COMMANDS[input.command];
  if (permissions === undefined) return undefined;
  const direction = inferAwsCliDirection(input.eventNames);
  const { bucketArn, objectArn } = jobResourceArns(input.bucket, input.prefix);

  const objectActions =
    direction === 'unknown'
      ? intersection(Object.values(permissions.objects))
      : [...permissions.objects[direction]];
  const statements: PolicyStatement[] = [];
  if (permissions.bucket.length > 0) {
    statements.push({
      Sid: 'AwsCliListBucket',
      Effect: 'Allow',
      Action: [...permissions.bucket],
      Resource: [bucketArn],
    });
  }
  if (objectActions.length > 0) {
    statements.push({
      Sid: 'AwsCliObjects',
      Effect: 'Allow',
      Action: [...new Set(objectActions)].sort((a, b) => a.localeCompare(b)),
      Resource: [objectArn],
    });
  }

  const notes = [
    direction === 'unknown'
      ? `Only listings were denied, so the direction is unknown: uploads also need ${permissions.objects.upload.join(', ') || 'nothing more'}; downloads ${permissions.objects.download.join(', ') || 'nothing more'}.`
      : `Direction inferred from the denied calls: ${direction}.`,
    ...(direction === 's3-to-s3' ? [COPY_NOTE] : []),
    ...permissions.notes,
    `Source: ${permissions.source}`,
  ];
  return { tool: 'aws-cli', command: input.command, direction, statements, notes };
}

/** Commands that have a profile, for documentation and tests. */
export const awsCliProfiledCommands: readonly string[] = Object.keys(AWS_CLI_S3_COMMANDS);

function intersection(lists: readonly (readonly string[])[]): string[] {
  const [first, ...rest] = lists;
  if (first === undefined) return [];
  return first.filter((item) => rest.every((list) => list.includes(item)));
}
