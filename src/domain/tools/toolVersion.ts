/**
 * Version strings as tools report them in their User-Agent (`v1.60.1`, `1.66.0`, `v1.67.0-beta.1234`,
 * `1.60.1-DEV`), parsed just enough to compare releases.
 *
 * @see https://rclone.org/downloads/ (release and beta naming: `vX.Y.Z`, `vX.Y.Z-beta.NNNN.hash`)
 */
export interface ToolVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Text after the first `-` (`beta.1234`, `DEV`), absent for a release. */
  readonly suffix?: string;
}

const VERSION_PATTERN = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Parses `v1.60.1`, `1.66.0`, `v1.67.0-beta.1234`, `1.60` or `1.60.1-DEV`. Returns `undefined` for an
 * empty or unrecognised version (Debian's rclone sends a bare `rclone/`), so callers must treat
 * "unknown" explicitly.
 */
export function parseToolVersion(version: string | undefined): ToolVersion | undefined {
  if (version === undefined) return undefined;
  const match = VERSION_PATTERN.exec(version.trim());
  if (match === null) return undefined;
  const [, major, minor, patch, suffix] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: patch === undefined ? 0 : Number(patch),
    ...(suffix !== undefined ? { suffix } : {}),
  };
}

/**
 * Orders two versions by major, minor, patch only. The suffix is ignored on purpose: rclone's `-DEV`
 * marks a distribution build of that very release, while `-beta` marks a build *ahead* of the last
 * release, so semver's "pre-release sorts first" would be wrong for one of them. Callers that care
 * about betas inspect `suffix` themselves.
 */
export function compareToolVersions(a: ToolVersion, b: ToolVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** `true` when `version` is at least `major.minor.patch` (suffix ignored, see {@link compareToolVersions}). */
export function isAtLeast(version: ToolVersion, major: number, minor: number, patch = 0): boolean {
  return compareToolVersions(version, { major, minor, patch }) >= 0;
}
