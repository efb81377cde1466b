/**
 * Alternatives that drop the ACL header of an upload (aws-cli without --acl, a newer rclone) are not
 * offered when a visible policy requires x-amz-acl: bucket-owner-full-control on uploads: the uploads
 * would still be refused (AWS's ensure-object-ownership example policies).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import type { Finding } from '../../../src/domain/explain/report.js';
import { ACCOUNT, deniedRecord, explainContext, snapshotWithUser } from './explainFixtures.js';

const OWNER = '999988887777';
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/backup`;
const AWS_CLI_CP =
  '[aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.1.115 lang/python#3.12.6 md/pyimpl#CPython md/command#s3.cp]';

/** An upload of `bucket/in/a.csv` with `x-amz-acl: acl`, refused with the legacy message. */
function upload(bucket: string, acl: string, userAgent: string, owner = ACCOUNT): Record<string, unknown> {
  return deniedRecord({
    userAgent,
    errorMessage: 'Access Denied',
    requestParameters: {
      bucketName: bucket,
      key: 'in/a.csv',
      Host: `${bucket}.s3.eu-west-1.amazonaws.com`,
      'x-amz-acl': acl,
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/in/a.csv` },
      { accountId: owner, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
  });
}

function explain(
  record: Record<string, unknown>,
  bucket: string,
  bucketPolicy?: unknown,
  actions: readonly string[] = ['s3:PutObject'],
): Finding {
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: [record] }) }],
    explainContext({
      snapshot: snapshotWithUser('backup', {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: actions, Resource: `arn:aws:s3:::${bucket}/*` }],
      }),
      bucketPolicies: new Map(bucketPolicy === undefined ? [] : [[bucket, bucketPolicy]]),
    }),
  );
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

const dropsAcl = (finding: Finding) =>
  finding.alternatives.filter((a) => a.removes.includes('s3:PutObjectAcl'));

describe('alternatives that drop the ACL header', () => {
  test('aws-cli, same account: a Deny of uploads without bucket-owner-full-control keeps "Drop --acl" out, and says why', () => {
    const deny = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RequireBucketOwnerFullControl',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::reports/*',
          Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
        },
      ],
    };
    const finding = explain(upload('reports', 'bucket-owner-full-control', AWS_CLI_CP), 'reports', deny);
    assert.ok(finding.fix !== null);
    assert.deepEqual(dropsAcl(finding), []);
    assert.doesNotMatch(finding.summary, /Drop --acl/);
    const caveat = finding.caveats.find((c) => c.startsWith('No alternative without s3:PutObjectAcl'));
    assert.ok(caveat, finding.caveats.join('\n'));
    assert.match(caveat, /a Deny in the reports bucket policy \(statement RequireBucketOwnerFullControl\)/);
    assert.match(caveat, /Send --acl bucket-owner-full-control on every upload instead/);
  });

  test('aws-cli, same account, without such a policy: "Drop --acl" is still offered', () => {
    const finding = explain(upload('reports', 'bucket-owner-full-control', AWS_CLI_CP), 'reports');
    assert.equal(dropsAcl(finding).length, 1);
    assert.ok(!finding.caveats.some((c) => c.startsWith('No alternative without s3:PutObjectAcl')));
  });

  test('old rclone into another account whose policy allows uploads only with bucket-owner-full-control: no "Better" upgrade', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OnlyBucketOwnerFullControl',
          Effect: 'Allow',
          Principal: { AWS: [USER_ARN] },
          Action: ['s3:PutObject'],
          Resource: 'arn:aws:s3:::partner/*',
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
        },
      ],
    };
    const finding = explain(upload('partner', 'private', 'rclone/v1.58.1', OWNER), 'partner', policy);
    assert.deepEqual(dropsAcl(finding), []);
    assert.doesNotMatch(finding.summary, /Upgrade rclone/);
    const caveat = finding.caveats.find((c) => c.startsWith('No alternative without s3:PutObjectAcl'));
    assert.ok(caveat, finding.caveats.join('\n'));
    assert.match(
      caveat,
      /the partner bucket policy \(statement OnlyBucketOwnerFullControl\) allows uploads only with x-amz-acl: bucket-owner-full-control/,
    );
    assert.match(caveat, /acl = bucket-owner-full-control in the rclone remote/);
  });
});

describe('the fix of an upload whose ACL a visible policy refuses, for the uploads as they must be sent', () => {
  const partnerPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyBucketOwnerFullControl',
        Effect: 'Allow',
        Principal: { AWS: [USER_ARN] },
        Action: ['s3:PutObject'],
        Resource: 'arn:aws:s3:::partner/*',
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
    ],
  };
  const ownerAcl = { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } };

  test('old rclone (x-amz-acl: private) into another account: s3:PutObjectAcl for bucket-owner-full-control, verified for uploads that send it', () => {
    const finding = explain(upload('partner', 'private', 'rclone/v1.58.1', OWNER), 'partner', partnerPolicy, [
      's3:PutObject',
      's3:PutObjectAcl',
    ]);
    assert.equal(finding.fix?.attachKind, 'bucket-policy');
    assert.deepEqual(finding.fix?.statements, [
      {
        Effect: 'Allow',
        Action: ['s3:PutObjectAcl'],
        Resource: ['arn:aws:s3:::partner/in/*'],
        Condition: ownerAcl,
        Principal: { AWS: USER_ARN },
      },
    ]);
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join('\n'));
    assert.equal(finding.fix?.requiresAcl, 'bucket-owner-full-control');
    assert.match(
      finding.summary,
      /Fix: add s3:PutObjectAcl to the bucket policy of partner \(verified, for uploads that send x-amz-acl: bucket-owner-full-control\)\./,
    );
    assert.ok(
      finding.fix?.verification.some((line) =>
        line.startsWith(
          "Evaluated with the uploads sending x-amz-acl: bucket-owner-full-control, as they must (see the caveats), in place of this run's x-amz-acl: private",
        ),
      ),
    );
    // The s3:PutObject the bucket policy allows with that ACL is no request "deliberately not granted".
    assert.ok(!finding.fix?.verification.some((line) => line.includes('deliberately not granted')));
    const caveat = finding.caveats.find((c) =>
      c.startsWith(
        "The partner bucket policy (statement OnlyBucketOwnerFullControl) allows uploads only with x-amz-acl: bucket-owner-full-control, so this run's upload, with x-amz-acl: private, is refused whatever is added.",
      ),
    );
    assert.ok(caveat, finding.caveats.join('\n'));
    assert.match(caveat, /Send acl = bucket-owner-full-control in the rclone remote/);
    // The job profile grants s3:PutObjectAcl for the ACL the uploads must send alone, as the fix does.
    assert.deepEqual(
      finding.jobProfile?.statements.filter((st) => st.Action.includes('s3:PutObjectAcl')),
      [
        {
          Sid: 'RcloneObjectsAcl',
          Effect: 'Allow',
          Action: ['s3:PutObjectAcl'],
          Resource: ['arn:aws:s3:::partner/in/*'],
          Condition: ownerAcl,
        },
      ],
    );
    // With the fixed policy, the upload as it will be sent goes through; this run's is still refused.
    const fixed = finding.fix?.newDocument;
    assert.ok(fixed !== undefined);
    const actions = ['s3:PutObject', 's3:PutObjectAcl'];
    const next = explain(
      upload('partner', 'bucket-owner-full-control', 'rclone/v1.58.1', OWNER),
      'partner',
      fixed,
      actions,
    );
    assert.equal(next.cause, 'allowed-by-visible-policies');
    const again = explain(upload('partner', 'private', 'rclone/v1.58.1', OWNER), 'partner', fixed, actions);
    assert.ok(again.requests.some((r) => r.decision !== 'Allowed'));
  });

  test('aws-cli --acl private, same account, a Deny of uploads without bucket-owner-full-control: the identity fix grants that ACL', () => {
    const deny = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RequireBucketOwnerFullControl',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::reports/*',
          Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
        },
      ],
    };
    const finding = explain(upload('reports', 'private', AWS_CLI_CP), 'reports', deny);
    assert.equal(finding.fix?.attachKind, 'inline-policy');
    assert.deepEqual(finding.fix?.statements, [
      {
        Effect: 'Allow',
        Action: ['s3:PutObjectAcl'],
        Resource: ['arn:aws:s3:::reports/in/*'],
        Condition: ownerAcl,
      },
    ]);
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join('\n'));
    assert.match(finding.summary, /\(verified, for uploads that send x-amz-acl: bucket-owner-full-control\)/);
    // No request is left to the Deny once the uploads send that ACL: nothing says "the 0 … stay refused".
    assert.ok(![...finding.caveats, ...(finding.fix?.verification ?? [])].some((line) => / 0 /.test(line)));
    assert.ok(
      finding.caveats.some((c) => c.includes('Send --acl bucket-owner-full-control on every upload instead')),
    );
    // The caller allowed s3:PutObjectAcl already: nothing to add, and the caveat says so.
    const allowed = explain(upload('reports', 'private', AWS_CLI_CP), 'reports', deny, [
      's3:PutObject',
      's3:PutObjectAcl',
    ]);
    assert.equal(allowed.fix, null);
    assert.ok(
      allowed.caveats.some((c) =>
        c.endsWith(
          'With x-amz-acl: bucket-owner-full-control, the visible policies allow the uploads: nothing needs to be added.',
        ),
      ),
      allowed.caveats.join('\n'),
    );
  });

  test('an upload that sent bucket-owner-full-control already is evaluated as sent', () => {
    const finding = explain(
      upload('partner', 'bucket-owner-full-control', 'rclone/v1.58.1', OWNER),
      'partner',
      partnerPolicy,
      ['s3:PutObject', 's3:PutObjectAcl'],
    );
    assert.equal(finding.fix?.verified, true);
    assert.equal(finding.fix?.requiresAcl, undefined);
    assert.match(finding.summary, /\(verified\)\./);
  });
});
