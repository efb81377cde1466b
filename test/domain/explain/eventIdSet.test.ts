import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { EventIdSet, hashOf } from '../../../src/domain/explain/eventIdSet.js';

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

  test('adds and deletes as a Set would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.constantFrom('a', 'b', 'c', 'ä', '', 'id-1', 'id-2')), {
          maxLength: 40,
        }),
        (steps) => {
          const seen = new EventIdSet();
          const reference = new Set<string>();
          for (const [remove, id] of steps) {
            if (remove) {
              seen.delete(id);
              reference.delete(id);
            } else {
              assert.equal(seen.add(id), !reference.has(id), id);
              reference.add(id);
            }
          }
        },
      ),
    );
  });

  test('IDs whose hashes collide are still told apart', () => {
    // Find two IDs with the same hash (a birthday search over 30 bits needs some tens of thousands).
    const byHash = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined && i < 1_000_000; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const h = hashOf(id);
      const other = byHash.get(h);
      if (other !== undefined) pair = [other, id];
      else byHash.set(h, id);
    }
    assert.ok(pair !== undefined, 'no colliding pair found');
    const [first, second] = pair;
    assert.equal(hashOf(first), hashOf(second));
    const seen = new EventIdSet();
    assert.equal(seen.add(first), true);
    assert.equal(seen.add(second), true);
    assert.equal(seen.add(first), false);
    assert.equal(seen.add(second), false);
    // Another ID is still new.
    assert.equal(seen.add(`${first}x`), true);
    // Deleting one of the pair leaves the other.
    seen.delete(first);
    assert.equal(seen.add(second), false);
    assert.equal(seen.add(first), true);
  });
});
