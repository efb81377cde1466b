/**
 * CloudTrail network activity events (`eventCategory` NetworkActivity, `eventType` AwsVpceEvent) in the
 * shape AWS documents: no `requestParameters`, `resources` or `userAgent`, a caller possibly named only by
 * account and access key ID, `recipientAccountId` and `vpcEndpointAccountId` the endpoint's owner.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html#cloudtrail-network-events
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, explainContext } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

/** A network activity event as AWS's documentation shows it (refused, unless `errorCode` is undefined). */
function networkEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSER',
      arn: `arn:aws:iam::${ACCOUNT}:user/backup`,
      accountId: ACCOUNT,
      userName: 'backup',
    },
    eventTime: '2026-11-28T02:00:01Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '10.0.1.15',
    errorCode: 'VpceAccessDenied',
    errorMessage: 'The request was denied due to a VPC endpoint policy',
    requestID: 'REQ-1',
    eventID: '7c6e3d04-0c3b-42f2-8589-000000000001',
    eventType: 'AwsVpceEvent',
    recipientAccountId: ACCOUNT,
    sharedEventID: '702f74c4-f692-4bfd-8491-000000000001',
    vpcEndpointId: 'vpce-0a1b2c3d4e5f67890',
    vpcEndpointAccountId: ACCOUNT,
    eventCategory: 'NetworkActivity',
    ...overrides,
  };
}

describe('a VPC endpoint refusal whose record names no bucket', () => {
  test('is skipped as the endpoint policy refusal it is, with the statement and the command', () => {
    const report = explainTexts(text(networkEvent()), explainContext());
    assert.deepEqual(report.findings, []);
    const [skip] = report.skipped;
    assert.equal(skip?.reason, 'vpc-endpoint-refusal');
    const message = skip?.message ?? '';
    assert.ok(
      message.startsWith(
        `The VPC endpoint vpce-0a1b2c3d4e5f67890 (owned by account ${ACCOUNT}) refused GetObject by arn:aws:iam::${ACCOUNT}:user/backup by its endpoint policy (VpceAccessDenied, a network activity event): S3 never evaluated the request`,
      ),
      message,
    );
    assert.ok(
      message.includes('{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}'),
      message,
    );
    assert.ok(
      message.includes(
        '`aws ec2 describe-vpc-endpoints --vpc-endpoint-ids vpce-0a1b2c3d4e5f67890 --query "VpcEndpoints[0].PolicyDocument"`',
      ),
      message,
    );
  });

  test("a caller named by account and access key: the endpoint owner's account runs the command", () => {
    const report = explainTexts(
      text(
        networkEvent({
          userIdentity: {
            type: 'AWSAccount',
            principalId: 'AKIAIOSFODNN7EXAMPLE',
            accountId: '777788889999',
          },
          eventName: 'ListObjects',
        }),
      ),
      explainContext(),
    );
    const message = report.skipped[0]?.message ?? '';
    assert.ok(
      message.includes(
        'refused ListObjects by a caller of account 777788889999 (access key AKIAIOSFODNN7EXAMPLE) by its endpoint policy',
      ),
      message,
    );
    assert.ok(message.includes('"Action":"s3:ListBucket"'), message);
    assert.ok(
      message.includes(`run in account ${ACCOUNT}: the record's vpcEndpointAccountId names it`),
      message,
    );
  });

  test('a directory bucket request the endpoint refused: the skip names the endpoint', () => {
    const report = explainTexts(
      text(networkEvent({ eventSource: 's3express.amazonaws.com', eventName: 'CreateSession' })),
      explainContext(),
    );
    const message = report.skipped[0]?.message ?? '';
    assert.ok(
      message.includes(
        `The VPC endpoint vpce-0a1b2c3d4e5f67890 (owned by account ${ACCOUNT}) refused it by its endpoint policy`,
      ),
      message,
    );
    assert.ok(message.includes('--vpc-endpoint-ids vpce-0a1b2c3d4e5f67890'), message);
  });
});
