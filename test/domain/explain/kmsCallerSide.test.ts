/**
 * The caller's side of the KMS calls S3 makes for an SSE-KMS upload: evaluated against the caller's
 * policies, a refused call is the cause and an identity statement for it the verified fix; an allowed one
 * leaves the key policy; a Deny is named; a boundary that does not allow it gets no fix.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import type { EvaluatedKmsCall } from '../../../src/domain/explain/kmsCallerSide.js';
import { kmsStatements, withKeyUse } from '../../../src/domain/explain/kmsCallerSide.js';
import { iamPolicySize } from '../../../src/domain/explain/policySize.js';
import type { Finding, JobProfile } from '../../../src/domain/explain/report.js';
import { renderMarkdown } from '../../../src/domain/render/markdown.js';
import { renderText } from '../../../src/domain/render/text.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { parseRcpFile } from '../../../src/domain/snapshot/controlPolicies.js';
import {
  ACCOUNT,
  backupUserContext,
  deniedObjectRecord,
  explainContext,
  managedPolicy,
  snapshotWithUser,
  userDetail,
} from './explainFixtures.js';

const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/ffff0000-12ab-34cd-56ef-1234567890ab`;
const VIA_S3 = 's3.eu-west-1.amazonaws.com';
const WRITE = { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' };

/** A refused upload of the fixtures' user to a bucket whose default key is KEY: only the message names it. */
function defaultKeyUpload(key = 'in/a.csv'): Record<string, unknown> {
  return deniedObjectRecord('PutObject', 's3:PutObject', 'data', key, {
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:GenerateDataKey on resource: ${KEY} because no identity-based policy allows the kms:GenerateDataKey action`,
  });
}

/** The fixtures' user with the managed policy `name` attached, holding `document` in IAM's 5 versions. */
function withFiveVersions(name: string, document: unknown) {
  const versions = ['v1', 'v2', 'v3', 'v4', 'v5'].map((v) => ({
    VersionId: v,
    IsDefaultVersion: v === 'v5',
    Document: document,
  }));
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [
        userDetail('backup', {
          AttachedManagedPolicies: [
            { PolicyName: name, PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/${name}` },
          ],
        }),
      ],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [managedPolicy(name, document, { DefaultVersionId: 'v5', PolicyVersionList: versions })],
    },
    'test',
  );
  assert.ok(parsed.ok);
  return parsed;
}

/** A refused upload that names KEY in its SSE-KMS headers, with the legacy message. */
function namedKeyUpload(): Record<string, unknown> {
  return deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/b.csv', {
    errorMessage: 'Access Denied',
    requestParameters: {
      bucketName: 'data',
      key: 'in/b.csv',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': KEY,
      Host: 'data.s3.eu-west-1.amazonaws.com',
    },
  });
}

/** The fixtures' user with `statements` inline and the permissions boundary S3Only (`s3:*` alone). */
function boundedSnapshot(statements: readonly unknown[]) {
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [
        userDetail('backup', {
          PermissionsBoundary: {
            PermissionsBoundaryType: 'Policy',
            PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/S3Only`,
          },
          UserPolicyList: [
            { PolicyName: 'inline', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
          ],
        }),
      ],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [
        managedPolicy('S3Only', {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
        }),
      ],
    },
    'test',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return parsed.snapshot;
}

/** A CopyObject of data/in/a.csv to `key`, encrypted with KEY, refused with `errorMessage`. */
function copyOfSource(key: string, errorMessage: string): Record<string, unknown> {
  return deniedObjectRecord('CopyObject', 's3:PutObject', 'data', key, {
    errorMessage,
    requestParameters: {
      bucketName: 'data',
      key,
      'x-amz-copy-source': 'data/in/a.csv',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': KEY,
      Host: 'data.s3.eu-west-1.amazonaws.com',
    },
  });
}

const NAMED_SOURCE_DECRYPT = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:Decrypt on resource: ${OTHER_KEY} because no identity-based policy allows the kms:Decrypt action`;
const UNNAMED_DECRYPT = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:Decrypt on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access`;

function findingOf(record: Record<string, unknown>, statements: readonly unknown[]): Finding {
  const report = explainTexts(
    [{ input: 't.json', text: JSON.stringify({ Records: [record] }) }],
    backupUserContext(statements),
  );
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

describe("KMS calls refused by the caller's own policies", () => {
  test('the message names the default key: the cause is the missing identity Allow, and the fix grants the key through S3', () => {
    const finding = findingOf(defaultKeyUpload(), [WRITE]);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.resource, r.decision, r.source, r.missingAllowIn ?? null]),
      [
        ['s3:PutObject', 'arn:aws:s3:::data/in/a.csv', 'Allowed', 'operation', null],
        ['kms:GenerateDataKey', KEY, 'ImplicitlyDenied', 'message', ['identity']],
      ],
    );
    // Through S3, for the objects of the refused upload's directory (its encryption context) alone.
    assert.deepEqual(finding.fix?.statements, [
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey'],
        Resource: [KEY],
        Condition: {
          StringEquals: { 'kms:ViaService': [VIA_S3] },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::data', 'arn:aws:s3:::data/in/*'] },
        },
      },
    ]);
    assert.equal(finding.fix?.attachKind, 'inline-policy');
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
    assert.ok(
      finding.fix?.verification.includes(
        "With the fix applied, the caller's policies allow the KMS request S3 makes for it.",
      ),
    );
    // The bucket's ARN beside the objects' (the record does not say whether it uses Bucket Keys): said.
    assert.ok(
      finding.fix?.verification.includes(
        `No other KMS use becomes newly allowed (7 probes: another key and an alias of the account, "*", and the key used directly or through another service than S3, and through S3 for another bucket's objects). The key's statement also allows arn:aws:s3:::data as encryption context, which S3 gives KMS when the bucket, or the request, uses S3 Bucket Keys (any uploader may ask for one with x-amz-server-side-encryption-bucket-key-enabled): through S3 the key is then usable for every object of that bucket the caller may write or read, not only the objects it names. If the bucket does not use Bucket Keys, remove that ARN from the condition to keep the key to those objects (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).`,
      ),
      finding.fix?.verification.join('\n'),
    );
    assert.ok(
      finding.fix?.verification.some((v) =>
        v.startsWith("Checked against the caller's policies only: the key policy is not an input."),
      ),
    );
    assert.equal(
      finding.summary,
      `user/backup (aws-cli 2.15.0) was denied s3:PutObject on bucket data: S3 needs kms:GenerateDataKey on the KMS key ${KEY} for it, and no identity-based policy allows it. Fix: add kms:GenerateDataKey to a new inline policy on user/backup (verified).`,
    );
    // The caller's side says what is missing; the key policy's statement follows as the other way.
    const first = finding.caveats.findIndex((c) =>
      c.startsWith("The caller's own policies do not allow kms:GenerateDataKey"),
    );
    const keyPolicy = finding.caveats.findIndex((c) => c.includes('a statement for the key policy of'));
    assert.ok(first >= 0 && keyPolicy > first, finding.caveats.join('\n'));
    assert.ok(!finding.caveats.some((c) => c.startsWith('AWS names kms:')), 'the generic caveat is replaced');
    assert.ok(!finding.caveats.some((c) => c.startsWith('If the bucket has default SSE-KMS')));
    const text = renderText({ findings: [finding], skipped: [], errors: [] }, { color: false });
    assert.match(
      text,
      /kms:GenerateDataKey {2}arn:aws:kms:\S+ {2}implicitly denied \(no allow in the identity-based policies\)/,
    );
    assert.match(renderMarkdown({ findings: [finding], skipped: [], errors: [] }), /"kms:ViaService": \[/);
  });

  test('the request names its key: the same fix, from the SSE-KMS headers', () => {
    const finding = findingOf(namedKeyUpload(), [WRITE]);
    assert.equal(finding.cause, 'identity-missing-allow');
    const kms = finding.requests.filter((r) => r.action.startsWith('kms:'));
    assert.deepEqual(
      kms.map((r) => [r.action, r.resource, r.source]),
      [['kms:GenerateDataKey', KEY, 'operation']],
    );
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['kms:GenerateDataKey'], [KEY]]],
    );
    assert.equal(finding.fix?.verified, true);
  });

  test('a policy that allows the key for another service only is no Allow, and the fix is not widened by it', () => {
    const finding = findingOf(defaultKeyUpload(), [
      WRITE,
      {
        Effect: 'Allow',
        Action: 'kms:GenerateDataKey',
        Resource: KEY,
        Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } },
      },
    ]);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.equal(finding.fix?.verified, true);
  });
});

describe('a read refused kms:Decrypt', () => {
  test('the fix grants kms:Decrypt, and the notes on what the request could not show are left out', () => {
    const record = deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:Decrypt on resource: ${KEY} because no identity-based policy allows the kms:Decrypt action`,
    });
    const finding = findingOf(record, [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
    ]);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['kms:Decrypt'], [KEY]]],
    );
    assert.ok(
      finding.caveats.some((c) =>
        c.includes(
          `do not allow kms:Decrypt on ${KEY}, which S3 calls with the caller's credentials (SSE-KMS): unless the key policy names the caller itself, they must allow it.`,
        ),
      ),
    );
    assert.ok(
      !finding.caveats.some((c) => c.startsWith('If the object is SSE-KMS encrypted')),
      finding.caveats.join('\n'),
    );
    assert.ok(
      !finding.caveats.some((c) => c.startsWith('For a key that does not exist S3 answers 404')),
      finding.caveats.join('\n'),
    );
    assert.match(
      finding.summary,
      /was denied s3:GetObject on bucket data: S3 needs kms:Decrypt on the KMS key/,
    );
  });
});

describe('S3 requests refused before S3 called KMS', () => {
  test('the S3 fix grants the KMS call the caller may not make either, verified, so the next run is not refused there', () => {
    const finding = findingOf(namedKeyUpload(), [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
    ]);
    assert.equal(finding.cause, 'identity-missing-allow');
    // The key for the objects the S3 statement grants, no others.
    const keyStatement = {
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey'],
      Resource: [KEY],
      Condition: {
        StringEquals: { 'kms:ViaService': [VIA_S3] },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::data', 'arn:aws:s3:::data/in/*'] },
      },
    };
    // One change for the whole job: the S3 statement, then the key's, in one new inline policy.
    assert.deepEqual(finding.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::data/in/*'] },
      keyStatement,
    ]);
    assert.equal(finding.fix?.attachKind, 'inline-policy');
    assert.equal((finding.fix?.newDocument as { Statement?: unknown[] } | undefined)?.Statement?.length, 2);
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
    assert.ok(
      finding.fix?.verification.includes('With the fix applied, the denied request evaluates to Allowed.'),
    );
    assert.ok(
      finding.fix?.verification.includes(
        "With the key's statement added too, the caller's policies allow the KMS request S3 makes for these requests (SSE-KMS).",
      ),
    );
    assert.ok(
      finding.fix?.verification.some((v) => v.startsWith('No other KMS use becomes newly allowed (7 probes')),
    );
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:PutObject', 'ImplicitlyDenied'],
        ['kms:GenerateDataKey', 'ImplicitlyDenied'],
      ],
    );
    assert.ok(!finding.caveats.some((c) => c.includes('as well (the job profile has it)')));
    assert.ok(
      finding.caveats.includes(
        `Once the S3 requests are allowed, S3 calls kms:GenerateDataKey on ${KEY} with the caller's credentials (SSE-KMS), and the caller's policies do not allow it either: the fix includes \`${JSON.stringify(keyStatement)}\`, so that the next run is not refused there. The key policy must also let the account's IAM policies grant the key's use, as the default key policy's statement for the account root does. An upload in parts (aws-cli, boto3 and rclone use them for large files) also needs kms:Decrypt on the key, which S3 calls to complete it (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions): add it if the job uploads such files.`,
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(
      finding.jobProfile?.statements.some(
        (s) =>
          s.Sid === 'KmsKeyThroughS3' && s.Action.includes('kms:GenerateDataKey') && s.Resource.includes(KEY),
      ),
      JSON.stringify(finding.jobProfile),
    );
    // The summary names the S3 refusal, the fix with both actions, then the KMS call it grants too.
    assert.match(
      finding.summary,
      /was denied s3:PutObject on bucket data: no identity-based policy allows it\. Fix: add s3:PutObject, kms:GenerateDataKey to a new inline policy on user\/backup \(verified\)\./,
    );
    assert.ok(
      finding.summary.endsWith(
        ` S3 then needs kms:GenerateDataKey on the KMS key ${KEY} too, which the caller's policies do not allow either: the fix grants it.`,
      ),
      finding.summary,
    );
  });

  test('a multipart upload is in parts for certain: the fix grants the kms:Decrypt its parts need too, verified', () => {
    const initiation = deniedObjectRecord('CreateMultipartUpload', 's3:PutObject', 'data', 'in/big.bin', {
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        key: 'in/big.bin',
        uploads: '',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY,
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
    const finding = findingOf(initiation, [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
    ]);
    // "the requester needs permissions for the kms:Decrypt action on the UploadPart and UploadPartCopy APIs"
    assert.deepEqual(finding.fix?.statements.at(-1)?.Action, ['kms:Decrypt', 'kms:GenerateDataKey']);
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
    assert.deepEqual(
      finding.requests.filter((r) => r.action.startsWith('kms:')).map((r) => [r.action, r.decision]),
      [
        ['kms:GenerateDataKey', 'ImplicitlyDenied'],
        ['kms:Decrypt', 'ImplicitlyDenied'],
      ],
    );
    assert.ok(
      finding.caveats.some((c) =>
        c.includes(
          'This upload is in parts (CreateMultipartUpload): kms:Decrypt is for its parts (UploadPart, UploadPartCopy), which S3 decrypts to complete it',
        ),
      ),
      finding.caveats.join('\n'),
    );
    // Nothing is left to add by hand.
    assert.ok(!finding.caveats.some((c) => c.includes('add it too, or the next refusal is there')));
    assert.ok(!finding.caveats.some((c) => c.includes('add it if the job uploads such files')));
  });

  test('a multipart upload whose caller may already decrypt: only kms:GenerateDataKey is granted, and no caveat asks for kms:Decrypt', () => {
    const initiation = deniedObjectRecord('CreateMultipartUpload', 's3:PutObject', 'data', 'in/big.bin', {
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        key: 'in/big.bin',
        uploads: '',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY,
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
    const finding = findingOf(initiation, [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY }]);
    assert.deepEqual(finding.fix?.statements.at(-1)?.Action, ['kms:GenerateDataKey']);
    assert.ok(!finding.caveats.some((c) => c.includes('CreateMultipartUpload')), finding.caveats.join('\n'));
  });

  test('the key of a request an explicit Deny keeps refused is not granted: only the key of the request the fix lets through', () => {
    const upload = (key: string, keyArn: string) =>
      deniedObjectRecord('PutObject', 's3:PutObject', 'data', key, {
        errorMessage: 'Access Denied',
        requestParameters: {
          bucketName: 'data',
          key,
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': keyArn,
          Host: 'data.s3.eu-west-1.amazonaws.com',
        },
      });
    const report = explainTexts(
      [
        {
          input: 't.json',
          text: JSON.stringify({ Records: [upload('in/b.csv', KEY), upload('secret/c.csv', OTHER_KEY)] }),
        },
      ],
      backupUserContext([
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
        { Sid: 'NoSecret', Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/secret/*' },
      ]),
    );
    const [finding] = report.findings;
    assert.equal(report.findings.length, 1);
    const keys = finding?.fix?.statements.filter((s) => s.Action.some((a) => a.startsWith('kms:')));
    assert.deepEqual(
      keys?.flatMap((s) => s.Resource),
      [KEY],
      JSON.stringify(finding?.fix?.statements),
    );
    assert.ok(
      finding?.summary.endsWith(
        "which the caller's policies do not allow either: the fix grants it. Blocked by inline statement NoSecret.",
      ),
      finding?.summary,
    );
    assert.ok(!finding?.summary.includes(OTHER_KEY), finding?.summary);
  });

  test('a boundary that lacks the key too: the caveat says it must allow the call, and the S3 fix does not take it', () => {
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [namedKeyUpload()] }) }],
      explainContext({
        snapshot: boundedSnapshot([
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
        ]),
      }),
    );
    const [finding] = report.findings;
    assert.deepEqual(
      finding?.fix?.statements.flatMap((s) => s.Action),
      ['s3:PutObject'],
    );
    const caveat = finding?.caveats.find((c) => c.startsWith('Once the S3 requests are allowed')) ?? '';
    assert.match(
      caveat,
      /add `\{.*"kms:GenerateDataKey".*\}` as well, and its permissions boundary must allow it too \(it caps the caller whatever the key policy says\), or the next run is refused there\. The key policy must also let the account's IAM policies grant the key's use, as the default key policy's statement for the account root does\.$/,
    );
  });

  test('a call refused on this run and needed again by a refused upload is said once, with this run', () => {
    const refusedAtKey = defaultKeyUpload('in/a.csv');
    const refusedByS3 = { ...namedKeyUpload(), eventTime: '2026-11-27T10:00:05Z' };
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [refusedAtKey, refusedByS3] }) }],
      backupUserContext([
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
        { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/in/a.csv' },
      ]),
    );
    const [finding] = report.findings;
    assert.equal(report.findings.length, 1);
    const kmsCaveats = finding?.caveats.filter((c) => c.includes('kms:GenerateDataKey on arn:aws:kms')) ?? [];
    assert.equal(kmsCaveats.length, 1, kmsCaveats.join('\n'));
    assert.match(kmsCaveats[0] ?? '', /^The caller was also refused kms:GenerateDataKey on /);
    assert.ok(
      finding?.summary.endsWith(
        ` It was also refused kms:GenerateDataKey on the KMS key ${KEY} on this run, which the caller's policies do not allow either: the fix grants it.`,
      ),
      finding?.summary,
    );
  });

  test('a KMS call a Deny refuses stays out of the S3 fix: the caveat names the Deny', () => {
    const finding = findingOf(namedKeyUpload(), [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
      { Sid: 'NoKeys', Effect: 'Deny', Action: 'kms:*', Resource: '*' },
    ]);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.deepEqual(
      finding.fix?.statements.flatMap((s) => s.Action),
      ['s3:PutObject'],
    );
    assert.ok(
      finding.caveats.some(
        (c) =>
          c.startsWith('Once the S3 requests are allowed') && c.includes('refuses it with an explicit Deny'),
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(
      finding.summary.endsWith(', which an explicit Deny refuses (see the caveats).'),
      finding.summary,
    );
  });

  test('a KMS call the caller may make adds no caveat', () => {
    const finding = findingOf(namedKeyUpload(), [
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY },
    ]);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.ok(!finding.caveats.some((c) => c.startsWith('Once the S3 requests are allowed')));
  });

  test('an upload that names its key by alias, or none: the S3 fix comes with the caveat that the KMS call is not derived, in either message form', () => {
    const upload = (headers: Record<string, string>, errorMessage?: string) =>
      deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
        ...(errorMessage !== undefined ? { errorMessage } : {}),
        requestParameters: {
          bucketName: 'data',
          key: 'in/a.csv',
          'x-amz-server-side-encryption': 'aws:kms',
          ...headers,
          Host: 'data.s3.eu-west-1.amazonaws.com',
        },
      });
    const list = [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' }];
    for (const [headers, caveat] of [
      [
        { 'x-amz-server-side-encryption-aws-kms-key-id': 'alias/etl-key' },
        'The request names the KMS alias alias/etl-key; KMS authorizes on the key it points to, which the record does not show.',
      ],
      [
        {},
        'The request asks for SSE-KMS without naming a key: S3 uses the bucket default key or the AWS managed key aws/s3, so the KMS check cannot be derived.',
      ],
    ] as const) {
      const enhanced = findingOf(upload(headers), list);
      const legacy = findingOf(upload(headers, 'Access Denied'), list);
      for (const finding of [enhanced, legacy]) {
        assert.deepEqual(finding.fix?.statements, [
          { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::data/in/*'] },
        ]);
        assert.ok(finding.caveats.includes(caveat), finding.caveats.join('\n'));
      }
      assert.deepEqual(enhanced.caveats, legacy.caveats, JSON.stringify(headers));
    }
  });
});

describe("KMS calls the caller's own policies allow", () => {
  test('the key policy is what refuses: the cause stays kms-key, with the policy that allows named', () => {
    const finding = findingOf(namedKeyUpload(), [
      WRITE,
      { Sid: 'UseKey', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: KEY },
    ]);
    assert.equal(finding.cause, 'kms-key');
    assert.equal(finding.fix, null);
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:PutObject', 'Allowed'],
        ['kms:GenerateDataKey', 'Allowed'],
      ],
    );
    assert.ok(
      finding.caveats.includes(
        `The caller's own policies allow kms:GenerateDataKey on ${KEY} (inline): the key policy is what refuses, which is not visible here: it allows the call neither itself nor through the account's IAM policies (or only under a condition S3's call does not meet), or a Deny in it refuses the call. A grant on the key could allow the call as well; grants only allow, they never refuse one (https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html).`,
      ),
      finding.caveats.join('\n'),
    );
    assert.match(finding.summary, /: the KMS key used for encryption is not usable by the caller\.$/);
    assert.doesNotMatch(finding.summary, /kms:GenerateDataKey on bucket/);
  });
});

describe('AWS names a policy of the caller the snapshot says allows the key', () => {
  test('the cause is the visible policies allowing it, and the caveat says the snapshot disagrees with the message', () => {
    const finding = findingOf(defaultKeyUpload(), [
      WRITE,
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY },
    ]);
    assert.equal(finding.cause, 'allowed-by-visible-policies');
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          `AWS's message says no identity-based policy allows kms:GenerateDataKey, but the caller's policies in the snapshot allow kms:GenerateDataKey on ${KEY} (inline): the snapshot may be out of date`,
        ),
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(!finding.caveats.some((c) => c.includes('the key policy is what refuses')));
  });
});

describe('KMS calls refused by a Deny or capped elsewhere', () => {
  test('an identity Deny on the key is named, and no Allow is proposed', () => {
    const finding = findingOf(defaultKeyUpload(), [
      WRITE,
      { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
      { Sid: 'NoDataKeys', Effect: 'Deny', Action: 'kms:GenerateDataKey*', Resource: '*' },
    ]);
    assert.equal(finding.cause, 'identity-explicit-deny');
    assert.equal(finding.fix, null);
    assert.deepEqual(
      finding.deniedBy.map((d) => [d.policyType, d.sid]),
      [['identity', 'NoDataKeys']],
    );
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(`The caller's own policies refuse kms:GenerateDataKey on ${KEY} with an explicit Deny`),
      ),
    );
  });

  /** The fixtures' user with `statements` inline and the permissions boundary S3Only (`s3:*` alone). */
  const boundedUser = (statements: readonly unknown[]) => {
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [defaultKeyUpload()] }) }],
      explainContext({ snapshot: boundedSnapshot(statements) }),
    );
    return report.findings[0]!;
  };
  const boundaryArn = `arn:aws:iam::${ACCOUNT}:policy/S3Only`;

  test('a permissions boundary alone without the key: the cause is the boundary, and its new version the fix', () => {
    const finding = boundedUser([WRITE, { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY }]);
    assert.equal(finding.cause, 'boundary-missing-allow');
    assert.equal(finding.fix?.attachKind, 'managed-policy-version');
    assert.equal(finding.fix?.policyArn, boundaryArn);
    assert.deepEqual(
      finding.fix?.statements.map((st) => [st.Action, st.Resource]),
      [[['kms:GenerateDataKey'], [KEY]]],
    );
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
    assert.ok(
      finding.caveats.some((c) =>
        c.endsWith(
          "a key policy statement that names the user also works, since a permissions boundary does not limit what a resource-based policy in the user's account grants it by name.",
        ),
      ),
      finding.caveats.join('\n'),
    );
  });

  test("a boundary and the caller's own policies both without the key: the fix raises both, verified together", () => {
    const finding = boundedUser([WRITE]);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.equal(finding.fix?.attachKind, 'inline-policy');
    assert.equal(finding.fix?.boundary?.policyArn, boundaryArn);
    assert.deepEqual(
      finding.fix?.boundary?.statements.map((st) => [st.Action, st.Resource]),
      [[['kms:GenerateDataKey'], [KEY]]],
    );
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
    assert.ok(
      finding.fix?.verification.some((v) =>
        v.includes(
          'checked with both changes: the statements above and a new version of the permissions boundary S3Only',
        ),
      ),
    );
    assert.match(
      finding.summary,
      /and kms:GenerateDataKey to a new version of the permissions boundary S3Only \(verified\)\./,
    );
  });

  test("an alias in the message cannot be evaluated: the message's cause stands, with no KMS row", () => {
    const finding = findingOf(
      deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:eu-west-1:${ACCOUNT}:alias/data because no identity-based policy allows the kms:GenerateDataKey action`,
      }),
      [WRITE],
    );
    // As without the snapshot: the key is not known, the message names the caller's side.
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.ok(!finding.requests.some((r) => r.action.startsWith('kms:')));
  });
});

describe('kmsStatements', () => {
  const call = (action: string, keyArn: string, via?: string): EvaluatedKmsCall =>
    ({
      call: { action, keyArn, context: via === undefined ? {} : { 'kms:ViaService': via } },
    }) as unknown as EvaluatedKmsCall;

  test('one statement per key, keys with the same actions and services together, no condition when a call names no service', () => {
    assert.deepEqual(
      kmsStatements([
        call('kms:GenerateDataKey', KEY, VIA_S3),
        call('kms:GenerateDataKey', OTHER_KEY, VIA_S3),
        call('kms:Decrypt', 'arn:aws:kms:eu-west-1:111122223333:key/third'),
      ]),
      [
        {
          Effect: 'Allow',
          Action: ['kms:GenerateDataKey'],
          Resource: [KEY, OTHER_KEY].sort(),
          Condition: { StringEquals: { 'kms:ViaService': [VIA_S3] } },
        },
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt'],
          Resource: ['arn:aws:kms:eu-west-1:111122223333:key/third'],
        },
      ],
    );
  });

  test("a job profile gains the key's use its S3 actions need: uploads GenerateDataKey and Decrypt, reads Decrypt", () => {
    const profile: JobProfile = {
      tool: 'aws-cli',
      operation: 'copy',
      statements: [
        { Sid: 'Reads', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::data/*'] },
      ],
      notes: [],
    };
    const read = withKeyUse(profile, [call('kms:Decrypt', KEY, VIA_S3)]);
    assert.deepEqual(read.statements.at(-1), {
      Sid: 'KmsKeyThroughS3',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [KEY],
      Condition: { StringEquals: { 'kms:ViaService': [VIA_S3] } },
    });
    const upload = withKeyUse(
      {
        ...profile,
        statements: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::data/*'] }],
      },
      [call('kms:GenerateDataKey', KEY)],
    );
    assert.deepEqual(upload.statements.at(-1)?.Action, ['kms:Decrypt', 'kms:GenerateDataKey']);
    assert.equal(
      upload.statements.at(-1)?.Condition,
      undefined,
      'a call without kms:ViaService gets no condition',
    );
    assert.match(
      upload.notes.at(-1) ?? '',
      /kms:GenerateDataKey for each upload, kms:Decrypt to read and to complete an upload in parts/,
    );
  });
});

describe("property: a KMS fix makes the caller's side allow the key", () => {
  const pool = [
    WRITE,
    { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: OTHER_KEY },
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY },
    {
      Effect: 'Allow',
      Action: 'kms:*',
      Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    },
    {
      Effect: 'Allow',
      Action: 'kms:GenerateDataKey*',
      Resource: KEY,
      Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } },
    },
    { Effect: 'Deny', Action: 'kms:*', Resource: '*', Condition: { Bool: { 'aws:ViaAWSService': 'false' } } },
    { Effect: 'Deny', Action: 'kms:GenerateDataKey', Resource: OTHER_KEY },
    { Effect: 'Allow', NotAction: 's3:*', Resource: OTHER_KEY },
  ];

  test("with the fix added, re-explaining finds no KMS call refused by the caller's policies, and nothing else changes", () => {
    let fixes = 0;
    fc.assert(
      fc.property(fc.subarray(pool, { minLength: 1 }), fc.boolean(), (statements, named) => {
        const record = named ? namedKeyUpload() : defaultKeyUpload();
        const finding = findingOf(record, statements);
        const kmsRefused = finding.requests.filter(
          (r) => r.action.startsWith('kms:') && r.decision !== 'Allowed',
        );
        if (finding.fix === null) {
          // No fix: nothing refused on the caller's side, or a Deny refuses it (named).
          if (kmsRefused.length > 0)
            assert.ok(finding.deniedBy.length > 0 || finding.cause !== 'identity-missing-allow');
          return;
        }
        if (!finding.fix.statements.some((st) => st.Action.some((a) => a.startsWith('kms:')))) return;
        fixes++;
        assert.equal(finding.fix.verified, true, finding.fix.verification.join(' | '));
        const again = findingOf(record, [...statements, ...finding.fix.statements]);
        assert.deepEqual(
          again.requests.filter((r) => r.action.startsWith('kms:')).map((r) => r.decision),
          kmsRefused.map(() => 'Allowed'),
        );
        // The same event's message still blames the caller's policies, which now allow the key: said so.
        assert.equal(again.cause, named ? 'kms-key' : 'allowed-by-visible-policies');
      }),
      { numRuns: 120 },
    );
    assert.ok(fixes > 10, `only ${fixes} KMS fixes were produced`);
  });
});

describe("what AWS's message says about the key's use comes first", () => {
  const message = (text: string) =>
    deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:GenerateDataKey on resource: ${KEY} ${text}`,
    });

  test('the key policy refuses, per AWS: the cause stays the key, and no identity Allow is called a fix', () => {
    const finding = findingOf(
      message('because no resource-based policy allows the kms:GenerateDataKey action'),
      [WRITE],
    );
    assert.equal(finding.cause, 'kms-key');
    assert.equal(finding.fix, null);
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          "AWS's message says the key policy refuses kms:GenerateDataKey. The caller's own policies do not allow",
        ),
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(finding.caveats.some((c) => c.includes('a statement for the key policy of')));
  });

  test('the key policy refuses, per AWS, and an SCP lacks the call too: no key policy statement is called enough on its own', () => {
    const report = explainTexts(
      [
        {
          input: 't.json',
          text: JSON.stringify({
            Records: [message('because no resource-based policy allows the kms:GenerateDataKey action')],
          }),
        },
      ],
      explainContext({
        snapshot: boundedSnapshot([WRITE]),
        scpLevels: [
          [
            {
              name: 'S3Only',
              document: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
              },
            },
          ],
        ],
      }),
    );
    const caveats = report.findings[0]?.caveats ?? [];
    const said = caveats.find((c) => c.startsWith("AWS's message says the key policy refuses"));
    assert.ok(
      said?.includes('the service control policies cap the caller whatever the key policy says'),
      said,
    );
    assert.ok(!caveats.some((c) => c.includes('is enough on its own')), caveats.join('\n'));
  });

  test("a statement that allows the key's use on an alias's ARN is said to be no grant, with the key to name", () => {
    const alias = 'arn:aws:kms:eu-west-1:111122223333:alias/backups';
    const finding = findingOf(
      message('because no identity-based policy allows the kms:GenerateDataKey action'),
      [WRITE, { Sid: 'KeyByAlias', Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: alias }],
    );
    const said = finding.caveats.filter((c) => c.includes('on the alias'));
    assert.equal(said.length, 1, finding.caveats.join('\n'));
    assert.ok(
      said[0]?.startsWith(
        `Statement "KeyByAlias" of inline allows kms:GenerateDataKey on the alias ${alias}`,
      ),
      said[0],
    );
    assert.ok(
      said[0]?.includes(`If the alias is for the key S3 uses (${KEY}), name the key instead`),
      said[0],
    );
    // A call a Deny refuses is the Deny's, whatever the Allow names.
    const denied = findingOf(message('with an explicit deny in an identity-based policy'), [
      WRITE,
      { Sid: 'KeyByAlias', Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: alias },
      { Effect: 'Deny', Action: 'kms:*', Resource: '*' },
    ]);
    assert.ok(!denied.caveats.some((c) => c.includes('on the alias')), denied.caveats.join('\n'));
  });

  test('an explicit Deny AWS names but the snapshot lacks: named as the cause, with no Allow proposed', () => {
    const finding = findingOf(message('with an explicit deny in an identity-based policy'), [WRITE]);
    assert.equal(finding.cause, 'identity-explicit-deny');
    assert.equal(finding.fix, null);
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          "AWS's message says an explicit Deny in an identity-based policy refuses kms:GenerateDataKey; the policies in the input hold no Deny that does",
        ),
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(!finding.caveats.some((c) => c.startsWith('To let the caller use the key through S3')));
  });

  test("the message names the call when the headers name another: a copy refused the read of its source key still needs the destination key's GenerateDataKey", () => {
    const record = copyOfSource('in/copy.csv', NAMED_SOURCE_DECRYPT);
    const finding = findingOf(record, [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/*' },
    ]);
    const kms = finding.requests.filter((r) => r.action.startsWith('kms:'));
    assert.deepEqual(
      kms.map((r) => [r.action, r.resource, r.source]),
      [
        ['kms:Decrypt', OTHER_KEY, 'message'],
        ['kms:GenerateDataKey', KEY, 'operation'],
      ],
    );
    assert.deepEqual(
      finding.fix?.statements.map((st) => [st.Action, st.Resource]),
      [
        [['kms:Decrypt'], [OTHER_KEY]],
        [['kms:GenerateDataKey'], [KEY]],
      ],
    );
    assert.equal(finding.fix?.verified, true);
  });

  test("a copy's Decrypt of its source key is evaluated with the source object as encryption context", () => {
    const record = copyOfSource('out/copy.csv', NAMED_SOURCE_DECRYPT);
    const decryptOn = (prefix: string) =>
      findingOf(record, [
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/*' },
        { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY },
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: OTHER_KEY,
          Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::data/${prefix}/*` } },
        },
      ]).requests.find((r) => r.action === 'kms:Decrypt')?.decision;
    assert.equal(decryptOn('in'), 'Allowed');
    assert.equal(decryptOn('out'), 'ImplicitlyDenied');
  });

  test("a copy refused kms:Decrypt without naming the key: the source object's key, which the record does not show", () => {
    const record = copyOfSource('out/copy.csv', UNNAMED_DECRYPT);
    const finding = findingOf(record, [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/*' },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: KEY },
    ]);
    assert.equal(finding.cause, 'kms-key');
    // The destination key's Decrypt is not what was refused.
    assert.ok(!finding.requests.some((r) => r.action === 'kms:Decrypt' && r.resource === KEY));
    assert.ok(
      finding.caveats.some(
        (c) =>
          c.includes('the copy reads its source object (arn:aws:s3:::data/in/a.csv)') &&
          c.includes('aws s3api head-object --bucket data --key in/a.csv --query SSEKMSKeyId'),
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(
      !finding.caveats.some((c) => c.includes('key policy is what refuses')),
      finding.caveats.join('\n'),
    );
  });
});

describe("the context of S3's call to KMS", () => {
  test('an Allow limited to the object as encryption context, through S3, from the office, matches the call', () => {
    const finding = findingOf(namedKeyUpload(), [
      WRITE,
      {
        Effect: 'Allow',
        Action: 'kms:GenerateDataKey',
        Resource: KEY,
        Condition: {
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::data/*' },
          'ForAnyValue:StringEquals': { 'aws:CalledVia': 's3.amazonaws.com' },
          IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
        },
      },
    ]);
    assert.equal(finding.cause, 'kms-key', finding.caveats.join('\n'));
    assert.ok(finding.requests.some((r) => r.action === 'kms:GenerateDataKey' && r.decision === 'Allowed'));
  });

  test("a key in another account: both its key policy and the caller's policies must allow the call", () => {
    const foreignKey = 'arn:aws:kms:eu-west-1:444455556666:key/0000aaaa-12ab-34cd-56ef-1234567890ab';
    const record = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:GenerateDataKey on resource: ${foreignKey} because no identity-based policy allows the kms:GenerateDataKey action`,
    });
    const finding = findingOf(record, [WRITE]);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.ok(
      finding.caveats.some((c) =>
        c.endsWith(
          "the key is in account 444455556666, so both its key policy and the caller's policies must allow it.",
        ),
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(
      finding.fix?.verification.some((v) =>
        v.includes('The key is in account 444455556666, so its key policy must also allow'),
      ),
      finding.fix?.verification.join('\n'),
    );
  });
});

describe('a finding with an S3 refusal and a KMS refusal of another event', () => {
  test('the KMS refusal is said to have happened on this run, with its statement', () => {
    const read = deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:Decrypt on resource: ${KEY} because no identity-based policy allows the kms:Decrypt action`,
    });
    const write = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/b.csv');
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [read, write] }) }],
      backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }]),
    );
    const finding = report.findings[0]!;
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          `The caller was also refused kms:Decrypt on ${KEY} on this run (AWS's message names it)`,
        ),
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(!finding.caveats.some((c) => c.startsWith('Once the S3 requests are allowed')));
  });
});

describe("KMS's own message for a key policy that does not let the caller use the key", () => {
  const record = () =>
    deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:GenerateDataKey on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access`,
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY,
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });

  test('with the caller not in the snapshot, the message alone gives the key as the cause, not the bucket policy', () => {
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [record()] }) }],
      explainContext(),
    );
    assert.equal(report.findings[0]?.evidence, 'message');
    assert.equal(report.findings[0]?.cause, 'kms-key');
  });

  test("with the caller's policies lacking the key too, the cause stays the key and no identity Allow is the fix", () => {
    const finding = findingOf(record(), [WRITE]);
    assert.equal(finding.cause, 'kms-key');
    assert.equal(finding.fix, null);
    assert.deepEqual(
      finding.requests.filter((r) => r.action.startsWith('kms:')).map((r) => [r.action, r.decision]),
      [['kms:GenerateDataKey', 'ImplicitlyDenied']],
    );
  });

  test('a read refused kms:Decrypt "on the resource associated with this ciphertext": the key, unnamed, as for an upload', () => {
    const read = deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access`,
    });
    const finding = findingOf(read, [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
    ]);
    assert.equal(finding.cause, 'kms-key');
    assert.ok(
      finding.caveats.some(
        (c) =>
          c.startsWith('To let the caller use the key through S3') && c.includes('"Action":["kms:Decrypt"]'),
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(!finding.caveats.some((c) => c.includes('the denial may be about s3:ListBucket')));
  });
});

describe('from the second review', () => {
  test('an explicit Deny AWS places in the key policy keeps the cause on the key, with no Allow suggested there', () => {
    const finding = findingOf(
      deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:GenerateDataKey on resource: ${KEY} with an explicit deny in a resource-based policy`,
      }),
      [WRITE],
    );
    assert.equal(finding.cause, 'kms-key');
    assert.equal(finding.fix, null);
    assert.ok(!finding.caveats.some((c) => c.startsWith('To let the caller use the key through S3')));
  });

  test("KMS naming an action the headers do not imply: that action is evaluated on the headers' key, and the key policy statement is for it", () => {
    const record = namedKeyUpload();
    record.errorMessage = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:Decrypt on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access`;
    const finding = findingOf(record, [WRITE, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY }]);
    assert.equal(finding.cause, 'kms-key');
    assert.deepEqual(
      finding.requests
        .filter((r) => r.action.startsWith('kms:'))
        .map((r) => [r.action, r.resource, r.decision]),
      [['kms:Decrypt', KEY, 'Allowed']],
    );
    assert.ok(
      finding.caveats.some(
        (c) => c.includes('a statement for the key policy of') && c.includes('"Action":["kms:Decrypt"]'),
      ),
    );
  });

  test('S3 refused first and a Deny refuses the key: the summary says the Deny, not a missing Allow', () => {
    const finding = findingOf(namedKeyUpload(), [
      { Effect: 'Deny', Action: 'kms:*', Resource: '*', Sid: 'NoKms' },
    ]);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.ok(
      finding.summary.endsWith(', which an explicit Deny refuses (see the caveats).'),
      finding.summary,
    );
  });

  test('AWS naming a permissions boundary the snapshot does not show refusing: the identity fix is not verified as enough', () => {
    const finding = findingOf(
      deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:GenerateDataKey on resource: ${KEY} because no permissions boundary allows the kms:GenerateDataKey action`,
      }),
      [WRITE],
    );
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.equal(finding.fix?.verified, false);
    assert.ok(
      finding.fix?.verification.includes(
        "Not verified as enough: AWS's message names the permissions boundary, which the input does not show refusing the call.",
      ),
    );
  });
});

describe("a bucket in another account: the key's use joins the caller-side change", () => {
  const OWNER = '999988887777';
  const PARTNER_KEY = `arn:aws:kms:eu-west-1:${OWNER}:key/aaaa0000-12ab-34cd-56ef-1234567890ab`;
  const USER = `arn:aws:iam::${ACCOUNT}:user/backup`;
  /** The partner's bucket policy lets the user list the bucket and nothing else. */
  const partnerPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: USER },
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::partner',
      },
    ],
  };
  /** A refused upload into the partner's bucket that names the partner's key. */
  const upload = deniedObjectRecord('PutObject', 's3:PutObject', 'partner', 'in/a.csv', {
    errorMessage: 'Access Denied',
    requestParameters: {
      bucketName: 'partner',
      key: 'in/a.csv',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': PARTNER_KEY,
      Host: 'partner.s3.eu-west-1.amazonaws.com',
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::partner/in/a.csv' },
      { accountId: OWNER, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::partner' },
    ],
  });
  const keyStatement = {
    Effect: 'Allow',
    Action: ['kms:GenerateDataKey'],
    Resource: [PARTNER_KEY],
    Condition: {
      StringEquals: { 'kms:ViaService': [VIA_S3] },
      StringLike: {
        'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::partner', 'arn:aws:s3:::partner/in/*'],
      },
    },
  };
  const put = { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::partner/in/*'] };

  function finding(statements: readonly unknown[]): Finding {
    const context = backupUserContext(statements);
    const report = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: [upload] }) }], {
      ...context,
      bucketPolicies: new Map([['partner', partnerPolicy]]),
    });
    assert.equal(report.findings.length, 1);
    return report.findings[0]!;
  }

  test("the caller's own policies lack the upload and the key: one caller-side change with both, verified", () => {
    const f = finding([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::partner' }]);
    assert.equal(f.cause, 'resource-policy-missing-allow');
    assert.equal(f.fix?.attachKind, 'bucket-policy');
    assert.deepEqual(f.fix?.identityStatements, [put, keyStatement]);
    assert.deepEqual(f.fix?.identityChange?.statements, [put, keyStatement]);
    assert.equal(f.fix?.identityChange?.attachTo, USER);
    assert.equal(
      (f.fix?.identityChange?.newDocument as { Statement?: unknown[] } | undefined)?.Statement?.length,
      2,
    );
    assert.equal(f.fix?.verified, true, f.fix?.verification.join(' | '));
    assert.ok(
      f.fix?.verification.some((v) =>
        v.startsWith(
          "With the key's statement added too, the caller's policies allow the KMS request S3 makes",
        ),
      ),
    );
    assert.ok(
      f.caveats.some(
        (c) =>
          c.includes("the fix's change to the caller's own policies includes") && c.includes(PARTNER_KEY),
      ),
      f.caveats.join('\n'),
    );
    assert.ok(f.summary.endsWith('the fix grants it.'), f.summary);
  });

  test("the caller's own policies allow the upload but not the key: the key's statement is the caller-side change", () => {
    const f = finding([{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::partner/*' }]);
    assert.equal(f.fix?.attachKind, 'bucket-policy');
    assert.deepEqual(f.fix?.identityStatements, [keyStatement]);
    assert.deepEqual(f.fix?.identityChange?.statements, [keyStatement]);
    assert.equal(f.fix?.identityChange?.attachKind, 'inline-policy');
    assert.equal(f.fix?.verified, true, f.fix?.verification.join(' | '));
    // The verification no longer says there is nothing to add on the caller's side.
    assert.ok(!f.fix?.verification.some((v) => v.includes('nothing to add on its side')));
    assert.ok(
      f.fix?.verification.includes(
        `The caller's own policies already allow the S3 requests: the change to them adds only the key's statement (${USER}).`,
      ),
      f.fix?.verification.join('\n'),
    );
  });

  test("AWS's identity-perimeter RCP (a Deny unless aws:PrincipalOrgID) is not taken to refuse the key's use", () => {
    const rcp = parseRcpFile(
      {
        Version: '2012-10-17',
        Statement: [
          // RCPFullAWSAccess, which AWS attaches beside every RCP (the CLI adds it to each --rcp level).
          { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
          {
            Sid: 'EnforceOrgIdentities',
            Effect: 'Deny',
            Principal: '*',
            Action: ['s3:*', 'kms:*'],
            Resource: '*',
            Condition: {
              StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' },
              BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
            },
          },
        ],
      },
      'rcp.json',
    );
    assert.ok(rcp.ok, rcp.ok ? '' : rcp.message);
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [defaultKeyUpload()] }) }],
      {
        ...explainContext({
          snapshot: snapshotWithUser('backup', { Version: '2012-10-17', Statement: [WRITE] }),
        }),
        rcpLevels: rcp.levels,
      },
    );
    const f = report.findings[0]!;
    assert.equal(f.cause, 'identity-missing-allow');
    assert.deepEqual(
      f.fix?.statements.map((st) => st.Action),
      [['kms:GenerateDataKey']],
    );
    assert.equal(f.fix?.verified, true, f.fix?.verification.join(' | '));
  });

  test("a KMS fix that is a new version of a managed policy with 5 versions: IAM's maximum is said", () => {
    const parsed = withFiveVersions('DataWriter', { Version: '2012-10-17', Statement: [WRITE] });
    const f = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [defaultKeyUpload()] }) }],
      explainContext({ snapshot: parsed.snapshot }),
    ).findings[0]!;
    assert.equal(f.fix?.attachKind, 'managed-policy-version');
    assert.equal(f.fix?.policyName, 'DataWriter');
    assert.ok(
      f.caveats.some((c) =>
        c.startsWith("DataWriter already has 5 versions, IAM's maximum: delete a non-default version"),
      ),
      f.caveats.join('\n'),
    );
  });

  test("the key's statement made the caller-side change to a managed policy with 5 versions: IAM's maximum is said", () => {
    const parsed = withFiveVersions('PartnerWriter', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::partner/*' }],
    });
    const report = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: [upload] }) }], {
      ...explainContext({ snapshot: parsed.snapshot }),
      bucketPolicies: new Map([['partner', partnerPolicy]]),
    });
    const f = report.findings[0]!;
    assert.equal(f.fix?.identityChange?.attachKind, 'managed-policy-version');
    assert.deepEqual(f.fix?.identityChange?.statements, [keyStatement]);
    assert.ok(
      f.caveats.some((c) =>
        c.startsWith(
          "PartnerWriter already has 5 versions, IAM's maximum: delete a non-default version before creating the new one, such as the oldest (aws iam delete-policy-version --policy-arn arn:aws:iam::111122223333:policy/PartnerWriter --version-id v1; a deleted version cannot be restored",
        ),
      ),
      f.caveats.join('\n'),
    );
  });

  test("a caller whose policies are not in the snapshot: the caveat gives the key's statement for its side too", () => {
    const report = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: [upload] }) }], {
      ...backupUserContext([]),
      snapshot: snapshotWithUser('someone-else', { Version: '2012-10-17', Statement: [] }),
      bucketPolicies: new Map([['partner', partnerPolicy]]),
    });
    const f = report.findings[0]!;
    const caveat = f.caveats.find((c) => c.includes('whose policies are not visible here'));
    assert.ok(caveat !== undefined, f.caveats.join('\n'));
    assert.ok(
      caveat.endsWith(
        `its own policies must allow these actions too, and the KMS calls S3 makes with its credentials for them (SSE-KMS): \`${JSON.stringify(keyStatement)}\`. A key in account ${OWNER} also needs its key policy to allow the caller's account or the caller.`,
      ),
      caveat,
    );
  });

  test("the caller's own policies allow both: the fix is the bucket's side alone", () => {
    const f = finding([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::partner/*' },
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: PARTNER_KEY },
    ]);
    assert.equal(f.fix?.attachKind, 'bucket-policy');
    assert.equal(f.fix?.identityChange, undefined);
    assert.equal(f.fix?.identityStatements, undefined);
  });
});

describe("the key's statements and IAM's size quota", () => {
  /** The user's own statements: listing the bucket, and one more whose resource takes them to `size` characters. */
  function statementsOf(size: number): unknown[] {
    const of = (filler: string) => [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::archive/${filler}` },
    ];
    const base = iamPolicySize({ Version: '2012-10-17', Statement: of('') });
    return of('x'.repeat(size - base));
  }

  test("when they would take the caller's inline policies over the quota, they stay out of the fix, which says why", () => {
    // The S3 fix alone (about 110 characters) fits beside 1,850; with the key's statement (about 270) it would not.
    const finding = findingOf(namedKeyUpload(), statementsOf(1850));
    assert.deepEqual(
      finding.fix?.statements.flatMap((s) => s.Action),
      ['s3:PutObject'],
    );
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join('\n'));
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith(
          "The key's statements are not added to the fix: with them, the inline policies of user backup would be",
        ),
      ),
      finding.caveats.join('\n'),
    );
    // The caveat with the key's statement is still there, for the user to place.
    assert.ok(
      finding.caveats.some((c) =>
        c.startsWith('Once the S3 requests are allowed, S3 calls kms:GenerateDataKey'),
      ),
    );
  });

  test('when the fix is over the quota already, they are to go with its statements, not into a policy of their own', () => {
    const finding = findingOf(namedKeyUpload(), statementsOf(2000));
    assert.equal(finding.fix?.verified, false);
    assert.ok(
      finding.caveats.includes(
        "The key's statements are not added to the fix, whose document is over its size quota already (see the caveats): put them in the same new customer-managed policy as its statements.",
      ),
      finding.caveats.join('\n'),
    );
  });

  test("when they would take the fix's managed policy over IAM's quota, they stay out of it, which says why", () => {
    const document = (filler: string) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::data/${filler}` }],
    });
    const near = document('x'.repeat(5880 - iamPolicySize(document(''))));
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [
          userDetail('backup', {
            AttachedManagedPolicies: [
              { PolicyName: 'DataWriter', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/DataWriter` },
            ],
          }),
        ],
        GroupDetailList: [],
        RoleDetailList: [],
        Policies: [managedPolicy('DataWriter', near)],
      },
      'test',
    );
    assert.ok(parsed.ok);
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [namedKeyUpload()] }) }],
      explainContext({ snapshot: parsed.snapshot }),
    );
    const finding = report.findings[0]!;
    assert.equal(finding.fix?.attachKind, 'managed-policy-version');
    assert.deepEqual(
      finding.fix?.statements.flatMap((s) => s.Action),
      ['s3:PutObject'],
    );
    assert.ok(
      finding.caveats.some((c) =>
        /^The key's statements are not added to the fix: with them, the new version of DataWriter would be 6,[\d]{3} characters \(white space aside\), over IAM's quota of 6,144 for a managed policy/.test(
          c,
        ),
      ),
      finding.caveats.join('\n'),
    );
  });

  test('with room, they join it', () => {
    const finding = findingOf(namedKeyUpload(), statementsOf(1000));
    assert.deepEqual(
      finding.fix?.statements.flatMap((s) => s.Action),
      ['s3:PutObject', 'kms:GenerateDataKey'],
    );
    assert.ok(!finding.caveats.some((c) => c.startsWith("The key's statements are not added to the fix")));
  });
});

describe("AWS's message names another policy for S3's KMS call", () => {
  const text = (...records: unknown[]) => [
    { input: 'test.json', text: JSON.stringify({ Records: records }) },
  ];
  const KMS_USE = { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' };
  const upload = (errorMessage: string, headers = true) =>
    deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
      errorMessage,
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        ...(headers
          ? {
              'x-amz-server-side-encryption': 'aws:kms',
              'x-amz-server-side-encryption-aws-kms-key-id': headers === true ? KEY : undefined,
            }
          : {}),
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
  const message = (ending: string, resource = KEY) =>
    `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:GenerateDataKey on resource: ${resource} ${ending}`;

  test('a session policy, an SCP or a VPC endpoint policy the input lacks: that policy is the cause, not the key', () => {
    for (const [ending, cause] of [
      ['because no session policy allows the kms:GenerateDataKey action', 'session-policy'],
      ['because no service control policy allows the kms:GenerateDataKey action', 'scp-missing-allow'],
      ['because no VPC endpoint policy allows the kms:GenerateDataKey action', 'vpc-endpoint-policy'],
    ] as const) {
      const [finding] = explainTexts(
        text(upload(message(ending))),
        backupUserContext([WRITE, KMS_USE]),
      ).findings;
      assert.equal(finding?.cause, cause, ending);
      assert.ok(!finding?.caveats.some((c) => c.includes('the snapshot may be out of date')), ending);
      assert.ok(!finding?.caveats.some((c) => c.includes('a statement for the key policy')), ending);
      // The summary says what was refused: S3's call to KMS, not the S3 request.
      assert.match(
        finding?.summary ?? '',
        /: S3 needs kms:GenerateDataKey on the KMS key .* for it, and /,
        ending,
      );
    }
  });

  test('an SCP refusal for a key the record does not name: the SCP, not the key, a Deny or an allow list alike', () => {
    const record = upload(
      message('with an explicit deny in a service control policy', 'alias/backups'),
      false,
    );
    const [finding] = explainTexts(text(record), backupUserContext([WRITE, KMS_USE])).findings;
    assert.equal(finding?.cause, 'scp-explicit-deny');
    assert.ok(
      finding?.caveats.some((c) =>
        c.includes('a Deny must change; a missing action must be added to the allow list'),
      ),
      finding?.caveats.join(' | '),
    );
    assert.match(
      finding?.summary ?? '',
      /a service control policy refuses it \(AWS's message reads "explicit deny"/,
    );
  });

  test('a VPC endpoint policy named for a call the caller lacks: the identity fix is not verified as enough', () => {
    const [finding] = explainTexts(
      text(upload(message('because no VPC endpoint policy allows the kms:GenerateDataKey action'))),
      backupUserContext([WRITE]),
    ).findings;
    assert.equal(finding?.fix?.verified, false);
  });

  test('an SCP "explicit deny" message for the key\'s use, with an allow list given that lacks it: the allow list is the cause', () => {
    const record = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/b.csv', {
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:GenerateDataKey on resource: ${KEY} with an explicit deny in a service control policy`,
      requestParameters: {
        bucketName: 'data',
        key: 'in/b.csv',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY,
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
    const [finding] = explainTexts(
      text(record),
      explainContext({
        ...backupUserContext([WRITE, KMS_USE]),
        scpLevels: [
          [
            {
              name: 'S3Only.json',
              document: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
              },
            },
          ],
        ],
      }),
    ).findings;
    assert.equal(finding?.cause, 'scp-missing-allow');
    assert.ok(
      !finding?.caveats.some((c) => c.includes('No Allow can lift it')),
      finding?.caveats.join(' | '),
    );
  });

  test("an SCP Deny on the key's use is said to be the SCP's, not the caller's own policies'", () => {
    const [finding] = explainTexts(
      text(namedKeyUpload()),
      explainContext({
        ...backupUserContext([WRITE, KMS_USE]),
        scpLevels: [
          [
            {
              name: 'NoKms.json',
              document: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: '*', Resource: '*' },
                  { Sid: 'NoDataKeys', Effect: 'Deny', Action: 'kms:GenerateDataKey', Resource: '*' },
                ],
              },
            },
          ],
        ],
      }),
    ).findings;
    assert.equal(finding?.cause, 'scp-explicit-deny');
    assert.ok(
      finding?.caveats.some((c) => c.startsWith('A service control policy refuses kms:GenerateDataKey')),
      finding?.caveats.join(' | '),
    );
  });

  test("the RCPs given govern a key of the snapshot's account, not another account's", () => {
    const rcp = parseRcpFile(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
          { Sid: 'NoKms', Effect: 'Deny', Principal: '*', Action: 'kms:GenerateDataKey', Resource: '*' },
        ],
      },
      'rcp.json',
    );
    assert.ok(rcp.ok, rcp.ok ? '' : rcp.message);
    const upload = (keyArn: string) =>
      deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
        errorMessage: 'Access Denied',
        requestParameters: {
          bucketName: 'data',
          key: 'in/a.csv',
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': keyArn,
          Host: 'data.s3.eu-west-1.amazonaws.com',
        },
      });
    const context = { ...backupUserContext([WRITE, KMS_USE]), rcpLevels: rcp.levels };
    const own = explainTexts(text(upload(KEY)), context).findings[0];
    assert.equal(own?.cause, 'rcp-explicit-deny');
    const foreign = explainTexts(
      text(upload('arn:aws:kms:eu-west-1:444455556666:key/ffff0000-1111-2222-3333-444455556666')),
      context,
    ).findings[0];
    assert.notEqual(foreign?.cause, 'rcp-explicit-deny');
    assert.ok(!foreign?.deniedBy.some((d) => d.policyType === 'rcp'));
    // A caller that lacks the key's use: the fix for the foreign key is verified without those RCPs too.
    const lacking = explainTexts(
      text(upload('arn:aws:kms:eu-west-1:444455556666:key/ffff0000-1111-2222-3333-444455556666')),
      { ...backupUserContext([WRITE]), rcpLevels: rcp.levels },
    ).findings[0];
    assert.deepEqual(
      lacking?.fix?.statements.map((s) => s.Action),
      [['kms:GenerateDataKey']],
    );
    assert.equal(lacking?.fix?.verified, true, lacking?.fix?.verification.join(' | '));
  });

  test("a key named by alias, the caller's policies allowing its use on any key: the visible policies allow it", () => {
    const record = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:eu-west-1:${ACCOUNT}:alias/finance because no identity-based policy allows the kms:GenerateDataKey action`,
    });
    const [finding] = explainTexts(text(record), backupUserContext([WRITE, KMS_USE])).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.ok(
      finding?.caveats.some((c) => c.includes('allow it on any key of account')),
      finding?.caveats.join(' | '),
    );
  });
});

describe("the key's statements are for the objects the fix grants (S3's encryption context)", () => {
  /** An upload of `bucket/key` that names KEY in its SSE-KMS headers, refused for s3:PutObject. */
  const uploadTo = (bucket: string, key: string) =>
    deniedObjectRecord('PutObject', 's3:PutObject', bucket, key, {
      requestParameters: {
        bucketName: bucket,
        key,
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY,
        Host: `${bucket}.s3.eu-west-1.amazonaws.com`,
      },
    });
  /** The caller may upload to in/ and use the key for in/'s objects alone. */
  const inOnly = [
    { Sid: 'In', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/in/*' },
    {
      Sid: 'KeyForIn',
      Effect: 'Allow',
      Action: 'kms:GenerateDataKey',
      Resource: KEY,
      Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::data/in/*' } },
    },
  ];

  test("an upload outside the key's scope: the fix's key statement is for the fix's objects, and the narrower statement is one it widens", () => {
    const finding = findingOf(uploadTo('data', 'out/b.csv'), inOnly);
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
    assert.deepEqual(finding.fix?.statements.at(-1), {
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey'],
      Resource: [KEY],
      Condition: {
        StringEquals: { 'kms:ViaService': [VIA_S3] },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::data', 'arn:aws:s3:::data/out/*'] },
      },
    });
    assert.deepEqual(finding.fix?.widens, [
      'Statement "In" of inline (arn:aws:s3:::data/in/*)',
      `Statement "KeyForIn" of inline (kms:GenerateDataKey on ${KEY} for kms:EncryptionContext:aws:s3:arn arn:aws:s3:::data/in/*)`,
    ]);
    assert.ok(
      finding.caveats.includes(
        `Statement "KeyForIn" of inline allows kms:GenerateDataKey on the key ${KEY} but only for arn:aws:s3:::data/in/* as encryption context (kms:EncryptionContext:aws:s3:arn, the object S3 uses the key for): the call for arn:aws:s3:::data/out/b.csv is outside it. If that scope is deliberate, the job must stay inside it; if not, the key's use must cover these objects too (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context).`,
      ),
      finding.caveats.join('\n'),
    );
    assert.ok(
      finding.fix?.verification.some((v) =>
        v.includes(
          "through another service than S3, and through S3 for another bucket's objects). The key's statement also allows arn:aws:s3:::data as encryption context",
        ),
      ),
    );
    // The job profile's key statement is for the objects its S3 statements grant.
    const profileKey = finding.jobProfile?.statements.find((s) => s.Sid === 'KmsKeyThroughS3');
    const contexts = profileKey?.Condition?.StringLike?.['kms:EncryptionContext:aws:s3:arn'];
    assert.ok(Array.isArray(contexts) && contexts.length > 0, JSON.stringify(profileKey));
    // The objects the profile grants, and the bucket (S3 Bucket Keys, which the record does not rule out).
    for (const pattern of contexts as string[]) assert.match(pattern, /^arn:aws:s3:::data(\/|$)/);
  });

  test("with the fix applied, the key is still refused through S3 for another bucket's object", () => {
    const finding = findingOf(uploadTo('data', 'out/b.csv'), inOnly);
    const fixed = [...inOnly, ...(finding.fix?.statements ?? [])];
    const payroll = findingOf(uploadTo('payroll', '2026/salaries.csv'), [
      ...fixed,
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::payroll/*' },
    ]);
    assert.deepEqual(
      payroll.requests.filter((r) => r.action.startsWith('kms:')).map((r) => r.decision),
      ['ImplicitlyDenied'],
    );
    const again = findingOf(uploadTo('data', 'out/c.csv'), fixed);
    assert.ok(
      again.requests.every((r) => r.decision === 'Allowed'),
      JSON.stringify(again.requests),
    );
  });

  test("kmsStatements: an object as the scope's pattern covers it, else its directory; a bucket's ARN as it is; none when a context is unknown", () => {
    // An upload that asks for an S3 Bucket Key or not (`bucketKey`, false unless given), or does not say.
    const call = (
      keyArn: string,
      arn?: string,
      { bucketKey }: { bucketKey: boolean | undefined } = { bucketKey: false },
    ): EvaluatedKmsCall =>
      ({
        call: {
          action: 'kms:GenerateDataKey',
          keyArn,
          event: { eventName: 'PutObject', bucketKey, kmsChecks: [] },
          context: {
            'kms:ViaService': VIA_S3,
            ...(arn !== undefined ? { 'kms:EncryptionContext:aws:s3:arn': arn } : {}),
          },
        },
      }) as unknown as EvaluatedKmsCall;
    const contexts = (statements: readonly { Condition?: unknown }[]) =>
      statements.map(
        (s) =>
          (s.Condition as { StringLike?: Record<string, unknown> } | undefined)?.StringLike?.[
            'kms:EncryptionContext:aws:s3:arn'
          ] ?? null,
      );
    assert.deepEqual(
      contexts(kmsStatements([call(KEY, 'arn:aws:s3:::data/in/2026/a.csv')], ['arn:aws:s3:::data/in/*'])),
      [['arn:aws:s3:::data/in/*']],
    );
    assert.deepEqual(
      contexts(
        kmsStatements([
          call(KEY, 'arn:aws:s3:::data/in/2026/a.csv'),
          call(KEY, 'arn:aws:s3:::data/in/2026/b.csv'),
        ]),
      ),
      [['arn:aws:s3:::data/in/2026/*']],
    );
    assert.deepEqual(contexts(kmsStatements([call(KEY, 'arn:aws:s3:::data')])), [['arn:aws:s3:::data']]);
    assert.deepEqual(contexts(kmsStatements([call(KEY, 'arn:aws:s3:::data/a'), call(KEY)])), [null]);
    // Not said whether the bucket uses S3 Bucket Keys: its ARN too, which S3 then gives instead.
    assert.deepEqual(
      contexts(
        kmsStatements(
          [call(KEY, 'arn:aws:s3:::data/in/a.csv', { bucketKey: undefined })],
          ['arn:aws:s3:::data/in/*'],
        ),
      ),
      [['arn:aws:s3:::data', 'arn:aws:s3:::data/in/*']],
    );
  });
});

describe('S3 Bucket Keys: the bucket ARN as encryption context', () => {
  /** An upload to data/in/a.csv naming KEY, with the Bucket Key header as given (none when undefined). */
  const upload = (bucketKey?: string) =>
    deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY,
        ...(bucketKey !== undefined ? { 'x-amz-server-side-encryption-bucket-key-enabled': bucketKey } : {}),
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
  /** The key for the bucket's ARN as encryption context alone, as policies for S3 Bucket Keys write it. */
  const keyForBucket = {
    Effect: 'Allow',
    Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
    Resource: KEY,
    Condition: { StringEquals: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::data' } },
  };
  const kmsDecisions = (finding: Finding) =>
    finding.requests.filter((r) => r.action.startsWith('kms:')).map((r) => [r.action, r.decision]);

  test('the request asks for a Bucket Key: the call carries the bucket ARN, which the caller may use, so the fix grants the upload alone', () => {
    const finding = findingOf(upload('true'), [keyForBucket]);
    assert.deepEqual(kmsDecisions(finding), [['kms:GenerateDataKey', 'Allowed']]);
    assert.ok(!finding.fix?.statements.some((s) => s.Action.some((a) => a.startsWith('kms:'))));
    assert.ok(!finding.caveats.some((c) => c.includes('S3 Bucket Keys')), finding.caveats.join('\n'));
  });

  test("the request asks for a Bucket Key and the caller may not use the key: the fix's key statement is for the bucket's ARN", () => {
    const finding = findingOf(upload('true'), []);
    assert.deepEqual(finding.fix?.statements.at(-1)?.Condition?.StringLike, {
      'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::data'],
    });
    assert.equal(finding.fix?.verified, true, finding.fix?.verification.join(' | '));
  });

  test('the request says nothing: an Allow for the bucket ARN is not read as refused, and a caveat says it holds with Bucket Keys only', () => {
    const finding = findingOf(upload(), [keyForBucket]);
    assert.deepEqual(kmsDecisions(finding), [['kms:GenerateDataKey', 'Allowed']]);
    assert.ok(!finding.fix?.statements.some((s) => s.Action.some((a) => a.startsWith('kms:'))));
    assert.ok(
      finding.caveats.includes(
        `The caller's policies allow kms:GenerateDataKey on ${KEY} only with arn:aws:s3:::data as encryption context (kms:EncryptionContext:aws:s3:arn), which S3 gives KMS when the bucket uses S3 Bucket Keys, and the object's ARN otherwise: taken as allowed, since the record does not show whether the bucket uses them. If it does not, they refuse it (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).`,
      ),
      finding.caveats.join('\n'),
    );
  });

  test('the request turns Bucket Keys off: the object ARN is the context, and an Allow for the bucket ARN alone does not match it', () => {
    const finding = findingOf(upload('false'), [keyForBucket]);
    assert.deepEqual(kmsDecisions(finding), [['kms:GenerateDataKey', 'ImplicitlyDenied']]);
  });
});

describe("notes AWS's message answers, and the key policy's statement for the refused calls alone", () => {
  test("a copy refused its source key's Decrypt by name: no note that the source key may need it, and the key policy's statement is for that key alone", () => {
    // The caller may use the destination key, not the source's.
    const finding = findingOf(copyOfSource('out/copy.csv', NAMED_SOURCE_DECRYPT), [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/*' },
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY },
    ]);
    assert.ok(
      !finding.caveats.includes(
        'If the source object is SSE-KMS encrypted, S3 also needs kms:Decrypt on the source key, which is not in the request.',
      ),
      finding.caveats.join('\n'),
    );
    const keyPolicy = finding.caveats.find((c) => c.startsWith('To let the caller use the key through S3'));
    assert.ok(keyPolicy?.includes(OTHER_KEY), finding.caveats.join('\n'));
    assert.ok(!keyPolicy?.includes(KEY), keyPolicy);
    assert.ok(!keyPolicy?.includes('kms:GenerateDataKey'), keyPolicy);
    assert.ok(!keyPolicy?.includes('an upload S3 takes in parts'), keyPolicy);
  });

  test("an UploadPart refused the key's Decrypt by name: no note that its parts may need it", () => {
    const part = deniedObjectRecord('UploadPart', 's3:PutObject', 'data', 'in/big.bin', {
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:Decrypt on resource: ${KEY} because no identity-based policy allows the kms:Decrypt action`,
      requestParameters: {
        bucketName: 'data',
        key: 'in/big.bin',
        partNumber: '2',
        uploadId: 'u1',
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
    });
    const finding = findingOf(part, [WRITE]);
    assert.deepEqual(
      finding.requests.filter((r) => r.action.startsWith('kms:')).map((r) => [r.action, r.decision]),
      [['kms:Decrypt', 'ImplicitlyDenied']],
    );
    assert.ok(
      !finding.caveats.some((c) =>
        c.startsWith('If the upload uses SSE-KMS, each part also needs kms:Decrypt'),
      ),
      finding.caveats.join('\n'),
    );
  });
});
