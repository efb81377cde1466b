/**
 * `rclone sync moto:src-bkt/s moto:dst-bkt/d` (rclone 1.75.2 against moto, recorded), refused its root
 * checks on both buckets and a delete in the destination: its server-side copy read src-bkt/s/a.txt with
 * success, and nothing was written into src-bkt, so src-bkt's profile only reads (listing, GetObject, the
 * root check); dst-bkt's takes the writes and deletes.
 *
 * @see https://rclone.org/s3/#s3-server-side-copy
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { explainScenario } from './explainScenario.js';

describe('rclone sync from one bucket to another', () => {
  test("the source bucket's profile reads only; the destination's writes", async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'rclone-sync-between-buckets'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const byBucket = new Map(report.findings.map((f) => [f.bucket, f]));
    const source = byBucket.get('src-bkt');
    const granted = (f: typeof source) => new Set(f?.jobProfile?.statements.flatMap((s) => s.Action));
    assert.deepEqual([...granted(source)].sort(), ['s3:GetObject', 's3:ListBucket']);
    assert.ok(source?.jobProfile?.notes.some((n) => n.startsWith('Server-side copies read from this path')));
    const destination = byBucket.get('dst-bkt');
    assert.ok(granted(destination).has('s3:PutObject'));
    assert.ok(granted(destination).has('s3:DeleteObject'));
  });
});
