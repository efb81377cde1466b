/**
 * A snapshot user or role whose `Arn` is not an ARN: the fix names it by the ARN the event gives, never
 * by what the snapshot holds there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { ACCOUNT, deniedRecord, explainContext, userDetail } from './explainFixtures.js';

test("the fix of a user whose snapshot Arn is not an ARN goes to the event's ARN for it", () => {
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [
        userDetail('backup', {
          Arn: '?',
          UserPolicyList: [
            {
              PolicyName: 'reads',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }],
              },
            },
          ],
        }),
      ],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [],
    },
    'authz.json',
  );
  assert.ok(parsed.ok);
  assert.ok(parsed.warnings.some((w) => w.code === 'snapshot.entryArnInvalid'));
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: [deniedRecord()] }) }],
    explainContext({ snapshot: parsed.snapshot }),
  );
  const [finding] = report.findings;
  assert.equal(finding?.cause, 'identity-missing-allow');
  assert.equal(finding?.fix?.attachTo, `arn:aws:iam::${ACCOUNT}:user/backup`);
  assert.equal(finding?.fix?.verified, true, finding?.fix?.verification.join(' | '));
  assert.doesNotMatch(JSON.stringify(finding), /"\?"|no valid Arn/);
});
