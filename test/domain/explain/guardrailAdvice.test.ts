/**
 * The advice for common bucket-policy guardrails follows what the refused request shows: a request
 * through a VPC endpoint has no aws:SourceIp to meet; a long-term access key never carries the MFA keys; a
 * part of a multipart upload carries no encryption or ACL header; a request an AWS service made for the
 * caller does not come through its network.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import {
  ACCOUNT,
  backupUserContext,
  deniedObjectRecord,
  deniedRecord,
  explainContext,
} from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

const caveatNaming = (caveats: readonly string[] | undefined, sid: string): string =>
  caveats?.find((c) => c.includes(`"${sid}"`) || c.includes(`statement ${sid})`)) ?? '';

describe('aws:SourceIp advice for a request through a VPC endpoint', () => {
  const read = (vpcEndpointId?: string) =>
    deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
      errorMessage: 'Access Denied',
      sourceIPAddress: '10.0.0.5',
      ...(vpcEndpointId !== undefined ? { vpcEndpointId } : {}),
    });
  const ALLOW_GET = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' };
  const IN_RANGE = { 'aws:SourceIp': '10.0.0.0/8' };

  test('a Deny outside an address range: no address meets it through the endpoint, and the keys that do are named', () => {
    const deny = {
      Sid: 'OnlyFromOffice',
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: { NotIpAddress: IN_RANGE },
    };
    const finding = explainTexts(text(read('vpce-1111')), backupUserContext([ALLOW_GET, deny])).findings[0];
    assert.equal(finding?.cause, 'identity-explicit-deny');
    const caveat = caveatNaming(finding?.caveats, 'OnlyFromOffice');
    assert.match(
      caveat,
      /To get past it while it stays in place: make the request off VPC endpoint vpce-1111, from an address the statement exempts \(10\.0\.0\.0\/8\): the request came through that endpoint, and AWS leaves aws:SourceIp out of the context of a request through a VPC endpoint \(its address in the VPC is aws:VpcSourceIp\), so no address gets past this condition there/,
    );
    assert.match(caveat, /aws:SourceVpce or aws:SourceVpc, or aws:VpcSourceIp/);
    assert.match(caveat, /reference_policies_condition-keys\.html#condition-keys-sourceip/);
    assert.doesNotMatch(caveat, /send the request from an address/);
    // Off the endpoint, the address is what to change.
    const off = explainTexts(
      text({ ...read(), sourceIPAddress: '192.0.2.9' }),
      backupUserContext([ALLOW_GET, deny]),
    ).findings[0];
    assert.match(
      caveatNaming(off?.caveats, 'OnlyFromOffice'),
      /send the request from an address the statement exempts \(10\.0\.0\.0\/8\)/,
    );
  });

  test('an Allow from an address range (a near miss): the same advice', () => {
    const allow = { ...ALLOW_GET, Sid: 'ReadFromOffice', Condition: { IpAddress: IN_RANGE } };
    const finding = explainTexts(text(read('vpce-2222')), backupUserContext([allow])).findings[0];
    const caveat = caveatNaming(finding?.caveats, 'ReadFromOffice');
    assert.match(
      caveat,
      /To meet the condition, make the request off VPC endpoint vpce-2222, from an address/,
    );
    assert.doesNotMatch(caveat, /send the request from an address/);
  });
});

describe('MFA guardrails: the advice says which credentials carry the key, and how to get them', () => {
  const ALLOW_DELETE = { Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/*' };
  const denyWithout = {
    Sid: 'DenyNoMFA',
    Effect: 'Deny',
    Action: 's3:DeleteObject',
    Resource: 'arn:aws:s3:::data/*',
    Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
  };
  const remove = (userIdentity?: Record<string, unknown>) =>
    deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'data', 'in/a.csv', {
      errorMessage: 'Access Denied',
      ...(userIdentity !== undefined ? { userIdentity } : {}),
    });
  const session = (mfaAuthenticated: string) => ({
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLE',
    arn: `arn:aws:iam::${ACCOUNT}:user/backup`,
    accountId: ACCOUNT,
    userName: 'backup',
    accessKeyId: 'ASIAEXAMPLE',
    sessionContext: { attributes: { creationDate: '2026-11-27T02:00:00Z', mfaAuthenticated } },
  });

  test('a long-term access key never carries the key: temporary credentials obtained with MFA are what meets it', () => {
    const finding = explainTexts(text(remove()), backupUserContext([ALLOW_DELETE, denyWithout])).findings[0];
    const caveat = caveatNaming(finding?.caveats, 'DenyNoMFA');
    assert.match(
      caveat,
      /To get past it while it stays in place: sign the requests with temporary credentials obtained with MFA: they were signed with a long-term access key \(an IAM user's or root's\), whose requests never carry aws:MultiFactorAuthPresent/,
    );
    assert.match(caveat, /aws sts get-session-token --serial-number MFA_DEVICE_ARN --token-code CODE/);
    assert.match(caveat, /id_credentials_mfa_configure-api-require\.html/);
    assert.doesNotMatch(caveat, /meet the condition/);
  });

  test('a session obtained without MFA, or one whose MFA is older than the statement allows', () => {
    const without = explainTexts(
      text(remove(session('false'))),
      backupUserContext([ALLOW_DELETE, denyWithout]),
    ).findings[0];
    assert.match(
      caveatNaming(without?.caveats, 'DenyNoMFA'),
      /sign with temporary credentials obtained with MFA: the session's were not \(aws sts get-session-token/,
    );
    const old = {
      ...denyWithout,
      Sid: 'DenyOldMFA',
      Condition: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': '3600' } },
    };
    const aged = explainTexts(text(remove(session('true'))), backupUserContext([ALLOW_DELETE, old]))
      .findings[0];
    assert.equal(aged?.cause, 'identity-explicit-deny');
    assert.match(
      caveatNaming(aged?.caveats, 'DenyOldMFA'),
      /get new temporary credentials with MFA: the session's were obtained with MFA, longer ago than the statement allows/,
    );
  });

  test('an Allow that requires MFA (a near miss) gets the same advice', () => {
    const allow = {
      ...ALLOW_DELETE,
      Sid: 'DeleteWithMFA',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    };
    const finding = explainTexts(text(remove()), backupUserContext([allow])).findings[0];
    assert.match(
      caveatNaming(finding?.caveats, 'DeleteWithMFA'),
      /To meet the condition, sign the requests with temporary credentials obtained with MFA/,
    );
  });
});

describe('MFA guardrails on role sessions that no MFA parameter reaches', () => {
  const statements = [
    { Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/*' },
    {
      Sid: 'DenyNoMFA',
      Effect: 'Deny',
      Action: 's3:DeleteObject',
      Resource: 'arn:aws:s3:::data/*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
  ];
  /** Role `name` (path `path`) holding `statements`, and its session's refused delete. */
  const explainSession = (name: string, path: string, sessionContext: Record<string, unknown> = {}) => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [],
        GroupDetailList: [],
        RoleDetailList: [
          {
            RoleName: name,
            RoleId: 'AROAEXAMPLE',
            Arn: roleArn,
            Path: path,
            AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
            AttachedManagedPolicies: [],
            RolePolicyList: [
              { PolicyName: 'inline', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
            ],
          },
        ],
        Policies: [],
      },
      'test',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/job`;
    const record = deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'data', 'in/a.csv', {
      errorMessage: 'Access Denied',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLE:job',
        arn,
        accountId: ACCOUNT,
        accessKeyId: 'ASIAEXAMPLE',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLE',
            arn: roleArn,
            accountId: ACCOUNT,
            userName: name,
          },
          attributes: { creationDate: '2026-11-27T09:00:00Z', mfaAuthenticated: 'false' },
          ...sessionContext,
        },
      },
    });
    const finding = explainTexts(text(record), explainContext({ snapshot: parsed.snapshot })).findings[0];
    return caveatNaming(finding?.caveats, 'DenyNoMFA');
  };

  test('a session of a role assumed with sts:AssumeRole is told to assume it with MFA (the control case)', () => {
    assert.match(
      explainSession('Deployer', '/'),
      /assume the role with MFA: its session was not \(aws sts assume-role with --serial-number/,
    );
  });

  test('an IAM Identity Center session: no assume-role command, MFA is set in IAM Identity Center, the owner exempts it', () => {
    const caveat = explainSession(
      'AWSReservedSSO_DataScientist_0a1b2c3d4e5f6789',
      '/aws-reserved/sso.amazonaws.com/',
      {
        webIdFederationData: {},
      },
    );
    assert.doesNotMatch(caveat, /aws sts assume-role|mfa_serial/);
    assert.match(
      caveat,
      /no MFA parameter reaches this session, so no setting of the job gets past this: it is an IAM Identity Center session \(an AWSReservedSSO_ role\), whose credentials come from signing in to IAM Identity Center, not from sts:AssumeRole, and only AssumeRole and GetSessionToken take the MFA parameters/,
    );
    assert.match(caveat, /the statement's owner must exempt them/);
  });

  test('a web identity session (GitHub Actions OIDC): AssumeRoleWithWebIdentity takes no MFA parameters', () => {
    const caveat = explainSession('GitHubDeploy', '/', {
      webIdFederationData: {
        federatedProvider: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
        attributes: {},
      },
    });
    assert.doesNotMatch(caveat, /aws sts assume-role|mfa_serial/);
    assert.match(
      caveat,
      /no MFA parameter reaches this session, so no setting of the job gets past this: its credentials come from sts:AssumeRoleWithWebIdentity/,
    );
  });
});

describe('signature, authentication and listing guardrails name what to change', () => {
  test('s3:signatureversion, s3:authType and s3:max-keys', () => {
    const ALLOW = { Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' };
    const deny = (Sid: string, Condition: Record<string, unknown>) => ({
      Sid,
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition,
    });
    const get = (AuthenticationMethod: string, SignatureVersion: string) =>
      deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
        errorMessage: 'Access Denied',
        additionalEventData: { AuthenticationMethod, SignatureVersion },
      });
    const v2 = explainTexts(
      text(get('AuthHeader', 'SigV2')),
      backupUserContext([ALLOW, deny('DenySigV2', { StringEquals: { 's3:signatureversion': 'AWS' } })]),
    ).findings[0];
    assert.match(caveatNaming(v2?.caveats, 'DenySigV2'), /sign the request with Signature Version 4/);
    const presigned = explainTexts(
      text(get('QueryString', 'SigV4')),
      backupUserContext([
        ALLOW,
        deny('DenyPresigned', { StringEquals: { 's3:authType': 'REST-QUERY-STRING' } }),
      ]),
    ).findings[0];
    assert.match(
      caveatNaming(presigned?.caveats, 'DenyPresigned'),
      /authenticate another way than the statement refuses \("REST-QUERY-STRING"\): s3:authType REST-HEADER is a request signed in its Authorization header/,
    );
    const listing = deniedRecord({
      eventName: 'ListObjects',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        'list-type': '2',
        prefix: 'in/',
        'max-keys': '1000',
        Host: 'x',
      },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
    const pages = explainTexts(
      text(listing),
      backupUserContext([ALLOW, deny('SmallPages', { NumericGreaterThan: { 's3:max-keys': '100' } })]),
    ).findings[0];
    assert.match(
      caveatNaming(pages?.caveats, 'SmallPages'),
      /list with a page size \(max-keys\) for which s3:max-keys NumericGreaterThan "100" does not hold/,
    );
  });
});

describe('a required-header Deny that refused a part of a multipart upload', () => {
  const ALLOW_PUT = { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' };
  const part = (eventName: string) =>
    deniedObjectRecord(eventName, 's3:PutObject', 'data', 'in/big.bin', {
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        key: 'in/big.bin',
        partNumber: '1',
        uploadId: 'u1',
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
  const requireSse = {
    Sid: 'DenyUnEncrypted',
    Effect: 'Deny',
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::data/*',
    Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
  };
  const requireAcl = {
    Sid: 'RequireBOFC',
    Effect: 'Deny',
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::data/*',
    Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
  };

  test('says the part cannot carry the header, instead of "send the header"', () => {
    const sse = explainTexts(text(part('UploadPart')), backupUserContext([ALLOW_PUT, requireSse]))
      .findings[0];
    const caveat = caveatNaming(sse?.caveats, 'DenyUnEncrypted');
    assert.match(
      caveat,
      /To get past it while it stays in place: a part of a multipart upload \(UploadPart, UploadPartCopy\) cannot carry the server-side encryption headers: S3 takes them on the CreateMultipartUpload/,
    );
    assert.match(caveat, /API_UploadPart\.html/);
    assert.match(caveat, /below the client's multipart threshold/);
    assert.doesNotMatch(caveat, /send the server-side encryption header/);
    const acl = explainTexts(text(part('UploadPart')), backupUserContext([ALLOW_PUT, requireAcl]))
      .findings[0];
    assert.match(caveatNaming(acl?.caveats, 'RequireBOFC'), /cannot carry an ACL header \(x-amz-acl\)/);
    assert.doesNotMatch(caveatNaming(acl?.caveats, 'RequireBOFC'), /send the ACL header/);
  });

  test('a whole-object upload keeps "send the header"; one beside parts gets both', () => {
    const whole = explainTexts(text(part('PutObject')), backupUserContext([ALLOW_PUT, requireSse]))
      .findings[0];
    const caveat = caveatNaming(whole?.caveats, 'DenyUnEncrypted');
    assert.match(caveat, /send the server-side encryption header/);
    assert.doesNotMatch(caveat, /cannot carry/);
    const both = explainTexts(
      text(part('PutObject'), part('UploadPart')),
      backupUserContext([ALLOW_PUT, requireSse]),
    ).findings[0];
    assert.match(
      caveatNaming(both?.caveats, 'DenyUnEncrypted'),
      /send the server-side encryption header .*; a part of a multipart upload \(UploadPart, UploadPartCopy\) cannot carry/,
    );
  });
});

describe('a network-perimeter Deny that refused a request an AWS service made for the caller', () => {
  const ALLOW_GET = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' };
  const perimeter = {
    Sid: 'Perimeter',
    Effect: 'Deny',
    Action: 's3:*',
    Resource: '*',
    Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1111' } },
  };
  const read = (invokedBy?: string) =>
    deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
      errorMessage: 'Access Denied',
      ...(invokedBy !== undefined
        ? {
            sourceIPAddress: invokedBy,
            userIdentity: {
              type: 'IAMUser',
              principalId: 'AIDAEXAMPLE',
              arn: `arn:aws:iam::${ACCOUNT}:user/backup`,
              accountId: ACCOUNT,
              userName: 'backup',
              invokedBy,
            },
          }
        : {}),
    });

  test('names the service and the data-perimeter exception, not "send the request through the VPC endpoint"', () => {
    const finding = explainTexts(
      text(read('athena.amazonaws.com')),
      backupUserContext([ALLOW_GET, perimeter]),
    ).findings[0];
    assert.equal(finding?.cause, 'identity-explicit-deny');
    const caveat = caveatNaming(finding?.caveats, 'Perimeter');
    assert.match(
      caveat,
      /no setting of the job gets past this: athena\.amazonaws\.com made the request for the caller \(the record's invokedBy\)/,
    );
    assert.match(caveat, /BoolIfExists aws:ViaAWSService "false"/);
    assert.match(caveat, /access_policies_data-perimeters\.html/);
    assert.doesNotMatch(caveat, /send the request through the VPC endpoint/);
    const own = explainTexts(text(read()), backupUserContext([ALLOW_GET, perimeter])).findings[0];
    assert.match(caveatNaming(own?.caveats, 'Perimeter'), /send the request through the VPC endpoint/);
  });
});
