/**
 * IAM's and S3's size quotas on the documents a fix writes: a managed policy whose new version would be
 * over 6,144 characters is not where the statements go; a new inline policy that takes the user's
 * inline policies over 2,048 together, a boundary's new version or a bucket policy over its quota, are
 * said to be.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import {
  bucketPolicyBytes,
  iamPolicySize,
  inlinePolicyQuota,
  MANAGED_POLICY_QUOTA,
} from '../../../src/domain/explain/policySize.js';
import type { Finding } from '../../../src/domain/explain/report.js';
import { renderSlack } from '../../../src/domain/render/slack.js';
import { renderText } from '../../../src/domain/render/text.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import {
  ACCOUNT,
  deniedObjectRecord,
  deniedRecord,
  explainContext,
  snapshotWithUser,
  userDetail,
} from './explainFixtures.js';

/** `count` statements that allow reading a directory of bucket `other` each (about 90 characters apiece). */
function padding(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    Sid: `Read${i}`,
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::other/directory-${String(i).padStart(4, '0')}/*`,
  }));
}

/**
 * The largest document `make(n)` that is still under `quota`: one statement more (about 107 characters,
 * as much as a fix's) would take it over.
 */
function largestUnder(quota: number, make: (n: number) => unknown): unknown {
  let n = 0;
  while (iamPolicySize(make(n + 1)) < quota) n++;
  return make(n);
}

/** `versions` versions of a managed policy, newest first and default, each holding `document`. */
function versionList(document: unknown, versions: number) {
  return Array.from({ length: versions }, (_, i) => ({
    VersionId: `v${versions - i}`,
    IsDefaultVersion: i === 0,
    Document: document,
  }));
}

/** A document of `statements` plus one that grants S3 on bucket `data`, so that it is the fix's target. */
function grantingData(statements: readonly Record<string, unknown>[]) {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }, ...statements],
  };
}

/** The fixtures' user `backup` with the customer-managed policy DataWriter (its only holder) and `inline`. */
function snapshot(
  managed: unknown,
  inline: readonly { name: string; document: unknown }[] = [],
  versions = 1,
  otherAttached = 0,
) {
  const arn = `arn:aws:iam::${ACCOUNT}:policy/DataWriter`;
  // Other managed policies of the user's, each reading a bucket of its own.
  const others = Array.from({ length: otherAttached }, (_, i) => ({
    PolicyName: `Reader${i}`,
    Arn: `arn:aws:iam::${ACCOUNT}:policy/Reader${i}`,
    DefaultVersionId: 'v1',
    AttachmentCount: 1,
    IsAttachable: true,
    PolicyVersionList: versionList(
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::reader-${i}/*` }],
      },
      1,
    ),
  }));
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [
        userDetail('backup', {
          AttachedManagedPolicies: [
            { PolicyName: 'DataWriter', PolicyArn: arn },
            ...others.map((p) => ({ PolicyName: p.PolicyName, PolicyArn: p.Arn })),
          ],
          UserPolicyList: inline.map((p) => ({ PolicyName: p.name, PolicyDocument: p.document })),
        }),
      ],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [
        {
          PolicyName: 'DataWriter',
          Arn: arn,
          DefaultVersionId: `v${versions}`,
          AttachmentCount: 1,
          IsAttachable: true,
          PolicyVersionList: versionList(managed, versions),
        },
        ...others,
      ],
    },
    'test',
  );
  assert.ok(parsed.ok);
  return parsed.snapshot;
}

function explainPut(snapshotValue: ReturnType<typeof snapshot>): Finding {
  const record = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv');
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
    explainContext({ snapshot: snapshotValue }),
  );
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

describe('sizes as IAM and S3 count them', () => {
  test('IAM counts characters without white space, of a document given as JSON or as URL-encoded text', () => {
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get Object' }] };
    const compact = JSON.stringify(document).length - 1;
    assert.equal(iamPolicySize(document), compact);
    assert.equal(iamPolicySize(encodeURIComponent(JSON.stringify(document, null, 2))), compact);
  });

  test('S3 counts the bytes of the JSON (UTF-8)', () => {
    assert.equal(bucketPolicyBytes({ a: 'é' }), JSON.stringify({ a: 'e' }).length + 1);
    assert.equal(bucketPolicyBytes({ a: '😀' }), JSON.stringify({ a: '' }).length + 4);
  });

  test("inline quotas: a user's 2,048, a group's 5,120, a role's 10,240", () => {
    assert.deepEqual((['user', 'group', 'role'] as const).map(inlinePolicyQuota), [2048, 5120, 10240]);
  });
});

describe('fixes and the quotas', () => {
  test('a managed policy with room takes the statements as a new version', () => {
    const finding = explainPut(snapshot(grantingData(padding(3))));
    assert.equal(finding.fix?.attachKind, 'managed-policy-version');
    assert.ok(!finding.caveats.some((c) => c.includes('quota')), finding.caveats.join('\n'));
    assert.ok(!finding.caveats.some((c) => c.includes('5 versions')));
  });

  test("a managed policy that already has IAM's 5 versions: a caveat says to delete one first", () => {
    const finding = explainPut(snapshot(grantingData(padding(3)), [], 5));
    assert.equal(finding.fix?.attachKind, 'managed-policy-version');
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          "DataWriter already has 5 versions, IAM's maximum: delete a non-default version before creating the new one, such as the oldest (aws iam delete-policy-version --policy-arn arn:aws:iam::111122223333:policy/DataWriter --version-id v1; a deleted version cannot be restored",
        ),
      ),
      finding.caveats.join('\n'),
    );
  });

  test('a managed policy whose new version would be over 6,144 characters is left alone: an inline policy takes them', () => {
    const full = largestUnder(MANAGED_POLICY_QUOTA, (n) => grantingData(padding(n)));
    const finding = explainPut(snapshot(full));
    assert.equal(finding.fix?.attachKind, 'inline-policy');
    assert.equal(finding.fix?.verified, true);
    const note = finding.caveats.find((c) => c.startsWith('The statements do not go into DataWriter'));
    assert.ok(note !== undefined, finding.caveats.join('\n'));
    assert.match(note, /over IAM's quota of 6,144 for a managed policy/);
  });

  test('a full managed policy is passed over for the next one that grants S3 on the bucket and has room', () => {
    const full = largestUnder(MANAGED_POLICY_QUOTA, (n) => grantingData(padding(n)));
    const roomy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' }],
    };
    const managed = (name: string, document: unknown) => ({
      PolicyName: name,
      Arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`,
      DefaultVersionId: 'v1',
      AttachmentCount: 1,
      IsAttachable: true,
      PolicyVersionList: versionList(document, 1),
    });
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [
          userDetail('backup', {
            AttachedManagedPolicies: ['DataWriter', 'DataLister'].map((name) => ({
              PolicyName: name,
              PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/${name}`,
            })),
          }),
        ],
        GroupDetailList: [],
        RoleDetailList: [],
        Policies: [managed('DataWriter', full), managed('DataLister', roomy)],
      },
      'test',
    );
    assert.ok(parsed.ok);
    const finding = explainPut(parsed.snapshot);
    assert.equal(finding.fix?.attachKind, 'managed-policy-version');
    assert.equal(finding.fix?.policyName, 'DataLister');
    assert.equal(finding.fix?.verified, true);
    assert.ok(
      finding.caveats.some((c) => c.startsWith('The statements do not go into DataWriter')),
      finding.caveats.join('\n'),
    );
  });

  test("a new inline policy that takes the user's inline policies over 2,048 characters together says so", () => {
    const legacy = largestUnder(2048, (n) => ({ Version: '2012-10-17', Statement: padding(n) }));
    const full = largestUnder(MANAGED_POLICY_QUOTA, (n) => grantingData(padding(n)));
    const finding = explainPut(snapshot(full, [{ name: 'Legacy', document: legacy }]));
    assert.equal(finding.fix?.attachKind, 'inline-policy');
    const note = finding.caveats.find((c) => c.includes('would take the inline policies of user backup'));
    assert.ok(note !== undefined, finding.caveats.join('\n'));
    assert.match(note, /over IAM's quota of 2,048 for a user's/);
    assert.match(note, /a new customer-managed policy attached to the user instead/);
    assert.match(note, /aws iam attach-user-policy/);
    // IAM would refuse the document as it is: the fix is not called verified, and says why.
    assert.equal(finding.fix?.verified, false);
    assert.match(
      finding.fix?.overQuota ?? '',
      /^the inline policies of user backup would be [\d,]+ characters together \(white space aside\), over IAM's quota of 2,048$/,
    );
    assert.match(finding.summary, /\(not applicable as it is: over a size quota, see the caveats\)\./);
    // The text report does not print the command IAM would refuse, but the route the caveat gives.
    const text = renderText({ findings: [finding], skipped: [], errors: [] }, { color: false });
    assert.doesNotMatch(text, /Apply it with:\n\s+aws iam put-user-policy/);
    assert.match(text, /Do not apply it as an inline policy \(the inline policies of user backup would be/);
    assert.match(
      text,
      new RegExp(
        `aws iam create-policy --policy-name PermissionAuditorFix-backup --policy-document file://PermissionAuditorFix-user-backup\\.json\\n\\s+and attach it with:\\n\\s+aws iam attach-user-policy --user-name backup --policy-arn arn:aws:iam::${ACCOUNT}:policy/PermissionAuditorFix-backup`,
      ),
    );
    assert.ok(
      finding.fix?.verification.some((v) =>
        v.startsWith('Not verified as applicable: a document it changes'),
      ),
    );
  });

  test("an earlier fix's inline policy taken over the quota: the customer-managed policy holds the new statements alone", () => {
    const earlier = largestUnder(2048, (n) => ({ Version: '2012-10-17', Statement: padding(n) }));
    const full = largestUnder(MANAGED_POLICY_QUOTA, (n) => grantingData(padding(n)));
    const finding = explainPut(snapshot(full, [{ name: 'PermissionAuditorFix', document: earlier }]));
    assert.equal(finding.fix?.attachKind, 'inline-policy');
    assert.notEqual(finding.fix?.diff, undefined);
    assert.match(finding.fix?.overQuota ?? '', /over IAM's quota of 2,048$/);
    const text = renderText({ findings: [finding], skipped: [], errors: [] }, { color: false });
    const block = text.slice(text.indexOf('Do not apply it as an inline policy'));
    assert.match(
      block,
      /^Do not apply it as an inline policy \([^\n]*\): put the statements alone in a customer-managed policy instead, leaving PermissionAuditorFix as it is \(save it as PermissionAuditorFix-backup\.json\)/,
    );
    // The document is the new statement alone, not the whole edited inline policy.
    const document = JSON.parse(block.slice(block.indexOf('{'), block.indexOf('Create it with:')));
    assert.deepEqual(document, {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::data/in/*'] }],
    });
    assert.match(
      block,
      /Create it with:\n\s+aws iam create-policy --policy-name PermissionAuditorFix-backup --policy-document file:\/\/PermissionAuditorFix-backup\.json\n\s+and attach it with:/,
    );
  });

  test("the advice to make a customer-managed policy says when the user already has IAM's 10 attached", () => {
    const legacy = largestUnder(2048, (n) => ({ Version: '2012-10-17', Statement: padding(n) }));
    const full = largestUnder(MANAGED_POLICY_QUOTA, (n) => grantingData(padding(n)));
    const at = (others: number) =>
      explainPut(snapshot(full, [{ name: 'Legacy', document: legacy }], 1, others)).caveats.find((c) =>
        c.includes('would take the inline policies of user backup'),
      ) ?? '';
    assert.match(
      at(9),
      /The user already has 10 managed policies attached; IAM's default quota is 10 \(up to 20 on request\): check the account's quota, or detach one, before attaching another\.$/,
    );
    assert.match(
      at(19),
      /The user already has 20 managed policies attached, IAM's maximum of 20: detach one, or merge two, before attaching another\.$/,
    );
    assert.doesNotMatch(at(8), /already has \d+ managed policies attached/);
  });

  test('an inline policy that fits says nothing of quotas', () => {
    const finding = explainTexts(
      [{ input: 't', text: JSON.stringify({ Records: [deniedRecord()] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', { Version: '2012-10-17', Statement: padding(3) }),
      }),
    ).findings[0];
    assert.equal(finding?.fix?.attachKind, 'inline-policy');
    assert.ok(!finding?.caveats.some((c) => c.includes('quota')));
  });
});

describe('changes that cannot move elsewhere', () => {
  const boundaryArn = `arn:aws:iam::${ACCOUNT}:policy/AppBoundary`;

  /** Role `app` under the boundary `boundary`, its own inline policy reading `orders/*`. */
  function roleContext(boundary: unknown, versions = 1) {
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
            RolePolicyList: [
              {
                PolicyName: 'app-data',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::orders/*' }],
                },
              },
            ],
            AttachedManagedPolicies: [],
            PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundaryArn },
          },
        ],
        Policies: [
          {
            PolicyName: 'AppBoundary',
            Arn: boundaryArn,
            Path: '/',
            DefaultVersionId: `v${versions}`,
            PermissionsBoundaryUsageCount: 1,
            AttachmentCount: 0,
            PolicyVersionList: versionList(boundary, versions),
          },
        ],
      },
      'test',
    );
    assert.ok(parsed.ok);
    return explainContext({ snapshot: parsed.snapshot });
  }

  const refusedDelete = deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'orders', 'tmp/a.csv', {
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAAPP:app-fn',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/app-fn`,
      accountId: ACCOUNT,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: `arn:aws:iam::${ACCOUNT}:role/app`,
          accountId: ACCOUNT,
          userName: 'app',
        },
      },
    },
    errorMessage: 'Access Denied',
  });

  const boundaryWith = (n: number) => ({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::orders/*' },
      ...padding(n),
    ],
  });

  test("a boundary's new version over 6,144 characters is said to be: the fix is given, not verified as applicable", () => {
    const full = largestUnder(MANAGED_POLICY_QUOTA, boundaryWith);
    const finding = explainTexts(
      [{ input: 't', text: JSON.stringify({ Records: [refusedDelete] }) }],
      roleContext(full),
    ).findings[0];
    assert.equal(finding?.fix?.boundary?.policyName, 'AppBoundary');
    const note = finding?.caveats.find((c) =>
      c.includes('The new version of the permissions boundary AppBoundary would be'),
    );
    assert.ok(note !== undefined, finding?.caveats.join('\n'));
    assert.match(note, /over IAM's quota of 6,144 for a managed policy/);
    assert.match(note, /A principal has one boundary, so make room in this one/);
    assert.equal(finding?.fix?.verified, false);
    assert.match(finding?.fix?.boundary?.overQuota ?? '', /^the new version would be [\d,]+ characters/);
    // Its command is kept, but only after room is made.
    const text = renderText({ findings: [finding!], skipped: [], errors: [] }, { color: false });
    assert.match(
      text,
      /Do not apply it as it is \(the new version would be [\d,]+ characters \(white space aside\), over IAM's quota of 6,144\): make room in it first \(see the caveats\); then:\n\s+aws iam create-policy-version/,
    );
  });

  test('a boundary raised beside the identity fix that already has 5 versions gets the caveat too', () => {
    const finding = explainTexts(
      [{ input: 't', text: JSON.stringify({ Records: [refusedDelete] }) }],
      roleContext(boundaryWith(2), 5),
    ).findings[0];
    assert.equal(finding?.fix?.boundary?.policyName, 'AppBoundary');
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          "AppBoundary already has 5 versions, IAM's maximum: delete a non-default version before creating the new one, such as the oldest (aws iam delete-policy-version --policy-arn arn:aws:iam::111122223333:policy/AppBoundary --version-id v1; a deleted version cannot be restored",
        ),
      ),
      finding?.caveats.join('\n'),
    );
  });

  test('a boundary with room says nothing of quotas', () => {
    const finding = explainTexts(
      [{ input: 't', text: JSON.stringify({ Records: [refusedDelete] }) }],
      roleContext(boundaryWith(2)),
    ).findings[0];
    assert.equal(finding?.fix?.boundary?.policyName, 'AppBoundary');
    assert.ok(!finding?.caveats.some((c) => c.includes('quota')));
  });

  test("a bucket policy over S3's 20 KB is said to be", () => {
    const owner = '999988887777';
    const read = deniedRecord({
      eventName: 'GetObject',
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'partner', key: 'exports/a.csv' },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::partner/exports/a.csv' },
        { accountId: owner, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::partner' },
      ],
    });
    const bucketPolicy = (n: number) => ({
      Version: '2012-10-17',
      Statement: padding(n).map((s) => ({ ...s, Principal: { AWS: `arn:aws:iam::${owner}:root` } })),
    });
    const run = (n: number) =>
      explainTexts(
        [{ input: 't', text: JSON.stringify({ Records: [read] }) }],
        explainContext({
          snapshot: snapshotWithUser('backup', {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::partner/*' }],
          }),
          bucketPolicies: new Map([['partner', bucketPolicy(n)]]),
        }),
      ).findings[0];
    let n = 0;
    while (bucketPolicyBytes(bucketPolicy(n + 1)) < 20 * 1024) n++;
    const full = run(n);
    assert.equal(full?.fix?.attachKind, 'bucket-policy');
    const note = full?.caveats.find((c) => c.includes('policy of bucket partner would be'));
    assert.ok(note !== undefined, full?.caveats.join('\n'));
    assert.match(note, /bytes as compact JSON, over S3's quota of 20 KB/);
    assert.equal(full?.fix?.verified, false);
    assert.ok(!run(3)?.caveats.some((c) => c.includes('quota')));
  });
});

describe('the combined change of several findings', () => {
  /** A document of exactly `target` characters as IAM counts them (one statement, a long resource name). */
  function documentOf(target: number): Record<string, unknown> {
    const doc = (filler: string) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::archive/${filler}` }],
    });
    const base = iamPolicySize(doc(''));
    return doc('x'.repeat(target - base));
  }

  function combined(legacySize: number) {
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [
          userDetail('backup', {
            UserPolicyList: [{ PolicyName: 'Legacy', PolicyDocument: documentOf(legacySize) }],
          }),
        ],
        GroupDetailList: [],
        RoleDetailList: [],
        Policies: [],
      },
      'test',
    );
    assert.ok(parsed.ok);
    const records = [
      deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv'),
      deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'other', 'out/b.csv'),
    ];
    const report = explainTexts(
      [{ input: 't', text: JSON.stringify({ Records: records }) }],
      explainContext({ snapshot: parsed.snapshot }),
    );
    assert.equal(report.findings.length, 2);
    for (const f of report.findings) assert.equal(f.fix?.attachKind, 'inline-policy');
    assert.equal(report.policyChanges?.length, 1);
    return { report, change: report.policyChanges![0]! };
  }

  test("the user's other inline policies count toward the combined inline policy's quota", () => {
    // About 125 characters per finding's inline policy, about 250 for the two.
    const { report, change } = combined(1870);
    // Each fix alone fits beside the user's other inline policy: neither finding says otherwise.
    for (const f of report.findings) assert.equal(f.fix?.verified, true, f.caveats.join('\n'));
    assert.ok(
      change.verification.some((v) =>
        v.startsWith(
          "Not verified as applicable: the combined document, with the holder's other inline policies, would be ",
        ),
      ),
      change.verification.join('\n'),
    );
    assert.ok(change.verification.some((v) => v.includes('over the quota of 2,048, and would be refused')));
    assert.equal(change.verified, false);
    // The findings are not told to apply it instead.
    assert.ok(
      JSON.stringify(renderSlack(report)).includes(
        'change one policy, and together they are over its size quota',
      ),
    );
    for (const f of report.findings) {
      assert.ok(!f.caveats.some((c) => c.includes('Apply combined change 1 instead')), f.caveats.join('\n'));
      assert.ok(
        f.caveats.some((c) =>
          c.includes('Combined change 1, which holds them all, would be over its size quota'),
        ),
      );
    }
  });

  test('with room for both, the combined change says nothing of quotas', () => {
    const { change } = combined(1000);
    assert.ok(!change.verification.some((v) => v.includes('quota')), change.verification.join('\n'));
    assert.equal(change.verified, true);
  });
});
