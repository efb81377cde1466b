/**
 * Callers of another account that a bucket policy names otherwise than by a role or user ARN (scenario 05
 * with another caller). A federated user (GetFederationToken): the statement names its session's ARN,
 * which is what a resource-based policy grants a federated user by, not the IAM user that issued it. The
 * root user: its account's ARN, which names the whole account, and nothing on its own side. A role known
 * only from the session ARN of the message: its ARN without the path the session ARN does not show.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getfederationtoken.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { explainScenario } from './explainScenario.js';

/** The only finding of the fixture directory `name`, explained with its snapshot and the given bucket's policy. */
async function onlyFinding(name: string, bucket?: string) {
  const report = await explainScenario(join(import.meta.dirname, '..', 'fixtures', name), [
    'event.json',
    ...(bucket === undefined
      ? []
      : ['--account-snapshot', 'authz.json', '--bucket-policy', `${bucket}=bucket-policy.json`]),
  ]);
  assert.equal(report.findings.length, 1);
  return report.findings[0];
}

describe('a federated user of another account', () => {
  test("the bucket policy's Principal is the federated user's ARN", async () => {
    const finding = await onlyFinding('federated-cross-account', 'partner-exports');
    assert.equal(finding?.principal.type, 'FederatedUser');
    assert.equal(finding?.cause, 'resource-policy-missing-allow');
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Principal),
      [{ AWS: 'arn:aws:sts::444455556666:federated-user/etl-fed' }],
    );
    // The session policy passed to GetFederationToken is not visible: not verified, and said so.
    assert.equal(finding?.fix?.verified, false);
    assert.ok(finding?.caveats.some((c) => c.includes('1 request still lacks an Allow in: session')));
  });
});

describe('the root user of another account', () => {
  test('gets the bucket-policy statement alone, with what naming its account grants, and no identity statements', async () => {
    const finding = await onlyFinding('root-cross-account', 'partner-exports');
    assert.equal(finding?.principal.type, 'Root');
    assert.equal(finding?.cause, 'resource-policy-missing-allow');
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Principal),
      [{ AWS: 'arn:aws:iam::444455556666:root' }],
    );
    assert.equal(finding?.fix?.identityStatements, undefined);
    const caveats = finding?.caveats.join('\n') ?? '';
    assert.match(caveats, /in a bucket policy it names the whole account, not its root user alone/);
    assert.match(
      caveats,
      /^The root user has full access in its own account only: another account's bucket must allow it/m,
    );
    assert.doesNotMatch(caveats, /its own policies must allow these actions too/);
    assert.doesNotMatch(caveats, /a denial comes from an SCP, an RCP/);
    // "Verified" is said of the caller: the verification names whom else the Principal admits.
    assert.ok(
      finding?.fix?.verification.some((line) =>
        line.includes("the Principal, the account's ARN, also admits every user and role of that account"),
      ),
      finding?.fix?.verification.join('\n'),
    );
  });
});

describe('a role of another account known only from the session ARN in the message', () => {
  test('the bucket policy names the role rebuilt from the session ARN, and a caveat says its path is not known', async () => {
    const finding = await onlyFinding('cross-account-session-message', 'data-bucket');
    assert.equal(finding?.principal.type, 'AWSAccount');
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Principal),
      [{ AWS: 'arn:aws:iam::444455556666:role/etl-runner' }],
    );
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          "The role's ARN (arn:aws:iam::444455556666:role/etl-runner) is rebuilt from its session's, which does not show the role's path",
        ),
      ),
      finding?.caveats.join('\n'),
    );
  });
});

describe('a user of another account, from the message alone, refused by the bucket policy', () => {
  test('gets no statement, but a caveat naming the bucket policy, the Principal and how to check it', async () => {
    const finding = await onlyFinding('cross-account-message-only');
    assert.equal(finding?.evidence, 'message');
    assert.equal(finding?.cause, 'resource-policy-missing-allow');
    assert.equal(finding?.fix, null);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          "AWS's message says no resource-based policy allows the request: the bucket policy of data-bucket must allow it, in a statement whose Principal names arn:aws:iam::444455556666:user/partner",
        ),
      ),
      finding?.caveats.join('\n'),
    );
  });
});
