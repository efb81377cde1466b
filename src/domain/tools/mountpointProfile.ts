/**
 * The job profile of Mountpoint for Amazon S3 (`mount-s3`, also under the Mountpoint for Amazon S3 CSI
 * driver), which mounts a bucket, or a prefix of it (`--prefix`), as a file system. Its user agent starts
 * with `mountpoint-s3/<version>` (after a custom `--user-agent-prefix`, and the CSI driver's own prefix).
 *
 * The set is the one Mountpoint documents: s3:ListBucket on the bucket and s3:GetObject on the objects
 * it reads; writing new files, which it allows by default, needs s3:PutObject and
 * s3:AbortMultipartUpload; deleting, which it allows only with `--allow-delete`, needs s3:DeleteObject.
 * No real Mountpoint runs in the tests (it is on neither npm, PyPI nor Debian); the profile follows its
 * documentation alone.
 *
 * @see https://github.com/awslabs/mountpoint-s3/blob/main/doc/CONFIGURATION.md#iam-permissions
 */
import type { Alternative, PolicyStatement } from '../explain/report.js';
import { jobResourceArns, literalArnPart } from './jobResourceArns.js';
import type { MountInput, MountProfile } from './mountProfile.js';

const SOURCE = 'https://github.com/awslabs/mountpoint-s3/blob/main/doc/CONFIGURATION.md#iam-permissions';
const FLAGS_SOURCE =
  'https://github.com/awslabs/mountpoint-s3/blob/main/doc/CONFIGURATION.md#file-modifications-and-deletions';

/** Uploads: a mount that made one writes new files. */
const UPLOADS: ReadonlySet<string> = new Set([
  'PutObject',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
]);

/** Whether the user agent is Mountpoint's (`mountpoint-s3/<version>`, possibly after a prefix). */
export function isMountpointAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /(?:^|\s)mountpoint-s3\/\d/i.test(userAgent);
}

/**
 * Whether Mountpoint's user agent says the mount is read-only: it adds `md/mp-readonly` when mounted
 * with `--read-only` (since Mountpoint 1.2.0).
 *
 * @see https://github.com/awslabs/mountpoint-s3/blob/main/mountpoint-s3/src/cli.rs
 */
export function isReadOnlyMountpointAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /(?:^|\s)md\/mp-readonly(?:\s|$)/.test(userAgent);
}

/**
 * s3:ListBucket on the bucket; s3:GetObject, s3:PutObject and s3:AbortMultipartUpload on the mount's
 * directory, and s3:DeleteObject when the mount deleted (it does only with `--allow-delete`). A mount
 * that uploaded nothing gets `--read-only` as the alternative that drops the writes.
 */
export function mountpointProfile(input: MountInput): MountProfile {
  const { bucketArn, objectArn } = jobResourceArns(input.bucket, input.directory ?? '', input.partition);
  // A mount with --read-only writes and deletes nothing: it reads alone. Uploads and deletes of the
  // caller's seen on the bucket are another client's (the caller's events are pooled per bucket).
  const readOnly = input.readOnly === true;
  const deletes = !readOnly && input.eventNames.has('DeleteObject');
  const uploads = [...input.eventNames].some((name) => UPLOADS.has(name));
  const objectActions = readOnly
    ? ['s3:GetObject']
    : ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'];
  if (deletes) objectActions.splice(1, 0, 's3:DeleteObject');
  const statements: PolicyStatement[] = [
    { Sid: 'MountpointListBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn] },
    { Sid: 'MountpointObjects', Effect: 'Allow', Action: objectActions, Resource: [objectArn] },
  ];
  const notes = readOnly
    ? [
        `The mount is read-only (its user agent says md/mp-readonly, which Mountpoint sends when mounted with --read-only): it needs s3:ListBucket on the bucket and s3:GetObject on what it reads, and writes nothing. Source: ${SOURCE}`,
      ]
    : [
        `Mountpoint needs s3:ListBucket on the bucket and s3:GetObject on what it reads; it writes new files by default (s3:PutObject and s3:AbortMultipartUpload), and deletes only with --allow-delete (s3:DeleteObject). Source: ${SOURCE}`,
        deletes
          ? 'The mount deleted files, so it runs with --allow-delete: s3:DeleteObject is in the profile.'
          : `s3:DeleteObject is left out: Mountpoint deletes only with --allow-delete (${FLAGS_SOURCE}). Grant it on the same objects if the mount is meant to delete.`,
      ];
  if (input.directory === undefined) {
    notes.push(
      `The refused requests name no directory: the object statement covers the whole bucket. For a mount with --prefix path/, scope it to ${bucketArn}/path/*, and s3:ListBucket with the s3:prefix condition key Mountpoint's documentation calls for (StringLike s3:prefix path/*).`,
    );
  } else if (input.directory !== '') {
    notes.push(
      `For a mount with --prefix ${input.directory}, Mountpoint's documentation scopes s3:ListBucket with the s3:prefix condition key: here StringLike s3:prefix ${literalArnPart(input.directory)}* (${SOURCE}).`,
    );
  }
  const alternatives: Alternative[] = [];
  if (!uploads && !deletes && !readOnly) {
    alternatives.push({
      kind: 'client-config',
      text: `If the mount only reads, mount it with --read-only: Mountpoint then needs s3:ListBucket and s3:GetObject alone (${FLAGS_SOURCE}).`,
      removes: ['s3:AbortMultipartUpload', 's3:PutObject'],
    });
  }
  return { statements, notes, alternatives };
}
