/**
 * Finds and compiles the policies AWS evaluates for a caller on a bucket, from the explain context.
 * Compiled sets are cached per principal and bucket policy: a failed job produces many events with the same pair.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import type { Principal } from '../cloudtrail/types.js';
import type { PolicySet } from '../policy/evaluate.js';
import { managementAccountOf } from '../policy/evaluationPlan.js';
import { createPolicyCache, type PolicyCache } from '../policy/simulation.js';
import type { ContextValue } from '../policy/types.js';
import { policiesForPrincipal } from '../snapshot/principalPolicies.js';
import type { LocatedPolicy, MissingPolicy } from '../snapshot/types.js';
import type { ExplainContext } from './context.js';

/** The principal as the engine sees it, plus what the snapshot says about it. */
export interface ResolvedPolicies {
  /** The ARN (or `anonymous`, or a service principal) passed to the engine. */
  readonly enginePrincipal: string;
  /** ARN of the user or role whose policies were found (role ARN with path for sessions). */
  readonly identityArn?: string;
  readonly set: PolicySet;
  /** True when identity policies were found in the snapshot. */
  readonly identityKnown: boolean;
  readonly identityPolicies: readonly LocatedPolicy[];
  readonly boundary?: LocatedPolicy;
  readonly missingPolicies: readonly MissingPolicy[];
  /**
   * Extra context keys AWS would supply for this caller (`aws:PrincipalArn` with path, principal tags);
   * an empty list for a key whose value the record does not show (see {@link UNKNOWN_VALUE}).
   */
  readonly context: Readonly<Record<string, ContextValue>>;
  /** Why identity policies are unknown, when they are. */
  readonly identityGap?: string;
  readonly bucketPolicyKnown: boolean;
  /**
   * The organization policies given that were left out, and why: SCPs govern the principals of their
   * organization's accounts, RCPs its resources, and the input shows only the snapshot's account.
   */
  readonly organizationNotes: readonly string[];
}

/**
 * The value of a context key the record does not show: no value, so a condition on it is not met, and a
 * Deny's is unknown (the engine's `unknownKeys`), not taken to hold.
 */
const UNKNOWN_VALUE: readonly string[] = [];

/**
 * `aws:PrincipalType` from a principal ID's form: a role session's `AROA…:session`, an IAM user's
 * `AIDA…`, a federated user's `ACCOUNT:name`, the root user's account ID; `undefined` for another form.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 */
function principalTypeOfId(principalId: string | undefined): string | undefined {
  if (principalId === undefined) return undefined;
  if (principalId.startsWith('AROA')) return 'AssumedRole';
  if (principalId.startsWith('AIDA')) return 'User';
  if (/^\d{12}$/.test(principalId)) return 'Account';
  if (/^\d{12}:/.test(principalId)) return 'FederatedUser';
  return undefined;
}

function enginePrincipalFor(principal: Principal): string {
  switch (principal.type) {
    case 'Anonymous':
      return 'anonymous';
    case 'AWSService':
      return principal.name ?? principal.arn ?? 'unknown-service.amazonaws.com';
    default:
      // A cross-account caller recorded only by its account (AWSAccount without an ARN) can only match
      // grants to that whole account: evaluate it as the account's principal.
      return (
        principal.arn ??
        principal.policyPrincipalArn ??
        (principal.account !== undefined ? `arn:aws:iam::${principal.account}:root` : 'unknown')
      );
  }
}

/**
 * Whether `account` is the snapshot's, or either is unknown: the SCPs and RCPs given are taken as its
 * organization's, and the policies of a caller of another account are not in the input.
 */
export function inSnapshotAccount(context: ExplainContext, account: string | undefined): boolean {
  const snapshotAccount = context.snapshot?.accountId;
  return snapshotAccount === undefined || account === undefined || account === snapshotAccount;
}

export class PolicyResolver {
  readonly #context: ExplainContext;
  readonly #cache: PolicyCache = createPolicyCache();
  readonly #sets = new WeakMap<Principal, Map<string, ResolvedPolicies>>();
  /** The organization's management account, named by the ARN of an SCP or RCP given (see {@link managementAccountOf}). */
  readonly #managementAccount: string | undefined;

  constructor(context: ExplainContext) {
    this.#context = context;
    this.#managementAccount = managementAccountOf(
      [...context.scpLevels, ...context.rcpLevels].flat().map((policy) => policy.arn),
    );
  }

  get compiledPolicyCache(): PolicyCache {
    return this.#cache;
  }

  /**
   * The RCPs given, compiled, for a resource of `account` (a KMS key): they are taken as the snapshot
   * account's organization's, so another account's resource gets none, and neither does one of the
   * management account, which RCPs do not affect (the engine exempts it too, by `managementAccount`).
   */
  rcpLevelsFor(account: string | undefined): PolicySet['rcpLevels'] {
    if (
      this.#context.rcpLevels.length === 0 ||
      !inSnapshotAccount(this.#context, account) ||
      (account !== undefined && account === this.#managementAccount)
    )
      return [];
    return this.#context.rcpLevels.map((level, l) =>
      level.map((p, i) => this.#cache.compile(p, { policyType: 'rcp', policyIndex: i, level: l })),
    );
  }

  /**
   * `resourceAccount`: the bucket owner's account, when known (the RCPs given are only for the snapshot's).
   * `sameOrganization`: the record shows the caller and the bucket in one organization (see
   * {@link FindingBuilder}), whose SCPs and RCPs are then those given, whichever account the snapshot is.
   */
  resolve(
    principal: Principal,
    bucket: string | undefined,
    resourceAccount?: string,
    sameOrganization = false,
  ): ResolvedPolicies {
    // Per principal object (normalised principals are shared by all events of a caller), then per bucket
    // policy: buckets without one give the same set, so one entry serves them all, and so do the
    // evaluation plans and fix caches kept per set.
    const withPolicy = bucket !== undefined && this.#context.bucketPolicies.has(bucket);
    let byBucket = this.#sets.get(principal);
    if (byBucket === undefined) {
      byBucket = new Map();
      this.#sets.set(principal, byBucket);
    }
    const rcpsApply = sameOrganization || inSnapshotAccount(this.#context, resourceAccount);
    // A set without the RCPs names the bucket's account in its caveat: one per account; so does one
    // whose organization the record shows.
    const bucketKey = `${withPolicy ? bucket : ''}${rcpsApply ? '' : `|outside|${resourceAccount}`}${sameOrganization ? `|organization|${resourceAccount}` : ''}`;
    let resolved = byBucket.get(bucketKey);
    if (resolved === undefined) {
      resolved = this.#resolveUncached(
        principal,
        withPolicy ? bucket : undefined,
        rcpsApply,
        resourceAccount,
        sameOrganization,
      );
      byBucket.set(bucketKey, resolved);
    }
    return resolved;
  }

  #resolveUncached(
    principal: Principal,
    bucket: string | undefined,
    rcpsApply: boolean,
    resourceAccount: string | undefined,
    sameOrganization: boolean,
  ): ResolvedPolicies {
    const { snapshot } = this.#context;
    const bucketPolicy = bucket === undefined ? undefined : this.#context.bucketPolicies.get(bucket);
    const lookupArn = principal.policyPrincipalArn ?? principal.roleArn ?? principal.arn;
    let identityPolicies: readonly LocatedPolicy[] = [];
    let boundary: LocatedPolicy | undefined;
    let missingPolicies: readonly MissingPolicy[] = [];
    let identityArn: string | undefined;
    const context: Record<string, ContextValue> = {};
    let identityGap: string | undefined;
    const canHaveIdentityPolicies = !['Anonymous', 'AWSService', 'Root'].includes(principal.type);

    // A federated user the root user issued (GetFederationToken with root credentials): its issuer has
    // full access in its own account, so only the session policy (not logged), SCPs and resource policies
    // limit it.
    const rootIssued =
      principal.type === 'FederatedUser' && /:root$/.test(principal.policyPrincipalArn ?? '');
    if (!canHaveIdentityPolicies || rootIssued) {
      // Root has no identity policies; anonymous and service callers are governed by resource policies.
    } else if (snapshot === undefined) {
      identityGap = 'no account snapshot was given (--account-snapshot)';
    } else if (lookupArn === undefined) {
      identityGap = 'the event does not name the caller';
    } else {
      const found = policiesForPrincipal(snapshot, { arn: lookupArn });
      if (found.ok) {
        identityPolicies = found.identityPolicies;
        if (found.permissionsBoundary !== undefined) boundary = found.permissionsBoundary;
        missingPolicies = found.missingPolicies;
        identityArn = found.principalArn;
        if (found.principal.kind === 'role') context['aws:PrincipalArn'] = found.principalArn;
        for (const [tag, value] of Object.entries(found.tags)) context[`aws:PrincipalTag/${tag}`] = value;
      } else {
        identityGap = found.message;
      }
    }
    // A role ARN rebuilt from a session's (the record names no sessionIssuer, the snapshot not the role)
    // lacks the role's path: aws:PrincipalArn is not known, only the role's name.
    if (identityArn === undefined && principal.roleArn !== undefined)
      context['aws:PrincipalArn'] = principal.roleArnFromSession === true ? UNKNOWN_VALUE : principal.roleArn;
    // A caller CloudTrail names by its account alone is evaluated as the account's principal: its type
    // is its principal ID's, not the root user's the engine would derive from that ARN, and its ARN is
    // not known.
    const placeholder = principal.type !== 'Root' && enginePrincipalFor(principal).endsWith(':root');
    const typeById = placeholder ? principalTypeOfId(principal.principalId) : undefined;
    if (typeById !== undefined) context['aws:PrincipalType'] = typeById;
    if (typeById !== undefined && typeById !== 'Account') context['aws:PrincipalArn'] = UNKNOWN_VALUE;

    const cache = this.#cache;
    const compileLevels = (levels: ExplainContext['scpLevels'], policyType: 'scp' | 'rcp') =>
      levels.map((level, l) =>
        level.map((p, i) => cache.compile(p, { policyType, policyIndex: i, level: l })),
      );
    // SCPs restrict the principals of their organization's accounts, RCPs its resources: those given
    // are taken as the snapshot account's organization's, which need not hold another account.
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
    const management = this.#managementAccount;
    // SCPs "don't affect users or roles in the management account", RCPs "don't affect resources in the
    // management account": the ARNs of the policies given name it.
    const callerManages = management !== undefined && principal.account === management;
    const bucketManaged = management !== undefined && resourceAccount === management;
    const callerInSnapshotAccount = inSnapshotAccount(this.#context, principal.account);
    const scpsApply = (sameOrganization || callerInSnapshotAccount) && !callerManages;
    const snapshotAccount = snapshot?.accountId ?? 'unknown';
    const organizationNotes: string[] = [];
    // S3 names the kind of policy that refused a request in its message only within one account or one
    // organization: a caller or bucket of another account than the snapshot's is then in its organization.
    const joined = [
      ...(!callerInSnapshotAccount && !callerManages && this.#context.scpLevels.length > 0 ? ['SCPs'] : []),
      ...(!inSnapshotAccount(this.#context, resourceAccount) && this.#context.rcpLevels.length > 0
        ? ['RCPs']
        : []),
    ];
    if (sameOrganization && joined.length > 0) {
      const other = callerInSnapshotAccount ? resourceAccount : principal.account;
      const deeper =
        (joined.includes('SCPs') && this.#context.scpLevels.length > 1) ||
        (joined.includes('RCPs') && this.#context.rcpLevels.length > 1);
      organizationNotes.push(
        `The ${joined.join(' and ')} given were evaluated although account ${other} is not the snapshot's (${snapshotAccount}): AWS's message names the kind of policy that refused the request, which S3 does only for requests within one account or one organization (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html), so both accounts are in the organization those policies belong to.${deeper ? ` Only the root's level (the first given) is known to apply to account ${other}: the levels below it are the snapshot account's OUs and its own, and that account's may be others (give them with --scp or --rcp in a run on its own snapshot).` : ''}`,
      );
    }
    if (callerManages && this.#context.scpLevels.length > 0)
      organizationNotes.push(
        `The SCPs given (--scp) do not restrict this caller: account ${management} is the organization's management account (the ARNs of the policies given name it), and SCPs do not affect users or roles in the management account (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).`,
      );
    if (bucketManaged && rcpsApply && this.#context.rcpLevels.length > 0)
      organizationNotes.push(
        `The RCPs given (--rcp) do not restrict this bucket: its account ${management} is the organization's management account (the ARNs of the policies given name it), and RCPs do not affect resources in the management account (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).`,
      );
    if (!scpsApply && !callerManages && this.#context.scpLevels.length > 0)
      organizationNotes.push(
        `The SCPs given (--scp) were left out of the evaluation: they are taken as those of account ${snapshotAccount}'s organization (the snapshot's), and the caller is in account ${principal.account}, which only its own organization's SCPs restrict; those, if any, are not in the input.`,
      );
    if (!rcpsApply && this.#context.rcpLevels.length > 0)
      organizationNotes.push(
        `The RCPs given (--rcp) were left out of the evaluation: they are taken as those of account ${snapshotAccount}'s organization (the snapshot's), and the bucket is in account ${resourceAccount}, which only its own organization's RCPs restrict; those, if any, are not in the input.`,
      );
    const set: PolicySet = {
      identity: rootIssued
        ? [
            cache.compile(
              {
                name: "the issuing root user's full access",
                document: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
                },
              },
              { policyType: 'identity', policyIndex: 0 },
            ),
          ]
        : identityPolicies.map((p, i) => cache.compile(p, { policyType: 'identity', policyIndex: i })),
      // For an account of the organization other than the snapshot's, only the root's level (the first)
      // is known to apply: the levels below it are the snapshot account's OUs and its own.
      scpLevels: scpsApply
        ? compileLevels(
            callerInSnapshotAccount ? this.#context.scpLevels : this.#context.scpLevels.slice(0, 1),
            'scp',
          )
        : [],
      rcpLevels:
        rcpsApply && !bucketManaged
          ? compileLevels(
              inSnapshotAccount(this.#context, resourceAccount)
                ? this.#context.rcpLevels
                : this.#context.rcpLevels.slice(0, 1),
              'rcp',
            )
          : [],
      ...(management !== undefined ? { managementAccount: management } : {}),
      ...(boundary !== undefined
        ? {
            permissionsBoundary: cache.compile(boundary, {
              policyType: 'permissions-boundary',
              policyIndex: 0,
            }),
          }
        : {}),
      ...(bucketPolicy !== undefined
        ? {
            resource: cache.compile(
              { name: `${bucket} bucket policy`, document: bucketPolicy },
              { policyType: 'resource', policyIndex: 0 },
            ),
          }
        : {}),
    };
    return {
      enginePrincipal: enginePrincipalFor(principal),
      ...(identityArn !== undefined ? { identityArn } : {}),
      set,
      identityKnown: identityGap === undefined && canHaveIdentityPolicies,
      identityPolicies,
      ...(boundary !== undefined ? { boundary } : {}),
      missingPolicies,
      context,
      ...(identityGap !== undefined ? { identityGap } : {}),
      bucketPolicyKnown: bucketPolicy !== undefined,
      organizationNotes,
    };
  }
}
