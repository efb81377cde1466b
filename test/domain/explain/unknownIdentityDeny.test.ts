/**
 * explain for a caller whose identity policies are not visible (no snapshot, or a user the snapshot
 * lacks): an explicit Deny in a policy that is given (the bucket's, an SCP) refuses the request whatever
 * they allow, so it is named as the cause, and no statement is proposed for the requests it refuses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { ACCOUNT, deniedObjectRecord, explainContext, snapshotWithUser } from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const NO_WRITES = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'NoWrites',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::data/*',
    },
  ],
};
const generic = { errorMessage: 'Access Denied' };

/** A data-perimeter Deny on the caller's organization, which CloudTrail does not log. */
const ORG_ONLY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'OrgOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: 'arn:aws:s3:::data/*',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
    },
  ],
};

const put = (key: string, overrides: Record<string, unknown> = generic) =>
  deniedObjectRecord('PutObject', 's3:PutObject', 'data', key, overrides);
const get = (key: string, overrides: Record<string, unknown> = generic) =>
  deniedObjectRecord('GetObject', 's3:GetObject', 'data', key, overrides);

describe('a Deny given here, for a caller whose identity policies are not visible', () => {
  test('no snapshot: the bucket policy Deny is the cause, evaluated, with no fix', () => {
    const report = explainTexts(
      text(put('in/a.csv')),
      explainContext({ bucketPolicies: new Map([['data', NO_WRITES]]) }),
    );
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'resource-policy-explicit-deny');
    assert.equal(finding?.evidence, 'policies');
    assert.deepEqual(
      finding?.deniedBy.map((d) => [d.policyType, d.sid]),
      [['resource', 'NoWrites']],
    );
    assert.equal(finding?.requests[0]?.decision, 'ExplicitlyDenied');
    assert.equal(finding?.fix, null);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          "The caller's identity policies are not visible, but an explicit Deny in the policies given refuses the request whatever they allow",
        ),
      ),
      finding?.caveats.join(' | '),
    );
  });

  test('a user the snapshot lacks: an SCP Deny is the cause', () => {
    const report = explainTexts(
      text(put('in/a.csv')),
      explainContext({
        snapshot: snapshotWithUser('someone-else', { Version: '2012-10-17', Statement: [] }),
        scpLevels: [
          [
            {
              name: 'guardrails.json',
              document: {
                Version: '2012-10-17',
                Statement: [{ Sid: 'DenyPuts', Effect: 'Deny', Action: 's3:PutObject', Resource: '*' }],
              },
            },
          ],
        ],
      }),
    );
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'scp-explicit-deny');
    assert.deepEqual(
      finding?.deniedBy.map((d) => d.sid),
      ['DenyPuts'],
    );
    assert.equal(finding?.fix, null);
  });

  test('a Deny that does not match the request decides nothing: still not evaluable', () => {
    const report = explainTexts(
      text(get('in/a.csv')),
      explainContext({ bucketPolicies: new Map([['data', NO_WRITES]]) }),
    );
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'not-evaluable');
    assert.equal(finding?.requests[0]?.decision, 'Unknown');
    assert.deepEqual(finding?.deniedBy, []);
  });

  test('a group with requests the Deny refuses and others: the Deny is named, and the message fix leaves its requests out', () => {
    const implicit = (action: string, key: string) => ({
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: ${action} on resource: "arn:aws:s3:::data/${key}" because no identity-based policy allows the ${action} action`,
    });
    const report = explainTexts(
      text(
        put('in/a.csv', {
          errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in a resource-based policy`,
        }),
        get('in/b.csv', implicit('s3:GetObject', 'in/b.csv')),
      ),
      explainContext({ bucketPolicies: new Map([['data', NO_WRITES]]) }),
    );
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'resource-policy-explicit-deny');
    assert.equal(finding?.evidence, 'message');
    assert.deepEqual(
      finding?.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:PutObject', 'ExplicitlyDenied'],
        ['s3:GetObject', 'Unknown'],
      ],
    );
    assert.deepEqual(
      finding?.deniedBy.map((d) => d.sid),
      ['NoWrites'],
    );
    assert.ok(
      finding?.caveats.some((c) => c.includes('refuses 1 of the 2 requests whatever they allow')),
      finding?.caveats.join(' | '),
    );
    const granted = finding?.fix?.statements.flatMap((s) => s.Action) ?? [];
    assert.ok(!granted.includes('s3:PutObject'), granted.join());
  });

  test("a message that names another policy, or S3's KMS call, says no Deny refused it: the message decides", () => {
    const identity = explainTexts(
      text(
        put('in/a.csv', {
          errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the s3:PutObject action`,
        }),
      ),
      explainContext({ bucketPolicies: new Map([['data', NO_WRITES]]) }),
    ).findings[0];
    assert.equal(identity?.cause, 'identity-missing-allow');
    assert.equal(identity?.evidence, 'message');
    assert.equal(identity?.requests[0]?.decision, 'Unknown');
    assert.deepEqual(identity?.fix?.statements[0]?.Action, ['s3:PutObject']);
    const kms = explainTexts(
      text(
        put('in/a.csv', {
          errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: kms:GenerateDataKey on resource: "arn:aws:kms:eu-west-1:${ACCOUNT}:key/k1" because no resource-based policy allows the kms:GenerateDataKey action`,
        }),
      ),
      explainContext({ bucketPolicies: new Map([['data', NO_WRITES]]) }),
    ).findings[0];
    assert.equal(kms?.cause, 'kms-key');
    assert.deepEqual(kms?.deniedBy, []);
  });

  test("a copy's source read is checked against the source bucket's Deny when only that policy is given", () => {
    const copy = deniedObjectRecord('CopyObject', 's3:PutObject', 'dst', 'out/a.csv', {
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'dst',
        key: 'out/a.csv',
        'x-amz-copy-source': 'src/in/a.csv',
        Host: 'dst.s3.eu-west-1.amazonaws.com',
      },
    });
    const noReads = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'NoReads',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::src/*',
        },
      ],
    };
    const finding = explainTexts(text(copy), explainContext({ bucketPolicies: new Map([['src', noReads]]) }))
      .findings[0];
    assert.equal(finding?.cause, 'resource-policy-explicit-deny');
    assert.deepEqual(
      finding?.deniedBy.map((d) => d.sid),
      ['NoReads'],
    );
    assert.deepEqual(
      finding?.requests.map((r) => [r.action, r.decision]),
      [
        ['s3:PutObject', 'Unknown'],
        ['s3:GetObject', 'ExplicitlyDenied'],
      ],
    );
  });

  test('a Deny on a key CloudTrail does not log is named, though the cause cannot be determined', () => {
    const finding = explainTexts(
      text(put('in/a.csv')),
      explainContext({ bucketPolicies: new Map([['data', ORG_ONLY]]) }),
    ).findings[0];
    assert.equal(finding?.cause, 'not-evaluable');
    assert.ok(
      finding?.caveats.some(
        (c) =>
          c.startsWith(
            'Statement "OrgOnly" of data bucket policy refuses s3:PutObject when aws:PrincipalOrgID',
          ) && c.endsWith('if the request met the condition, that statement refused it.'),
      ),
      finding?.caveats.join(' | '),
    );
  });

  test('a message naming a missing Allow rules out the Deny on a key CloudTrail does not log', () => {
    const finding = explainTexts(
      text(
        put('in/a.csv', {
          errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the s3:PutObject action`,
        }),
      ),
      explainContext({ bucketPolicies: new Map([['data', ORG_ONLY]]) }),
    ).findings[0];
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.ok(!finding?.caveats.some((c) => c.includes('"OrgOnly"')), finding?.caveats.join(' | '));
    // Beside a request whose message names an explicit Deny of the bucket policy, still not on this one.
    const mixed = explainTexts(
      text(
        put('in/a.csv', {
          errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the s3:PutObject action`,
        }),
        deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'data', 'in/b.csv', {
          errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::data/in/b.csv" with an explicit deny in a resource-based policy`,
        }),
      ),
      explainContext({
        bucketPolicies: new Map([
          [
            'data',
            {
              ...ORG_ONLY,
              Statement: [{ ...ORG_ONLY.Statement[0], Action: 's3:PutObject' }],
            },
          ],
        ]),
      }),
    ).findings[0];
    assert.ok(!mixed?.caveats.some((c) => c.includes('"OrgOnly"')), mixed?.caveats.join(' | '));
  });

  test('an SCP and the bucket policy both deny, the message names the bucket policy: its Deny is named first', () => {
    const finding = explainTexts(
      text(
        put('in/a.csv', {
          errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in a resource-based policy`,
        }),
      ),
      explainContext({
        bucketPolicies: new Map([['data', NO_WRITES]]),
        scpLevels: [
          [
            {
              name: 'guardrails.json',
              document: {
                Version: '2012-10-17',
                Statement: [{ Sid: 'DenyPuts', Effect: 'Deny', Action: 's3:PutObject', Resource: '*' }],
              },
            },
          ],
        ],
      }),
    ).findings[0];
    assert.equal(finding?.cause, 'resource-policy-explicit-deny');
    assert.deepEqual(
      finding?.deniedBy.map((d) => d.sid),
      ['NoWrites'],
    );
  });
});
