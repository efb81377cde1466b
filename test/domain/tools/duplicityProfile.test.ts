import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type DuplicityInput,
  duplicityProfile,
  isDuplicityFile,
} from '../../../src/domain/tools/duplicityProfile.js';
import { jobCalls } from './jobCallsFixture.js';

const FULL = 'duplicity-full.20261128T200818Z';
const INC = 'duplicity-inc.20261128T200818Z.to.20261129T020000Z';

function statements(partial: Partial<DuplicityInput>) {
  return duplicityProfile(jobCalls(partial))?.statements.map((s) => [s.Sid, s.Action, s.Resource]);
}

describe('isDuplicityFile', () => {
  test("duplicity's long file names, compressed, encrypted or partial, after a --file-prefix", () => {
    for (const key of [
      `${FULL}.vol1.difftar.gz`,
      `${FULL}.vol12.difftar.gpg`,
      `${FULL}.manifest`,
      `${FULL}.manifest.gpg`,
      `${FULL}.manifest.part`,
      `${INC}.vol3.difftar.gz`,
      `${INC}.manifest.gpg`,
      'duplicity-full-signatures.20261128T200818Z.sigtar.gz',
      'duplicity-new-signatures.20261128T200818Z.to.20261129T020000Z.sigtar.gpg',
      `hosts/web1/${FULL}.vol1.difftar.gz`,
      `hosts/web1/nas-${FULL}.manifest`,
      `hosts/web1/archive/${FULL}.vol1.difftar.gz`,
    ]) {
      assert.equal(isDuplicityFile(key), true, key);
    }
  });

  test('other keys, and names that only look like it', () => {
    for (const key of [
      'duplicity-full.manifest',
      'duplicity-full.2026-11-28.manifest',
      `${FULL}.vol1.tar.gz`,
      `${FULL}/vol1.difftar`,
      'backups/duplicity-notes.txt',
      `${FULL}.manifest.bak/other`,
      'data/2026/11/28/report.csv',
      '',
    ]) {
      assert.equal(isDuplicityFile(key), false, key);
    }
  });
});

describe('duplicityProfile', () => {
  test('a backup under a prefix: the bucket, and reads and writes under the prefix (no deletes)', () => {
    assert.deepEqual(statements({ keys: [`hosts/web1/${FULL}.vol1.difftar.gz`] }), [
      ['DuplicityBucket', ['s3:ListBucket'], ['arn:aws:s3:::backups']],
      [
        'DuplicityBackup',
        ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        ['arn:aws:s3:::backups/hosts/web1/*'],
      ],
    ]);
    const notes = duplicityProfile(jobCalls({ keys: [`hosts/web1/${FULL}.manifest`] }))?.notes ?? [];
    assert.match(notes.join('\n'), /s3:DeleteObject is left out/);
    assert.match(notes.join('\n'), /exit with status 0 when S3 refuses the deletes/);
  });

  test("a backup at the bucket's root", () => {
    assert.deepEqual(duplicityProfile(jobCalls({ keys: [`${FULL}.manifest`] }))?.statements[1]?.Resource, [
      'arn:aws:s3:::backups/*',
    ]);
  });

  test('no duplicity file, no profile (a listing alone does not say duplicity)', () => {
    assert.equal(
      duplicityProfile(jobCalls({ keys: ['data/a.txt'], listPrefixes: ['hosts/web1/'] })),
      undefined,
    );
    assert.equal(duplicityProfile(jobCalls({ eventNames: new Set(['HeadBucket']) })), undefined);
  });

  test('deletes (remove-older-than, cleanup) add s3:DeleteObject on the prefix, with the note that refused ones exit 0', () => {
    const key = `nas01/${FULL}.vol1.difftar.gpg`;
    const profile = duplicityProfile(jobCalls({ keys: [key], deletedKeys: [key] }));
    assert.deepEqual(profile?.statements[1]?.Action, [
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
    assert.match(profile?.notes.join('\n') ?? '', /The job deleted .* exit with status 0/s);
  });

  test('s3:AbortMultipartUpload is granted whether or not parts were seen, and the note says when they were', () => {
    const profile = duplicityProfile(
      jobCalls({
        keys: [`${FULL}.vol1.difftar.gz`],
        eventNames: new Set(['CreateMultipartUpload', 'UploadPart']),
      }),
    );
    assert.deepEqual(profile?.statements[1]?.Action, [
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:PutObject',
    ]);
    assert.match(
      profile?.notes.join('\n') ?? '',
      /--s3-multipart-chunk-size .* are uploaded in parts, as this job did:/,
    );
    const single = duplicityProfile(
      jobCalls({ keys: [`${FULL}.vol1.difftar.gz`], eventNames: new Set(['PutObject']) }),
    );
    assert.ok(single?.statements[1]?.Action.includes('s3:AbortMultipartUpload'));
    assert.doesNotMatch(single?.notes.join('\n') ?? '', /as this job did/);
  });

  test("the old boto backend's CreateBucket joins the bucket's statement, with creating the bucket (or boto3+s3://) as the alternative", () => {
    const profile = duplicityProfile(
      jobCalls({ keys: [`${FULL}.vol1.difftar.gz`], eventNames: new Set(['HeadBucket', 'CreateBucket']) }),
    );
    assert.deepEqual(profile?.statements[0]?.Action, ['s3:CreateBucket', 's3:ListBucket']);
    assert.deepEqual(
      profile?.alternatives.map((a) => [a.kind, a.removes]),
      [['client-config', ['s3:CreateBucket']]],
    );
    assert.match(profile?.alternatives[0]?.text ?? '', /boto3\+s3:\/\/backups\//);
  });

  test('a --file-prefix-archive with a slash puts the volumes in a subdirectory: the listing names the backup', () => {
    const profile = duplicityProfile(
      jobCalls({
        keys: [`nas01/archive/${FULL}.vol1.difftar.gz`, `nas01/${FULL}.manifest`],
        listPrefixes: ['nas01/'],
      }),
    );
    assert.deepEqual(profile?.archives, ['nas01/']);
    assert.deepEqual(profile?.statements[1]?.Resource, ['arn:aws:s3:::backups/nas01/*']);
    // Without the listing, the files' directories: the subdirectory lies inside the other.
    assert.deepEqual(
      duplicityProfile(
        jobCalls({ keys: [`nas01/archive/${FULL}.vol1.difftar.gz`, `nas01/${FULL}.manifest`] }),
      )?.archives,
      ['nas01/'],
    );
  });

  test('two backups of one job: one statement with both prefixes; wildcard characters in a prefix are literal', () => {
    const profile = duplicityProfile(
      jobCalls({ keys: [`hosts/web1/${FULL}.manifest`, `hosts/*db/${INC}.manifest.gpg`] }),
    );
    assert.deepEqual(profile?.archives, ['hosts/*db/', 'hosts/web1/']);
    assert.deepEqual(profile?.statements[1]?.Resource, [
      'arn:aws:s3:::backups/hosts/${*}db/*',
      'arn:aws:s3:::backups/hosts/web1/*',
    ]);
  });

  test("the bucket's partition", () => {
    assert.deepEqual(
      duplicityProfile(jobCalls({ partition: 'aws-cn', keys: [`${FULL}.manifest`] }))?.statements[0]
        ?.Resource,
      ['arn:aws-cn:s3:::backups'],
    );
  });
});

describe('a restore or verify (volumes downloaded, nothing uploaded)', () => {
  test('gets s3:GetObject alone, and a note on what a backup needs besides', () => {
    const input = jobCalls({
      bucket: 'b',
      keys: [`nas01/${FULL}.manifest.gpg`, `nas01/${FULL}.vol1.difftar.gpg`],
      listPrefixes: ['nas01/'],
      eventNames: new Set(['ListObjects', 'GetObject']),
    });
    const profile = duplicityProfile(input);
    assert.deepEqual(
      profile?.statements.map((s) => [s.Sid, s.Action]),
      [
        ['DuplicityBucket', ['s3:ListBucket']],
        ['DuplicityBackup', ['s3:GetObject']],
      ],
    );
    assert.ok(
      profile?.notes.some((n) => n.startsWith('The job downloaded backup volumes and uploaded nothing')),
    );
    // A backup HEADs its volumes (no GET) and uploads: it keeps its writes.
    const backup = duplicityProfile({
      ...input,
      eventNames: new Set(['ListObjects', 'HeadObject', 'PutObject']),
    });
    assert.ok(backup?.statements.some((s) => s.Action.includes('s3:PutObject')));
  });
});
