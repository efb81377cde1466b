/** The times per key that the missing-key disproof asks (a read at or before a refusal, a delete between). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KEY_TIMES_KEPT, KeyTimes } from '../../../src/domain/explain/grouping.js';

describe('KeyTimes', () => {
  test('the latest time at or before a given one, whatever order the times came in', () => {
    const times = new KeyTimes();
    for (const t of [300, 100, 200]) times.add('k', t);
    assert.equal(times.latestAtOrBefore('k', 50), undefined);
    assert.equal(times.latestAtOrBefore('k', 100), 100);
    assert.equal(times.latestAtOrBefore('k', 250), 200);
    assert.equal(times.latestAtOrBefore('k', 1000), 300);
    assert.equal(times.latestAtOrBefore('other', 1000), undefined);
    assert.equal(times.anyBetween('k', 100, 200), true);
    assert.equal(times.anyBetween('k', 200, 299), false);
  });

  test('a time noted twice is kept once, and taking a note back removes its time', () => {
    const times = new KeyTimes();
    const undo = times.add('k', 100);
    assert.equal(times.add('k', 100), undefined);
    assert.equal(times.add('k', Number.NaN), undefined);
    undo?.();
    assert.equal(times.latestAtOrBefore('k', 1000), undefined);
  });

  test(`at most ${KEY_TIMES_KEPT} times per key, the latest`, () => {
    const times = new KeyTimes();
    for (let t = 1; t <= KEY_TIMES_KEPT + 5; t++) times.add('k', t);
    assert.equal(times.latestAtOrBefore('k', 5), undefined);
    assert.equal(times.latestAtOrBefore('k', 6), 6);
    assert.equal(times.latestAtOrBefore('k', 1000), KEY_TIMES_KEPT + 5);
  });
});
