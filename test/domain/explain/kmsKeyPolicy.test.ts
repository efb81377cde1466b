import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Principal } from '../../../src/domain/cloudtrail/types.js';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { keyPolicyCaveat } from '../../../src/domain/explain/kmsKeyPolicy.js';
import { findingCauseText } from '../../../src/domain/render/causeText.js';
import { renderSns } from '../../../src/domain/render/sns.js';
import { backupUserContext, deniedObjectRecord, explainContext } from './explainFixtures.js';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:eu-west-1:999988887777:key/0000aaaa-12ab-34cd-56ef-1234567890ab';
const VIA_S3 = 's3.eu-west-1.amazonaws.com';

const role: Principal = {
  type: 'Role',
  arn: 'arn:aws:sts::111122223333:assumed-role/invoice-renderer/task-1',
  account: '111122223333',
  roleArn: 'arn:aws:iam::111122223333:role/app/invoice-renderer',
};

/** The JSON statements a caveat holds, in order (each from `{"Sid"` to its balanced closing brace). */
function statementsIn(caveat: string | undefined): Record<string, unknown>[] {
  assert.ok(caveat !== undefined);
  const out: Record<string, unknown>[] = [];
  for (let at = caveat.indexOf('{"Sid"'); at >= 0; at = caveat.indexOf('{"Sid"', at + 1)) {
    let depth = 0;
    let end = at;
    do {
      if (caveat[end] === '{') depth++;
      else if (caveat[end] === '}') depth--;
      end++;
    } while (depth > 0 && end < caveat.length);
    out.push(JSON.parse(caveat.slice(at, end)) as Record<string, unknown>);
  }
  return out;
}

describe('keyPolicyCaveat', () => {
  test("names the role (not its session) with the key's actions, limited to use through S3", () => {
    const caveat = keyPolicyCaveat(role, [
      { action: 'kms:GenerateDataKey', keyArn: KEY, viaService: VIA_S3 },
      { action: 'kms:Decrypt', keyArn: KEY, viaService: VIA_S3 },
    ]);
    assert.match(caveat ?? '', /not verified: key policies are not an input here/);
    assert.ok(caveat?.includes(`key policy of ${KEY}`));
    assert.deepEqual(statementsIn(caveat), [
      {
        Sid: 'AllowUseThroughS3',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:role/app/invoice-renderer' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': [VIA_S3] } },
      },
    ]);
    assert.doesNotMatch(caveat ?? '', /identity policies must also allow/);
  });

  test('a key in another account needs the identity side too; a key not named gets the statement for "the key the request used"', () => {
    const user: Principal = {
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/uploader',
      account: '111122223333',
    };
    const crossAccount = keyPolicyCaveat(user, [{ action: 'kms:GenerateDataKey', keyArn: OTHER_KEY }]);
    assert.match(
      crossAccount ?? '',
      /the key is in account 999988887777, so the caller's identity policies must also allow kms:GenerateDataKey on arn:aws:kms:eu-west-1:999988887777:key\//,
    );
    assert.equal(statementsIn(crossAccount)[0]?.Condition, undefined);
    const unnamed = keyPolicyCaveat(user, [{ action: 'kms:Decrypt', viaService: VIA_S3 }]);
    assert.match(unnamed ?? '', /key policy of the key the request used/);
    assert.deepEqual(statementsIn(unnamed)[0]?.Principal, { AWS: user.arn });
  });

  test('an upload (kms:GenerateDataKey) is told that multipart uploads need kms:Decrypt too; a read is not', () => {
    const user: Principal = {
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/uploader',
      account: '111122223333',
    };
    const upload = keyPolicyCaveat(user, [{ action: 'kms:GenerateDataKey', keyArn: KEY }]) ?? '';
    assert.match(upload, /multipart upload.* also needs kms:Decrypt on the key/);
    assert.match(upload, /mpuoverview\.html#mpuAndPermissions/);
    assert.deepEqual(
      statementsIn(upload)[0]?.Action,
      ['kms:GenerateDataKey'],
      'the statement itself stays minimal',
    );
    assert.doesNotMatch(keyPolicyCaveat(user, [{ action: 'kms:Decrypt', keyArn: KEY }]) ?? '', /multipart/);
  });

  test('no statement for callers a key policy cannot name this way, or without a KMS call', () => {
    const root: Principal = { type: 'Root', arn: 'arn:aws:iam::111122223333:root', account: '111122223333' };
    assert.equal(keyPolicyCaveat(root, [{ action: 'kms:Decrypt', keyArn: KEY }]), undefined);
    assert.equal(keyPolicyCaveat(role, []), undefined);
  });

  test('an AWS service principal: the key policy alone, naming the service, with the confused-deputy condition on the account it acts for', () => {
    const service: Principal = { type: 'AWSService', name: 'delivery.logs.amazonaws.com' };
    const caveat = keyPolicyCaveat(
      service,
      [{ action: 'kms:GenerateDataKey', keyArn: KEY, viaService: VIA_S3 }],
      {
        account: '444455556666',
        from: 'key',
      },
    );
    assert.deepEqual(statementsIn(caveat), [
      {
        Sid: 'AllowServiceUseOfTheKey',
        Effect: 'Allow',
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Action: ['kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': '444455556666' } },
      },
    ]);
    assert.match(caveat ?? '', /has no IAM policies, so only the key policy can allow it/);
    assert.match(caveat ?? '', /an inference from the key/);
    assert.doesNotMatch(caveat ?? '', /IAM policies grant it/);
    const guessed = keyPolicyCaveat(service, [{ action: 'kms:GenerateDataKey', keyArn: KEY }], {
      account: '111122223333',
      from: 'bucket-owner',
    });
    assert.match(guessed ?? '', /the bucket owner's account, a guess/);
  });
});

describe('an AWS service refused by the KMS key', () => {
  test('the advice names the key policy alone (a service has no IAM policies) and gives the statement', () => {
    const delivery = {
      eventVersion: '1.10',
      userIdentity: { type: 'AWSService', invokedBy: 'delivery.logs.amazonaws.com' },
      eventTime: '2026-11-28T05:30:02Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'PutObject',
      awsRegion: 'eu-west-1',
      sourceIPAddress: 'delivery.logs.amazonaws.com',
      userAgent: 'delivery.logs.amazonaws.com',
      errorCode: 'AccessDenied',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'central-logs',
        key: 'AWSLogs/111122223333/vpcflowlogs/x.log.gz',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY,
      },
      resources: [
        {
          type: 'AWS::S3::Object',
          ARN: 'arn:aws:s3:::central-logs/AWSLogs/111122223333/vpcflowlogs/x.log.gz',
        },
        { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::central-logs' },
      ],
      eventID: 'e-kms-service',
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    };
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::central-logs/AWSLogs/111122223333/*',
        },
      ],
    };
    const [finding] = explainTexts(
      [{ input: 'test.json', text: JSON.stringify({ Records: [delivery] }) }],
      explainContext({ bucketPolicies: new Map([['central-logs', policy]]) }),
    ).findings;
    assert.equal(finding?.cause, 'kms-key');
    assert.ok(!finding?.caveats.some((c) => c.includes("letting the account's IAM policies grant it")));
    const statement = statementsIn(finding?.caveats.find((c) => c.includes('AllowServiceUseOfTheKey')))[0];
    assert.deepEqual(statement?.Principal, { Service: 'delivery.logs.amazonaws.com' });
    assert.deepEqual(statement?.Condition, { StringEquals: { 'aws:SourceAccount': '111122223333' } });
  });
});

describe('findings refused by a KMS key', () => {
  test("a read refused kms:Decrypt on the object's key gets the key policy statement for the reading user", () => {
    const record = deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
      errorMessage: `User: arn:aws:iam::111122223333:user/backup is not authorized to perform: kms:Decrypt on resource: "${KEY}" because no resource-based policy allows the kms:Decrypt action`,
    });
    const context = backupUserContext([
      { Effect: 'Allow', Action: ['s3:GetObject', 'kms:Decrypt'], Resource: ['arn:aws:s3:::data/*', KEY] },
    ]);
    const report = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: [record] }) }], context);
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'kms-key');
    const caveat = finding?.caveats.find((c) => c.startsWith('To let the caller use the key through S3'));
    assert.deepEqual(statementsIn(caveat), [
      {
        Sid: 'AllowUseThroughS3',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:user/backup' },
        Action: ['kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': [VIA_S3] } },
      },
    ]);
    assert.ok(caveat?.includes(`key policy of ${KEY}`));
  });

  test('an upload that names its KMS key is not told about the default key of a request that names none', () => {
    const named = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY,
        Host: 'x',
      },
    });
    const unnamed = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/b.csv', {
      errorMessage: 'Access Denied',
    });
    const context = backupUserContext([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' },
    ]);
    const caveatsOf = (record: Record<string, unknown>) =>
      explainTexts([{ input: 't.json', text: JSON.stringify({ Records: [record] }) }], context).findings[0]
        ?.caveats ?? [];
    const defaultKey = (c: string) => c.startsWith('If the bucket has default SSE-KMS encryption');
    assert.ok(!caveatsOf(named).some(defaultKey), caveatsOf(named).join(' | '));
    // The caller's policies allow s3:PutObject alone: the caveat says they lack the key's use.
    assert.ok(
      caveatsOf(named).some((c) =>
        c.startsWith(`The caller's own policies do not allow kms:GenerateDataKey on ${KEY}`),
      ),
    );
    assert.ok(caveatsOf(unnamed).some(defaultKey));
  });
});

describe("an upload the key policy refused, and the client's clean-up after it", () => {
  // boto3's upload_file: both parts refused at the key (its policy does not allow the user's kms:Decrypt,
  // which the user's own policy does), then its AbortMultipartUpload, which no policy of the user's allows.
  const boto3 = '[Boto3/1.35.36 md/Botocore#1.35.36 Botocore/1.35.36]';
  const params = {
    bucketName: 'data',
    key: 'in/big.bin',
    uploadId: 'u1',
    Host: 'data.s3.eu-west-1.amazonaws.com',
  };
  const part = (partNumber: string, eventTime: string, because: 'resource' | 'identity' = 'resource') =>
    deniedObjectRecord('UploadPart', 's3:PutObject', 'data', 'in/big.bin', {
      userAgent: boto3,
      eventTime,
      errorMessage: `User: arn:aws:iam::111122223333:user/backup is not authorized to perform: kms:Decrypt on resource: "${KEY}" because no ${because}-based policy allows the kms:Decrypt action`,
      requestParameters: { ...params, partNumber },
    });
  const abort = deniedObjectRecord('AbortMultipartUpload', 's3:AbortMultipartUpload', 'data', 'in/big.bin', {
    userAgent: boto3,
    eventTime: '2026-11-27T10:00:05Z',
    requestParameters: params,
  });
  const keyUse = {
    Effect: 'Allow',
    Action: ['s3:PutObject', 'kms:Decrypt'],
    Resource: ['arn:aws:s3:::data/*', KEY],
  };
  const explain = (records: unknown[], statements: unknown[] = [keyUse]) =>
    explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: records }) }],
      backupUserContext(statements),
    ).findings;
  const parts = [part('1', '2026-11-27T10:00:01Z'), part('2', '2026-11-27T10:00:02Z')];

  test('the key is the cause and the upload leads; the clean-up keeps its own fix', () => {
    const [finding, ...others] = explain([...parts, abort]);
    assert.equal(others.length, 0);
    assert.equal(finding?.cause, 'kms-key');
    assert.equal(findingCauseText(finding!).title, 'The KMS key does not allow its use');
    assert.ok(
      finding?.summary.startsWith(
        `user/backup (boto3 1.35.36) was denied s3:PutObject on bucket data: S3 needs kms:Decrypt on the KMS key ${KEY} for it, and the key's policy refuses it (the caller's own policies allow it). The client's clean-up of the failed upload was refused too: s3:AbortMultipartUpload, which no identity-based policy allows. Fix: add s3:AbortMultipartUpload to a new inline policy on user/backup (not verified).`,
      ),
      finding?.summary,
    );
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Action),
      [['s3:AbortMultipartUpload']],
    );
    // Granting the clean-up does not let the upload through: the fix says it may not be enough.
    assert.equal(finding?.fix?.verified, false);
    assert.equal(
      renderSns(finding!).subject,
      'AccessDenied: backup s3:PutObject +1 (needs kms:Decrypt) on data',
    );
    // What the key's refusal says, as without the clean-up: the key policy refuses, and its statement.
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          `The caller's own policies allow kms:Decrypt on ${KEY} (inline): the key policy is what refuses`,
        ),
      ),
      finding?.caveats.join(' | '),
    );
    assert.deepEqual(
      statementsIn(finding?.caveats.find((c) => c.startsWith('To let the caller use the key through S3')))[0]
        ?.Action,
      ['kms:Decrypt'],
    );
    assert.ok(
      !finding?.caveats.some((c) => c.startsWith('For UploadPart, AWS')),
      finding?.caveats.join(' | '),
    );
  });

  test('without the clean-up, the same uploads are the key policy too, and the subject names the key use', () => {
    const [finding] = explain(parts);
    assert.equal(finding?.cause, 'kms-key');
    assert.equal(
      finding?.summary,
      'user/backup (boto3 1.35.36) was denied s3:PutObject on bucket data: the KMS key used for encryption is not usable by the caller.',
    );
    assert.equal(
      renderSns(finding!).subject,
      'AccessDenied: backup s3:PutObject (needs kms:Decrypt) on data',
    );
  });

  test("refused by the caller's policies instead, the key's use is granted with the clean-up, as before", () => {
    const [finding] = explain(
      [part('1', '2026-11-27T10:00:01Z', 'identity'), part('2', '2026-11-27T10:00:02Z', 'identity'), abort],
      [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' }],
    );
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Action),
      [['s3:AbortMultipartUpload'], ['kms:Decrypt']],
    );
    assert.equal(
      renderSns(finding!).subject,
      'AccessDenied: backup s3:PutObject +1 (needs kms:Decrypt) on data',
    );
  });

  test("the key policy refusing, and the caller's policies lacking the key's use too: the key is the cause, as without the clean-up", () => {
    const s3Only = [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' }];
    const [alone] = explain(parts, s3Only);
    const [finding, ...others] = explain([...parts, abort], s3Only);
    assert.equal(others.length, 0);
    assert.equal(alone?.cause, 'kms-key');
    assert.equal(finding?.cause, 'kms-key');
    // The fix grants the clean-up alone: an identity statement for kms:Decrypt does not get past a key
    // policy that refuses it, and is not called enough.
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Action),
      [['s3:AbortMultipartUpload']],
    );
    assert.equal(finding?.fix?.verified, false);
    assert.ok(
      finding?.summary.startsWith(
        `user/backup (boto3 1.35.36) was denied s3:PutObject on bucket data: S3 needs kms:Decrypt on the KMS key ${KEY} for it, and the KMS key used for encryption is not usable by the caller. The client's clean-up of the failed upload was refused too: s3:AbortMultipartUpload, which no identity-based policy allows. Fix: add s3:AbortMultipartUpload to a new inline policy on user/backup (not verified).`,
      ),
      finding?.summary,
    );
    // What the key's refusal says is what it says without the clean-up: the key policy's statement.
    const keyCaveats = (f: typeof finding) =>
      f?.caveats.filter(
        (c) =>
          c.startsWith("AWS's message says the key policy refuses") ||
          c.startsWith('To let the caller use the key through S3'),
      );
    assert.equal(keyCaveats(finding)?.length, 2, finding?.caveats.join(' | '));
    assert.deepEqual(keyCaveats(finding), keyCaveats(alone));
    assert.deepEqual(
      statementsIn(finding?.caveats.find((c) => c.startsWith('To let the caller use the key through S3')))[0]
        ?.Action,
      ['kms:Decrypt'],
    );
    assert.ok(
      !finding?.caveats.some((c) => c.startsWith('The caller was also refused kms:')),
      finding?.caveats.join(' | '),
    );
    assert.equal(
      renderSns(finding!).subject,
      'AccessDenied: backup s3:PutObject +1 (needs kms:Decrypt) on data',
    );
  });

  test("a Deny of the caller's on the key's use is the cause with the clean-up, as without it", () => {
    const statements = [
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' },
      { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' },
    ];
    const [alone] = explain(parts, statements);
    const [finding] = explain([...parts, abort], statements);
    assert.equal(alone?.cause, 'identity-explicit-deny');
    assert.equal(finding?.cause, 'identity-explicit-deny');
    assert.deepEqual(
      finding?.deniedBy.map((d) => d.policyType),
      ['identity'],
    );
    assert.match(finding?.summary ?? '', /for it, and an identity-based policy explicitly denies it\. /);
    assert.equal(finding?.fix?.verified, false);
  });

  test('a clean-up an explicit Deny refuses keeps the Deny as the cause', () => {
    const [finding] = explain(
      [...parts, abort],
      [keyUse, { Effect: 'Deny', Action: 's3:AbortMultipartUpload', Resource: '*' }],
    );
    assert.equal(finding?.cause, 'identity-explicit-deny');
  });
});

describe("a copy refused kms:Decrypt on its source object's key, which AWS's message does not name", () => {
  // The copy names the destination key in its SSE headers (S3 asks it for kms:GenerateDataKey, which the
  // caller's policies allow); AWS refused the read of the source, whose key the record does not show.
  const DESTINATION = 'arn:aws:kms:eu-west-1:111122223333:key/99999999-12ab-34cd-56ef-1234567890ab';
  const boto3 = '[Boto3/1.35.36 md/Botocore#1.35.36 Botocore/1.35.36]';
  const copy = deniedObjectRecord('CopyObject', 's3:PutObject', 'data', 'out/c.csv', {
    userAgent: boto3,
    errorMessage:
      'User: arn:aws:iam::111122223333:user/backup is not authorized to perform: kms:Decrypt on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access',
    requestParameters: {
      bucketName: 'data',
      key: 'out/c.csv',
      'x-amz-copy-source': 'data/in/src.csv',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': DESTINATION,
      Host: 'data.s3.eu-west-1.amazonaws.com',
    },
  });
  const remove = deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'data', 'out/old.csv', {
    userAgent: boto3,
    eventTime: '2026-11-27T10:00:09Z',
  });
  const statements = [
    {
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject', 'kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: ['arn:aws:s3:::data/*', DESTINATION],
    },
  ];
  const explain = (records: unknown[]) =>
    explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: records }) }],
      backupUserContext(statements),
    ).findings;
  const sourceKey =
    "S3 needs kms:Decrypt on the source object's KMS key (AWS's message does not name it, and the record does not show it) for it";

  test("beside a delete no policy allows, the copy leads with the source key's kms:Decrypt, not the destination key", () => {
    const [finding, ...others] = explain([copy, remove]);
    assert.equal(others.length, 0);
    assert.equal(finding?.cause, 'kms-key');
    assert.equal(finding?.unnamedKeyUse, 'kms:Decrypt');
    assert.ok(
      finding?.summary.startsWith(
        `user/backup (boto3 1.35.36) was denied s3:PutObject, s3:GetObject on bucket data: ${sourceKey}, and the KMS key used for encryption is not usable by the caller. It was also denied s3:DeleteObject, which no identity-based policy allows. Fix: add s3:DeleteObject`,
      ),
      finding?.summary,
    );
    assert.ok(!finding?.summary.includes(DESTINATION), finding?.summary);
    assert.ok(!finding?.summary.includes('kms:GenerateDataKey'), finding?.summary);
    assert.equal(
      renderSns(finding!).subject,
      'AccessDenied: backup s3:PutObject +2 (needs kms:Decrypt) on data',
    );
  });

  test('alone, the copy names the same use and key', () => {
    const [finding] = explain([copy]);
    assert.equal(finding?.cause, 'kms-key');
    assert.equal(
      finding?.summary,
      `user/backup (boto3 1.35.36) was denied s3:PutObject, s3:GetObject on bucket data: ${sourceKey}, and the KMS key used for encryption is not usable by the caller.`,
    );
    assert.equal(
      renderSns(finding!).subject,
      'AccessDenied: backup s3:PutObject +1 (needs kms:Decrypt) on data',
    );
  });
});
