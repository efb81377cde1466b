/**
 * What a reader triages on: the summary and the SNS subject lead with the actions the fix grants, not
 * with a refusal it leaves alone (scenario 25: rclone's check of the job's root, refused and harmless,
 * beside the deletes the fix grants). What a reader of an SCP refusal can do without the SCPs (scenario 45).
 * A tool profile that says what it leaves out (s3fs mounted with a default ACL), and one that stays where
 * the refused keys are though a listing of the caller's is wider (aws s3 rm).
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { renderSns } from '../../src/domain/render/sns.js';
import { temporaryDirectory } from '../temporaryDirectory.js';
import { explainScenario } from './explainScenario.js';

describe('a finding whose first refusal is one the fix leaves alone (scenario 25)', () => {
  test('the summary and the SNS subject lead with what the fix grants', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', '..', 'events', '25-rclone-sync-root-check'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const [finding] = report.findings;
    assert.deepEqual(
      finding?.fix?.statements.flatMap((s) => s.Action),
      ['s3:DeleteObject'],
    );
    // The root check's HEAD came first in the trail.
    assert.equal(finding?.requests[0]?.action, 's3:GetObject');
    assert.match(finding?.summary ?? '', /was denied s3:DeleteObject, s3:GetObject on bucket family-archive/);
    const message = renderSns(finding!);
    assert.equal(message?.subject, 'AccessDenied: nas-mirror s3:DeleteObject +1 on family-archive');
  });
});

describe("a missing Allow AWS's message puts in an SCP, with no SCPs given (scenario 45 without --scp)", () => {
  test('the caveat says an allow list lacks the action, who can add it, and how to give the levels', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', '..', 'events', '45-scp-allow-list-restore'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'scp-missing-allow');
    assert.equal(finding?.fix, null);
    const caveat = finding?.caveats.find((c) => c.includes('which are not given here (--scp)')) ?? '';
    assert.match(
      caveat,
      /an allow list at one level \(the organization's root, an OU or this account\) lacks s3:RestoreObject/,
    );
    assert.match(
      caveat,
      /Only the organization's management account, or a delegated administrator, can add it there/,
    );
    assert.match(
      caveat,
      /aws organizations list-policies-for-target --target-id 111122223333 --filter SERVICE_CONTROL_POLICY/,
    );
    assert.match(caveat, /`aws organizations describe-policy --policy-id …` gives each, as --scp reads it/);
  });
});

describe('a refusal a tool profile does not model (s3fs mounted with default_acl)', () => {
  const dir = temporaryDirectory('pa-s3fs-deny-');
  test('refused by an explicit Deny instead, it is no grant to add to the profile: no such note', async () => {
    const fixture = join(import.meta.dirname, '..', 'fixtures', 's3fs-default-acl');
    copyFileSync(join(fixture, 'event.json'), join(dir(), 'event.json'));
    copyFileSync(join(fixture, 'authz.json'), join(dir(), 'authz.json'));
    writeFileSync(
      join(dir(), 'bucket-policy.json'),
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'NoAcls',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObjectAcl',
            Resource: 'arn:aws:s3:::acme-share/*',
          },
        ],
      }),
    );
    const [finding] = (
      await explainScenario(dir(), [
        'event.json',
        '--account-snapshot',
        'authz.json',
        '--bucket-policy',
        'acme-share=bucket-policy.json',
      ])
    ).findings;
    assert.equal(finding?.cause, 'resource-policy-explicit-deny');
    assert.ok(
      !(finding?.jobProfile?.notes ?? []).some((n) => n.includes('refused too but is not in this profile')),
    );
  });

  test('the profile says the refused action is not in it, and why it may be needed', async () => {
    const report = await explainScenario(join(import.meta.dirname, '..', 'fixtures', 's3fs-default-acl'), [
      'event.json',
      '--account-snapshot',
      'authz.json',
    ]);
    const [finding] = report.findings;
    assert.ok(finding?.jobProfile !== null && finding?.jobProfile !== undefined);
    assert.ok(!finding.jobProfile.statements.some((s) => s.Action.includes('s3:PutObjectAcl')));
    assert.ok(
      finding.jobProfile.notes.includes(
        's3:PutObjectAcl was refused too but is not in this profile, which does not model the setting of the job that needs it (a tag or an ACL on what it writes, for example): add it to the profile if the job keeps that setting.',
      ),
      finding.jobProfile.notes.join('\n'),
    );
  });
});

describe('aws s3 rm refused two deletes in logs/app/, with a listing of logs/ in the input', () => {
  test('the profile stays where the refused keys are, with the listing of the rm itself', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'aws-cli-rm-recursive'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const [finding] = report.findings;
    assert.deepEqual(
      finding?.jobProfile?.statements.map((s) => [s.Action, s.Resource]),
      [
        [['s3:ListBucket'], ['arn:aws:s3:::acme-reports']],
        [['s3:DeleteObject'], ['arn:aws:s3:::acme-reports/logs/app/*']],
      ],
    );
  });
});

describe('aws s3 rm refused two deletes, after an aws s3 ls of the bucket by the same caller', () => {
  const dir = temporaryDirectory('pa-rm-after-ls-');
  test("the listing is the ls command's: the rm profile grants no s3:ListBucket and says why", async () => {
    const fixture = join(import.meta.dirname, '..', 'fixtures', 'aws-cli-rm-recursive');
    const trail = JSON.parse(readFileSync(join(fixture, 'event.json'), 'utf8')) as {
      Records: { eventName: string; userAgent: string }[];
    };
    for (const record of trail.Records)
      if (record.eventName === 'ListObjects')
        record.userAgent = record.userAgent.replace('md/command#s3.rm', 'md/command#s3.ls');
    writeFileSync(join(dir(), 'event.json'), JSON.stringify(trail));
    copyFileSync(join(fixture, 'authz.json'), join(dir(), 'authz.json'));
    const [finding] = (await explainScenario(dir(), ['event.json', '--account-snapshot', 'authz.json']))
      .findings;
    assert.deepEqual(
      finding?.jobProfile?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:DeleteObject'], ['arn:aws:s3:::acme-reports/logs/app/*']]],
    );
    assert.ok(
      finding?.jobProfile?.notes.some((n) => n.includes('no listing by `aws s3 rm` is in the input')),
      finding?.jobProfile?.notes.join('\n'),
    );
  });
});

describe('rclone v1.74.3 sync refused a delete, after its root check was answered "no such key" (a real run against moto)', () => {
  test('the profile grants that root check: applied alone, it would otherwise stop the job at start', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'rclone-sync-root-answered'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const [finding] = report.findings;
    assert.deepEqual(
      finding?.jobProfile?.statements.map((s) => [s.Sid, s.Resource]),
      [
        ['RcloneListBucket', ['arn:aws:s3:::bkt']],
        ['RcloneObjects', ['arn:aws:s3:::bkt/daily/*']],
        ['RcloneRootCheck', ['arn:aws:s3:::bkt/daily']],
      ],
    );
  });
});

describe('rclone sync --backup-dir in the same bucket, refused its deletes before any upload (a real run against moto)', () => {
  test('is a sync with a backup directory, not a server-side move: the sync set on its path, the copy set on the backup', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'rclone-sync-backup-dir-deletes'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const [finding] = report.findings;
    assert.equal(finding?.jobProfile?.operation, 'sync');
    assert.deepEqual(
      finding?.jobProfile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['RcloneListBucket', ['s3:ListBucket'], ['arn:aws:s3:::bkt']],
        [
          'RcloneObjects',
          ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::bkt/daily/*'],
        ],
        [
          'RcloneCopyDestination',
          ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::bkt/old/*'],
        ],
        ['RcloneRootCheck', ['s3:GetObject'], ['arn:aws:s3:::bkt/daily', 'arn:aws:s3:::bkt/old']],
      ],
    );
    assert.match(finding?.jobProfile?.notes[0] ?? '', /`rclone sync --backup-dir`/);
  });
});

describe('an SSE-KMS upload whose message names kms:GenerateDataKey "on this resource" (no key; scenario 47 so worded)', () => {
  const dir = temporaryDirectory('pa-kms-unnamed-');
  test('the finding names the key use (unnamedKeyUse), and the SNS subject says the upload needs it', async () => {
    const sample = join(
      import.meta.dirname,
      '..',
      '..',
      'events',
      '47-sse-kms-default-key-no-kms-permission',
    );
    const record = JSON.parse(readFileSync(join(sample, 'event.json'), 'utf8')) as { errorMessage: string };
    record.errorMessage =
      'User: arn:aws:iam::111122223333:user/report-exporter is not authorized to perform: kms:GenerateDataKey on this resource because no identity-based policy allows the kms:GenerateDataKey action';
    writeFileSync(join(dir(), 'event.json'), JSON.stringify(record));
    copyFileSync(join(sample, 'authz.json'), join(dir(), 'authz.json'));
    const [finding] = (await explainScenario(dir(), ['event.json', '--account-snapshot', 'authz.json']))
      .findings;
    assert.equal(finding?.unnamedKeyUse, 'kms:GenerateDataKey');
    assert.equal(
      renderSns(finding!).subject,
      'AccessDenied: report-exporter s3:PutObject (needs kms:GenerateDataKey) on finance-reports',
    );
  });
});

describe('rclone move --no-traverse between two directories of a bucket, refused its deletes (a real run against moto)', () => {
  test('makes the same calls as a --backup-dir sync: the wider profile, whose note says what the move does not need', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'rclone-move-no-traverse'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const profile = report.findings[0]?.jobProfile;
    assert.match(
      profile?.notes[0] ?? '',
      /A server-side `rclone move --no-traverse` between the two directories makes the same calls .* if the job is that move, it needs no s3:PutObject or s3:AbortMultipartUpload on the directory it deletes from\.$/,
    );
    // Either job finishes with it: the move's source side is inside the sync's set.
    assert.deepEqual(profile?.statements.find((s) => s.Sid === 'RcloneObjects')?.Action, [
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
  });
});

describe('rclone moveto in/a.txt out/a.txt server-side, refused its source delete, with no listing (a real run against moto)', () => {
  test('is a move, not a --backup-dir sync (a sync lists the directory it deletes from): no upload on the source', async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'rclone-moveto-delete-refused'),
      ['event.json', '--account-snapshot', 'authz.json'],
    );
    const [finding] = report.findings;
    assert.deepEqual(finding?.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: ['arn:aws:s3:::bkt/in/*'] },
    ]);
    assert.equal(finding?.jobProfile?.operation, 'move');
    assert.deepEqual(
      finding?.jobProfile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['RcloneListBucket', ['s3:ListBucket'], ['arn:aws:s3:::bkt']],
        ['RcloneMoveSource', ['s3:DeleteObject', 's3:GetObject'], ['arn:aws:s3:::bkt/in/*']],
        [
          'RcloneMoveDestination',
          ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject', 's3:PutObjectAcl'],
          ['arn:aws:s3:::bkt/out/*'],
        ],
      ],
    );
    assert.match(
      finding?.jobProfile?.notes[0] ?? '',
      /a server-side `rclone move` \(or `moveto` of one file\)/,
    );
  });
});

describe('the same --backup-dir sync, its upload also refused its SSE-KMS key', () => {
  test("the profile's key statement covers every directory the profile writes (the backup too) and the bucket (Bucket Keys)", async () => {
    const report = await explainScenario(
      join(import.meta.dirname, '..', 'fixtures', 'rclone-sync-backup-dir-deletes'),
      ['event-sse-kms.json', '--account-snapshot', 'authz.json'],
    );
    const key = report.findings[0]?.jobProfile?.statements.find((s) => s.Sid === 'KmsKeyThroughS3');
    assert.deepEqual(key?.Condition?.StringLike?.['kms:EncryptionContext:aws:s3:arn'], [
      'arn:aws:s3:::bkt',
      'arn:aws:s3:::bkt/daily/*',
      'arn:aws:s3:::bkt/old/*',
    ]);
  });
});

describe('the SCP caveat built from a record whose account is not an account ID', () => {
  const dir = temporaryDirectory('pa-scp-account-');
  test('names no value from the record in the command, but a placeholder', async () => {
    const sample = join(import.meta.dirname, '..', '..', 'events', '45-scp-allow-list-restore');
    const record = JSON.parse(readFileSync(join(sample, 'event.json'), 'utf8')) as {
      userIdentity: { accountId: string };
    };
    record.userIdentity.accountId = '111122223333 $(touch /tmp/pwned)';
    writeFileSync(join(dir(), 'event.json'), JSON.stringify(record));
    copyFileSync(join(sample, 'authz.json'), join(dir(), 'authz.json'));
    const report = await explainScenario(dir(), ['event.json', '--account-snapshot', 'authz.json']);
    const caveats = report.findings.flatMap((f) => f.caveats).join('\n');
    assert.doesNotMatch(caveats, /\$\(touch/);
    assert.match(caveats, /list-policies-for-target --target-id ACCOUNT --filter SERVICE_CONTROL_POLICY/);
  });
});

describe('an S3 setting refusal (scenario 34) whose caller has a policy the snapshot lacks', () => {
  const dir = temporaryDirectory('pa-setting-first-');
  test('the setting note is still the first caveat, which the cause points to', async () => {
    const sample = join(import.meta.dirname, '..', '..', 'events', '34-terraform-block-public-policy');
    copyFileSync(join(sample, 'event.json'), join(dir(), 'event.json'));
    const authz = JSON.parse(readFileSync(join(sample, 'authz.json'), 'utf8')) as {
      RoleDetailList: { RoleName: string; AttachedManagedPolicies: unknown[] }[];
    };
    authz.RoleDetailList[0]?.AttachedManagedPolicies.push({
      PolicyName: 'Missing',
      PolicyArn: 'arn:aws:iam::111122223333:policy/Missing',
    });
    writeFileSync(join(dir(), 'authz.json'), JSON.stringify(authz));
    const [finding] = (await explainScenario(dir(), ['event.json', '--account-snapshot', 'authz.json']))
      .findings;
    assert.equal(finding?.cause, 's3-setting');
    assert.match(finding?.caveats[0] ?? '', /^AWS's message names S3 Block Public Access/);
    assert.ok(finding?.caveats.some((c) => c.startsWith('Policy arn:aws:iam::111122223333:policy/Missing')));
  });
});
