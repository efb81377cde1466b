/**
 * Fixes for a request an SCP allow list does not allow: the statements added to the organization's own
 * SCP at the level that lacks them, verified with the whole tree.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import type { ExplainReport } from '../../../src/domain/explain/report.js';
import { renderText } from '../../../src/domain/render/text.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { parseScpFile } from '../../../src/domain/snapshot/controlPolicies.js';
import {
  ACCOUNT,
  deniedObjectRecord,
  explainContext,
  managedPolicy,
  snapshotWithUser,
  userDetail,
} from './explainFixtures.js';

const ALLOW_LIST_ARN =
  'arn:aws:organizations::999900001111:policy/o-abcd1234ef/service_control_policy/p-allow0s3';

/** Organizations' describe-policy output for an SCP. */
function described(name: string, arn: string, statements: readonly unknown[]): unknown {
  return {
    Policy: {
      PolicySummary: {
        Id: arn.slice(arn.lastIndexOf('/') + 1),
        Arn: arn,
        Name: name,
        Type: 'SERVICE_CONTROL_POLICY',
        AwsManaged: name === 'FullAWSAccess',
      },
      Content: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    },
  };
}

const fullAwsAccess = described(
  'FullAWSAccess',
  'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
  [{ Effect: 'Allow', Action: '*', Resource: '*' }],
);

/** The root allows everything; the data platform's OU allows the S3 reads and writes it uses, no deletes. */
function scpLevels(ouPolicies: readonly unknown[]) {
  const parsed = parseScpFile([[fullAwsAccess], ouPolicies], 'scps.json');
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return parsed.levels;
}

const allowList = described('DataPlatformAllowList', ALLOW_LIST_ARN, [
  {
    Sid: 'S3ReadWrite',
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
    Resource: '*',
  },
]);

/** The fixtures' user refused DeleteObject of data/in/a.csv, with AWS's message that no SCP allows it. */
function scpRefusedDelete(): Record<string, unknown> {
  return deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'data', 'in/a.csv', {
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::data/in/a.csv" because no service control policy allows the s3:DeleteObject action`,
  });
}

function explainDelete(
  ouPolicies: readonly unknown[],
  userStatements: readonly unknown[] = [
    { Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'] },
  ],
): ExplainReport {
  const record = scpRefusedDelete();
  return explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
    explainContext({
      snapshot: snapshotWithUser('backup', { Version: '2012-10-17', Statement: userStatements }),
      scpLevels: scpLevels(ouPolicies),
    }),
  );
}

describe('fixes for an SCP allow list', () => {
  test("a caller whose own policies do not allow the request either gets their statement too, verified with the SCP's", () => {
    const report = explainDelete(
      [allowList],
      [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/*' }],
    );
    const finding = report.findings[0]!;
    assert.equal(finding.cause, 'scp-missing-allow');
    assert.equal(finding.fix?.attachKind, 'service-control-policy');
    const deletes = [{ Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: ['arn:aws:s3:::data/in/*'] }];
    assert.deepEqual(
      finding.fix?.statements.map(({ Sid: _sid, ...rest }) => rest),
      deletes,
    );
    assert.equal(finding.fix?.identityChange?.attachKind, 'inline-policy');
    assert.deepEqual(finding.fix?.identityChange?.statements, deletes);
    assert.deepEqual(finding.fix?.identityStatements, deletes);
    assert.equal(
      finding.fix?.verified,
      true,
      `${finding.fix?.verification.join(' | ')} ${finding.caveats.join(' | ')}`,
    );
    assert.ok(
      finding.fix?.verification.some((v) =>
        v.startsWith(
          'Checked with both changes: the statements above and the caller-side statements in the inline policy',
        ),
      ),
      finding.fix?.verification.join('\n'),
    );
    assert.match(
      finding.summary,
      /Fix: add s3:DeleteObject to the service control policy DataPlatformAllowList and s3:DeleteObject to a new inline policy on user\/backup \(verified\)\./,
    );
    assert.match(
      renderText(report, { color: false }),
      /Also needed in the caller's own policies, which do not allow these requests either: /,
    );
  });

  test("the missing action goes into the OU's own SCP, verified with every level", () => {
    const report = explainDelete([allowList]);
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'scp-missing-allow');
    assert.equal(finding.fix?.attachKind, 'service-control-policy');
    assert.equal(finding.fix?.attachTo, ALLOW_LIST_ARN);
    assert.equal(finding.fix?.policyName, 'DataPlatformAllowList');
    assert.deepEqual(finding.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: ['arn:aws:s3:::data/in/*'] },
    ]);
    const fix = finding.fix;
    assert.ok(fix !== null);
    assert.deepEqual((fix.newDocument as { Statement: unknown[] }).Statement.slice(1), [
      {
        Sid: 'PermissionAuditorFix1',
        Effect: 'Allow',
        Action: ['s3:DeleteObject'],
        Resource: ['arn:aws:s3:::data/in/*'],
      },
    ]);
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith('Service control policy DataPlatformAllowList applies to every account'),
      ),
    );
    assert.match(
      finding.summary,
      /Fix: add s3:DeleteObject to the service control policy DataPlatformAllowList \(verified\)\.$/,
    );
    assert.match(
      renderText(report, { color: false }),
      /Fix \(verified\): Update the organization's service control policy arn:aws:organizations::999900001111:policy\/o-abcd1234ef\/service_control_policy\/p-allow0s3 as policy "DataPlatformAllowList"/,
    );
  });

  test("no SCP change when the SCPs given allow the requests; else the lacking level's first policy of the organization's own", () => {
    // FullAWSAccess at the OU allows the delete: AWS's message then points at SCPs not given.
    const allowed = explainDelete([fullAwsAccess, allowList]).findings[0];
    assert.equal(allowed?.requests[0]?.decision, 'Allowed');
    assert.equal(allowed?.fix, null);
    const readOnly = described('ReadOnlyAllowList', `${ALLOW_LIST_ARN}2`, [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' },
    ]);
    const finding = explainDelete([readOnly, allowList]).findings[0];
    assert.equal(finding?.cause, 'scp-missing-allow');
    assert.equal(finding?.fix?.policyName, 'ReadOnlyAllowList');
    assert.equal(finding?.fix?.verified, true);
  });

  test("a Deny-only guardrail before the level's allow list: the statements go into the allow list", () => {
    const regionLock = described('RegionLock', `${ALLOW_LIST_ARN}3`, [
      {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1'] } },
      },
    ]);
    const finding = explainDelete([regionLock, allowList]).findings[0];
    assert.equal(finding?.cause, 'scp-missing-allow');
    assert.equal(finding?.fix?.policyName, 'DataPlatformAllowList');
    assert.equal(finding?.fix?.verified, true);
  });

  test('every level that lacks the requests gets its own change, with only what it lacks, verified together', () => {
    const prodArn = `${ALLOW_LIST_ARN}prod`;
    // The OU allows deletes of objects but not tagging; the production OU below it allows tagging but no deletes.
    const ou = described('DataPlatformAllowList', ALLOW_LIST_ARN, [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:DeleteObject'], Resource: '*' },
    ]);
    const prod = described('ProdAllowList', prodArn, [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObjectTagging'], Resource: '*' },
    ]);
    const parsed = parseScpFile([[fullAwsAccess], [ou], [prod]], 'scps.json');
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    const message = (action: string) =>
      `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: ${action} on resource: "arn:aws:s3:::data/in/a.csv" because no service control policy allows the ${action} action`;
    const records = [
      deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'data', 'in/a.csv', {
        errorMessage: message('s3:DeleteObject'),
      }),
      deniedObjectRecord('PutObjectTagging', 's3:PutObjectTagging', 'data', 'in/a.csv', {
        errorMessage: message('s3:PutObjectTagging'),
      }),
    ];
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: records }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::data/*' }],
        }),
        scpLevels: parsed.levels,
      }),
    );
    const fix = report.findings[0]?.fix;
    assert.equal(fix?.policyName, 'DataPlatformAllowList');
    assert.deepEqual(fix?.statements, [
      { Effect: 'Allow', Action: ['s3:PutObjectTagging'], Resource: ['arn:aws:s3:::data/in/*'] },
    ]);
    assert.deepEqual(
      fix?.otherScps?.map((c) => [c.policyName, c.attachKind, c.statements]),
      [
        [
          'ProdAllowList',
          'service-control-policy',
          [{ Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: ['arn:aws:s3:::data/in/*'] }],
        ],
      ],
    );
    assert.equal(fix?.verified, true, fix?.verification.join(' | '));
    assert.ok(fix?.verification.some((v) => v.includes('DataPlatformAllowList, then ProdAllowList')));
    assert.match(
      report.findings[0]?.summary ?? '',
      /Fix: add s3:PutObjectTagging to the service control policy DataPlatformAllowList and s3:DeleteObject to the service control policy ProdAllowList \(verified\)\.$/,
    );
    assert.ok(
      renderText(report, { color: false }).includes(
        'Also needed at a lower level of the organization, which does not allow these requests either',
      ),
    );
  });
});

describe('an SCP given as a bare policy document', () => {
  test('the fix is named by its file, once, and a caveat says how to find the policy ID to update', () => {
    const parsed = parseScpFile(
      [
        [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
      ],
      'org/ou-data.json',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    const record = scpRefusedDelete();
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::data/*' }],
        }),
        scpLevels: parsed.levels,
      }),
    );
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'scp-missing-allow');
    const fix = finding?.fix;
    assert.equal(fix?.policyArn, undefined);
    assert.equal(fix?.attachTo, fix?.policyName);
    assert.match(fix?.attachTo ?? '', /^org\/ou-data\.json/);
    assert.equal(fix?.verified, true, fix?.verification.join(' | '));
    assert.ok(
      finding?.caveats.some((c) =>
        c.includes(
          `is a policy document with no policy ID or ARN: aws organizations list-policies-for-target --target-id ${ACCOUNT} --filter SERVICE_CONTROL_POLICY`,
        ),
      ),
      finding?.caveats.join(' | '),
    );
    const text = renderText(report, { color: false });
    assert.ok(text.includes(`Update the organization's service control policy ${fix?.attachTo}\n`), text);
  });

  test('one from describe-policy output gets no such caveat', () => {
    const finding = explainDelete([allowList]).findings[0];
    assert.equal(finding?.fix?.attachTo, ALLOW_LIST_ARN);
    assert.ok(!finding?.caveats.some((c) => c.includes('no policy ID or ARN')));
  });
});

describe('an SCP allow list near its quota', () => {
  /** The allow list with a statement whose resource list takes the SCP to about `size` characters. */
  function allowListOf(size: number) {
    const padding = { Sid: 'Reads', Effect: 'Allow', Action: 's3:GetObject', Resource: [] as string[] };
    const statements = [
      {
        Sid: 'S3ReadWrite',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
        Resource: 'arn:aws:s3:::data/*',
      },
      padding,
    ];
    while (JSON.stringify({ Version: '2012-10-17', Statement: statements }).length < size)
      padding.Resource.push(`arn:aws:s3:::archive-${String(padding.Resource.length).padStart(4, '0')}/*`);
    return described('DataPlatformAllowList', ALLOW_LIST_ARN, statements);
  }

  test('a new document over 5,120 characters is said to be, and the fix is not verified as applicable', () => {
    const finding = explainDelete([allowListOf(5100)]).findings[0]!;
    assert.equal(finding.fix?.attachKind, 'service-control-policy');
    assert.equal(finding.fix?.verified, false);
    const note = finding.caveats.find((c) =>
      c.startsWith('The new document of the service control policy DataPlatformAllowList would be'),
    );
    assert.ok(note !== undefined, finding.caveats.join('\n'));
    assert.match(note, /over the quota of 5,120 for a service control policy: Organizations would refuse it/);
    assert.ok(finding.fix?.verification.some((v) => v.startsWith('Not verified as applicable')));
  });

  test('one with room says nothing of the quota', () => {
    const finding = explainDelete([allowListOf(2000)]).findings[0]!;
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join('\n'));
    assert.ok(!finding.caveats.some((c) => c.includes('quota')));
  });
});

describe('an SCP fix for a caller whose managed policy is also its permissions boundary', () => {
  test('the caller-side change is one new version of that policy, checked as both; no second boundary change', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/DataAdmin`;
    const document = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/*' },
      ],
    };
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [
          userDetail('backup', {
            AttachedManagedPolicies: [{ PolicyName: 'DataAdmin', PolicyArn: arn }],
            PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn },
          }),
        ],
        GroupDetailList: [],
        RoleDetailList: [],
        Policies: [managedPolicy('DataAdmin', document, { PermissionsBoundaryUsageCount: 1 })],
      },
      'test',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    const record = scpRefusedDelete();
    const finding = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
      explainContext({ snapshot: parsed.snapshot, scpLevels: scpLevels([allowList]) }),
    ).findings[0];
    assert.equal(finding?.cause, 'scp-missing-allow');
    assert.equal(finding?.fix?.identityChange?.policyArn, arn);
    assert.equal(finding?.fix?.boundary, undefined);
    assert.equal(finding?.fix?.verified, true, finding?.fix?.verification.join(' | '));
    assert.ok(
      finding?.fix?.verification.includes(
        "DataAdmin is also the caller's permissions boundary: its new version raises the boundary too, and was checked as both.",
      ),
    );
  });
});

describe('AWS\'s SCP messages read "explicit deny" whatever refused', () => {
  const explicitMessage = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in a service control policy`;
  const refusal = () =>
    deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'data', 'in/a.csv', {
      errorMessage: explicitMessage,
    });

  test('with an allow list that lacks the action: its fix is verified, with no disagreement said', () => {
    const finding = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [refusal()] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::data/*' }],
        }),
        scpLevels: scpLevels([allowList]),
      }),
    ).findings[0];
    assert.equal(finding?.cause, 'scp-missing-allow');
    assert.equal(finding?.fix?.verified, true, finding?.fix?.verification.join(' | '));
    assert.ok(
      !finding?.caveats.some((c) => c.includes("AWS's message points at the service control policies")),
    );
  });

  test('without the SCPs: the summary and the reason for no fix say either may have refused', () => {
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [refusal()] }) }],
      explainContext(),
    );
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'scp-explicit-deny');
    assert.equal(finding?.evidence, 'message');
    assert.match(
      finding?.summary ?? '',
      /: a service control policy refuses it \(AWS's message reads "explicit deny" for a Deny and for an allow list without the action alike\)\./,
    );
    const text = renderText(report, { color: false });
    assert.ok(text.includes('A service control policy refuses the request'), text);
    assert.ok(text.includes('a missing action must be added to the allow list'), text);
    assert.ok(!text.includes('adding a statement cannot help'), text);
  });
});

describe('an SCP message for a request the SCPs given allow', () => {
  test('says a level not given, or one changed since, refuses it (the SCPs are not "not visible")', () => {
    const record = deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in a service control policy`,
    });
    const finding = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::data/*' }],
        }),
        scpLevels: scpLevels([allowList]),
      }),
    ).findings[0];
    assert.ok(
      finding?.caveats.includes(
        "The visible policies allow the request, and AWS's message names the service control policies, which allow it as given here: a level not given (the root, an OU), or one changed since, refuses it.",
      ),
      finding?.caveats.join(' | '),
    );
  });
});

describe("the organization's management account", () => {
  // The allow list's ARN names the caller's own account as the one that owns the organization's policies.
  const managementAllowList = described(
    'DataPlatformAllowList',
    `arn:aws:organizations::${ACCOUNT}:policy/o-abcd1234ef/service_control_policy/p-allow0s3`,
    [{ Sid: 'S3ReadWrite', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: '*' }],
  );

  test('a caller in the management account is not restricted by the SCPs: the fix is its own policy, never the SCP', () => {
    // AWS names the identity-based policies, as it does for a caller no SCP restricts.
    const record = deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'data', 'in/a.csv', {
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the s3:DeleteObject action`,
    });
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/*' },
          ],
        }),
        scpLevels: scpLevels([managementAllowList]),
      }),
    );
    const finding = report.findings[0]!;
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.equal(finding.fix?.attachKind, 'inline-policy');
    assert.equal(finding.fix?.identityChange, undefined);
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          `The SCPs given (--scp) do not restrict this caller: account ${ACCOUNT} is the organization's management account`,
        ),
      ),
      finding.caveats.join('\n'),
    );
  });

  test('the same allow list owned by another account still refuses the caller', () => {
    const report = explainDelete(
      [allowList],
      [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/*' }],
    );
    assert.equal(report.findings[0]?.cause, 'scp-missing-allow');
  });
});
