/**
 * gzip input with bytes after its gzip data: read as gzip -d reads it (the members whole, the bytes
 * that do not start like gzip ignored and counted), and refused wherever gzip -d refuses it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { gunzipLayers } from '../../src/adapters/gzipLayers.js';

const member = (text: string) => gzipSync(Buffer.from(text));
const junk = Buffer.from('junk!');

describe('gunzipLayers and trailing bytes', () => {
  test('members then bytes that do not start like gzip: the members, and the count of the bytes', async () => {
    const out = await gunzipLayers(Buffer.concat([member('{"a":'), member('1}'), junk]), 1 << 20);
    assert.ok(out.ok);
    assert.equal(Buffer.from(out.bytes).toString(), '{"a":1}');
    assert.equal(out.trailingBytes, 5);
  });

  test('zero bytes after a member, where zlib stops without an error, are counted too, with whatever follows them', async () => {
    const zeros = Buffer.alloc(16);
    const padded = await gunzipLayers(Buffer.concat([member('{"a":1}'), zeros]), 1 << 20);
    assert.ok(padded.ok);
    assert.equal(Buffer.from(padded.bytes).toString(), '{"a":1}');
    assert.equal(padded.trailingBytes, 16);
    // A member after the padding is not read (gzip -d does not read it either), and is not lost silently.
    const after = member('{"b":2}');
    const hidden = await gunzipLayers(Buffer.concat([member('{"a":1}'), zeros, after]), 1 << 20);
    assert.ok(hidden.ok);
    assert.equal(Buffer.from(hidden.bytes).toString(), '{"a":1}');
    assert.equal(hidden.trailingBytes, 16 + after.length);
    const whole = await gunzipLayers(Buffer.concat([member('{"a":'), member('1}')]), 1 << 20);
    assert.ok(whole.ok);
    assert.equal(whole.trailingBytes, 0);
  });

  test('a later member that fails its checksum, or bytes that start like gzip and are not, fail the read', async () => {
    const bad = member('second');
    bad.writeUInt32LE((bad.readUInt32LE(bad.length - 8) ^ 1) >>> 0, bad.length - 8);
    for (const bytes of [
      Buffer.concat([member('first'), bad, junk]),
      Buffer.concat([member('first'), Buffer.from([0x1f, 0x8b]), junk]),
    ]) {
      const out = await gunzipLayers(bytes, 1 << 20);
      assert.equal(out.ok, false);
      assert.equal(out.ok ? '' : out.problem, 'bad');
    }
  });

  test('members over the output cap are too large, whatever follows them', async () => {
    const big = member('x'.repeat(300_000));
    for (const bytes of [Buffer.concat([member('small'), big, junk]), Buffer.concat([big, junk])]) {
      const out = await gunzipLayers(bytes, 200_000);
      assert.equal(out.ok ? 'ok' : out.problem, 'too-large');
    }
  });

  test('a header that fails its own checksum, or sets a reserved flag, is refused as zlib refuses it', async () => {
    const withFlag = (flag: number) => {
      const bytes = Buffer.from(member('x'));
      bytes[3] = (bytes[3] ?? 0) | flag;
      return bytes;
    };
    // FHCRC set on a header without its checksum: the two bytes read as one are not it.
    for (const bytes of [withFlag(0x02), withFlag(0x20), Buffer.concat([withFlag(0x20), junk])]) {
      const out = await gunzipLayers(bytes, 1 << 20);
      assert.equal(out.ok, false);
    }
  });

  test('bytes after the data at two gzip layers are counted together', async () => {
    const inner = Buffer.concat([member('{}'), Buffer.from('inner')]);
    const out = await gunzipLayers(Buffer.concat([gzipSync(inner), Buffer.from('outer!')]), 1 << 20);
    assert.ok(out.ok);
    assert.equal(Buffer.from(out.bytes).toString(), '{}');
    assert.equal(out.layers, 2);
    assert.equal(out.trailingBytes, 11);
  });
});
