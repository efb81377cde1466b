/**
 * Bucket-policy fixes for a caller in another account: the bucket's side always, the caller's own side
 * only for the requests its policies do not allow, both verified together when those policies are
 * visible.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import type { Finding } from '../../../src/domain/explain/report.js';
import { ACCOUNT, deniedRecord, explainContext, snapshotWithUser } from './explainFixtures.js';

/** The account that owns bucket `partner`; the fixtures' user `backup` is in {@link ACCOUNT}. */
const OWNER = '999988887777';
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/backup`;

/** A refused GetObject of `partner/KEY` by the fixtures' user, logged with S3's legacy message. */
function refusedRead(key: string): Record<string, unknown> {
  return deniedRecord({
    eventName: 'GetObject',
    userAgent: '[Boto3/1.35.36 md/Botocore#1.35.36 Botocore/1.35.36]',
    errorMessage: 'Access Denied',
    requestParameters: { bucketName: 'partner', key, Host: 'partner.s3.eu-west-1.amazonaws.com' },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::partner/${key}` },
      { accountId: OWNER, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::partner' },
    ],
  });
}

/** The partner's bucket policy: it lets the user list the bucket and nothing else. */
const bucketPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: USER_ARN },
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::partner',
    },
  ],
};

/** The user's own policy reads `exports/` of the partner's bucket. */
const readsExports = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::partner/exports/*' }],
};

function explainReads(keys: readonly string[], userName = 'backup'): Finding {
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: keys.map(refusedRead) }) }],
    explainContext({
      snapshot: snapshotWithUser(userName, readsExports),
      bucketPolicies: new Map([['partner', bucketPolicy]]),
    }),
  );
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

const withPrincipal = (resource: string) => ({
  Effect: 'Allow',
  Action: ['s3:GetObject'],
  Resource: [resource],
  Principal: { AWS: USER_ARN },
});

describe('cross-account bucket-policy fixes', () => {
  test('the caller-side statement covers only what its own policies refuse, and the fix is verified with both', () => {
    const finding = explainReads(['exports/2026/a.csv', 'photos/b.jpg']);
    assert.equal(finding.cause, 'resource-policy-missing-allow');
    assert.equal(finding.fix?.attachKind, 'bucket-policy');
    assert.deepEqual(finding.fix?.statements, [
      withPrincipal('arn:aws:s3:::partner/exports/2026/*'),
      withPrincipal('arn:aws:s3:::partner/photos/*'),
    ]);
    assert.deepEqual(finding.fix?.identityStatements, [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::partner/photos/*'] },
    ]);
    assert.equal(finding.fix?.verified, true);
    assert.ok(
      finding.fix?.verification.some(
        (v) => v.startsWith('Checked with both changes') && v.includes(USER_ARN) && v.includes('1 of the 2'),
      ),
      finding.fix?.verification.join('\n'),
    );
    assert.match(
      finding.summary,
      /Fix: add s3:GetObject to the bucket policy of partner and s3:GetObject to the caller's own policies \(verified\)\.$/,
    );
  });

  test('no caller-side statement when the caller already allows every refused request', () => {
    const finding = explainReads(['exports/2026/a.csv', 'exports/2026/b.csv']);
    assert.deepEqual(finding.fix?.statements, [withPrincipal('arn:aws:s3:::partner/exports/2026/*')]);
    assert.equal(finding.fix?.identityStatements, undefined);
    assert.equal(finding.fix?.verified, true);
    assert.ok(finding.fix?.verification.some((v) => v.startsWith("The caller's own policies already allow")));
    assert.doesNotMatch(finding.summary, /caller's own policies/);
  });

  test("a caller whose policies are not visible gets every statement for its side, checked on the bucket's side only", () => {
    // The snapshot holds another user, so the caller's own policies are unknown.
    const finding = explainReads(['exports/2026/a.csv', 'photos/b.jpg'], 'someone-else');
    assert.deepEqual(finding.fix?.identityStatements, [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::partner/exports/2026/*'] },
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::partner/photos/*'] },
    ]);
    assert.ok(finding.fix?.verification.some((v) => v.startsWith('Checked on the bucket side only')));
  });
});
