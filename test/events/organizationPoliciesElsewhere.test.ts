/**
 * SCPs and RCPs given for the snapshot's account are not applied to another account's principals or
 * buckets: SCPs restrict the principals of their organization's accounts, RCPs its resources (scenario 05,
 * a caller and a bucket in accounts of different organizations). They are left out, with a caveat, and
 * never blamed or edited.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { explainScenario, onlyFindingOf } from './explainScenario.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'organization-policies-elsewhere');

function onlyFinding(args: readonly string[]) {
  return onlyFindingOf(DIR, ['event.json', ...args]);
}

describe('organization policies of the snapshot account', () => {
  test("the bucket owner's SCPs are not applied to a caller of another account", async () => {
    const finding = await onlyFinding([
      '--account-snapshot',
      'owner-authz.json',
      '--bucket-policy',
      'partner-exports=owner-bucket-policy.json',
      '--scp',
      'owner-scp.json',
    ]);
    assert.notEqual(finding.cause, 'scp-missing-allow');
    assert.ok(!finding.deniedBy.some((d) => d.policyType === 'scp'));
    assert.ok(finding.requests.every((r) => !(r.missingAllowIn ?? []).includes('scp')));
    assert.equal(finding.fix?.otherScps, undefined);
    assert.ok(
      finding.caveats.some((c) => c.startsWith('The SCPs given (--scp) were left out of the evaluation')),
      finding.caveats.join('\n'),
    );
  });

  test("the caller's organization's RCPs are not applied to a bucket of another account", async () => {
    const finding = await onlyFinding([
      '--account-snapshot',
      'caller-authz.json',
      '--bucket-policy',
      'partner-exports=bucket-policy.json',
      '--rcp',
      'caller-org-rcp.json',
    ]);
    assert.equal(finding.cause, 'resource-policy-missing-allow');
    assert.deepEqual(finding.deniedBy, []);
    assert.equal(finding.fix?.verified, true);
    assert.ok(
      finding.caveats.some((c) => c.startsWith('The RCPs given (--rcp) were left out of the evaluation')),
      finding.caveats.join('\n'),
    );
  });

  test("each bucket outside the snapshot's account is named with its own account in the caveat", async () => {
    const report = await explainScenario(DIR, [
      'two-buckets-event.json',
      '--account-snapshot',
      'caller-authz.json',
      '--rcp',
      'caller-org-rcp.json',
    ]);
    assert.deepEqual(
      report.findings.map((f) => [
        f.bucket,
        f.caveats.find((c) => c.startsWith('The RCPs given'))?.match(/the bucket is in account (\d+)/)?.[1],
      ]),
      [
        ['partner-exports', '111122223333'],
        ['other-bucket', '999900001111'],
      ],
    );
  });
});
