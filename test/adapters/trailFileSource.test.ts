import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { listTrailInputs, readListedInput, readTrailInputs } from '../../src/adapters/trailFileSource.js';
import { extractRecords } from '../../src/domain/cloudtrail/envelopes.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const fixturePath = (name: string): URL => new URL(`../fixtures/cloudtrail/${name}`, import.meta.url);

describe('readTrailInputs', () => {
  const root = temporaryDirectory('trail-file-source-');
  let trailText = '';

  before(async () => {
    trailText = await readFile(fixturePath('trail-file-mixed.json'), 'utf8');
  });

  test('a plain JSON file is read as text under its path', async () => {
    const path = join(root(), 'plain.json');
    await writeFile(path, trailText);
    const { texts, errors } = await readTrailInputs([path]);
    assert.deepEqual(errors, []);
    assert.deepEqual(texts, [{ input: path, text: trailText }]);
  });

  test('a gzip trail file as CloudTrail delivers it is decompressed', async () => {
    const path = join(root(), '111122223333_CloudTrail_eu-west-1_20261120T0315Z_Mu0KsOhtH1ar15ZZ.json.gz');
    await writeFile(path, gzipSync(Buffer.from(trailText, 'utf8')));
    const { texts, errors } = await readTrailInputs([path]);
    assert.deepEqual(errors, []);
    assert.equal(texts[0]?.text, trailText);
    assert.equal(extractRecords(texts[0]?.text ?? '', path).records.length, 4);
  });

  test('a gzip file of several members is read whole; a wrong size in the trailer is reported, not read short', async () => {
    // The trailer gives the last member's size only (25 bytes): the output still takes several chunks.
    const first = `{"Records":[${'{"eventVersion":"1.09"},'.repeat(60_000)}`;
    const second = '{"eventVersion":"1.09"}]}';
    const path = join(root(), 'members.json.gz');
    await writeFile(path, Buffer.concat([gzipSync(Buffer.from(first)), gzipSync(Buffer.from(second))]));
    const understated = gzipSync(Buffer.from(first + second));
    understated.writeUInt32LE(10, understated.length - 4);
    const lying = join(root(), 'understated.json.gz');
    await writeFile(lying, understated);
    const { texts, errors } = await readTrailInputs([path, lying]);
    assert.deepEqual(
      errors.map((e) => e.code),
      ['input.badGzip'],
    );
    assert.equal(texts.length, 1);
    assert.equal(texts[0]?.text, first + second);
  });

  test('bytes after the gzip data are ignored with a warning, as gzip -d does; a member that fails its checksum is not', async () => {
    const path = join(root(), 'trailing.json.gz');
    await writeFile(path, Buffer.concat([gzipSync(Buffer.from(trailText, 'utf8')), Buffer.from('garbage')]));
    const members = join(root(), 'trailing-members.json.gz');
    await writeFile(
      members,
      Buffer.concat([
        gzipSync(Buffer.from('{"Records":[')),
        gzipSync(Buffer.from(']}')),
        Buffer.from('\n\n'),
      ]),
    );
    const corrupt = gzipSync(Buffer.from(trailText, 'utf8'));
    corrupt.writeUInt32LE((corrupt.readUInt32LE(corrupt.length - 8) ^ 1) >>> 0, corrupt.length - 8);
    const badChecksum = join(root(), 'bad-checksum.json.gz');
    await writeFile(badChecksum, Buffer.concat([corrupt, Buffer.from('garbage')]));
    const { texts, errors } = await readTrailInputs([path, members, badChecksum]);
    assert.deepEqual(
      texts.map((t) => [
        t.input,
        t.text === trailText ? 'trail' : t.text,
        t.warning?.code,
        t.warning?.message,
      ]),
      [
        [
          path,
          'trail',
          'input.trailingBytes',
          `${path}: 7 bytes after its gzip data do not start like gzip and were ignored (gzip -d ignores them too); the gzip data itself was read whole and its checksums match.`,
        ],
        [
          members,
          '{"Records":[]}',
          'input.trailingBytes',
          `${members}: 2 bytes after its gzip data do not start like gzip and were ignored (gzip -d ignores them too); the gzip data itself was read whole and its checksums match.`,
        ],
      ],
    );
    assert.deepEqual(
      errors.map((e) => [e.input, e.code]),
      [[badChecksum, 'input.badGzip']],
    );
  });

  test('gzip is detected by content, whatever the file is called', async () => {
    const path = join(root(), 'downloaded-event.txt');
    await writeFile(path, gzipSync(Buffer.from('{"eventName":"GetObject"}', 'utf8')));
    const { texts } = await readTrailInputs([path]);
    assert.equal(texts[0]?.text, '{"eventName":"GetObject"}');
  });

  test('a .json.gz that is already decompressed is read as plain text', async () => {
    const path = join(root(), 'already-unzipped.json.gz');
    await writeFile(path, trailText);
    const { texts, errors } = await readTrailInputs([path]);
    assert.deepEqual(errors, []);
    assert.equal(texts[0]?.text, trailText);
  });

  test('a directory is read recursively in name order, taking only trail file names', async () => {
    const dir = join(root(), 'AWSLogs', '111122223333', 'CloudTrail', 'eu-west-1', '2026', '11', '20');
    await mkdir(join(dir, 'nested'), { recursive: true });
    await writeFile(join(dir, 'b.json'), '{"n":"b"}');
    await writeFile(join(dir, 'a.json.gz'), gzipSync(Buffer.from('{"n":"a"}')));
    await writeFile(join(dir, 'c.jsonl'), '{"n":"c"}\n');
    await writeFile(join(dir, 'nested', 'd.gz'), gzipSync(Buffer.from('{"n":"d"}')));
    await writeFile(join(dir, 'README.md'), 'not a trail file');
    await writeFile(join(dir, 'digest.txt'), 'ignored');
    const { texts, errors } = await readTrailInputs([join(root(), 'AWSLogs')]);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      texts.map((t) => [t.input, t.text.trim()]),
      [
        [join(dir, 'a.json.gz'), '{"n":"a"}'],
        [join(dir, 'b.json'), '{"n":"b"}'],
        [join(dir, 'c.jsonl'), '{"n":"c"}'],
        [join(dir, 'nested', 'd.gz'), '{"n":"d"}'],
      ],
    );
  });

  test('CloudTrail digest and Insights files under AWSLogs are left out of directory walks', async () => {
    const logs = join(root(), 'with-digests', 'AWSLogs', '111122223333');
    const digestDir = join(logs, 'CloudTrail-Digest', 'eu-west-1', '2026', '11', '20');
    const insightDir = join(logs, 'CloudTrail-Insight', 'eu-west-1', '2026', '11', '20');
    const logDir = join(logs, 'CloudTrail', 'eu-west-1', '2026', '11', '20');
    await mkdir(digestDir, { recursive: true });
    await mkdir(insightDir, { recursive: true });
    await mkdir(logDir, { recursive: true });
    await writeFile(
      join(insightDir, '111122223333_CloudTrail-Insight_eu-west-1_20261120T0315Z_aBcDeF.json.gz'),
      gzipSync(Buffer.from('{"Records":[{"eventVersion":"1.07","eventType":"AwsCloudTrailInsight"}]}')),
    );
    const digest = '{"awsAccountId":"111122223333","digestStartTime":"2026-11-20T02:00:00Z"}';
    await writeFile(
      join(digestDir, '111122223333_CloudTrail-Digest_eu-west-1_main_eu-west-1_20261120T030000Z.json.gz'),
      gzipSync(Buffer.from(digest)),
    );
    const log = join(logDir, '111122223333_CloudTrail_eu-west-1_20261120T0315Z_Mu0KsOhtH1ar15ZZ.json.gz');
    await writeFile(log, gzipSync(Buffer.from(trailText)));
    const { texts, errors } = await readTrailInputs([join(root(), 'with-digests')]);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      texts.map((t) => t.input),
      [log],
    );
    // The digest directory alone (an easy mistake beside CloudTrail/): said to hold digests only.
    const digestsOnly = await readTrailInputs([join(logs, 'CloudTrail-Digest')]);
    assert.deepEqual(
      digestsOnly.errors.map((e) => e.code),
      ['input.noTrailFiles'],
    );
    assert.match(
      digestsOnly.errors[0]?.message ?? '',
      /directory holds only CloudTrail digest, Insights or Lake sign files \(1\), which hold hashes of other files or unusual call rates, not API calls: give the CloudTrail\/ directory beside CloudTrail-Digest\/ and CloudTrail-Insight\//,
    );
  });

  test("a saved CloudTrail Lake query's sign file is left out of directory walks, its results read", async () => {
    const query = join(
      root(),
      'lake',
      'AWSLogs',
      '111122223333',
      'CloudTrail-Lake',
      'Query',
      '2026',
      '11',
      '29',
      '0a1b2c3d-1111-2222-3333-444455556666',
    );
    await mkdir(query, { recursive: true });
    const results = join(query, 'result_1.csv.gz');
    await writeFile(results, gzipSync(Buffer.from('eventid,eventname\nb3ca29a2,HeadObject\n')));
    await writeFile(
      join(query, 'result_sign.json'),
      '{"region":"eu-west-1","files":[{"fileHashValue":"ff","fileName":"result_1.csv.gz"}],"hashSignature":"ab"}',
    );
    const ignored: string[] = [];
    const listed = await listTrailInputs([join(root(), 'lake')], (path) => ignored.push(path));
    assert.deepEqual(listed, [{ kind: 'file', path: results }]);
    assert.deepEqual(ignored, []);
    await rm(results);
    const signOnly = await readTrailInputs([join(root(), 'lake')]);
    assert.deepEqual(
      signOnly.errors.map((e) => e.code),
      ['input.noTrailFiles'],
    );
    assert.match(
      signOnly.errors[0]?.message ?? '',
      /holds only CloudTrail digest, Insights or Lake sign files \(1\)/,
    );
  });

  test('a directory with no trail files is reported', async () => {
    const dir = join(root(), 'empty-dir');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'x');
    const { texts, errors } = await readTrailInputs([dir]);
    assert.deepEqual(texts, []);
    assert.deepEqual(
      errors.map((e) => [e.input, e.code]),
      [[dir, 'input.noTrailFiles']],
    );
  });

  test('a missing path is reported by name and the other inputs are still read', async () => {
    const good = join(root(), 'good.json');
    const missing = join(root(), 'does-not-exist.json');
    await writeFile(good, '{}');
    const { texts, errors } = await readTrailInputs([missing, good]);
    assert.deepEqual(
      texts.map((t) => t.input),
      [good],
    );
    assert.deepEqual(errors, [
      { input: missing, code: 'input.notFound', message: `${missing}: no such file or directory.` },
    ]);
  });

  test('a corrupt gzip is reported by name and the other inputs are still read', async () => {
    const corrupt = join(root(), 'corrupt.json.gz');
    const whole = gzipSync(Buffer.from(trailText));
    await writeFile(corrupt, whole.subarray(0, Math.floor(whole.length / 2)));
    const good = join(root(), 'after-corrupt.json');
    await writeFile(good, '{}');
    const { texts, errors } = await readTrailInputs([corrupt, good]);
    assert.deepEqual(
      texts.map((t) => t.input),
      [good],
    );
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.input, corrupt);
    assert.equal(errors[0]?.code, 'input.badGzip');
    assert.match(errors[0]?.message ?? '', /corrupt\.json\.gz: starts like gzip but cannot be decompressed/);
  });

  test('bytes that are not UTF-8 are reported instead of parsed as mojibake', async () => {
    const path = join(root(), 'latin1.json');
    await writeFile(path, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
    const { texts, errors } = await readTrailInputs([path]);
    assert.deepEqual(texts, []);
    assert.equal(errors[0]?.code, 'input.notUtf8');
  });

  test('a UTF-8 byte order mark is dropped, a real U+FFFD character is kept', async () => {
    const bom = join(root(), 'bom.json');
    await writeFile(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}', 'utf8')]));
    const replacement = join(root(), 'replacement-char.json');
    await writeFile(replacement, Buffer.from('{"key":"caf\uFFFD"}', 'utf8'));
    const gzippedBom = join(root(), 'bom.json.gz');
    await writeFile(
      gzippedBom,
      gzipSync(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}', 'utf8')])),
    );
    const { texts, errors } = await readTrailInputs([bom, replacement, gzippedBom]);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      texts.map((t) => t.text),
      ['{"a":1}', '{"key":"caf\uFFFD"}', '{}'],
    );
  });

  test('UTF-16 with or without a byte order mark, and gzip inside gzip, are read', async () => {
    const utf16 = Buffer.from(trailText, 'utf16le');
    const paths = {
      'le-bom.json': Buffer.concat([Buffer.from([0xff, 0xfe]), utf16]),
      'le.json': utf16,
      'be-bom.json': Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(utf16).swap16()]),
      'be.json': Buffer.from(utf16).swap16(),
      'twice.json.gz': gzipSync(gzipSync(Buffer.from(trailText, 'utf8'))),
      'le.json.gz': gzipSync(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16])),
    };
    const written = await Promise.all(
      Object.entries(paths).map(async ([name, bytes]) => {
        const path = join(root(), name);
        await writeFile(path, bytes);
        return path;
      }),
    );
    const { texts, errors } = await readTrailInputs(written);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      texts.map((t) => t.text === trailText),
      written.map(() => true),
    );
  });

  test('UTF-32, broken UTF-16 and gzip nested too deep each get a message that names the problem', async () => {
    const utf32 = join(root(), 'utf32.json');
    const chars = [...'{"Records":[]}'];
    const bytes = Buffer.alloc(chars.length * 4);
    chars.forEach((c, i) => {
      bytes.writeUInt32LE(c.charCodeAt(0), i * 4);
    });
    await writeFile(utf32, Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), bytes]));
    const brokenUtf16 = join(root(), 'lone-surrogate.json');
    await writeFile(
      brokenUtf16,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":"', 'utf16le'), Buffer.from([0x00, 0xd8])]),
    );
    const deep = join(root(), 'deep.json.gz');
    await writeFile(deep, gzipSync(gzipSync(gzipSync(gzipSync(Buffer.from('{}'))))));
    const { texts, errors } = await readTrailInputs([utf32, brokenUtf16, deep]);
    assert.deepEqual(texts, []);
    assert.deepEqual(
      errors.map((e) => [e.code, e.message]),
      [
        [
          'input.notUtf8',
          `${utf32}: is UTF-32LE text, which a JSON input cannot be; convert it to UTF-8 (iconv -f UTF-32LE -t UTF-8).`,
        ],
        [
          'input.notUtf8',
          `${brokenUtf16}: is UTF-16LE text with an unpaired surrogate (character 6), which is not valid UTF-16LE; save it as UTF-8.`,
        ],
        ['input.badGzip', `${deep}: is still gzip after 3 decompressions; a trail file is compressed once.`],
      ],
    );
  });

  test('binary data and archives other than gzip are named as such, not as text in another encoding', async () => {
    const binary = join(root(), 'core.bin');
    await writeFile(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff, 0xfe]));
    const zip = join(root(), 'trail.zip');
    await writeFile(
      zip,
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from([0x14, 0x00, 0xff])]),
    );
    const latin1 = join(root(), 'latin1.json');
    await writeFile(latin1, Buffer.from('{"a":"caf\u00e9"}', 'latin1'));
    const { errors } = await readTrailInputs([binary, zip, latin1]);
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        `${binary}: is binary data, not text; give CloudTrail's log files (.json or .json.gz), JSON lines, or the output of aws cloudtrail lookup-events.`,
        `${zip}: is a ZIP archive, not text; extract it, and give the .json or .json.gz files inside.`,
        `${latin1}: is not UTF-8 text, as byte 0xE9 at line 1 (byte offset 9) is not valid UTF-8; if it is Latin-1 or Windows-1252 text, convert it (iconv -f WINDOWS-1252 -t UTF-8).`,
      ],
    );
  });

  test('a byte order mark that contradicts the body (one byte order in front of the other) is named', async () => {
    const le = Buffer.from('{"Records":[]}', 'utf16le');
    const beMarkLeBody = join(root(), 'be-mark-le-body.json');
    await writeFile(beMarkLeBody, Buffer.concat([Buffer.from([0xfe, 0xff]), le]));
    const leMarkBeBody = join(root(), 'le-mark-be-body.json');
    await writeFile(leMarkBeBody, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(le).swap16()]));
    const { texts, errors } = await readTrailInputs([beMarkLeBody, leMarkBeBody]);
    assert.deepEqual(texts, []);
    assert.deepEqual(
      errors.map((e) => [e.code, e.message]),
      [
        [
          'input.notUtf8',
          `${beMarkLeBody}: starts with a UTF-16BE byte order mark, but its text is UTF-16LE (its first character is bytes 0x7B 0x00); remove the first two bytes and convert the rest (tail -c +3 FILE | iconv -f UTF-16LE -t UTF-8).`,
        ],
        [
          'input.notUtf8',
          `${leMarkBeBody}: starts with a UTF-16LE byte order mark, but its text is UTF-16BE (its first character is bytes 0x00 0x7B); remove the first two bytes and convert the rest (tail -c +3 FILE | iconv -f UTF-16BE -t UTF-8).`,
        ],
      ],
    );
  });

  test('gzip nested around a lot of text stops at the cap, as too large, without holding it all', async () => {
    const bomb = join(root(), 'bomb.json.gz');
    await writeFile(bomb, gzipSync(gzipSync(gzipSync(Buffer.alloc(20 << 20, 0x20)))));
    const { texts, errors } = await readTrailInputs([bomb], { maxTextLength: 1000 });
    assert.deepEqual(texts, []);
    assert.deepEqual(
      errors.map((e) => [e.code, e.message]),
      [
        [
          'input.tooLarge',
          `${bomb}: is too large to read as one text (more than 2,004 bytes after gzip decompression; at most 1,000 characters): split it into several files, as CloudTrail does (one per 5 minutes or so), and pass them or their directory.`,
        ],
      ],
    );
  });

  test('text that is not UTF-8 says where, and how to convert it; UTF-32 names its byte order', async () => {
    const latin1 = join(root(), 'latin1-lines.json');
    await writeFile(latin1, Buffer.from('{"Records":[\n{"key":"caf\u00e9"}]}', 'latin1'));
    const utf32be = join(root(), 'utf32be.json');
    const chars = [...'{"Records":[]}'];
    const bytes = Buffer.alloc(chars.length * 4);
    chars.forEach((c, i) => {
      bytes.writeUInt32BE(c.charCodeAt(0), i * 4);
    });
    await writeFile(utf32be, bytes);
    const tiny = join(root(), 'tiny-utf16.json');
    await writeFile(tiny, Buffer.from('{}', 'utf16le'));
    const { texts, errors } = await readTrailInputs([latin1, utf32be, tiny]);
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        `${latin1}: is not UTF-8 text, as byte 0xE9 at line 2 (byte offset 24) is not valid UTF-8; if it is Latin-1 or Windows-1252 text, convert it (iconv -f WINDOWS-1252 -t UTF-8).`,
        `${utf32be}: is UTF-32BE text without a byte order mark, which a JSON input cannot be; convert it to UTF-8 (iconv -f UTF-32BE -t UTF-8).`,
      ],
    );
    assert.deepEqual(
      texts.map((t) => t.text),
      ['{}'],
    );
  });

  test('JSON lines with a line that is not UTF-8: that line is an error of its own, the others are read with their line numbers', async () => {
    const lines = [
      Buffer.from('{"eventID":"a","key":"daily/a.txt"}', 'utf8'),
      Buffer.from('{"eventID":"b","key":"daily/caf\u00e9.txt"}', 'latin1'),
      Buffer.from('{"eventID":"c","key":"daily/\u00fcber.txt"}', 'utf8'),
    ];
    const body = Buffer.concat([
      lines[0]!,
      Buffer.from('\n'),
      lines[1]!,
      Buffer.from('\n'),
      lines[2]!,
      Buffer.from('\n'),
    ]);
    const plain = join(root(), 'mixed.jsonl');
    await writeFile(plain, body);
    const gzipped = join(root(), 'mixed.jsonl.gz');
    await writeFile(gzipped, gzipSync(body));
    const { texts, errors } = await readTrailInputs([plain, gzipped]);
    assert.deepEqual(
      errors.map((e) => [e.input, e.code, e.message]),
      [
        [
          `${plain} (line 2)`,
          'input.notUtf8',
          `${plain}: line 2 is not UTF-8 text, as byte 0xE9 at byte 32 of the line is not valid UTF-8; the line was not read, the others were. If it is Latin-1 or Windows-1252 text, convert it (iconv -f WINDOWS-1252 -t UTF-8).`,
        ],
        [
          `${gzipped} (line 2)`,
          'input.notUtf8',
          `${gzipped}: line 2 is not UTF-8 text, as byte 0xE9 at byte 32 of the line is not valid UTF-8 (after gzip decompression); the line was not read, the others were. If it is Latin-1 or Windows-1252 text, convert it (iconv -f WINDOWS-1252 -t UTF-8).`,
        ],
      ],
    );
    const expected = '{"eventID":"a","key":"daily/a.txt"}\n\n{"eventID":"c","key":"daily/\u00fcber.txt"}\n';
    assert.deepEqual(
      texts.map((t) => t.text),
      [expected, expected],
    );
  });

  test('a pretty-printed document with a line that is not UTF-8 is still one error for the file', async () => {
    const path = join(root(), 'pretty.json');
    await writeFile(path, Buffer.from('{\n  "Records": [\n    {"key": "caf\u00e9"}\n  ]\n}\n', 'latin1'));
    const { texts, errors } = await readTrailInputs([path]);
    assert.deepEqual(texts, []);
    assert.deepEqual(
      errors.map((e) => [e.input, e.code]),
      [[path, 'input.notUtf8']],
    );
  });

  test('invalid bytes next to a real U+FFFD are still reported', async () => {
    const path = join(root(), 'mixed-mojibake.json');
    await writeFile(
      path,
      Buffer.concat([Buffer.from('{"a":"\uFFFD', 'utf8'), Buffer.from([0xe9, 0x22, 0x7d])]),
    );
    const { texts, errors } = await readTrailInputs([path]);
    assert.deepEqual(texts, []);
    assert.equal(errors[0]?.code, 'input.notUtf8');
  });

  test('a link to a directory is followed, and the directory it names is listed once', async () => {
    const dir = join(root(), 'odd-entries');
    await mkdir(join(dir, 'real-dir'), { recursive: true });
    await writeFile(join(dir, 'real-dir', 'x.json'), '{}');
    // Named like a trail file, and sorted before the directory it names: read through the link.
    await symlink(join(dir, 'real-dir'), join(dir, 'a-dir-link.json'));
    await writeFile(join(dir, 'z.json'), '{}');
    const { texts, errors } = await readTrailInputs([dir]);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      texts.map((t) => t.input),
      [join(dir, 'a-dir-link.json', 'x.json'), join(dir, 'z.json')],
    );
  });

  test('a `latest` link to a directory outside the one given is read like a directory in it', async () => {
    const outside = join(root(), 'trail-2026-11-29');
    await mkdir(join(outside, 'eu-west-1'), { recursive: true });
    await writeFile(join(outside, 'eu-west-1', 'a.json'), '{}');
    const dir = join(root(), 'with-latest');
    await mkdir(dir);
    await symlink('../trail-2026-11-29', join(dir, 'latest'));
    await writeFile(join(dir, 'b.json'), '{}');
    const { texts, errors } = await readTrailInputs([dir]);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      texts.map((t) => t.input),
      [join(dir, 'b.json'), join(dir, 'latest', 'eu-west-1', 'a.json')],
    );
    // A directory that holds nothing but such a link holds trail files.
    const onlyLink = join(root(), 'only-latest');
    await mkdir(onlyLink);
    await symlink(outside, join(onlyLink, 'latest'));
    const listed = await readTrailInputs([onlyLink]);
    assert.deepEqual(listed.errors, []);
    assert.deepEqual(
      listed.texts.map((t) => t.input),
      [join(onlyLink, 'latest', 'eu-west-1', 'a.json')],
    );
  });

  test('links that name each other do not hang the walk, and each file is read once', async () => {
    const dir = join(root(), 'crossed');
    await mkdir(join(dir, 'a'), { recursive: true });
    await mkdir(join(dir, 'b'));
    await writeFile(join(dir, 'a', '1.json'), '{}');
    await writeFile(join(dir, 'b', '2.json'), '{}');
    await symlink(join(dir, 'b'), join(dir, 'a', 'to-b'));
    await symlink(join(dir, 'a'), join(dir, 'b', 'to-a'));
    await symlink(dir, join(dir, 'b', 'to-top'));
    const { texts, errors } = await readTrailInputs([dir]);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      texts.map((t) => t.input),
      [join(dir, 'a', '1.json'), join(dir, 'a', 'to-b', '2.json')],
    );
  });

  test('a path that is neither a file nor a directory is reported', async () => {
    const { errors } = await readTrailInputs(['/dev/null']);
    assert.deepEqual(
      errors.map((e) => [e.input, e.code]),
      [['/dev/null', 'input.unsupportedType']],
    );
  });

  test('a symbolic link to a pipe or a device inside a directory is not read, and says so', async () => {
    const dir = join(root(), 'links');
    await mkdir(dir);
    await writeFile(join(dir, 'a.json'), '{}');
    const fifo = join(root(), 'links-fifo');
    execFileSync('mkfifo', [fifo]);
    await symlink(fifo, join(dir, 'p.json'));
    await symlink('/dev/zero', join(dir, 'zero.json'));
    const { texts, errors } = await readTrailInputs([dir]);
    assert.deepEqual(
      texts.map((t) => t.input),
      [join(dir, 'a.json')],
    );
    assert.deepEqual(
      errors.map((e) => [e.input, e.code, e.message.slice(e.input.length)]),
      [
        [
          join(dir, 'p.json'),
          'input.unsupportedType',
          ': a symbolic link to a pipe inside a directory is not read (it might never end); name it as an input to read it.',
        ],
        [
          join(dir, 'zero.json'),
          'input.unsupportedType',
          ': a symbolic link to something other than a regular file (a socket or a device) inside a directory is not read (it might never end); name it as an input to read it.',
        ],
      ],
    );
  });

  test('a symlink loop inside a directory does not hang the walk', async () => {
    const dir = join(root(), 'loop');
    await mkdir(dir);
    await writeFile(join(dir, 'x.json'), '{}');
    await symlink(dir, join(dir, 'self'));
    execFileSync('mkfifo', [join(dir, 'pipe.json')]);
    execFileSync('mkfifo', [join(dir, 'queue')]);
    const { texts, errors } = await readTrailInputs([dir]);
    // The link names the directory being listed: nothing more to read there, and nothing to say.
    assert.deepEqual(
      texts.map((t) => t.input),
      [join(dir, 'x.json')],
    );
    // Neither pipe is read, and each is said.
    assert.deepEqual(
      errors.map((e) => [e.input, e.code, e.message.slice(e.input.length)]),
      [
        [
          join(dir, 'pipe.json'),
          'input.unsupportedType',
          ': a pipe inside a directory is not read (it might never end); name it as an input to read it.',
        ],
        [
          join(dir, 'queue'),
          'input.unsupportedType',
          ': not a regular file (a pipe, a socket or a device), not read.',
        ],
      ],
    );
  });

  test('- reads stdin, gzip or not', async () => {
    const plain = await readTrailInputs(['-'], {
      stdin: Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]),
    });
    assert.deepEqual(plain, { texts: [{ input: '<stdin>', text: '{"a":1}' }], errors: [] });
    const zipped = await readTrailInputs(['-'], { stdin: Readable.from([gzipSync(Buffer.from(trailText))]) });
    assert.equal(zipped.texts[0]?.text, trailText);
  });

  test('an input too large to hold as one text is a problem naming it (a file, a gzip, stdin); the others are still read', async () => {
    const big = join(root(), 'big.json');
    const bigZipped = join(root(), 'big.json.gz');
    const good = join(root(), 'small.json');
    await writeFile(big, trailText);
    await writeFile(bigZipped, gzipSync(Buffer.from(trailText)));
    await writeFile(good, '{"Records":[]}');
    const limit = trailText.length - 1;
    const { texts, errors } = await readTrailInputs(['-', big, bigZipped, good], {
      stdin: Readable.from([gzipSync(Buffer.from(trailText))]),
      maxTextLength: limit,
    });
    assert.deepEqual(
      errors.map((e) => [e.input, e.code]),
      [
        ['<stdin>', 'input.tooLarge'],
        [big, 'input.tooLarge'],
        [bigZipped, 'input.tooLarge'],
      ],
    );
    assert.match(
      errors[0]?.message ?? '',
      /^<stdin>: is too large to read as one text \([\d,]+ bytes after gzip decompression; at most [\d,]+ characters\): split it/,
    );
    assert.deepEqual(
      texts.map((t) => t.input),
      [good],
    );
  });

  test('standard input past what any text within the limit could take is refused as it is read, not held whole', async () => {
    const limit = 1000;
    let produced = 0;
    // A stream of 16 MB: reading must stop by itself, past 2 bytes per character and a megabyte.
    const endless = new Readable({
      read() {
        if (produced >= 16 * 1024 * 1024) {
          this.push(null);
          return;
        }
        produced += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024, 0x20));
      },
    });
    const { texts, errors } = await readTrailInputs(['-'], { stdin: endless, maxTextLength: limit });
    assert.deepEqual(texts, []);
    assert.equal(errors[0]?.code, 'input.tooLarge');
    assert.match(
      errors[0]?.message ?? '',
      /^<stdin>: is too large to read as one text \(more than [\d,]+ bytes, where reading stopped; at most 1,000 characters\)/,
    );
    assert.ok(produced < 2 * limit + 4 * 1024 * 1024, `${produced} bytes produced`);
  });

  test('a pipe named on the command line (process substitution) is read once, gzip or not', async () => {
    for (const [name, content] of [
      ['plain.fifo', Buffer.from(trailText)],
      ['zipped.fifo', gzipSync(Buffer.from(trailText))],
    ] as const) {
      const fifo = join(root(), name);
      execFileSync('mkfifo', [fifo]);
      // The writer waits for the reader to open the pipe; neither blocks the event loop.
      const writer = createWriteStream(fifo);
      writer.end(content);
      const { texts, errors } = await readTrailInputs([fifo]);
      assert.deepEqual(errors, [], name);
      assert.deepEqual(texts, [{ input: fifo, text: trailText }], name);
    }
  });

  test('a failing stdin is reported and the files after it are still read', async () => {
    const good = join(root(), 'after-stdin.json');
    await writeFile(good, '{}');
    const broken = new Readable({
      read() {
        this.destroy(new Error('pipe closed'));
      },
    });
    const { texts, errors } = await readTrailInputs(['-', good], { stdin: broken });
    assert.deepEqual(
      texts.map((t) => t.input),
      [good],
    );
    assert.equal(errors[0]?.input, '<stdin>');
    assert.match(errors[0]?.message ?? '', /pipe closed/);
  });
});

describe('listTrailInputs and readListedInput', () => {
  const root = temporaryDirectory('trail-file-list-');

  test('lists files, standard input and problems in the order of the paths, reading no file', async () => {
    const dir = join(root(), 'logs');
    await mkdir(join(dir, 'empty'), { recursive: true });
    await writeFile(join(dir, 'b.json.gz'), 'not gzip after all');
    await writeFile(join(dir, 'a.json'), '{}');
    const missing = join(root(), 'missing.json');
    const listed = await listTrailInputs([missing, dir, '-', join(dir, 'empty')]);
    assert.deepEqual(
      listed.map((l) => (l.kind === 'file' ? l.path : l.kind === 'problem' ? l.problem.code : l.kind)),
      ['input.notFound', join(dir, 'a.json'), join(dir, 'b.json.gz'), 'stdin', 'input.noTrailFiles'],
    );
  });

  test('reads one listed input at a time, a problem naming the input when it cannot be read', async () => {
    const good = join(root(), 'good.json.gz');
    const corrupt = join(root(), 'corrupt.json.gz');
    await writeFile(good, gzipSync(Buffer.from('{"Records":[]}')));
    await writeFile(corrupt, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]));
    assert.deepEqual(await readListedInput({ kind: 'file', path: good }), {
      ok: true,
      text: { input: good, text: '{"Records":[]}' },
    });
    const bad = await readListedInput({ kind: 'file', path: corrupt });
    assert.equal(bad.ok, false);
    assert.equal(bad.ok ? undefined : bad.problem.code, 'input.badGzip');
    const stdin = await readListedInput({ kind: 'stdin' }, { stdin: Readable.from(['{"a":1}']) });
    assert.deepEqual(stdin, { ok: true, text: { input: '<stdin>', text: '{"a":1}' } });
  });
});
