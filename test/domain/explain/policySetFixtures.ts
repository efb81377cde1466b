/**
 * Policy sets for tests of what the findings say about statements: named policies compiled from
 * statement lists, and requests evaluated against a set as a finding holds them.
 */
import type { DeniedCheck } from '../../../src/domain/explain/denyAdvice.js';
import { evaluate } from '../../../src/domain/policy/evaluate.js';
import type { PolicySet } from '../../../src/domain/policy/evaluationPlan.js';
import { compilePolicy } from '../../../src/domain/policy/parsePolicy.js';
import type { AuthorizationRequest } from '../../../src/domain/policy/types.js';

type Statements = readonly Record<string, unknown>[];

/** A set of one identity policy and, when given, a bucket policy; each named. */
export function policySet(options: {
  identity: { name: string; statements: Statements };
  bucket?: { name: string; statements: Statements };
}): PolicySet {
  const document = (statements: Statements) => ({ Version: '2012-10-17', Statement: statements });
  const { identity, bucket } = options;
  return {
    identity: [
      compilePolicy(
        { name: identity.name, document: document(identity.statements) },
        { policyType: 'identity', policyIndex: 0 },
      ),
    ],
    ...(bucket !== undefined
      ? {
          resource: compilePolicy(
            { name: bucket.name, document: document(bucket.statements) },
            { policyType: 'resource', policyIndex: 0 },
          ),
        }
      : {}),
    scpLevels: [],
    rcpLevels: [],
  };
}

/** Each request with its evaluation against `set`. */
export function evaluatedChecks(set: PolicySet, requests: readonly AuthorizationRequest[]): DeniedCheck[] {
  return requests.map((request) => ({ request, result: evaluate(set, request) }));
}
