import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { columnsOf } from '../../src/cli/explainCommand.js';
import { main } from '../../src/cli/main.js';
import type { ExplainReport } from '../../src/domain/explain/report.js';
import { temporaryDirectory } from '../temporaryDirectory.js';
import { runCli } from './cliHarness.js';

const SEED = join(import.meta.dirname, '..', '..', 'events', '01-rclone-copy-listbucket');
const seedArgs = [
  '--account-snapshot',
  join(SEED, 'authz.json'),
  '--bucket-policy',
  `backup-bucket=${join(SEED, 'bucket-policy.json')}`,
];
const dir = temporaryDirectory('pa-explain-');
const nightsDir = temporaryDirectory('pa-nights-');

describe('permission-auditor explain', () => {
  test('JSON output follows the contract and the seed story names s3:ListBucket', async () => {
    const run = await runCli(['explain', join(SEED, 'event.json'), ...seedArgs, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as ExplainReport;
    assert.equal(report.findings.length, 1);
    const f = report.findings[0]!;
    assert.deepEqual(Object.keys(report).sort(), ['errors', 'findings', 'skipped']);
    for (const key of [
      'eventIds',
      'principal',
      'client',
      'requests',
      'cause',
      'evidence',
      'deniedBy',
      'fix',
      'alternatives',
      'jobProfile',
      'summary',
    ]) {
      assert.ok(key in f, `finding lacks ${key}`);
    }
    assert.equal(f.fix?.statements[0]?.Action[0], 's3:ListBucket');
    assert.match(run.stderr, /explain: 1 input\(s\), 6 event\(s\): 1 finding\(s\), 0 skipped, 0 error\(s\)/);
  });

  test('a job refused the same way on three nights: one full finding, two seen again, counted on standard error', async () => {
    const seed = JSON.parse(readFileSync(join(SEED, 'event.json'), 'utf8')) as {
      Records: { eventTime: string; eventID: string }[];
    };
    const nights = ['26', '27', '28'].flatMap((day) =>
      seed.Records.map((r) => ({
        ...r,
        eventTime: r.eventTime.replace(/^2026-11-\d\d/, `2026-11-${day}`),
        eventID: `${r.eventID.slice(0, -2)}${day}`,
      })),
    );
    // Not in dir(): another test reads that whole directory.
    const file = join(nightsDir(), 'three-nights.json');
    writeFileSync(file, JSON.stringify({ Records: nights }));
    const run = await runCli(['explain', file, ...seedArgs]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /: 3 finding\(s\) \(2 seen again\), 0 skipped/);
    assert.equal(run.stdout.split('Fix (verified)').length - 1, 1, 'the fix is shown in finding 1 only');
    assert.equal(run.stdout.split('Where they go (diff of').length - 1, 1, 'one diff');
    assert.equal(run.stdout.split('The whole new policy version').length - 1, 1, 'one new document');
    assert.match(
      run.stdout,
      /^Finding 3 of 3: No identity-based policy allows the request, again \(as in finding 1\)$/m,
    );
    assert.ok(!run.stdout.includes('Combined policy changes'), 'repeats need no combined change');
    const json = JSON.parse(
      (await runCli(['explain', file, ...seedArgs, '--format', 'json'])).stdout,
    ) as ExplainReport;
    assert.deepEqual(
      json.findings.map((f) => f.repeatOf),
      [undefined, 1, 1],
    );
    // SNS alerts: one for the job, naming the nights it was seen again.
    const sns = JSON.parse((await runCli(['explain', file, ...seedArgs, '--format', 'sns'])).stdout) as {
      subject: string;
      message: string;
    }[];
    assert.deepEqual(
      sns.map((m) => m.subject),
      ['AccessDenied: rclone-backup s3:ListBucket on backup-bucket (3 times)'],
    );
  });

  test('text output has no colour codes when stdout is not a terminal, and has them on a terminal', async () => {
    const plain = await runCli(['explain', join(SEED, 'event.json'), ...seedArgs]);
    const tty = await runCli(['explain', join(SEED, 'event.json'), ...seedArgs], undefined, true);
    assert.ok(!plain.stdout.includes('\u001b['));
    assert.ok(tty.stdout.includes('\u001b['));
  });

  test('markdown, slack and sns formats render the finding', async () => {
    const md = await runCli(['explain', join(SEED, 'event.json'), ...seedArgs, '--format', 'markdown']);
    assert.match(md.stdout, /s3:ListBucket/);
    const slack = JSON.parse(
      (await runCli(['explain', join(SEED, 'event.json'), ...seedArgs, '--format', 'slack'])).stdout,
    ) as { blocks: unknown[] }[];
    assert.ok(slack.length >= 1 && slack[0]!.blocks.length <= 50);
    const sns = JSON.parse(
      (await runCli(['explain', join(SEED, 'event.json'), ...seedArgs, '--format', 'sns'])).stdout,
    ) as { subject: string }[];
    assert.ok(sns[0]!.subject.length < 100);
  });

  test('a gzipped trail file, a JSON-lines file and a directory are read like plain files', async () => {
    const trail = readFileSync(join(SEED, 'event.json'), 'utf8');
    const records = (JSON.parse(trail) as { Records: unknown[] }).Records;
    writeFileSync(join(dir(), 'trail.json.gz'), gzipSync(trail));
    writeFileSync(join(dir(), 'events.jsonl'), records.map((r) => JSON.stringify(r)).join('\n'));
    for (const input of [join(dir(), 'trail.json.gz'), join(dir(), 'events.jsonl')]) {
      const run = await runCli(['explain', input, ...seedArgs, '--format', 'json']);
      const report = JSON.parse(run.stdout) as ExplainReport;
      assert.equal(report.findings[0]?.cause, 'identity-missing-allow', input);
    }
    const fromDir = JSON.parse(
      (await runCli(['explain', dir(), ...seedArgs, '--format', 'json'])).stdout,
    ) as ExplainReport;
    // The directory holds the same events twice: the copies are skipped as duplicates, not analysed twice.
    assert.equal(fromDir.findings.length, 1);
    assert.ok(fromDir.skipped.every((s) => s.reason === 'duplicate'));
  });

  test('text and markdown count the skipped events of a trail by reason after the finding; JSON lists each', async () => {
    const [denied] = (
      JSON.parse(readFileSync(join(SEED, 'event.json'), 'utf8')) as { Records: Record<string, unknown>[] }
    ).Records;
    const records = [denied];
    for (let i = 0; i < 40; i++) {
      records.push({ ...denied, eventID: `ok-${i}`, errorCode: undefined, errorMessage: undefined });
    }
    for (let i = 0; i < 5; i++) {
      records.push({
        ...denied,
        eventID: `sts-${i}`,
        eventSource: 'sts.amazonaws.com',
        eventName: 'GetCallerIdentity',
      });
    }
    const trail = join(dir(), 'mostly-skipped.json');
    writeFileSync(trail, JSON.stringify({ Records: records }));

    const text = await runCli(['explain', trail, ...seedArgs]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^Finding 1 of 1: /);
    assert.match(
      text.stdout,
      /\n\nSkipped 45 events, by reason:\n {2}not an AccessDenied event: 40 events\n {4}- ok-0: /,
    );
    assert.match(text.stdout, /\n {2}not an S3 event: 5 events\n {4}- sts-0: /);
    assert.equal(
      (text.stdout.slice(text.stdout.indexOf('Skipped')).match(/^ {4}- /gm) ?? []).length,
      6,
      'three examples of each reason',
    );

    const markdown = await runCli(['explain', trail, ...seedArgs, '--format', 'markdown']);
    assert.match(markdown.stdout, /^## Skipped events \(45\)\n\n- not an AccessDenied event: 40 events$/m);

    const json = JSON.parse(
      (await runCli(['explain', trail, ...seedArgs, '--format', 'json'])).stdout,
    ) as ExplainReport;
    assert.equal(json.skipped.length, 45);
  });

  test('an unreadable input is reported and the readable ones are still analysed (exit 0)', async () => {
    const run = await runCli([
      'explain',
      join(dir(), 'missing.json'),
      join(SEED, 'event.json'),
      ...seedArgs,
      '--format',
      'json',
    ]);
    assert.equal(run.code, 0);
    const report = JSON.parse(run.stdout) as ExplainReport;
    assert.equal(report.findings.length, 1);
    assert.ok(report.errors.some((e) => e.input.includes('missing.json')));
    // The account on standard error counts every input named, and how many were read; the JSON report
    // goes elsewhere, so the input it could not read is named there too.
    assert.match(run.stderr, /^explain: 1 of 2 input\(s\) read, /m);
    assert.match(run.stderr, /^explain: .*missing\.json.*$/m);
  });

  test('the summary counts the files of a directory given as files, and writes numbers as the progress line does', async () => {
    const folder = join(dir(), 'with-scenario');
    mkdirSync(folder);
    writeFileSync(join(folder, 'event.json'), readFileSync(join(SEED, 'event.json')));
    writeFileSync(join(folder, 'scenario.json'), '{"foo": 1}');
    const run = await runCli(['explain', folder, ...seedArgs, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /^explain: 1 of 2 file\(s\) read from 1 input\(s\) named, 6 event\(s\): 1 finding\(s\), /m,
    );
    // 1,200 successful calls, skipped as not denied: counted with a thousands separator.
    const seed = (
      JSON.parse(readFileSync(join(SEED, 'event.json'), 'utf8')) as { Records: Record<string, unknown>[] }
    ).Records[0]!;
    const { errorCode: _, errorMessage: __, ...allowed } = seed;
    const records = Array.from({ length: 1200 }, (_, i) => ({ ...allowed, eventID: `ok-${i}` }));
    const trail = join(dir(), 'many-allowed.json');
    writeFileSync(trail, JSON.stringify({ Records: records }));
    const many = await runCli(['explain', trail, ...seedArgs, '--format', 'json']);
    assert.match(
      many.stderr,
      /^explain: 1 input\(s\), 1,200 event\(s\): 0 finding\(s\), 1,200 skipped, 0 error\(s\)$/m,
    );
  });

  test('no readable input at all exits 2', async () => {
    const run = await runCli(['explain', join(dir(), 'missing.json')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no input could be read/);
  });

  test('a CloudTrail envelope whose entries are all broken was read, as one whose records lack a field: exit 0, the entries as errors', async () => {
    const seed = JSON.parse(readFileSync(join(SEED, 'event.json'), 'utf8')) as Record<string, unknown>;
    const { eventID: _, ...withoutId } = seed;
    const inputs = {
      'not-objects.json': { Records: [1, 'x'] },
      'without-id.json': { Records: [withoutId] },
      // lookup-events output whose records were left out (a --query that drops CloudTrailEvent)
      'lookup-without-record.json': {
        Events: [
          { EventId: 'e1', EventName: 'GetObject', EventSource: 's3.amazonaws.com', EventTime: 1764000000 },
        ],
      },
    };
    for (const [name, content] of Object.entries(inputs)) {
      const file = join(dir(), name);
      writeFileSync(file, JSON.stringify(content));
      const run = await runCli(['explain', file, '--format', 'json']);
      assert.equal(run.code, 0, `${name}: ${run.stderr}`);
      const report = JSON.parse(run.stdout) as ExplainReport;
      assert.deepEqual(report.findings, [], name);
      assert.ok(report.errors.length > 0 && report.errors.every((e) => e.input.startsWith(file)), name);
      assert.match(run.stderr, /^explain: 1 input\(s\), 0 event\(s\)/m, name);
    }
    // An envelope that is broken itself is not CloudTrail input: nothing was read.
    const notArray = join(dir(), 'records-not-array.json');
    writeFileSync(notArray, '{"Records": "x"}');
    assert.equal((await runCli(['explain', notArray])).code, 2);
  });

  test("another service's Events array (aws rds or redshift describe-events) is not CloudTrail input: exit 2", async () => {
    const inputs = {
      'rds-events.json': {
        SourceIdentifier: 'mydbinstance',
        SourceType: 'db-instance',
        Message: 'DB instance created',
        EventCategories: ['creation'],
        Date: '2026-11-27T10:00:00Z',
        SourceArn: 'arn:aws:rds:eu-west-1:111122223333:db:mydbinstance',
      },
      // Redshift's events have an EventId, as CloudTrail's lookup-events entries do.
      'redshift-events.json': {
        SourceIdentifier: 'analytics-cluster',
        SourceType: 'cluster',
        Message: 'Cluster analytics-cluster has been resized.',
        EventCategories: ['management'],
        Severity: 'INFO',
        Date: '2026-11-28T03:15:20.000Z',
        EventId: 'REDSHIFT-EVENT-2000',
      },
    };
    for (const [name, event] of Object.entries(inputs)) {
      const file = join(dir(), name);
      writeFileSync(file, JSON.stringify({ Events: [event] }));
      const run = await runCli(['explain', file]);
      assert.equal(run.code, 2, `${name}: ${run.stderr}`);
      assert.match(run.stderr, /no input could be read/, name);
    }
  });

  test('inputs that are all not JSON, or not a CloudTrail envelope, were not read either: exit 2, each problem naming its file once', async () => {
    const broken = join(dir(), 'broken.json');
    const other = join(dir(), 'other.json');
    writeFileSync(broken, '{"Records": [');
    writeFileSync(other, '{"foo": 1}');
    const run = await runCli(['explain', broken, other, '--format', 'json']);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 3, run.stderr);
    assert.match(lines[0]!, /^explain: [^ ]*broken\.json: invalid JSON at /);
    assert.match(lines[1]!, /^explain: [^ ]*other\.json at \$: not a CloudTrail record/);
    assert.equal(lines[2], 'explain: no input could be read');
    for (const [line, name] of [
      [lines[0]!, 'broken.json'],
      [lines[1]!, 'other.json'],
    ] as const)
      assert.equal(line.split(name).length, 2, `${name} once: ${line}`);
  });

  test('an empty trail file was read: exit 0, nothing to explain', async () => {
    const empty = join(dir(), 'empty.json');
    writeFileSync(empty, '{"Records": []}');
    const run = await runCli(['explain', empty, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { findings: [], skipped: [], errors: [] });
  });

  test('--help lists every option and the formats, and exits 0', async () => {
    const run = await runCli(['explain', '--help']);
    assert.equal(run.code, 0);
    for (const option of [
      '--account-snapshot',
      '--bucket-policy',
      '--scp',
      '--rcp',
      '--window',
      '--format',
    ]) {
      assert.match(run.stdout, new RegExp(`^ {2}(?:-\\w, )?${option} `, 'm'), option);
    }
    assert.match(run.stdout, /^ {2}-f, --format FORMAT /m);
    // Each option that may be given more than once says so.
    for (const option of ['--bucket-policy', '--scp', '--rcp'])
      assert.match(run.stdout, new RegExp(`^ {2}${option} .*; repeatable`, 'm'), option);
    assert.match(run.stdout, /text \(default\), markdown, slack, sns or json/);
    assert.match(run.stdout, /json lists every one/);
  });

  test('a mistyped option gets the option it is closest to; another unknown one says where the options are', async () => {
    const typo = await runCli(['explain', join(SEED, 'event.json'), '--formt', 'json']);
    assert.equal(typo.code, 2);
    assert.ok(
      typo.stderr.startsWith(
        'explain: unknown option --formt: did you mean --format? (A file whose name starts with "-" goes at the end, after "--", or is written ./-name.)\n',
      ),
      typo.stderr,
    );
    const swapped = await runCli(['explain', join(SEED, 'event.json'), '--bukcet-policy', 'b=p.json']);
    assert.match(swapped.stderr, /^explain: unknown option --bukcet-policy: did you mean --bucket-policy\?/);
    const other = await runCli(['explain', join(SEED, 'event.json'), '--verbose']);
    assert.ok(
      other.stderr.startsWith(
        'explain: unknown option --verbose (the options are below; a file whose name starts with "-" goes at the end, after "--", or is written ./-name)\n',
      ),
      other.stderr,
    );
    const simulate = await runCli(['simulate', '--requets', 'r.json']);
    assert.equal(simulate.code, 2);
    assert.ok(
      simulate.stderr.startsWith('simulate: unknown option --requets: did you mean --request?\n'),
      simulate.stderr,
    );
  });

  test('an option after "--" is refused: it would be read as a file name and not used', async () => {
    const event = join(SEED, 'event.json');
    for (const [args, option] of [
      [['--', event, '--format', 'json'], '--format'],
      [['--', event, '--window=5'], '--window'],
      [['--', event, '-f', 'json'], '-f'],
    ] as const) {
      const run = await runCli(['explain', ...args]);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stdout, '');
      assert.ok(
        run.stderr.startsWith(
          `explain: ${args[2]} comes after "--", where it would be read as a file name: put ${option} before "--" (a file of that name is written ./${args[2]})\n`,
        ),
        run.stderr,
      );
    }
    // Options before "--", and names after it that are no option, are read as before.
    const read = await runCli(['explain', '--format', 'json', '--', event, '-x.json']);
    assert.equal(read.code, 0, read.stderr);
    assert.match(read.stderr, /-x\.json: no such file or directory/);
  });

  test('usage errors exit 2 with a message', async () => {
    assert.match((await runCli(['explain'])).stderr, /at least one event file/);
    assert.equal((await runCli(['explain', join(SEED, 'event.json'), '--format', 'pdf'])).code, 2);
    // A value after a space that starts with a dash: named in one line, with the form that passes it.
    const dashed = await runCli(['explain', join(SEED, 'event.json'), '--account-snapshot', '-authz.json']);
    assert.equal(dashed.code, 2);
    assert.ok(
      dashed.stderr.startsWith(
        'explain: --account-snapshot was given "-authz.json", which starts with a dash: if that is its value, write --account-snapshot=-authz.json; if --account-snapshot has no value, give it one\n',
      ),
      dashed.stderr,
    );
    assert.ok(!dashed.stderr.includes('\uFFFD'));
    // An option after it: --window has no value.
    const missing = await runCli(['explain', join(SEED, 'event.json'), '--window', '--format', 'json']);
    assert.match(missing.stderr, /if --window has no value, give it one/);
    // A negative number of minutes has no form that passes: said so, not the `=` form.
    const negative = await runCli(['explain', join(SEED, 'event.json'), '--window', '-5']);
    assert.equal(negative.code, 2);
    assert.ok(
      negative.stderr.startsWith(
        'explain: --window was given "-5": it takes a number of minutes in decimal digits, with no sign\n',
      ),
      negative.stderr,
    );
    // Only decimal minutes: "0x10" is not read as 16, nor "1e3" as 1000; each refusal says why.
    const refused: [string, string][] = [
      ['0x10', 'must be a number of minutes in decimal digits, such as 60 or 0.5'],
      ['1e3', 'must be a number of minutes in decimal digits'],
      [' 5', 'must be a number of minutes in decimal digits'],
      ['0.0', 'must be more than 0 minutes'],
      ['9'.repeat(400), 'is too large'],
    ];
    for (const [window, why] of refused) {
      const run = await runCli(['explain', join(SEED, 'event.json'), '--window', window]);
      assert.equal(run.code, 2, window);
      assert.ok(run.stderr.startsWith(`explain: --window ${why}`), run.stderr);
      assert.ok(run.stderr.includes(`got "${window.slice(0, 40)}`), run.stderr);
    }
    for (const window of ['7.5', '.5', '5.']) {
      assert.equal((await runCli(['explain', join(SEED, 'event.json'), '--window', window])).code, 0, window);
    }
    const badSnapshot = await runCli([
      'explain',
      join(SEED, 'event.json'),
      '--account-snapshot',
      join(dir(), 'nope.json'),
    ]);
    assert.equal(badSnapshot.code, 2);
    assert.match(badSnapshot.stderr, /nope\.json/);
    const badArg = await runCli(['explain', join(SEED, 'event.json'), '--bucket-policy', 'no-equals-sign']);
    assert.equal(badArg.code, 2);
    // One value given twice would keep the last without a word; stdin can be read once.
    const twice = await runCli(['explain', join(SEED, 'event.json'), '--window', '0', '--window', '5']);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /^explain: --window is given 2 times; it takes one value$/m);
    const stdinTwice = await runCli(['explain', '-', '--account-snapshot', '-']);
    assert.equal(stdinTwice.code, 2);
    assert.match(
      stdinTwice.stderr,
      /^explain: standard input \('-'\) is named 2 times; it can be read only once$/m,
    );
    // Options that take several values still do.
    const policies = await runCli([
      'explain',
      join(SEED, 'event.json'),
      ...seedArgs,
      '--scp',
      join(SEED, '..', '45-scp-allow-list-restore', 'scp.json'),
      '--scp',
      join(SEED, '..', '45-scp-allow-list-restore', 'scp.json'),
    ]);
    assert.equal(policies.code, 0, policies.stderr);
  });

  test('a snapshot or bucket policy with a problem gets a warning naming its file once, and the run goes on', async () => {
    const snapshot = JSON.parse(readFileSync(join(SEED, 'authz.json'), 'utf8')) as {
      Policies: { PolicyVersionList: { Document: unknown }[] }[];
    };
    snapshot.Policies[0]!.PolicyVersionList[0]!.Document = 'not json {';
    const snapshotFile = join(dir(), 'broken-authz.json');
    writeFileSync(snapshotFile, JSON.stringify(snapshot));
    const otherBucketPolicy = join(dir(), 'other-bucket-policy.json');
    writeFileSync(
      otherBucketPolicy,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::elsewhere/*' }],
      }),
    );
    const run = await runCli([
      'explain',
      join(SEED, 'event.json'),
      '--account-snapshot',
      snapshotFile,
      '--bucket-policy',
      `backup-bucket=${otherBucketPolicy}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('explain: warning: '));
    assert.equal(warnings.length, 2, run.stderr);
    for (const [line, file] of [
      [warnings[0]!, snapshotFile],
      [warnings[1]!, otherBucketPolicy],
    ] as const) {
      assert.ok(line.startsWith(`explain: warning: ${file}: `), line);
      assert.equal(line.split(file).length, 2, `the file is named more than once: ${line}`);
    }
    assert.match(warnings[0]!, /the policy document cannot be read/);
    assert.match(warnings[1]!, /names only other buckets \(elsewhere\)/);
  });

  test('a statement the engine leaves out (a lower-case Effect) is warned of, naming the file and the statement', async () => {
    const policyFile = join(dir(), 'lower-case-deny.json');
    writeFileSync(
      policyFile,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'deny', Principal: '*', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::backup-bucket' },
        ],
      }),
    );
    const run = await runCli([
      'explain',
      join(SEED, 'event.json'),
      '--account-snapshot',
      join(SEED, 'authz.json'),
      '--bucket-policy',
      `backup-bucket=${policyFile}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `^explain: warning: ${policyFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: bucket policy of backup-bucket, statement 1 \\(Effect\\): Effect must be "Allow" or "Deny", got "deny"; the statement is left out of every evaluation\\.$`,
        'm',
      ),
    );
  });

  test("a file name's control characters never reach standard error: no colour, no faked line", async () => {
    const hostile = join(dir(), 'x\u001b[31mRED\nexplain: FAKE.json');
    writeFileSync(hostile, 'not json');
    const run = await runCli(['explain', hostile]);
    assert.equal(run.code, 2);
    assert.ok(!run.stderr.includes('\u001b'), JSON.stringify(run.stderr));
    // Two lines: the error (the name's line break and ESC made visible) and the verdict.
    const lines = run.stderr.split('\n').filter((line) => line !== '');
    assert.equal(lines.length, 2, run.stderr);
    const [error = '', verdict] = lines;
    assert.ok(error.startsWith(`explain: ${dir()}/x\uFFFD[31mRED\uFFFDexplain: FAKE.json: `), error);
    assert.equal(verdict, 'explain: no input could be read');
  });

  test('files of a directory whose names are not trail files are said on standard error, not read', async () => {
    const inputs = join(dir(), 'mixed');
    mkdirSync(inputs);
    writeFileSync(join(inputs, 'a.json'), readFileSync(join(SEED, 'event.json'), 'utf8'));
    for (const name of ['trail.log', 'README', 'x.txt', 'y.csv']) writeFileSync(join(inputs, name), 'x');
    const run = await runCli(['explain', inputs, ...seedArgs, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /^explain: warning: 4 file\(s\) of the directories given were not read, as their names do not end in \.json, \.jsonl, \.json\.gz or \.gz: \S*README, \S*trail\.log, \S*x\.txt and 1 more; name a file as an input to read it whatever its name$/m,
    );
    assert.match(run.stderr, /explain: 1 file\(s\) read from 1 input\(s\) named, /);
  });

  test('a directory whose `latest` link names the trail directory is read through it, with no error', async () => {
    const trail = join(dir(), 'trail-real');
    mkdirSync(join(trail, 'eu-west-1'), { recursive: true });
    writeFileSync(join(trail, 'eu-west-1', 'a.json'), readFileSync(join(SEED, 'event.json'), 'utf8'));
    const inputs = join(dir(), 'trail-links');
    mkdirSync(inputs);
    symlinkSync('../trail-real', join(inputs, 'latest'));
    const run = await runCli(['explain', inputs, ...seedArgs, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as ExplainReport;
    assert.deepEqual(report.errors, []);
    assert.equal(report.findings.length, 1);
    assert.match(run.stderr, /explain: 1 file\(s\) read from 1 input\(s\) named, /);
  });

  test('warnings are in the report too, in every format, and a text report on a terminal does not say them twice', async () => {
    const inputs = join(dir(), 'with-warnings');
    mkdirSync(inputs);
    const event = readFileSync(join(SEED, 'event.json'), 'utf8');
    writeFileSync(join(inputs, 'padded.json.gz'), Buffer.concat([gzipSync(event), Buffer.alloc(8)]));
    writeFileSync(join(inputs, 'notes.txt'), 'x');
    const padded = join(inputs, 'padded.json.gz');
    const json = await runCli(['explain', inputs, ...seedArgs, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as ExplainReport;
    assert.equal(report.findings.length, 1);
    assert.deepEqual(
      report.warnings?.map((w) => [w.input, w.code]),
      [
        [inputs, 'input.notTrailFileName'],
        [padded, 'input.trailingBytes'],
      ],
    );
    assert.match(
      report.warnings?.[1]?.message ?? '',
      /: 8 bytes after its gzip data do not start like gzip and were ignored/,
    );
    // Standard error says the trailing bytes, and the files not read in its own line.
    assert.match(json.stderr, /^explain: warning: \S*padded\.json\.gz: 8 bytes after its gzip data/m);
    assert.equal(json.stderr.split('\n').filter((l) => l.startsWith('explain: warning: ')).length, 2);

    const markdown = (await runCli(['explain', inputs, ...seedArgs, '--format', 'markdown'])).stdout;
    assert.match(
      markdown.slice(markdown.indexOf('## Warnings (2)\n')),
      /^## Warnings \(2\)\n\n- .*notes\\\.txt.*\(`input\.notTrailFileName`\)\n- .*\(`input\.trailingBytes`\)\n$/,
    );
    const slack = await runCli(['explain', inputs, ...seedArgs, '--format', 'slack']);
    assert.match(slack.stdout, /\*Warnings \(2\)\*\\n• /);
    const sns = JSON.parse((await runCli(['explain', inputs, ...seedArgs, '--format', 'sns'])).stdout) as {
      subject: string;
      message: string;
    }[];
    assert.equal(sns.at(-1)?.subject, 'permission-auditor: 2 warnings');
    assert.match(sns.at(-1)?.message ?? '', /^2 warnings:\n {2}- .*notes\.txt/m);

    const onTerminal = await runCli(['explain', inputs, ...seedArgs], undefined, true);
    assert.ok(onTerminal.stdout.includes('2 warnings:\u001b[0m\n  - '), onTerminal.stdout);
    assert.ok(!onTerminal.stderr.includes('bytes after its gzip data'), onTerminal.stderr);
    assert.ok(!onTerminal.stderr.includes('were not read'), onTerminal.stderr);
    // With nothing read there is no report to end with them: standard error says them.
    const unreadable = join(dir(), 'padded-not-json.json.gz');
    writeFileSync(unreadable, Buffer.concat([gzipSync('not json'), Buffer.alloc(3)]));
    const nothing = await runCli(['explain', unreadable], undefined, true);
    assert.equal(nothing.code, 2);
    assert.match(
      nothing.stderr,
      /^explain: warning: \S*padded-not-json\.json\.gz: 3 bytes after its gzip data/m,
    );
    const piped = await runCli(['explain', inputs, ...seedArgs]);
    assert.match(piped.stdout, /^2 warnings:\n {2}- /m);
    assert.match(piped.stderr, /bytes after its gzip data/);
  });

  test('on a terminal, standard error shows how many inputs are read, and wipes that line before the summary', async () => {
    const inputs = join(dir(), 'progress');
    mkdirSync(inputs);
    const event = readFileSync(join(SEED, 'event.json'), 'utf8');
    for (const name of ['a.json', 'b.json', 'c.json']) writeFileSync(join(inputs, name), event);
    const tty = await runCli(['explain', inputs, ...seedArgs, '--format', 'json'], undefined, false, true);
    assert.equal(tty.code, 0, tty.stderr);
    assert.match(tty.stderr, /explain: reading 1\/3: .*a\.json/);
    assert.match(tty.stderr, /explain: reading 3\/3: .*c\.json/);
    assert.match(tty.stderr, /explain: building findings for 6 denied events/);
    // The last group of events (here the only one) built: the count of findings built so far.
    assert.match(tty.stderr, /explain: building findings for 6 denied events: 1\/1/);
    assert.ok(tty.stderr.includes('\r\u001b[Kexplain: 3 file(s) read from 1 input(s) named'), tty.stderr);
    // Piped, standard error holds the summary alone.
    const piped = await runCli(['explain', inputs, ...seedArgs, '--format', 'json']);
    assert.ok(!piped.stderr.includes('\r'), piped.stderr);
    assert.ok(!piped.stderr.includes('reading 1/'), piped.stderr);
    assert.deepEqual(JSON.parse(tty.stdout), JSON.parse(piped.stdout));
    // One input (a large trail file takes seconds) shows its progress too.
    const single = await runCli(['explain', join(inputs, 'a.json'), ...seedArgs], undefined, false, true);
    assert.match(single.stderr, /explain: reading 1\/1: .*a\.json/);
    assert.match(single.stderr, /explain: building findings for 6 denied events/);
  });

  test('the progress line fits the terminal: a line that wraps would leave a row behind at each rewrite', async () => {
    const inputs = join(
      dir(),
      'progress-narrow',
      'a-directory-with-a-rather-long-name-for-a-narrow-terminal',
    );
    mkdirSync(inputs, { recursive: true });
    const event = readFileSync(join(SEED, 'event.json'), 'utf8');
    for (const name of ['first-trail-file-with-a-long-name.json', 'second-trail-file-with-a-long-name.json'])
      writeFileSync(join(inputs, name), event);
    let stderr = '';
    const code = await main(['explain', inputs, ...seedArgs, '--format', 'json'], {
      stdout: () => undefined,
      stderr: (text) => {
        stderr += text;
      },
      isTty: false,
      stderrIsTty: true,
      stderrColumns: 40,
    });
    assert.equal(code, 0);
    const lines = stderr.split('\r\u001b[K').filter((line) => line.startsWith('explain: reading'));
    assert.ok(lines.length >= 2, stderr);
    for (const line of lines) assert.ok(line.length <= 39, `${line.length}: ${line}`);
    assert.match(lines.at(-1) ?? '', /^explain: reading 2\/2: \.\.\.[^/]*name\.json$/);
  });

  test('the text report on a terminal is wrapped to its width; piped, or in another format, it is not', async () => {
    const run = async (isTty: boolean, format = 'text') => {
      let stdout = '';
      const code = await main(['explain', join(SEED, 'event.json'), ...seedArgs, '--format', format], {
        stdout: (text) => {
          stdout += text;
        },
        stderr: () => undefined,
        isTty,
        color: false,
        stdoutColumns: 80,
      });
      assert.equal(code, 0);
      return stdout;
    };
    const piped = await run(false);
    const tty = await run(true);
    const wide = (text: string) => text.split('\n').filter((line) => line.length > 80);
    assert.ok(wide(piped).length > 10, 'the seed report has long lines');
    // On the terminal, only lines kept whole to be copied (the aws command) or a lone long word (a URL).
    for (const line of wide(tty))
      assert.ok(/^ {6}aws /.test(line) || !line.trim().includes(' '), `not wrapped: ${line}`);
    assert.match(
      tty,
      /\n {2}Cause {6}None of the principal's identity-based policies \(inline, managed or\n {13}group\)/,
    );
    assert.equal((await run(true, 'markdown')).includes('\n             group)'), false);
  });

  test('wide characters are two columns: CJK, emoji of every block, and the wide ones of the BMP', () => {
    assert.deepEqual(
      ['a', 'é', '日', '🚀', '🛒', '🫠', '😀', '☕', '⌚', '✅'].map(columnsOf),
      [1, 1, 2, 2, 2, 2, 2, 2, 2, 2],
    );
  });

  test('the progress line counts wide characters (CJK, emoji) as two columns', async () => {
    const inputs = join(dir(), 'progress-wide', '日本語のとても長いディレクトリ名前です');
    mkdirSync(inputs, { recursive: true });
    const event = readFileSync(join(SEED, 'event.json'), 'utf8');
    for (const name of ['バックアップの記録ファイル一.json', 'バックアップの記録ファイル二.json'])
      writeFileSync(join(inputs, name), event);
    let stderr = '';
    const code = await main(['explain', inputs, ...seedArgs, '--format', 'json'], {
      stdout: () => undefined,
      stderr: (text) => {
        stderr += text;
      },
      isTty: false,
      stderrIsTty: true,
      stderrColumns: 40,
    });
    assert.equal(code, 0);
    const lines = stderr.split('\r\u001b[K').filter((line) => line.startsWith('explain: reading'));
    assert.ok(lines.length >= 2, stderr);
    for (const line of lines) assert.ok(columnsOf(line) <= 39, `${columnsOf(line)}: ${line}`);
    assert.match(lines.at(-1) ?? '', /^explain: reading 2\/2: \.\.\.\S*二\.json$/);
  });

  test('a policy file that cannot be read is named with its option; an empty name or bucket policy file says why', async () => {
    const event = join(SEED, 'event.json');
    const missing = join(dir(), 'absent.json');
    for (const [option, value] of [
      ['--account-snapshot', missing],
      ['--scp', missing],
      ['--rcp', missing],
    ] as const) {
      const run = await runCli(['explain', event, option, value]);
      assert.equal(run.code, 2);
      assert.equal(run.stderr, `explain: ${option} ${missing}: no such file\n`);
    }
    for (const option of ['--account-snapshot', '--scp']) {
      const run = await runCli(['explain', event, option, '']);
      assert.equal(run.code, 2);
      assert.equal(run.stderr, `explain: ${option} is given an empty file name\n`);
    }
    const empty = join(dir(), 'no-policy.json');
    writeFileSync(empty, '');
    const run = await runCli(['explain', event, '--bucket-policy', `backup-bucket=${empty}`]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /^explain: --bucket-policy \S*no-policy\.json: the file is empty\. `aws s3api get-bucket-policy` writes nothing when the bucket has no policy/,
    );
  });

  test('--bucket-policy BUCKET=- counts as reading standard input', async () => {
    const run = await runCli(['explain', '-', '--bucket-policy', 'backup-bucket=-'], '{}');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /standard input \('-'\) is named 2 times; it can be read only once/);
  });
});
