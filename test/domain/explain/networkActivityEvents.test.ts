/**
 * CloudTrail network activity events (`eventCategory` NetworkActivity, `eventType` AwsVpceEvent) in the
 * shape AWS documents: no `requestParameters`, `resources` or `userAgent`, a caller possibly named only by
 * account and access key ID, `recipientAccountId` and `vpcEndpointAccountId` the endpoint's owner.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html#cloudtrail-network-events
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { renderMarkdown } from '../../../src/domain/render/markdown.js';
import { renderText } from '../../../src/domain/render/text.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
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

describe('a VPC endpoint refusal of ListBuckets by a caller of another account named by access key', () => {
  const report = explainTexts(
    text(
      networkEvent({
        userIdentity: { type: 'AWSAccount', principalId: 'AKIAIOSFODNN7EXAMPLE', accountId: '777788889999' },
        eventName: 'ListBuckets',
      }),
    ),
    explainContext(),
  );
  const [finding] = report.findings;

  test('is read from the event, not from an AccessDenied message', () => {
    assert.equal(finding?.cause, 'vpc-endpoint-policy');
    assert.equal(finding?.evidence, 'event');
    assert.ok(renderText(report, { color: false }).includes('Evidence: inferred from the event only.'));
    // The endpoint's note names it: no second caveat on "AWS's message", which the record does not carry.
    assert.ok(!finding?.caveats.some((c) => c.startsWith("AWS's message names the VPC endpoint policy")));
  });

  test('names no bucket policy, and no EventBridge state of a management event', () => {
    const caveats = finding?.caveats ?? [];
    assert.ok(
      caveats.includes(
        "The caller belongs to another AWS account: its own account's policies must allow the request, which names no bucket, so no bucket's policy takes part (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).",
      ),
      caveats.join('\n'),
    );
    assert.ok(!caveats.some((c) => c.includes("this bucket's policy")));
    assert.ok(!caveats.some((c) => c.includes('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS')));
  });

  test('calls the access key ID an access key, not a principal ID', () => {
    assert.ok(
      finding?.summary.startsWith(
        'A caller of account 777788889999 (access key AKIAIOSFODNN7EXAMPLE) was denied s3:ListAllMyBuckets',
      ),
      finding?.summary,
    );
    const rendered = renderText(report, { color: false });
    assert.ok(
      rendered.includes(
        'Principal  access key AKIAIOSFODNN7EXAMPLE (AWSAccount, account 777788889999); the record names no ARN',
      ),
      rendered,
    );
    assert.ok(!rendered.includes('principal ID AKIA'), rendered);
    assert.ok(renderMarkdown(report).includes('- **Principal:** access key `AKIAIOSFODNN7EXAMPLE`'));
  });
});

describe('a network activity event the endpoint allowed', () => {
  const sample = join(import.meta.dirname, '..', '..', '..', 'events', '31-rclone-mkdir-new-bucket');
  const records = (JSON.parse(readFileSync(join(sample, 'event.json'), 'utf8')) as { Records: unknown[] })
    .Records as Record<string, unknown>[];
  const parsed = parseAccountSnapshot(JSON.parse(readFileSync(join(sample, 'authz.json'), 'utf8')), 'authz');
  assert.ok(parsed.ok);
  const context = explainContext({ snapshot: parsed.snapshot });
  // The endpoint's record of each refused request: the same call, without S3's error.
  const throughEndpoint = records.map((record, i) => {
    const { errorCode: _code, errorMessage: _message, ...rest } = record;
    return {
      ...rest,
      eventID: `7c6e3d04-0c3b-42f2-8589-10000000000${i}`,
      eventType: 'AwsVpceEvent',
      eventCategory: 'NetworkActivity',
      vpcEndpointId: 'vpce-0a1b2c3d4e5f67890',
      vpcEndpointAccountId: ACCOUNT,
    };
  });

  test('is skipped as the endpoint letting it through, not as a call that succeeded', () => {
    const report = explainTexts(text(...throughEndpoint), context);
    const [skip] = report.skipped;
    assert.equal(skip?.reason, 'not-denied');
    assert.ok(
      skip?.message.startsWith(
        "CreateBucket was allowed through VPC endpoint vpce-0a1b2c3d4e5f67890: a network activity event records the endpoint policy's decision, not S3's answer",
      ),
      skip?.message,
    );
  });

  test("is no evidence: beside S3's refusal of the same request, the findings are as without it", () => {
    const alone = explainTexts(text(...records), context);
    const both = explainTexts(text(...records, ...throughEndpoint), context);
    assert.deepEqual(both.findings, alone.findings);
    // Sample 31's own finding: nothing shows the bucket exists.
    assert.ok(
      !JSON.stringify(both.findings).includes('The bucket exists'),
      JSON.stringify(both.findings[0]?.alternatives),
    );
  });
});
