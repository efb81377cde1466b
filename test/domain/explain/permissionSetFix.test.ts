/**
 * The fix for an IAM Identity Center role goes into its permission set's inline policy. The role it
 * provisions holds that policy as `AwsSSOInlinePolicy`: with the role in the snapshot, the fix is the
 * whole new inline policy (the current one plus the statements), held to IAM Identity Center's quota.
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { iamPolicySize } from '../../../src/domain/explain/policySize.js';
import type { Finding } from '../../../src/domain/explain/report.js';
import { renderSlack } from '../../../src/domain/render/slack.js';
import { renderText } from '../../../src/domain/render/text.js';
import { explainScenario } from '../../events/explainScenario.js';
import { temporaryDirectory } from '../../temporaryDirectory.js';

const SAMPLE = join(import.meta.dirname, '../../../events/17-identity-center-permission-set');
const dir = temporaryDirectory('permission-set-');
const ARGS = ['event.json', '--account-snapshot', 'authz.json'];

interface RoleDetail {
  RoleName: string;
  RolePolicyList: { PolicyName: string; PolicyDocument: unknown }[];
  Tags?: { Key: string; Value: string }[];
}

/** Sample 17 with the reserved role's inline policies replaced, explained. */
async function explainWith(
  name: string,
  policies: (current: RoleDetail['RolePolicyList']) => RoleDetail['RolePolicyList'],
  event: (record: Record<string, unknown>) => void = () => undefined,
  tags?: RoleDetail['Tags'],
): Promise<Finding> {
  const copy = join(dir(), name);
  mkdirSync(copy);
  const record = JSON.parse(readFileSync(join(SAMPLE, 'event.json'), 'utf8')) as Record<string, unknown>;
  event(record);
  writeFileSync(join(copy, 'event.json'), JSON.stringify(record));
  const authz = JSON.parse(readFileSync(join(SAMPLE, 'authz.json'), 'utf8')) as {
    RoleDetailList: RoleDetail[];
  };
  const role = authz.RoleDetailList.find((r) => r.RoleName.startsWith('AWSReservedSSO_'))!;
  role.RolePolicyList = policies(role.RolePolicyList);
  if (tags !== undefined) role.Tags = tags;
  writeFileSync(join(copy, 'authz.json'), JSON.stringify(authz));
  const report = await explainScenario(copy, ARGS);
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

const ADDED = {
  Effect: 'Allow',
  Action: ['s3:PutObject'],
  Resource: ['arn:aws:s3:::ds-sandbox/users/maria.garcia/models/*'],
};

describe('a permission set fix', () => {
  test('is the inline policy as provisioned to the role, with the statements added, and its diff', async () => {
    const report = await explainScenario(SAMPLE, ARGS);
    const fix = report.findings[0]?.fix;
    assert.equal(fix?.attachKind, 'permission-set');
    assert.equal(fix?.policyName, 'DataScientist');
    assert.equal(fix?.verified, true);
    assert.equal(fix?.overQuota, undefined);
    const statements = (fix?.newDocument as { Statement: { Sid?: string }[] } | undefined)?.Statement ?? [];
    assert.deepEqual(
      statements.map((s) => s.Sid),
      ['SandboxList', 'SandboxRead', 'PermissionAuditorFix1'],
    );
    assert.deepEqual({ ...statements[2], Sid: undefined }, { ...ADDED, Sid: undefined });
    assert.match(fix?.diff ?? '', /^\+ {7}"Sid": "PermissionAuditorFix1",$/m);
    // No command applies a permission set's policy here (its instance and ARN are not in the input).
    assert.doesNotMatch(JSON.stringify(renderSlack(report)), /the command that applies it/);
    const text = renderText(report, { color: false });
    assert.match(
      text,
      /The whole new inline policy of the permission set, the current one with the statements added \(read from the role it provisions here, as AwsSSOInlinePolicy:/,
    );
  });

  test('is the statements alone, as a whole new inline policy, when the role holds none', async () => {
    const finding = await explainWith('no-inline', () => []);
    assert.deepEqual(finding.fix?.newDocument, { Version: '2012-10-17', Statement: [ADDED] });
    assert.equal(finding.fix?.diff, undefined);
    assert.equal(finding.fix?.verified, true);
    const text = renderText({ findings: [finding], skipped: [], errors: [] }, { color: false });
    assert.match(
      text,
      /The whole new inline policy of the permission set \(the role it provisions here holds none: if the permission set has an inline policy now, add the statements to it\):/,
    );
  });

  /** The role's inline policies, each with one more statement allowing s3:PutObject on `resource`. */
  const withPutObject =
    (sid: string, resource: string) =>
    (current: RoleDetail['RolePolicyList']): RoleDetail['RolePolicyList'] =>
      current.map((p) => ({
        ...p,
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            ...((p.PolicyDocument as { Statement: unknown[] }).Statement ?? []),
            { Sid: sid, Effect: 'Allow', Action: 's3:PutObject', Resource: resource },
          ],
        },
      }));

  test('beside a statement that already scopes the action per user with a principal tag, says to pass the attribute', async () => {
    const perUser = await explainWith(
      'per-user',
      withPutObject('OwnFolder', 'arn:aws:s3:::ds-sandbox/users/${aws:PrincipalTag/userName}/*'),
    );
    const note =
      perUser.caveats.find((c) => c.startsWith('The permission set DataScientist is shared')) ?? '';
    assert.match(
      note,
      /Its statement "OwnFolder" of AwsSSOInlinePolicy already scopes these actions per user with \$\{aws:PrincipalTag\/userName\}, which this session carried no value for/,
    );
    assert.doesNotMatch(note, /scope it per user instead/);
    // With the tag on the role itself, every session has a value: the statement resolves to it, and is
    // not said to wait for the attribute; the near-miss caveat says whose directory the refused one is.
    const tagged = await explainWith(
      'per-user-tagged',
      withPutObject('OwnFolder', 'arn:aws:s3:::ds-sandbox/users/${aws:PrincipalTag/userName}/*'),
      () => undefined,
      [{ Key: 'userName', Value: 'ops' }],
    );
    assert.doesNotMatch(tagged.caveats.join('\n'), /which this session carried no value for/);
    assert.ok(
      tagged.caveats.some((c) =>
        c.includes(
          '${aws:PrincipalTag/userName} is ops for this one, so it allows arn:aws:s3:::ds-sandbox/users/ops/* here',
        ),
      ),
      tagged.caveats.join(' | '),
    );
    // One on another bucket is not the per-user grant of these requests.
    const elsewhere = await explainWith(
      'elsewhere',
      withPutObject('ArchiveHome', 'arn:aws:s3:::team-archive/home/${aws:PrincipalTag/userName}/*'),
    );
    assert.match(
      elsewhere.caveats.find((c) => c.startsWith('The permission set DataScientist is shared')) ?? '',
      /scope it per user instead, with attributes for access control/,
    );
    // One scoped by a team tag would take the team "users" to cover it: not the user's own grant.
    const team = await explainWith(
      'team',
      withPutObject('TeamFolder', 'arn:aws:s3:::ds-sandbox/${aws:PrincipalTag/team}/*'),
    );
    assert.match(
      team.caveats.find((c) => c.startsWith('The permission set DataScientist is shared')) ?? '',
      /scope it per user instead, with attributes for access control/,
    );
    // Without one, the advice to scope per user stands.
    const plain = await explainWith('plain', (current) => current);
    assert.match(
      plain.caveats.find((c) => c.startsWith('The permission set DataScientist is shared')) ?? '',
      /scope it per user instead, with attributes for access control/,
    );
  });

  test('over IAM Identity Center quota of 10,240 characters, is not verified as applicable and says how to make room', async () => {
    const filler = Array.from({ length: 60 }, (_, i) => ({
      Sid: `Read${i}`,
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'],
      Resource: [`arn:aws:s3:::ds-sandbox/projects/project-number-${i}/datasets/*`],
    }));
    const finding = await explainWith('full', (current) => [
      {
        PolicyName: 'AwsSSOInlinePolicy',
        PolicyDocument: {
          ...(current[0]?.PolicyDocument as object),
          Statement: [
            ...((current[0]?.PolicyDocument as { Statement?: unknown[] } | undefined)?.Statement ?? []),
            ...filler,
          ],
        },
      },
    ]);
    const size = iamPolicySize(finding.fix?.newDocument);
    assert.ok(size > 10_240 && size < 12_000, `${size}`);
    assert.equal(finding.fix?.verified, false);
    assert.equal(
      finding.fix?.overQuota,
      `the inline policy of the permission set DataScientist would be ${size.toLocaleString('en-US')} characters (white space aside), over IAM Identity Center's quota of 10,240`,
    );
    assert.ok(finding.fix?.verification.some((line) => line.startsWith('Not verified as applicable')));
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          `With the statements, the inline policy of the permission set DataScientist would be ${size.toLocaleString('en-US')} characters`,
        ),
      ),
      finding.caveats.join('\n'),
    );
  });

  test("the key's statements that would take it over the quota stay out, with where they go for a permission set", async () => {
    const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/7f3c2a10-5b8e-4d21-9a6f-0c4e8b2d1a93';
    const filler = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        Sid: `Read${i}`,
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::ds-sandbox/projects/p-${String(i).padStart(3, '0')}/*`,
      }));
    // Room for the upload's statement (about 130 characters), not for the key's too (about 250 more).
    let n = 0;
    while (iamPolicySize({ Version: '2012-10-17', Statement: filler(n + 1) }) < 10_240 - 200) n++;
    const finding = await explainWith(
      'kms',
      () => [
        { PolicyName: 'AwsSSOInlinePolicy', PolicyDocument: { Version: '2012-10-17', Statement: filler(n) } },
      ],
      (record) => {
        Object.assign(record.requestParameters as object, {
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': KEY,
        });
      },
    );
    assert.equal(finding.fix?.overQuota, undefined);
    const caveat = finding.caveats.find((c) => c.startsWith("The key's statements are not added to the fix"));
    assert.ok(caveat !== undefined, finding.caveats.join('\n'));
    assert.match(
      caveat,
      /over IAM Identity Center's quota of 10,240, and IAM Identity Center would refuse it\./,
    );
    assert.match(caveat, /Put them in a customer managed policy the permission set references instead/);
    assert.doesNotMatch(caveat, /attach-role-policy/);
  });

  test('is the statements to add, with no whole document, when the role holds its policy as something else than JSON', async () => {
    const finding = await explainWith('unreadable', () => [
      { PolicyName: 'AwsSSOInlinePolicy', PolicyDocument: '%7B%22Version%22%3A' },
    ]);
    assert.deepEqual(finding.fix?.statements, [ADDED]);
    assert.equal(finding.fix?.newDocument, undefined);
  });

  test('adding the Version its ${…} need goes to the permission set, not to the AWSReservedSSO_ role', async () => {
    const finding = await explainWith(
      'version',
      () => [
        {
          PolicyName: 'AwsSSOInlinePolicy',
          PolicyDocument: {
            Statement: [
              {
                Sid: 'ListOwn',
                Effect: 'Allow',
                Action: 's3:ListBucket',
                Resource: 'arn:aws:s3:::ds-sandbox',
                Condition: { StringLike: { 's3:prefix': 'users/${aws:userid}/*' } },
              },
            ],
          },
        },
      ],
      (record) => {
        const role = 'AWSReservedSSO_DataScientist_0a1b2c3d4e5f6789';
        record.eventName = 'ListObjects';
        record.errorMessage = `User: arn:aws:sts::111122223333:assumed-role/${role}/maria.garcia is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::ds-sandbox" because no identity-based policy allows the s3:ListBucket action`;
        record.requestParameters = {
          bucketName: 'ds-sandbox',
          'list-type': '2',
          prefix: 'users/AROAFD3WKGI5Z6VMB7ICK:maria.garcia/',
          Host: 'ds-sandbox.s3.eu-west-1.amazonaws.com',
        };
        record.resources = [
          { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::ds-sandbox' },
        ];
      },
    );
    const fix = finding.fix;
    assert.equal(fix?.attachKind, 'permission-set');
    assert.equal(fix?.policyName, 'DataScientist');
    assert.deepEqual(fix?.statements, []);
    assert.equal((fix?.newDocument as { Version?: string } | undefined)?.Version, '2012-10-17');
    assert.equal(fix?.verified, true);
    const text = renderText({ findings: [finding], skipped: [], errors: [] }, { color: false });
    assert.doesNotMatch(text, /aws iam put-role-policy/);
    assert.match(
      text,
      /Fix \(verified\): Replace the inline policy of the IAM Identity Center permission set that provisions the role /,
    );
    assert.match(text, /not provisioned again since, make the change to its inline policy as it is now\)/);
  });
});
