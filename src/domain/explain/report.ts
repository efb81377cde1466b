/**
 * The JSON contract of `permission-auditor explain --format json`. Renderers (text, Markdown, Slack,
 * SNS) read only these types.
 */
import type { PrincipalType } from '../cloudtrail/types.js';
import type { Decision, PolicyType } from '../policy/types.js';

export type FindingCause =
  | 'identity-missing-allow'
  | 'identity-explicit-deny'
  | 'resource-policy-missing-allow'
  | 'resource-policy-explicit-deny'
  | 'boundary-missing-allow'
  | 'boundary-explicit-deny'
  | 'scp-missing-allow'
  | 'scp-explicit-deny'
  | 'rcp-missing-allow'
  | 'rcp-explicit-deny'
  | 'session-policy'
  | 'vpc-endpoint-policy'
  | 'kms-key'
  | 'allowed-by-visible-policies'
  /** An S3 setting the message names (Block Public Access, a bucket's block on SSE-C), not a policy. */
  | 's3-setting'
  | 'not-evaluable';

export type ClientTool = 'rclone' | 'aws-cli' | 'boto3' | 's3cmd' | 'terraform' | 'other';

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Readonly<Record<string, string | readonly string[]>> | '*';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface FindingRequest {
  readonly eventId: string;
  readonly eventName: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: Decision | 'Unknown';
  /** Where the action/resource came from: the error message or the operation catalogue. */
  readonly source: 'message' | 'operation';
  /**
   * For a request evaluated as implicitly denied: the kinds of policy none of whose policies allow it
   * (every kind that applies must allow), such as `["permissions-boundary"]` when the identity policies
   * allow and the boundary does not.
   */
  readonly missingAllowIn?: readonly PolicyType[];
  /**
   * Of `missingAllowIn`, the kinds of policy a statement of which allows the request only under a
   * Condition the record cannot show met (a key CloudTrail does not log, such as the aws:SourceArn an
   * AWS service sets): unverifiable, not unmet. The engine, which has no value for the key, still counts
   * the request implicitly denied.
   */
  readonly unverifiableAllowIn?: readonly PolicyType[];
}

export interface DeniedByRef {
  readonly policyType: PolicyType;
  readonly policyArn?: string;
  readonly policyName?: string;
  readonly sid?: string;
  readonly statementIndex?: number;
}

export interface Fix {
  /** ARN of the principal (new inline policy), the managed policy (new version) or the bucket. */
  readonly attachTo: string;
  readonly attachKind:
    | 'inline-policy'
    | 'managed-policy-version'
    | 'bucket-policy'
    | 'permission-set'
    | 'service-control-policy';
  readonly policyArn?: string;
  readonly policyName?: string;
  readonly statements: readonly PolicyStatement[];
  /** For an edited managed policy: the whole new document and a readable diff. */
  readonly newDocument?: unknown;
  readonly diff?: string;
  /**
   * Why IAM, S3 or Organizations would refuse the new document as it is: over its size quota (a
   * caveat says how to make room). Absent when it fits. The fix is then not verified.
   */
  readonly overQuota?: string;
  /**
   * Identity-side statements also needed (cross-account): all of them when the caller's policies are not
   * visible, else only those its policies do not allow (absent when they allow every request), with the
   * KMS key's use S3 needs for SSE-KMS requests when those policies lack it too (then possibly alone).
   */
  readonly identityStatements?: readonly PolicyStatement[];
  /** Where `identityStatements` go, when the caller's policies are visible: its policy and new document. */
  readonly identityChange?: AdditionalChange;
  /** A new version of the permissions boundary, when it does not allow what the fix grants either. */
  readonly boundary?: AdditionalChange;
  /**
   * An SCP fix's changes at lower levels of the organization tree that lack the requests too (every level
   * must allow): the organization's own SCP at each, with only what that level lacks.
   */
  readonly otherScps?: readonly AdditionalChange[];
  readonly verified: boolean;
  /**
   * The canned ACL the uploads must send for the fix to let them through (`bucket-owner-full-control`):
   * a visible policy refuses them with the ACL this run sent whatever is added, so the fix was built and
   * verified for them sending this one. Absent when the requests were evaluated as sent.
   */
  readonly requiresAcl?: string;
  /** What verification checked, in words. */
  readonly verification: readonly string[];
  /**
   * Statements of the kind of policy the fix changes that already grant the refused actions on a
   * narrower scope of the bucket (`Statement "Publish" of publish-catalog-2 (arn:aws:s3:::b/catalog-2/*)`):
   * the fix goes beyond them, which is right only if their scope was not deliberate. A statement scoped
   * per request by a policy variable (`home/${aws:SourceIdentity}/*`) that would allow the refused
   * resources for another value is one too, named as written. Absent when none.
   */
  readonly widens?: readonly string[];
}

/**
 * A policy a fix changes besides its own target, with the statements it adds there, the whole new
 * document and a readable diff: the permissions boundary when it refuses too, or the caller's own
 * policy in a cross-account fix.
 */
export interface AdditionalChange {
  /** ARN of the managed policy (new version), or of the user or role (new inline policy). */
  readonly attachTo: string;
  readonly attachKind: Fix['attachKind'];
  readonly policyArn?: string;
  readonly policyName?: string;
  readonly statements: readonly PolicyStatement[];
  readonly newDocument: unknown;
  readonly diff?: string;
  /** Why the new document would be refused as it is: over its size quota (see {@link Fix.overQuota}). */
  readonly overQuota?: string;
}

export interface Alternative {
  readonly kind: 'client-config' | 'upgrade' | 'other';
  readonly text: string;
  readonly removes: readonly string[];
}

export interface JobProfile {
  readonly tool:
    | 'rclone'
    | 'aws-cli'
    | 'terraform'
    | 'restic'
    | 'duplicity'
    | 's3fs'
    | 'mountpoint-s3'
    | 'hadoop-s3a';
  readonly operation: 'copy' | 'sync' | 'move' | 'mount' | 'unknown';
  /** aws-cli only: the command from the user agent (`s3.sync`); the first, when the caller ran several. */
  readonly command?: string;
  /** aws-cli only, when the finding holds calls of several commands (`s3.ls`, then `s3.cp`): each, in order; the profile covers them all. */
  readonly commands?: readonly string[];
  readonly statements: readonly PolicyStatement[];
  /**
   * Present when the profile covers only part of what the job needs, because the input does not show
   * the rest (only listings were refused, so the direction is unknown): why, in words.
   */
  readonly partial?: string;
  readonly notes: readonly string[];
}

export interface Finding {
  readonly eventIds: readonly string[];
  readonly principal: {
    /**
     * The caller's ARN; `anonymous` for an unsigned request, the service principal (`invokedBy`) for an
     * AWS service, and `unknown` when neither the record nor the message names the caller by an ARN
     * (see `principalId` and `identityStoreUserId`).
     */
    readonly arn: string;
    readonly type: PrincipalType;
    readonly account: string;
    /** For a caller CloudTrail names only by account: its principal ID (`AROAEXAMPLEID:session`). */
    readonly principalId?: string;
    /**
     * For an IAM Identity Center user acting with its own identity (no IAM ARN): its user ID in the
     * identity store (`onBehalfOf.userId`).
     */
    readonly identityStoreUserId?: string;
  };
  readonly client: {
    readonly tool: ClientTool;
    /** The tool's version; for `other`, that of the client `name` names. */
    readonly version?: string;
    /**
     * For `other`, the program or SDK the user agent names, in words (`AWS SDK for JavaScript v3`,
     * `s3fs`, `AWS Management Console`), when it names one.
     */
    readonly name?: string;
    readonly userAgent?: string;
  };
  /**
   * The bucket the events are on (they are grouped by it); absent when neither their requests' resource
   * nor the records name one (ListBuckets, an S3 Control operation explained from its message).
   */
  readonly bucket?: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly requests: readonly FindingRequest[];
  readonly cause: FindingCause;
  readonly evidence: 'policies' | 'message' | 'event';
  readonly deniedBy: readonly DeniedByRef[];
  readonly fix: Fix | null;
  readonly alternatives: readonly Alternative[];
  readonly jobProfile: JobProfile | null;
  /** What could still deny the request, or what could not be checked. */
  readonly caveats: readonly string[];
  /**
   * The KMS action (`kms:GenerateDataKey`) AWS's message names S3's call of, on a KMS key it does not
   * name ("on this resource"), when no call on a known key was evaluated: what the caller was refused.
   */
  readonly unnamedKeyUse?: string;
  readonly summary: string;
  /**
   * Present when an earlier finding gives the same advice (a job refused again on its next run): that
   * finding's number, counted from 1 in the report's order. The cause, denied actions, deniedBy, fix,
   * alternatives and job profile are the same as there; the events, and caveats that follow from them,
   * are this finding's own. Applying the earlier finding's fix covers this one too.
   */
  readonly repeatOf?: number;
}

export interface Skipped {
  readonly eventId: string;
  readonly reason:
    | 'not-s3'
    | 'not-denied'
    | 'duplicate'
    | 'unsupported-operation'
    | 'not-cloudtrail'
    /** A VPC endpoint's policy refused it (VpceAccessDenied) and the record names no bucket. */
    | 'vpc-endpoint-refusal';
  readonly message: string;
}

export interface ExplainError {
  readonly input: string;
  readonly code: string;
  readonly message: string;
}

/**
 * Something the inputs held that was passed over or could not be used, while the rest was read: a
 * policy of the snapshot it cannot evaluate, bytes after a file's gzip data, a file of a directory
 * whose name is not a trail file's. The findings stand, but may be incomplete for what it names.
 */
export interface ExplainWarning {
  /** The file or directory it is about (`<stdin>` for standard input). */
  readonly input: string;
  readonly code: string;
  /** In words, naming the file. */
  readonly message: string;
}

/**
 * The fixes of several findings that change one policy, as one change: each finding's new document
 * starts from the policy as the snapshot has it (and an inline policy name holds one document), so
 * applying them one after another would keep only the last.
 */
export interface PolicyChange extends AdditionalChange {
  /** The findings it combines, numbered from 1 in the report's order. */
  readonly findings: readonly number[];
  /** Every finding's statements, once each, those with the same actions merged into one. */
  readonly statements: readonly PolicyStatement[];
  readonly verified: boolean;
  readonly verification: readonly string[];
}

export interface ExplainReport {
  readonly findings: readonly Finding[];
  /** Fixes of several findings on one policy, combined (see {@link PolicyChange}); absent when none. */
  readonly policyChanges?: readonly PolicyChange[];
  readonly skipped: readonly Skipped[];
  readonly errors: readonly ExplainError[];
  /** What reading the inputs and the account's policies passed over (see {@link ExplainWarning}); absent when none. */
  readonly warnings?: readonly ExplainWarning[];
}
