/**
 * The job profile of Hadoop's S3A connector (`s3a://` paths: `hadoop fs`, distcp, Spark, Hive…). Its
 * user agent starts with `Hadoop <version>` (`Hadoop 3.3.6, aws-sdk-java/1.12.367 …`; from Hadoop 3.4,
 * which moved S3A to the AWS SDK for Java v2, `Hadoop 3.4.1, aws-sdk-java/2.24.6 …`), after the prefix
 * `fs.s3a.user.agent.prefix` sets, if any.
 *
 * Seen with Hadoop 3.3.6's and 3.4.1's `hadoop fs` (FsShell) against moto
 * (test/e2e/s3aAgainstMoto.test.ts), with the same refusals and profiles in both: S3A
 * checks every path it works on, and each parent directory up to the bucket's root, with a HEAD of the
 * key and a listing of `key/` (one key at most): S3 authorizes that HEAD as s3:GetObject on the key
 * `dir` itself, which a policy on `dir/*` does not cover, so a writer granted only `dir/*` is refused
 * before it writes anything. `mkdir` PUTs a directory marker (`dir/`); `put` writes `file._COPYING_`
 * and renames it (a copy, then a delete); `mv` copies and deletes; `rm -r` lists and deletes in bulk
 * (DeleteObjects); after a write, S3A 3.3 deletes the markers of the parent directories in bulk, which
 * 3.4 does not (it keeps markers by default).
 *
 * @see https://hadoop.apache.org/docs/stable/hadoop-aws/tools/hadoop-aws/assumed_roles.html#Restricting_S3A_operations_through_AWS_Policies
 * @see https://hadoop.apache.org/docs/stable/hadoop-aws/tools/hadoop-aws/directory_markers.html
 * @see https://hadoop.apache.org/docs/stable/hadoop-aws/tools/hadoop-aws/committers.html
 */

import { commonDirectory } from '../explain/minimalStatements.js';
import type { PolicyStatement } from '../explain/report.js';
import { type JobCalls, writesObjects } from './jobCalls.js';
import { bucketArnOf, literalArnPart } from './jobResourceArns.js';

const POLICIES =
  'https://hadoop.apache.org/docs/stable/hadoop-aws/tools/hadoop-aws/assumed_roles.html#Restricting_S3A_operations_through_AWS_Policies';
const MARKERS = 'https://hadoop.apache.org/docs/stable/hadoop-aws/tools/hadoop-aws/directory_markers.html';

/** A path in a committer's pending directory: `_temporary/`, `__magic…/`, `.spark-staging-…/`. */
const PENDING = /(?:^|\/)(?:_temporary|__magic[^/]*|\.spark-staging-[^/]*)\//;

/** Whether the user agent is S3A's: `Hadoop <version>`, at its start or after a prefix. */
export function isS3aAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /(?:^|[\s,[])Hadoop \d+\.\d+/.test(userAgent);
}

/** The finding's calls on the bucket (see JobCalls), with the directories its successful calls worked in. */
export interface S3aInput extends Omit<JobCalls, 'deletedKeys'> {
  /** Directories (ending in `/`) the job's successful calls worked in. */
  readonly directories: readonly string[];
  /**
   * What the job wrote (refused or not): keys it wrote or deleted, and directories its successful
   * uploads and copies went to. A job that reads one directory and writes another gets writes on the
   * second only.
   */
  readonly writes?: { readonly keys: readonly string[]; readonly directories: readonly string[] };
}

export interface S3aProfile {
  /** The job's directory, ending in `/` (`''` for the bucket's root). */
  readonly directory: string;
  readonly statements: readonly PolicyStatement[];
  readonly notes: readonly string[];
}

/**
 * The job's directory: the common directory of the paths it worked on, once its probes of parent
 * directories are set aside. A key, a listing's prefix (S3A lists `p/` to probe the path `p`) and a
 * directory its calls worked in are paths; a path with another below it is a parent's probe (S3A checks
 * every parent of a path it creates). A job seen only listing a directory is given that directory's
 * parent: its listing is the probe of a path like any other.
 */
export function s3aDirectory(input: Pick<S3aInput, 'keys' | 'listPrefixes' | 'directories'>): string {
  const paths = new Set<string>();
  // A key ending in `/` is a directory marker: the job works in that directory.
  for (const key of input.keys) if (key !== '') paths.add(key);
  for (const prefix of input.listPrefixes)
    if (prefix !== '') paths.add(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  for (const directory of input.directories) if (directory !== '') paths.add(directory);
  // Every directory above a path (`a/`, `a/b/` for `a/b/c`): a path that is one of them was a probe.
  const above = new Set<string>();
  for (const path of paths) {
    for (
      let slash = path.indexOf('/');
      slash >= 0 && slash < path.length - 1;
      slash = path.indexOf('/', slash + 1)
    )
      above.add(path.slice(0, slash + 1));
  }
  // A path whose marker (`p/`) is a path too is that directory.
  const worked = [...paths].filter((p) =>
    p.endsWith('/') ? !above.has(p) : !above.has(`${p}/`) && !paths.has(`${p}/`),
  );
  return outputDirectory(commonDirectory(worked));
}

/**
 * A job's directory cut back to the table or output directory: above the pending directories of
 * Hadoop's and Spark's committers (`_temporary/`, S3A's magic committer's `__magic…/`, Spark's
 * `.spark-staging-…/`) and above Hive-style partitions (`dt=2026-11-28/`), which change from run to run.
 *
 * @see https://hadoop.apache.org/docs/stable/hadoop-aws/tools/hadoop-aws/committers.html
 */
function outputDirectory(directory: string): string {
  const parts = directory.split('/');
  const cut = parts.findIndex((part) => PENDING.test(`${part}/`) || /^[^=]+=/.test(part));
  return cut < 0
    ? directory
    : parts
        .slice(0, cut)
        .map((part) => `${part}/`)
        .join('');
}

/**
 * What S3A needs for a job in `directory`: s3:ListBucket on the bucket; s3:GetObject on the keys of
 * each parent directory (`a` and `a/` for `a/b/`), which S3A HEADs; and on the directory itself, in the
 * three resources Hadoop's documentation uses (`a/b`, its marker `a/b/`, and `a/b/*`), s3:GetObject, or
 * for a job that wrote s3:GetObject, s3:PutObject, s3:DeleteObject and s3:AbortMultipartUpload, with
 * s3:ListBucketMultipartUploads on the bucket.
 */
export function s3aProfile(input: S3aInput): S3aProfile {
  const directory = s3aDirectory(input);
  const split = readAndWriteDirectories(input);
  if (split !== undefined) return splitProfile(input, split.read, split.write);
  // A committer's pending directory (Spark's and MapReduce's output) says the job writes, also before
  // its first write.
  const committing = [...input.keys, ...input.listPrefixes, ...input.directories].some((path) =>
    PENDING.test(path),
  );
  const writes = committing || writesObjects(input.eventNames);
  const bucketArn = bucketArnOf(input.bucket, input.partition);
  const arn = (key: string) => `${bucketArn}/${literalArnPart(key)}`;

  const statements: PolicyStatement[] = [
    {
      Sid: 'S3aBucket',
      Effect: 'Allow',
      Action: writes ? ['s3:ListBucket', 's3:ListBucketMultipartUploads'] : ['s3:ListBucket'],
      Resource: [bucketArn],
    },
  ];
  const parents = parentsOf(directory);
  if (parents.length > 0) {
    statements.push({
      Sid: 'S3aParentDirectories',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: parents.map(arn),
    });
  }
  statements.push({
    Sid: 'S3aDirectory',
    Effect: 'Allow',
    Action: writes
      ? ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject']
      : ['s3:GetObject'],
    Resource:
      directory === ''
        ? [`${bucketArn}/*`]
        : [arn(directory.slice(0, -1)), arn(directory), `${arn(directory)}*`],
  });

  const where = directory === '' ? "the bucket's root" : directory;
  const notes = [
    `Hadoop's S3A connector checks each path it works on (${where}), and every parent directory up to the bucket's root, with a HEAD of the key and a listing of key/: S3 authorizes the HEAD as s3:GetObject on the key itself, which a grant on dir/* does not cover, so the profile grants s3:GetObject on the parents' keys and, as Hadoop's documentation does, names the directory three ways (dir, its marker dir/, and dir/*). Source: ${POLICIES}`,
  ];
  if (writes) {
    notes.push(
      `S3A renames by copying and deleting (hadoop fs -put writes file._COPYING_ and renames it; Spark's classic committers rename task output), deletes in bulk, and uploads large files in parts; the S3A committers list pending uploads (s3:ListBucketMultipartUploads) and abort them (s3:AbortMultipartUpload). After a write, S3A before Hadoop 3.4 deletes the markers of the parent directories (a/): outside the directory those deletes fail, which S3A ignores; fs.s3a.directory.marker.retention=keep stops them (${MARKERS}).`,
    );
  }
  return { directory, statements, notes };
}

/** `a/b/` -> the parents' keys `a` and `a/`, which S3A HEADs. */
function parentsOf(directory: string): string[] {
  const parents: string[] = [];
  for (let slash = directory.indexOf('/'); slash >= 0 && slash < directory.length - 1; ) {
    parents.push(directory.slice(0, slash), directory.slice(0, slash + 1));
    slash = directory.indexOf('/', slash + 1);
  }
  return parents;
}

/**
 * The directory a job writes and the one it only reads, when they differ (a copy or an ETL from
 * `raw/` to `curated/`): `undefined` when the job does not write, or reads only where it writes. A path
 * inside the written directory, or above it (S3A's probes of its parents), is not a read.
 */
function readAndWriteDirectories(input: S3aInput): { read: string; write: string } | undefined {
  const writes = input.writes;
  if (writes === undefined || (writes.keys.length === 0 && writes.directories.length === 0)) return undefined;
  const write = s3aDirectory({ keys: writes.keys, listPrefixes: [], directories: writes.directories });
  if (write === '') return undefined;
  const written = new Set(writes.keys);
  const elsewhere = (path: string) => {
    const asDirectory = path.endsWith('/') ? path : `${path}/`;
    return !path.startsWith(write) && !write.startsWith(asDirectory) && !written.has(path);
  };
  const read = {
    keys: input.keys.filter(elsewhere),
    listPrefixes: input.listPrefixes.filter((prefix) => prefix !== '' && elsewhere(prefix)),
    directories: input.directories.filter((directory) => directory !== '' && elsewhere(directory)),
  };
  if (read.keys.length + read.listPrefixes.length + read.directories.length === 0) return undefined;
  const readDirectory = s3aDirectory(read);
  // Reads across the bucket (no common directory) are not a directory to scope to.
  if (readDirectory === '' || readDirectory === write) return undefined;
  return { read: readDirectory, write };
}

/** The profile of a job that reads `read` and writes `write`: the writes on `write` alone. */
function splitProfile(input: S3aInput, read: string, write: string): S3aProfile {
  const bucketArn = bucketArnOf(input.bucket, input.partition);
  const arn = (key: string) => `${bucketArn}/${literalArnPart(key)}`;
  const named = (directory: string) => [arn(directory.slice(0, -1)), arn(directory), `${arn(directory)}*`];
  const parents = [...new Set([...parentsOf(read), ...parentsOf(write)])].filter(
    (key) => !named(read).includes(arn(key)) && !named(write).includes(arn(key)),
  );
  const statements: PolicyStatement[] = [
    {
      Sid: 'S3aBucket',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
      Resource: [bucketArn],
    },
    ...(parents.length > 0
      ? [
          {
            Sid: 'S3aParentDirectories',
            Effect: 'Allow' as const,
            Action: ['s3:GetObject'],
            Resource: parents.map(arn),
          },
        ]
      : []),
    { Sid: 'S3aReadDirectory', Effect: 'Allow', Action: ['s3:GetObject'], Resource: named(read) },
    {
      Sid: 'S3aDirectory',
      Effect: 'Allow',
      Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      Resource: named(write),
    },
  ];
  const notes = [
    `The job reads ${read} and writes ${write}: it is granted reads alone on the first, and its writes on the second only. Hadoop's S3A connector checks each path it works on, and every parent directory up to the bucket's root, with a HEAD of the key and a listing of key/: S3 authorizes the HEAD as s3:GetObject on the key itself, which a grant on dir/* does not cover, so the profile grants s3:GetObject on the parents' keys and, as Hadoop's documentation does, names each directory three ways (dir, its marker dir/, and dir/*). Source: ${POLICIES}`,
    `S3A renames by copying and deleting (hadoop fs -put and -cp write file._COPYING_ and rename it; Spark's classic committers rename task output), deletes in bulk, and uploads large files in parts; the S3A committers list pending uploads (s3:ListBucketMultipartUploads) and abort them (s3:AbortMultipartUpload). After a write, S3A before Hadoop 3.4 deletes the markers of the parent directories (a/): outside the directory those deletes fail, which S3A ignores; fs.s3a.directory.marker.retention=keep stops them (${MARKERS}).`,
  ];
  return { directory: write, statements, notes };
}
