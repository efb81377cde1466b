import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { patternCovers, patternMisses } from '../../../src/domain/explain/guardrailProfile.js';

describe('patternCovers', () => {
  test('a prefix pattern covers the ARNs and prefixes inside it, and nothing wider', () => {
    const cases: [string, string, boolean][] = [
      ['*', 'arn:aws:s3:::b/anything/*', true],
      ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/daily/*', true],
      ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/daily/x.csv', true],
      ['arn:aws:s3:::b/da*', 'arn:aws:s3:::b/daily/*', true],
      ['arn:aws:s3:::b/daily/*', 'arn:aws:s3:::b/*', false],
      ['arn:aws:s3:::b/*', 'arn:aws:s3:::b', false],
      ['arn:aws:s3:::b', 'arn:aws:s3:::b', true],
      ['arn:aws:s3:::b*', 'arn:aws:s3:::b', true],
      ['arn:aws:s3:::b/*', 'arn:aws:s3:::bb/x/*', false],
      // Conservative: a wildcard inside the pattern, or a variable, is not taken as covering a prefix.
      ['arn:aws:s3:::*/daily/*', 'arn:aws:s3:::b/daily/*', false],
      ['arn:aws:s3:::b/${aws:username}/*', 'arn:aws:s3:::b/kim/*', false],
      // A `*` ending the pattern matches anything after its literal prefix, whatever the resource's own
      // wildcards match after that prefix.
      ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/*/x', true],
      ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/??/2026-??/*', true],
      ['arn:aws:s3:::b/d*', 'arn:aws:s3:::b/*/x', false],
      ['arn:aws:s3:::b/d*', 'arn:aws:s3:::b/?aily/*', false],
      // A single ARN is matched as the engine would.
      ['arn:aws:s3:::*/daily/*', 'arn:aws:s3:::b/daily/x.csv', true],
    ];
    for (const [pattern, resource, covered] of cases) {
      assert.equal(patternCovers(pattern, resource), covered, `${pattern} covers ${resource}`);
    }
  });
});

describe('patternMisses', () => {
  test('a NotResource pattern that no ARN of the resource can match, and only then', () => {
    const cases: [string, string, boolean][] = [
      ['arn:aws:s3:::b/public/*', 'arn:aws:s3:::b/private/*', true],
      ['arn:aws:s3:::b/public/*', 'arn:aws:s3:::b/*', false],
      ['arn:aws:s3:::b/public/*', 'arn:aws:s3:::b/public/x/*', false],
      ['arn:aws:s3:::b/public/*', 'arn:aws:s3:::b/private/x.csv', true],
      ['arn:aws:s3:::b/public/*', 'arn:aws:s3:::b/public/x.csv', false],
      ['arn:aws:s3:::other', 'arn:aws:s3:::b', true],
      ['arn:aws:s3:::b/${aws:username}/*', 'arn:aws:s3:::b/x/*', false],
    ];
    for (const [pattern, resource, missed] of cases) {
      assert.equal(patternMisses(pattern, resource), missed, `${pattern} misses ${resource}`);
    }
  });
});
