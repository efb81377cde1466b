/**
 * An IAM Identity Center role refused an action that a customer managed policy it holds (one its
 * permission set references) already grants on the bucket (scenario 17 with DsSandboxAccess attached to
 * the AWSReservedSSO_ role): the fix is a new version of that policy, and a caveat says it reaches every
 * user assigned to the permission set in this account.
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/howtocmp.html
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { explainScenario } from './explainScenario.js';

describe("an Identity Center role's customer managed policy", () => {
  test('gets the new version, with the caveat that the permission set shares it', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'identity-center-managed'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const [finding] = report.findings;
    assert.equal(finding?.principal.type, 'IdentityCenter');
    assert.equal(finding?.fix?.attachKind, 'managed-policy-version');
    assert.equal(finding?.fix?.policyName, 'DsSandboxAccess');
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'DsSandboxAccess is a customer managed policy the permission set DataScientist references: a new version reaches every user and group assigned to the permission set in this account',
        ),
      ),
      finding?.caveats.join('\n'),
    );
  });
});
