/**
 * The Version fix of a customer managed policy (a new version of it with "Version": "2012-10-17", so its
 * `${…}` become policy variables): what the managed policy's versions, holders and other fixes ask of it.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { ACCOUNT, deniedRecord, explainContext } from './explainFixtures.js';

const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/HomeDirs`;
const listOwn = {
  Sid: 'ListOwn',
  Effect: 'Allow',
  Action: 's3:ListBucket',
  Resource: 'arn:aws:s3:::data',
  Condition: { StringLike: { 's3:prefix': '${aws:username}/*' } },
};
const readData2 = {
  Sid: 'ReadData2',
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::data2/*',
};

const user = (name: string, extra: Record<string, unknown> = {}) => ({
  UserName: name,
  UserId: `AIDA${name.toUpperCase()}`,
  Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  Path: '/',
  GroupList: [],
  AttachedManagedPolicies: [{ PolicyName: 'HomeDirs', PolicyArn: POLICY_ARN }],
  ...extra,
});

/** HomeDirs (no Version) held by user backup, with `versions` versions (the last the default). */
function contextWith(options: { versions?: number; users?: unknown[]; boundary?: boolean } = {}) {
  const count = options.versions ?? 1;
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [
        user(
          'backup',
          options.boundary === true
            ? {
                PermissionsBoundary: {
                  PermissionsBoundaryType: 'Policy',
                  PermissionsBoundaryArn: POLICY_ARN,
                },
              }
            : {},
        ),
        ...(options.users ?? []),
      ],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [
        {
          PolicyName: 'HomeDirs',
          Arn: POLICY_ARN,
          Path: '/',
          DefaultVersionId: `v${count}`,
          AttachmentCount: 1 + (options.users?.length ?? 0),
          PolicyVersionList: Array.from({ length: count }, (_, i) => ({
            Document: { Statement: [listOwn, readData2] },
            VersionId: `v${i + 1}`,
            IsDefaultVersion: i + 1 === count,
          })),
        },
      ],
    },
    'test',
  );
  assert.ok(parsed.ok);
  return explainContext({ snapshot: parsed.snapshot });
}

const listing = (time = '2026-11-27T10:01:00Z') =>
  deniedRecord({
    eventName: 'ListObjects',
    eventTime: time,
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action`,
    requestParameters: {
      bucketName: 'data',
      'list-type': '2',
      prefix: 'backup/',
      Host: 'data.s3.eu-west-1.amazonaws.com',
    },
    resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
  });

const explain = (context: ReturnType<typeof contextWith>, ...records: unknown[]) =>
  explainTexts([{ input: 't.json', text: JSON.stringify({ Records: records }) }], context);

describe('the Version fix of a managed policy', () => {
  test("a policy already at IAM's 5 versions gets the caveat that one must be deleted first", () => {
    const [finding] = explain(contextWith({ versions: 5 }), listing()).findings;
    assert.equal(finding?.fix?.attachKind, 'managed-policy-version');
    assert.deepEqual(finding?.fix?.statements, []);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          "HomeDirs already has 5 versions, IAM's maximum: delete a non-default version before creating the new one, such as the oldest (aws iam delete-policy-version --policy-arn arn:aws:iam::111122223333:policy/HomeDirs --version-id v1;",
        ),
      ),
      finding?.caveats.join('\n'),
    );
    const [fewer] = explain(contextWith({ versions: 4 }), listing()).findings;
    assert.ok(!fewer?.caveats.some((c) => c.includes('already has 5 versions')));
  });

  test('combined with a fix that adds statements to the same policy, the combined change keeps the Version, in either order', () => {
    const put = (time: string) =>
      deniedRecord({
        eventTime: time,
        requestParameters: {
          bucketName: 'data2',
          key: 'backup/x.bin',
          Host: 'data2.s3.eu-west-1.amazonaws.com',
        },
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data2/backup/x.bin" because no identity-based policy allows the s3:PutObject action`,
        resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data2/backup/x.bin' }],
      });
    for (const records of [
      [put('2026-11-27T10:00:00Z'), listing('2026-11-27T10:01:00Z')],
      [listing('2026-11-27T10:00:00Z'), put('2026-11-27T10:01:00Z')],
    ]) {
      const report = explain(contextWith(), ...records);
      const [change] = report.policyChanges ?? [];
      assert.deepEqual(change?.findings, [1, 2]);
      const document = change?.newDocument as { Version?: string; Statement: { Sid?: string }[] };
      assert.equal(document.Version, '2012-10-17');
      assert.deepEqual(
        document.Statement.map((s) => s.Sid),
        ['ListOwn', 'ReadData2', 'PermissionAuditorFix1'],
      );
      assert.match(change?.diff ?? '', /^\+ {3}"Version": "2012-10-17",$/m);
      assert.equal(change?.verified, true);
      assert.match(
        change?.verification[1] ?? '',
        /^Each finding's change was verified with that finding\. The Version/,
      );
      const versionFinding = report.findings.find((f) => f.fix?.statements.length === 0);
      assert.ok(
        versionFinding?.caveats.some((c) =>
          c.includes("keeps only the last one's change. Apply combined change 1"),
        ),
      );
    }
  });

  test('a policy other principals hold too is said to be verified for this caller only', () => {
    const [finding] = explain(contextWith({ users: [user('carol')] }), listing()).findings;
    assert.ok(
      finding?.fix?.verification.includes(
        'Verified for this caller only: HomeDirs also serves user carol (attached), for whom the ${…} read as their own values; what the new version changes for them was not evaluated.',
      ),
      finding?.fix?.verification.join('\n'),
    );
  });

  test('a policy that is also the permissions boundary is checked with the new version in both places', () => {
    const [finding] = explain(contextWith({ boundary: true }), listing()).findings;
    assert.equal(finding?.fix?.attachKind, 'managed-policy-version');
    assert.deepEqual(finding?.fix?.statements, []);
    assert.equal(finding?.fix?.verified, true);
    assert.ok(
      finding?.fix?.verification.includes(
        'HomeDirs is also the permissions boundary: checked with the new version in both places.',
      ),
      finding?.fix?.verification.join('\n'),
    );
  });
});
