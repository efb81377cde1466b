/**
 * One cross-account request that both accounts logged: CloudTrail delivers an S3 data event to the
 * requester and to the bucket owner, each copy with its own `eventID` and `recipientAccountId` and both
 * with the same `sharedEventID`. The fixture is one refused GetObject of role analytics-etl
 * (444455556666) on partner-exports (111122223333), whose bucket policy grants that role: the requester's
 * copy names the caller by ARN, the owner's only by account and principal ID.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { explainScenario } from './explainScenario.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'shared-event-copies');
const policies = [
  '--account-snapshot',
  'authz.json',
  '--bucket-policy',
  'partner-exports=bucket-policy.json',
];

describe('the copies of one cross-account request (same sharedEventID)', () => {
  for (const order of [
    ['owner-copy.json', 'requester-copy.json'],
    ['requester-copy.json', 'owner-copy.json'],
  ]) {
    test(`count as one request, explained from the requester's copy (given ${order.join(', ')})`, async () => {
      const report = await explainScenario(dir, [...order, ...policies]);
      assert.equal(report.findings.length, 1);
      const finding = report.findings[0];
      assert.deepEqual(finding?.eventIds, ['4e7b1c2d-0a9f-4b83-9d6e-5f1a2b3c4d5e']);
      assert.equal(finding?.principal.type, 'Role');
      // The bucket policy grants the role; the role's own policy lacks manifests/*.
      assert.equal(finding?.cause, 'identity-missing-allow');
      assert.deepEqual(report.skipped, [
        {
          eventId: 'c0ffee00-1111-4222-8333-944455556666',
          reason: 'duplicate',
          message:
            'Event c0ffee00-1111-4222-8333-944455556666 is the copy of event 4e7b1c2d-0a9f-4b83-9d6e-5f1a2b3c4d5e that CloudTrail delivered to account 111122223333 (sharedEventID 9f1d2c3b-7a6e-4b5d-8c9e-0a1b2c3d4e5f): one cross-account request, logged for each account, analysed once as event 4e7b1c2d-0a9f-4b83-9d6e-5f1a2b3c4d5e.',
        },
      ]);
    });
  }
});

describe("the bucket owner's copy alone, in the snapshot's account", () => {
  test("resolves the caller's RoleId to the snapshot's role and evaluates its policies", async () => {
    const report = await explainScenario(dir, ['owner-copy.json', ...policies]);
    assert.equal(report.findings.length, 1);
    const finding = report.findings[0];
    assert.deepEqual(finding?.principal, {
      arn: 'arn:aws:sts::444455556666:assumed-role/analytics-etl/i-0a1b2c3d4e5f60718',
      type: 'Role',
      account: '444455556666',
    });
    // As from the requester's copy: the role's own policy lacks manifests/*, the bucket policy grants it.
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.equal(finding?.fix?.verified, true);
    const caveats = finding?.caveats.join('\n') ?? '';
    assert.match(
      caveats,
      /AROAEYAX6EWBNPBAXMT6H is the unique ID of role arn:aws:iam::444455556666:role\/analytics-etl \(its RoleId\) in the account snapshot/,
    );
    assert.doesNotMatch(caveats, /whose policies are not visible here|list-roles/);
  });
});

describe("the bucket owner's copies of a sync, its listing among them, in the snapshot's account", () => {
  test("the listing is the resolved role's evidence too: the profile takes the listed path, not the refused file's directory", async () => {
    const report = await explainScenario(dir, ['owner-sync-with-listing.json', ...policies]);
    const [finding] = report.findings;
    assert.match(finding?.principal.arn ?? '', /:assumed-role\/analytics-etl\//);
    assert.deepEqual(finding?.jobProfile?.statements.find((s) => s.Sid === 'AwsCliObjects')?.Resource, [
      'arn:aws:s3:::partner-exports/manifests/*',
    ]);
  });
});
