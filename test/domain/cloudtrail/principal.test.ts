import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { normalisePrincipal } from '../../../src/domain/cloudtrail/principal.js';

interface PrincipalCase {
  readonly name: string;
  readonly userIdentity: unknown;
  readonly hints?: { messagePrincipalArn?: string };
  readonly expected: Record<string, unknown>;
}

const { cases } = JSON.parse(
  readFileSync(new URL('../../fixtures/cloudtrail/userIdentities.json', import.meta.url), 'utf8'),
) as { cases: PrincipalCase[] };

describe('normalisePrincipal on documented userIdentity shapes', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(normalisePrincipal(c.userIdentity, c.hints), c.expected);
    });
  }
});

describe('normalisePrincipal edge cases', () => {
  test('the case file covers every documented userIdentity type', () => {
    const types = new Set(
      cases.map((c) =>
        typeof c.userIdentity === 'object' && c.userIdentity !== null && 'type' in c.userIdentity
          ? c.userIdentity.type
          : undefined,
      ),
    );
    for (const type of [
      'IAMUser',
      'AssumedRole',
      'FederatedUser',
      'Root',
      'AWSService',
      'AWSAccount',
      'IdentityCenterUser',
    ]) {
      assert.ok(types.has(type), `no case for ${type}`);
    }
  });

  test('no optional field is present with the value undefined', () => {
    for (const c of cases) {
      const principal = normalisePrincipal(c.userIdentity, c.hints);
      for (const [key, value] of Object.entries(principal)) {
        assert.notEqual(value, undefined, `${c.name}: ${key} is undefined`);
      }
    }
  });

  test('an Identity Center role whose permission set has underscores keeps them', () => {
    const principal = normalisePrincipal({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_S3_Read_Only_a1b2c3d4e5f60718/bob',
      accountId: '111122223333',
    });
    assert.equal(principal.type, 'IdentityCenter');
    assert.equal(principal.permissionSet, 'S3_Read_Only');
    assert.equal(
      principal.policyPrincipalArn,
      'arn:aws:iam::111122223333:role/AWSReservedSSO_S3_Read_Only_a1b2c3d4e5f60718',
    );
  });

  test('a role name that merely starts with AWSReservedSSO_ but lacks the hash stays a Role', () => {
    const principal = normalisePrincipal({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_custom/bob',
      accountId: '111122223333',
    });
    assert.equal(principal.type, 'Role');
    assert.equal(principal.permissionSet, undefined);
  });

  test('a GovCloud assumed role keeps its partition in the derived role ARN', () => {
    const principal = normalisePrincipal({
      type: 'AssumedRole',
      arn: 'arn:aws-us-gov:sts::111122223333:assumed-role/uploader/job-42',
    });
    assert.equal(principal.roleArn, 'arn:aws-us-gov:iam::111122223333:role/uploader');
    assert.equal(principal.account, '111122223333');
  });

  test('field values of the wrong type are ignored instead of throwing', () => {
    const principal = normalisePrincipal({ type: 'IAMUser', arn: 42, userName: ['x'], accountId: null });
    assert.deepEqual(principal, { type: 'IAMUser' });
  });

  test("a user or role session without its ARN takes the message's, when it is of that kind and account", () => {
    const user = 'arn:aws:iam::111122223333:user/ops/rclone-backup';
    assert.deepEqual(normalisePrincipal({ type: 'IAMUser' }, { messagePrincipalArn: user }), {
      type: 'IAMUser',
      arn: user,
      account: '111122223333',
      name: 'rclone-backup',
      policyPrincipalArn: user,
    });
    // Another account's user, or a role session named for an IAM user, is not taken.
    assert.deepEqual(
      normalisePrincipal({ type: 'IAMUser', accountId: '444455556666' }, { messagePrincipalArn: user }),
      { type: 'IAMUser', account: '444455556666' },
    );
    const session = 'arn:aws:sts::111122223333:assumed-role/etl/run-7';
    assert.deepEqual(normalisePrincipal({ type: 'IAMUser' }, { messagePrincipalArn: session }), {
      type: 'IAMUser',
    });
    // A hint that names another user, role or session than the record does is not taken.
    assert.equal(
      normalisePrincipal({ type: 'IAMUser', userName: 'alice' }, { messagePrincipalArn: user }).arn,
      undefined,
    );
    assert.equal(
      normalisePrincipal({ type: 'IAMUser', userName: 'rclone-backup' }, { messagePrincipalArn: user }).arn,
      user,
    );
    const issuedBy = (role: string) => ({
      type: 'AssumedRole',
      sessionContext: { sessionIssuer: { arn: `arn:aws:iam::111122223333:role/${role}`, userName: role } },
    });
    assert.equal(normalisePrincipal(issuedBy('other'), { messagePrincipalArn: session }).arn, undefined);
    assert.equal(normalisePrincipal(issuedBy('etl'), { messagePrincipalArn: session }).arn, session);
    assert.equal(
      normalisePrincipal(
        { type: 'AssumedRole', principalId: 'AROAEXAMPLE:run-8' },
        { messagePrincipalArn: session },
      ).arn,
      undefined,
    );
    const role = normalisePrincipal({ type: 'AssumedRole' }, { messagePrincipalArn: session });
    assert.equal(role.arn, session);
    assert.equal(role.roleArn, 'arn:aws:iam::111122223333:role/etl');
    assert.equal(role.sessionName, 'run-7');
  });

  test('a hint that is not an ARN does not invent a principal', () => {
    assert.deepEqual(normalisePrincipal(undefined, { messagePrincipalArn: 'anonymous' }), {
      type: 'Unknown',
    });
  });
});

describe('normalisePrincipal properties', () => {
  test('any JSON value gives a principal with a known type and never throws', () => {
    const known = new Set([
      'IAMUser',
      'Role',
      'FederatedUser',
      'Root',
      'AWSService',
      'AWSAccount',
      'IdentityCenter',
      'Anonymous',
      'Unknown',
    ]);
    const identity = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          type: fc.constantFrom(
            'IAMUser',
            'AssumedRole',
            'FederatedUser',
            'Root',
            'AWSService',
            'AWSAccount',
            'IdentityCenterUser',
            'X',
          ),
          arn: fc.oneof(fc.string(), fc.constant('arn:aws:sts::111122223333:assumed-role/r/s')),
          accountId: fc.oneof(fc.string(), fc.constant('anonymous')),
          sessionContext: fc.jsonValue(),
          onBehalfOf: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(identity, fc.option(fc.string(), { nil: undefined }), (value, hint) => {
        const principal = normalisePrincipal(
          value,
          hint === undefined ? undefined : { messagePrincipalArn: hint },
        );
        assert.ok(known.has(principal.type));
      }),
    );
  });
});

test('identities that differ only in a field the normaliser reads are never confused (memoised normalisation)', () => {
  const base = {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLE:job',
    arn: 'arn:aws:sts::111122223333:assumed-role/deploy/job',
    accountId: '111122223333',
    sessionContext: {
      sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/ci/deploy', userName: 'deploy' },
    },
  };
  const other = {
    ...base,
    sessionContext: {
      sessionIssuer: {
        ...base.sessionContext.sessionIssuer,
        arn: 'arn:aws:iam::111122223333:role/prod/deploy',
      },
    },
  };
  assert.equal(normalisePrincipal(base).roleArn, 'arn:aws:iam::111122223333:role/ci/deploy');
  assert.equal(normalisePrincipal(other).roleArn, 'arn:aws:iam::111122223333:role/prod/deploy');
  assert.equal(normalisePrincipal(base).roleArn, 'arn:aws:iam::111122223333:role/ci/deploy');
});
