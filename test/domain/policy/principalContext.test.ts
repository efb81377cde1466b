import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate } from '../../../src/domain/policy/evaluate.js';
import { compilePolicySet, createPolicyCache, runSimulation } from '../../../src/domain/policy/simulation.js';

const SESSION = 'arn:aws:sts::111122223333:assumed-role/deploy/job';
const policies = {
  identityPolicies: [
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::b/*',
          Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ci/deploy' } },
        },
      ],
    },
  ],
};

test('the caller context supplies aws:PrincipalArn with the role path, which the session ARN lacks', () => {
  const compiled = compilePolicySet(policies, createPolicyCache());
  assert.ok(compiled.ok);
  const request = { principal: SESSION, action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' };
  // Derived from the session ARN, aws:PrincipalArn has no path, so the condition fails...
  assert.equal(evaluate(compiled.set, request).decision, 'ImplicitlyDenied');
  // ...and with the caller's context (as explain supplies it from the snapshot) it holds.
  const principalContext = { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ci/deploy' };
  assert.equal(evaluate(compiled.set, { ...request, principalContext }).decision, 'Allowed');
});

test('the caller context takes precedence over the request context for the same key', () => {
  const compiled = compilePolicySet(policies, createPolicyCache());
  assert.ok(compiled.ok);
  const result = evaluate(compiled.set, {
    principal: SESSION,
    action: 's3:PutObject',
    resource: 'arn:aws:s3:::b/k',
    context: { 'aws:principalarn': 'arn:aws:iam::111122223333:role/other' },
    principalContext: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ci/deploy' },
  });
  assert.equal(result.decision, 'Allowed');
  // runSimulation (the simulate file format) has no caller context: the request context is all there is.
  const simulated = runSimulation({
    request: { principal: SESSION, action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' },
    ...policies,
  });
  assert.ok(simulated.ok && simulated.result.decision === 'ImplicitlyDenied');
});
