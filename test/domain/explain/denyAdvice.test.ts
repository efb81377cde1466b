/**
 * What an explicit Deny tests, said so that the job can stop matching it: its exception list, the
 * request values that made its conditions hold, and whom it covers when it has neither.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { denyCaveats } from '../../../src/domain/explain/denyAdvice.js';
import type { PolicySet } from '../../../src/domain/policy/evaluationPlan.js';
import { compilePolicy } from '../../../src/domain/policy/parsePolicy.js';
import type { AuthorizationRequest } from '../../../src/domain/policy/types.js';
import { evaluatedChecks, policySet } from './policySetFixtures.js';

type Statements = readonly Record<string, unknown>[];

const USER = 'arn:aws:iam::111122223333:user/nas-sync';
const ALLOW_ALL = { Effect: 'Allow', Action: 's3:*', Resource: '*' };

function setWith(bucketStatements: Statements, identity: Statements = [ALLOW_ALL]): PolicySet {
  return policySet({
    identity: { name: 'NasSync', statements: identity },
    bucket: { name: 'photos bucket policy', statements: bucketStatements },
  });
}

function caveatsFor(set: PolicySet, requests: readonly AuthorizationRequest[]): string[] {
  return denyCaveats(set, evaluatedChecks(set, requests));
}

const deleteRequest: AuthorizationRequest = {
  principal: USER,
  action: 's3:DeleteObject',
  resource: 'arn:aws:s3:::photos/2019/a.jpg',
  resourceAccount: '111122223333',
};

describe('denyCaveats', () => {
  test('an exception on the caller names the exempt principals and the caller’s own value', () => {
    const set = setWith([
      {
        Sid: 'DenyDeleteExceptAdmins',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:DeleteObject',
        Resource: 'arn:aws:s3:::photos/*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/storage-admin' } },
      },
    ]);
    assert.deepEqual(
      caveatsFor(set, [deleteRequest, { ...deleteRequest, resource: 'arn:aws:s3:::photos/b' }]),
      [
        'Statement "DenyDeleteExceptAdmins" of photos bucket policy refused s3:DeleteObject (its Resource: arn:aws:s3:::photos/*): it applies to every caller except those whose aws:PrincipalArn matches "arn:aws:iam::111122223333:role/storage-admin" (ArnNotEquals; this caller\'s is "arn:aws:iam::111122223333:user/nas-sync"). To get past it while it stays in place: run the job as a principal it exempts; or change the job so that it does not call s3:DeleteObject on arn:aws:s3:::photos/*. If this caller should be exempt too, that is a change to the Deny for its owner to make (add the caller to the exception).',
      ],
    );
  });

  test('aws:SourceVpc of a request through a VPC endpoint is unknown, not absent: the caveat hedges and says how to check', () => {
    const set = setWith([
      {
        Sid: 'DenyOutsideVpc',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::photos/*',
        Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-0f00d1234abcd5678' } },
      },
    ]);
    const throughEndpoint = { ...deleteRequest, context: { 'aws:SourceVpce': 'vpce-0a1b2c3d' } };
    const [said] = caveatsFor(set, [throughEndpoint]);
    assert.ok(
      said?.includes(
        '(the request came through VPC endpoint vpce-0a1b2c3d, whose VPC the record does not show (CloudTrail logs no aws:SourceVpc); if that VPC is one the statement names, this statement did not refuse it, and another policy did)',
      ),
      said,
    );
    assert.ok(said?.includes('aws ec2 describe-vpc-endpoints --vpc-endpoint-ids vpce-0a1b2c3d'), said);
    assert.ok(!said?.includes('send the request through the VPC endpoint'), said);
    // Without an endpoint the key is absent indeed.
    const [direct] = caveatsFor(set, [deleteRequest]);
    assert.ok(direct?.includes('(the request had no aws:SourceVpc)'), direct);
    // A Null test on it did not hold in AWS: the request carried the key.
    const nullSet = setWith([
      {
        Sid: 'DenyWithoutVpc',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::photos/*',
        Condition: { Null: { 'aws:SourceVpc': 'true' } },
      },
    ]);
    const [nullSaid] = caveatsFor(nullSet, [throughEndpoint]);
    assert.ok(
      nullSaid?.includes(
        'so it carried aws:SourceVpc, which CloudTrail does not log: this test did not hold in AWS',
      ),
      nullSaid,
    );
    assert.ok(!nullSaid?.includes('is in a VPC the statement names'), nullSaid);
  });

  test('an ACL header the Deny requires also needs s3:PutObjectAcl: the hint says so', () => {
    const set = setWith([
      {
        Sid: 'RequireBucketOwnerFullControl',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::photos/*',
        Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
    ]);
    const [said] = caveatsFor(set, [{ ...deleteRequest, action: 's3:PutObject' }]);
    assert.ok(said?.includes('aws-cli --acl bucket-owner-full-control'), said);
    assert.ok(said?.includes('as s3:PutObjectAcl too'), said);
  });

  test('a condition on the request says what the request had, and how to meet it; the matched Resource comes first', () => {
    const set = setWith([
      {
        Sid: 'TlsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::photos', 'arn:aws:s3:::photos/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    const [caveat, ...rest] = caveatsFor(set, [
      { ...deleteRequest, action: 's3:GetObject', context: { 'aws:SecureTransport': 'false' } },
    ]);
    assert.deepEqual(rest, []);
    assert.match(
      caveat ?? '',
      /^Statement "TlsOnly" of photos bucket policy refused s3:GetObject \(its Resource: arn:aws:s3:::photos\/\*, arn:aws:s3:::photos\): it applies because aws:SecureTransport Bool "false" held \(the request had "false"\)\. To get past it while it stays in place: send the request over HTTPS/,
    );
    assert.match(caveat ?? '', /it looks deliberate\.$/);
  });

  test('a missing header is named as missing, with the encryption hint', () => {
    const set = setWith([
      {
        Sid: 'DenyUnencrypted',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::photos/*',
        Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
      },
    ]);
    const [caveat] = caveatsFor(set, [{ ...deleteRequest, action: 's3:PutObject' }]);
    assert.match(
      caveat ?? '',
      /s3:x-amz-server-side-encryption Null "true" held \(the request had no s3:x-amz-server-side-encryption\)/,
    );
    assert.match(caveat ?? '', /send the server-side encryption header/);
  });

  test('a set operator is named once, as the policy writes it (ForAllValues:StringNotEquals)', () => {
    const set = setWith([
      {
        Sid: 'OnlyTheseClasses',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::photos/*',
        Condition: { 'ForAllValues:StringNotEquals': { 's3:RequestObjectTagKeys': ['class'] } },
      },
    ]);
    const [caveat] = caveatsFor(set, [
      { ...deleteRequest, action: 's3:PutObject', context: { 's3:RequestObjectTagKeys': ['owner'] } },
    ]);
    assert.match(
      caveat ?? '',
      / s3:RequestObjectTagKeys ForAllValues:StringNotEquals "class" held \(the request had "owner"\)/,
    );
  });

  test('NotPrincipal is an exception list too', () => {
    const set = setWith([
      {
        Sid: 'OnlyAdmin',
        Effect: 'Deny',
        NotPrincipal: { AWS: 'arn:aws:iam::111122223333:user/admin' },
        Action: 's3:DeleteObject',
        Resource: 'arn:aws:s3:::photos/*',
      },
    ]);
    const [caveat] = caveatsFor(set, [deleteRequest]);
    assert.match(
      caveat ?? '',
      /applies to every caller except the principals its NotPrincipal names \(arn:aws:iam::111122223333:user\/admin\)\. To get past it while it stays in place: run the job as a principal it exempts/,
    );
  });

  test('a Deny with no condition is a guardrail for everyone the policy covers; one caveat per statement', () => {
    const set = setWith(
      [{ Sid: 'Allow', Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
      [
        ALLOW_ALL,
        { Sid: 'NoDeletes', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
        { Sid: 'NoTags', Effect: 'Deny', Action: 's3:PutObjectTagging', Resource: '*' },
      ],
    );
    const caveats = caveatsFor(set, [
      deleteRequest,
      { ...deleteRequest, action: 's3:PutObjectTagging' },
      { ...deleteRequest, action: 's3:GetObject' },
    ]);
    assert.deepEqual(
      caveats.map((c) => c.slice(0, c.indexOf(' To get past'))),
      [
        'Statement "NoDeletes" of NasSync refused s3:DeleteObject: it has no condition and no exception, so it applies to every principal the policy is attached to: a guardrail.',
        'Statement "NoTags" of NasSync refused s3:PutObjectTagging: it has no condition and no exception, so it applies to every principal the policy is attached to: a guardrail.',
      ],
    );
  });

  test('NotPrincipal naming a role does not exempt its sessions, and the caveat says so', () => {
    const role = 'arn:aws:iam::111122223333:role/ci/deploy';
    const set = setWith([
      {
        Sid: 'OnlyDeploy',
        Effect: 'Deny',
        NotPrincipal: { AWS: role },
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::photos/*',
      },
    ]);
    const [caveat] = caveatsFor(set, [
      {
        ...deleteRequest,
        action: 's3:PutObject',
        principal: 'arn:aws:sts::111122223333:assumed-role/deploy/gha-1',
      },
    ]);
    assert.match(
      caveat ?? '',
      /NotPrincipal names the role arn:aws:iam::111122223333:role\/ci\/deploy, but the request came from a session of it \(arn:aws:sts::111122223333:assumed-role\/deploy\/gha-1\): NotPrincipal matches the session's ARN, not the role's/,
    );
    assert.match(
      caveat ?? '',
      /Condition ArnNotEquals aws:PrincipalArn "arn:aws:iam::111122223333:role\/ci\/deploy" instead of NotPrincipal/,
    );
    assert.ok(!(caveat ?? '').includes('run the job as a principal it exempts'), caveat);
  });

  test('NotPrincipal naming the caller but not its account refuses it, and the caveat says what to list', () => {
    const set = setWith([
      {
        Sid: 'OnlyNas',
        Effect: 'Deny',
        NotPrincipal: { AWS: deleteRequest.principal },
        Action: 's3:DeleteObject',
        Resource: 'arn:aws:s3:::photos/*',
      },
    ]);
    const [caveat] = caveatsFor(set, [deleteRequest]);
    assert.match(
      caveat ?? '',
      new RegExp(
        `NotPrincipal names the caller ${deleteRequest.principal.replace(/[/.]/g, '\\$&')} but not its account \\(arn:aws:iam::111122223333:root\\): AWS may check the account`,
      ),
    );
    assert.ok(!(caveat ?? '').includes('run the job as a principal it exempts'), caveat);
    assert.ok(!(caveat ?? '').includes('add the caller to the exception'), caveat);
    // A session listed with its role, but not their account: the account is what is missing.
    const session = 'arn:aws:sts::111122223333:assumed-role/deploy/gha-1';
    const sessionSet = setWith([
      {
        Sid: 'OnlyDeploy',
        Effect: 'Deny',
        NotPrincipal: { AWS: [session, 'arn:aws:iam::111122223333:role/deploy'] },
        Action: 's3:DeleteObject',
        Resource: 'arn:aws:s3:::photos/*',
      },
    ]);
    const [sessionCaveat] = caveatsFor(sessionSet, [{ ...deleteRequest, principal: session }]);
    assert.match(sessionCaveat ?? '', /but not its account \(arn:aws:iam::111122223333:root\)/);
    assert.doesNotMatch(sessionCaveat ?? '', /the request came from a session of it/);
  });

  test('NotPrincipal naming the caller and its account, for a caller with a permissions boundary: the boundary is why', () => {
    const set = setWith([
      {
        Sid: 'OnlyNas',
        Effect: 'Deny',
        NotPrincipal: { AWS: [deleteRequest.principal, 'arn:aws:iam::111122223333:root'] },
        Action: 's3:DeleteObject',
        Resource: 'arn:aws:s3:::photos/*',
      },
    ]);
    const boundary = compilePolicy(
      { name: 'Boundary', document: { Version: '2012-10-17', Statement: [ALLOW_ALL] } },
      { policyType: 'permissions-boundary', policyIndex: 0 },
    );
    const bounded: PolicySet = { ...set, permissionsBoundary: boundary };
    const [caveat] = caveatsFor(bounded, [deleteRequest]);
    assert.match(
      caveat ?? '',
      /The caller has a permissions boundary, and a Deny with NotPrincipal always applies/,
    );
    assert.ok(!(caveat ?? '').includes('add the caller to the exception'), caveat);
    // Not listed at all: adding it would not help either.
    const others = setWith([
      {
        Sid: 'OnlyAdmin',
        Effect: 'Deny',
        NotPrincipal: { AWS: ['arn:aws:iam::111122223333:user/admin', 'arn:aws:iam::111122223333:root'] },
        Action: 's3:DeleteObject',
        Resource: 'arn:aws:s3:::photos/*',
      },
    ]);
    const [unlisted] = caveatsFor({ ...others, permissionsBoundary: boundary }, [deleteRequest]);
    assert.match(unlisted ?? '', /adding the caller to NotPrincipal would not exempt it/);
    assert.match(unlisted ?? '', /run the job as a principal it exempts that has no permissions boundary/);
    assert.ok(!(unlisted ?? '').includes('add the caller to the exception'), unlisted);
  });

  test('a Deny that names its principals, or targets the caller by a condition, is not said to cover everyone', () => {
    const set = setWith([
      {
        Sid: 'NotThisUser',
        Effect: 'Deny',
        Principal: { AWS: USER },
        Action: 's3:DeleteObject',
        Resource: '*',
      },
      {
        Sid: 'NotByArn',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:DeleteObject',
        Resource: '*',
        Condition: { ArnEquals: { 'aws:PrincipalArn': USER } },
      },
    ]);
    const [named, byCondition] = caveatsFor(set, [deleteRequest]);
    assert.match(
      named ?? '',
      /^Statement "NotThisUser" of photos bucket policy refused s3:DeleteObject: it has no condition and no exception, so it applies to the principals its Principal names \(arn:aws:iam::111122223333:user\/nas-sync\)\. /,
    );
    assert.match(
      byCondition ?? '',
      /because aws:PrincipalArn ArnEquals "arn:aws:iam::111122223333:user\/nas-sync" held \(the caller had "arn:aws:iam::111122223333:user\/nas-sync"\)\. To get past it while it stays in place: run the job as another principal; or change the job/,
    );
  });

  test('a caller key the input does not give is said to be unknown, not absent', () => {
    const set = setWith([
      {
        Sid: 'OrgOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
      },
    ]);
    const [caveat] = caveatsFor(set, [deleteRequest]);
    assert.match(
      caveat ?? '',
      /this caller's is not in the input, so the exception does not match here; if the real request carries it, another policy may be what refused it/,
    );
  });

  test('requests no Deny refused give no caveat', () => {
    const set = setWith([{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }], []);
    assert.deepEqual(caveatsFor(set, [deleteRequest]), []);
  });
});

/**
 * A Deny applies because its condition holds: advice to "meet the condition" is the opposite of what
 * gets a request past it. The Object Lock keys carry the lock settings the request sends, so the advice
 * names the setting that passes.
 */
describe('a Deny on a condition key', () => {
  const lockRequest: AuthorizationRequest = {
    ...deleteRequest,
    action: 's3:PutObject',
    context: { 's3:object-lock-mode': 'COMPLIANCE' },
  };

  test('on s3:object-lock-mode COMPLIANCE: send GOVERNANCE or no lock mode, never "meet the condition"', () => {
    const set = setWith([
      {
        Sid: 'NoCompliance',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:PutObject', 's3:PutObjectRetention'],
        Resource: 'arn:aws:s3:::photos/*',
        Condition: { StringEquals: { 's3:object-lock-mode': 'COMPLIANCE' } },
      },
    ]);
    const [caveat] = caveatsFor(set, [lockRequest]);
    assert.match(
      caveat ?? '',
      /To get past it while it stays in place: send GOVERNANCE as the Object Lock mode, or none \(the upload's x-amz-object-lock-mode header/,
    );
    assert.match(
      caveat ?? '',
      /https:\/\/docs\.aws\.amazon\.com\/AmazonS3\/latest\/userguide\/object-lock\.html/,
    );
    assert.doesNotMatch(caveat ?? '', /meet the condition/);
  });

  test('on s3:object-lock-legal-hold OFF: keep the hold (its exemption is offered apart)', () => {
    const set = setWith([
      {
        Sid: 'OnlyLegalLiftsHolds',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObjectLegalHold',
        Resource: 'arn:aws:s3:::photos/*',
        Condition: {
          StringEquals: { 's3:object-lock-legal-hold': 'OFF' },
          ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/legal-*' },
        },
      },
    ]);
    const [caveat] = caveatsFor(set, [
      {
        ...deleteRequest,
        action: 's3:PutObjectLegalHold',
        context: { 's3:object-lock-legal-hold': 'OFF' },
      },
    ]);
    assert.match(
      caveat ?? '',
      /To get past it while it stays in place: keep the legal hold: the statement refuses setting the legal-hold status OFF .*; or run the job as a principal it exempts;/,
    );
    assert.doesNotMatch(caveat ?? '', /meet the condition/);
  });

  test('on s3:object-lock-legal-hold under IfExists: an upload without the header is refused too, so no "or none"', () => {
    const set = setWith([
      {
        Sid: 'NoHoldsOnUploads',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::photos/*',
        Condition: { StringEqualsIfExists: { 's3:object-lock-legal-hold': 'ON' } },
      },
    ]);
    const [caveat] = caveatsFor(set, [{ ...deleteRequest, action: 's3:PutObject', context: {} }]);
    assert.match(
      caveat ?? '',
      /send a legal-hold status for which s3:object-lock-legal-hold StringEqualsIfExists/,
    );
    assert.match(
      caveat ?? '',
      /an upload without the header does not get past it \(a request without s3:object-lock-legal-hold meets StringEqualsIfExists too/,
    );
    assert.doesNotMatch(caveat ?? '', /or none on an upload/);
  });

  test('on s3:object-lock-legal-hold with StringEquals ON: an upload without the header gets past', () => {
    const set = setWith([
      {
        Sid: 'NoHolds',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::photos/*',
        Condition: { StringEquals: { 's3:object-lock-legal-hold': 'ON' } },
      },
    ]);
    const [caveat] = caveatsFor(set, [
      { ...deleteRequest, action: 's3:PutObject', context: { 's3:object-lock-legal-hold': 'ON' } },
    ]);
    assert.match(caveat ?? '', /x-amz-object-lock-legal-hold header: ON or OFF\), or none on an upload/);
  });

  test('on a key with no advice of its own: send the request so that the test no longer holds', () => {
    const set = setWith([
      {
        Sid: 'NoGlacier',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::photos/*',
        Condition: { StringEquals: { 's3:x-amz-storage-class': 'GLACIER' } },
      },
    ]);
    const [caveat] = caveatsFor(set, [
      { ...deleteRequest, action: 's3:PutObject', context: { 's3:x-amz-storage-class': 'GLACIER' } },
    ]);
    assert.match(
      caveat ?? '',
      /To get past it while it stays in place: send the request so that s3:x-amz-storage-class StringEquals "GLACIER" no longer holds; or change the job/,
    );
  });

  describe('each key with advice of its own says what gets past the Deny, never to meet it', () => {
    // [the Deny's Condition, the request's context, the advice, what the action is]
    const cases: readonly [string, Record<string, unknown>, Record<string, unknown>, RegExp, string?][] = [
      [
        'a source address range the Deny refuses',
        { IpAddress: { 'aws:SourceIp': '198.51.100.0/24' } },
        { 'aws:SourceIp': '198.51.100.33' },
        /send the request from an address outside 198\.51\.100\.0\/24, or through a VPC endpoint, whose requests carry no aws:SourceIp/,
      ],
      [
        'a source address range the Deny exempts',
        { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
        { 'aws:SourceIp': '198.51.100.33' },
        /send the request from an address the statement exempts \(203\.0\.113\.0\/24\)/,
      ],
      [
        'a prefix the Deny refuses',
        { StringLike: { 's3:prefix': 'secret/*' } },
        { 's3:prefix': 'secret/' },
        /list only outside the prefixes the statement refuses \(s3:prefix "secret\/\*"\)/,
        's3:ListBucket',
      ],
      [
        'a prefix the Deny exempts',
        { StringNotLike: { 's3:prefix': 'home/*' } },
        { 's3:prefix': 'secret/' },
        /list only within the prefixes the statement exempts \(s3:prefix "home\/\*"\)/,
        's3:ListBucket',
      ],
      [
        'a delimiter the Deny refuses',
        { StringEquals: { 's3:delimiter': '/' } },
        { 's3:delimiter': '/' },
        /list with another delimiter than the statement refuses \(s3:delimiter "\/"\), or none/,
        's3:ListBucket',
      ],
      [
        'a VPC endpoint the Deny refuses',
        { StringEquals: { 'aws:SourceVpce': 'vpce-bad' } },
        { 'aws:SourceVpce': 'vpce-bad' },
        /send the request through another VPC endpoint \(or VPC\) than vpce-bad, or not through one/,
      ],
      [
        'a VPC endpoint the Deny exempts',
        { StringNotEquals: { 'aws:SourceVpce': 'vpce-good' } },
        { 'aws:SourceVpce': 'vpce-other' },
        /send the request through the VPC endpoint \(or VPC\) the statement exempts \(vpce-good\)/,
      ],
      [
        'an encryption the Deny refuses',
        { StringEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
        { 's3:x-amz-server-side-encryption': 'AES256' },
        /send no server-side encryption setting the statement refuses \(s3:x-amz-server-side-encryption StringEquals "AES256"\): another one, or none/,
        's3:PutObject',
      ],
      [
        'an ACL the Deny refuses',
        { StringEquals: { 's3:x-amz-acl': 'public-read' } },
        { 's3:x-amz-acl': 'public-read' },
        /send no ACL header the statement refuses \(s3:x-amz-acl StringEquals "public-read"\): another canned ACL/,
        's3:PutObject',
      ],
      [
        'a TLS version the Deny refuses',
        { NumericLessThan: { 's3:TlsVersion': '1.2' } },
        { 's3:TlsVersion': '1.1' },
        /connect with a TLS version for which s3:TlsVersion NumericLessThan "1\.2" does not hold/,
      ],
      [
        'a tag the Deny refuses on the request',
        { StringEquals: { 'aws:RequestTag/team': 'temp' } },
        { 'aws:RequestTag/team': 'temp' },
        /send no tag the statement refuses \(aws:RequestTag\/team StringEquals "temp"\)/,
        's3:PutObject',
      ],
      [
        'a service account the Deny refuses',
        { StringEquals: { 'aws:SourceAccount': '444455556666' } },
        { 'aws:SourceAccount': '444455556666' },
        /have the statement's owner take what the AWS service acts for here .* out of the condition's values/,
      ],
      [
        'plain HTTP under a Deny that refuses HTTPS (no advice of its own): the test',
        { Bool: { 'aws:SecureTransport': 'true' } },
        { 'aws:SecureTransport': 'true' },
        /send the request so that aws:SecureTransport Bool "true" no longer holds/,
      ],
    ];
    for (const [name, condition, context, advice, action = 's3:GetObject'] of cases) {
      test(name, () => {
        const set = setWith([
          {
            Sid: 'Guard',
            Effect: 'Deny',
            Principal: '*',
            Action: action,
            Resource: ['arn:aws:s3:::photos', 'arn:aws:s3:::photos/*'],
            Condition: condition,
          },
        ]);
        const resource =
          action === 's3:ListBucket' ? 'arn:aws:s3:::photos' : 'arn:aws:s3:::photos/2019/a.jpg';
        const [caveat] = caveatsFor(set, [
          {
            ...deleteRequest,
            action,
            resource,
            context: context as NonNullable<AuthorizationRequest['context']>,
          },
        ]);
        const advised = (caveat ?? '').split('To get past it while it stays in place: ')[1] ?? '';
        assert.match(advised, advice, caveat);
        // An Allow's wording would say to do what the Deny refuses.
        assert.doesNotMatch(advised, /meet the condition|the statement (names|requires|allows)\b/, caveat);
      });
    }
  });

  describe('the advice follows IfExists, Null and the set qualifiers, never offering what the Deny refuses too', () => {
    // [name, the Deny's Condition, the request's context, the advice, what it must not offer, the action]
    const cases: readonly [
      string,
      Record<string, unknown>,
      Record<string, unknown>,
      RegExp,
      RegExp,
      string,
    ][] = [
      [
        'IpAddressIfExists, the request through a VPC endpoint (no aws:SourceIp): only an address outside the range',
        { IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } },
        { 'aws:SourceVpce': 'vpce-0a1b' },
        /send the request from an address outside 10\.0\.0\.0\/8, not through a VPC endpoint: a request through one carries no aws:SourceIp, and a request without aws:SourceIp meets IpAddressIfExists too/,
        /or through a VPC endpoint/,
        's3:GetObject',
      ],
      [
        'StringEqualsIfExists on aws:SourceVpce, the request through none: only another endpoint',
        { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-bad' } },
        { 'aws:SourceIp': '198.51.100.33' },
        /send the request through another VPC endpoint \(or VPC\) than vpce-bad: sending it through none does not get past it/,
        /or not through one/,
        's3:GetObject',
      ],
      [
        'StringEqualsIfExists on the encryption header: another setting, not none',
        { StringEqualsIfExists: { 's3:x-amz-server-side-encryption': 'AES256' } },
        {},
        /send a server-side encryption setting the statement does not refuse .*: sending none does not get past it/,
        /or none/,
        's3:PutObject',
      ],
      [
        'Null "false" on the ACL header: no ACL header at all',
        { Null: { 's3:x-amz-acl': 'false' } },
        { 's3:x-amz-acl': 'private' },
        /send no ACL header \(no aws-cli --acl, no rclone acl setting\): the statement refuses a request with any \(s3:x-amz-acl Null "false"\)/,
        /another canned ACL|s3:PutObjectAcl/,
        's3:PutObject',
      ],
      [
        'Null "false" on the encryption header: no encryption header at all',
        { Null: { 's3:x-amz-server-side-encryption': 'false' } },
        { 's3:x-amz-server-side-encryption': 'aws:kms' },
        /send no server-side encryption header \(and key\): the statement refuses a request with any/,
        /another one/,
        's3:PutObject',
      ],
      [
        'Null "true" on a request tag: the tag with any value',
        { Null: { 's3:RequestObjectTag/project': 'true' } },
        {},
        /send a "project" tag with the request, with any value \(aws-cli s3api put-object --tagging project=VALUE\)/,
        /the tags the statement lets through/,
        's3:PutObject',
      ],
      [
        'ForAnyValue:StringNotEquals on the tag keys: only listed keys',
        { 'ForAnyValue:StringNotEquals': { 's3:RequestObjectTagKeys': ['project', 'owner'] } },
        { 's3:RequestObjectTagKeys': ['project', 'temp'] },
        /send only tag keys the statement lists, or none \(s3:RequestObjectTagKeys ForAnyValue:StringNotEquals "project", "owner"\)/,
        /the tags the statement lets through/,
        's3:PutObject',
      ],
      [
        'ForAllValues:StringEquals on the tag keys: a key outside the list, since no tags match too',
        { 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['temp', 'scratch'] } },
        { 's3:RequestObjectTagKeys': ['temp'] },
        /send at least one of the tag keys outside the statement's list .*: ForAllValues holds when every one sent is listed, and for a request that sends none too/,
        /send no tag/,
        's3:PutObject',
      ],
    ];
    for (const [name, condition, context, advice, refused, action] of cases) {
      test(name, () => {
        const set = setWith([
          {
            Sid: 'Guard',
            Effect: 'Deny',
            Principal: '*',
            Action: action,
            Resource: 'arn:aws:s3:::photos/*',
            Condition: condition,
          },
        ]);
        const [caveat] = caveatsFor(set, [
          {
            ...deleteRequest,
            action,
            resource: 'arn:aws:s3:::photos/2019/a.jpg',
            context: context as NonNullable<AuthorizationRequest['context']>,
          },
        ]);
        const advised = ((caveat ?? '').split('To get past it while it stays in place: ')[1] ?? '').split(
          '; or change the job',
        )[0];
        assert.match(advised ?? '', advice, caveat);
        assert.doesNotMatch(advised ?? '', refused, caveat);
      });
    }
  });
});
