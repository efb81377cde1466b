/**
 * A service-linked role's permissions policy is its service's: IAM refuses put-role-policy and new
 * policies on it (UnmodifiableEntity), so no identity fix is proposed for it, with or without the role
 * in the snapshot.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-permissions.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { ACCOUNT, deniedRecord, explainContext } from './explainFixtures.js';

const ROLE = 'AWSServiceRoleForAmazonMacie';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/macie.amazonaws.com/${ROLE}`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/AmazonMacieSession`;

const record = deniedRecord({
  eventName: 'GetObject',
  userIdentity: {
    type: 'AssumedRole',
    principalId: 'AROAMACIEEXAMPLE:AmazonMacieSession',
    arn: SESSION,
    accountId: ACCOUNT,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAMACIEEXAMPLE',
        arn: ROLE_ARN,
        accountId: ACCOUNT,
        userName: ROLE,
      },
    },
    invokedBy: 'macie.amazonaws.com',
  },
  errorMessage: `User: ${SESSION} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the s3:GetObject action`,
});
const text = [{ input: 'test.json', text: JSON.stringify({ Records: [record] }) }];

describe('a service-linked role refused by its identity policy', () => {
  test('gets no put-role-policy fix, and is told why', () => {
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [],
        GroupDetailList: [],
        RoleDetailList: [
          {
            RoleName: ROLE,
            RoleId: 'AROAMACIEEXAMPLE',
            Arn: ROLE_ARN,
            Path: '/aws-service-role/macie.amazonaws.com/',
            RolePolicyList: [],
            AttachedManagedPolicies: [],
          },
        ],
        Policies: [],
      },
      'test',
    );
    assert.ok(parsed.ok);
    for (const context of [explainContext({ snapshot: parsed.snapshot }), explainContext()]) {
      const [finding] = explainTexts(text, context).findings;
      assert.equal(finding?.cause, 'identity-missing-allow');
      assert.equal(finding?.fix, null);
      assert.ok(
        finding?.caveats.some((c) =>
          c.startsWith(
            `No fix proposed: the caller is the service-linked role ${ROLE}, whose permissions policy IAM does not let anyone change`,
          ),
        ),
        finding?.caveats.join('\n'),
      );
    }
  });
});

describe('a service-linked role refused by a VPC endpoint Deny in the bucket policy', () => {
  test('is told that only an exception for the role lets it through, not to use the endpoint or change the job', () => {
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [],
        GroupDetailList: [],
        RoleDetailList: [
          {
            RoleName: ROLE,
            RoleId: 'AROAMACIEEXAMPLE',
            Arn: ROLE_ARN,
            Path: '/aws-service-role/macie.amazonaws.com/',
            RolePolicyList: [
              {
                PolicyName: 'macie',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
                },
              },
            ],
            AttachedManagedPolicies: [],
          },
        ],
        Policies: [],
      },
      'test',
    );
    assert.ok(parsed.ok);
    const bucketPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyOutsideVpce',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
          Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f60718' } },
        },
      ],
    };
    const denied = {
      ...record,
      errorMessage: `User: ${SESSION} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in a resource-based policy`,
    };
    const [finding] = explainTexts(
      [{ input: 'test.json', text: JSON.stringify({ Records: [denied] }) }],
      explainContext({ snapshot: parsed.snapshot, bucketPolicies: new Map([['data', bucketPolicy]]) }),
    ).findings;
    assert.equal(finding?.cause, 'resource-policy-explicit-deny');
    const caveat = finding?.caveats.find((c) => c.includes('"DenyOutsideVpce"'));
    assert.ok(caveat, finding?.caveats.join('\n'));
    assert.match(caveat, /The caller is a service-linked role/);
    assert.match(
      caveat,
      new RegExp(
        `the Deny's owner must exempt the role, for example with Condition ArnNotLike aws:PrincipalArn "${ROLE_ARN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`,
      ),
    );
    assert.doesNotMatch(caveat, /send the request through the VPC endpoint|change the job/);
  });
});
