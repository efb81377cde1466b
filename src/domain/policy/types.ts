/**
 * Public vocabulary of the policy engine. It speaks AWS's own terms.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

/** Where a policy comes from in AWS's evaluation logic. */
export type PolicyType = 'identity' | 'resource' | 'permissions-boundary' | 'scp' | 'rcp' | 'session';

/** The three possible outcomes of an IAM authorization decision. */
export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/**
 * A policy as callers hand it to the engine: a document (object, JSON string or URL-encoded JSON
 * string as IAM's API returns it), optionally named.
 */
export type PolicyInput = unknown | NamedPolicyInput;

export interface NamedPolicyInput {
  readonly name?: string;
  readonly arn?: string;
  readonly document: unknown;
}

/** A value in the request context. Multi-valued keys (e.g. `aws:TagKeys`) are arrays. */
export type ContextValue = string | number | boolean | readonly (string | number | boolean)[];

/** One authorization request: who asks to do what on which resource, with which context. */
export interface AuthorizationRequest {
  /** ARN of the caller (user, role, assumed-role session, federated user, root), a service principal
   *  (`cloudtrail.amazonaws.com`) or `anonymous`. */
  readonly principal: string;
  /** `service:Action`, e.g. `s3:ListBucket`. */
  readonly action: string;
  /** Resource ARN, or `*` for actions that take no resource (`s3:ListAllMyBuckets`). */
  readonly resource: string;
  /** Account that owns the resource (S3 ARNs carry none). Default: the principal's account. */
  readonly resourceAccount?: string;
  /** Condition context. Keys are case-insensitive. */
  readonly context?: Readonly<Record<string, ContextValue>>;
  /**
   * Context AWS supplies about the caller (`aws:PrincipalArn` with the role's path, `aws:PrincipalTag/...`),
   * shared by every request of that caller. It takes precedence over `context`; kept apart so that callers
   * evaluating many requests of one principal need not copy it into each request's context.
   */
  readonly principalContext?: Readonly<Record<string, ContextValue>>;
  /**
   * Keys whose value the caller of the engine does not know (lower-case names), as opposed to keys the
   * request did not carry: a CloudTrail record never shows the caller's organization or an object's
   * stored tags. A Deny statement with a condition on such a key, absent from the context, is taken
   * not to apply (its condition cannot be shown to hold); Allow statements read absent keys as absent.
   */
  readonly unknownKeys?: UnknownKeys;
}

/**
 * Whether the key (lower-case) is unknown for a request of the action (lower-case): `present` tells
 * which other keys the request's context holds (some keys are unknown only beside another, as a VPC
 * behind the endpoint a request came through), `valuesOf` their values (some are unknown only for some
 * callers, as an EC2 instance's keys for its role's sessions).
 */
export type UnknownKeys = (
  keyLower: string,
  actionLower: string,
  present: (keyLower: string) => boolean,
  valuesOf?: (keyLower: string) => readonly string[],
) => boolean;

/** Identifies one statement of one policy; used in `deniedBy` and explanations. */
export interface StatementRef {
  readonly policyType: PolicyType;
  readonly policyName?: string;
  readonly policyArn?: string;
  /** Position of the policy in its list (for SCP/RCP: within its level). */
  readonly policyIndex: number;
  /** SCP/RCP level (0 = root), absent for other types. */
  readonly level?: number;
  readonly sid?: string;
  readonly statementIndex: number;
}

/** Why a single condition did not hold. */
export interface ConditionFailure {
  readonly operator: string;
  readonly key: string;
  readonly policyValues: readonly string[];
  /** Values found in the request context; empty when the key was missing. */
  readonly requestValues: readonly string[];
  readonly reason:
    | 'key-missing'
    | 'key-unknown'
    | 'value-mismatch'
    | 'key-present'
    | 'invalid-value'
    | 'unresolved-variable';
}

/** The element of a statement that did not match the request. */
export type MismatchElement = 'action' | 'resource' | 'principal' | 'condition';

/**
 * Structured account of one relevant statement: did it apply, and if not, why.
 * A statement is relevant when its Action/NotAction element covers the requested action.
 */
export interface StatementExplanation extends StatementRef {
  readonly effect: 'Allow' | 'Deny';
  readonly applies: boolean;
  /** First element that did not match; absent when the statement applies. */
  readonly mismatch?: MismatchElement;
  /** The pattern (from Action/Resource/Principal) that matched, when one did. */
  readonly matchedAction?: string;
  readonly matchedResource?: string;
  readonly matchedPrincipal?: string;
  /** For a resource mismatch: the patterns that were tried. */
  readonly resourcePatterns?: readonly string[];
  /** For a resource mismatch of a NotResource statement: the patterns matched the resource, excluding it. */
  readonly notResource?: true;
  /** For a principal mismatch: the principals that were tried. */
  readonly principalPatterns?: readonly string[];
  /** For a principal mismatch of a NotPrincipal statement: the caller is one it exempts. */
  readonly notPrincipal?: true;
  /** For a condition mismatch: every condition that failed. */
  readonly conditionFailures?: readonly ConditionFailure[];
}

/** A problem found while parsing a policy, located precisely. */
export interface PolicyProblem {
  readonly code: string;
  readonly message: string;
  readonly policyType: PolicyType;
  readonly policyName?: string;
  readonly policyIndex: number;
  readonly level?: number;
  readonly statementIndex?: number;
  readonly field?: string;
  /** The statement's `Effect` as written, when it is a string (`"deny"`, `"Deny"`…). */
  readonly effect?: string;
}

/** How a same-account resource-policy allow was obtained; drives which implicit denies it overrides. */
export type ResourceGrantKind =
  | 'user'
  | 'role'
  | 'role-session'
  | 'federated-user'
  | 'account'
  | 'any'
  | 'service'
  | 'other';

export interface EvaluationResult {
  readonly decision: Decision;
  /** Every Deny statement that matched (for ExplicitlyDenied). */
  readonly deniedBy: readonly StatementRef[];
  /** Policy types that had to allow and did not (for ImplicitlyDenied). */
  readonly missingAllowIn: readonly PolicyType[];
  /** Allow statements that applied, per policy type. */
  readonly allowedBy: readonly StatementRef[];
  readonly explanations: readonly StatementExplanation[];
  /** Same-account vs cross-account evaluation. */
  readonly crossAccount: boolean;
  /** Problems with the policies (invalid statements are skipped and reported here). */
  readonly policyProblems: readonly PolicyProblem[];
}
