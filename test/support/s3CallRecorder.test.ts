import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import { describe, test } from 'node:test';
import {
  cloudTrailFile,
  cloudTrailRecord,
  type IamUserIdentity,
  type RecordedCall,
  startS3CallRecorder,
} from './s3CallRecorder.js';

const user: IamUserIdentity = {
  accountId: '123456789012',
  userName: 'reader',
  userId: 'AIDAREADER',
  accessKeyId: 'AKIAREADER',
};

const signed = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIAREADER/20261130/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=ab',
  host: 's3.local',
  'user-agent': 'aws-sdk-java/2.31.50 hll/s3Multipart',
};

/** A presigned GET's query (SigV4 query string authentication), for `accessKeyId` in eu-central-1. */
function presignedQuery(accessKeyId: string): string {
  return new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${accessKeyId}/20261130/eu-central-1/s3/aws4_request`,
    'X-Amz-Date': '20261130T101010Z',
    'X-Amz-Expires': '300',
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': 'ab',
  }).toString();
}

function call(fields: Partial<RecordedCall> & Pick<RecordedCall, 'url'>): RecordedCall {
  return {
    method: 'GET',
    headers: signed,
    status: 200,
    time: new Date('2026-11-30T10:10:10Z'),
    eventId: '0f0e0d0c-0b0a-4090-8070-605040302010',
    ...fields,
  };
}

describe('cloudTrailRecord', () => {
  test('a GET of one part (the Java SDK multipart download) is GetObject, with partNumber among the parameters', () => {
    const record = cloudTrailRecord(call({ url: '/data-bucket/big/blob.bin?partNumber=1' }), user);
    assert.equal(record.eventName, 'GetObject');
    assert.equal(record.readOnly, true);
    assert.deepEqual(record.requestParameters, {
      bucketName: 'data-bucket',
      Host: 's3.local',
      key: 'big/blob.bin',
      partNumber: '1',
    });
    assert.deepEqual(record.additionalEventData, { AuthenticationMethod: 'AuthHeader' });
    // With an uploadId, partNumber still names an upload's part.
    assert.equal(
      cloudTrailRecord(
        call({ method: 'PUT', url: '/data-bucket/big/blob.bin?partNumber=2&uploadId=u1' }),
        user,
      ).eventName,
      'UploadPart',
    );
    assert.equal(
      cloudTrailRecord(call({ method: 'HEAD', url: '/data-bucket/big/blob.bin?partNumber=1' }), user)
        .eventName,
      'HeadObject',
    );
  });

  test('a presigned GET is GetObject authenticated by QueryString, in the region of its X-Amz-Credential', () => {
    const record = cloudTrailRecord(
      call({ url: `/data-bucket/a.csv?${presignedQuery('AKIAREADER')}`, headers: { host: 's3.local' } }),
      user,
    );
    assert.equal(record.eventName, 'GetObject');
    assert.equal(record.awsRegion, 'eu-central-1');
    assert.deepEqual(record.additionalEventData, { AuthenticationMethod: 'QueryString' });
    // AWS's guide finds presigned requests by this parameter among the request parameters.
    assert.equal((record.requestParameters as Record<string, string>)['X-Amz-Expires'], '300');
  });

  test('an error without a body is named by its status: a 500 is InternalError, not NoSuchKey', () => {
    const record = (status: number, url = '/data-bucket/a.csv') =>
      cloudTrailRecord(call({ method: 'HEAD', url, status }), user);
    assert.deepEqual(
      [record(500).errorCode, record(500).errorMessage],
      ['InternalError', 'We encountered an internal error. Please try again.'],
    );
    assert.equal(record(503).errorCode, 'ServiceUnavailable');
    assert.equal(record(412).errorCode, 'PreconditionFailed');
    assert.equal(record(403).errorCode, 'AccessDenied');
    assert.equal(record(404).errorCode, 'NoSuchKey');
    assert.equal(record(404, '/data-bucket').errorCode, 'NoSuchBucket');
    // A status with no known code is a test failure, not a made-up error code.
    assert.throws(
      () => record(400),
      /no S3 error code for a 400 answer without a body: HEAD \/data-bucket\/a\.csv/,
    );
    // An answer with a body keeps S3's own code.
    assert.equal(
      cloudTrailRecord(call({ url: '/data-bucket/a.csv', status: 500, errorCode: 'SlowDown' }), user)
        .errorCode,
      'SlowDown',
    );
  });
});

describe('cloudTrailFile', () => {
  test("keeps the calls signed with the identity's key, in an Authorization header or a presigned URL", () => {
    const calls = [
      call({ url: '/data-bucket/a.csv' }),
      call({ url: `/data-bucket/b.csv?${presignedQuery('AKIAREADER')}`, headers: { host: 's3.local' } }),
      call({ url: `/data-bucket/c.csv?${presignedQuery('AKIAOTHER')}`, headers: { host: 's3.local' } }),
      call({
        url: '/data-bucket/d.csv',
        headers: { ...signed, authorization: signed.authorization.replace('AKIAREADER', 'AKIAREADERX') },
      }),
    ];
    const { Records } = JSON.parse(cloudTrailFile(calls, user)) as {
      Records: { requestParameters: { key: string } }[];
    };
    assert.deepEqual(
      Records.map((r) => r.requestParameters.key),
      ['a.csv', 'b.csv'],
    );
  });
});

describe('startS3CallRecorder', () => {
  test('forwards a presigned ranged GET unchanged and records it, with the error code of an XML body', async () => {
    const seen: string[] = [];
    const upstream = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const address = upstream.address();
    assert.ok(address !== null && typeof address !== 'string');
    const recorder = await startS3CallRecorder(`http://127.0.0.1:${address.port}`);
    try {
      const path = `/data-bucket/big.bin?partNumber=1&${presignedQuery('AKIAREADER')}`;
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${recorder.endpoint}${path}`, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 403);
      assert.deepEqual(seen, [path]);
      const { Records } = JSON.parse(cloudTrailFile(recorder.calls, user)) as {
        Records: Record<string, unknown>[];
      };
      assert.equal(Records.length, 1);
      assert.deepEqual(
        [Records[0]?.eventName, Records[0]?.errorCode, Records[0]?.additionalEventData],
        ['GetObject', 'AccessDenied', { AuthenticationMethod: 'QueryString' }],
      );
    } finally {
      await recorder.close();
      upstream.close();
    }
  });
});
