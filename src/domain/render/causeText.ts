import { isBypassRefusedNote, settingNamedIn } from '../explain/deniedEvent.js';
import type { Finding, FindingCause, Fix } from '../explain/report.js';
import {
  assumesNoBucketPolicy,
  bucketPolicyNotGiven,
  SETTING_WORDS,
  scpRefusalByMessage,
  unverifiableAllowsOf,
} from '../explain/summary.js';

/** Human wording of one {@link FindingCause}: a short title for headers and a sentence for the body. */
export interface CauseText {
  readonly title: string;
  readonly explanation: string;
  /** AWS documentation that defines the behaviour the wording describes. */
  readonly source: string;
}

const EVALUATION_LOGIC =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html';
const CROSS_ACCOUNT =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html';
const BOUNDARIES = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html';
const SCPS = 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html';
const RCPS = 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html';

/**
 * How each cause reads in alerts and reports. Every entry cites the AWS page that defines the behaviour.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export const CAUSE_TEXT = {
  'identity-missing-allow': {
    title: 'No identity-based policy allows the request',
    explanation:
      "None of the principal's identity-based policies (inline, managed or group) allows the action on " +
      'this resource, so the request is implicitly denied.',
    source: EVALUATION_LOGIC,
  },
  'identity-explicit-deny': {
    title: 'An identity-based policy explicitly denies the request',
    explanation:
      'A Deny statement in one of the principal’s identity-based policies matches the request; an explicit ' +
      'deny overrides every allow.',
    source:
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html',
  },
  'resource-policy-missing-allow': {
    title: 'The bucket policy does not allow the request',
    explanation:
      'The request crosses accounts (or needs a resource-based grant), and the bucket policy contains no ' +
      'statement that allows it; both sides must allow cross-account access.',
    source: CROSS_ACCOUNT,
  },
  'resource-policy-explicit-deny': {
    title: 'The bucket policy explicitly denies the request',
    explanation:
      'A Deny statement in the bucket policy matches the request; an explicit deny overrides every allow.',
    source: EVALUATION_LOGIC,
  },
  'boundary-missing-allow': {
    title: 'The permissions boundary does not allow the request',
    explanation:
      "The principal's identity policies allow the action, but its permissions boundary does not, and the " +
      'effective permissions are the intersection of both.',
    source: BOUNDARIES,
  },
  'boundary-explicit-deny': {
    title: 'The permissions boundary explicitly denies the request',
    explanation: "A Deny statement in the principal's permissions boundary matches the request.",
    source: BOUNDARIES,
  },
  'scp-missing-allow': {
    title: 'No service control policy allows the request',
    explanation:
      'A service control policy of the organization does not allow the action for this account, so no ' +
      'identity policy in the account can grant it.',
    source: SCPS,
  },
  'scp-explicit-deny': {
    title: 'A service control policy explicitly denies the request',
    explanation:
      'A Deny statement in a service control policy attached to the account or an OU matches the request.',
    source: SCPS,
  },
  'rcp-missing-allow': {
    title: 'No resource control policy allows the request',
    explanation:
      'A resource control policy of the organization does not allow the action on this resource, which caps ' +
      'what any policy can grant on it.',
    source: RCPS,
  },
  'rcp-explicit-deny': {
    title: 'A resource control policy explicitly denies the request',
    explanation:
      'A Deny statement in a resource control policy that applies to the bucket matches the request.',
    source: RCPS,
  },
  'session-policy': {
    title: 'A session policy limits the session',
    explanation:
      'The credentials were issued with a session policy (AssumeRole, federation) that does not allow the ' +
      'action; session permissions are the intersection of the identity and session policies.',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session',
  },
  'vpc-endpoint-policy': {
    title: 'The VPC endpoint policy denies the request',
    explanation:
      'The request went through a VPC endpoint whose endpoint policy does not allow it; endpoint policies ' +
      'are evaluated in addition to IAM and bucket policies.',
    source: 'https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html',
  },
  'kms-key': {
    title: 'The KMS key does not allow its use',
    explanation:
      'The object is encrypted with SSE-KMS and the caller may not use the key (key policy, grants or IAM); ' +
      'S3 needs kms:Decrypt to read and kms:GenerateDataKey to write such objects.',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
  },
  'allowed-by-visible-policies': {
    title: 'The visible policies allow the request',
    explanation:
      'The policies permission-auditor could read allow the request, so the denial comes from a control it ' +
      'could not see; the caveats list what can still deny it.',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html',
  },
  's3-setting': {
    title: 'An S3 setting refused the request, not a policy',
    explanation:
      "AWS's message names an S3 setting (Block Public Access, the bucket's block on SSE-C uploads, or " +
      'Object Lock) as the reason: no IAM permission lifts it. The first caveat says which setting, and what to change.',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html',
  },
  'not-evaluable': {
    title: 'The request could not be evaluated',
    explanation:
      'The event or the account snapshot lacks what the evaluation needs (principal, policies or a supported ' +
      'operation); the caveats say what is missing.',
    source: EVALUATION_LOGIC,
  },
} as const satisfies Record<FindingCause, CauseText>;

/** A bucket policy that is not in the input was counted as none (its fix says so): the cause says that. */
const RESOURCE_POLICY_NOT_GIVEN: CauseText = {
  ...CAUSE_TEXT['resource-policy-missing-allow'],
  title: "Nothing on the bucket's side allows the request (its policy is not in the input)",
  explanation:
    'The request crosses accounts (or needs a resource-based grant), and the bucket policy is not in the ' +
    "input: checked as if the bucket had none, nothing on the bucket's side allows it; both sides must " +
    'allow cross-account access.',
};

/**
 * A caller with no identity-based policies (an unsigned request, an AWS service): the bucket policy alone
 * can allow it, whatever the accounts.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html
 */
const RESOURCE_POLICY_ONLY: CauseText = {
  ...CAUSE_TEXT['resource-policy-missing-allow'],
  explanation:
    'The caller (an unsigned request, or an AWS service) has no identity-based policies: only the bucket ' +
    'policy can allow the request, and it contains no statement that does.',
  source: EVALUATION_LOGIC,
};

/**
 * The wording of a bucket policy that a statement of which allows the request (or some of its actions)
 * only under a Condition the record cannot show met (a key CloudTrail does not log, such as the
 * aws:SourceArn an AWS service sets): such an Allow is unverifiable, not missing, and the title does not
 * say that the policy does not allow the request. `missing`: the actions it does not allow at all.
 */
function unverifiableBucketAllow(
  missing: readonly string[],
  principalType: Finding['principal']['type'],
): CauseText {
  const only = principalType === 'Anonymous' || principalType === 'AWSService';
  const guarded =
    'only under a Condition the record cannot show met (unverifiable, not unmet: see the caveats)';
  return {
    title:
      missing.length === 0
        ? 'The bucket policy allows the request only under a Condition the record cannot show met'
        : 'The bucket policy does not allow part of the request, and the rest only under a Condition the record cannot show met',
    explanation: `${only ? 'The caller (an unsigned request, or an AWS service) has no identity-based policies: only the bucket policy can allow the request.' : 'The request crosses accounts (or needs a resource-based grant): both sides must allow it.'} ${
      missing.length === 0
        ? `A statement of the bucket policy allows it ${guarded}; none allows it without one.`
        : `The bucket policy does not allow ${missing.join(', ')}; a statement of it allows the rest ${guarded}.`
    }`,
    source: only ? EVALUATION_LOGIC : CROSS_ACCOUNT,
  };
}

/**
 * The same for the other kinds of policy a missing Allow is in (the identity-based policies, the
 * permissions boundary, the SCPs or RCPs): the title and explanation say which allows the request only
 * under such a Condition, not that none allows it; the source is the cause's own.
 */
function unverifiableAllow(
  cause: FindingCause,
  { noun, plural, missing }: { noun: string; plural: boolean; missing: readonly string[] },
): CauseText {
  const guarded =
    'only under a Condition the record cannot show met (unverifiable, not unmet: see the caveats)';
  const kind = `${noun[0]?.toUpperCase()}${noun.slice(1)}`;
  return {
    title:
      missing.length === 0
        ? `${kind} ${plural ? 'allow' : 'allows'} the request only under a Condition the record cannot show met`
        : `${kind} ${plural ? 'do' : 'does'} not allow part of the request, and the rest only under a Condition the record cannot show met`,
    explanation:
      missing.length === 0
        ? `A statement of ${noun} allows it ${guarded}; none allows it without one.`
        : `${kind} ${plural ? 'do' : 'does'} not allow ${missing.join(', ')}; a statement of ${plural ? 'them' : 'it'} allows the rest ${guarded}.`,
    source: CAUSE_TEXT[cause].source,
  };
}

/**
 * An SCP refusal known from AWS's message alone: it reads "explicit deny" whatever refused (the IAM
 * guide), so a Deny and an allow list without the action are both said.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
const SCP_BY_MESSAGE: CauseText = {
  ...CAUSE_TEXT['scp-explicit-deny'],
  title: 'A service control policy refuses the request',
  explanation:
    'AWS\'s message names a service control policy. Such messages read "explicit deny" both when a Deny ' +
    'statement of an SCP matches the request and when an allow-list SCP does not allow the action; the SCPs ' +
    'in the input do not show which (none were given, or none of those given refuses it).',
};

/**
 * The wording of a cause; with the finding's fix, for a bucket policy the fix was checked without; with
 * the caller's type, for one that has no identity-based policies (see {@link findingCauseText} for an SCP
 * refusal known from AWS's message alone).
 */
export function causeText(
  cause: FindingCause,
  fix: Pick<Fix, 'attachKind' | 'newDocument'> | null = null,
  principalType?: Finding['principal']['type'],
): CauseText {
  if (cause !== 'resource-policy-missing-allow') return CAUSE_TEXT[cause];
  if (principalType === 'Anonymous' || principalType === 'AWSService') return RESOURCE_POLICY_ONLY;
  return assumesNoBucketPolicy(fix) ? RESOURCE_POLICY_NOT_GIVEN : CAUSE_TEXT[cause];
}

/** {@link causeText} of a finding. */
export function findingCauseText(
  finding: Pick<Finding, 'cause' | 'fix' | 'principal' | 'deniedBy' | 'caveats' | 'requests'>,
): CauseText {
  const text = policyCauseText(finding);
  // AWS's message names Object Lock, and the policies refuse the governance bypass the request sent:
  // the title keeps Object Lock, which the bypass lifts for a GOVERNANCE retention only.
  return finding.cause !== 's3-setting' && finding.caveats.some(isBypassRefusedNote)
    ? { ...text, title: `${text.title} (the Object Lock governance bypass it sent)` }
    : text;
}

function policyCauseText(
  finding: Pick<Finding, 'cause' | 'fix' | 'principal' | 'deniedBy' | 'caveats' | 'requests'>,
): CauseText {
  // An SCP refusal no statement of the SCPs given shows (none given, or none that refuses): as AWS's message says it.
  if (scpRefusalByMessage(finding)) return SCP_BY_MESSAGE;
  // The S3 setting AWS's message names (its note is among the caveats): that one, not the list of all.
  const setting = finding.cause === 's3-setting' ? settingNamedIn(finding.caveats) : undefined;
  if (setting !== undefined)
    return {
      ...CAUSE_TEXT['s3-setting'],
      explanation: `AWS's message names an S3 setting as the reason (${SETTING_WORDS[setting]}): no IAM permission lifts it. The first caveat says what to change.`,
    };
  const unverifiable = unverifiableAllowsOf(finding);
  if (unverifiable !== undefined && unverifiable.type !== 'resource')
    return unverifiableAllow(finding.cause, unverifiable);
  if (unverifiable !== undefined && !bucketPolicyNotGiven(finding))
    return unverifiableBucketAllow(unverifiable.missing, finding.principal.type);
  if (
    finding.cause === 'resource-policy-missing-allow' &&
    finding.principal.type !== 'Anonymous' &&
    finding.principal.type !== 'AWSService' &&
    bucketPolicyNotGiven(finding)
  )
    return RESOURCE_POLICY_NOT_GIVEN;
  return causeText(finding.cause, finding.fix, finding.principal.type);
}
