import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { temporaryDirectory } from '../temporaryDirectory.js';
import { runCli } from './cliHarness.js';

const dir = temporaryDirectory('pa-simulate-');
const request = {
  request: {
    principal: 'arn:aws:iam::111122223333:user/backup',
    action: 's3:ListBucket',
    resource: 'arn:aws:s3:::b',
  },
  identityPolicies: [
    {
      name: 'Writer',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' }],
      },
    },
  ],
};
function file(name: string, content: string): string {
  const path = join(dir(), name);
  writeFileSync(path, content);
  return path;
}

describe('permission-auditor simulate', () => {
  test('prints the JSON decision for one request and exits 0', async () => {
    const run = await runCli(['simulate', '--request', file('one.json', JSON.stringify(request))]);
    assert.equal(run.code, 0);
    const out = JSON.parse(run.stdout) as { decision: string; missingAllowIn: string[] };
    assert.equal(out.decision, 'ImplicitlyDenied');
    assert.deepEqual(out.missingAllowIn, ['identity']);
  });

  test('reads the request from standard input with --request -', async () => {
    const run = await runCli(['simulate', '--request', '-', '--format', 'text'], JSON.stringify(request));
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Decision: ImplicitlyDenied/);
  });

  test('reading the request from a terminal says so first (it would seem to hang); piped, nothing is said', async () => {
    let stderr = '';
    let stdout = '';
    const code = await main(['simulate', '-r', '-', '--format', 'text'], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      stdin: Readable.from([JSON.stringify(request)]),
      stdinIsTty: true,
      isTty: true,
    });
    assert.equal(code, 0);
    assert.equal(
      stderr,
      'simulate: reading the request from standard input (the terminal); end it with Ctrl-D\n',
    );
    assert.match(stdout, /^Decision: ImplicitlyDenied/);
    const piped = await runCli(['simulate', '--request', '-'], JSON.stringify(request));
    assert.equal(piped.stderr, '');
  });

  test('evaluates an array in order and puts an error in place of an invalid entry', async () => {
    const run = await runCli([
      'simulate',
      '--request',
      file('many.json', JSON.stringify([request, { request: { principal: 'x' } }, request])),
    ]);
    assert.equal(run.code, 0);
    const out = JSON.parse(run.stdout) as ({ decision: string } | { error: { code: string } })[];
    assert.equal(out.length, 3);
    assert.ok('decision' in out[0]! && 'decision' in out[2]!);
    assert.ok('error' in out[1]! && out[1].error.code === 'request.invalidAction');
  });

  test('an invalid single request exits 2 with the reason', async () => {
    const run = await runCli([
      'simulate',
      '--request',
      file('bad.json', '{"request": {"principal": "arn:aws:iam::1:user/a"}}'),
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /request\.invalidAction/);
  });

  test('a caller that cannot make a request (an IAM group, a malformed ARN) is an invalid request', async () => {
    for (const principal of [
      'arn:aws:iam::111122223333:group/admins',
      'arn:aws:iam:111122223333:user/alice',
    ]) {
      const run = await runCli([
        'simulate',
        '--request',
        file('principal.json', JSON.stringify({ ...request, request: { ...request.request, principal } })),
      ]);
      assert.equal(run.code, 2, principal);
      assert.match(run.stderr, /request\.invalidPrincipal/, principal);
    }
  });

  test('malformed JSON exits 2 and names the file and the position', async () => {
    const path = file('broken.json', '{"request": ');
    const run = await runCli(['simulate', '--request', path]);
    assert.equal(run.code, 2);
    assert.ok(run.stderr.includes(path));
    assert.match(run.stderr, /not valid JSON/);
  });

  test('a missing file and a missing --request are usage errors', async () => {
    assert.equal((await runCli(['simulate', '--request', join(dir(), 'nope.json')])).code, 2);
    const run = await runCli(['simulate']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--request FILE is required/);
  });

  test('the bundled example gives the output its .expected.json file shows (ListBucket with no identity Allow)', async () => {
    const examples = join(import.meta.dirname, '..', '..', 'events', 'simulate');
    const run = await runCli(['simulate', '--request', join(examples, 'seed-listbucket.json')]);
    assert.equal(run.code, 0);
    const out = JSON.parse(run.stdout) as { decision: string; missingAllowIn: string[] };
    assert.equal(out.decision, 'ImplicitlyDenied');
    assert.deepEqual(out.missingAllowIn, ['identity']);
    assert.deepEqual(out, JSON.parse(readFileSync(join(examples, 'seed-listbucket.expected.json'), 'utf8')));
  });

  test('a repeated --request or --format is a usage error, not the last one silently', async () => {
    const one = file('r1.json', JSON.stringify(request));
    for (const args of [
      ['--request', one, '--request', one],
      ['-r', one, '-f', 'json', '-f', 'text'],
    ]) {
      const run = await runCli(['simulate', ...args]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^simulate: --(request|format) is given 2 times; it takes one value/);
    }
  });

  test('the text says a NotResource excluded the resource and a NotPrincipal exempted the caller, and the JSON marks them', async () => {
    const notResource = {
      request: {
        principal: 'arn:aws:iam::111122223333:user/dev',
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::prod-data/k',
      },
      identityPolicies: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AllButProd',
              Effect: 'Allow',
              Action: 's3:GetObject',
              NotResource: 'arn:aws:s3:::prod-data/*',
            },
          ],
        },
      ],
    };
    const text = await runCli([
      'simulate',
      '--request',
      file('notr.json', JSON.stringify(notResource)),
      '-f',
      'text',
    ]);
    assert.match(text.stdout, /"AllButProd": resource excluded by NotResource arn:aws:s3:::prod-data\/\*/);
    const json = await runCli(['simulate', '--request', file('notr2.json', JSON.stringify(notResource))]);
    const out = JSON.parse(json.stdout) as { explanations: { notResource?: boolean }[] };
    assert.equal(out.explanations[0]?.notResource, true);
  });

  test('an SCP or RCP level with no Allow is named with a warning, since it refuses every request', async () => {
    const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const guardrail = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }],
    };
    const input = (scps: unknown[], rcps: unknown[]) =>
      JSON.stringify({
        ...request,
        request: { ...request.request, action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' },
        serviceControlPolicies: scps,
        resourceControlPolicies: rcps,
      });
    // FullAWSAccess and the guardrail as two levels: the second refuses everything.
    const flat = await runCli([
      'simulate',
      '--request',
      file('scp-flat.json', input([allowAll, guardrail], [])),
    ]);
    const out = JSON.parse(flat.stdout) as {
      decision: string;
      missingAllowIn: string[];
      warnings: { code: string; policyType: string; level: number }[];
    };
    assert.equal(out.decision, 'ImplicitlyDenied');
    assert.deepEqual(out.missingAllowIn, ['scp']);
    assert.deepEqual(
      out.warnings.map((w) => [w.code, w.policyType, w.level]),
      [['scp.levelWithoutAllow', 'scp', 1]],
    );
    const text = await runCli([
      'simulate',
      '--request',
      file('scp-flat2.json', input([allowAll, guardrail], [])),
      '-f',
      'text',
    ]);
    assert.match(text.stdout, /Warning \(scp\.levelWithoutAllow\): SCP level 1 .*holds no Allow statement/);
    // The same two policies in one level, and an RCP level of a Deny alone.
    const nested = await runCli([
      'simulate',
      '--request',
      file('scp-nested.json', input([[allowAll, guardrail]], [guardrail])),
    ]);
    const nestedOut = JSON.parse(nested.stdout) as { warnings: { code: string; level: number }[] };
    assert.deepEqual(
      nestedOut.warnings.map((w) => [w.code, w.level]),
      [['rcp.levelWithoutAllow', 0]],
    );
  });

  test("a role session's aws:PrincipalArn, supplied without the role's path, is named when a condition tests it", async () => {
    const session = 'arn:aws:sts::111122223333:assumed-role/deploy/gha-1';
    const input = (context?: Record<string, string>) =>
      JSON.stringify({
        request: {
          principal: session,
          action: 's3:PutObject',
          resource: 'arn:aws:s3:::b/k',
          ...(context ? { context } : {}),
        },
        identityPolicies: [
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
        ],
        resourcePolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OnlyCiRoles',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObject',
              Resource: 'arn:aws:s3:::b/*',
              Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ci/*' } },
            },
          ],
        },
      });
    const run = await runCli(['simulate', '--request', file('pa-path.json', input())]);
    const out = JSON.parse(run.stdout) as { warnings: { code: string; message: string }[] };
    assert.deepEqual(
      out.warnings.map((w) => w.code),
      ['request.principalArnWithoutPath'],
    );
    assert.match(
      out.warnings[0]?.message ?? '',
      /taken as arn:aws:iam::111122223333:role\/deploy, the role's ARN without a path/,
    );
    // Given in the context, the value is the caller's: no warning, and the Deny does not apply.
    const given = await runCli([
      'simulate',
      '--request',
      file('pa-given.json', input({ 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ci/deploy' })),
    ]);
    const givenOut = JSON.parse(given.stdout) as { decision: string; warnings: unknown[] };
    assert.deepEqual(givenOut.warnings, []);
    assert.equal(givenOut.decision, 'Allowed');
  });

  test('an unknown format is rejected', async () => {
    const run = await runCli([
      'simulate',
      '--request',
      file('f.json', JSON.stringify(request)),
      '--format',
      'yaml',
    ]);
    assert.equal(run.code, 2);
  });

  test('an unknown format is quoted without its control characters, as explain quotes it', async () => {
    const run = await runCli([
      'simulate',
      '--request',
      file('f.json', JSON.stringify(request)),
      '--format',
      'x\u001b[31mred\nsimulate: FAKE',
    ]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'simulate: --format must be json or text, got "x\uFFFD[31mred\uFFFDsimulate: FAKE"\n',
    );
  });

  test('an empty --request is said to be an empty file name, in either form', async () => {
    for (const args of [['--request='], ['-r', ''], ['--request', '', '--format', 'text']]) {
      const run = await runCli(['simulate', ...args]);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stderr, 'simulate: --request is given an empty file name\n', args.join(' '));
    }
  });

  test('--help names the short options -r and -f', async () => {
    const run = await runCli(['simulate', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^ {2}-r, --request FILE /m);
    assert.match(run.stdout, /^ {2}-f, --format FORMAT +json \(default\) or text$/m);
    assert.match(run.stdout, /^ {2}-h, --help /m);
    // -r works as --request does.
    const short = await runCli(['simulate', '-r', file('short.json', JSON.stringify(request)), '-f', 'json']);
    assert.equal(short.code, 0, short.stderr);
    assert.equal((JSON.parse(short.stdout) as { decision: string }).decision, 'ImplicitlyDenied');
  });
});

describe('permission-auditor', () => {
  test('an unknown command exits 2 and prints usage', async () => {
    const run = await runCli(['frobnicate']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown command "frobnicate"/);
  });
  test('no command is a usage error: the usage goes to standard error, and the exit code is 2', async () => {
    const run = await runCli([]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /explain/);
  });
  test('--help prints the commands and exits 0', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /simulate/);
    assert.match(run.stdout, /explain/);
  });
});
