/**
 * Permission sets for the aws-cli high-level `s3` commands, keyed by the command marker aws-cli puts in
 * its user agent (`md/command#s3.sync`, read by `detectClient` in `userAgent.ts`).
 *
 * @see https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/index.html
 */

import { MAX_SEPARATE_OBJECT_RESOURCES, withAclActionsApart } from '../explain/minimalStatements.js';
import type { Alternative, PolicyStatement } from '../explain/report.js';
import { isInsidePrefix, jobResourceArns, literalArnPart } from './jobResourceArns.js';

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
const RECURSIVE_SOURCE_NOTE =
  '`aws s3 cp --recursive` from S3 lists the source with ListObjectsV2, which needs s3:ListBucket on the source bucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).';
const RM_RECURSIVE_NOTE =
  '`aws s3 rm --recursive` (its listing is in the input) lists first (s3:ListBucket) and then deletes each object with its own DeleteObject, not in DeleteObjects batches (https://github.com/aws/aws-cli/issues/3163), so CloudTrail logs every denied key.';
/**
 * The same for a run that did not list: one key, or a recursive run whose listing is not in the input (a
 * listing by another command of the caller's, `aws s3 ls`, is not its own).
 */
const RM_SINGLE_NOTE =
  '`aws s3 rm` without `--recursive` deletes the one object it is given (DeleteObject). With `--recursive` it lists the bucket first (s3:ListBucket: no listing by `aws s3 rm` is in the input, so none is granted for it) and then deletes each object with its own DeleteObject (https://github.com/aws/aws-cli/issues/3163).';
const LS_BUCKETS_NOTE =
  '`aws s3 ls` without a bucket calls ListBuckets, which needs s3:ListAllMyBuckets on "*" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).';
/** Why a profile of only listings is partial. */
const UNKNOWN_DIRECTION =
  'only listings were refused, so the direction is unknown: uploads and downloads need more (see its first note)';
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
    notes: [RECURSIVE_SOURCE_NOTE, MULTIPART_NOTE, ACL_NOTE],
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
    notes: [RM_RECURSIVE_NOTE],
    source: 'https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/rm.html',
  },
  's3.rb': {
    // Without --force only DeleteBucket; with it, `rm --recursive` of the whole bucket first (see
    // awsCliProfile: the listing and the deletes are added when the input shows them).
    bucket: ['s3:DeleteBucket'],
    objects: { upload: [], download: [], 's3-to-s3': [] },
    notes: [
      '`aws s3 rb` deletes the bucket (s3:DeleteBucket). With --force it first empties the bucket as `aws s3 rm --recursive` does (s3:ListBucket, then one DeleteObject per key, s3:DeleteObject on the whole bucket), and leaves the bucket in place when a delete fails ("Unable to delete all objects in the bucket, bucket will not be deleted").',
      'It deletes current objects only: a versioned bucket keeps its older versions and delete markers, and S3 then refuses DeleteBucket (BucketNotEmpty) until they are deleted by version (s3:DeleteObjectVersion) (https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-bucket.html).',
    ],
    source: 'https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/rb.html',
  },
  's3.mb': {
    bucket: ['s3:CreateBucket'],
    objects: { upload: [], download: [], 's3-to-s3': [] },
    notes: [
      '`aws s3 mb` calls CreateBucket alone; with --tags (aws-cli 2.34.8 and later) the bucket is created with tags, which S3 also authorizes as s3:TagResource (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html).',
    ],
    source: 'https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/mb.html',
  },
  's3.ls': {
    bucket: ['s3:ListBucket'],
    objects: { upload: [], download: [], 's3-to-s3': [] },
    notes: [LS_BUCKETS_NOTE],
    source: 'https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/ls.html',
  },
} as const;

/** The command marker of the `rm` that `aws s3 rb --force` runs before deleting the bucket (aws-cli 2.9 to 2.15.50). */
const RB_FORCE_RM = 's3.rb.rm';

export interface AwsCliProfileInput {
  /** Command from the user agent marker, e.g. `s3.sync`. */
  readonly command: string;
  readonly bucket: string;
  /** The bucket's partition (`aws-cn`, `aws-us-gov`…), for the profile's ARNs; `aws` when absent. */
  readonly partition?: string;
  /** Object key prefix, `''` for the whole bucket. */
  readonly prefix: string;
  /**
   * The directories the commands worked in when they share none but the bucket root (`config/` and
   * `data/`: `aws s3 cp` of one file from each), as the fix grants them (see `separateDirectories`): the
   * object statement covers each rather than the whole bucket, which `prefix` (`''`) would be.
   */
  readonly directories?: readonly string[];
  /**
   * The places at the top of the bucket the commands worked in when no set of directories stands for them
   * (a key at the bucket root among them, or more than the fix spreads over): the object statement covers
   * the whole bucket, and a note says why.
   */
  readonly spreadOver?: readonly string[];
  /** Event names of the principal on the bucket (denied and successful); they tell upload from download. */
  readonly eventNames: readonly string[];
  /**
   * Event names of the finding's own (refused) requests: when they tell the direction, it is theirs. The
   * caller's successful calls (another command's, on another prefix) tell it only when they do not.
   */
  readonly refusedEventNames?: readonly string[];
  /**
   * The bucket is the source of a move: the denied deletes are of keys the caller read or copied from.
   * `destinationPrefix` is where its copies went in the same bucket, if they did;
   * `otherBucketDestinations` where they went in other buckets (the copies that succeeded there).
   */
  readonly moveSource?: MoveSource;
  /**
   * The directory of this bucket that the run's server-side copies read from (`aws s3 cp --recursive
   * s3://bkt/in/ s3://bkt/out/`): outside `prefix` it gets s3:GetObject alone, and `prefix` the writes.
   */
  readonly copySource?: string;
  /**
   * Where the run's server-side copies into this bucket read from in other buckets (`aws s3 cp
   * --recursive s3://src/in/ s3://dst/out/`), each with whether the caller listed that bucket in the
   * input: the profile reads them there, and this bucket only takes the writes.
   */
  readonly otherBucketSources?: readonly OtherBucketSource[];
  /**
   * Reads of this bucket's objects were refused outside any copy's source (a download grouped with the
   * copies): s3:GetObject stays in the profile's object statement even when the copies read elsewhere.
   */
  readonly readsObjects?: boolean;
  /** IAM actions refused on this bucket (outside any copy's source): each is in the profile, or a note says why not. */
  readonly deniedActions?: readonly string[];
  /**
   * The canned ACLs (`x-amz-acl`) the uploads sent with `--acl`, or must send (`bucket-owner-full-control`
   * when a visible policy requires it): the profile grants s3:PutObjectAcl for them alone, as the fix
   * does. Absent: granted bare (`--grants`, whose headers name grantees, or no ACL seen).
   */
  readonly cannedAcls?: readonly string[];
  /** The caller read objects' tags with success on another bucket: copies from there, into this one. */
  readonly tagsReadElsewhere?: boolean;
  /**
   * The aws-cli commands the caller's listings of the bucket in the input came from (`s3.rm`, `s3.ls`;
   * `''` for a listing whose user agent names none), refused or not. A command's profile counts only its
   * own listings: an `aws s3 ls` is not the listing of an `rm --recursive`. Absent: every listing in
   * `eventNames` counts.
   */
  readonly listingCommands?: readonly string[];
  /**
   * The prefixes of the caller's listings of the bucket in the input (`prefix=`, `''` for none), each with
   * the command it came from (see `listingCommands`): the s3:prefix values a command's listing needs. A
   * copy within the bucket lists its source (`cp`/`mv --recursive`) or both sides (`sync`), not `prefix`,
   * where it writes. Absent: taken to be `prefix`, unless the copies read elsewhere in the bucket.
   */
  readonly listings?: readonly { readonly command: string; readonly prefix: string }[];
}

/** Where the copies of a move went, from the bucket it deletes in (see `AwsCliProfileInput.moveSource`). */
export interface MoveSource {
  readonly destinationPrefix?: string;
  readonly otherBucketDestinations?: readonly { readonly bucket: string; readonly prefix: string }[];
}

/** A directory of another bucket that copies into the finding's bucket read from. */
export interface OtherBucketSource {
  readonly bucket: string;
  readonly prefix: string;
  /** The caller listed that bucket in the input (`--recursive`, `sync`): it needs s3:ListBucket there. */
  readonly listed: boolean;
}

export interface AwsCliProfile {
  readonly tool: 'aws-cli';
  readonly command: string;
  /** `move-source`: the bucket `aws s3 mv` moves objects out of (it deletes them there). */
  readonly direction: AwsCliDirection | 'unknown' | 'move-source';
  readonly statements: readonly PolicyStatement[];
  readonly notes: readonly string[];
  /** Why the profile covers only part of the job: a transfer whose direction is unknown. */
  readonly partial?: string;
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
 * Whether the input shows a listing of the bucket by one of `commands` (see
 * {@link AwsCliProfileInput.listingCommands}), or by any command when the input does not say which.
 */
function listedBy(input: AwsCliProfileInput, commands: readonly string[]): boolean {
  if (!input.eventNames.includes('ListObjects') && !input.eventNames.includes('ListObjectsV2')) return false;
  return input.listingCommands === undefined || commands.some((c) => input.listingCommands?.includes(c));
}

/**
 * The permission set an `aws s3 <command>` run needs on `bucket/prefix`, or `undefined` for commands
 * without a profile (`s3api.*` calls map one-to-one to the operation catalogue instead) and when nothing
 * can be said. With an unknown direction the profile covers only what every direction needs, and says
 * what to add. `aws s3 mv` deletes only what it moved: a delete makes the bucket its source.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
export function awsCliProfile(given: AwsCliProfileInput): AwsCliProfile | undefined {
  // `rb --force` empties the bucket with its own `rm` first, whose calls carry `command/s3.rb.rm` (before
  // aws-cli 2.15.51; later ones carry `s3.rb`, and the listing and deletes below tell it).
  const emptiesFirst = given.command === RB_FORCE_RM;
  const input = emptiesFirst ? { ...given, command: 's3.rb' } : given;
  const permissions = AWS_CLI_S3_COMMANDS[input.command];
  if (permissions === undefined) return undefined;
  const denied = new Set((input.deniedActions ?? []).map((action) => action.toLowerCase()));
  // A cp, mv or sync refused s3:PutObjectTagging that read tags with success (GetObjectTagging): a copy
  // between S3 locations writing the source's tags on the destination (--copy-props default). Refused at
  // CreateMultipartUpload, it shows no CopyObject or UploadPartCopy to tell the direction by.
  const tagsReadHere = input.eventNames.includes('GetObjectTagging');
  const tagsWritten =
    denied.has('s3:putobjecttagging') &&
    COPY_PROPS_COMMANDS.has(input.command) &&
    (tagsReadHere || input.tagsReadElsewhere === true);
  const byRefused = inferAwsCliDirection(input.refusedEventNames ?? []);
  const inferredByCalls = byRefused !== 'unknown' ? byRefused : inferAwsCliDirection(input.eventNames);
  const inferred = tagsWritten && inferredByCalls === 'upload' ? 's3-to-s3' : inferredByCalls;
  const listedBucket = listedBy(input, input.command === 's3.rb' ? ['s3.rb', RB_FORCE_RM] : [input.command]);
  // `cp` and `mv` list only the side they read from (`--recursive` from S3; an upload lists nothing): a
  // listing with no object call seen (it was refused, and the run stopped) makes the bucket the source.
  const sourceByListing =
    (input.command === 's3.cp' || input.command === 's3.mv') && inferred === 'unknown' && listedBucket;
  const movesFrom =
    input.command === 's3.mv' &&
    (input.moveSource !== undefined || input.eventNames.includes('DeleteObject') || sourceByListing);
  // `sync --delete` deletes only in its destination: with nothing else seen, the bucket is where it
  // uploads (or copies) to, and the deletes need s3:DeleteObject there.
  const syncDeletes = input.command === 's3.sync' && input.eventNames.includes('DeleteObject');
  const direction = movesFrom
    ? 'move-source'
    : sourceByListing
      ? 'download'
      : syncDeletes && inferred === 'unknown'
        ? 'upload'
        : inferred;
  // `rb --force` empties the whole bucket, whichever keys were refused.
  const forcedRb =
    input.command === 's3.rb' && (emptiesFirst || listedBucket || input.eventNames.includes('DeleteObject'));
  const { bucketArn, objectArn } = jobResourceArns(
    input.bucket,
    input.command === 's3.rb' ? '' : input.prefix,
    input.partition,
  );
  // Sibling directories (`config/`, `data/`) each get their own object resource, as the fix grants them:
  // S3 authorizes each object ARN apart, so the bucket root that holds them both is not needed.
  const directories =
    input.command !== 's3.rb' && input.directories !== undefined && input.directories.length > 1
      ? input.directories
      : undefined;
  const objectArns = directories?.map(
    (directory) => jobResourceArns(input.bucket, directory, input.partition).objectArn,
  ) ?? [objectArn];
  const insideJob = (directory: string): boolean =>
    (directories ?? [input.prefix]).some((jobDirectory) => isInsidePrefix(directory, jobDirectory));
  // Commands whose object actions do not depend on the direction (rm, rb, mb, ls) say nothing of it.
  const directionless = Object.values(permissions.objects).every(
    (actions) => actions.join() === permissions.objects.upload.join(),
  );

  // Copies within the bucket from another directory: the source is read there (and, by mv, deleted),
  // the prefix written.
  const source = input.copySource;
  const splitCopy = direction === 's3-to-s3' && source !== undefined && !insideJob(source);
  const sourceActions = input.command === 's3.mv' ? ['s3:DeleteObject', 's3:GetObject'] : ['s3:GetObject'];
  // Copies from other buckets only: the reads (and mv's deletes) happen there, not here.
  const otherSources =
    direction === 's3-to-s3' && source === undefined ? (input.otherBucketSources ?? []) : [];
  // Copies whose source's tags were read in another bucket: this bucket only takes the writes.
  const sourceElsewhere = tagsWritten && !tagsReadHere && source === undefined;
  const objectActions =
    direction === 'move-source'
      ? ['s3:GetObject', 's3:DeleteObject']
      : direction === 'unknown'
        ? intersection(Object.values(permissions.objects))
        : splitCopy || otherSources.length > 0 || sourceElsewhere
          ? permissions.objects[direction].filter(
              (action) =>
                !sourceActions.includes(action) || (action === 's3:GetObject' && input.readsObjects === true),
            )
          : [...permissions.objects[direction]];
  if (syncDeletes || forcedRb) objectActions.push('s3:DeleteObject');
  if (tagsWritten && objectActions.includes('s3:PutObject')) objectActions.push('s3:PutObjectTagging');
  // An upload with --acl or --grants sends ACL headers, which S3 also authorizes as s3:PutObjectAcl.
  const aclDenied = denied.has('s3:putobjectacl') && objectActions.includes('s3:PutObject');
  if (aclDenied) objectActions.push('s3:PutObjectAcl');
  // aws-cli v2 copies between S3 locations (`--copy-props default`) read the source's tags for a copy
  // in parts (8 MB and more): a refused GetObjectTagging of a cp, mv or sync is that read.
  const tagsRead = denied.has('s3:getobjecttagging') && COPY_PROPS_COMMANDS.has(input.command);
  if (tagsRead && objectActions.includes('s3:GetObject')) objectActions.push('s3:GetObjectTagging');
  // `cp`, `mv` and `rm` list the bucket only with --recursive, and only when they read from it (or
  // delete in it): a listing of the caller's in the evidence shows that.
  const listed =
    (direction === 'download' ||
      direction === 's3-to-s3' ||
      direction === 'move-source' ||
      input.command === 's3.rm') &&
    listedBucket;
  // Whose listings count (see listedBy).
  const listingsBy =
    input.listingCommands === undefined
      ? "this caller's listings of"
      : `this caller's listings by ${commandLine(input.command)} of`;
  const bucketActions =
    permissions.bucket.length > 0 ? [...permissions.bucket] : listed ? ['s3:ListBucket'] : [];
  if (forcedRb) bucketActions.push('s3:ListBucket');
  // `aws s3 mb --tags` (aws-cli 2.34.8 and later) creates the bucket with tags, which S3 also
  // authorizes as s3:TagResource.
  const tagsOnCreate = input.command === 's3.mb' && denied.has('s3:tagresource');
  if (tagsOnCreate) bucketActions.push('s3:TagResource');
  const statements: PolicyStatement[] = [];
  if (bucketActions.length > 0) {
    statements.push({
      Sid: bucketActions.every((action) => action === 's3:ListBucket') ? 'AwsCliListBucket' : 'AwsCliBucket',
      Effect: 'Allow',
      Action: bucketActions.sort((a, b) => a.localeCompare(b)),
      Resource: [bucketArn],
    });
  }
  if (objectActions.length > 0) {
    // s3:PutObjectAcl for the canned ACL the uploads send alone, in a statement of its own.
    statements.push(
      ...withAclActionsApart(
        {
          Sid: 'AwsCliObjects',
          Effect: 'Allow',
          Action: [...new Set(objectActions)].sort((a, b) => a.localeCompare(b)),
          Resource: objectArns,
        },
        input.cannedAcls,
      ),
    );
  }

  if (splitCopy && source !== undefined) {
    statements.push({
      Sid: 'AwsCliCopySource',
      Effect: 'Allow',
      Action: sourceActions,
      Resource: [jobResourceArns(input.bucket, source, input.partition).objectArn],
    });
  }
  const listedSources = otherSources.filter((other) => other.listed);
  if (listedSources.length > 0) {
    statements.push({
      Sid: 'AwsCliSourceListBucket',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: [
        ...new Set(
          listedSources.map((other) => jobResourceArns(other.bucket, '', input.partition).bucketArn),
        ),
      ],
    });
  }
  if (otherSources.length > 0) {
    statements.push({
      Sid: 'AwsCliSourceObjects',
      Effect: 'Allow',
      Action: sourceActions,
      Resource: [
        ...new Set(
          otherSources.map((other) => jobResourceArns(other.bucket, other.prefix, input.partition).objectArn),
        ),
      ],
    });
  }
  const destination = movesFrom ? input.moveSource?.destinationPrefix : undefined;
  // A move into another bucket: its copies there (which the input shows succeeding) need the writes too,
  // or the profile applied alone stops the run at its first copy.
  const destinationsElsewhere = movesFrom ? (input.moveSource?.otherBucketDestinations ?? []) : [];
  if (destination !== undefined || destinationsElsewhere.length > 0) {
    statements.push({
      Sid: 'AwsCliMoveDestination',
      Effect: 'Allow',
      Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
      Resource: [
        ...(destination !== undefined
          ? [jobResourceArns(input.bucket, destination, input.partition).objectArn]
          : []),
        ...new Set(
          destinationsElsewhere.map(
            (other) => jobResourceArns(other.bucket, other.prefix, input.partition).objectArn,
          ),
        ),
      ],
    });
  }
  if (statements.length === 0) return undefined;

  const writes = statements.some((statement) => statement.Action.includes('s3:PutObject'));
  const directionNote =
    direction === 'move-source'
      ? `This bucket is the source of \`aws s3 mv\`, which deletes each object once it is copied: s3:GetObject and s3:DeleteObject here, no s3:PutObject.${
          destination !== undefined || destinationsElsewhere.length > 0
            ? ` The copies went to ${[
                ...(destination !== undefined
                  ? [
                      destination === ''
                        ? 'the root of the same bucket'
                        : `"${destination}" in the same bucket`,
                    ]
                  : []),
                ...destinationsElsewhere.map(
                  (other) => `"${other.bucket}/${other.prefix}" in another bucket`,
                ),
              ].join(' and ')}, which needs s3:PutObject (and s3:AbortMultipartUpload for multipart copies).`
            : ' A destination in another bucket needs s3:PutObject (and s3:AbortMultipartUpload) there; a local one needs nothing.'
        }`
      : direction === 'unknown'
        ? `Only listings were denied, so the direction is unknown: uploads also need ${permissions.objects.upload.join(', ') || 'nothing more'}; downloads ${permissions.objects.download.join(', ') || 'nothing more'}.`
        : syncDeletes && inferred === 'unknown'
          ? 'Deletes (`sync --delete`) happen only in the destination, so this bucket is where the sync writes: s3:DeleteObject for the deletes, and s3:PutObject (with s3:AbortMultipartUpload) for the files a later run uploads or copies here.'
          : tagsRead && direction === 'download'
            ? "The run read this bucket's objects and their tags, as only a copy to another S3 location does (aws-cli v2): this bucket is the copies' source. Their destination needs s3:PutObject (and s3:AbortMultipartUpload), and s3:PutObjectTagging for tagged objects."
            : sourceByListing
              ? 'The run listed this bucket, which `aws s3 cp --recursive` does only on the side it reads from: this bucket is the source (of a download, or of copies to another bucket), which needs the listing and s3:GetObject. Copies into another bucket need s3:PutObject (and s3:AbortMultipartUpload) there.'
              : `Direction inferred from the calls: ${direction}${syncDeletes ? '; the deletes (`sync --delete`) need s3:DeleteObject here too' : ''}.`;
  const notes = [
    ...(directionless && direction !== 'move-source' ? [] : [directionNote]),
    ...(splitCopy
      ? [
          `The copies read ${source === '' ? 'the root of the bucket' : `"${source}"`} in the same bucket (AwsCliCopySource: ${sourceActions.join(' and ')}${input.command === 's3.mv' ? ', since mv deletes what it moved' : ' alone'}) and write under ${directories?.map((d) => `"${d}"`).join(' and ') ?? `"${input.prefix}"`} (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).`,
        ]
      : otherSources.length > 0
        ? [
            `The copies read ${otherSources.map((other) => `${other.bucket}/${other.prefix}`).join(', ')} in another bucket: ${sourceActions.join(' and ')} there (AwsCliSourceObjects${listedSources.length > 0 ? ', and AwsCliSourceListBucket for the listing the run made' : ''}), and this bucket only takes the writes (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).`,
          ]
        : direction === 's3-to-s3'
          ? [COPY_NOTE]
          : []),
    ...(listed && permissions.bucket.length === 0
      ? [
          otherSources.length > 0
            ? `s3:ListBucket is included because ${listingsBy} the bucket appear in the input. ${commandLine(input.command)} lists only the bucket it reads from, and here the copies read ${otherSources.map((other) => other.bucket).join(', ')}: the listing of this one came from ${input.listingCommands === undefined ? 'another command of the same caller (`aws s3 ls`, `aws s3 sync`)' : 'another run of it'}.`
            : `s3:ListBucket is included because ${listingsBy} the bucket appear in the input, as \`--recursive\` makes them.`,
        ]
      : []),
    ...(tagsRead && objectActions.includes('s3:GetObjectTagging') ? [COPY_PROPS_NOTE] : []),
    ...(tagsWritten && objectActions.includes('s3:PutObjectTagging') ? [COPY_PROPS_WRITE_NOTE] : []),
    ...(aclDenied
      ? [
          's3:PutObjectAcl is included because it was refused: the run sends ACL headers (--acl or --grants), which S3 authorizes as s3:PutObjectAcl besides s3:PutObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).',
        ]
      : []),
    // The multipart and ACL notes are about uploads: left out where the profile writes nothing, and the
    // ACL note where the refused ACL already has its own. The note on listing a source is left out of
    // an upload, whose source is local.
    ...permissions.notes
      .filter(
        (note) =>
          ((note !== MULTIPART_NOTE && note !== ACL_NOTE) || writes) &&
          !(note === ACL_NOTE && aclDenied) &&
          !(note === RECURSIVE_SOURCE_NOTE && direction === 'upload') &&
          // Listing the buckets is another use of `ls` than the one the input shows.
          !(note === LS_BUCKETS_NOTE && !input.eventNames.includes('ListBuckets')),
      )
      .map((note) =>
        note === RM_RECURSIVE_NOTE && !listed
          ? RM_SINGLE_NOTE
          : note === RECURSIVE_SOURCE_NOTE && otherSources.length > 0
            ? sourceListingNote(otherSources, input.command)
            : note,
      ),
    ...notGranted(statements, input.deniedActions ?? [], [input.command]),
    ...placesNote(objectActions.length > 0, directories, input),
    ...listPrefixNote(bucketActions, input),
    `Source: ${permissions.source}`,
  ];
  return {
    tool: 'aws-cli',
    command: input.command,
    direction,
    statements,
    notes,
    // Commands whose actions do not depend on the direction (rm, rb, mb, ls) are whole without it.
    ...(direction === 'unknown' && !directionless ? { partial: UNKNOWN_DIRECTION } : {}),
  };
}

/**
 * Why the object statement names those resources when the commands worked in more than one directory:
 * each directory apart, or the whole bucket when no set of directories stands for the places they used.
 */
function placesNote(
  hasObjects: boolean,
  directories: readonly string[] | undefined,
  input: AwsCliProfileInput,
): string[] {
  if (!hasObjects || input.command === 's3.rb') return [];
  if (directories !== undefined)
    return [
      `The object statement lists the ${directories.length} directories the commands worked in (${directories.map((d) => `"${d}"`).join(', ')}), as the fix does, rather than the whole bucket, which is the only directory that holds them all: S3 authorizes each object's ARN apart (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html). A later run in another directory needs that directory added.`,
    ];
  const places = input.spreadOver ?? [];
  if (places.length < 2 || input.prefix.replace(/^\/+|\/+$/g, '') !== '') return [];
  const directoryCount = places.filter((place) => place.endsWith('/')).length;
  const rootKeys = places.length - directoryCount;
  const shown =
    places.length > 4 ? `${places.slice(0, 4).join(', ')} and ${places.length - 4} more` : places.join(', ');
  return [
    `The object statement covers the whole bucket: the commands worked in ${[
      directoryCount > 0
        ? `${directoryCount} top-level ${directoryCount === 1 ? 'directory' : 'directories'}`
        : '',
      rootKeys > 0 ? `${rootKeys} ${rootKeys === 1 ? 'object' : 'objects'} at the bucket root` : '',
    ]
      .filter((part) => part !== '')
      .join(
        ' and ',
      )} (${shown}), which no directory below the root holds together${rootKeys > 0 ? ' (a key at the root is in no directory)' : ` and which are more than ${MAX_SEPARATE_OBJECT_RESOURCES} to list one by one`}. To keep it narrower, replace its resource with one per directory (or key) the job works in.`,
  ];
}

/**
 * How to keep the profile's s3:ListBucket to what the job lists: an `aws s3` command lists the path it was
 * given (`prefix=dir/`, without a delimiter for a recursive run, page after page with the same prefix),
 * so an `s3:prefix` condition on the prefixes of its own listings in the input holds for every listing it
 * makes. For a copy within the bucket those are its source (`cp`/`mv --recursive`) or both sides (`sync`),
 * not where it writes; with none in the input, or one of the bucket root, no condition can be said.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html
 */
function listPrefixNote(bucketActions: readonly string[], input: AwsCliProfileInput): string[] {
  if (!bucketActions.includes('s3:ListBucket') || input.command === 's3.rb') return [];
  const prefixes =
    input.listings !== undefined
      ? [
          ...new Set(
            input.listings.filter((listing) => listing.command === input.command).map((l) => l.prefix),
          ),
        ]
      : input.copySource === undefined
        ? [`${input.prefix.replace(/^\/+|\/+$/g, '')}/`]
        : [];
  if (prefixes.length === 0 || prefixes.some((prefix) => prefix === '' || prefix === '/')) return [];
  const several = prefixes.length > 1;
  const values = prefixes.flatMap((prefix) => [
    JSON.stringify(literalArnPart(prefix)),
    JSON.stringify(`${literalArnPart(prefix)}*`),
  ]);
  return [
    `s3:ListBucket has no s3:prefix condition: ${commandLine(input.command)} lists the ${several ? 'paths' : 'path'} it was given (${prefixes.map((prefix) => `\`prefix=${prefix}\``).join(', ')}${input.listings !== undefined ? `, as ${several ? 'its listings' : 'its listing'} in the input ${several ? 'show' : 'shows'}` : ''}). To keep the ${several ? 'listings' : 'listing'} to ${prefixes.map((prefix) => `"${prefix.replace(/\/+$/, '')}"`).join(' and ')}, add Condition StringLike s3:prefix [${values.join(', ')}] to the statement and test the job (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html).`,
  ];
}

/**
 * The note on listing the source, for copies that read other buckets: which of them the profile lets the
 * job list (those the input shows it listing), and that the others need it too for a `--recursive` run.
 */
function sourceListingNote(sources: readonly OtherBucketSource[], command: string): string {
  const listed = [...new Set(sources.filter((other) => other.listed).map((other) => other.bucket))];
  const unlisted = [...new Set(sources.filter((other) => !other.listed).map((other) => other.bucket))].filter(
    (bucket) => !listed.includes(bucket),
  );
  const parts: string[] = [];
  if (listed.length > 0)
    parts.push(`AwsCliSourceListBucket grants it on ${listed.join(', ')}, which the run listed`);
  if (unlisted.length > 0) {
    parts.push(
      `no listing of ${unlisted.join(', ')} is in the input, so it is not granted there, but a \`--recursive\` run from ${unlisted.length === 1 ? 'that bucket' : 'those buckets'} needs it too`,
    );
  }
  return `${commandLine(command)} with \`--recursive\` from S3 lists the source with ListObjectsV2, which needs s3:ListBucket on the source bucket: ${parts.join('; ')} (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).`;
}

/** The commands with `--copy-props`, whose default reads a copy's source tags (aws-cli v2). */
const COPY_PROPS_COMMANDS: ReadonlySet<string> = new Set(['s3.cp', 's3.mv', 's3.sync']);

/**
 * The note of a refused GetObjectTagging of an S3-to-S3 copy (aws-cli v2, `--copy-props default`).
 *
 * @see https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/cp.html
 */
/** The note of a refused PutObjectTagging of an S3-to-S3 copy (aws-cli v2, `--copy-props default`). */
export const COPY_PROPS_WRITE_NOTE =
  "aws-cli v2 copies between S3 locations with --copy-props default: it read the source objects' tags (GetObjectTagging, which succeeded) and writes them on the destination when there are any, which S3 authorizes as s3:PutObjectTagging there (refused here; for a copy in parts, at CreateMultipartUpload with its x-amz-tagging header) (https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/cp.html, https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html).";

export const COPY_PROPS_NOTE =
  "aws-cli v2 copies between S3 locations with --copy-props default: for a copy in parts (8 MB and more) it reads the source object's tags first (s3:GetObjectTagging on the source, refused here), and writes them on the destination when there are any (s3:PutObjectTagging there, which a copy of tagged objects needs too) (https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/cp.html).";

/** Commands that have a profile, for documentation and tests. */
export const awsCliProfiledCommands: readonly string[] = [...Object.keys(AWS_CLI_S3_COMMANDS), RB_FORCE_RM];

/** `aws s3 cp` for `s3.cp`. */
function commandLine(command: string): string {
  return `\`aws ${command.replace('.', ' ')}\``;
}

/** A note for each refused action the profile does not grant (another command in the same window, kms:*). */
function notGranted(
  statements: readonly PolicyStatement[],
  denied: readonly string[],
  commands: readonly string[],
): string[] {
  const granted = new Set(statements.flatMap((s) => s.Action.map((action) => action.toLowerCase())));
  const what = commands.map(commandLine).join(' or ');
  const others = [...new Set(denied)].filter((action) => !granted.has(action.toLowerCase()));
  if (others.length === 0) return [];
  return [
    `${others.join(', ')} ${others.length === 1 ? 'was' : 'were'} refused on this bucket but ${others.length === 1 ? 'is' : 'are'} not part of what ${what} needs (another command of the same caller in the same window, or a side requirement); the finding itself treats ${others.length === 1 ? 'it' : 'them'} (its fix, or its caveats).`,
  ];
}

/** What {@link awsCliJobProfile} gives: one command's profile, or several merged. */
export interface AwsCliJobProfile {
  /** The commands the profile covers, in the order the caller ran them (those without a profile left out). */
  readonly commands: readonly string[];
  readonly statements: readonly PolicyStatement[];
  readonly notes: readonly string[];
  /** Why the profile covers only part of the job, when it does (see JobProfile.partial). */
  readonly partial?: string;
}

/**
 * The profile of every `aws s3` command the caller ran on the bucket within one finding (`aws s3 ls`, then
 * `aws s3 cp`, while someone tries things by hand, or a script that carries on past a failure): each
 * command's profile, merged. Statements on the same resources become one, with the actions of both (each
 * action was needed by one of the commands there); statements on different resources stay apart, so that
 * no command's actions reach another command's resources.
 */
export function awsCliJobProfile(
  input: Omit<AwsCliProfileInput, 'command'>,
  commands: readonly string[],
): AwsCliJobProfile | undefined {
  const { deniedActions = [], ...shared } = input;
  const alone = (command: string): AwsCliJobProfile | undefined => {
    const profile = awsCliProfile({ ...input, command });
    return (
      profile && {
        commands: [profile.command],
        statements: profile.statements,
        notes: profile.notes,
        ...(profile.partial !== undefined ? { partial: profile.partial } : {}),
      }
    );
  };
  const distinct = [...new Set(commands)].filter((command) => awsCliProfiledCommands.includes(command));
  if (distinct.length <= 1) return distinct[0] === undefined ? undefined : alone(distinct[0]);
  // Each command's own profile, without the notes on refused actions: those are for the merged one.
  const ran: string[] = [];
  const profiles: AwsCliProfile[] = [];
  for (const command of distinct) {
    const profile = awsCliProfile({ ...shared, command });
    if (profile === undefined) continue;
    ran.push(command);
    profiles.push(profile);
  }
  if (profiles.length <= 1) return ran[0] === undefined ? undefined : alone(ran[0]);
  const covered = profiles.map((profile) => profile.command);
  const statements = mergeStatements(profiles);
  const notes = [
    `This caller ran ${profiles.length} aws s3 commands on the bucket within this finding (${covered.map(commandLine).join(', ')}): the profile covers them all, and the notes of each follow.`,
    ...profiles.flatMap((profile) => profile.notes),
    ...notGranted(statements, deniedActions, covered),
  ];
  return {
    commands: covered,
    statements,
    notes: [...new Set(notes)],
    ...(profiles.some((profile) => profile.partial !== undefined) ? { partial: UNKNOWN_DIRECTION } : {}),
  };
}

/** The statements of several profiles: one per resource list, with distinct Sids. */
function mergeStatements(profiles: readonly AwsCliProfile[]): PolicyStatement[] {
  const merged = new Map<string, { first: PolicyStatement; actions: Set<string> }>();
  for (const statement of profiles.flatMap((profile) => profile.statements)) {
    const key = JSON.stringify([statement.Effect, statement.Resource, statement.Condition ?? null]);
    const existing = merged.get(key);
    if (existing === undefined) merged.set(key, { first: statement, actions: new Set(statement.Action) });
    else for (const action of statement.Action) existing.actions.add(action);
  }
  const used = new Map<string, number>();
  return [...merged.values()].map(({ first, actions }) => {
    const sorted = [...actions].sort((a, b) => a.localeCompare(b));
    const sid = first.Sid ?? 'AwsCli';
    // A listing statement that took another command's bucket actions (`aws s3 mb`) is no longer a listing.
    const named =
      sid === 'AwsCliListBucket' && sorted.some((a) => a !== 's3:ListBucket') ? 'AwsCliBucket' : sid;
    const seen = (used.get(named) ?? 0) + 1;
    used.set(named, seen);
    return { ...first, Sid: seen === 1 ? named : `${named}${seen}`, Action: sorted };
  });
}

function intersection(lists: readonly (readonly string[])[]): string[] {
  const [first, ...rest] = lists;
  if (first === undefined) return [];
  return first.filter((item) => rest.every((list) => list.includes(item)));
}

/**
 * Settings of the command that remove a grant: an upload refused s3:PutObjectAcl sends ACL headers
 * (`--acl`, `--grants`), which the bucket owner's own objects rarely need, and which a bucket with ACLs
 * disabled (Object Ownership "Bucket owner enforced", the default for new buckets since April 2023)
 * ignores or refuses.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
 */
export function awsCliAlternatives(
  deniedActions: Iterable<string>,
  commands: readonly string[] = [],
): Alternative[] {
  const denied = new Set([...deniedActions].map((action) => action.toLowerCase()));
  const alternatives: Alternative[] = [];
  if (
    (denied.has('s3:getobjecttagging') || denied.has('s3:putobjecttagging')) &&
    commands.some((command) => COPY_PROPS_COMMANDS.has(command))
  )
    alternatives.push({
      kind: 'client-config',
      text: "For a copy between S3 locations, pass --copy-props metadata-directive (or none): aws-cli v2 then neither reads the source's tags nor writes them on the destination, so the copies need no s3:GetObjectTagging or s3:PutObjectTagging; the copies keep the source's metadata (metadata-directive) but not its tags (https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/cp.html).",
      removes: ['s3:GetObjectTagging', 's3:PutObjectTagging'],
    });
  if (!denied.has('s3:putobjectacl')) return alternatives;
  return [
    ...alternatives,
    {
      kind: 'client-config',
      text: 'Drop --acl (or --grants) from the command, unless the bucket is in another account whose policy demands bucket-owner-full-control: objects uploaded in the bucket owner\'s own account belong to it anyway, and with Object Ownership set to "Bucket owner enforced" (the default for new buckets since April 2023) ACLs are disabled: an upload that sets any ACL but bucket-owner-full-control fails with AccessControlListNotSupported. The uploads then need no s3:PutObjectAcl (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html).',
      removes: ['s3:PutObjectAcl'],
    },
  ];
}
