import { isArnPlaceholder } from './accountSnapshot.js';
import { defaultVersion } from './defaultVersion.js';
import type {
  AccountSnapshot,
  LocatedPolicy,
  MissingPolicy,
  PolicyAttachment,
  PolicyHolder,
  PrincipalSelector,
  SnapshotGroup,
  SnapshotManagedPolicy,
  SnapshotProblem,
  SnapshotRole,
  SnapshotUser,
} from './types.js';

export type PrincipalPoliciesErrorCode =
  | 'snapshot.principalNotFound'
  | 'snapshot.unsupportedPrincipal'
  | 'snapshot.accountMismatch'
  | 'snapshot.invalidArn';

/**
 * Every identity-side policy AWS evaluates for a user or role, as far as the snapshot shows them.
 * `missingPolicies` lists attachments whose document the snapshot lacks: when it is not empty, the
 * view is incomplete (and a missing boundary means "unknown", not "no boundary").
 */
export type PrincipalPoliciesResult =
  | {
      readonly ok: true;
      /** The user or role ARN (with path); for a session ARN, the ARN of its role. */
      readonly principalArn: string;
      readonly principal: PolicyHolder & { readonly kind: 'user' | 'role' };
      readonly identityPolicies: readonly LocatedPolicy[];
      readonly permissionsBoundary?: LocatedPolicy;
      /** Principal tags (`aws:PrincipalTag/<key>`); session tags are not part of a snapshot. */
      readonly tags: Readonly<Record<string, string>>;
      readonly missingPolicies: readonly MissingPolicy[];
      readonly warnings: readonly SnapshotProblem[];
    }
  | { readonly ok: false; readonly code: PrincipalPoliciesErrorCode; readonly message: string };

/**
 * Locates the identity-based policies and the permissions boundary of a user or role.
 *
 * Users get their inline and attached policies, then those of each group in `GroupList` order; roles
 * get theirs. Managed policies resolve to their default version. Lookup by name ignores the path
 * because IAM user and role names are unique per account whatever the path (and case-insensitively);
 * lookup by ARN accepts user ARNs, role ARNs with or without path and assumed-role session ARNs.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
 */
export function policiesForPrincipal(
  snapshot: AccountSnapshot,
  who: PrincipalSelector,
): PrincipalPoliciesResult {
  const target = 'arn' in who ? targetFromArn(who.arn, snapshot) : { ok: true as const, ...who };
  if (!target.ok) return target;
  const entity =
    target.kind === 'user'
      ? findByName(snapshot.users, target.name)
      : findByName(snapshot.roles, target.name);
  if (entity === undefined) {
    const label =
      'arn' in who ? `${target.kind} ${target.name} (from ${who.arn})` : `${target.kind} ${target.name}`;
    return {
      ok: false,
      code: 'snapshot.principalNotFound',
      message:
        // Deletion first: the likeliest for a record of an old job (a trail read months later).
        `${snapshot.source}: no ${label} in the snapshot; it may have been deleted since the event (likely, ` +
        'for an old record), created after the snapshot was taken, or left out by a filter ' +
        '(--filter User Role Group)',
    };
  }
  const locator = new PolicyLocator(snapshot);
  const principalArn = arnOf(entity, target.kind, who);
  const holder: PolicyHolder & { kind: 'user' | 'role' } = {
    kind: target.kind,
    name: entity.name,
    arn: principalArn,
  };
  locator.addEntity(entity, holder);
  if (target.kind === 'user' && 'groups' in entity) locator.addGroups(entity);
  const boundary = locator.boundary(entity, holder);
  return {
    ok: true,
    principalArn,
    principal: holder,
    identityPolicies: locator.identityPolicies,
    ...(boundary !== undefined ? { permissionsBoundary: boundary } : {}),
    tags: entity.tags,
    missingPolicies: locator.missingPolicies,
    warnings: locator.warnings,
  };
}

export type ManagedPolicyLookup =
  | {
      readonly ok: true;
      readonly policy: {
        readonly name: string;
        readonly arn: string;
        readonly path?: string;
        readonly managedBy: 'aws' | 'customer';
        /** The default version's document, the one IAM evaluates and a fix would start from. */
        readonly document: unknown;
        readonly versionId: string;
        /** Every version the snapshot holds: IAM keeps at most five, so a new one may need a deletion. */
        readonly versionIds: readonly string[];
      };
    }
  | {
      readonly ok: false;
      readonly code: 'snapshot.managedPolicyMissing' | 'snapshot.defaultVersionMissing';
      readonly message: string;
    };

/** The user or role with this ARN in the snapshot (none when the snapshot is absent or lacks it). */
export function userOrRoleByArn(
  snapshot: AccountSnapshot | undefined,
  arn: string,
): SnapshotUser | SnapshotRole | undefined {
  if (snapshot === undefined) return undefined;
  const found = snapshot.users.find((u) => u.arn === arn) ?? snapshot.roles.find((r) => r.arn === arn);
  if (found !== undefined) return found;
  // An entity whose own Arn is not an ARN goes by the ARN the event gives (see arnOf): its name.
  const target = /^arn:[^:]+:iam::\d{12}:(user|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (target === null) return undefined;
  const [, kind, name = ''] = target;
  const entities: readonly (SnapshotUser | SnapshotRole)[] =
    kind === 'user' ? snapshot.users : snapshot.roles;
  const byName = findByName(entities, name);
  return byName !== undefined && isArnPlaceholder(byName.arn) ? byName : undefined;
}

/**
 * The ARN of the user or role `entity`: its own, or, when the snapshot's `Arn` is not an ARN (a
 * warning said so), the one the event gives: a user's or role's ARN as is, a session's rebuilt as the
 * role's (`arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`, with the snapshot's path).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
function arnOf(entity: SnapshotUser | SnapshotRole, kind: 'user' | 'role', who: PrincipalSelector): string {
  if (!isArnPlaceholder(entity.arn) || !('arn' in who)) return entity.arn;
  const named = /^arn:([^:]+):(iam|sts)::(\d{12}):/.exec(who.arn);
  if (named === null) return entity.arn;
  const [, partition, service, account] = named;
  if (service === 'iam') return who.arn;
  const path = entity.path.startsWith('/') && entity.path.endsWith('/') ? entity.path : '/';
  return `arn:${partition}:iam::${account}:${kind}${path}${entity.name}`;
}

/**
 * A managed policy with the document of its default version, for the fix step (which prefers a new
 * version of an existing customer-managed policy over a new inline policy).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 */
export function managedPolicyByArn(snapshot: AccountSnapshot, arn: string): ManagedPolicyLookup {
  const policy = findPolicy(snapshot, arn);
  if (policy === undefined) {
    return {
      ok: false,
      code: 'snapshot.managedPolicyMissing',
      message: `${snapshot.source}: managed policy ${arn} is not in the snapshot's Policies list`,
    };
  }
  const version = defaultVersion(policy);
  if (version === undefined) {
    return {
      ok: false,
      code: 'snapshot.defaultVersionMissing',
      message: `${snapshot.source}: managed policy ${arn} has no default version document in the snapshot`,
    };
  }
  return {
    ok: true,
    policy: {
      name: policy.name,
      arn: policy.arn,
      ...(policy.path !== undefined ? { path: policy.path } : {}),
      managedBy: policy.managedBy,
      document: version.document,
      versionId: version.versionId,
      versionIds: policy.versions.map((v) => v.versionId),
    },
  };
}

class PolicyLocator {
  readonly identityPolicies: LocatedPolicy[] = [];
  readonly missingPolicies: MissingPolicy[] = [];
  readonly warnings: SnapshotProblem[] = [];

  constructor(private readonly snapshot: AccountSnapshot) {}

  addEntity(entity: SnapshotGroup, holder: PolicyHolder): void {
    for (const inline of entity.inlinePolicies) {
      this.identityPolicies.push({
        name: inline.name,
        document: inline.document,
        kind: 'inline',
        attachedTo: holder,
      });
    }
    for (const attachment of entity.attachedManagedPolicies) {
      const located = this.resolve(attachment, holder, 'identity');
      if (located !== undefined) this.identityPolicies.push(located);
    }
  }

  addGroups(user: SnapshotUser): void {
    for (const groupName of user.groups) {
      const group = findByName(this.snapshot.groups, groupName);
      if (group === undefined) {
        this.missingPolicies.push({
          arn: groupName,
          name: groupName,
          usage: 'group',
          attachedTo: { kind: 'user', name: user.name, arn: user.arn },
        });
        this.warnings.push({
          code: 'snapshot.groupMissing',
          message: `${this.snapshot.source}: user ${user.name} is in group ${groupName}, which the snapshot lacks; its policies are not evaluated`,
          source: this.snapshot.source,
        });
        continue;
      }
      this.addEntity(group, { kind: 'group', name: group.name, arn: group.arn });
    }
  }

  boundary(entity: SnapshotUser | SnapshotRole, holder: PolicyHolder): LocatedPolicy | undefined {
    const arn = entity.permissionsBoundaryArn;
    if (arn === undefined) return undefined;
    return this.resolve({ arn, name: arn.slice(arn.lastIndexOf('/') + 1) }, holder, 'permissions-boundary');
  }

  private resolve(
    attachment: PolicyAttachment,
    holder: PolicyHolder,
    usage: MissingPolicy['usage'],
  ): LocatedPolicy | undefined {
    const policy = findPolicy(this.snapshot, attachment.arn);
    const version = policy === undefined ? undefined : defaultVersion(policy);
    if (policy === undefined || version === undefined) {
      this.missingPolicies.push({
        arn: attachment.arn,
        name: attachment.name,
        usage,
        attachedTo: holder,
        ...(policy !== undefined
          ? {
              // No version marked default either, when it names none (defaultVersion found none).
              defaultVersionMissing: { versionId: policy.defaultVersionId },
            }
          : {}),
      });
      const what = usage === 'permissions-boundary' ? 'permissions boundary' : 'managed policy';
      this.warnings.push({
        code: policy === undefined ? 'snapshot.managedPolicyMissing' : 'snapshot.defaultVersionMissing',
        message:
          `${this.snapshot.source}: ${what} ${attachment.name} (${attachment.arn}) of ${holder.kind} ${holder.name} ` +
          `${policy === undefined ? 'is not in the snapshot' : 'has no default version document'}; ` +
          'its effect is unknown',
        source: this.snapshot.source,
        policyArn: attachment.arn,
      });
      return undefined;
    }
    return {
      name: policy.name,
      arn: policy.arn,
      document: version.document,
      kind: 'managed',
      managedBy: policy.managedBy,
      attachedTo: holder,
      versionId: version.versionId,
    };
  }
}

type Target =
  | { readonly ok: true; readonly kind: 'user' | 'role'; readonly name: string }
  | { readonly ok: false; readonly code: PrincipalPoliciesErrorCode; readonly message: string };

/**
 * Which user or role an ARN stands for. Session ARNs carry the role name without its path.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
function targetFromArn(arn: string, snapshot: AccountSnapshot): Target {
  const match = /^arn:[^:]+:(iam|sts)::([^:]*):(.+)$/.exec(arn);
  if (match === null) {
    return { ok: false, code: 'snapshot.invalidArn', message: `${arn} is not an IAM or STS principal ARN` };
  }
  const [, service = '', account = '', resource = ''] = match;
  if (snapshot.accountId !== undefined && account !== snapshot.accountId) {
    return {
      ok: false,
      code: 'snapshot.accountMismatch',
      message: `${arn} belongs to account ${account}, but ${snapshot.source} describes account ${snapshot.accountId}`,
    };
  }
  const slash = resource.indexOf('/');
  const type = slash === -1 ? resource : resource.slice(0, slash);
  const rest = slash === -1 ? '' : resource.slice(slash + 1);
  if (service === 'iam' && (type === 'user' || type === 'role') && rest !== '') {
    return { ok: true, kind: type, name: rest.slice(rest.lastIndexOf('/') + 1) };
  }
  if (service === 'sts' && type === 'assumed-role' && rest.includes('/')) {
    return { ok: true, kind: 'role', name: rest.slice(0, rest.indexOf('/')) };
  }
  const unsupported = UNSUPPORTED_PRINCIPALS[`${service}:${type}`];
  if (unsupported !== undefined) {
    return { ok: false, code: 'snapshot.unsupportedPrincipal', message: `${arn}: ${unsupported}` };
  }
  return {
    ok: false,
    code: 'snapshot.invalidArn',
    message: `${arn} is not a user, role or assumed-role ARN`,
  };
}

/**
 * Principals that have an ARN but no policies of their own in an authorization-details snapshot.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
const UNSUPPORTED_PRINCIPALS: Readonly<Record<string, string>> = {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html: identity policies do not apply.
  'iam:root': 'the root user has no identity-based policies to look up',
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html: the session gets
  // the intersection of the calling user's policies and the session policy; the ARN does not name the user.
  'sts:federated-user':
    'a federated user session has the policies of the IAM user that created it; look that user up',
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html: "A user group is not truly an identity".
  'iam:group': 'a group is not a principal; look up one of its users',
};

/** Exact name first; IAM names are unique case-insensitively, so a case-only difference still finds it. */
function findByName<T extends { readonly name: string }>(
  entities: readonly T[],
  name: string,
): T | undefined {
  const lower = name.toLowerCase();
  return entities.find((e) => e.name === name) ?? entities.find((e) => e.name.toLowerCase() === lower);
}

function findPolicy(snapshot: AccountSnapshot, arn: string): SnapshotManagedPolicy | undefined {
  return snapshot.managedPolicies.find((p) => p.arn === arn);
}
