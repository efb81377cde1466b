/**
 * An IAM account snapshot as `aws iam get-account-authorization-details` describes it, normalised:
 * policy documents decoded, pages merged, tags as records.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 */

/** A problem found while reading a snapshot or locating policies; never fatal. */
export interface SnapshotProblem {
  /** Stable dotted code, e.g. `snapshot.managedPolicyMissing`. */
  readonly code: string;
  readonly message: string;
  /** The file or label the problem was found in. */
  readonly source: string;
  /** The policy the problem is about, when there is one. */
  readonly policyArn?: string;
}

/** An inline policy embedded in a user, group or role (`PolicyDetail`). */
export interface InlinePolicy {
  readonly name: string;
  /** Decoded JSON document; the original value when it could not be decoded. */
  readonly document: unknown;
}

/**
 * A managed policy attachment (`AttachedPolicy`), by ARN only: the document lives in `Policies`.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachedPolicy.html
 */
export interface PolicyAttachment {
  readonly name: string;
  readonly arn: string;
}

interface SnapshotEntityBase {
  readonly name: string;
  readonly arn: string;
  readonly id?: string;
  readonly path: string;
  readonly inlinePolicies: readonly InlinePolicy[];
  readonly attachedManagedPolicies: readonly PolicyAttachment[];
}

/** @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_UserDetail.html */
export interface SnapshotUser extends SnapshotEntityBase {
  /** Group names (`GroupList`). */
  readonly groups: readonly string[];
  readonly permissionsBoundaryArn?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GroupDetail.html */
export type SnapshotGroup = SnapshotEntityBase;

/** @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleDetail.html */
export interface SnapshotRole extends SnapshotEntityBase {
  /** The trust policy, decoded. */
  readonly assumeRolePolicyDocument?: unknown;
  readonly permissionsBoundaryArn?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleLastUsed.html */
  readonly lastUsed?: { readonly date?: string; readonly region?: string };
}

/** @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html */
export interface SnapshotPolicyVersion {
  readonly versionId: string;
  readonly isDefaultVersion: boolean;
  readonly document: unknown;
}

/**
 * A managed policy (`ManagedPolicyDetail`) with every version the snapshot holds.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_ManagedPolicyDetail.html
 */
export interface SnapshotManagedPolicy {
  readonly name: string;
  readonly arn: string;
  readonly id?: string;
  readonly path?: string;
  /** AWS-managed policies live in the `aws` pseudo-account: `arn:aws:iam::aws:policy/...`. */
  readonly managedBy: 'aws' | 'customer';
  readonly defaultVersionId?: string;
  /** How many users, groups and roles IAM says have it attached (`AttachmentCount`), in the account. */
  readonly attachmentCount?: number;
  /** How many users and roles IAM says have it as their permissions boundary (`PermissionsBoundaryUsageCount`). */
  readonly boundaryUsageCount?: number;
  readonly versions: readonly SnapshotPolicyVersion[];
}

/** Everything one account snapshot holds about IAM identities and managed policies. */
export interface AccountSnapshot {
  /** Where the snapshot was read from (file name or label). */
  readonly source: string;
  /** Inferred from the ARNs of users, groups, roles and customer-managed policies. */
  readonly accountId?: string;
  readonly users: readonly SnapshotUser[];
  readonly groups: readonly SnapshotGroup[];
  readonly roles: readonly SnapshotRole[];
  readonly managedPolicies: readonly SnapshotManagedPolicy[];
}

/** An identity the policies of which are looked up: by kind and name (path ignored), or by ARN. */
export type PrincipalSelector =
  | { readonly kind: 'user' | 'role'; readonly name: string }
  | { readonly arn: string };

/** Who a located policy is attached to (a user's group policies name the group). */
export interface PolicyHolder {
  readonly kind: 'user' | 'group' | 'role';
  readonly name: string;
  readonly arn: string;
}

/**
 * A policy document found for a principal, labelled with where it comes from, in the shape the policy
 * engine accepts (`{ name, arn, document }`).
 */
export interface LocatedPolicy {
  readonly name: string;
  /** Managed policies only: inline policies have no ARN. */
  readonly arn?: string;
  readonly document: unknown;
  readonly kind: 'managed' | 'inline';
  readonly managedBy?: 'aws' | 'customer';
  readonly attachedTo: PolicyHolder;
  /** Managed policies only: the default version the document comes from. */
  readonly versionId?: string;
}

/**
 * A managed policy that is attached but whose document the snapshot does not hold, or a group of the user
 * that the snapshot does not list (`usage: 'group'`: its policies, whatever they are, are not evaluated).
 */
export interface MissingPolicy {
  /** The policy's ARN; for a group, its name (a user lists its groups by name). */
  readonly arn: string;
  readonly name: string;
  readonly usage: 'identity' | 'permissions-boundary' | 'group';
  readonly attachedTo: PolicyHolder;
  /**
   * Set when the snapshot holds the managed policy but not its default version's document (a trimmed
   * PolicyVersionList): the DefaultVersionId it names, undefined when it names none.
   */
  readonly defaultVersionMissing?: { readonly versionId: string | undefined };
}

/** Control policies (SCPs, RCPs) at one level of the organization (root, OU..., account). */
export interface ControlPolicy {
  readonly name: string;
  readonly arn?: string;
  readonly document: unknown;
}

/** One level of the organization tree: at least one of its policies must allow. */
export type PolicyLevel = readonly ControlPolicy[];

/** A bucket policy and the bucket it governs. */
export interface BucketPolicy {
  readonly bucket: string;
  readonly name: string;
  readonly document: unknown;
  readonly source: string;
}
