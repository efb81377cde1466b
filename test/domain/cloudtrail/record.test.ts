import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { extractRecords, type RawRecord } from '../../../src/domain/cloudtrail/envelopes.js';
import { normaliseRecord } from '../../../src/domain/cloudtrail/record.js';
import type { CloudTrailRecord } from '../../../src/domain/cloudtrail/types.js';

function rawRecords(name: string): RawRecord[] {
  const text = readFileSync(new URL(`../../fixtures/cloudtrail/${name}`, import.meta.url), 'utf8');
  return extractRecords(text, name).records;
}

function normalised(raw: RawRecord | undefined): CloudTrailRecord {
  assert.ok(raw !== undefined, 'fixture record missing');
  const result = normaliseRecord(raw);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.record;
}

function rawOf(record: Record<string, unknown>): RawRecord {
  return { input: 'case.json', position: '$.Records[7]', record };
}

const minimal = {
  eventID: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  eventTime: '2026-11-20T03:14:05Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'PutObject',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/reports', accountId: '111122223333' },
};

describe('normaliseRecord on realistic records', () => {
  test('an EventBridge PutObject denial keeps its fields and strips the user agent brackets', () => {
    const record = normalised(rawRecords('eventbridge-rclone-putobject-denied.json')[0]);
    assert.equal(record.eventId, '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    assert.equal(record.eventName, 'PutObject');
    assert.equal(record.errorCode, 'AccessDenied');
    assert.equal(record.userAgent, 'rclone/v1.68.2');
    assert.equal(record.awsRegion, 'eu-west-1');
    assert.equal(record.recipientAccountId, '111122223333');
    assert.equal(record.readOnly, false);
    assert.equal(record.requestParameters['x-amz-acl'], 'private');
    assert.equal(record.additionalEventData.AuthenticationMethod, 'AuthHeader');
    assert.equal(record.principal.type, 'Role');
    assert.equal(record.principal.policyPrincipalArn, 'arn:aws:iam::111122223333:role/jobs/backup-writer');
    assert.deepEqual(record.resources, [
      { type: 'AWS::S3::Object', arn: 'arn:aws:s3:::acme-backups/db/2026-11-20/dump.sql.gz' },
      { type: 'AWS::S3::Bucket', arn: 'arn:aws:s3:::acme-backups', accountId: '111122223333' },
    ]);
  });

  test('a ListObjects resource scoped to a prefix keeps its ARNPrefix', () => {
    const record = normalised(rawRecords('trail-file-mixed.json')[0]);
    assert.deepEqual(record.resources[0], {
      type: 'AWS::S3::Object',
      arnPrefix: 'arn:aws:s3:::acme-backups/db/',
    });
    assert.equal(record.requestParameters['list-type'], '2');
  });

  test('a cross-account caller with the legacy message stays an AWSAccount known by its account and principal ID', () => {
    const record = normalised(rawRecords('trail-file-mixed.json')[0]);
    assert.deepEqual(record.principal, {
      type: 'AWSAccount',
      account: '444455556666',
      principalId: 'AROAEXAMPLEPARTNER:ci-sync',
    });
    assert.equal(record.errorMessage, 'Access Denied');
  });

  test('a cross-account caller is resolved from the ARN in its enhanced message', () => {
    const record = normalised(
      rawOf({
        ...minimal,
        userIdentity: {
          type: 'AWSAccount',
          principalId: 'AROAEXAMPLEPARTNER:ci-sync',
          accountId: '444455556666',
        },
        errorCode: 'AccessDenied',
        errorMessage:
          'User: arn:aws:sts::444455556666:assumed-role/partner-sync/ci-sync is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::acme-backups" because no resource-based policy allows the s3:ListBucket action',
      }),
    );
    assert.equal(record.principal.arn, 'arn:aws:sts::444455556666:assumed-role/partner-sync/ci-sync');
    assert.equal(record.principal.policyPrincipalArn, 'arn:aws:iam::444455556666:role/partner-sync');
  });

  test('a management event without resources or requestParameters gets empty ones', () => {
    const record = normalised(rawRecords('trail-file-mixed.json')[2]);
    assert.deepEqual(record.resources, []);
    assert.deepEqual(record.requestParameters, {});
    assert.equal(record.userAgent?.startsWith('aws-cli/2.15.30'), true);
  });

  test('an anonymous S3 request is Anonymous and a service call keeps its VPC endpoint', () => {
    const [anonymous, , service] = rawRecords('mixed-envelopes.jsonl');
    assert.equal(normalised(anonymous).principal.type, 'Anonymous');
    assert.equal(normalised(anonymous).userAgent, 'curl/8.5.0');
    assert.equal(normalised(service).vpcEndpointId, 'vpce-0a1b2c3d4e5f6a7b8');
    assert.equal(normalised(service).principal.type, 'AWSService');
  });

  test('a lookup-events record is normalised like any other', () => {
    const record = normalised(rawRecords('lookup-events-s3-denied.json')[1]);
    assert.equal(record.principal.type, 'FederatedUser');
    assert.equal(record.principal.policyPrincipalArn, 'arn:aws:iam::111122223333:user/token-broker');
  });

  test('the raw record is kept for renderers', () => {
    const raw = rawOf({ ...minimal });
    const result = normaliseRecord(raw);
    assert.ok(result.ok);
    assert.equal(result.record.raw, raw.record);
  });
});

describe('normaliseRecord validation', () => {
  for (const field of ['eventID', 'eventTime', 'eventSource', 'eventName', 'userIdentity'] as const) {
    test(`a record without ${field} is rejected with a message naming ${field}`, () => {
      const { [field]: _removed, ...rest } = minimal;
      const result = normaliseRecord(rawOf(rest));
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.equal(result.code, 'cloudtrail.missingField');
      assert.match(
        result.message,
        new RegExp(`^case\\.json at \\$\\.Records\\[7\\]: CloudTrail record has no ${field}`),
      );
    });
  }

  test('a whole trail file where one record belongs is rejected as such, not as a record without eventID', () => {
    const result = normaliseRecord(rawOf({ Records: [minimal, minimal] }));
    assert.ok(!result.ok);
    assert.equal(result.code, 'cloudtrail.nestedTrail');
    assert.match(
      result.message,
      /^case\.json at \$\.Records\[7\]: holds a whole trail file \(\{"Records": \[2 records\]\}\) where one CloudTrail record belongs/,
    );
  });

  test('a userIdentity that is not an object is rejected as invalid', () => {
    const result = normaliseRecord(rawOf({ ...minimal, userIdentity: 'IAMUser' }));
    assert.ok(!result.ok);
    assert.equal(result.code, 'cloudtrail.invalidField');
    assert.match(result.message, /userIdentity must be an object, found string/);
  });

  test('a numeric eventName is rejected as invalid', () => {
    const result = normaliseRecord(rawOf({ ...minimal, eventName: 7 }));
    assert.ok(!result.ok);
    assert.match(result.message, /eventName must be a string, found number/);
  });

  test('an eventTime that is not a date is rejected as invalid, naming the value; a valid one passes', () => {
    for (const time of ['yesterday', '2026-13-45T99:00:00Z', 'not-a-date']) {
      const result = normaliseRecord(rawOf({ ...minimal, eventTime: time }));
      assert.ok(!result.ok, time);
      assert.equal(result.code, 'cloudtrail.invalidField');
      assert.match(
        result.message,
        new RegExp(`eventTime is not a date: "${time}" \\(CloudTrail writes YYYY-MM-DDTHH:MM:SSZ\\)`),
      );
    }
    assert.ok(normaliseRecord(rawOf({ ...minimal, eventTime: '2026-11-28T02:00:00Z' })).ok);
  });

  test('an errorCode or errorMessage that is not text is rejected (a number would read as a success)', () => {
    const code = normaliseRecord(rawOf({ ...minimal, errorCode: 403 }));
    assert.ok(!code.ok);
    assert.equal(code.code, 'cloudtrail.invalidField');
    assert.match(code.message, /field errorCode must be a string, found number 403/);
    const message = normaliseRecord(rawOf({ ...minimal, errorCode: 'AccessDenied', errorMessage: { x: 1 } }));
    assert.ok(!message.ok);
    assert.match(message.message, /field errorMessage must be a string, found an object/);
    assert.ok(normaliseRecord(rawOf({ ...minimal, errorCode: null, errorMessage: null })).ok);
  });

  test('an eventTime on a day its month does not have is no date', () => {
    const result = normaliseRecord(rawOf({ ...minimal, eventTime: '2026-02-30T00:00:00Z' }));
    assert.ok(!result.ok);
    assert.match(result.message, /eventTime is not a date: "2026-02-30T00:00:00Z"/);
  });

  test('optional fields of the wrong type are dropped, not copied', () => {
    const result = normaliseRecord(
      rawOf({
        ...minimal,
        userAgent: 12,
        readOnly: 'yes',
        resources: 'none',
        requestParameters: [1],
        errorCode: null,
      }),
    );
    assert.ok(result.ok);
    assert.equal(result.record.userAgent, undefined);
    assert.equal(result.record.readOnly, undefined);
    assert.equal(result.record.errorCode, undefined);
    assert.deepEqual(result.record.resources, []);
    assert.deepEqual(result.record.requestParameters, {});
  });

  test('an empty bracketed user agent is left undefined and a string readOnly is parsed', () => {
    const result = normaliseRecord(rawOf({ ...minimal, userAgent: '[]', readOnly: 'true' }));
    assert.ok(result.ok);
    assert.equal(result.record.userAgent, undefined);
    assert.equal(result.record.readOnly, true);
  });
});
