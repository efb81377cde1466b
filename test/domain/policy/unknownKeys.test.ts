/**
 * Keys the caller of the engine does not know (a CloudTrail record never shows the caller's
 * organization or an object's stored tags): a Deny conditioned on one is not taken to apply while the
 * key is absent, whichever way its operator goes; Allows read the key as absent, as AWS does.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluate } from '../../../src/domain/policy/evaluate.js';
import type { PolicySet } from '../../../src/domain/policy/evaluationPlan.js';
import { compilePolicy } from '../../../src/domain/policy/parsePolicy.js';
import type { AuthorizationRequest } from '../../../src/domain/policy/types.js';

function setOf(statements: readonly Record<string, unknown>[]): PolicySet {
  return {
    identity: [
      compilePolicy(
        { name: 'P', document: { Version: '2012-10-17', Statement: statements } },
        { policyType: 'identity', policyIndex: 0 },
      ),
    ],
    scpLevels: [],
    rcpLevels: [],
  };
}

const allow = { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
const outsideOrg = {
  Sid: 'OutsideOrg',
  Effect: 'Deny',
  Action: 's3:*',
  Resource: '*',
  Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
};
const restricted = {
  Sid: 'Restricted',
  Effect: 'Deny',
  Action: 's3:GetObject',
  Resource: '*',
  Condition: { StringEquals: { 's3:ExistingObjectTag/class': 'restricted' } },
};
const unknown = (key: string) => key === 'aws:principalorgid' || key.startsWith('s3:existingobjecttag/');
const request = (context?: Record<string, string>, unknownKeys = unknown): AuthorizationRequest => ({
  principal: 'arn:aws:iam::111122223333:user/backup',
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::data/a.csv',
  ...(context !== undefined ? { context } : {}),
  unknownKeys,
});

describe('unknown keys', () => {
  test('a Deny with a negated operator on an unknown, absent key does not apply; as an absent key it would', () => {
    const set = setOf([allow, outsideOrg]);
    assert.equal(evaluate(set, request()).decision, 'Allowed');
    assert.equal(
      evaluate(
        set,
        request(undefined, () => false),
      ).decision,
      'ExplicitlyDenied',
    );
    // Known, the key decides as usual.
    assert.equal(evaluate(set, request({ 'aws:PrincipalOrgID': 'o-other' })).decision, 'ExplicitlyDenied');
    assert.equal(evaluate(set, request({ 'aws:PrincipalOrgID': 'o-abc123' })).decision, 'Allowed');
  });

  test("the Deny's explanation says its condition failed for an unknown key", () => {
    const result = evaluate(setOf([allow, outsideOrg, restricted]), request());
    assert.equal(result.decision, 'Allowed');
    const reasons = result.explanations
      .filter((e) => e.effect === 'Deny')
      .map((e) => [e.sid, e.mismatch, e.conditionFailures?.map((f) => f.reason)]);
    assert.deepEqual(reasons, [
      ['OutsideOrg', 'condition', ['key-unknown']],
      ['Restricted', 'condition', ['key-unknown']],
    ]);
  });

  test('an Allow reads an unknown key as absent (a negated operator holds, a positive one fails)', () => {
    const positive = setOf([{ ...allow, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }]);
    assert.equal(evaluate(positive, request()).decision, 'ImplicitlyDenied');
    const negated = setOf([
      { ...allow, Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-other' } } },
    ]);
    assert.equal(evaluate(negated, request()).decision, 'Allowed');
  });
});
