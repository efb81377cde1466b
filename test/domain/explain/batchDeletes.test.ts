/**
 * A DeleteObjects S3 answered 200 (its refused keys are listed in the response body, which CloudTrail
 * does not log): when the caller's policies (the snapshot) and the bucket policy are both given and
 * allow s3:DeleteObject on none of its keys, the report warns that they were most likely not deleted,
 * without making up a denied event.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BATCH_DELETES_KEPT } from '../../../src/domain/explain/batchDeletes.js';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, deniedRecord, explainContext, snapshotWithUser } from './explainFixtures.js';

const EMPTY_BUCKET_POLICY = { Version: '2012-10-17', Statement: [] };
const READ_WRITE = [
  { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
  { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::data/*' },
];

/** A DeleteObjects of the fixtures' user S3 answered 200; `parameters` add to its requestParameters. */
function batchDelete(parameters: Record<string, unknown> = {}) {
  return deniedRecord({
    eventName: 'DeleteObjects',
    errorCode: undefined,
    errorMessage: undefined,
    requestParameters: { bucketName: 'data', delete: '', Host: 'x', ...parameters },
    resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
  });
}

function reportOf(record: unknown, statements: readonly unknown[], bucketPolicy?: unknown) {
  return explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
    explainContext({
      snapshot: snapshotWithUser('backup', { Version: '2012-10-17', Statement: statements }),
      bucketPolicies: bucketPolicy === undefined ? new Map() : new Map([['data', bucketPolicy]]),
    }),
  );
}

describe('a batch delete the visible policies refuse', () => {
  test('keys not logged, no s3:DeleteObject on any object of the bucket: a warning naming the call, the bucket and the grant', () => {
    const record = batchDelete();
    const report = reportOf(record, READ_WRITE, EMPTY_BUCKET_POLICY);
    assert.equal(report.findings.length, 0);
    const warning = report.warnings?.find((w) => w.code === 'deleteObjects.keysRefused');
    assert.ok(warning !== undefined, JSON.stringify(report.warnings));
    assert.equal(warning.input, 'trail.json');
    assert.ok(
      warning.message.startsWith(
        `DeleteObjects by arn:aws:iam::${ACCOUNT}:user/backup at 2026-11-27T10:00:00Z (event ${record.eventID}) succeeded as CloudTrail records it (HTTP 200), but the visible policies (the caller's in the account snapshot, and the bucket policy of data) allow neither s3:DeleteObject nor s3:DeleteObjectVersion (the action for a key sent with a VersionId) on any object of bucket data (the record does not log which keys it named)`,
      ),
      warning.message,
    );
    assert.match(
      warning.message,
      /so its keys were most likely not deleted, even if the client reported them deleted/,
    );
    assert.ok(
      warning.message.endsWith(
        'A statement that would allow the deletes, for the caller\'s identity policy (not verified: no denied event shows the request): {"Effect":"Allow","Action":["s3:DeleteObject"],"Resource":["arn:aws:s3:::data/*"]} (for keys sent with a VersionId, the action is s3:DeleteObjectVersion instead).',
      ),
      warning.message,
    );
    // The event stays a skipped success (CloudTrail shows no denial), pointing at the warning.
    const skipped = report.skipped.find((s) => s.eventId === record.eventID);
    assert.equal(skipped?.reason, 'not-denied');
    assert.match(skipped?.message ?? '', /see the warning deleteObjects\.keysRefused\.$/);
  });

  test('without the bucket policy, which could allow the deletes, nothing is said', () => {
    const report = reportOf(batchDelete(), READ_WRITE);
    assert.equal(report.warnings, undefined);
    assert.doesNotMatch(report.skipped[0]?.message ?? '', /deleteObjects\.keysRefused/);
  });

  test('keys not logged, s3:DeleteObject allowed on a prefix of the bucket: some key may have been deleted', () => {
    const statements = [
      ...READ_WRITE,
      { Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/tmp/*' },
    ];
    assert.equal(reportOf(batchDelete(), statements, EMPTY_BUCKET_POLICY).warnings, undefined);
    // The bucket policy's grant to the caller counts as much.
    const bucketPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/backup` },
          Action: 's3:DeleteObject',
          Resource: 'arn:aws:s3:::data/old/*',
        },
      ],
    };
    assert.equal(reportOf(batchDelete(), READ_WRITE, bucketPolicy).warnings, undefined);
  });

  test('logged keys: the keys the policies refuse are named', () => {
    const record = batchDelete({ Delete: { Object: [{ Key: 'in/a.csv' }, { Key: 'tmp/b.csv' }] } });
    const statements = [
      ...READ_WRITE,
      { Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/tmp/*' },
    ];
    const warning = reportOf(record, statements, EMPTY_BUCKET_POLICY).warnings?.[0];
    assert.match(
      warning?.message ?? '',
      /allow s3:DeleteObject on 1 of the 2 keys it named in bucket data \(in\/a\.csv\): .* so those keys were most likely not deleted/,
    );
    assert.match(warning?.message ?? '', /"Resource":\["arn:aws:s3:::data\/in\/\*"\]\}\.$/);
    // Every key allowed: nothing to say.
    const allowed = [
      ...READ_WRITE,
      { Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/*' },
    ];
    assert.equal(reportOf(record, allowed, EMPTY_BUCKET_POLICY).warnings, undefined);
  });

  test('keys not logged, s3:DeleteObjectVersion allowed: a version purge (keys sent with VersionIds) may have deleted them', () => {
    const statements = [
      ...READ_WRITE,
      { Effect: 'Allow', Action: 's3:DeleteObjectVersion', Resource: 'arn:aws:s3:::data/*' },
    ];
    assert.equal(reportOf(batchDelete(), statements, EMPTY_BUCKET_POLICY).warnings, undefined);
    // Logged keys without a VersionId are authorized as s3:DeleteObject alone: still refused.
    const record = batchDelete({ Delete: { Object: [{ Key: 'in/a.csv' }] } });
    assert.match(
      reportOf(record, statements, EMPTY_BUCKET_POLICY).warnings?.[0]?.message ?? '',
      /allow s3:DeleteObject on none of the key it named in bucket data/,
    );
  });

  test('an Allow whose condition is on a key the record cannot show counts as allowing: no warning', () => {
    // The usual "anyone in my organization" bucket policy: CloudTrail does not log aws:PrincipalOrgID.
    const orgPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:DeleteObject',
          Resource: 'arn:aws:s3:::data/*',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
        },
      ],
    };
    assert.equal(reportOf(batchDelete(), READ_WRITE, orgPolicy).warnings, undefined);
    // An identity Allow on the VPC behind the endpoint the request came through.
    const vpc = [
      ...READ_WRITE,
      {
        Effect: 'Allow',
        Action: 's3:DeleteObject',
        Resource: 'arn:aws:s3:::data/*',
        Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-111' } },
      },
    ];
    const throughEndpoint = { ...batchDelete(), vpcEndpointId: 'vpce-1234', sourceIPAddress: '10.0.0.5' };
    assert.equal(reportOf(throughEndpoint, vpc, EMPTY_BUCKET_POLICY).warnings, undefined);
    // A condition the record shows unmet is a known failure: the request's address is not the one allowed.
    const address = [
      ...READ_WRITE,
      {
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        Resource: 'arn:aws:s3:::data/*',
        Condition: { IpAddress: { 'aws:SourceIp': '198.51.100.0/24' } },
      },
    ];
    assert.equal(
      reportOf(batchDelete(), address, EMPTY_BUCKET_POLICY).warnings?.[0]?.code,
      'deleteObjects.keysRefused',
    );
    // Not through an endpoint, aws:SourceVpc is absent, not unknown: the Allow does not apply.
    assert.equal(
      reportOf(batchDelete(), vpc, EMPTY_BUCKET_POLICY).warnings?.[0]?.code,
      'deleteObjects.keysRefused',
    );
  });

  test('batch deletes on buckets whose policy is not given take no room: a refused one after 1,000 of them still warns', () => {
    const elsewhere = Array.from({ length: BATCH_DELETES_KEPT }, () => batchDelete({ bucketName: 'other' }));
    const refused = batchDelete();
    const report = explainTexts(
      [{ input: 'trail.json', text: JSON.stringify({ Records: [...elsewhere, refused] }) }],
      explainContext({
        snapshot: snapshotWithUser('backup', { Version: '2012-10-17', Statement: READ_WRITE }),
        bucketPolicies: new Map([['data', EMPTY_BUCKET_POLICY]]),
      }),
    );
    assert.deepEqual(
      report.warnings?.map((w) => w.code),
      ['deleteObjects.keysRefused'],
    );
    assert.match(report.warnings?.[0]?.message ?? '', new RegExp(`\\(event ${refused.eventID}\\)`));
  });

  test('past the cap on buckets whose policy is given, a warning says how many were not checked', () => {
    const records = Array.from({ length: BATCH_DELETES_KEPT + 2 }, () => batchDelete());
    const report = explainTexts(
      [
        { input: 'first.json', text: JSON.stringify({ Records: records.slice(0, BATCH_DELETES_KEPT) }) },
        { input: 'second.json', text: JSON.stringify({ Records: records.slice(BATCH_DELETES_KEPT) }) },
      ],
      explainContext({
        snapshot: snapshotWithUser('backup', { Version: '2012-10-17', Statement: READ_WRITE }),
        bucketPolicies: new Map([['data', EMPTY_BUCKET_POLICY]]),
      }),
    );
    const notChecked = report.warnings?.filter((w) => w.code === 'deleteObjects.notChecked') ?? [];
    assert.deepEqual(notChecked, [
      {
        input: 'second.json',
        code: 'deleteObjects.notChecked',
        message:
          'Only the first 1,000 DeleteObjects S3 answered 200 on buckets whose policy is given were checked for keys the visible policies refuse (deleteObjects.keysRefused); 2 more, from second.json on, were not: give fewer events (a shorter time, or these files alone) to check them.',
      },
    ]);
    assert.equal(
      report.warnings?.filter((w) => w.code === 'deleteObjects.keysRefused').length,
      BATCH_DELETES_KEPT,
    );
  });
});
