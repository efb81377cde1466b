import assert from 'node:assert/strict';
import { test } from 'node:test';

test('the test runner executes TypeScript tests', () => {
  assert.equal(typeof 1, 'number');
});
