/**
 * Where a job works, told from its calls: a caller's successful calls on a bucket are pooled whatever
 * client made them, so a read-only Mountpoint mount keeps to its reads and where it reads when the same
 * role uploaded elsewhere with aws-cli; and a read of a missing key refused as s3:ListBucket still names
 * the key's directory.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { backupUserContext, deniedObjectRecord, deniedRecord } from './explainFixtures.js';

const MOUNT = 'mountpoint-s3/1.8.0 mountpoint-s3-client/0.11.0 os/linux#6.1.0 md/arch#x86_64 md/mp-readonly';

test('a read-only mount refused a read is scoped to its reads, not to where the caller uploaded with another client', () => {
  const upload = deniedRecord({
    eventName: 'PutObject',
    userAgent: '[aws-cli/2.22.4 md/command#s3.cp]',
    errorCode: undefined,
    errorMessage: undefined,
    requestParameters: { bucketName: 'data', key: 'models/resnet/v3.pt', Host: 'x' },
  });
  const read = deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'datasets/imagenet/train-0001.tar', {
    userAgent: MOUNT,
    eventTime: '2026-11-27T10:00:02Z',
  });
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: [upload, read] }) }],
    backupUserContext([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' }]),
  );
  const profile = report.findings[0]?.jobProfile;
  assert.deepEqual(
    profile?.statements.map((s) => [s.Action, s.Resource]),
    [
      [['s3:ListBucket'], ['arn:aws:s3:::data']],
      [['s3:GetObject'], ['arn:aws:s3:::data/datasets/imagenet/*']],
    ],
  );
});

test("aws-cli's read of a missing key refused as s3:ListBucket: the profile keeps to the key's directory", () => {
  const head = deniedObjectRecord('HeadObject', 's3:ListBucket', 'data', 'reports/2026-12.csv', {
    userAgent: '[aws-cli/2.22.4 md/command#s3.cp]',
    errorMessage: `User: arn:aws:iam::111122223333:user/backup is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action`,
  });
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: [head] }) }],
    backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/reports/*' }]),
  );
  const resources = report.findings[0]?.jobProfile?.statements.flatMap((s) => s.Resource) ?? [];
  assert.ok(resources.includes('arn:aws:s3:::data/reports/*'), resources.join());
  assert.ok(!resources.includes('arn:aws:s3:::data/*'), resources.join());
});
