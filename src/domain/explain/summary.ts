/**
 * The one-sentence summary of a finding.
 */

import { principalIdKind } from '../cloudtrail/principal.js';
import type { S3SettingName } from '../cloudtrail/types.js';
import { isAwsManagedPolicyArn } from '../policy/arnPartition.js';
import type { PolicyType } from '../policy/types.js';
import { accessPointAliasKind } from '../s3/s3Location.js';
import { shellWord } from '../shell.js';
import {
  OBJECT_LOCK_BYPASS_DENIED_NOTE,
  OBJECT_LOCK_BYPASS_REFUSED_NOTE,
  settingNamedIn,
} from './deniedEvent.js';
import type { Finding, FindingCause, Fix, PolicyStatement } from './report.js';
import { andList } from './unseenPolicies.js';

/**
 * Requests refused otherwise than by the explicit Deny, with why, grouped by it: `s3:GetObject, which no
 * identity-based policy allows, and s3:PutObject, which the permissions boundary does not allow`.
 */
function lackingParts(requests: Finding['requests']): string {
  const byPhrase = new Map<string, Set<string>>();
  for (const r of requests) {
    const phrase =
      r.decision === 'Unknown'
        ? "which could not be evaluated (the caller's policies are not visible)"
        : lackingPhrase(r.missingAllowIn ?? []);
    const actions = byPhrase.get(phrase) ?? new Set<string>();
    actions.add(r.action);
    byPhrase.set(phrase, actions);
  }
  return [...byPhrase].map(([phrase, actions]) => `${[...actions].join(', ')}, ${phrase}`).join(', and ');
}

/** The policies that lack an Allow for a request, in words: `which the permissions boundary does not allow`. */
function lackingPhrase(missing: readonly string[]): string {
  const kinds = new Set(missing);
  if (kinds.size === 0) return 'which no policy allows';
  if (kinds.size === 2 && kinds.has('identity') && kinds.has('permissions-boundary'))
    return 'which neither the identity-based policies nor the permissions boundary allow';
  if (kinds.size > 1) return 'which the visible policies do not allow';
  const [kind] = kinds;
  switch (kind) {
    case 'identity':
      return 'which no identity-based policy allows';
    case 'permissions-boundary':
      return 'which the permissions boundary does not allow';
    case 'resource':
      return 'which the bucket policy does not allow';
    case 'scp':
      return 'which the service control policies do not allow';
    case 'rcp':
      return 'which the resource control policies do not allow';
    case 'session':
      return 'which the session policy does not allow';
    default:
      return 'which no policy allows';
  }
}

/**
 * The client as the reports name it: its tool and version (`rclone v1.66.0`). OpenTofu is Terraform's
 * fork (tool `terraform` in the JSON), whose version is OpenTofu's: it is named as itself. A client
 * `other` is named by what its user agent names (`AWS SDK for JavaScript v3 3.1168.0`), when it names
 * something.
 */
export function clientLabel(client: Finding['client']): string {
  const name =
    client.tool === 'terraform' && /(?:^|[\s[])OpenTofu\//i.test(client.userAgent ?? '')
      ? 'opentofu'
      : client.tool === 'other'
        ? (client.name ?? client.tool)
        : client.tool;
  return client.version !== undefined ? `${name} ${client.version}` : name;
}

export const CAUSE_PHRASE: Readonly<Record<FindingCause, string>> = {
  'identity-missing-allow': 'no identity-based policy allows it',
  'identity-explicit-deny': 'an identity-based policy explicitly denies it',
  'resource-policy-missing-allow': 'the bucket policy does not allow it',
  'resource-policy-explicit-deny': 'the bucket policy explicitly denies it',
  'boundary-missing-allow': 'the permissions boundary does not allow it',
  'boundary-explicit-deny': 'the permissions boundary explicitly denies it',
  'scp-missing-allow': 'a service control policy does not allow it',
  'scp-explicit-deny': 'a service control policy explicitly denies it',
  'rcp-missing-allow': 'a resource control policy does not allow it',
  'rcp-explicit-deny': 'a resource control policy explicitly denies it',
  'session-policy': 'the session policy does not allow it',
  'vpc-endpoint-policy': 'the VPC endpoint policy does not allow it',
  'kms-key': 'the KMS key used for encryption is not usable by the caller',
  'allowed-by-visible-policies': 'the visible policies allow it, so something not visible denied it',
  's3-setting':
    'an S3 setting refused it, not a policy (Block Public Access, a block on SSE-C or Object Lock; see the first caveat)',
  'not-evaluable': 'the cause cannot be determined from the input',
};

/**
 * Whether a fix was checked as if the bucket had no policy: a bucket-policy fix without a whole new
 * document, which is built only when the bucket's policy is in the input (`--bucket-policy`).
 */
export function assumesNoBucketPolicy(fix: Pick<Fix, 'attachKind' | 'newDocument'> | null): boolean {
  return fix !== null && fix.attachKind === 'bucket-policy' && fix.newDocument === undefined;
}

/** The caveat that says a bucket policy is not in the input (the fix's, or the finding's when it has no fix). */
export const BUCKET_POLICY_NOT_GIVEN = /^The bucket policy of \S+ is not in the input: /;

/** How to give a bucket's policy: the option, and the command that prints the document it takes. */
export function giveBucketPolicy(bucket: string): string {
  return `--bucket-policy ${shellWord(`${bucket}=FILE`)} (from \`aws s3api get-bucket-policy --bucket ${shellWord(bucket)} --query Policy --output text\`)`;
}

/**
 * Whether the finding's bucket policy is not in the input and was taken to allow nothing: the fix was
 * checked without it, or a caveat says so.
 */
export function bucketPolicyNotGiven(finding: Pick<Finding, 'fix' | 'caveats'>): boolean {
  return assumesNoBucketPolicy(finding.fix) || finding.caveats.some((c) => BUCKET_POLICY_NOT_GIVEN.test(c));
}

/**
 * A cross-account fix whose caller-side statements go to policies the input does not hold: it was
 * verified on the bucket's side only.
 */
export function verifiedOnBucketSideOnly(
  fix: Pick<Fix, 'identityStatements' | 'identityChange'> | null,
): boolean {
  return fix !== null && (fix.identityStatements?.length ?? 0) > 0 && fix.identityChange === undefined;
}

/**
 * An SCP refusal known from AWS's message alone (no statement of the SCPs given refuses it): such
 * messages read "explicit deny" for a Deny and for an allow list without the action alike, so which one
 * it is is not known.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
export function scpRefusalByMessage(finding: Pick<Finding, 'cause' | 'deniedBy'>): boolean {
  return (
    finding.cause === 'scp-explicit-deny' &&
    !finding.deniedBy.some((d) => d.policyType === 'scp' && d.statementIndex !== undefined)
  );
}

/** An S3 setting as the summary and the Cause name it: `Block Public Access: BlockPublicPolicy`. */
export const SETTING_WORDS: Readonly<Record<S3SettingName, string>> = {
  BlockPublicPolicy: 'Block Public Access: BlockPublicPolicy',
  BlockPublicAcls: 'Block Public Access: BlockPublicAcls',
  BlockedEncryptionTypes: "the bucket's block on SSE-C uploads",
  ObjectLock: 'Object Lock',
};

/**
 * The kind of policy each missing-Allow cause names, in words: its noun phrase, and whether it is
 * plural ("the identity-based policies allow", "the bucket policy allows").
 */
const MISSING_ALLOW_KIND: Partial<
  Record<FindingCause, { readonly type: PolicyType; readonly noun: string; readonly plural: boolean }>
> = {
  'identity-missing-allow': { type: 'identity', noun: 'the identity-based policies', plural: true },
  'resource-policy-missing-allow': { type: 'resource', noun: 'the bucket policy', plural: false },
  'boundary-missing-allow': { type: 'permissions-boundary', noun: 'the permissions boundary', plural: false },
  'scp-missing-allow': { type: 'scp', noun: 'the service control policies', plural: true },
  'rcp-missing-allow': { type: 'rcp', noun: 'the resource control policies', plural: true },
};

/**
 * The actions of a finding whose cause's policy kind (the bucket policy, the identity-based policies,
 * the SCPs…) lacks their Allow, split by whether a statement of it allows them only under a Condition
 * the record cannot show met (`unverifiable`: unverifiable, not unmet) or not at all (`missing`);
 * `undefined` when none is unverifiable. `noun` names the kind, `plural` says how its verb agrees.
 */
export function unverifiableAllowsOf(
  finding: Pick<Finding, 'cause' | 'requests'>,
):
  | { unverifiable: string[]; missing: string[]; type: PolicyType; noun: string; plural: boolean }
  | undefined {
  const kind = MISSING_ALLOW_KIND[finding.cause];
  if (kind === undefined) return undefined;
  const unverifiable = new Set<string>();
  const missing = new Set<string>();
  for (const r of finding.requests)
    if (r.decision === 'ImplicitlyDenied' && r.missingAllowIn?.includes(kind.type) === true)
      (r.unverifiableAllowIn?.includes(kind.type) === true ? unverifiable : missing).add(r.action);
  for (const action of unverifiable) missing.delete(action);
  return unverifiable.size === 0
    ? undefined
    : { unverifiable: [...unverifiable], missing: [...missing], ...kind };
}

/**
 * How a cause reads in the summary: a bucket policy not in the input is not said to refuse anything; an
 * S3 setting is the one AWS's message names (its note is among the caveats); a bucket policy that allows
 * the request only under a Condition the record cannot show met is not said not to allow it (nor is any
 * other kind of policy that does so).
 */
function causePhrase(
  finding: Pick<Finding, 'cause' | 'fix' | 'evidence' | 'deniedBy' | 'caveats' | 'requests'>,
): string {
  const phrase = policyCausePhrase(finding);
  // AWS's message names Object Lock, and the policies refuse the governance bypass the request sent:
  // for lack of an Allow (granting it lifts a GOVERNANCE retention only), or by a Deny (nothing to grant).
  if (finding.cause === 's3-setting') return phrase;
  if (finding.caveats.includes(OBJECT_LOCK_BYPASS_DENIED_NOTE))
    return `${phrase}, and S3 Object Lock protects the version: the Deny keeps the governance bypass from lifting a GOVERNANCE-mode retention (its caveat says what gets past it), and no bypass lifts a COMPLIANCE-mode one or a legal hold (see the first caveat)`;
  return finding.caveats.includes(OBJECT_LOCK_BYPASS_REFUSED_NOTE)
    ? `${phrase}, and S3 Object Lock protects the version: allowing the governance bypass lets it through a GOVERNANCE-mode retention only, not a COMPLIANCE-mode one or a legal hold (see the first caveat)`
    : phrase;
}

function policyCausePhrase(
  finding: Pick<Finding, 'cause' | 'fix' | 'evidence' | 'deniedBy' | 'caveats' | 'requests'>,
): string {
  const setting = finding.cause === 's3-setting' ? settingNamedIn(finding.caveats) : undefined;
  if (setting !== undefined)
    return `an S3 setting refused it, not a policy (${SETTING_WORDS[setting]}; see the first caveat)`;
  // AWS's SCP messages read "explicit deny" whatever refused: without the SCPs, that is not known.
  if (scpRefusalByMessage(finding))
    return 'a service control policy refuses it (AWS\'s message reads "explicit deny" for a Deny and for an allow list without the action alike)';
  if (finding.cause === 'resource-policy-missing-allow' && bucketPolicyNotGiven(finding))
    return "the bucket's policy is not in the input, and without one nothing on the bucket's side allows it";
  const unverifiable = unverifiableAllowsOf(finding);
  if (unverifiable !== undefined) {
    const { noun, plural } = unverifiable;
    const allows = plural ? 'allow' : 'allows';
    return `${unverifiable.missing.length > 0 ? `${noun} ${plural ? 'do' : 'does'} not allow ${unverifiable.missing.join(', ')}, and ${allows} ${unverifiable.unverifiable.join(', ')}` : `${noun} ${allows} it`} only under a Condition the record cannot show met (unverifiable, not unmet: see the caveats)`;
  }
  return CAUSE_PHRASE[finding.cause];
}

function isKmsAction(action: string): boolean {
  // Action names are `service:Name`; `kms:` in any case.
  return action.length > 4 && action.charCodeAt(3) === 58 && action.slice(0, 3).toLowerCase() === 'kms';
}

/** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`: the bucket's name. */
const BUCKET_ARN = /^arn:aws[a-z-]*:s3:::([^/]+)/;

/**
 * The bucket the refused requests (or, when the visible policies allow them all, the requests) are on,
 * when it is not the one CloudTrail logged the event on: a
 * CopyObject or UploadPartCopy is logged on its destination, but the read it was refused is on its
 * source. `undefined` when they are the same, or the refused requests span several buckets.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
export function refusedElsewhere(finding: Pick<Finding, 'bucket' | 'requests'>): string | undefined {
  const buckets = new Set<string>();
  // Requests the visible policies all allow (something not visible refused them): where they are.
  const anyRefused = finding.requests.some((request) => request.decision !== 'Allowed');
  // All allowed: the requests AWS's message named, when it named some (not a copy's other side).
  const named = !anyRefused && finding.requests.some((request) => request.source === 'message');
  for (const request of finding.requests) {
    if (anyRefused && request.decision === 'Allowed') continue;
    if (named && request.source !== 'message') continue;
    const bucket = BUCKET_ARN.exec(request.resource)?.[1];
    if (bucket === undefined) return undefined;
    buckets.add(bucket);
  }
  const [only] = buckets;
  return buckets.size === 1 && only !== finding.bucket ? only : undefined;
}

/**
 * ` on bucket B`, naming the bucket the refused requests are on (and the event's, when they differ); when
 * they are on the event's bucket and others too (copies refused the read of their source), each bucket.
 */
export function wherePhrase(finding: Pick<Finding, 'bucket' | 'requests'>): string {
  const elsewhere = refusedElsewhere(finding);
  if (elsewhere !== undefined && finding.bucket !== undefined)
    return ` on bucket ${elsewhere} (CloudTrail logged the event on ${finding.bucket})`;
  if (finding.bucket === undefined) return '';
  // An access point alias stands for the bucket only where the record names no bucket: it is none.
  const alias = accessPointAliasKind(finding.bucket);
  if (alias !== undefined)
    return alias === 'fsx'
      ? ` through access point alias ${finding.bucket} (of an FSx volume, no bucket)`
      : ` through ${alias === 'object-lambda' ? 'Object Lambda access point' : 'access point'} alias ${finding.bucket}`;
  const others = new Set<string>();
  let copiesOnly = true;
  for (const request of finding.requests) {
    if (request.decision === 'Allowed') continue;
    const bucket = BUCKET_ARN.exec(request.resource)?.[1];
    if (bucket === undefined || bucket === finding.bucket) continue;
    others.add(bucket);
    if (request.eventName !== 'CopyObject' && request.eventName !== 'UploadPartCopy') copiesOnly = false;
  }
  if (others.size === 0) return ` on bucket ${finding.bucket}`;
  const list = [...others].join(', ');
  return copiesOnly
    ? ` on bucket ${finding.bucket} (and on ${list}, which its copies read)`
    : ` on buckets ${finding.bucket}, ${list}`;
}

/**
 * The caller in words: `user/backup`, `assumed-role/ci/deploy/gha-1`; for a caller CloudTrail names only
 * by account, its principal ID (`AROAEXAMPLEID:session of account 444455556666`).
 */
export function callerLabel(principal: Finding['principal']): string {
  if (principal.arn !== 'unknown') return shortArn(principal.arn);
  if (principal.principalId !== undefined)
    return principalIdKind(principal.principalId) === 'access key'
      ? `A caller of account ${principal.account} (access key ${principal.principalId})`
      : `${principal.principalId} of account ${principal.account}`;
  return principal.identityStoreUserId !== undefined
    ? `Identity Center user ${principal.identityStoreUserId} of account ${principal.account}`
    : `A caller of account ${principal.account}`;
}

/**
 * The resource part of an ARN (`user/backup`, `assumed-role/etl/run-7`): what follows its fifth colon,
 * as the resource part may hold colons itself. Anything that is not an ARN is shown whole.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export function shortArn(arn: string): string {
  if (!arn.startsWith('arn:')) return arn;
  let idx = -1;
  for (let n = 0; n < 5; n++) {
    idx = arn.indexOf(':', idx + 1);
    if (idx < 0) return arn;
  }
  return arn.slice(idx + 1);
}

/**
 * Where a change goes, in words: `a new version of BackupWriter`, `a new inline policy on role/x`, `the
 * inline policy PermissionAuditorFix on user/y` (one the caller has, extended).
 */
export function targetPhrase(
  change: Pick<Fix, 'attachKind' | 'attachTo' | 'policyName' | 'diff' | 'policyArn'>,
  bucket: string | undefined,
): string {
  switch (change.attachKind) {
    case 'managed-policy-version':
      return isAwsManagedPolicyArn(change.policyArn ?? '')
        ? `a customer managed copy of the AWS managed policy ${change.policyName ?? change.attachTo}`
        : `a new version of ${change.policyName ?? change.attachTo}`;
    case 'bucket-policy':
      return `the bucket policy of ${BUCKET_ARN.exec(change.attachTo)?.[1] ?? bucket ?? change.attachTo}`;
    case 'service-control-policy':
      return `the service control policy ${change.policyName ?? change.attachTo}`;
    case 'permission-set':
      return `the permission set ${change.policyName ?? ''}`.trim();
    case 'inline-policy':
      // A diff: an inline policy of the caller's (an earlier fix's) that gets the statements added.
      return change.diff !== undefined && change.policyName !== undefined
        ? `the inline policy ${change.policyName} on ${shortArn(change.attachTo)}`
        : `a new inline policy on ${shortArn(change.attachTo)}`;
  }
}

/** Each action of the statements once, in order. */
function actionsOf(statements: readonly PolicyStatement[]): string[] {
  return [...new Set(statements.flatMap((s) => s.Action))];
}

/** ` and ACTIONS to WHERE` for a fix's second change, or nothing without one. */
function alsoTo(statements: readonly PolicyStatement[] | undefined, where: string): string {
  const actions = actionsOf(statements ?? []);
  return actions.length === 0 ? '' : ` and ${actions.join(', ')} to ${where}`;
}

/**
 * The actions with those the fix grants first, each group in its own order: a title or subject leads
 * with what the fix is about, not with a refusal it leaves alone (rclone's check of the job's root).
 */
export function fixedFirst(actions: readonly string[], fix: Finding['fix']): string[] {
  if (fix === null) return [...actions];
  const granted = new Set(fix.statements.flatMap((statement) => statement.Action));
  return [...actions.filter((a) => granted.has(a)), ...actions.filter((a) => !granted.has(a))];
}

/**
 * The KMS calls refused for S3's requests: those AWS's message names that the caller's policies refuse,
 * and, when the key is the finding's cause, those they allow of the requests S3 did not refuse itself
 * (the key policy refused them): the calls AWS's message names, or, where it names the action alone
 * (`on this resource`), the request's calls on the key its headers name. Not another call on those
 * keys when the use AWS's message names is on a key the record does not show (`unnamedKeyUse`: a copy
 * refused kms:Decrypt on its source object's key, whose headers name the destination key's
 * kms:GenerateDataKey).
 */
export function keyUseRefusals(
  finding: Pick<Finding, 'requests' | 'cause' | 'unnamedKeyUse'>,
): Finding['requests'] {
  // Or, for a request refused on this run whose S3 requests the visible policies allow and AWS's message
  // does not name (its legacy "Access Denied": an UploadPart of an SSE-KMS upload), the calls S3 makes
  // for it that the caller's policies refuse: the likely reason it was refused.
  const s3Rows = finding.requests.filter((r) => !isKmsAction(r.action));
  const unnamedAllowed = new Set(
    s3Rows
      .filter((r) => r.decision === 'Allowed' && r.source === 'operation')
      .map((r) => r.eventId)
      .filter((id) =>
        s3Rows.every((r) => r.eventId !== id || (r.decision === 'Allowed' && r.source === 'operation')),
      ),
  );
  const refusedByCaller = finding.requests.filter(
    (r) =>
      isKmsAction(r.action) &&
      r.decision !== 'Allowed' &&
      (r.source === 'message' || unnamedAllowed.has(r.eventId)),
  );
  if (finding.cause !== 'kms-key') return refusedByCaller;
  const refusedByS3 = new Set(
    finding.requests.filter((r) => !isKmsAction(r.action) && r.decision !== 'Allowed').map((r) => r.eventId),
  );
  const unnamed = finding.unnamedKeyUse?.toLowerCase();
  const atKey = finding.requests.filter(
    (r) =>
      isKmsAction(r.action) &&
      r.decision === 'Allowed' &&
      !refusedByS3.has(r.eventId) &&
      (unnamed === undefined || r.source === 'message' || r.action.toLowerCase() === unnamed),
  );
  const named = new Set(atKey.filter((r) => r.source === 'message').map((r) => r.eventId));
  return finding.requests.filter(
    (r) =>
      refusedByCaller.includes(r) || (atKey.includes(r) && (r.source === 'message' || !named.has(r.eventId))),
  );
}

/**
 * AWS's message's use of a key it does not name, and whose key that is: a copy's kms:Decrypt is of its
 * source object's key, which the record does not show (its headers name the destination's key).
 */
function unnamedKeyWords(finding: Pick<Finding, 'requests' | 'unnamedKeyUse'>): string {
  const use = finding.unnamedKeyUse ?? '';
  const refusedByS3 = new Set(
    finding.requests.filter((r) => !isKmsAction(r.action) && r.decision !== 'Allowed').map((r) => r.eventId),
  );
  const atKey = finding.requests.filter((r) => !refusedByS3.has(r.eventId));
  const copies =
    use.toLowerCase() === 'kms:decrypt' &&
    atKey.length > 0 &&
    atKey.every((r) => r.eventName === 'CopyObject' || r.eventName === 'UploadPartCopy');
  return `${use} on ${copies ? "the source object's KMS key (AWS's message does not name it, and the record does not show it)" : "the KMS key (AWS's message does not name it)"}`;
}

/**
 * The S3 actions of the requests the visible policies allow whose event's KMS call AWS's message says
 * was refused (S3 could not use the key for them: an UploadPart without kms:Decrypt), in order; none
 * that S3 itself refused in another request (then the S3 refusal leads, as for any action).
 */
export function refusedForKeyUse(finding: Pick<Finding, 'requests' | 'cause' | 'unnamedKeyUse'>): string[] {
  const keyRefused = new Set(keyUseRefusals(finding).map((r) => r.eventId));
  const refusedByS3Events = new Set(
    finding.requests.filter((r) => !isKmsAction(r.action) && r.decision !== 'Allowed').map((r) => r.eventId),
  );
  // The key is the cause, and AWS's message names its use on a key the record does not show: the
  // requests S3 did not refuse itself are those refused at that key.
  if (keyRefused.size === 0 && finding.cause === 'kms-key' && finding.unnamedKeyUse !== undefined)
    for (const r of finding.requests) if (!refusedByS3Events.has(r.eventId)) keyRefused.add(r.eventId);
  if (keyRefused.size === 0) return [];
  const refusedByS3 = new Set(
    finding.requests.filter((r) => !isKmsAction(r.action) && r.decision !== 'Allowed').map((r) => r.action),
  );
  return [
    ...new Set(
      finding.requests
        .filter(
          (r) =>
            !isKmsAction(r.action) &&
            r.decision === 'Allowed' &&
            keyRefused.has(r.eventId) &&
            !refusedByS3.has(r.action),
        )
        .map((r) => r.action),
    ),
  ];
}

/**
 * The finding's one sentence (its `unnamedKeyUse`, when AWS's message names S3's use of a key it does
 * not name, is said as what S3 needs). `unseenIdentity`: the caller's policies
 * (and groups) the snapshot lacks, when the cause rests on the identity policies it shows.
 */
export function summarise(
  finding: Omit<Finding, 'summary'>,
  {
    unseenIdentity = [],
    listingInferred = false,
    unexplained = [],
    endpointFirst,
  }: {
    readonly unseenIdentity?: readonly string[];
    /**
     * The refused requests are reads the visible policies allow, refused with the legacy message, and
     * the s3:ListBucket they lack is taken to be the cause (a key that does not exist is answered 403).
     */
    readonly listingInferred?: boolean;
    /** The S3 actions of refused requests the visible policies allow, beside those they explain. */
    readonly unexplained?: readonly string[];
    /**
     * The VPC endpoint's policy refused every request (the cause), and the visible policies lack an Allow
     * too (`alsoCause`, which the fix is for): `proven` when the records are network activity events
     * with VpceAccessDenied (S3 never evaluated the requests), else AWS's message says so.
     */
    readonly endpointFirst?: {
      readonly alsoCause: FindingCause;
      readonly proven: boolean;
      readonly endpoint: string | undefined;
    };
  } = {},
): string {
  // The KMS calls S3 makes for an SSE-KMS request are named apart: the caller was denied the S3 call.
  const anyKms = finding.requests.some((r) => isKmsAction(r.action));
  const s3Requests = anyKms ? finding.requests.filter((r) => !isKmsAction(r.action)) : finding.requests;
  // A request an explicit Deny refuses never reaches KMS while the Deny stands: its KMS calls are not next.
  const deniedEvents = new Set(
    anyKms ? s3Requests.filter((r) => r.decision === 'ExplicitlyDenied').map((r) => r.eventId) : [],
  );
  const kmsRefused = anyKms
    ? finding.requests.filter(
        (r) =>
          isKmsAction(r.action) &&
          r.decision !== 'Allowed' &&
          (r.source === 'message' || !deniedEvents.has(r.eventId)),
      )
    : [];
  const denied = s3Requests.filter((r) => r.decision !== 'Allowed');
  // S3 requests the visible policies allow whose own KMS call was refused (an UploadPart without
  // kms:Decrypt): the refusal that failed the job, which leads even when a follow-up S3 call (the
  // client's AbortMultipartUpload) was refused too.
  // The key's use those requests were refused: the caller's policies refuse it, or the key policy does
  // (the key is the cause, and the caller's policies allow it).
  const keyRefused = denied.length > 0 ? keyUseRefusals(finding) : [];
  // Or the key is the cause, and AWS's message names its use on a key the record does not show.
  const unnamedAtKey = finding.cause === 'kms-key' && finding.unnamedKeyUse !== undefined;
  const kmsLed =
    keyRefused.length > 0 || (denied.length > 0 && unnamedAtKey) ? refusedForKeyUse(finding) : [];
  // Every request the visible policies allow, S3's KMS calls too, and a cause a policy not visible
  // gives (AWS's message names it for the key's use): the key's use is what was refused.
  const kmsNamedCause = anyKms ? finding.requests.filter((r) => isKmsAction(r.action)) : [];
  // When the visible policies allow them all, the requests AWS's message named (a copy's other side,
  // evaluated beside it, was not refused).
  const namedRequests = denied.length > 0 ? [] : s3Requests.filter((r) => r.source === 'message');
  const actions = fixedFirst(
    [
      ...new Set(
        (denied.length > 0 ? denied : namedRequests.length > 0 ? namedRequests : s3Requests).map(
          (r) => r.action,
        ),
      ),
    ],
    finding.fix,
  );
  const who = callerLabel(finding.principal);
  const tool =
    finding.client.tool !== 'other' || finding.client.name !== undefined
      ? ` (${clientLabel(finding.client)})`
      : '';
  const where = wherePhrase(finding);
  // An explicit Deny that refused only some of the requests: the cause names the actions it refused,
  // and the others, refused for want of an Allow, are named apart.
  const explicit = finding.cause.endsWith('-explicit-deny')
    ? [...new Set(denied.filter((r) => r.decision === 'ExplicitlyDenied').map((r) => r.action))]
    : [];
  const others =
    explicit.length > 0
      ? [...new Set(denied.filter((r) => r.decision !== 'ExplicitlyDenied').map((r) => r.action))]
      : [];
  // A group refused partly by the identity policies and partly by the boundary alone: each said apart,
  // with the requests both refuse.
  const missingIn = (r: (typeof denied)[number]) =>
    r.decision === 'ImplicitlyDenied' ? (r.missingAllowIn ?? []) : [];
  const actionsWhere = (test: (missing: readonly string[]) => boolean) => [
    ...new Set(denied.filter((r) => test(missingIn(r))).map((r) => r.action)),
  ];
  const splitCause = finding.cause === 'identity-missing-allow' || finding.cause === 'boundary-missing-allow';
  const byBoundaryOnly = splitCause
    ? actionsWhere((m) => m.length === 1 && m[0] === 'permissions-boundary')
    : [];
  const byBoth =
    byBoundaryOnly.length > 0
      ? actionsWhere((m) => m.includes('identity') && m.includes('permissions-boundary'))
      : [];
  const byIdentity =
    byBoundaryOnly.length > 0
      ? actionsWhere((m) => m.includes('identity') && !m.includes('permissions-boundary')).filter(
          (action) => !byBoundaryOnly.includes(action) && !byBoth.includes(action),
        )
      : [];
  const splitParts = [
    ...(byIdentity.length > 0 ? [`no identity-based policy allows ${byIdentity.join(', ')}`] : []),
    ...(byBoth.length > 0
      ? [`neither the identity-based policies nor the permissions boundary allow ${byBoth.join(', ')}`]
      : []),
    ...(byBoundaryOnly.length > 0
      ? [`the permissions boundary does not allow ${byBoundaryOnly.join(', ')}`]
      : []),
  ];
  // AWS's message named S3's KMS call, and the caller's policies were not there to evaluate it: the fix
  // grants that call, and the summary says so.
  const messageKms =
    finding.evidence === 'message' &&
    finding.fix !== null &&
    finding.fix.statements.length > 0 &&
    finding.fix.statements.every((st) => st.Action.every((a) => isKmsAction(a)))
      ? finding.fix.statements
      : undefined;
  // The S3 refusals beside the key's, said after it; an explicit Deny among them keeps the usual order.
  const leadWithKey = kmsLed.length > 0 && denied.every((r) => r.decision !== 'ExplicitlyDenied');
  const cleanUpOnly = denied.every((r) => r.eventName === 'AbortMultipartUpload');
  // The key policy refused the key's use, which the caller's own policies allow.
  const byKeyPolicy =
    finding.cause === 'kms-key' && keyRefused.length > 0 && keyRefused.every((r) => r.decision === 'Allowed');
  // The message names no action: the listing is inferred from the reads the visible policies allow.
  const reads = listingInferred
    ? [...new Set(s3Requests.filter((r) => r.decision === 'Allowed').map((r) => r.action))]
    : [];
  // The upload something not visible refused, when the client's clean-up after it is the only request the
  // visible policies explain: the upload failed the job, and leads, as the key's refusal does.
  const leadWithUnexplained = !leadWithKey && unexplained.length > 0 && denied.length > 0 && cleanUpOnly;
  const it = denied.length === 1 ? 'it' : 'them';
  let sentence =
    endpointFirst !== undefined
      ? `${who}${tool} was denied ${actions.join(', ')}${where}: ${endpointFirst.proven ? `the VPC endpoint${endpointFirst.endpoint !== undefined ? ` ${endpointFirst.endpoint}` : ''} refused ${it} first, before S3 evaluated ${it} (its policy does not allow ${it})` : `AWS's message says the VPC endpoint policy does not allow ${it}`}, and ${CAUSE_PHRASE[endpointFirst.alsoCause]} either.`
      : reads.length > 0
        ? `${who}${tool} was denied ${reads.join(', ')}${where}, likely for want of s3:ListBucket (${causePhrase(finding)}): to a caller without it, S3 answers a read of a key that does not exist with 403 rather than 404, and the visible policies allow the read itself.`
        : leadWithKey
          ? `${who}${tool} was denied ${kmsLed.join(', ')}${where}: S3 needs ${keyRefused.length > 0 ? `${[...new Set(keyRefused.map((r) => r.action))].join(', ')} on the KMS key ${[...new Set(keyRefused.map((r) => r.resource))].join(', ')}` : unnamedKeyWords(finding)} for it, and ${byKeyPolicy ? "the key's policy refuses it (the caller's own policies allow it)" : causePhrase(finding)}. ${cleanUpOnly ? "The client's clean-up of the failed upload was refused too: " : 'It was also denied '}${lackingParts(denied)}.`
          : leadWithUnexplained
            ? `${who}${tool} was denied ${unexplained.join(', ')}${where}: the visible policies allow ${unexplained.length === 1 ? 'it' : 'them'}, so something not visible denied ${unexplained.length === 1 ? 'it' : 'them'} (see the caveats). The client's clean-up of the failed upload was refused too: ${lackingParts(denied)}.`
            : finding.unnamedKeyUse !== undefined && denied.length === 0 && kmsRefused.length === 0
              ? `${who}${tool} was denied ${actions.join(', ')}${where}: S3 needs ${unnamedKeyWords(finding)} for it, and ${causePhrase(finding)}.`
              : messageKms !== undefined
                ? `${who}${tool} was denied ${actions.join(', ')}${where}: S3 needs ${[...new Set(messageKms.flatMap((st) => st.Action))].join(', ')} on the KMS key ${[...new Set(messageKms.flatMap((st) => st.Resource))].join(', ')} for it, and ${causePhrase(finding)}.`
                : splitParts.length > 1
                  ? `${who}${tool} was denied ${actions.join(', ')}${where}: ${splitParts.slice(0, -1).join(', ')}, and ${splitParts.at(-1)}.`
                  : explicit.length > 0 && others.length > 0
                    ? `${who}${tool} was denied ${explicit.join(', ')}${wherePhrase({ ...finding, requests: finding.requests.filter((r) => r.decision === 'ExplicitlyDenied') })}: ${causePhrase(finding)}; and ${lackingParts(denied.filter((r) => r.decision !== 'ExplicitlyDenied'))}.`
                    : denied.length === 0 && kmsRefused.length > 0
                      ? `${who}${tool} was denied ${actions.join(', ')}${where}: S3 needs ${[...new Set(kmsRefused.map((r) => r.action))].join(', ')} on the KMS key ${[...new Set(kmsRefused.map((r) => r.resource))].join(', ')} for it, and ${causePhrase(finding)}.`
                      : denied.length === 0 &&
                          kmsNamedCause.length > 0 &&
                          finding.cause !== 'allowed-by-visible-policies' &&
                          finding.cause !== 'kms-key'
                        ? `${who}${tool} was denied ${actions.join(', ')}${where}: S3 needs ${[...new Set(kmsNamedCause.map((r) => r.action))].join(', ')} on the KMS key ${[...new Set(kmsNamedCause.map((r) => r.resource))].join(', ')} for it, and ${causePhrase(finding)}.`
                        : `${who}${tool} was denied ${actions.join(', ')}${where}: ${causePhrase(finding)}.`;
  if (unseenIdentity.length > 0 && finding.cause === 'identity-missing-allow')
    sentence = `${sentence.slice(0, -1)}, as far as the snapshot shows (${andList([...unseenIdentity])}, which ${unseenIdentity.length === 1 ? 'applies' : 'apply'} to the caller, ${unseenIdentity.length === 1 ? 'is' : 'are'} not in it).`;
  // The others the visible policies allow, said before the fix, which does not let them through.
  if (unexplained.length > 0 && !leadWithUnexplained) {
    const one = unexplained.length === 1;
    sentence += ` It was also denied ${unexplained.join(', ')}, which the visible policies allow: something not visible denied ${one ? 'it' : 'them'} (see the caveats)${finding.fix !== null ? `, and the fix does not cover ${one ? 'it' : 'them'}` : ''}.`;
  }
  const fix = finding.fix;
  if (fix !== null) {
    const target = targetPhrase(fix, finding.bucket);
    const actions = actionsOf(fix.statements);
    // A cross-account grant needs the caller's side too, when its own policies do not allow the requests;
    // so does an identity grant that the permissions boundary does not allow either.
    const callerSide = alsoTo(
      fix.identityStatements,
      fix.identityChange === undefined
        ? "the caller's own policies"
        : targetPhrase(fix.identityChange, finding.bucket),
    );
    const boundarySide = alsoTo(
      fix.boundary?.statements,
      `a new version of the permissions boundary ${fix.boundary?.policyName ?? ''}`,
    );
    const lowerScps = (fix.otherScps ?? [])
      .map((change) => alsoTo(change.statements, targetPhrase(change, finding.bucket)))
      .join('');
    // A fix that adds no action is a policy's Version edit: it sets the Version (the policy has none, or
    // 2008-10-17), so "add" would be wrong for the second.
    const change = actions.length > 0 ? `add ${actions.join(', ')} to` : 'set "Version" to "2012-10-17" in';
    sentence += ` Fix: ${endpointFirst !== undefined ? `the VPC endpoint's policy must allow ${it} (see the caveats), and ` : ''}${change} ${target}${callerSide}${boundarySide}${lowerScps}${endpointFirst !== undefined ? ' too' : ''}${
      !fix.verified
        ? onlyOverQuota(fix)
          ? ` (not applicable as it is: ${refusedAsItIs(fix)}, see the caveats)`
          : ' (not verified)'
        : ` (${
            assumesNoBucketPolicy(fix)
              ? 'verified as if the bucket had no policy'
              : verifiedOnBucketSideOnly(fix)
                ? "verified on the bucket's side only"
                : 'verified'
          }${fix.requiresAcl !== undefined ? `, for uploads that send x-amz-acl: ${fix.requiresAcl}` : ''})`
    }.`;
    // A client setting that makes a grant unnecessary is the better answer: say so up front.
    const avoid = finding.alternatives.find((a) => a.removes.some((r) => actions.includes(r)));
    if (avoid !== undefined) {
      // A sentence ends at a full stop before a space or the end, not inside `v1.60` or `s3.region`.
      const firstSentence = /^.*?\.(?=\s|$)/s.exec(avoid.text)?.[0] ?? avoid.text;
      // A setting that holds only under a condition ("If the bucket already exists"), or a trade-off
      // (purging current versions only), is another way, not a better one.
      const firstClause = firstSentence.split(':')[0] ?? firstSentence;
      const better =
        avoid.kind !== 'other' &&
        !/^(?:If|For an?|When|Unless) /.test(avoid.text) &&
        !/\bunless\b/.test(firstClause);
      sentence += ` ${better ? 'Better' : 'Alternatively'}, without ${avoid.removes.filter((r) => actions.includes(r)).join(', ')}: ${firstSentence}`;
    }
  }
  // S3 refused the request before calling KMS: the key's use is the next refusal.
  if (denied.length > 0 && kmsRefused.length > 0 && !leadWithKey) {
    const what = `${[...new Set(kmsRefused.map((r) => r.action))].join(', ')} on the KMS key ${[...new Set(kmsRefused.map((r) => r.resource))].join(', ')}`;
    // Named by AWS's message: refused on this run (by another event), not only after the S3 fix.
    // Each call refused on this run at least once (another event may need it again next run).
    const refusedNow = new Map<string, boolean>();
    for (const r of kmsRefused) {
      const call = `${r.action} ${r.resource}`;
      refusedNow.set(call, refusedNow.get(call) === true || r.source === 'message');
    }
    const thisRun = [...refusedNow.values()].every((now) => now);
    const explicit = kmsRefused.every((r) => r.decision === 'ExplicitlyDenied');
    sentence += thisRun ? ` It was also refused ${what} on this run` : ` S3 then needs ${what} too`;
    // The fix's statements, or for a bucket-policy fix those of its change to the caller's own policies.
    const granted = new Set(
      [...(fix?.statements ?? []), ...(fix?.identityChange?.statements ?? [])].flatMap((s) =>
        s.Action.flatMap((a) => s.Resource.map((r) => `${a} ${r}`)),
      ),
    );
    const several = new Set(kmsRefused.map((r) => `${r.action} ${r.resource}`)).size > 1;
    sentence += explicit
      ? ', which an explicit Deny refuses (see the caveats).'
      : kmsRefused.every((r) => granted.has(`${r.action} ${r.resource}`))
        ? `, which the caller's policies do not allow either: the fix grants ${several ? 'them' : 'it'}.`
        : ", which the caller's policies do not allow either (see the caveats).";
  }
  if (finding.deniedBy.length > 0) {
    const d = finding.deniedBy[0]!;
    sentence += ` Blocked by ${d.policyName ?? d.policyArn ?? d.policyType}${d.sid !== undefined ? ` statement ${d.sid}` : ''}.`;
  }
  return sentence;
}

/**
 * Whether the only thing that keeps the fix from being verified is a document over its size quota: its
 * verification holds no other failure (every other check passed).
 */
/** Why a fix's documents would be refused as they are, in a few words: a size quota, or an AWS managed policy. */
function refusedAsItIs(fix: Fix): string {
  const reasons = [fix.overQuota, fix.identityChange?.overQuota, fix.boundary?.overQuota];
  return reasons.some((r) => r?.includes('is an AWS managed policy') === true)
    ? 'an AWS managed policy cannot be changed'
    : 'over a size quota';
}

function onlyOverQuota(fix: Fix): boolean {
  const over =
    fix.overQuota !== undefined ||
    fix.identityChange?.overQuota !== undefined ||
    fix.boundary?.overQuota !== undefined ||
    fix.otherScps?.some((change) => change.overQuota !== undefined) === true;
  return (
    over &&
    fix.verification.every(
      (line) =>
        line.startsWith('Not verified as applicable') ||
        (!line.startsWith('Not verified') && !line.startsWith('Verification failed')),
    )
  );
}
