/**
 * Condition keys of newer S3 features that the record shows only sometimes, or never: read from the
 * record when it holds them, and unknown (not absent) when it does not, so that a Deny conditioned on
 * them is neither blamed nor missed for want of a value.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import {
  ACCOUNT,
  backupUserContext,
  deniedRecord,
  explainContext,
  snapshotWithUser,
} from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

/** A PutBucketInventoryConfiguration on bucket `data`, its body logged when `body` is given. */
function inventoryPut(body: Record<string, unknown> | undefined): Record<string, unknown> {
  return deniedRecord({
    eventName: 'PutBucketInventoryConfiguration',
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutInventoryConfiguration on resource: "arn:aws:s3:::data" with an explicit deny in an identity-based policy`,
    requestParameters: {
      bucketName: 'data',
      Host: 'data.s3.eu-west-1.amazonaws.com',
      inventory: '',
      id: 'weekly',
      ...(body === undefined ? {} : { InventoryConfiguration: body }),
    },
    resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    managementEvent: true,
    eventCategory: 'Management',
  });
}

// AWS's pattern for keeping object owners and ACLs out of inventory reports.
const SENSITIVE = ['ObjectAccessControlList', 'ObjectOwner'];
const INVENTORY_POLICY = [
  {
    Sid: 'AllowInventoryCreationConditionally',
    Effect: 'Allow',
    Action: 's3:PutInventoryConfiguration',
    Resource: 'arn:aws:s3:::data',
    Condition: { 'ForAllValues:StringNotEquals': { 's3:InventoryAccessibleOptionalFields': SENSITIVE } },
  },
  {
    Sid: 'DenyInventoryCreationConditionally',
    Effect: 'Deny',
    Action: 's3:PutInventoryConfiguration',
    Resource: 'arn:aws:s3:::data',
    Condition: { 'ForAnyValue:StringEquals': { 's3:InventoryAccessibleOptionalFields': SENSITIVE } },
  },
];

describe('s3:InventoryAccessibleOptionalFields', () => {
  test("read from the logged body's OptionalFields: the Deny on ObjectOwner is named as the cause", () => {
    const body = {
      Id: 'weekly',
      IsEnabled: 'true',
      OptionalFields: { Field: ['Size', 'ObjectOwner'] },
    };
    const finding = explainTexts(text(inventoryPut(body)), backupUserContext(INVENTORY_POLICY)).findings[0];
    assert.equal(finding?.cause, 'identity-explicit-deny');
    assert.deepEqual(
      finding?.deniedBy.map((d) => d.sid),
      ['DenyInventoryCreationConditionally'],
    );
  });

  test("unknown without the body: the Deny is named as the likely cause, as the message's explicit Deny, not checked", () => {
    const finding = explainTexts(text(inventoryPut(undefined)), backupUserContext(INVENTORY_POLICY))
      .findings[0];
    // The cause comes from AWS's message; no statement is taken to have been shown to apply.
    assert.equal(finding?.cause, 'identity-explicit-deny');
    assert.deepEqual(finding?.deniedBy, []);
    assert.ok(
      finding?.caveats.some(
        (c) =>
          c.includes('"DenyInventoryCreationConditionally"') &&
          c.includes('s3:InventoryAccessibleOptionalFields ForAnyValue:StringEquals') &&
          c.includes('request body this record does not show') &&
          c.includes('likely what refused it'),
      ),
      finding?.caveats.join(' | '),
    );
  });
});

/** A CreateBucket of an account regional bucket, its namespace header logged when `namespace` is given. */
function createBucket(namespace: string | undefined): Record<string, unknown> {
  const bucket = `orders-${ACCOUNT}-eu-west-1-an`;
  return deniedRecord({
    eventName: 'CreateBucket',
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:CreateBucket on resource: "arn:aws:s3:::${bucket}" because no identity-based policy allows the s3:CreateBucket action`,
    requestParameters: {
      bucketName: bucket,
      Host: `${bucket}.s3.eu-west-1.amazonaws.com`,
      ...(namespace === undefined ? {} : { 'x-amz-bucket-namespace': namespace }),
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    },
    resources: [],
    managementEvent: true,
    eventCategory: 'Management',
  });
}

describe('s3:x-amz-bucket-namespace', () => {
  // AWS's guardrail requiring buckets in the account regional namespace, beside FullAWSAccess.
  const scpLevels = [
    [
      {
        name: 'RequireAccountRegional',
        document: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: '*', Resource: '*' },
            {
              Sid: 'DenyGlobalNamespaceBuckets',
              Effect: 'Deny',
              Action: 's3:CreateBucket',
              Resource: '*',
              Condition: { StringNotEquals: { 's3:x-amz-bucket-namespace': 'account-regional' } },
            },
          ],
        },
      },
    ],
  ];
  const context = () =>
    explainContext({
      snapshot: snapshotWithUser('backup', {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      }),
      scpLevels,
    });

  test('read from the logged header: the SCP does not refuse an account regional bucket, and the missing Allow is fixed', () => {
    const finding = explainTexts(text(createBucket('account-regional')), context()).findings[0];
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.equal(finding?.fix?.verified, true);
    assert.deepEqual(finding?.fix?.statements[0]?.Action, ['s3:CreateBucket']);
  });

  test('unknown when the record does not show it: the SCP is not blamed, and is named', () => {
    const finding = explainTexts(text(createBucket(undefined)), context()).findings[0];
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.ok(
      finding?.caveats.some(
        (c) =>
          c.includes('"DenyGlobalNamespaceBuckets"') &&
          c.includes('s3:x-amz-bucket-namespace StringNotEquals "account-regional"'),
      ),
      finding?.caveats.join(' | '),
    );
  });

  test('a bucket the record shows in another namespace is refused by the same SCP', () => {
    const finding = explainTexts(text(createBucket('global')), context()).findings[0];
    assert.equal(finding?.cause, 'scp-explicit-deny');
  });
});
