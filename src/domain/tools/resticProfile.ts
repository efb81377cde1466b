/**
 * The job profile of restic, the backup program, on an S3 repository. restic talks to S3 through
 * minio-go, whose user agent it keeps (`MinIO (linux; amd64) minio-go/v7.0.46`): the user agent alone
 * does not say restic, the keys do. A restic repository is a fixed layout under one prefix: `config`,
 * `keys/<id>`, `locks/<id>`, `snapshots/<id>`, `index/<id>` and `data/<xx>/<id>`, each `<id>` 64
 * hexadecimal digits (and, up to restic 0.17, the older S3 layout's `key/`, `lock/`, `snapshot/` and
 * `data/<id>`).
 *
 * Seen with restic 0.14.0 and 0.18.1 against moto (test/e2e/resticAgainstMoto.test.ts): every command
 * asks for the bucket's location (GetBucketLocation) unless the region is set, lists `keys/` (0.14
 * also `key/`, looking for the older layout), reads `config` and a key, writes a lock under `locks/`
 * and deletes it when done; `init` HEADs the bucket and the config; `backup` writes `data/`, `index/`
 * and `snapshots/`; `check` and `restore` read them; `forget` and `prune` delete snapshots, index and
 * data files.
 *
 * @see https://restic.readthedocs.io/en/stable/100_references.html#repository-layout
 * @see https://restic.readthedocs.io/en/stable/080_examples.html (restic's own policy: s3:ListBucket and s3:GetBucketLocation on the bucket, s3:GetObject, s3:PutObject and s3:DeleteObject on its objects)
 * @see https://restic.readthedocs.io/en/stable/060_forget.html#security-considerations-in-append-only-mode
 */
import type { Alternative, PolicyStatement } from '../explain/report.js';
import type { JobCalls, ToolProfile } from './jobCalls.js';
import { bucketArnOf, literalArnPart } from './jobResourceArns.js';

const LAYOUT_SOURCE = 'https://restic.readthedocs.io/en/stable/100_references.html#repository-layout';
const FORGET_SOURCE =
  'https://restic.readthedocs.io/en/stable/060_forget.html#security-considerations-in-append-only-mode';
const REGION_SOURCE = 'https://restic.readthedocs.io/en/stable/030_preparing_a_new_repo.html#amazon-s3';

/**
 * A file of a restic repository: group 1 is the repository's prefix (absent at the bucket's root), group
 * 2 the directory that holds it (`locks`, or `lock` in the older layout), absent for `config`.
 */
const REPOSITORY_FILE =
  /^(?:(.+)\/)?(?:config|(keys|locks|snapshots|index|key|lock|snapshot)\/[0-9a-f]{64}|(data)\/(?:[0-9a-f]{2}\/)?[0-9a-f]{64})$/;
/** A listing of one of a repository's directories: group 1 is the repository's prefix. */
const REPOSITORY_LISTING = /^(?:(.+)\/)?(?:keys|key|locks|lock|snapshots|snapshot|index|data)\/$/;
/** A key that names restic's own kind of file (a 64-digit ID), not only a `config`. */
const HAS_ID = /[0-9a-f]{64}$/;

/**
 * Whether the user agent names restic, or is minio-go's own with no application after it (restic's,
 * unless set with --http-user-agent). A program that sets minio-go's application info names itself
 * after it (the MinIO client: `minio-go/v7.0.70 mc/RELEASE.…`): not restic.
 *
 * @see https://github.com/minio/minio-go/blob/master/api.go (setUserAgent, SetAppInfo)
 */
export function isResticAgent(userAgent: string | undefined): boolean {
  if (userAgent === undefined) return false;
  if (/(?:^|[\s(])restic\//i.test(userAgent)) return true;
  return /(?:^|[\s(])minio-go\/v?[0-9][0-9A-Za-z.+-]*\s*$/i.test(userAgent);
}

/** The finding's calls on the bucket (see JobCalls). */
export type ResticInput = JobCalls;

export interface ResticProfile extends ToolProfile {
  /** The repositories' prefixes (`''` for one at the bucket's root), sorted. */
  readonly repositories: readonly string[];
}

/**
 * The repositories the keys and listings show (a `config` alone does not make one: other applications
 * have such keys), and whether they use the older layout.
 */
function repositoriesOf(input: ResticInput): { prefixes: Set<string>; olderLayout: boolean } {
  const prefixes = new Set<string>();
  const configs = new Set<string>();
  let olderLayout = false;
  for (const key of input.keys) {
    const file = REPOSITORY_FILE.exec(key);
    if (file === null) continue;
    const prefix = file[1] ?? '';
    if (!HAS_ID.test(key)) {
      configs.add(prefix);
      continue;
    }
    prefixes.add(prefix);
    const directory = file[2];
    if (directory === 'key' || directory === 'lock' || directory === 'snapshot') olderLayout = true;
  }
  for (const listed of input.listPrefixes) {
    const listing = REPOSITORY_LISTING.exec(listed);
    if (listing !== null) prefixes.add(listing[1] ?? '');
  }
  return { prefixes, olderLayout };
}

/** Whether `key` lies in one of the repositories' lock directories. */
function isLock(key: string, prefixes: ReadonlySet<string>): boolean {
  const file = REPOSITORY_FILE.exec(key);
  return (
    file !== null &&
    prefixes.has(file[1] ?? '') &&
    (file[2] === 'locks' || file[2] === 'lock') &&
    HAS_ID.test(key)
  );
}

/**
 * What restic needs on the repositories the job's keys and listings show: s3:ListBucket on the bucket,
 * s3:GetObject and s3:PutObject on each repository, and s3:DeleteObject on its locks alone (what backup,
 * check, restore and snapshots delete), or on the whole repository when the job deleted other files
 * (forget, prune). s3:GetBucketLocation joins when the job asked for the bucket's location, and
 * s3:CreateBucket when `init` was refused creating the bucket. `undefined` when no repository shows.
 */
export function resticProfile(input: ResticInput): ResticProfile | undefined {
  const { prefixes, olderLayout } = repositoriesOf(input);
  if (prefixes.size === 0) return undefined;
  const repositories = [...prefixes].sort();
  const bucketArn = bucketArnOf(input.bucket, input.partition);
  const under = (prefix: string, rest: string): string =>
    prefix === '' ? `${bucketArn}/${rest}` : `${bucketArn}/${literalArnPart(prefix)}/${rest}`;
  const prunes = input.deletedKeys.some((key) => !isLock(key, prefixes));
  const locateBucket = input.eventNames.has('GetBucketLocation');
  const createsBucket = input.eventNames.has('CreateBucket');

  const bucketActions = ['s3:ListBucket'];
  if (locateBucket) bucketActions.push('s3:GetBucketLocation');
  if (createsBucket) bucketActions.push('s3:CreateBucket');
  const statements: PolicyStatement[] = [
    { Sid: 'ResticBucket', Effect: 'Allow', Action: bucketActions.sort(), Resource: [bucketArn] },
    {
      Sid: 'ResticRepository',
      Effect: 'Allow',
      Action: prunes ? ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'] : ['s3:GetObject', 's3:PutObject'],
      Resource: repositories.map((prefix) => under(prefix, '*')),
    },
  ];
  const lockDirectory = olderLayout ? 'lock' : 'locks';
  if (!prunes) {
    statements.push({
      Sid: 'ResticLocks',
      Effect: 'Allow',
      Action: ['s3:DeleteObject'],
      Resource: repositories.map((prefix) => under(prefix, `${lockDirectory}/*`)),
    });
  }

  const where = repositories
    .map((prefix) => (prefix === '' ? `the bucket's root` : `${prefix}/`))
    .join(' and ');
  const notes: string[] = [
    `The keys are a restic repository's (at ${where}): config, keys/, locks/, snapshots/, index/ and data/. Every restic command lists the bucket, reads the config and a key, and writes a lock under ${lockDirectory}/ that it deletes when done; backup writes data, index and snapshot files. Source: ${LAYOUT_SOURCE}`,
  ];
  if (prunes) {
    notes.push(
      `The job deleted (or was refused deleting) snapshot, index or data files: forget and prune do, and need s3:DeleteObject on the whole repository. Hosts that only back up need it on ${lockDirectory}/ alone; running forget and prune from a separate, trusted machine keeps a compromised backup host from deleting the backups. Source: ${FORGET_SOURCE}`,
    );
  } else {
    notes.push(
      `s3:DeleteObject is granted on ${lockDirectory}/ alone: enough for backup, check, restore, snapshots and unlock. forget and prune delete snapshot, index and data files and need it on the whole repository; keep them off backup hosts (run them from a separate, trusted machine), so that a compromised host cannot delete the backups. Source: ${FORGET_SOURCE}`,
    );
  }
  const alternatives: Alternative[] = [];
  if (locateBucket) {
    notes.push(
      "restic (through minio-go) asks for the bucket's location on every run unless it knows the region. A refused GetBucketLocation does not stop it (minio-go then takes the region S3's error names, or us-east-1), but CloudTrail logs AccessDenied on every run: s3:GetBucketLocation is in the profile so that the runs stop raising alerts.",
    );
    alternatives.push({
      kind: 'client-config',
      text: `Give restic the bucket's region: AWS_DEFAULT_REGION=<region>, -o s3.region=<region>, or a regional endpoint in the repository URL (s3:s3.<region>.amazonaws.com/${input.bucket}/...). minio-go then never asks for the bucket's location (${REGION_SOURCE}).`,
      removes: ['s3:GetBucketLocation'],
    });
  }
  if (createsBucket) {
    alternatives.push({
      kind: 'other',
      text: `Create the bucket ${input.bucket} beforehand: restic init creates it only when its HEAD of the bucket answers that it does not exist.`,
      removes: ['s3:CreateBucket'],
    });
  }
  if (input.eventNames.has('HeadBucket')) {
    notes.push(
      'restic init HEADs the bucket, which needs s3:ListBucket. restic 0.14.0 (Debian 12\'s package) stops when that HEAD is refused ("client.BucketExists: Access Denied"); other versions carry on. The profile\'s s3:ListBucket allows it.',
    );
  }
  return { repositories, statements, notes, alternatives };
}
