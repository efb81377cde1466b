/**
 * The lead caveat for a caller of a kind whose permissions live elsewhere: an IAM Identity Center role
 * is changed through its permission set, and its permissions boundary through the policy the permission
 * set names.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Principal } from '../../../src/domain/cloudtrail/types.js';
import { principalAdvice } from '../../../src/domain/explain/principalAdvice.js';

const ssoRole: Principal = {
  type: 'IdentityCenter',
  arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_DataScientist_0a1b2c3d4e5f6789/maria',
  account: '111122223333',
  permissionSet: 'DataScientist',
};

describe('principalAdvice', () => {
  test('an AWS service the record does not name (no invokedBy) is said so, not as an empty name', () => {
    const advice = principalAdvice({ type: 'AWSService' }, 'resource-policy-missing-allow') ?? '';
    assert.match(
      advice,
      /^The request was made by an AWS service the record does not name \(no invokedBy\):/,
    );
    assert.match(
      principalAdvice(
        { type: 'AWSService', name: 'cloudtrail.amazonaws.com' },
        'resource-policy-missing-allow',
      ) ?? '',
      /^The request was made by the AWS service cloudtrail\.amazonaws\.com:/,
    );
  });

  test('a privileged root session (sts:AssumeRoot) is limited to its task policy, not the root user with full access', () => {
    const root: Principal = { type: 'Root', arn: 'arn:aws:iam::111122223333:root', account: '111122223333' };
    for (const cause of [
      'session-policy',
      'allowed-by-visible-policies',
      'resource-policy-missing-allow',
    ] as const) {
      const advice = principalAdvice({ ...root, assumedRoot: true }, cause) ?? '';
      assert.match(advice, /^This is a privileged root session \(sts:AssumeRoot, centralized root access/);
      assert.match(advice, /can do only what the task policy it was started with allows/);
      assert.match(advice, /id_root-user-privileged-task\.html/);
      assert.doesNotMatch(advice, /full access/);
    }
    // The root user signed in keeps the advice it had.
    assert.match(
      principalAdvice(root, 'session-policy') ?? '',
      /^The root user has full access in its own account:/,
    );
  });

  test('an Identity Center role missing an identity Allow: change the permission set, not the role', () => {
    const advice = principalAdvice(ssoRole, 'identity-missing-allow') ?? '';
    assert.match(advice, /^This is an IAM Identity Center role: change the permission set DataScientist /);
    assert.doesNotMatch(advice, /boundary/);
  });

  test('an Identity Center role refused by its boundary: the policy the permission set names as boundary', () => {
    const advice = principalAdvice(ssoRole, 'boundary-missing-allow') ?? '';
    assert.match(advice, /permissions boundary is the one the permission set DataScientist sets/);
    assert.match(advice, /in every account the permission set is provisioned to/);
    assert.doesNotMatch(advice, /inline policy or managed policies of the permission set/);
  });

  test('a caller of an unknown type: not identified without an ARN, looked up by its ARN with one', () => {
    assert.match(
      principalAdvice({ type: 'Unknown' }, 'not-evaluable') ?? '',
      /^CloudTrail did not identify the caller, so its policies could not be looked up\.$/,
    );
    const advice =
      principalAdvice(
        { type: 'Unknown', arn: 'arn:aws:iam::111122223333:user/u', account: '111122223333' },
        'identity-missing-allow',
      ) ?? '';
    assert.match(
      advice,
      /known only by its ARN arn:aws:iam::111122223333:user\/u: its policies were looked up/,
    );
    assert.doesNotMatch(advice, /could not be looked up/);
  });

  test("an Identity Center user's own identity (no role, no permission set) is pointed at S3 Access Grants", () => {
    const advice =
      principalAdvice(
        { type: 'IdentityCenter', account: '111122223333', name: 'user-7a1b' },
        'identity-missing-allow',
      ) ?? '';
    assert.match(
      advice,
      /^The request was made with an IAM Identity Center user's own identity \(user ID user-7a1b\)/,
    );
    assert.match(advice, /S3 Access Grants/);
    assert.doesNotMatch(advice, /change the permission set/);
  });

  test('an IAM user gets no lead caveat', () => {
    assert.equal(
      principalAdvice(
        { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/u', account: '111122223333' },
        'identity-missing-allow',
      ),
      undefined,
    );
  });
});
