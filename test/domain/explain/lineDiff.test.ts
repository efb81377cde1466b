import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineDiff } from '../../../src/domain/explain/lineDiff.js';

test('unchanged lines are kept, added lines are marked with +', () => {
  assert.equal(lineDiff('a\nb\nc', 'a\nb\nx\nc'), '  a\n  b\n+ x\n  c');
});

test('removed lines are marked with -', () => {
  assert.equal(lineDiff('a\nb\nc', 'a\nc'), '  a\n- b\n  c');
});

test('a replaced line shows as removal then addition', () => {
  assert.equal(lineDiff('a\nb', 'a\nB'), '  a\n- b\n+ B');
});
