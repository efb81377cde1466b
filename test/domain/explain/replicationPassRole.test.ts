/**
 * PutBucketReplication needs s3:PutReplicationConfiguration on the bucket and iam:PassRole on the role
 * its configuration names (in the request body): the caller passes that role to S3
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html).
 * AWS's enhanced message names the first action it refused, so a message that names
 * s3:PutReplicationConfiguration still leaves iam:PassRole to evaluate.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, backupUserContext, deniedRecord } from './explainFixtures.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/s3-repl-role`;

function explainReplication(errorMessage: string, statements: readonly unknown[]) {
  const record = deniedRecord({
    eventName: 'PutBucketReplication',
    managementEvent: true,
    eventCategory: 'Management',
    requestParameters: {
      bucketName: 'data',
      Host: 'data.s3.eu-west-1.amazonaws.com',
      replication: '',
      ReplicationConfiguration: {
        Role: ROLE,
        Rule: { ID: 'all', Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::dr-replica' } },
      },
    },
    resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    errorMessage,
  });
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
    backupUserContext(statements),
  );
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

const namingPutReplication = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutReplicationConfiguration on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:PutReplicationConfiguration action`;

describe('PutBucketReplication refused with a message naming s3:PutReplicationConfiguration', () => {
  test('the iam:PassRole on the role the configuration passes is evaluated too', () => {
    const finding = explainReplication(namingPutReplication, [
      { Effect: 'Allow', Action: 's3:GetReplicationConfiguration', Resource: 'arn:aws:s3:::data' },
    ]);
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.resource, r.decision]),
      [
        ['s3:PutReplicationConfiguration', 'arn:aws:s3:::data', 'ImplicitlyDenied'],
        ['iam:PassRole', ROLE, 'ImplicitlyDenied'],
      ],
    );
  });

  test('a caller allowed to pass the role gets the S3 action alone', () => {
    const finding = explainReplication(namingPutReplication, [
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE },
    ]);
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:PutReplicationConfiguration', 'ImplicitlyDenied'],
        ['iam:PassRole', 'Allowed'],
      ],
    );
    assert.deepEqual(
      finding.fix?.statements.flatMap((s) => s.Action),
      ['s3:PutReplicationConfiguration'],
    );
  });
});
