/**
 * explain on hand-built CloudTrail records: principal types, grouping, skipping, bad input, evidence levels.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Explainer, explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { findingCauseText } from '../../../src/domain/render/causeText.js';
import { decisionText, groupRequests } from '../../../src/domain/render/reportWording.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import {
  ACCOUNT,
  deniedObjectRecord,
  deniedRecord,
  explainContext,
  snapshotWithUser,
} from './explainFixtures.js';

const record = deniedRecord;
const snapshotWith = (policy: Record<string, unknown>) => snapshotWithUser('backup', policy);
const context = explainContext;

const readOnlyPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
    },
  ],
};

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

describe('explainTexts', () => {
  test('a missing identity allow yields a verified inline-policy fix scoped to the key directory', () => {
    const report = explainTexts(text(record()), context({ snapshot: snapshotWith(readOnlyPolicy) }));
    const finding = report.findings[0];
    assert.ok(finding !== undefined);
    assert.equal(finding.cause, 'identity-missing-allow');
    assert.equal(finding.evidence, 'policies');
    assert.deepEqual(finding.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::data/in/*'] },
    ]);
    assert.equal(finding.fix?.attachKind, 'inline-policy');
    assert.equal(finding.fix?.attachTo, `arn:aws:iam::${ACCOUNT}:user/backup`);
    assert.equal(finding.fix?.verified, true);
  });

  test('an explicit Deny yields no fix and names the statement', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
        { Sid: 'NoWrites', Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/*' },
      ],
    };
    const finding = explainTexts(text(record()), context({ snapshot: snapshotWith(policy) })).findings[0];
    assert.equal(finding?.cause, 'identity-explicit-deny');
    assert.equal(finding?.fix, null);
    assert.deepEqual(
      finding?.deniedBy.map((d) => [d.policyType, d.sid]),
      [['identity', 'NoWrites']],
    );
  });

  test('events of one principal on one bucket within the window form one finding; a later run another', () => {
    const events = [
      record({ eventTime: '2026-11-27T10:00:00Z' }),
      record({ eventTime: '2026-11-27T10:20:00Z' }),
      record({ eventTime: '2026-11-27T13:00:00Z' }),
    ];
    const report = explainTexts(text(...events), context({ snapshot: snapshotWith(readOnlyPolicy) }));
    assert.equal(report.findings.length, 2);
    assert.deepEqual(
      report.findings.map((f) => f.eventIds.length),
      [2, 1],
    );
  });

  test('events of one second give the same findings in the same order whatever the order of the records', () => {
    const onBucket = (bucket: string, id: string) =>
      record({
        eventID: id,
        requestParameters: { bucketName: bucket, key: 'in/a.csv' },
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::${bucket}/in/a.csv" because no identity-based policy allows the s3:PutObject action`,
        resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/in/a.csv` }],
      });
    const records = [
      onBucket('alpha', 'c0000000-0000-4000-8000-000000000001'),
      onBucket('beta', 'a0000000-0000-4000-8000-000000000002'),
      onBucket('gamma', 'b0000000-0000-4000-8000-000000000003'),
    ];
    const orders = [records, [...records].reverse(), [records[1], records[2], records[0]]];
    const findings = orders.map((order) =>
      explainTexts(text(...order), context({ snapshot: snapshotWith(readOnlyPolicy) })).findings.map(
        (f) => f.eventIds[0],
      ),
    );
    assert.deepEqual(findings[0], [
      'a0000000-0000-4000-8000-000000000002',
      'b0000000-0000-4000-8000-000000000003',
      'c0000000-0000-4000-8000-000000000001',
    ]);
    assert.deepEqual(findings[1], findings[0]);
    assert.deepEqual(findings[2], findings[0]);
    // Out of time order too (the whole list is sorted then): the earlier second first, ties by ID.
    const earlier = {
      ...onBucket('delta', 'd0000000-0000-4000-8000-000000000004'),
      eventTime: '2026-11-27T09:59:00Z',
    };
    for (const order of [
      [records[2], records[0], earlier, records[1]],
      [records[1], records[2], records[0], earlier],
    ]) {
      assert.deepEqual(
        explainTexts(text(...order), context({ snapshot: snapshotWith(readOnlyPolicy) })).findings.map(
          (f) => f.eventIds[0],
        ),
        ['d0000000-0000-4000-8000-000000000004', ...(findings[0] ?? [])],
      );
    }
  });

  test('a request of the group the visible policies allow keeps the policy its message names, and the fix is not verified as enough', () => {
    const read = record({
      eventName: 'GetObject',
      vpcEndpointId: 'vpce-0abc',
      requestParameters: { bucketName: 'data', key: 'in/b.csv' },
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/in/b.csv" because no VPC endpoint policy allows the s3:GetObject action`,
      resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/in/b.csv' }],
    });
    for (const order of [
      [record(), read],
      [read, record()],
    ]) {
      const [finding] = explainTexts(
        text(...order),
        context({ snapshot: snapshotWith(readOnlyPolicy) }),
      ).findings;
      assert.equal(finding?.cause, 'identity-missing-allow');
      assert.deepEqual(
        finding?.fix?.statements.map((st) => st.Action),
        [['s3:PutObject']],
      );
      assert.equal(finding?.fix?.verified, false);
      assert.match(
        finding?.fix?.verification.at(-1) ?? '',
        /^Not verified as enough: AWS's message names a policy/,
      );
      assert.ok(
        finding?.caveats.includes(
          'For one request, the visible policies allow s3:GetObject (GetObject), yet AWS refused it: its message points at the VPC endpoint policy (the VPC endpoint policy does not allow it), and VPC endpoint policies are not an input. The fix does not cover that request.',
        ),
        finding?.caveats.join('\n'),
      );
      assert.ok(!finding?.caveats.some((c) => /may be out of date/.test(c)));
    }
  });

  test('a message that names an explicit Deny in an SCP that was not given: the identity fix is not verified as enough', () => {
    const [finding] = explainTexts(
      text(
        record({
          errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in a service control policy`,
        }),
      ),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    ).findings;
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.equal(finding?.fix?.verified, false);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          "AWS's message points at the service control policies (a service control policy explicitly denies it) for s3:PutObject; the snapshot suggests no identity-based policy allows it, but no service control policy was given (--scp)",
        ),
      ),
      finding?.caveats.join('\n'),
    );
  });

  test('from messages alone, a request its message says an explicit Deny refused is not granted, whatever the order', () => {
    const del = (key: string, because: string) =>
      record({
        eventName: 'DeleteObject',
        requestParameters: { bucketName: 'data', key },
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::data/${key}" ${because}`,
        resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` }],
      });
    const implicit = del('tmp/t.csv', 'because no identity-based policy allows the s3:DeleteObject action');
    const explicit = del('protected/p.csv', 'with an explicit deny in an identity-based policy');
    const boundary = del('out/o.csv', 'because no permissions boundary allows the s3:DeleteObject action');
    for (const order of [
      [implicit, explicit],
      [explicit, implicit],
    ]) {
      const [finding] = explainTexts(text(...order), context()).findings;
      assert.equal(finding?.evidence, 'message');
      assert.equal(finding?.cause, 'identity-explicit-deny');
      assert.deepEqual(
        finding?.fix?.statements.map((st) => st.Resource),
        [['arn:aws:s3:::data/tmp/*']],
      );
      assert.ok(
        finding?.caveats.includes(
          'The fix covers the request whose message says no identity-based policy allows it; the other was refused, its message says, by an explicit Deny in an identity-based policy, which an identity statement does not lift: it stays refused.',
        ),
        finding?.caveats.join('\n'),
      );
    }
    const [capped] = explainTexts(text(implicit, boundary), context()).findings;
    assert.deepEqual(
      capped?.fix?.statements.map((st) => st.Resource),
      [['arn:aws:s3:::data/tmp/*']],
    );
    assert.ok(capped?.caveats.some((c) => c.includes('by a missing Allow in the permissions boundary')));
  });

  test("a group's client is the tool most of its requests came from, whatever came first, and several tools are said", () => {
    const at = (time: string, userAgent: string, key: string) =>
      record({
        eventTime: time,
        userAgent,
        requestParameters: { bucketName: 'data', key },
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/${key}" because no identity-based policy allows the s3:PutObject action`,
        resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` }],
      });
    const [finding] = explainTexts(
      text(
        at('2026-11-27T10:00:00Z', '[aws-cli/2.15.0 Python/3.11 md/command#s3.cp]', 'in/x.csv'),
        at('2026-11-27T10:05:00Z', '[rclone/v1.66.0]', 'in/a.csv'),
        at('2026-11-27T10:05:01Z', '[rclone/v1.66.0]', 'in/b.csv'),
      ),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    ).findings;
    assert.equal(finding?.client.tool, 'rclone');
    assert.equal(finding?.jobProfile?.tool, 'rclone');
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith('These requests came from 2 clients (aws-cli: 1, rclone: 2)'),
      ),
      finding?.caveats.join('\n'),
    );
  });

  test('allowed by the visible policies, refused by a bucket policy that was not given: said so, not "out of date"', () => {
    const [finding] = explainTexts(
      text(
        record({
          eventName: 'GetObject',
          errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in a resource-based policy`,
        }),
      ),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    ).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.ok(
      finding?.caveats.includes(
        "The visible policies allow the request, but AWS's message names the resource-based policy (the bucket policy), and the bucket policy of data was not given (--bucket-policy): that is what to look at first.",
      ),
      finding?.caveats.join('\n'),
    );
  });

  test('a fix beside an explicit Deny counts in its verification the requests it covers and those the Deny keeps', () => {
    const withDeny = {
      Version: '2012-10-17',
      Statement: [
        ...readOnlyPolicy.Statement,
        { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/secret/*' },
      ],
    };
    const read = record({
      eventName: 'GetObject',
      requestParameters: { bucketName: 'data', key: 'secret/k.csv' },
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/secret/k.csv" with an explicit deny in an identity-based policy`,
      resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/secret/k.csv' }],
    });
    const [finding] = explainTexts(
      text(record(), read),
      context({ snapshot: snapshotWith(withDeny) }),
    ).findings;
    assert.equal(finding?.cause, 'identity-explicit-deny');
    assert.ok(
      finding?.fix?.verification.includes(
        'With the fix applied, the denied request it covers evaluates to Allowed; the one an explicit Deny refused stays refused (see "Denied by").',
      ),
      finding?.fix?.verification.join('\n'),
    );
  });

  test('non-S3, successful and duplicate events are skipped with a reason, never dropped', () => {
    const denied = record();
    const report = explainTexts(
      text(
        denied,
        denied,
        record({ eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' }),
        record({ errorCode: undefined, errorMessage: undefined }),
      ),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    );
    assert.equal(report.findings.length, 1);
    assert.deepEqual(report.skipped.map((s) => s.reason).sort(), ['duplicate', 'not-denied', 'not-s3']);
    // The duplicate's message says which record was not analysed again, and where it is.
    const duplicate = report.skipped.find((s) => s.reason === 'duplicate');
    assert.equal(
      duplicate?.message,
      `Event ${String(denied.eventID)} appears more than once; analysed once: this record (${String(denied.eventName)} at ${String(denied.eventTime)}, test.json $.Records[1]) was not analysed again, as CloudTrail may deliver a record again with the same ID.`,
    );
  });

  test("a caller named only by account and principal ID is the snapshot's user whose UserId that is; another ID stays unnamed", () => {
    const byId = (principalId: string) =>
      record({
        userIdentity: { type: 'AWSAccount', principalId, accountId: ACCOUNT },
        errorMessage: 'Access Denied',
      });
    const resolved = explainTexts(
      text(byId('AIDAEXAMPLE')),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    );
    const finding = resolved.findings[0];
    assert.equal(finding?.principal.type, 'IAMUser');
    assert.equal(finding?.principal.arn, `arn:aws:iam::${ACCOUNT}:user/backup`);
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.ok(finding?.caveats.some((c) => c.includes('AIDAEXAMPLE is the unique ID of user')));
    const unmatched = explainTexts(
      text(byId('AIDAOTHER')),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    );
    assert.equal(unmatched.findings[0]?.principal.type, 'AWSAccount');
    assert.equal(unmatched.findings[0]?.principal.arn, 'unknown');
  });

  test('a denied directory-bucket request is skipped as an unsupported operation; one that succeeded as not denied', () => {
    const express = { eventSource: 's3express.amazonaws.com', eventName: 'CreateSession' };
    const report = explainTexts(
      text(record(express), record({ ...express, errorCode: undefined, errorMessage: undefined })),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    );
    assert.equal(report.findings.length, 0);
    assert.deepEqual(
      report.skipped.map((s) => s.reason),
      ['unsupported-operation', 'not-denied'],
    );
    assert.match(report.skipped[0]?.message ?? '', /s3express:CreateSession on arn:aws:s3express:/);
  });

  test('successful S3 calls: skipped once each, checked like every record, and kept as evidence of the job', () => {
    const rclone = '[rclone/v1.66.0]';
    const ok = (overrides: Record<string, unknown>) =>
      record({ errorCode: undefined, errorMessage: undefined, userAgent: rclone, ...overrides });
    const deletion = ok({ eventName: 'DeleteObject' });
    const records = [
      record({ userAgent: rclone }),
      deletion,
      deletion,
      ok({ eventName: 'HeadObject', eventTime: '' }),
      ok({ eventName: 'HeadObject', errorCode: '' }),
    ];
    for (const input of [
      text(...records),
      [{ input: 'pretty.json', text: JSON.stringify({ Records: records }, null, 2) }],
    ]) {
      const report = explainTexts(input, context({ snapshot: snapshotWith(readOnlyPolicy) }));
      assert.deepEqual(
        report.skipped.map((s) => s.reason),
        ['not-denied', 'duplicate', 'not-denied'],
      );
      assert.match(report.skipped[0]?.message ?? '', /DeleteObject succeeded/);
      assert.deepEqual(
        report.errors.map((e) => e.code),
        ['cloudtrail.missingField'],
      );
      // The successful deletion on the same bucket makes the denied upload part of a sync or move.
      assert.notEqual(report.findings[0]?.jobProfile?.operation, 'copy');
      assert.ok(['sync', 'move'].includes(report.findings[0]?.jobProfile?.operation ?? ''));
    }
  });

  test('an unreadable input is an error naming it, and the other inputs are still analysed', () => {
    const report = explainTexts(
      [{ input: 'broken.json', text: '{"Records": [' }, ...text(record())],
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    );
    assert.equal(report.findings.length, 1);
    assert.equal(report.errors.length, 1);
    assert.match(report.errors[0]?.input ?? '', /broken\.json/);
  });

  test('without a snapshot the enhanced message still gives the cause and an unverified fix', () => {
    const finding = explainTexts(text(record()), context()).findings[0];
    assert.equal(finding?.evidence, 'message');
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.equal(finding?.fix?.verified, false);
    assert.equal(finding?.requests[0]?.decision, 'Unknown');
  });

  test('without a snapshot and with the legacy message the finding is not evaluable', () => {
    const finding = explainTexts(text(record({ errorMessage: 'Access Denied' })), context()).findings[0];
    assert.equal(finding?.evidence, 'event');
    assert.equal(finding?.cause, 'not-evaluable');
    assert.equal(finding?.fix, null);
    assert.ok(finding?.caveats.some((c) => c.includes('Access Denied')));
  });

  test('an anonymous request is evaluated against the bucket policy only', () => {
    const anonymous = record({
      userIdentity: { type: 'AWSAccount', principalId: '', accountId: 'anonymous' },
      errorMessage: 'Access Denied',
      eventName: 'GetObject',
    });
    const finding = explainTexts(
      text(anonymous),
      context({
        bucketPolicies: new Map([
          [
            'data',
            {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: '*',
                  Action: 's3:GetObject',
                  Resource: 'arn:aws:s3:::data/public/*',
                },
              ],
            },
          ],
        ]),
      }),
    ).findings[0];
    assert.equal(finding?.principal.type, 'Anonymous');
    assert.ok(finding?.caveats.some((c) => c.includes('Block Public Access')));
    assert.equal(finding?.evidence, 'policies');
    assert.equal(finding?.requests[0]?.decision, 'ImplicitlyDenied');
    // No grant to everyone is proposed, and the caller is not mistaken for an account CloudTrail left unnamed.
    assert.equal(finding?.fix, null);
    assert.ok(finding?.caveats.some((c) => c.startsWith('No fix proposed for an unsigned request')));
    assert.ok(!finding?.caveats.some((c) => c.includes("recorded only the caller's account")));
  });

  test('the root user is allowed by the visible policies, so the finding lists what else can deny', () => {
    const root = record({
      userIdentity: {
        type: 'Root',
        principalId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        accountId: ACCOUNT,
      },
      errorMessage: 'Access Denied',
    });
    const finding = explainTexts(text(root), context()).findings[0];
    assert.equal(finding?.principal.type, 'Root');
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.ok(finding?.caveats.some((c) => c.includes('service control policies')));
  });

  test('an AWS service principal is checked against the bucket policy', () => {
    const service = record({
      userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' },
      errorMessage: 'Access Denied',
      eventName: 'PutObject',
    });
    const finding = explainTexts(text(service), context()).findings[0];
    assert.equal(finding?.principal.type, 'AWSService');
    assert.equal(finding?.evidence, 'policies');
    assert.equal(finding?.requests[0]?.decision, 'ImplicitlyDenied');
  });

  test("an AWS service's fix is a bucket-policy statement for its service principal, verified, with nothing on a caller side", () => {
    const service = record({
      userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' },
      errorMessage: 'Access Denied',
    });
    const bucketPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AclCheck',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: 'arn:aws:s3:::data',
        },
      ],
    };
    const finding = explainTexts(
      text(service),
      context({ bucketPolicies: new Map([['data', bucketPolicy]]) }),
    ).findings[0];
    assert.equal(finding?.cause, 'resource-policy-missing-allow');
    assert.equal(finding?.fix?.attachKind, 'bucket-policy');
    assert.deepEqual(finding?.fix?.statements, [
      {
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: ['arn:aws:s3:::data/in/*'],
        Principal: { Service: 'cloudtrail.amazonaws.com' },
      },
    ]);
    assert.equal(finding?.fix?.identityStatements, undefined);
    assert.equal(finding?.fix?.verified, true, finding?.fix?.verification.join(' | '));
    assert.ok(finding?.fix?.verification.some((v) => v.includes('the bucket policy alone decides')));
    // Verified for the caller: the verification says the Principal admits the service for any account.
    assert.ok(
      finding?.fix?.verification.some((v) =>
        v.includes(
          'Checked for the caller alone: until the condition the caveats give is added, the Principal admits the service acting for any account.',
        ),
      ),
    );
    // The confused-deputy guard, with the bucket owner's account, to add by hand.
    assert.ok(
      finding?.caveats.some(
        (c) => c.includes(`"aws:SourceAccount": "${ACCOUNT}"`) && c.includes('confused deputy'),
      ),
      finding?.caveats.join(' | '),
    );
    assert.doesNotMatch(finding?.summary ?? '', /caller's own/);
  });

  test("the missing-key caveat (403 instead of 404 without s3:ListBucket) only when the caller's policies do not allow the listing", () => {
    const read = record({
      eventName: 'GetObject',
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'data', key: 'in/a.csv', Host: 'x' },
    });
    const policy = (actions: string[]) => ({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: actions, Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/out/*'] },
      ],
    });
    const caveatsWith = (actions: string[]) =>
      explainTexts(text(read), context({ snapshot: snapshotWith(policy(actions)) })).findings[0]?.caveats ??
      [];
    const missingKey = (c: string) => c.startsWith('For a key that does not exist S3 answers 404');
    assert.ok(caveatsWith(['s3:GetObject']).some(missingKey));
    assert.ok(!caveatsWith(['s3:GetObject', 's3:ListBucket']).some(missingKey));
  });

  test("a dated directory is noted once: the fix's caveat covers the profile's same directory, rclone's notes name the wider prefix already", () => {
    const upload = (userAgent: string) =>
      record({
        userAgent,
        requestParameters: { bucketName: 'data', key: 'exports/2026-11-29/a.csv', Host: 'x' },
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/exports/2026-11-29/a.csv" because no identity-based policy allows the s3:PutObject action`,
        resources: [
          { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/exports/2026-11-29/a.csv' },
          { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
        ],
      });
    const findingOf = (userAgent: string) =>
      explainTexts(text(upload(userAgent)), context({ snapshot: snapshotWith(readOnlyPolicy) })).findings[0];
    const notesOf = (userAgent: string) => findingOf(userAgent)?.jobProfile?.notes ?? [];
    const dated = (n: string) => n.startsWith('The job profile grants a dated directory');
    const awsCliUpload = findingOf('[aws-cli/2.15.0 Python/3.11 md/command#s3.cp]');
    const awsCli = awsCliUpload?.jobProfile?.notes ?? [];
    assert.equal(awsCli.filter(dated).length, 0, awsCli.join(' | '));
    const fixCaveats = (awsCliUpload?.caveats ?? []).filter((c) =>
      c.startsWith('The fix grants a dated directory'),
    );
    assert.equal(fixCaveats.length, 1, awsCliUpload?.caveats.join(' | '));
    assert.ok(
      fixCaveats[0]?.includes('use arn:aws:s3:::data/exports/* for arn:aws:s3:::data/exports/2026-11-29/*'),
    );
    const rclone = notesOf('rclone/v1.66.0');
    assert.equal(rclone.filter(dated).length, 0, rclone.join(' | '));
    assert.equal(
      rclone.filter((n) => n.includes('arn:aws:s3:::data/exports/*')).length,
      1,
      rclone.join(' | '),
    );
  });

  test('a request an Allow grants only under a Condition it did not meet gets no statement that would drop the condition', () => {
    const aclOnly = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OwnerMustOwn',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::data/*',
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
        },
      ],
    };
    const put = record();
    const finding = explainTexts(text(put), context({ snapshot: snapshotWith(aclOnly) })).findings[0];
    assert.equal(finding?.fix, null);
    const caveat = finding?.caveats.find((c) =>
      c.startsWith('s3:PutObject: the identity-based policy inline'),
    );
    assert.ok(caveat, finding?.caveats.join(' | '));
    assert.match(
      caveat,
      /\(statement OwnerMustOwn\) allows this only under its Condition, which the request did not meet: StringEquals s3:x-amz-acl "bucket-owner-full-control" \(the request had no s3:x-amz-acl\)\. No statement is added/,
    );
    // A condition on the caller's organization, which CloudTrail does not log, is unknown, not unmet.
    const orgOnly = {
      ...aclOnly,
      Statement: [
        {
          ...aclOnly.Statement[0],
          Sid: 'OrgOnly',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } },
        },
      ],
    };
    const org = explainTexts(text(put), context({ snapshot: snapshotWith(orgOnly) })).findings[0];
    const orgCaveat = org?.caveats.find((c) => c.includes('(statement OrgOnly)'));
    assert.match(
      orgCaveat ?? '',
      /allows this only under its Condition, which the input does not show the request meeting: StringEquals aws:PrincipalOrgID "o-abc123def4" \(unknown here, not absent: CloudTrail does not log aws:PrincipalOrgID \(the caller's organization\), and the snapshot holds no organization\. .*To meet the condition, check whether the caller's account is in the organization/,
    );
    assert.ok(!orgCaveat?.includes('the request had no aws:PrincipalOrgID'));
    // A condition on the caller's path in the organization tests its organizational unit, not membership.
    const pathOnly = {
      ...aclOnly,
      Statement: [
        {
          ...aclOnly.Statement[0],
          Sid: 'FinanceOu',
          Condition: {
            'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123def4/r-ab12/ou-ab12-finance1/*' },
          },
        },
      ],
    };
    const path = explainTexts(text(put), context({ snapshot: snapshotWith(pathOnly) })).findings[0];
    const pathCaveat = path?.caveats.find((c) => c.includes('(statement FinanceOu)'));
    assert.match(
      pathCaveat ?? '',
      /CloudTrail does not log aws:PrincipalOrgPaths \(the caller's path in its organization: organization, root and organizational units\), and the snapshot holds no organization\. If the caller's account is under the organizational unit the path names \(membership of the organization alone is not enough\).*To meet the condition, check whether the caller's account is under the organizational unit the path names: aws organizations list-parents/,
    );
    assert.doesNotMatch(
      pathCaveat ?? '',
      /the caller's organization\)|in the organization the statement names/,
    );
    // With the header sent, the same policy allows the upload: the condition was the only obstacle.
    const withAcl = record({
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        'x-amz-acl': 'bucket-owner-full-control',
        Host: 'x',
      },
    });
    assert.equal(
      explainTexts(text(withAcl), context({ snapshot: snapshotWith(aclOnly) })).findings[0]?.requests[0]
        ?.decision,
      'Allowed',
    );
    // A delete no statement allows still gets its fix; the guarded upload is counted apart.
    const del = record({
      eventName: 'DeleteObject',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the s3:DeleteObject action`,
    });
    const both = explainTexts(text(put, del), context({ snapshot: snapshotWith(aclOnly) })).findings[0];
    assert.deepEqual(both?.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: ['arn:aws:s3:::data/in/*'] },
    ]);
    assert.equal(both?.fix?.verified, true);
    assert.ok(
      both?.fix?.verification.some((v) =>
        v.endsWith(
          'deliberately not granted (see the caveats): 1 that an Allow grants only under a condition the request did not meet.',
        ),
      ),
      both?.fix?.verification.join(' | '),
    );
  });

  test('an explicit Deny that refused some requests: the others still get their fix, and the summary tells them apart', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
        { Sid: 'NoPii', Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/pii/*' },
      ],
    };
    const read = record({
      eventName: 'GetObject',
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'data', key: 'pii/people.csv', Host: 'x' },
    });
    const upload = record({ errorMessage: 'Access Denied' });
    const finding = explainTexts(text(read, upload), context({ snapshot: snapshotWith(policy) })).findings[0];
    assert.equal(finding?.cause, 'identity-explicit-deny');
    assert.deepEqual(
      finding?.deniedBy.map((d) => d.sid),
      ['NoPii'],
    );
    assert.deepEqual(finding?.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::data/in/*'] },
    ]);
    assert.equal(finding?.fix?.verified, true);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'The fix covers the request no policy allowed (no identity-based policy allows it); the request an explicit Deny refused stays refused',
        ),
      ),
      finding?.caveats.join(' | '),
    );
    assert.match(
      finding?.summary ?? '',
      /was denied s3:GetObject on bucket data: an identity-based policy explicitly denies it; and s3:PutObject, which no identity-based policy allows\. Fix: add s3:PutObject to .* \(verified\)\. Blocked by inline statement NoPii\.$/,
    );
  });

  test('a federated user is recognised and its issuing user is named', () => {
    const federated = record({
      userIdentity: {
        type: 'FederatedUser',
        principalId: `${ACCOUNT}:alice`,
        arn: `arn:aws:sts::${ACCOUNT}:federated-user/alice`,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: {
            type: 'IAMUser',
            principalId: 'AIDAEXAMPLE',
            arn: `arn:aws:iam::${ACCOUNT}:user/backup`,
            accountId: ACCOUNT,
            userName: 'backup',
          },
        },
      },
      errorMessage: `User: arn:aws:sts::${ACCOUNT}:federated-user/alice is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" because no session policy allows the s3:PutObject action`,
    });
    const finding = explainTexts(text(federated), context({ snapshot: snapshotWith(readOnlyPolicy) }))
      .findings[0];
    assert.equal(finding?.principal.type, 'FederatedUser');
    assert.equal(finding?.principal.arn, `arn:aws:sts::${ACCOUNT}:federated-user/alice`);
    assert.ok(finding !== undefined && finding.cause !== 'not-evaluable');
    assert.ok(
      finding.caveats.some(
        (c) => c.includes('GetFederationToken') && c.includes(`arn:aws:iam::${ACCOUNT}:user/backup`),
      ),
    );
  });

  test('a GetObject whose message names s3:ListBucket is explained as s3:ListBucket on the bucket', () => {
    const missingKey = record({
      eventName: 'GetObject',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action`,
    });
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }],
    };
    const finding = explainTexts(text(missingKey), context({ snapshot: snapshotWith(policy) })).findings[0];
    assert.deepEqual(
      finding?.requests.map((r) => [r.action, r.resource, r.source]),
      [['s3:ListBucket', 'arn:aws:s3:::data', 'message']],
    );
    assert.deepEqual(finding?.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::data'] },
    ]);
  });
});

/** A bucket policy letting one principal read `data/exports/`. */
const exportsReadableBy = (principal: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: principal },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::data/exports/*',
    },
  ],
});

test('a cross-account caller recorded only by its account is checked against account-wide grants, with no fix naming the whole account', () => {
  const partner = record({
    userIdentity: { type: 'AWSAccount', principalId: 'AROAPARTNER:etl', accountId: '444455556666' },
    errorMessage: 'Access Denied',
    eventName: 'GetObject',
    requestParameters: { bucketName: 'data', key: 'internal/a.csv' },
  });
  const bucketPolicy = exportsReadableBy('arn:aws:iam::444455556666:role/etl');
  const finding = explainTexts(text(partner), context({ bucketPolicies: new Map([['data', bucketPolicy]]) }))
    .findings[0];
  assert.equal(finding?.cause, 'resource-policy-missing-allow');
  assert.equal(finding?.requests[0]?.decision, 'ImplicitlyDenied');
  assert.equal(finding?.fix, null);
  assert.ok(finding?.caveats.some((c) => c.includes('only the caller') && c.includes('444455556666')));
});

test('two cross-account callers known only by their accounts are evaluated as their own accounts', () => {
  // Neither record names a user or role: each is evaluated as its account, so the bucket policy's grant
  // to one account must not carry over to the other.
  const caller = (account: string) =>
    record({
      userIdentity: { type: 'AWSAccount', principalId: `AROA${account}:etl`, accountId: account },
      errorMessage: 'Access Denied',
      eventName: 'GetObject',
      requestParameters: { bucketName: 'data', key: 'exports/a.csv' },
    });
  const bucketPolicy = exportsReadableBy('arn:aws:iam::444455556666:root');
  const report = explainTexts(
    text(caller('444455556666'), caller('777788889999')),
    context({ bucketPolicies: new Map([['data', bucketPolicy]]) }),
  );
  const byAccount = new Map(report.findings.map((f) => [f.principal.account, f]));
  assert.equal(byAccount.get('444455556666')?.requests[0]?.decision, 'Allowed');
  assert.equal(byAccount.get('777788889999')?.requests[0]?.decision, 'ImplicitlyDenied');
  assert.equal(byAccount.get('777788889999')?.cause, 'resource-policy-missing-allow');
});

/** A trail file as CloudTrail writes it (read a record at a time), and pretty-printed (read whole). */
const minified = (records: unknown[], input: string) => ({
  input,
  text: JSON.stringify({ Records: records }),
});
const pretty = (records: unknown[], input: string) => ({
  input,
  text: JSON.stringify({ Records: records }, null, 2),
});

test('a minified trail read a record at a time gives the report the whole-file reading gives, also when the cut fails', () => {
  const snapshot = snapshotWithUser('backup', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }],
  });
  const plain = [record(), record({ eventName: 'GetObject' }), record()];
  // A nested object whose first key is eventVersion makes the record-at-a-time cut fail.
  const awkward = [record({ additionalEventData: { notes: [{ a: 1 }, { eventVersion: 'n' }] } }), record()];
  for (const second of [plain.slice(1), awkward]) {
    const cut = explainTexts([minified(plain, 'a.json'), minified(second, 'b.json')], context({ snapshot }));
    const whole = explainTexts([pretty(plain, 'a.json'), pretty(second, 'b.json')], context({ snapshot }));
    assert.deepEqual(cut, whole);
    assert.ok(cut.findings.length > 0);
  }
});

test('a trail file whose cut fails after some records is read whole, and what those records added is taken back', () => {
  const snapshot = snapshotWithUser('backup', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }],
  });
  const first = [record(), record({ eventName: 'GetObject' })];
  const succeeded = record({
    eventName: 'ListObjects',
    errorCode: undefined,
    errorMessage: undefined,
    requestParameters: { bucketName: 'data', 'list-type': '2', Host: 'data.s3.eu-west-1.amazonaws.com' },
  });
  // Cut first: an event of the first file again, a successful call (evidence), a new denial; then a
  // record whose nested object opens with eventVersion, where the cut fails.
  const second = [
    first[0],
    succeeded,
    record({ requestParameters: { bucketName: 'data', key: 'in/b.csv' } }),
    record({ additionalEventData: { notes: [{ a: 1 }, { eventVersion: 'n' }] } }),
    record(),
  ];
  const cut = explainTexts([minified(first, 'a.json'), minified(second, 'b.json')], context({ snapshot }));
  const whole = explainTexts([pretty(first, 'a.json'), pretty(second, 'b.json')], context({ snapshot }));
  assert.deepEqual(cut, whole);
  // Taken back and read again: the repeat is skipped once, the other records of b.json count once.
  assert.deepEqual(
    cut.skipped.map((s) => s.reason),
    ['duplicate', 'not-denied'],
  );
  assert.equal(
    cut.findings.reduce((n, f) => n + f.eventIds.length, 0),
    first.length + second.length - 2,
  );
});

test('a trail file broken in its second record is one error, and its first record counts for nothing', () => {
  const snapshot = snapshotWith(readOnlyPolicy);
  const denied = record();
  const second = record();
  const valid = JSON.stringify({ Records: [denied, second, record()] });
  // Still shaped like a trail file (so it is first read a record at a time), but not JSON.
  const broken = valid.replace(`"eventID":"${second.eventID}"`, `"eventID":"${second.eventID}",`);
  assert.notEqual(broken, valid);
  const report = explainTexts(
    [
      { input: 'broken.json', text: broken },
      // The same event delivered again in a complete file is then new.
      { input: 'whole.json', text: JSON.stringify({ Records: [denied] }) },
    ],
    context({ snapshot }),
  );
  assert.deepEqual(
    report.errors.map((e) => [e.input.split(' ')[0], e.code]),
    [['broken.json', 'cloudtrail.invalidJson']],
  );
  assert.deepEqual(report.skipped, []);
  assert.deepEqual(
    report.findings.map((f) => f.eventIds),
    [[denied.eventID]],
  );
});

describe('Explainer: inputs added one at a time', () => {
  test('a text added a few records at a time gives the report of adding it at once, also when its cut fails midway', () => {
    const snapshot = snapshotWith(readOnlyPolicy);
    const first = [record(), record({ eventName: 'GetObject' }), record()];
    const second = [
      first[0],
      record({ requestParameters: { bucketName: 'data', key: 'in/b.csv' } }),
      record({ additionalEventData: { notes: [{ a: 1 }, { eventVersion: 'n' }] } }),
      record(),
    ];
    const texts = [minified(first, 'a.json'), minified(second, 'b.json'), pretty([record()], 'c.json')];
    const stepped = new Explainer(context({ snapshot }));
    let steps = 0;
    for (const { input, text } of texts) for (const _ of stepped.steps(input, text, 1)) steps++;
    assert.ok(steps >= 6, `${steps} steps`);
    assert.deepEqual(stepped.report(), explainTexts(texts, context({ snapshot })));
  });

  test('a second text cannot be added before the steps of the first are finished', () => {
    const explainer = new Explainer(context({ snapshot: snapshotWith(readOnlyPolicy) }));
    const first = explainer.steps('a.json', JSON.stringify({ Records: [record(), record()] }), 1);
    first.next();
    assert.throws(
      () => explainer.add('b.json', JSON.stringify({ Records: [record()] })),
      /before the one before/,
    );
    for (const _ of first);
    explainer.add('b.json', JSON.stringify({ Records: [record()] }));
    assert.equal(explainer.deniedEvents, 3);
    // A step that could analyse nothing would never end.
    assert.throws(() => explainer.steps('c.json', '{}', 0).next(), RangeError);
  });

  test('events of one job in two files form one finding, and an event re-delivered in the second is reported once', () => {
    const explainer = new Explainer(context({ snapshot: snapshotWith(readOnlyPolicy) }));
    const early = record({ eventTime: '2026-11-27T10:00:00Z' });
    const late = record({ eventTime: '2026-11-27T10:05:00Z' });
    explainer.add('a.json', JSON.stringify({ Records: [early] }));
    explainer.add('b.json', JSON.stringify({ Records: [early, late] }));
    const report = explainer.report();
    assert.equal(report.findings.length, 1);
    assert.deepEqual(report.findings[0]?.eventIds, [early.eventID, late.eventID]);
    assert.deepEqual(
      report.skipped.map((s) => [s.eventId, s.reason]),
      [[early.eventID, 'duplicate']],
    );
  });

  test('an input that is not JSON is an error naming it, and the inputs added before and after still count', () => {
    const explainer = new Explainer(context({ snapshot: snapshotWith(readOnlyPolicy) }));
    explainer.add('a.json', JSON.stringify({ Records: [record()] }));
    explainer.add('broken.json', '{"Records": [');
    explainer.add('c.json', JSON.stringify(record({ eventTime: '2026-11-27T10:01:00Z' })));
    const report = explainer.report();
    assert.deepEqual(
      report.errors.map((e) => e.input),
      ['broken.json (line 1, column 14)'],
    );
    assert.equal(report.findings[0]?.eventIds.length, 2);
  });
});

/** IAM user li refused `action` on `data/<key>` by `eventName`, with the enhanced message. */
function deniedForLi(eventName: string, action: string, key: string) {
  return record({
    eventName,
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDALI',
      arn: `arn:aws:iam::${ACCOUNT}:user/li`,
      accountId: ACCOUNT,
      userName: 'li',
    },
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/li is not authorized to perform: ${action} on resource: "arn:aws:s3:::data/${key}" because no identity-based policy allows the ${action} action`,
  });
}

/** A customer-managed policy as `get-account-authorization-details` lists it: one version allowing `action` on data/*. */
function managedPolicyDetail(name: string, arn: string, action: string) {
  return {
    PolicyName: name,
    Arn: arn,
    DefaultVersionId: 'v1',
    IsAttachable: true,
    PolicyVersionList: [
      {
        VersionId: 'v1',
        IsDefaultVersion: true,
        Document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: action, Resource: 'arn:aws:s3:::data/*' }],
        },
      },
    ],
  };
}

test('a managed policy that serves other users is not edited for one of them: each gets an inline policy (one document serves equal denials), and a caveat names the others; a policy of its own is edited', () => {
  const writer = `arn:aws:iam::${ACCOUNT}:policy/DataWriter`;
  const user = (name: string, attached: boolean) => ({
    UserName: name,
    UserId: `AIDA${name.toUpperCase()}`,
    Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    Path: '/',
    GroupList: [],
    AttachedManagedPolicies: attached ? [{ PolicyName: 'DataWriter', PolicyArn: writer }] : [],
    UserPolicyList: [],
  });
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [user('alice', true), user('bob', true), user('carol', false), user('dave', false)],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [managedPolicyDetail('DataWriter', writer, 's3:PutObject')],
    },
    'test',
  );
  assert.ok(parsed.ok);
  const deniedGet = (name: string) =>
    record({
      eventName: 'GetObject',
      userIdentity: {
        type: 'IAMUser',
        principalId: `AIDA${name.toUpperCase()}`,
        arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
        accountId: ACCOUNT,
        userName: name,
      },
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/${name} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the s3:GetObject action`,
    });
  const report = explainTexts(
    text(deniedGet('alice'), deniedGet('bob'), deniedGet('carol'), deniedGet('dave')),
    context({ snapshot: parsed.snapshot }),
  );
  const fixOf = (name: string) => report.findings.find((f) => f.principal.arn.endsWith(`/${name}`))?.fix;
  const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map(fixOf);
  for (const fix of [alice, bob, carol, dave]) assert.equal(fix?.verified, true);
  // DataWriter serves alice and bob: a new version for alice would grant bob the same.
  assert.deepEqual(
    [alice?.attachKind, alice?.attachTo, bob?.attachTo],
    ['inline-policy', `arn:aws:iam::${ACCOUNT}:user/alice`, `arn:aws:iam::${ACCOUNT}:user/bob`],
  );
  assert.deepEqual(bob?.newDocument, alice?.newDocument);
  const caveatsOf = (name: string) =>
    report.findings.find((f) => f.principal.arn.endsWith(`/${name}`))?.caveats ?? [];
  assert.ok(
    caveatsOf('alice').some((c) =>
      c.startsWith(
        'DataWriter already grants S3 on this bucket, but a new version of it would also change what it grants user bob',
      ),
    ),
    caveatsOf('alice').join(' | '),
  );
  assert.ok(caveatsOf('bob').some((c) => c.includes('what it grants user alice')));
  // Without the managed policy: a new inline policy each, attached to each user.
  assert.deepEqual(
    [carol?.attachKind, carol?.attachTo, dave?.attachTo],
    ['inline-policy', `arn:aws:iam::${ACCOUNT}:user/carol`, `arn:aws:iam::${ACCOUNT}:user/dave`],
  );
  assert.deepEqual(dave?.newDocument, carol?.newDocument);
  assert.ok(!caveatsOf('carol').some((c) => c.includes('DataWriter')));

  // Attached to alice alone, DataWriter gets the new version.
  const alone = parseAccountSnapshot(
    {
      UserDetailList: [user('alice', true), user('bob', false)],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [],
    },
    'test',
  );
  assert.ok(alone.ok);
  const own = explainTexts(
    text(deniedGet('alice')),
    context({ snapshot: { ...alone.snapshot, managedPolicies: parsed.snapshot.managedPolicies } }),
  ).findings[0];
  assert.equal(own?.fix?.attachKind, 'managed-policy-version');
  assert.equal(own?.fix?.policyArn, writer);
  assert.match(own?.fix?.diff ?? '', /\+ .*s3:GetObject/);
  assert.equal(own?.fix?.verified, true);

  // A filtered snapshot (no roles in it) whose policy IAM counts 3 attachments of: the others are somewhere.
  const counted = parseAccountSnapshot(
    {
      UserDetailList: [user('alice', true), user('bob', false)],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [{ ...managedPolicyDetail('DataWriter', writer, 's3:PutObject'), AttachmentCount: 3 }],
    },
    'test',
  );
  assert.ok(counted.ok);
  const unseen = explainTexts(text(deniedGet('alice')), context({ snapshot: counted.snapshot })).findings[0];
  assert.equal(unseen?.fix?.attachKind, 'inline-policy');
  assert.ok(
    unseen?.caveats.some((c) =>
      c.includes(
        "what it grants 2 more users, groups or roles the snapshot does not hold (the policy's AttachmentCount)",
      ),
    ),
    unseen?.caveats.join(' | '),
  );
});

test('a managed policy a user has through a group with other members is not edited for that user; through a group of one, it is', () => {
  const reader = `arn:aws:iam::${ACCOUNT}:policy/LakeRead`;
  const snapshotWith = (members: string[]) => {
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: members.map((name) => ({
          UserName: name,
          UserId: `AIDA${name.toUpperCase()}`,
          Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
          Path: '/',
          GroupList: ['analysts'],
          AttachedManagedPolicies: [],
          UserPolicyList: [],
        })),
        GroupDetailList: [
          {
            GroupName: 'analysts',
            GroupId: 'AGPAANALYSTS',
            Arn: `arn:aws:iam::${ACCOUNT}:group/analysts`,
            Path: '/',
            AttachedManagedPolicies: [{ PolicyName: 'LakeRead', PolicyArn: reader }],
            GroupPolicyList: [],
          },
        ],
        RoleDetailList: [],
        Policies: [managedPolicyDetail('LakeRead', reader, 's3:GetObject')],
      },
      'test',
    );
    assert.ok(parsed.ok);
    return parsed.snapshot;
  };
  const deniedPut = deniedForLi('PutObject', 's3:PutObject', 'teams/li/a.csv');
  const shared = explainTexts(text(deniedPut), context({ snapshot: snapshotWith(['li', 'sofia', 'omar']) }))
    .findings[0];
  assert.equal(shared?.fix?.attachKind, 'inline-policy');
  assert.equal(shared?.fix?.verified, true);
  assert.ok(
    shared?.caveats.some((c) => c.includes('what it grants the 2 other members of group analysts')),
    shared?.caveats.join(' | '),
  );
  const single = explainTexts(text(deniedPut), context({ snapshot: snapshotWith(['li']) })).findings[0];
  assert.equal(single?.fix?.attachKind, 'managed-policy-version');
  assert.equal(single?.fix?.policyArn, reader);
});

test("an earlier fix's inline policy in the snapshot gets the new statements added (with a diff), not a document that would replace it", () => {
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [
        {
          UserName: 'li',
          UserId: 'AIDALI',
          Arn: `arn:aws:iam::${ACCOUNT}:user/li`,
          Path: '/',
          GroupList: [],
          AttachedManagedPolicies: [],
          UserPolicyList: [
            {
              PolicyName: 'PermissionAuditorFix',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::data'] }],
              },
            },
          ],
        },
      ],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [],
    },
    'test',
  );
  assert.ok(parsed.ok);
  const deniedDelete = deniedForLi('DeleteObject', 's3:DeleteObject', 'old/a.csv');
  const fix = explainTexts(text(deniedDelete), context({ snapshot: parsed.snapshot })).findings[0]?.fix;
  assert.equal(fix?.attachKind, 'inline-policy');
  assert.equal(fix?.policyName, 'PermissionAuditorFix');
  assert.equal(fix?.verified, true);
  assert.deepEqual(fix?.newDocument, {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::data'] },
      {
        Sid: 'PermissionAuditorFix1',
        Effect: 'Allow',
        Action: ['s3:DeleteObject'],
        Resource: ['arn:aws:s3:::data/old/*'],
      },
    ],
  });
  assert.match(fix?.diff ?? '', /\+ .*s3:DeleteObject/);
  // The summary names the policy it extends, not a new one.
  assert.match(
    explainTexts(text(deniedDelete), context({ snapshot: parsed.snapshot })).findings[0]?.summary ?? '',
    /Fix: add s3:DeleteObject to the inline policy PermissionAuditorFix on user\/li \(verified\)\./,
  );
});

describe('keys with characters an IAM policy cannot hold', () => {
  const put = (key: string, second: number) =>
    deniedObjectRecord('PutObject', 's3:PutObject', 'data', key, {
      eventTime: `2026-11-27T10:00:${String(second).padStart(2, '0')}Z`,
    });
  const iamDocument = /^[\t\n\r\u0020-\u00ff]+$/;

  test('the fix writes them as ?, stays verified, fits in an IAM policy, and a caveat names them', () => {
    const report = explainTexts(
      text(put('写真/2026/a.jpg', 1), put('写真/2026/b.jpg', 2)),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    );
    const finding = report.findings[0];
    assert.ok(finding !== undefined);
    assert.deepEqual(finding.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::data/??/2026/*'] },
    ]);
    assert.equal(finding.fix?.verified, true);
    assert.match(JSON.stringify(finding.fix), iamDocument);
    const caveat = finding.caveats.find((c) => c.startsWith('IAM policy documents can hold only'));
    assert.ok(caveat !== undefined, finding.caveats.join('\n'));
    assert.match(caveat, /the keys' characters "写", "真" cannot be written/);
    assert.ok(
      finding.fix?.verification.some((v) =>
        v.startsWith(
          'No other S3 action or resource becomes newly allowed, apart from keys that differ where its resources write ? for characters IAM cannot hold (see the caveats) (',
        ),
      ),
      finding.fix?.verification.join('\n'),
    );
  });

  test('no caveat when the fix stops at a directory above them', () => {
    const report = explainTexts(
      text(put('photos/写真1.jpg', 1), put('photos/写真2.jpg', 2)),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    );
    const finding = report.findings[0];
    assert.deepEqual(finding?.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::data/photos/*'] },
    ]);
    assert.ok(
      !finding?.caveats.some((c) => c.startsWith('IAM policy documents')),
      finding?.caveats.join('\n'),
    );
  });
});

describe('a bucket name that cannot be one', () => {
  test('is an error naming the record, and no statement is written from it (a * would be a wildcard)', () => {
    const legacy = (bucketName: string) =>
      record({
        errorMessage: 'Access Denied',
        requestParameters: { bucketName, key: 'daily/a.csv' },
        resources: [],
      });
    const enhanced = record({
      errorMessage:
        'User: arn:aws:iam::111122223333:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::backup-*/daily/a.csv" because no identity-based policy allows the s3:PutObject action',
    });
    const forged = ['*', 'backup-*', '${aws:username}', 'a:b', 'backup-bucket/daily'].map(legacy);
    const report = explainTexts(
      text(...forged, enhanced, record()),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    );
    assert.deepEqual(
      report.errors.map((e) => [e.input, e.code]),
      [0, 1, 2, 3, 4, 5].map((i) => [`test.json ($.Records[${i}])`, 's3.invalidBucketName']),
    );
    assert.match(
      report.errors[1]?.message ?? '',
      /^PutObject names the bucket "backup-\*", which cannot be an S3 bucket's name/,
    );
    // The genuine record is still explained.
    assert.equal(report.findings.length, 1);
    assert.equal(report.findings[0]?.bucket, 'data');
    // Old us-east-1 names (upper case, underscores) are names.
    const old = explainTexts(
      text(legacy('Old_Bucket.Name')),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    );
    assert.deepEqual(old.errors, []);
    assert.equal(old.findings[0]?.bucket, 'Old_Bucket.Name');
  });
});

describe('times spelled otherwise than CloudTrail does', () => {
  test('are ordered and windowed by the time they say (UTC without a zone), not by their text', () => {
    const late = record({ eventTime: '2026-11-28 23:00:00' });
    const early = record({ eventTime: '2026-11-28T01:00:00Z' });
    const report = explainTexts(text(late, early), context({ snapshot: snapshotWith(readOnlyPolicy) }));
    assert.deepEqual(
      report.findings.map((f) => [f.firstSeen, f.lastSeen]),
      [
        ['2026-11-28T01:00:00Z', '2026-11-28T01:00:00Z'],
        ['2026-11-28 23:00:00', '2026-11-28 23:00:00'],
      ],
    );
    const loose = explainTexts(text(record({ eventTime: 'Monday 5' })), context());
    assert.equal(loose.errors[0]?.code, 'cloudtrail.invalidField');
    assert.match(loose.errors[0]?.message ?? '', /eventTime is not a date: "Monday 5"/);
  });
});

describe('a record with an errorMessage but no errorCode', () => {
  test('is skipped as incomplete, saying why, and is not taken for a successful call', () => {
    const incomplete = record({ errorCode: undefined, errorMessage: 'Access Denied' });
    const report = explainTexts(text(incomplete), context({ snapshot: snapshotWith(readOnlyPolicy) }));
    assert.equal(report.findings.length, 0);
    assert.equal(report.skipped[0]?.reason, 'not-denied');
    assert.match(
      report.skipped[0]?.message ?? '',
      /^PutObject has an errorMessage \("Access Denied"\) but no errorCode: CloudTrail writes both for a failed call/,
    );
  });
});

describe('an AWS service refused where the visible policies allow it', () => {
  const delivery = () =>
    record({
      userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' },
      eventName: 'PutObject',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'trail-logs',
        key: 'AWSLogs/111122223333/CloudTrail/x.json.gz',
        'x-amz-acl': 'bucket-owner-full-control',
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::trail-logs/AWSLogs/111122223333/CloudTrail/x.json.gz' },
        { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::trail-logs' },
      ],
    });
  const bucketPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: ['s3:PutObject', 's3:PutObjectAcl'],
        Resource: 'arn:aws:s3:::trail-logs/AWSLogs/111122223333/*',
      },
    ],
  };

  test("a delivery for another account: the confused-deputy condition names that account, not the bucket's", () => {
    const other = record({
      userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' },
      eventName: 'PutObject',
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'trail-logs', key: 'AWSLogs/222233334444/CloudTrail/x.json.gz' },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::trail-logs/AWSLogs/222233334444/CloudTrail/x.json.gz' },
        { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::trail-logs' },
      ],
    });
    const [finding] = explainTexts(
      text(other),
      context({ bucketPolicies: new Map([['trail-logs', { Version: '2012-10-17', Statement: [] }]]) }),
    ).findings;
    const deputy = finding?.caveats.find((c) => c.includes('confused deputy'));
    assert.ok(deputy?.includes('{"aws:SourceAccount": "222233334444"}'), deputy);
  });

  test("an organization trail's delivery: the condition is aws:SourceArn with the trail's ARN (the one the policy names), not the member accounts the keys name", () => {
    const member = record({
      userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' },
      eventName: 'PutObject',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'trail-logs',
        key: 'AWSLogs/o-abc123def4/222233334444/CloudTrail/x.json.gz',
      },
      resources: [
        {
          type: 'AWS::S3::Object',
          ARN: 'arn:aws:s3:::trail-logs/AWSLogs/o-abc123def4/222233334444/CloudTrail/x.json.gz',
        },
        { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::trail-logs' },
      ],
    });
    const trail = 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail';
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::trail-logs/AWSLogs/111122223333/*',
          Condition: { StringEquals: { 'aws:SourceArn': trail } },
        },
      ],
    };
    const [finding] = explainTexts(
      text(member),
      context({ bucketPolicies: new Map([['trail-logs', policy]]) }),
    ).findings;
    const deputy = finding?.caveats.find((c) => c.includes('confused deputy')) ?? '';
    assert.ok(deputy.includes(`{"StringEquals": {"aws:SourceArn": "${trail}"}}`), deputy);
    assert.match(deputy, /organization trail/);
    assert.doesNotMatch(deputy, /222233334444"/);
  });

  test("CloudFront's origin access control: the condition is the distribution's ARN, not the bucket owner's account", () => {
    const read = record({
      userIdentity: { type: 'AWSService', invokedBy: 'cloudfront.amazonaws.com' },
      eventName: 'GetObject',
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'trail-logs', key: 'static/site.css' },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::trail-logs/static/site.css' },
        { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::trail-logs' },
      ],
    });
    const [finding] = explainTexts(
      text(read),
      context({ bucketPolicies: new Map([['trail-logs', { Version: '2012-10-17', Statement: [] }]]) }),
    ).findings;
    const deputy = finding?.caveats.find((c) => c.includes('confused deputy')) ?? '';
    assert.match(
      deputy,
      /"AWS:SourceArn": "arn:aws:cloudfront::<account-id>:distribution\/<distribution-id>"/,
    );
    assert.doesNotMatch(deputy, /aws:SourceAccount/);
  });

  test("a log delivery's fix grants the prefix the service writes every delivery under, not the refused objects (whose names never repeat)", () => {
    const accessLog = (key: string) =>
      record({
        userIdentity: { type: 'AWSService', invokedBy: 'logging.s3.amazonaws.com' },
        eventName: 'PutObject',
        errorMessage: 'Access Denied',
        requestParameters: { bucketName: 'trail-logs', key },
        resources: [
          { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::trail-logs/${key}` },
          { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::trail-logs' },
        ],
      });
    const empty = new Map([['trail-logs', { Version: '2012-10-17', Statement: [] }]]);
    const [root] = explainTexts(
      text(
        accessLog('2026-11-28-05-30-02-1A2B3C4D5E6F7A8B'),
        accessLog('2026-11-28-05-31-17-9C8D7E6F5A4B3C2D'),
      ),
      context({ bucketPolicies: empty }),
    ).findings;
    assert.deepEqual(
      root?.fix?.statements.map((st) => st.Resource),
      [['arn:aws:s3:::trail-logs/*']],
    );
    assert.equal(root?.fix?.verified, true);
    assert.ok(
      root?.caveats.some((c) =>
        c.startsWith(
          'The fix grants the whole bucket (no target prefix), the prefix logging.s3.amazonaws.com writes every delivery under',
        ),
      ),
      root?.caveats.join(' | '),
    );
    const [prefixed] = explainTexts(
      text(accessLog('logs/src-bucket/2026-11-28-05-30-02-1A2B3C4D5E6F7A8B')),
      context({ bucketPolicies: empty }),
    ).findings;
    assert.deepEqual(
      prefixed?.fix?.statements.map((st) => st.Resource),
      [['arn:aws:s3:::trail-logs/logs/src-bucket/*']],
    );
    const flowLog = record({
      userIdentity: { type: 'AWSService', invokedBy: 'delivery.logs.amazonaws.com' },
      eventName: 'PutObject',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'trail-logs',
        key: 'AWSLogs/444455556666/vpcflowlogs/eu-west-1/2026/11/28/x.log.gz',
      },
      resources: [
        {
          type: 'AWS::S3::Object',
          ARN: 'arn:aws:s3:::trail-logs/AWSLogs/444455556666/vpcflowlogs/eu-west-1/2026/11/28/x.log.gz',
        },
        { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::trail-logs' },
      ],
    });
    const [vended] = explainTexts(text(flowLog), context({ bucketPolicies: empty })).findings;
    assert.deepEqual(
      vended?.fix?.statements.map((st) => st.Resource),
      [['arn:aws:s3:::trail-logs/AWSLogs/444455556666/*']],
    );
    assert.ok(
      !vended?.caveats.some((c) => c.startsWith('The fix grants a dated directory')),
      vended?.caveats.join(' | '),
    );
  });

  test("an S3 Inventory or Storage Lens delivery's fix grants its configuration's prefix (every run writes a new timestamped directory), and the confused-deputy condition names its source", () => {
    const delivered = (service: string, key: string) =>
      record({
        userIdentity: { type: 'AWSService', invokedBy: service },
        eventName: 'PutObject',
        errorMessage: 'Access Denied',
        requestParameters: { bucketName: 'trail-logs', key },
        resources: [
          { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::trail-logs/${key}` },
          { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::trail-logs' },
        ],
      });
    const empty = new Map([['trail-logs', { Version: '2012-10-17', Statement: [] }]]);
    // Each of the three kinds of object an inventory run writes: all under destination-prefix/source-bucket/config-ID/.
    for (const key of [
      'inv/prod-data/daily-all/2026-11-28T01-00Z/manifest.json',
      'inv/prod-data/daily-all/data/7f3c0c3e-2c1b-4a5e-9d1e-1c2b3a4d5e6f.csv.gz',
      'inv/prod-data/daily-all/hive/dt=2026-11-28-01-00/symlink.txt',
    ]) {
      const [inventory] = explainTexts(
        text(delivered('s3.amazonaws.com', key)),
        context({ bucketPolicies: empty }),
      ).findings;
      assert.deepEqual(
        inventory?.fix?.statements.map((st) => st.Resource),
        [['arn:aws:s3:::trail-logs/inv/prod-data/daily-all/*']],
        key,
      );
      assert.equal(inventory?.fix?.verified, true);
      assert.ok(
        inventory?.caveats.some(
          (c) =>
            c.startsWith('The fix grants inv/prod-data/daily-all/*, the prefix s3.amazonaws.com writes') &&
            c.includes('storage-inventory-location.html') &&
            c.includes('YYYY-MM-DDTHH-MMZ'),
        ),
        inventory?.caveats.join(' | '),
      );
      const deputy = inventory?.caveats.find((c) => c.includes('confused deputy')) ?? '';
      assert.ok(deputy.includes('{"ArnLike": {"aws:SourceArn": "arn:aws:s3:::prod-data"}'), deputy);
      assert.doesNotMatch(deputy, /a trail, a load balancer/);
    }
    // Another object s3.amazonaws.com writes, of no inventory shape: the refused directory, as before.
    const [other] = explainTexts(
      text(delivered('s3.amazonaws.com', 'exports/prod-data/report.csv')),
      context({ bucketPolicies: empty }),
    ).findings;
    assert.deepEqual(
      other?.fix?.statements.map((st) => st.Resource),
      [['arn:aws:s3:::trail-logs/exports/prod-data/*']],
    );
    const [lens] = explainTexts(
      text(
        delivered(
          'storage-lens.s3.amazonaws.com',
          'lens/StorageLens/111122223333/org-dashboard/V_1/reports/dt=2026-11-28/a1b2c3d4.par',
        ),
      ),
      context({ bucketPolicies: empty }),
    ).findings;
    assert.deepEqual(
      lens?.fix?.statements.map((st) => st.Resource),
      [['arn:aws:s3:::trail-logs/lens/StorageLens/111122223333/org-dashboard/*']],
    );
    const lensDeputy = lens?.caveats.find((c) => c.includes('confused deputy')) ?? '';
    assert.match(
      lensDeputy,
      /"aws:SourceArn": "arn:aws:s3:[a-z0-9-]+:111122223333:storage-lens\/org-dashboard"/,
    );
    assert.match(lensDeputy, /"aws:SourceAccount": "111122223333"/);
  });

  test('a Deny on what the service acts for (aws:SourceArn, which CloudTrail does not log) is not taken as certain', () => {
    const guarded = {
      Version: '2012-10-17',
      Statement: [
        ...bucketPolicy.Statement,
        {
          Sid: 'OnlyOwnTrails',
          Effect: 'Deny',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::trail-logs/*',
          Condition: { ArnNotLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:111122223333:trail/*' } },
        },
      ],
    };
    const [finding] = explainTexts(
      text(delivery()),
      context({ bucketPolicies: new Map([['trail-logs', guarded]]) }),
    ).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.ok(
      finding?.caveats.some((c) => c.includes('"OnlyOwnTrails"') && c.includes('aws:SourceArn')),
      finding?.caveats.join(' | '),
    );
  });

  test('a confused-deputy Deny on aws:SourceAccount refuses a delivery whose key names another account (AWSLogs/<account>/), saying the account was inferred; no fix is offered', () => {
    const vpcFlowLog = record({
      userIdentity: { type: 'AWSService', invokedBy: 'delivery.logs.amazonaws.com' },
      eventName: 'PutObject',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'trail-logs',
        key: 'AWSLogs/444455556666/vpcflowlogs/eu-west-1/2026/11/28/x.log.gz',
      },
      resources: [
        {
          type: 'AWS::S3::Object',
          ARN: 'arn:aws:s3:::trail-logs/AWSLogs/444455556666/vpcflowlogs/eu-west-1/2026/11/28/x.log.gz',
        },
        { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::trail-logs' },
      ],
    });
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyForeignSources',
          Effect: 'Deny',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: 's3:*',
          Resource: ['arn:aws:s3:::trail-logs', 'arn:aws:s3:::trail-logs/*'],
          Condition: { StringNotEquals: { 'aws:SourceAccount': ['111122223333'] } },
        },
      ],
    };
    const [finding] = explainTexts(
      text(vpcFlowLog),
      context({ bucketPolicies: new Map([['trail-logs', policy]]) }),
    ).findings;
    assert.equal(finding?.cause, 'resource-policy-explicit-deny');
    assert.deepEqual(
      finding?.deniedBy.map((d) => d.sid),
      ['DenyForeignSources'],
    );
    assert.equal(finding?.fix, null);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith('aws:SourceAccount, which CloudTrail does not record, was taken to be 444455556666'),
      ),
      finding?.caveats.join(' | '),
    );
    const deny = finding?.caveats.find((c) => c.includes('"DenyForeignSources"')) ?? '';
    assert.match(
      deny,
      /have the statement's owner add what the AWS service acts for here \(the account, the resource such as a trail or log group, or the organization\) to the values the condition exempts/,
    );
    assert.doesNotMatch(deny, /meet the condition/);
    // The value the Deny tested is said to come from the key, not to be the request's as recorded.
    assert.ok(
      deny.includes(
        'aws:SourceAccount StringNotEquals "111122223333" held (the request had "444455556666", taken from the object key (AWSLogs/444455556666/…): CloudTrail does not record aws:SourceAccount, so that is an inference)',
      ),
      deny,
    );
  });

  test("an organization's Deny (StringNotEquals aws:PrincipalOrgID, or aws:PrincipalOrgPaths) refuses it: a service principal is in no organization, so the key is absent, not unknown", () => {
    for (const [key, value] of [
      ['aws:PrincipalOrgID', 'o-abc123def4'],
      ['aws:PrincipalOrgPaths', 'o-abc123def4/r-ab12/*'],
    ] as const) {
      const guarded = {
        Version: '2012-10-17',
        Statement: [
          ...bucketPolicy.Statement,
          {
            Sid: 'DenyOutsideOrg',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: ['arn:aws:s3:::trail-logs', 'arn:aws:s3:::trail-logs/*'],
            Condition: {
              [key === 'aws:PrincipalOrgID' ? 'StringNotEquals' : 'StringNotLike']: {
                [key]: value,
              },
            },
          },
        ],
      };
      const [finding] = explainTexts(
        text(delivery()),
        context({ bucketPolicies: new Map([['trail-logs', guarded]]) }),
      ).findings;
      assert.equal(finding?.cause, 'resource-policy-explicit-deny', key);
      assert.deepEqual(
        finding?.deniedBy.map((d) => d.sid),
        ['DenyOutsideOrg'],
      );
      const advice = finding?.caveats.find((c) => c.includes('"DenyOutsideOrg"')) ?? '';
      assert.match(advice, /No AWS service principal is in an organization/);
      assert.match(advice, /"BoolIfExists": \{"aws:PrincipalIsAWSService": "false"\}/);
    }
  });

  test('an Allow guarded only by what the service acts for (aws:SourceAccount, aws:SourceArn) is unverifiable, not missing: the cause and advice say so, and nothing asks the user to meet the condition', () => {
    const aclCheck = record({
      userIdentity: { type: 'AWSService', invokedBy: 'delivery.logs.amazonaws.com' },
      eventName: 'GetBucketAcl',
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'trail-logs', acl: '' },
      resources: [{ accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::trail-logs' }],
    });
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AWSLogDeliveryAclCheck',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: 'arn:aws:s3:::trail-logs',
          Condition: {
            StringEquals: { 'aws:SourceAccount': ['111122223333'] },
            ArnLike: { 'aws:SourceArn': ['arn:aws:logs:eu-west-1:111122223333:*'] },
          },
        },
      ],
    };
    const [finding] = explainTexts(
      text(aclCheck),
      context({ bucketPolicies: new Map([['trail-logs', policy]]) }),
    ).findings;
    assert.ok(finding !== undefined);
    assert.equal(finding.cause, 'resource-policy-missing-allow');
    assert.match(findingCauseText(finding).explanation, /unverifiable, not unmet/);
    assert.doesNotMatch(findingCauseText(finding).explanation, /contains no statement that does/);
    const advice = finding.caveats.find((c) => c.includes('AWSLogDeliveryAclCheck')) ?? '';
    assert.match(
      advice,
      /The AWS service sets these keys itself, to what it acts for .*: if that is what the Condition names, the statement allows the request, and what refused it is elsewhere/,
    );
    assert.doesNotMatch(advice, /Meet the condition|To meet the condition/);
    // The title, the summary and the request row say the same: not that the policy does not allow it.
    assert.equal(
      findingCauseText(finding).title,
      'The bucket policy allows the request only under a Condition the record cannot show met',
    );
    assert.match(
      finding.summary,
      /: the bucket policy allows it only under a Condition the record cannot show met \(unverifiable, not unmet: see the caveats\)\./,
    );
    assert.doesNotMatch(finding.summary, /does not allow/);
    assert.deepEqual(
      finding.requests.map((r) => [r.action, r.decision, r.unverifiableAllowIn]),
      [['s3:GetBucketAcl', 'ImplicitlyDenied', ['resource']]],
    );
    assert.deepEqual(
      groupRequests(finding.requests).map((g) => decisionText(g)),
      [
        'implicitly denied (the bucket policy allows it only under a Condition the record cannot show met: unverifiable, not unmet)',
      ],
    );

    // A write whose PutObject such a statement guards: the fix's verification says unverifiable, not unmet.
    const write = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::trail-logs/AWSLogs/111122223333/*',
          Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:111122223333:trail/*' } },
        },
      ],
    };
    const [put] = explainTexts(
      text(delivery()),
      context({ bucketPolicies: new Map([['trail-logs', write]]) }),
    ).findings;
    assert.ok(
      put?.fix?.verification.some((v) =>
        v.includes(
          '1 that an Allow grants only under a condition the record cannot show met (unverifiable, not unmet)',
        ),
      ),
      put?.fix?.verification.join(' | '),
    );
    // Besides one the policy does not allow at all (s3:PutObjectAcl of this upload's ACL): each said apart.
    const withAcl = put;
    assert.ok(withAcl !== undefined);
    assert.deepEqual(
      withAcl.requests.map((r) => [r.action, r.unverifiableAllowIn]),
      [
        ['s3:PutObject', ['resource']],
        ['s3:PutObjectAcl', undefined],
      ],
    );
    assert.equal(
      findingCauseText(withAcl).title,
      'The bucket policy does not allow part of the request, and the rest only under a Condition the record cannot show met',
    );
    assert.match(
      withAcl.summary,
      /: the bucket policy does not allow s3:PutObjectAcl, and allows s3:PutObject only under a Condition the record cannot show met \(unverifiable, not unmet: see the caveats\)\./,
    );
    assert.match(
      findingCauseText(withAcl).explanation,
      /The bucket policy does not allow s3:PutObjectAcl; a statement of it allows the rest only under a Condition the record cannot show met/,
    );

    // A condition the record shows unmet beside the unknown one: a known failure, not unverifiable.
    const unmet = {
      Version: '2012-10-17',
      Statement: [
        {
          ...write.Statement[0],
          Condition: { ...write.Statement[0]?.Condition, StringEquals: { 's3:x-amz-acl': 'private' } },
        },
      ],
    };
    const [known] = explainTexts(
      text(delivery()),
      context({ bucketPolicies: new Map([['trail-logs', unmet]]) }),
    ).findings;
    assert.deepEqual(
      known?.requests.map((r) => [r.action, r.unverifiableAllowIn]),
      [
        ['s3:PutObject', undefined],
        ['s3:PutObjectAcl', undefined],
      ],
    );
    assert.equal(findingCauseText(known!).title, 'The bucket policy does not allow the request');
    assert.doesNotMatch(known?.summary ?? '', /unverifiable/);
  });

  test("is not refused by AWS's identity-perimeter RCP (aws:PrincipalIsAWSService is true), and SCPs are not among what can still deny it", () => {
    const perimeter = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EnforceOrgIdentities',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: '*',
          Condition: {
            StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-mine' },
            BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
          },
        },
      ],
    };
    const full = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
    };
    const report = explainTexts(
      text(delivery()),
      context({
        bucketPolicies: new Map([['trail-logs', bucketPolicy]]),
        rcpLevels: [
          [
            { name: 'RCPFullAWSAccess', document: full },
            { name: 'perimeter', document: perimeter },
          ],
        ],
      }),
    );
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.ok(
      !finding?.caveats.some((c) => c.includes('service control policies (none were given: --scp)')),
      finding?.caveats.join('\n'),
    );
  });
});

describe('callers and times the records spell differently', () => {
  const icUser = (userId: string, eventID: string) =>
    record({
      eventID,
      userIdentity: {
        type: 'IdentityCenterUser',
        accountId: ACCOUNT,
        onBehalfOf: {
          userId,
          identityStoreArn: `arn:aws:identitystore::${ACCOUNT}:identitystore/d-9067642ac7`,
        },
      },
      errorMessage: 'Access Denied',
    });

  test('two Identity Center users on one bucket are two findings, each naming its own user', () => {
    const report = explainTexts(text(icUser('alice-id', 'ev-a'), icUser('bob-id', 'ev-b')), context());
    assert.deepEqual(
      report.findings.map((f) => [f.eventIds, f.principal.identityStoreUserId, f.repeatOf]),
      [
        [['ev-a'], 'alice-id', undefined],
        [['ev-b'], 'bob-id', undefined],
      ],
    );
    assert.ok(report.findings[1]?.summary.startsWith('Identity Center user bob-id of account'));
  });

  test('first and last seen are the earliest and latest times, whatever their spelling', () => {
    const at = (eventTime: string, eventID: string) => record({ eventTime, eventID });
    const report = explainTexts(
      text(
        at('2026-11-28T02:00:01Z', 't1'),
        at('2026-11-28 02:00:30', 't2'),
        at('2026-11-28T04:00:00+02:00', 't3'),
      ),
      context(),
    );
    assert.equal(report.findings.length, 1);
    assert.equal(report.findings[0]?.firstSeen, '2026-11-28T04:00:00+02:00');
    assert.equal(report.findings[0]?.lastSeen, '2026-11-28 02:00:30');
  });
});

describe('a replication configuration refused passing its role', () => {
  test('the iam:PassRole statement S3 needs is the fix, scoped to the role and to S3, when no S3 request is refused', () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/service-role/s3-replication`;
    const put = record({
      eventName: 'PutBucketReplication',
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        replication: '',
        ReplicationConfiguration: {
          Role: role,
          Rule: { ID: 'all', Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::data-dr' } },
        },
        Host: 'data.s3.eu-west-1.amazonaws.com',
      },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:PutReplicationConfiguration', Resource: 'arn:aws:s3:::data' },
      ],
    };
    const finding = explainTexts(text(put), context({ snapshot: snapshotWith(policy) })).findings[0];
    assert.deepEqual(
      finding?.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:PutReplicationConfiguration', 'Allowed'],
        ['iam:PassRole', 'ImplicitlyDenied'],
      ],
    );
    // The caller's own policies refuse it: the statement is added to them, and verified.
    assert.deepEqual(finding?.fix?.statements, [
      {
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [role],
        Condition: { StringEquals: { 'iam:PassedToService': 's3.amazonaws.com' } },
      },
    ]);
    assert.equal(finding?.fix?.verified, true);
    assert.ok(!finding?.caveats.includes('No S3 request to grant was identified.'));
    assert.ok(
      finding?.caveats.every((c) => !c.includes('not verified here')),
      finding?.caveats.join(' | '),
    );
  });
});

describe("the policy ARN AWS's message names", () => {
  test('is given the kind of policy the message names (an RCP), not taken for an identity policy', () => {
    const arn = 'arn:aws:organizations::123456789012:policy/o-abcd1234ef/resource_control_policy/p-rcp12345';
    const refused = record({
      eventName: 'GetObject',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in a resource control policy, with policy ARN: ${arn}`,
    });
    const finding = explainTexts(text(refused), context()).findings[0];
    assert.equal(finding?.evidence, 'message');
    assert.deepEqual(finding?.deniedBy, [{ policyType: 'rcp', policyArn: arn }]);
  });
});

describe('a CloudTrail Insights event', () => {
  test('is skipped as no call, with what it noticed, in a trail file read record by record or whole', () => {
    const insight = {
      eventVersion: '1.08',
      eventTime: '2026-11-28T02:00:00Z',
      awsRegion: 'eu-west-1',
      eventID: 'insight-1',
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: '111122223333',
      sharedEventID: 'shared-1',
      insightDetails: {
        state: 'Start',
        eventSource: 's3.amazonaws.com',
        eventName: 'GetObject',
        insightType: 'ApiErrorRateInsight',
      },
      eventCategory: 'Insight',
    };
    for (const text of [
      JSON.stringify({ Records: [insight] }),
      JSON.stringify({ Records: [insight] }, null, 2),
    ]) {
      const report = explainTexts([{ input: 'insights.json', text }], explainContext());
      assert.deepEqual(report.errors, []);
      assert.deepEqual(report.skipped, [
        {
          eventId: 'insight-1',
          reason: 'not-cloudtrail',
          message:
            'A CloudTrail Insights event (ApiErrorRateInsight s3.amazonaws.com GetObject): it records an unusual rate of API calls or errors, not a call, so there is no denied request to explain.',
        },
      ]);
    }
  });
});

describe('a federated user the root user issued', () => {
  const federated = {
    type: 'FederatedUser',
    principalId: '111122223333:Bob',
    arn: 'arn:aws:sts::111122223333:federated-user/Bob',
    accountId: '111122223333',
    sessionContext: {
      sessionIssuer: {
        type: 'Root',
        principalId: '111122223333',
        arn: 'arn:aws:iam::111122223333:root',
        accountId: '111122223333',
      },
    },
  };

  test("is evaluated with the root user's full access: the session policy is what can refuse it, not 'not evaluable'", () => {
    const record = deniedRecord({ userIdentity: federated, errorMessage: 'Access Denied' });
    const report = explainTexts(
      [{ input: 'fed.json', text: JSON.stringify({ Records: [record] }) }],
      explainContext({ snapshot: snapshotWith({ Version: '2012-10-17', Statement: [] }) }),
    );
    const finding = report.findings[0];
    // The engine takes GetFederationToken's session policy, never visible, as what must allow it.
    assert.equal(finding?.cause, 'session-policy');
    assert.equal(finding?.evidence, 'policies');
    assert.equal(finding?.fix, null);
    assert.ok(!finding?.caveats.some((c) => c.startsWith('Identity policies could not be checked')));
    assert.ok(
      finding?.caveats.some((c) => c.startsWith('A federated user the root user issued')),
      finding?.caveats.join(' | '),
    );
  });
});

describe("AWS's message names the VPC endpoint policy", () => {
  const through = (endpoint: string, day: string) =>
    record({
      eventName: 'GetObject',
      eventTime: `2026-11-${day}T02:00:00Z`,
      vpcEndpointId: endpoint,
      requestParameters: { bucketName: 'data', key: 'in/b.csv' },
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/in/b.csv" because no VPC endpoint policy allows the s3:GetObject action`,
      resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/in/b.csv' }],
    });

  test('without a snapshot too: the endpoint is named, and another endpoint is not a repeat', () => {
    const report = explainTexts(text(through('vpce-0a1b', '26'), through('vpce-0fed', '27')), context());
    assert.deepEqual(
      report.findings.map((f) => [f.cause, f.repeatOf]),
      [
        ['vpc-endpoint-policy', undefined],
        ['vpc-endpoint-policy', undefined],
      ],
    );
    assert.ok(
      report.findings[1]?.caveats.some((c) => c.includes('the request came through vpce-0fed')),
      report.findings[1]?.caveats.join(' | '),
    );
  });

  test('the caveat names the endpoint the request came through, and another endpoint is not a repeat', () => {
    const report = explainTexts(
      text(through('vpce-0a1b', '26'), through('vpce-0fed', '27'), through('vpce-0a1b', '28')),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    );
    assert.deepEqual(
      report.findings.map((f) => [f.cause, f.repeatOf]),
      [
        ['vpc-endpoint-policy', undefined],
        ['vpc-endpoint-policy', undefined],
        ['vpc-endpoint-policy', 1],
      ],
    );
    assert.ok(
      report.findings[1]?.caveats.some((c) =>
        c.includes('names the VPC endpoint policy, of vpce-0fed, which the request came through'),
      ),
      report.findings[1]?.caveats.join(' | '),
    );
  });
});

describe('uploads refused in more top-level directories than a fix grants one by one', () => {
  test('the verified fix takes the whole bucket, and a caveat says so and why', () => {
    const upload = (key: string) =>
      record({
        errorMessage: 'Access Denied',
        requestParameters: { bucketName: 'data', key, Host: 'data.s3.eu-west-1.amazonaws.com' },
        resources: [
          { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` },
          { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
        ],
      });
    const keys = Array.from({ length: 9 }, (_, i) => `dir${i}/a.csv`);
    const [finding] = explainTexts(
      text(...keys.map(upload)),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    ).findings;
    assert.deepEqual(
      finding?.fix?.statements.map((s) => [s.Action, s.Resource]),
      [[['s3:PutObject'], ['arn:aws:s3:::data/*']]],
    );
    assert.equal(finding?.fix?.verified, true);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'The fix grants every object of arn:aws:s3:::data/* (bucket data: the refused keys are in 9 top-level directories',
        ),
      ),
      finding?.caveats.join('\n'),
    );
  });
});

describe('what a verified fix could not check', () => {
  test('names the kinds of policy the input holds none of, for the caller it applies to', () => {
    const roleSession = record({
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLE:job',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/loader/job`,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLE',
            arn: `arn:aws:iam::${ACCOUNT}:role/loader`,
            accountId: ACCOUNT,
            userName: 'loader',
          },
        },
      },
      errorMessage: 'Access Denied',
    });
    const user = explainTexts(
      text(record({ errorMessage: 'Access Denied' })),
      context({ snapshot: snapshotWith(readOnlyPolicy) }),
    ).findings[0];
    assert.equal(user?.fix?.verified, true);
    assert.ok(
      user?.fix?.verification.includes(
        'Not checked, as the input holds none: service control policies (--scp) and resource control policies (--rcp); a Deny in one of them, or an SCP or RCP that does not allow these actions, would still refuse the requests.',
      ),
      user?.fix?.verification.join('\n'),
    );
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [],
        GroupDetailList: [],
        RoleDetailList: [
          {
            RoleName: 'loader',
            RoleId: 'AROAEXAMPLE',
            Arn: `arn:aws:iam::${ACCOUNT}:role/loader`,
            Path: '/',
            AttachedManagedPolicies: [],
            RolePolicyList: [{ PolicyName: 'inline', PolicyDocument: readOnlyPolicy }],
          },
        ],
        Policies: [],
      },
      'test',
    );
    assert.ok(parsed.ok);
    const role = explainTexts(text(roleSession), context({ snapshot: parsed.snapshot })).findings[0];
    assert.equal(role?.fix?.verified, true, role?.fix?.verification.join('\n'));
    assert.ok(
      role?.fix?.verification.some((line) =>
        line.includes(
          'and a session policy passed when the role was assumed (CloudTrail does not record it)',
        ),
      ),
      role?.fix?.verification.join('\n'),
    );
    // With the SCPs and RCPs given, the session policy alone: no word of allow lists.
    const allowAll = (principal: boolean) => [
      {
        name: 'FullAccess',
        document: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', ...(principal ? { Principal: '*' } : {}), Action: '*', Resource: '*' },
          ],
        },
      },
    ];
    const given = explainTexts(
      text(roleSession),
      context({ snapshot: parsed.snapshot, scpLevels: [allowAll(false)], rcpLevels: [allowAll(true)] }),
    ).findings[0];
    assert.ok(
      given?.fix?.verification.includes(
        'Not checked, as the input holds none: a session policy passed when the role was assumed (CloudTrail does not record it); a Deny in it, or a session policy that does not allow these actions, would still refuse the requests.',
      ),
      given?.fix?.verification.join('\n'),
    );
  });
});

describe('a web identity session (Cognito) whose policy names the provider claim', () => {
  test("the record's claim resolves the policy variable: the caller's own folder is allowed, not a fix", () => {
    const sub = 'eu-west-1:22222222-aaaa-bbbb-cccc-000000000001';
    const upload = record({
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROACOGNITO:CognitoIdentityCredentials',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/PhotoAppAuth/CognitoIdentityCredentials`,
        accountId: ACCOUNT,
        accessKeyId: 'ASIACOGNITO',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROACOGNITO',
            arn: `arn:aws:iam::${ACCOUNT}:role/PhotoAppAuth`,
            accountId: ACCOUNT,
            userName: 'PhotoAppAuth',
          },
          webIdFederationData: {
            federatedProvider: 'cognito-identity.amazonaws.com',
            attributes: { 'cognito-identity.amazonaws.com:sub': sub },
          },
          attributes: { creationDate: '2026-11-27T09:00:00Z', mfaAuthenticated: 'false' },
        },
      },
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: 'data', key: `private/${sub}/photo.jpg`, Host: 'x' },
    });
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [],
        GroupDetailList: [],
        RoleDetailList: [
          {
            RoleName: 'PhotoAppAuth',
            RoleId: 'AROACOGNITO',
            Arn: `arn:aws:iam::${ACCOUNT}:role/PhotoAppAuth`,
            Path: '/',
            AttachedManagedPolicies: [],
            RolePolicyList: [
              {
                PolicyName: 'OwnFolder',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Effect: 'Allow',
                      Action: 's3:PutObject',
                      Resource: 'arn:aws:s3:::data/private/${cognito-identity.amazonaws.com:sub}/*',
                    },
                  ],
                },
              },
            ],
          },
        ],
        Policies: [],
      },
      'test',
    );
    assert.ok(parsed.ok);
    const [finding] = explainTexts(text(upload), context({ snapshot: parsed.snapshot })).findings;
    assert.equal(finding?.requests[0]?.decision, 'Allowed');
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.equal(finding?.fix, null);
  });
});

describe("a role's sessions on one bucket within the window", () => {
  const sample = (name: string) => join(import.meta.dirname, '..', '..', '..', 'events', name);
  const load = (name: string) => {
    // A trail file, or a bare record.
    const input = JSON.parse(readFileSync(join(sample(name), 'event.json'), 'utf8')) as
      | { Records: Record<string, unknown>[] }
      | Record<string, unknown>;
    const record = Array.isArray(input.Records) ? (input.Records[0] as Record<string, unknown>) : input;
    const parsed = parseAccountSnapshot(
      JSON.parse(readFileSync(join(sample(name), 'authz.json'), 'utf8')),
      'authz.json',
    );
    assert.ok(parsed.ok);
    return { record, snapshot: parsed.snapshot };
  };
  /** The record again, 5 minutes later, as another session of the same role or permission set. */
  const otherSession = (record: Record<string, unknown>, session: string): Record<string, unknown> => {
    const identity = record.userIdentity as { arn: string; principalId: string };
    const time = new Date(Date.parse(record.eventTime as string) + 5 * 60_000)
      .toISOString()
      .replace('.000', '');
    return {
      ...record,
      eventID: '9a1b2c3d-0000-4000-8000-000000000099',
      eventTime: time,
      userIdentity: {
        ...identity,
        arn: `${identity.arn.slice(0, identity.arn.lastIndexOf('/'))}/${session}`,
        principalId: `${identity.principalId.split(':')[0]}:${session}`,
      },
    };
  };

  test('are a finding each, evaluated as themselves (a statement can name one session), the later one a repeat', () => {
    const { record, snapshot } = load('04-assumed-role-ci-path');
    const report = explainTexts(
      text(record, otherSession(record, 'botocore-session-1764400000')),
      context({ snapshot }),
    );
    assert.deepEqual(
      report.findings.map((f) => [f.principal.arn.split('/').at(-1), f.repeatOf]),
      [
        ['gha-123', undefined],
        ['botocore-session-1764400000', 1],
      ],
    );
  });

  test("share what their successful calls show: one session's listing by aws s3 rm makes another's rm recursive", () => {
    const fixture = join(import.meta.dirname, '..', '..', 'fixtures', 'aws-cli-rm-recursive');
    const trail = JSON.parse(readFileSync(join(fixture, 'event.json'), 'utf8')) as {
      Records: Record<string, unknown>[];
    };
    const parsed = parseAccountSnapshot(
      JSON.parse(readFileSync(join(fixture, 'authz.json'), 'utf8')),
      'authz.json',
    );
    assert.ok(parsed.ok);
    // The listing made by an earlier session of the role (its credentials since renewed).
    const records = trail.Records.map((r) =>
      r.eventName === 'ListObjects' ? otherSession(r, 'botocore-session-1764400000') : r,
    ).map((r) => (r.eventName === 'ListObjects' ? { ...r, eventTime: '2026-12-01T06:09:00Z' } : r));
    const report = explainTexts(text(...records), context({ snapshot: parsed.snapshot }));
    assert.equal(report.findings.length, 1);
    assert.deepEqual(
      report.findings[0]?.jobProfile?.statements.map((s) => s.Action),
      [['s3:ListBucket'], ['s3:DeleteObject']],
    );
  });

  test('two people of one IAM Identity Center permission set stay two findings', () => {
    const { record, snapshot } = load('17-identity-center-permission-set');
    const report = explainTexts(text(record, otherSession(record, 'li.wei')), context({ snapshot }));
    assert.equal(report.findings.length, 2);
  });
});

describe("KMS's own record of a call S3 made for a caller (SSE-KMS), refused", () => {
  const kmsRecord = JSON.parse(
    readFileSync(
      join(import.meta.dirname, '..', '..', 'fixtures', 'kms-refused-s3-call', 'event.json'),
      'utf8',
    ),
  ) as Record<string, unknown>;

  test('is skipped as not S3, with what it shows: the action, caller, key, object, and what to give instead', () => {
    const report = explainTexts(text(kmsRecord), context({}));
    assert.equal(report.findings.length, 0);
    const [skipped] = report.skipped;
    assert.equal(skipped?.reason, 'not-s3');
    assert.match(
      skipped?.message ?? '',
      /^KMS refused kms:GenerateDataKey to S3, which called it for arn:aws:iam::111122223333:user\/report-exporter \(invokedBy s3\.amazonaws\.com\) on key arn:aws:kms:eu-central-1:111122223333:key\/7f3c2a10-5b8e-4d21-9a6f-0c4e8b2d1a93 for arn:aws:s3:::finance-reports\/exports\/2026-11\/ledger-2026-11-28\.csv: /,
    );
    assert.match(skipped?.message ?? '', /Give S3's own record of the request \(a data event/);
    assert.match(skipped?.message ?? '', /kms:ViaService s3\.eu-central-1\.amazonaws\.com/);
  });

  test('a KMS refusal of a call S3 did not make keeps the plain not-S3 message', () => {
    const direct = {
      ...kmsRecord,
      sourceIPAddress: '198.51.100.7',
      userIdentity: { ...(kmsRecord.userIdentity as object), invokedBy: undefined },
    };
    const [skipped] = explainTexts(text(direct), context({})).skipped;
    assert.equal(
      skipped?.message,
      'GenerateDataKey from kms.amazonaws.com is not an S3 request (expected s3.amazonaws.com).',
    );
  });
});

describe('records that share a sharedEventID', () => {
  test('of two operations are two requests, not one request logged twice', () => {
    const records = [
      deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', { sharedEventID: 'shared-1' }),
      deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/b.csv', {
        eventID: 'e0000000-0000-4000-8000-00000000000b',
        sharedEventID: 'shared-1',
      }),
    ];
    const report = explainTexts(text(...records), context({ snapshot: snapshotWith(readOnlyPolicy) }));
    assert.equal(report.findings.flatMap((f) => f.eventIds).length, 2);
    assert.ok(!report.skipped.some((s) => s.reason === 'duplicate'));
  });
});
