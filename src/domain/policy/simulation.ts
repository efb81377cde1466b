/**
 * `permission-auditor simulate`: one simulation request (a request plus the policies that apply) in,
 * one decision with explanations out. Compiled policies are cached so that thousands of requests
 * against the same policies compile each document once.
 */

import { isJsonObject } from '../json/jsonValue.js';
import { evaluate, type PolicySet, policiesOf, policySetProblems } from './evaluate.js';
import { managementAccountOf } from './evaluationPlan.js';
import { type CompiledPolicy, compilePolicy, type PolicyLocation, unwrapPolicyInput } from './parsePolicy.js';
import { parseRequestPrincipal } from './requestPrincipal.js';
import type { AuthorizationRequest, ContextValue, EvaluationResult, PolicyType } from './types.js';

export interface PolicyCache {
  compile(input: unknown, location: PolicyLocation): CompiledPolicy;
  readonly size: number;
}

/** A cache of compiled policies keyed by location and document text. */
export function createPolicyCache(maxEntries = 10_000): PolicyCache {
  const byKey = new Map<string, CompiledPolicy>();
  const byObject = new WeakMap<object, Map<string, CompiledPolicy>>();
  return {
    compile(input, location) {
      const locKey = `${location.policyType}|${location.policyIndex}|${location.level ?? ''}`;
      // Identity of the document object (a named wrapper is usually built afresh around the same
      // document) avoids serialising large documents to find them again.
      const { name, arn, document } = unwrapPolicyInput(input);
      const objectKey = typeof document === 'object' && document !== null ? document : undefined;
      const memberKey = `${locKey}|${name ?? ''}|${arn ?? ''}`;
      if (objectKey !== undefined) {
        const cached = byObject.get(objectKey)?.get(memberKey);
        if (cached !== undefined) return cached;
      }
      const key = `${memberKey}|${typeof document === 'string' ? document : JSON.stringify(document)}`;
      let compiled = byKey.get(key);
      if (compiled === undefined) {
        compiled = compilePolicy(input, location);
        if (byKey.size >= maxEntries) byKey.clear();
        byKey.set(key, compiled);
      }
      if (objectKey !== undefined) {
        let perObject = byObject.get(objectKey);
        if (perObject === undefined) {
          perObject = new Map();
          byObject.set(objectKey, perObject);
        }
        perObject.set(memberKey, compiled);
      }
      return compiled;
    },
    get size() {
      return byKey.size;
    },
  };
}

/** What `simulate` reports: the evaluation result without the engine-internal fields. */
export type SimulationResult = Pick<
  EvaluationResult,
  'decision' | 'deniedBy' | 'missingAllowIn' | 'explanations' | 'policyProblems'
> & {
  /** What in the input is valid but rarely meant: an SCP or RCP level that holds no Allow statement. */
  readonly warnings: readonly SimulationWarning[];
};

export type SimulationWarning =
  | {
      readonly code: 'scp.levelWithoutAllow' | 'rcp.levelWithoutAllow';
      readonly policyType: 'scp' | 'rcp';
      /** The level's index in its list, from 0 (the root's level first). */
      readonly level: number;
      readonly message: string;
    }
  | { readonly code: 'request.principalArnWithoutPath'; readonly message: string };

/**
 * A role session's `aws:PrincipalArn` is its role's ARN, path included; the session's ARN does not hold
 * the path, so the value supplied is the path-less one. When a condition tests the key, the answer may
 * be wrong for a role with a path: said, with how to give the real value.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 */
function principalArnWarning(set: PolicySet, request: AuthorizationRequest): SimulationWarning[] {
  const principal = parseRequestPrincipal(request.principal);
  if (principal.kind !== 'role-session') return [];
  const given = Object.keys(request.context ?? {}).some((key) => key.toLowerCase() === 'aws:principalarn');
  if (given) return [];
  const tested = policiesOf(set).some((policy) =>
    policy.statements.some((statement) =>
      statement.conditions.some((condition) => condition.keyLower === 'aws:principalarn'),
    ),
  );
  if (!tested) return [];
  const roleArn = `arn:${principal.arn.split(':')[1] ?? 'aws'}:iam::${principal.account}:role/${principal.roleName}`;
  return [
    {
      code: 'request.principalArnWithoutPath',
      message: `aws:PrincipalArn was taken as ${roleArn}, the role's ARN without a path: a session's ARN does not show its role's path, and a condition here tests the key. If the role has a path (role/ci/${principal.roleName}), give its ARN in "request.context": {"aws:PrincipalArn": "…"}.`,
    },
  ];
}

/**
 * Levels of an SCP or RCP list with no valid Allow statement: AWS requires an Allow at every level, so
 * such a level refuses every request (a Deny-only guardrail given as its own level, where it was meant
 * beside FullAWSAccess, is the usual mistake).
 */
function levelsWithoutAllow(set: PolicySet): SimulationWarning[] {
  const warnings: SimulationWarning[] = [];
  const check = (levels: readonly (readonly CompiledPolicy[])[], policyType: 'scp' | 'rcp'): void => {
    const name = policyType === 'scp' ? 'SCP' : 'RCP';
    const field = policyType === 'scp' ? 'serviceControlPolicies' : 'resourceControlPolicies';
    const fullAccess = policyType === 'scp' ? 'FullAWSAccess' : 'RCPFullAWSAccess';
    levels.forEach((level, index) => {
      if (level.some((policy) => policy.statements.some((s) => s.effect === 'Allow'))) return;
      warnings.push({
        code: `${policyType}.levelWithoutAllow`,
        policyType,
        level: index,
        message: `${name} level ${index} ("${field}"[${index}]) holds no Allow statement, so it refuses every request: AWS requires an Allow at every level (${fullAccess} gives it). Policies attached at the same level go in one array: [[${fullAccess}, guardrail]], not [${fullAccess}, guardrail].`,
      });
    });
  };
  check(set.scpLevels, 'scp');
  check(set.rcpLevels, 'rcp');
  return warnings;
}

export type SimulationOutcome =
  | { readonly ok: true; readonly result: SimulationResult }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

type Invalid = { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

function invalid(code: string, message: string): Invalid {
  return { ok: false, error: { code, message } };
}

function isContextValue(value: unknown): value is ContextValue {
  const scalar = (v: unknown): boolean =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return scalar(value) || (Array.isArray(value) && value.every(scalar));
}

/** Validates the `request` member of a simulation input. */
export function parseAuthorizationRequest(
  value: unknown,
): { ok: true; request: AuthorizationRequest } | Invalid {
  if (!isJsonObject(value))
    return invalid('request.missing', '"request" must be an object with principal, action and resource');
  const { principal, action, resource, resourceAccount, context } = value;
  for (const [field, v] of [
    ['principal', principal],
    ['action', action],
    ['resource', resource],
  ] as const) {
    if (typeof v !== 'string' || v.trim() === '') {
      return invalid(
        `request.invalid${field[0]!.toUpperCase()}${field.slice(1)}`,
        `"request.${field}" must be a non-empty string`,
      );
    }
  }
  // A caller that can make a request: a user, a role or its session, a federated user, an account's root,
  // a service principal, or "anonymous". An IAM group, or a malformed ARN, cannot.
  if (parseRequestPrincipal(principal as string).kind === 'unknown') {
    return invalid(
      'request.invalidPrincipal',
      `"request.principal" must be a user, role, role session or federated user ARN, an account root ARN (arn:aws:iam::123456789012:root), a service principal (s3.amazonaws.com) or "anonymous", got "${principal as string}"`,
    );
  }
  if (!/^[A-Za-z0-9-]+:[A-Za-z0-9]+$/.test(action as string)) {
    return invalid(
      'request.invalidAction',
      `"request.action" must look like service:Action (e.g. s3:ListBucket), got "${action as string}"`,
    );
  }
  if (
    resourceAccount !== undefined &&
    (typeof resourceAccount !== 'string' || !/^\d{12}$/.test(resourceAccount))
  ) {
    return invalid(
      'request.invalidResourceAccount',
      '"request.resourceAccount" must be a 12-digit account id',
    );
  }
  let ctx: Record<string, ContextValue> | undefined;
  if (context !== undefined) {
    if (!isJsonObject(context))
      return invalid('request.invalidContext', '"request.context" must be an object of condition keys');
    for (const [key, v] of Object.entries(context)) {
      if (!isContextValue(v)) {
        return invalid(
          'request.invalidContext',
          `"request.context.${key}" must be a string, number, boolean or an array of those`,
        );
      }
    }
    ctx = context as Record<string, ContextValue>;
  }
  return {
    ok: true,
    request: {
      principal: principal as string,
      action: action as string,
      resource: resource as string,
      ...(typeof resourceAccount === 'string' ? { resourceAccount } : {}),
      ...(ctx !== undefined ? { context: ctx } : {}),
    },
  };
}

function levels(value: unknown, field: string): unknown[][] | Invalid {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    return invalid(
      'simulation.invalidLevels',
      `"${field}" must be an array of levels (each an array of policies)`,
    );
  // A level may be given as a single policy instead of an array of one.
  return value.map((level) => (Array.isArray(level) ? level : [level]));
}

/** Compiles the policies of a simulation input into a policy set. */
export function compilePolicySet(
  input: Record<string, unknown>,
  cache: PolicyCache,
): { ok: true; set: PolicySet } | Invalid {
  const identity = input.identityPolicies;
  if (identity !== undefined && !Array.isArray(identity)) {
    return invalid('simulation.invalidIdentityPolicies', '"identityPolicies" must be an array of policies');
  }
  const scps = levels(input.serviceControlPolicies, 'serviceControlPolicies');
  if (!Array.isArray(scps)) return scps;
  const rcps = levels(input.resourceControlPolicies, 'resourceControlPolicies');
  if (!Array.isArray(rcps)) return rcps;
  const one = (value: unknown, policyType: PolicyType): CompiledPolicy | undefined =>
    value === undefined || value === null ? undefined : cache.compile(value, { policyType, policyIndex: 0 });
  const boundary = one(input.permissionsBoundary, 'permissions-boundary');
  const resource = one(input.resourcePolicy, 'resource');
  const session = one(input.sessionPolicy, 'session');
  const scpLevels = scps.map((level, l) =>
    level.map((p, i) => cache.compile(p, { policyType: 'scp', policyIndex: i, level: l })),
  );
  const rcpLevels = rcps.map((level, l) =>
    level.map((p, i) => cache.compile(p, { policyType: 'rcp', policyIndex: i, level: l })),
  );
  // An SCP or RCP named by its ARN names the organization's management account, which neither restricts.
  const managementAccount = managementAccountOf([...scpLevels.flat(), ...rcpLevels.flat()].map((p) => p.arn));
  const set: PolicySet = {
    identity: (identity ?? []).map((p, i) => cache.compile(p, { policyType: 'identity', policyIndex: i })),
    scpLevels,
    rcpLevels,
    ...(managementAccount !== undefined ? { managementAccount } : {}),
    ...(boundary !== undefined ? { permissionsBoundary: boundary } : {}),
    ...(resource !== undefined ? { resource } : {}),
    ...(session !== undefined ? { session } : {}),
  };
  return { ok: true, set };
}

/**
 * Evaluates one simulation input (the `simulate` request-file format).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export function runSimulation(input: unknown, cache: PolicyCache = createPolicyCache()): SimulationOutcome {
  if (!isJsonObject(input))
    return invalid('simulation.notAnObject', 'a simulation input must be a JSON object with a "request"');
  const parsed = parseAuthorizationRequest(input.request);
  if (!parsed.ok) return parsed;
  const compiled = compilePolicySet(input, cache);
  if (!compiled.ok) return compiled;
  const problems = policySetProblems(compiled.set);
  const result = evaluate(compiled.set, parsed.request, {}, problems);
  return {
    ok: true,
    result: {
      decision: result.decision,
      deniedBy: result.deniedBy,
      missingAllowIn: result.missingAllowIn,
      explanations: result.explanations,
      policyProblems: result.policyProblems,
      warnings: [...levelsWithoutAllow(compiled.set), ...principalArnWarning(compiled.set, parsed.request)],
    },
  };
}

export type SimulationEntry =
  | SimulationResult
  | { readonly error: { readonly code: string; readonly message: string } };

/**
 * Evaluates a simulation file's content: one input, or an array of inputs evaluated in order with one
 * shared cache (an invalid entry yields `{ error }` in its place; the rest are still evaluated).
 */
export function runSimulations(
  content: unknown,
  cache: PolicyCache = createPolicyCache(),
): { kind: 'single'; outcome: SimulationOutcome } | { kind: 'batch'; entries: SimulationEntry[] } {
  if (!Array.isArray(content)) return { kind: 'single', outcome: runSimulation(content, cache) };
  return {
    kind: 'batch',
    entries: content.map((item) => {
      const outcome = runSimulation(item, cache);
      return outcome.ok ? outcome.result : { error: outcome.error };
    }),
  };
}
