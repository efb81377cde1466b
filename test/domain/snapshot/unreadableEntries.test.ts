/**
 * An entry of the snapshot that says something is attached to a user (a managed policy, a boundary, a
 * group) but cannot be read is said, and taken as something the snapshot lacks: the caller's fixes are
 * then not verified, as for a policy missing from the snapshot, rather than verified without it.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { explainFiles } from '../../../src/app/explainFiles.js';
import { temporaryDirectory } from '../../temporaryDirectory.js';

const SAMPLE = join(import.meta.dirname, '../../../events/01-rclone-copy-listbucket');
const dir = temporaryDirectory('unreadable-entries-');

type User = Record<string, unknown> & { UserName: string };

async function explainWithUser(name: string, change: (user: User) => void) {
  const copy = join(dir(), name);
  mkdirSync(copy);
  copyFileSync(join(SAMPLE, 'event.json'), join(copy, 'event.json'));
  const authz = JSON.parse(readFileSync(join(SAMPLE, 'authz.json'), 'utf8')) as { UserDetailList: User[] };
  change(authz.UserDetailList.find((u) => u.UserName === 'rclone-backup')!);
  writeFileSync(join(copy, 'authz.json'), JSON.stringify(authz));
  const result = await explainFiles([join(copy, 'event.json')], {
    accountSnapshot: join(copy, 'authz.json'),
  });
  assert.ok(result.ok);
  return result.report;
}

test('a boundary, a managed policy or a group that cannot be read is warned of, and the fix is not verified', async () => {
  const cases: [string, (user: User) => void, RegExp][] = [
    [
      'boundary',
      (u) => Object.assign(u, { PermissionsBoundary: 'x' }),
      /PermissionsBoundary: an entry without a PermissionsBoundaryArn string cannot be read/,
    ],
    [
      'attached',
      (u) => Object.assign(u, { AttachedManagedPolicies: [{ PolicyName: 5 }] }),
      /AttachedManagedPolicies\[0\]: an entry without a PolicyArn string cannot be read/,
    ],
    [
      'attachedNotList',
      (u) => Object.assign(u, { AttachedManagedPolicies: 'BackupWriter' }),
      /AttachedManagedPolicies: expected a list, got a string/,
    ],
    [
      'group',
      (u) => Object.assign(u, { GroupList: [5] }),
      /GroupList\[0\]: a group name that is not a string cannot be read/,
    ],
  ];
  const baseline = await explainWithUser('as-is', () => undefined);
  assert.equal(baseline.findings[0]?.fix?.verified, true);
  assert.equal(baseline.warnings, undefined);
  for (const [name, change, warning] of cases) {
    const report = await explainWithUser(name, change);
    const entry = report.warnings?.find((w) => w.code === 'snapshot.entryInvalid');
    assert.match(entry?.message ?? '', warning, name);
    assert.match(entry?.message ?? '', /so the principal's fixes are not verified$/, name);
    assert.equal(report.findings[0]?.fix?.verified, false, name);
  }
});
