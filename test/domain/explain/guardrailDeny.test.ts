/**
 * explain on a sync whose deletes a deliberate Deny refuses: the first alternative is the job that keeps
 * what the source removed (`rclone copy`, `aws s3 sync` without `--delete`), and the caveats say what
 * the Deny tests. Refused deletes without a Deny, or outside a sync, get no such alternative.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import {
  ACCOUNT,
  backupUserContext,
  deniedObjectRecord,
  deniedRecord,
  explainContext,
} from './explainFixtures.js';

const text = (...records: unknown[]) => [{ input: 'test.json', text: JSON.stringify({ Records: records }) }];
const AWS_CLI_SYNC = 'aws-cli/2.18.0 md/command#s3.sync ua/2.0 os/linux#6.1';
const AWS_CLI_RM = 'aws-cli/2.18.0 md/command#s3.rm ua/2.0 os/linux#6.1';

function refusedDelete(key: string, userAgent: string, explicit: boolean): Record<string, unknown> {
  const resource = `arn:aws:s3:::data/${key}`;
  return deniedObjectRecord('DeleteObject', 's3:DeleteObject', 'data', key, {
    userAgent,
    errorMessage: explicit
      ? `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObject on resource: "${resource}" with an explicit deny in an identity-based policy`
      : `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:DeleteObject on resource: "${resource}" because no identity-based policy allows the s3:DeleteObject action`,
  });
}

const ALLOW = { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetObject', 's3:PutObject'], Resource: '*' };
const KEEP = {
  Sid: 'KeepBackups',
  Effect: 'Deny',
  Action: 's3:DeleteObject',
  Resource: 'arn:aws:s3:::data/*',
};

describe('a sync refused its deletes by a Deny', () => {
  test('aws s3 sync --delete: the first alternative drops --delete, and the caveat names the guardrail', () => {
    const report = explainTexts(
      text(
        refusedDelete('in/old.csv', AWS_CLI_SYNC, true),
        refusedDelete('in/older.csv', AWS_CLI_SYNC, true),
      ),
      backupUserContext([ALLOW, KEEP]),
    );
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'identity-explicit-deny');
    assert.equal(finding?.jobProfile?.operation, 'sync');
    assert.deepEqual(finding?.alternatives[0]?.removes, ['s3:DeleteObject']);
    assert.match(finding?.alternatives[0]?.text ?? '', /^Drop `--delete` from `aws s3 sync`/);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'Statement "KeepBackups" of inline refused s3:DeleteObject (its Resource: arn:aws:s3:::data/*): it has no condition and no exception, so it applies to every principal the policy is attached to, here user backup itself: a guardrail.',
        ),
      ),
      finding?.caveats.join(' | '),
    );
  });

  test('the job profile leaves out what a Deny with no condition and no exception refuses, and says so', () => {
    const report = explainTexts(
      text(refusedDelete('in/old.csv', AWS_CLI_SYNC, true)),
      backupUserContext([ALLOW, KEEP]),
    );
    const profile = report.findings[0]?.jobProfile;
    const actions = profile?.statements.flatMap((s) => s.Action) ?? [];
    assert.ok(actions.includes('s3:PutObject'), actions.join());
    assert.ok(!actions.includes('s3:DeleteObject'), actions.join());
    assert.equal(
      profile?.notes[0],
      's3:DeleteObject is left out of this profile: Statement "KeepBackups" of inline refuses it with no condition and no exception, and no Allow overrides an explicit Deny. The profile holds what the job can do while that Deny stays; the job must stop making those calls (see the alternatives and the caveats).',
    );
    assert.ok(!profile?.notes.some((n) => n.startsWith('An explicit Deny refused')));
  });

  test('a Deny that exempts other principals only takes the action out too, and says how to get past it', () => {
    const exempting = {
      ...KEEP,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/admin` } },
    };
    const report = explainTexts(
      text(refusedDelete('in/old.csv', AWS_CLI_SYNC, true)),
      backupUserContext([ALLOW, exempting]),
    );
    const profile = report.findings[0]?.jobProfile;
    assert.ok(!profile?.statements.some((s) => s.Action.includes('s3:DeleteObject')));
    assert.equal(
      profile?.notes[0],
      's3:DeleteObject is left out of this profile: Statement "KeepBackups" of inline refuses it to this caller whatever its requests carry (its exceptions are for other principals), and no Allow overrides an explicit Deny. The profile holds what the job can do while that Deny stays; the job must stop making those calls, or run as a principal the Deny exempts (see the alternatives and the caveats).',
    );
  });

  test('a Deny the job never met (it stopped before) takes its action out of the profile too, if it covers the resource', () => {
    const noUploads = {
      Sid: 'NoUploads',
      Effect: 'Deny',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::data/*',
    };
    const report = explainTexts(
      text(refusedDelete('in/old.csv', AWS_CLI_SYNC, false)),
      backupUserContext([ALLOW, noUploads]),
    );
    const finding = report.findings[0];
    assert.equal(finding?.cause, 'identity-missing-allow');
    const actions = finding?.jobProfile?.statements.flatMap((s) => s.Action) ?? [];
    assert.ok(actions.includes('s3:DeleteObject') && !actions.includes('s3:PutObject'), actions.join());
    assert.match(
      finding?.jobProfile?.notes[0] ?? '',
      /^s3:PutObject is left out of this profile: Statement "NoUploads" of inline/,
    );
    // One on part of the profile's resources leaves the action in.
    const part = { ...noUploads, Resource: 'arn:aws:s3:::data/in/keep/*' };
    const kept = explainTexts(
      text(refusedDelete('in/old.csv', AWS_CLI_SYNC, false)),
      backupUserContext([ALLOW, part]),
    );
    assert.ok(kept.findings[0]?.jobProfile?.statements.some((s) => s.Action.includes('s3:PutObject')));
  });

  test('a NotResource Deny covers what its exception cannot reach, and only that', () => {
    const exceptScratch = {
      Sid: 'KeepAllButScratch',
      Effect: 'Deny',
      Action: 's3:DeleteObject',
      NotResource: 'arn:aws:s3:::data/scratch/*',
    };
    const report = explainTexts(
      text(refusedDelete('in/old.csv', AWS_CLI_SYNC, true)),
      backupUserContext([ALLOW, exceptScratch]),
    );
    assert.ok(!report.findings[0]?.jobProfile?.statements.some((s) => s.Action.includes('s3:DeleteObject')));
    // Its exception inside the profile's directory: the action may be granted there, so it stays.
    const exceptIn = { ...exceptScratch, NotResource: 'arn:aws:s3:::data/in/tmp/*' };
    const kept = explainTexts(
      text(refusedDelete('in/old.csv', AWS_CLI_SYNC, true)),
      backupUserContext([ALLOW, exceptIn]),
    );
    assert.ok(kept.findings[0]?.jobProfile?.statements.some((s) => s.Action.includes('s3:DeleteObject')));
  });

  test('a Deny that names this caller (a condition on its user name) says so, not that it has exceptions', () => {
    const naming = { ...KEEP, Condition: { StringEquals: { 'aws:username': 'backup' } } };
    const report = explainTexts(
      text(refusedDelete('in/old.csv', AWS_CLI_SYNC, true)),
      backupUserContext([ALLOW, naming]),
    );
    assert.equal(report.findings[0]?.cause, 'identity-explicit-deny');
    const profile = report.findings[0]?.jobProfile;
    assert.ok(!profile?.statements.some((s) => s.Action.includes('s3:DeleteObject')));
    assert.match(
      profile?.notes[0] ?? '',
      /refuses it to this caller whatever its requests carry \(it names this caller\).*or run as a principal the Deny does not name/,
    );
    assert.equal(profile?.partial, 's3:DeleteObject is left out, refused by a Deny (see its first note)');
  });

  test("a Deny with a condition on the request, or on part of the profile's resources only, leaves the action in the profile", () => {
    const onRequest = { ...KEEP, Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } };
    const partial = { ...KEEP, Resource: 'arn:aws:s3:::data/in/keep/*' };
    for (const [deny, key] of [
      [onRequest, 'in/old.csv'],
      [partial, 'in/keep/old.csv'],
    ] as const) {
      const report = explainTexts(
        text(refusedDelete(key, AWS_CLI_SYNC, true), refusedDelete('in/other.csv', AWS_CLI_SYNC, true)),
        backupUserContext([ALLOW, deny]),
      );
      const finding = report.findings[0];
      assert.equal(finding?.cause, 'identity-explicit-deny', JSON.stringify(deny));
      const profile = finding?.jobProfile;
      assert.ok(
        profile?.statements.some((s) => s.Action.includes('s3:DeleteObject')),
        `${JSON.stringify(deny)}: ${JSON.stringify(profile?.statements)}`,
      );
      assert.ok(profile?.notes.some((n) => n.startsWith('An explicit Deny refused s3:DeleteObject')));
      assert.ok(!profile?.notes.some((n) => n.includes('left out of this profile')));
    }
  });

  test('a job that needs only what the Deny refuses gets no profile, and a caveat says why', () => {
    const report = explainTexts(
      text(refusedDelete('in/old.csv', AWS_CLI_RM, true)),
      backupUserContext([ALLOW, KEEP]),
    );
    const finding = report.findings[0];
    assert.equal(finding?.jobProfile, null);
    assert.ok(
      finding?.caveats.includes(
        'No job profile: all the job was seen to need is s3:DeleteObject, which statement "KeepBackups" of inline refuses with no condition and no exception; no Allow overrides an explicit Deny, so there is nothing to grant.',
      ),
      finding?.caveats.join(' | '),
    );
  });

  test('deletes no policy allows (no Deny) get a fix, not the alternative', () => {
    const report = explainTexts(
      text(refusedDelete('in/old.csv', AWS_CLI_SYNC, false)),
      backupUserContext([ALLOW]),
    );
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.notEqual(finding?.fix, null);
    assert.ok(!finding?.alternatives.some((a) => a.removes.includes('s3:DeleteObject')));
    assert.ok(!finding?.caveats.some((c) => c.includes('KeepBackups')));
  });

  test('a delete that is not part of a sync (aws s3 rm) gets no sync alternative', () => {
    const report = explainTexts(
      text(refusedDelete('in/old.csv', AWS_CLI_RM, true)),
      backupUserContext([ALLOW, KEEP]),
    );
    const [finding] = report.findings;
    assert.equal(finding?.cause, 'identity-explicit-deny');
    assert.ok(!finding?.alternatives.some((a) => a.text.includes('--delete')));
  });
});

describe('a TLS-only bucket policy and a record without tlsDetails', () => {
  const tlsOnly = explainContext({
    ...backupUserContext([ALLOW]),
    bucketPolicies: new Map([
      [
        'data',
        {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      ],
    ]),
  });
  const put = (extra: Record<string, unknown>) =>
    deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
      errorMessage: 'Access Denied',
      ...extra,
    });

  test('names the statement as what refused a request that may have gone over plain HTTP', () => {
    const [finding] = explainTexts(text(put({})), tlsOnly).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'Statement "DenyInsecureTransport" of data bucket policy refuses requests not sent over HTTPS (aws:SecureTransport false), and this record has no tlsDetails',
        ),
      ),
      finding?.caveats.join(' | '),
    );
  });

  test('says nothing of it when the record shows TLS', () => {
    const tls = {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: 'x',
    };
    const [finding] = explainTexts(text(put({ tlsDetails: tls })), tlsOnly).findings;
    assert.ok(
      !finding?.caveats.some((c) => c.includes('DenyInsecureTransport')),
      finding?.caveats.join(' | '),
    );
  });

  // The same statement, when the caller lacks the Allow: the fix is checked as if sent over HTTPS.
  const noAllow = explainContext({
    ...backupUserContext([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }]),
    bucketPolicies: tlsOnly.bucketPolicies,
  });

  test('a fix for a request without tlsDetails names the statement it leaves in the way over plain HTTP', () => {
    const [finding] = explainTexts(text(put({})), noAllow).findings;
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.equal(finding?.fix?.verified, true);
    assert.ok(
      finding?.caveats.includes(
        'Statement "DenyInsecureTransport" of data bucket policy refuses s3:PutObject when aws:SecureTransport Bool "false": the record has no tlsDetails, which CloudTrail\'s records (since eventVersion 1.08) carry for requests over TLS, so the request was taken to have been sent over HTTPS; if it went over plain HTTP (an endpoint given as http://, or use_ssl off), that statement refuses it too, whatever the fix adds. Send it over HTTPS.',
      ),
      finding?.caveats.join(' | '),
    );
    assert.ok(
      finding?.fix?.verification.includes(
        'Evaluated as sent over HTTPS, which a record without tlsDetails does not show: over plain HTTP, statement "DenyInsecureTransport" of data bucket policy would refuse the request whatever the fix adds (see the caveats).',
      ),
      finding?.fix?.verification.join(' | '),
    );
  });

  test('counts the records without tlsDetails, and says nothing when every record shows TLS', () => {
    const tls = {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: 'x',
    };
    const other = deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/b.csv', {
      errorMessage: 'Access Denied',
      tlsDetails: tls,
    });
    const [mixed] = explainTexts(text(put({}), other), noAllow).findings;
    assert.ok(
      mixed?.caveats.some((c) =>
        c.includes(
          ": 1 of the 2 records has no tlsDetails, which CloudTrail's records (since eventVersion 1.08)",
        ),
      ),
      mixed?.caveats.join(' | '),
    );
    assert.ok(
      mixed?.fix?.verification.some((v) =>
        v.includes('would refuse the request whose record has none whatever'),
      ),
      mixed?.fix?.verification.join(' | '),
    );
    const [secure] = explainTexts(text(put({ tlsDetails: tls })), noAllow).findings;
    assert.ok(!secure?.caveats.some((c) => c.includes('DenyInsecureTransport')), secure?.caveats.join(' | '));
    assert.ok(!secure?.fix?.verification.some((v) => v.startsWith('Evaluated as sent over HTTPS')));
  });

  test('a TLS-only Deny on another action, or one that refused the request already, is not named again', () => {
    const reads = explainContext({
      ...noAllow,
      bucketPolicies: new Map([
        [
          'data',
          {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyInsecureReads',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::data/*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          },
        ],
      ]),
    });
    const [finding] = explainTexts(text(put({})), reads).findings;
    assert.ok(!finding?.caveats.some((c) => c.includes('DenyInsecureReads')), finding?.caveats.join(' | '));
    // BoolIfExists refused the request as the record shows it: named as what refused it, once.
    const ifExists = explainContext({
      ...noAllow,
      bucketPolicies: new Map([
        [
          'data',
          {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyInsecureTransport',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: 'arn:aws:s3:::data/*',
                Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } },
              },
            ],
          },
        ],
      ]),
    });
    const [denied] = explainTexts(text(put({})), ifExists).findings;
    assert.equal(denied?.cause, 'resource-policy-explicit-deny');
    assert.equal(
      denied?.caveats.filter((c) => c.includes('DenyInsecureTransport')).length,
      1,
      denied?.caveats.join(' | '),
    );
  });
});

describe("a Deny on a key CloudTrail does not log (the object's stored tags)", () => {
  const tagGuard = explainContext({
    ...backupUserContext([ALLOW]),
    bucketPolicies: new Map([
      [
        'data',
        {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyRestricted',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::data/*',
              Condition: { StringEquals: { 's3:ExistingObjectTag/classification': 'restricted' } },
            },
          ],
        },
      ],
    ]),
  });
  const get = (errorMessage: string) =>
    deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', { errorMessage });

  test("AWS's message names an explicit Deny in the bucket policy: that statement is named as the likely cause", () => {
    const [finding] = explainTexts(
      text(
        get(
          `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in a resource-based policy`,
        ),
      ),
      tagGuard,
    ).findings;
    assert.equal(finding?.cause, 'resource-policy-explicit-deny');
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          `The visible policies allow the request, and AWS's message names an explicit Deny in the resource-based policy (the bucket policy): Statement "DenyRestricted" of data bucket policy refuses s3:GetObject when s3:ExistingObjectTag/classification StringEquals "restricted" (the object's tags as stored), which CloudTrail does not log`,
        ),
      ),
      finding?.caveats.join(' | '),
    );
    assert.ok(!finding?.caveats.some((c) => c.includes('the snapshot may be out of date')));
  });

  test('with the generic message: the statement is among what can have refused it', () => {
    const [finding] = explainTexts(text(get('Access Denied')), tagGuard).findings;
    assert.equal(finding?.cause, 'allowed-by-visible-policies');
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'Statement "DenyRestricted" of data bucket policy refuses s3:GetObject when s3:ExistingObjectTag/classification StringEquals "restricted" (the object\'s tags as stored): CloudTrail does not log that key',
        ),
      ),
      finding?.caveats.join(' | '),
    );
  });
});

describe("a data-perimeter Deny on the caller's organization, which CloudTrail does not log", () => {
  const perimeter = (
    extra: readonly Record<string, unknown>[] = [],
    identity: readonly Record<string, unknown>[] = [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' },
    ],
  ) =>
    explainContext({
      ...backupUserContext(identity),
      bucketPolicies: new Map([
        [
          'data',
          {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyOutsideOrg',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
                Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' } },
              },
              ...extra,
            ],
          },
        ],
      ]),
    });
  const refusedGet = deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the s3:GetObject action`,
  });

  test('is not taken to refuse the request: the missing Allow is the cause, with its fix, and the Deny a caveat', () => {
    const [finding] = explainTexts(text(refusedGet), perimeter()).findings;
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.deepEqual(finding?.fix?.statements, [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::data/in/*'] },
    ]);
    assert.ok(
      finding?.caveats.includes(
        'Statement "DenyOutsideOrg" of data bucket policy refuses s3:GetObject when aws:PrincipalOrgID StringNotEqualsIfExists "o-abc123" (the caller\'s organization): CloudTrail does not log that key, so the statement was taken not to apply; if the request met the condition, it refuses the request too, whatever the fix adds.',
      ),
      finding?.caveats.join(' | '),
    );
  });

  test("does not take the job profile away: a Deny not known to apply leaves rclone's profile in place", () => {
    const listing = deniedRecord({
      eventName: 'ListObjects',
      userAgent: 'rclone/v1.66.0',
      errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action`,
      requestParameters: { bucketName: 'data', 'list-type': '2', prefix: 'in/', delimiter: '/', Host: 'x' },
      resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
    });
    const [finding] = explainTexts(text(listing), perimeter([], [])).findings;
    assert.equal(finding?.cause, 'identity-missing-allow');
    assert.equal(finding?.jobProfile?.tool, 'rclone');
    assert.ok(!finding?.caveats.some((c) => c.startsWith('No job profile')), finding?.caveats.join(' | '));
  });

  test('a Deny on such a key that another element keeps off the request (its Resource, its Principal) is not named', () => {
    const elsewhere = [
      {
        Sid: 'DenyHrTagged',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::data/hr/*',
        Condition: { StringEquals: { 's3:ExistingObjectTag/class': 'restricted' } },
      },
      {
        Sid: 'DenyContractor',
        Effect: 'Deny',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/contractor` },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::data/*',
        Condition: { StringEquals: { 's3:ExistingObjectTag/class': 'restricted' } },
      },
    ];
    const [finding] = explainTexts(text(refusedGet), perimeter(elsewhere)).findings;
    assert.ok(finding?.caveats.some((c) => c.includes('DenyOutsideOrg')));
    assert.ok(!finding?.caveats.some((c) => c.includes('DenyHrTagged') || c.includes('DenyContractor')));
  });
});

describe("conditions on the bucket's tags (attribute-based access control), which CloudTrail does not log", () => {
  for (const key of ['s3:BucketTag/classification', 'aws:ResourceTag/classification']) {
    test(`a Deny on ${key}, with AWS's message naming an explicit Deny in the bucket policy: the likely cause`, () => {
      const context = explainContext({
        ...backupUserContext([ALLOW]),
        bucketPolicies: new Map([
          [
            'data',
            {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'DenyRestricted',
                  Effect: 'Deny',
                  Principal: '*',
                  Action: 's3:GetObject',
                  Resource: 'arn:aws:s3:::data/*',
                  Condition: { StringEquals: { [key]: 'restricted' } },
                },
              ],
            },
          ],
        ]),
      });
      const record = deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/in/a.csv" with an explicit deny in a resource-based policy`,
      });
      const [finding] = explainTexts(text(record), context).findings;
      assert.equal(finding?.cause, 'resource-policy-explicit-deny');
      assert.ok(
        finding?.caveats.some(
          (c) =>
            c.includes(`when ${key} StringEquals "restricted"`) &&
            c.includes('which CloudTrail does not log'),
        ),
        finding?.caveats.join(' | '),
      );
    });
  }

  test('an Allow on aws:ResourceTag is unknown, not unmet, and says where to read the tags', () => {
    const [finding] = explainTexts(
      text(
        deniedObjectRecord('GetObject', 's3:GetObject', 'data', 'in/a.csv', {
          errorMessage: 'Access Denied',
        }),
      ),
      backupUserContext([
        {
          Sid: 'ReadTeamBuckets',
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/team': 'data' } },
        },
      ]),
    ).findings;
    const said = finding?.caveats.find((c) => c.includes('allows this only under its Condition'));
    assert.ok(said?.includes('unknown here, not absent: CloudTrail does not log aws:ResourceTag/team'), said);
    assert.ok(
      said?.includes("To meet the condition, compare the bucket's tags (aws s3api get-bucket-tagging"),
      said,
    );
    assert.ok(!said?.includes('the request had no'), said);
  });

  test('a condition on a key with no advice of its own does not say "meet the condition" twice', () => {
    const [finding] = explainTexts(
      text(
        deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'in/a.csv', {
          errorMessage: 'Access Denied',
        }),
      ),
      backupUserContext([
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: '*',
          Condition: { StringEquals: { 's3:x-amz-storage-class': 'GLACIER' } },
        },
      ]),
    ).findings;
    const said = finding?.caveats.find((c) => c.includes('allows this only under its Condition'));
    assert.ok(said?.includes('Meet the condition, or change the condition on purpose'), said);
    assert.ok(!said?.includes('To meet the condition, meet the condition'), said);
  });
});
