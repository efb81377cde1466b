/**
 * Bucket-policy fixes for a caller in another account: the bucket's side always, the caller's own side
 * only for the requests its policies do not allow, both verified together when those policies are
 * visible.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import type { Finding } from '../../../src/domain/explain/report.js';
import { renderMarkdown } from '../../../src/domain/render/markdown.js';
import { renderSlack } from '../../../src/domain/render/slack.js';
import { renderText } from '../../../src/domain/render/text.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { ACCOUNT, deniedRecord, explainContext, snapshotWithUser } from './explainFixtures.js';

/** The account that owns bucket `partner`; the fixtures' user `backup` is in {@link ACCOUNT}. */
const OWNER = '999988887777';
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/backup`;

/** A refused GetObject of `partner/KEY` by the fixtures' user, logged with S3's legacy message. */
function refusedRead(key: string, bucket = 'partner'): Record<string, unknown> {
  return deniedRecord({
    eventName: 'GetObject',
    userAgent: '[Boto3/1.35.36 md/Botocore#1.35.36 Botocore/1.35.36]',
    errorMessage: 'Access Denied',
    requestParameters: { bucketName: bucket, key, Host: `${bucket}.s3.eu-west-1.amazonaws.com` },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
      { accountId: OWNER, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
  });
}

/** The partner's bucket policy: it lets the user list the bucket and nothing else. */
const bucketPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: USER_ARN },
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::partner',
    },
  ],
};

/** The user's own policy reads `exports/` of the partner's bucket. */
const readsExports = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::partner/exports/*' }],
};

function explainReads(keys: readonly string[], userName = 'backup'): Finding {
  return reportOfReads(keys, userName).findings[0]!;
}

function reportOfReads(keys: readonly string[], userName = 'backup') {
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: keys.map((key) => refusedRead(key)) }) }],
    explainContext({
      snapshot: snapshotWithUser(userName, readsExports),
      bucketPolicies: new Map([['partner', bucketPolicy]]),
    }),
  );
  assert.equal(report.findings.length, 1);
  return report;
}

const withPrincipal = (resource: string) => ({
  Effect: 'Allow',
  Action: ['s3:GetObject'],
  Resource: [resource],
  Principal: { AWS: USER_ARN },
});

describe('cross-account bucket-policy fixes', () => {
  test('the caller-side statement covers only what its own policies refuse, and the fix is verified with both', () => {
    const finding = explainReads(['exports/2026/a.csv', 'photos/b.jpg']);
    assert.equal(finding.cause, 'resource-policy-missing-allow');
    assert.equal(finding.fix?.attachKind, 'bucket-policy');
    assert.deepEqual(finding.fix?.statements, [
      withPrincipal('arn:aws:s3:::partner/exports/2026/*'),
      withPrincipal('arn:aws:s3:::partner/photos/*'),
    ]);
    assert.deepEqual(finding.fix?.identityStatements, [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::partner/photos/*'] },
    ]);
    assert.equal(finding.fix?.verified, true);
    assert.ok(
      finding.fix?.verification.some(
        (v) => v.startsWith('Checked with both changes') && v.includes(USER_ARN) && v.includes('1 of the 2'),
      ),
      finding.fix?.verification.join('\n'),
    );
    // The caller's side goes where an identity fix of the caller would: here a new inline policy.
    assert.equal(finding.fix?.identityChange?.attachKind, 'inline-policy');
    assert.equal(finding.fix?.identityChange?.attachTo, USER_ARN);
    assert.deepEqual(finding.fix?.identityChange?.statements, finding.fix?.identityStatements);
    assert.deepEqual(finding.fix?.identityChange?.newDocument, {
      Version: '2012-10-17',
      Statement: finding.fix?.identityStatements,
    });
    assert.match(
      finding.summary,
      /Fix: add s3:GetObject to the bucket policy of partner and s3:GetObject to a new inline policy on user\/backup \(verified\)\.$/,
    );
  });

  test('a bucket policy under an old Version that holds ${ gets no statement whose ${*} it would read literally', () => {
    const oldPolicy = {
      Version: '2008-10-17',
      Statement: [
        ...bucketPolicy.Statement,
        {
          Effect: 'Allow',
          Principal: { AWS: USER_ARN },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::partner/home/${aws:username}/*',
        },
      ],
    };
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [refusedRead('exports/a*b/x.csv')] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', readsExports),
        bucketPolicies: new Map([['partner', oldPolicy]]),
      }),
    );
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'resource-policy-missing-allow');
    assert.equal(finding?.fix, null);
    assert.ok(
      finding?.caveats.some((c) =>
        c.includes(
          'the bucket policy of partner has Version "2008-10-17" and holds ${ in its own statements',
        ),
      ),
      finding?.caveats.join(' | '),
    );
  });

  /** The caller's side allows the read from the office network only. */
  const readsFromOffice = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::partner/*',
        Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      },
    ],
  };

  test("one side's Allow under a Condition the request missed: the other side's missing statement is said too", () => {
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [refusedRead('exports/a.csv')] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', readsFromOffice),
        bucketPolicies: new Map([['partner', bucketPolicy]]),
      }),
    );
    const finding = report.findings[0];
    assert.equal(finding?.fix, null);
    const guard = finding?.caveats.find((c) => c.includes('allows this only under its Condition'));
    assert.ok(
      guard?.endsWith(
        'The bucket policy does not allow s3:GetObject either: it needs `{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::partner/exports/*"]}`, in a statement whose Principal names the caller too.',
      ),
      guard,
    );
  });

  test('the same, with the bucket policy not given: its Allow is said to be needed, not said to be missing', () => {
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [refusedRead('exports/a.csv')] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', readsFromOffice),
      }),
    );
    const guard = report.findings[0]?.caveats.find((c) => c.includes('allows this only under its Condition'));
    assert.ok(
      guard?.endsWith(
        'The bucket policy is not in the input, and a cross-account request needs its Allow of s3:GetObject too: unless it already has one, it needs `{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::partner/exports/*"]}`, in a statement whose Principal names the caller.',
      ),
      guard,
    );
    assert.ok(!guard?.includes('The bucket policy does not allow'), guard);
  });

  test("every format says where the caller's side goes", () => {
    const report = reportOfReads(['exports/2026/a.csv', 'photos/b.jpg']);
    const where = `Add as an inline policy to ${USER_ARN}`;
    assert.ok(
      renderText(report, { color: false }).includes(
        `Also needed on the caller's side (cross-account): ${where} as policy "PermissionAuditorFix"`,
      ),
    );
    assert.ok(
      renderMarkdown(report).includes(
        `Also needed on the caller's side (cross-account): Add as an inline policy to \`${USER_ARN}\` as policy \`PermissionAuditorFix\``,
      ),
    );
    assert.ok(
      JSON.stringify(renderSlack(report)).includes(
        `*Also needed on the caller's side (cross-account)*: Add as an inline policy to \`${USER_ARN}\``,
      ),
    );
  });

  test('two findings whose caller-side statements go into the same policy get one combined change', () => {
    const report = explainTexts(
      [
        {
          input: 'trail.json',
          text: JSON.stringify({
            Records: [refusedRead('photos/b.jpg'), refusedRead('photos/c.jpg', 'partner2')],
          }),
        },
      ],
      explainContext({
        snapshot: snapshotWithUser('backup', readsExports),
        bucketPolicies: new Map([
          ['partner', bucketPolicy],
          ['partner2', bucketPolicy],
        ]),
      }),
    );
    assert.equal(report.findings.length, 2);
    for (const finding of report.findings) assert.equal(finding.fix?.identityChange?.attachTo, USER_ARN);
    const change = report.policyChanges?.find((c) => c.attachKind === 'inline-policy');
    assert.ok(change !== undefined, JSON.stringify(report.policyChanges));
    assert.equal(change.attachTo, USER_ARN);
    assert.deepEqual(change.findings, [1, 2]);
    assert.deepEqual(change.statements, [
      {
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::partner/photos/*', 'arn:aws:s3:::partner2/photos/*'],
      },
    ]);
  });

  test('no caller-side statement when the caller already allows every refused request', () => {
    const finding = explainReads(['exports/2026/a.csv', 'exports/2026/b.csv']);
    assert.deepEqual(finding.fix?.statements, [withPrincipal('arn:aws:s3:::partner/exports/2026/*')]);
    assert.equal(finding.fix?.identityStatements, undefined);
    assert.equal(finding.fix?.identityChange, undefined);
    assert.equal(finding.fix?.verified, true);
    assert.ok(finding.fix?.verification.some((v) => v.startsWith("The caller's own policies already allow")));
    assert.doesNotMatch(finding.summary, /caller's own policies/);
  });

  test("a caller whose policies are not visible gets every statement for its side, checked on the bucket's side only", () => {
    // The snapshot holds another user, so the caller's own policies are unknown.
    const finding = explainReads(['exports/2026/a.csv', 'photos/b.jpg'], 'someone-else');
    assert.deepEqual(finding.fix?.identityStatements, [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::partner/exports/2026/*'] },
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::partner/photos/*'] },
    ]);
    assert.ok(finding.fix?.verification.some((v) => v.startsWith('Checked on the bucket side only')));
    assert.equal(finding.fix?.identityChange, undefined);
    // The summary and the fix's heading say so too: the caller's side is not checked.
    assert.match(finding.summary, /to the caller's own policies \(verified on the bucket's side only\)\.$/);
    assert.ok(
      renderText({ findings: [finding], skipped: [], errors: [] }, { color: false }).includes(
        "Fix (verified on the bucket's side only)",
      ),
    );
  });

  test("a caller whose permissions boundary refuses too gets the boundary's new version, all verified together", () => {
    const boundaryArn = `arn:aws:iam::${ACCOUNT}:policy/DataBoundary`;
    // The boundary lets the user read the partner's exports only; its own policy reads exports too.
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [
          {
            UserName: 'backup',
            UserId: 'AIDAEXAMPLE',
            Arn: USER_ARN,
            Path: '/',
            GroupList: [],
            AttachedManagedPolicies: [],
            UserPolicyList: [{ PolicyName: 'inline', PolicyDocument: readsExports }],
            PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundaryArn },
          },
        ],
        GroupDetailList: [],
        RoleDetailList: [],
        Policies: [
          {
            PolicyName: 'DataBoundary',
            Arn: boundaryArn,
            Path: '/',
            DefaultVersionId: 'v1',
            PermissionsBoundaryUsageCount: 1,
            AttachmentCount: 0,
            PolicyVersionList: [
              {
                VersionId: 'v1',
                IsDefaultVersion: true,
                Document: {
                  Version: '2012-10-17',
                  Statement: [
                    { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::partner' },
                    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::partner/exports/*' },
                  ],
                },
              },
            ],
          },
        ],
      },
      'test',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    const report = explainTexts(
      [
        {
          input: 'trail.json',
          text: JSON.stringify({ Records: [refusedRead('exports/2026/a.csv'), refusedRead('photos/b.jpg')] }),
        },
      ],
      explainContext({ snapshot: parsed.snapshot, bucketPolicies: new Map([['partner', bucketPolicy]]) }),
    );
    const finding = report.findings[0]!;
    assert.equal(finding.fix?.attachKind, 'bucket-policy');
    const photos = { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::partner/photos/*'] };
    assert.deepEqual(finding.fix?.identityStatements, [photos]);
    assert.equal(finding.fix?.boundary?.policyArn, boundaryArn);
    assert.deepEqual(
      finding.fix?.boundary?.statements.map(({ Sid: _sid, ...rest }) => rest),
      [photos],
    );
    assert.equal(
      finding.fix?.verified,
      true,
      `${finding.fix?.verification.join(' | ')} ${finding.caveats.join(' | ')}`,
    );
    assert.ok(
      finding.fix?.verification.some(
        (v) => v.startsWith('Checked with all three changes') && v.includes('DataBoundary'),
      ),
      finding.fix?.verification.join('\n'),
    );
    assert.match(finding.summary, /a new version of the permissions boundary DataBoundary/);
  });
});

describe('a bucket-policy fix for a bucket whose policy is not in the input', () => {
  test('gives the statements to add, no whole document, and says what it was checked against', () => {
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [refusedRead('exports/a.csv')] }) }],
      explainContext({ snapshot: snapshotWithUser('backup', readsExports) }),
    );
    const finding = report.findings[0];
    assert.equal(finding?.fix?.attachKind, 'bucket-policy');
    assert.equal(finding?.fix?.newDocument, undefined);
    assert.equal(finding?.fix?.diff, undefined);
    assert.ok(
      finding?.fix?.verification.includes(
        'Checked as if partner had no bucket policy: its policy is not in the input (see the caveats).',
      ),
      finding?.fix?.verification.join(' | '),
    );
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'The bucket policy of partner is not in the input: the fix was checked as if the bucket had none. Add the statements to its policy rather than replacing it',
        ),
      ),
      finding?.caveats.join(' | '),
    );
    const text = renderText(report, { color: false });
    assert.match(text, /Statements to add \(the current bucket policy is not in the input: add them to it/);
    assert.doesNotMatch(text, /put-bucket-policy --bucket/);
  });

  test('does not say the bucket policy refused anything: the summary, cause and rows say it was not given', () => {
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [refusedRead('exports/a.csv')] }) }],
      explainContext({ snapshot: snapshotWithUser('backup', readsExports) }),
    );
    const finding = report.findings[0]!;
    assert.equal(finding.cause, 'resource-policy-missing-allow');
    assert.match(
      finding.summary,
      /: the bucket's policy is not in the input, and without one nothing on the bucket's side allows it\. Fix: .*\(verified as if the bucket had no policy\)\./,
    );
    assert.doesNotMatch(finding.summary, /the bucket policy does not allow it/);
    const row = 'implicitly denied (the bucket policy is not in the input: checked as if there were none)';
    const text = renderText(report, { color: false });
    assert.ok(text.includes(row), text);
    assert.match(
      text,
      /Cause {6}The request crosses accounts .* the bucket policy is not in the input: checked as if the bucket had none/,
    );
    assert.doesNotMatch(text, /no allow in the bucket policy/);
    assert.ok(renderMarkdown(report).includes(row));
    const slack = JSON.stringify(renderSlack(report));
    assert.ok(slack.includes(row), slack);
    assert.ok(
      slack.includes("Nothing on the bucket's side allows the request (its policy is not in the input)"),
    );
    assert.match(
      renderText(report, { color: false }),
      /Finding 1 of 1: Nothing on the bucket's side allows the request \(its policy is not in the input\)/,
    );
  });

  test('a bucket policy given keeps the plain wording', () => {
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [refusedRead('exports/a.csv')] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', readsExports),
        bucketPolicies: new Map([['partner', { Version: '2012-10-17', Statement: [] }]]),
      }),
    );
    const finding = report.findings[0]!;
    assert.match(finding.summary, /: the bucket policy does not allow it\. Fix: .*\(verified\)\./);
    assert.ok(
      renderText(report, { color: false }).includes('implicitly denied (no allow in the bucket policy)'),
    );
  });
});

describe('a copy from a bucket into another, both of the other account', () => {
  /** The user's policy reads and writes both buckets; each bucket policy lets the user write `dst` only. */
  const readsAndWritesBoth = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::src/*', 'arn:aws:s3:::dst/*'],
      },
    ],
  };
  const dstPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Writes',
        Effect: 'Allow',
        Principal: { AWS: USER_ARN },
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::dst/*',
      },
    ],
  };
  /** A CopyObject into `dst/out/a.csv` from `src/in/a.csv`, logged on `dst` with `message`. */
  function copy(message: string): Record<string, unknown> {
    return deniedRecord({
      eventName: 'CopyObject',
      errorMessage: message,
      requestParameters: {
        bucketName: 'dst',
        key: 'out/a.csv',
        'x-amz-copy-source': 'src/in/a.csv',
        Host: 'dst.s3.eu-west-1.amazonaws.com',
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::dst/out/a.csv' },
        { accountId: OWNER, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::dst' },
      ],
    });
  }
  const sourceRefused = `User: ${USER_ARN} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::src/in/a.csv" because no resource-based policy allows the s3:GetObject action`;
  const explainCopy = (message: string, srcPolicy?: unknown) =>
    explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [copy(message)] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', readsAndWritesBoth),
        bucketPolicies: new Map<string, unknown>([
          ['dst', dstPolicy],
          ...(srcPolicy !== undefined ? ([['src', srcPolicy]] as const) : []),
        ]),
      }),
    ).findings[0]!;

  test("the source's read is evaluated with the source bucket's policy, and its fix goes into that policy", () => {
    // The source bucket's policy lets the user read it: allowed (the destination's policy does not).
    const srcAllows = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: USER_ARN },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::src/*',
        },
      ],
    };
    const allowed = explainCopy(sourceRefused, srcAllows);
    assert.deepEqual(
      allowed.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:GetObject', 'Allowed'],
        ['s3:PutObject', 'Allowed'],
      ],
    );
    assert.match(allowed.summary, /denied s3:GetObject on bucket src \(CloudTrail logged the event on dst\)/);
    // Without a grant there, the statement goes into the source bucket's policy, verified with it.
    const srcOwnerOnly = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Owner',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${OWNER}:root` },
          Action: 's3:*',
          Resource: 'arn:aws:s3:::src/*',
        },
      ],
    };
    const refused = explainCopy(sourceRefused, srcOwnerOnly);
    assert.equal(refused.cause, 'resource-policy-missing-allow');
    assert.equal(refused.fix?.attachTo, 'arn:aws:s3:::src');
    assert.deepEqual(refused.fix?.statements, [withPrincipal('arn:aws:s3:::src/in/*')]);
    assert.equal(refused.fix?.verified, true, refused.fix?.verification.join(' | '));
    assert.deepEqual(
      (refused.fix?.newDocument as { Statement: { Sid?: string }[] } | undefined)?.Statement.map(
        (s) => s.Sid,
      ),
      ['Owner', 'PermissionAuditorFix1'],
    );
  });

  /** The source bucket's policy refuses reads to every account but its owner's. */
  const srcDenies = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OwnerOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::src/*',
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': OWNER } },
      },
    ],
  };

  test("a message that names the copy's write: a Deny in the source bucket's policy on its read is evaluated and named", () => {
    const writeRefused = `User: ${USER_ARN} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::dst/out/a.csv" because no identity-based policy allows the s3:PutObject action`;
    const finding = explainCopy(writeRefused, srcDenies);
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.resource, r.decision, r.source]),
      [
        ['s3:PutObject', 'arn:aws:s3:::dst/out/a.csv', 'Allowed', 'message'],
        ['s3:GetObject', 'arn:aws:s3:::src/in/a.csv', 'ExplicitlyDenied', 'operation'],
      ],
    );
    assert.deepEqual(
      finding.deniedBy.map((d) => [d.policyName, d.sid]),
      [['src bucket policy', 'OwnerOnly']],
    );
    assert.equal(finding.fix, null);
    // The record names the owner of dst only: src was taken to be in the same account, and a caveat says so.
    assert.ok(
      finding.caveats.includes(
        `The copy reads bucket src, whose owner the record does not name: it was evaluated as a bucket of account ${OWNER}, as dst is. If it belongs to the caller's own account (${ACCOUNT}), its own policies alone decide the read; if to a third account, that bucket's policy must allow it too; neither is checked here.`,
      ),
      finding.caveats.join('\n'),
    );
  });

  test("an explicit Deny in the source bucket's policy is named, not the destination's policy", () => {
    const finding = explainCopy(sourceRefused, srcDenies);
    assert.equal(finding.cause, 'resource-policy-explicit-deny');
    assert.deepEqual(
      finding.deniedBy.map((d) => [d.policyName, d.sid]),
      [['src bucket policy', 'OwnerOnly']],
    );
    // Described from the source's statement (its exception on the account), not the destination's.
    const caveat = finding.caveats.find((c) =>
      c.startsWith('Statement "OwnerOnly" of src bucket policy refused s3:GetObject'),
    );
    assert.match(
      caveat ?? '',
      new RegExp(`except those whose aws:PrincipalAccount matches "${OWNER}"`),
      finding.caveats.join(' | '),
    );
  });

  test("the destination's policy allows the write: the fix goes into the source's policy, and the caller's side of the write is said apart", () => {
    const readsSource = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::src/*' }],
    };
    const finding = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [copy('Access Denied')] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', readsSource),
        bucketPolicies: new Map<string, unknown>([
          ['dst', dstPolicy],
          ['src', { Version: '2012-10-17', Statement: [] }],
        ]),
      }),
    ).findings[0]!;
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.decision, r.missingAllowIn]),
      [
        ['s3:PutObject', 'ImplicitlyDenied', ['identity']],
        ['s3:GetObject', 'ImplicitlyDenied', ['resource']],
      ],
    );
    assert.equal(finding.fix?.attachTo, 'arn:aws:s3:::src');
    assert.deepEqual(finding.fix?.statements, [withPrincipal('arn:aws:s3:::src/in/*')]);
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          "The refused request on bucket dst is not in this fix: dst's policy allows it, and the caller's own policies must too",
        ),
      ),
      finding.caveats.join(' | '),
    );
  });

  test("a source read through an access point: the destination's write still gets its fix, and the access point its caveat", () => {
    const source = `arn:aws:s3:eu-west-1:${OWNER}:accesspoint/src-ap/object/in/a.csv`;
    const record = copy('Access Denied');
    const params = record.requestParameters as Record<string, unknown>;
    const finding = explainTexts(
      [
        {
          input: 'trail.json',
          text: JSON.stringify({
            Records: [{ ...record, requestParameters: { ...params, 'x-amz-copy-source': source } }],
          }),
        },
      ],
      explainContext({
        snapshot: snapshotWithUser('backup', readsAndWritesBoth),
        bucketPolicies: new Map([['dst', { Version: '2012-10-17', Statement: [] }]]),
      }),
    ).findings[0]!;
    assert.equal(finding.fix?.attachTo, 'arn:aws:s3:::dst');
    assert.deepEqual(
      finding.fix?.statements.map((st) => st.Resource),
      [['arn:aws:s3:::dst/out/*']],
    );
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          `The request that went through access point arn:aws:s3:eu-west-1:${OWNER}:accesspoint/src-ap`,
        ),
      ),
      finding.caveats.join(' | '),
    );
  });

  test("refused on both buckets: the fix is the logged bucket's, and the source's statement is said apart", () => {
    // The destination's policy does not let the user write either (legacy message: both checks derived).
    const finding = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [copy('Access Denied')] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', readsAndWritesBoth),
        bucketPolicies: new Map([['dst', { Version: '2012-10-17', Statement: [] }]]),
      }),
    ).findings[0]!;
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.resource, r.decision]),
      [
        ['s3:PutObject', 'arn:aws:s3:::dst/out/a.csv', 'ImplicitlyDenied'],
        ['s3:GetObject', 'arn:aws:s3:::src/in/a.csv', 'ImplicitlyDenied'],
      ],
    );
    assert.equal(finding.fix?.attachTo, 'arn:aws:s3:::dst');
    assert.deepEqual(
      finding.fix?.statements.map((s) => s.Resource),
      [['arn:aws:s3:::dst/out/*']],
    );
    assert.ok(
      finding.fix?.verification.some((v) =>
        v.includes("1 on other buckets, which this bucket's policy cannot grant"),
      ),
      finding.fix?.verification.join(' | '),
    );
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          "The refused request on bucket src is not in this fix: a bucket policy names only its own bucket's resources",
        ),
      ),
      finding.caveats.join(' | '),
    );
  });
});

describe("AWS's message names the caller's side, whose visible policies allow the request", () => {
  test('is a disagreement: said, and the bucket-policy fix not verified as enough', () => {
    const read = {
      ...refusedRead('exports/a.csv'),
      errorMessage: `User: ${USER_ARN} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::partner/exports/a.csv" because no identity-based policy allows the s3:GetObject action`,
    };
    const finding = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [read] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', readsExports),
        bucketPolicies: new Map([['partner', bucketPolicy]]),
      }),
    ).findings[0]!;
    assert.equal(finding.cause, 'resource-policy-missing-allow');
    assert.ok(
      finding.caveats.some((c) => c.startsWith("AWS's message points at the identity-based policies")),
      finding.caveats.join(' | '),
    );
    assert.equal(finding.fix?.verified, false);
  });
});

describe('a bucket of another account whose policy is not in the input', () => {
  /** A read of `partner/exports/a.csv` with AWS's enhanced message naming the identity-based policies. */
  function identityRefusedRead(): Record<string, unknown> {
    const record = refusedRead('exports/a.csv');
    return {
      ...record,
      errorMessage: `User: ${USER_ARN} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::partner/exports/a.csv" because no identity-based policy allows the s3:GetObject action`,
    };
  }

  function explainWithout(statements: readonly unknown[]): Finding {
    return explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [identityRefusedRead()] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', { Version: '2012-10-17', Statement: statements }),
      }),
    ).findings[0]!;
  }

  test("AWS's message naming the identity side is the cause when no fix is proposed, and the missing bucket policy is said", () => {
    // The user's only Allow holds for requests through a VPC endpoint, which this one did not come through.
    const finding = explainWithout([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::partner/*',
        Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1234' } },
      },
    ]);
    assert.equal(finding.fix, null);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.ok(
      finding.caveats.some((c) => c.startsWith('The bucket policy of partner is not in the input: ')),
      finding.caveats.join('\n'),
    );
    const text = renderText({ findings: [finding], skipped: [], errors: [] }, { color: false });
    assert.doesNotMatch(text, /the bucket policy contains no statement that allows it/);
    assert.match(text, /the bucket policy is not in the input: checked as if there were none/);
  });
});

describe('an upload with a canned ACL into a bucket whose policy allows uploads only with bucket-owner-full-control', () => {
  /** AWS's bucket-owner-preferred example: uploads of the user allowed only with that canned ACL. */
  const ownerFullControlPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyBucketOwnerFullControl',
        Effect: 'Allow',
        Principal: { AWS: [USER_ARN] },
        Action: ['s3:PutObject'],
        Resource: 'arn:aws:s3:::partner/*',
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
    ],
  };
  const writesPartner = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl'], Resource: 'arn:aws:s3:::partner/*' },
    ],
  };

  function refusedAclRequest(eventName: string, acl: string): Record<string, unknown> {
    return deniedRecord({
      eventName,
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'partner',
        key: 'in/2026/a.csv',
        Host: 'partner.s3.eu-west-1.amazonaws.com',
        'x-amz-acl': acl,
        ...(eventName === 'PutObjectAcl' ? { acl: '' } : {}),
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::partner/in/2026/a.csv' },
        { accountId: OWNER, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::partner' },
      ],
    });
  }

  function explainWithPolicy(record: Record<string, unknown>, policy: unknown): Finding {
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', writesPartner),
        bucketPolicies: new Map([['partner', policy]]),
      }),
    );
    assert.equal(report.findings.length, 1);
    return report.findings[0]!;
  }

  test('the s3:PutObjectAcl granted is conditioned on the canned ACL the request sent, verified, and refuses any other', () => {
    const finding = explainWithPolicy(
      refusedAclRequest('PutObject', 'bucket-owner-full-control'),
      ownerFullControlPolicy,
    );
    assert.equal(finding.fix?.attachKind, 'bucket-policy');
    assert.equal(finding.fix?.verified, true);
    assert.deepEqual(finding.fix?.statements, [
      {
        Effect: 'Allow',
        Action: ['s3:PutObjectAcl'],
        Resource: ['arn:aws:s3:::partner/in/2026/*'],
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
        Principal: { AWS: USER_ARN },
      },
    ]);
    // With the fixed policy in place, the user still cannot set another ACL on the objects there.
    const fixed = finding.fix?.newDocument;
    assert.ok(fixed !== undefined);
    const publicRead = explainWithPolicy(refusedAclRequest('PutObjectAcl', 'public-read'), fixed);
    assert.equal(publicRead.cause, 'resource-policy-missing-allow');
    assert.deepEqual(
      publicRead.requests.map((r) => [r.action, r.decision]),
      [['s3:PutObjectAcl', 'ImplicitlyDenied']],
    );
  });
});
