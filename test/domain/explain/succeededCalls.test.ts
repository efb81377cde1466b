import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Principal } from '../../../src/domain/cloudtrail/types.js';
import { SucceededCalls } from '../../../src/domain/explain/grouping.js';

const user = (name: string): Principal => ({
  type: 'IAMUser',
  arn: `arn:aws:iam::111122223333:user/${name}`,
  account: '111122223333',
  name,
});

describe('SucceededCalls', () => {
  test('keeps event names per principal and bucket, for equal principals built separately', () => {
    const calls = new SucceededCalls();
    calls.add('eventNames', user('backup'), 'bucket-a', 'PutObject');
    calls.add('eventNames', user('backup'), 'bucket-a', 'DeleteObject');
    calls.add('eventNames', user('backup'), 'bucket-a', 'PutObject');
    calls.add('eventNames', user('backup'), 'bucket-b', 'GetObject');
    calls.add('eventNames', user('other'), 'bucket-a', 'ListObjects');
    assert.deepEqual(
      [...(calls.values('eventNames', user('backup'), 'bucket-a') ?? [])],
      ['PutObject', 'DeleteObject'],
    );
    assert.deepEqual([...(calls.values('eventNames', user('backup'), 'bucket-b') ?? [])], ['GetObject']);
    assert.deepEqual([...(calls.values('eventNames', user('other'), 'bucket-a') ?? [])], ['ListObjects']);
    assert.equal(calls.values('eventNames', user('other'), 'bucket-b'), undefined);
  });

  test('calls that name no bucket are kept apart from every bucket', () => {
    const calls = new SucceededCalls();
    calls.add('eventNames', user('backup'), undefined, 'ListBuckets');
    assert.deepEqual([...(calls.values('eventNames', user('backup'), undefined) ?? [])], ['ListBuckets']);
    assert.equal(calls.values('eventNames', user('backup'), 'bucket-a'), undefined);
  });

  test('add says whether the name is new, and a name deleted from its set (a text taken back) reads as never seen', () => {
    const calls = new SucceededCalls();
    assert.equal(calls.add('eventNames', user('backup'), 'bucket-a', 'PutObject'), true);
    assert.equal(calls.add('eventNames', user('backup'), 'bucket-a', 'PutObject'), false);
    assert.equal(calls.add('eventNames', user('backup'), 'bucket-a', 'GetObject'), true);
    calls.of(user('backup'), 'bucket-a').eventNames.delete('PutObject');
    assert.equal(calls.values('eventNames', user('backup'), 'bucket-b'), undefined);
    assert.deepEqual([...(calls.values('eventNames', user('backup'), 'bucket-a') ?? [])], ['GetObject']);
    assert.equal(calls.add('eventNames', user('backup'), 'bucket-a', 'PutObject'), true);
  });

  test('each kind of evidence is kept apart, and objects in a directory show in holdsObjects', () => {
    const calls = new SucceededCalls();
    calls.add('readKeys', user('backup'), 'bucket-a', 'in/a.txt');
    calls.add('objectDirectories', user('backup'), 'bucket-a', 'in/sub/');
    assert.deepEqual([...(calls.values('readKeys', user('backup'), 'bucket-a') ?? [])], ['in/a.txt']);
    assert.deepEqual([...(calls.values('eventNames', user('backup'), 'bucket-a') ?? [])], []);
    assert.equal(calls.holdsObjects(user('backup'), 'bucket-a', 'in/'), true);
    assert.equal(calls.holdsObjects(user('backup'), 'bucket-a', 'out/'), false);
    assert.equal(calls.holdsObjects(user('other'), 'bucket-a', 'in/'), false);
  });
});
