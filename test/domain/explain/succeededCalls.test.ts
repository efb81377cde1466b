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
  test('keeps evidence per principal and bucket, for equal principals built separately', () => {
    const calls = new SucceededCalls();
    calls.of(user('backup'), 'bucket-a').eventNames.add('PutObject');
    calls.of(user('backup'), 'bucket-a').eventNames.add('DeleteObject');
    calls.of(user('backup'), 'bucket-a').eventNames.add('PutObject');
    calls.of(user('backup'), 'bucket-b').eventNames.add('GetObject');
    calls.of(user('other'), 'bucket-a').eventNames.add('ListObjects');
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
    calls.of(user('backup'), undefined).eventNames.add('ListBuckets');
    assert.deepEqual([...(calls.values('eventNames', user('backup'), undefined) ?? [])], ['ListBuckets']);
    assert.equal(calls.values('eventNames', user('backup'), 'bucket-a'), undefined);
  });

  test('of returns the same sets on every call, and a value deleted from one (a text taken back) reads as never seen', () => {
    const calls = new SucceededCalls();
    const seen = calls.of(user('backup'), 'bucket-a');
    assert.equal(calls.of(user('backup'), 'bucket-a'), seen);
    seen.eventNames.add('PutObject');
    seen.eventNames.delete('PutObject');
    assert.deepEqual([...(calls.values('eventNames', user('backup'), 'bucket-a') ?? [])], []);
  });

  test('each kind of evidence is kept apart, and objects in a directory show in holdsObjects', () => {
    const calls = new SucceededCalls();
    calls.of(user('backup'), 'bucket-a').readKeys.add('in/a.txt');
    calls.of(user('backup'), 'bucket-a').objectDirectories.add('in/sub/');
    assert.deepEqual([...(calls.values('readKeys', user('backup'), 'bucket-a') ?? [])], ['in/a.txt']);
    assert.deepEqual([...(calls.values('eventNames', user('backup'), 'bucket-a') ?? [])], []);
    assert.equal(calls.holdsObjects(user('backup'), 'bucket-a', 'in/'), true);
    assert.equal(calls.holdsObjects(user('backup'), 'bucket-a', 'out/'), false);
    assert.equal(calls.holdsObjects(user('other'), 'bucket-a', 'in/'), false);
  });

  test('a listing of a subdirectory shows objects in its parent; a listing of the directory itself does not', () => {
    const calls = new SucceededCalls();
    calls.of(user('backup'), 'bucket-a').listPrefixes.add('tree/');
    assert.equal(calls.holdsObjects(user('backup'), 'bucket-a', 'tree/'), false);
    calls.of(user('backup'), 'bucket-a').listPrefixes.add('tree/sub/');
    assert.equal(calls.holdsObjects(user('backup'), 'bucket-a', 'tree/'), true);
    assert.equal(calls.holdsObjects(user('backup'), 'bucket-a', 'tree/sub/'), false);
  });
});
