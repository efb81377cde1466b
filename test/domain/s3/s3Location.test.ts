import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bucketFromHost,
  isS3Action,
  parseCopySource,
  parseS3Arn,
} from '../../../src/domain/s3/s3Location.js';

// Endpoint forms: https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
describe('bucketFromHost', () => {
  const cases: readonly [string, string | undefined][] = [
    ['my-bucket.s3.amazonaws.com', 'my-bucket'],
    ['my-bucket.s3.eu-west-1.amazonaws.com', 'my-bucket'],
    ['my-bucket.s3-eu-west-1.amazonaws.com', 'my-bucket'],
    ['my-bucket.s3-external-1.amazonaws.com', 'my-bucket'],
    ['my.dotted.bucket.s3.dualstack.us-east-1.amazonaws.com', 'my.dotted.bucket'],
    ['my-bucket.s3-fips.us-gov-west-1.amazonaws.com', 'my-bucket'],
    ['my-bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com', 'my-bucket'],
    ['my-bucket.s3.cn-north-1.amazonaws.com.cn', 'my-bucket'],
    ['My-Bucket.S3.eu-west-1.amazonaws.com:443', 'my-bucket'],
    ['s3.amazonaws.com', undefined],
    ['s3.eu-west-1.amazonaws.com', undefined],
    ['finance-111122223333.s3-accesspoint.eu-west-1.amazonaws.com', undefined],
    ['example.com', undefined],
  ];
  for (const [host, bucket] of cases) {
    test(`${host} names ${bucket ?? 'no bucket'}`, () => {
      assert.equal(bucketFromHost(host), bucket);
    });
  }
});

// Header format: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html#API_CopyObject_RequestSyntax
describe('parseCopySource', () => {
  test('decodes the key and keeps slashes inside it', () => {
    assert.deepEqual(parseCopySource('src/a%2Fb/c%3Fd.txt'), {
      ok: true,
      source: { form: 'bucket', bucket: 'src', key: 'a/b/c?d.txt' },
    });
  });

  test('accepts a leading slash and a versionId query', () => {
    assert.deepEqual(parseCopySource('/src/k.txt?versionId=abc'), {
      ok: true,
      source: { form: 'bucket', bucket: 'src', key: 'k.txt', versionId: 'abc' },
    });
  });

  test('keeps an access point object ARN as the resource', () => {
    const arn = 'arn:aws:s3:us-west-2:111122223333:accesspoint/my-ap/object/reports/january.pdf';
    assert.deepEqual(parseCopySource(encodeURIComponent(arn)), {
      ok: true,
      source: { form: 'accessPoint', arn },
    });
  });

  test('reports a missing header and a source without a key as values', () => {
    const missing = parseCopySource(undefined);
    assert.equal(missing.ok ? undefined : missing.code, 's3.missingCopySource');
    const noKey = parseCopySource('just-a-bucket');
    assert.equal(noKey.ok ? undefined : noKey.code, 's3.invalidCopySource');
  });
});

describe('parseS3Arn', () => {
  test('splits partition, bucket and key, and rejects access point ARNs', () => {
    assert.deepEqual(parseS3Arn('arn:aws-us-gov:s3:::b/k/ey'), {
      partition: 'aws-us-gov',
      bucket: 'b',
      key: 'k/ey',
    });
    assert.deepEqual(parseS3Arn('arn:aws:s3:::b'), { partition: 'aws', bucket: 'b' });
    assert.equal(parseS3Arn('arn:aws:s3:us-east-1:111122223333:accesspoint/ap'), undefined);
  });
});

describe('isS3Action', () => {
  test('is the s3 service prefix in any case, as lower-casing and comparing would say', () => {
    for (const action of [
      's3:GetObject',
      'S3:getobject',
      's3:',
      's3',
      's3x:Get',
      'kms:Decrypt',
      's3-object-lambda:Get',
      '',
    ]) {
      assert.equal(isS3Action(action), action.toLowerCase().startsWith('s3:'), action);
    }
  });
});
