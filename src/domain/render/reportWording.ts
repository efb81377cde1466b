/**
 * Wording shared by every renderer. Functions here return plain, unescaped strings; each renderer escapes
 * them for its format, because several of them embed untrusted values (policy names, Sids, ARNs).
 */

import { uniqueIdOf } from '../explain/grouping.js';
import { patternCovers } from '../explain/guardrailProfile.js';
import { caveatsBeyond } from '../explain/repeats.js';
import type {
  AdditionalChange,
  DeniedByRef,
  ExplainReport,
  Finding,
  FindingCause,
  FindingRequest,
  Fix,
  JobProfile,
  PolicyChange,
  PolicyStatement,
  Skipped,
} from '../explain/report.js';
import {
  assumesNoBucketPolicy,
  callerLabel,
  clientLabel,
  fixedFirst,
  refusedElsewhere,
  scpRefusalByMessage,
  shortArn,
  targetPhrase,
  verifiedOnBucketSideOnly,
} from '../explain/summary.js';
import { plural } from '../plural.js';
import { isAwsManagedPolicyArn } from '../policy/arnPartition.js';
import type { PolicyType } from '../policy/types.js';
import { findingCauseText } from './causeText.js';
import { backtickPieces, type QuotedPiece } from './escape.js';
import { omittedMarker } from './truncate.js';

/** How each policy type is named in prose. */
export const POLICY_TYPE_TEXT = {
  identity: 'identity-based policy',
  resource: 'bucket policy',
  'permissions-boundary': 'permissions boundary',
  scp: 'service control policy',
  rcp: 'resource control policy',
  session: 'session policy',
} as const satisfies Record<PolicyType, string>;

/**
 * Where a fix goes, in words, with the AWS page that describes that operation.
 */
export const ATTACH_KIND_TEXT = {
  'inline-policy': {
    text: 'Add as an inline policy to',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage-attach-detach.html',
  },
  'managed-policy-version': {
    text: 'Create a new default version of the managed policy',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html',
  },
  'bucket-policy': {
    text: 'Add to the bucket policy of',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/add-bucket-policy.html',
  },
  'service-control-policy': {
    text: "Update the organization's service control policy",
    source:
      'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_create.html',
  },
  'permission-set': {
    text: 'Add to the inline policy of the IAM Identity Center permission set that provisions the role',
    source: 'https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetcustom.html',
  },
} as const satisfies Record<Fix['attachKind'], { readonly text: string; readonly source: string }>;

/**
 * Where a change goes, in words: {@link ATTACH_KIND_TEXT}, except for an AWS managed policy (a
 * permissions boundary), of which no version can be created: its new document becomes a policy of the
 * account's own.
 */
export function attachText(change: Pick<Fix, 'attachKind' | 'policyArn'> & DocumentEdit): string {
  if (change.attachKind === 'managed-policy-version' && isAwsManagedPolicyArn(change.policyArn ?? ''))
    return 'Copy, with the statements added, into a customer managed policy of your own (see the caveats): the AWS managed policy';
  // A change that adds no statement (a policy's Version) replaces the document of a policy already there.
  if (editsDocument(change)) {
    if (change.attachKind === 'inline-policy') return 'Replace the document of the inline policy of';
    if (change.attachKind === 'permission-set')
      return 'Replace the inline policy of the IAM Identity Center permission set that provisions the role';
  }
  return ATTACH_KIND_TEXT[change.attachKind].text;
}

/** What tells a change that edits a policy's document without adding a statement (its Version). */
interface DocumentEdit {
  readonly statements?: readonly unknown[];
  readonly diff?: string;
}

function editsDocument(change: DocumentEdit): boolean {
  return change.statements?.length === 0 && change.diff !== undefined && change.diff !== '';
}

/**
 * A cross-account fix's statements for the caller's own policies when no policy of its is known to take
 * them (its policies are not visible): shown as statements alone. Placed ones are in {@link additionalChanges}.
 */
export function unplacedIdentityStatements(fix: Fix): readonly PolicyStatement[] | undefined {
  return fix.identityChange === undefined && (fix.identityStatements?.length ?? 0) > 0
    ? fix.identityStatements
    : undefined;
}

/** The other policies a fix changes (the caller's own, the boundary, SCPs of lower levels), each with the words that introduce it. */
export function additionalChanges(
  fix: Fix,
): readonly { readonly lead: string; readonly change: AdditionalChange }[] {
  const out: { lead: string; change: AdditionalChange }[] = [];
  if (fix.identityChange !== undefined)
    out.push({
      lead:
        fix.attachKind === 'bucket-policy'
          ? "Also needed on the caller's side (cross-account)"
          : "Also needed in the caller's own policies, which do not allow these requests either",
      change: fix.identityChange,
    });
  if (fix.boundary !== undefined)
    out.push({
      lead: 'Also needed, as the permissions boundary does not allow these requests either',
      change: fix.boundary,
    });
  for (const change of fix.otherScps ?? [])
    out.push({
      lead: 'Also needed at a lower level of the organization, which does not allow these requests either',
      change,
    });
  return out;
}

/**
 * The heading of a change's diff: a managed policy gets a new version; a bucket policy, an inline
 * policy or an SCP is replaced by its new document.
 */
export function diffHeading(attachKind: Fix['attachKind']): string {
  return attachKind === 'managed-policy-version'
    ? 'Diff of the new policy version'
    : 'Diff of the new policy document';
}

/** How each decision reads, following AWS's evaluation vocabulary. */
export const DECISION_TEXT = {
  Allowed: 'allowed by the visible policies',
  ExplicitlyDenied: 'explicitly denied',
  ImplicitlyDenied: 'implicitly denied (no allow)',
  Unknown: 'not evaluated',
} as const satisfies Record<FindingRequest['decision'], string>;

/** What a finding's conclusion rests on, in words. */
export const EVIDENCE_TEXT = {
  policies: "evaluated against the account's policies",
  message: 'read from the AccessDenied error message',
  event: 'inferred from the event only',
} as const satisfies Record<Finding['evidence'], string>;

/** Why an event was not analysed, in words. */
export const SKIPPED_REASON_TEXT = {
  'not-s3': 'not an S3 event',
  'not-denied': 'not an AccessDenied event',
  duplicate: 'duplicate event',
  'unsupported-operation': 'unsupported S3 operation',
  'not-cloudtrail': 'not a CloudTrail record',
  'vpc-endpoint-refusal': 'refused by a VPC endpoint policy (no bucket named)',
} as const satisfies Record<Skipped['reason'], string>;

/** Skipped events shown per reason by renderers that count skipped events instead of listing them all. */
export const SKIPPED_EXAMPLES = 3;

/** Skipped events of one reason: how many there are and the first few, in input order. */
export interface SkippedGroup {
  readonly reason: Skipped['reason'];
  readonly count: number;
  readonly examples: readonly Skipped[];
}

/**
 * Skipped events grouped by reason, the largest group first (ties in order of first appearance), each
 * keeping its first `examples` events. A trail directory skips far more events than it explains (every
 * successful call, every other service), so renderers meant for people list groups, not every event.
 */
export function groupSkipped(skipped: readonly Skipped[], examples: number): SkippedGroup[] {
  const groups = new Map<Skipped['reason'], { count: number; examples: Skipped[] }>();
  for (const event of skipped) {
    let group = groups.get(event.reason);
    if (group === undefined) {
      group = { count: 0, examples: [] };
      groups.set(event.reason, group);
    }
    group.count++;
    if (group.examples.length < examples) group.examples.push(event);
  }
  // Array.prototype.sort is stable, so equal counts keep their order of first appearance.
  return [...groups]
    .map(([reason, group]) => ({ reason, count: group.count, examples: group.examples }))
    .sort((a, b) => b.count - a.count);
}

/**
 * Version element every generated policy uses; the older `2008-10-17` lacks policy variables.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
 */
/** A job profile's title: the tool and its operation (`rclone copy`), the tool alone when the operation is unknown. */
export function jobProfileLabel(profile: JobProfile): string {
  return profile.operation === 'unknown' ? profile.tool : `${profile.tool} ${profile.operation}`;
}

export const POLICY_VERSION = '2012-10-17';

/** Statements wrapped in a policy document, ready to paste into IAM or a bucket policy. */
export function policyDocument(statements: readonly PolicyStatement[]): {
  readonly Version: string;
  readonly Statement: readonly PolicyStatement[];
} {
  return { Version: POLICY_VERSION, Statement: statements };
}

/**
 * The readable part of an ARN: `role/backup` -> `backup`, `assumed-role/backup/session` -> `backup/session`,
 * `root` -> `root`; the ARN itself when it is not one.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export function principalLabel(arn: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return arn;
  const resource = parts.slice(5).join(':');
  const slash = resource.indexOf('/');
  return slash >= 0 ? resource.slice(slash + 1) : resource;
}

/**
 * {@link principalLabel} of a finding's caller; a caller CloudTrail names only by account is named by its
 * principal ID's unique part and account (`AROAEXAMPLEID of 444455556666`).
 */
export function findingPrincipalLabel(principal: Finding['principal']): string {
  if (principal.arn === 'unknown' && principal.principalId !== undefined)
    return `${uniqueIdOf(principal.principalId)} of ${principal.account}`;
  if (principal.arn === 'unknown' && principal.identityStoreUserId !== undefined)
    return `Identity Center user ${principal.identityStoreUserId} of ${principal.account}`;
  return principalLabel(principal.arn);
}

/** The most of a user agent the reports for people show; the JSON report has it whole. */
export const SHOWN_USER_AGENT_LENGTH = 1000;

/**
 * A user agent as the reports for people show it: whole when it is of a usual length, else its start
 * and how much was left out (CloudTrail records what the client sent, and a client can send megabytes).
 */
export function shownUserAgent(userAgent: string): string {
  const { head, marker } = cutUserAgent(userAgent, SHOWN_USER_AGENT_LENGTH);
  return `${head}${marker}`;
}

/**
 * A user agent cut to `length` characters (`head`), and the marker that says how many were left out
 * (`…` and the count, or `''` when nothing was), for a renderer that shows the two apart.
 */
export function cutUserAgent(userAgent: string, length: number): { head: string; marker: string } {
  if (userAgent.length <= length) return { head: userAgent, marker: '' };
  // Not between the two halves of a character outside the Basic Multilingual Plane.
  const high = userAgent.charCodeAt(length - 1);
  const cut = high >= 0xd800 && high <= 0xdbff ? length - 1 : length;
  return {
    head: userAgent.slice(0, cut),
    marker: `… (${plural(userAgent.length - cut, 'more character', 'more characters')}; the JSON report has it whole)`,
  };
}

/**
 * What the client line says of a record that carries no user agent: CloudTrail's `userAgent` is then
 * empty (`[]` in an S3 record, brackets and all) or absent. AWS does not document what it records for a
 * request without a User-Agent header; s3cmd sends none (S3/*.py set no User-Agent), so its requests
 * cannot be told from any other client's.
 */
export const NO_USER_AGENT =
  'no user agent: the record\'s userAgent is empty, "[]", or absent; s3cmd sends none, nor do some scripts';

/**
 * `rclone v1.66.0`, `aws-cli`, ... (the tool as detected from the user agent); for a record with no
 * user agent, `other` and why it is not named ({@link NO_USER_AGENT}).
 */
export function describeClient(client: Finding['client']): string {
  if (client.tool === 'other' && client.name === undefined && client.userAgent === undefined)
    return `other (${NO_USER_AGENT})`;
  return clientLabel(client);
}

/**
 * `identity-based policy "backup-s3" (arn:…), statement "DenyDelete"` or `… statement #2`; a policy
 * named after its kind (a bucket policy is named `<bucket> bucket policy`) reads `bucket policy of
 * <bucket>`, not `bucket policy "<bucket> bucket policy"`.
 */
export function describeDeniedBy(ref: DeniedByRef): string {
  const kind = POLICY_TYPE_TEXT[ref.policyType];
  const name =
    ref.policyName === undefined
      ? ''
      : ref.policyName.endsWith(` ${kind}`)
        ? ` of ${ref.policyName.slice(0, -kind.length - 1)}`
        : ` "${ref.policyName}"`;
  const arn = ref.policyArn !== undefined ? ` (${ref.policyArn})` : '';
  const statement =
    ref.sid !== undefined
      ? `, statement "${ref.sid}"`
      : ref.statementIndex !== undefined
        ? `, statement #${ref.statementIndex + 1}`
        : '';
  return `${kind}${name}${arn}${statement}`;
}

/**
 * What follows a change's target, naming the policy: ` as policy "X"`, or for an IAM Identity Center
 * permission set (whose inline policy has no name of its own) ` (permission set "X")`. `quote` formats
 * the name for the renderer (escaping it).
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PutInlinePolicyToPermissionSet.html
 */
export function namedAs(
  change: Pick<Fix, 'attachKind' | 'policyName' | 'attachTo'> & DocumentEdit,
  quote: (name: string) => string,
): string {
  // An SCP given as a bare document is named by its file, which is already the target.
  if (change.policyName === undefined || change.policyName === change.attachTo) return '';
  if (change.attachKind === 'permission-set') return ` (permission set ${quote(change.policyName)})`;
  // The inline policy whose document is replaced is there already, under its name.
  return change.attachKind === 'inline-policy' && editsDocument(change)
    ? ` named ${quote(change.policyName)}`
    : ` as policy ${quote(change.policyName)}`;
}

/** The target of a fix: the policy ARN for a managed policy, the principal or bucket otherwise. */
export function fixTarget(fix: Pick<Fix, 'attachKind' | 'policyArn' | 'attachTo'>): string {
  if (fix.attachKind === 'managed-policy-version' && fix.policyArn !== undefined) return fix.policyArn;
  return fix.attachTo;
}

/** Denied requests that differ only by event, counted once each. */
export interface RequestGroup {
  readonly eventName: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: FindingRequest['decision'];
  readonly source: FindingRequest['source'];
  readonly missingAllowIn?: FindingRequest['missingAllowIn'];
  readonly unverifiableAllowIn?: FindingRequest['unverifiableAllowIn'];
  readonly count: number;
}

/** The kinds of policy an implicitly denied request found no Allow in, as a row names them. */
const MISSING_ALLOW_TEXT = {
  identity: 'the identity-based policies',
  resource: 'the bucket policy',
  'permissions-boundary': 'the permissions boundary',
  scp: 'the service control policies',
  rcp: 'the resource control policies',
  session: 'the session policy',
} as const satisfies Record<PolicyType, string>;

/** The kinds {@link MISSING_ALLOW_TEXT} names in the plural ("the identity-based policies allow"). */
const PLURAL_POLICY_TEXT: ReadonlySet<PolicyType> = new Set(['identity', 'scp', 'rcp']);

/**
 * A row's decision in words: an implicit denial says which kind of policy had no Allow ("no allow in
 * the permissions boundary" when the identity policies do allow), when the request was evaluated, and
 * which allows it only under a Condition the record cannot show met (unverifiable, not unmet).
 */
export function decisionText(
  group: Pick<RequestGroup, 'decision' | 'missingAllowIn' | 'unverifiableAllowIn'>,
  bucketPolicyUnseen = false,
): string {
  const missing = group.missingAllowIn;
  if (group.decision !== 'ImplicitlyDenied' || missing === undefined || missing.length === 0) {
    return DECISION_TEXT[group.decision];
  }
  // A bucket policy that is not in the input was counted as none: the row says so, rather than that
  // the bucket's own policy lacks the Allow.
  const unseen = bucketPolicyUnseen && missing.includes('resource');
  const unverifiable = group.unverifiableAllowIn ?? [];
  const named = missing.filter((type) => !(unseen && type === 'resource') && !unverifiable.includes(type));
  const parts: string[] = [];
  if (named.length > 0)
    parts.push(`no allow in ${named.map((type) => MISSING_ALLOW_TEXT[type]).join(' or ')}`);
  const guarded = missing.filter((type) => unverifiable.includes(type));
  if (guarded.length > 0)
    parts.push(
      `${guarded.map((type) => MISSING_ALLOW_TEXT[type]).join(' and ')} ${guarded.length === 1 && !PLURAL_POLICY_TEXT.has(guarded[0]!) ? 'allows' : 'allow'} it only under a Condition the record cannot show met: unverifiable, not unmet`,
    );
  if (unseen) parts.push('the bucket policy is not in the input: checked as if there were none');
  return `implicitly denied (${parts.join('; ')})`;
}

/**
 * Groups requests with the same operation, action, resource and decision (an rclone retry loop repeats
 * the same call), keeping first-seen order.
 */
export function groupRequests(requests: readonly FindingRequest[]): readonly RequestGroup[] {
  const groups = new Map<string, { group: Omit<RequestGroup, 'count'>; count: number }>();
  for (const request of requests) {
    // By what the formats show: whether AWS's message or the operation named the request (`source`)
    // is in the JSON report only, so two rows that differ by it alone would read as the same row twice.
    const key = JSON.stringify([
      request.eventName,
      request.action,
      request.resource,
      request.decision,
      request.missingAllowIn ?? null,
      request.unverifiableAllowIn ?? null,
    ]);
    const existing = groups.get(key);
    if (existing !== undefined) {
      existing.count++;
    } else {
      groups.set(key, {
        group: {
          eventName: request.eventName,
          action: request.action,
          resource: request.resource,
          decision: request.decision,
          source: request.source,
          ...(request.missingAllowIn !== undefined ? { missingAllowIn: request.missingAllowIn } : {}),
          ...(request.unverifiableAllowIn !== undefined
            ? { unverifiableAllowIn: request.unverifiableAllowIn }
            : {}),
        },
        count: 1,
      });
    }
  }
  return [...groups.values()].map(({ group, count }) => ({ ...group, count }));
}

/** Distinct actions of a finding, in first-seen order (for titles). */
/**
 * The heading of a finding's request rows: the denied requests, and apart from them the KMS calls S3
 * makes with the caller's credentials for SSE-KMS (rows of their own, which AWS may not have reached).
 */
export function requestsHeading(finding: Finding): string {
  let kms = 0;
  for (const request of finding.requests) if (request.action.startsWith('kms:')) kms++;
  const s3 = finding.requests.length - kms;
  return kms === 0
    ? `Denied requests (${s3})`
    : `Denied requests (${s3}) and the KMS calls they need (${kms})`;
}

export function distinctActions(finding: Finding): readonly string[] {
  return fixedFirst([...new Set(finding.requests.map((request) => request.action))], finding.fix);
}

export { plural };

/**
 * Why a finding has no fix, in words. An explicit deny wins over any allow, so no statement can be added;
 * otherwise the denial comes from something the visible policies do not decide.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 */
export function noFixReason(cause: FindingCause, scpByMessage = false): string {
  // AWS's SCP messages read "explicit deny" whatever refused: a Deny, or an allow list without the action.
  if (cause === 'scp-explicit-deny' && scpByMessage) {
    return 'AWS\'s message says a service control policy refuses the request, and such messages read "explicit deny" whether an SCP Deny refuses it or an SCP allow list lacks the action: a Deny must change (no Allow helps), while a missing action must be added to the allow list. Only the organization\'s management account (or a delegated administrator) changes SCPs; give every level, from the root down, with --scp to tell which.';
  }
  if (cause.endsWith('-explicit-deny')) {
    return 'an explicit Deny overrides any Allow, so adding a statement cannot help: the request must stop matching the Deny (no longer meet its condition, run as a principal it exempts, or stop making the call), or the Deny must change.';
  }
  if (cause === 'allowed-by-visible-policies') {
    return 'the visible policies already allow the request; the caveats list what can still deny it.';
  }
  if (cause === 's3-setting') {
    return 'no policy change lifts an S3 setting; the first caveat says which setting refused the request, and what to change.';
  }
  if (cause === 'not-evaluable') {
    return "the input lacks what a fix needs to be checked (the caller's policies, or an operation the catalogue knows); the caveats say what is missing.";
  }
  return 'no statement to add was found that the visible policies prove sufficient; see the caveats.';
}

/**
 * What a finding that repeats an earlier one (`repeatOf`) shares with it, in words: each renderer shows
 * such a finding in short, its events and this line.
 */
export function repeatText(first: number, firstHasFix = true): string {
  return firstHasFix
    ? `Same cause, fix, alternatives and job profile as finding ${first}: applying that finding's fix (or the combined change that holds it) covers these requests too.`
    : `Same cause and advice as finding ${first}, which has no fix to apply: see why there.`;
}

/** `s3:ListBucket x6, s3:GetObject`: a finding's denied actions with their counts, in first-seen order. */
export function actionCounts(finding: Finding): string {
  const counts = new Map<string, number>();
  for (const request of finding.requests) counts.set(request.action, (counts.get(request.action) ?? 0) + 1);
  return [...counts.entries()].map(([action, n]) => (n > 1 ? `${action} x${n}` : action)).join(', ');
}

/** How many findings of a report repeat an earlier one. */
export function repeatCount(findings: readonly Finding[]): number {
  return findings.reduce((n, finding) => n + (finding.repeatOf !== undefined ? 1 : 0), 0);
}

/** For each finding that later ones repeat (by its number, from 1): their numbers, in order. */
export function repeatsByFirst(findings: readonly Finding[]): ReadonlyMap<number, readonly number[]> {
  const byFirst = new Map<number, number[]>();
  findings.forEach((finding, index) => {
    if (finding.repeatOf === undefined) return;
    const list = byFirst.get(finding.repeatOf);
    if (list === undefined) byFirst.set(finding.repeatOf, [index + 1]);
    else list.push(index + 1);
  });
  return byFirst;
}

/**
 * The repeats of one finding (`repeatNumbers`, from 1) that have caveats of their own, beyond the first
 * finding's ({@link caveatsBeyond}): renderers that show a repeat only by its number (Slack, SNS) show
 * these, so that an event-specific caveat still reaches the reader.
 */
export function repeatsWithOwnCaveats(
  findings: readonly Finding[],
  first: Finding,
  repeatNumbers: readonly number[] = [],
): { readonly number: number; readonly finding: Finding; readonly caveats: readonly string[] }[] {
  return repeatNumbers.flatMap((number) => {
    const repeat = findings[number - 1];
    if (repeat === undefined) return [];
    const caveats = caveatsBeyond(repeat, first);
    return caveats.length > 0 ? [{ number, finding: repeat, caveats }] : [];
  });
}

/** `seen again in findings 2, 3 (the same advice)`, with at most 8 numbers listed. */
export function seenAgainText(numbers: readonly number[]): string {
  const listed =
    numbers.length <= 8
      ? numbers.join(', ')
      : `${numbers.slice(0, 7).join(', ')} and ${numbers.length - 7} more`;
  return `seen again in finding${numbers.length === 1 ? '' : 's'} ${listed} (the same advice)`;
}

/**
 * After the event's bucket, when the refused requests are on another (a copy's source): ` (where
 * CloudTrail logged the event; the refused requests are on B)`. Empty otherwise.
 */
export function elsewhereNote(finding: Finding): string {
  const elsewhere = refusedElsewhere(finding);
  return elsewhere === undefined
    ? ''
    : ` (where CloudTrail logged the event; the refused requests are on ${elsewhere})`;
}

/**
 * The marker for the request groups beyond the first `shown`: it counts the requests they hold (a
 * group is one distinct request, repeated), and says how many distinct ones when that differs.
 */
export function omittedRequests(groups: readonly RequestGroup[], shown: number): string {
  const hidden = groups.slice(shown);
  const requests = hidden.reduce((n, group) => n + group.count, 0);
  return omittedMarker(
    requests,
    requests === hidden.length ? 'requests' : `requests, ${hidden.length} distinct,`,
  );
}

/** Reports with at least this many findings open with an overview (shorter ones read at a glance). */
export const OVERVIEW_MIN_FINDINGS = 3;

/** One line of a report's overview: a finding and the later ones that repeat its advice. */
export interface OverviewRow {
  /** The finding's number (from 1), then those of its repeats. */
  readonly findings: readonly number[];
  readonly principal: string;
  readonly bucket?: string;
  readonly cause: FindingCause;
  /** The cause's title, as the finding's heading gives it. */
  readonly title: string;
  /** `verified fix: new version of BackupWriter`, `no fix: an explicit Deny`… */
  readonly outcome: string;
  /** The combined policy changes that hold this finding's fix: their numbers (from 1), and whether each is verified. */
  readonly combined: readonly {
    readonly number: number;
    readonly verified: boolean;
    readonly policy: string;
  }[];
}

function outcomeOf(finding: Finding): string {
  const { fix } = finding;
  if (fix !== null) {
    // An explicit Deny's requests stay refused: the fix is for the others.
    const part = finding.cause.endsWith('-explicit-deny') ? ' for the requests the Deny does not refuse' : '';
    const beyond = fix.widens !== undefined ? ', beyond the narrower scope an existing statement gives' : '';
    const verified = fixStatus(fix);
    const status =
      verified === 'verified'
        ? 'verified fix'
        : verified === 'NOT verified'
          ? 'fix, NOT verified'
          : `fix ${verified}`;
    return `${status}${part}${beyond}: ${targetPhrase(fix, finding.bucket)}`;
  }
  if (scpRefusalByMessage(finding))
    return 'no fix: a service control policy (a Deny, or an allow list without the action)';
  if (finding.cause.endsWith('-explicit-deny')) return 'no fix: an explicit Deny (see its caveat)';
  if (finding.cause === 'allowed-by-visible-policies') return 'no fix: the visible policies allow it';
  if (finding.cause === 's3-setting') return 'no fix: an S3 setting';
  return 'no fix (see the caveats)';
}

/**
 * The overview of a report: one row per finding that does not repeat an earlier one's advice, in the
 * report's order, so that a report of a week of trail files says first who was refused what, and where
 * each answer is.
 */
export function overviewRows(report: ExplainReport): OverviewRow[] {
  const repeats = repeatsByFirst(report.findings);
  const combinedOf = new Map<number, { number: number; verified: boolean; policy: string }[]>();
  (report.policyChanges ?? []).forEach((change, index) => {
    const entry = {
      number: index + 1,
      verified: change.verified,
      policy: changedPolicy(change),
    };
    for (const n of change.findings) {
      const list = combinedOf.get(n);
      if (list === undefined) combinedOf.set(n, [entry]);
      else list.push(entry);
    }
  });
  const rows: OverviewRow[] = [];
  report.findings.forEach((finding, index) => {
    if (finding.repeatOf !== undefined) return;
    const number = index + 1;
    rows.push({
      findings: [number, ...(repeats.get(number) ?? [])],
      principal: callerLabel(finding.principal),
      ...(finding.bucket !== undefined ? { bucket: finding.bucket } : {}),
      cause: finding.cause,
      title: findingCauseText(finding).title,
      outcome: outcomeOf(finding),
      combined: combinedOf.get(number) ?? [],
    });
  });
  return rows;
}

/** `1 (again in 7, 12)`: a row's finding numbers, with at most 8 repeats listed. */
export function overviewNumbers(row: OverviewRow): string {
  const [first, ...again] = row.findings;
  if (again.length === 0) return String(first);
  const listed =
    again.length <= 8 ? again.join(', ') : `${again.slice(0, 7).join(', ')} and ${again.length - 7} more`;
  return `${first} (again in ${listed})`;
}

/** The policy a combined change changes, as a row names it: `BackupWriter`, `the inline policy on user/x`. */
function changedPolicy(change: PolicyChange): string {
  switch (change.attachKind) {
    case 'inline-policy':
      return `the inline policy ${change.policyName === undefined ? '' : `${change.policyName} `}on ${shortArn(change.attachTo)}`;
    case 'bucket-policy':
      return `the bucket policy of ${change.attachTo.slice(change.attachTo.lastIndexOf(':') + 1)}`;
    case 'permission-set':
      return `the permission set ${change.policyName ?? ''}`.trim();
    default:
      return change.policyName ?? shortArn(change.policyArn ?? change.attachTo);
  }
}

/**
 * `; its change to BackupWriter within combined change 3`: which part of a row's fix is to be applied
 * from a combined change (one per policy several fixes change); the rest of the fix is applied as it is.
 */
export function overviewCombined(row: OverviewRow): string {
  if (row.combined.length === 0) return '';
  const parts = row.combined.map((c) => `${c.policy} within combined change ${c.number}`);
  const unverified = row.combined.filter((c) => !c.verified).map((c) => c.number);
  return `; apply its change${row.combined.length === 1 ? '' : 's'} to ${parts.join(', ')}${unverified.length > 0 ? ` (${unverified.length === 1 && row.combined.length === 1 ? 'which is' : `${unverified.join(', ')}`} not verified as a whole)` : ''}`;
}

/** The overview's first line: how many findings, distinct answers, repeats and combined changes. */
export function overviewHeading(report: ExplainReport, rows: readonly OverviewRow[]): string {
  const total = report.findings.length;
  const repeated = total - rows.length;
  const changes = report.policyChanges?.length ?? 0;
  return `Overview: ${plural(total, 'finding')}${repeated > 0 ? `, ${repeated} of them repeating an earlier one's advice` : ''}${changes > 0 ? `; ${plural(changes, 'combined policy change')} after the findings` : ''}`;
}

/** At least this many distinct answers before an overview opens with totals: fewer are read at a glance. */
const OVERVIEW_TOTALS_MIN = 10;
/** The principals a totals line names, most answers first; the rest are counted. */
const OVERVIEW_TOTALS_PRINCIPALS = 5;

/**
 * Totals that open a long overview (see {@link OVERVIEW_TOTALS_MIN}): its distinct answers by cause
 * (the cause's title), most first, and the principals with the most of them; `undefined` for a short one.
 */
export function overviewTotals(rows: readonly OverviewRow[]):
  | {
      readonly causes: readonly (readonly [string, number])[];
      readonly principals: readonly (readonly [string, number])[];
      readonly otherPrincipals: number;
    }
  | undefined {
  if (rows.length < OVERVIEW_TOTALS_MIN) return undefined;
  const count = (key: (row: OverviewRow) => string) => {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
    // Most first; ties in the order first seen (a Map keeps it, and the sort is stable).
    return [...counts.entries()].sort((a, b) => b[1] - a[1]);
  };
  const principals = count((row) => row.principal);
  return {
    causes: count((row) => row.title),
    principals: principals.slice(0, OVERVIEW_TOTALS_PRINCIPALS),
    otherPrincipals: Math.max(0, principals.length - OVERVIEW_TOTALS_PRINCIPALS),
  };
}

/** The two lines of {@link overviewTotals} (by cause, by principal), the principals through `untrusted`. */
export function overviewTotalsLines(
  totals: NonNullable<ReturnType<typeof overviewTotals>>,
  untrusted: (value: string) => string,
): [string, string] {
  return [
    `Answers by cause: ${totals.causes.map(([title, n]) => `${title} (${n})`).join('; ')}`,
    `Answers by principal: ${totals.principals.map(([principal, n]) => `${untrusted(principal)} (${n})`).join(', ')}${totals.otherPrincipals > 0 ? `, and ${plural(totals.otherPrincipals, 'other principal')}` : ''}`,
  ];
}

/** What a job profile covers, after its heading: everything the job needs, or only part of it and why. */
export function profileScope(
  profile: Pick<JobProfile, 'partial' | 'statements'>,
  fix: Pick<Fix, 'statements'> | null = null,
): string {
  if (profile.partial !== undefined)
    return `a partial profile, not everything the job needs: ${profile.partial}`;
  if (fix === null) return 'everything the job needs';
  // An action the fix grants that the profile leaves out on purpose (s3:CreateBucket, made once by an
  // administrator): the profile's notes say why.
  const profiled = new Set(profile.statements.flatMap((s) => s.Action.map((a) => a.toLowerCase())));
  const outside = [
    ...new Set(
      fix.statements
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => s.Action)
        // A KMS call the fix grants is S3's through the key, which a profile of S3 actions names apart.
        .filter((a) => !profiled.has(a.toLowerCase()) && a.toLowerCase().startsWith('s3:')),
    ),
  ];
  // An action both grant, on a resource of the fix that no resource of the profile's for it covers
  // (Terraform's profile names the state and lock keys, where the fix grants their directory).
  const elsewhere = new Set<string>();
  const uncovered = new Set<string>();
  for (const statement of fix.statements) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of statement.Action) {
      if (!profiled.has(action.toLowerCase())) continue;
      const granted = profile.statements
        .filter((s) => s.Effect === 'Allow' && s.Action.some((a) => a.toLowerCase() === action.toLowerCase()))
        .flatMap((s) => s.Resource);
      for (const resource of statement.Resource) {
        if (granted.some((pattern) => pattern === resource || patternCovers(pattern, resource))) continue;
        elsewhere.add(action);
        uncovered.add(resource);
      }
    }
  }
  const parts = [
    ...(outside.length > 0 ? [`but not ${outside.join(', ')}, which the fix grants (see the notes)`] : []),
    ...(elsewhere.size > 0
      ? [
          `${outside.length > 0 ? 'and' : 'with'} ${[...elsewhere].join(', ')} on other resources than the fix's ${[...uncovered].join(', ')}`,
        ]
      : []),
  ];
  return parts.length === 0
    ? 'everything the job needs, beyond the minimal fix'
    : `everything the job needs, ${parts.join(' ')}`;
}

/** `text` with its first letter in upper case. */
export function capitalised(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/**
 * An input problem in words: its message, which names the input (prefixed with it when it does not),
 * then its code for scripts (`(input.notFound)`).
 */
export function errorLine(error: {
  readonly input: string;
  readonly code: string;
  readonly message: string;
}): {
  readonly message: string;
  readonly code: string;
} {
  const file = error.input.replace(/ \([^)]*\)$/, '');
  const message = error.message.startsWith(file) ? error.message : `${error.input}: ${error.message}`;
  return { message, code: error.code };
}

/**
 * A fix's status as its heading says it: `verified`, `NOT verified`, or, for a bucket-policy fix whose
 * bucket policy is not in the input, `verified as if the bucket had no policy`; a fix verified for
 * uploads sending the ACL a visible policy requires says so (`verified, for uploads that send …`).
 */
export function fixStatus(
  fix: Pick<
    Fix,
    'verified' | 'attachKind' | 'newDocument' | 'identityStatements' | 'identityChange' | 'requiresAcl'
  >,
): string {
  if (!fix.verified) return 'NOT verified';
  const status = assumesNoBucketPolicy(fix)
    ? 'verified as if the bucket had no policy'
    : verifiedOnBucketSideOnly(fix)
      ? "verified on the bucket's side only"
      : 'verified';
  // Verified for the uploads as they must be sent, not as this run sent them.
  return fix.requiresAcl !== undefined
    ? `${status}, for uploads that send x-amz-acl: ${fix.requiresAcl}`
    : status;
}

/**
 * The pieces of the findings' untrusted values that hold a backtick (see {@link backtickPieces}): the keys
 * in their requests' and statements' ARNs, and the user agent. Their prose quotes them as they are; the
 * Markdown and Slack renderers must not take their backticks for the report's own code spans.
 */
export function quotedPieces(findings: Iterable<Finding>): readonly QuotedPiece[] {
  const values: (string | undefined)[] = [];
  for (const finding of findings) {
    values.push(finding.client.userAgent);
    for (const request of finding.requests) values.push(request.resource);
    for (const statement of [...(finding.fix?.statements ?? []), ...(finding.jobProfile?.statements ?? [])])
      values.push(...statement.Resource);
  }
  return backtickPieces(values);
}
