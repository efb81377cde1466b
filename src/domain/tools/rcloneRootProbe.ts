/**
 * rclone's check of the destination root, and the directory an rclone job works in.
 *
 * When a remote path names a directory without a trailing slash (`remote:bucket/daily`), rclone first
 * HEADs the object `daily` to see whether the root is a single file. Under a policy scoped to
 * `bucket/daily/*` that HEAD is always denied, and what rclone then does depends on its version
 * (backend/s3/s3.go, `NewFs`; release tags checked in rclone's git history):
 * - before v1.72 it treats any error, a 403 included, as "not a file" and carries on with `daily/`:
 *   the denial is harmless (seen with Debian's v1.60.1 against moto, `test/e2e/rcloneAgainstMoto.test.ts`);
 * - from v1.72.0 (commit 6440052f, #8975) an error other than "not found" stops the job;
 * - from v1.75.0 (commit 2d6d0da3, #9582), and in v1.74.4 (the same fix backported, commit 0f4a8fad),
 *   rclone then lists `daily/` and carries on only if it holds objects; an empty or new directory is
 *   taken for a file.
 * The check is skipped when the path ends with `/` or with `--s3-no-head-object`. Either way the HEAD
 * must not widen the job's prefix to the whole bucket (`daily` and `daily/x` have no common directory).
 * Each of the three behaviours was seen with rclone's own release builds (v1.71.2, v1.74.3, v1.74.4,
 * v1.75.2) against moto, `test/e2e/rcloneReleasesAgainstMoto.test.ts`.
 *
 * @see https://github.com/rclone/rclone/blob/master/backend/s3/s3.go
 * @see https://github.com/rclone/rclone/commit/6440052fbdb51688dfd929ce64ff3af8ed228b29
 * @see https://github.com/rclone/rclone/commit/2d6d0da37b76849aeb29caaf04e681f5ee2947e7
 * @see https://github.com/rclone/rclone/commit/0f4a8fad6 (v1.74.4's changelog: "Fix mounting a prefix
 *   failing with 403 when HEAD is not permitted")
 * @see https://rclone.org/s3/#s3-no-head-object
 */
import { isInsidePrefix } from './jobResourceArns.js';
import { isAtLeast, parseToolVersion } from './toolVersion.js';

/** What a 403 on the root check does to the job, by rclone version. */
export type RootProbeEffect = 'ignored' | 'fatal' | 'fatal-unless-listed' | 'unknown';

export function rootProbeEffect(version: string | undefined): RootProbeEffect {
  const parsed = parseToolVersion(version);
  if (parsed === undefined) return 'unknown';
  if (!isAtLeast(parsed, 1, 72)) return 'ignored';
  const listsFirst =
    isAtLeast(parsed, 1, 75) || (parsed.major === 1 && parsed.minor === 74 && parsed.patch >= 4);
  return listsFirst ? 'fatal-unless-listed' : 'fatal';
}

const FATAL_SOURCE = 'https://github.com/rclone/rclone/commit/6440052fbdb51688dfd929ce64ff3af8ed228b29';
/** rclone v1.75.0 (and v1.74.4): after a refused root check, list the directory before giving up. */
export const LISTED_SOURCE =
  'https://github.com/rclone/rclone/commit/2d6d0da37b76849aeb29caaf04e681f5ee2947e7';
const SKIP_HINT =
  'End the remote path with a slash (remote:bucket/dir/) or pass --s3-no-head-object to skip the check (https://rclone.org/s3/#s3-no-head-object)';

/** What a 403 on the check of `root` does, in words, for the effect. */
function effectText(root: string, effect: RootProbeEffect): string {
  switch (effect) {
    case 'ignored':
      return 'rclone before v1.72 treats any error, a 403 included, as "a directory" and carries on, so the denial is harmless';
    case 'fatal':
      return `from v1.72 to v1.74.3 a 403 there stops the job (${FATAL_SOURCE})`;
    case 'fatal-unless-listed':
      return `since v1.75 (and in v1.74.4) rclone then lists ${root}/ and carries on only if it already holds objects; an empty or new directory is taken for a file (${LISTED_SOURCE})`;
    case 'unknown':
      return `the rclone version is unknown: before v1.72 the 403 is harmless, from v1.72 to v1.74.3 it stops the job (${FATAL_SOURCE}), from v1.74.4 only when ${root}/ holds no objects yet (${LISTED_SOURCE})`;
  }
}

/**
 * Whether a denied request can be that check: a HEAD denied s3:GetObject (by the operation's mapping or
 * by AWS's message; not one the message attributes to s3:ListBucket) of a key that can name a directory.
 */
export function mayBeRootProbe(eventName: string, action: string, key: string | undefined): key is string {
  return (
    eventName === 'HeadObject' &&
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

/**
 * The directories of a job that checks two roots or more in one bucket and works only inside them
 * (`rclone move remote:bkt/in remote:bkt/out`, `rclone sync ./data remote:bkt/current --backup-dir
 * remote:bkt/old`): each root's directory (`in/`, `out/`), in the order rclone checked them, with the
 * ones inside another left out. `undefined` when fewer than two remain, or when a path lies outside all
 * of them: the job's one directory is then the paths' common directory. Their common directory here
 * would often be the whole bucket.
 */
export function rootDirectories(
  paths: readonly string[],
  roots: ReadonlySet<string>,
): readonly string[] | undefined {
  if (roots.size < 2) return undefined;
  const all = [...roots].map((root) => `${root}/`);
  const directories = all.filter(
    (directory, i) =>
      !all.some((other, j) => j !== i && other !== directory && isInsidePrefix(directory, other)),
  );
  const distinct = [...new Set(directories)];
  if (distinct.length < 2) return undefined;
  for (const path of paths) if (!distinct.some((d) => isInsidePrefix(path, d))) return undefined;
  return distinct;
}

/**
 * The caveat for the root checks of a finding: left out of the fix when harmless (`carriedOn`: rclone
 * listed the directory and found objects, which the input shows), else granted on the key alone.
 */
export function rootProbeCaveat(
  bucket: string,
  keys: readonly string[],
  effect: RootProbeEffect,
  carriedOn = false,
  /** Which side of the job the root is: a job that reads from it checks its source root the same way. */
  side: 'destination' | 'source' = 'destination',
): string {
  const named = keys.map((k) => `${bucket}/${k}`).join(', ');
  const what = `the HEAD of ${named} is rclone checking whether the ${side} root is a single file`;
  const effectWords = effectText(named, effect);
  if (carriedOn) {
    const directories = keys.map((k) => `${bucket}/${k}/`).join(', ');
    return `Not granted by the fix: ${what}; ${effectWords}. This input shows objects in ${directories} (the caller read, wrote or deleted objects there, or walked it or one of its subdirectories), so the job carried on; a run into a new or empty directory would stop there, which the job profile's RcloneRootCheck (s3:GetObject on that key) prevents. ${SKIP_HINT}.`;
  }
  return effect === 'ignored'
    ? `Not granted by the fix: ${what}; ${effectWords}. ${SKIP_HINT}.`
    : `Granted on that key alone: ${what}; ${effectWords}. ${SKIP_HINT}, and s3:GetObject on the key is not needed.`;
}

/**
 * The caveat for a finding that is one denied HEAD of `key` and nothing else: rclone's first request,
 * either its root check or the file the job names. s3:GetObject on that key is what both need.
 */
export function loneRootProbeCaveat(bucket: string, key: string, effect: RootProbeEffect): string {
  const named = `${bucket}/${key}`;
  return `Granted on that key alone: the HEAD of ${named} is rclone's first request, and nothing else was refused. Either the job names that file, or, when ${named}/ is a directory (a policy scoped to "${key}/*" refuses this HEAD), rclone is checking whether the destination root is a single file; ${effectText(named, effect)}. Either way s3:GetObject on that one key is all this request needs, not the bucket. For a directory, end the remote path with a slash (remote:bucket/dir/) or pass --s3-no-head-object (https://rclone.org/s3/#s3-no-head-object), and the grant is not needed.`;
}

/**
 * The caveat for a lone refused HEAD that is the destination of a server-side `copyto` or `moveto`
 * within the bucket (the caller's HEADs of its source succeeded just before).
 */
export function copyToDestinationCaveat(bucket: string, key: string): string {
  return `Granted on that key alone: the HEAD of ${bucket}/${key} is rclone checking the destination of a server-side copyto (or moveto) within the bucket, after HEADs of its source that succeeded. s3:GetObject on that key is all this request needs; the copy itself needs more (see the job profile).`;
}

/**
 * The job profile's note on the root check of `bucket/prefix`: `check` says what the input holds of that
 * HEAD (`refused`, one of the refusals the caveats describe; `answered`, S3 said no such key under the
 * caller's present policies; `other`: neither, and the path is inferred from the refused keys unless
 * `shownAsListing`), `granted` when the profile grants it (RcloneRootCheck).
 * `shownAsListing`: the input holds it, but AWS refused it as s3:ListBucket (the key does not exist and
 * listing was not allowed), so it is not one of the refusals the caveats describe; under the profile,
 * which does not grant s3:GetObject on that key, it is refused like every other root check.
 */
export function rootCheckNote(
  bucket: string,
  prefix: string,
  effect: RootProbeEffect,
  check: 'refused' | 'answered' | 'other',
  granted: boolean,
  shownAsListing = false,
): string {
  const path = `${bucket}/${prefix}`;
  // A refused check the input shows has a caveat of its own, which says what the refusal does.
  if (check === 'refused') {
    return `At start rclone HEADs the remote path it was given, without a trailing slash ("${path}"), to see whether it is a file; the caveats say what its refusal does here.${granted ? ' The profile grants it (RcloneRootCheck: s3:GetObject on that one key, which then answers 404), so the check passes.' : ''}`;
  }
  if (check === 'answered') {
    const outcome = granted
      ? `The profile grants it (RcloneRootCheck: s3:GetObject on that one key), so the check still passes once the profile replaces those policies`
      : `Under the profile alone, outside "${prefix}/*", that HEAD is denied: ${effectText(path, effect)}`;
    return `At start rclone HEADs the remote path it was given, without a trailing slash, to see whether it is a file: "${path}", which this input shows answered (no such key) under the caller's present policies, which reach beyond "${prefix}/*". ${outcome}.`;
  }
  const which = shownAsListing
    ? `"${path}", which this input shows (refused as s3:ListBucket: S3 answers a HEAD of a key that does not exist with 403 when listing is not allowed)`
    : `"${path}" if that is the path the job was given (inferred from the refused keys: this input holds no such HEAD)`;
  const outcome = granted
    ? `The profile grants that HEAD (RcloneRootCheck: s3:GetObject on that one key, which then answers 404), so the check passes. Without it, outside "${prefix}/*" that HEAD is denied: ${effectText(path, effect)}`
    : `Outside "${prefix}/*" that HEAD is denied: ${effectText(path, effect)}`;
  return `At start rclone HEADs the remote path it was given, without a trailing slash, to see whether it is a file: ${which}. ${outcome}. ${SKIP_HINT}.`;
}
