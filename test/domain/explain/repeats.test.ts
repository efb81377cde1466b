import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { caveatsBeyond, markRepeats } from '../../../src/domain/explain/repeats.js';
import type { Finding, Fix, PolicyStatement } from '../../../src/domain/explain/report.js';
import {
  ACCOUNT,
  bareFinding,
  deniedObjectRecord,
  explainContext,
  snapshotWithUser,
} from './explainFixtures.js';

const ROLE = 'arn:aws:sts::111122223333:assumed-role/nightly-export/';
const USER = `arn:aws:iam::${ACCOUNT}:user/backup`;

const statement = (resource: string): PolicyStatement => ({
  Effect: 'Allow',
  Action: ['s3:PutObject'],
  Resource: [resource],
});

function fix(resource = 'arn:aws:s3:::exports/daily/*', overrides: Partial<Fix> = {}): Fix {
  return {
    attachTo: 'arn:aws:iam::111122223333:role/nightly-export',
    attachKind: 'inline-policy',
    policyName: 'PermissionAuditorFix',
    statements: [statement(resource)],
    verified: true,
    verification: ['With the fix applied, all 3 denied requests evaluate to Allowed.'],
    ...overrides,
  };
}

/** One night's refusal of the export job: its own session, events and keys; `overrides` change the advice. */
function night(day: number, overrides: Partial<Finding> = {}): Finding {
  const time = `2026-11-${String(day).padStart(2, '0')}T02:00:00Z`;
  return bareFinding(`${ROLE}export-${day}`, {
    eventIds: [`e-${day}`],
    principal: { arn: `${ROLE}export-${day}`, type: 'Role', account: ACCOUNT },
    bucket: 'exports',
    firstSeen: time,
    lastSeen: time,
    requests: [
      {
        eventId: `e-${day}`,
        eventName: 'PutObject',
        action: 's3:PutObject',
        resource: `arn:aws:s3:::exports/daily/orders-${day}.csv`,
        decision: 'ImplicitlyDenied',
        source: 'message',
      },
    ],
    fix: fix(),
    caveats: ['If the bucket has default SSE-KMS encryption, S3 also needs kms:GenerateDataKey.'],
    summary: `assumed-role/nightly-export/export-${day} was denied s3:PutObject on bucket exports.`,
    ...overrides,
  });
}

const marks = (findings: readonly Finding[]) => findings.map((f) => f.repeatOf);

describe('markRepeats: what was refused, when the visible policies allow it all', () => {
  const allowedNight = (day: number, action: string, resource: string) =>
    night(day, {
      cause: 'allowed-by-visible-policies',
      fix: null,
      requests: [
        { eventId: `e-${day}`, eventName: 'X', action, resource, decision: 'Allowed', source: 'operation' },
      ],
    });

  test('another action is other advice; the same action again is a repeat', () => {
    const out = markRepeats([
      allowedNight(26, 's3:GetObject', 'arn:aws:s3:::exports/in/a.csv'),
      allowedNight(27, 's3:DeleteObject', 'arn:aws:s3:::exports/archive/old.csv'),
      allowedNight(28, 's3:GetObject', 'arn:aws:s3:::exports/in/b.csv'),
    ]);
    assert.deepEqual(marks(out), [undefined, undefined, 1]);
  });

  test('another VPC endpoint to look at is other advice; the same one with other caveats is a repeat', () => {
    const through = (day: number, endpoint: string) => ({
      ...allowedNight(day, 's3:GetObject', 'arn:aws:s3:::exports/in/a.csv'),
      caveats: [
        `The visible policies allow the request. What can still deny it: (1) the VPC endpoint policy of ${endpoint}.`,
      ],
    });
    const out = markRepeats([through(26, 'vpce-0a1b'), through(27, 'vpce-0fff'), through(28, 'vpce-0a1b')]);
    assert.deepEqual(marks(out), [undefined, undefined, 1]);
    const noted = {
      ...through(29, 'vpce-0a1b'),
      caveats: [...through(29, 'vpce-0a1b').caveats, 'Another note.'],
    };
    assert.deepEqual(marks(markRepeats([through(26, 'vpce-0a1b'), noted])), [undefined, 1]);
  });

  test("another use of a key AWS's message does not name is other advice", () => {
    const first = night(26, { unnamedKeyUse: 'kms:GenerateDataKey' });
    assert.deepEqual(
      marks(
        markRepeats([
          first,
          night(27, { unnamedKeyUse: 'kms:GenerateDataKey' }),
          night(28, { unnamedKeyUse: 'kms:Decrypt' }),
        ]),
      ),
      [undefined, 1, undefined],
    );
  });

  test("another KMS key is other advice (each key's policy is its own change)", () => {
    const key = (id: string) => `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${id}`;
    const out = markRepeats([
      allowedNight(26, 'kms:GenerateDataKey', key('1111')),
      allowedNight(27, 'kms:GenerateDataKey', key('9999')),
      allowedNight(28, 'kms:GenerateDataKey', key('1111')),
    ]);
    assert.deepEqual(marks(out), [undefined, undefined, 1]);
  });

  test('two people of one IAM Identity Center permission set are two callers', () => {
    const person = (name: string) =>
      night(26, {
        principal: {
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_DataScientist_0a1b2c3d4e5f6789/${name}`,
          type: 'IdentityCenter',
          account: ACCOUNT,
        },
      });
    assert.deepEqual(
      marks(markRepeats([person('john.smith'), person('maria.garcia'), person('john.smith')])),
      [undefined, undefined, 1],
    );
  });
});

describe('markRepeats', () => {
  test("a job's later runs with the same advice repeat the first run, whatever their sessions, keys and verification counts", () => {
    const out = markRepeats([
      night(26),
      night(27, { fix: fix(undefined, { verification: ['all 5 denied requests evaluate to Allowed.'] }) }),
      night(28),
    ]);
    assert.deepEqual(marks(out), [undefined, 1, 1]);
    // Nothing else changes.
    assert.equal(out[0]?.summary, night(26).summary);
    assert.deepEqual(out[2]?.eventIds, ['e-28']);
  });

  test('a run that also made a request the policies allow (a start-up HEAD) still repeats the first', () => {
    const head = {
      eventId: 'e-head',
      eventName: 'HeadObject',
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::exports/daily',
      decision: 'Allowed' as const,
      source: 'operation' as const,
    };
    const out = markRepeats([night(1), night(2, { requests: [...night(2).requests, head] })]);
    assert.deepEqual(marks(out), [undefined, 1]);
  });

  test('a run that needs something else is not a repeat: another prefix, action, bucket, cause, Deny, alternative or profile', () => {
    const denyRef = { policyType: 'identity' as const, policyName: 'NoExports', sid: 'Deny' };
    const others: Finding[] = [
      night(2, { fix: fix('arn:aws:s3:::exports/weekly/*') }),
      night(3, { requests: [{ ...night(3).requests[0]!, action: 's3:PutObjectAcl' }] }),
      night(4, { bucket: 'exports-eu' }),
      night(5, { cause: 'boundary-missing-allow' }),
      night(6, { cause: 'identity-explicit-deny', deniedBy: [denyRef], fix: null }),
      night(7, { alternatives: [{ kind: 'upgrade', text: 'Upgrade.', removes: ['s3:PutObjectAcl'] }] }),
      night(8, { jobProfile: { tool: 'rclone', operation: 'copy', statements: [], notes: [] } }),
      night(9, { fix: fix(undefined, { verified: false }) }),
      night(10, { fix: fix(undefined, { boundary: { ...fix(), newDocument: {} } }) }),
      night(11, {
        principal: { arn: `arn:aws:iam::${ACCOUNT}:user/nightly-export`, type: 'IAMUser', account: ACCOUNT },
      }),
    ];
    const out = markRepeats([night(1), ...others]);
    assert.deepEqual(marks(out), Array(others.length + 1).fill(undefined));
  });

  test('every repeat names the first finding with its advice, never another repeat, and each advice has its own first', () => {
    const weekly = (day: number) => night(day, { fix: fix('arn:aws:s3:::exports/weekly/*') });
    const out = markRepeats([night(1), weekly(2), night(3), weekly(4), night(5)]);
    assert.deepEqual(marks(out), [undefined, undefined, 1, 2, 1]);
  });

  test('marks already held are replaced, so marking twice, or after a reorder, gives the same marks', () => {
    const once = markRepeats([night(1), night(2), night(3)]);
    assert.deepEqual(markRepeats(once), once);
    const reordered = markRepeats([once[2]!, once[0]!, once[1]!]);
    assert.deepEqual(marks(reordered), [undefined, 1, 1]);
    assert.equal('repeatOf' in reordered[0]!, false);
  });

  test("caveatsBeyond: a repeat's caveats that its first finding does not give, in its order", () => {
    const first = night(1);
    const again = night(2, { caveats: ['The snapshot may be out of date.', ...first.caveats, 'Another.'] });
    assert.deepEqual(caveatsBeyond(again, first), ['The snapshot may be out of date.', 'Another.']);
    assert.deepEqual(caveatsBeyond(night(3), first), []);
    assert.deepEqual(caveatsBeyond(again, undefined), again.caveats);
  });
});

describe('repeats: what refused the requests besides the policies is part of the advice', () => {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl'], Resource: 'arn:aws:s3:::data/*' },
    ],
  };
  const user = `arn:aws:iam::${ACCOUNT}:user/backup`;
  const explain = (records: Record<string, unknown>[]) =>
    explainTexts(
      [{ input: 'week.json', text: JSON.stringify({ Records: records }) }],
      explainContext({ snapshot: snapshotWithUser('backup', policy) }),
    );

  test('an S3 setting on one night and another setting on the next are two findings, not a repeat', () => {
    const report = explain([
      deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/x.csv', {
        eventTime: '2026-11-26T02:00:00Z',
        errorMessage: `User: ${user} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/x.csv" because public ACLs are blocked by the BlockPublicAcls block public access setting.`,
        requestParameters: { bucketName: 'data', key: 'in/x.csv', 'x-amz-acl': 'public-read' },
      }),
      deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/x.csv', {
        eventTime: '2026-11-27T02:00:00Z',
        errorMessage: `User: ${user} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/x.csv" because this bucket has blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C). Please specify a different server-side encryption type`,
        requestParameters: {
          bucketName: 'data',
          key: 'in/x.csv',
          'x-amz-server-side-encryption-customer-algorithm': 'AES256',
          'x-amz-acl': 'bucket-owner-full-control',
        },
      }),
    ]);
    assert.deepEqual(
      report.findings.map((f) => f.cause),
      ['s3-setting', 's3-setting'],
    );
    assert.deepEqual(marks(report.findings), [undefined, undefined]);
  });

  test('a night whose request expected another bucket owner is not a repeat of a plain refusal', () => {
    const night = (day: number, overrides: Record<string, unknown> = {}) =>
      deniedObjectRecord('PutObject', 's3:PutObject', 'data', `in/${day}.csv`, {
        eventTime: `2026-11-${day}T02:00:00Z`,
        errorMessage: 'Access Denied',
        ...overrides,
      });
    const report = explain([
      night(26),
      night(27),
      night(28, {
        requestParameters: {
          bucketName: 'data',
          key: 'in/28.csv',
          'x-amz-expected-bucket-owner': '999999999999',
        },
      }),
    ]);
    assert.deepEqual(marks(report.findings), [undefined, 1, undefined]);
    assert.ok(report.findings[2]?.caveats.some((c) => c.includes('999999999999')));
  });
});

describe('repeats in explain reports', () => {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }],
  };
  const nights = [
    deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/2026-11-26.csv', {
      eventTime: '2026-11-26T02:00:00Z',
    }),
    deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/2026-11-27.csv', {
      eventTime: '2026-11-27T02:00:00Z',
    }),
    deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/2026-11-28.csv', {
      eventTime: '2026-11-28T02:00:00Z',
    }),
  ];
  const report = explainTexts(
    [{ input: 'week.json', text: JSON.stringify({ Records: nights }) }],
    explainContext({ snapshot: snapshotWithUser('backup', policy) }),
  );

  test('a job refused the same way on three nights: one finding and two repeats of it, each with its own events', () => {
    assert.deepEqual(marks(report.findings), [undefined, 1, 1]);
    assert.deepEqual(
      report.findings.map((f) => f.firstSeen),
      ['2026-11-26T02:00:00Z', '2026-11-27T02:00:00Z', '2026-11-28T02:00:00Z'],
    );
    assert.deepEqual(report.findings[2]?.fix?.statements, report.findings[0]?.fix?.statements);
    assert.equal(report.findings[0]?.fix?.attachTo, USER);
  });

  test('repeats are not combined into a policy change: the first fix alone covers them', () => {
    assert.equal(report.policyChanges, undefined);
    for (const finding of report.findings) {
      assert.ok(!finding.caveats.some((c) => c.includes('also change')), finding.caveats.join('\n'));
    }
  });

  test('a night that needs more than the first is its own finding, and its fix is combined with the first', () => {
    const more = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'out/2026-11-29.csv', {
      eventTime: '2026-11-29T02:00:00Z',
    });
    const withMore = explainTexts(
      [{ input: 'week.json', text: JSON.stringify({ Records: [...nights, more] }) }],
      explainContext({ snapshot: snapshotWithUser('backup', policy) }),
    );
    assert.deepEqual(marks(withMore.findings), [undefined, 1, 1, undefined]);
    assert.deepEqual(
      withMore.policyChanges?.map((c) => c.findings),
      [[1, 4]],
    );
  });
});
