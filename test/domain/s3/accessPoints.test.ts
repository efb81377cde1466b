/**
 * Requests made through an S3 access point: how the record shows the access point, and the checks S3
 * makes on its ARNs.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-monitoring-logging.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authorizationChecksFor } from '../../../src/domain/s3/authorizationChecks.js';
import { accessPointOf, bucketOf, parseAccessPointResource } from '../../../src/domain/s3/s3Location.js';
import { BUCKET, CALLER_ACCOUNT, s3Record } from './s3EventRecords.js';

const AP = `arn:aws:s3:eu-west-1:${CALLER_ACCOUNT}:accesspoint/etl-ingest`;
const AP_HOST = `etl-ingest-${CALLER_ACCOUNT}.s3-accesspoint.eu-west-1.amazonaws.com`;

/** A record through the access point, as CloudTrail logs it: the bucket's ARNs and the access point's. */
function throughAccessPoint(eventName: string, params: Record<string, unknown>, withResource = true) {
  const key = params.key;
  return s3Record({
    eventName,
    requestParameters: { bucketName: BUCKET, ...params, Host: AP_HOST },
    resources: [
      ...(typeof key === 'string' ? [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${BUCKET}/${key}` }] : []),
      { accountId: CALLER_ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKET}` },
      ...(withResource ? [{ accountId: CALLER_ACCOUNT, type: 'AWS::S3::AccessPoint', ARN: AP }] : []),
    ],
  });
}

describe('accessPointOf', () => {
  test('reads the AWS::S3::AccessPoint entry of resources[]', () => {
    assert.deepEqual(accessPointOf(throughAccessPoint('GetObject', { key: 'a/b' })), {
      arn: AP,
      account: CALLER_ACCOUNT,
      name: 'etl-ingest',
    });
  });

  test('else the access point Host, in the partition of the record (FIPS, dual-stack, China)', () => {
    assert.equal(accessPointOf(throughAccessPoint('GetObject', { key: 'a/b' }, false))?.arn, AP);
    for (const [host, arn] of [
      [`etl-ingest-${CALLER_ACCOUNT}.s3-accesspoint-fips.dualstack.us-east-1.amazonaws.com`, 'us-east-1'],
      [`etl-ingest-${CALLER_ACCOUNT}.s3-accesspoint.dualstack.eu-west-1.amazonaws.com:443`, 'eu-west-1'],
    ] as const) {
      const record = s3Record({
        eventName: 'GetObject',
        requestParameters: { bucketName: BUCKET, key: 'k', Host: host },
      });
      assert.equal(
        accessPointOf(record)?.arn,
        `arn:aws:s3:${arn}:${CALLER_ACCOUNT}:accesspoint/etl-ingest`,
        host,
      );
    }
    const china = s3Record({
      eventName: 'GetObject',
      requestParameters: {
        bucketName: BUCKET,
        key: 'k',
        Host: `etl-ingest-${CALLER_ACCOUNT}.s3-accesspoint.cn-north-1.amazonaws.com.cn`,
      },
      resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws-cn:s3:::${BUCKET}/k` }],
    });
    assert.equal(
      accessPointOf(china)?.arn,
      `arn:aws-cn:s3:cn-north-1:${CALLER_ACCOUNT}:accesspoint/etl-ingest`,
    );
  });

  test('a bucket host, an Object Lambda access point, or a malformed ARN is none', () => {
    for (const Host of [
      `${BUCKET}.s3.eu-west-1.amazonaws.com`,
      `olap-${CALLER_ACCOUNT}.s3-object-lambda.eu-west-1.amazonaws.com`,
      `no-account.s3-accesspoint.eu-west-1.amazonaws.com`,
    ]) {
      const record = s3Record({
        eventName: 'GetObject',
        requestParameters: { bucketName: BUCKET, key: 'k', Host },
      });
      assert.equal(accessPointOf(record), undefined, Host);
    }
    const malformed = s3Record({
      eventName: 'GetObject',
      requestParameters: { bucketName: BUCKET, key: 'k' },
      resources: [{ type: 'AWS::S3::AccessPoint', ARN: 'arn:aws:s3:eu-west-1:123:accesspoint/x' }],
    });
    assert.equal(accessPointOf(malformed), undefined);
  });
});

const MRAP_ALIAS = 'mfzwi23gnjvgw.mrap';
const MRAP = `arn:aws:s3::${CALLER_ACCOUNT}:accesspoint/${MRAP_ALIAS}`;
const MRAP_HOST = `${MRAP_ALIAS}.accesspoint.s3-global.amazonaws.com`;

/** A record through the Multi-Region Access Point, as CloudTrail logs it: its Host and the bucket's ARNs. */
function throughMultiRegionAccessPoint(
  key: string,
  errorMessage: string,
  resources?: readonly Record<string, unknown>[],
) {
  return s3Record({
    eventName: 'GetObject',
    requestParameters: { bucketName: BUCKET, key, Host: MRAP_HOST },
    ...(resources !== undefined ? { resources } : {}),
    overrides: { errorMessage, additionalEventData: { SignatureVersion: 'SigV4a' } },
  });
}

describe('accessPointOf a Multi-Region Access Point', () => {
  test("its Host, with the account of the ARN the message names: the MRAP's ARN, alias and no Region", () => {
    const message = `User: arn:aws:iam::${CALLER_ACCOUNT}:user/u is not authorized to perform: s3:GetObject on resource: "arn:aws:s3::444455556666:accesspoint/${MRAP_ALIAS}/object/k" because no identity-based policy allows the s3:GetObject action`;
    assert.deepEqual(accessPointOf(throughMultiRegionAccessPoint('k', message)), {
      arn: `arn:aws:s3::444455556666:accesspoint/${MRAP_ALIAS}`,
      account: '444455556666',
      name: MRAP_ALIAS,
      multiRegion: true,
    });
  });

  test("with the legacy message, the bucket owner's account, flagged; with no account anywhere, none", () => {
    assert.deepEqual(accessPointOf(throughMultiRegionAccessPoint('k', 'Access Denied')), {
      arn: MRAP,
      account: CALLER_ACCOUNT,
      name: MRAP_ALIAS,
      multiRegion: true,
      accountFromBucket: true,
    });
    assert.equal(
      accessPointOf(
        throughMultiRegionAccessPoint('k', 'Access Denied', [
          { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${BUCKET}/k` },
        ]),
      ),
      undefined,
    );
  });

  test('an AWS::S3::AccessPoint entry with its ARN', () => {
    const record = s3Record({
      eventName: 'GetObject',
      requestParameters: { bucketName: BUCKET, key: 'k' },
      resources: [{ accountId: CALLER_ACCOUNT, type: 'AWS::S3::AccessPoint', ARN: MRAP }],
    });
    assert.equal(accessPointOf(record)?.arn, MRAP);
    assert.equal(accessPointOf(record)?.multiRegion, true);
  });
});

describe('parseAccessPointResource', () => {
  test('a Multi-Region Access Point ARN (no Region, its alias), and the key of an object ARN under it', () => {
    assert.deepEqual(parseAccessPointResource(`${MRAP}/object/ledger/2026/a.csv`), {
      accessPoint: { arn: MRAP, account: CALLER_ACCOUNT, name: MRAP_ALIAS, multiRegion: true },
      key: 'ledger/2026/a.csv',
    });
    // A name is not an alias, and a regional ARN has a Region.
    for (const resource of [
      `arn:aws:s3::${CALLER_ACCOUNT}:accesspoint/my-mrap/object/k`,
      `arn:aws:s3:eu-west-1:${CALLER_ACCOUNT}:accesspoint/${MRAP_ALIAS}/object/k`,
    ])
      assert.equal(parseAccessPointResource(resource), undefined, resource);
  });

  test('an access point ARN, and the key of an object ARN under it', () => {
    assert.deepEqual(parseAccessPointResource(AP), {
      accessPoint: { arn: AP, account: CALLER_ACCOUNT, name: 'etl-ingest' },
    });
    assert.equal(parseAccessPointResource(`${AP}/object/in/2026/a b.csv`)?.key, 'in/2026/a b.csv');
  });
  test('anything else is not one', () => {
    for (const resource of [`${AP}/objects/a`, `${AP}/object/`, `arn:aws:s3:::${BUCKET}/k`, '*'])
      assert.equal(parseAccessPointResource(resource), undefined, resource);
  });
});

describe('bucketOf with an access point alias', () => {
  test('an alias in bucketName gives way to the bucket resources[] names', () => {
    const record = s3Record({
      eventName: 'GetObject',
      requestParameters: { bucketName: 'etl-ingest-abcdefghij1234567890abcdefghijkl-s3alias', key: 'k' },
      resources: [{ accountId: CALLER_ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKET}` }],
    });
    assert.equal(bucketOf(record), BUCKET);
  });
});

describe('checks of a request through an access point', () => {
  test("an object request is authorized on the access point's object ARN, with its context keys and a caveat", () => {
    const result = authorizationChecksFor(throughAccessPoint('GetObject', { key: 'in/2026/a.csv' }));
    assert.ok(result.ok);
    const [check] = result.checks;
    assert.equal(check?.resource, `${AP}/object/in/2026/a.csv`);
    assert.equal(check?.accessPoint, AP);
    assert.equal(check?.bucket, BUCKET);
    assert.equal(check?.key, 'in/2026/a.csv');
    assert.equal(check?.context['s3:DataAccessPointArn'], AP);
    assert.equal(check?.context['s3:DataAccessPointAccount'], CALLER_ACCOUNT);
    assert.ok(result.notes.some((n) => n.startsWith('The request went through access point etl-ingest')));
  });

  test("a listing is authorized on the access point's ARN, a DeleteObjects on its objects", () => {
    const list = authorizationChecksFor(
      throughAccessPoint('ListObjects', { 'list-type': '2', prefix: 'in/', delimiter: '/' }),
    );
    assert.ok(list.ok);
    assert.deepEqual(
      list.checks.map((c) => [c.action, c.resource, c.context['s3:prefix']]),
      [['s3:ListBucket', AP, 'in/']],
    );
    const deletes = authorizationChecksFor(throughAccessPoint('DeleteObjects', { delete: '' }));
    assert.ok(deletes.ok);
    assert.deepEqual(
      deletes.checks.map((c) => c.resource),
      [`${AP}/object/*`],
    );
  });

  test('a copy through an access point writes there and reads its source where x-amz-copy-source says', () => {
    const result = authorizationChecksFor(
      throughAccessPoint('CopyObject', { key: 'out/a.csv', 'x-amz-copy-source': 'raw-bucket/in/a.csv' }),
    );
    assert.ok(result.ok);
    assert.deepEqual(
      result.checks.map((c) => [c.action, c.resource, c.role]),
      [
        ['s3:PutObject', `${AP}/object/out/a.csv`, 'destination'],
        ['s3:GetObject', 'arn:aws:s3:::raw-bucket/in/a.csv', 'source'],
      ],
    );
  });

  test('through a Multi-Region Access Point: on its object ARN, with a caveat of its own and no access point keys', () => {
    const result = authorizationChecksFor(throughMultiRegionAccessPoint('in/a.csv', 'Access Denied'));
    assert.ok(result.ok);
    const [check] = result.checks;
    assert.equal(check?.resource, `${MRAP}/object/in/a.csv`);
    assert.equal(check?.accessPoint, MRAP);
    assert.equal(check?.bucket, BUCKET);
    // AWS documents these keys for access points, not for Multi-Region Access Points.
    assert.equal(check?.context['s3:DataAccessPointArn'], undefined);
    assert.equal(check?.context['s3:DataAccessPointAccount'], undefined);
    const note = result.notes.find((n) => n.startsWith('The request went through Multi-Region Access Point'));
    assert.ok(note, result.notes.join(' | '));
    assert.match(note, /it was taken to be the bucket owner's, 111122223333/);
    assert.match(note, /MultiRegionAccessPointPermissions\.html$/);
  });

  test('a request to the bucket has no access point and none of its keys', () => {
    const result = authorizationChecksFor(
      s3Record({ eventName: 'GetObject', requestParameters: { bucketName: BUCKET, key: 'k' } }),
    );
    assert.ok(result.ok);
    assert.equal(result.checks[0]?.resource, `arn:aws:s3:::${BUCKET}/k`);
    assert.equal(result.checks[0]?.accessPoint, undefined);
    assert.equal(result.checks[0]?.context['s3:DataAccessPointArn'], undefined);
  });
});
