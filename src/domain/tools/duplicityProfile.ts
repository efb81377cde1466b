/**
 * The job profile of duplicity, the backup program, on S3. duplicity talks to S3 through boto3
 * (`boto3+s3://bucket/prefix`, and `s3://` from duplicity 2.0) or, before 2.0, the old boto library
 * (`s3://`, `boto+s3://`); neither adds duplicity to the user agent, so the keys say duplicity: a backup
 * is a set of files named by their kind and time under one prefix, `duplicity-full.<time>.vol<n>.difftar`
 * (the volumes, `.gz` or `.gpg` appended), `duplicity-full.<time>.manifest`,
 * `duplicity-full-signatures.<time>.sigtar`, and for incremental backups `duplicity-inc.<from>.to.<to>…`
 * and `duplicity-new-signatures.<from>.to.<to>.sigtar`, each name possibly after the `--file-prefix…`
 * options' prefixes.
 *
 * Seen with duplicity 0.8.22 (Debian 12's package) and 3.2.1, with boto3, against moto
 * (test/e2e/duplicityAgainstMoto.test.ts), with the same findings: every command HEADs the bucket
 * (refused, it stops) and lists the prefix; a backup uploads its volumes, HEADs each volume to check
 * its size (a refused HEAD skips the check: the backup carries on, but CloudTrail logs AccessDenied),
 * then uploads the signatures and the manifest; an incremental backup whose local cache
 * (`--archive-dir`) lacks them first downloads the manifests and signatures (a HEAD, then a GET:
 * refused, it stops); verify and restore download volumes; remove-older-than, remove-all-but-n-full
 * and cleanup delete, and exit with status 0 when S3 refuses the deletes (duplicity only warns),
 * leaving the backups in place.
 *
 * @see https://gitlab.com/duplicity/duplicity/-/blob/rel.0.8.22/duplicity/backends/s3_boto3_backend.py
 * @see https://gitlab.com/duplicity/duplicity/-/blob/rel.0.8.22/duplicity/backends/_boto_single.py (the old backend creates the bucket when `lookup`, a HEAD whose every error counts as "no such bucket", fails)
 * @see https://gitlab.com/duplicity/duplicity/-/blob/rel.0.8.22/duplicity/file_naming.py
 * @see https://gitlab.com/duplicity/duplicity/-/blob/rel.0.8.22/bin/duplicity.1 (A NOTE ON AMAZON S3: "The boto3 backend does not support bucket creation"; A NOTE ON FILENAME PREFIXES)
 */
import type { Alternative, PolicyStatement } from '../explain/report.js';
import type { JobCalls, ToolProfile } from './jobCalls.js';
import { bucketArnOf, literalArnPart } from './jobResourceArns.js';

const SOURCE =
  'https://gitlab.com/duplicity/duplicity/-/blob/rel.0.8.22/duplicity/backends/s3_boto3_backend.py';
const MAN_PAGE = 'https://gitlab.com/duplicity/duplicity/-/blob/rel.0.8.22/bin/duplicity.1';

/** duplicity's time stamps (`20261128T200818Z`). */
const TIME = String.raw`\d{8}T\d{6}Z`;
/**
 * A file of a duplicity backup, by its long name: group 1 is the directory that holds it (absent at the
 * bucket's root). A `--file-prefix…` prefix may stand between the directory and `duplicity-`.
 */
const BACKUP_FILE = new RegExp(
  String.raw`^(?:(.*)/)?[^/]*duplicity-(?:full\.${TIME}\.(?:vol\d+\.difftar|manifest)|inc\.${TIME}\.to\.${TIME}\.(?:vol\d+\.difftar|manifest)|full-signatures\.${TIME}\.sigtar|new-signatures\.${TIME}\.to\.${TIME}\.sigtar)(?:\.part)?(?:\.[a-z0-9]+)*$`,
);

/** Operations of an upload in parts: a job that made one uploads volumes larger than one part. */
const MULTIPART: readonly string[] = [
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
];

/** The finding's calls on the bucket (see JobCalls). */
export type DuplicityInput = JobCalls;

export interface DuplicityProfile extends ToolProfile {
  /** The backups' prefixes (`''` for one at the bucket's root, else ending in `/`), sorted. */
  readonly archives: readonly string[];
}

/** Whether `key` names a file of a duplicity backup. */
export function isDuplicityFile(key: string): boolean {
  // Most keys are not duplicity's: a substring search rules them out before the expression runs.
  return key.includes('duplicity-') && BACKUP_FILE.test(key);
}

/**
 * The backups' prefixes: the directory of each duplicity file, or the prefix of a listing that holds it
 * (duplicity lists its URL's whole prefix, which holds the files also when a `--file-prefix…` option puts
 * some in a subdirectory); none nested in another.
 */
function archivesOf(input: DuplicityInput): string[] {
  const listed = input.listPrefixes.filter((p) => p === '' || p.endsWith('/'));
  const found = new Set<string>();
  for (const key of input.keys) {
    const file = BACKUP_FILE.exec(key);
    if (file === null) continue;
    const directory = file[1] === undefined ? '' : `${file[1]}/`;
    // The shortest listing that holds the file is its backup's prefix.
    let archive = directory;
    for (const prefix of listed)
      if (directory.startsWith(prefix) && prefix.length < archive.length) archive = prefix;
    found.add(archive);
  }
  const sorted = [...found].sort();
  return sorted.filter((a) => !sorted.some((b) => b !== a && a.startsWith(b)));
}

/**
 * What duplicity needs on the backups the job's keys show: s3:ListBucket on the bucket, s3:GetObject and
 * s3:PutObject on each backup's prefix, s3:DeleteObject there when the job deleted (or was refused
 * deleting) files, and s3:AbortMultipartUpload when it uploaded in parts. s3:CreateBucket joins when the
 * old boto backend was refused creating the bucket. `undefined` when no duplicity file shows.
 */
export function duplicityProfile(input: DuplicityInput): DuplicityProfile | undefined {
  const archives = archivesOf(input);
  if (archives.length === 0) return undefined;
  const bucketArn = bucketArnOf(input.bucket, input.partition);
  const prunes = input.deletedKeys.length > 0;
  const multipart = MULTIPART.some((name) => input.eventNames.has(name));
  const createsBucket = input.eventNames.has('CreateBucket');

  // Volumes downloaded, and nothing uploaded: a restore or a verify, which only read (a backup HEADs its
  // volumes, never GETs them).
  const uploads = input.eventNames.has('PutObject') || multipart;
  const readsOnly =
    !uploads &&
    !prunes &&
    input.eventNames.has('GetObject') &&
    input.keys.some((key) => isDuplicityFile(key) && /\.difftar/.test(key));
  const objectActions = readsOnly ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject'];
  if (prunes) objectActions.push('s3:DeleteObject');
  // Volumes (200 MiB by default) go up in parts above --s3-multipart-chunk-size (25 MiB by default in 0.8, 20 MiB from 2.x),
  // and boto3's transfer manager aborts a failed multipart upload: every backup needs it, seen or not.
  if (!readsOnly) objectActions.push('s3:AbortMultipartUpload');
  const statements: PolicyStatement[] = [
    {
      Sid: 'DuplicityBucket',
      Effect: 'Allow',
      Action: createsBucket ? ['s3:CreateBucket', 's3:ListBucket'] : ['s3:ListBucket'],
      Resource: [bucketArn],
    },
    {
      Sid: 'DuplicityBackup',
      Effect: 'Allow',
      Action: objectActions.sort(),
      Resource: archives.map((a) => `${bucketArn}/${literalArnPart(a)}*`),
    },
  ];

  const where = archives.map((a) => (a === '' ? `the bucket's root` : a)).join(' and ');
  const notes: string[] = [
    `The keys are a duplicity backup's (at ${where}): volumes (duplicity-full… and duplicity-inc….difftar), manifests and signatures. Every duplicity command HEADs the bucket (s3:ListBucket; refused, it stops) and lists the backup's prefix. A backup uploads its volumes and HEADs each one to check its size (s3:GetObject: refused, the check is skipped and CloudTrail logs AccessDenied); an incremental backup whose local cache (--archive-dir) lacks the manifests and signatures downloads them first, and stops when that is refused; verify and restore download volumes. Source: ${SOURCE}`,
  ];
  if (readsOnly)
    notes.push(
      `The job downloaded backup volumes and uploaded nothing: a restore or a verify, which needs s3:GetObject alone. A backup from this host needs s3:PutObject and s3:AbortMultipartUpload on ${archives.map((a) => `${bucketArn}/${literalArnPart(a)}*`).join(', ')} too.`,
    );
  if (prunes) {
    notes.push(
      'The job deleted (or was refused deleting) backup files: remove-older-than, remove-all-but-n-full, remove-all-inc-of-but-n-full and cleanup do, and need s3:DeleteObject. They exit with status 0 when S3 refuses the deletes (duplicity only warns), so the old backups stay. Hosts that only back up do not need it: running the removals from a separate, trusted machine keeps a compromised backup host from deleting the backups.',
    );
  } else {
    notes.push(
      's3:DeleteObject is left out: backing up, verifying and restoring never delete. remove-older-than, remove-all-but-n-full and cleanup need it, and exit with status 0 when S3 refuses the deletes (duplicity only warns), so the old backups stay: grant it to the machine that runs them.',
    );
  }
  if (!readsOnly)
    notes.push(
      `Volumes larger than --s3-multipart-chunk-size (25 MiB by default in duplicity 0.8, 20 MiB from 2.x; a volume is 200 MiB by default, --volsize) are uploaded in parts${multipart ? ', as this job did' : ''}: boto3's transfer manager aborts a failed one (s3:AbortMultipartUpload), so that its parts are not kept (and billed). With --volsize at or below the chunk size, every upload is a single PUT and the action can be left out.`,
    );
  const alternatives: Alternative[] = [];
  if (createsBucket) {
    notes.push(
      `The old boto backend (s3:// and boto+s3:// before duplicity 2.0) creates the bucket when its HEAD of the bucket fails, refused or not. With s3:ListBucket the HEAD of an existing bucket succeeds, and no bucket is created. The boto3 backend never creates buckets (${MAN_PAGE}, A NOTE ON AMAZON S3).`,
    );
    alternatives.push({
      kind: 'client-config',
      text: `Create the bucket ${input.bucket} beforehand, or use the boto3 backend (boto3+s3://${input.bucket}/…; s3:// from duplicity 2.0), which never creates buckets: with s3:ListBucket, duplicity finds the bucket and does not ask to create it.`,
      removes: ['s3:CreateBucket'],
    });
  }
  return { archives, statements, notes, alternatives };
}
