import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildInputs, checkDeniedShare, DEFAULT_DENIED_SHARE } from '../../bench/generateTrail.js';

/** Denied records counted from the records themselves, not from the generator's own tally. */
function deniedRecords(records: readonly unknown[]): number {
  const seen = new Set<string>();
  let denied = 0;
  for (const record of records as { eventID: string; eventSource: string; errorCode?: string }[]) {
    if (seen.has(record.eventID)) continue;
    seen.add(record.eventID);
    if (record.eventSource === 's3.amazonaws.com' && record.errorCode === 'AccessDenied') denied++;
  }
  return denied;
}

describe('bench trail generator', () => {
  test('the denied share sets how many records are AccessDenied, and the rest keeps its proportions', () => {
    const events = 5000;
    for (const share of [DEFAULT_DENIED_SHARE, 0.05]) {
      const { trail, mix } = buildInputs({ events, deniedShare: share });
      assert.equal(trail.Records.length, events);
      assert.equal(deniedRecords(trail.Records), mix.denied);
      const unique = events - mix.duplicates;
      assert.ok(Math.abs(mix.denied / unique - share) < 0.03, `share ${share}: ${mix.denied}/${unique}`);
      // One third of what is not denied is non-S3, two thirds S3 calls that did not fail on authorization.
      const notDenied = unique - mix.denied;
      assert.ok(Math.abs(mix.notS3 / notDenied - 1 / 3) < 0.05, `share ${share}: ${mix.notS3}/${notDenied}`);
    }
  });

  test('a share outside (0, 0.9] is refused with the reason', () => {
    for (const bad of [0, -0.1, 0.95, Number.NaN]) {
      assert.throws(() => checkDeniedShare(bad), /above 0 and at most 0\.9/);
    }
    assert.equal(checkDeniedShare(0.9), 0.9);
  });
});
