/**
 * An Allow guarded only by a condition key the record cannot show (aws:SourceVpc behind a VPC endpoint)
 * is unverifiable, not unmet, in whichever kind of policy it is: the title, summary and Cause say so for
 * the identity-based policies and the SCPs as they do for the bucket policy, as the request row does.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { findingCauseText } from '../../../src/domain/render/causeText.js';
import { ACCOUNT, backupUserContext, deniedRecord } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const caller = `arn:aws:iam::${ACCOUNT}:user/backup`;
const inVpc = { StringEquals: { 'aws:SourceVpc': 'vpc-0abc1234' } };

/** A refused call of `action` on `data/in/a.csv`, made through a VPC endpoint. */
function refused(eventName: string, action: string): Record<string, unknown> {
  return deniedRecord({
    eventName,
    vpcEndpointId: 'vpce-0123456789abcdef0',
    errorMessage: `User: ${caller} is not authorized to perform: ${action} on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the ${action} action`,
  });
}

describe('an Allow only under a Condition the record cannot show met, outside the bucket policy', () => {
  test('the identity-based policies: title, summary and Cause say it is unverifiable, with the plural verb', () => {
    const [finding] = explainTexts(
      text(refused('PutObject', 's3:PutObject')),
      backupUserContext([
        { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*', Condition: inVpc },
      ]),
    ).findings;
    assert.ok(finding !== undefined);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.deepEqual(
      finding.requests.map((r) => r.unverifiableAllowIn),
      [['identity']],
    );
    const cause = findingCauseText(finding);
    assert.equal(
      cause.title,
      'The identity-based policies allow the request only under a Condition the record cannot show met',
    );
    assert.match(
      cause.explanation,
      /^A statement of the identity-based policies allows it only under a Condition the record cannot show met \(unverifiable, not unmet: see the caveats\); none allows it without one\.$/,
    );
    assert.match(
      finding.summary,
      /: the identity-based policies allow it only under a Condition the record cannot show met \(unverifiable, not unmet: see the caveats\)\./,
    );
    assert.doesNotMatch(finding.summary, /no identity-based policy allows/);
  });

  test('part of the request not allowed at all: each part said apart', () => {
    const [finding] = explainTexts(
      text(refused('PutObject', 's3:PutObject'), refused('GetObject', 's3:GetObject')),
      backupUserContext([
        { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*', Condition: inVpc },
      ]),
    ).findings;
    assert.ok(finding !== undefined);
    assert.equal(
      findingCauseText(finding).title,
      'The identity-based policies do not allow part of the request, and the rest only under a Condition the record cannot show met',
    );
    assert.match(
      findingCauseText(finding).explanation,
      /^The identity-based policies do not allow s3:GetObject; a statement of them allows the rest only under a Condition/,
    );
    assert.match(
      finding.summary,
      /: the identity-based policies do not allow s3:GetObject, and allow s3:PutObject only under a Condition the record cannot show met/,
    );
  });

  test('an allow-list SCP: the title names the SCPs, and its source is the SCP page', () => {
    const context = {
      ...backupUserContext([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]),
      scpLevels: [
        [
          {
            name: 'scp.json',
            document: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Condition: inVpc }],
            },
          },
        ],
      ],
    };
    const record = refused('PutObject', 's3:PutObject');
    record.errorMessage = `User: ${caller} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in a service control policy`;
    const [finding] = explainTexts(text(record), context).findings;
    assert.ok(finding !== undefined);
    assert.equal(finding.cause, 'scp-missing-allow');
    assert.equal(
      findingCauseText(finding).title,
      'The service control policies allow the request only under a Condition the record cannot show met',
    );
    assert.match(findingCauseText(finding).source, /orgs_manage_policies_scps/);
    assert.match(finding.summary, /: the service control policies allow it only under a Condition/);
  });
});
