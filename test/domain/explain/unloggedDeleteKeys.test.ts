/**
 * explain on a DeleteObjects whose keys CloudTrail did not log (the request body): its check stands for
 * every object of the bucket, and the fix grants that pattern, not one object literally named `*`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { backupUserContext, deniedRecord } from './explainFixtures.js';

test('a DeleteObjects without logged keys gets s3:DeleteObject on bucket/*, verified', () => {
  const record = deniedRecord({
    eventName: 'DeleteObjects',
    errorMessage: 'Access Denied',
    requestParameters: { bucketName: 'data', delete: '', Host: 'data.s3.eu-west-1.amazonaws.com' },
    resources: [{ accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
  });
  const report = explainTexts(
    [{ input: 'test.json', text: JSON.stringify({ Records: [record] }) }],
    backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }]),
  );
  const fix = report.findings[0]?.fix;
  assert.deepEqual(fix?.statements, [
    { Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: ['arn:aws:s3:::data/*'] },
  ]);
  assert.equal(fix?.verified, true);
});
