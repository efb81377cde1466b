import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareToolVersions, isAtLeast, parseToolVersion } from '../../../src/domain/tools/toolVersion.js';

describe('parseToolVersion', () => {
  test('a v-prefixed release parses to its three numbers', () => {
    assert.deepEqual(parseToolVersion('v1.60.1'), { major: 1, minor: 60, patch: 1 });
  });

  test('a release without the v prefix parses the same way', () => {
    assert.deepEqual(parseToolVersion('1.66.0'), { major: 1, minor: 66, patch: 0 });
  });

  test('a beta keeps its suffix, including the build number and commit', () => {
    assert.deepEqual(parseToolVersion('v1.67.0-beta.1234'), {
      major: 1,
      minor: 67,
      patch: 0,
      suffix: 'beta.1234',
    });
    assert.deepEqual(parseToolVersion('v1.67.0-beta.7800.3ea3f2d1a')?.suffix, 'beta.7800.3ea3f2d1a');
  });

  test("a distribution build such as Debian's 1.60.1-DEV keeps DEV as its suffix", () => {
    assert.deepEqual(parseToolVersion('1.60.1-DEV'), { major: 1, minor: 60, patch: 1, suffix: 'DEV' });
  });

  test('a major.minor version gets patch 0', () => {
    assert.deepEqual(parseToolVersion('v1.60'), { major: 1, minor: 60, patch: 0 });
  });

  test('empty, missing and non-numeric versions are unknown rather than zero', () => {
    assert.equal(parseToolVersion(''), undefined);
    assert.equal(parseToolVersion(undefined), undefined);
    assert.equal(parseToolVersion('latest'), undefined);
    assert.equal(parseToolVersion('v1'), undefined);
  });
});

describe('compareToolVersions and isAtLeast', () => {
  const v = (text: string) => {
    const parsed = parseToolVersion(text);
    assert.ok(parsed, `fixture ${text} must parse`);
    return parsed;
  };

  test('minor versions compare numerically, not as text', () => {
    assert.ok(compareToolVersions(v('1.9.0'), v('1.60.0')) < 0);
    assert.ok(compareToolVersions(v('v1.61.0'), v('1.60.1')) > 0);
  });

  test('the suffix does not change the order of the numbers', () => {
    assert.equal(compareToolVersions(v('v1.60.1-DEV'), v('1.60.1')), 0);
    assert.equal(compareToolVersions(v('v1.67.0-beta.1234'), v('v1.67.0')), 0);
  });

  test('isAtLeast draws the v1.61 line between v1.60.1 and v1.61.0', () => {
    assert.equal(isAtLeast(v('v1.60.1'), 1, 61), false);
    assert.equal(isAtLeast(v('v1.61.0'), 1, 61), true);
    assert.equal(isAtLeast(v('2.0.0'), 1, 61), true);
  });
});
