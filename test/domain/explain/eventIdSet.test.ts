import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { EventIdSet } from '../../../src/domain/explain/eventIdSet.js';

describe('EventIdSet', () => {
  test('adds an ID once, as a Set would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', 'ä', '', 'id-1', 'id-2'), { maxLength: 30 }),
        (ids) => {
          const seen = new EventIdSet();
          const reference = new Set<string>();
          for (const id of ids) {
            const fresh = !reference.has(id);
            reference.add(id);
            assert.equal(seen.add(id), fresh, id);
          }
        },
      ),
    );
  });

  test('an equal ID built from other strings is a repeat', () => {
    const seen = new EventIdSet();
    const id = '00000000-0000-4000-8000-000000000001';
    assert.equal(seen.add(id), true);
    // Same characters, another string object (as every parsed record gives).
    assert.equal(seen.add(['00000000-0000-4000-8000-', '000000000001'].join('')), false);
    assert.equal(seen.add(`${id}x`), true);
  });
});
