import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sidWord, withDistinctProfileSids } from '../../../src/domain/explain/profileSids.js';
import type { Finding, PolicyStatement } from '../../../src/domain/explain/report.js';
import { bareFinding } from './explainFixtures.js';

function finding(arn: string, bucket: string, statements: PolicyStatement[], notes: string[] = []): Finding {
  return bareFinding(arn, {
    eventIds: [`${arn}-${bucket}`],
    bucket,
    jobProfile: { tool: 'rclone', operation: 'copy', statements, notes },
  });
}

const list = (bucket: string): PolicyStatement => ({
  Sid: 'RcloneListBucket',
  Effect: 'Allow',
  Action: ['s3:ListBucket'],
  Resource: [`arn:aws:s3:::${bucket}`],
});
const objects = (bucket: string): PolicyStatement => ({
  Sid: 'RcloneObjects',
  Effect: 'Allow',
  Action: ['s3:GetObject', 's3:PutObject'],
  Resource: [`arn:aws:s3:::${bucket}/*`],
});
const sids = (f: Finding | undefined) => f?.jobProfile?.statements.map((s) => s.Sid);
const USER = 'arn:aws:iam::111122223333:user/backup';

describe('withDistinctProfileSids', () => {
  test("a principal's second profile takes its bucket into the Sids the first one used, and its notes follow", () => {
    const out = withDistinctProfileSids([
      finding(USER, 'photos', [list('photos'), objects('photos')]),
      finding(
        USER,
        'backup-bucket.eu',
        [list('backup-bucket.eu'), objects('backup-bucket.eu')],
        ['RcloneObjects: covers the job; RcloneObjectsX is another statement.'],
      ),
    ]);
    assert.deepEqual(sids(out[0]), ['RcloneListBucket', 'RcloneObjects']);
    assert.deepEqual(sids(out[1]), ['RcloneListBucketBackupBucketEu', 'RcloneObjectsBackupBucketEu']);
    assert.deepEqual(out[1]?.jobProfile?.notes, [
      'RcloneObjectsBackupBucketEu: covers the job; RcloneObjectsX is another statement.',
    ]);
    // Everything else is kept.
    assert.deepEqual(out[1]?.jobProfile?.statements[1]?.Resource, ['arn:aws:s3:::backup-bucket.eu/*']);
    assert.equal(out[1]?.eventIds[0], `${USER}-backup-bucket.eu`);
  });

  test('every Sid stays unique across any number of different profiles, the same bucket again included', () => {
    const under = (prefix: string): PolicyStatement => ({
      ...objects('photos'),
      Resource: [`arn:aws:s3:::photos/${prefix}/*`],
    });
    const input = [
      finding(USER, 'photos', [list('photos'), under('2024')]),
      finding(USER, 'photos', [list('photos'), under('2025')]),
      finding(USER, 'photos', [list('photos'), under('2026')]),
    ];
    const all = withDistinctProfileSids(input).flatMap((f) => sids(f) ?? []);
    assert.equal(new Set(all).size, all.length, all.join(', '));
    assert.ok(all.includes('RcloneObjectsPhotos2'));
  });

  test("a profile with the same statements as an earlier one of the principal takes that one's Sids, notes too", () => {
    const out = withDistinctProfileSids([
      finding(USER, 'photos', [list('photos'), objects('photos')]),
      finding(USER, 'logs', [list('logs'), objects('logs')]),
      // The photos job again, in a later time window: the same statements, pasted once.
      finding(
        USER,
        'photos',
        [list('photos'), objects('photos')],
        ['RcloneObjects: the job reads and writes.'],
      ),
      finding(USER, 'logs', [list('logs'), objects('logs')], ['RcloneObjects: the job reads and writes.']),
    ]);
    assert.deepEqual(sids(out[0]), ['RcloneListBucket', 'RcloneObjects']);
    assert.deepEqual(sids(out[1]), ['RcloneListBucketLogs', 'RcloneObjectsLogs']);
    assert.deepEqual(sids(out[2]), ['RcloneListBucket', 'RcloneObjects']);
    assert.deepEqual(out[2]?.jobProfile?.notes, ['RcloneObjects: the job reads and writes.']);
    assert.deepEqual(sids(out[3]), ['RcloneListBucketLogs', 'RcloneObjectsLogs']);
    assert.deepEqual(out[3]?.jobProfile?.notes, ['RcloneObjectsLogs: the job reads and writes.']);
  });

  test('other principals and profiles without a clash are left as they are (the same objects)', () => {
    const input = [
      finding(USER, 'photos', [list('photos'), objects('photos')]),
      finding('arn:aws:iam::111122223333:user/other', 'photos', [list('photos'), objects('photos')]),
      finding(USER, 'logs', [{ ...objects('logs'), Sid: 'AwsCliObjects' }]),
    ];
    const out = withDistinctProfileSids(input);
    out.forEach((f, i) => {
      assert.equal(f, input[i]);
    });
  });

  test("two people of one IAM Identity Center permission set share its policy: the second one's Sids are distinct", () => {
    const role = 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_DataScientist_0123456789abcdef';
    const person = (name: string, bucket: string): Finding => ({
      ...finding(`${role}/${name}`, bucket, [list(bucket), objects(bucket)]),
      principal: { arn: `${role}/${name}`, type: 'IdentityCenter', account: '111122223333' },
    });
    const out = withDistinctProfileSids([person('maria', 'photos'), person('john', 'reports')]);
    assert.deepEqual(sids(out[0]), ['RcloneListBucket', 'RcloneObjects']);
    assert.deepEqual(sids(out[1]), ['RcloneListBucketReports', 'RcloneObjectsReports']);
  });

  test('sidWord keeps only the letters and digits a Sid allows', () => {
    assert.equal(sidWord('acme-backup-nas-06'), 'AcmeBackupNas06');
    assert.equal(sidWord('logs.example.com'), 'LogsExampleCom');
    assert.equal(sidWord(''), '');
  });
});
