/**
 * A caller subject to a policy whose document the snapshot lacks (a managed policy or a permissions
 * boundary attached but not listed, as in a snapshot taken with a narrow `--filter`): the requests are
 * evaluated without it, and a fix checked that way is not verified, since a Deny in that policy, or a
 * boundary that does not allow the actions, would still refuse the requests.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import type { Finding } from '../../../src/domain/explain/report.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { ACCOUNT, deniedRecord, explainContext, managedPolicy, userDetail } from './explainFixtures.js';

const ALLOW_READ = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }],
};

/** User `backup` with an inline read policy, plus the given attachments (whose documents the snapshot lacks unless listed). */
function explainWith(
  user: Record<string, unknown>,
  policies: readonly unknown[] = [],
  record: Record<string, unknown> = deniedRecord(),
  groups: readonly unknown[] = [],
): Finding {
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [
        userDetail('backup', {
          UserPolicyList: [{ PolicyName: 'read', PolicyDocument: ALLOW_READ }],
          ...user,
        }),
      ],
      GroupDetailList: groups,
      RoleDetailList: [],
      Policies: policies,
    },
    'test',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
    explainContext({ snapshot: parsed.snapshot }),
  );
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

const PUT_IN = { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::data/in/*'] };

describe('policies the snapshot lacks', () => {
  test('with every attached policy in the snapshot, the fix is verified (the control case)', () => {
    const finding = explainWith({});
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.deepEqual(finding.fix?.statements, [PUT_IN]);
    assert.equal(finding.fix?.verified, true);
    assert.ok(!finding.caveats.some((c) => c.includes('not in the snapshot')));
  });

  test('a managed policy attached but not listed leaves the fix unverified, naming the policy', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/DataGuardrail`;
    const finding = explainWith({
      AttachedManagedPolicies: [{ PolicyName: 'DataGuardrail', PolicyArn: arn }],
    });
    // The same statement is proposed: the engine allows the request with it, as far as it can see.
    assert.equal(finding.evidence, 'policies');
    assert.deepEqual(finding.fix?.statements, [PUT_IN]);
    assert.equal(finding.fix?.verified, false);
    const last = finding.fix?.verification.at(-1) ?? '';
    assert.match(
      last,
      /^Not verified as enough: .*policy DataGuardrail, which applies to the caller, is not in the snapshot, and a Deny in it would still refuse the requests\./,
    );
    assert.match(last, /get-account-authorization-details, every page, without --filter\)/);
    assert.ok(
      finding.caveats.includes(
        `Policy ${arn}, attached to user backup, is not in the snapshot: the requests were evaluated without it, and its effect is unknown.`,
      ),
    );
    assert.match(finding.summary, /\(not verified\)\.$/);
    // AWS's message said no identity-based policy allows it: the summary needs no hedge.
    assert.match(finding.summary, /: no identity-based policy allows it\. Fix:/);
  });

  test("with AWS's legacy message, the summary's missing identity Allow holds as far as the snapshot shows", () => {
    const arn = 'arn:aws:iam::aws:policy/AmazonS3FullAccess';
    const finding = explainWith(
      { AttachedManagedPolicies: [{ PolicyName: 'AmazonS3FullAccess', PolicyArn: arn }] },
      [],
      deniedRecord({ errorMessage: 'Access Denied' }),
    );
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.match(
      finding.summary,
      /: no identity-based policy allows it, as far as the snapshot shows \(policy AmazonS3FullAccess, which applies to the caller, is not in it\)\. Fix:/,
    );
  });

  test("a managed policy listed without its default version's document is said to be there, its document missing", () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/DataGuardrail`;
    // DefaultVersionId v2, and only v1 in PolicyVersionList (a trimmed export).
    const trimmed = managedPolicy('DataGuardrail', ALLOW_READ, {
      DefaultVersionId: 'v2',
      PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: false, Document: ALLOW_READ }],
    });
    const finding = explainWith(
      { AttachedManagedPolicies: [{ PolicyName: 'DataGuardrail', PolicyArn: arn }] },
      [trimmed],
      deniedRecord({ errorMessage: 'Access Denied' }),
    );
    assert.equal(finding.fix?.verified, false);
    assert.ok(!finding.caveats.some((c) => c.includes('is not in the snapshot')), finding.caveats.join('\n'));
    assert.ok(
      finding.caveats.includes(
        `Policy ${arn}, attached to user backup, is in the snapshot, but not the document of its default version v2 (its PolicyVersionList lacks it): the requests were evaluated without it, and its effect is unknown. Get it with aws iam get-policy-version --policy-arn ${arn} --version-id v2, or export the snapshot again (get-account-authorization-details, every page, without --filter), and run again.`,
      ),
      finding.caveats.join('\n'),
    );
    assert.equal(
      finding.fix?.verification.at(-1),
      `Not verified as enough: the checks above used the policies in the snapshot, but policy DataGuardrail is in the snapshot without the document of its default version (v2), and a Deny in it would still refuse the requests. Get it with aws iam get-policy-version --policy-arn ${arn} --version-id v2, or export the snapshot again (get-account-authorization-details, every page, without --filter), and run again.`,
    );
    assert.match(
      finding.summary,
      /as far as the snapshot shows \(the default version \(v2\) of policy DataGuardrail, which applies to the caller, is not in it\)/,
    );
  });

  test('a permissions boundary not listed: evaluated as if there were none, and the fix is not verified', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/TeamBoundary`;
    const finding = explainWith({
      PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn },
    });
    assert.equal(finding.evidence, 'policies');
    assert.equal(finding.fix?.verified, false);
    assert.match(
      finding.fix?.verification.at(-1) ?? '',
      /the permissions boundary TeamBoundary is not in the snapshot, and it must allow the requests too\./,
    );
    // The identity policies were checked: only the boundary is unknown.
    assert.ok(!finding.caveats.some((c) => c.startsWith('Identity policies could not be checked')));
    assert.ok(
      finding.caveats.includes(
        `Permissions boundary ${arn} of user backup is not in the snapshot: the requests were evaluated as if there were no boundary, and its effect is unknown.`,
      ),
    );
  });

  test('a group of the user the snapshot lacks: its policies were not evaluated, and the fix is not verified', () => {
    const finding = explainWith({ GroupList: ['Ops'] });
    assert.equal(finding.fix?.verified, false);
    assert.match(
      finding.fix?.verification.at(-1) ?? '',
      /the caller's group Ops is not in the snapshot, and a Deny in its policies would still refuse the requests\./,
    );
    assert.ok(
      finding.caveats.includes(
        'Group Ops of user backup is not in the snapshot: its policies were not evaluated, and their effect is unknown.',
      ),
      finding.caveats.join('\n'),
    );
  });

  test('one missing policy attached to the user and to its groups is named once, with every holder', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/Guard`;
    const attached = [{ PolicyName: 'Guard', PolicyArn: arn }];
    const finding = explainWith(
      { GroupList: ['Ops', 'Dev'], AttachedManagedPolicies: attached },
      [],
      deniedRecord(),
      ['Ops', 'Dev'].map((name) => ({
        GroupName: name,
        GroupId: `AGPA${name.toUpperCase()}`,
        Arn: `arn:aws:iam::${ACCOUNT}:group/${name}`,
        Path: '/',
        GroupPolicyList: [],
        AttachedManagedPolicies: attached,
      })),
    );
    assert.equal(finding?.fix?.verified, false);
    assert.match(
      finding?.fix?.verification.at(-1) ?? '',
      / policy Guard, which applies to the caller, is not/,
    );
    assert.match(finding?.fix?.verification.at(-1) ?? '', /\. Add it to the snapshot/);
    const unseen = finding?.caveats.filter((c) => c.includes('is not in the snapshot')) ?? [];
    assert.deepEqual(unseen, [
      `Policy ${arn}, attached to user backup, group Ops and group Dev, is not in the snapshot: the requests were evaluated without it, and its effect is unknown.`,
    ]);
  });

  test('AWS names the boundary the snapshot lacks, and the visible policies allow: the boundary is the cause, with no fix', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/TeamBoundary`;
    const finding = explainWith(
      {
        PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn },
        UserPolicyList: [
          {
            PolicyName: 'write',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' }],
            },
          },
        ],
      },
      [],
      deniedRecord({
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" because no permissions boundary allows the s3:PutObject action`,
      }),
    );
    assert.equal(finding.cause, 'boundary-missing-allow');
    assert.equal(finding.fix, null);
    assert.ok(
      finding.caveats.includes(
        "The visible policies allow the request, and AWS's message names the permissions boundary: the snapshot lacks the permissions boundary TeamBoundary, which is what refuses it. Add it to the snapshot and run again for a fix.",
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(!finding.caveats.some((c) => c.includes('No S3 request to grant')));
    assert.ok(!finding.caveats.some((c) => c.includes('the snapshot may be out of date')));
  });

  test('the same boundary, listed and allowing the action, leaves the fix verified', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/TeamBoundary`;
    const finding = explainWith(
      { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn } },
      [
        managedPolicy('TeamBoundary', {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::data/*' }],
        }),
      ],
    );
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
    assert.ok(!finding.caveats.some((c) => c.includes('not in the snapshot')));
  });
});

/** User `backup` allowed to write, with a Deny of the same writes whose lower-case Effect the engine cannot read. */
const WRITE_WITH_UNREAD_DENY = {
  UserPolicyList: [
    {
      PolicyName: 'write',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' },
          { Effect: 'deny', Action: 's3:PutObject', Resource: '*' },
        ],
      },
    },
  ],
};

describe('statements the engine could not read', () => {
  test('a statement left out of the evaluation is named, and a fix checked without it is not verified', () => {
    const finding = explainWith({
      UserPolicyList: [
        { PolicyName: 'read', PolicyDocument: ALLOW_READ },
        {
          PolicyName: 'guard',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 5, Resource: '*' }],
          },
        },
      ],
    });
    assert.deepEqual(finding.fix?.statements, [PUT_IN]);
    assert.equal(finding.fix?.verified, false);
    assert.match(
      finding.fix?.verification.at(-1) ?? '',
      /^Not verified as enough: statement 1 of the identity policy guard could not be read and was left out of the checks above; a Deny there would still refuse the requests\.$/,
    );
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith('Statement 1 of the identity policy guard could not be read (Action: '),
      ),
      finding.caveats.join('\n'),
    );
  });

  test('a statement the engine reads past (a numeric Sid, an unknown element) is no caveat; an unread Allow leaves the fix verified', () => {
    const withGuard = (statement: Record<string, unknown>) =>
      explainWith({
        UserPolicyList: [
          { PolicyName: 'read', PolicyDocument: ALLOW_READ },
          { PolicyName: 'guard', PolicyDocument: { Version: '2012-10-17', Statement: [statement] } },
        ],
      });
    const readPast = withGuard({ Sid: 1, Note: 'x', Effect: 'Deny', Action: 'ec2:*', Resource: '*' });
    assert.equal(readPast.fix?.verified, true, readPast.fix?.verification.join(' | '));
    assert.ok(!readPast.caveats.some((c) => c.includes('could not be read')), readPast.caveats.join('\n'));
    // An Allow left out grants less, which the evaluation already assumes: named, but the fix stands.
    const unreadAllow = withGuard({ Effect: 'Allow', Action: 7, Resource: '*' });
    assert.equal(unreadAllow.fix?.verified, true);
    assert.ok(
      unreadAllow.caveats.some((c) =>
        c.startsWith('Statement 1 of the identity policy guard could not be read'),
      ),
    );
    // Several problems of one statement make one caveat.
    const twoProblems = withGuard({ Effect: 'deny', Action: ['x', 'y'], Resource: '*' });
    assert.equal(twoProblems.fix?.verified, false);
    const unread = twoProblems.caveats.filter((c) => c.includes('could not be read'));
    assert.equal(unread.length, 1, unread.join('\n'));
    assert.match(
      unread[0] ?? '',
      /\(Effect: .*; Action: .*"x" is not of the form service:action; Action: .*"y"/,
    );
  });

  test('a statement left out is not the likely cause of a request that lacked an Allow (it could only deny)', () => {
    const finding = explainWith(WRITE_WITH_UNREAD_DENY, [], deniedRecord());
    assert.equal(finding.cause, 'allowed-by-visible-policies');
    assert.ok(
      !finding.caveats.some((c) => c.includes('which is likely what refuses it')),
      finding.caveats.join('\n'),
    );
  });

  test("AWS's message names the kind of policy whose statement could not be read: that statement is the likely cause", () => {
    const finding = explainWith(
      WRITE_WITH_UNREAD_DENY,
      [],
      deniedRecord({
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in an identity-based policy`,
      }),
    );
    assert.equal(finding.cause, 'identity-explicit-deny');
    assert.equal(finding.fix, null);
    assert.ok(
      finding.caveats.includes(
        "The visible policies allow the request, and AWS's message names the identity-based policies: statement 2 of the identity policy write could not be read (see above), which is likely what refuses it.",
      ),
      finding.caveats.join('\n'),
    );
  });
});
