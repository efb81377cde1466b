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
