import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isS3aAgent, type S3aInput, s3aDirectory, s3aProfile } from '../../../src/domain/tools/s3aProfile.js';

function input(partial: Partial<S3aInput>): S3aInput {
  return { bucket: 'lake', keys: [], listPrefixes: [], directories: [], eventNames: new Set(), ...partial };
}

function statements(partial: Partial<S3aInput>) {
  return s3aProfile(input(partial)).statements.map((s) => [s.Sid, s.Action, s.Resource]);
}

describe('isS3aAgent', () => {
  test("S3A's user agent, alone or after fs.s3a.user.agent.prefix", () => {
    assert.equal(
      isS3aAgent('Hadoop 3.3.6, aws-sdk-java/1.12.367 Linux/6.1 OpenJDK_64-Bit_Server_VM/17.0.15'),
      true,
    );
    assert.equal(isS3aAgent('[Hadoop 3.3.4, aws-sdk-java/1.12.262 Linux/5.10]'), true);
    // Hadoop 3.4 (AWS SDK for Java v2), as recorded from Hadoop 3.4.1's hadoop fs.
    assert.equal(
      isS3aAgent(
        'Hadoop 3.4.1, aws-sdk-java/2.24.6 Linux/6.1 OpenJDK_64-Bit_Server_VM/17.0.15+6-Debian-1deb12u1 Java/17.0.15 vendor/Debian io/sync http/Apache cfg/retry-mode/adaptive ft/s3-transfer',
      ),
      true,
    );
    assert.equal(isS3aAgent('nightly-etl, Hadoop 3.4.1 aws-sdk-java/2.24.6'), true);
    assert.equal(isS3aAgent('aws-sdk-java/1.12.367 Linux/6.1'), false);
    assert.equal(isS3aAgent('MyHadoop 3.3.6'), false);
    assert.equal(isS3aAgent(undefined), false);
  });
});

describe('s3aDirectory', () => {
  test("a put: the file's listing probe and the refused HEAD of its parent give the file's directory", () => {
    assert.equal(
      s3aDirectory({
        keys: ['warehouse/sales'],
        listPrefixes: ['warehouse/sales/a.txt/'],
        directories: ['warehouse/sales/'],
      }),
      'warehouse/sales/',
    );
  });

  test('mkdir -p: the probes of every parent are set aside', () => {
    assert.equal(
      s3aDirectory({
        keys: ['warehouse', 'warehouse/sales', 'warehouse/sales/reports/'],
        listPrefixes: ['warehouse/', 'warehouse/sales/', 'warehouse/sales/reports/'],
        directories: [],
      }),
      'warehouse/sales/reports/',
    );
  });

  test("a Spark job's committer and partition directories: the table's directory", () => {
    assert.equal(
      s3aDirectory({
        keys: ['warehouse/sales'],
        listPrefixes: [
          'warehouse/sales/dt=2026-11-28/_temporary/0/',
          'warehouse/sales/dt=2026-11-28/_temporary/',
          'warehouse/sales/dt=2026-11-28/',
        ],
        directories: [],
      }),
      'warehouse/sales/',
    );
    assert.equal(
      s3aDirectory({ keys: ['out/__magic_job-1/part-0000'], listPrefixes: [], directories: [] }),
      'out/',
    );
    assert.equal(
      s3aDirectory({ keys: ['t/.spark-staging-1a2b/p=1/part-0000'], listPrefixes: [], directories: [] }),
      't/',
    );
  });

  test("files in two directories: their common directory; nothing: the bucket's root", () => {
    assert.equal(
      s3aDirectory({ keys: ['out/a/part-0000', 'out/b/part-0001'], listPrefixes: [], directories: [] }),
      'out/',
    );
    assert.equal(s3aDirectory({ keys: [], listPrefixes: [], directories: [] }), '');
  });
});

describe('s3aProfile', () => {
  test("a reader: the listing, the parents' keys and the directory named three ways, read only", () => {
    assert.deepEqual(
      statements({ keys: ['warehouse/sales/2026/a.csv'], eventNames: new Set(['GetObject']) }),
      [
        ['S3aBucket', ['s3:ListBucket'], ['arn:aws:s3:::lake']],
        [
          'S3aParentDirectories',
          ['s3:GetObject'],
          [
            'arn:aws:s3:::lake/warehouse',
            'arn:aws:s3:::lake/warehouse/',
            'arn:aws:s3:::lake/warehouse/sales',
            'arn:aws:s3:::lake/warehouse/sales/',
          ],
        ],
        [
          'S3aDirectory',
          ['s3:GetObject'],
          [
            'arn:aws:s3:::lake/warehouse/sales/2026',
            'arn:aws:s3:::lake/warehouse/sales/2026/',
            'arn:aws:s3:::lake/warehouse/sales/2026/*',
          ],
        ],
      ],
    );
  });

  test('a writer: the multipart listing on the bucket, and the writes, deletes and aborts in the directory', () => {
    const profile = s3aProfile(
      input({ keys: ['out/part-0000._COPYING_'], eventNames: new Set(['PutObject', 'DeleteObject']) }),
    );
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['S3aBucket', ['s3:ListBucket', 's3:ListBucketMultipartUploads'], ['arn:aws:s3:::lake']],
        [
          'S3aDirectory',
          ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          ['arn:aws:s3:::lake/out', 'arn:aws:s3:::lake/out/', 'arn:aws:s3:::lake/out/*'],
        ],
      ],
    );
    assert.match(profile.notes.join('\n'), /fs\.s3a\.directory\.marker\.retention=keep/);
  });

  test("a committer's pending directory makes a writer before its first write", () => {
    assert.deepEqual(
      statements({
        keys: ['warehouse/sales'],
        listPrefixes: ['warehouse/sales/dt=2026-11-28/_temporary/0/'],
      })[0],
      ['S3aBucket', ['s3:ListBucket', 's3:ListBucketMultipartUploads'], ['arn:aws:s3:::lake']],
    );
  });

  test("a job at the bucket's root, in another partition; wildcard characters in keys are literal", () => {
    assert.deepEqual(statements({ partition: 'aws-cn', keys: ['a.csv'] }), [
      ['S3aBucket', ['s3:ListBucket'], ['arn:aws-cn:s3:::lake']],
      ['S3aDirectory', ['s3:GetObject'], ['arn:aws-cn:s3:::lake/*']],
    ]);
    assert.deepEqual(statements({ keys: ['d*/x.csv'] })[1]?.[2], [
      'arn:aws:s3:::lake/d${*}',
      'arn:aws:s3:::lake/d${*}/',
      'arn:aws:s3:::lake/d${*}/*',
    ]);
  });
});

describe('s3aProfile of a job that reads one directory and writes another', () => {
  test('hadoop fs -cp raw/ to curated/: reads alone on raw/events/, writes on curated/events/ only', () => {
    const profile = s3aProfile(
      input({
        keys: [
          'raw/events/2026-11-28.csv',
          'curated/events/2026-11-28.csv._COPYING_',
          'curated/events',
          'curated',
        ],
        listPrefixes: ['raw/events/2026-11-28.csv/', 'curated/events/', 'curated/'],
        directories: ['raw/events/', 'curated/events/'],
        eventNames: new Set(['HeadObject', 'GetObject', 'ListObjects', 'PutObject']),
        writes: { keys: ['curated/events/2026-11-28.csv._COPYING_'], directories: [] },
      }),
    );
    assert.equal(profile.directory, 'curated/events/');
    assert.deepEqual(
      profile.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['S3aBucket', ['s3:ListBucket', 's3:ListBucketMultipartUploads'], ['arn:aws:s3:::lake']],
        [
          'S3aParentDirectories',
          ['s3:GetObject'],
          [
            'arn:aws:s3:::lake/raw',
            'arn:aws:s3:::lake/raw/',
            'arn:aws:s3:::lake/curated',
            'arn:aws:s3:::lake/curated/',
          ],
        ],
        [
          'S3aReadDirectory',
          ['s3:GetObject'],
          ['arn:aws:s3:::lake/raw/events', 'arn:aws:s3:::lake/raw/events/', 'arn:aws:s3:::lake/raw/events/*'],
        ],
        [
          'S3aDirectory',
          ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          [
            'arn:aws:s3:::lake/curated/events',
            'arn:aws:s3:::lake/curated/events/',
            'arn:aws:s3:::lake/curated/events/*',
          ],
        ],
      ],
    );
    assert.match(profile.notes[0] ?? '', /^The job reads raw\/events\/ and writes curated\/events\//);
  });

  test('a job that reads only where it writes keeps the one directory', () => {
    const profile = s3aProfile(
      input({
        keys: ['out/a.csv'],
        eventNames: new Set(['GetObject', 'PutObject']),
        writes: { keys: ['out/b.csv'], directories: [] },
      }),
    );
    assert.deepEqual(
      profile.statements.map((s) => s.Sid),
      ['S3aBucket', 'S3aDirectory'],
    );
  });
});
