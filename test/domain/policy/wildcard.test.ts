import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  compileArnPattern,
  compileWildcard,
  type PatternToken,
  tokenizeWildcards,
} from '../../../src/domain/policy/wildcard.js';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** IAM's wildcards as a regular expression: the reference the matchers must agree with. */
function referenceWildcard(tokens: readonly PatternToken[]): RegExp {
  let source = '^';
  for (const token of tokens)
    source +=
      'wildcard' in token ? (token.wildcard === '*' ? '[\\s\\S]*' : '[\\s\\S]') : escapeRegex(token.literal);
  return new RegExp(`${source}$`);
}

/** ARN patterns: in the first five segments `?` and `*` stay within a segment, but a `*` ending one. */
function referenceArn(tokens: readonly PatternToken[]): RegExp {
  let source = '^';
  let colons = 0;
  tokens.forEach((token, t) => {
    if ('literal' in token) {
      source += escapeRegex(token.literal);
      colons += token.literal.split(':').length - 1;
      return;
    }
    if (colons >= 5) source += token.wildcard === '*' ? '[\\s\\S]*' : '[\\s\\S]';
    else if (token.wildcard === '?') source += '[^:]';
    else {
      const next = tokens[t + 1];
      source +=
        next === undefined || ('literal' in next && next.literal.startsWith(':')) ? '[\\s\\S]*' : '[^:]*';
    }
  });
  return new RegExp(`${source}$`);
}

const piece = fc.constantFrom('a', 'b', ':', '/', '*', '?', 'ab', '::');
const text = (max: number) =>
  fc.array(fc.constantFrom('a', 'b', ':', '/'), { maxLength: max }).map((p) => p.join(''));

describe('wildcard matchers', () => {
  test('agree with the regular expression of the pattern, for patterns with any number of *', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), text(12), (parts, candidate) => {
        const tokens = tokenizeWildcards(parts.join(''));
        assert.equal(compileWildcard(tokens, false)(candidate), referenceWildcard(tokens).test(candidate));
      }),
      { numRuns: 5000 },
    );
  });

  test('agree with the regular expression of an ARN pattern, segment rules included', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }),
        fc.array(piece, { maxLength: 4 }),
        text(16),
        (parts, arnHead, candidate) => {
          const pattern = `arn:${arnHead.join('')}${parts.join('')}`;
          const tokens = tokenizeWildcards(pattern);
          const arn = `arn:${candidate}`;
          assert.equal(compileArnPattern(tokens)(arn), referenceArn(tokens).test(arn), `${pattern} ${arn}`);
        },
      ),
      { numRuns: 5000 },
    );
  });

  test('case is ignored when asked, and kept otherwise', () => {
    const tokens = tokenizeWildcards('s3:*object*');
    assert.equal(compileWildcard(tokens, true)('S3:GetObjectTagging'), true);
    assert.equal(compileWildcard(tokens, false)('S3:GetObjectTagging'), false);
  });

  test('a pattern of several * matches a key that nearly matches, of a thousand slashes, and says no', () => {
    // A backtracking matcher tries every way to split the key among the four stars (minutes); the
    // answer does not depend on how long it takes, so this checks the answers only.
    const key = '/'.repeat(1000);
    const resource = compileArnPattern(tokenizeWildcards('arn:aws:s3:::datalake/*/*/*/*.parquet'));
    assert.equal(resource(`arn:aws:s3:::datalake/${key}x.parque`), false);
    assert.equal(resource(`arn:aws:s3:::datalake/${key}x.parquet`), true);
    const prefix = compileWildcard(tokenizeWildcards('*/*/*/*.parquet'), false);
    assert.equal(prefix(`${key}.parque`), false);
    assert.equal(prefix(`a/b/c/d.parquet`), true);
  });
});
