/**
 * Bucket policies that test the caller's keys CloudTrail records in `userIdentity`: the "only this
 * role" Deny with `aws:userid` (a session's is `role-id:session-name`, the record's `principalId`), and
 * the require-MFA Deny with `aws:MultiFactorAuthPresent` (a session's `mfaAuthenticated`). The caller
 * the exception names, or a session created with MFA, is not refused by the Deny: its own policies lack
 * the Allow. Another role's session, or one without MFA, is.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { onlyFindingOf } from './explainScenario.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'caller-keys');

/** The only finding of `event`, with the fixtures' snapshot and `bucketPolicy` for artifacts-bucket. */
function onlyFinding(event: string, bucketPolicy: string) {
  return onlyFindingOf(DIR, [
    event,
    '--account-snapshot',
    'authz.json',
    '--bucket-policy',
    `artifacts-bucket=${bucketPolicy}`,
  ]);
}

describe("the caller's keys from userIdentity", () => {
  test('the aws:userid exception of a bucket-policy Deny exempts the session it names', async () => {
    const finding = await onlyFinding('userid-event.json', 'userid-bucket-policy.json');
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.deepEqual(finding.deniedBy, []);
    assert.equal(finding.fix?.verified, true);
    assert.deepEqual(
      finding.fix?.statements.flatMap((s) => s.Action),
      ['s3:PutObject'],
    );
    const other = await onlyFinding('userid-other-event.json', 'userid-bucket-policy.json');
    assert.equal(other.cause, 'resource-policy-explicit-deny');
    assert.deepEqual(
      other.deniedBy.map((d) => d.sid),
      ['OnlyDeployRoleAndAccountRoot'],
    );
    assert.equal(other.fix, null);
    // The caveat gives the caller's own value, from the record.
    assert.ok(
      other.caveats.some((c) => c.includes('"AROAOTHERROLEID000000:gha-123"')),
      other.caveats.join('\n'),
    );
  });

  test('a require-MFA Deny does not refuse a session created with MFA', async () => {
    const finding = await onlyFinding('mfa-event.json', 'mfa-bucket-policy.json');
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.equal(finding.fix?.verified, true);
    const withoutMfa = await onlyFinding('mfa-false-event.json', 'mfa-bucket-policy.json');
    assert.equal(withoutMfa.cause, 'resource-policy-explicit-deny');
    assert.deepEqual(
      withoutMfa.deniedBy.map((d) => d.sid),
      ['DenyDeletesWithoutMFA'],
    );
  });
});
