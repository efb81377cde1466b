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

/**
 * Whether a denied request can be that check: a HEAD authorized as s3:GetObject (not one an error
 * message attributes to another action) of a key that can name a directory.
 */
export function mayBeRootProbe(
  eventName: string,
  source: 'message' | 'operation',
  action: string,
  key: string | undefined,
): key is string {
  return (
    eventName === 'HeadObject' &&
    source === 'operation' &&
    key !== undefined &&
    key !== '' &&
    !key.endsWith('/') &&
    action.toLowerCase() === 's3:getobject'
  );
}

/**
 * The candidate keys that are root checks: `key` such that one of the paths (object keys, listing
 * prefixes) lies inside `key/`. A lone HEAD proves nothing and is not counted.
 */
export function rootProbes(candidates: ReadonlySet<string>, ...pathLists: Iterable<string>[]): Set<string> {
  const probes = new Set<string>();
  if (candidates.size === 0) return probes;
  // A directory of a path is a candidate only if its length is a candidate's: most slashes need no slice.
  const lengths = new Set<number>();
  for (const key of candidates) lengths.add(key.length);
  for (const paths of pathLists) {
    for (const path of paths) {
      for (let slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
        if (!lengths.has(slash)) continue;
        const directory = path.slice(0, slash);
        if (candidates.has(directory)) probes.add(directory);
      }
      if (probes.size === candidates.size) return probes;
    }
  }
  return probes;
}

/** The paths that say where the job works, each root check read as the directory it names (`daily/`). */
export function jobPaths(paths: readonly string[], probes: ReadonlySet<string>): readonly string[] {
  return probes.size === 0 ? paths : paths.map((path) => (probes.has(path) ? `${path}/` : path));
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
