/**
 * PutBucketReplication needs s3:PutReplicationConfiguration on the bucket and iam:PassRole on the role
 * its configuration names (in the request body): the caller passes that role to S3
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html).
 * AWS's enhanced message names the first action it refused, so a message that names
 * s3:PutReplicationConfiguration still leaves iam:PassRole to evaluate.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExplainContext } from '../../../src/domain/explain/context.js';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import {
  ACCOUNT,
  backupUserContext,
  deniedRecord,
  explainContext,
  managedPolicy,
  userDetail,
} from './explainFixtures.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/s3-repl-role`;

function explainReplication(
  errorMessage: string,
  statements: readonly unknown[],
  extra: Partial<ExplainContext> = {},
) {
  const record = deniedRecord({
    eventName: 'PutBucketReplication',
    managementEvent: true,
    eventCategory: 'Management',
    requestParameters: {
      bucketName: 'data',
      Host: 'data.s3.eu-west-1.amazonaws.com',
      replication: '',
      ReplicationConfiguration: {
        Role: ROLE,
        Rule: { ID: 'all', Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::dr-replica' } },
      },
    },
    resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    errorMessage,
  });
  const report = explainTexts([{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }], {
    ...backupUserContext(statements),
    ...extra,
  });
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

const namingPutReplication = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutReplicationConfiguration on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:PutReplicationConfiguration action`;

describe('PutBucketReplication refused with a message naming s3:PutReplicationConfiguration', () => {
  test('the iam:PassRole on the role the configuration passes is evaluated too', () => {
    const finding = explainReplication(namingPutReplication, [
      { Effect: 'Allow', Action: 's3:GetReplicationConfiguration', Resource: 'arn:aws:s3:::data' },
    ]);
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.resource, r.decision]),
      [
        ['s3:PutReplicationConfiguration', 'arn:aws:s3:::data', 'ImplicitlyDenied'],
        ['iam:PassRole', ROLE, 'ImplicitlyDenied'],
      ],
    );
  });

  test('a caller allowed to pass the role gets the S3 action alone', () => {
    const finding = explainReplication(namingPutReplication, [
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE },
    ]);
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:PutReplicationConfiguration', 'ImplicitlyDenied'],
        ['iam:PassRole', 'Allowed'],
      ],
    );
    assert.deepEqual(
      finding.fix?.statements.flatMap((s) => s.Action),
      ['s3:PutReplicationConfiguration'],
    );
  });
});

const namingPassRole = (why: string) =>
  `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: iam:PassRole on resource: ${ROLE} ${why}`;

/** The statement that lets the caller pass the role to S3 alone (IAM's iam:PassedToService key). */
const PASS_ROLE_STATEMENT = {
  Effect: 'Allow',
  Action: ['iam:PassRole'],
  Resource: [ROLE],
  Condition: { StringEquals: { 'iam:PassedToService': 's3.amazonaws.com' } },
};

describe("PutBucketReplication refused iam:PassRole by the caller's identity policies", () => {
  for (const [form, message] of [
    ['enhanced', namingPassRole('because no identity-based policy allows the iam:PassRole action')],
    ['legacy', 'Access Denied'],
  ] as const) {
    test(`${form} message: the fix grants iam:PassRole on the role, passed to S3 alone, verified`, () => {
      const finding = explainReplication(message, [
        { Effect: 'Allow', Action: 's3:PutReplicationConfiguration', Resource: 'arn:aws:s3:::data' },
      ]);
      assert.equal(finding.cause, 'identity-missing-allow');
      assert.deepEqual(finding.fix?.statements, [PASS_ROLE_STATEMENT]);
      assert.equal(finding.fix?.verified, true);
      assert.ok(
        finding.fix?.verification.some((line) => line.includes('iam:PassRole among them')),
        finding.fix?.verification.join(' | '),
      );
      // Neither the unverified statement nor a claim that the refusing policy is missing.
      assert.ok(
        finding.caveats.every((c) => !c.includes('not verified here') && !c.includes('not in the input')),
        finding.caveats.join(' | '),
      );
    });
  }

  test('a message naming s3:PutReplicationConfiguration: the fix grants both, verified together', () => {
    const finding = explainReplication(namingPutReplication, []);
    assert.deepEqual(finding.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:PutReplicationConfiguration'], Resource: ['arn:aws:s3:::data'] },
      PASS_ROLE_STATEMENT,
    ]);
    assert.equal(finding.fix?.verified, true);
  });

  test("a PassRole an SCP denies: the caveat points at the request's row, not at a policy missing from the input", () => {
    const scp = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' },
      ],
    };
    const finding = explainReplication(
      namingPassRole('with an explicit deny in a service control policy'),
      [{ Effect: 'Allow', Action: ['s3:PutReplicationConfiguration', 'iam:PassRole'], Resource: '*' }],
      { scpLevels: [[{ name: 'scp.json', document: scp }]] },
    );
    assert.equal(finding.fix, null);
    const said = finding.caveats.find((c) =>
      c.startsWith("For PutBucketReplication, AWS's message names iam:PassRole"),
    );
    assert.ok(said !== undefined, finding.caveats.join(' | '));
    assert.ok(said.endsWith('Its request row gives what the visible policies decide for it.'), said);
  });
});

describe('PutBucketReplication refused iam:PassRole by the permissions boundary alone', () => {
  const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/Boundary`;
  function withBoundary(
    statements: readonly unknown[],
    boundary: readonly unknown[],
  ): Partial<ExplainContext> {
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [
          userDetail('backup', {
            UserPolicyList: [
              { PolicyName: 'inline', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
            ],
            PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: BOUNDARY },
          }),
        ],
        GroupDetailList: [],
        RoleDetailList: [],
        Policies: [managedPolicy('Boundary', { Version: '2012-10-17', Statement: boundary })],
      },
      'test',
    );
    assert.ok(parsed.ok);
    return explainContext({ snapshot: parsed.snapshot });
  }

  test("a fix elsewhere (an SCP's) leaves iam:PassRole to the caveat, which names the boundary that lacks it", () => {
    const scp = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] };
    const finding = explainReplication(
      namingPutReplication.replace('no identity-based policy', 'no service control policy'),
      [],
      {
        ...withBoundary(
          [{ Effect: 'Allow', Action: ['s3:PutReplicationConfiguration', 'iam:PassRole'], Resource: '*' }],
          [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
        ),
        scpLevels: [[{ name: 'scp.json', document: scp }]],
      },
    );
    assert.equal(finding.cause, 'scp-missing-allow');
    const said = finding.caveats.find((c) => c.startsWith('S3 needs the caller to be allowed to pass'));
    assert.ok(said?.includes("to the caller's permissions boundary (not verified here"), said);
    assert.ok(!said?.includes('identity policies'), said);
  });

  test("the fix adds the role's iam:PassRole, to S3 alone, to the boundary, verified; no caveat sends it to the identity policies", () => {
    const finding = explainReplication(
      namingPassRole('because no permissions boundary allows the iam:PassRole action'),
      [],
      withBoundary(
        [{ Effect: 'Allow', Action: ['s3:PutReplicationConfiguration', 'iam:PassRole'], Resource: '*' }],
        [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      ),
    );
    assert.equal(finding.cause, 'boundary-missing-allow');
    assert.equal(finding.fix?.policyArn, BOUNDARY);
    assert.deepEqual(finding.fix?.statements, [PASS_ROLE_STATEMENT]);
    assert.equal(finding.fix?.verified, true);
    assert.ok(
      finding.caveats.every((c) => !c.includes("to the caller's identity policies")),
      finding.caveats.join(' | '),
    );
  });
});

describe('PutBucketReplication refused iam:PassRole allowed only to another service', () => {
  test('the fix grants the role to S3 alone, and the caveat says why meeting the condition is not the way', () => {
    const finding = explainReplication(
      namingPassRole('because no identity-based policy allows the iam:PassRole action'),
      [
        { Effect: 'Allow', Action: 's3:PutReplicationConfiguration', Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: '*',
          Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        },
      ],
    );
    assert.deepEqual(finding.fix?.statements, [PASS_ROLE_STATEMENT]);
    assert.equal(finding.fix?.verified, true);
    assert.ok(
      finding.caveats.every((c) => !/Meet the condition|To meet the condition/.test(c)),
      finding.caveats.join(' | '),
    );
    assert.ok(
      finding.caveats.some((c) =>
        c.includes('lets the caller pass roles only to ec2.amazonaws.com (iam:PassedToService)'),
      ),
      finding.caveats.join(' | '),
    );
  });

  test('a statement with another condition beside iam:PassedToService keeps guarding: no statement is added', () => {
    const finding = explainReplication(
      namingPassRole('because no identity-based policy allows the iam:PassRole action'),
      [
        { Effect: 'Allow', Action: 's3:PutReplicationConfiguration', Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: '*',
          Condition: {
            StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
            Bool: { 'aws:MultiFactorAuthPresent': 'true' },
          },
        },
      ],
    );
    assert.equal(finding.fix, null);
  });
});
