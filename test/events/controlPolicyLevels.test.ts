/**
 * Control policies as customers have them (sample 01's job): an RCP of Deny statements alone, as every
 * customer RCP is (AWS keeps RCPFullAWSAccess at every level), changes nothing for a request it does not
 * deny; two SCPs given as two files are two levels, and a level without an Allow is warned about.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { explainFiles } from '../../src/app/explainFiles.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'events', '01-rclone-copy-listbucket');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'control-policy-levels');

async function explainWith(options: { scps?: string[]; rcps?: string[] }) {
  const result = await explainFiles([join(SAMPLE, 'event.json')], {
    accountSnapshot: join(SAMPLE, 'authz.json'),
    bucketPolicies: [`backup-bucket=${join(SAMPLE, 'bucket-policy.json')}`],
    ...(options.scps !== undefined ? { scps: options.scps.map((f) => join(FIXTURES, f)) } : {}),
    ...(options.rcps !== undefined ? { rcps: options.rcps.map((f) => join(FIXTURES, f)) } : {}),
  });
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.report;
}

describe('control policy levels', () => {
  test('a customer RCP of Deny statements only leaves the cause and the fix as they are', async () => {
    const report = await explainWith({ rcps: ['rcp-deny.json'] });
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.equal(finding?.fix?.verified, true);
  });

  test('an SCP level with no Allow statement is warned about, naming its file and the array-of-levels form', async () => {
    const report = await explainWith({ scps: ['scp-full.json', 'scp-denyleave.json'] });
    const levelWarnings = (report.warnings ?? []).filter((w) => w.code === 'scp.levelWithoutAllow');
    assert.deepEqual(
      levelWarnings.map((w) => w.input),
      [join(FIXTURES, 'scp-denyleave.json')],
    );
    assert.match(
      levelWarnings[0]?.message ?? '',
      /SCP level 2 .* holds no Allow statement.*: \[\[policy, policy\]\]\./,
    );
  });
});
