/**
 * Identity fixes for roles whose permissions boundary refuses the requests too: the boundary's missing
 * statements as a new version of it, verified together with the identity change, and combined when
 * several findings raise the same boundary.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import type { ExplainReport, Finding } from '../../../src/domain/explain/report.js';
import { renderMarkdown } from '../../../src/domain/render/markdown.js';
import { renderSlack } from '../../../src/domain/render/slack.js';
import { renderText } from '../../../src/domain/render/text.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { ACCOUNT, deniedObjectRecord, explainContext } from './explainFixtures.js';

const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/AppBoundary`;

/** The boundary lets the app roles read and write `orders/` and nothing else. */
const boundaryDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AppData',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: 'arn:aws:s3:::orders/*',
    },
  ],
};

/** A role of the app (under the boundary) whose inline policy allows `actions` on `orders/*`. */
function appRole(name: string, actions: readonly string[]): Record<string, unknown> {
  return {
    Path: '/',
    RoleName: name,
    RoleId: `AROA${name.toUpperCase().replace(/[^A-Z]/g, '')}`,
    Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    RolePolicyList: [
      {
        PolicyName: 'app-data',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: actions, Resource: 'arn:aws:s3:::orders/*' }],
        },
      },
    ],
    AttachedManagedPolicies: [],
    PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: BOUNDARY_ARN },
  };
}

function context(
  boundary: unknown = boundaryDocument,
  roles = [appRole('orders-api', ['s3:GetObject']), appRole('billing-api', ['s3:GetObject'])],
) {
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: roles,
      Policies: [
        {
          PolicyName: 'AppBoundary',
          Arn: BOUNDARY_ARN,
          Path: '/',
          DefaultVersionId: 'v1',
          PermissionsBoundaryUsageCount: 2,
          AttachmentCount: 0,
          PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: boundary }],
        },
      ],
    },
    'test',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return explainContext({ snapshot: parsed.snapshot });
}

/** A refused call of role `role` (a Lambda session), logged with S3's legacy message. */
function refused(role: string, eventName: string, action: string, key: string): Record<string, unknown> {
  return deniedObjectRecord(eventName, action, 'orders', key, {
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROA${role.toUpperCase().replace(/[^A-Z]/g, '')}:${role}-fn`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${role}-fn`,
      accountId: ACCOUNT,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
          accountId: ACCOUNT,
          userName: role,
        },
      },
    },
    userAgent: '[Boto3/1.35.36 md/Botocore#1.35.36 Botocore/1.35.36]',
    errorMessage: 'Access Denied',
  });
}

function explain(...records: Record<string, unknown>[]): ExplainReport {
  return explainTexts([{ input: 'trail.json', text: JSON.stringify({ Records: records }) }], context());
}

function onlyFinding(report: ExplainReport): Finding {
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

const deleteOf = (prefix: string) => ({
  Effect: 'Allow',
  Action: ['s3:DeleteObject'],
  Resource: [`arn:aws:s3:::orders/${prefix}/*`],
});

describe('a boundary under an old Version that holds ${', () => {
  test('gets no statement whose ${*} it would read literally, and says how to move it to 2012-10-17', () => {
    const oldBoundary = {
      Version: '2008-10-17',
      Statement: [
        ...boundaryDocument.Statement,
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::orders/home/${aws:username}/*' },
      ],
    };
    const report = explainTexts(
      [
        {
          input: 'trail.json',
          text: JSON.stringify({
            Records: [refused('orders-api', 'DeleteObject', 's3:DeleteObject', 'tmp/a*b/x.csv')],
          }),
        },
      ],
      context(oldBoundary, [appRole('orders-api', ['s3:GetObject', 's3:DeleteObject'])]),
    );
    const finding = onlyFinding(report);
    assert.equal(finding.cause, 'boundary-missing-allow');
    assert.equal(finding.fix, null);
    assert.ok(
      finding.caveats.some((c) =>
        c.includes(
          'the permissions boundary AppBoundary has Version "2008-10-17" and holds ${ in its own statements',
        ),
      ),
      finding.caveats.join(' | '),
    );
  });
});

describe('identity fixes under a permissions boundary', () => {
  test('a grant the boundary refuses too comes with the boundary statements, verified together', () => {
    const finding = onlyFinding(
      explain(refused('orders-api', 'DeleteObject', 's3:DeleteObject', 'tmp/a.csv')),
    );
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.deepEqual(finding.fix?.statements, [deleteOf('tmp')]);
    assert.equal(finding.fix?.attachTo, `arn:aws:iam::${ACCOUNT}:role/orders-api`);
    assert.equal(finding.fix?.boundary?.policyArn, BOUNDARY_ARN);
    assert.equal(finding.fix?.boundary?.policyName, 'AppBoundary');
    assert.deepEqual(finding.fix?.boundary?.statements, [deleteOf('tmp')]);
    // The new version is the boundary as it is, plus the statement.
    const boundary = finding.fix?.boundary;
    assert.ok(boundary !== undefined);
    const statements = (boundary.newDocument as { Statement: unknown[] }).Statement;
    assert.deepEqual(statements[0], boundaryDocument.Statement[0]);
    assert.deepEqual(statements.slice(1), [{ Sid: 'PermissionAuditorFix1', ...deleteOf('tmp') }]);
    assert.match(finding.fix?.boundary?.diff ?? '', /^\+ .*"s3:DeleteObject"/m);
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
    assert.ok(finding.fix?.verification.some((v) => v.includes('permissions boundary AppBoundary')));
    // The boundary serves the other role too: its ceiling rises as well.
    assert.ok(
      finding.caveats.includes(
        'AppBoundary also serves role billing-api (its permissions boundary): its new version raises its ceiling as well, though what it can do still depends on its own identity-based policies. Verification covered this principal only.',
      ),
      finding.caveats.join(' | '),
    );
    assert.ok(!finding.caveats.some((c) => c.includes('add them to the boundary as well')));
    assert.match(
      finding.summary,
      /Fix: add s3:DeleteObject to a new inline policy on role\/orders-api and s3:DeleteObject to a new version of the permissions boundary AppBoundary \(verified\)\.$/,
    );
  });

  test('the boundary gets only what it refuses: a grant it already allows changes the identity side alone', () => {
    const report = explain(refused('orders-api', 'PutObject', 's3:PutObject', 'out/a.csv'));
    const finding = onlyFinding(report);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.equal(finding.fix?.boundary, undefined);
    assert.equal(finding.fix?.verified, true);
  });

  test('two findings that raise the same boundary get one combined boundary version', () => {
    const report = explain(
      refused('orders-api', 'DeleteObject', 's3:DeleteObject', 'tmp/a.csv'),
      refused('billing-api', 'DeleteObject', 's3:DeleteObject', 'invoices/b.pdf'),
    );
    assert.equal(report.findings.length, 2);
    const change = report.policyChanges?.find((c) => c.policyArn === BOUNDARY_ARN);
    assert.ok(change !== undefined, JSON.stringify(report.policyChanges));
    assert.deepEqual(change.findings, [1, 2]);
    assert.deepEqual(change.statements, [
      {
        Sid: 'PermissionAuditorFix1',
        Effect: 'Allow',
        Action: ['s3:DeleteObject'],
        Resource: ['arn:aws:s3:::orders/invoices/*', 'arn:aws:s3:::orders/tmp/*'],
      },
    ]);
    // A boundary of two principals is verified per finding, not as a whole.
    assert.equal(change.verified, false);
    for (const [i, finding] of report.findings.entries()) {
      assert.ok(
        finding.caveats.some((c) => c.includes(`also changes the managed policy AppBoundary`)),
        `finding ${i + 1}: ${finding.caveats.join(' | ')}`,
      );
    }
  });

  test('every format shows the boundary change', () => {
    const report = explain(refused('orders-api', 'DeleteObject', 's3:DeleteObject', 'tmp/a.csv'));
    const text = renderText(report, { color: false });
    assert.match(
      text,
      /Also needed, as the permissions boundary does not allow these requests either: Create a new default version of the managed policy arn:aws:iam::\d+:policy\/AppBoundary as policy "AppBoundary"/,
    );
    assert.match(
      text,
      /Where they go \(diff of the policy version, unchanged lines cut\):\n(?:.*\n)*\s+\+ .*"s3:DeleteObject"/,
    );
    assert.match(
      renderMarkdown(report),
      /Also needed, as the permissions boundary does not allow these requests either: Create a new default version of the managed policy `arn:aws:iam::\d+:policy\/AppBoundary` as policy `AppBoundary`/,
    );
    const slack = JSON.stringify(renderSlack(report));
    assert.match(
      slack,
      /\*Also needed, as the permissions boundary does not allow these requests either\*: Create a new default version of the managed policy `arn:aws:iam::\d+:policy\/AppBoundary` as policy `AppBoundary`/,
    );
  });
});

describe("a managed policy that is both the role's permissions policy and its boundary", () => {
  test('one new version of it is the fix, checked as both; no second change of the same policy', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/AppPolicy`;
    const document = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Orders', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::orders/in/*' },
      ],
    };
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [],
        GroupDetailList: [],
        RoleDetailList: [
          {
            Path: '/',
            RoleName: 'app',
            RoleId: 'AROAAPP',
            Arn: `arn:aws:iam::${ACCOUNT}:role/app`,
            RolePolicyList: [],
            AttachedManagedPolicies: [{ PolicyName: 'AppPolicy', PolicyArn: arn }],
            PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn },
          },
        ],
        Policies: [
          {
            PolicyName: 'AppPolicy',
            Arn: arn,
            Path: '/',
            DefaultVersionId: 'v4',
            PermissionsBoundaryUsageCount: 1,
            AttachmentCount: 1,
            PolicyVersionList: [
              { VersionId: 'v4', IsDefaultVersion: true, Document: document },
              { VersionId: 'v3', IsDefaultVersion: false, Document: document },
              { VersionId: 'v2', IsDefaultVersion: false, Document: document },
              { VersionId: 'v1', IsDefaultVersion: false, Document: document },
            ],
          },
        ],
      },
      'test',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    const finding = onlyFinding(
      explainTexts(
        [
          {
            input: 'trail.json',
            text: JSON.stringify({ Records: [refused('app', 'GetObject', 's3:GetObject', 'out/a.csv')] }),
          },
        ],
        explainContext({ snapshot: parsed.snapshot }),
      ),
    );
    assert.equal(finding.fix?.attachKind, 'managed-policy-version');
    assert.equal(finding.fix?.policyArn, arn);
    assert.equal(finding.fix?.boundary, undefined);
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
    assert.ok(
      finding.fix?.verification.includes(
        "AppPolicy is also the caller's permissions boundary: its new version raises the boundary too, and was checked as both.",
      ),
    );
    assert.doesNotMatch(finding.summary, /permissions boundary AppPolicy/);
    // No caveat asks to add the actions to the boundary as well: the new version does.
    assert.ok(
      !finding.caveats.some((c) =>
        c.startsWith('The permissions boundary does not allow these actions either'),
      ),
      finding.caveats.join('\n'),
    );
  });
});

describe('who else a new version of the boundary changes', () => {
  test('several principals, some under it as their boundary and one with it attached: each is said with how it holds it', () => {
    const attached = {
      ...appRole('ops-admin', ['s3:GetObject']),
      PermissionsBoundary: undefined,
      AttachedManagedPolicies: [{ PolicyName: 'AppBoundary', PolicyArn: BOUNDARY_ARN }],
    };
    const roles = [
      appRole('orders-api', ['s3:GetObject']),
      appRole('billing-api', ['s3:GetObject']),
      appRole('reports-api', ['s3:GetObject']),
      attached,
    ];
    const report = explainTexts(
      [
        {
          input: 'trail.json',
          text: JSON.stringify({
            Records: [refused('orders-api', 'DeleteObject', 's3:DeleteObject', 'tmp/a.csv')],
          }),
        },
      ],
      context(boundaryDocument, roles),
    );
    const finding = onlyFinding(report);
    assert.ok(
      finding.caveats.includes(
        'AppBoundary also serves role billing-api (its permissions boundary), role reports-api (its permissions boundary), role ops-admin (attached): its new version grants the same statements to those it is attached to, and raises the ceiling of those whose boundary it is, though what each can do still depends on its own identity-based policies. Verification covered this principal only.',
      ),
      finding.caveats.join(' | '),
    );
  });
});
