import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePolicyDocument, describeType } from '../../../src/domain/policy/policyDocument.js';

const policy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::acme-backups',
      Condition: { StringLike: { 's3:prefix': ['daily backups/*', 'c++/*', '100%/*'] } },
    },
  ],
};

describe('decodePolicyDocument', () => {
  test('passes a JSON object through unchanged', () => {
    assert.deepEqual(decodePolicyDocument(policy), { ok: true, document: policy });
  });

  test('parses a plain JSON string without URL-decoding it, so a literal % survives', () => {
    assert.deepEqual(decodePolicyDocument(JSON.stringify(policy)), { ok: true, document: policy });
  });

  test('decodes an RFC 3986 URL-encoded string where spaces are %20 and + is %2B', () => {
    const encoded = encodeURIComponent(JSON.stringify(policy)).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    assert.ok(encoded.startsWith('%7B%22Version%22'));
    assert.deepEqual(decodePolicyDocument(encoded), { ok: true, document: policy });
  });

  test('keeps a literal + as + because IAM never encodes spaces as +', () => {
    const encoded = encodeURIComponent('{"Sid":"a+b"}').replace('%2B', '+');
    assert.deepEqual(decodePolicyDocument(encoded), { ok: true, document: { Sid: 'a+b' } });
  });

  test('rejects strings that are neither JSON nor URL-encoded JSON, and malformed escapes', () => {
    assert.equal(decodePolicyDocument('Version=2012-10-17').ok, false);
    assert.equal(decodePolicyDocument('%7B%ZZ').ok, false);
  });

  test('a missing document is said as none, not as "a undefined"', () => {
    assert.deepEqual(decodePolicyDocument(undefined), { ok: false, reason: 'there is no document' });
    assert.equal(describeType(undefined), 'nothing');
  });

  test('rejects arrays, numbers and null with the type named', () => {
    const result = decodePolicyDocument([policy]);
    assert.deepEqual(result, { ok: false, reason: 'expected a JSON object or string, got an array' });
    assert.equal(decodePolicyDocument(42).ok, false);
    assert.equal(decodePolicyDocument(null).ok, false);
    assert.equal(decodePolicyDocument('[1,2]').ok, false);
  });

  test('a URL-encoded document nested past any policy is not a document (its walks would overflow the stack)', () => {
    const deep = encodeURIComponent(`{"Statement":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    assert.equal(decodePolicyDocument(deep).ok, false);
    const shallow = encodeURIComponent('{"Statement":[[[]]]}');
    assert.equal(decodePolicyDocument(shallow).ok, true);
  });
});
