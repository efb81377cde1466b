import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FindingRequest, JobProfile, Skipped } from '../../../src/domain/explain/report.js';
import {
  actionCounts,
  decisionText,
  describeDeniedBy,
  groupRequests,
  groupSkipped,
  jobProfileLabel,
  profileScope,
  repeatCount,
  repeatsByFirst,
  requestsHeading,
  SHOWN_USER_AGENT_LENGTH,
  seenAgainText,
  shownUserAgent,
} from '../../../src/domain/render/reportWording.js';
import { rcloneFinding, repeatReport } from './reportFixtures.js';

function skipped(eventId: string, reason: Skipped['reason']): Skipped {
  return { eventId, reason, message: `${eventId} skipped` };
}

describe('groupSkipped', () => {
  test('puts the largest group first, keeps the first events of each, and ties in order of appearance', () => {
    const events = [
      skipped('d1', 'duplicate'),
      skipped('u1', 'unsupported-operation'),
      skipped('n1', 'not-denied'),
      skipped('n2', 'not-denied'),
      skipped('s1', 'not-s3'),
      skipped('n3', 'not-denied'),
    ];
    const groups = groupSkipped(events, 2);
    assert.deepEqual(
      groups.map((group) => [group.reason, group.count, group.examples.map((event) => event.eventId)]),
      [
        ['not-denied', 3, ['n1', 'n2']],
        ['duplicate', 1, ['d1']],
        ['unsupported-operation', 1, ['u1']],
        ['not-s3', 1, ['s1']],
      ],
    );
    assert.deepEqual(
      groupSkipped(events, 0).map((group) => group.examples.length),
      [0, 0, 0, 0],
    );
    assert.deepEqual(groupSkipped([], 3), []);
  });
});

describe('jobProfileLabel', () => {
  const profile = (tool: JobProfile['tool'], operation: JobProfile['operation']): JobProfile => ({
    tool,
    operation,
    statements: [],
    notes: [],
  });

  test('the tool and its operation; the tool alone when the operation is unknown', () => {
    assert.equal(jobProfileLabel(profile('rclone', 'copy')), 'rclone copy');
    assert.equal(jobProfileLabel(profile('aws-cli', 'sync')), 'aws-cli sync');
    assert.equal(jobProfileLabel(profile('restic', 'unknown')), 'restic');
    assert.equal(jobProfileLabel(profile('terraform', 'unknown')), 'terraform');
  });
});

describe('wording of repeats', () => {
  test('repeatsByFirst lists, for each repeated finding, the numbers of its repeats in order', () => {
    const [a, b] = repeatReport.findings;
    const findings = [a!, b!, { ...b!, repeatOf: 1 }, a!, { ...b!, repeatOf: 4 }];
    assert.deepEqual(
      [...repeatsByFirst(findings)],
      [
        [1, [2, 3]],
        [4, [5]],
      ],
    );
    assert.equal(repeatCount(findings), 3);
  });

  test('seenAgainText lists at most 8 numbers', () => {
    assert.equal(seenAgainText([2]), 'seen again in finding 2 (the same advice)');
    assert.equal(
      seenAgainText([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
      'seen again in findings 2, 3, 4, 5, 6, 7, 8 and 3 more (the same advice)',
    );
  });

  test('actionCounts counts each denied action, in first-seen order', () => {
    assert.equal(actionCounts(repeatReport.findings[1]!), 's3:PutObject x2, s3:CreateBucket');
  });
});

describe('groupRequests', () => {
  const request = (
    eventId: string,
    source: FindingRequest['source'],
    resource = 'arn:aws:s3:::b',
  ): FindingRequest => ({
    eventId,
    eventName: 'CreateBucket',
    action: 's3:CreateBucket',
    resource,
    decision: 'ImplicitlyDenied',
    source,
  });

  test('requests that differ only by event, or by what named them (shown in JSON only), are one row', () => {
    const groups = groupRequests([
      request('a', 'message'),
      request('b', 'operation'),
      request('c', 'message'),
      request('d', 'message', 'arn:aws:s3:::other'),
    ]);
    assert.deepEqual(
      groups.map((g) => [g.resource, g.count]),
      [
        ['arn:aws:s3:::b', 3],
        ['arn:aws:s3:::other', 1],
      ],
    );
  });

  test('requests that lack an Allow in different kinds of policy are different rows, each saying which', () => {
    const missing = (eventId: string, types: FindingRequest['missingAllowIn']): FindingRequest => ({
      ...request(eventId, 'message'),
      ...(types !== undefined ? { missingAllowIn: types } : {}),
    });
    const groups = groupRequests([
      missing('a', ['resource']),
      missing('b', ['resource', 'identity']),
      missing('c', ['resource']),
      missing('d', undefined),
    ]);
    assert.deepEqual(
      groups.map((g) => [decisionText(g), g.count]),
      [
        ['implicitly denied (no allow in the bucket policy)', 2],
        ['implicitly denied (no allow in the bucket policy or the identity-based policies)', 1],
        ['implicitly denied (no allow)', 1],
      ],
    );
  });
});

describe('decisionText', () => {
  test('names the kind of policy only for an implicit denial', () => {
    assert.equal(
      decisionText({ decision: 'ImplicitlyDenied', missingAllowIn: ['permissions-boundary'] }),
      'implicitly denied (no allow in the permissions boundary)',
    );
    assert.equal(
      decisionText({ decision: 'ImplicitlyDenied', missingAllowIn: ['scp', 'rcp'] }),
      'implicitly denied (no allow in the service control policies or the resource control policies)',
    );
    assert.equal(
      decisionText({ decision: 'ImplicitlyDenied', missingAllowIn: [] }),
      'implicitly denied (no allow)',
    );
    assert.equal(
      decisionText({ decision: 'ExplicitlyDenied', missingAllowIn: ['identity'] }),
      'explicitly denied',
    );
  });

  test('an Allow only under a Condition the record cannot show met: the verb agrees with the kind named', () => {
    assert.equal(
      decisionText({
        decision: 'ImplicitlyDenied',
        missingAllowIn: ['identity'],
        unverifiableAllowIn: ['identity'],
      }),
      'implicitly denied (the identity-based policies allow it only under a Condition the record cannot show met: unverifiable, not unmet)',
    );
    assert.equal(
      decisionText({
        decision: 'ImplicitlyDenied',
        missingAllowIn: ['resource'],
        unverifiableAllowIn: ['resource'],
      }),
      'implicitly denied (the bucket policy allows it only under a Condition the record cannot show met: unverifiable, not unmet)',
    );
  });

  test('says a bucket policy that is not in the input was counted as none', () => {
    assert.equal(
      decisionText({ decision: 'ImplicitlyDenied', missingAllowIn: ['resource', 'identity'] }, true),
      'implicitly denied (no allow in the identity-based policies; the bucket policy is not in the input: checked as if there were none)',
    );
    assert.equal(
      decisionText({ decision: 'ImplicitlyDenied', missingAllowIn: ['resource'] }, true),
      'implicitly denied (the bucket policy is not in the input: checked as if there were none)',
    );
    assert.equal(
      decisionText({ decision: 'ImplicitlyDenied', missingAllowIn: ['identity'] }, true),
      'implicitly denied (no allow in the identity-based policies)',
    );
  });
});

describe('requestsHeading', () => {
  test('counts the denied S3 requests, and the KMS calls they need apart from them', () => {
    assert.equal(requestsHeading(rcloneFinding), `Denied requests (${rcloneFinding.requests.length})`);
    const kms: FindingRequest = {
      eventId: 'e-1',
      eventName: 'PutObject',
      action: 'kms:GenerateDataKey',
      resource: 'arn:aws:kms:eu-west-1:111122223333:key/k',
      decision: 'ImplicitlyDenied',
      source: 'operation',
    };
    assert.equal(
      requestsHeading({ ...rcloneFinding, requests: [...rcloneFinding.requests, kms] }),
      `Denied requests (${rcloneFinding.requests.length}) and the KMS calls they need (1)`,
    );
  });
});

describe('shownUserAgent', () => {
  test('a usual user agent is shown whole; a very long one is cut, saying how much was left out', () => {
    assert.equal(shownUserAgent('rclone/v1.68.2'), 'rclone/v1.68.2');
    const long = 'u'.repeat(SHOWN_USER_AGENT_LENGTH + 1234);
    assert.equal(
      shownUserAgent(long),
      `${'u'.repeat(SHOWN_USER_AGENT_LENGTH)}… (1234 more characters; the JSON report has it whole)`,
    );
    assert.match(shownUserAgent('u'.repeat(SHOWN_USER_AGENT_LENGTH + 1)), /… \(1 more character;/);
    // A character outside the Basic Multilingual Plane at the cut is kept whole or left out whole.
    const astral = `${'u'.repeat(SHOWN_USER_AGENT_LENGTH - 1)}😀${'u'.repeat(10)}`;
    assert.ok(
      shownUserAgent(astral).startsWith(`${'u'.repeat(SHOWN_USER_AGENT_LENGTH - 1)}… (12 more characters`),
    );
  });
});

describe('profileScope', () => {
  const profile = {
    statements: [{ Effect: 'Allow' as const, Action: ['s3:PutObject', 's3:ListBucket'], Resource: ['*'] }],
  };
  test('says when the fix grants an action the profile leaves out, and what it is', () => {
    assert.equal(
      profileScope(profile, {
        statements: [{ Effect: 'Allow', Action: ['s3:CreateBucket'], Resource: ['arn:aws:s3:::b'] }],
      }),
      'everything the job needs, but not s3:CreateBucket, which the fix grants (see the notes)',
    );
    assert.equal(
      profileScope(profile, {
        statements: [{ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['*'] }],
      }),
      'everything the job needs, beyond the minimal fix',
    );
    assert.equal(profileScope(profile, null), 'everything the job needs');
    // The fix's KMS call is not an S3 action the profile leaves out.
    assert.equal(
      profileScope(profile, {
        statements: [
          {
            Effect: 'Allow',
            Action: ['kms:GenerateDataKey'],
            Resource: ['arn:aws:kms:eu-west-1:111122223333:key/k'],
          },
        ],
      }),
      'everything the job needs, beyond the minimal fix',
    );
  });

  test("says when the profile grants an action of the fix on other resources than the fix's", () => {
    const keys = {
      statements: [
        { Effect: 'Allow' as const, Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::b'] },
        {
          Effect: 'Allow' as const,
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: ['arn:aws:s3:::b/envs/prod/a.tfstate', 'arn:aws:s3:::b/logs/*'],
        },
      ],
    };
    const fixOn = (...Resource: string[]) => ({
      statements: [{ Effect: 'Allow' as const, Action: ['s3:GetObject', 's3:ListBucket'], Resource }],
    });
    assert.equal(
      profileScope(keys, fixOn('arn:aws:s3:::b/envs/prod/*')),
      "everything the job needs, with s3:GetObject, s3:ListBucket on other resources than the fix's arn:aws:s3:::b/envs/prod/*",
    );
    // A key or directory inside the profile's, or the same pattern, is covered.
    for (const resource of [
      'arn:aws:s3:::b/logs/2026/*',
      'arn:aws:s3:::b/envs/prod/a.tfstate',
      'arn:aws:s3:::b/logs/*',
    ])
      assert.equal(
        profileScope(keys, {
          statements: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [resource] }],
        }),
        'everything the job needs, beyond the minimal fix',
        resource,
      );
    assert.equal(
      profileScope(keys, {
        statements: [
          { Effect: 'Allow', Action: ['s3:CreateBucket'], Resource: ['arn:aws:s3:::b'] },
          { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::b/x/*'] },
        ],
      }),
      "everything the job needs, but not s3:CreateBucket, which the fix grants (see the notes) and s3:PutObject on other resources than the fix's arn:aws:s3:::b/x/*",
    );
    assert.match(
      profileScope({ ...profile, partial: 'only reads' }, null),
      /^a partial profile, not everything/,
    );
  });
});

describe('describeDeniedBy', () => {
  test('a bucket policy, named after its bucket, reads "bucket policy of <bucket>", not its name twice', () => {
    assert.equal(
      describeDeniedBy({
        policyType: 'resource',
        policyName: 'family-photos bucket policy',
        sid: 'DenyDeleteExceptAdmins',
      }),
      'bucket policy of family-photos, statement "DenyDeleteExceptAdmins"',
    );
  });

  test('a policy with a name of its own keeps it, quoted', () => {
    assert.equal(
      describeDeniedBy({
        policyType: 'identity',
        policyName: 'no-deletes',
        policyArn: 'arn:aws:iam::111122223333:policy/no-deletes',
        statementIndex: 1,
      }),
      'identity-based policy "no-deletes" (arn:aws:iam::111122223333:policy/no-deletes), statement #2',
    );
  });
});
