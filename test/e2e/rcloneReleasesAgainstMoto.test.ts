/**
 * rclone's root check, with rclone's own release builds (test/support/rclone-releases.txt) against moto.
 *
 * With a remote path that names a directory without a trailing slash (`moto:bucket/dir`), rclone first
 * HEADs the key `dir`, which a policy scoped to `dir/*` refuses. What rclone does next depends on its
 * version (src/domain/tools/rcloneRootProbe.ts, from rclone's git history); each test runs one behaviour
 * and checks that explain says what that version needs, then applies it and runs the job again:
 * - v1.71.2 ignores the 403 and finishes: nothing to grant;
 * - v1.74.3 stops on it, before any other request: s3:GetObject on that one key;
 * - v1.75.2 (and v1.74.4) lists `dir/` and carries on only when it holds objects.
 * A multipart upload with v1.75.2 checks the multipart operations end to end (Debian's v1.60.1 HEADs
 * `versionId=null` after one, which moto refuses). The trails come from the recording proxy
 * (test/support/s3CallRecorder.ts), as in rcloneAgainstMoto.
 *
 * Needs moto and the release builds: `npm run test:deps` installs both.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import type { Finding } from '../../src/domain/explain/report.js';
import {
  type ClientRun,
  MotoAccount,
  type MotoUser,
  onlyFinding,
  readOnlyPolicy,
  writeSampleData,
} from '../support/motoAccount.js';
import { copyOnlyPolicy, pinnedRcloneReleases, rcloneRelease, runRclone } from '../support/rclone.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const BUCKET = 'backup-bucket';

/** The actions of the statement with `sid`. */
function statementActions(statements: readonly { Sid?: string; Action: readonly string[] }[], sid: string) {
  return statements.find((s) => s.Sid === sid)?.Action ?? [];
}

/** s3:GetObject, s3:PutObject and s3:DeleteObject granted by a fix or profile, as `action resource`. */
function grants(statements: readonly { Action: readonly string[]; Resource: readonly string[] }[]) {
  return statements.flatMap((s) => s.Action.flatMap((a) => s.Resource.map((r) => `${a} ${r}`))).sort();
}

describe("rclone release builds against moto: the root check by rclone's version, and multipart uploads", () => {
  const dir = temporaryDirectory('pa-rclone-releases-');
  let account: MotoAccount;

  before(async () => {
    account = await MotoAccount.start(dir(), [BUCKET]);
    await writeSampleData(dir());
  });

  after(async () => {
    await account?.stop();
  });

  function rclone(version: string, user: MotoUser, args: readonly string[]): Promise<ClientRun> {
    return runRclone(account, user, args, { binary: rcloneRelease(version), cwd: dir() });
  }

  /** The calls of a run, as `METHOD path status`, without the query. */
  function callsOf(run: ClientRun): string[] {
    return account.recorder.calls
      .slice(run.from)
      .map((c) => `${c.method} ${c.url.split('?')[0]} ${c.status}`);
  }

  test('the pinned builds are the versions they claim', async () => {
    for (const version of pinnedRcloneReleases()) {
      const run = await account.runClient(rcloneRelease(version), ['version'], {
        cwd: dir(),
        env: {},
      });
      assert.equal(run.code, 0, run.output);
      assert.equal(run.output.split('\n')[0], `rclone v${version}`);
    }
  });

  test('v1.71.2 ignores the denied check and finishes; explain lists it with nothing to grant', async () => {
    const user = await account.createUser('r171', 'R171Writer', copyOnlyPolicy(BUCKET, 'r171'));
    const done = await rclone('1.71.2', user, ['copy', 'data', `moto:${BUCKET}/r171`]);
    assert.equal(done.code, 0, done.output);
    assert.equal(callsOf(done)[0], `HEAD /${BUCKET}/r171 403`);
    assert.deepEqual(await account.objectKeys(BUCKET, 'r171/'), ['r171/a.txt', 'r171/sub/b.txt']);

    const finding = onlyFinding(await account.explainRun(user, done, 'r171'));
    assert.equal(finding.client.version, 'v1.71.2');
    assert.equal(finding.fix, null);
    assert.ok(finding.caveats.some((c) => c.includes('before v1.72 treats any error')));
    assert.ok(finding.caveats.some((c) => c.startsWith('Nothing to grant')));
  });

  describe('v1.74.3 stops on the denied check, before any other request', () => {
    let finding: Finding;

    test('explain grants s3:GetObject on that key alone, and with it the same job finishes', async () => {
      const user = await account.createUser('r1743', 'R1743Writer', copyOnlyPolicy(BUCKET, 'r1743'));
      const failed = await rclone('1.74.3', user, ['copy', 'data', `moto:${BUCKET}/r1743`]);
      assert.notEqual(failed.code, 0);
      assert.deepEqual(callsOf(failed), [`HEAD /${BUCKET}/r1743 403`]);

      finding = onlyFinding(await account.explainRun(user, failed, 'r1743'));
      assert.equal(finding.cause, 'identity-missing-allow');
      assert.deepEqual(grants(finding.fix?.statements ?? []), [`s3:GetObject arn:aws:s3:::${BUCKET}/r1743`]);
      assert.equal(finding.fix?.verified, true);
      assert.ok(finding.caveats.some((c) => c.includes("rclone's first request")));

      await account.setPolicyVersion(user, finding.fix?.newDocument);
      const again = await rclone('1.74.3', user, ['copy', 'data', `moto:${BUCKET}/r1743`]);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(await account.objectKeys(BUCKET, 'r1743/'), ['r1743/a.txt', 'r1743/sub/b.txt']);
    });

    test("the job profile (direction unknown: listing and reading in the directory, and the check) alone lets a new user's download of it finish", async () => {
      const profile = finding?.jobProfile;
      assert.ok(profile !== null && profile !== undefined, 'runs after the test above');
      // A job that stops on its first request shows no direction: the profile covers reading, and says
      // what a copy or sync adds.
      assert.equal(profile.operation, 'unknown');
      assert.deepEqual(grants(profile.statements), [
        `s3:GetObject arn:aws:s3:::${BUCKET}/r1743`,
        `s3:GetObject arn:aws:s3:::${BUCKET}/r1743/*`,
        `s3:ListBucket arn:aws:s3:::${BUCKET}`,
      ]);
      assert.ok(profile.notes.some((n) => n.includes('also grant s3:PutObject and s3:AbortMultipartUpload')));
      const user = await account.createUser('r1743-reader', 'R1743Reader', copyOnlyPolicy(BUCKET, 'none'));
      await account.grantOnly(user, profile.statements);
      const done = await rclone('1.74.3', user, ['copy', `moto:${BUCKET}/r1743`, 'restored-1743']);
      assert.equal(done.code, 0, done.output);
      assert.equal(callsOf(done)[0], `HEAD /${BUCKET}/r1743 404`);
    });

    test('the advice holds: with a trailing slash the same policy needs no grant', async () => {
      const user = await account.createUser('r1743-slash', 'R1743Slash', copyOnlyPolicy(BUCKET, 'slash'));
      const done = await rclone('1.74.3', user, ['copy', 'data', `moto:${BUCKET}/slash/`]);
      assert.equal(done.code, 0, done.output);
      assert.ok(!callsOf(done).some((c) => c.startsWith(`HEAD /${BUCKET}/slash `)));
    });
  });

  test('the --s3-no-head alternative holds in every version: a write-only user (no s3:GetObject) fails on the HEAD after upload, and with --s3-no-head --size-only uploads and re-runs finish', async () => {
    for (const version of ['debian', ...pinnedRcloneReleases()]) {
      const directory = `wo-${version.replaceAll('.', '')}`;
      const user = await account.createUser(directory, `WriteOnly${directory}`, {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
          { Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/${directory}/*` },
        ],
      });
      const run = (target: string, extra: readonly string[] = []) =>
        runRclone(account, user, ['copy', 'data', `moto:${BUCKET}/${target}/`, ...extra], {
          cwd: dir(),
          ...(version === 'debian' ? {} : { binary: rcloneRelease(version) }),
        });
      const failed = await run(directory);
      assert.notEqual(failed.code, 0, version);
      assert.ok(callsOf(failed).includes(`HEAD /${BUCKET}/${directory}/a.txt 403`), version);
      const finding = onlyFinding(await account.explainRun(user, failed, `write-only-${version}`));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:GetObject arn:aws:s3:::${BUCKET}/${directory}/*`,
      ]);
      const noHead = finding.alternatives.find((a) => a.removes.includes('s3:GetObject'));
      assert.match(noHead?.text ?? '', /--s3-no-head together with --size-only/, version);

      for (const round of ['upload', 're-run']) {
        const done = await run(`${directory}/no-head`, ['--s3-no-head', '--size-only']);
        assert.equal(done.code, 0, `${version} ${round}: ${done.output}`);
        assert.ok(!callsOf(done).some((c) => c.startsWith('HEAD ')), `${version} ${round}`);
      }
      assert.deepEqual(await account.objectKeys(BUCKET, `${directory}/no-head/`), [
        `${directory}/no-head/a.txt`,
        `${directory}/no-head/sub/b.txt`,
      ]);
    }
  });

  test("the upgrade alternative holds: Debian's v1.60.1 sends x-amz-acl: private on each upload (s3:PutObjectAcl on AWS), v1.71.2 and v1.75.2 send no ACL", async () => {
    const user = await account.createUser('acl-check', 'AclCheck', copyOnlyPolicy(BUCKET, 'acl'));
    const aclOfUploads: Record<string, string[]> = {};
    for (const version of ['debian', '1.71.2', '1.75.2']) {
      const done = await runRclone(account, user, ['copy', 'data', `moto:${BUCKET}/acl/${version}/`], {
        cwd: dir(),
        ...(version === 'debian' ? {} : { binary: rcloneRelease(version) }),
      });
      assert.equal(done.code, 0, done.output);
      aclOfUploads[version] = account.recorder.calls
        .slice(done.from)
        .filter((c) => c.method === 'PUT')
        .map((c) => String(c.headers['x-amz-acl'] ?? 'none'));
    }
    assert.deepEqual(aclOfUploads, {
      debian: ['private', 'private'],
      '1.71.2': ['none', 'none'],
      '1.75.2': ['none', 'none'],
    });
  });

  test('the no_check_bucket alternative holds in every release: copyto calls CreateBucket, and with --s3-no-check-bucket it finishes without it', async () => {
    const user = await account.createUser('copyto-check', 'CopytoCheck', copyOnlyPolicy(BUCKET, 'one'));
    for (const version of pinnedRcloneReleases()) {
      const target = `moto:${BUCKET}/one/v${version}.txt`;
      const failed = await rclone(version, user, ['copyto', 'data/a.txt', target]);
      assert.notEqual(failed.code, 0);
      assert.ok(callsOf(failed).includes(`PUT /${BUCKET} 403`), `${version}: ${callsOf(failed).join(', ')}`);
      const finding = onlyFinding(await account.explainRun(user, failed, `copyto-${version}`));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [`s3:CreateBucket arn:aws:s3:::${BUCKET}`]);
      const noCheck = finding.alternatives.find((a) => a.removes.includes('s3:CreateBucket'));
      assert.match(noCheck?.text ?? '', /--s3-no-check-bucket/, version);

      const done = await rclone(version, user, ['copyto', 'data/a.txt', target, '--s3-no-check-bucket']);
      assert.equal(done.code, 0, `${version}: ${done.output}`);
    }
    assert.deepEqual(
      await account.objectKeys(BUCKET, 'one/'),
      pinnedRcloneReleases().map((v) => `one/v${v}.txt`),
    );
  });

  test('mkdir of a new bucket, refused its CreateBucket: nothing shows the bucket exists, so no_check_bucket is advised only if it does; with it, mkdir exits 0 without creating the bucket and the next upload fails', async () => {
    const fresh = 'fresh-archive';
    const user = await account.createUser('mkdir-new', 'MkdirNew', copyOnlyPolicy(fresh, 'in'));
    const failed = await rclone('1.75.2', user, ['mkdir', `moto:${fresh}`]);
    assert.notEqual(failed.code, 0);
    assert.deepEqual(callsOf(failed), [`PUT /${fresh} 403`]);

    const finding = onlyFinding(await account.explainRun(user, failed, 'mkdir-new'));
    assert.deepEqual(grants(finding.fix?.statements ?? []), [`s3:CreateBucket arn:aws:s3:::${fresh}`]);
    const noCheck = finding.alternatives.find((a) => a.removes.includes('s3:CreateBucket'));
    assert.match(noCheck?.text ?? '', /^If the bucket already exists, set no_check_bucket.*`rclone mkdir`/);
    assert.ok(
      finding.jobProfile?.notes?.some((n) => n.includes(`does not show whether bucket ${fresh} exists`)),
      finding.jobProfile?.notes?.join(' | '),
    );

    // What the condition guards against: with no_check_bucket, mkdir succeeds and creates nothing.
    const skipped = await rclone('1.75.2', user, ['mkdir', `moto:${fresh}`, '--s3-no-check-bucket']);
    assert.equal(skipped.code, 0, skipped.output);
    assert.equal(callsOf(skipped).length, 0, callsOf(skipped).join(', '));
    const buckets = await account.s3.send(new ListBucketsCommand({}));
    assert.ok(!(buckets.Buckets ?? []).some((b) => b.Name === fresh), 'no bucket was created');
    const upload = await rclone('1.75.2', user, [
      'copyto',
      'data/a.txt',
      `moto:${fresh}/in/a.txt`,
      '--s3-no-check-bucket',
    ]);
    assert.notEqual(upload.code, 0);
    assert.match(upload.output, /NoSuchBucket/);
  });

  test('copyto refused its CreateBucket, which names no object: the profile takes the directory of the file rclone looked up first (a HEAD answered 404), and alone, with --s3-no-check-bucket, lets copyto write there and nowhere else', async () => {
    const user = await account.createUser('copyto-scope', 'CopytoScope', copyOnlyPolicy(BUCKET, 'two'));
    const target = `moto:${BUCKET}/two/day1/a.txt`;
    const failed = await rclone('1.75.2', user, ['copyto', 'data/a.txt', target]);
    assert.notEqual(failed.code, 0);
    assert.deepEqual(callsOf(failed), [`HEAD /${BUCKET}/two/day1/a.txt 404`, `PUT /${BUCKET} 403`]);

    const finding = onlyFinding(await account.explainRun(user, failed, 'copyto-scope'));
    // The HEAD that found no such key shows the bucket exists: no_check_bucket is the fix as it stands.
    assert.match(
      finding.alternatives.find((a) => a.removes.includes('s3:CreateBucket'))?.text ?? '',
      /^Set no_check_bucket = true .*The bucket exists \(S3 answered calls on it/,
    );
    const profile = finding.jobProfile;
    assert.equal(profile?.operation, 'copy');
    assert.deepEqual(grants(profile.statements), [
      `s3:AbortMultipartUpload arn:aws:s3:::${BUCKET}/two/day1/*`,
      `s3:GetObject arn:aws:s3:::${BUCKET}/two/day1/*`,
      `s3:ListBucket arn:aws:s3:::${BUCKET}`,
      `s3:PutObject arn:aws:s3:::${BUCKET}/two/day1/*`,
    ]);
    assert.ok(
      profile.notes?.some((n) => n.includes('the object statement is scoped to "two/day1/"')),
      profile.notes?.join(' | '),
    );

    await account.grantOnly(user, profile.statements);
    const done = await rclone('1.75.2', user, ['copyto', 'data/a.txt', target, '--s3-no-check-bucket']);
    assert.equal(done.code, 0, done.output);
    const elsewhere = await rclone('1.75.2', user, [
      'copyto',
      'data/a.txt',
      `moto:${BUCKET}/elsewhere/a.txt`,
      '--s3-no-check-bucket',
    ]);
    assert.notEqual(elsewhere.code, 0, 'the profile grants the directory, not the bucket');
    assert.deepEqual(await account.objectKeys(BUCKET, 'two/'), ['two/day1/a.txt']);
  });

  test("the upgrade alternative for versioned buckets holds: Debian's v1.60.1 HEADs the version each upload created (s3:GetObjectVersion on AWS), v1.71.2 HEADs the object itself", async () => {
    const versioned = 'versioned-backups';
    await account.s3.send(new CreateBucketCommand({ Bucket: versioned }));
    await account.s3.send(
      new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const user = await account.createUser(
      'versioned-writer',
      'VersionedWriter',
      copyOnlyPolicy(versioned, 'bk'),
    );
    const headsOf = async (version: string): Promise<string[]> => {
      const done = await runRclone(account, user, ['copy', 'data', `moto:${versioned}/bk/${version}/`], {
        cwd: dir(),
        ...(version === 'debian' ? {} : { binary: rcloneRelease(version) }),
      });
      assert.equal(done.code, 0, done.output);
      return account.recorder.calls
        .slice(done.from)
        .filter((c) => c.method === 'HEAD')
        .map((c) =>
          new URL(c.url, 'http://s3.local').searchParams.has('versionId') ? 'versionId' : 'object',
        );
    };
    // moto does not check s3:GetObjectVersion on a HEAD, so both finish here; on AWS v1.60.1's HEADs are
    // refused without it (test/domain/tools/rcloneProfile.test.ts covers what explain then proposes).
    assert.deepEqual(await headsOf('debian'), ['versionId', 'versionId']);
    assert.deepEqual(await headsOf('1.71.2'), ['object', 'object']);
  });

  test('v1.75.2 restores an older version (--s3-version-at): ListObjectVersions is refused as s3:ListBucketVersions; with the profile alone (which adds s3:GetObjectVersion) the old version comes back', async () => {
    const versioned = 'config-history';
    await account.s3.send(new CreateBucketCommand({ Bucket: versioned }));
    await account.s3.send(
      new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    await account.putObjects(versioned, ['app/config.yaml'], 'good\n');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await account.putObjects(versioned, ['app/config.yaml'], 'broken\n');
    const user = await account.createUser('config-restorer', 'ConfigReader', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${versioned}` },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${versioned}/app/*` },
      ],
    });
    const restore = ['copy', '--s3-version-at', before, `moto:${versioned}/app/`, 'restored-config'];
    const failed = await rclone('1.75.2', user, restore);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'version-at'));
    assert.deepEqual(
      finding.requests.map((r) => `${r.eventName} ${r.action} ${r.resource}`),
      [`ListObjectVersions s3:ListBucketVersions arn:aws:s3:::${versioned}`],
    );
    assert.deepEqual(grants(finding.fix?.statements ?? []), [
      `s3:ListBucketVersions arn:aws:s3:::${versioned}`,
    ]);
    const profile = finding.jobProfile;
    assert.ok(profile !== null);
    assert.deepEqual(grants(profile.statements), [
      `s3:GetObject arn:aws:s3:::${versioned}/app/*`,
      `s3:GetObjectVersion arn:aws:s3:::${versioned}/app/*`,
      `s3:ListBucket arn:aws:s3:::${versioned}`,
      `s3:ListBucketVersions arn:aws:s3:::${versioned}`,
    ]);

    // Without s3:GetObjectVersion the listing passes and the read of the old version is refused: the
    // profile is the set the restore needs, and explain names that one action for the second failure.
    await account.grantOnly(
      user,
      profile.statements.map((st) => ({
        ...st,
        Action: st.Action.filter((a) => a !== 's3:GetObjectVersion'),
      })),
    );
    const partial = await rclone('1.75.2', user, restore);
    assert.notEqual(partial.code, 0);
    const second = onlyFinding(await account.explainRun(user, partial, 'version-at-partial'));
    assert.deepEqual(grants(second.fix?.statements ?? []), [
      `s3:GetObjectVersion arn:aws:s3:::${versioned}/app/*`,
    ]);

    await account.grantOnly(user, profile.statements);
    const again = await rclone('1.75.2', user, restore);
    assert.equal(again.code, 0, again.output);
    assert.ok(
      account.recorder.calls
        .slice(again.from)
        .some((c) => c.method === 'GET' && c.url.includes('versionId=')),
    );
    assert.equal(await readFile(join(dir(), 'restored-config', 'config.yaml'), 'utf8'), 'good\n');
  });

  test('v1.75.2 multipart upload as a read-only user: CreateMultipartUpload is refused as s3:PutObject; with the profile alone the parts and the completion go through', async () => {
    // 12 MB with a 5 MB cutoff and 5 MB chunks: CreateMultipartUpload, three UploadParts, CompleteMultipartUpload.
    await mkdir(join(dir(), 'large'), { recursive: true });
    await writeFile(join(dir(), 'large', 'disk.img'), Buffer.alloc(12 * 1024 * 1024, 7));
    await writeFile(join(dir(), 'large', 'notes.txt'), 'small beside it\n');
    const multipart = ['--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M'];
    const user = await account.createUser('r1752-mp', 'R1752Reader', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/images/*` },
      ],
    });
    const failed = await rclone('1.75.2', user, ['copy', 'large', `moto:${BUCKET}/images/`, ...multipart]);
    assert.notEqual(failed.code, 0);
    assert.ok(callsOf(failed).includes(`POST /${BUCKET}/images/disk.img 403`), callsOf(failed).join('\n'));

    const finding = onlyFinding(await account.explainRun(user, failed, 'r1752-mp'));
    assert.deepEqual(
      [...new Set(finding.requests.map((r) => `${r.eventName} ${r.action} ${r.resource}`))].sort(),
      [
        `CreateMultipartUpload s3:PutObject arn:aws:s3:::${BUCKET}/images/disk.img`,
        `PutObject s3:PutObject arn:aws:s3:::${BUCKET}/images/notes.txt`,
      ],
    );
    assert.deepEqual(grants(finding.fix?.statements ?? []), [`s3:PutObject arn:aws:s3:::${BUCKET}/images/*`]);
    assert.equal(finding.jobProfile?.operation, 'copy');

    await account.grantOnly(user, finding.jobProfile?.statements ?? []);
    const again = await rclone('1.75.2', user, ['copy', 'large', `moto:${BUCKET}/images/`, ...multipart]);
    assert.equal(again.code, 0, again.output);
    const parts = callsOf(again).filter((c) => c.startsWith(`PUT /${BUCKET}/images/disk.img `));
    assert.deepEqual(parts, Array(3).fill(`PUT /${BUCKET}/images/disk.img 200`));
    assert.deepEqual(await account.objectKeys(BUCKET, 'images/'), ['images/disk.img', 'images/notes.txt']);
    // Its trail: every call is a known operation that succeeded, none unsupported.
    const report = await account.explainRun(user, again, 'r1752-mp-ok');
    assert.deepEqual(report.findings, []);
    assert.deepEqual([...new Set(report.skipped.map((s) => s.reason))], ['not-denied']);
  });

  describe('v1.75.2 move: the deletes of the source are refused, and the profile is the source side of a move (no s3:PutObject there)', () => {
    const seed = (directory: string) =>
      account.putObjects(BUCKET, [`${directory}/a.txt`, `${directory}/sub/b.txt`]);

    test('to a local directory: explain adds s3:DeleteObject on the source, and the profile alone lets the move finish', async () => {
      await seed('inbox');
      const user = await account.createUser('mover-local', 'MoverLocal', readOnlyPolicy(BUCKET, 'inbox'));
      const failed = await rclone('1.75.2', user, ['move', `moto:${BUCKET}/inbox/`, 'moved-inbox']);
      assert.notEqual(failed.code, 0);
      const finding = onlyFinding(await account.explainRun(user, failed, 'move-local'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:DeleteObject arn:aws:s3:::${BUCKET}/inbox/*`,
      ]);
      const profile = finding.jobProfile;
      assert.equal(profile?.operation, 'move');
      assert.deepEqual(grants(profile.statements), [
        `s3:DeleteObject arn:aws:s3:::${BUCKET}/inbox/*`,
        `s3:GetObject arn:aws:s3:::${BUCKET}/inbox/*`,
        `s3:ListBucket arn:aws:s3:::${BUCKET}`,
      ]);

      await account.grantOnly(user, profile.statements);
      const again = await rclone('1.75.2', user, ['move', `moto:${BUCKET}/inbox/`, 'moved-inbox']);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(await account.objectKeys(BUCKET, 'inbox/'), []);
    });

    test('within the bucket (server-side copies): the profile adds the destination directory, and alone lets the move finish', async () => {
      await seed('queue');
      const user = await account.createUser(
        'mover-ssc',
        'MoverServerSide',
        readOnlyPolicy(
          BUCKET,
          'queue',
          ['done'],
          [
            's3:PutObject',
            's3:GetObject', // rclone HEADs each copy
          ],
        ),
      );
      const failed = await rclone('1.75.2', user, ['move', `moto:${BUCKET}/queue/`, `moto:${BUCKET}/done/`]);
      assert.notEqual(failed.code, 0);
      const finding = onlyFinding(await account.explainRun(user, failed, 'move-ssc'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:DeleteObject arn:aws:s3:::${BUCKET}/queue/*`,
      ]);
      const profile = finding.jobProfile;
      assert.equal(profile?.operation, 'move');
      assert.deepEqual(grants(profile.statements), [
        `s3:AbortMultipartUpload arn:aws:s3:::${BUCKET}/done/*`,
        `s3:DeleteObject arn:aws:s3:::${BUCKET}/queue/*`,
        `s3:GetObject arn:aws:s3:::${BUCKET}/done/*`,
        `s3:GetObject arn:aws:s3:::${BUCKET}/queue/*`,
        `s3:ListBucket arn:aws:s3:::${BUCKET}`,
        `s3:PutObject arn:aws:s3:::${BUCKET}/done/*`,
      ]);

      await account.grantOnly(user, profile.statements);
      const again = await rclone('1.75.2', user, ['move', `moto:${BUCKET}/queue/`, `moto:${BUCKET}/done/`]);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(await account.objectKeys(BUCKET, 'queue/'), []);
      assert.deepEqual(await account.objectKeys(BUCKET, 'done/'), ['done/a.txt', 'done/sub/b.txt']);
    });
  });

  test('v1.75.2 copy within the bucket (server-side copies): the profile writes the destination and only reads the source, and alone lets the copy finish', async () => {
    await account.putObjects(BUCKET, ['published/a.txt', 'published/sub/b.txt']);
    const user = await account.createUser('ssc-copier', 'SscCopier', readOnlyPolicy(BUCKET, 'published'));
    const copy = ['copy', `moto:${BUCKET}/published/`, `moto:${BUCKET}/mirror-2/`];
    const failed = await rclone('1.75.2', user, copy);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'copy-within'));
    assert.deepEqual(grants(finding.fix?.statements ?? []), [
      `s3:PutObject arn:aws:s3:::${BUCKET}/mirror-2/*`,
    ]);
    const profile = finding.jobProfile;
    assert.equal(profile?.operation, 'copy');
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Resource]),
      [
        ['RcloneListBucket', [`arn:aws:s3:::${BUCKET}`]],
        ['RcloneObjects', [`arn:aws:s3:::${BUCKET}/mirror-2/*`]],
        ['RcloneCopySource', [`arn:aws:s3:::${BUCKET}/published/*`]],
      ],
    );
    assert.deepEqual(statementActions(profile.statements, 'RcloneCopySource'), ['s3:GetObject']);

    await account.grantOnly(user, profile.statements);
    const again = await rclone('1.75.2', user, copy);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'mirror-2/'), ['mirror-2/a.txt', 'mirror-2/sub/b.txt']);
  });

  test('v1.75.2 copyto and moveto between two keys of the bucket, refused the HEAD of the destination: the source HEADs that succeeded make it a server-side copy, whose profile (the copy set on the destination, a read of the source) alone lets copyto finish; moveto also needs s3:DeleteObject on the source, as the note says', async () => {
    await account.putObjects(BUCKET, ['inbox/2026/a.csv', 'inbox/2026/b.csv']);
    for (const [command, key] of [
      ['copyto', 'a.csv'],
      ['moveto', 'b.csv'],
    ] as const) {
      const user = await account.createUser(
        `ssc-${command}`,
        `Ssc${command}`,
        readOnlyPolicy(BUCKET, 'inbox'),
      );
      const args = [command, `moto:${BUCKET}/inbox/2026/${key}`, `moto:${BUCKET}/done/${key}`];
      const failed = await rclone('1.75.2', user, args);
      assert.notEqual(failed.code, 0);
      assert.deepEqual(callsOf(failed), [
        `HEAD /${BUCKET}/inbox/2026/${key} 200`,
        `HEAD /${BUCKET}/inbox/2026/${key} 200`,
        `HEAD /${BUCKET}/done/${key} 403`,
      ]);
      const finding = onlyFinding(await account.explainRun(user, failed, `ssc-${command}`));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:GetObject arn:aws:s3:::${BUCKET}/done/${key}`,
      ]);
      const profile = finding.jobProfile;
      assert.equal(profile?.operation, 'copy');
      assert.deepEqual(
        profile.statements.map((s) => [s.Sid, s.Resource]),
        [
          ['RcloneListBucket', [`arn:aws:s3:::${BUCKET}`]],
          ['RcloneObjects', [`arn:aws:s3:::${BUCKET}/done/*`]],
          ['RcloneCopySource', [`arn:aws:s3:::${BUCKET}/inbox/2026/*`]],
        ],
      );
      assert.match(profile.notes[0] ?? '', /a `moveto` also needs s3:DeleteObject on the source/);
      assert.ok(finding.caveats.some((c) => c.includes('the destination of a server-side copyto')));

      await account.grantOnly(user, profile.statements);
      const again = await rclone('1.75.2', user, [...args, '--s3-no-check-bucket']);
      if (command === 'copyto') {
        assert.equal(again.code, 0, again.output);
      } else {
        assert.notEqual(again.code, 0);
        assert.match(again.output, /Couldn't delete/);
        await account.grantOnly(user, [
          ...profile.statements,
          { Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: [`arn:aws:s3:::${BUCKET}/inbox/2026/*`] },
        ]);
        await account.putObjects(BUCKET, [`inbox/2026/${key}`]);
        const moved = await rclone('1.75.2', user, [...args, '--s3-no-check-bucket']);
        assert.equal(moved.code, 0, moved.output);
        assert.deepEqual(await account.objectKeys(BUCKET, `inbox/2026/${key}`), []);
      }
      assert.deepEqual(await account.objectKeys(BUCKET, `done/${key}`), [`done/${key}`]);
    }
  });

  test('v1.75.2 copy refused by an explicit Deny: no fix, the Deny named, and the profile leaves the refused action out and says why; added as it is, it does not let the copy finish', async () => {
    const user = await account.createUser('r1752-locked', 'R1752Locked', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${BUCKET}/*` },
        {
          Sid: 'NoWritesInLocked',
          Effect: 'Deny',
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${BUCKET}/locked/*`,
        },
      ],
    });
    const copy = ['copy', 'data', `moto:${BUCKET}/locked/`];
    const failed = await rclone('1.75.2', user, copy);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'locked'));
    assert.equal(finding.cause, 'identity-explicit-deny');
    assert.equal(finding.fix, null);
    assert.deepEqual(
      finding.deniedBy.map((d) => [d.policyName, d.sid]),
      [['R1752Locked', 'NoWritesInLocked']],
    );
    const profile = finding.jobProfile;
    assert.ok(profile !== null);
    assert.ok(!profile.statements.some((s) => s.Action.includes('s3:PutObject')));
    assert.equal(
      profile.notes?.[0],
      's3:PutObject is left out of this profile: Statement "NoWritesInLocked" of R1752Locked refuses it with no condition and no exception, and no Allow overrides an explicit Deny. The profile holds what the job can do while that Deny stays; the job must stop making those calls (see the alternatives and the caveats).',
    );

    await account.iam.send(
      new PutUserPolicyCommand({
        UserName: user.userName,
        PolicyName: 'JobProfile',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: profile.statements }),
      }),
    );
    const again = await rclone('1.75.2', user, copy);
    assert.notEqual(again.code, 0, 'the Deny still wins over the added profile');
    assert.deepEqual(await account.objectKeys(BUCKET, 'locked/'), []);
  });

  test('v1.75.2 copy to another bucket (server-side), refused its copies: the profile writes the destination and lists and reads the source bucket, and alone lets the copy finish', async () => {
    const other = 'copy-target';
    await account.s3.send(new CreateBucketCommand({ Bucket: other }));
    await account.putObjects(BUCKET, ['outgoing/a.txt', 'outgoing/sub/b.txt']);
    const user = await account.createUser('r1752-xcopy', 'R1752CrossCopy', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${other}`],
        },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/outgoing/*` },
      ],
    });
    const copy = ['copy', `moto:${BUCKET}/outgoing/`, `moto:${other}/incoming/`];
    const failed = await rclone('1.75.2', user, copy);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'xcopy'));
    assert.deepEqual(grants(finding.fix?.statements ?? []), [
      `s3:PutObject arn:aws:s3:::${other}/incoming/*`,
    ]);
    const profile = finding.jobProfile;
    assert.deepEqual(grants(profile?.statements ?? []), [
      `s3:AbortMultipartUpload arn:aws:s3:::${other}/incoming/*`,
      `s3:GetObject arn:aws:s3:::${BUCKET}/outgoing/*`,
      `s3:GetObject arn:aws:s3:::${other}/incoming/*`,
      `s3:ListBucket arn:aws:s3:::${BUCKET}`,
      `s3:ListBucket arn:aws:s3:::${other}`,
      `s3:PutObject arn:aws:s3:::${other}/incoming/*`,
    ]);
    await account.grantOnly(user, profile?.statements ?? []);
    const again = await rclone('1.75.2', user, copy);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(other, 'incoming/'), ['incoming/a.txt', 'incoming/sub/b.txt']);
  });

  test("v1.75.2 sync within the bucket, its deletes refused: a sync (the deletes are in the copies' destination, not their source), whose profile with the source read alone lets it finish", async () => {
    await account.putObjects(BUCKET, ['site-src/a.txt', 'site-src/sub/b.txt', 'site-live/stale.txt']);
    const user = await account.createUser(
      'ssc-syncer',
      'SscSyncer',
      readOnlyPolicy(BUCKET, 'site-src', ['site-live'], ['s3:PutObject', 's3:GetObject']),
    );
    const sync = ['sync', `moto:${BUCKET}/site-src/`, `moto:${BUCKET}/site-live/`];
    const failed = await rclone('1.75.2', user, sync);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'sync-within'));
    assert.deepEqual(grants(finding.fix?.statements ?? []), [
      `s3:DeleteObject arn:aws:s3:::${BUCKET}/site-live/*`,
    ]);
    const profile = finding.jobProfile;
    assert.equal(profile?.operation, 'sync');
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Resource]),
      [
        ['RcloneListBucket', [`arn:aws:s3:::${BUCKET}`]],
        ['RcloneObjects', [`arn:aws:s3:::${BUCKET}/site-live/*`]],
        ['RcloneCopySource', [`arn:aws:s3:::${BUCKET}/site-src/*`]],
      ],
    );

    await account.grantOnly(user, profile.statements);
    await account.putObjects(BUCKET, ['site-src/new.txt']);
    const again = await rclone('1.75.2', user, sync);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'site-live/'), [
      'site-live/a.txt',
      'site-live/new.txt',
      'site-live/sub/b.txt',
    ]);
  });

  test('v1.75.2 sync --backup-dir: the job uploads into the directory it deletes from, so it is a sync, not a move; the profile adds the backup directory, and alone lets the sync finish', async () => {
    await account.putObjects(BUCKET, ['site/stale.txt', 'site/a.txt'], 'last week\n');
    const user = await account.createUser('site-sync', 'SiteSync', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:GetObject'],
          Resource: [`arn:aws:s3:::${BUCKET}/site/*`, `arn:aws:s3:::${BUCKET}/site-backup/*`],
        },
      ],
    });
    const sync = [
      'sync',
      'data',
      `moto:${BUCKET}/site/`,
      '--backup-dir',
      `moto:${BUCKET}/site-backup/`,
      '--s3-no-check-bucket',
    ];
    const failed = await rclone('1.75.2', user, sync);
    assert.notEqual(failed.code, 0);
    const finding = onlyFinding(await account.explainRun(user, failed, 'backup-dir'));
    assert.deepEqual(grants(finding.fix?.statements ?? []), [
      `s3:DeleteObject arn:aws:s3:::${BUCKET}/site/*`,
    ]);
    const profile = finding.jobProfile;
    assert.equal(profile?.operation, 'sync');
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Resource]),
      [
        ['RcloneListBucket', [`arn:aws:s3:::${BUCKET}`]],
        ['RcloneObjects', [`arn:aws:s3:::${BUCKET}/site/*`]],
        ['RcloneCopyDestination', [`arn:aws:s3:::${BUCKET}/site-backup/*`]],
      ],
    );
    assert.ok(statementActions(profile.statements, 'RcloneObjects').includes('s3:PutObject'));

    await account.grantOnly(user, profile.statements);
    const again = await rclone('1.75.2', user, sync);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'site/'), ['site/a.txt', 'site/sub/b.txt']);
    assert.ok((await account.objectKeys(BUCKET, 'site-backup/')).includes('site-backup/stale.txt'));
  });

  test('v1.75.2 sync --backup-dir into a new directory, both paths without a trailing slash: both root checks are refused; the profile lists the two directories, not the whole bucket, and with s3:DeleteObject added (as its note says for a sync) alone lets the sync finish, while the bucket root stays closed', async () => {
    await account.putObjects(BUCKET, ['nightly/stale.txt'], 'last week\n');
    const user = await account.createUser('nightly-sync', 'NightlySync', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:GetObject'],
          Resource: [`arn:aws:s3:::${BUCKET}/nightly/*`, `arn:aws:s3:::${BUCKET}/attic/*`],
        },
      ],
    });
    const sync = [
      'sync',
      'data',
      `moto:${BUCKET}/nightly`,
      '--backup-dir',
      `moto:${BUCKET}/attic`,
      '--s3-no-check-bucket',
    ];
    const failed = await rclone('1.75.2', user, sync);
    assert.notEqual(failed.code, 0);
    // The destination holds objects, so rclone carries on past its check; the new backup directory
    // does not, so rclone takes it for a file and stops.
    assert.match(failed.output, /backup-dir.*is a file not a directory/);
    const finding = onlyFinding(await account.explainRun(user, failed, 'backup-dir-roots'));
    assert.deepEqual(grants(finding.fix?.statements ?? []), [
      `s3:GetObject arn:aws:s3:::${BUCKET}/attic`,
      `s3:GetObject arn:aws:s3:::${BUCKET}/nightly`,
    ]);
    const profile = finding.jobProfile;
    assert.ok(profile !== null && profile !== undefined);
    const objects = profile.statements.find((s) => s.Sid === 'RcloneObjects');
    assert.deepEqual(objects?.Resource, [
      `arn:aws:s3:::${BUCKET}/nightly/*`,
      `arn:aws:s3:::${BUCKET}/attic/*`,
    ]);
    assert.ok(
      profile.notes?.some((n) => n.includes('"nightly/", "attic/"') && n.includes('the whole bucket')),
    );
    assert.ok(!JSON.stringify(profile.statements).includes(`${BUCKET}/*`));

    await account.grantOnly(
      user,
      profile.statements.map((s) =>
        s.Sid === 'RcloneObjects' ? { ...s, Action: [...s.Action, 's3:DeleteObject'] } : s,
      ),
    );
    const again = await rclone('1.75.2', user, sync);
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(await account.objectKeys(BUCKET, 'nightly/'), ['nightly/a.txt', 'nightly/sub/b.txt']);
    assert.deepEqual(await account.objectKeys(BUCKET, 'attic/'), ['attic/stale.txt']);
    const elsewhere = await rclone('1.75.2', user, [
      'copyto',
      'data/a.txt',
      `moto:${BUCKET}/a.txt`,
      '--s3-no-check-bucket',
    ]);
    assert.notEqual(elsewhere.code, 0, 'the profile must not open the bucket root');
  });

  test('v1.75.2 one user copying to two buckets without s3:ListBucket: a finding and a profile per bucket, whose statement IDs stay distinct, so that IAM takes both profiles in one policy and both copies then finish', async () => {
    const second = 'second-bucket';
    await account.s3.send(new CreateBucketCommand({ Bucket: second }));
    const user = await account.createUser('two-buckets', 'TwoBuckets', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:GetObject'],
          Resource: [`arn:aws:s3:::${BUCKET}/pics/*`, `arn:aws:s3:::${second}/pics/*`],
        },
      ],
    });
    const toFirst = ['copy', 'data', `moto:${BUCKET}/pics/`, '--s3-no-check-bucket'];
    const toSecond = ['copy', 'data', `moto:${second}/pics/`, '--s3-no-check-bucket'];
    const first = await rclone('1.75.2', user, toFirst);
    assert.notEqual(first.code, 0);
    assert.notEqual((await rclone('1.75.2', user, toSecond)).code, 0);
    const report = await account.explainRun(user, first, 'two-buckets');
    assert.deepEqual(report.findings.map((f) => f.bucket).sort(), [BUCKET, second]);
    const statements = report.findings.flatMap((f) => f.jobProfile?.statements ?? []);
    const sids = statements.map((s) => s.Sid);
    assert.equal(new Set(sids).size, sids.length, sids.join(', '));
    assert.ok(sids.includes('RcloneListBucketSecondBucket') || sids.includes('RcloneListBucketBackupBucket'));

    // IAM (and moto) refuses a policy whose statements share a Sid.
    const [repeated] = statements;
    assert.ok(repeated !== undefined);
    await assert.rejects(account.grantOnly(user, [...statements, repeated]), /must be unique/);
    await account.grantOnly(user, statements);
    assert.equal((await rclone('1.75.2', user, toFirst)).code, 0);
    assert.equal((await rclone('1.75.2', user, toSecond)).code, 0);
    assert.deepEqual(await account.objectKeys(second, 'pics/'), ['pics/a.txt', 'pics/sub/b.txt']);
  });

  test("v1.75.2 two findings whose fixes change one managed policy: applied one after the other, the second new version drops the first's statement; the report's combined change lets both copies finish", async () => {
    const third = 'third-bucket';
    await account.s3.send(new CreateBucketCommand({ Bucket: third }));
    const user = await account.createUser('two-fixes', 'TwoFixes', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:GetObject'],
          Resource: [`arn:aws:s3:::${BUCKET}/docs/*`, `arn:aws:s3:::${third}/docs/*`],
        },
      ],
    });
    const toFirst = ['copy', 'data', `moto:${BUCKET}/docs/`, '--s3-no-check-bucket'];
    const toThird = ['copy', 'data', `moto:${third}/docs/`, '--s3-no-check-bucket'];
    const first = await rclone('1.75.2', user, toFirst);
    assert.notEqual(first.code, 0);
    assert.notEqual((await rclone('1.75.2', user, toThird)).code, 0);
    const report = await account.explainRun(user, first, 'two-fixes');
    assert.equal(report.findings.length, 2);
    for (const finding of report.findings) {
      assert.equal(finding.fix?.attachKind, 'managed-policy-version');
      assert.equal(finding.fix?.policyArn, user.policyArn);
      assert.ok(finding.caveats.some((c) => c.includes('also changes the managed policy TwoFixes')));
    }
    const [change] = report.policyChanges ?? [];
    assert.ok(change !== undefined);
    assert.deepEqual(change.findings, [1, 2]);
    assert.equal(change.verified, true);
    assert.deepEqual(
      change.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:ListBucket'], [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${third}`].sort()]],
    );

    // Each finding's new version is the snapshot's policy plus its own statement: the second undoes the first.
    for (const finding of report.findings) await account.setPolicyVersion(user, finding.fix?.newDocument);
    const firstFixed = report.findings[0]?.bucket === BUCKET ? toFirst : toThird;
    const lastFixed = firstFixed === toFirst ? toThird : toFirst;
    assert.notEqual((await rclone('1.75.2', user, firstFixed)).code, 0);
    assert.equal((await rclone('1.75.2', user, lastFixed)).code, 0);

    await account.setPolicyVersion(user, change.newDocument);
    assert.equal((await rclone('1.75.2', user, firstFixed)).code, 0);
    assert.equal((await rclone('1.75.2', user, lastFixed)).code, 0);
    assert.deepEqual(await account.objectKeys(third, 'docs/'), ['docs/a.txt', 'docs/sub/b.txt']);
  });

  test('v1.75.2 a second fix for a user whose first fix went into a new inline policy: the snapshot then holds that policy, and the second fix adds to it instead of replacing it, so the first job keeps working', async () => {
    // Objects are granted in the inline policy JobProfile; the managed policy grants nothing on this
    // bucket, so fixes go into an inline policy of their own.
    const user = await account.createUser('inline-fixes', 'InlineFixes', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::unused-bucket/*' }],
    });
    await account.grantOnly(user, [
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject'],
        Resource: [`arn:aws:s3:::${BUCKET}/inline/*`],
      },
    ]);
    const putInline = (document: unknown) =>
      account.iam.send(
        new PutUserPolicyCommand({
          UserName: user.userName,
          PolicyName: 'PermissionAuditorFix',
          PolicyDocument: JSON.stringify(document),
        }),
      );
    const copy = ['copy', 'data', `moto:${BUCKET}/inline/`, '--s3-no-check-bucket'];
    const refusedCopy = await rclone('1.75.2', user, copy);
    assert.notEqual(refusedCopy.code, 0);
    const first = onlyFinding(await account.explainRun(user, refusedCopy, 'inline-first'));
    assert.equal(first.fix?.attachKind, 'inline-policy');
    assert.equal(first.fix?.diff, undefined);
    await putInline(first.fix?.newDocument);
    assert.equal((await rclone('1.75.2', user, copy)).code, 0);

    const prune = ['delete', `moto:${BUCKET}/inline/sub/`];
    const refusedDelete = await rclone('1.75.2', user, prune);
    assert.notEqual(refusedDelete.code, 0);
    const second = onlyFinding(await account.explainRun(user, refusedDelete, 'inline-second'));
    assert.equal(second.fix?.policyName, 'PermissionAuditorFix');
    assert.deepEqual(grants(second.fix?.statements ?? []), [
      `s3:DeleteObject arn:aws:s3:::${BUCKET}/inline/sub/*`,
    ]);
    // The new document keeps the first fix's statements, and says what it adds.
    const kept = JSON.stringify(second.fix?.newDocument);
    for (const statement of first.fix?.statements ?? [])
      assert.ok(kept.includes(JSON.stringify(statement.Action)));
    assert.match(second.fix?.diff ?? '', /\+ .*s3:DeleteObject/);
    await putInline(second.fix?.newDocument);
    assert.equal((await rclone('1.75.2', user, prune)).code, 0);
    assert.deepEqual(await account.objectKeys(BUCKET, 'inline/sub/'), []);
    assert.equal((await rclone('1.75.2', user, copy)).code, 0, 'the first fix must survive the second');
  });

  describe('v1.75.2 delete and purge: jobs that only list and delete get a profile with no upload', () => {
    test('delete (a trailing slash, no root check): the listing has no delimiter; the profile alone (listing and s3:DeleteObject, not even s3:GetObject) lets it finish', async () => {
      await account.putObjects(BUCKET, ['expired/a.txt', 'expired/sub/b.txt']);
      const user = await account.createUser('pruner', 'Pruner', readOnlyPolicy(BUCKET, 'expired'));
      const failed = await rclone('1.75.2', user, ['delete', `moto:${BUCKET}/expired/`]);
      assert.notEqual(failed.code, 0);
      assert.ok(
        account.recorder.calls
          .slice(failed.from)
          .some((c) => c.method === 'GET' && !c.url.includes('delimiter')),
        'rclone delete lists the whole tree in one listing',
      );
      const finding = onlyFinding(await account.explainRun(user, failed, 'delete'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:DeleteObject arn:aws:s3:::${BUCKET}/expired/*`,
      ]);
      const profile = finding.jobProfile;
      assert.equal(profile?.operation, 'unknown');
      assert.deepEqual(grants(profile.statements), [
        `s3:DeleteObject arn:aws:s3:::${BUCKET}/expired/*`,
        `s3:ListBucket arn:aws:s3:::${BUCKET}`,
      ]);
      assert.deepEqual(finding.alternatives, []);

      await account.grantOnly(user, profile.statements);
      const again = await rclone('1.75.2', user, ['delete', `moto:${BUCKET}/expired/`]);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(await account.objectKeys(BUCKET, 'expired/'), []);
    });

    test('deletefile: the HEADs of the file succeed and its delete is refused, with no listing; the profile (the HEAD and the delete in its directory, no listing, no upload) alone lets deletefile remove it and the next file there', async () => {
      await account.putObjects(BUCKET, ['stale/a.txt', 'stale/b.txt']);
      const user = await account.createUser('unlinker', 'Unlinker', readOnlyPolicy(BUCKET, 'stale'));
      const failed = await rclone('1.75.2', user, ['deletefile', `moto:${BUCKET}/stale/a.txt`]);
      assert.notEqual(failed.code, 0);
      assert.deepEqual(callsOf(failed), [
        `HEAD /${BUCKET}/stale/a.txt 200`,
        `HEAD /${BUCKET}/stale/a.txt 200`,
        `DELETE /${BUCKET}/stale/a.txt 403`,
      ]);
      const finding = onlyFinding(await account.explainRun(user, failed, 'deletefile'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:DeleteObject arn:aws:s3:::${BUCKET}/stale/*`,
      ]);
      const profile = finding.jobProfile;
      assert.equal(profile?.operation, 'unknown');
      assert.deepEqual(grants(profile.statements), [
        `s3:DeleteObject arn:aws:s3:::${BUCKET}/stale/*`,
        `s3:GetObject arn:aws:s3:::${BUCKET}/stale/*`,
      ]);

      await account.grantOnly(user, profile.statements);
      for (const key of ['a.txt', 'b.txt']) {
        const again = await rclone('1.75.2', user, ['deletefile', `moto:${BUCKET}/stale/${key}`]);
        assert.equal(again.code, 0, again.output);
      }
      assert.deepEqual(await account.objectKeys(BUCKET, 'stale/'), []);
    });

    test('purge (no trailing slash): the refused root check is carried past, so the fix grants no s3:GetObject; the profile alone lets it finish', async () => {
      await account.putObjects(BUCKET, ['trash/a.txt', 'trash/sub/b.txt']);
      const user = await account.createUser('purger', 'Purger', readOnlyPolicy(BUCKET, 'trash'));
      const failed = await rclone('1.75.2', user, ['purge', `moto:${BUCKET}/trash`]);
      assert.notEqual(failed.code, 0);
      assert.equal(callsOf(failed)[0], `HEAD /${BUCKET}/trash 403`);
      assert.match(failed.output, /assuming unversioned/);
      const finding = onlyFinding(await account.explainRun(user, failed, 'purge'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:DeleteObject arn:aws:s3:::${BUCKET}/trash/*`,
        `s3:GetBucketVersioning arn:aws:s3:::${BUCKET}`,
      ]);
      assert.ok(
        finding.caveats.some((c) => c.includes(`This input shows objects in ${BUCKET}/trash/`)),
        finding.caveats.join(' | '),
      );
      const profile = finding.jobProfile;
      assert.equal(profile?.operation, 'unknown');
      assert.deepEqual(grants(profile.statements), [
        `s3:DeleteObject arn:aws:s3:::${BUCKET}/trash/*`,
        `s3:DeleteObjectVersion arn:aws:s3:::${BUCKET}/trash/*`,
        `s3:GetBucketVersioning arn:aws:s3:::${BUCKET}`,
        `s3:GetObject arn:aws:s3:::${BUCKET}/trash`,
        `s3:ListBucket arn:aws:s3:::${BUCKET}`,
        `s3:ListBucketVersions arn:aws:s3:::${BUCKET}`,
      ]);

      await account.grantOnly(user, profile.statements);
      const again = await rclone('1.75.2', user, ['purge', `moto:${BUCKET}/trash`]);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(await account.objectKeys(BUCKET, 'trash/'), []);
    });

    test('purge of a whole bucket: the deletes and DeleteBucket are refused; the profile (with s3:DeleteBucket, no upload) alone lets it remove the bucket', async () => {
      const scratch = 'scratch-bucket';
      await account.s3.send(new CreateBucketCommand({ Bucket: scratch }));
      await account.putObjects(scratch, ['a.txt', 'sub/b.txt']);
      const user = await account.createUser(
        'scratch-purger',
        'ScratchPurger',
        readOnlyPolicy(scratch, 'sub'),
      );
      const failed = await rclone('1.75.2', user, ['purge', `moto:${scratch}`]);
      assert.notEqual(failed.code, 0);
      const finding = onlyFinding(await account.explainRun(user, failed, 'purge-bucket'));
      const profile = finding.jobProfile;
      assert.equal(profile?.operation, 'unknown');
      assert.deepEqual(grants(profile.statements), [
        `s3:DeleteBucket arn:aws:s3:::${scratch}`,
        `s3:DeleteObject arn:aws:s3:::${scratch}/*`,
        `s3:DeleteObjectVersion arn:aws:s3:::${scratch}/*`,
        `s3:GetBucketVersioning arn:aws:s3:::${scratch}`,
        `s3:ListBucket arn:aws:s3:::${scratch}`,
        `s3:ListBucketVersions arn:aws:s3:::${scratch}`,
      ]);

      await account.grantOnly(user, profile.statements);
      const again = await rclone('1.75.2', user, ['purge', `moto:${scratch}`]);
      assert.equal(again.code, 0, again.output);
      const buckets = await account.s3.send(new ListBucketsCommand({}));
      assert.ok(!(buckets.Buckets ?? []).some((b) => b.Name === scratch), 'the bucket is gone');
    });

    test('purge in a versioned bucket: the fix alone (the versioning read) sends it to version calls it is refused; the profile alone lets it delete every version', async () => {
      const versioned = 'versioned-trash';
      await account.s3.send(new CreateBucketCommand({ Bucket: versioned }));
      await account.s3.send(
        new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: 'Enabled' } }),
      );
      // Two versions of one file: purge must delete both.
      await account.putObjects(versioned, ['old/a.txt', 'old/sub/b.txt']);
      await account.putObjects(versioned, ['old/a.txt'], 'second version\n');
      const user = await account.createUser(
        'version-purger',
        'VersionPurger',
        readOnlyPolicy(versioned, 'old'),
      );
      const failed = await rclone('1.75.2', user, ['purge', `moto:${versioned}/old`]);
      assert.notEqual(failed.code, 0);
      const finding = onlyFinding(await account.explainRun(user, failed, 'purge-versioned'));
      assert.ok(
        finding.caveats.some((c) => c.startsWith('With s3:GetBucketVersioning granted, rclone purge')),
        finding.caveats.join(' | '),
      );

      // The fix added beside the user's policy: the versioning read now succeeds, and the listing of
      // versions that follows (a GET of the bucket without list-type=2) is refused.
      await account.iam.send(
        new PutUserPolicyCommand({
          UserName: user.userName,
          PolicyName: 'Fix',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: finding.fix?.statements ?? [] }),
        }),
      );
      const fixOnly = await rclone('1.75.2', user, ['purge', `moto:${versioned}/old`]);
      assert.notEqual(fixOnly.code, 0, 'the versioning read alone leads to a refused listing of versions');
      assert.ok(
        account
          .refusedCalls(fixOnly)
          .some((c) => c.startsWith(`GET /${versioned}?`) && !c.includes('list-type=2')),
        JSON.stringify(account.refusedCalls(fixOnly)),
      );

      await account.grantOnly(user, finding.jobProfile?.statements ?? []);
      const again = await rclone('1.75.2', user, ['purge', `moto:${versioned}/old`]);
      assert.equal(again.code, 0, again.output);
      const left = await account.s3.send(
        new ListObjectVersionsCommand({ Bucket: versioned, Prefix: 'old/' }),
      );
      assert.deepEqual([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])], []);
    });

    test('cleanup: the listing of pending uploads is refused, then (with rclone still exiting 0) each abort; the cleanup profile, with no object listing or upload, alone lets it abort the upload', async () => {
      const pending = async () =>
        (
          (await account.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'staging/' })))
            .Uploads ?? []
        ).map((u) => u.Key);
      await account.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'staging/big.bin' }));
      const lister = await account.createUser('cleaner', 'Cleaner', readOnlyPolicy(BUCKET, 'staging'));
      const refused = await rclone('1.75.2', lister, ['cleanup', `moto:${BUCKET}/staging/`]);
      assert.notEqual(refused.code, 0);
      const listing = onlyFinding(await account.explainRun(lister, refused, 'cleanup-list'));
      assert.deepEqual(grants(listing.fix?.statements ?? []), [
        `s3:ListBucketMultipartUploads arn:aws:s3:::${BUCKET}`,
      ]);
      assert.deepEqual(grants(listing.jobProfile?.statements ?? []), [
        `s3:AbortMultipartUpload arn:aws:s3:::${BUCKET}/*`,
        `s3:ListBucketMultipartUploads arn:aws:s3:::${BUCKET}`,
      ]);

      // Allowed to list the uploads but not to abort them: rclone logs each failure and exits 0.
      const aborter = await account.createUser('cleaner-2', 'Cleaner2', {
        Version: '2012-10-17',
        Statement: [
          ...readOnlyPolicy(BUCKET, 'staging').Statement,
          { Effect: 'Allow', Action: 's3:ListBucketMultipartUploads', Resource: `arn:aws:s3:::${BUCKET}` },
        ],
      });
      const quiet = await rclone('1.75.2', aborter, ['cleanup', `moto:${BUCKET}/staging/`]);
      assert.equal(quiet.code, 0, quiet.output);
      assert.deepEqual(await pending(), ['staging/big.bin']);
      const aborts = onlyFinding(await account.explainRun(aborter, quiet, 'cleanup-abort'));
      assert.deepEqual(grants(aborts.fix?.statements ?? []), [
        `s3:AbortMultipartUpload arn:aws:s3:::${BUCKET}/staging/*`,
      ]);
      const profile = aborts.jobProfile;
      assert.equal(profile?.operation, 'unknown');
      assert.deepEqual(grants(profile.statements), [
        `s3:AbortMultipartUpload arn:aws:s3:::${BUCKET}/staging/*`,
        `s3:ListBucketMultipartUploads arn:aws:s3:::${BUCKET}`,
      ]);
      assert.deepEqual(aborts.alternatives, []);

      await account.grantOnly(aborter, profile.statements);
      const again = await rclone('1.75.2', aborter, ['cleanup', `moto:${BUCKET}/staging/`]);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(await pending(), []);
    });

    test('delete --s3-versions on a versioned bucket: the listing of versions marks a delete job, whose profile (with s3:DeleteObjectVersion, no upload) alone removes every version', async () => {
      const history = 'history-bucket';
      await account.s3.send(new CreateBucketCommand({ Bucket: history }));
      await account.s3.send(
        new PutBucketVersioningCommand({ Bucket: history, VersioningConfiguration: { Status: 'Enabled' } }),
      );
      await account.putObjects(history, ['old/a.txt', 'old/a.txt', 'old/sub/b.txt']);
      const versions = async () =>
        (
          (await account.s3.send(new ListObjectVersionsCommand({ Bucket: history, Prefix: 'old/' })))
            .Versions ?? []
        ).length;
      assert.equal(await versions(), 3);
      const user = await account.createUser('version-pruner', 'VersionPruner', {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3:ListBucket', 's3:ListBucketVersions'],
            Resource: `arn:aws:s3:::${history}`,
          },
          { Effect: 'Allow', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${history}/old/*` },
        ],
      });
      const prune = ['delete', '--s3-versions', `moto:${history}/old/`];
      const failed = await rclone('1.75.2', user, prune);
      assert.notEqual(failed.code, 0);
      const finding = onlyFinding(await account.explainRun(user, failed, 'delete-versions'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:DeleteObjectVersion arn:aws:s3:::${history}/old/*`,
      ]);
      const profile = finding.jobProfile;
      assert.equal(profile?.operation, 'unknown');
      assert.deepEqual(grants(profile.statements), [
        `s3:DeleteObject arn:aws:s3:::${history}/old/*`,
        `s3:DeleteObjectVersion arn:aws:s3:::${history}/old/*`,
        `s3:ListBucket arn:aws:s3:::${history}`,
        `s3:ListBucketVersions arn:aws:s3:::${history}`,
      ]);

      await account.grantOnly(user, profile.statements);
      const again = await rclone('1.75.2', user, prune);
      assert.equal(again.code, 0, again.output);
      assert.equal(await versions(), 0);
    });

    test('rmdirs past a refused root check finishes; its listing of a subdirectory shows the directory holds objects, and explain finds nothing to grant', async () => {
      await account.putObjects(BUCKET, ['tree/a.txt', 'tree/sub/b.txt']);
      const user = await account.createUser('tidier', 'Tidier', readOnlyPolicy(BUCKET, 'tree'));
      const done = await rclone('1.75.2', user, ['rmdirs', `moto:${BUCKET}/tree`]);
      assert.equal(done.code, 0, done.output);
      assert.equal(callsOf(done)[0], `HEAD /${BUCKET}/tree 403`);
      const finding = onlyFinding(await account.explainRun(user, done, 'rmdirs'));
      assert.equal(finding.fix, null);
      assert.ok(
        finding.caveats.some((c) => c.startsWith('Nothing to grant')),
        finding.caveats.join(' | '),
      );
    });
  });

  describe('v1.75.2 lists the directory after the denied check, and carries on only if it holds objects', () => {
    test('a new directory stops the job after the listing: explain grants the key alone, and the job then finishes', async () => {
      const user = await account.createUser('r1752', 'R1752Writer', copyOnlyPolicy(BUCKET, 'r1752'));
      const failed = await rclone('1.75.2', user, ['copy', 'data', `moto:${BUCKET}/r1752`]);
      assert.notEqual(failed.code, 0);
      assert.deepEqual(callsOf(failed), [`HEAD /${BUCKET}/r1752 403`, `GET /${BUCKET} 200`]);

      const finding = onlyFinding(await account.explainRun(user, failed, 'r1752'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [`s3:GetObject arn:aws:s3:::${BUCKET}/r1752`]);
      assert.ok(finding.caveats.some((c) => c.includes('since v1.75 (and in v1.74.4) rclone then lists')));
      assert.ok(!finding.caveats.some((c) => c.includes("rclone's first request")));

      await account.setPolicyVersion(user, finding.fix?.newDocument);
      const again = await rclone('1.75.2', user, ['copy', 'data', `moto:${BUCKET}/r1752`]);
      assert.equal(again.code, 0, again.output);
    });

    test('a directory that holds objects: the job finishes despite the denied check, and explain finds nothing to grant', async () => {
      const user = await account.createUser('r1752-held', 'R1752Held', copyOnlyPolicy(BUCKET, 'held'));
      await account.putObjects(BUCKET, ['held/old.txt'], 'old\n');
      const done = await rclone('1.75.2', user, ['copy', 'data', `moto:${BUCKET}/held`]);
      assert.equal(done.code, 0, done.output);
      assert.equal(callsOf(done)[0], `HEAD /${BUCKET}/held 403`);

      const finding = onlyFinding(await account.explainRun(user, done, 'r1752-held'));
      assert.equal(finding.fix, null);
      assert.ok(
        finding.caveats.some((c) => c.includes(`This input shows objects in ${BUCKET}/held/`)),
        finding.caveats.join(' | '),
      );
      assert.ok(finding.caveats.some((c) => c.includes('rclone carried on past it')));
    });

    test('a directory that holds objects, with the uploads refused: rclone walks it (a listing with a delimiter) past the check, so the fix is s3:PutObject alone, and it lets the job finish', async () => {
      const user = await account.createUser('r1752-ro', 'R1752ReadOnly', readOnlyPolicy(BUCKET, 'kept'));
      await account.putObjects(BUCKET, ['kept/old.txt'], 'old\n');
      const failed = await rclone('1.75.2', user, ['copy', 'data', `moto:${BUCKET}/kept`]);
      assert.notEqual(failed.code, 0);
      assert.equal(callsOf(failed)[0], `HEAD /${BUCKET}/kept 403`);

      const finding = onlyFinding(await account.explainRun(user, failed, 'r1752-ro'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [`s3:PutObject arn:aws:s3:::${BUCKET}/kept/*`]);
      assert.ok(
        finding.caveats.some((c) => c.includes('so the job carried on')),
        finding.caveats.join(' | '),
      );

      await account.setPolicyVersion(user, finding.fix?.newDocument);
      const again = await rclone('1.75.2', user, ['copy', 'data', `moto:${BUCKET}/kept`]);
      assert.equal(again.code, 0, again.output);
    });

    test('a listing job (lsf) past the check finishes, and explain finds nothing to grant', async () => {
      const user = await account.createUser('r1752-lsf', 'R1752Lister', readOnlyPolicy(BUCKET, 'listed'));
      await account.putObjects(BUCKET, ['listed/a.txt']);
      const done = await rclone('1.75.2', user, ['lsf', `moto:${BUCKET}/listed`]);
      assert.equal(done.code, 0, done.output);
      assert.match(done.output, /^a\.txt$/m);
      const finding = onlyFinding(await account.explainRun(user, done, 'r1752-lsf'));
      assert.equal(finding.fix, null);
      assert.ok(
        finding.caveats.some((c) => c.startsWith('Nothing to grant')),
        finding.caveats.join(' | '),
      );
    });

    test('cat of a file outside the read scope: after the refused HEAD and an empty listing of the key as a directory, rclone reads the file; explain grants one read on its directory, and the read profile alone lets cat print it', async () => {
      await account.putObjects(BUCKET, ['notes/today.txt'], 'today\n');
      const user = await account.createUser('r1752-cat', 'R1752Cat', readOnlyPolicy(BUCKET, 'other'));
      const failed = await rclone('1.75.2', user, ['cat', `moto:${BUCKET}/notes/today.txt`]);
      assert.notEqual(failed.code, 0);
      assert.deepEqual(callsOf(failed), [
        `HEAD /${BUCKET}/notes/today.txt 403`,
        `GET /${BUCKET} 200`,
        `GET /${BUCKET} 200`,
        `GET /${BUCKET}/notes/today.txt 403`,
      ]);

      const finding = onlyFinding(await account.explainRun(user, failed, 'r1752-cat'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:GetObject arn:aws:s3:::${BUCKET}/notes/*`,
      ]);
      assert.ok(!finding.caveats.some((c) => c.includes('rclone checking whether the')));
      const profile = finding.jobProfile;
      assert.equal(profile?.operation, 'unknown');
      // cat lists the file's directory before reading it, even with the HEAD allowed: s3:ListBucket too.
      assert.deepEqual(grants(profile.statements), [
        `s3:GetObject arn:aws:s3:::${BUCKET}/notes/*`,
        `s3:ListBucket arn:aws:s3:::${BUCKET}`,
      ]);

      await account.grantOnly(user, profile.statements);
      const again = await rclone('1.75.2', user, ['cat', `moto:${BUCKET}/notes/today.txt`]);
      assert.equal(again.code, 0, again.output);
      assert.match(again.output, /^today$/m);
    });

    test("a download of one file outside the read scope (copy remote:file ./dir): rclone HEADs it, lists it as a directory, finds nothing and HEADs it again; explain reads it as a download, not an upload's root check, and the profile (s3:GetObject in the file's directory, no listing, no write) alone lets this file and the next day's download, and nothing be written", async () => {
      await account.putObjects(BUCKET, ['exports/2026-11-28.csv', 'exports/2026-11-29.csv'], 'a,b\n');
      const user = await account.createUser('r1752-dl', 'R1752Download', readOnlyPolicy(BUCKET, 'other'));
      const failed = await rclone('1.75.2', user, [
        'copy',
        `moto:${BUCKET}/exports/2026-11-28.csv`,
        'downloads',
      ]);
      assert.notEqual(failed.code, 0);
      assert.deepEqual(callsOf(failed), [
        `HEAD /${BUCKET}/exports/2026-11-28.csv 403`,
        `GET /${BUCKET} 200`,
        `HEAD /${BUCKET}/exports/2026-11-28.csv 403`,
      ]);

      const finding = onlyFinding(await account.explainRun(user, failed, 'r1752-dl'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:GetObject arn:aws:s3:::${BUCKET}/exports/*`,
      ]);
      assert.ok(!finding.caveats.some((c) => c.includes('rclone checking whether the')));
      const profile = finding.jobProfile;
      assert.equal(profile?.operation, 'unknown');
      assert.deepEqual(grants(profile.statements), [`s3:GetObject arn:aws:s3:::${BUCKET}/exports/*`]);

      await account.grantOnly(user, profile.statements);
      for (const day of ['2026-11-28', '2026-11-29']) {
        const again = await rclone('1.75.2', user, [
          'copy',
          `moto:${BUCKET}/exports/${day}.csv`,
          'downloads',
        ]);
        assert.equal(again.code, 0, again.output);
        assert.equal(await readFile(join(dir(), 'downloads', `${day}.csv`), 'utf8'), 'a,b\n');
      }
      const upload = await rclone('1.75.2', user, ['copyto', 'data/a.txt', `moto:${BUCKET}/exports/a.txt`]);
      assert.notEqual(upload.code, 0, 'the profile grants no write');
    });

    test('lsf of a directory without s3:ListBucket: rclone takes the root for a file and lists the bucket root for it; the profile stays in the directory, and alone lets lsf list it', async () => {
      await account.putObjects(BUCKET, ['inventory/a.txt', 'inventory/sub/b.txt']);
      const user = await account.createUser('r1752-nolist', 'R1752NoList', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/inventory/*` },
        ],
      });
      const failed = await rclone('1.75.2', user, ['lsf', `moto:${BUCKET}/inventory`]);
      assert.notEqual(failed.code, 0);
      assert.ok(
        account.recorder.calls
          .slice(failed.from)
          .some((c) => c.url.includes('delimiter=%2F') && /prefix=(&|$)/.test(c.url) && c.status === 403),
        'rclone lists the bucket root to find the root as a file',
      );

      const finding = onlyFinding(await account.explainRun(user, failed, 'r1752-nolist'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:GetObject arn:aws:s3:::${BUCKET}/inventory`,
        `s3:ListBucket arn:aws:s3:::${BUCKET}`,
      ]);
      const profile = finding.jobProfile;
      assert.ok(profile !== null);
      assert.ok(
        grants(profile.statements).every((g) => !g.endsWith(`arn:aws:s3:::${BUCKET}/*`)),
        grants(profile.statements).join(' | '),
      );
      assert.deepEqual(profile.statements.find((s) => s.Sid === 'RcloneObjects')?.Resource, [
        `arn:aws:s3:::${BUCKET}/inventory/*`,
      ]);
      // A job writing there would have stopped after the refused listing: this one reads, and is granted no write.
      assert.equal(profile.operation, 'unknown');
      assert.ok(!grants(profile.statements).some((g) => g.startsWith('s3:PutObject')));

      await account.grantOnly(user, profile.statements);
      const again = await rclone('1.75.2', user, ['lsf', `moto:${BUCKET}/inventory`]);
      assert.equal(again.code, 0, again.output);
      assert.match(again.output, /^a\.txt$/m);
      assert.match(again.output, /^sub\/$/m);
    });

    test('a sync from S3 to a local directory without s3:ListBucket: rclone takes the refused root for a file and HEADs it again, where an upload there stops after the listing; the profile reads (no write), and alone lets the sync finish', async () => {
      await account.putObjects(BUCKET, ['ledger/2026/a.csv', 'ledger/2026/b.csv'], 'x\n');
      const policy = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/ledger/*` }],
      };
      const user = await account.createUser('r1752-down', 'R1752Down', policy);
      const failed = await rclone('1.75.2', user, ['sync', `moto:${BUCKET}/ledger`, 'ledger-copy']);
      assert.notEqual(failed.code, 0);
      assert.deepEqual(callsOf(failed), [
        `HEAD /${BUCKET}/ledger 403`,
        `GET /${BUCKET} 403`,
        `HEAD /${BUCKET}/ledger 403`,
      ]);
      const uploader = await account.createUser('r1752-up', 'R1752Up', policy);
      const upload = await rclone('1.75.2', uploader, ['copy', 'data', `moto:${BUCKET}/ledger`]);
      assert.notEqual(upload.code, 0);
      assert.deepEqual(callsOf(upload), [`HEAD /${BUCKET}/ledger 403`, `GET /${BUCKET} 403`]);
      assert.equal(
        onlyFinding(await account.explainRun(uploader, upload, 'r1752-up')).jobProfile?.operation,
        'copy',
      );

      const finding = onlyFinding(await account.explainRun(user, failed, 'r1752-down'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:GetObject arn:aws:s3:::${BUCKET}/ledger`,
        `s3:ListBucket arn:aws:s3:::${BUCKET}`,
      ]);
      const profile = finding.jobProfile;
      assert.equal(profile?.operation, 'unknown');
      assert.ok(!grants(profile.statements).some((g) => g.startsWith('s3:PutObject')));

      await account.grantOnly(user, profile.statements);
      const again = await rclone('1.75.2', user, ['sync', `moto:${BUCKET}/ledger`, 'ledger-copy']);
      assert.equal(again.code, 0, again.output);
      assert.equal(await readFile(join(dir(), 'ledger-copy', '2026', 'b.csv'), 'utf8'), 'x\n');
    });

    test('a sync denied its deletes (sent with x-id=DeleteObject): the fix is s3:DeleteObject on the directory, and the profile alone lets the sync finish', async () => {
      const user = await account.createUser('r1752-sync', 'R1752Sync', copyOnlyPolicy(BUCKET, 'sync'));
      await account.putObjects(BUCKET, ['sync/stale.txt'], 'old\n');
      const failed = await rclone('1.75.2', user, ['sync', 'data', `moto:${BUCKET}/sync/`]);
      assert.notEqual(failed.code, 0);
      assert.ok(
        account.recorder.calls.slice(failed.from).some((c) => c.method === 'DELETE' && c.status === 403),
      );

      const finding = onlyFinding(await account.explainRun(user, failed, 'r1752-sync'));
      assert.deepEqual(grants(finding.fix?.statements ?? []), [
        `s3:DeleteObject arn:aws:s3:::${BUCKET}/sync/*`,
      ]);
      assert.equal(finding.jobProfile?.operation, 'sync');
      await account.grantOnly(user, finding.jobProfile?.statements ?? []);
      const again = await rclone('1.75.2', user, ['sync', 'data', `moto:${BUCKET}/sync/`]);
      assert.equal(again.code, 0, again.output);
      assert.deepEqual(await account.objectKeys(BUCKET, 'sync/'), ['sync/a.txt', 'sync/sub/b.txt']);
    });
  });
});
