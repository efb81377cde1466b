/**
 * An IAM Identity Center role refused an action that a customer managed policy it holds (one its
 * permission set references) already grants on the bucket (scenario 17 with DsSandboxAccess attached to
 * the AWSReservedSSO_ role): the fix is a new version of that policy, and a caveat says it reaches every
 * user assigned to the permission set in this account.
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/howtocmp.html
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { temporaryDirectory } from '../temporaryDirectory.js';
import { explainScenario } from './explainScenario.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'identity-center-managed');
const dir = temporaryDirectory('identity-center-managed-');

describe("an Identity Center role's customer managed policy", () => {
  test('gets the new version, with the caveat that the permission set shares it', async () => {
    const report = await explainScenario(FIXTURE, ['event.json', '--account-snapshot', 'authz.json']);
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

  test('adding the Version its ${…} need says each account holds its own copy', async () => {
    const copy = dir();
    const authz = JSON.parse(readFileSync(join(FIXTURE, 'authz.json'), 'utf8')) as {
      Policies: {
        PolicyName: string;
        PolicyVersionList: { Document: unknown; IsDefaultVersion: boolean }[];
      }[];
    };
    const policy = authz.Policies.find((p) => p.PolicyName === 'DsSandboxAccess')!;
    for (const version of policy.PolicyVersionList)
      if (version.IsDefaultVersion)
        version.Document = {
          Statement: [
            {
              Sid: 'ListOwn',
              Effect: 'Allow',
              Action: 's3:ListBucket',
              Resource: 'arn:aws:s3:::ds-sandbox',
              Condition: { StringLike: { 's3:prefix': 'users/${aws:userid}/*' } },
            },
          ],
        };
    writeFileSync(join(copy, 'authz.json'), JSON.stringify(authz));
    const record = JSON.parse(readFileSync(join(FIXTURE, 'event.json'), 'utf8')) as Record<string, unknown>;
    const principal = /User: (\S+) is not authorized/.exec(String(record.errorMessage))?.[1];
    record.eventName = 'ListObjects';
    record.errorMessage = `User: ${principal} is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::ds-sandbox" because no identity-based policy allows the s3:ListBucket action`;
    record.requestParameters = {
      bucketName: 'ds-sandbox',
      'list-type': '2',
      prefix: 'users/AROAFD3WKGI5Z6VMB7ICK:maria.garcia/',
      Host: 'ds-sandbox.s3.eu-west-1.amazonaws.com',
    };
    record.resources = [
      { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::ds-sandbox' },
    ];
    writeFileSync(join(copy, 'event.json'), JSON.stringify(record));
    const [finding] = (await explainScenario(copy, ['event.json', '--account-snapshot', 'authz.json']))
      .findings;
    assert.equal(finding?.fix?.attachKind, 'managed-policy-version');
    assert.deepEqual(finding?.fix?.statements, []);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'DsSandboxAccess is a customer managed policy the permission set DataScientist references by name: each account the permission set is provisioned to holds its own DsSandboxAccess, so make the change in each of them',
        ),
      ),
      finding?.caveats.join('\n'),
    );
  });
});
