import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { eventTimeMillis } from '../../../src/domain/cloudtrail/eventTime.js';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('eventTimeMillis', () => {
  test('reads the CloudTrail spelling', () => {
    assert.equal(eventTimeMillis('2026-11-21T00:00:15Z'), Date.UTC(2026, 10, 21, 0, 0, 15));
  });

  test('is NaN for text that is not a date', () => {
    assert.ok(Number.isNaN(eventTimeMillis('yesterday')));
    assert.ok(Number.isNaN(eventTimeMillis('2026-13-01T00:00:00Z')));
    assert.ok(Number.isNaN(eventTimeMillis('2026-1a-01T00:00:00Z')));
    // Days the month does not have, which Date.parse would roll into March.
    assert.ok(Number.isNaN(eventTimeMillis('2026-02-30T00:00:00Z')));
    assert.ok(Number.isNaN(eventTimeMillis('2026-02-29T00:00:00Z')));
    assert.ok(Number.isNaN(eventTimeMillis('2026-04-31T00:00:00Z')));
    assert.equal(eventTimeMillis('2028-02-29T00:00:00Z'), Date.UTC(2028, 1, 29));
    assert.ok(Number.isNaN(eventTimeMillis('1900-02-29T00:00:00Z')));
    assert.equal(eventTimeMillis('2000-02-29T00:00:00Z'), Date.UTC(2000, 1, 29));
    // In other spellings too.
    assert.ok(Number.isNaN(eventTimeMillis('2026-02-30T00:00:00.123Z')));
    assert.ok(Number.isNaN(eventTimeMillis('2026-04-31T00:00:00+00:00')));
    assert.equal(eventTimeMillis('2026-04-30T00:00:00.000Z'), Date.UTC(2026, 3, 30));
  });

  test('reads ISO 8601 as Date.parse does, a time without a zone as UTC, and nothing else', () => {
    const field = (max: number, width: number) => fc.integer({ min: 0, max }).map((n) => pad(n, width));
    const spelled = fc
      .tuple(
        field(9999, 4),
        field(14, 2),
        field(33, 2),
        field(25, 2),
        field(61, 2),
        field(61, 2),
        fc.constantFrom('-', '/'),
        fc.constantFrom('T', ' '),
        fc.constantFrom('Z', 'z', '.000Z', '.5', '+01:00', '-0230', ''),
      )
      .map(([y, mo, d, h, mi, s, sep, t, zone]) => `${y}${sep}${mo}${sep}${d}${t}${h}:${mi}:${s}${zone}`);
    fc.assert(
      fc.property(fc.oneof(spelled, fc.string()), (text) => {
        const iso =
          /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?: ?([Zz]|UTC)|([+-]\d{2}:?\d{2}))?$/.exec(
            text,
          );
        let expected = Number.NaN;
        if (iso !== null) {
          // Z, UTC or nothing: UTC.
          const [, y, mo, d, h, mi, sec, fraction = '', , offsetZone] = iso;
          const zone = offsetZone ?? 'Z';
          const frac = fraction.slice(0, 4);
          const [year, month, day] = [Number(y), Number(mo), Number(d)];
          const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
          const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
          const offset = /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
          // Date.parse takes 24:00 and rolls a day the month lacks into the next: no date here.
          if (day >= 1 && day <= days && Number(h) <= 23)
            expected = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}${frac}${offset}`);
        }
        assert.ok(
          Object.is(eventTimeMillis(text), expected),
          `${text}: ${eventTimeMillis(text)} ${expected}`,
        );
      }),
      { numRuns: 3000 },
    );
    // What Date.parse would take, and is no ISO 8601 time.
    for (const text of ['1', 'Monday 5', 'foo 2026', 'Nov 27 2026 01:30:09 GMT (x)', '2026/11/28 02:00:01'])
      assert.ok(Number.isNaN(eventTimeMillis(text)), text);
    assert.equal(eventTimeMillis('2026-11-28 02:00:01'), Date.UTC(2026, 10, 28, 2, 0, 1));
    assert.equal(eventTimeMillis('2026-11-28'), Date.UTC(2026, 10, 28));
    // Athena's timestamp with time zone, and more fraction digits than milliseconds.
    assert.equal(eventTimeMillis('2026-11-28 15:12:36.000 UTC'), Date.UTC(2026, 10, 28, 15, 12, 36));
    assert.equal(eventTimeMillis('2026-11-28T15:12:36.1234567890Z'), Date.UTC(2026, 10, 28, 15, 12, 36, 123));
  });
});
