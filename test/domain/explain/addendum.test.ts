/**
 * A record CloudTrail updated (its `addendum`: reason UPDATED_DATA and the original's originalEventID)
 * and the original, both in the input: one request, explained once from the update.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, deniedRecord, explainContext } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

const ORIGINAL = '11111111-1111-4111-8111-111111111111';
const UPDATE = '22222222-2222-4222-8222-222222222222';

// The original names the caller only by account (its userIdentity lacked the ARN), with the legacy message.
const original = deniedRecord({
  eventID: ORIGINAL,
  requestID: 'REQ1',
  userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', accountId: ACCOUNT },
  errorMessage: 'Access Denied',
});
const update = deniedRecord({
  eventID: UPDATE,
  requestID: 'REQ1',
  addendum: {
    reason: 'UPDATED_DATA',
    updatedFields: 'userIdentity',
    originalRequestID: 'REQ1',
    originalEventID: ORIGINAL,
  },
});

describe('an updated record beside its original', () => {
  for (const [order, records] of [
    ['original first', [original, update]],
    ['update first', [update, original]],
  ] as const) {
    test(`${order}: one finding from the update, the original skipped as a duplicate naming it`, () => {
      const report = explainTexts(text(...records), explainContext());
      assert.equal(report.findings.length, 1, report.findings.map((f) => f.summary).join('\n'));
      assert.deepEqual(report.findings[0]?.eventIds, [UPDATE]);
      assert.equal(report.findings[0]?.principal.arn, `arn:aws:iam::${ACCOUNT}:user/backup`);
      const skipped = report.skipped.filter((s) => s.eventId === ORIGINAL);
      assert.deepEqual(
        skipped.map((s) => s.reason),
        ['duplicate'],
      );
      assert.ok(
        skipped[0]?.message.startsWith(
          `Event ${ORIGINAL} was corrected by event ${UPDATE}, whose addendum names it as its originalEventID`,
        ),
        skipped[0]?.message,
      );
    });
  }

  test('an update alone is explained as any record', () => {
    const report = explainTexts(text(update), explainContext());
    assert.deepEqual(report.findings[0]?.eventIds, [UPDATE]);
    assert.deepEqual(report.skipped, []);
  });
});
