/**
 * Refused requests the visible policies allow beside refusals they explain: with AWS's legacy
 * "Access Denied", a multipart upload (the AWS SDK for JavaScript v3's lib-storage `Upload`) whose
 * UploadPart something not in the input refused, then its AbortMultipartUpload, which no Allow of the
 * caller's covers. The fix grants the clean-up only, so it is not called enough, the summary leads with
 * the upload, and the caveats say what can still deny it, as they do for the upload alone.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { backupUserContext, deniedObjectRecord } from './explainFixtures.js';

const SDK = '[aws-sdk-js/3.1168.0 ua/2.1 os/linux lang/js md/nodejs#20.20.2 api/s3#3.1168.0 m/N,E,g]';
const params = {
  bucketName: 'data',
  key: 'in/big.bin',
  uploadId: 'u1',
  Host: 'data.s3.eu-west-1.amazonaws.com',
};
const legacy = (eventName: string, action: string, eventTime: string, extra: Record<string, unknown> = {}) =>
  deniedObjectRecord(eventName, action, 'data', 'in/big.bin', {
    userAgent: SDK,
    eventTime,
    errorMessage: 'Access Denied',
    requestParameters: { ...params, ...extra },
  });
const part = legacy('UploadPart', 's3:PutObject', '2026-11-27T10:00:02Z', { partNumber: '2' });
const complete = legacy('CompleteMultipartUpload', 's3:PutObject', '2026-11-27T10:00:03Z');
const abort = legacy('AbortMultipartUpload', 's3:AbortMultipartUpload', '2026-11-27T10:00:04Z');
// The uploader's policy: s3:PutObject on the directory, no s3:AbortMultipartUpload.
const uploader = [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/in/*' }];
const explain = (records: unknown[], statements: unknown[] = uploader) =>
  explainTexts(
    [{ input: 't.json', text: JSON.stringify({ Records: records }) }],
    backupUserContext(statements),
  ).findings;
const stillDeny = (caveats: readonly string[] | undefined) =>
  caveats?.find((c) => c.startsWith('The visible policies allow a request AWS refused'));

describe('a refused upload the visible policies allow, beside a clean-up they do not', () => {
  test('the upload leads the summary, the fix is not verified as enough, and the caveats say what can still deny it', () => {
    const [finding, ...others] = explain([part, abort]);
    assert.equal(others.length, 0);
    // The clean-up's own cause and fix stay.
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Action),
      [['s3:AbortMultipartUpload']],
    );
    assert.equal(
      finding?.summary,
      "user/backup (AWS SDK for JavaScript v3 3.1168.0) was denied s3:PutObject on bucket data: the visible policies allow it, so something not visible denied it (see the caveats). The client's clean-up of the failed upload was refused too: s3:AbortMultipartUpload, which no identity-based policy allows. Fix: add s3:AbortMultipartUpload to a new inline policy on user/backup (not verified).",
    );
    assert.equal(finding?.fix?.verified, false);
    assert.ok(
      finding?.fix?.verification.includes(
        'Not verified as enough: the visible policies allow UploadPart (s3:PutObject), which AWS refused too (see the caveats): the fix is needed, but does not let that request through.',
      ),
      finding?.fix?.verification.join(' | '),
    );
    assert.equal(
      stillDeny(finding?.caveats),
      'The visible policies allow a request AWS refused, UploadPart (s3:PutObject), and AWS\'s message ("Access Denied") does not say what refused it: the fix does not cover it, and the next run can be refused there again. What can still deny it: (1) the bucket policy of data (none was given: --bucket-policy data=FILE); (2) service control policies (none were given: --scp); (3) resource control policies (none were given: --rcp); (4) a KMS key policy for encrypted objects.',
    );
  });

  test('the same for a refused CompleteMultipartUpload', () => {
    const [finding] = explain([complete, abort]);
    assert.match(
      finding?.summary ?? '',
      /^user\/backup \(AWS SDK for JavaScript v3 3\.1168\.0\) was denied s3:PutObject on bucket data: the visible policies allow it, so something not visible denied it \(see the caveats\)\. The client's clean-up/,
    );
    assert.equal(finding?.fix?.verified, false);
    assert.match(
      stillDeny(finding?.caveats) ?? '',
      /^The visible policies allow a request AWS refused, CompleteMultipartUpload \(s3:PutObject\)/,
    );
  });

  test('alone, the upload keeps its cause and caveat', () => {
    const [finding] = explain([part]);
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.equal(finding?.fix, null);
    assert.equal(stillDeny(finding?.caveats), undefined);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith('The visible policies allow the request. What can still deny it:'),
      ),
      finding?.caveats.join(' | '),
    );
  });

  test("with AWS enhanced messages, the summary names the upload too, and the caveat is the message's", () => {
    const enhanced = (record: Record<string, unknown>, action: string) => ({
      ...record,
      errorMessage: `User: arn:aws:iam::111122223333:user/backup is not authorized to perform: ${action} on resource: "arn:aws:s3:::data/in/big.bin" because no identity-based policy allows the ${action} action`,
    });
    const [finding] = explain([enhanced(part, 's3:PutObject'), enhanced(abort, 's3:AbortMultipartUpload')]);
    assert.match(
      finding?.summary ?? '',
      /^user\/backup \(AWS SDK for JavaScript v3 3\.1168\.0\) was denied s3:PutObject on bucket data: the visible policies allow it, so something not visible denied it \(see the caveats\)\. /,
    );
    assert.equal(finding?.fix?.verified, false);
    assert.equal(stillDeny(finding?.caveats), undefined);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'For one request, the visible policies allow s3:PutObject (UploadPart), yet AWS refused it',
        ),
      ),
      finding?.caveats.join(' | '),
    );
  });
});

describe('a visible Deny the evaluation set aside, for the refused upload beside the clean-up', () => {
  // Records without tlsDetails: the evaluation takes them as sent over HTTPS.
  const withoutTls = (record: Record<string, unknown>) => {
    const { tlsDetails: _, ...rest } = record;
    return rest;
  };
  const caveatOf = (caveats: readonly string[] | undefined, start: string) =>
    caveats?.find((c) => c.startsWith(start));

  test('a Deny on a key CloudTrail does not log is named for the upload, before what else can deny it', () => {
    const [finding] = explain(
      [withoutTls(part), withoutTls(abort)],
      [
        ...uploader,
        {
          Sid: 'OrgOnly',
          Effect: 'Deny',
          Action: 's3:PutObject',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc' } },
        },
      ],
    );
    const caveats = finding?.caveats ?? [];
    const org = caveatOf(
      caveats,
      'Statement "OrgOnly" of inline refuses s3:PutObject when aws:PrincipalOrgID',
    );
    assert.ok(org, caveats.join(' | '));
    assert.match(org, /CloudTrail does not log that key, so the statement was taken not to apply/);
    assert.ok(caveats.indexOf(org) < caveats.indexOf(stillDeny(caveats) ?? ''), caveats.join(' | '));
  });

  test('a TLS-only Deny names every request it refuses over plain HTTP, the upload with the clean-up', () => {
    const [finding] = explain(
      [withoutTls(part), withoutTls(abort)],
      [
        ...uploader,
        {
          Sid: 'TlsOnly',
          Effect: 'Deny',
          Action: 's3:*',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    );
    const caveats = finding?.caveats ?? [];
    const tls = caveatOf(caveats, 'Statement "TlsOnly" of inline refuses ');
    assert.ok(tls, caveats.join(' | '));
    assert.match(
      tls,
      /^Statement "TlsOnly" of inline refuses s3:AbortMultipartUpload, s3:PutObject when aws:SecureTransport Bool "false": the 2 records have no tlsDetails/,
    );
    assert.equal(caveats.filter((c) => c.includes('"TlsOnly"')).length, 1);
    assert.ok(
      finding?.fix?.verification.some((v) =>
        v.includes(
          'over plain HTTP, statement "TlsOnly" of inline would refuse the requests whatever the fix adds',
        ),
      ),
      finding?.fix?.verification.join(' | '),
    );
  });
});

describe('the general rule: refused requests the visible policies allow, beside those they explain', () => {
  test('a read allowed and refused beside a write no policy allows: said after the cause, not covered by the fix', () => {
    const read = deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
      errorMessage: 'Access Denied',
      eventTime: '2026-11-27T10:00:01Z',
    });
    const write = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/b.csv', {
      errorMessage: 'Access Denied',
      eventTime: '2026-11-27T10:00:02Z',
    });
    const [finding] = explain(
      [read, write],
      [
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:ListBucket'],
          Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
        },
      ],
    );
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.match(
      finding?.summary ?? '',
      /^user\/backup \(aws-cli 2\.15\.0\) was denied s3:PutObject on bucket data: no identity-based policy allows it\. It was also denied s3:GetObject, which the visible policies allow: something not visible denied it \(see the caveats\), and the fix does not cover it\. Fix: add s3:PutObject .* \(not verified\)\./,
    );
    assert.equal(finding?.fix?.verified, false);
    assert.match(
      stillDeny(finding?.caveats) ?? '',
      /^The visible policies allow a request AWS refused, GetObject \(s3:GetObject\),/,
    );
  });

  test('a read of a key that may not exist, which S3 refuses a caller without s3:ListBucket, is not one', () => {
    const read = deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
      errorMessage: 'Access Denied',
      eventTime: '2026-11-27T10:00:01Z',
    });
    const write = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/b.csv', {
      errorMessage: 'Access Denied',
      eventTime: '2026-11-27T10:00:02Z',
    });
    const [finding] = explain(
      [read, write],
      [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }],
    );
    assert.equal(finding?.fix?.verified, true);
    assert.equal(stillDeny(finding?.caveats), undefined);
    assert.doesNotMatch(finding?.summary ?? '', /It was also denied/);
  });
});

describe("an SSE-KMS upload in parts whose parts the caller's policies cannot decrypt, with AWS's legacy message", () => {
  // boto3's upload_file: CreateMultipartUpload succeeds with an SSE-KMS key, each UploadPart (or the
  // CompleteMultipartUpload) is refused "Access Denied", then s3transfer's AbortMultipartUpload is too.
  // The caller's policy allows s3:PutObject and kms:GenerateDataKey, not kms:Decrypt, which S3 needs on
  // the upload's key for its parts and its completion (mpuoverview.html#mpuAndPermissions).
  const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const create = (key: string = KEY) =>
    deniedObjectRecord('CreateMultipartUpload', 's3:PutObject', 'data', 'in/big.bin', {
      userAgent: SDK,
      eventTime: '2026-11-27T10:00:01Z',
      errorCode: undefined,
      errorMessage: undefined,
      requestParameters: {
        bucketName: 'data',
        key: 'in/big.bin',
        uploads: '',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': key,
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
  const withKey = [...uploader, { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY }];
  const decrypt = (finding: ReturnType<typeof explain>[number] | undefined) =>
    finding?.fix?.statements.filter((s) => s.Action.includes('kms:Decrypt')).flatMap((s) => s.Resource);

  test("the parts need kms:Decrypt on the key the upload's CreateMultipartUpload chose: the fix grants it, as with the enhanced message", () => {
    const [finding, ...others] = explain([create(), part, abort], withKey);
    assert.equal(others.length, 0);
    assert.deepEqual(decrypt(finding), [KEY]);
    assert.ok(finding?.fix?.statements.some((s) => s.Action.includes('s3:AbortMultipartUpload')));
    // The parts are explained: the fix is verified, and no caveat says something not visible refused them.
    assert.equal(finding?.fix?.verified, true, finding?.fix?.verification.join(' | '));
    assert.equal(stillDeny(finding?.caveats), undefined);
    assert.ok(
      finding?.summary.startsWith(
        `user/backup (AWS SDK for JavaScript v3 3.1168.0) was denied s3:PutObject on bucket data: S3 needs kms:Decrypt on the KMS key ${KEY} for it, and no identity-based policy allows it. The client's clean-up of the failed upload was refused too: s3:AbortMultipartUpload`,
      ),
      finding?.summary,
    );
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          `AWS refused UploadPart on this run, which the visible policies allow, and its message ("Access Denied") does not say why: S3 calls kms:Decrypt on ${KEY} for it with the caller's credentials (SSE-KMS), and the caller's policies do not allow it either`,
        ),
      ),
      finding?.caveats.join(' | '),
    );
    // The note that the upload may use SSE-KMS gives way: the input shows that it does, and the key.
    assert.ok(!finding?.caveats.some((c) => c.startsWith('If the upload uses SSE-KMS')));
  });

  test('the same for a refused CompleteMultipartUpload', () => {
    const [finding] = explain([create(), complete, abort], withKey);
    assert.deepEqual(decrypt(finding), [KEY]);
    assert.equal(finding?.fix?.verified, true, finding?.fix?.verification.join(' | '));
  });

  test("a bare key ID is the caller's account's, in the request's region", () => {
    const [finding] = explain([create('1234abcd-12ab-34cd-56ef-1234567890ab'), part, abort], withKey);
    assert.deepEqual(decrypt(finding), [KEY]);
  });

  test("a key named by alias (or bare ID) in the request is the ARN S3 returns in the CreateMultipartUpload's response", () => {
    // S3 resolves the alias and returns the key's ARN in the response header; the alias itself cannot be
    // resolved from the input, so without the response's ARN no kms:Decrypt could be granted.
    for (const requested of ['alias/backup-key', '1234abcd-12ab-34cd-56ef-1234567890ab']) {
      const record = {
        ...create(requested),
        responseElements: {
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': KEY,
        },
      };
      const [finding, ...others] = explain([record, part, abort], withKey);
      assert.equal(others.length, 0);
      assert.deepEqual(decrypt(finding), [KEY], requested);
      assert.equal(finding?.fix?.verified, true, finding?.fix?.verification.join(' | '));
    }
  });

  test('without the CreateMultipartUpload, or with uploads of the object under two keys, nothing is assumed', () => {
    const [alone] = explain([part, abort], withKey);
    assert.equal(decrypt(alone)?.length, 0);
    assert.equal(alone?.fix?.verified, false);
    const other = 'arn:aws:kms:eu-west-1:111122223333:key/99999999-12ab-34cd-56ef-1234567890ab';
    const [two] = explain([create(), create(other), part, abort], withKey);
    assert.equal(decrypt(two)?.length, 0);
    assert.equal(two?.fix?.verified, false);
  });
});
