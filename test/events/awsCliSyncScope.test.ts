/**
 * `aws s3 sync site s3://web/site/` with one changed file, refused its upload (aws-cli 2.9.19 against
 * moto, recorded): the sync first listed its whole path (`prefix=site/`, no delimiter), then uploaded only
 * `site/css/main.css`. The job profile covers the path the sync listed, where the next run changes other
 * files, and its s3:prefix note names that listing, not the changed file's folder. And `aws s3 sync
 * s3://src-bkt/in/ s3://dst-bkt/out/ --delete`, refused its deletes: the copies read in src-bkt, so the
 * destination's profile takes the writes and deletes only, and the source gets the reads. And `aws s3
 * sync s3://r10-bucket/src/ s3://r10-bucket/dst/` (or into `s3://r10-other/dst/`) with one changed file
 * under `src/sub/`, refused its copy (aws-cli 2.9.19 against moto, recorded): the sync listed `src/`
 * whole, and the copies' source in the profile is that path, where the next run reads other files.
 *
 * @see https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/sync.html
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { explainScenario } from './explainScenario.js';

describe('aws s3 sync refused the upload of one changed file', () => {
  test("the job profile covers the sync's listed path, and the fix only the refused file's folder", async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'aws-cli-sync-changed-file'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const [finding] = report.findings;
    assert.deepEqual(
      finding?.fix?.statements.flatMap((s) => s.Resource),
      ['arn:aws:s3:::web/site/css/*'],
    );
    const puts = finding?.jobProfile?.statements.find((s) => s.Action.includes('s3:PutObject'));
    assert.deepEqual(puts?.Resource, ['arn:aws:s3:::web/site/*']);
    assert.ok(
      finding?.jobProfile?.notes.some((n) =>
        n.includes('lists the path it was given (`prefix=site/`, as its listing in the input shows)'),
      ),
      finding?.jobProfile?.notes.join('\n'),
    );
  });

  test('a sync between buckets refused its deletes: no s3:GetObject on the destination, the reads on the source', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'aws-cli-sync-delete-between-buckets'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const [finding] = report.findings;
    assert.equal(finding?.bucket, 'dst-bkt');
    const statements = finding?.jobProfile?.statements ?? [];
    const on = (resource: string) =>
      statements.filter((s) => s.Resource.includes(resource)).flatMap((s) => s.Action);
    assert.deepEqual(on('arn:aws:s3:::dst-bkt/out/*').sort(), [
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:PutObject',
    ]);
    assert.deepEqual(on('arn:aws:s3:::src-bkt/in/*'), ['s3:GetObject']);
  });

  test("an upload refused after a sync between buckets gets no reads in the sync's source bucket", async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'aws-cli-sync-delete-between-buckets'),
      ['sync-then-upload-event.json'],
    );
    const [finding] = report.findings;
    assert.equal(finding?.bucket, 'dst-bkt');
    const resources = finding?.jobProfile?.statements.flatMap((s) => s.Resource) ?? [];
    assert.ok(resources.length > 0);
    assert.ok(!resources.some((r) => r.startsWith('arn:aws:s3:::src-bkt')), resources.join(', '));
  });
});

describe('aws s3 sync from S3 refused the copy of one changed file under src/sub/', () => {
  const fixtures = join(import.meta.dirname, '..', 'fixtures', 'aws-cli-sync-from-s3');
  const profileOf = async (trail: string, snapshot: string) => {
    const report = await explainScenario(fixtures, [trail, '--account-snapshot', snapshot]);
    assert.equal(report.findings.length, 1);
    return report.findings[0]?.jobProfile?.statements.map((s) => [s.Sid, s.Action, s.Resource]);
  };

  test("within the bucket: the copies read the sync's listed source path, not the changed file's folder", async () => {
    assert.deepEqual(await profileOf('within-bucket.json', 'within-bucket-authz.json'), [
      ['AwsCliListBucket', ['s3:ListBucket'], ['arn:aws:s3:::r10-bucket']],
      ['AwsCliObjects', ['s3:AbortMultipartUpload', 's3:PutObject'], ['arn:aws:s3:::r10-bucket/dst/*']],
      ['AwsCliCopySource', ['s3:GetObject'], ['arn:aws:s3:::r10-bucket/src/*']],
    ]);
  });

  test("between buckets: the source bucket's reads cover the sync's listed path there", async () => {
    assert.deepEqual(await profileOf('between-buckets.json', 'between-buckets-authz.json'), [
      ['AwsCliListBucket', ['s3:ListBucket'], ['arn:aws:s3:::r10-other']],
      ['AwsCliObjects', ['s3:AbortMultipartUpload', 's3:PutObject'], ['arn:aws:s3:::r10-other/dst/*']],
      ['AwsCliSourceListBucket', ['s3:ListBucket'], ['arn:aws:s3:::r10-bucket']],
      ['AwsCliSourceObjects', ['s3:GetObject'], ['arn:aws:s3:::r10-bucket/src/*']],
    ]);
  });
});
