import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectClient, userAgentPatternSources } from '../../../src/domain/tools/userAgent.js';
import cases from './userAgentCases.json' with { type: 'json' };

describe('detectClient on real user agents', () => {
  for (const testCase of cases.cases) {
    test(testCase.name, () => {
      assert.deepEqual(detectClient(testCase.userAgent), testCase.expected);
    });
  }
});

describe('detectClient edge cases', () => {
  test('a "version" or aws-cli command far longer than any real one is not taken', () => {
    const long = 'x'.repeat(65);
    assert.deepEqual(detectClient(`rclone/v${long}`), { tool: 'rclone', raw: `rclone/v${long}` });
    assert.equal(detectClient('rclone/v1.68.2').version, 'v1.68.2');
    const cli = `aws-cli/2.15.0 Python/3.11 md/command#s3.${long}`;
    assert.equal(detectClient(cli).command, undefined);
    assert.equal(detectClient(cli).version, '2.15.0');
  });

  test('an absent user agent is an unknown client with nothing else', () => {
    assert.deepEqual(detectClient(undefined), { tool: 'other' });
  });

  test('an empty or bracket-only user agent is an unknown client', () => {
    assert.deepEqual(detectClient(''), { tool: 'other' });
    assert.deepEqual(detectClient('[]'), { tool: 'other' });
    assert.deepEqual(detectClient('   '), { tool: 'other' });
  });

  test('brackets are stripped only when they wrap the whole user agent', () => {
    assert.equal(detectClient('[rclone/v1.66.0]').raw, 'rclone/v1.66.0');
    assert.equal(detectClient('curl/8.0 [probe]').raw, 'curl/8.0 [probe]');
  });

  test('terraform-provider-aws alone is not mistaken for Terraform itself', () => {
    const client = detectClient('terraform-provider-aws/5.7.0 aws-sdk-go-v2/1.18.1');
    assert.equal(client.tool, 'other');
    assert.equal(client.sdk, 'aws-sdk-go-v2/1.18.1');
  });

  test('a command marker outside aws-cli is ignored', () => {
    assert.equal(detectClient('Boto3/1.34.0 md/command#s3.cp Botocore/1.34.0').command, undefined);
  });

  test('an rclone job whose user agent was overridden cannot be recognised as rclone', () => {
    assert.equal(detectClient('backup-job/1.0').tool, 'other');
  });

  test('a user agent containing markup is returned verbatim for the renderers to escape', () => {
    const raw = 'rclone/v1.66.0 <script>alert(1)</script>';
    assert.equal(detectClient(raw).raw, raw);
  });

  test('every pattern in the tables cites where the format comes from', () => {
    const entries = [...userAgentPatternSources.tools, ...userAgentPatternSources.sdks];
    assert.ok(entries.length > 10);
    for (const entry of entries) assert.match(entry.source, /\S{10,}/);
  });
});
