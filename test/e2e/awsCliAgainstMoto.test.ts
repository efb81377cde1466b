/**
 * aws-cli v2 (Debian's 2.9.19, installed by `npm run test:deps`) runs `aws s3 sync` against moto with IAM
 * enforced; `explain` reads the CloudTrail events of its calls (written by the recording proxy, as moto
 * does not log S3 data events) and moto's account snapshot; the test applies what explain proposed and
 * runs the same command again.
 *
 * aws-cli v2 puts the command in its user agent (`command/s3.sync` in 2.9, `md/command#s3.sync` in later
 * releases), which is how explain knows the job; aws-cli v1 sends no command (checked with 1.46.3), so
 * v1 runs get a fix but no job profile.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, ListBucketsCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import type { PolicyStatement } from '../../src/domain/explain/report.js';
import {
  awsSdkEnvironment,
  type ClientRun,
  cleanEnvironment,
  MotoAccount,
  type MotoUser,
  onlyFinding,
  readOnlyPolicy,
  writeSampleData,
} from '../support/motoAccount.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const BUCKET = 'cli-bucket';
/** Debian's package installs aws-cli v2 here; a pip-installed v1 may come first on the PATH. */
const AWS = process.env.PA_TEST_AWS_CLI ?? (existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws');

const objectsPolicy = (actions: readonly string[], resource: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: [...actions], Resource: resource }],
});

describe('aws-cli against moto: explain, apply, run again', () => {
  const dir = temporaryDirectory('pa-awscli-moto-');
  let account: MotoAccount;

  before(async () => {
    account = await MotoAccount.start(dir(), [BUCKET]);
    const version = await account.runClient(AWS, ['--version'], { cwd: dir(), env: cleanEnvironment() });
    if (!version.output.startsWith('aws-cli/2.'))
      throw new Error(
        `these tests need aws-cli v2 (${AWS}; npm run test:deps installs it, PA_TEST_AWS_CLI names another): found ${version.output}`,
      );
    await writeSampleData(dir());
  });

  after(async () => {
    await account?.stop();
  });

  /** Runs `aws ARGS` as `user` against moto through the recorder, with IAM enforced. */
  function aws(user: MotoUser, args: readonly string[]): Promise<ClientRun> {
    return account.runClient(AWS, ['--endpoint-url', account.recorder.endpoint, ...args], {
      cwd: dir(),
      env: awsSdkEnvironment(user, dir()),
    });
  }

  let writer: MotoUser;

  test('aws s3 sync with PutObject + GetObject fails on the listing; the s3:ListBucket explain adds to the policy lets the same sync finish', async () => {
    writer = await account.createUser(
      'cli-backup',
      'CliBackupWriter',
      objectsPolicy(['s3:PutObject', 's3:GetObject'], `arn:aws:s3:::${BUCKET}/*`),
    );
    const failed = await aws(writer, ['s3', 'sync', 'data', `s3://${BUCKET}/cli/`]);
    assert.notEqual(failed.code, 0, 'the sync must fail before the fix');
    assert.match(failed.output, /AccessDenied/);

    const finding = onlyFinding(await account.explainRun(writer, failed, 'sync-list-denied'));
    assert.equal(finding.client.tool, 'aws-cli');
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.deepEqual(
      [...new Set(finding.requests.map((r) => [r.eventName, r.action, r.resource].join(' ')))],
      [`ListObjects s3:ListBucket arn:aws:s3:::${BUCKET}`],
    );
    const fix = finding.fix;
    assert.ok(fix?.verified);
    assert.equal(fix.policyArn, writer.policyArn);
    assert.deepEqual(
      fix.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]]],
    );
    assert.equal(finding.jobProfile?.command, 's3.sync');

    await account.setPolicyVersion(writer, fix.newDocument);
    const again = await aws(writer, ['s3', 'sync', 'data', `s3://${BUCKET}/cli/`]);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'cli/'), ['cli/a.txt', 'cli/sub/b.txt']);
  });

  test('aws s3 sync --delete then fails deleting a stale object; explain grants s3:DeleteObject on cli/* and the sync finishes', async () => {
    assert.ok(writer !== undefined, 'runs after the first test');
    await account.putObjects(BUCKET, ['cli/stale.txt'], 'old\n');
    const failed = await aws(writer, ['s3', 'sync', '--delete', 'data', `s3://${BUCKET}/cli/`]);
    assert.notEqual(failed.code, 0);

    const finding = onlyFinding(await account.explainRun(writer, failed, 'sync-delete-denied'));
    assert.deepEqual(
      finding.requests.map((r) => [r.eventName, r.action, r.resource]),
      [['DeleteObject', 's3:DeleteObject', `arn:aws:s3:::${BUCKET}/cli/stale.txt`]],
    );
    const fix = finding.fix;
    assert.ok(fix?.verified);
    assert.deepEqual(
      fix.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:DeleteObject'], [`arn:aws:s3:::${BUCKET}/cli/*`]]],
    );
    await account.setPolicyVersion(writer, fix.newDocument);
    const again = await aws(writer, ['s3', 'sync', '--delete', 'data', `s3://${BUCKET}/cli/`]);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'cli/'), ['cli/a.txt', 'cli/sub/b.txt']);
  });

  test('aws s3 sync --delete: the profile of the refused deletes (with or without uploads in the same run) holds s3:DeleteObject beside the upload set, and alone lets the sync finish', async () => {
    const mirror = await account.createUser('cli-mirror', 'CliMirror', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:GetObject'],
          Resource: `arn:aws:s3:::${BUCKET}/mirror/*`,
        },
      ],
    });
    const sync = ['s3', 'sync', '--delete', 'data', `s3://${BUCKET}/mirror/`];
    await account.putObjects(BUCKET, ['mirror/stale.txt'], 'old\n');
    const expected = [
      [['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
      [['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'], [`arn:aws:s3:::${BUCKET}/mirror/*`]],
    ];
    // The first run uploads both files and is refused the delete; the second has only the delete to do.
    let profile: readonly PolicyStatement[] = [];
    for (const name of ['mirror-uploads-and-delete', 'mirror-delete-only']) {
      const failed = await aws(mirror, sync);
      assert.notEqual(failed.code, 0);
      const finding = onlyFinding(await account.explainRun(mirror, failed, name));
      assert.deepEqual(
        finding.fix?.statements.map((s) => [s.Action, s.Resource]),
        [[['s3:DeleteObject'], [`arn:aws:s3:::${BUCKET}/mirror/*`]]],
      );
      assert.deepEqual(
        finding.jobProfile?.statements.map((s) => [s.Action, s.Resource]),
        expected,
        name,
      );
      profile = finding.jobProfile?.statements ?? [];
    }
    await account.grantOnly(mirror, profile);
    await account.putObjects(BUCKET, ['mirror/stale-too.txt'], 'old\n');
    await writeFile(join(dir(), 'data', 'new.txt'), 'new\n');
    try {
      const again = await aws(mirror, sync);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(await account.objectKeys(BUCKET, 'mirror/'), [
        'mirror/a.txt',
        'mirror/new.txt',
        'mirror/sub/b.txt',
      ]);
    } finally {
      await rm(join(dir(), 'data', 'new.txt'));
    }
  });

  test('aws s3 ls, then aws s3 cp, both refused in one window: one finding, whose profile covers both commands (the listing and the upload set) and alone lets both run', async () => {
    const user = await account.createUser(
      'cli-tries',
      'CliTries',
      objectsPolicy(['s3:GetObject'], `arn:aws:s3:::${BUCKET}/elsewhere/*`),
    );
    const commands = [
      ['s3', 'ls', `s3://${BUCKET}/tries/`],
      ['s3', 'cp', 'data/a.txt', `s3://${BUCKET}/tries/a.txt`],
    ];
    const listed = await aws(user, commands[0] ?? []);
    assert.notEqual(listed.code, 0);
    const copied = await aws(user, commands[1] ?? []);
    assert.notEqual(copied.code, 0);

    const finding = onlyFinding(await account.explainRun(user, listed, 'ls-then-cp'));
    const profile = finding.jobProfile;
    assert.ok(profile);
    // CloudTrail times are to the second, and records of one second are ordered by event ID: both
    // commands are there, in no particular order.
    assert.deepEqual([...(profile.commands ?? [])].sort(), ['s3.cp', 's3.ls']);
    assert.equal(profile.operation, 'copy');
    assert.ok(!profile.notes.some((n) => n.includes('is not part of what')), profile.notes.join(' | '));

    await account.grantOnly(user, profile.statements);
    // The copy first: `aws s3 ls` exits 1 when nothing matches the prefix.
    for (const args of [...commands].reverse()) {
      const again = await aws(user, args);
      assert.equal(again.code, 0, `${args.join(' ')}: ${again.output}`);
    }
    assert.match((await aws(user, commands[0] ?? [])).output, /a\.txt/);
  });

  test('aws s3 cp --recursive and mv --recursive from S3 with s3:GetObject alone are refused their listing; the listing makes the bucket their source, and the profile (the listing and the reads; for mv the deletes too) alone lets each finish', async () => {
    await account.putObjects(BUCKET, ['exports/2026/a.csv', 'exports/2026/b.csv', 'moving/c.csv']);
    for (const [command, from, operation, actions] of [
      ['cp', 'exports', 'copy', ['s3:GetObject']],
      ['mv', 'moving', 'move', ['s3:DeleteObject', 's3:GetObject']],
    ] as const) {
      const user = await account.createUser(
        `cli-${command}-download`,
        `Cli${command}Download`,
        objectsPolicy(['s3:GetObject'], `arn:aws:s3:::${BUCKET}/${from}/*`),
      );
      const args = ['s3', command, `s3://${BUCKET}/${from}/`, `restore-${command}`, '--recursive'];
      const failed = await aws(user, args);
      assert.notEqual(failed.code, 0);

      const finding = onlyFinding(await account.explainRun(user, failed, `${command}-download`));
      assert.deepEqual(
        finding.fix?.statements.flatMap((s) => s.Action),
        ['s3:ListBucket'],
      );
      const profile = finding.jobProfile;
      assert.ok(profile, `${command}: a profile expected`);
      assert.equal(profile.operation, operation);
      assert.deepEqual(
        profile.statements.map((s) => [s.Action, s.Resource]),
        [
          [['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
          [actions, [`arn:aws:s3:::${BUCKET}/${from}/*`]],
        ],
      );
      await account.grantOnly(user, profile.statements);
      const again = await aws(user, args);
      assert.equal(again.code, 0, `${command}: ${again.output}`);
    }
    assert.ok(existsSync(join(dir(), 'restore-cp', '2026', 'b.csv')));
    assert.deepEqual(await account.objectKeys(BUCKET, 'moving/'), [], 'mv deleted what it moved');
  });

  test('aws s3 cp --recursive within the bucket: the profile writes the destination and only reads the source, and alone lets the copy finish', async () => {
    await account.putObjects(BUCKET, ['originals/a.txt', 'originals/sub/b.txt']);
    const copier = await account.createUser('cli-copier', 'CliCopier', readOnlyPolicy(BUCKET, 'originals'));
    const copy = ['s3', 'cp', '--recursive', `s3://${BUCKET}/originals/`, `s3://${BUCKET}/copies/`];
    const failed = await aws(copier, copy);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(copier, failed, 'cp-within'));
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:PutObject'], [`arn:aws:s3:::${BUCKET}/copies/*`]]],
    );
    const profile = finding.jobProfile;
    assert.deepEqual(
      profile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['AwsCliListBucket', ['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
        ['AwsCliObjects', ['s3:AbortMultipartUpload', 's3:PutObject'], [`arn:aws:s3:::${BUCKET}/copies/*`]],
        ['AwsCliCopySource', ['s3:GetObject'], [`arn:aws:s3:::${BUCKET}/originals/*`]],
      ],
    );

    await account.grantOnly(copier, profile.statements);
    const again = await aws(copier, copy);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'copies/'), ['copies/a.txt', 'copies/sub/b.txt']);
  });

  test('aws s3 sync --delete within the bucket, its deletes refused: the profile (destination writes and deletes, the source read alone) alone lets it finish', async () => {
    await account.putObjects(BUCKET, ['release/a.txt', 'release/sub/b.txt', 'current/stale.txt']);
    const syncer = await account.createUser(
      'cli-syncer',
      'CliSyncer',
      readOnlyPolicy(BUCKET, 'release', ['current'], ['s3:PutObject']),
    );
    const sync = ['s3', 'sync', '--delete', `s3://${BUCKET}/release/`, `s3://${BUCKET}/current/`];
    const failed = await aws(syncer, sync);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(syncer, failed, 'sync-within'));
    assert.deepEqual(
      finding.jobProfile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['AwsCliListBucket', ['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
        [
          'AwsCliObjects',
          ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'],
          [`arn:aws:s3:::${BUCKET}/current/*`],
        ],
        ['AwsCliCopySource', ['s3:GetObject'], [`arn:aws:s3:::${BUCKET}/release/*`]],
      ],
    );

    await account.grantOnly(syncer, finding.jobProfile?.statements ?? []);
    await account.putObjects(BUCKET, ['release/new.txt']);
    const again = await aws(syncer, sync);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'current/'), [
      'current/a.txt',
      'current/new.txt',
      'current/sub/b.txt',
    ]);
  });

  test('an upload sync denied its PutObject gets an upload profile; with the profile alone the sync finishes', async () => {
    const uploader = await account.createUser(
      'cli-uploader',
      'CliLister',
      objectsPolicy(['s3:ListBucket'], `arn:aws:s3:::${BUCKET}`),
    );
    const failed = await aws(uploader, ['s3', 'sync', 'data', `s3://${BUCKET}/uploads/`]);
    assert.notEqual(failed.code, 0);

    const profile = onlyFinding(await account.explainRun(uploader, failed, 'upload-denied')).jobProfile;
    assert.ok(profile !== null);
    assert.equal(profile.command, 's3.sync');
    assert.deepEqual(
      profile.statements.map((s) => [s.Action, s.Resource]),
      [
        [['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
        [['s3:AbortMultipartUpload', 's3:PutObject'], [`arn:aws:s3:::${BUCKET}/uploads/*`]],
      ],
    );
    await account.grantOnly(uploader, profile.statements);
    const again = await aws(uploader, ['s3', 'sync', 'data', `s3://${BUCKET}/uploads/`]);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'uploads/'), ['uploads/a.txt', 'uploads/sub/b.txt']);
  });

  test('aws s3 sync from S3 (a restore) with only s3:ListBucket is refused each GetObject; its download profile alone lets the restore finish', async () => {
    await account.putObjects(BUCKET, ['restore/a.txt', 'restore/sub/b.txt']);
    const user = await account.createUser(
      'cli-restorer',
      'CliRestorer',
      objectsPolicy(['s3:ListBucket'], `arn:aws:s3:::${BUCKET}`),
    );
    const restore = ['s3', 'sync', `s3://${BUCKET}/restore/`, 'restored'];
    const failed = await aws(user, restore);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'restore-denied'));
    assert.deepEqual(finding.requests.map((r) => `${r.eventName} ${r.action} ${r.resource}`).sort(), [
      `GetObject s3:GetObject arn:aws:s3:::${BUCKET}/restore/a.txt`,
      `GetObject s3:GetObject arn:aws:s3:::${BUCKET}/restore/sub/b.txt`,
    ]);
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:GetObject'], [`arn:aws:s3:::${BUCKET}/restore/*`]]],
    );
    const profile = finding.jobProfile;
    assert.equal(profile?.command, 's3.sync');
    assert.deepEqual(
      profile.statements.map((s) => [s.Action, s.Resource]),
      [
        [['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
        [['s3:GetObject'], [`arn:aws:s3:::${BUCKET}/restore/*`]],
      ],
    );
    await account.grantOnly(user, profile.statements);
    const again = await aws(user, restore);
    assert.equal(again.code, 0, again.output);
    assert.equal(await readFile(join(dir(), 'restored', 'sub', 'b.txt'), 'utf8'), 'restore/sub/b.txt\n');
  });

  test('aws s3 rm --recursive deletes key by key (DeleteObject, logged per key): explain grants s3:DeleteObject on the prefix, and the rm profile alone lets it finish', async () => {
    await account.putObjects(BUCKET, ['expired/a.txt', 'expired/sub/b.txt'], 'old\n');
    const user = await account.createUser(
      'cli-cleaner',
      'CliCleaner',
      objectsPolicy(['s3:ListBucket'], `arn:aws:s3:::${BUCKET}`),
    );
    const failed = await aws(user, ['s3', 'rm', '--recursive', `s3://${BUCKET}/expired/`]);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'rm-denied'));
    assert.deepEqual(finding.requests.map((r) => `${r.eventName} ${r.resource}`).sort(), [
      `DeleteObject arn:aws:s3:::${BUCKET}/expired/a.txt`,
      `DeleteObject arn:aws:s3:::${BUCKET}/expired/sub/b.txt`,
    ]);
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:DeleteObject'], [`arn:aws:s3:::${BUCKET}/expired/*`]]],
    );
    const profile = finding.jobProfile;
    assert.equal(profile?.command, 's3.rm');
    assert.deepEqual(
      profile.statements.map((s) => [s.Action, s.Resource]),
      [
        [['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
        [['s3:DeleteObject'], [`arn:aws:s3:::${BUCKET}/expired/*`]],
      ],
    );
    await account.grantOnly(user, profile.statements);
    const again = await aws(user, ['s3', 'rm', '--recursive', `s3://${BUCKET}/expired/`]);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'expired/'), []);
  });

  test('aws s3 rm --recursive refused its listing: the profile takes the listed prefix (no key was reached), and alone lets it finish', async () => {
    await account.putObjects(BUCKET, ['stale/a.txt', 'stale/sub/b.txt'], 'old\n');
    const user = await account.createUser(
      'cli-blind-cleaner',
      'CliBlindCleaner',
      objectsPolicy(['s3:DeleteObject'], `arn:aws:s3:::${BUCKET}/stale/*`),
    );
    const failed = await aws(user, ['s3', 'rm', '--recursive', `s3://${BUCKET}/stale/`]);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'rm-blind'));
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]]],
    );
    const profile = finding.jobProfile;
    assert.deepEqual(
      profile?.statements.map((s) => [s.Action, s.Resource]),
      [
        [['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
        [['s3:DeleteObject'], [`arn:aws:s3:::${BUCKET}/stale/*`]],
      ],
    );
    assert.ok(!profile.notes?.some((n) => n.includes('direction')), profile.notes?.join(' | '));
    await account.grantOnly(user, profile.statements);
    const again = await aws(user, ['s3', 'rm', '--recursive', `s3://${BUCKET}/stale/`]);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'stale/'), []);
  });

  test('aws s3 cp --recursive to another bucket, refused its copies: the profile writes the destination and lists and reads the source bucket, and alone lets the copy finish', async () => {
    const archive = 'cli-archive';
    await account.s3.send(new CreateBucketCommand({ Bucket: archive }));
    await account.putObjects(BUCKET, ['reports/a.txt', 'reports/sub/b.txt']);
    const user = await account.createUser(
      'cli-bucket-copier',
      'CliBucketCopier',
      readOnlyPolicy(BUCKET, 'reports'),
    );
    const copy = ['s3', 'cp', '--recursive', `s3://${BUCKET}/reports/`, `s3://${archive}/2026/`];
    const failed = await aws(user, copy);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'cp-other-bucket'));
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:PutObject'], [`arn:aws:s3:::${archive}/2026/*`]]],
    );
    const profile = finding.jobProfile;
    assert.deepEqual(
      profile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['AwsCliObjects', ['s3:AbortMultipartUpload', 's3:PutObject'], [`arn:aws:s3:::${archive}/2026/*`]],
        ['AwsCliSourceListBucket', ['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
        ['AwsCliSourceObjects', ['s3:GetObject'], [`arn:aws:s3:::${BUCKET}/reports/*`]],
      ],
    );
    await account.grantOnly(user, profile.statements);
    const again = await aws(user, copy);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(archive, '2026/'), ['2026/a.txt', '2026/sub/b.txt']);
  });

  describe('aws s3 rb --force: it empties the bucket (its own rm, command s3.rb.rm), then deletes it', () => {
    test('refused deletes: explain grants s3:DeleteObject on the refused objects (a.txt, at the bucket root, on its own; logs/*), and the rb profile (listing, deletes on the whole bucket, s3:DeleteBucket) alone lets it remove the bucket', async () => {
      const doomed = 'cli-doomed';
      await account.s3.send(new CreateBucketCommand({ Bucket: doomed }));
      await account.putObjects(doomed, ['a.txt', 'logs/b.txt']);
      const user = await account.createUser(
        'cli-demolisher',
        'CliDemolisher',
        objectsPolicy(['s3:ListBucket'], `arn:aws:s3:::${doomed}`),
      );
      const failed = await aws(user, ['s3', 'rb', `s3://${doomed}`, '--force']);
      assert.notEqual(failed.code, 0);
      assert.match(failed.output, /bucket will not be deleted/);
      const finding = onlyFinding(await account.explainRun(user, failed, 'rb-force'));
      assert.deepEqual(
        finding.fix?.statements.map((s) => [s.Action, s.Resource]),
        [
          [['s3:DeleteObject'], [`arn:aws:s3:::${doomed}/a.txt`]],
          [['s3:DeleteObject'], [`arn:aws:s3:::${doomed}/logs/*`]],
        ],
      );
      assert.ok(finding.caveats.some((c) => c.startsWith(`${doomed}/a.txt is at the bucket root`)));
      const profile = finding.jobProfile;
      assert.equal(profile?.command, 's3.rb');
      assert.deepEqual(
        profile.statements.map((s) => [s.Action, s.Resource]),
        [
          [['s3:DeleteBucket', 's3:ListBucket'], [`arn:aws:s3:::${doomed}`]],
          [['s3:DeleteObject'], [`arn:aws:s3:::${doomed}/*`]],
        ],
      );
      await account.grantOnly(user, profile.statements);
      const again = await aws(user, ['s3', 'rb', `s3://${doomed}`, '--force']);
      assert.equal(again.code, 0, again.output);
      const buckets = (await account.s3.send(new ListBucketsCommand({}))).Buckets ?? [];
      assert.ok(!buckets.some((b) => b.Name === doomed));
    });

    test('the versioning note holds: on a versioned bucket the older versions stay, and DeleteBucket fails with BucketNotEmpty even with the profile', async () => {
      const versioned = 'cli-versioned-doomed';
      await account.s3.send(new CreateBucketCommand({ Bucket: versioned }));
      await account.s3.send(
        new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: 'Enabled' } }),
      );
      await account.putObjects(versioned, ['v.txt'], 'first\n');
      await account.putObjects(versioned, ['v.txt'], 'second\n');
      const user = await account.createUser(
        'cli-versioned-demolisher',
        'CliVersionedDemolisher',
        objectsPolicy(['s3:ListBucket'], `arn:aws:s3:::${versioned}`),
      );
      const failed = await aws(user, ['s3', 'rb', `s3://${versioned}`, '--force']);
      assert.notEqual(failed.code, 0);
      const profile = onlyFinding(await account.explainRun(user, failed, 'rb-versioned')).jobProfile;
      assert.ok(profile !== null);
      assert.ok(
        profile.notes?.some((n) => n.includes('BucketNotEmpty')),
        profile.notes?.join(' | '),
      );
      await account.grantOnly(user, profile.statements);
      const again = await aws(user, ['s3', 'rb', `s3://${versioned}`, '--force']);
      assert.notEqual(again.code, 0);
      assert.match(again.output, /BucketNotEmpty/);
    });
  });

  describe('aws s3 mv --recursive out of a read-only directory: the deletes are refused, and the profile is the source of a move', () => {
    const seed = (directory: string) =>
      account.putObjects(BUCKET, [`${directory}/a.txt`, `${directory}/sub/b.txt`]);

    test('to a local directory: s3:GetObject and s3:DeleteObject on the source, no s3:PutObject; alone, it lets the move finish', async () => {
      await seed('outbox');
      const user = await account.createUser('cli-mover', 'CliMover', readOnlyPolicy(BUCKET, 'outbox'));
      const failed = await aws(user, ['s3', 'mv', '--recursive', `s3://${BUCKET}/outbox/`, 'moved-outbox']);
      assert.notEqual(failed.code, 0);
      const finding = onlyFinding(await account.explainRun(user, failed, 'mv-local'));
      assert.deepEqual(
        finding.fix?.statements.map((s) => [s.Action, s.Resource]),
        [[['s3:DeleteObject'], [`arn:aws:s3:::${BUCKET}/outbox/*`]]],
      );
      const profile = finding.jobProfile;
      assert.equal(profile?.command, 's3.mv');
      assert.deepEqual(
        profile.statements.map((s) => [s.Action, s.Resource]),
        [
          [['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
          [['s3:DeleteObject', 's3:GetObject'], [`arn:aws:s3:::${BUCKET}/outbox/*`]],
        ],
      );
      await account.grantOnly(user, profile.statements);
      const again = await aws(user, ['s3', 'mv', '--recursive', `s3://${BUCKET}/outbox/`, 'moved-outbox']);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(await account.objectKeys(BUCKET, 'outbox/'), []);
    });

    test('within the bucket: the profile adds s3:PutObject on the directory the copies went to, and alone lets the move finish', async () => {
      await seed('pending');
      const user = await account.createUser(
        'cli-archiver',
        'CliArchiver',
        readOnlyPolicy(BUCKET, 'pending', ['archived']),
      );
      const move = ['s3', 'mv', '--recursive', `s3://${BUCKET}/pending/`, `s3://${BUCKET}/archived/`];
      const failed = await aws(user, move);
      assert.notEqual(failed.code, 0);
      const profile = onlyFinding(await account.explainRun(user, failed, 'mv-within')).jobProfile;
      assert.deepEqual(
        profile?.statements.map((s) => [s.Action, s.Resource]),
        [
          [['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
          [['s3:DeleteObject', 's3:GetObject'], [`arn:aws:s3:::${BUCKET}/pending/*`]],
          [['s3:AbortMultipartUpload', 's3:PutObject'], [`arn:aws:s3:::${BUCKET}/archived/*`]],
        ],
      );
      await account.grantOnly(user, profile.statements);
      const again = await aws(user, move);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(await account.objectKeys(BUCKET, 'pending/'), []);
      assert.deepEqual(await account.objectKeys(BUCKET, 'archived/'), [
        'archived/a.txt',
        'archived/sub/b.txt',
      ]);
    });

    test('within the bucket, its copies refused before any delete: the source still gets s3:DeleteObject (mv deletes what it moved), the destination only writes, and the profile alone lets the move finish', async () => {
      await seed('inbound');
      const user = await account.createUser('cli-filer', 'CliFiler', readOnlyPolicy(BUCKET, 'inbound'));
      const move = ['s3', 'mv', '--recursive', `s3://${BUCKET}/inbound/`, `s3://${BUCKET}/filed/`];
      const failed = await aws(user, move);
      assert.notEqual(failed.code, 0);
      assert.ok(!account.recorder.calls.slice(failed.from).some((c) => c.method === 'DELETE'));
      const profile = onlyFinding(await account.explainRun(user, failed, 'mv-within-copies')).jobProfile;
      assert.deepEqual(
        profile?.statements.map((s) => [s.Sid, s.Action, s.Resource]),
        [
          ['AwsCliListBucket', ['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`]],
          ['AwsCliObjects', ['s3:AbortMultipartUpload', 's3:PutObject'], [`arn:aws:s3:::${BUCKET}/filed/*`]],
          ['AwsCliCopySource', ['s3:DeleteObject', 's3:GetObject'], [`arn:aws:s3:::${BUCKET}/inbound/*`]],
        ],
      );
      await account.grantOnly(user, profile.statements);
      const again = await aws(user, move);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(await account.objectKeys(BUCKET, 'inbound/'), []);
      assert.deepEqual(await account.objectKeys(BUCKET, 'filed/'), ['filed/a.txt', 'filed/sub/b.txt']);
    });
  });
});
