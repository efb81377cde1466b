/**
 * Fixes of several findings that change the same policy, combined into one change.
 *
 * A fix's new document is the policy as the account snapshot holds it plus the finding's statements: a
 * new managed policy version, a bucket policy, or the inline policy `PermissionAuditorFix` (an inline
 * policy name holds one document, so putting a second replaces the first). A job refused on two buckets,
 * or in two time windows, gets two findings whose fixes change one policy; applied one after the other,
 * only the last would stay. The report therefore gives each such finding a caveat, and the change with
 * every finding's statements once.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 */

import { isAwsManagedPolicyArn } from '../policy/arnPartition.js';
import { holdsReplacedCharacter } from '../tools/jobResourceArns.js';
import { accessManagementCaveat } from './accessManagement.js';
import { additionalChange, withSids } from './fix.js';
import { identityOf } from './grouping.js';
import { diffBefore, lineDiff } from './lineDiff.js';
import {
  BUCKET_POLICY_QUOTA_BYTES,
  bucketPolicyBytes,
  iamPolicySize,
  inlinePolicyQuota,
  MANAGED_POLICY_QUOTA,
  PERMISSION_SET_INLINE_QUOTA,
  SERVICE_CONTROL_POLICY_QUOTA,
  scpSize,
} from './policySize.js';
import type { AdditionalChange, Finding, PolicyChange, PolicyStatement } from './report.js';

const CURRENT_VERSION = '2012-10-17';

/**
 * One policy a finding's fix changes: the fix's own target, or another it changes too (the caller's own
 * policy, the permissions boundary), with the whole new document of that policy.
 */
interface PolicyEdit extends AdditionalChange {
  /** The finding's index in the report. */
  readonly finding: number;
  readonly principalArn: string;
  readonly verified: boolean;
}

/** The policies a finding's fix changes; none for a repeat, whose fix is the earlier finding's. */
function editsOf(finding: Finding, index: number): PolicyEdit[] {
  const { fix } = finding;
  if (fix === null || finding.repeatOf !== undefined) return [];
  const edits: PolicyEdit[] = [];
  const principalArn = finding.principal.arn;
  if (fix.newDocument !== undefined) {
    edits.push({ ...additionalChange(fix), finding: index, principalArn, verified: fix.verified });
  }
  // The fix's other policies: the caller's own (cross-account), the permissions boundary, lower SCPs.
  for (const also of [fix.identityChange, fix.boundary, ...(fix.otherScps ?? [])]) {
    // Without a whole document (a permission set whose inline policy the snapshot does not hold as
    // JSON) there is nothing to combine.
    if (also === undefined || also.newDocument === undefined) continue;
    edits.push({ ...also, finding: index, principalArn, verified: fix.verified });
  }
  return edits;
}

/**
 * The size of a user's or role's inline policies other than the one named (the inline policy a change
 * replaces), as IAM counts them: they share the change's quota. 0 when they are not known.
 */
export type OtherInlineSize = (holderArn: string, replacedName: string | undefined) => number;

/** The findings (each caveat added where its fix shares a policy with others) and the combined changes. */
export function combinePolicyChanges(
  findings: readonly Finding[],
  otherInlineSize: OtherInlineSize = () => 0,
): {
  findings: Finding[];
  policyChanges: PolicyChange[];
} {
  const byTarget = new Map<string, PolicyEdit[]>();
  findings.forEach((finding, index) => {
    for (const edit of editsOf(finding, index)) {
      const key = targetKey(edit);
      const list = byTarget.get(key);
      if (list === undefined) byTarget.set(key, [edit]);
      else list.push(edit);
    }
  });
  const caveatsOf = new Map<number, string[]>();
  const policyChanges: PolicyChange[] = [];
  for (const edits of byTarget.values()) {
    if (new Set(edits.map((e) => e.finding)).size < 2) continue;
    const change = combine(edits, otherInlineSize);
    policyChanges.push(change);
    for (const i of new Set(edits.map((e) => e.finding))) {
      // A fix that changes more than this policy (a bucket policy and the caller's side, a boundary too).
      const more = editsOf(findings[i]!, i).length > 1;
      const caveat = sharedTargetCaveat(change, i + 1, policyChanges.length, more, edits.some(isVersionEdit));
      const list = caveatsOf.get(i);
      if (list === undefined) caveatsOf.set(i, [caveat]);
      else list.push(caveat);
    }
  }
  if (policyChanges.length === 0) return { findings: [...findings], policyChanges };
  return {
    findings: findings.map((finding, i) => {
      const added = caveatsOf.get(i);
      return added === undefined ? finding : { ...finding, caveats: [...finding.caveats, ...added] };
    }),
    policyChanges,
  };
}

function targetKey(edit: Pick<PolicyEdit, 'attachKind' | 'attachTo' | 'policyArn' | 'policyName'>): string {
  return `${edit.attachKind}\u0000${edit.policyArn ?? edit.attachTo}\u0000${edit.policyName ?? ''}`;
}

/** What the change is, in words: `managed policy BackupWriter (arn)`, `the inline policy X of user/y`. */
function targetName(change: PolicyChange): string {
  switch (change.attachKind) {
    case 'managed-policy-version':
      return `the managed policy ${change.policyName ?? change.policyArn ?? change.attachTo}`;
    case 'bucket-policy':
      return `the bucket policy of ${change.attachTo.replace(/^arn:aws[a-z-]*:s3:::/, '')}`;
    case 'service-control-policy':
      return `the service control policy ${change.policyName ?? change.attachTo}`;
    case 'permission-set':
      return `the permission set ${change.policyName === undefined ? '' : `${change.policyName} `}of ${change.attachTo}`;
    case 'inline-policy':
      return `the inline policy ${change.policyName === undefined ? '' : `${change.policyName} `}of ${change.attachTo}`;
  }
}

function sharedTargetCaveat(
  change: PolicyChange,
  self: number,
  number: number,
  more: boolean,
  versioned: boolean,
): string {
  const others = change.findings.filter((n) => n !== self);
  const named =
    others.length > 5 ? `${others.slice(0, 5).join(', ')} and ${others.length - 5} more` : others.join(', ');
  const replace =
    change.attachKind === 'managed-policy-version'
      ? "each finding's new version starts from the policy as the snapshot has it"
      : "each finding's document replaces the one before";
  const where = `listed after the findings; in the JSON report, policyChanges[${number - 1}]`;
  // A Version fix adds no statement: what the last one keeps is its change.
  const kept = versioned ? 'change' : 'statements';
  return `Finding${others.length === 1 ? '' : 's'} ${named} also change${others.length === 1 ? 's' : ''} ${targetName(change)}: ${replace}, so applying the fixes one after another keeps only the last one's ${kept}. ${
    change.overQuota === undefined
      ? more
        ? `Apply combined change ${number} instead of this fix's change to it (${where}); the rest of this fix still applies.`
        : `Apply combined change ${number} instead (${where}).`
      : `Combined change ${number}, which holds them all, would be over its size quota (${where}): it says where the statements can go instead.`
  }`;
}

/**
 * The statements of every member once (compared without their Sids), then those with the same effect,
 * actions, principal and condition merged into one statement with all their resources.
 */
function mergedStatements(members: readonly PolicyEdit[]): PolicyStatement[] {
  const merged = new Map<string, { statement: PolicyStatement; resources: Set<string> }>();
  for (const edit of members) {
    for (const { Sid: _sid, ...statement } of edit.statements) {
      const { Resource, ...rest } = statement;
      // Fix statements are Allow with actions and resources; a bucket policy's also name a principal.
      const key =
        rest.Principal === undefined && rest.Condition === undefined
          ? `${rest.Effect} ${[...rest.Action].sort().join(' ')}`
          : JSON.stringify({ ...rest, Action: [...rest.Action].sort() });
      let entry = merged.get(key);
      if (entry === undefined) {
        entry = { statement, resources: new Set() };
        merged.set(key, entry);
      }
      for (const resource of Resource) entry.resources.add(resource);
    }
  }
  return [...merged.values()].map(({ statement, resources }) => ({
    ...statement,
    Resource: [...resources].sort(),
  }));
}

/**
 * The quota the combined document is held to (see policySize.ts), and its size as counted for it: IAM
 * counts characters without white space, S3 a bucket policy's bytes.
 */
function sizeAgainstQuota(
  change: Pick<PolicyChange, 'attachKind' | 'attachTo' | 'policyName'>,
  document: unknown,
  otherInlineSize: OtherInlineSize,
): { size: number; quota: number } | undefined {
  switch (change.attachKind) {
    case 'managed-policy-version':
      return { size: iamPolicySize(document), quota: MANAGED_POLICY_QUOTA };
    case 'bucket-policy':
      return { size: bucketPolicyBytes(document), quota: BUCKET_POLICY_QUOTA_BYTES };
    case 'inline-policy': {
      const kind = change.attachTo.includes(':user/')
        ? 'user'
        : change.attachTo.includes(':role/')
          ? 'role'
          : undefined;
      // The quota is on the holder's inline policies together.
      return kind === undefined
        ? undefined
        : {
            size: iamPolicySize(document) + otherInlineSize(change.attachTo, change.policyName),
            quota: inlinePolicyQuota(kind),
          };
    }
    case 'service-control-policy':
      return { size: scpSize(document), quota: SERVICE_CONTROL_POLICY_QUOTA };
    case 'permission-set':
      return { size: iamPolicySize(document), quota: PERMISSION_SET_INLINE_QUOTA };
  }
}

/**
 * A fix that adds no statement but gives the policy "Version": "2012-10-17" (see versionFix.ts): its
 * change is the Version, which the combined document must keep.
 */
function isVersionEdit(edit: Pick<PolicyEdit, 'statements' | 'newDocument'>): boolean {
  return (
    edit.statements.length === 0 &&
    (edit.newDocument as { Version?: unknown } | undefined)?.Version === CURRENT_VERSION
  );
}

/**
 * Whether a statement's `${…}`, text under a policy without Version and variables under 2012-10-17, can
 * make it refuse more once they are variables: a Deny's can make it apply to more requests, and so can
 * an Allow's in NotAction, NotResource, NotPrincipal or a negated condition operator (StringNotEquals,
 * NotIpAddress…), which its literal text met for nearly every request. An Allow's elsewhere only widen it.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
function mayRefuseMoreAsVariables(statement: unknown): boolean {
  const holds = (value: unknown) => value !== undefined && JSON.stringify(value).includes('${');
  if (typeof statement !== 'object' || statement === null || !holds(statement)) return false;
  const s = statement as Record<string, unknown>;
  if (s.Effect !== 'Allow') return true;
  if (holds(s.NotAction) || holds(s.NotResource) || holds(s.NotPrincipal)) return true;
  const condition = s.Condition;
  return (
    typeof condition === 'object' &&
    condition !== null &&
    Object.entries(condition).some(([operator, block]) => /Not/.test(operator) && holds(block))
  );
}

/** A statement of a policy as its reader finds it: by its Sid, else by its place. */
function statementName(statement: unknown, index: number): string {
  const sid = (statement as { Sid?: unknown } | null)?.Sid;
  return typeof sid === 'string' && sid !== '' ? JSON.stringify(sid) : `#${index + 1}`;
}

function combine(members: readonly PolicyEdit[], otherInlineSize: OtherInlineSize): PolicyChange {
  const first = members[0]!;
  const findingNumbers = [...new Set(members.map((e) => e.finding + 1))];
  const statements = mergedStatements(members);
  const { Version: firstVersion, ...document } = first.newDocument as {
    Version?: unknown;
    Statement?: unknown;
    [key: string]: unknown;
  };
  const all = Array.isArray(document.Statement) ? document.Statement : [];
  // The first fix's document is the policy as the snapshot has it plus that fix's statements, last.
  const base = all.slice(0, Math.max(0, all.length - first.statements.length));
  const numbered = first.attachKind === 'inline-policy' || first.attachKind === 'permission-set';
  const added = numbered ? statements : withSids(base, statements);
  // A Version fix's change is the Version alone: kept whichever finding comes first.
  const versionEdits = [...new Set(members.filter(isVersionEdit).map((e) => e.finding + 1))];
  const version = versionEdits.length > 0 ? CURRENT_VERSION : firstVersion;
  const newDocument = {
    ...(version !== undefined ? { Version: version } : {}),
    ...document,
    Statement: [...base, ...added],
  };
  const verification = [
    `Combines the fixes of ${findingNumbers.length} findings: every statement once, those with the same actions merged into one${versionEdits.length > 0 ? `, with the "Version": "2012-10-17" of finding${versionEdits.length === 1 ? '' : 's'} ${versionEdits.join(', ')}` : ''}.`,
  ];
  let verified = members.every((e) => e.verified);
  if (!verified)
    verification.push('Not verified: the fix of at least one of these findings is not verified.');
  const principals = new Set(members.map((e) => identityOf(e.principalArn)));
  // Under the Version, `${…}` in the statements other fixes add would become policy variables: they were
  // verified as literal text.
  const variables = versionEdits.length > 0 && JSON.stringify(statements).includes('${');
  // Under the Version, `${…}` in the policy's own statements become policy variables too: the Version
  // fix verified its own finding's request only, the other fixes theirs without the Version.
  const narrowing =
    versionEdits.length > 0 && members.some((e) => !isVersionEdit(e))
      ? base.flatMap((statement, i) =>
          mayRefuseMoreAsVariables(statement) ? [statementName(statement, i)] : [],
        )
      : [];
  if (verified && first.attachKind === 'managed-policy-version' && principals.size > 1) {
    verified = false;
    verification.push(
      `Not verified as a whole: the policy serves ${principals.size} principals of these findings (a shared permissions boundary), and each statement was verified for its own finding's principal only.`,
    );
  } else if (verified && variables) {
    verified = false;
    verification.push(
      'Not verified as a whole: statements the other fixes add hold ${…}, which they were verified with as literal text, and which the Version makes policy variables.',
    );
  } else if (verified && narrowing.length > 0) {
    verified = false;
    verification.push(
      `Not verified as a whole: the policy's own ${narrowing.length === 1 ? 'statement' : 'statements'} ${narrowing.join(', ')} ${narrowing.length === 1 ? 'holds' : 'hold'} \${…} where the Version, which makes them policy variables, can make ${narrowing.length === 1 ? 'it' : 'them'} refuse more (a Deny, or a NotAction, NotResource, NotPrincipal or negated condition operator), and the other findings' changes were verified without the Version: check their requests against the combined policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).`,
    );
  } else if (verified && versionEdits.length > 0) {
    verification.push(
      `Each finding's change was verified with that finding. The Version changes the meaning of the policy's own statements that hold \${…} alone, as finding ${versionEdits.join(', ')} verified, and the statements added hold none; Allow statements added together allow exactly what each allows alone, so the combination grants nothing more.`,
    );
  } else if (verified) {
    verification.push(
      "Each finding's statements were verified with that finding; Allow statements added together allow exactly what each allows alone, so the combination grants nothing more.",
    );
  }
  // So does what their `?` for characters IAM cannot hold allow besides.
  if (statements.some((statement) => statement.Resource.some(holdsReplacedCharacter)))
    verification.push(
      "Its resources write ? for characters IAM cannot hold (see the findings' caveats), so they also allow keys that differ there.",
    );
  // The findings' own caveat on granting control of a bucket's access holds for their combination too.
  const access = accessManagementCaveat(statements, 'The combined change');
  if (access !== undefined) verification.push(access);
  const measured = sizeAgainstQuota(first, newDocument, otherInlineSize);
  let overQuota: string | undefined;
  if (measured !== undefined && measured.size > measured.quota) {
    const unit = first.attachKind === 'bucket-policy' ? 'bytes' : 'characters (white space aside)';
    const what =
      first.attachKind === 'inline-policy'
        ? "the combined document, with the holder's other inline policies,"
        : 'the combined document';
    overQuota = `${what} would be ${measured.size.toLocaleString('en-US')} ${unit}, over the quota of ${measured.quota.toLocaleString('en-US')}`;
    // As for a single fix: a document that would be refused as it is is not a verified change.
    verified = false;
    verification.push(
      `Not verified as applicable: ${overQuota}, and would be refused as it is. ${makeRoom(first)}`,
    );
  }
  if (first.attachKind === 'managed-policy-version' && isAwsManagedPolicyArn(first.policyArn ?? '')) {
    // A permissions boundary that is an AWS managed policy: no version of it can be created.
    overQuota ??= `${first.policyName ?? first.policyArn} is an AWS managed policy, which cannot be changed`;
    verified = false;
    verification.push(
      `Not verified as applicable: ${first.policyName ?? first.policyArn} is an AWS managed policy, which cannot be changed. Create the combined document as a customer managed policy of your own and make it the permissions boundary in its place (see the findings' caveats).`,
    );
  }
  const change: PolicyChange = {
    attachTo: first.attachTo,
    attachKind: first.attachKind,
    ...(first.policyArn !== undefined ? { policyArn: first.policyArn } : {}),
    ...(first.policyName !== undefined ? { policyName: first.policyName } : {}),
    findings: findingNumbers,
    statements: added,
    newDocument,
    // Against the policy as it is now, which the first fix's diff holds (with its own form: a single
    // statement as an object, no Version), not as the new document's shape would have it.
    ...(first.diff !== undefined
      ? { diff: lineDiff(diffBefore(first.diff), JSON.stringify(newDocument, null, 2)) }
      : {}),
    ...(overQuota !== undefined ? { overQuota } : {}),
    verified,
    verification,
  };
  return change;
}

/** How to apply a combined change that is over its quota: where the statements can go instead. */
function makeRoom(change: Pick<PolicyChange, 'attachKind' | 'attachTo'>): string {
  switch (change.attachKind) {
    case 'inline-policy': {
      // The quota is on the holder's inline policies together: another inline policy does not help.
      const kind = /:(user|role)\//.exec(change.attachTo)?.[1] ?? 'user';
      return `Put the combined statements in a new customer-managed policy attached to the ${kind} instead (aws iam create-policy, then aws iam attach-${kind}-policy), whose own quota is ${MANAGED_POLICY_QUOTA.toLocaleString('en-US')} characters.`;
    }
    case 'managed-policy-version':
      return 'Put part of the statements in another customer-managed policy attached to the same principals, or merge statements with the same actions.';
    case 'bucket-policy':
      return 'Make room in it: merge statements for the same principal and actions into one Resource list.';
    case 'service-control-policy':
      return "Make room in it, or put part of the statements in another of the organization's policies attached to the same target.";
    case 'permission-set':
      return 'Make room in it (merge statements with the same actions into one Resource list), or put part of the statements in a customer managed policy the permission set references.';
  }
}
