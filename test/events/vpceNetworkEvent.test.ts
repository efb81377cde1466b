/**
 * A CloudTrail network activity event that a VPC endpoint's policy refused (`errorCode` VpceAccessDenied,
 * `eventCategory` NetworkActivity): a denial, read as AWS naming the VPC endpoint policy, never skipped as
 * "not an access denial". S3 never saw the request, so its missing-key note does not apply.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-network-events-with-cloudtrail.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { explainScenario } from './explainScenario.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'vpce-network-event');

describe('a network activity event refused by a VPC endpoint policy', () => {
  test('without a snapshot: the cause is the VPC endpoint policy, with the command that reads it', async () => {
    const report = await explainScenario(DIR, ['event.json']);
    assert.deepEqual(report.skipped, []);
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'vpc-endpoint-policy');
    const said = finding?.caveats.find((c) =>
      c.startsWith(
        'CloudTrail logged this request as a network activity event refused by the policy of VPC endpoint vpce-0123456789abcdef0 (VpceAccessDenied)',
      ),
    );
    assert.ok(
      said?.includes('aws ec2 describe-vpc-endpoints --vpc-endpoint-ids vpce-0123456789abcdef0'),
      finding?.caveats.join('\n'),
    );
    assert.ok(!finding?.caveats.some((c) => c.startsWith('For a key that does not exist')));
  });

  test('an endpoint of another account (vpcEndpointAccountId): the command is run there, and that account changes the policy', async () => {
    const shared = await explainScenario(DIR, ['shared-vpc-event.json']);
    const owner =
      ", run in account 999988887777: the record's vpcEndpointAccountId names it as the endpoint's owner, not the caller's account 111122223333, and that account's administrators change the endpoint's policy.";
    assert.ok(
      shared.findings[0]?.caveats.some((c) => c.includes('(VpceAccessDenied)') && c.endsWith(owner)),
      shared.findings[0]?.caveats.join('\n'),
    );
    // The endpoint of the caller's own account: no account to name.
    const own = await explainScenario(DIR, ['event.json']);
    assert.ok(!own.findings[0]?.caveats.some((c) => c.includes('vpcEndpointAccountId')));
  });

  test("with a snapshot whose policies refuse it too: the endpoint is the cause, and the caller's grant is needed too, not enough", async () => {
    const report = await explainScenario(DIR, ['event.json', '--account-snapshot', 'authz.json']);
    const [finding] = report.findings;
    // The record proves the endpoint refused it first: not the identity policies the snapshot shows.
    assert.equal(finding?.cause, 'vpc-endpoint-policy');
    assert.ok(
      finding?.summary.startsWith(
        "user/alice (aws-cli 2.15.0) was denied s3:GetObject on bucket b1: the VPC endpoint vpce-0123456789abcdef0 refused it first, before S3 evaluated it (its policy does not allow it), and no identity-based policy allows it either. Fix: the VPC endpoint's policy must allow it (see the caveats), and add s3:GetObject to a new inline policy on user/alice too (not verified).",
      ),
      finding?.summary,
    );
    // The identity grant is still the fix, needed too but not verified as enough.
    assert.deepEqual(
      finding?.fix?.statements.flatMap((s) => s.Action),
      ['s3:GetObject'],
    );
    assert.equal(finding?.fix?.verified, false);
    assert.ok(
      finding?.fix?.verification.includes(
        "Not verified as enough: the VPC endpoint's policy refused the request too (see the caveats), which no change here lifts: it must allow it as well.",
      ),
      finding?.fix?.verification.join('\n'),
    );
    assert.ok(
      finding?.caveats.includes(
        "The VPC endpoint's policy refused the request before S3 evaluated it (VpceAccessDenied): that is the cause, and no change to the caller's or the bucket's policies lets it through until the endpoint's policy allows it (VPC endpoint policies are not an input). The snapshot shows that no identity-based policy allows it either: the fix below is needed too, but is not enough on its own.",
      ),
      finding?.caveats.join('\n'),
    );
    // Not a "likely reason": the record says what refused it.
    assert.ok(!finding?.caveats.some((c) => c.includes('which is the likely reason')));
    assert.ok(!finding?.caveats.some((c) => c.startsWith("AWS's message points at the VPC endpoint policy")));
  });

  test("an S3 refusal whose message names the VPC endpoint policy, which the caller's policies refuse too: the endpoint is the cause", async () => {
    const report = await explainScenario(DIR, ['enhanced-event.json', '--account-snapshot', 'authz.json']);
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'vpc-endpoint-policy');
    assert.ok(
      finding?.summary.includes(
        "AWS's message says the VPC endpoint policy does not allow it, and no identity-based policy allows it either.",
      ),
      finding?.summary,
    );
    assert.equal(finding?.fix?.verified, false);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith("AWS's message says the VPC endpoint policy refused the request: that is the cause"),
      ),
      finding?.caveats.join('\n'),
    );
    assert.ok(!finding?.caveats.some((c) => c.includes('which is the likely reason')));
  });

  test('a caller of another account, named by account alone, gets the same reading', async () => {
    const report = await explainScenario(DIR, [
      'cross-account-event.json',
      '--account-snapshot',
      'authz.json',
    ]);
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'vpc-endpoint-policy');
    assert.ok(finding?.caveats.some((c) => c.includes('(VpceAccessDenied)')));
    assert.ok(!finding?.caveats.some((c) => c.startsWith('For a key that does not exist')));
  });
});

describe("an S3 refusal that names the VPC endpoint policy of a shared VPC's endpoint", () => {
  test('the advice to read the policy names the account that owns the endpoint', async () => {
    const dir = join(import.meta.dirname, '..', 'fixtures', 'vpce-shared-vpc');
    const report = await explainScenario(dir, ['event.json', '--account-snapshot', 'authz.json']);
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'vpc-endpoint-policy');
    assert.ok(
      finding?.caveats.some((c) =>
        c.includes(
          "`aws ec2 describe-vpc-endpoints --vpc-endpoint-ids vpce-0a1b2c3d4e5f67890 --query \"VpcEndpoints[0].PolicyDocument\"`, run in account 999988887777: the record's vpcEndpointAccountId names it as the endpoint's owner, not the caller's account 111122223333",
        ),
      ),
      finding?.caveats.join('\n'),
    );
  });
});
