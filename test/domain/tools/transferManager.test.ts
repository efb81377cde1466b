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
    check: { resource: 'arn:aws:s3:::data/out/big.bin' },
  };
  const put = [{ Effect: 'Allow' as const, Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::data/out/*'] }];

  test('a refused upload: s3:AbortMultipartUpload on what the fix grants, or on the refused objects when there is no fix; nothing when the fix grants it', () => {
    assert.match(
      transferManagerCaveat([upload], put) ?? '',
      /add s3:AbortMultipartUpload on arn:aws:s3:::data\/out\/\* beside it/,
    );
    assert.match(
      transferManagerCaveat([upload], undefined) ?? '',
      /Once the upload is let through, add s3:AbortMultipartUpload on arn:aws:s3:::data\/out\/big\.bin/,
    );
    assert.equal(
      transferManagerCaveat([upload], [{ ...put[0]!, Action: ['s3:PutObject', 's3:AbortMultipartUpload'] }]),
      undefined,
    );
    assert.equal(transferManagerCaveat([{ ...upload, userAgent: GO_PLAIN }], put), undefined);
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
    assert.match(caveat, /add s3:AbortMultipartUpload on arn:aws:s3:::data\/out\/\* beside it/);
    assert.match(caveat, /API_AbortMultipartUpload\.html/);
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
