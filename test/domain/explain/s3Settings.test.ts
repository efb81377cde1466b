/**
 * Denials whose message names an S3 setting, not a policy (Block Public Access, a bucket's block on
 * SSE-C uploads), and SSE-C uploads refused with the generic message.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/blocking-unblocking-s3-c-encryption-gpb.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { summarise } from '../../../src/domain/explain/summary.js';
import { findingCauseText } from '../../../src/domain/render/causeText.js';
import { ACCOUNT, backupUserContext, deniedRecord, explainContext } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const SSE_C_MESSAGE = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" because this bucket has blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C). Please specify a different server-side encryption type`;
const sseCParams = {
  bucketName: 'data',
  key: 'in/a.csv',
  Host: 'data.s3.eu-west-1.amazonaws.com',
  'x-amz-server-side-encryption-customer-algorithm': 'AES256',
};
const allowsUploads = [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' }];

describe('a message that names an S3 setting', () => {
  test('with policies that allow the request: the cause is the setting, no fix, and the first caveat says what to change', () => {
    const record = deniedRecord({ errorMessage: SSE_C_MESSAGE, requestParameters: sseCParams });
    const [finding] = explainTexts(text(record), backupUserContext(allowsUploads)).findings;
    assert.equal(finding?.cause, 's3-setting');
    assert.equal(finding?.evidence, 'policies');
    assert.equal(finding?.fix, null);
    assert.match(
      finding?.caveats[0] ?? '',
      /^AWS's message names the bucket's block on SSE-C uploads, not a policy/,
    );
    // The generic list of what else can deny a request the policies allow is not what the user needs.
    assert.ok(!finding?.caveats.some((c) => c.startsWith('The visible policies allow every request')));
    assert.match(finding?.summary ?? '', /: an S3 setting refused it, not a policy/);
  });

  test("without the caller's policies: the message alone is the evidence", () => {
    const record = deniedRecord({ errorMessage: SSE_C_MESSAGE, requestParameters: sseCParams });
    const [finding] = explainTexts(text(record), explainContext()).findings;
    assert.equal(finding?.cause, 's3-setting');
    assert.equal(finding?.evidence, 'message');
    assert.ok(
      !finding?.caveats.some((c) => c.includes('generic "Access Denied" message')),
      finding?.caveats.join(' | '),
    );
  });

  test('with policies that deny the request too: their cause and fix stand, and a caveat says both must change', () => {
    const record = deniedRecord({ errorMessage: SSE_C_MESSAGE, requestParameters: sseCParams });
    const [finding] = explainTexts(text(record), backupUserContext([])).findings;
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.notEqual(finding?.fix, null);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'The visible policies do not allow the request either (no identity-based policy allows it)',
        ),
      ),
    );
  });
});

describe('a version that Object Lock protects', () => {
  test("S3's message names no caller: the cause is Object Lock, with what a pruning job can do", () => {
    const record = deniedRecord({
      eventName: 'DeleteObject',
      errorMessage: 'Access Denied because object protected by object lock',
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
    const allowsDeletes = [
      {
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        Resource: 'arn:aws:s3:::data/*',
      },
    ];
    const [finding] = explainTexts(text(record), backupUserContext(allowsDeletes)).findings;
    assert.equal(finding?.cause, 's3-setting');
    assert.equal(finding?.fix, null);
    assert.deepEqual(
      finding?.requests.map((r) => [r.action, r.decision]),
      [['s3:DeleteObjectVersion', 'Allowed']],
    );
    assert.match(
      finding?.caveats[0] ?? '',
      /^AWS's message names S3 Object Lock, not a policy: .*s3:BypassGovernanceRetention/,
    );
  });

  test('the request sent the governance bypass: allowed, a COMPLIANCE retention or a legal hold refused it; refused, its grant lifts a GOVERNANCE retention only', () => {
    const record = deniedRecord({
      eventName: 'DeleteObject',
      errorMessage: 'Access Denied because object protected by object lock.',
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
        'x-amz-bypass-governance-retention': 'true',
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
    const deletes = ['s3:DeleteObject', 's3:DeleteObjectVersion'];
    const allowed = explainTexts(
      text(record),
      backupUserContext([
        {
          Effect: 'Allow',
          Action: [...deletes, 's3:BypassGovernanceRetention'],
          Resource: 'arn:aws:s3:::data/*',
        },
      ]),
    ).findings[0];
    assert.equal(allowed?.cause, 's3-setting');
    assert.deepEqual(
      allowed?.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:DeleteObjectVersion', 'Allowed'],
        ['s3:BypassGovernanceRetention', 'Allowed'],
      ],
    );
    assert.match(
      allowed?.caveats[0] ?? '',
      /^AWS's message names S3 Object Lock, not a policy\. The request sent x-amz-bypass-governance-retention: true and the visible policies allow s3:BypassGovernanceRetention, .*: what refuses it is a COMPLIANCE-mode retention .* or a legal hold/,
    );
    assert.ok(!allowed?.caveats.some((c) => c.includes('in GOVERNANCE mode a caller with')));
    // The caller may not bypass: the fix grants it, and says it lifts a GOVERNANCE retention only (the
    // record does not say which mode, or a legal hold, protects the version).
    const refused = explainTexts(
      text(record),
      backupUserContext([{ Effect: 'Allow', Action: deletes, Resource: 'arn:aws:s3:::data/*' }]),
    ).findings[0];
    assert.equal(refused?.cause, 'identity-missing-allow');
    assert.deepEqual(
      refused?.fix?.statements.flatMap((s) => s.Action),
      ['s3:BypassGovernanceRetention'],
    );
    assert.match(
      refused?.caveats[0] ?? '',
      /^AWS's message names S3 Object Lock, not a policy\. The request sent x-amz-bypass-governance-retention: true, and the visible policies do not allow s3:BypassGovernanceRetention, .* only if the version is under a GOVERNANCE-mode retention\. A COMPLIANCE-mode retention .* or a legal hold .* still refuses it, .*aws s3api get-object-retention and get-object-legal-hold/,
    );
    // Not the contradicting "once the S3 setting no longer refuses it, the fix is needed too".
    assert.ok(
      !refused?.caveats.some((c) => c.includes('once the S3 setting no longer refuses it')),
      refused?.caveats.join(' | '),
    );
    assert.ok(refused !== undefined);
    assert.match(findingCauseText(refused).title, /Object Lock/);
    assert.match(refused.summary, /S3 Object Lock protects the version: .* a GOVERNANCE-mode retention only/);
  });

  test('the governance bypass refused by a Deny: nothing is said to be granted, the Deny is what keeps the retention', () => {
    const record = deniedRecord({
      eventName: 'DeleteObject',
      errorMessage: 'Access Denied because object protected by object lock.',
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
        'x-amz-bypass-governance-retention': 'true',
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
    const denied = explainTexts(
      text(record),
      backupUserContext([
        {
          Effect: 'Allow',
          Action: ['s3:DeleteObjectVersion', 's3:BypassGovernanceRetention'],
          Resource: 'arn:aws:s3:::data/*',
        },
        {
          Sid: 'NoBypass',
          Effect: 'Deny',
          Action: 's3:BypassGovernanceRetention',
          Resource: 'arn:aws:s3:::data/*',
        },
      ]),
    ).findings[0];
    assert.ok(denied !== undefined);
    assert.equal(denied.cause, 'identity-explicit-deny');
    assert.equal(denied.fix, null);
    assert.match(
      denied.caveats[0] ?? '',
      /^AWS's message names S3 Object Lock, not a policy\. The request sent x-amz-bypass-governance-retention: true, which needs s3:BypassGovernanceRetention, and a Deny of the visible policies refuses that action \(see "Denied by"\): no Allow lifts an explicit Deny/,
    );
    assert.match(
      denied.summary,
      /the Deny keeps the governance bypass from lifting a GOVERNANCE-mode retention/,
    );
    assert.match(findingCauseText(denied).title, /Object Lock/);
    // Neither the summary nor the note speaks of allowing or granting the bypass.
    for (const said of [denied.summary, denied.caveats[0] ?? ''])
      assert.doesNotMatch(
        said,
        /allowing the governance bypass|granting it|do not allow s3:BypassGovernanceRetention/,
        said,
      );
  });
});

describe('a version delete refused with the generic message', () => {
  test('the visible policies allow it: Object Lock is among what can still deny it', () => {
    const record = deniedRecord({
      eventName: 'DeleteObject',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        versionId: 'v1',
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
    const allowsDeletes = [
      { Effect: 'Allow', Action: 's3:DeleteObjectVersion', Resource: 'arn:aws:s3:::data/*' },
    ];
    const [finding] = explainTexts(text(record), backupUserContext(allowsDeletes)).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.ok(
      finding?.caveats.some((c) =>
        /What can still deny it: .*; \(\d\) S3 Object Lock: a retention period or legal hold/.test(c),
      ),
    );
    // A delete without a version is not refused by Object Lock (it adds a delete marker).
    const plain = deniedRecord({ eventName: 'DeleteObject', errorMessage: 'Access Denied' });
    const allowsDelete = [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/*' }];
    const other = explainTexts(text(plain), backupUserContext(allowsDelete)).findings[0];
    assert.ok(!other?.caveats.some((c) => c.includes('S3 Object Lock')), other?.caveats.join(' | '));
  });
});

/**
 * With MFA delete enabled on the bucket, only the root user, with the x-amz-mfa header over HTTPS, can
 * permanently delete an object version or change the versioning configuration.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMFADelete.html
 */
describe('MFA delete among what can still deny a request the visible policies allow', () => {
  const stillDenyOf = (record: unknown, action: string, resource: string, context = backupUserContext) => {
    const [finding] = explainTexts(
      text(record),
      context([{ Effect: 'Allow', Action: action, Resource: resource }]),
    ).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies', finding?.caveats.join(' | '));
    return finding?.caveats.find((c) => c.includes('What can still deny it')) ?? '';
  };
  const versionDelete = (errorMessage: string) =>
    deniedRecord({
      eventName: 'DeleteObject',
      errorMessage,
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        versionId: 'v1',
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });

  test('a version delete by an IAM user: only the root user can do it', () => {
    const caveat = stillDenyOf(
      versionDelete('Access Denied'),
      's3:DeleteObjectVersion',
      'arn:aws:s3:::data/*',
    );
    assert.match(
      caveat,
      /\(\d\) MFA delete: if the bucket has MFA delete enabled \(aws s3api get-bucket-versioning shows MFADelete: Enabled\), only the root user, with the x-amz-mfa header over HTTPS, can permanently delete an object version or change the bucket's versioning configuration: no policy lets anyone else do it \(https:\/\/docs\.aws\.amazon\.com\/AmazonS3\/latest\/userguide\/UsingMFADelete\.html\)/,
    );
  });

  test('a version delete by the root user: the x-amz-mfa header is what it needs', () => {
    const record = {
      ...versionDelete('Access Denied'),
      userIdentity: {
        type: 'Root',
        principalId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        accountId: ACCOUNT,
      },
    };
    const [finding] = explainTexts(text(record), explainContext({})).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies', finding?.caveats.join(' | '));
    const caveat = finding?.caveats.find((c) => c.includes('What can still deny it')) ?? '';
    assert.match(
      caveat,
      /\(\d\) MFA delete: if the bucket has MFA delete enabled \(aws s3api get-bucket-versioning shows MFADelete: Enabled\), permanently deleting an object version or changing the bucket's versioning configuration needs the x-amz-mfa header \(the root user's MFA device serial number, a space and its current code; aws-cli --mfa\) over HTTPS, or S3 refuses it/,
    );
    assert.doesNotMatch(caveat, /only the root user/);
  });

  test('a versioning change (PutBucketVersioning) names it too', () => {
    const record = deniedRecord({
      eventName: 'PutBucketVersioning',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        versioning: '',
        VersioningConfiguration: { Status: 'Suspended' },
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
      managementEvent: true,
      eventCategory: 'Management',
    });
    const caveat = stillDenyOf(record, 's3:PutBucketVersioning', 'arn:aws:s3:::data');
    assert.match(caveat, /\(\d\) MFA delete: if the bucket has MFA delete enabled/);
  });

  test('a delete without a version (a delete marker) does not name it', () => {
    const plain = deniedRecord({ eventName: 'DeleteObject', errorMessage: 'Access Denied' });
    const caveat = stillDenyOf(plain, 's3:DeleteObject', 'arn:aws:s3:::data/*');
    assert.doesNotMatch(caveat, /MFA delete/);
  });
});

describe('an SSE-C upload refused with the generic message', () => {
  test('the caveat names the block on SSE-C uploads first', () => {
    const record = deniedRecord({ errorMessage: 'Access Denied', requestParameters: sseCParams });
    const [finding] = explainTexts(text(record), backupUserContext(allowsUploads)).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.match(
      finding?.caveats[0] ?? '',
      /^The request uses SSE-C \(a customer-provided key\): if the bucket blocks SSE-C uploads/,
    );
  });

  test("a bucket policy that denies SSE-C uploads (AWS's sample, Null on the algorithm header) refuses it", () => {
    const record = deniedRecord({ errorMessage: 'Access Denied', requestParameters: sseCParams });
    const [finding] = explainTexts(
      text(record),
      explainContext({
        ...backupUserContext(allowsUploads),
        bucketPolicies: new Map([
          [
            'data',
            {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'RestrictSSECObjectUploads',
                  Effect: 'Deny',
                  Principal: '*',
                  Action: 's3:PutObject',
                  Resource: 'arn:aws:s3:::data/*',
                  Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
                },
              ],
            },
          ],
        ]),
      }),
    ).findings;
    assert.equal(finding?.cause, 'resource-policy-explicit-deny');
    assert.deepEqual(
      finding?.deniedBy.map((d) => d.sid),
      ['RestrictSSECObjectUploads'],
    );
    assert.equal(finding?.fix, null);
  });

  test('a read of an SSE-C object, or an upload without a customer key, gets no such caveat', () => {
    const read = deniedRecord({
      eventName: 'GetObject',
      errorMessage: 'Access Denied',
      requestParameters: sseCParams,
    });
    const plain = deniedRecord({ errorMessage: 'Access Denied' });
    for (const record of [read, plain]) {
      const [finding] = explainTexts(text(record), backupUserContext(allowsUploads)).findings;
      assert.ok(!finding?.caveats.some((c) => c.includes('SSE-C')), finding?.caveats.join(' | '));
    }
  });
});

describe('the summary of an S3 setting refusal', () => {
  test('says a setting refused it, and proposes nothing', () => {
    const record = deniedRecord({ errorMessage: SSE_C_MESSAGE, requestParameters: sseCParams });
    const [finding] = explainTexts(text(record), backupUserContext(allowsUploads)).findings;
    assert.ok(finding);
    const { summary: _, ...rest } = finding;
    assert.equal(
      summarise(rest),
      "user/backup (aws-cli 2.15.0) was denied s3:PutObject on bucket data: an S3 setting refused it, not a policy (the bucket's block on SSE-C uploads; see the first caveat).",
    );
  });

  test('the summary and the Cause name the setting the message names, not every setting there is', () => {
    const record = deniedRecord({
      eventName: 'PutBucketPolicy',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::data" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
      requestParameters: {
        bucketName: 'data',
        bucketPolicy: { Version: '2012-10-17', Statement: [] },
        Host: 'x',
      },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
    const allows = [{ Effect: 'Allow', Action: 's3:PutBucketPolicy', Resource: 'arn:aws:s3:::data' }];
    const [finding] = explainTexts(text(record), backupUserContext(allows)).findings;
    assert.ok(finding);
    assert.equal(finding.cause, 's3-setting');
    assert.match(
      finding.summary,
      /: an S3 setting refused it, not a policy \(Block Public Access: BlockPublicPolicy; see the first caveat\)\.$/,
    );
    const cause = findingCauseText(finding);
    assert.equal(
      cause.explanation,
      "AWS's message names an S3 setting as the reason (Block Public Access: BlockPublicPolicy): no IAM permission lifts it. The first caveat says what to change.",
    );
    assert.doesNotMatch(`${finding.summary} ${cause.explanation}`, /SSE-C|Object Lock/);
  });
});

describe('a public ACL refused by BlockPublicAcls', () => {
  test('the note points at a bucket policy, since an ACL fails on a bucket whose ACLs are disabled anyway', () => {
    const record = deniedRecord({
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" because public access control lists (ACLs) are blocked by the BlockPublicAcls block public access setting.`,
      requestParameters: { bucketName: 'data', key: 'in/a.csv', 'x-amz-acl': 'public-read', Host: 'x' },
    });
    const [finding] = explainTexts(text(record), backupUserContext(allowsUploads)).findings;
    const note = finding?.caveats.find((c) => c.includes('BlockPublicAcls'));
    assert.ok(
      note?.includes('grant that with a bucket policy rather than ACLs'),
      finding?.caveats.join('\n'),
    );
    assert.ok(note?.includes('AccessControlListNotSupported'), note);
    // s3cmd's ways of setting a public ACL, and its option not to copy the source's ACL.
    assert.ok(
      note?.includes(
        "s3cmd --acl-public and setacl; s3cmd's cp, mv and modify copy the source's ACL unless given --acl-private",
      ),
      note,
    );
  });
});
