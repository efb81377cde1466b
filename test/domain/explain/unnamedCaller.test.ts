/**
 * A cross-account caller that CloudTrail names only by account and principal ID (the legacy `Access
 * Denied` message carries no ARN): the finding keeps the principal ID, groups one role's sessions
 * together and different roles apart, and says how to find the role by its unique ID and how to grant
 * it without naming the whole account.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { renderText } from '../../../src/domain/render/text.js';
import { deniedObjectRecord, deniedRecord, explainContext } from './explainFixtures.js';

const PARTNER = '444455556666';
const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

function partnerRead(principalId: string, key: string): Record<string, unknown> {
  return deniedObjectRecord('GetObject', 's3:GetObject', 'exports', key, {
    userIdentity: { type: 'AWSAccount', principalId, accountId: PARTNER },
    errorMessage: 'Access Denied',
    userAgent: 'Boto3/1.35.36 md/Botocore#1.35.36',
  });
}

const context = explainContext({
  bucketPolicies: new Map([
    [
      'exports',
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PartnerList',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${PARTNER}:root` },
            Action: 's3:ListBucket',
            Resource: 'arn:aws:s3:::exports',
            Condition: { StringLike: { 's3:prefix': 'shared/*' } },
          },
          {
            Sid: 'PartnerRead',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${PARTNER}:root` },
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::exports/shared/*',
          },
        ],
      },
    ],
  ]),
});

describe('a cross-account caller named only by account and principal ID', () => {
  test('keeps its principal ID, and the caveat says how to find the role and grant only it', () => {
    const report = explainTexts(text(partnerRead('AROAEXAMPLEPARTNER:ci-sync', 'private/a.csv')), context);
    const [finding] = report.findings;
    assert.deepEqual(finding?.principal, {
      arn: 'unknown',
      type: 'AWSAccount',
      account: PARTNER,
      principalId: 'AROAEXAMPLEPARTNER:ci-sync',
    });
    assert.equal(finding?.cause, 'resource-policy-missing-allow');
    assert.equal(finding?.fix, null);
    assert.match(
      finding?.summary ?? '',
      /^AROAEXAMPLEPARTNER:ci-sync of account 444455556666 \(boto3 1\.35\.36\) was denied s3:GetObject/,
    );
    const caveat = finding?.caveats.find((c) =>
      c.startsWith("CloudTrail recorded only the caller's account"),
    );
    assert.ok(
      caveat?.includes(`aws iam list-roles --query "Roles[?RoleId=='AROAEXAMPLEPARTNER'].Arn"`),
      caveat,
    );
    assert.ok(caveat?.includes('{"StringLike": {"aws:userid": "AROAEXAMPLEPARTNER:*"}}'), caveat);
    // The bucket policy's grant to the partner's account on a narrower prefix is named too.
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'Statement "PartnerRead" of exports bucket policy allows s3:GetObject but only on arn:aws:s3:::exports/shared/*',
        ),
      ),
      finding?.caveats.join(' | '),
    );
    assert.match(
      renderText(report, { color: false }),
      /^ {2}Principal {2}principal ID AROAEXAMPLEPARTNER:ci-sync \(AWSAccount, account 444455556666\); the record names no ARN$/m,
    );
  });

  test('a condition the partner did not meet is named, though no fix is proposed', () => {
    const listing = deniedRecord({
      eventName: 'ListObjects',
      userIdentity: { type: 'AWSAccount', principalId: 'AROAEXAMPLEPARTNER:ci-sync', accountId: PARTNER },
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'exports', 'list-type': '2', prefix: 'internal/', Host: 'x' },
      resources: [{ accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::exports' }],
    });
    const [finding] = explainTexts(text(listing), context).findings;
    assert.equal(finding?.fix, null);
    // s3:prefix limits where the partner may list: the refused prefix alone is what a grant would add.
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          's3:ListBucket: the exports bucket policy (statement PartnerList) allows listing only the prefixes its Condition names (StringLike s3:prefix "shared/*"), and the job listed "internal/", outside them. If that limit is deliberate, the job must list only within those prefixes; if not, grant the refused prefix alone (StringLike s3:prefix "internal/*") on the bucket',
        ),
      ),
      finding?.caveats.join(' | '),
    );
  });

  test('an IAM user’s unique ID gets the user lookup and an exact aws:userid', () => {
    const [finding] = explainTexts(
      text(partnerRead('AIDAEXAMPLEPARTNER01', 'private/a.csv')),
      context,
    ).findings;
    const caveat = finding?.caveats.find((c) =>
      c.startsWith("CloudTrail recorded only the caller's account"),
    );
    assert.ok(
      caveat?.includes(`aws iam list-users --query "Users[?UserId=='AIDAEXAMPLEPARTNER01'].Arn"`),
      caveat,
    );
    assert.ok(caveat?.includes('{"StringEquals": {"aws:userid": "AIDAEXAMPLEPARTNER01"}}'), caveat);
  });

  test("in China the account's principal is written in the aws-cn partition", () => {
    const record = deniedObjectRecord('GetObject', 's3:GetObject', 'exports', 'private/a.csv', {
      userIdentity: { type: 'AWSAccount', principalId: 'AROAEXAMPLEPARTNER:ci-sync', accountId: PARTNER },
      errorMessage: 'Access Denied',
      awsRegion: 'cn-north-1',
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws-cn:s3:::exports/private/a.csv' },
        { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws-cn:s3:::exports' },
      ],
    });
    const [finding] = explainTexts(text(record), context).findings;
    const caveat = finding?.caveats.find((c) =>
      c.startsWith("CloudTrail recorded only the caller's account"),
    );
    assert.ok(caveat?.includes(`{"AWS": "arn:aws-cn:iam::${PARTNER}:root"}`), caveat);
  });

  test("statements naming a particular principal of the caller's account, or testing its ARN, are said to be unknown for it", () => {
    const naming = explainContext({
      bucketPolicies: new Map([
        [
          'exports',
          {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'EtlRead',
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${PARTNER}:role/etl` },
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::exports/*',
              },
              {
                Sid: 'DataRoles',
                Effect: 'Allow',
                Principal: { AWS: PARTNER },
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::exports/*',
                Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${PARTNER}:role/data/*` } },
              },
              {
                Sid: 'NoInterns',
                Effect: 'Deny',
                Principal: { AWS: `arn:aws:iam::${PARTNER}:role/intern` },
                Action: 's3:*',
                Resource: 'arn:aws:s3:::exports/*',
              },
              {
                // Another prefix than the request's, and a user where the principal ID is a role's.
                Sid: 'AuditorOnlyAudit',
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${PARTNER}:role/auditor` },
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::exports/audit/*',
              },
              {
                Sid: 'AliceRead',
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${PARTNER}:user/alice` },
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::exports/*',
              },
              {
                Sid: 'OtherAccount',
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::777788889999:role/etl' },
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::exports/*',
              },
            ],
          },
        ],
      ]),
    });
    const [finding] = explainTexts(
      text(partnerRead('AROAEXAMPLEPARTNER:ci-sync', 'private/a.csv')),
      naming,
    ).findings;
    const caveat = finding?.caveats.find((c) => c.startsWith('CloudTrail names the caller only by account'));
    assert.ok(
      caveat?.includes(
        '"EtlRead" (Allow, role etl); "DataRoles" (Allow, a condition on aws:PrincipalArn); "NoInterns" (Deny, role intern).',
      ),
      caveat,
    );
    for (const sid of ['OtherAccount', 'AuditorOnlyAudit', 'AliceRead'])
      assert.ok(!caveat?.includes(sid), caveat);
    const guard = finding?.caveats.find((c) =>
      c.includes('(statement DataRoles) allows this only under its Condition'),
    );
    assert.ok(guard?.includes('(unknown here: the record names the caller by its account alone)'), guard);
    assert.ok(!guard?.includes(':root'), guard);
  });

  test("a role ARN rebuilt from the message's session ARN: a guard on aws:PrincipalArn is unknown, the path not being shown", () => {
    const guarded = explainContext({
      bucketPolicies: new Map([
        [
          'exports',
          {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DataRoles',
                Effect: 'Allow',
                Principal: { AWS: PARTNER },
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::exports/*',
                Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${PARTNER}:role/data/*` } },
              },
            ],
          },
        ],
      ]),
    });
    const record = {
      ...partnerRead('AROAEXAMPLEPARTNER:sess1', 'private/a.csv'),
      errorMessage: `User: arn:aws:sts::${PARTNER}:assumed-role/etl/sess1 is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::exports/private/a.csv" because no resource-based policy allows the s3:GetObject action`,
    };
    const [finding] = explainTexts(text(record), guarded).findings;
    const guard = finding?.caveats.find((c) =>
      c.includes('(statement DataRoles) allows this only under its Condition'),
    );
    assert.ok(
      guard?.includes(
        'ArnLike aws:PrincipalArn "arn:aws:iam::444455556666:role/data/*" (unknown here, not absent: CloudTrail does not log aws:PrincipalArn (the caller\'s ARN: the record names the caller by its account alone, or its role without the role\'s path))',
      ),
      guard,
    );
  });

  test('a Deny on aws:PrincipalArn is not taken to refuse a caller whose ARN the record does not show', () => {
    const onlyPartnerRoles = explainContext({
      bucketPolicies: new Map([
        [
          'exports',
          {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'PartnerRead',
                Effect: 'Allow',
                Principal: { AWS: PARTNER },
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::exports/*',
              },
              {
                Sid: 'OnlyPartnerRoles',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: 'arn:aws:s3:::exports/*',
                Condition: {
                  StringNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${PARTNER}:role/partner-*` },
                },
              },
            ],
          },
        ],
      ]),
    });
    const byAccount = explainTexts(
      text(partnerRead('AROAEXAMPLEPARTNER:ci-sync', 'private/a.csv')),
      onlyPartnerRoles,
    ).findings[0];
    assert.notEqual(byAccount?.cause, 'resource-policy-explicit-deny');
    assert.ok(
      byAccount?.caveats.some((c) =>
        c.includes('"OnlyPartnerRoles" of exports bucket policy refuses s3:GetObject when aws:PrincipalArn'),
      ),
      byAccount?.caveats.join(' | '),
    );
    // A role session whose record names no sessionIssuer: the role's ARN is rebuilt without its path.
    const session = {
      ...partnerRead('AROAEXAMPLEPARTNER:ci-sync', 'private/a.csv'),
      errorMessage: `User: arn:aws:sts::${PARTNER}:assumed-role/deployer/ci-sync is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::exports/private/a.csv" with an explicit deny in a resource-based policy`,
    };
    const rebuilt = explainTexts(text(session), onlyPartnerRoles).findings[0];
    assert.deepEqual(
      rebuilt?.requests.map((r) => r.decision),
      ['Allowed'],
    );
    assert.ok(
      rebuilt?.caveats.some((c) =>
        c.includes('"OnlyPartnerRoles" of exports bucket policy refuses s3:GetObject when aws:PrincipalArn'),
      ),
      rebuilt?.caveats.join(' | '),
    );
  });

  test('one role’s sessions form one finding; another role of the account gets its own, not a repeat', () => {
    const report = explainTexts(
      text(
        partnerRead('AROAEXAMPLEPARTNER:ci-sync', 'private/a.csv'),
        partnerRead('AROAEXAMPLEPARTNER:nightly', 'private/b.csv'),
        partnerRead('AROAOTHERROLE:ci-sync', 'private/c.csv'),
      ),
      context,
    );
    assert.deepEqual(
      report.findings.map((f) => [f.principal.principalId, f.eventIds.length]),
      [
        ['AROAEXAMPLEPARTNER:ci-sync', 2],
        ['AROAOTHERROLE:ci-sync', 1],
      ],
    );
    // The same refusal by another role is not a repeat of the first role's: each needs its own grant.
    assert.equal(report.findings[1]?.repeatOf, undefined);
  });
});

describe('a caller neither the record nor its message names', () => {
  test('gets no fix from the message alone: there is no user or role to attach it to', () => {
    const report = explainTexts(
      text(
        // The message names a user of another account than the record's: it is not taken as the caller.
        deniedRecord({ userIdentity: { type: 'IAMUser', accountId: PARTNER } }),
      ),
      explainContext(),
    );
    const [finding] = report.findings;
    assert.equal(finding?.evidence, 'message');
    assert.equal(finding?.principal.arn, 'unknown');
    assert.equal(finding?.fix, null);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith("Neither the record nor its message names a caller of the record's account"),
      ),
      finding?.caveats.join('\n'),
    );
  });
});

describe("a caller named only by account: its aws:PrincipalType is its principal ID's, not the root user's", () => {
  const withTypeDeny = (type: string) =>
    explainContext({
      bucketPolicies: new Map([
        [
          'exports',
          {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'PartnerRead',
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${PARTNER}:root` },
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::exports/shared/*',
              },
              {
                Sid: 'DenyType',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: 'arn:aws:s3:::exports/*',
                Condition: { StringEquals: { 'aws:PrincipalType': type } },
              },
            ],
          },
        ],
      ]),
    });
  test("a role's session (AROA…) is AssumedRole, an IAM user (AIDA…) User, the root user (the account ID) Account", () => {
    const cause = (principalId: string, type: string) =>
      explainTexts(text(partnerRead(principalId, 'private/a.csv')), withTypeDeny(type)).findings[0]?.cause;
    assert.equal(cause('AROAEXAMPLEPARTNER:ci-sync', 'Account'), 'resource-policy-missing-allow');
    assert.equal(cause('AROAEXAMPLEPARTNER:ci-sync', 'AssumedRole'), 'resource-policy-explicit-deny');
    assert.equal(cause('AIDAEXAMPLEPARTNERUSER', 'User'), 'resource-policy-explicit-deny');
    assert.equal(cause('AIDAEXAMPLEPARTNERUSER', 'Account'), 'resource-policy-missing-allow');
    assert.equal(cause(PARTNER, 'Account'), 'resource-policy-explicit-deny');
  });
});
