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

  test('agrees with Date.parse, in range and out of it', () => {
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
        fc.constantFrom('Z', 'z', '.000Z', '+01:00', ''),
      )
      .map(([y, mo, d, h, mi, s, sep, t, zone]) => `${y}${sep}${mo}-${d}${t}${h}:${mi}:${s}${zone}`);
    fc.assert(
      fc.property(fc.oneof(spelled, fc.string()), (text) => {
        // Date.parse rolls a day the month does not have into the next month; CloudTrail's spelling of it
        // is no date here.
        const dated = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
        const parsed = Date.parse(text);
        const [year, month, day] = [Number(dated?.[1]), Number(dated?.[2]), Number(dated?.[3])];
        const days = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 ? 1 : 0);
        const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
        const rolled =
          dated !== null &&
          !Number.isNaN(parsed) &&
          month >= 1 &&
          month <= 12 &&
          day > (month === 2 ? (leap ? 29 : 28) : days);
        assert.ok(Object.is(eventTimeMillis(text), rolled ? Number.NaN : parsed), text);
      }),
      { numRuns: 3000 },
    );
  });
});
