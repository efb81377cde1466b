/**
 * The commands the reports print to be copied hold values from the events and the snapshot: each stays
 * one shell word, with nothing a shell expands.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { renderText } from '../../src/domain/render/text.js';
import { shellWord } from '../../src/domain/shell.js';
import { explainScenario } from '../events/explainScenario.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const EVENTS = join(import.meta.dirname, '../../events');
const dir = temporaryDirectory('shell-');

describe('shellWord', () => {
  test('leaves plain names alone and quotes anything a shell would split, expand or read as an option', () => {
    assert.equal(shellWord('backup-bucket'), 'backup-bucket');
    assert.equal(shellWord('backup-bucket=FILE'), 'backup-bucket=FILE');
    assert.equal(shellWord("it's $HOME"), `'it'\\''s $HOME'`);
    assert.equal(shellWord('=ls'), `'=ls'`);
  });

  test('bash reads every quoted word back as the value itself', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }).filter((v) => !v.includes('\0')),
        (value) => {
          const echoed = execFileSync('bash', ['-c', `printf %s ${shellWord(value)}`], { encoding: 'utf8' });
          assert.equal(echoed, value);
        },
      ),
      { numRuns: 40 },
    );
  });
});

let copies = 0;

/** A sample with its event changed, explained and rendered as text. */
async function explainChanged(
  sample: string,
  args: string[],
  change: (event: Record<string, unknown>) => void,
) {
  const copy = join(dir(), `${sample}-${++copies}`);
  mkdirSync(copy);
  for (const arg of args.filter((a) => a.endsWith('.json'))) {
    const file = arg.slice(arg.indexOf('=') + 1);
    copyFileSync(join(EVENTS, sample, file), join(copy, file));
  }
  const event = JSON.parse(readFileSync(join(EVENTS, sample, 'event.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  change(event);
  writeFileSync(join(copy, 'event.json'), JSON.stringify(event));
  return renderText(await explainScenario(copy, args), { color: false });
}

describe('the commands in caveats', () => {
  test('quote a VPC endpoint ID from the record', async () => {
    const text = await explainChanged(
      '21-allowed-by-visible-policies-vpce',
      ['event.json', '--account-snapshot', 'authz.json'],
      (event) => {
        event.vpcEndpointId = 'vpce-0a1b$(touch pwned)';
      },
    );
    assert.ok(text.includes(`--vpc-endpoint-ids 'vpce-0a1b$(touch pwned)' --query`), text);
  });

  test('give no lookup command for a principal ID that is not a unique ID', async () => {
    const args = [
      'event.json',
      '--account-snapshot',
      'authz.json',
      '--bucket-policy',
      'partner-exports=bucket-policy.json',
    ];
    const text = await explainChanged('05-cross-account-bucket-policy', args, (event) => {
      event.userIdentity = {
        type: 'AWSAccount',
        principalId: 'AROA$(touch pwned):i-0a1b',
        accountId: '444455556666',
      };
    });
    assert.ok(text.includes('CloudTrail recorded only the caller'), text);
    assert.ok(!text.includes('list-roles'), text);
    const genuine = await explainChanged('05-cross-account-bucket-policy', args, (event) => {
      event.userIdentity = {
        type: 'AWSAccount',
        principalId: 'AROAEXAMPLEID1234567:i-0a1b',
        accountId: '444455556666',
      };
    });
    assert.ok(
      genuine.includes(`aws iam list-roles --query "Roles[?RoleId=='AROAEXAMPLEID1234567'].Arn"`),
      genuine,
    );
  });
});
