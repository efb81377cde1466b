/**
 * The IAM policy evaluation logic, as AWS documents it: explicit deny anywhere wins; RCPs and SCPs (every
 * level must allow); resource-based policies with the same-account and cross-account rules; identity
 * policies; permissions boundary; session policy.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
import { lowerCaseAction } from './actionName.js';
import { conditionFailure, conditionFailureReason, evaluateCondition } from './conditions.js';
import {
  decisionPlan,
  type EvaluationPlan,
  explanationPlan,
  type PolicySet,
  type PolicyStatements,
} from './evaluationPlan.js';
import {
  type CompiledPolicy,
  type CompiledStatement,
  type ResourcePattern,
  resourceKey,
} from './parsePolicy.js';
import { matchNotPrincipalEntry, matchPrincipalEntry, notPrincipalExemption } from './principalMatch.js';
import { buildRequestContext, type RequestContextView } from './requestContext.js';
import {
  isIamPrincipal,
  parseRequestPrincipal,
  principalAccount,
  type RequestPrincipal,
} from './requestPrincipal.js';
import type {
  AuthorizationRequest,
  ConditionFailure,
  Decision,
  EvaluationResult,
  PolicyProblem,
  PolicyType,
  ResourceGrantKind,
  StatementExplanation,
  StatementRef,
  UnknownKeys,
} from './types.js';
import { resolvedVariablesKey, resolveVariables, tokensFromResolved } from './variables.js';
import { compileArnPattern, type Matcher } from './wildcard.js';

export type { PolicySet } from './evaluationPlan.js';

export interface EvaluateOptions {
  /** Collect per-statement explanations (default true). */
  readonly explain?: boolean;
}

interface PreparedRequest {
  readonly actionLower: string;
  readonly resource: string;
  readonly principal: RequestPrincipal;
  readonly context: RequestContextView;
  readonly hasBoundary: boolean;
  readonly unknownKeys: UnknownKeys | undefined;
}

const dynamicResourceMatchers = new WeakMap<ResourcePattern, Map<string, Matcher>>();

function resourcePatternMatches(
  pattern: ResourcePattern,
  resource: string,
  context: RequestContextView,
  actionLower: string,
): boolean {
  if (resource === '*') return coversEveryResource(pattern.raw, actionLower);
  if (pattern.matcher !== undefined) return pattern.matcher(resource);
  if (pattern.template === undefined) return false;
  const key = resolvedVariablesKey(pattern.template, context);
  if (key === undefined) return false;
  let cache = dynamicResourceMatchers.get(pattern);
  if (cache === undefined) {
    cache = new Map();
    dynamicResourceMatchers.set(pattern, cache);
  }
  let matcher = cache.get(key);
  if (matcher === undefined) {
    const values = resolveVariables(pattern.template, context);
    if (values === undefined) return false;
    if (cache.size > 1024) cache.clear();
    matcher = compileArnPattern(tokensFromResolved(pattern.template, values));
    cache.set(key, matcher);
  }
  return matcher(resource);
}

/**
 * Whether a Resource pattern takes in a request for an action that names no resource (`*`, such as
 * s3:ListAllMyBuckets): `*` itself, or an ARN of the action's service whose resource part is `*`
 * (`arn:aws:s3:::*`, which AWS's own walkthrough grants s3:ListAllMyBuckets on). A pattern naming some
 * resources only (`arn:aws:s3:::logs-*`, or the objects of every bucket) does not.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/walkthrough1.html
 */
function coversEveryResource(raw: string, actionLower: string): boolean {
  if (raw === '*') return true;
  const parts = raw.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[5] !== '*') return false;
  const service = parts[2]!.toLowerCase();
  return service === '*' || actionLower.startsWith(`${service}:`);
}

/** Whether a Resource pattern's variables cannot be resolved for the request (a key it lacks, with no default). */
function unresolvable(pattern: ResourcePattern, context: RequestContextView): boolean {
  return pattern.template !== undefined && resolvedVariablesKey(pattern.template, context) === undefined;
}

const GRANT_STRENGTH: Readonly<Record<ResourceGrantKind, number>> = {
  user: 3,
  'role-session': 3,
  'federated-user': 3,
  role: 2,
  service: 1,
  account: 1,
  any: 1,
  other: 1,
};

/** What evaluation recorded about one relevant statement; turned into an explanation only on demand. */
interface StatementTrace {
  readonly statement: CompiledStatement;
  readonly mismatch: StatementExplanation['mismatch'] | undefined;
  readonly matchedAction: string | undefined;
  readonly matchedResource: string | undefined;
  readonly matchedPrincipal: string | undefined;
  readonly conditionFailures: ConditionFailure[] | undefined;
}

/** Mutable state of one evaluation; arrays are only allocated once something is recorded in them. */
interface Collector {
  readonly explain: boolean;
  /** Strongest grant among applicable resource-policy Allow statements. */
  grant: ResourceGrantKind | undefined;
  traces: StatementTrace[] | undefined;
  denies: StatementRef[] | undefined;
  allows: StatementRef[] | undefined;
}

function toExplanation(t: StatementTrace): StatementExplanation {
  const { statement, mismatch } = t;
  const ref = statement.ref;
  // The reference is copied field by field, in the order `compileStatement` builds it: V8 handles an
  // object spread of these variously shaped references followed by further properties about a hundred
  // times slower, which made explanations the cost of the explain pipeline.
  const e: { -readonly [K in keyof StatementExplanation]: StatementExplanation[K] } = {
    policyType: ref.policyType,
    policyIndex: ref.policyIndex,
    statementIndex: ref.statementIndex,
  } as StatementExplanation;
  if (ref.policyName !== undefined) e.policyName = ref.policyName;
  if (ref.policyArn !== undefined) e.policyArn = ref.policyArn;
  if (ref.level !== undefined) e.level = ref.level;
  if (ref.sid !== undefined) e.sid = ref.sid;
  e.effect = statement.effect;
  e.applies = mismatch === undefined;
  if (mismatch !== undefined) e.mismatch = mismatch;
  if (t.matchedAction !== undefined) e.matchedAction = t.matchedAction;
  if (t.matchedResource !== undefined) e.matchedResource = t.matchedResource;
  if (t.matchedPrincipal !== undefined) e.matchedPrincipal = t.matchedPrincipal;
  if (mismatch === 'resource') {
    e.resourcePatterns = statement.resources.map((r) => r.raw);
    if (statement.notResource) e.notResource = true;
  }
  if (mismatch === 'principal' && statement.principal !== undefined) {
    e.principalPatterns = statement.principal.entries.map((entry) => entry.raw);
    if (statement.principal.not) e.notPrincipal = true;
  }
  if (t.conditionFailures !== undefined) e.conditionFailures = t.conditionFailures;
  return e;
}

/** Appends to a list that is only allocated once it has something in it. */
function append<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

/** Evaluates the planned statements of one policy, recording traces, denies and allows. */
function evaluatePolicy(relevant: PolicyStatements, req: PreparedRequest, out: Collector): boolean {
  let allowed = false;
  for (let r = 0; r < relevant.length; r++) {
    const { statement, matchedAction } = relevant[r]!;
    let mismatch: StatementExplanation['mismatch'];
    let matchedResource: string | undefined;
    let matchedPrincipal: string | undefined;
    let conditionFailures: ConditionFailure[] | undefined;
    let grant: ResourceGrantKind | undefined;

    // Resource / NotResource
    let resourceHit: ResourcePattern | undefined;
    const resources = statement.resources;
    for (let i = 0; i < resources.length; i++) {
      if (resourcePatternMatches(resources[i]!, req.resource, req.context, req.actionLower)) {
        resourceHit = resources[i];
        break;
      }
    }
    if (statement.notResource ? resourceHit !== undefined : resourceHit === undefined) mismatch = 'resource';
    else if (!statement.notResource && resourceHit !== undefined) matchedResource = resourceHit.raw;
    else if (statement.effect === 'Allow' && resources.some((p) => unresolvable(p, req.context)))
      // A NotResource whose variable cannot be resolved excludes nothing, or makes the statement invalid
      // ("this might cause the entire statement to be invalid"): an Allow is not taken to apply.
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
      mismatch = 'resource';

    // Principal / NotPrincipal
    if (mismatch === undefined && statement.principal !== undefined) {
      let hit: ResourceGrantKind | undefined;
      if (statement.principal.not && statement.effect === 'Deny') {
        // AWS may check the caller's account (and a session's role) before the caller: every one must be
        // listed for the Deny to exempt it.
        const exempt = notPrincipalExemption(statement.principal.entries, req.principal);
        if (exempt !== undefined) {
          hit = exempt.kind;
          matchedPrincipal = exempt.entry.raw;
        }
      } else {
        // An Allow with NotPrincipal (not supported, and not advised) allows all but the identities it
        // names exactly.
        const match = statement.principal.not ? matchNotPrincipalEntry : matchPrincipalEntry;
        for (const entry of statement.principal.entries) {
          hit = match(entry, req.principal);
          if (hit !== undefined) {
            matchedPrincipal = entry.raw;
            break;
          }
        }
      }
      if (statement.principal.not) {
        // Documented quirk: a Deny with NotPrincipal always applies to principals with a permissions boundary.
        const boundaryQuirk = statement.effect === 'Deny' && req.hasBoundary && isIamPrincipal(req.principal);
        if (hit !== undefined && !boundaryQuirk) mismatch = 'principal';
        else {
          matchedPrincipal = undefined;
          grant = hit === undefined ? matchPrincipalEntry({ kind: 'any', raw: '*' }, req.principal) : 'other';
        }
      } else if (hit === undefined) {
        mismatch = 'principal';
      } else {
        grant = hit;
      }
    }

    // Condition: every operator and key must hold; with explanations on, all failures are reported.
    if (mismatch === undefined && statement.conditions.length > 0) {
      const conditions = statement.conditions;
      // A Deny's condition on a key whose value is unknown (not in the context) cannot be shown to hold.
      const unknownKeys = statement.effect === 'Deny' ? req.unknownKeys : undefined;
      for (let i = 0; i < conditions.length; i++) {
        const condition = conditions[i]!;
        const unknown =
          unknownKeys !== undefined &&
          (req.context.get(condition.keyLower)?.values.length ?? 0) === 0 &&
          unknownKeys(
            condition.keyLower,
            req.actionLower,
            (key) => (req.context.get(key)?.values.length ?? 0) > 0,
            (key) => req.context.get(key)?.values ?? [],
          );
        if (!out.explain) {
          // A decision needs only whether each condition holds: no failure report is built.
          if (unknown || conditionFailureReason(condition, req.context) !== undefined) {
            mismatch = 'condition';
            break;
          }
          continue;
        }
        const failure = unknown
          ? conditionFailure(condition, [], 'key-unknown')
          : evaluateCondition(condition, req.context);
        if (failure !== undefined) {
          conditionFailures ??= [];
          conditionFailures.push(failure);
        }
      }
      if (conditionFailures !== undefined) mismatch = 'condition';
    }

    if (mismatch === undefined) {
      if (statement.effect === 'Deny') out.denies = append(out.denies, statement.ref);
      else {
        out.allows = append(out.allows, statement.ref);
        allowed = true;
        // Only a resource-based policy grants: an RCP's Allow (RCPFullAWSAccess names Principal "*")
        // only leaves room for one (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
        if (
          grant !== undefined &&
          statement.ref.policyType === 'resource' &&
          (out.grant === undefined || GRANT_STRENGTH[grant] > GRANT_STRENGTH[out.grant])
        ) {
          out.grant = grant;
        }
      }
    }
    if (out.explain) {
      out.traces = append(out.traces, {
        statement,
        mismatch,
        matchedAction,
        matchedResource,
        matchedPrincipal,
        conditionFailures,
      });
    }
  }
  return allowed;
}

/** Every policy of a set, of every type and level. */
export function policiesOf(set: PolicySet): CompiledPolicy[] {
  return [
    ...set.identity,
    ...(set.permissionsBoundary !== undefined ? [set.permissionsBoundary] : []),
    ...(set.resource !== undefined ? [set.resource] : []),
    ...set.scpLevels.flat(),
    ...set.rcpLevels.flat(),
    ...(set.session !== undefined ? [set.session] : []),
  ];
}

/** Every problem found while compiling the policies of a set. */
export function policySetProblems(set: PolicySet): PolicyProblem[] {
  return policiesOf(set).flatMap((p) => p.problems);
}

const problemsBySet = new WeakMap<PolicySet, readonly PolicyProblem[]>();
// The requests of a finding are evaluated against one set, one after the other: a `WeakMap` lookup per
// evaluation is spared by remembering the last set (sets are never mutated once built).
let lastProblemsSet: PolicySet | undefined;
let lastProblems: readonly PolicyProblem[] = [];

function cachedProblems(set: PolicySet): readonly PolicyProblem[] {
  if (set === lastProblemsSet) return lastProblems;
  let problems = problemsBySet.get(set);
  if (problems === undefined) {
    problems = policySetProblems(set);
    problemsBySet.set(set, problems);
  }
  lastProblemsSet = set;
  lastProblems = problems;
  return problems;
}

const NONE: readonly PolicyType[] = Object.freeze([]);
const NO_REFS: readonly StatementRef[] = Object.freeze([]);
const NO_TRACES: readonly StatementTrace[] = Object.freeze([]);

function levelsAllow(
  levels: readonly (readonly PolicyStatements[])[],
  req: PreparedRequest,
  out: Collector,
): boolean {
  let all = true;
  for (let l = 0; l < levels.length; l++) {
    const level = levels[l]!;
    let any = false;
    for (let p = 0; p < level.length; p++) if (evaluatePolicy(level[p]!, req, out)) any = true;
    if (!any) all = false;
  }
  return all;
}

interface Outcome {
  readonly decision: Decision;
  readonly missingAllowIn: readonly PolicyType[];
  readonly crossAccount: boolean;
  readonly out: Collector;
  readonly facts: Facts;
}

/**
 * A service-linked role, or a session of one: neither SCPs nor RCPs restrict what it does. A role ARN
 * says so by its path (`/aws-service-role/`); a session ARN, which has no path, by the role's name
 * (`AWSServiceRoleFor…`, which IAM keeps for them).
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html#not-restricted-by-scp
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps
 */
export function serviceLinked(principal: RequestPrincipal): boolean {
  if (principal.kind === 'role') return principal.arn.includes(':role/aws-service-role/');
  return principal.kind === 'role-session' && principal.roleName.startsWith('AWSServiceRoleFor');
}

/** What the evaluation found per policy type, before a decision is drawn from it. */
interface Facts {
  readonly req: PreparedRequest;
  readonly resourceKey: string;
  readonly iam: boolean;
  readonly crossAccount: boolean;
  readonly rcpOk: boolean;
  readonly scpOk: boolean;
  readonly identityAllowed: boolean;
  readonly boundaryOk: boolean;
  readonly sessionOk: boolean;
  readonly resourceAllowed: boolean;
  readonly out: Collector;
  /** How many allows and denies were recorded up to the end of the identity policies. */
  readonly identityAllows: number;
  readonly identityDenies: number;
}

function prepared(
  request: AuthorizationRequest,
  principal: RequestPrincipal,
  resourceAccount: string | undefined,
  hasBoundary: boolean,
): PreparedRequest {
  return {
    actionLower: lowerCaseAction(request.action),
    resource: request.resource,
    principal,
    context: buildRequestContext(request.context, principal, resourceAccount, request.principalContext),
    hasBoundary,
    unknownKeys: request.unknownKeys,
  };
}

function emptyCollector(explain: boolean): Collector {
  return { explain, grant: undefined, traces: undefined, denies: undefined, allows: undefined };
}

/**
 * The account of an ARN that names one (a KMS key, a role), `undefined` for one that does not (an S3
 * bucket or object: its account is the request's `resourceAccount`).
 */
function accountInArn(resource: string): string | undefined {
  if (!resource.startsWith('arn:')) return undefined;
  let start = 0;
  for (let colons = 0; colons < 4; colons++) {
    start = resource.indexOf(':', start) + 1;
    if (start === 0) return undefined;
  }
  const end = resource.indexOf(':', start);
  const account = end < 0 ? '' : resource.slice(start, end);
  return /^\d{12}$/.test(account) ? account : undefined;
}

function collect(
  set: PolicySet,
  request: AuthorizationRequest,
  explain: boolean,
  decisionPlanFound?: EvaluationPlan,
): Facts {
  const principal = parseRequestPrincipal(request.principal);
  const callerAccount = principalAccount(principal);
  const resourceAccount = request.resourceAccount ?? accountInArn(request.resource) ?? callerAccount;
  const crossAccount =
    callerAccount !== undefined && resourceAccount !== undefined && callerAccount !== resourceAccount;
  const iam = isIamPrincipal(principal);
  const req = prepared(request, principal, resourceAccount, set.permissionsBoundary !== undefined);
  const { actionLower } = req;
  const key = resourceKey(request.resource);
  const out = emptyCollector(explain);
  // Without explanations, statements that cannot match the resource are skipped up front.
  const plan: EvaluationPlan = explain
    ? explanationPlan(set, actionLower)
    : (decisionPlanFound ?? decisionPlan(set, actionLower, key));

  // SCPs govern IAM principals. RCPs govern the resources, whoever calls: AWS service principals too,
  // which is what AWS's confused-deputy RCPs (aws:PrincipalIsAWSService true) are written for. Neither
  // restricts a service-linked role, nor the management account: SCPs "don't affect users or roles in
  // the management account", RCPs "don't affect resources in the management account".
  // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html
  // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
  // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
  const management = set.managementAccount;
  const rcpOk =
    serviceLinked(principal) ||
    (management !== undefined && resourceAccount === management) ||
    levelsAllow(plan.rcpLevels, req, out);
  const scpOk =
    iam && !serviceLinked(principal) && (management === undefined || callerAccount !== management)
      ? levelsAllow(plan.scpLevels, req, out)
      : true;
  let identityAllowed = false;
  if (iam) {
    const identity = plan.identity;
    for (let p = 0; p < identity.length; p++)
      if (evaluatePolicy(identity[p]!, req, out)) identityAllowed = true;
  }
  const identityAllows = out.allows?.length ?? 0;
  const identityDenies = out.denies?.length ?? 0;
  const boundaryOk =
    !iam || plan.permissionsBoundary === undefined || evaluatePolicy(plan.permissionsBoundary, req, out);
  // A federated user session (GetFederationToken) without session policies has no permissions.
  const sessionOk =
    !iam ||
    (plan.session === undefined
      ? principal.kind !== 'federated-user'
      : evaluatePolicy(plan.session, req, out));
  const resourceAllowed = plan.resource !== undefined && evaluatePolicy(plan.resource, req, out);
  return {
    req,
    resourceKey: key,
    iam,
    crossAccount,
    rcpOk,
    scpOk,
    identityAllowed,
    boundaryOk,
    sessionOk,
    resourceAllowed,
    out,
    identityAllows,
    identityDenies,
  };
}

function decide(facts: Facts): Outcome {
  const { out, crossAccount } = facts;
  if (out.denies !== undefined)
    return { decision: 'ExplicitlyDenied', missingAllowIn: NONE, crossAccount, out, facts };
  const missing = missingAllows(facts, facts.identityAllowed, out.grant);
  return missing === undefined
    ? { decision: 'Allowed', missingAllowIn: NONE, crossAccount, out, facts }
    : { decision: 'ImplicitlyDenied', missingAllowIn: missing, crossAccount, out, facts };
}

/**
 * The policy types that fail to allow the request (`undefined` when none does), given whether the
 * identity policies allow it and the strongest grant among the applicable resource-policy Allows.
 */
function missingAllows(
  facts: Facts,
  identityAllowed: boolean,
  strongestGrant: ResourceGrantKind | undefined,
): PolicyType[] | undefined {
  const { crossAccount, iam } = facts;
  let needIdentityPath = false;
  let needResource = false;
  let needBoundaryAndSession = false;
  if (!iam) {
    needResource = true;
  } else if (facts.req.principal.kind === 'root') {
    // The root user has full access in its own account; other accounts must grant it.
    needResource = crossAccount;
  } else if (crossAccount) {
    needResource = true;
    needIdentityPath = true;
  } else {
    const grant = facts.resourceAllowed ? strongestGrant : undefined;
    // Same account: a grant naming the user or the session is not limited by implicit denies elsewhere;
    // a grant naming the role ARN is still limited by the boundary and the session policy.
    if (grant === 'role') needBoundaryAndSession = true;
    else if (grant !== 'user' && grant !== 'role-session' && grant !== 'federated-user')
      needIdentityPath = true;
  }
  let missing: PolicyType[] | undefined;
  if (!facts.rcpOk) missing = append(missing, 'rcp');
  if (!facts.scpOk) missing = append(missing, 'scp');
  if (needResource && !facts.resourceAllowed) missing = append(missing, 'resource');
  if (needIdentityPath && !identityAllowed) missing = append(missing, 'identity');
  if ((needIdentityPath || needBoundaryAndSession) && !facts.boundaryOk)
    missing = append(missing, 'permissions-boundary');
  if ((needIdentityPath || needBoundaryAndSession) && !facts.sessionOk) missing = append(missing, 'session');
  return missing;
}

function run(set: PolicySet, request: AuthorizationRequest, explain: boolean): Outcome {
  return decide(collect(set, request, explain));
}

/**
 * `list` with `added` inserted at `at`. Lists are never changed once an evaluation is done, so either
 * one is returned as it is when the other is empty.
 */
function spliced<T>(list: T[] | undefined, at: number, added: T[] | undefined): T[] | undefined {
  if (added === undefined || added.length === 0) return list;
  if (list === undefined || list.length === 0) return added;
  const out = new Array<T>(list.length + added.length);
  let k = 0;
  for (let i = 0; i < at; i++) out[k++] = list[i]!;
  for (let i = 0; i < added.length; i++) out[k++] = added[i]!;
  for (let i = at; i < list.length; i++) out[k++] = list[i]!;
  return out;
}

function strongerGrant(
  a: ResourceGrantKind | undefined,
  b: ResourceGrantKind | undefined,
): ResourceGrantKind | undefined {
  return b !== undefined && (a === undefined || GRANT_STRENGTH[b] > GRANT_STRENGTH[a]) ? b : a;
}

/**
 * The facts for the set with one more identity policy at the end of its identity policies: only that
 * policy is evaluated, and its allows and denies take the place a full evaluation would give them
 * (after the other identity policies, before the boundary's).
 */
function withIdentityPolicy(facts: Facts, added: CompiledPolicy): Facts {
  if (!facts.iam) return facts;
  const { req } = facts;
  const extra = emptyCollector(false);
  const allowed = evaluatePolicy(added.candidateStatements(req.actionLower, facts.resourceKey), req, extra);
  const base = facts.out;
  const grant = strongerGrant(base.grant, extra.grant);
  const out: Collector = {
    explain: false,
    grant,
    traces: undefined,
    denies: spliced(base.denies, facts.identityDenies, extra.denies),
    allows: spliced(base.allows, facts.identityAllows, extra.allows),
  };
  // Spelled out rather than spread: this runs once per request a proposed change is verified against.
  return {
    req,
    resourceKey: facts.resourceKey,
    iam: facts.iam,
    crossAccount: facts.crossAccount,
    rcpOk: facts.rcpOk,
    scpOk: facts.scpOk,
    identityAllowed: facts.identityAllowed || allowed,
    boundaryOk: facts.boundaryOk,
    sessionOk: facts.sessionOk,
    resourceAllowed: facts.resourceAllowed,
    out,
    identityAllows: facts.identityAllows + (extra.allows?.length ?? 0),
    identityDenies: facts.identityDenies + (extra.denies?.length ?? 0),
  };
}

/**
 * Whether an Allow statement of `policy` applies to the request (its action, resource, principal and
 * conditions match), as that policy would count in a full evaluation. Used to rule out requests a policy
 * added to a set cannot change: an added policy without a matching statement contributes nothing.
 */
export function policyAllows(policy: CompiledPolicy, request: AuthorizationRequest): boolean {
  const principal = parseRequestPrincipal(request.principal);
  const resourceAccount = request.resourceAccount ?? principalAccount(principal);
  const req = prepared(request, principal, resourceAccount, false);
  return evaluatePolicy(
    policy.candidateStatements(req.actionLower, resourceKey(request.resource)),
    req,
    emptyCollector(false),
  );
}

/**
 * Whether the decision for `action` on `resource` against `set` can depend on the request's condition
 * context: false when no statement that can apply to it has a Condition or a policy variable in its
 * Resource. Requests that then differ only in their context get the same decision, denying and allowing
 * statements and missing allows (the principal and the resource account still count).
 */
export function decisionUsesRequestContext(set: PolicySet, action: string, resource: string): boolean {
  return decisionPlan(set, lowerCaseAction(action), resourceKey(resource)).usesContext;
}

/**
 * Results kept for requests whose decision cannot depend on their context, by action and resource, for
 * one caller, resource account and caller context (see {@link evaluateReusing}).
 */
export interface ReusableResults {
  principal: string | undefined;
  resourceAccount: string | undefined;
  principalContext: AuthorizationRequest['principalContext'];
  readonly byAction: Map<string, Map<string, EvaluationResult>>;
}

export function createReusableResults(): ReusableResults {
  return {
    principal: undefined,
    resourceAccount: undefined,
    principalContext: undefined,
    byAction: new Map(),
  };
}

/**
 * {@link evaluate}, except that a request whose decision cannot depend on its condition context (no
 * statement that can apply to it has a Condition or a policy variable in its Resource, the only parts of
 * an evaluation that read the context) takes the result of an earlier request with the same action and
 * resource kept in `reusable`. Such requests get the same decision, denying and allowing statements and
 * missing allows whatever their context; only explanations (of statements that cannot apply) may
 * differ, so callers that read explanations must use {@link evaluate}. `reusable` serves one caller,
 * resource account and caller context, as a failed job's requests share them; a request with others
 * is evaluated in full.
 */
export function evaluateReusing(
  set: PolicySet,
  request: AuthorizationRequest,
  reusable: ReusableResults,
): EvaluationResult {
  const actionLower = lowerCaseAction(request.action);
  const plan = decisionPlan(set, actionLower, resourceKey(request.resource));
  if (plan.usesContext) return evaluateWithPlan(set, request, plan);
  if (reusable.byAction.size === 0) {
    reusable.principal = request.principal;
    reusable.resourceAccount = request.resourceAccount;
    reusable.principalContext = request.principalContext;
  } else if (
    reusable.principal !== request.principal ||
    reusable.resourceAccount !== request.resourceAccount ||
    reusable.principalContext !== request.principalContext
  ) {
    return evaluateWithPlan(set, request, plan);
  }
  let byResource = reusable.byAction.get(actionLower);
  if (byResource === undefined) {
    byResource = new Map();
    reusable.byAction.set(actionLower, byResource);
  }
  let result = byResource.get(request.resource);
  if (result === undefined) {
    result = evaluateWithPlan(set, request, plan);
    byResource.set(request.resource, result);
  }
  return result;
}

/** {@link evaluate} with the request's decision plan already found. */
function evaluateWithPlan(
  set: PolicySet,
  request: AuthorizationRequest,
  plan: EvaluationPlan,
): EvaluationResult {
  return new LazyEvaluationResult(
    set,
    request,
    decide(collect(set, request, false, plan)),
    cachedProblems(set),
  );
}

/**
 * Evaluates one request against a compiled policy set.
 *
 * Explanations are produced on first read of `result.explanations`, by re-running the (pure,
 * deterministic) evaluation with tracing on: callers that only need the decision pay nothing for them.
 */
export function evaluate(
  set: PolicySet,
  request: AuthorizationRequest,
  _options: EvaluateOptions = {},
  problems?: readonly PolicyProblem[],
): EvaluationResult {
  return new LazyEvaluationResult(set, request, run(set, request, false), problems ?? cachedProblems(set));
}

/**
 * The result of evaluating `base`'s request against `extended`: `base`'s policy set with `added` appended
 * to its identity policies. Only `added` is evaluated; what the other policies contributed is taken from
 * `base`, because an identity policy changes nothing but the identity verdict and its own statements.
 * Equal to `evaluate(extended, request)` (a property test checks it), which is what it falls back to
 * when `extended` is not built that way. Explanations are derived from `extended` on demand.
 *
 * Used to verify a proposed identity-policy change against every denied request.
 */
export function evaluateWithAddedIdentityPolicy(
  base: EvaluationResult,
  extended: PolicySet,
  added: CompiledPolicy,
): EvaluationResult {
  if (!(base instanceof LazyEvaluationResult) || !base.extendsTo(extended, added)) {
    const request = base instanceof LazyEvaluationResult ? base.request : undefined;
    if (request === undefined) throw new TypeError('the base result was not produced by evaluate()');
    return evaluate(extended, request);
  }
  const facts = withIdentityPolicy(base.facts, added);
  return new LazyEvaluationResult(extended, base.request, decide(facts), cachedProblems(extended));
}

/**
 * The decision of {@link evaluateWithAddedIdentityPolicy}, without building its result: all a
 * verification needs for the requests a proposed change allows (most of them). Equal to
 * `evaluate(extended, request).decision` (a property test checks it).
 */
export function decisionWithAddedIdentityPolicy(
  base: EvaluationResult,
  extended: PolicySet,
  added: CompiledPolicy,
): Decision {
  if (!(base instanceof LazyEvaluationResult) || !base.extendsTo(extended, added))
    return evaluateWithAddedIdentityPolicy(base, extended, added).decision;
  const facts = base.facts;
  // Not an IAM principal: identity policies are not evaluated, so the base decision stands.
  if (!facts.iam) return base.decision;
  if (facts.out.denies !== undefined) return 'ExplicitlyDenied';
  const { req } = facts;
  const extra = emptyCollector(false);
  const allowed = evaluatePolicy(added.candidateStatements(req.actionLower, facts.resourceKey), req, extra);
  if (extra.denies !== undefined) return 'ExplicitlyDenied';
  return missingAllows(
    facts,
    facts.identityAllowed || allowed,
    strongerGrant(facts.out.grant, extra.grant),
  ) === undefined
    ? 'Allowed'
    : 'ImplicitlyDenied';
}

/** The last answer of `extendsTo` (sets are compared by identity, and never mutated). */
let lastExtension: {
  readonly base: PolicySet | undefined;
  readonly extended: PolicySet | undefined;
  readonly added: CompiledPolicy | undefined;
  readonly answer: boolean;
} = { base: undefined, extended: undefined, added: undefined, answer: false };

function samePolicies(
  a: readonly CompiledPolicy[],
  b: readonly CompiledPolicy[],
  length = a.length,
): boolean {
  if (a.length < length || b.length < length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameLevels(
  a: readonly (readonly CompiledPolicy[])[],
  b: readonly (readonly CompiledPolicy[])[],
): boolean {
  if (a.length !== b.length) return false;
  for (let l = 0; l < a.length; l++) {
    const x = a[l]!;
    const y = b[l]!;
    if (x !== y && (x.length !== y.length || !samePolicies(x, y))) return false;
  }
  return true;
}

class LazyEvaluationResult implements EvaluationResult {
  readonly decision: Decision;
  readonly deniedBy: readonly StatementRef[];
  readonly missingAllowIn: readonly PolicyType[];
  readonly allowedBy: readonly StatementRef[];
  readonly crossAccount: boolean;
  readonly policyProblems: readonly PolicyProblem[];
  #explanations: readonly StatementExplanation[] | undefined;
  readonly #set: PolicySet;
  readonly #request: AuthorizationRequest;
  readonly #facts: Facts;

  constructor(
    set: PolicySet,
    request: AuthorizationRequest,
    outcome: Outcome,
    problems: readonly PolicyProblem[],
  ) {
    this.decision = outcome.decision;
    this.deniedBy = outcome.decision === 'ExplicitlyDenied' ? (outcome.out.denies ?? NO_REFS) : NO_REFS;
    this.missingAllowIn = outcome.missingAllowIn;
    this.allowedBy = outcome.out.allows ?? NO_REFS;
    this.crossAccount = outcome.crossAccount;
    this.policyProblems = problems;
    this.#set = set;
    this.#request = request;
    this.#facts = outcome.facts;
  }

  get request(): AuthorizationRequest {
    return this.#request;
  }

  get facts(): Facts {
    return this.#facts;
  }

  /** Whether `extended` is this result's set with `added` appended to the identity policies. */
  extendsTo(extended: PolicySet, added: CompiledPolicy): boolean {
    const set = this.#set;
    // A proposed change is verified against many results of one set: the last answer is kept.
    const last = lastExtension;
    if (last.base === set && last.extended === extended && last.added === added) return last.answer;
    const answer =
      added.policyType === 'identity' &&
      extended.identity.length === set.identity.length + 1 &&
      extended.identity[set.identity.length] === added &&
      samePolicies(set.identity, extended.identity, set.identity.length) &&
      extended.permissionsBoundary === set.permissionsBoundary &&
      extended.resource === set.resource &&
      extended.session === set.session &&
      sameLevels(extended.scpLevels, set.scpLevels) &&
      sameLevels(extended.rcpLevels, set.rcpLevels) &&
      extended.managementAccount === set.managementAccount;
    lastExtension = { base: set, extended, added, answer };
    return answer;
  }

  get explanations(): readonly StatementExplanation[] {
    this.#explanations ??= (run(this.#set, this.#request, true).out.traces ?? NO_TRACES).map(toExplanation);
    return this.#explanations;
  }

  toJSON(): EvaluationResult {
    return {
      decision: this.decision,
      deniedBy: this.deniedBy,
      missingAllowIn: this.missingAllowIn,
      allowedBy: this.allowedBy,
      explanations: this.explanations,
      crossAccount: this.crossAccount,
      policyProblems: this.policyProblems,
    };
  }
}
