import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { diffBefore, lineDiff } from '../../../src/domain/explain/lineDiff.js';

test('unchanged lines are kept, added lines are marked with +', () => {
  assert.equal(lineDiff('a\nb\nc', 'a\nb\nx\nc'), '  a\n  b\n+ x\n  c');
});

test('removed lines are marked with -', () => {
  assert.equal(lineDiff('a\nb\nc', 'a\nc'), '  a\n- b\n  c');
});

test('a replaced line shows as removal then addition', () => {
  assert.equal(lineDiff('a\nb', 'a\nB'), '  a\n- b\n+ B');
});

test('diffBefore gives back the text a diff was made from', () => {
  const text = fc
    .array(fc.constantFrom('a', 'b', '+ c', '- d', '  e', ''), { maxLength: 12 })
    .map((lines) => lines.join('\n'));
  fc.assert(
    fc.property(text, text, (before, after) => {
      assert.equal(diffBefore(lineDiff(before, after)), before);
    }),
  );
});
