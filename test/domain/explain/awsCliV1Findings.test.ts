/**
 * aws-cli v1 names no command in its user agent: its findings get the minimal fix and no job profile,
 * and a caveat says why, and what gets the whole set (aws-cli v2). v2 findings get their profile and
 * no such caveat.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { backupUserContext, deniedRecord } from './explainFixtures.js';

/** As recorded from aws-cli 1.45.11 (pip) running `aws s3 cp`, in CloudTrail's brackets. */
const V1_AGENT =
  '[aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/Z,b cfg/retry-mode#legacy botocore/1.43.11]';
const V2_AGENT =
  '[aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.1.115 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.cp]';

function explainUpload(userAgent: string) {
  const report = explainTexts(
    [{ input: 'trail.json', text: JSON.stringify({ Records: [deniedRecord({ userAgent })] }) }],
    backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }]),
  );
  assert.equal(report.findings.length, 1);
  return report.findings[0]!;
}

const V1_CAVEAT = /^aws-cli 1\.45\.11 is version 1, which does not say in its user agent which command ran/;

describe('aws-cli v1 findings', () => {
  test('an upload refused s3:PutObject: the minimal fix, no job profile, and a caveat that says why and what gets one', () => {
    const finding = explainUpload(V1_AGENT);
    assert.deepEqual(finding.client, {
      tool: 'aws-cli',
      version: '1.45.11',
      userAgent: V1_AGENT.slice(1, -1),
    });
    assert.deepEqual(
      finding.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:PutObject'], ['arn:aws:s3:::data/in/*']]],
    );
    assert.equal(finding.jobProfile, null);
    const caveat = finding.caveats.find((c) => V1_CAVEAT.test(c));
    assert.ok(caveat, JSON.stringify(finding.caveats));
    assert.match(caveat, /Run it with aws-cli v2/);
  });

  test('the same upload by aws-cli v2 (md/command#s3.cp): its job profile, and no such caveat', () => {
    const finding = explainUpload(V2_AGENT);
    assert.equal(finding.jobProfile?.tool, 'aws-cli');
    assert.equal(finding.jobProfile?.command, 's3.cp');
    assert.ok(!finding.caveats.some((c) => /is version 1/.test(c)), JSON.stringify(finding.caveats));
  });
});
