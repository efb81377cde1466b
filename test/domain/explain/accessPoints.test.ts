/**
 * explain on requests made through an S3 access point: the checks, fix and profile on the access
 * point's ARNs, with the context keys policies that require access points test.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { profileThroughAccessPoint } from '../../../src/domain/tools/accessPointProfile.js';
import { ACCOUNT, backupUserContext, deniedRecord } from './explainFixtures.js';

const AP = `arn:aws:s3:eu-west-1:${ACCOUNT}:accesspoint/etl-ingest`;
const HOST = `etl-ingest-${ACCOUNT}.s3-accesspoint.eu-west-1.amazonaws.com`;
const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];

/** The fixtures' denied PutObject of `data/<key>`, made through the access point. */
function throughAccessPoint(key: string, errorMessage: string): Record<string, unknown> {
  return deniedRecord({
    errorMessage,
    requestParameters: { bucketName: 'data', key, Host: HOST },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` },
      { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      { accountId: ACCOUNT, type: 'AWS::S3::AccessPoint', ARN: AP },
    ],
  });
}

/** A policy written for the bucket: through the access point it grants nothing. */
const bucketPolicyForBucket = [
  {
    Effect: 'Allow',
    Action: ['s3:PutObject', 's3:ListBucket'],
    Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
  },
];

describe('explain through an access point', () => {
  test("a message naming s3:ListBucket on * or on no resource: never a grant on *, the operation's requests instead, said", () => {
    for (const on of [' on resource: "*"', '']) {
      const message = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:ListBucket${on} because no identity-based policy allows the s3:ListBucket action`;
      const [finding] = explainTexts(
        text(throughAccessPoint('in/2026/a.csv', message)),
        backupUserContext(bucketPolicyForBucket),
      ).findings;
      assert.deepEqual(
        finding?.requests.map((r) => [r.action, r.resource]),
        [['s3:PutObject', `${AP}/object/in/2026/a.csv`]],
        on,
      );
      assert.ok(!(finding?.fix?.statements ?? []).some((st) => st.Resource.includes('*')), on);
      assert.ok(
        finding?.caveats.some((c) => c.startsWith("AWS's message names s3:ListBucket on ")),
        finding?.caveats.join('\n'),
      );
    }
  });

  test('a legacy "Access Denied" is evaluated on the access point ARNs, not reported as allowed', () => {
    const report = explainTexts(
      text(
        throughAccessPoint('in/2026/a.csv', 'Access Denied'),
        throughAccessPoint('in/2026/b.csv', 'Access Denied'),
      ),
      backupUserContext(bucketPolicyForBucket),
    );
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.deepEqual(
      finding?.requests.map((r) => r.resource),
      [`${AP}/object/in/2026/a.csv`, `${AP}/object/in/2026/b.csv`],
    );
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Resource),
      [[`${AP}/object/in/2026/*`]],
    );
    assert.equal(finding?.fix?.verified, true);
    assert.ok(finding?.caveats.some((c) => c.startsWith('The request went through access point etl-ingest')));
  });

  test('an enhanced message naming the access point object keeps the bucket and key behind it', () => {
    const message = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "${AP}/object/in/x.csv" because no identity-based policy allows the s3:PutObject action`;
    const [finding] = explainTexts(
      text(throughAccessPoint('in/x.csv', message)),
      backupUserContext(bucketPolicyForBucket),
    ).findings;
    assert.equal(finding?.bucket, 'data');
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Resource),
      [[`${AP}/object/in/*`]],
    );
    assert.equal(finding?.fix?.verified, true);
    // The aws-cli upload profile, on the access point's objects.
    assert.deepEqual(
      finding?.jobProfile?.statements.flatMap((s) => s.Resource),
      [`${AP}/object/in/*`],
    );
  });

  test('a policy that requires access points (Null s3:DataAccessPointArn) denies the direct request only', () => {
    const requireAccessPoints = [
      { Effect: 'Allow', Action: 's3:PutObject', Resource: [`${AP}/object/*`, 'arn:aws:s3:::data/*'] },
      {
        Effect: 'Deny',
        Action: 's3:*',
        Resource: '*',
        Condition: { Null: { 's3:DataAccessPointArn': 'true' } },
      },
    ];
    const through = explainTexts(
      text(throughAccessPoint('in/a.csv', 'Access Denied')),
      backupUserContext(requireAccessPoints),
    ).findings[0];
    assert.equal(through?.cause, 'allowed-by-visible-policies');
    const direct = explainTexts(text(deniedRecord()), backupUserContext(requireAccessPoints)).findings[0];
    assert.equal(direct?.cause, 'identity-explicit-deny');
  });

  test("an access point only the message names sets its keys: a bucket policy's access-points-only Deny does not apply", () => {
    // An alias Host, and no access point in resources[]: only the message says which one it was.
    const message = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "${AP}/object/in/x.csv" because no identity-based policy allows the s3:PutObject action`;
    const record = deniedRecord({
      errorMessage: message,
      requestParameters: {
        bucketName: 'data',
        key: 'in/x.csv',
        Host: 'etl-ingest-hrzrlukc5m36ft7okagglf3gmwluquse1b-s3alias.s3.eu-west-1.amazonaws.com',
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/in/x.csv' },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      ],
    });
    const context = {
      ...backupUserContext([]),
      bucketPolicies: new Map([
        [
          'data',
          {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'OnlyThroughAccessPoints',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
                Condition: { StringNotEquals: { 's3:DataAccessPointAccount': ACCOUNT } },
              },
            ],
          },
        ],
      ]),
    };
    const [finding] = explainTexts(text(record), context).findings;
    assert.equal(finding?.cause, 'identity-missing-allow', finding?.summary);
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Resource),
      [[`${AP}/object/in/*`]],
    );
  });

  test("the visible policies allowing it, the access point's policy and network origin are among what can still deny it", () => {
    const [finding] = explainTexts(
      text(throughAccessPoint('in/a.csv', 'Access Denied')),
      backupUserContext([{ Effect: 'Allow', Action: 's3:PutObject', Resource: `${AP}/object/*` }]),
    ).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    const still = finding?.caveats.find((c) => c.includes('What can still deny it:'));
    assert.match(
      still ?? '',
      /\(1\) the policy of access point etl-ingest, which the request went through \(not an input: `aws s3control get-access-point-policy --account-id 111122223333 --name etl-ingest`\); \(2\) the network origin of access point etl-ingest: one restricted to a VPC/,
    );
  });

  test("a message naming a resource-based policy, the bucket policy given not refusing: the access point's policy is named", () => {
    const message = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "${AP}/object/in/a.csv" with an explicit deny in a resource-based policy`;
    const [finding] = explainTexts(text(throughAccessPoint('in/a.csv', message)), {
      ...backupUserContext([{ Effect: 'Allow', Action: 's3:PutObject', Resource: `${AP}/object/*` }]),
      bucketPolicies: new Map([['data', { Version: '2012-10-17', Statement: [] }]]),
    }).findings;
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          "The visible policies allow the request, but AWS's message names the resource-based policy (the access point's policy or the bucket policy): the bucket policy given does not refuse it, so the access point's policy, which is not in the input, is what to read first",
        ),
      ),
      finding?.caveats.join(' | '),
    );
  });

  test("an access-points-only Deny refusing a direct request says to send it through one of the account's access points", () => {
    const [finding] = explainTexts(text(deniedRecord()), {
      ...backupUserContext(bucketPolicyForBucket),
      bucketPolicies: new Map([
        [
          'data',
          {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'OnlyThroughAccessPoints',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
                Condition: { StringNotEquals: { 's3:DataAccessPointAccount': ACCOUNT } },
              },
            ],
          },
        ],
      ]),
    }).findings;
    assert.equal(finding?.cause, 'resource-policy-explicit-deny');
    assert.ok(
      finding?.caveats.some((c) =>
        c.includes(
          'To get past it while it stays in place: send the request through an access point of an account the statement exempts: S3 sets this key only for a request made through an access point',
        ),
      ),
      finding?.caveats.join(' | '),
    );
  });

  /** A bucket policy's statement that delegates access control to the account's access points. */
  const DELEGATE_TO_ACCESS_POINTS = {
    Sid: 'Delegate',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: '*',
    Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
    Condition: { StringEquals: { 's3:DataAccessPointAccount': ACCOUNT } },
  };
  /** An upload of in/a.csv through the access point that AWS's message says a bucket-policy Deny refused. */
  const uploadDeniedByBucketPolicy = () =>
    throughAccessPoint(
      'in/a.csv',
      `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "${AP}/object/in/a.csv" with an explicit deny in a resource-based policy`,
    );

  test("the bucket policy's Deny is matched against the bucket's ARNs: a matching one is the cause, one elsewhere is not", () => {
    const bucketPolicy = (resource: string) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OfficeOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: resource,
          Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } },
        },
        DELEGATE_TO_ACCESS_POINTS,
      ],
    });
    const run = (resource: string) =>
      explainTexts(text(uploadDeniedByBucketPolicy()), {
        ...backupUserContext([{ Effect: 'Allow', Action: 's3:PutObject', Resource: `${AP}/object/*` }]),
        bucketPolicies: new Map([['data', bucketPolicy(resource)]]),
      }).findings[0];
    const refused = run('arn:aws:s3:::data/in/*');
    assert.equal(refused?.cause, 'resource-policy-explicit-deny');
    assert.deepEqual(
      refused?.deniedBy.map((d) => [d.policyType, d.sid]),
      [['resource', 'OfficeOnly']],
    );
    assert.equal(refused?.requests[0]?.decision, 'ExplicitlyDenied');
    assert.ok(
      !refused?.caveats.some((c) => c.includes('the snapshot may be out of date')),
      refused?.caveats.join(' | '),
    );
    // A Deny on other keys of the bucket does not match this one.
    assert.equal(run('arn:aws:s3:::data/out/*')?.cause, 'allowed-by-visible-policies');
  });

  test("the job profile leaves out what the bucket policy's unconditional Deny refuses on the bucket's ARNs", () => {
    const bucketPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'NoWritesIn',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::data/in/*',
        },
        DELEGATE_TO_ACCESS_POINTS,
      ],
    };
    const record = {
      ...uploadDeniedByBucketPolicy(),
      userAgent: '[aws-cli/2.15.0 md/command#s3.cp]',
    };
    const finding = explainTexts(text(record), {
      ...backupUserContext([{ Effect: 'Allow', Action: 's3:PutObject', Resource: `${AP}/object/*` }]),
      bucketPolicies: new Map([['data', bucketPolicy]]),
    }).findings[0];
    assert.equal(finding?.cause, 'resource-policy-explicit-deny');
    const actions = finding?.jobProfile?.statements.flatMap((s) => s.Action) ?? [];
    assert.ok(actions.length > 0 && !actions.includes('s3:PutObject'), JSON.stringify(finding?.jobProfile));
    assert.match(
      finding?.jobProfile?.notes[0] ?? '',
      /^s3:PutObject is left out of this profile: Statement "NoWritesIn"/,
    );
  });
});

describe('explain through a Multi-Region Access Point', () => {
  const MRAP = `arn:aws:s3::${ACCOUNT}:accesspoint/mfzwi23gnjvgw.mrap`;
  /** A denied `aws s3 cp` download of `data/<key>` through the MRAP, as CloudTrail logs it (no access point entry). */
  const download = (key: string, errorMessage: string) =>
    deniedRecord({
      eventName: 'GetObject',
      readOnly: true,
      errorMessage,
      requestParameters: {
        bucketName: 'data',
        key,
        Host: 'mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com',
      },
      additionalEventData: { SignatureVersion: 'SigV4a' },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data/${key}` },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      ],
    });
  const readsTheBucket = [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
    },
  ];

  test("the message's MRAP ARN: the fix and the job profile grant the MRAP's objects in the key's directory, with its caveat", () => {
    const message = `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "${MRAP}/object/ledger/2026/11/ledger.csv" because no identity-based policy allows the s3:GetObject action`;
    const [finding] = explainTexts(
      text(download('ledger/2026/11/ledger.csv', message)),
      backupUserContext(readsTheBucket),
    ).findings;
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.equal(finding?.bucket, 'data');
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Resource),
      [[`${MRAP}/object/ledger/2026/11/*`]],
    );
    assert.equal(finding?.fix?.verified, true);
    // Not the bucket's ARNs, which the caller already holds.
    assert.deepEqual(
      finding?.jobProfile?.statements.flatMap((s) => s.Resource),
      [`${MRAP}/object/ledger/2026/11/*`],
    );
    assert.match(
      finding?.jobProfile?.notes[0] ?? '',
      /^The job went through Multi-Region Access Point mfzwi23gnjvgw\.mrap: /,
    );
    const caveat = finding?.caveats.find((c) =>
      c.startsWith(`The request went through Multi-Region Access Point mfzwi23gnjvgw.mrap (${MRAP})`),
    );
    assert.ok(caveat, finding?.caveats.join(' | '));
    assert.ok(!caveat.includes('taken to be the bucket owner'), caveat);
  });

  test("the legacy message: the MRAP's ARNs in the bucket owner's account, said", () => {
    const [finding] = explainTexts(
      text(download('ledger/2026/11/ledger.csv', 'Access Denied')),
      backupUserContext([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' }]),
    ).findings;
    assert.deepEqual(
      finding?.requests.map((r) => [r.action, r.resource]),
      [['s3:GetObject', `${MRAP}/object/ledger/2026/11/ledger.csv`]],
    );
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Resource),
      [[`${MRAP}/object/ledger/2026/11/*`]],
    );
    assert.ok(
      finding?.caveats.some((c) => c.includes(`it was taken to be the bucket owner's, ${ACCOUNT}`)),
      finding?.caveats.join(' | '),
    );
  });
});

describe('explain through a Multi-Region Access Point in another account', () => {
  test('a missing grant on the resource side: no fix, and the caveat names the Multi-Region Access Point', () => {
    const owner = '444455556666';
    const mrap = `arn:aws:s3::${owner}:accesspoint/mfzwi23gnjvgw.mrap`;
    const record = deniedRecord({
      errorMessage: 'Access Denied',
      requestParameters: {
        bucketName: 'data',
        key: 'in/a.csv',
        Host: 'mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com',
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/in/a.csv' },
        { accountId: owner, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      ],
      recipientAccountId: owner,
    });
    const context = {
      ...backupUserContext([{ Effect: 'Allow', Action: 's3:PutObject', Resource: `${mrap}/object/*` }]),
      bucketPolicies: new Map([['data', { Version: '2012-10-17', Statement: [] }]]),
    };
    const [finding] = explainTexts(text(record), context).findings;
    assert.equal(finding?.cause, 'resource-policy-missing-allow');
    assert.equal(finding?.fix, null);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(`The request went through Multi-Region Access Point ${mrap}: `),
      ),
      finding?.caveats.join(' | '),
    );
  });
});

describe('explain through an access point alias in place of the bucket', () => {
  // Bucket names must not end in -s3alias or --ol-s3: those are access point aliases, never buckets.
  for (const alias of [
    'etl-ingest-hrzrlukc5m36ft7okagglf3gmwluquse1b-s3alias',
    'redact-olap-a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6--ol-s3',
  ])
    for (const resources of [
      [],
      [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${alias}` }],
    ])
      test(`${alias.slice(-7)} with ${resources.length} resources: no fix on arn:aws:s3:::<alias>, and a caveat names the way to the access point's ARN`, () => {
        const record = deniedRecord({
          errorMessage: 'Access Denied',
          requestParameters: {
            bucketName: alias,
            key: 'in/x.csv',
            Host: `${alias}.s3.eu-west-1.amazonaws.com`,
          },
          resources,
        });
        // The caller's policy grants the alias as a bucket: that grant would never let a request through.
        const [finding] = explainTexts(
          text(record),
          backupUserContext([
            { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${alias}/*` },
          ]),
        ).findings;
        assert.equal(finding?.fix, null);
        assert.equal(finding?.cause, 'not-evaluable');
        assert.equal(finding?.jobProfile, null);
        const caveat = finding?.caveats.find((c) =>
          c.includes(`access point alias ${alias}, which the record names in place of the bucket`),
        );
        assert.ok(caveat, finding?.caveats.join(' | '));
        assert.match(caveat, /aws s3control list-access-points/);
      });
});

describe('explain through an access point attached to an FSx volume', () => {
  test('no bucket policy is asked for: the access point policy and the file system user identity decide', () => {
    const alias = 'etl-ingest-abcdefghijklmnopqrstuvwxyz0123-ext-s3alias';
    const record = deniedRecord({
      eventName: 'GetObject',
      errorMessage: 'Access Denied',
      requestParameters: { bucketName: alias, key: 'projects/plan.docx', Host: HOST },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::AccessPoint', ARN: AP }],
    });
    const [finding] = explainTexts(
      text(record),
      backupUserContext([{ Effect: 'Allow', Action: 's3:GetObject', Resource: `${AP}/object/*` }]),
    ).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.match(
      finding?.summary ?? '',
      /through access point alias \S+-ext-s3alias \(of an FSx volume, no bucket\)/,
    );
    assert.ok(
      finding?.caveats.some((c) =>
        c.includes('reserves for access points attached to an FSx file system volume'),
      ),
      finding?.caveats.join(' | '),
    );
    const still = finding?.caveats.find((c) => c.includes('What can still deny it:')) ?? '';
    assert.match(still, /the file system user identity access point etl-ingest is configured with/);
    assert.doesNotMatch(still, /--bucket-policy|Object Ownership/);
    assert.ok(
      !finding?.caveats.some((c) => c.includes('delegates access control')),
      finding?.caveats.join(' | '),
    );
  });
});

describe('explain through an access point in another account', () => {
  const owner = '444455556666';
  const otherAp = `arn:aws:s3:eu-west-1:${owner}:accesspoint/shared-in`;
  const record = deniedRecord({
    errorMessage: 'Access Denied',
    requestParameters: {
      bucketName: 'data',
      key: 'in/a.csv',
      Host: `shared-in-${owner}.s3-accesspoint.eu-west-1.amazonaws.com`,
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/in/a.csv' },
      { accountId: owner, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
      { accountId: owner, type: 'AWS::S3::AccessPoint', ARN: otherAp },
    ],
    recipientAccountId: owner,
  });
  const withBucketPolicy = (statements: readonly Record<string, unknown>[]) => ({
    ...backupUserContext([{ Effect: 'Allow', Action: 's3:PutObject', Resource: `${otherAp}/object/*` }]),
    bucketPolicies: new Map([['data', { Version: '2012-10-17', Statement: statements }]]),
  });
  const delegateTo = (accounts: readonly string[]) => ({
    Sid: 'Delegate',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: '*',
    Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
    Condition: { StringEquals: { 's3:DataAccessPointAccount': accounts } },
  });

  test('a bucket policy that allows nothing on the bucket gets no fix, and a caveat says what it must hold', () => {
    const [finding] = explainTexts(text(record), withBucketPolicy([])).findings;
    assert.equal(finding?.cause, 'resource-policy-missing-allow');
    assert.equal(finding?.fix, null);
    const caveat = finding?.caveats.find((c) =>
      c.startsWith(
        `The request went through access point ${otherAp}, of account ${owner}: S3 also evaluates`,
      ),
    );
    assert.ok(caveat, finding?.caveats.join(' | '));
    assert.match(caveat, /the bucket policy given does not allow it there/);
    assert.match(caveat, /StringEquals s3:DataAccessPointAccount "444455556666"/);
    // The bucket policy was given: it is not said to be missing.
    assert.ok(!finding?.caveats.some((c) => c.includes('Neither policy is in the input')));
  });

  // The documented ways a bucket policy allows requests through an access point, on the bucket's own ARNs.
  for (const [name, statement] of [
    ['a delegation to the access point account', delegateTo([ACCOUNT, owner])],
    [
      'a grant of the same access',
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/backup` },
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::data/in/*',
      },
    ],
  ] as const)
    test(`a bucket policy with ${name} on the bucket's ARNs allows the request`, () => {
      const [finding] = explainTexts(text(record), withBucketPolicy([statement])).findings;
      assert.equal(finding?.cause, 'allowed-by-visible-policies', finding?.summary);
      assert.deepEqual(
        finding?.requests.map((r) => r.decision),
        ['Allowed'],
      );
    });

  test("a delegation to another account's access points says which account it names and which the request had", () => {
    const [finding] = explainTexts(text(record), withBucketPolicy([delegateTo([ACCOUNT])])).findings;
    assert.equal(finding?.cause, 'resource-policy-missing-allow');
    assert.ok(
      finding?.caveats.some((c) =>
        c.includes(
          `(statement Delegate) allows this only under its Condition, which the request did not meet: StringEquals s3:DataAccessPointAccount "${ACCOUNT}" (the request had "${owner}")`,
        ),
      ),
      finding?.caveats.join(' | '),
    );
  });
});

describe('profileThroughAccessPoint', () => {
  const bucketArn = 'arn:aws:s3:::data';
  const profile = {
    tool: 'rclone' as const,
    operation: 'copy' as const,
    statements: [
      {
        Sid: 'Bucket',
        Effect: 'Allow' as const,
        Action: ['s3:CreateBucket', 's3:ListBucket'],
        Resource: [bucketArn],
      },
      { Sid: 'Create', Effect: 'Allow' as const, Action: ['s3:CreateBucket'], Resource: [bucketArn] },
      { Sid: 'Objects', Effect: 'Allow' as const, Action: ['s3:PutObject'], Resource: [`${bucketArn}/in/*`] },
      {
        Sid: 'Other',
        Effect: 'Allow' as const,
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::data2/x/*'],
      },
      { Sid: 'All', Effect: 'Allow' as const, Action: ['s3:ListAllMyBuckets'], Resource: ['*'] },
    ],
    notes: [
      `If each run uses a new directory, scope it to "${bucketArn}/<dir>/*"; data2 is ${'arn:aws:s3:::data2'}.`,
    ],
  };

  test("grants the access point's ARNs, leaves out the bucket actions it does not take, and keeps the rest", () => {
    const moved = profileThroughAccessPoint(profile, bucketArn, { arn: AP, name: 'etl-ingest' });
    assert.deepEqual(
      moved.statements.map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ['Bucket', ['s3:ListBucket'], [AP]],
        ['Objects', ['s3:PutObject'], [`${AP}/object/in/*`]],
        ['Other', ['s3:GetObject'], ['arn:aws:s3:::data2/x/*']],
        ['All', ['s3:ListAllMyBuckets'], ['*']],
      ],
    );
    assert.match(
      moved.notes[0] ?? '',
      /^The job went through access point etl-ingest: .*leaves out s3:CreateBucket/,
    );
    assert.equal(
      moved.notes[1],
      `If each run uses a new directory, scope it to "${AP}/object/<dir>/*"; data2 is arn:aws:s3:::data2.`,
    );
  });
});

describe('a request that manages an access point', () => {
  test('names the access point without going through it: no caveat of one, no keys of one', () => {
    const record = deniedRecord({
      eventName: 'PutAccessPointPolicy',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutAccessPointPolicy on resource: "${AP}" because no identity-based policy allows the s3:PutAccessPointPolicy action`,
      requestParameters: { name: 'etl-ingest', Host: `${ACCOUNT}.s3-control.eu-west-1.amazonaws.com` },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::AccessPoint', ARN: AP }],
      managementEvent: true,
      eventCategory: 'Management',
    });
    const [finding] = explainTexts(text(record), backupUserContext([])).findings;
    assert.deepEqual(
      finding?.requests.map((r) => [r.action, r.resource]),
      [['s3:PutAccessPointPolicy', AP]],
    );
    assert.ok(
      !finding?.caveats.some((c) => c.includes('went through access point')),
      finding?.caveats.join(' | '),
    );
    assert.deepEqual(
      finding?.fix?.statements.map((s) => s.Resource),
      [[AP]],
    );
  });
});
