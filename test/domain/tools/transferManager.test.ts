/**
 * An AWS SDK transfer manager (user agent feature ft/s3-transfer): its refused upload gets
 * s3:AbortMultipartUpload offered beside the fix, not in it; its refused clean-up alone is said to be one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { isTransferManager, transferManagerCaveat } from '../../../src/domain/tools/transferManager.js';
import { ACCOUNT, backupUserContext, deniedRecord } from '../explain/explainFixtures.js';

const GO_UPLOADER =
  'aws-sdk-go-v2/1.48.0 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/s3#1.114.10 ft/s3-transfer m/G,Z,g';
const GO_PLAIN =
  'aws-sdk-go-v2/1.48.0 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/s3#1.114.10 m/Z,g';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

function call(eventName: string, userAgent: string, key = 'out/big.bin') {
  return deniedRecord({
    eventName,
    userAgent: `[${userAgent}]`,
    errorMessage: 'Access Denied',
    requestParameters: {
      bucketName: 'data',
      key,
      Host: 'data.s3.eu-west-1.amazonaws.com',
      ...(eventName === 'CreateMultipartUpload' ? { uploads: '' } : { uploadId: 'u-1' }),
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` },
      { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
    ],
  });
}

describe('isTransferManager', () => {
  test('reads the ft/s3-transfer feature, in or out of brackets, and nothing like it', () => {
    assert.equal(isTransferManager(GO_UPLOADER), true);
    assert.equal(isTransferManager(`[${GO_UPLOADER}]`), true);
    assert.equal(isTransferManager(GO_PLAIN), false);
    assert.equal(isTransferManager('aws-sdk-go-v2/1.48.0 ft/s3-transferx'), false);
    assert.equal(isTransferManager(undefined), false);
  });
});

describe('transferManagerCaveat', () => {
  const upload = {
    eventName: 'CreateMultipartUpload',
    userAgent: GO_UPLOADER,
    check: { resource: 'arn:aws:s3:::data/out/big.bin', bucket: 'data', key: 'out/big.bin' },
  };
  const put = [{ Effect: 'Allow' as const, Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::data/out/*'] }];
  const refused = () => 'ImplicitlyDenied' as const;

  test('a refused upload: s3:AbortMultipartUpload on what the fix grants, or on what a fix would grant (the directory) when there is none; nothing when the fix grants it', () => {
    assert.match(
      transferManagerCaveat([upload], put, refused) ?? '',
      /The visible policies do not allow s3:AbortMultipartUpload on arn:aws:s3:::data\/out\/\*: add it to the fix's s3:PutObject statement/,
    );
    const noFix = transferManagerCaveat([upload], undefined, refused) ?? '';
    assert.match(
      noFix,
      /do not allow s3:AbortMultipartUpload on arn:aws:s3:::data\/out\/\*: once the upload is let through, grant it too/,
    );
    assert.doesNotMatch(noFix, /big\.bin|beside it/);
    assert.equal(
      transferManagerCaveat(
        [upload],
        [{ ...put[0]!, Action: ['s3:PutObject', 's3:AbortMultipartUpload'] }],
        refused,
      ),
      undefined,
    );
    assert.equal(transferManagerCaveat([{ ...upload, userAgent: GO_PLAIN }], put, refused), undefined);
  });

  test('worded by what the visible policies decide: nothing when they allow it, the Deny when one refuses it, unknown when they are not given', () => {
    const asked: string[] = [];
    assert.equal(
      transferManagerCaveat([upload], put, (resource) => {
        asked.push(resource);
        return 'Allowed';
      }),
      undefined,
    );
    assert.deepEqual(asked, ['arn:aws:s3:::data/out/*']);
    const denied = transferManagerCaveat([upload], put, () => 'ExplicitlyDenied') ?? '';
    assert.match(
      denied,
      /A Deny in the visible policies refuses s3:AbortMultipartUpload on arn:aws:s3:::data\/out\/\*, which no Allow lifts/,
    );
    assert.doesNotMatch(denied, /add it|grant it/);
    assert.match(
      transferManagerCaveat([upload], put) ?? '',
      /The input does not show whether the caller's policies allow s3:AbortMultipartUpload on arn:aws:s3:::data\/out\/\*: if they do not, add it/,
    );
  });
});

describe("a transfer manager's refusals, explained", () => {
  test('a refused CreateMultipartUpload: the fix stays s3:PutObject, and a caveat offers s3:AbortMultipartUpload on the same objects', () => {
    const [finding] = explainTexts(
      text(call('CreateMultipartUpload', GO_UPLOADER)),
      backupUserContext([]),
    ).findings;
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Action),
      [['s3:PutObject']],
    );
    assert.equal(finding?.fix?.verified, true);
    const caveat = finding?.caveats.find((c) => c.includes('ft/s3-transfer')) ?? '';
    assert.match(
      caveat,
      /The visible policies do not allow s3:AbortMultipartUpload on arn:aws:s3:::data\/out\/\*: add it to the fix's s3:PutObject statement/,
    );
    assert.match(caveat, /API_AbortMultipartUpload\.html/);
  });

  test("no caveat when the caller's policies already allow s3:AbortMultipartUpload where the upload goes", () => {
    const [finding] = explainTexts(
      text(call('CreateMultipartUpload', GO_UPLOADER)),
      backupUserContext([
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:AbortMultipartUpload'],
          Resource: 'arn:aws:s3:::data/*',
        },
      ]),
    ).findings;
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Action),
      [['s3:PutObject']],
    );
    assert.ok(!finding?.caveats.some((c) => c.includes('ft/s3-transfer')), finding?.caveats.join(' | '));
  });

  test('an upload a Deny refuses, its clean-up allowed: no caveat; its clean-up only for the refused key: offered on the directory', () => {
    const deny = {
      Effect: 'Deny',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::data/*',
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    };
    const allowed = explainTexts(
      text(call('CreateMultipartUpload', GO_UPLOADER)),
      backupUserContext([
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
          Resource: 'arn:aws:s3:::data/*',
        },
        deny,
      ]),
    ).findings[0];
    assert.equal(allowed?.fix, null);
    assert.ok(!allowed?.caveats.some((c) => c.includes('ft/s3-transfer')), allowed?.caveats.join(' | '));
    const keyOnly = explainTexts(
      text(call('CreateMultipartUpload', GO_UPLOADER)),
      backupUserContext([
        { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' },
        { Effect: 'Allow', Action: 's3:AbortMultipartUpload', Resource: 'arn:aws:s3:::data/out/big.bin' },
        deny,
      ]),
    ).findings[0];
    const caveat = keyOnly?.caveats.find((c) => c.includes('ft/s3-transfer')) ?? '';
    assert.match(
      caveat,
      /The visible policies do not allow s3:AbortMultipartUpload on arn:aws:s3:::data\/out\/\*: once the upload is let through, grant it too/,
    );
  });

  test('a Deny that refuses the clean-up is named as one, never as something to add', () => {
    const [finding] = explainTexts(
      text(call('CreateMultipartUpload', GO_UPLOADER)),
      backupUserContext([
        { Effect: 'Deny', Action: 's3:AbortMultipartUpload', Resource: 'arn:aws:s3:::data/*' },
      ]),
    ).findings;
    const caveat = finding?.caveats.find((c) => c.includes('ft/s3-transfer')) ?? '';
    assert.match(
      caveat,
      /A Deny in the visible policies refuses s3:AbortMultipartUpload on arn:aws:s3:::data\/out\/\*/,
    );
    assert.doesNotMatch(caveat, /add it|grant it/);
  });

  test('the same upload from a plain SDK client gets no such caveat', () => {
    const [finding] = explainTexts(
      text(call('CreateMultipartUpload', GO_PLAIN)),
      backupUserContext([]),
    ).findings;
    assert.ok(
      !finding?.caveats.some((c) => c.includes('AbortMultipartUpload')),
      finding?.caveats.join(' | '),
    );
  });

  test('a refused AbortMultipartUpload alone is said to be the clean-up of an upload that failed for another reason', () => {
    const [finding] = explainTexts(
      text(call('AbortMultipartUpload', GO_UPLOADER)),
      backupUserContext([{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/out/*' }]),
    ).findings;
    assert.ok(
      finding?.caveats.some(
        (c) =>
          c.startsWith('AbortMultipartUpload is the only refused request') &&
          c.includes('that upload failed for another reason'),
      ),
      finding?.caveats.join(' | '),
    );
  });
});
