/**
 * Evaluation plans: which statements the engine looks at for one action and resource key. Leaving a
 * statement out of a decision plan is only sound if it could never match, so the property below checks
 * that decisions (which use the pruned plan) record exactly the statements that explanations (which use
 * every statement whose Action covers the request) find applicable.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { evaluate } from '../../../src/domain/policy/evaluate.js';
import { decisionPlan, explanationPlan, type PolicySet } from '../../../src/domain/policy/evaluationPlan.js';
import { compilePolicy } from '../../../src/domain/policy/parsePolicy.js';
import type { AuthorizationRequest, StatementRef } from '../../../src/domain/policy/types.js';

function identitySet(statements: readonly Record<string, unknown>[]): PolicySet {
  const policy = compilePolicy(
    { Version: '2012-10-17', Statement: statements },
    { policyType: 'identity', policyIndex: 0 },
  );
  return { identity: [policy], scpLevels: [], rcpLevels: [] };
}

const sidsOf = (statements: readonly { readonly statement: { readonly sid?: string } }[]): string[] =>
  statements.map((r) => r.statement.sid ?? '?');

describe('decisionPlan', () => {
  const set = identitySet([
    { Sid: 'SiblingBucket', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data-2-*/*' },
    { Sid: 'SameBucket', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data-2/*' },
    { Sid: 'Prefix', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data-*' },
    { Sid: 'Anything', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
    { Sid: 'Not', Effect: 'Deny', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::data-2/*' },
    { Sid: 'OtherAction', Effect: 'Allow', Action: 's3:PutObject', Resource: '*' },
  ]);

  test('leaves out statements whose literal resource prefix names another bucket', () => {
    const plan = decisionPlan(set, 's3:getobject', 'arn:aws:s3:::data-2');
    assert.deepEqual(sidsOf(plan.identity[0] ?? []), ['SameBucket', 'Prefix', 'Anything', 'Not']);
  });

  test('keeps every statement whose Action covers the request when explaining', () => {
    const plan = explanationPlan(set, 's3:getobject');
    assert.deepEqual(sidsOf(plan.identity[0] ?? []), [
      'SiblingBucket',
      'SameBucket',
      'Prefix',
      'Anything',
      'Not',
    ]);
  });

  test('is reused for the same set, action and resource key', () => {
    const first = decisionPlan(set, 's3:getobject', 'arn:aws:s3:::data-7');
    assert.equal(decisionPlan(set, 's3:getobject', 'arn:aws:s3:::data-7'), first);
    assert.notEqual(decisionPlan(set, 's3:getobject', 'arn:aws:s3:::data-8'), first);
  });

  test('omits identity policies with nothing to look at but keeps an empty boundary', () => {
    const boundary = compilePolicy(
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
      { policyType: 'permissions-boundary', policyIndex: 0 },
    );
    const plan = decisionPlan({ ...set, permissionsBoundary: boundary }, 's3:listbucket', 'arn:aws:s3:::x');
    assert.deepEqual(plan.identity, []);
    assert.deepEqual(plan.permissionsBoundary, []);
  });
});

const resourcePatterns = [
  '*',
  'arn:aws:s3:::b',
  'arn:aws:s3:::b/*',
  'arn:aws:s3:::b*',
  'arn:aws:s3:::b-*/*',
  'arn:aws:s3:::b?/*',
  'arn:aws:s3:::b/x*',
  'arn:aws:s3:::bb/*',
  'arn:aws:s3:::${aws:username}/*',
  'arn:aws:s3:::b/${aws:username}/*',
  'arn:aws:s3:::*/x/*',
  'arn:aws:s3:*:*:b/*',
] as const;
const requestResources = [
  'arn:aws:s3:::b',
  'arn:aws:s3:::b/x/1',
  'arn:aws:s3:::b/alice/1',
  'arn:aws:s3:::bb',
  'arn:aws:s3:::bb/x/1',
  'arn:aws:s3:::b-1/x',
  'arn:aws:s3:::alice/x',
  'arn:aws:s3:::b-',
  '*',
] as const;

const statementArb = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  Action: fc.constantFrom('s3:*', 's3:GetObject', 's3:List*'),
  resources: fc.array(fc.constantFrom(...resourcePatterns), { minLength: 1, maxLength: 3 }),
  not: fc.boolean(),
});

const refKey = (r: StatementRef): string => `${r.policyType}/${r.policyIndex}/${r.statementIndex}`;

describe('decision plans against explanation plans', () => {
  test('decisions record exactly the statements that explanations find applicable', () => {
    fc.assert(
      fc.property(
        fc.array(statementArb, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...requestResources),
        fc.constantFrom('s3:GetObject', 's3:ListBucket'),
        (statements, resource, action) => {
          const set = identitySet(
            statements.map((s, i) => ({
              Sid: `S${i}`,
              Effect: s.Effect,
              Action: s.Action,
              [s.not ? 'NotResource' : 'Resource']: s.resources,
            })),
          );
          const request: AuthorizationRequest = {
            principal: 'arn:aws:iam::111122223333:user/alice',
            action,
            resource,
          };
          const result = evaluate(set, request);
          const applicable = result.explanations.filter((e) => e.applies);
          const expectedAllows = applicable.filter((e) => e.effect === 'Allow').map(refKey);
          const expectedDenies = applicable.filter((e) => e.effect === 'Deny').map(refKey);
          assert.deepEqual(result.allowedBy.map(refKey), expectedAllows);
          assert.deepEqual(result.deniedBy.map(refKey), expectedDenies);
        },
      ),
      { seed: 20261127, numRuns: 500 },
    );
  });
});
