/**
 * S3 Control operations (Batch Operations jobs, access point listings, Storage Lens) are not in the
 * operation catalogue and are skipped, but what AWS's enhanced message names is still what the caller
 * lacks: the skipped entry says it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, backupUserContext, deniedRecord } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const caller = `arn:aws:iam::${ACCOUNT}:user/backup`;

function control(eventName: string, errorMessage: string): Record<string, unknown> {
  return deniedRecord({
    eventName,
    errorMessage,
    requestParameters: { Host: `${ACCOUNT}.s3-control.eu-west-1.amazonaws.com` },
    resources: [],
  });
}

describe('S3 Control refusals, skipped', () => {
  test('CreateJob refused iam:PassRole: the skipped entry names the action and the role the message names', () => {
    const report = explainTexts(
      text(
        control(
          'CreateJob',
          `User: ${caller} is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${ACCOUNT}:role/batch-ops because no identity-based policy allows the iam:PassRole action`,
        ),
      ),
      backupUserContext([]),
    );
    assert.equal(report.findings.length, 0);
    assert.equal(report.skipped[0]?.reason, 'unsupported-operation');
    assert.match(
      report.skipped[0]?.message ?? '',
      new RegExp(
        `no entry for eventName CreateJob\\. AWS's message names what the caller was refused: iam:PassRole on arn:aws:iam::${ACCOUNT}:role/batch-ops \\(no Allow\\)`,
      ),
    );
  });

  test('an action the message names without a resource is said to be granted on "*"', () => {
    const report = explainTexts(
      text(
        control(
          'ListAccessPoints',
          `User: ${caller} is not authorized to perform: s3:ListAccessPoints with an explicit deny in a service control policy`,
        ),
      ),
      backupUserContext([]),
    );
    assert.match(
      report.skipped[0]?.message ?? '',
      /refused: s3:ListAccessPoints, with no resource \(an explicit Deny\); an action that takes none is granted with "Resource": "\*"/,
    );
  });
});
