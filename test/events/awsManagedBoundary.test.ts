/**
 * A permissions boundary that is an AWS managed policy: IAM refuses a new version of it, so the fix
 * cannot be "create a new version" (scenarios 08 and 43 with their boundary AppBoundary moved to the
 * `aws` pseudo-account). The statements are still derived and checked, and the fix says to copy the
 * document into a policy of the account's own and make that the boundary.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { renderText } from '../../src/domain/render/text.js';
import { explainScenario } from './explainScenario.js';

const EVENTS = join(import.meta.dirname, '..', '..', 'events');
const work = mkdtempSync(join(tmpdir(), 'permission-auditor-aws-boundary-'));
after(() => rmSync(work, { recursive: true, force: true }));

const CUSTOMER = 'arn:aws:iam::111122223333:policy/AppBoundary';
const AWS_MANAGED = 'arn:aws:iam::aws:policy/AppBoundary';

function withAwsManagedBoundary(name: string): string {
  const dir = join(work, name);
  cpSync(join(EVENTS, name), dir, { recursive: true });
  const authz = join(dir, 'authz.json');
  writeFileSync(authz, readFileSync(authz, 'utf8').replaceAll(CUSTOMER, AWS_MANAGED));
  return dir;
}

describe('a permissions boundary that is an AWS managed policy', () => {
  test('the boundary fix is a copy of the policy, not a new version of it, and is not verified', async () => {
    const dir = withAwsManagedBoundary('08-permissions-boundary');
    const report = await explainScenario(dir, ['event.json', '--account-snapshot', 'authz.json']);
    const fix = report.findings[0]?.fix;
    assert.equal(fix?.policyArn, AWS_MANAGED);
    assert.deepEqual(
      fix?.statements.map((s) => s.Action),
      [['s3:DeleteObject']],
    );
    assert.equal(fix?.verified, false);
    assert.match(fix?.overQuota ?? '', /^AppBoundary is an AWS managed policy, which cannot be changed$/);
    const caveats = report.findings[0]?.caveats.join('\n') ?? '';
    assert.match(
      caveats,
      /aws iam create-policy --policy-name AppBoundary-with-grants --policy-document file:\/\/AppBoundary\.json/,
    );
    assert.match(
      caveats,
      /aws iam put-role-permissions-boundary --role-name orders-api --permissions-boundary arn:aws:iam::111122223333:policy\/AppBoundary-with-grants/,
    );
    assert.match(
      report.findings[0]?.summary ?? '',
      /a customer managed copy of the AWS managed policy AppBoundary \(not applicable as it is: an AWS managed policy cannot be changed/,
    );
    const text = renderText(report, { color: false });
    assert.doesNotMatch(text, /create-policy-version --policy-arn arn:aws:iam::aws:/);
    assert.match(text, /Copy, with the statements added, into a customer managed policy of your own/);
    assert.match(
      text,
      /The whole new policy document \(for a policy of your own\), the current one with the statements added/,
    );
    assert.doesNotMatch(text, /The whole new policy version/);
  });

  test('with an identity change too, the boundary part is a copy and the identity part a new version', async () => {
    const dir = withAwsManagedBoundary('43-boundary-and-identity-refuse-tagging');
    const report = await explainScenario(dir, ['event.json', '--account-snapshot', 'authz.json']);
    const fix = report.findings[0]?.fix;
    assert.equal(fix?.policyArn, 'arn:aws:iam::111122223333:policy/OrdersApiS3');
    assert.equal(fix?.boundary?.policyArn, AWS_MANAGED);
    assert.equal(fix?.verified, false);
    const text = renderText(report, { color: false });
    assert.match(text, /create-policy-version --policy-arn arn:aws:iam::111122223333:policy\/OrdersApiS3/);
    assert.doesNotMatch(text, /create-policy-version --policy-arn arn:aws:iam::aws:/);
  });
});
