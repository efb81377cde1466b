/**
 * A replication role's refusals: the fix stays scoped to the refused keys, with a caveat that replication
 * copies every new object its rule selects (each under its own key), naming the bucket's objects as AWS's
 * replication permissions grant them, and S3 Batch Replication for the objects that failed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { ACCOUNT, deniedRecord, explainContext } from './explainFixtures.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/s3-repl-role`;

function replicationRole(statements: readonly unknown[]) {
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: [
        {
          Path: '/service-role/',
          RoleName: 's3-repl-role',
          RoleId: 'AROAS3REPLROLEQQQQQQQ',
          Arn: ROLE,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sts:AssumeRole' },
            ],
          },
          InstanceProfileList: [],
          RolePolicyList: [
            { PolicyName: 'inline', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
          ],
          AttachedManagedPolicies: [],
        },
      ],
      Policies: [],
    },
    'test',
  );
  assert.ok(parsed.ok);
  return parsed.snapshot;
}

/** A call by the replication role's session (S3 invoking it), refused on `bucket/key`. */
function replicationCall(eventName: string, action: string, bucket: string, key: string) {
  return deniedRecord({
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAS3REPLROLEQQQQQQQ:s3-replication',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/s3-repl-role/s3-replication`,
      accountId: ACCOUNT,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAS3REPLROLEQQQQQQQ',
          arn: ROLE,
          accountId: ACCOUNT,
          userName: 's3-repl-role',
        },
        attributes: { creationDate: '2026-11-28T10:00:00Z', mfaAuthenticated: 'false' },
      },
      invokedBy: 's3.amazonaws.com',
    },
    eventName,
    sourceIPAddress: 's3.amazonaws.com',
    userAgent: 's3.amazonaws.com',
    errorMessage: `User: arn:aws:sts::${ACCOUNT}:assumed-role/s3-repl-role/s3-replication is not authorized to perform: ${action} on resource: "arn:aws:s3:::${bucket}/${key}" because no identity-based policy allows the ${action} action`,
    requestParameters: {
      bucketName: bucket,
      key,
      versionId: 'v1',
      Host: `${bucket}.s3.eu-west-1.amazonaws.com`,
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
      { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
  });
}

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

describe("a replication role's refused objects", () => {
  test('on the destination: the fix grants their directory, and a caveat names the destination bucket and Batch Replication', () => {
    const snapshot = replicationRole([
      { Effect: 'Allow', Action: 's3:GetObjectVersionForReplication', Resource: 'arn:aws:s3:::prod-data/*' },
    ]);
    const [finding] = explainTexts(
      text(
        replicationCall('ReplicateObject', 's3:ReplicateObject', 'dr-replica', 'customers/acme/profile.json'),
      ),
      explainContext({ snapshot }),
    ).findings;
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Resource),
      [['arn:aws:s3:::dr-replica/customers/acme/*']],
    );
    const caveat = finding?.caveats.find((c) => c.startsWith('The fix grants the replication role')) ?? '';
    assert.ok(
      caveat.includes('arn:aws:s3:::dr-replica/customers/acme/*, where the refused objects are'),
      caveat,
    );
    assert.ok(caveat.includes('or arn:aws:s3:::dr-replica/*, the resource'), caveat);
    assert.match(caveat, /setting-repl-config-perm-overview\.html/);
    assert.match(
      caveat,
      /S3 Batch Replication \(https:\/\/docs\.aws\.amazon\.com\/AmazonS3\/latest\/userguide\/s3-batch-replication-batch\.html\)/,
    );
  });

  test("on the source, in a dated directory: the replication caveat, not the dated one's 'daily exports'", () => {
    const snapshot = replicationRole([
      { Effect: 'Allow', Action: 's3:ReplicateObject', Resource: 'arn:aws:s3:::dr-replica/*' },
    ]);
    const [finding] = explainTexts(
      text(
        replicationCall(
          'GetObjectVersionForReplication',
          's3:GetObjectVersionForReplication',
          'prod-data',
          'orders/2026/11/28/o-1.json',
        ),
      ),
      explainContext({ snapshot }),
    ).findings;
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Resource),
      [['arn:aws:s3:::prod-data/orders/2026/11/28/*']],
    );
    assert.ok(
      finding?.caveats.some((c) => c.includes('or arn:aws:s3:::prod-data/*, the resource')),
      finding?.caveats.join(' | '),
    );
    assert.ok(
      !finding?.caveats.some((c) => c.startsWith('The fix grants a dated directory')),
      finding?.caveats.join(' | '),
    );
  });

  test('another caller refused another action gets no replication caveat', () => {
    const [finding] = explainTexts(
      text(deniedRecord()),
      explainContext({
        snapshot: replicationRole([]),
      }),
    ).findings;
    assert.ok(!finding?.caveats.some((c) => c.includes('replication')), finding?.caveats.join(' | '));
  });
});
