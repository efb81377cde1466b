/**
 * A client without a value of its own in the JSON's `tool` (an AWS SDK, s3fs, Mountpoint, S3A...) is
 * named by what its user agent names, with that version, in the JSON (`name`, `version`, `tool` staying
 * `other`), the summary and the text, Markdown and Slack reports; one the user agent names nothing of
 * stays `other`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { renderMarkdown } from '../../../src/domain/render/markdown.js';
import { renderSlack } from '../../../src/domain/render/slack.js';
import { renderText } from '../../../src/domain/render/text.js';
import { backupUserContext, deniedRecord } from '../explain/explainFixtures.js';

const JS_V3 =
  'aws-sdk-js/3.1168.0 ua/2.1 os/linux#6.18.44-fc-v657 lang/js md/nodejs#20.20.2 api/s3#3.1168.0 m/N,Z,b,U,E,g';

const reportOf = (userAgent: string) =>
  explainTexts(
    [
      {
        input: 'test.json',
        text: JSON.stringify({ Records: [deniedRecord({ userAgent: `[${userAgent}]` })] }),
      },
    ],
    backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }]),
  );

describe('a client the JSON has no tool for, named by its user agent', () => {
  test('the AWS SDK for JavaScript v3: its name and version in the JSON, the summary and every report', () => {
    const report = reportOf(JS_V3);
    const finding = report.findings[0];
    assert.deepEqual(finding?.client, {
      tool: 'other',
      version: '3.1168.0',
      name: 'AWS SDK for JavaScript v3',
      userAgent: JS_V3,
    });
    assert.match(
      finding?.summary ?? '',
      /^user\/backup \(AWS SDK for JavaScript v3 3\.1168\.0\) was denied /,
    );
    const text = renderText(report, { color: false });
    assert.ok(
      text.includes(`  Client     AWS SDK for JavaScript v3 3.1168.0, user agent ${JS_V3}`),
      text.split('\n').find((line) => line.includes('Client')),
    );
    const markdown = renderMarkdown(report);
    assert.ok(
      markdown.includes('- **Client:** `AWS SDK for JavaScript v3 3.1168.0`, user agent'),
      markdown.split('\n').find((line) => line.includes('Client')),
    );
    const slack = JSON.stringify(renderSlack(report));
    assert.ok(slack.includes('*Client:* `AWS SDK for JavaScript v3 3.1168.0`'), slack);
  });

  for (const [userAgent, label] of [
    ['aws-sdk-java/2.28.16 Linux/5.15.0-1071-aws Java/17.0.12', 'AWS SDK for Java 2.x 2.28.16'],
    ['aws-sdk-go-v2/1.30.5 os/linux lang/go#1.22.7 api/s3#1.61.2', 'AWS SDK for Go v2 1.30.5'],
    [
      'aws-sdk-dotnet-coreclr/3.7.300.2 aws-sdk-dotnet-core/3.7.300.2 .NET_Core/6.0.0',
      'AWS SDK for .NET 3.7.300.2',
    ],
    [
      'AWSPowerShell.Common/4.1.90.0 .NET_Core/6.0.5 PowerShellCore/7.-1 ClientAsync',
      'AWS Tools for PowerShell 4.1.90.0',
    ],
    ['s3fs/1.90 (commit hash unknown; GnuTLS(gcrypt))', 's3fs 1.90'],
    ['mountpoint-s3/1.19.0 mountpoint-s3-client/0.17.0 os/linux', 'Mountpoint for Amazon S3 1.19.0'],
    ['Hadoop 3.3.6, aws-sdk-java/1.12.367 Linux/6.1.0-28-amd64', 'Hadoop S3A 3.3.6'],
    ['MinIO (linux; amd64) minio-go/v7.0.46', 'minio-go v7.0.46'],
  ] as const)
    test(`${label}: named alike`, () => {
      const report = reportOf(userAgent);
      assert.equal(report.findings[0]?.client.tool, 'other');
      assert.ok(report.findings[0]?.summary.includes(`(${label}) was denied`), report.findings[0]?.summary);
      assert.ok(renderText(report, { color: false }).includes(`  Client     ${label}, user agent `));
    });

  test('a user agent that names nothing known stays other, in the summary too', () => {
    const report = reportOf('backup-job/1.0');
    assert.deepEqual(report.findings[0]?.client, { tool: 'other', userAgent: 'backup-job/1.0' });
    assert.match(report.findings[0]?.summary ?? '', /^user\/backup was denied /);
    assert.ok(renderText(report, { color: false }).includes('  Client     other, user agent backup-job/1.0'));
  });
});

describe('a record that carries no user agent (s3cmd sends none)', () => {
  const withUserAgent = (userAgent: string | undefined) =>
    explainTexts(
      [{ input: 'test.json', text: JSON.stringify({ Records: [deniedRecord({ userAgent })] }) }],
      backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }]),
    );
  const said =
    'other (no user agent: the record\'s userAgent is empty, "[]", or absent; s3cmd sends none, nor do some scripts)';

  for (const [label, userAgent] of [
    ['"[]"', '[]'],
    ['absent', undefined],
  ] as const)
    test(`userAgent ${label}: the JSON stays other, and every client line says there is none`, () => {
      const report = withUserAgent(userAgent);
      assert.deepEqual(report.findings[0]?.client, { tool: 'other' });
      assert.match(report.findings[0]?.summary ?? '', /^user\/backup was denied /);
      assert.ok(renderText(report, { color: false }).includes(`  Client     ${said}\n`));
      assert.ok(renderMarkdown(report).includes(`- **Client:** \`${said}\``));
      assert.ok(JSON.stringify(renderSlack(report)).includes('no user agent: the record'));
    });
});

describe('a record whose sessionCredentialFromConsole says the call came from a console session', () => {
  const withFlag = (overrides: Record<string, unknown>) =>
    explainTexts(
      [
        {
          input: 'test.json',
          text: JSON.stringify({
            Records: [deniedRecord({ sessionCredentialFromConsole: 'true', ...overrides })],
          }),
        },
      ],
      backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }]),
    );

  test('without a user agent: the client is the AWS Management Console', () => {
    const report = withFlag({ userAgent: undefined });
    assert.deepEqual(report.findings[0]?.client, { tool: 'other', name: 'AWS Management Console' });
    assert.match(report.findings[0]?.summary ?? '', /^user\/backup \(AWS Management Console\) was denied /);
    assert.ok(renderText(report, { color: false }).includes('  Client     AWS Management Console\n'));
  });

  test('with a user agent that names nothing known: the console, with that user agent', () => {
    const report = withFlag({ userAgent: '[backup-job/1.0]' });
    assert.deepEqual(report.findings[0]?.client, {
      tool: 'other',
      name: 'AWS Management Console',
      userAgent: 'backup-job/1.0',
    });
  });

  test('with a user agent that names another client (aws-cli in CloudShell): that client', () => {
    const report = withFlag({});
    assert.equal(report.findings[0]?.client.tool, 'aws-cli');
    assert.equal(report.findings[0]?.client.name, undefined);
  });

  test('"false", or no flag: not the console', () => {
    const report = withFlag({ userAgent: undefined, sessionCredentialFromConsole: 'false' });
    assert.deepEqual(report.findings[0]?.client, { tool: 'other' });
  });
});
