/**
 * explain on refusals of Hadoop's S3A connector (user agent `Hadoop <version>, aws-sdk-java/…`): the
 * refused HEAD of a parent directory's key gets S3A's profile for the directory the job works in.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import {
  ACCOUNT,
  backupUserContext,
  deniedObjectRecord,
  deniedRecord,
  succeededListing,
} from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const UA =
  '[Hadoop 3.3.6, aws-sdk-java/1.12.367 Linux/6.1.0-28-amd64 OpenJDK_64-Bit_Server_VM/17.0.15+6 java/17.0.15]';

describe("S3A's job profile in findings", () => {
  test('a put refused the HEAD of its directory: the reader profile of the directory, with its parents', () => {
    const head = deniedObjectRecord('HeadObject', 's3:GetObject', 'data', 'warehouse/sales', {
      userAgent: UA,
    });
    const probe = succeededListing('warehouse/sales/a.txt/', { userAgent: UA, delimiter: '/' });
    const context = backupUserContext([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: 'arn:aws:s3:::data/warehouse/sales/*',
      },
    ]);
    const [finding] = explainTexts(text(probe, head), context).findings;
    assert.equal(finding?.client.tool, 'other');
    assert.equal(finding?.jobProfile?.tool, 'hadoop-s3a');
    assert.deepEqual(
      finding?.jobProfile?.statements.map((s) => [s.Sid, s.Resource]),
      [
        ['S3aBucket', ['arn:aws:s3:::data']],
        ['S3aParentDirectories', ['arn:aws:s3:::data/warehouse', 'arn:aws:s3:::data/warehouse/']],
        [
          'S3aDirectory',
          [
            'arn:aws:s3:::data/warehouse/sales',
            'arn:aws:s3:::data/warehouse/sales/',
            'arn:aws:s3:::data/warehouse/sales/*',
          ],
        ],
      ],
    );
  });

  test("the refused HEAD of a parent's key is granted on that key alone, not on the directory above it", () => {
    const context = backupUserContext([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: 'arn:aws:s3:::data/warehouse/sales/*',
      },
    ]);
    const head = () =>
      deniedObjectRecord('HeadObject', 's3:GetObject', 'data', 'warehouse/sales', { userAgent: UA });
    // Listed below the key: S3A checking a parent of its paths.
    const probe = succeededListing('warehouse/sales/dt=2026-11-28/', { userAgent: UA, delimiter: '/' });
    const [checked] = explainTexts(text(probe, head()), context).findings;
    assert.deepEqual(checked?.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::data/warehouse/sales'] },
    ]);
    assert.equal(checked?.fix?.verified, true);
    assert.ok(
      checked?.caveats.some((c) => c.startsWith('The HEAD of data/warehouse/sales is S3A checking a parent')),
    );
    // Without a listing below it, the key is a file like any other: the directory rule.
    const [plain] = explainTexts(text(head()), context).findings;
    assert.deepEqual(plain?.fix?.statements[0]?.Resource, ['arn:aws:s3:::data/warehouse/*']);
    assert.ok(!plain?.caveats.some((c) => c.includes('S3A checking a parent')));
  });

  test('the same refusal from another Java client gets no S3A profile', () => {
    const head = deniedRecord({
      eventName: 'GetObject',
      userAgent: '[aws-sdk-java/1.12.367 Linux/6.1.0-28-amd64]',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/warehouse/sales" because no identity-based policy allows the s3:GetObject action`,
      requestParameters: { bucketName: 'data', key: 'warehouse/sales', Host: 'x' },
    });
    const [finding] = explainTexts(text(head), backupUserContext([])).findings;
    assert.equal(finding?.jobProfile, null);
  });
});
