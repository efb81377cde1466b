/**
 * The job profile of s3fs (s3fs-fuse), which mounts a bucket, or one of its directories
 * (`bucket:/path`), as a file system. Its user agent is its own: `s3fs/1.90 (commit hash …; GnuTLS(gcrypt))`.
 *
 * Seen with s3fs 1.90 against moto (test/e2e/s3fsAgainstMoto.test.ts): mounting lists the bucket (a
 * refused listing leaves nothing mounted); `ls` lists the directory and HEADs each name, and the name
 * with `/` and `_$folder$` appended, looking for directories (a HEAD of a missing key answers 404 only
 * with s3:ListBucket, 403 without); reading GETs a range; writing HEADs, then PUTs the file (multipart
 * for large ones, aborted on failure); `mkdir` PUTs `dir/`; `touch`, `chmod` and `chown` copy the object
 * onto itself with new metadata (CopyObject, `x-amz-metadata-directive: REPLACE`); `mv` copies and
 * deletes; `rm` and `rmdir` delete.
 *
 * @see https://github.com/s3fs-fuse/s3fs-fuse/blob/master/doc/man/s3fs.1.in
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
import type { Alternative, PolicyStatement } from '../explain/report.js';
import { writesObjects } from './jobCalls.js';
import { jobResourceArns } from './jobResourceArns.js';
import type { MountInput, MountProfile } from './mountProfile.js';

const SOURCE = 'https://github.com/s3fs-fuse/s3fs-fuse/blob/master/doc/man/s3fs.1.in';

/** Whether the user agent is s3fs's (`s3fs/<version> (commit hash …)`). */
export function isS3fsAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /(?:^|\s)s3fs\/\d/i.test(userAgent);
}

/**
 * What a read-write mount needs: s3:ListBucket on the bucket, and s3:GetObject, s3:PutObject,
 * s3:DeleteObject and s3:AbortMultipartUpload on the mount's directory. When the mount made no write,
 * mounting read-only (`-o ro`) is the alternative that drops the writes.
 */
export function s3fsProfile(input: MountInput): MountProfile {
  const { bucketArn, objectArn } = jobResourceArns(input.bucket, input.directory ?? '', input.partition);
  const statements: PolicyStatement[] = [
    { Sid: 'S3fsListBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn] },
    {
      Sid: 'S3fsObjects',
      Effect: 'Allow',
      Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      Resource: [objectArn],
    },
  ];
  const notes = [
    `s3fs lists the bucket when mounting, lists each directory it shows and HEADs every name in it (after a 404, also the name with /, and, before s3fs 1.92 or with -o compat_dir, with _$folder$, looking for directories): S3 answers a HEAD of a missing key with 404 only under s3:ListBucket, and with 403 (an error in the file system) without it. Writing uploads the file (multipart for large files, aborted on failure); chmod, chown and touch copy the object onto itself with new metadata (s3:GetObject and s3:PutObject on it); mv copies and deletes; rm and rmdir delete. Source: ${SOURCE}`,
  ];
  if (input.directory === undefined) {
    notes.push(
      `The refused requests name no directory (only the bucket's listing when mounting): the object statement covers the whole bucket. For a mount of ${input.bucket}:/path, scope it to ${bucketArn}/path/*.`,
    );
  }
  const alternatives: Alternative[] = [];
  if (!writesObjects(input.eventNames)) {
    alternatives.push({
      kind: 'client-config',
      text: `If the mount only reads, mount it read-only (-o ro): s3fs then needs s3:ListBucket and s3:GetObject alone (${SOURCE}).`,
      removes: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'],
    });
  }
  return { statements, notes, alternatives };
}
