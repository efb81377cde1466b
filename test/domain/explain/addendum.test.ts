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

describe('records of one request linked by their addenda in other shapes', () => {
  const SECOND = '33333333-3333-4333-8333-333333333333';
  const at = (record: Record<string, unknown>, eventTime: string) => ({ ...record, eventTime });
  // A second update, of the caller's identity again, that also names the original.
  const second = deniedRecord({
    eventID: SECOND,
    requestID: 'REQ1',
    addendum: {
      reason: 'UPDATED_DATA',
      updatedFields: 'userIdentity',
      originalRequestID: 'REQ1',
      originalEventID: ORIGINAL,
    },
  });
  const onlyFinding = (records: unknown[]) => {
    const report = explainTexts(text(...records), explainContext());
    assert.equal(report.findings.length, 1, report.findings.map((f) => f.summary).join('\n'));
    return report;
  };

  test('two updates naming the same original: the later by eventTime is kept, the other skipped naming it', () => {
    for (const records of [
      [original, at(update, '2026-11-27T10:05:00Z'), at(second, '2026-11-27T10:01:00Z')],
      [at(second, '2026-11-27T10:01:00Z'), original, at(update, '2026-11-27T10:05:00Z')],
    ]) {
      const report = onlyFinding(records);
      assert.deepEqual(report.findings[0]?.eventIds, [UPDATE]);
      assert.deepEqual(report.skipped.map((s) => [s.eventId, s.reason]).sort(), [
        [ORIGINAL, 'duplicate'],
        [SECOND, 'duplicate'],
      ]);
      assert.ok(
        report.skipped
          .find((s) => s.eventId === SECOND)
          ?.message.startsWith(
            `Event ${SECOND} and event ${UPDATE} are both updates of event ${ORIGINAL} (their addenda lead to it as originalEventID): one request, analysed once as event ${UPDATE}`,
          ),
        report.skipped.map((s) => s.message).join(' | '),
      );
    }
  });

  test('two updates naming the same original at the same time: the last in the input is kept', () => {
    assert.deepEqual(onlyFinding([original, update, second]).findings[0]?.eventIds, [SECOND]);
    assert.deepEqual(onlyFinding([second, update, original]).findings[0]?.eventIds, [UPDATE]);
  });

  test('two updates of an original not in the input are still one request', () => {
    assert.deepEqual(onlyFinding([update, second]).findings[0]?.eventIds, [SECOND]);
  });

  test('a chain of updates, each naming the one before: the last is kept', () => {
    const third = deniedRecord({
      eventID: SECOND,
      requestID: 'REQ1',
      addendum: { reason: 'UPDATED_DATA', updatedFields: 'userIdentity', originalEventID: UPDATE },
    });
    const report = onlyFinding([third, original, update]);
    assert.deepEqual(report.findings[0]?.eventIds, [SECOND]);
    assert.ok(
      report.skipped
        .find((s) => s.eventId === ORIGINAL)
        ?.message.startsWith(
          `Event ${ORIGINAL} was corrected by event ${SECOND}, through updates each naming the one before as its originalEventID`,
        ),
      report.skipped.map((s) => s.message).join(' | '),
    );
  });

  test('two records naming each other (malformed): one is kept, the later by eventTime, not both dropped', () => {
    const looped = { ...original, addendum: { reason: 'UPDATED_DATA', originalEventID: UPDATE } };
    for (const records of [
      [at(looped, '2026-11-27T10:05:00Z'), update],
      [update, at(looped, '2026-11-27T10:05:00Z')],
    ]) {
      const report = onlyFinding(records);
      assert.deepEqual(report.findings[0]?.eventIds, [ORIGINAL]);
      assert.deepEqual(
        report.skipped.map((s) => [s.eventId, s.reason]),
        [[UPDATE, 'duplicate']],
      );
      assert.ok(
        report.skipped[0]?.message.startsWith(
          `Event ${UPDATE} and event ${ORIGINAL} name each other as their originalEventID (each addendum names the other), a loop in which neither is the original: one request, analysed once as event ${ORIGINAL}`,
        ),
        report.skipped[0]?.message,
      );
    }
  });
});
