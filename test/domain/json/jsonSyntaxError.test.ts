import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lineAndColumn, locateJsonSyntaxError } from '../../../src/domain/json/jsonSyntaxError.js';

describe('locateJsonSyntaxError', () => {
  test('valid JSON has no error', () => {
    assert.equal(
      locateJsonSyntaxError('{"Records": [{"eventName": "GetObject", "n": -1.5e3, "ok": true}]}'),
      undefined,
    );
  });

  test('a missing comma is located at the next property on its line and column', () => {
    const text = '{\n  "eventName": "GetObject"\n  "eventSource": "s3.amazonaws.com"\n}';
    const location = locateJsonSyntaxError(text);
    assert.deepEqual({ line: location?.line, column: location?.column }, { line: 3, column: 3 });
    assert.match(location?.reason ?? '', /expected ',' or '}'/);
  });

  test('a trailing comma before a closing bracket is reported at the bracket', () => {
    const location = locateJsonSyntaxError('[1,\n2,\n]');
    assert.deepEqual({ line: location?.line, column: location?.column }, { line: 3, column: 1 });
  });

  test('a truncated document is reported at its end', () => {
    const text = '{"Records": [{"eventName": "GetObject"';
    const location = locateJsonSyntaxError(text);
    assert.equal(location?.offset, text.length);
    assert.match(location?.reason ?? '', /end of input/);
  });

  test('an unterminated string is reported', () => {
    assert.match(locateJsonSyntaxError('{"key": "value}')?.reason ?? '', /unterminated string/);
  });

  test('text after the value is reported', () => {
    const location = locateJsonSyntaxError('{} {}');
    assert.equal(location?.column, 4);
  });

  test('the scanner agrees with JSON.parse on what is valid', () => {
    const samples = [
      '{"a":"\\u00e9"}',
      '{"a":"\\x"}',
      '[01]',
      '{"a":.5}',
      '"\\t"',
      'nul',
      '[1e5, -0, 0.0]',
      '{"a":1,}',
    ];
    for (const sample of samples) {
      let parses = true;
      try {
        JSON.parse(sample);
      } catch {
        parses = false;
      }
      assert.equal(locateJsonSyntaxError(sample) === undefined, parses, sample);
    }
  });

  test('very deep nesting is reported instead of overflowing the stack', () => {
    const text = `${'['.repeat(100000)}${']'.repeat(99999)}`;
    assert.match(locateJsonSyntaxError(text)?.reason ?? '', /nesting deeper/);
  });
});

describe('lineAndColumn', () => {
  test('counts CRLF as one line break', () => {
    assert.deepEqual(lineAndColumn('a\r\nbc', 4), { offset: 4, line: 2, column: 2 });
  });
});
