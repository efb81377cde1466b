/**
 * The explain use case on files: inputs are read one at a time, with progress, and give the report that
 * reading them all first gives.
 */
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readTrailInputs } from '../../src/adapters/trailFileSource.js';
import { type ExplainProgress, explainFiles } from '../../src/app/explainFiles.js';
import { loadExplainContext } from '../../src/app/loadExplainContext.js';
import { explainTexts } from '../../src/domain/explain/explainBatch.js';
import { deniedRecord } from '../domain/explain/explainFixtures.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const root = temporaryDirectory('explain-files-');

test('one large file shows its analysis moving: records analysed so far, every 10,240', async () => {
  const path = join(root(), 'large.json');
  const record = deniedRecord({ eventTime: '2026-11-27T10:00:00Z' });
  const { errorCode: _, errorMessage: __, ...allowed } = record;
  const records = Array.from({ length: 25_000 }, (_, i) => ({ ...allowed, eventID: `ok-${i}` }));
  await writeFile(path, JSON.stringify({ Records: records }));
  const progress: ExplainProgress[] = [];
  const result = await explainFiles([path], {}, { onProgress: (p) => progress.push(p) });
  assert.ok(result.ok);
  assert.deepEqual(
    progress.flatMap((p) => (p.stage === 'reading' ? [[p.current, p.total, p.records]] : [])),
    [
      [1, 1, undefined],
      [1, 1, 10_240],
      [1, 1, 20_480],
    ],
  );
});

test('a directory is explained file by file, with progress, as reading every file first would', async () => {
  const dir = join(root(), 'trail');
  await mkdir(dir);
  const first = deniedRecord({ eventTime: '2026-11-27T10:00:00Z' });
  const second = deniedRecord({ eventTime: '2026-11-27T10:10:00Z' });
  await writeFile(join(dir, 'a.json.gz'), gzipSync(JSON.stringify({ Records: [first] })));
  await writeFile(join(dir, 'b.json'), JSON.stringify({ Records: [first, second] }));
  await writeFile(join(dir, 'c.json'), '{"Records": [');
  // Not read: a name that is not a trail file's (said), and a digest file (expected beside the logs).
  await writeFile(join(dir, 'notes.txt'), 'not a trail');
  await writeFile(join(dir, '111122223333_CloudTrail-Digest_eu-west-1_x.json.gz'), gzipSync('{}'));
  const missing = join(root(), 'missing.json');
  const paths = [dir, missing];

  const progress: ExplainProgress[] = [];
  const result = await explainFiles(paths, {}, { onProgress: (p) => progress.push(p) });
  assert.ok(result.ok);
  assert.deepEqual(
    progress.map((p) =>
      p.stage === 'reading' ? [p.current, p.total, p.input] : [p.deniedEvents, p.built, p.groups],
    ),
    [
      [1, 3, join(dir, 'a.json.gz')],
      [2, 3, join(dir, 'b.json')],
      [3, 3, join(dir, 'c.json')],
      // Before the first finding, then when the last (here the only) group of events became one.
      [2, undefined, undefined],
      [2, 1, 1],
    ],
  );
  // c.json is not JSON: opened, but not read as CloudTrail input.
  assert.equal(result.inputsRead, 2);
  assert.deepEqual(result.ignoredFiles, [join(dir, 'notes.txt')]);

  const read = await readTrailInputs(paths);
  const loaded = await loadExplainContext({});
  assert.ok(loaded.ok);
  const all = explainTexts(read.texts, loaded.context);
  // The file not read is a warning in the report too, for those who read only the report.
  assert.deepEqual(result.report, {
    ...all,
    errors: [...read.errors, ...all.errors],
    warnings: [
      {
        input: dir,
        code: 'input.notTrailFileName',
        message: `${dir}: 1 file was not read, as its name does not end in .json, .jsonl, .json.gz or .gz: notes.txt; name a file as an input to read it whatever its name.`,
      },
    ],
  });
  // One job over two files is one finding; the missing path comes first among the errors.
  assert.deepEqual(result.report.findings[0]?.eventIds, [first.eventID, second.eventID]);
  assert.deepEqual(
    result.report.errors.map((e) => e.code),
    ['input.notFound', 'cloudtrail.invalidJson'],
  );
});

test('a lookup-events page with a NextToken is read, and the result warns that it holds the first page only', async () => {
  const path = join(root(), 'lookup-page.json');
  const record = deniedRecord();
  await writeFile(
    path,
    JSON.stringify({
      Events: [{ EventId: record.eventID, CloudTrailEvent: JSON.stringify(record) }],
      NextToken: 'next',
    }),
  );
  const result = await explainFiles([path], {});
  assert.ok(result.ok);
  assert.deepEqual(result.report.findings[0]?.eventIds, [record.eventID]);
  assert.deepEqual(
    result.report.warnings?.map((w) => [w.input, w.code]),
    [[path, 'cloudtrail.lookupEventsNextToken']],
  );
});

test('a gzip trail file with bytes after its gzip data is read, and the result warns of them', async () => {
  const path = join(root(), 'trailing.json.gz');
  const record = deniedRecord();
  await writeFile(path, Buffer.concat([gzipSync(JSON.stringify({ Records: [record] })), Buffer.from('xyz')]));
  const result = await explainFiles([path], {});
  assert.ok(result.ok);
  assert.equal(result.inputsRead, 1);
  assert.deepEqual(result.report.findings[0]?.eventIds, [record.eventID]);
  assert.deepEqual(result.report.warnings, [
    {
      input: path,
      code: 'input.trailingBytes',
      message: `${path}: 3 bytes after its gzip data do not start like gzip and were ignored (gzip -d ignores them too); the gzip data itself was read whole and its checksums match.`,
    },
  ]);
});

test('JSON lines with a line that is not UTF-8: its other records are explained, and that line is an error', async () => {
  const path = join(root(), 'mixed.jsonl');
  const first = deniedRecord({ eventTime: '2026-11-27T10:00:00Z' });
  const second = deniedRecord({
    eventTime: '2026-11-27T10:01:00Z',
    requestParameters: { bucketName: 'data', key: 'in/caf\u00e9', Host: 'data.s3.eu-west-1.amazonaws.com' },
  });
  const third = deniedRecord({ eventTime: '2026-11-27T10:02:00Z' });
  const latin1 = Buffer.from(JSON.stringify(second), 'latin1');
  await writeFile(
    path,
    Buffer.concat([
      Buffer.from(`${JSON.stringify(first)}\n`),
      latin1,
      Buffer.from(`\n${JSON.stringify(third)}\n`),
    ]),
  );
  const result = await explainFiles([path], {});
  assert.ok(result.ok);
  assert.equal(result.inputsRead, 1);
  assert.deepEqual(result.report.findings[0]?.eventIds, [first.eventID, third.eventID]);
  assert.deepEqual(
    result.report.errors.map((e) => [e.input, e.code]),
    [[`${path} (line 2)`, 'input.notUtf8']],
  );
});

test("a directory's file that an option names (the snapshot kept beside the events) is not read as events, and is said", async () => {
  const dir = join(root(), 'scenario');
  await mkdir(dir);
  await writeFile(join(dir, 'event.json'), JSON.stringify({ Records: [deniedRecord()] }));
  const snapshot = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  await writeFile(join(dir, 'authz.json'), JSON.stringify(snapshot));
  await writeFile(join(dir, 'bucket-policy.json'), JSON.stringify({ Version: '2012-10-17', Statement: [] }));
  const result = await explainFiles([dir], {
    accountSnapshot: join(dir, 'authz.json'),
    bucketPolicies: [`data=${join(dir, 'bucket-policy.json')}`],
  });
  assert.ok(result.ok);
  assert.deepEqual(result.report.errors, []);
  assert.equal(result.inputsRead, 1);
  assert.deepEqual(
    result.report.warnings?.filter((w) => w.code === 'input.givenAsOption').map((w) => w.message),
    [
      `${join(dir, 'authz.json')}: not read as events: it is the file given as --account-snapshot.`,
      `${join(dir, 'bucket-policy.json')}: not read as events: it is the file given as --bucket-policy.`,
    ],
  );
  // Through a symbolic link to the directory, the same file is still the option's.
  const link = join(root(), 'scenario-link');
  await symlink(dir, link);
  const linked = await explainFiles([link], {
    accountSnapshot: join(dir, 'authz.json'),
    bucketPolicies: [`data=${join(dir, 'bucket-policy.json')}`],
  });
  assert.ok(linked.ok);
  assert.deepEqual(linked.report.errors, []);
  assert.deepEqual(
    linked.report.warnings?.filter((w) => w.code === 'input.givenAsOption').map((w) => w.input),
    [join(link, 'authz.json'), join(link, 'bucket-policy.json')],
  );
  // Named as an input itself, it is read as one (and says what it is).
  const named = await explainFiles([join(dir, 'authz.json')], { accountSnapshot: join(dir, 'authz.json') });
  assert.ok(named.ok);
  assert.equal(named.report.errors.length, 1);
});
