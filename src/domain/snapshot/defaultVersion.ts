import type { SnapshotManagedPolicy, SnapshotPolicyVersion } from './types.js';

/**
 * The version IAM evaluates for a managed policy: the one named by `DefaultVersionId`, or, when a
 * hand-trimmed snapshot lacks that field, the one flagged `IsDefaultVersion`. Other versions never
 * take part in authorization.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 */
export function defaultVersion(policy: SnapshotManagedPolicy): SnapshotPolicyVersion | undefined {
  if (policy.defaultVersionId !== undefined) {
    return policy.versions.find((version) => version.versionId === policy.defaultVersionId);
  }
  return policy.versions.find((version) => version.isDefaultVersion);
}
