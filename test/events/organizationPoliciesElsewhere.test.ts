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

/**
 * S3 names the kind of policy in its AccessDenied message only "for same-account requests or for requests
 * within the same organization": a cross-account record with such a message shows both accounts in one
 * organization, whose SCPs and RCPs are the ones given.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 */
describe('organization policies when AWS names the kind of policy (one organization)', () => {
  /** The owner's side of the same-organization SCP refusal, up to the --scp file. */
  const ownerSideScpRun = [
    'same-organization-scp-event.json',
    '--account-snapshot',
    'owner-authz.json',
    '--bucket-policy',
    'partner-exports=owner-bucket-policy.json',
    '--scp',
  ];

  test("of the levels given (root, an OU, the snapshot's account), only the root's applies to another account's caller", async () => {
    const finding = await onlyFindingOf(DIR, [...ownerSideScpRun, 'scp-levels-root-ou-account.json']);
    // The account level's allow list is the snapshot account's: neither the cause's evidence nor a fix.
    assert.equal(finding.fix, null);
    assert.ok(!JSON.stringify(finding).includes('update-policy'), finding.caveats.join('\n'));
    assert.ok(
      finding.caveats.some((c) =>
        c.includes("Only the root's level (the first given) is known to apply to account 444455556666"),
      ),
      finding.caveats.join('\n'),
    );
  });

  test("the bucket owner's SCPs apply to a caller of another account, and the allow list gets the fix", async () => {
    const finding = await onlyFindingOf(DIR, [...ownerSideScpRun, 'owner-scp.json']);
    assert.equal(finding.cause, 'scp-missing-allow');
    assert.equal(finding.fix?.attachKind, 'service-control-policy');
    // The caller's own policies are not in the input: no change is proposed for them.
    assert.equal(finding.fix?.identityChange, undefined);
    assert.ok(
      finding.fix?.verification.some((v) => v.startsWith("Checked on the organization's side only")),
      finding.fix?.verification.join('\n'),
    );
    assert.ok(!finding.caveats.some((c) => c.includes('were left out of the evaluation')));
    assert.ok(!finding.caveats.some((c) => c.includes('not given here (--scp)')));
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith("The SCPs given were evaluated although account 444455556666 is not the snapshot's"),
      ),
      finding.caveats.join('\n'),
    );
  });

  test("an explicit Deny in an RCP, as AWS's message says, is the cause: the data-perimeter Deny is named, with no fix", async () => {
    const finding = await onlyFindingOf(DIR, [
      'same-organization-rcp-event.json',
      '--account-snapshot',
      'caller-authz.json',
      '--bucket-policy',
      'partner-exports=bucket-policy.json',
      '--rcp',
      'caller-org-rcp.json',
    ]);
    assert.equal(finding.cause, 'rcp-explicit-deny');
    assert.deepEqual(
      finding.deniedBy.map((d) => [d.policyType, d.sid]),
      [['rcp', 'EnforceOrgIdentities']],
    );
    assert.equal(finding.fix, null);
    assert.ok(!finding.caveats.some((c) => c.includes('were left out of the evaluation')));
    assert.ok(!finding.caveats.some((c) => c.includes('The snapshot may be out of date')));
  });

  test('the same message without the RCPs sets the cause too, and no bucket policy statement is proposed', async () => {
    const finding = await onlyFindingOf(DIR, [
      'same-organization-rcp-event.json',
      '--account-snapshot',
      'caller-authz.json',
    ]);
    assert.equal(finding.cause, 'rcp-explicit-deny');
    assert.equal(finding.fix, null);
    assert.ok(
      finding.caveats.some((c) => c.includes('no RCP was given (--rcp')),
      finding.caveats.join('\n'),
    );
  });
});
