/**
 * Which statements of a policy set can apply to a request for one action on one resource container, laid
 * out per policy type in the order the evaluation logic visits them. A plan is derived from the policies
 * alone (never from a request's outcome), so one plan serves every request for that action and resource
 * key; it saves the per-policy lookups that otherwise dominate the cost of an evaluation.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 */
import { createPairCache, type PairCache } from './boundedMemo.js';
import type { CompiledPolicy, RelevantStatement } from './parsePolicy.js';

/** The policies that apply to one request, compiled. */
export interface PolicySet {
  readonly identity: readonly CompiledPolicy[];
  readonly permissionsBoundary?: CompiledPolicy;
  readonly resource?: CompiledPolicy;
  readonly scpLevels: readonly (readonly CompiledPolicy[])[];
  readonly rcpLevels: readonly (readonly CompiledPolicy[])[];
  readonly session?: CompiledPolicy;
  /**
   * The organization's management account, when known: SCPs do not restrict its users and roles, and
   * RCPs do not restrict its resources.
   *
   * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
   * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
   */
  readonly managementAccount?: string;
}

/**
 * The organization's management account, from the ARN of a policy it owns: the organization's own SCPs
 * and RCPs are `arn:PARTITION:organizations::MANAGEMENT_ACCOUNT:policy/o-…/service_control_policy/p-…`
 * (AWS's managed ones, such as FullAWSAccess, name the account `aws`); `undefined` when no ARN names one.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_PolicySummary.html
 */
export function managementAccountOf(arns: Iterable<string | undefined>): string | undefined {
  for (const arn of arns) {
    const match =
      arn === undefined
        ? null
        : /^arn:[a-z-]+:organizations::(\d{12}):policy\/o-[a-z0-9]+\/(?:service|resource)_control_policy\/p-/.exec(
            arn,
          );
    if (match !== null) return match[1];
  }
  return undefined;
}

/** The statements of one policy to look at (possibly empty). */
export type PolicyStatements = readonly RelevantStatement[];

export interface EvaluationPlan {
  readonly rcpLevels: readonly (readonly PolicyStatements[])[];
  readonly scpLevels: readonly (readonly PolicyStatements[])[];
  /** Identity policies with at least one statement to look at (the others cannot allow or deny). */
  readonly identity: readonly PolicyStatements[];
  readonly permissionsBoundary: PolicyStatements | undefined;
  readonly session: PolicyStatements | undefined;
  readonly resource: PolicyStatements | undefined;
  /**
   * Whether a statement of the plan has a Condition or a policy variable in its Resource, the only parts
   * of an evaluation that read the request's context (computed for decision plans only).
   */
  readonly usesContext: boolean;
}

type StatementsOf = (policy: CompiledPolicy) => PolicyStatements;

function buildPlan(set: PolicySet, statementsOf: StatementsOf, withContextUse: boolean): EvaluationPlan {
  const levels = (policyLevels: readonly (readonly CompiledPolicy[])[]): PolicyStatements[][] =>
    policyLevels.map((level) => level.map(statementsOf));
  const rcpLevels = levels(set.rcpLevels);
  const scpLevels = levels(set.scpLevels);
  const identity = set.identity.map(statementsOf).filter((statements) => statements.length > 0);
  const permissionsBoundary =
    set.permissionsBoundary === undefined ? undefined : statementsOf(set.permissionsBoundary);
  const session = set.session === undefined ? undefined : statementsOf(set.session);
  const resource = set.resource === undefined ? undefined : statementsOf(set.resource);
  const usesContext =
    withContextUse &&
    (identity.some(statementsUseContext) ||
      statementsUseContext(permissionsBoundary) ||
      statementsUseContext(session) ||
      statementsUseContext(resource) ||
      scpLevels.some((level) => level.some(statementsUseContext)) ||
      rcpLevels.some((level) => level.some(statementsUseContext)));
  return { rcpLevels, scpLevels, identity, permissionsBoundary, session, resource, usesContext };
}

function statementsUseContext(statements: PolicyStatements | undefined): boolean {
  if (statements === undefined) return false;
  for (const { statement } of statements) {
    if (statement.conditions.length > 0) return true;
    for (const pattern of statement.resources) if (pattern.template !== undefined) return true;
  }
  return false;
}

/**
 * The plan used to explain a decision: every statement whose Action/NotAction covers the action, so
 * that resource mismatches are reported too. Built on demand (explanations are rare).
 */
export function explanationPlan(set: PolicySet, actionLower: string): EvaluationPlan {
  return buildPlan(set, (policy) => policy.relevantStatements(actionLower), false);
}

const MAX_PLANS_PER_SET = 16_384;

interface SetPlans {
  readonly plans: PairCache<EvaluationPlan>;
  // The plan asked for last: requests of one finding mostly repeat the action and resource key.
  lastAction: string;
  lastKey: string;
  lastPlan: EvaluationPlan | undefined;
}

const plansBySet = new WeakMap<PolicySet, SetPlans>();

/**
 * The plan used to decide: only the statements that can match a resource with this key (see
 * `resourceKey`), cached per set, action and key.
 */
export function decisionPlan(set: PolicySet, actionLower: string, resourceKeyValue: string): EvaluationPlan {
  let cached = plansBySet.get(set);
  if (cached === undefined) {
    cached = { plans: createPairCache(MAX_PLANS_PER_SET), lastAction: '', lastKey: '', lastPlan: undefined };
    plansBySet.set(set, cached);
  }
  if (
    cached.lastPlan !== undefined &&
    cached.lastAction === actionLower &&
    cached.lastKey === resourceKeyValue
  )
    return cached.lastPlan;
  let plan = cached.plans.get(actionLower, resourceKeyValue);
  if (plan === undefined) {
    plan = buildPlan(set, (policy) => policy.candidateStatements(actionLower, resourceKeyValue), true);
    cached.plans.set(actionLower, resourceKeyValue, plan);
  }
  cached.lastAction = actionLower;
  cached.lastKey = resourceKeyValue;
  cached.lastPlan = plan;
  return plan;
}
