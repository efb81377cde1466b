import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { partitionOfArn } from '../../../src/domain/policy/arnPartition.js';

describe('partitionOfArn', () => {
  test('reads the partition of commercial, China, GovCloud and European Sovereign Cloud ARNs', () => {
    assert.equal(partitionOfArn('arn:aws:s3:::b/k'), 'aws');
    assert.equal(partitionOfArn('arn:aws-cn:s3:::b'), 'aws-cn');
    assert.equal(partitionOfArn('arn:aws-us-gov:iam::111122223333:user/u'), 'aws-us-gov');
    assert.equal(partitionOfArn('arn:aws-eusc:s3:::b'), 'aws-eusc');
  });
  test('anything that is not an ARN of an AWS partition has none', () => {
    for (const value of ['*', '', 'arn:', 'arn:aws', 'arn::s3:::b', 'arn:azure:s3:::b', 'arn:AWS:s3:::b'])
      assert.equal(partitionOfArn(value), undefined, value);
  });
});
