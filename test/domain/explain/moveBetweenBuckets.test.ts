/**
 * `aws s3 mv --recursive s3://src/out/ s3://dst/in/` whose deletes on the source were refused: its copies
 * into the other bucket succeeded, and the source's profile grants their writes there too, so that the
 * profile applied alone lets the job finish (as the mirror case, copies refused, grants the source).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, backupUserContext, deniedObjectRecord, deniedRecord } from './explainFixtures.js';

const MV_AGENT =
  '[aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.1.115 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.mv]';

const succeeded = (eventName: string, bucket: string, parameters: Record<string, string>) =>
  deniedRecord({
    eventName,
    userAgent: MV_AGENT,
    errorCode: undefined,
    errorMessage: undefined,
    requestParameters: { bucketName: bucket, Host: 'x', ...parameters },
    resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }],
  });

function explainMove(copies: readonly (readonly [string, string])[]) {
  const records = [
    succeeded('ListObjects', 'src', { 'list-type': '2', prefix: 'out/' }),
    ...copies.map(([to, from]) => succeeded('CopyObject', 'dst', { key: to, 'x-amz-copy-source': from })),
    deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'src', 'out/sub/b.txt', { userAgent: MV_AGENT }),
    deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'src', 'out/a.txt', { userAgent: MV_AGENT }),
  ];
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: records }) }],
    backupUserContext([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::src' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::src/out/*' },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::dst/in/*' },
    ]),
  );
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

describe('aws s3 mv --recursive between buckets, refused its deletes on the source', () => {
  test("the source's profile writes where the recorded copies went in the other bucket", () => {
    const finding = explainMove([
      ['in/a.txt', 'src/out/a.txt'],
      ['in/sub/b.txt', 'src/out/sub/b.txt'],
    ]);
    assert.equal(finding.bucket, 'src');
    const profile = finding.jobProfile;
    assert.equal(profile?.command, 's3.mv');
    assert.equal(profile?.partial, undefined);
    assert.deepEqual(
      profile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['AwsCliListBucket', ['s3:ListBucket'], ['arn:aws:s3:::src']],
        ['AwsCliObjects', ['s3:DeleteObject', 's3:GetObject'], ['arn:aws:s3:::src/out/*']],
        ['AwsCliMoveDestination', ['s3:AbortMultipartUpload', 's3:PutObject'], ['arn:aws:s3:::dst/in/*']],
      ],
    );
    assert.match(
      profile?.notes[0] ?? '',
      /The copies went to "dst\/in\/" in another bucket, which needs s3:PutObject/,
    );
  });

  test('copies of other directories of the bucket (another command) are not taken for the move', () => {
    const finding = explainMove([
      ['in/a.txt', 'src/out/a.txt'],
      ['in/sub/b.txt', 'src/out/sub/b.txt'],
      ['elsewhere/c.txt', 'src/other/c.txt'],
    ]);
    assert.deepEqual(
      finding.jobProfile?.statements.find((s) => s.Sid === 'AwsCliMoveDestination')?.Resource,
      ['arn:aws:s3:::dst/in/*'],
    );
  });
});
