import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { boundedInterner, boundedMemo, createPairCache } from '../../../src/domain/policy/boundedMemo.js';

describe('boundedMemo', () => {
  test('calls the parser once per distinct text, remembering texts it cannot parse too', () => {
    const seen: string[] = [];
    const parse = boundedMemo((text: string) => {
      seen.push(text);
      return text === 'bad' ? undefined : text.length;
    }, 10);
    assert.equal(parse('abc'), 3);
    assert.equal(parse('abc'), 3);
    assert.equal(parse('bad'), undefined);
    assert.equal(parse('bad'), undefined);
    assert.deepEqual(seen, ['abc', 'bad']);
  });

  test('forgets everything once full and still answers correctly afterwards', () => {
    let calls = 0;
    const parse = boundedMemo((text: string) => {
      calls++;
      return `${text}!`;
    }, 2);
    parse('a');
    parse('b');
    parse('c'); // full: the table is dropped before 'c' is stored
    assert.equal(parse('a'), 'a!');
    assert.equal(calls, 4);
    assert.equal(parse('c'), 'c!');
    assert.equal(calls, 4);
  });
});

describe('createPairCache', () => {
  test('keeps values apart by both keys', () => {
    const cache = createPairCache<number>(10);
    cache.set('s3:getobject', 'arn:aws:s3:::a', 1);
    cache.set('s3:getobject', 'arn:aws:s3:::b', 2);
    cache.set('s3:putobject', 'arn:aws:s3:::a', 3);
    assert.equal(cache.get('s3:getobject', 'arn:aws:s3:::a'), 1);
    assert.equal(cache.get('s3:getobject', 'arn:aws:s3:::b'), 2);
    assert.equal(cache.get('s3:putobject', 'arn:aws:s3:::a'), 3);
    assert.equal(cache.get('s3:putobject', 'arn:aws:s3:::b'), undefined);
  });

  test('drops every value once it holds the maximum, counting values across first keys', () => {
    const cache = createPairCache<string>(2);
    cache.set('x', '1', 'x1');
    cache.set('y', '1', 'y1');
    cache.set('z', '1', 'z1');
    assert.equal(cache.get('x', '1'), undefined);
    assert.equal(cache.get('y', '1'), undefined);
    assert.equal(cache.get('z', '1'), 'z1');
  });

  test('replacing a value under the same keys does not count as a new entry', () => {
    const cache = createPairCache<string>(2);
    cache.set('x', '1', 'first');
    cache.set('x', '1', 'second');
    cache.set('x', '2', 'other');
    assert.equal(cache.get('x', '1'), 'second');
    assert.equal(cache.get('x', '2'), 'other');
  });
});

describe('boundedInterner', () => {
  // Which string object comes back cannot be observed from JavaScript; what can is that the value never changes.
  test('always returns a string equal to the one given, for repeated and new texts', () => {
    const intern = boundedInterner(8);
    const texts = ['s3.amazonaws.com', 'GetObject', 's3.amazonaws.com', 'PutObject', 'GetObject'];
    assert.deepEqual(
      texts.map((t) => intern(JSON.parse(JSON.stringify(t)) as string)),
      texts,
    );
  });

  test('starts over once full and still returns equal strings', () => {
    const intern = boundedInterner(2);
    for (const text of ['a', 'b', 'c', 'd', 'a', 'b']) assert.equal(intern(`${text}`), text);
  });
});
