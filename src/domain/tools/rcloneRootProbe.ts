/**
 * rclone's check of the destination root, and the directory an rclone job works in.
 *
 * When a remote path names a directory without a trailing slash (`remote:bucket/daily`), rclone first
 * HEADs the object `daily` to see whether the root is a single file, and treats any error, a 403
 * included, as "not a file": it carries on with the directory `daily/`. Under a policy scoped to
 * `bucket/daily/*` that HEAD is always denied and always harmless, so it must neither be granted nor
 * widen the job's prefix to the whole bucket (`daily` and `daily/x` have no common directory).
 *
 * Seen with rclone 1.60.1 against moto (`test/e2e/rcloneAgainstMoto.test.ts`) and in rclone's source:
 * backend/s3/s3.go, `NewFs`: "Check to see if the (bucket,directory) is actually an existing file" …
 * "File doesn't exist or is a directory so return old f", skipped when the root ends with `/` or with
 * `--s3-no-head-object`.
 *
 * @see https://github.com/rclone/rclone/blob/master/backend/s3/s3.go
 * @see https://rclone.org/s3/#s3-no-head-object
 */

/** What the probe test needs of one request of a finding. */
export interface JobRequest {
  readonly eventName: string;
  /** Where the action came from: an enhanced error message names it, or the operation catalogue. */
  readonly source: 'message' | 'operation';
  readonly action: string;
  readonly key?: string | undefined;
  /** `s3:prefix` of a listing. */
  readonly listPrefix?: string | undefined;
}

/** Every directory (`a/`, `a/b/`) that a key or listing prefix lies in. */
function directoriesWorkedIn(requests: readonly JobRequest[]): Set<string> {
  const directories = new Set<string>();
  const add = (path: string): void => {
    for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1))
      directories.add(path.slice(0, slash + 1));
  };
  for (const r of requests) {
    if (r.key !== undefined) add(r.key);
    if (r.listPrefix !== undefined) add(r.listPrefix);
  }
  return directories;
}

/**
 * Keys that rclone HEADed only to check whether the root is a file: a HEAD (authorized as
 * s3:GetObject, not a message naming another action) of a key without a trailing slash, in a finding
 * where another request works inside `key/`. A lone HEAD proves nothing and is not counted.
 */
export function rcloneRootProbeKeys(requests: readonly JobRequest[]): ReadonlySet<string> {
  const probes = new Set<string>();
  let directories: Set<string> | undefined;
  for (const r of requests) {
    if (!mayBeRootProbe(r)) continue;
    directories ??= directoriesWorkedIn(requests);
    if (directories.has(`${r.key}/`)) probes.add(r.key);
  }
  return probes;
}

/** A HEAD authorized as s3:GetObject of a key that can name a directory. */
function mayBeRootProbe(r: JobRequest): r is JobRequest & { readonly key: string } {
  return (
    r.eventName === 'HeadObject' &&
    r.source === 'operation' &&
    r.action.toLowerCase() === 's3:getobject' &&
    r.key !== undefined &&
    r.key !== '' &&
    !r.key.endsWith('/')
  );
}

/** Whether `r` is one of the root probes `rcloneRootProbeKeys` found. */
export function isRootProbe(r: JobRequest, probes: ReadonlySet<string>): boolean {
  return mayBeRootProbe(r) && probes.has(r.key);
}

/**
 * The keys and prefixes that say where an rclone job works, for its common directory: object keys,
 * listing prefixes, and each root probe as the directory it names (`daily` -> `daily/`).
 */
export function rcloneJobPaths(requests: readonly JobRequest[], probes: ReadonlySet<string>): string[] {
  const paths: string[] = [];
  for (const r of requests) {
    if (r.key !== undefined)
      paths.push(probes.has(r.key) && r.eventName === 'HeadObject' ? `${r.key}/` : r.key);
    if (r.listPrefix !== undefined) paths.push(r.listPrefix);
  }
  return paths;
}

/** The caveat for root-probe denials left out of a fix. */
export function rootProbeCaveat(bucket: string, keys: readonly string[]): string {
  const named = keys.map((k) => `${bucket}/${k}`).join(', ');
  return (
    `Not granted: the HEAD of ${named} is rclone checking whether the destination root is a single file; ` +
    'rclone treats any error, this 403 included, as "a directory" and carries on, so the denial is harmless. ' +
    'End the remote path with a slash (remote:bucket/dir/) to skip the check ' +
    '(rclone backend/s3/s3.go, NewFs; https://rclone.org/s3/#s3-no-head-object).'
  );
}
