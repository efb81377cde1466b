/**
 * The complete permission set an rclone job needs on one bucket/prefix, inferred from the denied calls
 * it left in CloudTrail, plus the rclone settings that make a grant unnecessary.
 *
 * Facts come from rclone's docs and source and from a recorded experiment (rclone 1.60.1 against a
 * logging S3 mock); see `../shared/reference/RCLONE.md`.
 *
 * @see https://rclone.org/s3/#s3-permissions
 */

import { METADATA_UPDATE } from '../explain/grouping.js';
import { isDatedSegment, withAclActionsApart } from '../explain/minimalStatements.js';
import type { Alternative, JobProfile, PolicyStatement } from '../explain/report.js';
import {
  bucketArnOf,
  isInsidePrefix,
  jobResourceArns,
  literalArnPart,
  trimSlashes,
} from './jobResourceArns.js';
import { LISTED_SOURCE, rootCheckNote, rootProbeEffect } from './rcloneRootProbe.js';
import { isAtLeast, parseToolVersion } from './toolVersion.js';

/** Where each rclone fact used below is documented. */
export const rcloneSources = {
  permissions: 'https://rclone.org/s3/#s3-permissions',
  noCheckBucket: 'https://rclone.org/s3/#s3-no-check-bucket',
  noHead: 'https://rclone.org/s3/#s3-no-head',
  noHeadObject: 'https://rclone.org/s3/#s3-no-head-object',
  uploadCutoff: 'https://rclone.org/s3/#s3-upload-cutoff',
  createsExistingBucket: 'https://github.com/rclone/rclone/issues/4703',
  singleFileCreateBucket: 'https://github.com/rclone/rclone/issues/5271',
  copyCreateBucket: 'https://github.com/rclone/rclone/issues/5119',
  privateAclDefault: 'https://github.com/rclone/rclone/issues/5730',
  uploadVersionId: 'https://github.com/rclone/rclone/commit/01877e5a0',
  listObjectsV2: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html',
  headObject: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html',
  putObjectAcl: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html',
  abortMultipartUpload: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html',
  useServerModtime: 'https://rclone.org/docs/#use-server-modtime',
  cleanup: 'https://rclone.org/commands/rclone_cleanup/',
  deleteObject: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html',
  listBuckets: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html',
} as const;

export type RcloneOperation = JobProfile['operation'];

/** What a denied call tells about the job. */
type EvidenceKind = 'list' | 'probe' | 'read' | 'write' | 'copy' | 'delete' | 'bucket-admin';

/**
 * rclone's S3 calls (CloudTrail event names) by what they reveal. `HeadObject` is only a probe: rclone
 * HEADs the root and every uploaded object, so it says nothing about the operation; a full
 * `GetObject` means the job reads content.
 */
const EVENT_EVIDENCE: Readonly<Record<string, EvidenceKind>> = {
  ListObjects: 'list', // ListObjectsV2 is recorded as ListObjects with list-type=2
  ListObjectsV2: 'list',
  ListObjectVersions: 'list',
  ListBuckets: 'list',
  HeadBucket: 'probe',
  HeadObject: 'probe',
  GetObject: 'read',
  PutObject: 'write',
  CreateMultipartUpload: 'write',
  UploadPart: 'write',
  CompleteMultipartUpload: 'write',
  AbortMultipartUpload: 'write',
  CreateBucket: 'write',
  CopyObject: 'copy',
  // rclone updating an object's modification time in place (see METADATA_UPDATE): a write, not a copy.
  [METADATA_UPDATE]: 'write',
  UploadPartCopy: 'copy',
  DeleteObject: 'delete',
  DeleteObjects: 'delete',
  DeleteBucket: 'delete',
  ListMultipartUploads: 'bucket-admin',
  GetBucketVersioning: 'bucket-admin',
} as const;

/** Denied IAM actions that prove the job writes or deletes, whatever the event name. */
const ACTION_EVIDENCE: Readonly<Record<string, EvidenceKind>> = {
  's3:putobject': 'write',
  's3:putobjectacl': 'write',
  's3:abortmultipartupload': 'write',
  's3:createbucket': 'write',
  's3:deleteobject': 'delete',
} as const;

/**
 * Bucket-level extras rclone only needs for specific commands, added when the evidence shows them.
 * Keys are event names.
 */
const BUCKET_EXTRAS: Readonly<Record<string, { readonly action: string; readonly why: string }>> = {
  ListObjectVersions: {
    action: 's3:ListBucketVersions',
    why: '`--s3-versions`/`--s3-version-at` list with ListObjectVersions, which S3 authorizes as s3:ListBucketVersions (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html)',
  },
  ListMultipartUploads: {
    action: 's3:ListBucketMultipartUploads',
    why: '`rclone cleanup` lists pending multipart uploads, authorized as s3:ListBucketMultipartUploads (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html)',
  },
  GetBucketVersioning: {
    action: 's3:GetBucketVersioning',
    why: '`rclone purge` reads the versioning status first; a denial is only logged ("assuming unversioned"), and on a versioned bucket the purge then leaves the old versions behind. Once the read succeeds on a versioned bucket, rclone lists every version (ListObjectVersions: s3:ListBucketVersions) and deletes each by its version ID (s3:DeleteObjectVersion), so the profile grants those too; on an unversioned bucket they go unused (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html, https://github.com/rclone/rclone/blob/master/backend/s3/s3.go: purge)',
  },
  DeleteBucket: {
    action: 's3:DeleteBucket',
    why: '`rclone purge remote:bucket` and `rclone rmdir remote:bucket` (a whole bucket) delete the bucket once it is empty (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html)',
  },
} as const;

/** Object actions per operation, before the version-dependent s3:PutObjectAcl. */
const OBJECT_ACTIONS: Readonly<Record<RcloneOperation, readonly string[]>> = {
  // HEAD after every upload and HEAD to compare modtimes on re-runs need s3:GetObject even for backups.
  copy: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
  sync: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
  move: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
  mount: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
  unknown: ['s3:GetObject'],
} as const;

const WRITING_OPERATIONS: ReadonlySet<RcloneOperation> = new Set(['copy', 'sync', 'move', 'mount']);

/** Whether an rclone build sends `x-amz-acl: private` on every upload (and so needs s3:PutObjectAcl). */
export type RcloneAclBehaviour = 'sends-private-acl' | 'no-acl' | 'unknown';

/**
 * rclone up to v1.60 forced `acl = private` when unset; v1.61.0 stopped (rclone#5730). A v1.61.0 beta
 * may predate the change, and an empty version (Debian's `rclone/`) says nothing, so both are unknown.
 *
 * @see https://github.com/rclone/rclone/issues/5730
 */
export function rcloneAclBehaviour(version: string | undefined): RcloneAclBehaviour {
  const parsed = parseToolVersion(version);
  if (parsed === undefined) return 'unknown';
  if (!isAtLeast(parsed, 1, 61)) return 'sends-private-acl';
  const isPre161Beta =
    parsed.major === 1 &&
    parsed.minor === 61 &&
    parsed.patch === 0 &&
    parsed.suffix?.startsWith('beta') === true;
  return isPre161Beta ? 'unknown' : 'no-acl';
}

export interface RcloneEvidence {
  /** IAM actions the denials name (`s3:ListBucket`), from the error messages or the operation catalogue. */
  readonly deniedActions: readonly string[];
  /** Every CloudTrail event name seen for this principal and bucket: denied, and (when the input has them) succeeded. */
  readonly eventNames: readonly string[];
  /**
   * The caller's successful listings include one without a delimiter over the job's directory: the
   * whole tree at once, as `rclone delete` and `purge` list (copy and sync list a directory at a time).
   */
  readonly listedRecursively?: boolean;
  /**
   * rclone was refused the check of the root and its listing, took the root for a file and went on
   * reading it (a second HEAD of it in the same run, or a listing of the directory above it): a job that
   * writes there stops at that point ("is a file not a directory"), so this one reads from it.
   */
  readonly readsRoot?: boolean;
  /**
   * rclone was refused HEADs of objects inside a directory the caller listed whole (no delimiter) with
   * success: it reads objects it listed (`hashsum`, `md5sum` and `lsjson --hash` HEAD each multipart
   * object for its MD5), after the listing, so the HEADs are not the root check that starts a transfer.
   */
  readonly readsListed?: boolean;
  /**
   * Server-side copies read from the job's path with success (CopyObject with its x-amz-copy-source
   * here), and nothing was uploaded or copied into this bucket: the bucket is a transfer's source.
   */
  readonly copiedFrom?: boolean;
  /**
   * The job's server-side copies went to a directory of the bucket it never listed, each after a HEAD of
   * its destination key that found nothing: `--backup-dir`, which copies each replaced or deleted file
   * there and then deletes it (a plain server-side `move` lists its destination first; one with
   * `--no-traverse` does not, and makes the same calls: the sync's profile is the wider of the two).
   */
  readonly backupDir?: boolean;
}

export interface RcloneOperationGuess {
  readonly operation: RcloneOperation;
  /** One sentence for the notes: which evidence led there. */
  readonly reason: string;
  /**
   * A job the contract's operations do not name, reported as `unknown` with a profile of its own:
   * `delete` only lists and deletes (`rclone delete`, `purge`); `cleanup` only lists pending multipart
   * uploads and aborts them (`rclone cleanup`, `rclone backend cleanup`); `read` only lists and reads
   * content (the source of a transfer, `rclone cat`). None is granted an upload.
   */
  readonly only?: 'delete' | 'cleanup' | 'read';
  /** The evidence does not say what else the job does: the profile covers what it showed (why, in words). */
  readonly partial?: string;
}

/** Event names of uploads and of the bucket creation before them (AbortMultipartUpload is not one). */
const UPLOAD_EVENTS: ReadonlySet<string> = new Set([
  'PutObject',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'CreateBucket',
]);
const UPLOAD_ACTIONS: ReadonlySet<string> = new Set(['s3:putobject', 's3:putobjectacl', 's3:createbucket']);

/**
 * `rclone cleanup` lists the bucket's pending multipart uploads and aborts the old ones, and makes no
 * other call: the listing, with nothing uploaded, copied, read or deleted.
 *
 * @see https://rclone.org/commands/rclone_cleanup/
 */
function isCleanup(evidence: RcloneEvidence, kinds: ReadonlySet<EvidenceKind>): boolean {
  if (!evidence.eventNames.includes('ListMultipartUploads')) return false;
  if (kinds.has('read') || kinds.has('copy') || kinds.has('delete')) return false;
  if (evidence.eventNames.some((name) => UPLOAD_EVENTS.has(name))) return false;
  return !evidence.deniedActions.some((action) => UPLOAD_ACTIONS.has(action.toLowerCase()));
}

/** The only write in the evidence is a CreateBucket: nothing was uploaded or copied, nor refused an upload. */
function onlyCreatesBucket(evidence: RcloneEvidence, kinds: ReadonlySet<EvidenceKind>): boolean {
  if (kinds.has('copy')) return false;
  const created =
    evidence.eventNames.includes('CreateBucket') ||
    evidence.deniedActions.some((action) => action.toLowerCase() === 's3:createbucket');
  return (
    created &&
    !evidence.eventNames.some((name) => name !== 'CreateBucket' && UPLOAD_EVENTS.has(name)) &&
    !evidence.deniedActions.some((action) => {
      const key = action.toLowerCase();
      return key !== 's3:createbucket' && UPLOAD_ACTIONS.has(key);
    })
  );
}

/**
 * Guesses the rclone command from what was denied. Only calls rclone makes *after* the first denial
 * are missing, so a job that died on its first listing is `unknown`: nothing says it would write.
 */
export function inferRcloneOperation(evidence: RcloneEvidence): RcloneOperationGuess {
  const kinds = new Set<EvidenceKind>();
  for (const name of evidence.eventNames) {
    const kind = EVENT_EVIDENCE[name];
    if (kind !== undefined) kinds.add(kind);
  }
  for (const action of evidence.deniedActions) {
    const kind = ACTION_EVIDENCE[action.toLowerCase()];
    if (kind !== undefined) kinds.add(kind);
  }
  const writes = kinds.has('write') || kinds.has('copy');
  if (isCleanup(evidence, kinds)) {
    return {
      operation: 'unknown',
      only: 'cleanup',
      reason:
        'A listing of pending multipart uploads, and nothing uploaded, copied, read or deleted: `rclone cleanup` (or `rclone backend cleanup`), which aborts the uploads it lists. (The profile is for that cleanup, not a copy, sync, move or mount.)',
    };
  }
  if (kinds.has('read') && (writes || kinds.has('delete'))) {
    return {
      operation: 'mount',
      reason:
        'GetObject calls, refused or not (content reads; rclone copy and sync only HEAD destination objects), together with writes or deletes on the same bucket: looks like `rclone mount` (or bisync/serve).',
    };
  }
  if (kinds.has('delete')) {
    // Nothing written, read or copied, and the tree listed in one go, the versioning status read (only
    // purge does) or the bucket deleted: rclone delete, purge or rmdir. A sync lists a directory at a
    // time and never deletes its bucket.
    const purges =
      evidence.eventNames.includes('GetBucketVersioning') || evidence.eventNames.includes('DeleteBucket');
    if (!writes && (evidence.listedRecursively === true || purges)) {
      return {
        operation: 'unknown',
        only: 'delete',
        reason: purges
          ? "Deletes, nothing uploaded or read, and a read of the bucket's versioning status (which `rclone purge` makes first) or a delete of the bucket: a purge only lists and deletes. (The profile is for that purge, not a copy, sync, move or mount.)"
          : 'Denied deletes, nothing uploaded or read, and the whole tree listed in one request (no delimiter): `rclone delete` or `rclone purge`, which only list and delete. (The profile is for that delete or purge, not a copy, sync, move or mount.) A `sync --fast-list` that had nothing to upload in this run lists the same way: a sync also needs s3:PutObject, s3:GetObject and s3:AbortMultipartUpload there.',
      };
    }
    // Uploads (PutObject, UploadPart) beside the copies and deletes: a sync whose --backup-dir takes the
    // replaced and deleted files (copied there server-side, then deleted).
    const uploads = evidence.eventNames.includes('PutObject') || evidence.eventNames.includes('UploadPart');
    if (kinds.has('copy') && uploads) {
      return {
        operation: 'sync',
        reason:
          'Uploads, server-side copies and deletes: `rclone sync --backup-dir` (or `copy`/`move` with it), which copies each replaced or deleted file to the backup directory and then deletes it.',
      };
    }
    // The deletes come before the uploads that replace the files: refused there, the run shows none.
    if (kinds.has('copy') && evidence.backupDir === true) {
      return {
        operation: 'sync',
        reason:
          'Server-side copies and deletes, the copies into a directory the job never listed, each after a HEAD of its destination that found nothing: `rclone sync --backup-dir` (or `copy`/`move` with it), which copies each replaced or deleted file to the backup directory, deletes it, and then uploads the new version. The uploads come after the refused deletes, so the input shows none; the profile grants them. A server-side `rclone move --no-traverse` between the two directories makes the same calls (it HEADs each destination key instead of listing the destination) and uploads nothing: if the job is that move, it needs no s3:PutObject or s3:AbortMultipartUpload on the directory it deletes from.',
      };
    }
    return kinds.has('copy')
      ? {
          operation: 'move',
          reason:
            'Denied DeleteObject together with CopyObject: server-side `rclone move` (copy, then delete each source key).',
        }
      : {
          operation: 'sync',
          reason:
            'Denied DeleteObject: `rclone sync` deleting extra destination files. (A `move` to S3 deletes only its local files; one that deletes here moves out of this bucket, which needs the listing, s3:GetObject and s3:DeleteObject but no s3:PutObject.) If this job is `rclone delete` or `purge`, it needs no s3:PutObject or s3:AbortMultipartUpload: the input does not show how it listed (a listing without a delimiter marks those commands).',
        };
  }
  if (writes) {
    return {
      operation: 'copy',
      reason: onlyCreatesBucket(evidence, kinds)
        ? "A refused CreateBucket and no upload: rclone calls CreateBucket before uploading into a bucket it has not listed in this run (`copyto`, a single-file `copy`, `--no-traverse`), and `rclone mkdir` of a bucket makes that call alone. The profile covers the uploads that follow (`rclone copy`/`copyto`); a job that only creates the bucket needs s3:CreateBucket alone, the finding's fix."
        : 'Uploads (refused, or made and then refused their HEAD) and no deletes: `rclone copy`/`copyto` (a `sync` with nothing to delete looks the same).',
    };
  }
  // rclone reads the versioning status only in `purge` (and `rclone backend versioning`, which lists
  // nothing): that read and a listing, with nothing read, written or deleted, are a purge stopped at its
  // listing. The next run deletes what it lists.
  const listed = ['ListObjects', 'ListObjectsV2', 'ListObjectVersions'].some((name) =>
    evidence.eventNames.includes(name),
  );
  if (!kinds.has('read') && evidence.eventNames.includes('GetBucketVersioning') && listed) {
    return {
      operation: 'unknown',
      only: 'delete',
      reason:
        "A read of the bucket's versioning status and a listing, and nothing deleted, uploaded or read yet: `rclone purge` stopped at its listing (it reads the versioning status, lists the whole tree, and deletes what it listed; `rclone backend versioning` makes the read alone). The next run deletes. (The profile is for that purge, not a copy, sync, move or mount.)",
    };
  }
  if (kinds.has('read')) {
    return {
      operation: 'unknown',
      only: 'read',
      reason:
        'Content reads (GetObject; `rclone copy` and `sync` only HEAD the objects they write), and nothing uploaded, copied or deleted: the bucket is where the job reads from (`rclone copy`/`sync`/`copyto` from it, `cat`, `check --download`), which needs the listing and s3:GetObject; a `move` from it also needs s3:DeleteObject. (Which of these commands it was, the records do not tell: the profile is for reading from the bucket, not a copy, sync, move or mount into it.)',
    };
  }
  if (evidence.readsRoot === true) {
    return {
      operation: 'unknown',
      only: 'read',
      reason:
        'rclone was refused the check of the root and the listing of it, took the root for a file and went on reading: it HEADed the root again (a copy from it) or listed the directory above it to find it (`ls`, `lsf`, `cat`, `hashsum`). A job writing there stops at that point ("is a file not a directory"), so this one reads from the root, which needs the listing and s3:GetObject (a `move` from it also s3:DeleteObject). (Which command it was, the records do not tell: the profile is for reading from the root, not a copy, sync, move or mount into it.)',
    };
  }
  if (evidence.readsListed === true) {
    // `rclone copy`/`sync` list a directory at a time (`delimiter=/`), and HEAD their root before that.
    return {
      operation: 'unknown',
      only: 'read',
      reason:
        "rclone listed the directory whole (no delimiter) and was then refused HEADs of objects that listing returned: it reads objects it listed, as `rclone hashsum`, `md5sum`, `lsjson --hash` and `check` do (a multipart object's ETag is not its MD5, so rclone HEADs it to read the MD5 it stored in the object's metadata), which needs the listing and s3:GetObject in that directory. A copy or sync to this path lists one directory at a time and checks its root before listing; one with --fast-list lists whole and HEADs the objects it compares by modification time: if this job uploads, it also needs s3:PutObject and s3:AbortMultipartUpload there. (The profile is for reading the directory, not a copy, sync, move or mount into it.)",
    };
  }
  if (evidence.copiedFrom === true) {
    return {
      operation: 'unknown',
      only: 'read',
      reason:
        'Server-side copies read from this path with success (CopyObject naming it as x-amz-copy-source), and nothing was uploaded or copied into this bucket: it is the source of an `rclone copy`/`sync` to another bucket, which needs the listing and s3:GetObject here (a `move` from it also s3:DeleteObject). (The profile is for reading from this bucket, not a copy, sync, move or mount into it.)',
    };
  }
  if (kinds.has('probe') && kinds.has('list')) {
    // `rclone copy/sync SRC remote:bkt/dir` starts with a HEAD of `bkt/dir` (is the root a file?) and
    // then lists `dir/` with delimiter `/` (RCLONE.md, observed call sequences): the start of a transfer.
    return {
      operation: 'copy',
      reason:
        'rclone HEADed the root path and then listed it, which is how `rclone copy`/`sync` to this path start; the profile covers copy, add s3:DeleteObject for sync. A job that only reads this path starts the same way (`rclone lsf`/`ls`/`check`, or a copy from it to elsewhere): if that is this job, it needs the listing and s3:GetObject alone, not s3:PutObject or s3:AbortMultipartUpload.',
    };
  }
  return {
    operation: 'unknown',
    reason:
      'Only listings/reads were denied, and rclone stops at the first failed listing (from v1.72, at a refused check of the destination root), so the evidence cannot tell whether the job would write.',
    partial: 'only listings or reads were refused, so whether the job writes is unknown',
  };
}

/**
 * When rclone uploads in parts, for the calls the job made: uploads above --s3-upload-cutoff, server-side
 * copies (UploadPartCopy) above --s3-copy-cutoff.
 *
 * @see https://rclone.org/s3/#s3-upload-cutoff
 * @see https://rclone.org/s3/#s3-copy-cutoff
 */
function multipartWhen(events: ReadonlySet<string>): string {
  const uploads = 'files above --s3-upload-cutoff, default 200 MiB, or of unknown size';
  const copies = 'server-side copies above --s3-copy-cutoff, default 4.656 GiB';
  const copied = events.has('CopyObject') || events.has('UploadPartCopy');
  const uploaded = ['PutObject', 'CreateMultipartUpload', 'UploadPart'].some((name) => events.has(name));
  return copied && !uploaded ? copies : copied ? `${uploads}; ${copies}` : uploads;
}

export interface RcloneAdviceInput {
  /** rclone version from the user agent (`v1.66.0`); absent or empty when unknown. */
  readonly version?: string;
  readonly bucket: string;
  /** The bucket's partition (`aws-cn`, `aws-us-gov`…), for the profile's ARNs; `aws` when absent. */
  readonly partition?: string;
  /** Object key prefix the job works under, `''` for the whole bucket. Slashes at either end are ignored. */
  readonly prefix: string;
  /**
   * The job's directories when it works in two or more apart from each other (each a root it checked:
   * `rclone move remote:bkt/in remote:bkt/out`, or a sync with `--backup-dir` in the same bucket; see
   * `rootDirectories`): the object statement lists each, where `prefix` (their common directory) would
   * often be the whole bucket.
   */
  readonly directories?: readonly string[];
  /**
   * Where `prefix` comes from when the refused requests name no object (only bucket-level ones, such as
   * CreateBucket): `other-calls`, the directories of the caller's other requests in the input (keys it
   * looked up and found missing, or uploaded); `root-calls`, those requests, all at the bucket root
   * (`rclone mkdir remote:bkt/newdir` HEADs the key `newdir` first); `nothing`, no request of the job
   * names one. Absent: from the refused requests themselves.
   */
  readonly prefixFrom?: 'other-calls' | 'root-calls' | 'nothing';
  readonly deniedActions: readonly string[];
  /**
   * The canned ACLs (`x-amz-acl`) the uploads sent (rclone v1.60 and older: `private`, or the remote's
   * `acl` setting), or must send (`bucket-owner-full-control` when a visible policy requires it): the
   * profile grants s3:PutObjectAcl for them alone, as the fix does. Absent: granted bare (no ACL header in
   * the input, or `x-amz-grant-*` headers).
   */
  readonly cannedAcls?: readonly string[];
  readonly eventNames: readonly string[];
  /** Keys of HEADs the input shows refused as s3:ListBucket (the key does not exist, and listing is not allowed). */
  readonly headsRefusedAsListing?: readonly string[];
  /**
   * What in the input shows that the bucket exists (`its bucket policy was given`), if anything does. A
   * refused CreateBucket is rclone's call before an upload into an existing bucket, or a job meant to
   * create the bucket (`rclone mkdir remote:bkt`), which no_check_bucket would stop from creating it.
   */
  readonly bucketExists?: string;
  /** See {@link RcloneEvidence.listedRecursively}. */
  readonly listedRecursively?: boolean;
  /** See {@link RcloneEvidence.readsRoot}. */
  readonly readsRoot?: boolean;
  /** See {@link RcloneEvidence.readsListed}. */
  readonly readsListed?: boolean;
  /** See {@link RcloneEvidence.copiedFrom}. */
  readonly copiedFrom?: boolean;
  /**
   * A server-side `rclone copyto` or `moveto` within the bucket, refused the HEAD of its destination or
   * its CreateBucket (`prefix` is the destination's directory, `copySource` the source's): see
   * `serverSideCopyTo` in findingBuilder.ts.
   */
  readonly serverSideCopyTo?: boolean;
  /**
   * `rclone deletefile remote:bkt/dir/a.txt`: it HEADs the file its path names, then deletes it, and
   * lists nothing. Every request of the finding is a refused delete, and the caller's other calls on the
   * bucket in the input are HEADs that succeeded (a refused HEAD would have stopped it first). A sync or
   * `rclone delete` lists first; without the HEADs (the Lambda sees only the denials, a trail that logs
   * writes only) nothing tells them apart.
   */
  readonly deletesFiles?: boolean;
  /** Keys rclone HEADed to check whether the destination root is a file, and was refused (see rcloneRootProbe.ts). */
  readonly rootCheckKeys?: readonly string[];
  /**
   * Keys S3 answered "no such key" to the caller in the input. Among them, the root checks of the job's
   * directories (`dir` of `dir/`), answered under the caller's present policies, which reach beyond the
   * directory: the profile, scoped to it, grants them too, or rclone from v1.72 stops at the check once
   * the profile replaces those policies.
   */
  readonly missingKeys?: ReadonlySet<string>;
  /**
   * The root check is the job's only request (see `RcloneJob.lone`): it may name a file the job reads,
   * so it is granted whatever the version.
   */
  readonly loneRootCheck?: boolean;
  /**
   * Keys the job copies from S3 as files, every refusal a HEAD of one of them: rclone HEADed each, listed
   * it as a directory, found nothing and HEADed it again as a file (see `copiedFiles` in findingBuilder.ts).
   */
  readonly readsFiles?: readonly string[];
  /**
   * The job is the source of an `rclone move`: every denied delete is of a key the caller had read
   * (GetObject) or copied from. `destinationPrefix` is where its copies went in the same bucket, if
   * they did (a server-side move within the bucket); otherwise they went to a local directory or
   * another bucket.
   */
  readonly moveSource?: { readonly destinationPrefix?: string };
  /**
   * Where the job's server-side copies went in this bucket when it is not a move's source (a sync with
   * --backup-dir): outside the job's prefix it gets the copy set too.
   */
  readonly copyDestination?: string;
  /**
   * The directory of this bucket that the job's server-side copies read from (`rclone copy
   * remote:bkt/in remote:bkt/out`): outside the job's prefix it gets s3:GetObject of its own.
   */
  readonly copySource?: string;
  /**
   * Directories of other buckets that the job's server-side copies into this bucket read from (`rclone
   * copy remote:src/in remote:dst/out`): rclone lists them and reads their objects there.
   */
  readonly otherBucketSources?: readonly { readonly bucket: string; readonly prefix: string }[];
  /**
   * The refused requests S3 authorized as s3:GetObjectVersion (a HEAD or GET naming a version ID): their
   * event name and key. Absent: none, or the caller does not tell them apart.
   */
  readonly versionReads?: readonly { readonly eventName: string; readonly key?: string }[];
  /** The directories (`daily/`, `''` at the root) the caller uploaded to with success in the input. */
  readonly uploadDirectories?: readonly string[];
}

/**
 * Deletes and server-side copies look like a move, but a move deletes its sources: deletes inside the
 * directory the copies write to are a sync's (`rclone sync remote:bkt/in remote:bkt/out`).
 */
function deletesInCopyDestination(input: RcloneAdviceInput): RcloneOperationGuess | undefined {
  const destination = input.copyDestination;
  // Copies to the bucket root say nothing (every directory is inside it), nor does a job on the whole
  // bucket (the root lies inside its prefix).
  if (destination === undefined || destination === '' || isInsidePrefix('', input.prefix)) return undefined;
  if (!isInsidePrefix(input.prefix, destination)) return undefined;
  const kinds = new Set(input.eventNames.map((name) => EVENT_EVIDENCE[name]));
  if (!kinds.has('delete') || !kinds.has('copy')) return undefined;
  return {
    operation: 'sync',
    reason: `Deletes inside ${destination === '' ? 'the bucket root' : `"${destination}"`}, where the job's server-side copies write: a \`rclone sync\` between two directories of this bucket, which deletes extra files in its destination (a move deletes its sources instead).`,
  };
}

/** The guess for the source of a move (see `RcloneAdviceInput.moveSource`). */
function moveSourceGuess(source: { readonly destinationPrefix?: string }): RcloneOperationGuess {
  return {
    operation: 'move',
    reason:
      source.destinationPrefix !== undefined
        ? `Denied deletes of keys the same caller had just copied to ${source.destinationPrefix === '' ? 'the root of this bucket' : `"${source.destinationPrefix}" in this bucket`}: a server-side \`rclone move\` (or \`moveto\` of one file), which copies each file and then deletes it (${rcloneSources.permissions}).`
        : `Denied deletes of keys the same caller had just read or copied to another bucket: \`rclone move\` from this directory (to a local directory or another bucket), which deletes each file once it is copied. The source side needs no s3:PutObject (${rcloneSources.permissions}).`,
  };
}

export interface RcloneAdvice {
  readonly jobProfile: JobProfile;
  readonly alternatives: readonly Alternative[];
}

/**
 * Builds the whole statement set an rclone job needs on `bucket/prefix`, the notes that justify it, and
 * the rclone settings that avoid a grant (`no_check_bucket` instead of s3:CreateBucket, an upgrade
 * instead of s3:PutObjectAcl, `--s3-no-head` to drop s3:GetObject).
 *
 * @see https://rclone.org/s3/#s3-permissions
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
/**
 * rclone v1.60.x records the version ID S3 returns for an upload to a versioned bucket, and its HEAD
 * after the upload asks for that version, which S3 authorizes as s3:GetObjectVersion. v1.61.0 keeps
 * version IDs only with --s3-versions/--s3-version-at (commit 01877e5a, read in rclone's git history).
 * Only refused HEADs of keys the caller uploaded count as that check (the input keeps the directories it
 * uploaded to, which stand for the keys): a GET naming a version reads an old one (`copy --s3-version-at`,
 * whose Object.Open sends the version ID), which needs s3:GetObjectVersion whatever the rclone version, and
 * a HEAD of a version with no upload in the input may be such a restore comparing modification times.
 */
function headsUploadedVersions(input: RcloneAdviceInput): boolean {
  const parsed = parseToolVersion(input.version);
  if (parsed === undefined || parsed.major !== 1 || parsed.minor !== 60) return false;
  if (input.eventNames.includes('ListObjectVersions')) return false;
  const uploaded = new Set(input.uploadDirectories ?? []);
  return (input.versionReads ?? []).some(
    (read) =>
      read.eventName === 'HeadObject' &&
      read.key !== undefined &&
      uploaded.has(read.key.slice(0, read.key.lastIndexOf('/') + 1)),
  );
}

/**
 * The profile of a job that copies single files from S3 (see {@link RcloneAdviceInput.readsFiles}): s3:GetObject
 * in their directory, where the next run's file will likely be too (at the bucket root, on the files
 * alone). With the HEAD allowed, rclone takes the path for a file at once and lists nothing.
 */
function readFilesAdvice(input: RcloneAdviceInput, keys: readonly string[]): RcloneAdvice {
  const { bucket } = input;
  const named = keys.map((key) => `"${bucket}/${key}"`).join(', ');
  const prefix = trimSlashes(input.prefix);
  const resources =
    prefix === ''
      ? keys.map((key) => `${bucketArnOf(bucket, input.partition)}/${literalArnPart(key)}`)
      : [jobResourceArns(bucket, prefix, input.partition).objectArn];
  return {
    jobProfile: {
      tool: 'rclone',
      operation: 'unknown',
      statements: [
        { Sid: 'RcloneReadFiles', Effect: 'Allow', Action: ['s3:GetObject'], Resource: resources },
      ],
      notes: [
        `rclone was refused the HEAD of ${named}, listed it as a directory and found nothing, then HEADed it again as a file: the job copies that file from S3 (\`rclone copy\` or \`copyto\` remote:file). rclone v1.74.4 and later list after a refused HEAD (${LISTED_SOURCE}), while a job writing into a new directory of that name stops after the listing. Copying a file from S3 needs s3:GetObject alone: with the HEAD allowed, rclone takes the path for a file at once and lists nothing (\`rclone cat\` lists the file's directory first, and needs s3:ListBucket as well). (Whether it was \`copy\` or \`copyto\`, the records do not tell: the profile is for copying the file from S3, not into it.)`,
        prefix === ''
          ? 'The statement names the files alone: at the bucket root, their directory would be the whole bucket.'
          : `The statement covers "${prefix}/", the files' directory, so that a job reading another file there next time needs no new grant; name the files instead to keep to them. Reading the whole directory (\`rclone copy remote:${bucket}/${prefix} …\`) also needs s3:ListBucket.`,
        'A copy of the file elsewhere in S3 needs grants at its destination as well (s3:PutObject, and s3:GetObject for the HEAD after it); a `moveto` also needs s3:DeleteObject on the file.',
      ],
    },
    alternatives: [],
  };
}

/** The profile of `rclone deletefile` (see {@link RcloneAdviceInput.deletesFiles}): the HEAD and the delete, no listing. */
function deleteFileAdvice(input: RcloneAdviceInput): RcloneAdvice {
  const prefix = trimSlashes(input.prefix);
  return {
    jobProfile: {
      tool: 'rclone',
      operation: 'unknown',
      statements: [
        {
          Sid: 'RcloneDeleteFiles',
          Effect: 'Allow',
          Action: ['s3:DeleteObject', 's3:GetObject'],
          Resource: [jobResourceArns(input.bucket, prefix, input.partition).objectArn],
        },
      ],
      notes: [
        `Denied deletes after successful HEADs of the files, and no listing: \`rclone deletefile\`, which HEADs the file its path names and deletes it (\`rclone delete\`, \`sync\` and \`purge\` list first). It needs s3:GetObject for the HEAD and s3:DeleteObject, and neither s3:ListBucket nor any upload (${rcloneSources.deleteObject}). (The profile is for that \`rclone deletefile\`, not a copy, sync, move or mount.)`,
        prefix === ''
          ? 'The statement covers the whole bucket: the files are at its root. Name them instead to keep to them.'
          : `The statement covers "${prefix}/", the files' directory, so that the next file deleted there needs no new grant; name the files instead to keep to them.`,
      ],
    },
    alternatives: [],
  };
}

/**
 * `rclone rmdir remote:bucket`: one DeleteBucket, and no other call of the caller's on the bucket in the
 * input (no listing, object delete or versioning read). A purge of the bucket reads its versioning
 * status, lists it and deletes every object before it deletes the bucket (RCLONE.md, "purge"), and
 * `rclone delete` never deletes the bucket.
 */
function removesBucketOnly(input: RcloneAdviceInput): boolean {
  return (
    input.eventNames.length > 0 &&
    input.eventNames.every((name) => name === 'DeleteBucket') &&
    input.deniedActions.every((action) => action.toLowerCase() === 's3:deletebucket')
  );
}

/** The profile of `rclone rmdir remote:bucket` (see {@link removesBucketOnly}): s3:DeleteBucket alone. */
function removeBucketAdvice(input: RcloneAdviceInput): RcloneAdvice {
  return {
    jobProfile: {
      tool: 'rclone',
      operation: 'unknown',
      statements: [
        {
          Sid: 'RcloneDeleteBucket',
          Effect: 'Allow',
          Action: ['s3:DeleteBucket'],
          Resource: [bucketArnOf(input.bucket, input.partition)],
        },
      ],
      notes: [
        `A refused DeleteBucket, and no other request of the caller's on the bucket in the input (no listing, no object delete, no read of the versioning status): \`rclone rmdir remote:${input.bucket}\`, which deletes the bucket if it is empty and makes no other call. It needs s3:DeleteBucket alone, neither a listing nor any object delete (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html). (The profile is for that rmdir, not a copy, sync, move or mount.)`,
        `\`rclone purge remote:${input.bucket}\` also ends with this DeleteBucket, after it has read the versioning status (GetBucketVersioning), listed the bucket and deleted every object. If this input holds only the refusals (those calls succeeded and were not logged here) and the job is that purge, it also needs s3:GetBucketVersioning and s3:ListBucket on the bucket and s3:DeleteObject on its objects (${bucketArnOf(input.bucket, input.partition)}/*), which this profile leaves out rather than let a job that only removes the bucket delete every object in it.`,
      ],
    },
    alternatives: [],
  };
}

const VERSIONING_CALLS: ReadonlySet<string> = new Set(['PutBucketVersioning', 'GetBucketVersioning']);
const VERSIONING_ACTIONS: ReadonlySet<string> = new Set(['s3:putbucketversioning', 's3:getbucketversioning']);

/**
 * `rclone backend versioning remote:bucket Enabled` (or `Suspended`): a PutBucketVersioning, then a
 * GetBucketVersioning to print the status it set, and no other call of the caller's on the bucket in the
 * input (rclone's setGetVersioning; a purge also reads the status, but never writes it).
 */
function setsVersioningOnly(input: RcloneAdviceInput): boolean {
  return (
    input.eventNames.includes('PutBucketVersioning') &&
    input.eventNames.every((name) => VERSIONING_CALLS.has(name)) &&
    input.deniedActions.every((action) => VERSIONING_ACTIONS.has(action.toLowerCase()))
  );
}

/** The profile of `rclone backend versioning remote:bucket Enabled` (see {@link setsVersioningOnly}): the bucket's versioning status, no object. */
function setVersioningAdvice(input: RcloneAdviceInput): RcloneAdvice {
  return {
    jobProfile: {
      tool: 'rclone',
      operation: 'unknown',
      statements: [
        {
          Sid: 'RcloneBucketVersioning',
          Effect: 'Allow',
          Action: ['s3:GetBucketVersioning', 's3:PutBucketVersioning'],
          Resource: [bucketArnOf(input.bucket, input.partition)],
        },
      ],
      notes: [
        `A refused PutBucketVersioning, and no call of the caller's on the bucket in the input but the versioning status: \`rclone backend versioning remote:${input.bucket} Enabled\` (or \`Suspended\`), which sets the status with PutBucketVersioning, reads it back with GetBucketVersioning to print it, and makes no other call. It needs s3:PutBucketVersioning and s3:GetBucketVersioning on the bucket, neither a listing nor any object read or write (https://rclone.org/s3/#versioning, https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html). (The profile is for that command, not a copy, sync, move or mount.)`,
        "Changing a bucket's versioning is an administrator's task rather than a recurring job's: once enabled, versioning cannot be turned off, only suspended (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html). `rclone backend versioning` without a status only reads it, and needs s3:GetBucketVersioning alone.",
      ],
    },
    alternatives: [],
  };
}

export function rcloneAdvice(input: RcloneAdviceInput): RcloneAdvice {
  if (input.readsFiles !== undefined && input.readsFiles.length > 0)
    return readFilesAdvice(input, input.readsFiles);
  if (input.deletesFiles === true && input.moveSource === undefined) return deleteFileAdvice(input);
  if (removesBucketOnly(input)) return removeBucketAdvice(input);
  if (setsVersioningOnly(input)) return setVersioningAdvice(input);
  const versionHeads = headsUploadedVersions(input);
  const versionGets = (input.versionReads ?? []).some((read) => read.eventName === 'GetObject');
  const parsedVersion = parseToolVersion(input.version);
  // Refused HEADs of versions by rclone v1.60 that the input does not show follow uploads.
  const versionHeadsUnexplained =
    !versionHeads &&
    parsedVersion?.major === 1 &&
    parsedVersion.minor === 60 &&
    (input.versionReads ?? []).some((read) => read.eventName === 'HeadObject');
  const { moveSource } = input;
  const inferred: RcloneOperationGuess =
    moveSource !== undefined
      ? moveSourceGuess(moveSource)
      : input.serverSideCopyTo === true
        ? {
            operation: 'copy',
            reason: `Before this refusal the same caller only HEADed a file elsewhere in this bucket: a server-side \`rclone copyto\` (or \`moveto\`) between two keys of the bucket, which HEADs the source, then the destination, then copies (after a CreateBucket, unless no_check_bucket is set). The copy needs s3:GetObject on the source and s3:PutObject (and s3:GetObject for the HEADs) on the destination; a \`moveto\` also needs s3:DeleteObject on the source, which the input cannot show before the copy (${rcloneSources.permissions}).`,
          }
        : (deletesInCopyDestination(input) ?? inferRcloneOperation(input));
  // A HEAD of the version an upload created means the job uploads.
  const guess: RcloneOperationGuess =
    versionHeads && inferred.operation === 'unknown' && inferred.only === undefined
      ? {
          operation: 'copy',
          reason:
            'Denied HEADs of object versions: rclone v1.60 HEADs the version each upload created, so the job uploads (`copy`/`copyto`; a `sync` with nothing to delete looks the same).',
        }
      : inferred;
  const { operation } = guess;
  const deletesOnly = guess.only === 'delete';
  const cleanupOnly = guess.only === 'cleanup';
  // The source of a move only reads and deletes; it writes only to a destination in the same bucket.
  const writes =
    moveSource !== undefined ? moveSource.destinationPrefix !== undefined : WRITING_OPERATIONS.has(operation);
  const acl = rcloneAclBehaviour(input.version);
  const denied = new Set(input.deniedActions.map((action) => action.toLowerCase()));
  const events = new Set(input.eventNames);
  const aclDenied = denied.has('s3:putobjectacl');
  const createBucketDenied = denied.has('s3:createbucket') || events.has('CreateBucket');
  const needsAcl = writes && (acl === 'sends-private-acl' || aclDenied);

  const prefix = trimSlashes(input.prefix);
  const { bucketArn } = jobResourceArns(input.bucket, input.prefix, input.partition);
  // The directories the object statement covers: the job's one prefix, or its separate roots.
  const directories =
    input.directories !== undefined && input.directories.length > 1
      ? input.directories.map(trimSlashes)
      : [prefix];
  const objectArns = directories.map(
    (directory) => jobResourceArns(input.bucket, directory, input.partition).objectArn,
  );
  const insideJob = (directory: string): boolean =>
    directories.some((jobDirectory) => isInsidePrefix(directory, jobDirectory));

  const notes: string[] = [guess.reason];

  // A cleanup lists uploads, not objects (unless this job listed objects too).
  const bucketActions =
    cleanupOnly && !events.has('ListObjects') && !events.has('ListObjectsV2') ? [] : ['s3:ListBucket'];
  // A purge's versioning read that succeeded, followed by a listing of current objects only: rclone takes
  // a bucket for versioned only when the read returns a status (Enabled or Suspended), and then lists
  // versions (ListObjectVersions), so this bucket's versioning was never enabled and the purge deletes
  // current objects alone. (CloudTrail logs no response of the read: the listing that follows it tells.)
  const purgesCurrentOnly =
    deletesOnly &&
    events.has('GetBucketVersioning') &&
    !denied.has('s3:getbucketversioning') &&
    !events.has('ListObjectVersions') &&
    (events.has('ListObjects') || events.has('ListObjectsV2'));
  // A purge lists its versions with the versioning read's note, not --s3-versions'.
  const purges = deletesOnly && events.has('GetBucketVersioning');
  for (const [eventName, extra] of Object.entries(BUCKET_EXTRAS)) {
    if (!events.has(eventName)) continue;
    bucketActions.push(extra.action);
    if (purges && eventName === 'ListObjectVersions') continue;
    notes.push(
      purgesCurrentOnly && eventName === 'GetBucketVersioning'
        ? '`rclone purge` reads the versioning status first. Here the read succeeded and rclone then listed current objects only (ListObjects), as it does on a bucket whose versioning was never enabled: rclone takes a bucket for versioned only when the read returns a status (Enabled or Suspended), and then lists every version instead. So the purge deletes current objects alone, and the profile leaves out s3:ListBucketVersions and s3:DeleteObjectVersion. Once versioning is enabled on the bucket, the purge lists every version (ListObjectVersions: s3:ListBucketVersions) and deletes each by its version ID (s3:DeleteObjectVersion), and needs both (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html, https://github.com/rclone/rclone/blob/master/backend/s3/s3.go: purge).'
        : extra.why,
    );
  }
  // A purge that reads the versioning status lists and deletes versions once that read succeeds on a
  // versioned bucket: granting the read alone would turn a purge of current versions into a refused one.
  const purgesVersions = purges && !purgesCurrentOnly;
  if (purgesVersions && !bucketActions.includes('s3:ListBucketVersions'))
    bucketActions.push('s3:ListBucketVersions');

  const objectActions = deletesOnly
    ? ['s3:DeleteObject']
    : cleanupOnly
      ? ['s3:AbortMultipartUpload']
      : [...OBJECT_ACTIONS[operation]];
  if (needsAcl) objectActions.push('s3:PutObjectAcl');
  if (deletesOnly) {
    if (events.has('ListObjectVersions') || denied.has('s3:deleteobjectversion') || purgesVersions) {
      objectActions.push('s3:DeleteObjectVersion');
      notes.push(
        `s3:DeleteObjectVersion is included because the job works on versions: \`rclone purge\` of a versioned bucket and \`rclone delete --s3-versions\` list every version and delete each by its version ID, which S3 authorizes as s3:DeleteObjectVersion (${rcloneSources.deleteObject}).`,
      );
    }
    notes.push(
      `Age filters (--min-age, --max-age) read each object's modification time with a HEAD, which needs s3:GetObject on the same ARN; with --use-server-modtime rclone takes the listing's LastModified instead and needs no HEAD. A refused HEAD is only logged ("Failed to read metadata"): rclone then takes the object for new, and an age filter keeps it (${rcloneSources.useServerModtime}).`,
    );
  } else if (cleanupOnly) {
    notes.push(
      `\`rclone cleanup\` aborts the pending uploads older than 24 hours (\`rclone backend cleanup remote: -o max-age=…\` takes another age), which needs s3:AbortMultipartUpload on their keys; it needs neither s3:ListBucket nor any object read or write (${rcloneSources.cleanup}, ${rcloneSources.abortMultipartUpload}).`,
    );
    if (prefix === '')
      notes.push(
        'The object statement covers the whole bucket: a listing of pending uploads shows no directory here. If the job cleans one directory (remote:bucket/dir), scope it to that directory.',
      );
  } else if (versionHeads) {
    objectActions.push('s3:GetObjectVersion');
    notes.push(
      `s3:GetObjectVersion is included because rclone ${input.version} (v1.60.x) HEADs, after each upload to a versioned bucket, the version the upload created; v1.61.0 and later HEAD the object itself (${rcloneSources.uploadVersionId}).`,
    );
  } else if (events.has('ListObjectVersions')) {
    objectActions.push('s3:GetObjectVersion');
    notes.push(
      'With --s3-versions/--s3-version-at, HEAD/GET carry a versionId, which S3 authorizes as s3:GetObjectVersion (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).',
    );
  } else if (versionGets) {
    // The listing of versions that found them succeeded (the GETs came after it), so the input may not
    // hold it: a read-only job is granted it too.
    objectActions.push('s3:GetObjectVersion');
    if (!writes && !bucketActions.includes('s3:ListBucketVersions'))
      bucketActions.push('s3:ListBucketVersions');
    notes.push(
      `s3:GetObjectVersion is included because rclone was refused GETs of object versions: it reads an old version with --s3-versions or --s3-version-at (a restore), which needs s3:GetObjectVersion whatever the rclone version${
        writes ? '' : ', after finding it with ListObjectVersions, authorized as s3:ListBucketVersions'
      } (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html).`,
    );
  } else if (versionHeadsUnexplained) {
    notes.push(
      `rclone ${input.version} was refused HEADs of object versions, and the input shows no upload into their directories. rclone v1.60.x HEADs, after each upload to a versioned bucket, the version the upload created (${rcloneSources.uploadVersionId}), and a job that reads old versions (--s3-versions, --s3-version-at) HEADs them too: if this job uploads, it needs s3:GetObjectVersion with v1.60.x, or rclone v1.61.0 or later, which HEADs the object itself; if it reads old versions, it needs s3:GetObjectVersion and s3:ListBucketVersions whatever the version.`,
    );
  }

  const statements: PolicyStatement[] = [
    { Sid: 'RcloneListBucket', Effect: 'Allow', Action: sorted(bucketActions), Resource: [bucketArn] },
  ];
  /** The copy set on a directory the job copies into: a move's destination, or a --backup-dir. */
  const copyDestinationStatement = (sid: string, destination: string): PolicyStatement => {
    const actions = ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'];
    if (needsAcl) actions.push('s3:PutObjectAcl');
    return {
      Sid: sid,
      Effect: 'Allow',
      Action: sorted(actions),
      Resource: [jobResourceArns(input.bucket, destination, input.partition).objectArn],
    };
  };
  // s3:PutObjectAcl for the canned ACL the uploads send alone, in a statement of its own.
  const pushApart = (statement: PolicyStatement): void => {
    statements.push(...withAclActionsApart(statement, input.cannedAcls));
  };
  if (moveSource !== undefined) {
    const sourceActions = ['s3:GetObject', 's3:DeleteObject'];
    if (objectActions.includes('s3:GetObjectVersion')) sourceActions.push('s3:GetObjectVersion');
    statements.push({
      Sid: 'RcloneMoveSource',
      Effect: 'Allow',
      Action: sorted(sourceActions),
      Resource: objectArns,
    });
    if (moveSource.destinationPrefix !== undefined) {
      pushApart(copyDestinationStatement('RcloneMoveDestination', moveSource.destinationPrefix));
    } else {
      notes.push(
        'The destination needs its own grants: on another bucket, s3:ListBucket on it, and s3:PutObject, s3:GetObject (rclone HEADs each copy) and s3:AbortMultipartUpload under the destination directory; a local directory needs none.',
      );
    }
  } else {
    pushApart({
      Sid: 'RcloneObjects',
      Effect: 'Allow',
      Action: sorted(objectActions),
      Resource: objectArns,
    });
    // Server-side copies outside the job's directory (a --backup-dir) need the copy set there too.
    const destination = input.copyDestination;
    if (destination !== undefined && !insideJob(destination)) {
      pushApart(copyDestinationStatement('RcloneCopyDestination', destination));
      notes.push(
        `RcloneCopyDestination: the job also copied objects server-side to ${destination === '' ? 'the root of the bucket' : `"${destination}"`} (e.g. its --backup-dir), which needs s3:PutObject there and s3:GetObject for the HEAD after each copy.`,
      );
    }
  }
  // Server-side copies within the bucket read their sources: s3:GetObject there, and no write.
  const source = input.copySource;
  if (source !== undefined && moveSource === undefined && !insideJob(source)) {
    const readActions = ['s3:GetObject'];
    if (objectActions.includes('s3:GetObjectVersion')) readActions.push('s3:GetObjectVersion');
    statements.push({
      Sid: 'RcloneCopySource',
      Effect: 'Allow',
      Action: readActions,
      Resource: [jobResourceArns(input.bucket, source, input.partition).objectArn],
    });
    notes.push(
      `RcloneCopySource: the job copies server-side from ${source === '' ? 'the root of the bucket' : `"${source}"`} in the same bucket, and CopyObject needs s3:GetObject on its source; nothing is written there (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).`,
    );
  }
  // Server-side copies from other buckets: rclone lists and reads the source there (a move also deletes).
  const otherSources = moveSource === undefined ? (input.otherBucketSources ?? []) : [];
  if (otherSources.length > 0) {
    const arns = otherSources.map((other) => jobResourceArns(other.bucket, other.prefix, input.partition));
    statements.push(
      {
        Sid: 'RcloneSourceListBucket',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [...new Set(arns.map((arn) => arn.bucketArn))],
      },
      {
        Sid: 'RcloneSourceObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [...new Set(arns.map((arn) => arn.objectArn))],
      },
    );
    notes.push(
      `RcloneSourceListBucket, RcloneSourceObjects: the job copies server-side from ${otherSources.map((other) => `"${other.bucket}/${other.prefix}"`).join(', ')} in another bucket, which rclone lists and whose objects CopyObject reads (s3:GetObject); a \`move\` also deletes them there (s3:DeleteObject). A source path without a trailing slash is HEADed first, as the destination is (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).`,
    );
  }
  const rootEffect = rootProbeEffect(input.version);
  const refusedRootKeys = input.rootCheckKeys ?? [];
  // The job's directories, and the one its copies go to (a --backup-dir is a remote path of its own,
  // whose root rclone checks the same way).
  const roots =
    input.copyDestination !== undefined ? [...directories, trimSlashes(input.copyDestination)] : directories;
  const answeredRootKeys = [...new Set(roots)].filter(
    (directory) =>
      directory !== '' && input.missingKeys?.has(directory) === true && !refusedRootKeys.includes(directory),
  );
  const rootKeys = [...new Set([...refusedRootKeys, ...answeredRootKeys])];
  if (rootKeys.length > 0 && (rootEffect !== 'ignored' || input.loneRootCheck === true)) {
    statements.push({
      Sid: 'RcloneRootCheck',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: rootKeys.map((key) => `${bucketArnOf(input.bucket, input.partition)}/${literalArnPart(key)}`),
    });
  }
  if (events.has('ListBuckets') || denied.has('s3:listallmybuckets')) {
    statements.push({
      Sid: 'RcloneListAllBuckets',
      Effect: 'Allow',
      Action: ['s3:ListAllMyBuckets'],
      Resource: ['*'],
    });
    notes.push(
      `\`rclone lsd remote:\` lists all buckets with ListBuckets, which needs s3:ListAllMyBuckets on "*" (no resource type) (${rcloneSources.listBuckets}).`,
    );
  }

  if (bucketActions.includes('s3:ListBucket'))
    notes.push(
      `s3:ListBucket has no s3:prefix condition: rclone lists \`prefix=<dir>/\` for every directory it walks, and \`ls\`, \`size\`, \`mount\` and \`lsd\` list the bucket root (\`prefix=\`) (${rcloneSources.listObjectsV2}).${
        directories.includes('')
          ? ''
          : ` To tighten it for a job that stays in ${directories.map((d) => `"${d}"`).join(' and ')}, add Condition StringLike s3:prefix [${directories.map((d) => `${JSON.stringify(`${literalArnPart(d)}/`)}, ${JSON.stringify(`${literalArnPart(d)}/*`)}`).join(', ')}] and test the job.`
      }`,
    );
  if (directories.length > 1) {
    notes.push(
      `The object statement lists the ${directories.length} directories whose roots rclone checked (${directories.map((d) => `"${d}/"`).join(', ')}), one for each remote path of the command (a source and a destination, or a --backup-dir), rather than the directory that holds them all (${prefix === '' ? 'the whole bucket' : `"${prefix}/"`}). The input does not say which is which, so each gets the whole set.`,
    );
  } else if (prefix.includes('/')) {
    // Above the first dated directory when there is one (`2026/11` is one run's: `2026/12` is the next),
    // as the dated-directory caveat says; else the directory above this one.
    const segments = prefix.split('/');
    const dated = segments.findIndex(isDatedSegment);
    const parent = dated >= 0 ? segments.slice(0, dated).join('/') : prefix.slice(0, prefix.lastIndexOf('/'));
    notes.push(
      `The object statement is scoped to the directory the refused requests share ("${prefix}/"). If each run works in a new directory under ${parent === '' ? 'the bucket' : `"${parent}/"`} (a date, a host name), scope it to "${jobResourceArns(input.bucket, parent, input.partition).objectArn}" instead.`,
    );
  }
  if (writes || (operation === 'unknown' && guess.only === undefined)) {
    notes.push(
      `s3:GetObject is needed even when the job only uploads: rclone HEADs every object after upload and HEADs existing objects to compare modification times; a denied HEAD prints "Forbidden" (${rcloneSources.headObject}). A write-only job can do without it, with the settings the alternatives give (--s3-no-head with --size-only), where they are offered.`,
    );
  }
  if (input.prefixFrom === 'other-calls' && prefix !== '') {
    notes.push(
      `The refused requests name no object (only bucket-level ones, such as CreateBucket), so the object statement is scoped to "${prefix}/", where the same caller looked up, listed or uploaded objects in this input: check that the job writes there.`,
    );
  } else if (input.prefixFrom !== undefined && !cleanupOnly) {
    notes.push(
      `The refused requests name no object (only bucket-level ones, such as CreateBucket)${
        input.prefixFrom === 'other-calls'
          ? ', and the same caller used several directories'
          : input.prefixFrom === 'root-calls'
            ? ", and the same caller's other requests in this input were at the bucket root only (keys there, or a listing of the whole bucket)"
            : ', and the input shows no other request of the job'
      }, so the object statement covers the whole bucket: if the job works in one directory, scope it there (${jobResourceArns(input.bucket, '<dir>', input.partition).objectArn}).${
        input.prefixFrom === 'root-calls'
          ? ' A key at the root that rclone looked up and found missing may be the name of that directory: `rclone mkdir remote:bucket/dir` HEADs the key `dir` before its CreateBucket.'
          : ''
      }`,
    );
  }
  if (input.prefixFrom === undefined)
    for (const directory of new Set([...directories, ...answeredRootKeys]))
      if (directory !== '') {
        const key = `${bucketArnOf(input.bucket, input.partition)}/${literalArnPart(directory)}`;
        const granted = statements.some((s) => s.Sid === 'RcloneRootCheck' && s.Resource.includes(key));
        notes.push(
          rootCheckNote(
            input.bucket,
            directory,
            rootEffect,
            refusedRootKeys.includes(directory)
              ? 'refused'
              : answeredRootKeys.includes(directory)
                ? 'answered'
                : 'other',
            granted,
            input.headsRefusedAsListing?.includes(directory) === true,
          ),
        );
      }
  if (writes) {
    notes.push(
      `s3:AbortMultipartUpload lets rclone clean up a failed multipart upload (${multipartWhen(events)}) (${rcloneSources.abortMultipartUpload}).`,
    );
    notes.push(
      `s3:CreateBucket is deliberately not granted: rclone calls CreateBucket, without checking first, before uploading into a bucket it has not listed in this run (copyto, single-file copy, --no-traverse, mkdir), and an AccessDenied there fails the upload. Set no_check_bucket instead${
        createBucketDenied && input.bucketExists === undefined ? ', once the bucket exists (see below)' : ''
      } (${rcloneSources.createsExistingBucket}, ${rcloneSources.singleFileCreateBucket}).`,
    );
  }
  if (createBucketDenied && input.bucketExists === undefined) {
    notes.push(
      `CreateBucket was denied, and the input does not show whether bucket ${input.bucket} exists. If it does not exist yet, create it once with an administrative identity rather than granting s3:CreateBucket to the job: with no_check_bucket set, \`rclone mkdir\` returns without creating it, and the first upload fails with NoSuchBucket (${rcloneSources.noCheckBucket}: "don't attempt to check the bucket exists or create it").`,
    );
  }
  notes.push(...aclNotes(acl, writes, aclDenied, input.version));
  if (operation === 'move' && moveSource === undefined) {
    notes.push(
      'For a move between buckets the source bucket only needs s3:ListBucket, s3:GetObject and s3:DeleteObject; the destination needs no s3:DeleteObject.',
    );
  }
  if (operation === 'mount') {
    notes.push(
      'With --vfs-cache-mode writes/full, uploads happen after the file is closed (--vfs-write-back, default 5s), so AccessDenied appears only in rclone logs, not in the application.',
    );
  }
  if (operation === 'unknown' && guess.only === undefined) {
    const aclHint =
      acl === 'no-acl'
        ? ''
        : ` (plus s3:PutObjectAcl if this rclone is v1.60 or older: ${rcloneSources.privateAclDefault})`;
    notes.push(
      `This profile only covers listing and reading. If the job uploads (\`copy\`), also grant s3:PutObject and s3:AbortMultipartUpload on the same object ARN${aclHint}; if it deletes (\`sync\`, \`move\`), also s3:DeleteObject.`,
    );
  }

  const granted = new Set(
    statements.flatMap((statement) => statement.Action.map((action) => action.toLowerCase())),
  );
  const handledElsewhere = new Set(['s3:createbucket', 's3:putobjectacl']);
  // The note on HEADs of versions says when the job needs it.
  if (versionHeadsUnexplained) handledElsewhere.add('s3:getobjectversion');
  for (const action of input.deniedActions) {
    const key = action.toLowerCase();
    if (!granted.has(key) && !handledElsewhere.has(key)) {
      notes.push(
        `${action} was denied but is not part of rclone's job profile (for example kms:* for SSE-KMS buckets); the finding itself treats it (its fix, or its caveats).`,
      );
    }
  }

  return {
    jobProfile: {
      tool: 'rclone',
      operation,
      statements,
      notes: unique(notes),
      ...(guess.partial !== undefined ? { partial: guess.partial } : {}),
    },
    alternatives: rcloneAlternatives({
      operation,
      writes,
      acl,
      aclDenied,
      createBucketDenied,
      versionHeads,
      // A server-side copy reads its source (s3:GetObject there), which --s3-no-head does not remove.
      readsSource:
        moveSource !== undefined ||
        input.copySource !== undefined ||
        (input.otherBucketSources?.length ?? 0) > 0,
      ...(input.bucketExists !== undefined ? { bucketExists: input.bucketExists } : {}),
      ...(purgesVersions ? { purgesVersions } : {}),
      ...(statements.some((st) => st.Sid === 'RcloneRootCheck') ? { rootCheck: true } : {}),
    }),
  };
}

function aclNotes(
  acl: RcloneAclBehaviour,
  writes: boolean,
  aclDenied: boolean,
  version: string | undefined,
): readonly string[] {
  if (!writes) return [];
  const shown = version === undefined || version === '' ? 'unknown version' : version;
  if (acl === 'sends-private-acl') {
    return [
      `s3:PutObjectAcl is included because rclone ${shown} (<= v1.60) sends "x-amz-acl: private" with every upload, which S3 authorizes as s3:PutObjectAcl (${rcloneSources.privateAclDefault}, ${rcloneSources.putObjectAcl}).`,
    ];
  }
  if (aclDenied) {
    return [
      `s3:PutObjectAcl is included because it was denied: this job sends an ACL header (rclone ${shown}${
        acl === 'no-acl' ? ' only does that when `acl` is set in the remote config' : ''
      }) (${rcloneSources.privateAclDefault}).`,
    ];
  }
  if (acl === 'unknown') {
    return [
      `rclone version is ${shown}: if it is v1.60 or older (e.g. Debian's 1.60.1 sends a bare "rclone/"), uploads carry "x-amz-acl: private" and also need s3:PutObjectAcl (${rcloneSources.privateAclDefault}).`,
    ];
  }
  return [];
}

interface AlternativeContext {
  readonly operation: RcloneOperation;
  readonly writes: boolean;
  readonly acl: RcloneAclBehaviour;
  readonly aclDenied: boolean;
  readonly createBucketDenied: boolean;
  readonly versionHeads: boolean;
  /** The job reads what it moves (a move's source): s3:GetObject cannot be dropped. */
  readonly readsSource: boolean;
  /** See {@link RcloneAdviceInput.bucketExists}. */
  readonly bucketExists?: string;
  /** A purge that reads the versioning status: the profile grants the version actions too. */
  readonly purgesVersions?: boolean;
  /** The profile grants rclone's check of its root path (RcloneRootCheck), which --s3-no-head does not skip. */
  readonly rootCheck?: boolean;
}

/**
 * no_check_bucket instead of s3:CreateBucket. rclone then never calls CreateBucket: before an upload
 * into an existing bucket that is the fix, but `rclone mkdir` of a new bucket returns without creating it
 * (makeBucket returns at once), so the advice is only unconditional when the input shows the bucket exists.
 */
function noCheckBucketText(context: AlternativeContext): string {
  const setting =
    'no_check_bucket = true in the remote config (or pass --s3-no-check-bucket, or RCLONE_S3_NO_CHECK_BUCKET=true)';
  const since = `Available since rclone v1.53 (${rcloneSources.noCheckBucket}).`;
  if (!context.createBucketDenied)
    return `Set ${setting}: rclone then assumes the bucket exists and never calls CreateBucket. ${since}`;
  if (context.bucketExists !== undefined)
    return `Set ${setting}: rclone then assumes the bucket exists and never calls CreateBucket. The bucket exists (${context.bucketExists}), so this fixes the denied CreateBucket without granting it. ${since}`;
  return `If the bucket already exists, set ${setting}: rclone then never calls CreateBucket, which fixes the denied CreateBucket without granting it. The input does not show that the bucket exists: if the job is meant to create it (\`rclone mkdir\`), no_check_bucket makes rclone skip the creation, and the first upload fails with NoSuchBucket. ${since}`;
}

function rcloneAlternatives(context: AlternativeContext): Alternative[] {
  const alternatives: Alternative[] = [];
  if (context.purgesVersions === true) {
    alternatives.push({
      kind: 'other',
      text: 'To purge current versions only, leave s3:GetBucketVersioning, s3:ListBucketVersions and s3:DeleteObjectVersion out: rclone logs the refused versioning read ("assuming unversioned") and deletes the current objects; on a versioned bucket the old versions and delete markers then stay (and cost storage), and a purge of a whole bucket cannot delete it.',
      removes: ['s3:GetBucketVersioning', 's3:ListBucketVersions', 's3:DeleteObjectVersion'],
    });
  }
  if (context.createBucketDenied || context.writes) {
    alternatives.push({
      kind: 'client-config',
      text: noCheckBucketText(context),
      removes: ['s3:CreateBucket'],
    });
  }
  if (
    !context.readsSource &&
    (context.operation === 'copy' || context.operation === 'sync' || context.operation === 'move')
  ) {
    alternatives.push({
      kind: 'client-config',
      text: `For a write-only job, pass --s3-no-head together with --size-only: rclone stops HEADing each object after upload and compares files by the size in the listing instead of the modification time it would HEAD for, so s3:GetObject can be dropped. A single-file \`copyto\` (or \`copy --no-traverse\`) still HEADs the destination key before uploading, refused without s3:GetObject: add --s3-no-head-object there, which skips that HEAD too.${context.rootCheck ? ' Keep the profile\'s RcloneRootCheck (s3:GetObject on the path rclone checks at start) unless the path ends with "/" or --s3-no-head-object is set.' : ''} Caveat: rclone then takes a 200 OK as the upload's success: it checks a single-part upload against the MD5 and date in the PUT response and assumes its size and metadata, and it checks nothing of a multipart upload (rclone calls the chance of an undetected failure very small); uploads of unknown size (rcat, streaming) still HEAD (${rcloneSources.noHead}, ${rcloneSources.noHeadObject}).`,
      removes: context.versionHeads ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject'],
    });
  }
  if (context.versionHeads) {
    alternatives.push({
      kind: 'upgrade',
      text: `Upgrade rclone to v1.61.0 or later: it no longer HEADs the version an upload created, so uploads to a versioned bucket need no s3:GetObjectVersion (${rcloneSources.uploadVersionId}).`,
      removes: ['s3:GetObjectVersion'],
    });
  }
  if (
    context.writes &&
    (context.acl === 'sends-private-acl' || (context.aclDenied && context.acl === 'unknown'))
  ) {
    alternatives.push({
      kind: 'upgrade',
      text: `Upgrade rclone past v1.60 (v1.61.0 stopped sending "x-amz-acl: private" by default) and remove any \`acl = private\` line the config wizard wrote; uploads then need no s3:PutObjectAcl (${rcloneSources.privateAclDefault}).`,
      removes: ['s3:PutObjectAcl'],
    });
  } else if (context.writes && context.aclDenied) {
    alternatives.push({
      kind: 'client-config',
      text: `Remove the \`acl\` setting (or --s3-acl) from the rclone remote: rclone v1.61 and later send no ACL header unless one is configured, and then need no s3:PutObjectAcl (${rcloneSources.privateAclDefault}).`,
      removes: ['s3:PutObjectAcl'],
    });
  }
  return alternatives;
}

function sorted(actions: readonly string[]): string[] {
  return unique(actions).sort((a, b) => a.localeCompare(b));
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
