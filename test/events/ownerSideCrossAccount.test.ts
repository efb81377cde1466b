/**
 * Explain run in the bucket owner's account (its snapshot) on a caller of another account (scenario 05's
 * role, analytics-etl of 444455556666): the record's sessionIssuer gives the role's own ARN, so no caveat
 * says it was rebuilt; the bucket-policy fix says whose administrators add it; and AWS's message naming the
 * caller's identity policies points at that account's policies, not at a stale snapshot.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example2.html
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { onlyFindingOf } from './explainScenario.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'owner-side-cross-account');

/** The only finding of `event`, with the fixtures' snapshot and `bucketPolicy` for partner-exports. */
function onlyFinding(event: string, bucketPolicy: string) {
  return onlyFindingOf(DIR, [
    event,
    '--account-snapshot',
    'authz.json',
    '--bucket-policy',
    `partner-exports=${bucketPolicy}`,
  ]);
}

describe('a caller of another account, seen from the bucket owner', () => {
  test("the role's ARN from sessionIssuer is not called rebuilt, and the fix says the owner adds it", async () => {
    const finding = await onlyFinding('role-session-event.json', 'bucket-policy.json');
    assert.equal(finding.fix?.attachKind, 'bucket-policy');
    assert.ok(
      !finding.caveats.some((c) => c.includes('is rebuilt from its session')),
      finding.caveats.join('\n'),
    );
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          'Bucket partner-exports is in account 111122223333: its administrators add the bucket policy statement',
        ),
      ),
      finding.caveats.join('\n'),
    );
  });

  test("AWS's message naming the identity policies points at the caller's account, not a stale snapshot", async () => {
    const finding = await onlyFinding('identity-message-event.json', 'role-bucket-policy.json');
    assert.ok(
      finding.caveats.some((c) =>
        c.includes("the caller's own policies are in account 444455556666, not in the snapshot"),
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(!finding.caveats.some((c) => c.includes('the snapshot may be out of date')));
  });
});

describe("the owner's part and the caller's (scenarios 05 and 44)", () => {
  const events = join(import.meta.dirname, '..', '..', 'events');
  const ownerCaveat = (caveats: readonly string[]) =>
    caveats.find((c) => c.startsWith('Bucket ') && c.includes('its administrators add the bucket policy'));
  test("the caller's account is told of its own side only when the fix holds statements for it", async () => {
    // 05: the role's own policies already allow the read; only the bucket policy changes.
    const only = await onlyFindingOf(join(events, '05-cross-account-bucket-policy'), [
      'event.json',
      '--account-snapshot',
      'authz.json',
      '--bucket-policy',
      'partner-exports=bucket-policy.json',
    ]);
    assert.equal(only.fix?.identityChange, undefined);
    assert.match(ownerCaveat(only.caveats) ?? '', /works only as a principal of that account\)\.$/);
    // 44: both sides refuse, and the fix has a statement for each.
    const scenario44 = JSON.parse(
      readFileSync(join(events, '44-cross-account-read-both-sides', 'scenario.json'), 'utf8'),
    ) as { args: string[] };
    const both = await onlyFindingOf(join(events, '44-cross-account-read-both-sides'), scenario44.args);
    assert.ok(both.fix?.identityChange !== undefined || (both.fix?.identityStatements?.length ?? 0) > 0);
    assert.match(ownerCaveat(both.caveats) ?? '', /, and account \d{12} its own side\.$/);
  });
});
