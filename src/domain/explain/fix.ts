/**
 * Builds the minimal fix for a denied finding, decides where it goes (an existing customer-managed
 * policy, a new inline policy, the boundary, the bucket policy), and verifies it with the engine:
 * with the fix applied every denied request is Allowed, and no other S3 action or resource becomes
 * newly allowed.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

import type { Principal } from '../cloudtrail/types.js';
import { isJsonObject } from '../json/jsonValue.js';
import { plural } from '../plural.js';
import { lowerCaseAction } from '../policy/actionName.js';
import { isAwsManagedPolicyArn, partitionOfArn } from '../policy/arnPartition.js';
import {
  decisionWithAddedIdentityPolicy,
  evaluate,
  evaluateWithAddedIdentityPolicy,
  type PolicySet,
  policiesOf,
  policyAllows,
} from '../policy/evaluate.js';
import type { CompiledPolicy } from '../policy/parsePolicy.js';
import { decodePolicyDocument } from '../policy/policyDocument.js';
import type { PolicyCache } from '../policy/simulation.js';
import type {
  AuthorizationRequest,
  ContextValue,
  Decision,
  EvaluationResult,
  PolicyType,
  StatementExplanation,
} from '../policy/types.js';
import { parseTemplate, resolveTemplateTokens } from '../policy/variables.js';
import { compileArnPattern, type Matcher, tokenizeWildcards } from '../policy/wildcard.js';
import {
  deliveryLayoutDoc,
  deliveryNaming,
  deliveryPrefix,
  organizationInKey,
  reportSourceInKey,
  sourceAccountInKey,
} from '../s3/logDelivery.js';
import { isS3Action } from '../s3/s3Location.js';
import { shellWord } from '../shell.js';
import { hasAllowStatement } from '../snapshot/controlPolicies.js';
import { managedPolicyByArn, userOrRoleByArn } from '../snapshot/principalPolicies.js';
import type {
  AccountSnapshot,
  ControlPolicy,
  LocatedPolicy,
  PolicyHolder,
  PolicyLevel,
  SnapshotGroup,
  SnapshotRole,
  SnapshotUser,
} from '../snapshot/types.js';
import { bucketArnOf, literalArnPart } from '../tools/jobResourceArns.js';
import { accessManagementCaveat } from './accessManagement.js';
import {
  conditionVariableNote,
  isUnknownIn,
  isUnloggedCallerKey,
  isUnloggedKey,
  MEET_ANY,
  type MeetFacts,
  meetFactsOf,
  meetHint,
  statementOf,
  unloggedKeyDescription,
} from './denyAdvice.js';
import { lineDiff } from './lineDiff.js';
import {
  datedDirectoryCaveat,
  datedPrefixAbove,
  type GrantRequest,
  listPrefixPattern,
  minimalStatements,
  rootLevelKeysCaveat,
  wholeBucketCaveat,
} from './minimalStatements.js';
import type { ResolvedPolicies } from './policyResolver.js';
import {
  BUCKET_POLICY_QUOTA_BYTES,
  boundaryTooLargeNote,
  bucketPolicyBytes,
  bucketPolicyTooLargeNote,
  iamPolicySize,
  inlinePolicyQuota,
  inlineTooLargeNote,
  MANAGED_POLICY_QUOTA,
  movedFromTooLargeNote,
  OverQuotaNotes,
  overQuotaLine,
  PERMISSION_SET_INLINE_POLICY,
  PERMISSION_SET_INLINE_QUOTA,
  permissionSetTooLargeNote,
  permissionSetTooLargeReason,
  SERVICE_CONTROL_POLICY_QUOTA,
  scpSize,
  scpTooLargeNote,
} from './policySize.js';
import type { AdditionalChange, Fix, PolicyStatement } from './report.js';
import { giveBucketPolicy } from './summary.js';
import { literalVariableVersionFix } from './versionFix.js';

export interface DeniedRequestForFix extends GrantRequest {
  readonly context: Readonly<Record<string, ContextValue>>;
  /**
   * The request as the finding evaluated it, when it is exactly the one verification would build (the
   * resolved engine principal, the input's resource account, `context` plus the resolved extra keys).
   */
  readonly evaluated?: AuthorizationRequest;
  /** The result of evaluating `evaluated` against the resolved policy set, when the finding has it. */
  readonly result?: EvaluationResult;
  /**
   * The operation an s3:ListBucket request is S3's own check for (`HeadObject`: a read of a key that may
   * not exist, see MISSING_KEY_403), not a listing the client made: it carries no s3:prefix the client
   * could choose.
   */
  readonly listingFor?: string;
}

export interface FixInput {
  readonly kind: 'identity' | 'boundary' | 'bucket-policy' | 'scp';
  readonly principal: Principal;
  readonly resolved: ResolvedPolicies;
  readonly requests: readonly DeniedRequestForFix[];
  readonly bucket?: string;
  /** The bucket's partition (`aws-cn`, `aws-us-gov`…), from the denied requests' ARNs; `aws` when absent. */
  readonly partition?: string;
  readonly resourceAccount?: string;
  readonly s3Actions: readonly string[];
  readonly cache: PolicyCache;
  readonly snapshot?: AccountSnapshot;
  /** The RCPs that govern a resource of an account (a KMS key's), when they differ by account. */
  readonly rcpLevelsFor?: (account: string | undefined) => PolicySet['rcpLevels'];
  readonly bucketPolicyDocument?: unknown;
  /** The SCPs given, level by level (the documents the resolved set's `scpLevels` were compiled from). */
  readonly scpLevels?: readonly PolicyLevel[];
  /** Denied requests of the finding left out of `requests` on purpose (rclone's ignored root check). */
  readonly notGranted?: number;
  /** Denied requests left out because an Allow grants them only under a condition they did not meet. */
  readonly conditionGuarded?: number;
  /** Of those, the requests whose Condition the record cannot show met (a key CloudTrail does not log). */
  readonly conditionUnknown?: number;
  /** Denied requests left out of a bucket-policy fix because they are on another bucket than its own. */
  readonly onOtherBuckets?: number;
}

export interface FixOutcome {
  readonly fix: Fix | null;
  readonly caveats: readonly string[];
}

const POLICY_VERSION = '2012-10-17';
const FIX_SID = 'PermissionAuditorFix';

function statementsToDocument(statements: readonly PolicyStatement[]): Record<string, unknown> {
  return { Version: POLICY_VERSION, Statement: statements.map((s) => ({ ...s })) };
}

/** True when an Allow statement of the policy grants some S3 action on the bucket or its objects (not via `*`). */
function grantsOnBucket(policy: CompiledPolicy, bucketArn: string): boolean {
  const probes = [bucketArn, `${bucketArn}/permission-auditor-probe`];
  return policy.statements.some(
    (s) =>
      s.effect === 'Allow' &&
      !s.notAction &&
      !s.notResource &&
      s.actions.some((a) => a.raw.toLowerCase().startsWith('s3:')) &&
      s.resources.some(
        (r) =>
          r.raw === probes[0] ||
          r.raw.startsWith(`${probes[0]}/`) ||
          (r.raw !== '*' && r.matcher !== undefined && probes.some((p) => r.matcher?.(p))),
      ),
  );
}

/** `statements`, each with a `PermissionAuditorFix<n>` Sid that no statement of `existing` has. */
export function withSids(
  existing: readonly unknown[],
  statements: readonly PolicyStatement[],
): PolicyStatement[] {
  const taken = new Set(
    existing
      .map((s) => (typeof s === 'object' && s !== null ? (s as { Sid?: unknown }).Sid : undefined))
      .filter((s) => typeof s === 'string'),
  );
  let n = 1;
  return statements.map((s) => {
    while (taken.has(`${FIX_SID}${n}`)) n++;
    const sid = `${FIX_SID}${n}`;
    taken.add(sid);
    return { Sid: sid, ...s };
  });
}

function appendStatements(
  document: unknown,
  statements: readonly PolicyStatement[],
): { before: Record<string, unknown>; after: Record<string, unknown> } | undefined {
  const decoded = decodePolicyDocument(document);
  if (!decoded.ok) return undefined;
  const before = decoded.document;
  const existing = Array.isArray(before.Statement)
    ? before.Statement
    : before.Statement === undefined
      ? []
      : [before.Statement];
  return {
    before,
    after: {
      ...before,
      ...versionAfterEdit(before),
      Statement: [...existing, ...withSids(existing, statements)],
    },
  };
}

/**
 * The Version of an edited document: 2012-10-17 (which the added statements are written for), unless the
 * document has another (or none, which IAM reads as 2008-10-17) and holds a `${`: under 2012-10-17 that
 * would become a policy variable, and its statements would grant something else. The document then keeps
 * its own, and statements that need 2012-10-17 do not go into it (see {@link needsCurrentVersion}).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
 */
function versionAfterEdit(before: Record<string, unknown>): { Version?: unknown } {
  if (before.Version === POLICY_VERSION || !JSON.stringify(before).includes('${'))
    return { Version: POLICY_VERSION };
  return before.Version === undefined ? {} : { Version: before.Version };
}

/** Whether statements added to a document under `version` would not mean what they say (`${*}` escapes, variables). */
function needsCurrentVersion(version: unknown, statementsKey: string): boolean {
  return version !== POLICY_VERSION && statementsKey.includes('${');
}

interface Placement {
  readonly fix: Omit<Fix, 'verified' | 'verification'>;
  /** Why the change is not where it would be expected (a shared managed policy left alone). */
  readonly note?: string;
  /** Why IAM or S3 would refuse the changed document (over its size quota): the fix is then not verified. */
  readonly overQuota?: string;
  readonly patched: PolicySet;
  /** The identity policy `patched` appends to the resolved set's identity policies, when that is the change. */
  readonly addedIdentity?: CompiledPolicy;
}

/** A policy document with the fix's statements added: the same for every principal the document serves. */
interface PolicyEdit {
  /** What the evaluation adds: the added statements alone, or the whole new document. */
  readonly compiled: CompiledPolicy;
  readonly newDocument: Record<string, unknown>;
  readonly diff?: string;
}

/**
 * Edits per batch (its policy cache), per edited document, per place and statements. Users and roles that
 * share a managed policy or a boundary, or are denied the same requests, get the same change: it is
 * written, diffed and compiled once (on the bench trail, 455 distinct changes serve 2,916 fixes).
 */
const editsByCache = new WeakMap<PolicyCache, WeakMap<object, Map<string, PolicyEdit | undefined>>>();

/** The fix's own inline document has no document to edit: its edits are kept under this key. */
const NEW_INLINE_POLICY = {};

function sharedEdit(
  cache: PolicyCache,
  document: unknown,
  key: string,
  edit: () => PolicyEdit | undefined,
): PolicyEdit | undefined {
  if (typeof document !== 'object' || document === null) return edit();
  let byDocument = editsByCache.get(cache);
  if (byDocument === undefined) {
    byDocument = new WeakMap();
    editsByCache.set(cache, byDocument);
  }
  let byKey = byDocument.get(document);
  if (byKey === undefined) {
    byKey = new Map();
    byDocument.set(document, byKey);
  }
  if (byKey.has(key)) return byKey.get(key);
  const made = edit();
  byKey.set(key, made);
  return made;
}

function roleOrUserArn(input: FixInput): string {
  return (
    input.resolved.identityArn ??
    input.principal.policyPrincipalArn ??
    input.principal.roleArn ??
    input.principal.arn ??
    'unknown'
  );
}

/**
 * `statements` added to an identity policy the principal already has (a customer-managed policy, or an
 * earlier fix's inline policy). Identity statements combine across policies exactly as within one
 * policy, so the new document is evaluated as the compiled original plus its added statements (under the
 * original's Version, which decides whether `${*}` in a resource is a policy variable).
 */
function appendedIdentityEdit(
  input: FixInput,
  located: LocatedPolicy,
  statements: readonly PolicyStatement[],
  key: string,
): PolicyEdit | undefined {
  return sharedEdit(input.cache, located.document, key, () => {
    const edited = appendStatements(located.document, statements);
    if (edited === undefined) return undefined;
    const compiled = input.cache.compile(
      {
        name: located.name,
        ...(located.arn !== undefined ? { arn: located.arn } : {}),
        document: { Version: edited.after.Version, Statement: statements },
      },
      { policyType: 'identity', policyIndex: input.resolved.set.identity.length },
    );
    const before = JSON.stringify(edited.before, null, 2);
    const after = JSON.stringify(edited.after, null, 2);
    return { compiled, newDocument: edited.after, diff: lineDiff(before, after) };
  });
}

/** `statements` placed as an identity fix of the caller is, for grants other than S3's (a KMS key's use). */
export function placeIdentityStatements(
  input: FixInput,
  statements: readonly PolicyStatement[],
): Pick<Placement, 'fix' | 'note' | 'overQuota' | 'patched'> {
  return placeIdentity(input, statements, JSON.stringify(statements));
}

/** `statements` added to the caller's permissions boundary, as a boundary fix is (a KMS key's use too). */
export function placeBoundaryStatements(
  input: FixInput,
  statements: readonly PolicyStatement[],
): Pick<Placement, 'fix' | 'note' | 'overQuota' | 'patched'> | string {
  return placeBoundary(input, statements, JSON.stringify(statements));
}

/** The notes given, in order, as one; `undefined` for none. */
function joinedNotes(...notes: readonly (string | undefined)[]): string | undefined {
  const given = notes.filter((note) => note !== undefined);
  return given.length > 0 ? given.join(' ') : undefined;
}

/** The user or role a new inline policy goes to, as the snapshot names it (`undefined` when it has none). */
function inlineHolder(input: FixInput): PolicyHolder | undefined {
  const arn = input.resolved.identityArn;
  if (arn === undefined) return undefined;
  const owned = input.resolved.identityPolicies.find(
    (p) => p.attachedTo.kind !== 'group' && p.attachedTo.arn === arn,
  );
  if (owned !== undefined) return owned.attachedTo;
  const kind = arn.includes(':user/') ? 'user' : arn.includes(':role/') ? 'role' : undefined;
  return kind === undefined ? undefined : { kind, name: arn.slice(arn.lastIndexOf('/') + 1), arn };
}

/** How many managed policies the snapshot shows attached to the user or role (0 when it does not hold it). */
function attachedPolicyCount(snapshot: AccountSnapshot | undefined, arn: string): number {
  return userOrRoleByArn(snapshot, arn)?.attachedManagedPolicies.length ?? 0;
}

/**
 * The caveat when the holder's inline policies, with `newDocument` in place of `replaced` (an earlier
 * fix's policy it extends) or beside them, would be over IAM's quota for them together.
 */
function inlineQuotaNote(
  policies: readonly LocatedPolicy[],
  holder: PolicyHolder,
  newDocument: unknown,
  replaced: LocatedPolicy | undefined,
  attachedPolicies: number,
): { readonly caveat: string; readonly reason: string } | undefined {
  let size = iamPolicySize(newDocument);
  for (const p of policies) {
    if (p.kind !== 'inline' || p === replaced || p.attachedTo.arn !== holder.arn) continue;
    size += iamPolicySize(p.document);
  }
  const quota = inlinePolicyQuota(holder.kind);
  return size > quota
    ? {
        caveat: inlineTooLargeNote(holder, size, attachedPolicies),
        reason: `the inline policies of ${holder.kind} ${holder.name} would be ${size.toLocaleString('en-US')} characters together (white space aside), over IAM's quota of ${quota.toLocaleString('en-US')}`,
      }
    : undefined;
}

function placeIdentity(
  input: FixInput,
  statements: readonly PolicyStatement[],
  statementsKey: string,
): Placement {
  const { resolved, bucket } = input;
  const set = resolved.set;
  // The customer-managed policy that already grants S3 on the bucket, unless it also serves others: a
  // new version would grant them the same. One whose new version would be over IAM's quota is passed
  // over for the next such policy; with none left, the statements go elsewhere, saying why.
  let shared: { policy: LocatedPolicy; others: readonly OtherHolder[] } | undefined;
  // The added policy is evaluated after the set's identity policies: its place is part of the edit.
  const key = `${set.identity.length}|${statementsKey}`;
  let tooLarge: string | undefined;
  const policies = bucket === undefined ? [] : resolved.identityPolicies;
  for (let i = 0; i < policies.length; i++) {
    const located = policies[i]!;
    const { arn } = located;
    if (
      located.kind !== 'managed' ||
      located.managedBy !== 'customer' ||
      arn === undefined ||
      set.identity[i] === undefined ||
      !grantsOnBucket(set.identity[i]!, bucketArnOf(bucket!, input.partition))
    )
      continue;
    const others = input.snapshot === undefined ? [] : otherHolders(input.snapshot, arn, located.attachedTo);
    if (others.length > 0) {
      shared ??= { policy: located, others };
      continue;
    }
    const edit = appendedIdentityEdit(input, located, statements, key);
    if (edit === undefined) break;
    if (needsCurrentVersion(edit.newDocument.Version, statementsKey)) {
      tooLarge ??= oldVersionNote(located.name, edit.newDocument.Version);
      continue;
    }
    const size = iamPolicySize(edit.newDocument);
    if (size > MANAGED_POLICY_QUOTA) {
      tooLarge ??= movedFromTooLargeNote(located.name, size);
      continue;
    }
    // A customer managed policy an IAM Identity Center role holds is one its permission set references:
    // every user assigned to that permission set in this account gets the statements.
    const sharedBySet =
      input.principal.type === 'IdentityCenter'
        ? `${located.name} is a customer managed policy the permission set${input.principal.permissionSet !== undefined ? ` ${input.principal.permissionSet}` : ''} references: a new version reaches every user and group assigned to the permission set in this account (each account it is provisioned to holds its own ${located.name}). If a directory in the statements is the refused user's own, scope it per user instead, with attributes for access control (a Resource such as \`users/\${aws:PrincipalTag/userName}/*\`: https://docs.aws.amazon.com/singlesignon/latest/userguide/abac.html).`
        : undefined;
    const note = joinedNotes(tooLarge, sharedBySet);
    return {
      ...(note !== undefined ? { note } : {}),
      fix: {
        attachTo: arn,
        attachKind: 'managed-policy-version',
        policyArn: arn,
        policyName: located.name,
        statements,
        newDocument: edit.newDocument,
        ...(edit.diff !== undefined ? { diff: edit.diff } : {}),
      },
      patched: { ...set, identity: [...set.identity, edit.compiled] },
      addedIdentity: edit.compiled,
    };
  }
  const identityCenter = input.principal.type === 'IdentityCenter';
  if (identityCenter) return permissionSetPlacement(input, statements, key, tooLarge, shared);
  // An earlier fix's inline policy (the snapshot was taken after it was applied): a new document of the
  // same name would replace it, so the new statements are added to it.
  const earlier = resolved.identityPolicies.findIndex(
    (p: LocatedPolicy) => p.kind === 'inline' && p.name === FIX_SID && p.attachedTo.kind !== 'group',
  );
  const earlierPolicy = earlier < 0 ? undefined : resolved.identityPolicies[earlier];
  const earlierEdit =
    earlierPolicy === undefined ? undefined : appendedIdentityEdit(input, earlierPolicy, statements, key);
  const replaced = earlierEdit === undefined ? undefined : earlierPolicy;
  const edit = earlierEdit ?? newInlineEdit(input, statements, key);
  const holder = replaced?.attachedTo ?? inlineHolder(input);
  const note = joinedNotes(
    shared !== undefined ? sharedPolicyNote(shared.policy, shared.others) : undefined,
    tooLarge,
  );
  const overQuota =
    holder === undefined
      ? undefined
      : inlineQuotaNote(
          resolved.identityPolicies,
          holder,
          edit.newDocument,
          replaced,
          attachedPolicyCount(input.snapshot, holder.arn),
        );
  return {
    ...(note !== undefined ? { note } : {}),
    ...(overQuota !== undefined ? { overQuota: overQuota.caveat } : {}),
    fix: {
      attachTo: roleOrUserArn(input),
      attachKind: 'inline-policy',
      policyName: FIX_SID,
      statements,
      newDocument: edit.newDocument,
      ...(edit.diff !== undefined ? { diff: edit.diff } : {}),
      ...(overQuota !== undefined ? { overQuota: overQuota.reason } : {}),
    },
    patched: { ...set, identity: [...set.identity, edit.compiled] },
    addedIdentity: edit.compiled,
  };
}

/** The statements as a new inline policy of their own, shared per batch like every edit. */
function newInlineEdit(input: FixInput, statements: readonly PolicyStatement[], key: string): PolicyEdit {
  const { cache } = input;
  return sharedEdit(cache, NEW_INLINE_POLICY, key, () => {
    const newDocument = statementsToDocument(statements);
    const compiled = cache.compile(
      { name: FIX_SID, document: newDocument },
      { policyType: 'identity', policyIndex: input.resolved.set.identity.length },
    );
    return { compiled, newDocument };
  })!;
}

/**
 * Why a permission set's statements reach others, for its fix's note: its policy reaches every user
 * and group assigned to it, in every account it is provisioned to, as one role per account, so a grant
 * shaped by one user's requests reaches them all.
 */
function permissionSetNote(input: FixInput, statements: readonly PolicyStatement[]): string {
  const shared = `The permission set${input.principal.permissionSet !== undefined ? ` ${input.principal.permissionSet}` : ''} is shared: its policy applies to every user and group assigned to it, in every account it is provisioned to, so these statements reach them all, not only the user who was refused.`;
  const perUser = perUserStatement(input, statements);
  if (perUser !== undefined)
    return `${shared} Its ${perUser.statement} already scopes these actions per user with ${perUser.variable}, which this session carried no value for as far as the input shows: IAM Identity Center passes it as a session tag when the attribute is set in its attributes for access control. Set it there rather than granting one user's directory to everyone (https://docs.aws.amazon.com/singlesignon/latest/userguide/abac.html).`;
  return `${shared} If a directory in them is that user's own, scope it per user instead, with attributes for access control (a Resource such as \`users/\${aws:PrincipalTag/userName}/*\`: https://docs.aws.amazon.com/singlesignon/latest/userguide/abac.html).`;
}

/**
 * An Allow of the caller's policies that covers one of the fix's actions on a Resource scoped per user by
 * a principal tag (`users/${aws:PrincipalTag/userName}/*`): the per-user grant already there.
 */
function perUserStatement(
  input: FixInput,
  statements: readonly PolicyStatement[],
): { readonly statement: string; readonly variable: string } | undefined {
  // The user's own value is what IAM Identity Center's attribute would hold: the session's name (its
  // user name); without it, no statement can be said to be this user's grant.
  const user = input.principal.sessionName;
  if (user === undefined || user === '') return undefined;
  // Each action the fix grants, with the resources it grants it on (as the keys they stand for).
  const grantedOn = new Map<string, string[]>();
  for (const st of statements)
    for (const action of st.Action) {
      const lower = action.toLowerCase();
      grantedOn.set(lower, [
        ...(grantedOn.get(lower) ?? []),
        ...st.Resource.map((r) => r.replace(/\*$/, 'x')),
      ]);
    }
  for (const policy of input.resolved.set.identity)
    for (const statement of policy.statements) {
      if (statement.effect !== 'Allow' || statement.notAction || statement.notResource) continue;
      for (const resource of statement.resources) {
        const variables = [...new Set(resource.raw.match(/\$\{aws:PrincipalTag\/[^}]+\}/gi) ?? [])];
        // One tag, standing for the user: with it set to the user's name, the statement covers a
        // resource the fix grants for an action it allows.
        if (variables.length !== 1) continue;
        // A tag the role itself holds gives every session a value: the statement is not waiting for the
        // attribute, it resolves to that value (the near-miss caveat says whose the refused resources are).
        const tagKey = variables[0]!.slice(2, -1).toLowerCase();
        if (Object.keys(input.resolved.context).some((key) => key.toLowerCase() === tagKey)) continue;
        const asUser = compileArnPattern(tokenizeWildcards(resource.raw.split(variables[0]!).join(user)));
        const covers = [...grantedOn].some(
          ([action, granted]) =>
            statement.actions.some((a) => a.matcher(action)) && granted.some((r) => asUser(r)),
        );
        if (covers)
          return {
            statement: `statement ${statement.sid !== undefined ? `"${statement.sid}"` : `#${statement.index}`} of ${policy.name ?? 'its policy'}`,
            variable: variables[0]!,
          };
      }
    }
  return undefined;
}

/**
 * The statements added to the inline policy of the permission set that provisions an IAM Identity
 * Center role, when the snapshot holds that role: its inline policy as provisioned (IAM Identity Center
 * writes it to the role as {@link PERMISSION_SET_INLINE_POLICY}) plus the statements, or the statements
 * alone when the role has none. When the role's policy cannot be edited as JSON, the statements
 * alone, with no whole new document (what that policy holds is not known).
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html
 */
function permissionSetPlacement(
  input: FixInput,
  statements: readonly PolicyStatement[],
  key: string,
  tooLarge: string | undefined,
  shared: { policy: LocatedPolicy; others: readonly OtherHolder[] } | undefined,
): Placement {
  const { resolved } = input;
  const set = resolved.set;
  const provisioned = resolved.identityPolicies.find(
    (p: LocatedPolicy) =>
      p.kind === 'inline' && p.name === PERMISSION_SET_INLINE_POLICY && p.attachedTo.kind === 'role',
  );
  const edited =
    provisioned === undefined ? undefined : appendedIdentityEdit(input, provisioned, statements, key);
  const edit = edited ?? newInlineEdit(input, statements, key);
  // The role's inline policy is there but is not a document the statements can be added to.
  const currentKnown = provisioned === undefined || edited !== undefined;
  const name = input.principal.permissionSet ?? FIX_SID;
  const size = iamPolicySize(edit.newDocument);
  const over = currentKnown && size > PERMISSION_SET_INLINE_QUOTA;
  const note = joinedNotes(
    shared !== undefined ? sharedPolicyNote(shared.policy, shared.others) : undefined,
    tooLarge,
    permissionSetNote(input, statements),
  );
  return {
    ...(note !== undefined ? { note } : {}),
    ...(over ? { overQuota: permissionSetTooLargeNote(name, size) } : {}),
    fix: {
      attachTo: roleOrUserArn(input),
      attachKind: 'permission-set',
      policyName: name,
      statements,
      ...(currentKnown ? { newDocument: edit.newDocument } : {}),
      ...(edit.diff !== undefined ? { diff: edit.diff } : {}),
      ...(over ? { overQuota: permissionSetTooLargeReason(name, size) } : {}),
    },
    patched: { ...set, identity: [...set.identity, edit.compiled] },
    addedIdentity: edit.compiled,
  };
}

function placeBoundary(
  input: FixInput,
  statements: readonly PolicyStatement[],
  statementsKey: string,
): Placement | string {
  const boundary = input.resolved.boundary;
  if (boundary === undefined || boundary.arn === undefined)
    return 'the permissions boundary document is not in the snapshot';
  const { arn } = boundary;
  const edit = sharedEdit(input.cache, boundary.document, statementsKey, () => {
    const edited = appendStatements(boundary.document, statements);
    if (edited === undefined) return undefined;
    const compiled = input.cache.compile(
      { name: boundary.name, arn, document: edited.after },
      { policyType: 'permissions-boundary', policyIndex: 0 },
    );
    return {
      compiled,
      newDocument: edited.after,
      diff: lineDiff(JSON.stringify(edited.before, null, 2), JSON.stringify(edited.after, null, 2)),
    };
  });
  if (edit === undefined) return 'the permissions boundary document could not be read';
  if (needsCurrentVersion(edit.newDocument.Version, statementsKey))
    return oldVersionReason(`the permissions boundary ${boundary.name}`, edit.newDocument.Version);
  const size = iamPolicySize(edit.newDocument);
  // An AWS managed policy cannot be changed: its whole new document becomes a customer managed policy,
  // set as the caller's boundary in its place (which the engine evaluates the same).
  const awsManaged = isAwsManagedPolicyArn(arn);
  const others =
    input.snapshot === undefined || awsManaged ? [] : otherHolders(input.snapshot, arn, boundary.attachedTo);
  const refused = awsManaged
    ? `${boundary.name} is an AWS managed policy, which cannot be changed`
    : size > MANAGED_POLICY_QUOTA
      ? `the new version would be ${size.toLocaleString('en-US')} characters (white space aside), over IAM's quota of ${MANAGED_POLICY_QUOTA.toLocaleString('en-US')}`
      : undefined;
  const note = awsManaged
    ? awsManagedBoundaryNote(input, boundary.name, arn, size)
    : size > MANAGED_POLICY_QUOTA
      ? boundaryTooLargeNote(boundary.name, size)
      : undefined;
  return {
    ...(others.length > 0 ? { note: sharedBoundaryNote(boundary.name, others) } : {}),
    ...(note !== undefined ? { overQuota: note } : {}),
    fix: {
      attachTo: arn,
      attachKind: 'managed-policy-version',
      policyArn: arn,
      policyName: boundary.name,
      statements,
      newDocument: edit.newDocument,
      ...(edit.diff !== undefined ? { diff: edit.diff } : {}),
      ...(refused !== undefined ? { overQuota: refused } : {}),
    },
    patched: { ...input.resolved.set, permissionsBoundary: edit.compiled },
  };
}

/**
 * What to do with a new boundary document that cannot be a new version of the AWS managed policy it
 * comes from: create it as a customer managed policy (under a name the snapshot does not hold yet) and
 * make that the caller's permissions boundary.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
 * @see https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-permissions-boundary.html
 */
function awsManagedBoundaryNote(input: FixInput, name: string, arn: string, size: number): string {
  const holder = /^arn:(aws[a-z-]*):iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/.exec(
    input.resolved.identityArn ?? '',
  );
  const taken = new Set(input.snapshot?.managedPolicies.map((p) => p.name) ?? []);
  let copy = `${name}-with-grants`.slice(0, 128);
  for (let n = 2; taken.has(copy); n++) copy = `${name}-with-grants-${n}`.slice(0, 128);
  const file = `${arn.slice(arn.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9._-]/g, '-')}.json`;
  const tooLarge =
    size > MANAGED_POLICY_QUOTA
      ? ` It would be ${size.toLocaleString('en-US')} characters (white space aside), over IAM's quota of ${MANAGED_POLICY_QUOTA.toLocaleString('en-US')} for a managed policy: make room in it first (merge statements with the same actions).`
      : '';
  const create = `aws iam create-policy --policy-name ${shellWord(copy)} --policy-document file://${shellWord(file)}`;
  const set =
    holder === null
      ? 'then make it the permissions boundary of the caller in place of the AWS managed policy'
      : `then make it the permissions boundary of the ${holder[3]} ${holder[4]} in place of the AWS managed policy (aws iam put-${holder[3]}-permissions-boundary --${holder[3]}-name ${shellWord(holder[4] ?? '')} --permissions-boundary ${shellWord(`arn:${holder[1]}:iam::${holder[2]}:policy/${copy}`)})`;
  return `The permissions boundary ${name} is an AWS managed policy, which cannot be changed (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies): do not create a version of it. Create the whole new document shown as a customer managed policy of your own instead (${create}), ${set}. The copy no longer follows AWS's updates to ${name}.${tooLarge}`;
}

/** A document's Version as the notes give it. */
function versionWords(version: unknown): string {
  return version === undefined ? 'not given (IAM reads it as 2008-10-17)' : JSON.stringify(version);
}

/** Why a policy that grants S3 on the bucket was passed over: its Version reads the statements' `${…}` literally. */
function oldVersionNote(name: string, version: unknown): string {
  return `${name} was left as it is: its Version is ${versionWords(version)}, under which the \${…} in the statements' resources would be read literally, and moving it to 2012-10-17 would turn the \${…} in its own statements into policy variables (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).`;
}

/**
 * Why statements cannot go into a document (a boundary, a bucket policy) with no other place to go: its
 * Version reads their `${…}` literally, and moving it to 2012-10-17 would change its own statements.
 */
function oldVersionReason(what: string, version: unknown): string {
  return `${what} has Version ${versionWords(version)} and holds \${ in its own statements: under it the \${…} in the statements to add (keys with *, ? or $) would be read literally, and moving it to 2012-10-17 would turn its own \${ into policy variables. Move it to 2012-10-17 first, writing each literal \${ of its statements as \${$}{ (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html), then run again`;
}

/**
 * The bucket policy's Principal for the caller: an AWS service by its service principal (it has no
 * identity-based policies, so the bucket policy alone decides), a federated user by its session's ARN,
 * anyone else by its role or user ARN.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services
 */
function bucketPolicyPrincipal(input: FixInput): Readonly<Record<string, string>> {
  if (input.principal.type === 'AWSService')
    return { Service: input.principal.name ?? input.resolved.enginePrincipal };
  // A federated user's session is what a resource-based policy names, not the IAM user that issued it.
  if (input.principal.type === 'FederatedUser' && input.principal.arn?.includes(':federated-user/') === true)
    return { AWS: input.principal.arn };
  return { AWS: roleOrUserArn(input) };
}

/**
 * A role ARN the snapshot does not hold, rebuilt from the session ARN (`assumed-role/NAME/session`), which
 * has no path: if the role has one, S3 refuses a policy naming the ARN without it.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
function rebuiltRoleNote(input: FixInput, principal: Readonly<Record<string, string>>): string | undefined {
  const arn = principal.AWS;
  if (arn === undefined || input.resolved.identityArn !== undefined) return undefined;
  // The record's sessionIssuer gives the role's own ARN, with its path.
  if (input.principal.roleArnFromSession !== true) return undefined;
  const role = /^arn:[^:]+:iam::(\d{12}):role\/([^/]+)$/.exec(arn);
  if (role === null) return undefined;
  return `The role's ARN (${arn}) is rebuilt from its session's, which does not show the role's path: if the role has one (arn:…:role/PATH/${role[2]}), S3 refuses the policy ("Invalid principal in policy"). Check it in account ${role[1]} (aws iam get-role --role-name ${shellWord(role[2] ?? '')} --query Role.Arn) and use that ARN.`;
}

function placeBucketPolicy(input: FixInput, statements: readonly PolicyStatement[]): Placement | string {
  if (input.bucket === undefined) return 'the denied request names no bucket';
  const principal = bucketPolicyPrincipal(input);
  const withPrincipal = statements.map((s) => ({ ...s, Principal: principal }));
  const base = input.bucketPolicyDocument ?? { Version: POLICY_VERSION, Statement: [] };
  const edited = appendStatements(base, withPrincipal);
  if (edited === undefined) return 'the bucket policy could not be read';
  if (needsCurrentVersion(edited.after.Version, JSON.stringify(withPrincipal)))
    return oldVersionReason(`the bucket policy of ${input.bucket}`, edited.after.Version);
  const compiled = input.cache.compile(
    { name: `${input.bucket} bucket policy`, document: edited.after },
    { policyType: 'resource', policyIndex: 0 },
  );
  // Without the bucket's policy, the fix is checked as if it had none, and there is no whole new
  // document to give: put-bucket-policy replaces the policy, so the statements go into the one there.
  const known = input.bucketPolicyDocument !== undefined;
  const bytes = known ? bucketPolicyBytes(edited.after) : 0;
  const overQuota =
    bytes > BUCKET_POLICY_QUOTA_BYTES ? bucketPolicyTooLargeNote(input.bucket, bytes) : undefined;
  const notGiven = known
    ? undefined
    : `The bucket policy of ${input.bucket} is not in the input: the fix was checked as if the bucket had none. Add the statements to its policy rather than replacing it (put-bucket-policy replaces the whole policy); a Deny in it may still refuse the requests. To check against it, give it with ${giveBucketPolicy(input.bucket)}.`;
  const note = joinedNotes(notGiven, rebuiltRoleNote(input, principal));
  return {
    ...(note !== undefined ? { note } : {}),
    ...(overQuota !== undefined ? { overQuota } : {}),
    fix: {
      attachTo: bucketArnOf(input.bucket, input.partition),
      attachKind: 'bucket-policy',
      statements: withPrincipal,
      ...(known
        ? {
            newDocument: edited.after,
            diff: lineDiff(JSON.stringify(edited.before, null, 2), JSON.stringify(edited.after, null, 2)),
          }
        : {}),
      ...(overQuota !== undefined
        ? {
            overQuota: `the new bucket policy would be ${bytes.toLocaleString('en-US')} bytes as compact JSON, over S3's quota of 20 KB`,
          }
        : {}),
      // A service has no identity-based policies, and a root user needs none: nothing to add on its side.
      ...(input.principal.type === 'AWSService' || input.principal.type === 'Root'
        ? {}
        : { identityStatements: statements }),
    },
    patched: { ...input.resolved.set, resource: compiled },
  };
}

/** Whether an SCP is AWS's FullAWSAccess, which cannot be edited (it allows everything anyway). */
function isFullAwsAccess(policy: ControlPolicy): boolean {
  return policy.name === 'FullAWSAccess' || policy.arn?.endsWith('/p-FullAWSAccess') === true;
}

/**
 * A denied request as the engine evaluated it (its own evaluated request when the finding kept it,
 * else one built the same way: the caller, the resource's account, its context, unlogged keys unknown).
 */
export function evaluatedRequestOf(input: FixInput, r: DeniedRequestForFix): AuthorizationRequest {
  return (
    r.evaluated ?? {
      principal: input.resolved.enginePrincipal,
      action: r.action,
      resource: r.resource,
      ...(input.resourceAccount !== undefined ? { resourceAccount: input.resourceAccount } : {}),
      context: r.context,
      principalContext: input.resolved.context,
      unknownKeys: isUnloggedKey,
    }
  );
}

/**
 * An SCP allow list that does not allow the requests: at each level of the tree whose policies do not
 * allow some of them (every level must allow), the statements for those requests added to the level's
 * first policy of the organization's own (never AWS's FullAWSAccess). The first such level is the fix;
 * the levels below it are `otherScps`. Organizations updates an SCP in place; it applies to every
 * account below its target.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_strategies.html
 */
function placeScp(input: FixInput, statements: readonly PolicyStatement[]): Placement | string {
  const levels = input.scpLevels ?? [];
  const compiled = input.resolved.set.scpLevels;
  const grantable = input.requests.filter((r) => isS3Action(r.action));
  const toRequest = (r: DeniedRequestForFix) => evaluatedRequestOf(input, r);
  const changes: { policy: ControlPolicy; change: AdditionalChange; size: number }[] = [];
  let scpLevels = compiled;
  for (const [level, policies] of compiled.entries()) {
    const lacking = grantable.filter((r) => !policies.some((p) => policyAllows(p, toRequest(r))));
    if (lacking.length === 0) continue;
    // The level's allow list takes the statements: a Deny-only guardrail beside it is often attached to
    // many targets, where an Allow added would widen every one of them.
    const own = levels[level] ?? [];
    const allowList = own.findIndex((p) => !isFullAwsAccess(p) && hasAllowStatement(p.document));
    const index = allowList >= 0 ? allowList : own.findIndex((p) => !isFullAwsAccess(p));
    const policy = levels[level]?.[index];
    if (policy === undefined)
      return `level ${level + 1} of the service control policies holds no policy of the organization's own to add to`;
    const added = lacking.length === grantable.length ? statements : minimalStatements(lacking);
    const edit = sharedEdit(input.cache, policy.document, `scp|${level}|${JSON.stringify(added)}`, () => {
      const edited = appendStatements(policy.document, added);
      if (edited === undefined) return undefined;
      return {
        compiled: input.cache.compile(
          {
            name: policy.name,
            ...(policy.arn !== undefined ? { arn: policy.arn } : {}),
            document: edited.after,
          },
          { policyType: 'scp', policyIndex: index, level },
        ),
        newDocument: edited.after,
        diff: lineDiff(JSON.stringify(edited.before, null, 2), JSON.stringify(edited.after, null, 2)),
      };
    });
    if (edit === undefined) return `the service control policy ${policy.name} could not be read`;
    scpLevels = scpLevels.map((list, l) =>
      l === level ? list.map((p, i) => (i === index ? edit.compiled : p)) : list,
    );
    const size = scpSize(edit.newDocument);
    changes.push({
      policy,
      size,
      change: {
        attachTo: policy.arn ?? policy.name,
        attachKind: 'service-control-policy',
        ...(policy.arn !== undefined ? { policyArn: policy.arn } : {}),
        policyName: policy.name,
        statements: added,
        newDocument: edit.newDocument,
        ...(edit.diff !== undefined ? { diff: edit.diff } : {}),
        ...(size > SERVICE_CONTROL_POLICY_QUOTA
          ? {
              overQuota: `the new document would be ${size.toLocaleString('en-US')} characters as compact JSON, over the quota of ${SERVICE_CONTROL_POLICY_QUOTA.toLocaleString('en-US')} for a service control policy`,
            }
          : {}),
      },
    });
  }
  const [first, ...below] = changes;
  if (first === undefined)
    return 'every level of the service control policies given already allows the requests';
  const names = changes.map((c) => c.policy.name).join(' and ');
  // A bare document holds no policy ID: the file is the only name the fix can give it.
  const unnamed = changes.filter((c) => c.policy.arn === undefined).map((c) => c.policy.name);
  const account = input.principal.account ?? 'ACCOUNT_ID';
  const findId =
    unnamed.length === 0
      ? ''
      : ` ${unnamed.join(' and ')} ${unnamed.length === 1 ? 'is a policy document' : 'are policy documents'} with no policy ID or ARN: aws organizations list-policies-for-target --target-id ${shellWord(account)} --filter SERVICE_CONTROL_POLICY (and the same for each OU above the account, from aws organizations list-parents) lists the policies attached, and aws organizations update-policy --policy-id p-… --content file://new-policy.json updates one; giving --scp the output of aws organizations describe-policy names it in the fix.`;
  const overQuota = changes
    .filter(({ size }) => size > SERVICE_CONTROL_POLICY_QUOTA)
    .map(({ policy, size }) => scpTooLargeNote(policy.name, size));
  return {
    ...(overQuota.length > 0 ? { overQuota: overQuota.join(' ') } : {}),
    note: `Service control ${changes.length === 1 ? 'policy' : 'policies'} ${names} ${changes.length === 1 ? 'applies' : 'apply'} to every account below the root, OU or account ${changes.length === 1 ? 'it is' : 'they are'} attached to: the new statements let their users and roles use these actions too, as far as their own policies allow. Only the organization's management account (or a delegated administrator) can update ${changes.length === 1 ? 'it' : 'them'}.${findId}`,
    fix: {
      ...first.change,
      ...(below.length > 0 ? { otherScps: below.map((c) => c.change) } : {}),
    },
    patched: { ...input.resolved.set, scpLevels },
  };
}

/**
 * A bucket ARN (`arn:aws:s3:::b`, objects under `/`) or an access point ARN (objects under `/object/`),
 * regional or Multi-Region (`arn:aws:s3::account:accesspoint/alias.mrap`, no Region).
 */
const BUCKET_RESOURCE = /^(arn:aws[a-z-]*:s3:::[^/]+)(\/.*)?$/;
const ACCESS_POINT_RESOURCE = /^((arn:aws[a-z-]*:s3:[a-z0-9-]*:\d{12}:accesspoint\/)[^/]+)(\/.*)?$/;
/** A role's ARN (the one a replication configuration passes): another role of its account is probed. */
const ROLE_RESOURCE = /^(arn:aws[a-z-]*:iam::\d{12}:role\/)/;

function probeResources(statements: readonly PolicyStatement[], partition: string | undefined): string[] {
  const other = bucketArnOf('permission-auditor-other-bucket', partition);
  const probes = new Set<string>(['*', other, `${other}/probe`]);
  for (const s of statements) {
    for (const r of s.Resource) {
      const bucket = BUCKET_RESOURCE.exec(r);
      const accessPoint = bucket === null ? ACCESS_POINT_RESOURCE.exec(r) : null;
      const base = bucket?.[1] ?? accessPoint?.[1];
      if (base === undefined) {
        const role = bucket === null && accessPoint === null ? ROLE_RESOURCE.exec(r) : null;
        if (role !== null) probes.add(`${role[1]}permission-auditor-other-role`);
        continue;
      }
      probes.add(base);
      probes.add(`${bucket !== null ? base : `${base}/object`}/permission-auditor-outside/probe`);
      if (accessPoint !== null) {
        // Another access point of the account, and its objects.
        const other = `${accessPoint[2]!}permission-auditor-other-access-point`;
        probes.add(other);
        probes.add(`${other}/object/probe`);
      }
      if ((bucket?.[2] ?? accessPoint?.[3]) !== undefined)
        probes.add(`${r.replace(/\*$/, '')}permission-auditor-probe`.replace(/\$\{\*\}/g, '*'));
    }
  }
  return [...probes];
}

/** Matchers for the fix's own Resource patterns (`${*}` and friends stand for literal characters). */
const fixResourceMatchers = new Map<string, Matcher>();

function fixResourceMatcher(pattern: string): Matcher {
  let matcher = fixResourceMatchers.get(pattern);
  if (matcher === undefined) {
    const tokens = resolveTemplateTokens(parseTemplate(pattern, true), undefined);
    matcher = tokens === undefined ? () => false : compileArnPattern(tokens);
    if (fixResourceMatchers.size > 10_000) fixResourceMatchers.clear();
    fixResourceMatchers.set(pattern, matcher);
  }
  return matcher;
}

/**
 * Whether the fix's own statements grant `action` on `resource`, with each statement's lower-cased
 * actions and resource matchers prepared once for all the probes of a fix.
 */
function grantedByFix(statements: readonly PolicyStatement[]): (action: string, resource: string) => boolean {
  const prepared = statements.map((s) => ({
    actions: new Set(s.Action.map((x) => lowerCaseAction(x))),
    resources: s.Resource.map(fixResourceMatcher),
  }));
  return (action, resource) => {
    const a = lowerCaseAction(action);
    return prepared.some((s) => s.actions.has(a) && s.resources.some((matches) => matches(resource)));
  };
}

/** Placements per resolved policy set: the same job denied again in a later window gets the same change. */
const placementCache = new WeakMap<ResolvedPolicies, Map<string, Placement | string>>();

function cachedPlacement(
  input: FixInput,
  statements: readonly PolicyStatement[],
  statementsKey: string,
): Placement | string {
  // Which SCP levels lack the requests depends on the requests, not only on their statements.
  if (input.kind === 'scp') return placeScp(input, statements);
  const serviceLinked =
    input.kind === 'identity' ? serviceLinkedRefusal(input.principal, input.resolved.identityArn) : undefined;
  if (serviceLinked !== undefined) return serviceLinked;
  const key = `${input.kind}|${input.bucket ?? ''}|${statementsKey}`;
  let perSet = placementCache.get(input.resolved);
  if (perSet === undefined) {
    perSet = new Map();
    placementCache.set(input.resolved, perSet);
  }
  let placed = perSet.get(key);
  if (placed === undefined) {
    placed =
      input.kind === 'identity'
        ? placeIdentity(input, statements, statementsKey)
        : input.kind === 'boundary'
          ? placeBoundary(input, statements, statementsKey)
          : placeBucketPolicy(input, statements);
    perSet.set(key, placed);
  }
  return placed;
}

/**
 * Why no identity statement can be proposed when the caller is a service-linked role (path
 * `/aws-service-role/`, or a session of an `AWSServiceRoleFor…` role when the snapshot does not hold it).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
 */
export function serviceLinkedRefusal(
  principal: Principal,
  identityArn: string | undefined,
): string | undefined {
  const role = identityArn ?? principal.roleArn ?? '';
  const name =
    /:role\/aws-service-role\/(?:.*\/)?([^/]+)$/.exec(role)?.[1] ??
    /:assumed-role\/(AWSServiceRoleFor[^/]*)\//.exec(principal.arn ?? '')?.[1];
  return name === undefined
    ? undefined
    : `the caller is the service-linked role ${name}, whose permissions policy IAM does not let anyone change (its service defines it: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-permissions.html). Change what the service is set up to do, or, if the bucket is yours, grant the role in the bucket policy`;
}

interface ProbeOutcome {
  readonly newlyAllowed?: string;
  readonly checked: number;
  /** The S3 actions probed. */
  readonly actions: number;
  /** The other services' actions probed (iam:PassRole), if any. */
  readonly otherActions?: readonly string[];
}

/** Probe outcomes per resolved policy set: a job's findings in successive windows propose the same fix. */
const probeCache = new WeakMap<ResolvedPolicies, Map<string, ProbeOutcome>>();

/**
 * Evaluates, before and after the change, every S3 action the added statements name on resources inside
 * and outside their grant (the bucket, a key outside the prefix, another bucket, `*`). An added Allow
 * can only change the decision of a request its Action element matches, so actions the statements do
 * not name need no probe. When the change is one more identity policy (`added`), a request that policy
 * does not allow keeps its decision (it holds no Deny and contributes nothing else), so the engine is
 * first asked whether that policy allows the probe, and the two sets are compared only when it does.
 */
function probeNewlyAllowed(
  input: FixInput,
  statements: readonly PolicyStatement[],
  statementsKey: string,
  patchedSet: PolicySet,
  added: CompiledPolicy | undefined,
): ProbeOutcome {
  const key = `${input.kind}|${input.resourceAccount ?? ''}|${statementsKey}`;
  let perSet = probeCache.get(input.resolved);
  const cached = perSet?.get(key);
  if (cached !== undefined) return cached;
  const actions = [...new Set(statements.flatMap((s) => s.Action))];
  const probes = probeResources(statements, input.partition);
  const granted = grantedByFix(statements);
  let checked = 0;
  let newlyAllowed: string | undefined;
  outer: for (const action of actions) {
    // Another service's action (iam:PassRole) is probed with its denied request's context: without
    // iam:PassedToService, the added statement's condition fails whatever the resource, proving nothing.
    const lower = lowerCaseAction(action);
    const context = isS3Action(action)
      ? undefined
      : input.requests.find((r) => lowerCaseAction(r.action) === lower)?.context;
    for (const resource of probes) {
      checked++;
      if (granted(action, resource)) continue;
      const request: AuthorizationRequest = {
        principal: input.resolved.enginePrincipal,
        action,
        resource,
        ...(input.resourceAccount !== undefined ? { resourceAccount: input.resourceAccount } : {}),
        ...(context !== undefined ? { context } : {}),
        principalContext: input.resolved.context,
        // A Deny on what CloudTrail does not log would refuse every probe before and after alike.
        unknownKeys: isUnloggedKey,
      };
      if (added !== undefined && !policyAllows(added, request)) continue;
      if (
        evaluate(patchedSet, request).decision === 'Allowed' &&
        evaluate(input.resolved.set, request).decision !== 'Allowed'
      ) {
        newlyAllowed = `${action} on ${resource}`;
        break outer;
      }
    }
  }
  const s3Actions = actions.filter((a) => isS3Action(a));
  const outcome: ProbeOutcome = {
    ...(newlyAllowed !== undefined ? { newlyAllowed } : {}),
    checked,
    actions: s3Actions.length,
    ...(s3Actions.length < actions.length ? { otherActions: actions.filter((a) => !isS3Action(a)) } : {}),
  };
  if (perSet === undefined) {
    perSet = new Map();
    probeCache.set(input.resolved, perSet);
  }
  perSet.set(key, outcome);
  return outcome;
}

/**
 * Proposes and verifies the fix. Returns `fix: null` with a caveat when no verified fix exists (for
 * example when an explicit Deny would still block the request).
 */
export function proposeFix(given: FixInput): FixOutcome {
  // Requests an Allow would grant but for its Condition are not granted anew: a second Allow without
  // the condition would undo what the condition guards. The user meets the condition instead.
  const guarded = conditionGuarded(given);
  // A listing an Allow limits by s3:prefix is granted for its prefix alone: that undoes nothing.
  const input: FixInput =
    guarded === undefined
      ? given
      : {
          ...given,
          requests: given.requests.flatMap((r) => {
            if (guarded.requests.has(r)) return [];
            const listPrefix = guarded.scoped.get(r);
            return listPrefix === undefined ? [r] : [{ ...r, listPrefix }];
          }),
          conditionGuarded: guarded.requests.size,
          conditionUnknown: guarded.unknown,
        };
  // The role a replication configuration passes is the caller's to be allowed to pass: an identity fix
  // grants that iam:PassRole too (scoped to the role and to S3), and verifies it with the rest, and so
  // does a boundary fix (a boundary must allow what it limits, whatever the identity policies allow).
  // Other fixes (a bucket policy, an SCP) leave it to the caveat, which names where it lacks an Allow.
  const passesRoles = input.kind === 'identity' || input.kind === 'boundary';
  const grantable = input.requests.filter(
    (r) => isS3Action(r.action) || (passesRoles && r.action.toLowerCase() === 'iam:passrole'),
  );
  const passRole = passesRoles ? undefined : passRoleCaveat(input.requests);
  if (grantable.length === 0) {
    // Every request refused by a `${…}` read as literal text (no Version 2012-10-17): adding the Version
    // is the fix, or, when it would change other statements too, the advice says which.
    const version =
      guarded !== undefined && passRole === undefined
        ? literalVariableVersionFix(given, [...guarded.requests])
        : undefined;
    if (version !== undefined && 'fix' in version) return { fix: version.fix, caveats: version.caveats };
    if (version !== undefined) guarded?.caveats.push(version.advice);
    return {
      fix: null,
      caveats: [
        ...(guarded !== undefined
          ? guarded.caveats
          : passRole !== undefined
            ? []
            : ['No S3 request to grant was identified.']),
        ...(passRole !== undefined ? [passRole] : []),
      ],
    };
  }
  const outcome = proposeGrantFix(input, grantable);
  return {
    ...outcome,
    caveats: [...(guarded?.caveats ?? []), ...outcome.caveats, ...(passRole !== undefined ? [passRole] : [])],
  };
}

/** Where an iam:PassRole Allow the caller lacks goes, by the kind of policy that lacks it. */
const PASS_ROLE_GOES_IN: readonly (readonly [PolicyType, string])[] = [
  ['identity', "the caller's identity policies"],
  ['permissions-boundary', "the caller's permissions boundary"],
  ['session', "the caller's session policy"],
  ['scp', 'the service control policies'],
];

/**
 * The statement for the role a replication configuration passes to S3 (iam:PassRole, refused among the
 * finding's requests), which the fix does not hold: it grants S3 requests only.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
 */
function passRoleCaveat(requests: readonly DeniedRequestForFix[]): string | undefined {
  // A Deny is not lifted by adding a statement: its own caveat says so.
  const passes = requests.filter(
    (r) => r.action.toLowerCase() === 'iam:passrole' && r.result?.decision !== 'ExplicitlyDenied',
  );
  const roles = [...new Set(passes.map((r) => r.resource))];
  if (roles.length === 0) return undefined;
  // Where the evaluation found no Allow (a boundary, an SCP must allow it too); the caller's identity
  // policies when the request was not evaluated.
  const lacking = new Set(passes.flatMap((r) => r.result?.missingAllowIn ?? ['identity' as const]));
  const where = PASS_ROLE_GOES_IN.filter(([type]) => lacking.has(type)).map(([, words]) => words);
  const statement = {
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: roles,
    Condition: { StringEquals: { 'iam:PassedToService': 's3.amazonaws.com' } },
  };
  return `S3 needs the caller to be allowed to pass ${roles.join(', ')} to it (iam:PassRole, for the replication configuration), which a fix for S3 requests does not grant: add ${JSON.stringify(statement)} to ${where.length > 0 ? where.join(' and to ') : "the caller's identity policies"} (not verified here; https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html).`;
}

/**
 * The caveats of {@link conditionGuarded} alone, for a finding that gets no fix for another reason (a
 * cross-account caller CloudTrail does not name): the condition it failed still says why.
 */
export function conditionGuardCaveats(
  resolved: ResolvedPolicies,
  requests: readonly DeniedRequestForFix[],
): readonly string[] {
  return conditionGuarded({ resolved, requests }, true)?.caveats ?? [];
}

/** Keys that hold who the caller is, unknown for a caller the record names by account alone. */
const CALLER_NAME_KEYS: ReadonlySet<string> = new Set(['aws:principalarn', 'aws:username']);

/** Whether some Allow statement of the set has a Condition (cached per set). */
const conditionalAllows = new WeakMap<PolicySet, boolean>();

function hasConditionalAllow(set: PolicySet): boolean {
  let has = conditionalAllows.get(set);
  if (has === undefined) {
    has = policiesOf(set).some((p) =>
      p.statements.some((s) => s.effect === 'Allow' && s.conditions.length > 0),
    );
    conditionalAllows.set(set, has);
  }
  return has;
}

/** Per set, per action and kinds of policy: whether one of those policies has a conditional Allow for the action. */
const conditionalAllowsByAction = new WeakMap<PolicySet, Map<string, boolean>>();

/**
 * Whether a policy of one of `types` in the set has an Allow with a Condition whose Action covers
 * `action`: only such a statement can be the Allow a request missed for its condition.
 */
function conditionalAllowFor(set: PolicySet, action: string, types: readonly PolicyType[]): boolean {
  let byAction = conditionalAllowsByAction.get(set);
  if (byAction === undefined) {
    byAction = new Map();
    conditionalAllowsByAction.set(set, byAction);
  }
  const actionLower = lowerCaseAction(action);
  const key = `${actionLower}|${types.join(',')}`;
  let has = byAction.get(key);
  if (has === undefined) {
    has = policiesOf(set).some(
      (p) =>
        types.includes(p.policyType) &&
        p
          .relevantStatements(actionLower)
          .some(({ statement }) => statement.effect === 'Allow' && statement.conditions.length > 0),
    );
    byAction.set(key, has);
  }
  return has;
}

/**
 * Results {@link conditionGuarded} found allowed by a statement of the kind of policy given, but only
 * under a Condition the record cannot show met (not that the request failed it): read back by the
 * finding's request rows ({@link unverifiableAllowIn}).
 */
const unverifiableAllows = new WeakMap<EvaluationResult, PolicyType>();

/**
 * The kind of policy a statement of which allows the evaluated request only under a Condition the record
 * cannot show met, as {@link proposeFix} (or {@link conditionGuardCaveats}) found when it looked at the
 * request; `undefined` otherwise.
 */
export function unverifiableAllowIn(result: EvaluationResult): PolicyType | undefined {
  return unverifiableAllows.get(result);
}

/**
 * The finding's requests that an Allow of a policy type that must allow them would grant but for its
 * Condition (a bucket policy that allows uploads only with `s3:x-amz-acl: bucket-owner-full-control`,
 * only over TLS, only from a VPC endpoint), and a caveat per statement with what it requires and what
 * the request had.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
 */
function conditionGuarded(
  input: Pick<FixInput, 'resolved' | 'requests'> & { readonly principal?: FixInput['principal'] },
  callerUnnamed = false,
):
  | {
      requests: ReadonlySet<DeniedRequestForFix>;
      /** Listings an Allow limits by s3:prefix, refused for their prefix: granted for it alone. */
      scoped: ReadonlyMap<DeniedRequestForFix, NonNullable<GrantRequest['listPrefix']>>;
      caveats: string[];
      /** How many of `requests` the record cannot show meeting the Condition (not that they fail it). */
      unknown: number;
    }
  | undefined {
  if (!hasConditionalAllow(input.resolved.set)) return undefined;
  const requests = new Set<DeniedRequestForFix>();
  const scoped = new Map<DeniedRequestForFix, NonNullable<GrantRequest['listPrefix']>>();
  const scopedByStatement = new Map<
    string,
    { where: string; limit: string; actions: Set<string>; prefixes: Set<string>; conditioned: boolean }
  >();
  const byStatement = new Map<
    string,
    {
      where: string;
      failures: string;
      actions: Set<string>;
      keys: Set<string>;
      unknown: boolean;
      unverifiable: boolean;
      /** What the first request shows that changes how the condition can be met (a presigned URL, an endpoint). */
      facts: MeetFacts;
      /** The requests' other policies that lack an Allow (the bucket's side of a cross-account request). */
      elsewhere: Map<PolicyType, DeniedRequestForFix[]>;
      /** A Condition value with a policy variable, read as literal text or resolved to another's value. */
      variableNote?: ReturnType<typeof conditionVariableNote>;
    }
  >();
  const seen = new Map<EvaluationResult, StatementExplanation | undefined>();
  // What is said of iam:PassRole Allows for other services alone (see otherServicesPassedTo).
  const passedElsewhere: string[] = [];
  let unknown = 0;
  for (const r of input.requests) {
    const result = r.result;
    if (result === undefined || result.decision !== 'ImplicitlyDenied') continue;
    let guard = seen.get(result);
    if (!seen.has(result)) {
      // The explanations are built only when a conditional Allow could be among them.
      const possible = conditionalAllowFor(input.resolved.set, r.action, result.missingAllowIn);
      guard = possible
        ? result.explanations.find(
            (e) =>
              e.effect === 'Allow' &&
              e.mismatch === 'condition' &&
              result.missingAllowIn.includes(e.policyType) &&
              (e.conditionFailures?.length ?? 0) > 0,
          )
        : undefined;
      seen.set(result, guard);
    }
    if (guard === undefined) continue;
    // A bucket policy is named `<bucket> bucket policy`: not "the bucket policy b bucket policy".
    const name = guard.policyName ?? guard.policyArn ?? '';
    const where =
      guard.policyType === 'resource' && name.endsWith(' bucket policy')
        ? `the ${name}`
        : `${POLICY_TYPE_WORDS[guard.policyType]} ${name}`.trim();
    const key = `${where}|${guard.statementIndex}`;
    // An Allow of iam:PassRole to other services alone: meeting it means passing the role to one of them,
    // not to S3. The statement for S3 (this role, iam:PassedToService s3.amazonaws.com) is granted as
    // any other, and undoes nothing that Allow guards.
    const services = otherServicesPassedTo(input.resolved.set, guard, r.action);
    if (services !== undefined) {
      const note = `${r.action}: ${where} (statement ${guard.sid !== undefined ? guard.sid : guard.statementIndex + 1}) lets the caller pass roles only to ${services.join(' or ')} (iam:PassedToService), and meeting that would mean passing ${r.resource} to another service than S3, which needs it passed to s3.amazonaws.com. A statement that lets the caller pass this role to S3 alone is what to add; it leaves that statement as it is (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService).`;
      if (!passedElsewhere.includes(note)) passedElsewhere.push(note);
      continue;
    }
    // The request as evaluated: what the statement's policy variables resolved to for it.
    const request: AuthorizationRequest = r.evaluated ?? {
      principal: input.resolved.enginePrincipal,
      action: r.action,
      resource: r.resource,
      context: r.context,
      principalContext: input.resolved.context,
    };
    // A Condition value with a policy variable the request missed: literal text under a policy without
    // Version 2012-10-17 (adding it is the change), or another principal's value. Neither is a prefix
    // to grant this caller.
    const variableNote = conditionVariableNote(
      input.resolved.set,
      guard,
      request,
      guard.conditionFailures ?? [],
    );
    const listPrefix =
      variableNote === undefined ? prefixScope(input.resolved.set, guard, r.action) : undefined;
    if (listPrefix !== undefined) {
      scoped.set(r, listPrefix);
      let entry = scopedByStatement.get(key);
      if (entry === undefined) {
        entry = {
          where: `${where} (statement ${guard.sid !== undefined ? guard.sid : guard.statementIndex + 1})`,
          limit: (guard.conditionFailures ?? [])
            .map(
              (f) =>
                `${f.operator} ${f.key} ${JSON.stringify(f.policyValues.length === 1 ? f.policyValues[0] : f.policyValues)}`,
            )
            .join(', '),
          actions: new Set(),
          prefixes: new Set(),
          conditioned: listPrefix.conditions !== undefined,
        };
        scopedByStatement.set(key, entry);
      }
      entry.actions.add(r.action);
      entry.prefixes.add(listPrefix.prefix);
      continue;
    }
    requests.add(r);
    let entry = byStatement.get(key);
    if (entry === undefined) {
      // Unknown for this request (its record cannot show the key), not merely absent.
      const unknownKey = (key: string): boolean => isUnknownIn(key.toLowerCase(), request);
      const unshown = (f: { key: string; requestValues: readonly unknown[] }): boolean =>
        (callerUnnamed && CALLER_NAME_KEYS.has(f.key.toLowerCase())) ||
        (f.requestValues.length === 0 && unknownKey(f.key));
      const failures = (guard.conditionFailures ?? [])
        .map(
          (f) =>
            `${f.operator} ${f.key} ${JSON.stringify(f.policyValues.length === 1 ? f.policyValues[0] : f.policyValues)} (${
              callerUnnamed && CALLER_NAME_KEYS.has(f.key.toLowerCase())
                ? 'unknown here: the record names the caller by its account alone'
                : f.requestValues.length > 0
                  ? `the request had ${f.requestValues.map((v) => JSON.stringify(v)).join(', ')}`
                  : unknownKey(f.key)
                    ? `unknown here, not absent: CloudTrail does not log ${f.key} (${unloggedKeyDescription(f.key.toLowerCase())})${
                        isUnloggedCallerKey(f.key.toLowerCase())
                          ? f.key.toLowerCase() === 'aws:principalorgpaths'
                            ? ", and the snapshot holds no organization. If the caller's account is under the organizational unit the path names (membership of the organization alone is not enough), the statement allows the request, and what refused it is elsewhere: AWS's message says where"
                            : ", and the snapshot holds no organization. If the caller's account is in the organization the statement names, the statement allows the request, and what refused it is elsewhere: AWS's message says where"
                          : ''
                      }`
                    : `the request had no ${f.key}`
            })`,
        )
        .join(', ');
      entry = {
        where: `${where} (statement ${guard.sid !== undefined ? guard.sid : guard.statementIndex + 1})`,
        failures,
        actions: new Set(),
        keys: new Set((guard.conditionFailures ?? []).map((f) => f.key.toLowerCase())),
        unknown: (guard.conditionFailures ?? []).some(unshown),
        // Unverifiable rather than unmet only when every condition it fails is on a key the record
        // cannot show: one the record shows unmet is a known failure.
        unverifiable:
          (guard.conditionFailures ?? []).length > 0 && (guard.conditionFailures ?? []).every(unshown),
        facts: {
          ...meetFactsOf(request, input.principal?.webIdentityProvider !== undefined),
          ...(r.listingFor !== undefined ? { listingFor: r.listingFor } : {}),
        },
        elsewhere: new Map(),
        ...(variableNote !== undefined ? { variableNote } : {}),
      };
      byStatement.set(key, entry);
    }
    entry.actions.add(r.action);
    if (entry.unverifiable) {
      unknown++;
      unverifiableAllows.set(result, guard.policyType);
    }
    for (const type of result.missingAllowIn) {
      if (type === guard.policyType) continue;
      const list = entry.elsewhere.get(type) ?? [];
      list.push(r);
      entry.elsewhere.set(type, list);
    }
  }
  if (requests.size === 0 && scoped.size === 0)
    return passedElsewhere.length === 0 ? undefined : { requests, scoped, caveats: passedElsewhere, unknown };
  const scopedCaveats = [...scopedByStatement.values()].flatMap(
    ({ where, limit, actions, prefixes, conditioned }) => {
      const listed = [...prefixes];
      const patterns = [...new Set(listed.map(listPrefixPattern))];
      const grant = `StringLike s3:prefix ${JSON.stringify(patterns.length === 1 ? patterns[0] : patterns)}${conditioned ? ", with the statement's other conditions" : ''}`;
      const said = [
        `${[...actions].join(', ')}: ${where} allows listing only the prefixes its Condition names (${limit}), and the job listed ${listed.map((p) => JSON.stringify(p)).join(', ')}, outside them. If that limit is deliberate, the job must list only within those prefixes; if not, ${callerUnnamed ? 'grant' : 'the fix grants'} ${listed.length === 1 ? 'the refused prefix' : 'the refused prefixes'} alone (${grant}) on the bucket, which keeps the limit on the rest of it (adding ${listed.length === 1 ? 'it' : 'them'} to that statement's s3:prefix values does the same; https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html).`,
      ];
      // A new partition every run (`table/year=2026/month=11/`): the next run lists another one.
      const dated = [
        ...new Map(
          listed.flatMap((p) => {
            const above = datedPrefixAbove(p);
            return above === undefined ? [] : [[p, above] as const];
          }),
        ),
      ];
      if (dated.length > 0)
        said.push(
          `${dated.length === 1 ? 'The prefix granted is' : 'The prefixes granted are'} dated (${dated.map(([p]) => JSON.stringify(p)).join(', ')}): a job that lists a new one every run (a new partition) will be refused again on the next. To allow the whole tree instead, wider than what was refused, use s3:prefix ${[...new Set(dated.map(([, above]) => JSON.stringify(above)))].join(', ')}.`,
        );
      return said;
    },
  );
  const caveats = [...byStatement.values()].map(
    ({ where, failures, actions, keys, unknown, facts, elsewhere, variableNote }) => {
      // Keys with no advice of their own ("meet the condition") say nothing the sentence does not; nor
      // do they for a variable read as literal text, or resolved to another principal's value.
      const hints =
        variableNote !== undefined
          ? []
          : [...new Set([...keys].map((key) => meetHint(key, facts)))].filter((hint) => hint !== MEET_ANY);
      // The other side of the request lacks an Allow too (a cross-account request needs both): meeting the
      // condition alone does not let it through.
      const besides = [...elsewhere].map(([type, reqs]) => {
        const statements = minimalStatements(reqs);
        const actions = [...new Set(reqs.map((r) => r.action))].join(', ');
        const needed = `\`${JSON.stringify(statements.length === 1 ? statements[0] : statements)}\`${type === 'resource' ? ', in a statement whose Principal names the caller' : ''}`;
        // A bucket policy not in the input was taken as empty: what it holds is not known.
        return type === 'resource' && !input.resolved.bucketPolicyKnown
          ? ` The bucket policy is not in the input, and a cross-account request needs its Allow of ${actions} too: unless it already has one, it needs ${needed}.`
          : ` ${POLICY_TYPE_WORDS[type].charAt(0).toUpperCase()}${POLICY_TYPE_WORDS[type].slice(1)} does not allow ${actions} either: it needs ${needed} too.`;
      });
      // Keys the service sets to what it acts for: nothing on the request's side meets them.
      if (unknown && [...keys].every((key) => SOURCE_KEYS.test(key)))
        return `${[...actions].join(', ')}: ${where} allows this only under its Condition, which the input does not show the request meeting: ${failures}. The AWS service sets ${keys.size === 1 ? 'this key' : 'these keys'} itself, to what it acts for (the account, the resource such as a trail or log group): if that is what the Condition names, the statement allows the request, and what refused it is elsewhere (another Deny or an RCP not in the input, the KMS key, or the bucket's Object Ownership); if it is not, the statement's owner names it in the Condition on purpose (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). No statement is added for it: an Allow without that condition would undo what it guards.${besides.join('')}`;
      const advice =
        variableNote !== undefined
          ? variableNote.text
          : `${hints.length > 0 ? `To meet the condition, ${hints.join('; ')}; or change` : 'Meet the condition, or change'} the condition on purpose (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).`;
      return `${[...actions].join(', ')}: ${where} allows this only under its Condition, which ${unknown ? 'the input does not show the request meeting' : 'the request did not meet'}: ${failures}. No statement is added for it: ${variableNote?.kind === 'literal' ? 'a statement for this caller alone would hard-code its value where the policy meant a variable' : 'an Allow without that condition would undo what it guards'}. ${advice}${besides.join('')}`;
    },
  );
  return { requests, scoped, caveats: [...passedElsewhere, ...caveats, ...scopedCaveats], unknown };
}

/**
 * The services an Allow of iam:PassRole lets the caller pass roles to, when `guard` refused the request
 * for that alone: every condition of the statement is a string match of iam:PassedToService, which S3's
 * request (s3.amazonaws.com) failed. `undefined` for any other action or guard.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
 */
function otherServicesPassedTo(
  set: PolicySet,
  guard: StatementExplanation,
  action: string,
): string[] | undefined {
  if (action.toLowerCase() !== 'iam:passrole') return undefined;
  const failures = guard.conditionFailures ?? [];
  if (
    failures.length === 0 ||
    !failures.every(
      (f) =>
        f.key.toLowerCase() === 'iam:passedtoservice' &&
        /^(ForAnyValue:)?String(Equals|Like)(IgnoreCase)?(IfExists)?$/.test(f.operator) &&
        f.requestValues.length > 0,
    )
  )
    return undefined;
  const statement = statementOf(set, guard);
  if (statement === undefined || !statement.conditions.every((c) => c.keyLower === 'iam:passedtoservice'))
    return undefined;
  return [...new Set(failures.flatMap((f) => f.policyValues.map(String)))];
}

/** The keys an AWS service sets to what it acts for (the confused-deputy keys). */
const SOURCE_KEYS = /^aws:source(account|arn|orgid|orgpaths)$/;

/** The listing actions whose context holds s3:prefix. */
const LIST_PREFIX_ACTIONS: ReadonlySet<string> = new Set(['s3:listbucket', 's3:listbucketversions']);

/**
 * The prefix of a listing that `guard` (an Allow) refuses only because its `s3:prefix` condition does
 * not cover it, with the statement's other conditions (which the listing met): `s3:prefix` limits
 * where the caller may list, as a narrower Resource limits which objects it may read, so granting the
 * listed prefix alone keeps the limit on the rest. `undefined` for any other guard, and for a listing of
 * the bucket's root (no prefix), which the limit is there to refuse.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html
 */
function prefixScope(
  set: PolicySet,
  guard: StatementExplanation,
  action: string,
): NonNullable<GrantRequest['listPrefix']> | undefined {
  if (!LIST_PREFIX_ACTIONS.has(action.toLowerCase())) return undefined;
  const failures = guard.conditionFailures ?? [];
  const prefix = failures[0]?.requestValues[0];
  if (
    prefix === undefined ||
    prefix === '' ||
    !failures.every(
      (f) =>
        f.key.toLowerCase() === 's3:prefix' &&
        /^(ForAnyValue:)?String(Equals|Like)(IfExists)?$/.test(f.operator) &&
        f.requestValues.length === 1 &&
        f.requestValues[0] === prefix,
    )
  )
    return undefined;
  const statement = statementOf(set, guard);
  if (statement === undefined) return undefined;
  // Every s3:prefix condition of the statement is one that failed (none that excludes some prefixes).
  if (statement.conditions.filter((c) => c.keyLower === 's3:prefix').length !== failures.length)
    return undefined;
  const conditions: Record<string, Record<string, string | string[]>> = {};
  for (const condition of statement.conditions) {
    if (condition.keyLower === 's3:prefix') continue;
    const values = condition.values.map((v) => v.raw);
    conditions[condition.operator] ??= {};
    conditions[condition.operator]![condition.key] = values.length === 1 ? values[0]! : values;
  }
  return Object.keys(conditions).length > 0 ? { prefix, conditions } : { prefix };
}

const POLICY_TYPE_WORDS: Readonly<Record<PolicyType, string>> = {
  identity: 'the identity-based policy',
  resource: 'the bucket policy',
  'permissions-boundary': 'the permissions boundary',
  scp: 'the service control policy',
  rcp: 'the resource control policy',
  session: 'the session policy',
};

/** The fix for `grantable` (S3 requests, none of them guarded by a condition). */
function proposeGrantFix(input: FixInput, grantable: readonly DeniedRequestForFix[]): FixOutcome {
  // The caller's identity statements cover what its identity policies refuse: a request only its
  // boundary refuses gets the boundary's statement (below), not one its policies already grant.
  const own =
    input.kind === 'identity'
      ? grantable.filter((r) => r.result === undefined || r.result.missingAllowIn.includes('identity'))
      : grantable;
  // A log delivery's objects are new every time (dated, unique names): granted under the prefix the
  // service writes every delivery under, as AWS documents its layout, not the refused objects alone.
  const delivery =
    input.kind === 'bucket-policy' && input.principal.type === 'AWSService'
      ? deliveryScoped(input.principal.name, own.length > 0 ? own : grantable)
      : undefined;
  const statements = minimalStatements(delivery?.requests ?? (own.length > 0 ? own : grantable));
  const statementsKey = JSON.stringify(statements);
  const placed = cachedPlacement(input, statements, statementsKey);
  if (typeof placed === 'string') return { fix: null, caveats: [`No fix proposed: ${placed}.`] };

  const verification: string[] = [];
  const caveats: string[] = placed.note === undefined ? [] : [placed.note];
  // Documents IAM or S3 would refuse as they are (over a size quota): said, and the fix not verified.
  const overQuota = new OverQuotaNotes(caveats);

  overQuota.add(placed.overQuota);
  const principal = input.resolved.enginePrincipal;
  const extra = input.resolved.context;
  // Cross-account: the caller's own account must allow too; its policies are not visible here.
  const service = input.principal.type === 'AWSService';
  const crossAccountResourceOnly =
    input.kind === 'bucket-policy' && !input.resolved.identityKnown && !service;
  // An SCP fix for a caller whose own policies are not visible (another account of the organization):
  // checked on the organization's side alone, as the bucket side is above.
  const scpOnly = input.kind === 'scp' && !input.resolved.identityKnown && !service;
  let patchedSet: PolicySet =
    crossAccountResourceOnly || scpOnly
      ? {
          ...placed.patched,
          identity: [
            input.cache.compile(
              { name: 'assumed caller-side allow', document: statementsToDocument(statements) },
              { policyType: 'identity', policyIndex: 0 },
            ),
          ],
        }
      : placed.patched;

  const toRequest = (r: DeniedRequestForFix): AuthorizationRequest => {
    if (r.evaluated !== undefined) return r.evaluated;
    const request: { -readonly [K in keyof AuthorizationRequest]: AuthorizationRequest[K] } = {
      principal,
      action: r.action,
      resource: r.resource,
    };
    if (input.resourceAccount !== undefined) request.resourceAccount = input.resourceAccount;
    request.context = r.context;
    request.principalContext = extra;
    request.unknownKeys = isUnloggedKey;
    return request;
  };
  // Every denied request is evaluated with the patched policies.
  const still: { r: DeniedRequestForFix; result: EvaluationResult }[] = [];
  // An added identity policy is evaluated on top of the finding's result for the request (the engine
  // takes the other policies' verdicts from it); anything else is evaluated in full.
  const added = patchedSet === placed.patched ? placed.addedIdentity : undefined;
  // Requests that share a result (the finding reused it: their decisions cannot depend on their context)
  // share the decision derived from it too. Only the last pair is kept: on the bench trail, half of the
  // repeats come right after the request they repeat. Only the decision is derived first: a request the
  // change allows (most of them) needs no result, and one it does not gets the full one.
  let lastBase: EvaluationResult | undefined;
  let lastDecision: Decision | undefined;
  for (const r of grantable) {
    let result: EvaluationResult;
    if (added !== undefined && r.result !== undefined) {
      if (r.result !== lastBase || lastDecision === undefined) {
        lastDecision = decisionWithAddedIdentityPolicy(r.result, patchedSet, added);
        lastBase = r.result;
      }
      if (lastDecision === 'Allowed') continue;
      result = evaluateWithAddedIdentityPolicy(r.result, patchedSet, added);
    } else {
      result = evaluate(patchedSet, toRequest(r));
    }
    if (result.decision !== 'Allowed') still.push({ r, result });
  }
  // The requests still refused for want of an Allow in one kind of policy, and evaluating the rest
  // again once a second change is in the set (an added Allow cannot deny what was allowed).
  const refusedFor = (type: PolicyType) =>
    still.filter((x) => x.result.decision === 'ImplicitlyDenied' && x.result.missingAllowIn.includes(type));
  const evaluateStillRefused = () => {
    const again = still.map((x) => ({ r: x.r, result: evaluate(patchedSet, toRequest(x.r)) }));
    still.length = 0;
    for (const x of again) if (x.result.decision !== 'Allowed') still.push(x);
  };
  // A bucket-policy fix for a caller whose own policies are visible: the requests they do not allow
  // either need an identity-side statement too (and only those), placed as an identity fix of the
  // caller would be, and verified together with the bucket's.
  let identityChange: AdditionalChange | undefined;
  let callerFix: Omit<Fix, 'verification' | 'verified'> | undefined;
  // So does an SCP fix for a caller whose own policies do not allow the requests either (the SCP is the
  // cause named first: an organization's control comes before the account's policies).
  const callerRefused =
    (input.kind === 'bucket-policy' && !crossAccountResourceOnly) || (input.kind === 'scp' && !scpOnly)
      ? refusedFor('identity')
      : [];
  if (callerRefused.length > 0) {
    const callerStatements = minimalStatements(callerRefused.map((x) => x.r));
    const callerPlaced = placeIdentity(input, callerStatements, JSON.stringify(callerStatements));
    callerFix = callerPlaced.fix;
    identityChange = additionalChange(callerPlaced.fix);
    if (callerPlaced.note !== undefined) caveats.push(callerPlaced.note);
    overQuota.add(callerPlaced.overQuota);
    patchedSet = { ...patchedSet, identity: callerPlaced.patched.identity };
    evaluateStillRefused();
  }
  // An identity fix for a principal whose permissions boundary does not allow the requests either: the
  // boundary's missing statements too (and only those), as a new version of it, verified with the fix.
  // So too for a cross-account caller whose own policies are visible: its boundary caps them.
  let boundaryChange: AdditionalChange | undefined;
  // The new version of a managed policy that is also the caller's boundary raises the boundary too: one
  // change, not a second version of the same policy.
  const sameBoundary = input.resolved.boundary;
  const boundaryVersion = [placed.fix, callerFix].find(
    (change) =>
      change?.attachKind === 'managed-policy-version' &&
      change.newDocument !== undefined &&
      sameBoundary?.arn !== undefined &&
      sameBoundary.arn === change.policyArn,
  );
  if (
    boundaryVersion?.newDocument !== undefined &&
    sameBoundary?.arn !== undefined &&
    refusedFor('permissions-boundary').length > 0
  ) {
    patchedSet = {
      ...patchedSet,
      permissionsBoundary: input.cache.compile(
        { name: sameBoundary.name, arn: sameBoundary.arn, document: boundaryVersion.newDocument },
        { policyType: 'permissions-boundary', policyIndex: 0 },
      ),
    };
    evaluateStillRefused();
    verification.push(
      `${boundaryVersion.policyName ?? sameBoundary.name} is also the caller's permissions boundary: its new version raises the boundary too, and was checked as both.`,
    );
  }
  const boundaryRefused =
    input.kind === 'identity' ||
    input.kind === 'scp' ||
    (input.kind === 'bucket-policy' && !crossAccountResourceOnly && !service)
      ? refusedFor('permissions-boundary')
      : [];
  if (boundaryRefused.length > 0) {
    const boundaryStatements = minimalStatements(boundaryRefused.map((x) => x.r));
    const raised = placeBoundary(input, boundaryStatements, JSON.stringify(boundaryStatements));
    const raisedBoundary = typeof raised === 'string' ? undefined : raised.patched.permissionsBoundary;
    if (typeof raised === 'string') {
      caveats.push(`The permissions boundary cannot be raised here: ${raised}.`);
    } else if (raisedBoundary !== undefined) {
      if (raised.note !== undefined) caveats.push(raised.note);
      overQuota.add(raised.overQuota);
      boundaryChange = additionalChange(raised.fix);
      patchedSet = { ...patchedSet, permissionsBoundary: raisedBoundary };
      evaluateStillRefused();
    }
  }
  const deny = still.find((x) => x.result.decision === 'ExplicitlyDenied');
  if (deny !== undefined) {
    const by = deny.result.deniedBy
      .map(
        (d) =>
          `${d.policyName ?? d.policyArn ?? d.policyType}${d.sid !== undefined ? ` (Sid ${d.sid})` : ''}`,
      )
      .join(', ');
    return {
      fix: null,
      caveats: [
        `An added Allow would not help: ${deny.r.action} on ${deny.r.resource} stays explicitly denied by ${by}.`,
      ],
    };
  }
  if (still.length > 0) {
    const missing = [...new Set(still.flatMap((x) => x.result.missingAllowIn))].join(', ');
    caveats.push(
      `With the fix applied, ${still.length === 1 ? '1 request still lacks' : `${still.length} requests still lack`} an Allow in: ${missing}. Those policies must allow ${still.length === 1 ? 'it' : 'them'} too.`,
    );
  } else {
    const left: string[] = [];
    const probes = input.notGranted ?? 0;
    const guarded = input.conditionGuarded ?? 0;
    const unknownGuard = input.conditionUnknown ?? 0;
    if (probes > 0) left.push(`${plural(probes, 'rclone check')} of the job's root (which it gets past)`);
    if (guarded > unknownGuard)
      left.push(
        `${guarded - unknownGuard} that an Allow grants only under a condition the request did not meet`,
      );
    if (unknownGuard > 0)
      left.push(
        `${unknownGuard} that an Allow grants only under a condition the record cannot show met (unverifiable, not unmet)`,
      );
    const elsewhere = input.onOtherBuckets ?? 0;
    if (elsewhere > 0) left.push(`${elsewhere} on other buckets, which this bucket's policy cannot grant`);
    verification.push(
      left.length > 0
        ? `With the fix applied, ${grantable.length === 1 ? 'the denied request it covers evaluates' : `the ${grantable.length} denied requests it covers evaluate`} to Allowed; deliberately not granted (see the caveats): ${left.join('; ')}.`
        : `With the fix applied, ${grantable.length === 1 ? 'the denied request evaluates' : `all ${grantable.length} denied requests evaluate`} to Allowed.`,
    );
  }
  if (
    input.kind === 'bucket-policy' &&
    input.bucketPolicyDocument === undefined &&
    input.bucket !== undefined
  ) {
    verification.push(
      `Checked as if ${input.bucket} had no bucket policy: its policy is not in the input (see the caveats).`,
    );
  }
  if (crossAccountResourceOnly && input.principal.type === 'Root') {
    verification.push(
      "Checked on the bucket side only, and for the caller alone: the caller is the root user of its account, which has no identity-based policies and is allowed everything there but what its organization's SCPs deny; the Principal, the account's ARN, also admits every user and role of that account whose own policies allow these actions (see the caveats).",
    );
    caveats.push(
      `The Principal is the account's ARN (${roleOrUserArn(input)}): in a bucket policy it names the whole account, not its root user alone, so any user or role of that account whose own policies allow these actions gets them too (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts). A job should not run as the root user: give it a role, and name that role instead.`,
    );
  } else if (crossAccountResourceOnly) {
    verification.push(
      "Checked on the bucket side only: the caller's own account must also allow these actions (the caller-side statements).",
    );
  } else if (scpOnly) {
    verification.push(
      `Checked on the organization's side only: the caller's own policies${input.principal.account !== undefined ? ` (in account ${input.principal.account})` : ''} are not in the input, and must allow these actions too.`,
    );
  } else if (service && input.kind === 'bucket-policy') {
    verification.push(
      `${input.principal.name ?? 'The service'} is an AWS service principal: it has no identity-based policies, so the bucket policy alone decides. Checked for the caller alone: until the condition the caveats give is added, the Principal admits the service acting for any account.`,
    );
    caveats.push(serviceSourceCaveat(input));
  } else if (
    input.kind === 'scp' &&
    placed.fix.otherScps !== undefined &&
    identityChange === undefined &&
    boundaryChange === undefined
  ) {
    verification.push(
      `Checked with the changes at every level that lacks the requests: ${[placed.fix, ...placed.fix.otherScps].map((c) => c.policyName ?? c.attachTo).join(', then ')} (every level of the tree must allow).`,
    );
  } else if (boundaryChange !== undefined || identityChange !== undefined) {
    const changes = [input.kind === 'bucket-policy' ? "the bucket policy's" : 'the statements above'];
    if (identityChange !== undefined) {
      changes.push(
        `the caller-side statements in the ${identityChange.attachKind === 'managed-policy-version' ? 'managed policy' : identityChange.attachKind === 'permission-set' ? 'permission set' : 'inline policy'} ${identityChange.policyName ?? identityChange.attachTo} of ${roleOrUserArn(input)}, whose own policies do not allow ${someOf(callerRefused.length, grantable.length)}`,
      );
    }
    if (boundaryChange !== undefined) {
      changes.push(
        `a new version of the permissions boundary ${boundaryChange.policyName} with the statements it lacks (it does not allow ${someOf(boundaryRefused.length, grantable.length)})`,
      );
    }
    const last = changes.pop();
    verification.push(
      `Checked with ${changes.length === 2 ? 'all three' : 'both'} changes: ${changes.join(', ')}${changes.length === 2 ? ',' : ''} and ${last}.`,
    );
  } else if (
    input.kind === 'bucket-policy' &&
    input.principal.account !== undefined &&
    input.resourceAccount !== undefined &&
    input.principal.account !== input.resourceAccount
  ) {
    verification.push(
      `The caller's own policies already allow these requests: nothing to add on its side (${roleOrUserArn(input)}).`,
    );
  }

  // Nothing beyond the fix's own actions and resources may become newly allowed.
  // A second change makes the probes compare the two sets in full (an added identity policy alone need not).
  const otherScps = placed.fix.otherScps;
  const probeKey =
    identityChange === undefined && boundaryChange === undefined && otherScps === undefined
      ? statementsKey
      : `${statementsKey}|${JSON.stringify([
          identityChange?.statements ?? null,
          boundaryChange?.statements ?? null,
          otherScps?.map((c) => [c.attachTo, c.statements]) ?? null,
        ])}`;
  const probe = probeNewlyAllowed(
    input,
    statements,
    probeKey,
    patchedSet,
    boundaryChange === undefined ? added : undefined,
  );
  if (probe.newlyAllowed !== undefined) {
    caveats.push(`Verification failed: the change would also newly allow ${probe.newlyAllowed}.`);
  } else {
    verification.push(
      `No other ${probe.otherActions === undefined ? 'S3 action' : 'action'} or resource becomes newly allowed (${probe.checked} action/resource probes${probe.otherActions === undefined ? '' : `, ${probe.otherActions.join(', ')} among them`}; the other ${input.s3Actions.length - probe.actions} S3 actions are not matched by the added statements, so their decisions cannot change).`,
    );
  }
  const newlyAllowed = probe.newlyAllowed;
  if (overQuota.count > 0) verification.push(overQuotaLine(overQuota.count));
  const verified = still.length === 0 && newlyAllowed === undefined && overQuota.count === 0;
  // Every managed policy the fix gives a new version (its own target, the caller's side, the boundary).
  for (const change of [placed.fix, identityChange, boundaryChange]) {
    const full = fullVersionsCaveat(change, input.snapshot);
    if (full !== undefined) caveats.push(full);
  }
  if (delivery !== undefined) caveats.push(delivery.caveat);
  const rootKeys = delivery === undefined ? rootLevelKeysCaveat(grantable, statements) : undefined;
  if (rootKeys !== undefined) caveats.push(rootKeys);
  const wholeBucket = wholeBucketCaveat(grantable, statements);
  if (wholeBucket !== undefined) caveats.push(wholeBucket);
  // A replication role's refusals: what the rule replicates, not a dated directory, sets the scope.
  const replication = replicationScopeCaveat(grantable, statements);
  if (replication !== undefined) caveats.push(replication);
  const dated = replication === undefined ? datedDirectoryCaveat(statements) : undefined;
  if (dated !== undefined) caveats.push(dated);
  const access = accessManagementCaveat(statements);
  if (access !== undefined) caveats.push(access);
  // Identity-side statements: all of them when the caller's policies are not visible, the needed ones
  // when they are (none when its policies already allow every request).
  const identityStatements = crossAccountResourceOnly
    ? placed.fix.identityStatements
    : identityChange?.statements;
  return {
    fix: verifiedFix(placed.fix, verified, verification, {
      identityStatements,
      identityChange,
      boundaryChange,
    }),
    caveats,
  };
}

/**
 * A grant to a service principal lets that service act for any account that uses it (the confused
 * deputy problem): AWS advises a condition naming the account or resource it acts for. CloudTrail does
 * not record those keys, so the fix is verified without one, and the caveat gives the one to add, saying
 * where its value comes from:
 * - an organization trail (`AWSLogs/o-…/<member>/`): aws:SourceArn, the trail's ARN in the management
 *   account, not the member accounts the keys name (AWS's organization-trail bucket policy);
 * - CloudFront (origin access control): aws:SourceArn, the distribution's ARN, whose account may not be
 *   the bucket's;
 * - a log delivery whose key names the account (`AWSLogs/<account>/`): that account, inferred from the
 *   layout AWS documents;
 * - otherwise the bucket owner's account, a guess the caveat says is one.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html#org-trail-bucket-policy
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
 */
function serviceSourceCaveat(input: FixInput): string {
  const service = input.principal.name;
  const partition = input.partition ?? 'aws';
  const tail = `CloudTrail does not record those keys, so the fix was verified without the condition (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).`;
  const head =
    'Grants to a service principal should name whom the service acts for (the confused deputy problem)';
  const organizations = [...new Set(input.requests.flatMap((r) => organizationInKey(r.key) ?? []))];
  if (service === 'cloudtrail.amazonaws.com' && organizations.length > 0) {
    const known = cloudTrailSourceArns(input.bucketPolicyDocument);
    const region = input.requests.find((r) => typeof r.context['aws:RequestedRegion'] === 'string')?.context[
      'aws:RequestedRegion'
    ];
    const arn =
      known.length > 0
        ? known.length === 1
          ? known[0]
          : known
        : `arn:${partition}:cloudtrail:${typeof region === 'string' ? region : '<region>'}:<management-account-id>:trail/<trail-name>`;
    return `${head}: the keys are an organization trail's (AWSLogs/${organizations.join(', AWSLogs/')}/…), and for an organization trail aws:SourceArn must be the trail's ARN, owned by and naming the organization's management account, not the member accounts the keys name: add "Condition": {"StringEquals": {"aws:SourceArn": ${JSON.stringify(arn)}}} to the statement${known.length > 0 ? ` (the trail ARN the bucket policy's other statements already name; check that it is the organization trail's)` : ''}, as AWS's AWSCloudTrailOrganizationWrite statement does (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html#org-trail-bucket-policy). ${tail}`;
  }
  if (service === 'cloudfront.amazonaws.com')
    return `${head}: for CloudFront's origin access control, add "Condition": {"StringEquals": {"AWS:SourceArn": "arn:${partition}:cloudfront::<account-id>:distribution/<distribution-id>"}} to the statement, the ARN of the distribution that reads the bucket, whose account may be another than the bucket's (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html). ${tail}`;
  // S3 Inventory's keys name the bucket inventoried, S3 Storage Lens's the account and dashboard: the
  // aws:SourceArn (and account) AWS's bucket policies for them name.
  const report = reportSourceCaveat(input, head, tail);
  if (report !== undefined) return report;
  // Logs a service delivers for other accounts name them in their keys (`AWSLogs/<account>/…`): those
  // are the accounts it acts for, not the bucket's.
  const delivered = [...new Set(input.requests.flatMap((r) => sourceAccountInKey(service, r.key) ?? []))];
  if (delivered.length > 0)
    return `${head}: add "Condition": {"StringEquals": {"aws:SourceAccount": ${JSON.stringify(delivered.length === 1 ? delivered[0] : delivered)}}} to the statement, the ${delivered.length === 1 ? 'account' : 'accounts'} the keys name (AWSLogs/<account-id>/…), which the service delivers for (an inference from the layout AWS documents: ${deliveryLayoutDoc(service)}), or aws:SourceArn with the resource that writes (a trail, a log group), as the service's documentation gives it. ${tail}`;
  const account = input.resourceAccount ?? input.snapshot?.accountId;
  return `${head}: add "Condition": {"StringEquals": {"aws:SourceAccount": ${JSON.stringify(account ?? '<account-id>')}}} to the statement, or aws:SourceArn with the resource that writes (a trail, a load balancer), as the service's documentation gives it. ${account !== undefined ? `${account} is the bucket owner's account, a guess: the record does not say whom the service acts for, so name that account instead if it is another.` : 'The record does not say whom the service acts for: name that account.'} ${tail}`;
}

/**
 * The confused-deputy caveat of an S3 Inventory or S3 Storage Lens delivery whose keys name its source:
 * the inventoried bucket (`destination-prefix/<source-bucket>/<config-ID>/…`), whose ARN and owner AWS's
 * inventory bucket policy names as aws:SourceArn and aws:SourceAccount, or the Storage Lens dashboard
 * (`StorageLens/<account-id>/<config-id>/`), whose ARN is `arn:aws:s3:<region>:<account-id>:storage-lens/<config-id>`
 * in the Region of the export's bucket. `undefined` for another delivery.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html#example-bucket-policies-s3-inventory-1
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage_lens_whatis_metrics_export_manifest.html
 */
function reportSourceCaveat(input: FixInput, head: string, tail: string): string | undefined {
  const service = input.principal.name;
  const sources = input.requests.flatMap((r) => reportSourceInKey(service, r.key) ?? []);
  if (sources.length === 0) return undefined;
  const partition = input.partition ?? 'aws';
  const one = (values: readonly string[]) => JSON.stringify(values.length === 1 ? values[0] : values);
  const buckets = [...new Set(sources.flatMap((s) => (s.kind === 'inventory' ? [s.bucket] : [])))];
  if (buckets.length > 0) {
    const owner = input.resourceAccount ?? input.snapshot?.accountId;
    return `${head}: add "Condition": {"ArnLike": {"aws:SourceArn": ${one(buckets.map((b) => `arn:${partition}:s3:::${b}`))}}, "StringEquals": {"aws:SourceAccount": "<source-account-id>"}} to the statement, naming the ${buckets.length === 1 ? 'bucket' : 'buckets'} S3 Inventory lists (the keys name ${buckets.length === 1 ? 'it' : 'them'}: destination-prefix/<source-bucket>/<config-ID>/…) and the account that owns ${buckets.length === 1 ? 'it' : 'them'}${owner !== undefined ? ` (${owner}, this bucket's, if ${buckets.length === 1 ? 'it is' : 'they are'} in the same account)` : ''}, as AWS's bucket policy for S3 Inventory does (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html#example-bucket-policies-s3-inventory-1). ${tail}`;
  }
  const region = input.requests.find((r) => typeof r.context['aws:RequestedRegion'] === 'string')?.context[
    'aws:RequestedRegion'
  ];
  const dashboards = sources.flatMap((s) => (s.kind === 'storage-lens' ? [s] : []));
  const arns = [
    ...new Set(
      dashboards.map(
        (d) =>
          `arn:${partition}:s3:${typeof region === 'string' ? region : '<region>'}:${d.account}:storage-lens/${d.configId}`,
      ),
    ),
  ];
  const accounts = [...new Set(dashboards.map((d) => d.account))];
  return `${head}: add "Condition": {"StringEquals": {"aws:SourceArn": ${one(arns)}, "aws:SourceAccount": ${one(accounts)}}} to the statement, the S3 Storage Lens ${arns.length === 1 ? 'dashboard' : 'dashboards'} and ${accounts.length === 1 ? 'account' : 'accounts'} the keys name (StorageLens/<account-id>/<config-id>/…; a dashboard's export goes to a bucket in its own Region), an inference from the layout AWS documents (${deliveryLayoutDoc(service)}). ${tail}`;
}

/** The CloudTrail trail ARNs a bucket policy's conditions name (aws:SourceArn), in the order they appear. */
function cloudTrailSourceArns(document: unknown): string[] {
  const found = new Set<string>();
  const statements = isJsonObject(document) ? document.Statement : undefined;
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    const condition = isJsonObject(statement) ? statement.Condition : undefined;
    if (!isJsonObject(condition)) continue;
    for (const block of Object.values(condition)) {
      if (!isJsonObject(block)) continue;
      for (const [key, value] of Object.entries(block)) {
        if (key.toLowerCase() !== 'aws:sourcearn') continue;
        for (const arn of Array.isArray(value) ? value : [value])
          if (typeof arn === 'string' && /^arn:[^:]+:cloudtrail:[^:]*:\d{12}:trail\/[^*?]+$/.test(arn))
            found.add(arn);
      }
    }
  }
  return [...found];
}

/**
 * A log-delivery service's object requests granted under the prefix it writes every delivery under
 * (`[prefix/]AWSLogs/<account-id>/`, the target prefix of S3 server access logs), as AWS documents the
 * service's key layout: its object names are new on every delivery (a timestamp, a unique string), so a
 * grant of the refused objects, or of their dated directory, would let no later delivery through.
 * `undefined` when the service is not one whose layout is known, or no refused key follows it.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html#server-log-keyname-format
 */
function deliveryScoped(
  service: string | undefined,
  requests: readonly DeniedRequestForFix[],
): { requests: GrantRequest[]; caveat: string } | undefined {
  const prefixes = new Set<string>();
  const scoped = requests.map((r): GrantRequest => {
    if (r.bucket === undefined || r.key === undefined || r.accessPoint !== undefined) return r;
    const prefix = deliveryPrefix(service, r.key);
    if (prefix === undefined) return r;
    prefixes.add(prefix);
    const base = bucketArnOf(r.bucket, partitionOfArn(r.resource));
    return {
      action: r.action,
      resource: `${base}/${literalArnPart(prefix)}*`,
      anyKey: true,
      ...(r.context !== undefined ? { context: r.context } : {}),
    };
  });
  if (prefixes.size === 0) return undefined;
  const places = [...prefixes].map((p) => (p === '' ? 'the whole bucket (no target prefix)' : `${p}*`));
  return {
    requests: scoped,
    caveat: `The fix grants ${places.join(', ')}, the prefix ${service} writes every delivery under as AWS documents its key layout (${deliveryLayoutDoc(service)}), rather than the refused objects: ${deliveryNaming(service)}, so a grant of those objects, or of their dated directory, would let no later delivery through.`,
  };
}

/** The actions only S3 Replication (live, or Batch Replication) calls: on the source, then the destination. */
const REPLICATION_ACTIONS: ReadonlySet<string> = new Set([
  's3:GetObjectVersionForReplication',
  's3:ReplicateObject',
  's3:ReplicateDelete',
  's3:ReplicateTags',
]);

/**
 * The caveat for a fix that grants a replication role's refused reads of the source, or writes to the
 * destination, on less than the bucket's objects (the refused keys' directory): replication copies every
 * new object its rule selects, under the source's key, so objects elsewhere are refused next, and the
 * rule's scope (its prefix, or the whole bucket, as AWS's replication permissions grant) is what to
 * grant. An object that failed to replicate is replicated again only by S3 Batch Replication.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-batch-replication-batch.html
 */
function replicationScopeCaveat(
  requests: readonly DeniedRequestForFix[],
  statements: readonly PolicyStatement[],
): string | undefined {
  const destinations = new Set(
    requests.flatMap((r) =>
      REPLICATION_ACTIONS.has(r.action) && r.bucket !== undefined && r.accessPoint === undefined
        ? [`${bucketArnOf(r.bucket, partitionOfArn(r.resource))}/*`]
        : [],
    ),
  );
  if (destinations.size === 0) return undefined;
  const narrow = [
    ...new Set(
      statements
        .filter((s) => s.Action.some((a) => REPLICATION_ACTIONS.has(a)))
        .flatMap((s) => s.Resource)
        .filter((r) => !destinations.has(r) && [...destinations].some((d) => r.startsWith(d.slice(0, -1)))),
    ),
  ];
  if (narrow.length === 0) return undefined;
  const wider = [...destinations].join(', ');
  return `The fix grants the replication role ${narrow.join(', ')}, where the refused objects are, but replication copies every new object its rule selects, under the source object's key: objects elsewhere in the bucket will be refused in turn. Grant what the replication rule covers instead, the objects under the rule's prefix, or ${wider}, the resource AWS's replication permissions use (https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html). An object whose replication failed is not replicated again by itself: once the fix is in place, replicate the failed objects with S3 Batch Replication (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-batch-replication-batch.html).`;
}

/** A placed change (or a fix's own) in the shape of a fix's second policy. */
export function additionalChange(placed: Placement['fix']): AdditionalChange {
  return {
    attachTo: placed.attachTo,
    attachKind: placed.attachKind,
    ...(placed.policyArn !== undefined ? { policyArn: placed.policyArn } : {}),
    ...(placed.policyName !== undefined ? { policyName: placed.policyName } : {}),
    statements: placed.statements,
    newDocument: placed.newDocument,
    ...(placed.diff !== undefined ? { diff: placed.diff } : {}),
    ...(placed.overQuota !== undefined ? { overQuota: placed.overQuota } : {}),
  };
}

/**
 * The caveat for a change that gives a managed policy a new version when the policy already has IAM's
 * maximum of 5: `create-policy-version` is refused until one is deleted.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entities
 */
export function fullVersionsCaveat(
  change: Pick<AdditionalChange, 'attachKind' | 'policyArn' | 'policyName'> | undefined,
  snapshot: AccountSnapshot | undefined,
): string | undefined {
  if (
    change === undefined ||
    change.attachKind !== 'managed-policy-version' ||
    snapshot === undefined ||
    change.policyArn === undefined
  )
    return undefined;
  const lookup = managedPolicyByArn(snapshot, change.policyArn);
  if (!lookup.ok || lookup.policy.versionIds.length < 5) return undefined;
  // The oldest version that is not the default (IAM numbers them v1, v2…): the usual one to delete.
  const number = (id: string) => Number(/^v(\d+)$/.exec(id)?.[1] ?? Number.POSITIVE_INFINITY);
  const oldest = lookup.policy.versionIds
    .filter((id) => id !== lookup.policy.versionId)
    .sort((a, b) => number(a) - number(b))[0];
  const command =
    oldest === undefined
      ? ''
      : `, such as the oldest (aws iam delete-policy-version --policy-arn ${shellWord(change.policyArn)} --version-id ${shellWord(oldest)}; a deleted version cannot be restored, so check first that nothing needs it)`;
  return `${change.policyName ?? 'The policy'} already has 5 versions, IAM's maximum: delete a non-default version before creating the new one${command} (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html).`;
}

/**
 * The placed change with its verification, member by member in the order of {@link Fix} (which every
 * placement follows): V8 copies these variously shaped objects far more slowly with a spread.
 */
export function verifiedFix(
  placed: Placement['fix'],
  verified: boolean,
  verification: readonly string[],
  also: {
    readonly identityStatements: readonly PolicyStatement[] | undefined;
    readonly identityChange: AdditionalChange | undefined;
    readonly boundaryChange: AdditionalChange | undefined;
  },
): Fix {
  const fix: { -readonly [K in keyof Fix]: Fix[K] } = {
    attachTo: placed.attachTo,
    attachKind: placed.attachKind,
  } as Fix;
  if (placed.policyArn !== undefined) fix.policyArn = placed.policyArn;
  if (placed.policyName !== undefined) fix.policyName = placed.policyName;
  fix.statements = placed.statements;
  if (placed.newDocument !== undefined) fix.newDocument = placed.newDocument;
  if (placed.diff !== undefined) fix.diff = placed.diff;
  if (placed.overQuota !== undefined) fix.overQuota = placed.overQuota;
  if (also.identityStatements !== undefined) fix.identityStatements = also.identityStatements;
  if (also.identityChange !== undefined) fix.identityChange = also.identityChange;
  if (also.boundaryChange !== undefined) fix.boundary = also.boundaryChange;
  if (placed.otherScps !== undefined) fix.otherScps = placed.otherScps;
  fix.verified = verified;
  fix.verification = verification;
  return fix;
}

/** A user, group or role that holds a managed policy, and how: attached, as its permissions boundary, or both. */
interface HeldBy {
  readonly holder: PolicyHolder;
  attached: boolean;
  boundary: boolean;
}

/** Users, groups and roles per customer-managed policy ARN (boundaries included), per snapshot. */
const holdersBySnapshot = new WeakMap<AccountSnapshot, Map<string, HeldBy[]>>();

function holdersOf(snapshot: AccountSnapshot, arn: string): readonly HeldBy[] {
  let byArn = holdersBySnapshot.get(snapshot);
  if (byArn === undefined) {
    byArn = new Map();
    const add = (policyArn: string, holder: PolicyHolder, as: 'attached' | 'boundary'): void => {
      let list = byArn!.get(policyArn);
      if (list === undefined) {
        list = [];
        byArn!.set(policyArn, list);
      }
      let held = list.find((h) => h.holder.arn === holder.arn);
      if (held === undefined) {
        held = { holder, attached: false, boundary: false };
        list.push(held);
      }
      held[as] = true;
    };
    const entities: [PolicyHolder['kind'], readonly (SnapshotUser | SnapshotGroup | SnapshotRole)[]][] = [
      ['user', snapshot.users],
      ['group', snapshot.groups],
      ['role', snapshot.roles],
    ];
    for (const [kind, list] of entities) {
      for (const entity of list) {
        const holder = { kind, name: entity.name, arn: entity.arn };
        for (const attachment of entity.attachedManagedPolicies) add(attachment.arn, holder, 'attached');
        const boundary = 'permissionsBoundaryArn' in entity ? entity.permissionsBoundaryArn : undefined;
        if (boundary !== undefined) add(boundary, holder, 'boundary');
      }
    }
    holdersBySnapshot.set(snapshot, byArn);
  }
  return byArn.get(arn) ?? [];
}

/**
 * Another holder of a managed policy, in words (`role billing-api`, `the 2 other members of group ops`),
 * how many principals it stands for, and how it holds the policy (undefined: not known, or through a
 * group).
 */
export interface OtherHolder {
  readonly text: string;
  readonly count: number;
  readonly how?: 'attached' | 'boundary' | 'both';
}

/**
 * Who else a new version of the managed policy `arn` would change: the other users, groups and roles it
 * is attached to (or is the permissions boundary of), and the other members of the group through which
 * `holder` has it.
 */
export function otherHolders(
  snapshot: AccountSnapshot,
  arn: string,
  holder: PolicyHolder,
): readonly OtherHolder[] {
  // Asked for each placement of a fix (thousands on a large trail): the answer per policy and holder.
  let memo = otherHoldersMemo.get(snapshot);
  if (memo === undefined) {
    memo = new Map();
    otherHoldersMemo.set(snapshot, memo);
  }
  const key = `${arn} ${holder.arn}`;
  let others = memo.get(key);
  if (others === undefined) {
    others = listOtherHolders(snapshot, arn, holder);
    memo.set(key, others);
  }
  return others;
}

const otherHoldersMemo = new WeakMap<AccountSnapshot, Map<string, readonly OtherHolder[]>>();

function listOtherHolders(snapshot: AccountSnapshot, arn: string, holder: PolicyHolder): OtherHolder[] {
  // By name too: a holder whose snapshot Arn is not an ARN goes by the event's ARN (names are unique
  // per kind in an account).
  const others: OtherHolder[] = holdersOf(snapshot, arn)
    .filter(
      (h) => h.holder.arn !== holder.arn && !(h.holder.kind === holder.kind && h.holder.name === holder.name),
    )
    .map((h) => ({
      text: `${h.holder.kind} ${h.holder.name}`,
      count: 1,
      how: h.attached && h.boundary ? 'both' : h.boundary ? 'boundary' : 'attached',
    }));
  // A snapshot taken with --filter, or cut short, lacks some holders: IAM's own counts say how many.
  const { attached, bounded } = unlistedUsages(snapshot, arn);
  if (attached > 0)
    others.push({
      text: `${plural(attached, 'more user, group or role', 'more users, groups or roles')} the snapshot does not hold (the policy's AttachmentCount)`,
      count: attached,
      how: 'attached',
    });
  if (bounded > 0)
    others.push({
      text: `${plural(bounded, 'more user or role', 'more users or roles')} the snapshot does not hold (the policy's PermissionsBoundaryUsageCount)`,
      count: bounded,
      how: 'boundary',
    });
  if (holder.kind === 'group') {
    const members = snapshot.users.filter((u) => u.groups.includes(holder.name)).length - 1;
    if (members > 0)
      others.unshift({
        text:
          members === 1
            ? `the other member of group ${holder.name}`
            : `the ${members} other members of group ${holder.name}`,
        count: members,
      });
  }
  return others;
}

/** Attachments and boundary uses of a managed policy that IAM counts but the snapshot's entities do not show. */
function unlistedUsages(snapshot: AccountSnapshot, arn: string): { attached: number; bounded: number } {
  const policy = snapshot.managedPolicies.find((p) => p.arn === arn);
  if (
    policy === undefined ||
    (policy.attachmentCount === undefined && policy.boundaryUsageCount === undefined)
  )
    return { attached: 0, bounded: 0 };
  let attached = 0;
  let bounded = 0;
  for (const entity of [...snapshot.users, ...snapshot.groups, ...snapshot.roles]) {
    if (entity.attachedManagedPolicies.some((a) => a.arn === arn)) attached++;
    if ('permissionsBoundaryArn' in entity && entity.permissionsBoundaryArn === arn) bounded++;
  }
  return {
    attached: Math.max(0, (policy.attachmentCount ?? attached) - attached),
    bounded: Math.max(0, (policy.boundaryUsageCount ?? bounded) - bounded),
  };
}

/** The first three holders in words, then how many more. */
export function shownHolders(others: readonly OtherHolder[], withHow: boolean): string {
  const words = others.map((o) =>
    withHow && o.how !== undefined && o.count === 1
      ? `${o.text} (${o.how === 'both' ? 'its permissions boundary, and attached' : o.how === 'boundary' ? 'its permissions boundary' : 'attached'})`
      : o.text,
  );
  return words.length > 3 ? `${words.slice(0, 3).join(', ')} and ${words.length - 3} more` : words.join(', ');
}

function sharedPolicyNote(policy: LocatedPolicy, others: readonly OtherHolder[]): string {
  return `${policy.name} already grants S3 on this bucket, but a new version of it would also change what it grants ${shownHolders(others, false)}: the fix is an inline policy on this principal alone instead. To grant all of them, add the same statements to ${policy.name}.`;
}

function sharedBoundaryNote(name: string, others: readonly OtherHolder[]): string {
  const one = others.reduce((n, o) => n + o.count, 0) === 1;
  const bounds = others.some((o) => o.how !== 'attached');
  const attached = others.some((o) => o.how !== 'boundary');
  const effect =
    bounds && attached
      ? 'grants the same statements to those it is attached to, and raises the ceiling of those whose boundary it is, though what each can do still depends on its own identity-based policies'
      : bounds
        ? `raises ${one ? 'its' : 'their'} ceiling as well, though what ${one ? 'it' : 'each'} can do still depends on ${one ? 'its' : 'their'} own identity-based policies`
        : `grants ${one ? 'it' : 'them'} the same statements`;
  return `${name} also serves ${shownHolders(others, true)}: its new version ${effect}. Verification covered this principal only.`;
}

/** `2 of the 3 denied requests`, `any of the 3 denied requests` (all of them), `the denied request` (the only one). */
function someOf(part: number, whole: number): string {
  if (part === whole) return whole === 1 ? 'the denied request' : `any of the ${whole} denied requests`;
  return `${part} of the ${whole} denied requests`;
}
