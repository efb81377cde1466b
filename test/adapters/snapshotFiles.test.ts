import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  loadAccountSnapshot,
  loadBucketPolicies,
  loadRcpFiles,
  loadScpFiles,
  readJsonFile,
} from '../../src/adapters/snapshotFiles.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/snapshot/${name}`, import.meta.url));

const dir = temporaryDirectory('snapshot-files-');

async function tempFile(name: string, content: string): Promise<string> {
  const path = join(dir(), name);
  await writeFile(path, content, 'utf8');
  return path;
}

describe('readJsonFile', () => {
  test('a missing file is file.missing and names the file', async () => {
    const path = join(dir(), 'nope.json');
    assert.deepEqual(await readJsonFile(path), {
      ok: false,
      code: 'file.missing',
      message: `${path}: no such file`,
      file: path,
    });
  });

  test('invalid JSON is file.notJson with the line and column of the error', async () => {
    const path = fixture('not-json.json');
    const result = await readJsonFile(path);
    assert.equal(result.ok ? '' : result.code, 'file.notJson');
    assert.match(result.ok ? '' : result.message, /not-json\.json: not valid JSON: .* at line 3, column 30$/);
  });

  test('pages saved one after another in one file are not JSON; a snapshot is told to make them an array', async () => {
    const path = await tempFile('pages.json', '{"UserDetailList": []}\n{"RoleDetailList": []}\n');
    const snapshot = await loadAccountSnapshot(path);
    assert.equal(snapshot.ok ? '' : snapshot.code, 'file.notJson');
    assert.match(
      snapshot.ok ? '' : snapshot.message,
      /it holds more than one JSON value: put the pages in one JSON array \(for example `jq -s \. page1\.json page2\.json > authz\.json`\)$/,
    );
    // Another option's file (a bucket policy) is one document: no such advice.
    const read = await readJsonFile(path);
    assert.doesNotMatch(read.ok ? '' : read.message, /JSON array/);
  });

  test('a truncated file says it ends too early, at its last line', async () => {
    const path = await tempFile('cut.json', '{\n  "UserDetailList": [\n');
    const result = await readJsonFile(path);
    assert.match(result.ok ? '' : result.message, /the file ends too early at line 3, column 1$/);
  });

  test('an empty file is file.empty', async () => {
    const result = await readJsonFile(await tempFile('empty.json', ' \n'));
    assert.equal(result.ok ? '' : result.code, 'file.empty');
  });

  test('a directory is file.unreadable, said in words', async () => {
    const path = dir();
    const result = await readJsonFile(path);
    assert.equal(result.ok ? '' : result.code, 'file.unreadable');
    assert.equal(result.ok ? '' : result.message, `${path}: is a directory, not a file`);
  });

  test('a UTF-8 byte order mark (PowerShell redirection) is ignored', async () => {
    const result = await readJsonFile(await tempFile('bom.json', '\uFEFF{"Policies": []}'));
    assert.deepEqual(result, { ok: true, value: { Policies: [] } });
  });

  test('a text longer than the longest string is file.tooLarge, counted in characters (UTF-8 ASCII: one byte each)', async () => {
    const maxTextLength = 100;
    // 150 ASCII characters: under twice the limit in bytes, which the cap once was, and over it in
    // characters, so building the string threw "Cannot create a string longer than …" (exit 1).
    const text = `{"Policies": [], "pad": "${'x'.repeat(150 - 27)}"}`;
    assert.equal(text.length, 150);
    const plain = await tempFile('long.json', text);
    const zipped = join(dir(), 'long.json.gz');
    await writeFile(zipped, gzipSync(Buffer.from(text, 'utf8')));
    assert.deepEqual(await readJsonFile(plain, undefined, { maxTextLength }), {
      ok: false,
      code: 'file.tooLarge',
      message: `${plain}: is too large to read as one text (150 bytes; at most 100 characters)`,
      file: plain,
    });
    const fromGzip = await readJsonFile(zipped, undefined, { maxTextLength });
    assert.equal(
      fromGzip.ok ? '' : fromGzip.message,
      `${zipped}: is too large to read as one text (150 bytes after gzip decompression; at most 100 characters)`,
    );
    // The same characters in UTF-16 (two bytes each) are within the limit when they are 100 or fewer.
    const short = `{"Policies": [], "pad": "${'x'.repeat(100 - 27)}"}`;
    const utf16 = join(dir(), 'long-utf16.json');
    await writeFile(utf16, Buffer.from(short, 'utf16le'));
    assert.equal((await readJsonFile(utf16, undefined, { maxTextLength })).ok, true);
  });

  test('UTF-16 (Windows PowerShell 5.1 redirection, with or without a mark) is read as what it is', async () => {
    const text = '{"Policies": [{"PolicyName": "Caf\u00e9"}]}';
    const withMark = join(dir(), 'utf16le-bom.json');
    await writeFile(withMark, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const withoutMark = join(dir(), 'utf16le.json');
    await writeFile(withoutMark, Buffer.from(text, 'utf16le'));
    const bigEndian = join(dir(), 'utf16be.json');
    await writeFile(bigEndian, Buffer.from(text, 'utf16le').swap16());
    for (const path of [withMark, withoutMark, bigEndian]) {
      assert.deepEqual(
        await readJsonFile(path),
        { ok: true, value: { Policies: [{ PolicyName: 'Caf\u00e9' }] } },
        path,
      );
    }
  });

  test('bytes that are not UTF-8 are file.notText saying where and how to convert, not parsed with replacement characters', async () => {
    const path = join(dir(), 'latin1.json');
    await writeFile(path, Buffer.from('{"a":1,\n"b":"caf\u00e9"}', 'latin1'));
    assert.deepEqual(await readJsonFile(path), {
      ok: false,
      code: 'file.notText',
      file: path,
      message: `${path}: is not UTF-8 text, as byte 0xE9 at line 2 (byte offset 16) is not valid UTF-8; if it is Latin-1 or Windows-1252 text, convert it (iconv -f WINDOWS-1252 -t UTF-8)`,
    });
  });

  test('a gzipped file is read through its layers; a broken one says so', async () => {
    const zipped = join(dir(), 'authz.json.gz');
    await writeFile(zipped, gzipSync(gzipSync(Buffer.from('{"Policies": []}'))));
    assert.deepEqual(await readJsonFile(zipped), { ok: true, value: { Policies: [] } });
    const broken = join(dir(), 'broken.json.gz');
    await writeFile(broken, gzipSync(Buffer.from('{"Policies": []}')).subarray(0, 12));
    const result = await readJsonFile(broken);
    assert.equal(result.ok ? undefined : result.code, 'file.badGzip');
    assert.match(
      result.ok ? '' : result.message,
      /broken\.json\.gz: starts like gzip but cannot be decompressed: /,
    );
  });

  test('a gzipped policy file with bytes after its gzip data is refused, saying so (it is read whole or not at all)', async () => {
    const trailing = join(dir(), 'trailing.json.gz');
    await writeFile(
      trailing,
      Buffer.concat([gzipSync(Buffer.from('{"Policies": []}')), Buffer.from('junk')]),
    );
    assert.deepEqual(await readJsonFile(trailing), {
      ok: false,
      code: 'file.badGzip',
      file: trailing,
      message: `${trailing}: 4 bytes after its gzip data do not start like gzip (gzip -d would ignore them); remove them, or decompress the file and give the JSON`,
    });
  });
});

describe('loadAccountSnapshot', () => {
  test('loads the CLI and raw fixtures into the same snapshot, labelled with the file', async () => {
    const cli = await loadAccountSnapshot(fixture('authz-cli.json'));
    const raw = await loadAccountSnapshot(fixture('authz-raw-pages.json'));
    assert.ok(cli.ok && raw.ok);
    assert.equal(cli.file, fixture('authz-cli.json'));
    assert.equal(cli.snapshot.source, fixture('authz-cli.json'));
    assert.deepEqual(raw.snapshot.roles, cli.snapshot.roles);
    assert.deepEqual(
      cli.warnings.map((w) => w.code),
      ['snapshot.managedPolicyMissing'],
    );
  });

  test('a file of the wrong kind is a snapshot error naming the file', async () => {
    const path = fixture('bucket-policy-get-output.json');
    const result = await loadAccountSnapshot(path);
    assert.equal(result.ok ? '' : result.code, 'snapshot.notAuthorizationDetails');
    assert.equal(result.ok ? '' : result.file, path);
    assert.ok((result.ok ? '' : result.message).startsWith(`${path}: `));
  });

  test('file errors pass through unchanged', async () => {
    const result = await loadAccountSnapshot(fixture('not-json.json'));
    assert.equal(result.ok ? '' : result.code, 'file.notJson');
  });
});

describe('loadScpFiles and loadRcpFiles', () => {
  test('a CloudTrail event given as a policy is said to be one, by every option, as by --account-snapshot', async () => {
    const trail = JSON.stringify({ Records: [{ eventVersion: '1.10', eventName: 'ListObjects' }] });
    const zipped = join(dir(), 'event.json.gz');
    await writeFile(zipped, gzipSync(Buffer.from(trail, 'utf8')));
    const hint = /; this looks like a CloudTrail event, which explain reads as FILE$/;
    for (const result of [
      await loadScpFiles([zipped]),
      await loadRcpFiles([zipped]),
      await loadBucketPolicies([`my-bucket=${zipped}`]),
    ])
      assert.match(result.ok ? '' : result.message, hint);
    const snapshot = await loadAccountSnapshot(zipped);
    assert.match(
      snapshot.ok ? '' : snapshot.message,
      /\(this looks like a CloudTrail event, which explain reads as FILE\); produce it with/,
    );
    // A policy-shaped mistake is not taken for an event.
    const other = await loadScpFiles([await tempFile('other.json', '{"Version": "2012-10-17"}')]);
    assert.doesNotMatch(other.ok ? '' : other.message, /CloudTrail/);
  });

  test('several --scp files concatenate their levels in argument order', async () => {
    const result = await loadScpFiles([fixture('scp-levels.json'), fixture('scp-describe-full-access.json')]);
    assert.ok(result.ok);
    assert.deepEqual(
      result.levels.map((level) => level.length),
      [1, 2, 1, 1],
    );
    assert.equal(result.levels[3]?.[0]?.name, 'FullAWSAccess');
    // Each level's file, so that a warning about one of its policies can name it.
    assert.deepEqual(result.sources, [
      fixture('scp-levels.json'),
      fixture('scp-levels.json'),
      fixture('scp-levels.json'),
      fixture('scp-describe-full-access.json'),
    ]);
  });

  test('no files give no levels', async () => {
    assert.deepEqual(await loadScpFiles([]), { ok: true, levels: [], sources: [] });
  });

  test('the first bad file stops loading and is named', async () => {
    const result = await loadRcpFiles([
      fixture('rcp-describe-full-access.json'),
      fixture('scp-describe-full-access.json'),
    ]);
    assert.equal(result.ok ? '' : result.code, 'controlPolicy.wrongType');
    assert.equal(result.ok ? '' : result.file, fixture('scp-describe-full-access.json'));
  });
});

describe('loadBucketPolicies', () => {
  test('loads each BUCKET=FILE argument, labelled with its bucket', async () => {
    const result = await loadBucketPolicies([
      `acme-backups=${fixture('bucket-policy-get-output.json')}`,
      `acme-archive=${fixture('bucket-policy-bare.json')}`,
    ]);
    assert.ok(result.ok);
    assert.deepEqual(
      result.policies.map((p) => [p.bucket, p.name]),
      [
        ['acme-backups', 'acme-backups bucket policy'],
        ['acme-archive', 'acme-archive bucket policy'],
      ],
    );
    assert.deepEqual(
      result.warnings.map((w) => [w.code, w.source]),
      [['bucketPolicy.bucketMismatch', fixture('bucket-policy-bare.json')]],
    );
  });

  test('the same bucket twice is bucketPolicy.duplicateBucket', async () => {
    const file = fixture('bucket-policy-bare.json');
    const result = await loadBucketPolicies([`acme-backups=${file}`, `acme-backups=${file}`]);
    assert.equal(result.ok ? '' : result.code, 'bucketPolicy.duplicateBucket');
  });

  test('a malformed argument and a missing file are reported as such', async () => {
    const malformed = await loadBucketPolicies(['acme-backups']);
    assert.equal(malformed.ok ? '' : malformed.code, 'bucketPolicy.argMalformed');
    const missing = await loadBucketPolicies([`acme-backups=${join(dir(), 'absent.json')}`]);
    assert.equal(missing.ok ? '' : missing.code, 'file.missing');
    assert.equal(missing.ok ? '' : missing.file, join(dir(), 'absent.json'));
  });

  test('a policy nested thousands of levels deep is refused as too deep, not a stack overflow', async () => {
    const deep = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:x":${'['.repeat(6000)}${']'.repeat(6000)}}}}]}`;
    const path = join(dir(), 'deep-policy.json');
    await writeFile(path, deep);
    for (const result of [
      await loadBucketPolicies([`acme-backups=${path}`]),
      await loadScpFiles([path]),
      await loadAccountSnapshot(path),
    ]) {
      assert.equal(result.ok ? '' : result.code, 'file.tooDeep');
      assert.match(
        result.ok ? '' : result.message,
        /^.*deep-policy\.json: nests arrays and objects more than 100 levels deep/,
      );
    }
  });

  test('a file of the wrong shape is bucketPolicy.invalidShape naming the file', async () => {
    const path = fixture('authz-cli.json');
    const result = await loadBucketPolicies([`acme-backups=${path}`]);
    assert.equal(result.ok ? '' : result.code, 'bucketPolicy.invalidShape');
    assert.equal(result.ok ? '' : result.file, path);
  });
});
