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

  test('the statement that would allow what the message names, and where it goes, is in the skipped entry', () => {
    const passRole = explainTexts(
      text(
        control(
          'CreateJob',
          `User: ${caller} is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${ACCOUNT}:role/batch-ops because no identity-based policy allows the iam:PassRole action`,
        ),
      ),
      backupUserContext([]),
    );
    assert.equal(passRole.findings.length, 0);
    assert.ok(
      passRole.skipped[0]?.message.endsWith(
        ` The statement that would allow it, in the caller's identity-based policies, letting the caller pass the job its role (https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-iam-role-policies.html): {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::${ACCOUNT}:role/batch-ops"} (not verified).`,
      ),
      passRole.skipped[0]?.message,
    );
    // An action that takes no resource: on "*".
    const lens = explainTexts(
      text(
        control(
          'PutStorageLensConfiguration',
          `User: ${caller} is not authorized to perform: s3:PutStorageLensConfiguration because no identity-based policy allows the s3:PutStorageLensConfiguration action`,
        ),
      ),
      backupUserContext([]),
    );
    assert.equal(lens.findings.length, 0);
    assert.match(
      lens.skipped[0]?.message ?? '',
      /The statement that would allow it, in the caller's identity-based policies: \{"Effect":"Allow","Action":"s3:PutStorageLensConfiguration","Resource":"\*"\} \(not verified\)\.$/,
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
      /refused: s3:ListAccessPoints, with no resource \(a service control policy refuses it\); an action that takes none is granted with "Resource": "\*"/,
    );
  });

  test('an SCP\'s "explicit deny" names both causes: a Deny to change, or an allow list lacking the action', () => {
    // AWS's SCP messages read "explicit deny" even when the denial is implicit (an allow list without the action).
    const report = explainTexts(
      text(
        control(
          'ListAccessPoints',
          `User: ${caller} is not authorized to perform: s3:ListAccessPoints with an explicit deny in a service control policy`,
        ),
      ),
      backupUserContext([]),
    );
    const message = report.skipped[0]?.message ?? '';
    assert.doesNotMatch(message, /No Allow lifts an explicit Deny/);
    assert.doesNotMatch(message, /\(an explicit Deny\)/);
    assert.match(
      message,
      /such messages read "explicit deny" whether an SCP Deny refuses it or an SCP allow list lacks the action .*: a Deny that names s3:ListAccessPoints must change \(no Allow helps\), while a missing action must be added to the allow list of every level of the organization that lacks it: \{"Effect":"Allow","Action":"s3:ListAccessPoints","Resource":"\*"\} \(not verified\)\./,
    );
  });

  test('an explicit Deny of another policy type: no Allow lifts it, and no statement to add is offered', () => {
    const report = explainTexts(
      text(
        control(
          'ListAccessPoints',
          `User: ${caller} is not authorized to perform: s3:ListAccessPoints with an explicit deny in an identity-based policy`,
        ),
      ),
      backupUserContext([]),
    );
    const message = report.skipped[0]?.message ?? '';
    assert.match(message, /\(an explicit Deny\)/);
    assert.match(
      message,
      /No Allow lifts an explicit Deny: the statement that denies s3:ListAccessPoints must change/,
    );
    assert.doesNotMatch(message, /The statement that would allow it/);
  });
});
