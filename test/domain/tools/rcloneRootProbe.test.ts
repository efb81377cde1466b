import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { commonDirectory } from '../../../src/domain/explain/minimalStatements.js';
import {
  type JobRequest,
  rcloneJobPaths,
  rcloneRootProbeKeys,
} from '../../../src/domain/tools/rcloneRootProbe.js';
import { ACCOUNT, deniedRecord, explainContext, snapshotWithUser } from '../explain/explainFixtures.js';

const head = (key: string, source: 'message' | 'operation' = 'operation'): JobRequest => ({
  eventName: 'HeadObject',
  source,
  action: source === 'operation' ? 's3:GetObject' : 's3:ListBucket',
  key,
});
const list = (prefix: string): JobRequest => ({
  eventName: 'ListObjects',
  source: 'operation',
  action: 's3:ListBucket',
  listPrefix: prefix,
});
const del = (key: string): JobRequest => ({
  eventName: 'DeleteObject',
  source: 'operation',
  action: 's3:DeleteObject',
  key,
});

describe('rcloneRootProbeKeys', () => {
  test('a HEAD of `dir` is the root probe when another request works inside `dir/` (listing or key)', () => {
    assert.deepEqual([...rcloneRootProbeKeys([head('mirror'), list('mirror/')])], ['mirror']);
    assert.deepEqual([...rcloneRootProbeKeys([head('a/b'), del('a/b/old/x.txt')])], ['a/b']);
  });

  test('a lone HEAD, a HEAD the message attributes to another action, a key ending in / or a sibling directory are not', () => {
    assert.deepEqual([...rcloneRootProbeKeys([head('mirror')])], []);
    assert.deepEqual([...rcloneRootProbeKeys([head('mirror', 'message'), list('mirror/')])], []);
    assert.deepEqual([...rcloneRootProbeKeys([head('mirror/'), list('mirror/')])], []);
    assert.deepEqual([...rcloneRootProbeKeys([head('daily'), del('daily-old/x.txt'), list('dailyx/')])], []);
  });

  test("the HEADs after upload (keys inside the directory) are not probes, only the root's", () => {
    const requests = [head('mirror'), list('mirror/'), head('mirror/a.txt'), head('mirror/sub/b.txt')];
    assert.deepEqual([...rcloneRootProbeKeys(requests)], ['mirror']);
  });
});

describe('rcloneJobPaths', () => {
  test("a probe counts as the directory it names, so the job's directory is not widened to the bucket", () => {
    const requests = [head('mirror'), del('mirror/stale-1.txt'), del('mirror/old/stale-2.txt')];
    const probes = rcloneRootProbeKeys(requests);
    assert.equal(commonDirectory(rcloneJobPaths(requests, probes)), 'mirror/');
    // Without the probe test, `mirror` and `mirror/...` share no directory: the whole bucket.
    assert.equal(commonDirectory(rcloneJobPaths(requests, new Set())), '');
  });

  test('listing prefixes count, a root listing included', () => {
    assert.equal(
      commonDirectory(rcloneJobPaths([list('logs/2026/'), del('logs/2026/11/a')], new Set())),
      'logs/2026/',
    );
    assert.equal(commonDirectory(rcloneJobPaths([list(''), del('logs/a')], new Set())), '');
  });
});

describe('explain leaves rclone root probes out of the fix', () => {
  const rclone = '[rclone/v1.60.1-DEV]';
  const denied = (eventName: string, key: string, action: string) =>
    deniedRecord({
      eventName,
      userAgent: rclone,
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'data', key, Host: 'data.s3.eu-west-1.amazonaws.com' },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      ],
      readOnly: action === 'read',
    });
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::data/mirror/*' },
    ],
  };
  const context = explainContext({ snapshot: snapshotWithUser('backup', policy) });

  test('a sync denied its deletes: the fix grants s3:DeleteObject on mirror/* only, and says why the HEAD of mirror is not granted', () => {
    const records = [
      denied('HeadObject', 'mirror', 'read'),
      denied('DeleteObject', 'mirror/stale-1.txt', 'write'),
      denied('DeleteObject', 'mirror/old/stale-2.txt', 'write'),
    ];
    const report = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: records }) }], context);
    const finding = report.findings[0];
    assert.equal(report.findings.length, 1);
    assert.ok(finding !== undefined);
    assert.deepEqual(
      finding.requests.map((r) => [r.eventName, r.action, r.decision]),
      [
        ['HeadObject', 's3:GetObject', 'ImplicitlyDenied'],
        ['DeleteObject', 's3:DeleteObject', 'ImplicitlyDenied'],
        ['DeleteObject', 's3:DeleteObject', 'ImplicitlyDenied'],
      ],
    );
    assert.deepEqual(finding.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: ['arn:aws:s3:::data/mirror/*'] },
    ]);
    assert.equal(finding.fix?.verified, true);
    assert.ok(
      finding.caveats.some((c) => c.startsWith('Not granted: the HEAD of data/mirror is rclone checking')),
      finding.caveats.join(' | '),
    );
    assert.equal(finding.jobProfile?.operation, 'sync');
    assert.deepEqual([...new Set(finding.jobProfile?.statements.flatMap((s) => s.Resource))].sort(), [
      'arn:aws:s3:::data',
      'arn:aws:s3:::data/mirror/*',
    ]);
  });

  test('when the probe is the only request the visible policies refuse, it is not the cause: the rest is allowed and no fix is proposed', () => {
    // CloudTrail says the delete was denied too, but the visible policies allow it: something not
    // visible here (an SCP, a session policy) refused it, and the root probe must not hide that.
    const withDelete = {
      ...policy,
      Statement: [
        ...policy.Statement,
        { Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/mirror/*' },
      ],
    };
    const records = [
      denied('HeadObject', 'mirror', 'read'),
      denied('DeleteObject', 'mirror/stale-1.txt', 'write'),
    ];
    const finding = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: records }) }],
      explainContext({ snapshot: snapshotWithUser('backup', withDelete) }),
    ).findings[0];
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.equal(finding.fix, null);
    assert.ok(finding.caveats.some((c) => c.includes('HEAD of data/mirror is rclone checking')));
    assert.ok(finding.caveats.some((c) => c.includes('service control policies')));
  });

  test("the same HEAD from another client may be a real read: it is granted, on the keys' common directory (here the whole bucket)", () => {
    const records = [
      { ...denied('HeadObject', 'mirror', 'read'), userAgent: '[aws-sdk-go/1.44]' },
      { ...denied('DeleteObject', 'mirror/stale-1.txt', 'write'), userAgent: '[aws-sdk-go/1.44]' },
    ];
    const finding = explainTexts([{ input: 't.json', text: JSON.stringify({ Records: records }) }], context)
      .findings[0];
    assert.deepEqual(
      finding?.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:DeleteObject', 's3:GetObject'], ['arn:aws:s3:::data/*']]],
    );
  });
});
