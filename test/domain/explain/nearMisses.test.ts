/**
 * Statements that name a refused action but not its resource: the wrong kind of ARN for the action, or
 * a narrower prefix. Statements on other buckets, and bucket-policy statements for other principals,
 * are not near misses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { nearMissCaveats } from '../../../src/domain/explain/nearMisses.js';
import type { PolicySet } from '../../../src/domain/policy/evaluationPlan.js';
import { compilePolicy } from '../../../src/domain/policy/parsePolicy.js';
import type { AuthorizationRequest } from '../../../src/domain/policy/types.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { backupUserContext, deniedObjectRecord, deniedRecord, explainContext } from './explainFixtures.js';
import { evaluatedChecks, policySet } from './policySetFixtures.js';

const USER = 'arn:aws:iam::111122223333:user/backup';
const PARTNER = 'arn:aws:iam::444455556666:role/partner-reader';

function identitySet(statements: readonly Record<string, unknown>[]): PolicySet {
  return policySet({ identity: { name: 'BackupWriter', statements } });
}

function caveatsFor(set: PolicySet, requests: readonly AuthorizationRequest[]): string[] {
  return nearMissCaveats(set, evaluatedChecks(set, requests));
}

const request = (action: string, resource: string, principal = USER): AuthorizationRequest => ({
  principal,
  action,
  resource,
  resourceAccount: '111122223333',
});

describe('nearMissCaveats', () => {
  test('a bucket-level action granted on object ARNs', () => {
    const set = identitySet([
      { Sid: 'List', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::backup/*' },
    ]);
    assert.deepEqual(caveatsFor(set, [request('s3:ListBucket', 'arn:aws:s3:::backup')]), [
      'Statement "List" of BackupWriter names s3:ListBucket but only on arn:aws:s3:::backup/*: object ARNs, which a bucket-level action never matches. s3:ListBucket needs the bucket ARN (arn:aws:s3:::backup) (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html).',
    ]);
  });

  test('an object-level action granted on the bucket ARN', () => {
    const set = identitySet([
      {
        Sid: 'Put',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject'],
        Resource: 'arn:aws:s3:::backup',
      },
    ]);
    const caveats = caveatsFor(set, [
      request('s3:PutObject', 'arn:aws:s3:::backup/a.txt'),
      request('s3:GetObject', 'arn:aws:s3:::backup/a.txt'),
    ]);
    assert.equal(caveats.length, 1);
    assert.match(
      caveats[0] ?? '',
      /^Statement "Put" of BackupWriter names s3:PutObject, s3:GetObject but only on arn:aws:s3:::backup: the bucket ARN, which an object-level action never matches\./,
    );
  });

  test('a narrower prefix names only refused keys outside it as examples', () => {
    const set = identitySet([
      { Sid: 'Daily', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::backup/daily/*' },
    ]);
    const caveats = caveatsFor(set, [
      request('s3:PutObject', 'arn:aws:s3:::backup/weekly/a'),
      request('s3:PutObject', 'arn:aws:s3:::backup/weekly/b'),
      request('s3:PutObject', 'arn:aws:s3:::backup/weekly/c'),
    ]);
    assert.deepEqual(caveats, [
      'Statement "Daily" of BackupWriter allows s3:PutObject but only on arn:aws:s3:::backup/daily/*: the refused requests (such as arn:aws:s3:::backup/weekly/a, arn:aws:s3:::backup/weekly/b) are outside it. If that scope is deliberate, the job must stay inside it; if not, the policy must cover the refused resources too.',
    ]);
  });

  test('a statement whose ARNs name another partition is said to be in the wrong partition, not a narrower scope', () => {
    const CN_USER = 'arn:aws-cn:iam::111122223333:user/backup';
    const copied = identitySet([
      { Sid: 'Daily', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/daily/*' },
    ]);
    const [caveat, ...rest] = caveatsFor(copied, [
      request('s3:PutObject', 'arn:aws-cn:s3:::data/daily/2026-11-28/a.csv', CN_USER),
    ]);
    assert.deepEqual(rest, []);
    assert.equal(
      caveat,
      'Statement "Daily" of BackupWriter allows s3:PutObject on arn:aws:s3:::data/daily/*, an ARN of partition aws, but the refused requests are in partition aws-cn (such as arn:aws-cn:s3:::data/daily/2026-11-28/a.csv): an ARN names resources of its own partition only, so the statement allows nothing here. It looks written for another partition (as if copied from an account there): correct its ARNs to arn:aws-cn:s3:::data/daily/*, which covers the refused requests (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).',
    );
    // Corrected, it would still miss another directory: the policy must cover that too.
    const [elsewhere] = caveatsFor(copied, [
      request('s3:PutObject', 'arn:aws-cn:s3:::data/weekly/a.csv', CN_USER),
    ]);
    assert.match(
      elsewhere ?? '',
      /correct its ARNs to arn:aws-cn:s3:::data\/daily\/\*, though even so it would not cover the refused requests: the policy must cover them too/,
    );
    // A statement with ARNs of both partitions grants here what it names in this one: a narrower scope.
    const both = identitySet([
      {
        Sid: 'Daily',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: ['arn:aws:s3:::data/*', 'arn:aws-cn:s3:::data/daily/*'],
      },
    ]);
    const [narrower] = caveatsFor(both, [
      request('s3:PutObject', 'arn:aws-cn:s3:::data/weekly/a.csv', CN_USER),
    ]);
    assert.match(
      narrower ?? '',
      /^Statement "Daily" of BackupWriter allows s3:PutObject but only on arn:aws-cn:s3:::data\/daily\/\*: the refused requests/,
    );
  });

  test('policy variables are shown as this caller’s values', () => {
    const set = identitySet([
      {
        Sid: 'Home',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::backup/home/${aws:username}/*',
      },
    ]);
    const [caveat] = caveatsFor(set, [request('s3:PutObject', 'arn:aws:s3:::backup/shared/a')]);
    // As resolved for this caller, and as written, with the variable's value.
    assert.match(
      caveat ?? '',
      /^Statement "Home" of BackupWriter allows s3:PutObject but only on arn:aws:s3:::backup\/home\/backup\/\* \(written arn:aws:s3:::backup\/home\/\$\{aws:username\}\/\*, \$\{aws:username\} being backup for this request\): the refused requests/,
    );
  });

  test('a statement scoped per request by a variable, refusing another value’s resources, is said to work as written', () => {
    const session = 'arn:aws:sts::111122223333:assumed-role/analyst/alice-session';
    const own = identitySet([
      {
        Sid: 'OwnHome',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::home-bucket/home/${aws:SourceIdentity}/*',
      },
    ]);
    const [caveat, ...rest] = caveatsFor(own, [
      {
        ...request('s3:PutObject', 'arn:aws:s3:::home-bucket/home/bob/notes.txt', session),
        context: { 'aws:SourceIdentity': 'alice' },
      },
    ]);
    assert.deepEqual(rest, []);
    assert.equal(
      caveat,
      'Statement "OwnHome" of BackupWriter allows s3:PutObject on arn:aws:s3:::home-bucket/home/${aws:SourceIdentity}/*, which IAM resolves per request: ${aws:SourceIdentity} is alice for this one, so it allows arn:aws:s3:::home-bucket/home/alice/* here. The refused requests (such as arn:aws:s3:::home-bucket/home/bob/notes.txt) are another\'s: the statement allows them to a role session whose source identity is bob (set when the first role of a chain is assumed, and kept unchanged through the chain: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html). That is the statement working as written, keeping each to its own: if this job should make them, run it with that identity. Granting them to the role instead gives them to every one of its sessions, whatever their ${aws:SourceIdentity} (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).',
    );
    // An IAM user writing another user's directory: that user is named, and a grant reaches this user only.
    const users = identitySet([
      {
        Sid: 'Home',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::backup/home/${aws:username}/*',
      },
    ]);
    const [user] = caveatsFor(users, [request('s3:PutObject', 'arn:aws:s3:::backup/home/carol/a')]);
    assert.match(
      user ?? '',
      /\$\{aws:username\} is backup for this one, so it allows arn:aws:s3:::backup\/home\/backup\/\* here/,
    );
    assert.match(user ?? '', /the statement allows them to the IAM user carol\./);
    assert.match(
      user ?? '',
      /Granting them to this principal instead gives them to it whatever its \$\{aws:username\}, past the statement's per-request scope/,
    );
    assert.doesNotMatch(user ?? '', /every one of its sessions/);
  });

  test('a policy without Version 2012-10-17 reads ${aws:username} literally: its Version is named as what misses', () => {
    for (const version of [undefined, '2008-10-17']) {
      const set: PolicySet = {
        identity: [
          compilePolicy(
            {
              name: 'DataLakeRead',
              document: {
                ...(version !== undefined ? { Version: version } : {}),
                Statement: [
                  {
                    Sid: 'Home',
                    Effect: 'Allow',
                    Action: 's3:GetObject',
                    Resource: 'arn:aws:s3:::datalake/home/${aws:username}/*',
                  },
                ],
              },
            },
            { policyType: 'identity', policyIndex: 0 },
          ),
        ],
        scpLevels: [],
        rcpLevels: [],
      };
      const [caveat] = caveatsFor(set, [request('s3:GetObject', 'arn:aws:s3:::datalake/home/backup/a.csv')]);
      assert.equal(
        caveat,
        `Statement "Home" of DataLakeRead allows s3:GetObject on arn:aws:s3:::datalake/home/\${aws:username}/*, but its policy has ${version === undefined ? 'no Version' : 'Version 2008-10-17'}, under which IAM reads \${…} as literal text, not as a policy variable: it matches no real resource, such as arn:aws:s3:::datalake/home/backup/a.csv. Add "Version": "2012-10-17" to the policy to make it a variable, which lets every principal it serves use its own path (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).`,
      );
    }
  });

  test("a variable the caller has no value for (aws:username for a role's session) is named; a default is used", () => {
    const set = identitySet([
      {
        Sid: 'Home',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::backup/home/${aws:username}/*',
      },
      {
        Sid: 'Team',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: "arn:aws:s3:::backup/team/${aws:PrincipalTag/team, 'shared'}/*",
      },
    ]);
    const session = 'arn:aws:sts::111122223333:assumed-role/deploy/gha-1';
    const caveats = caveatsFor(set, [request('s3:PutObject', 'arn:aws:s3:::backup/home/gha-1/a', session)]);
    assert.ok(
      caveats.some((c) =>
        c.startsWith(
          'Statement "Home" of BackupWriter allows s3:PutObject on arn:aws:s3:::backup/home/${aws:username}/*, but this caller has no value for ${aws:username}, so the statement matches nothing for it (such as arn:aws:s3:::backup/home/gha-1/a): aws:username is set for IAM users only',
        ),
      ),
      caveats.join(' | '),
    );
    // A principal tag may be a session's, which the snapshot does not hold: not said to be absent.
    const tagged = identitySet([
      {
        Sid: 'Own',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::backup/team/${aws:PrincipalTag/team}/*',
      },
    ]);
    const [tagCaveat] = caveatsFor(tagged, [
      request('s3:PutObject', 'arn:aws:s3:::backup/team/a/x', session),
    ]);
    assert.match(
      tagCaveat ?? '',
      /but the input shows no value for \$\{aws:PrincipalTag\/team\} for this caller \(the snapshot holds the user's or role's own tags, not tags a session was given when it was assumed\)/,
    );
    // The tag's default applies: an ordinary narrower scope, shown with the default's path.
    assert.ok(
      caveats.some((c) =>
        c.startsWith(
          "Statement \"Team\" of BackupWriter allows s3:PutObject but only on arn:aws:s3:::backup/team/shared/* (written arn:aws:s3:::backup/team/${aws:PrincipalTag/team, 'shared'}/*, ${aws:PrincipalTag/team, 'shared'} being its default, shared, for this request): ",
        ),
      ),
      caveats.join(' | '),
    );
  });

  test('statements on other buckets, other actions, or allowed requests are not near misses', () => {
    const set = identitySet([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::other-bucket/*' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::backup/daily/*' },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::backup' },
    ]);
    assert.deepEqual(
      caveatsFor(set, [
        request('s3:PutObject', 'arn:aws:s3:::backup/daily/a'),
        request('s3:ListBucket', 'arn:aws:s3:::backup'),
      ]),
      [],
    );
  });

  test('a wildcard in the bucket part still names the bucket', () => {
    const set = identitySet([
      { Sid: 'Logs', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::backup-*/logs/*' },
    ]);
    const [caveat] = caveatsFor(set, [request('s3:GetObject', 'arn:aws:s3:::backup-eu/data/x')]);
    assert.match(
      caveat ?? '',
      /^Statement "Logs" of BackupWriter allows s3:GetObject but only on arn:aws:s3:::backup-\*\/logs\/\*/,
    );
  });

  test('in a bucket policy, only statements whose Principal names the caller count', () => {
    const bucketPolicy = compilePolicy(
      {
        name: 'exports bucket policy',
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'PartnerRead',
              Effect: 'Allow',
              Principal: { AWS: PARTNER },
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::exports/shared/*',
            },
            {
              Sid: 'OtherPartner',
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::777788889999:root' },
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::exports/other/*',
            },
          ],
        },
      },
      { policyType: 'resource', policyIndex: 0 },
    );
    const set: PolicySet = {
      identity: [
        compilePolicy(
          {
            name: 'assumed caller-side allow',
            document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          },
          { policyType: 'identity', policyIndex: 0 },
        ),
      ],
      resource: bucketPolicy,
      scpLevels: [],
      rcpLevels: [],
    };
    const caveats = caveatsFor(set, [request('s3:GetObject', 'arn:aws:s3:::exports/private/x', PARTNER)]);
    assert.equal(caveats.length, 1);
    assert.match(
      caveats[0] ?? '',
      /^Statement "PartnerRead" of exports bucket policy allows s3:GetObject but only on arn:aws:s3:::exports\/shared\/\*/,
    );
  });
});

describe('a fix beyond a narrower existing grant', () => {
  test('names the statements it goes beyond (widens) and says to check their scope', () => {
    const context = backupUserContext([
      { Sid: 'Daily', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/daily/*' },
    ]);
    const text = JSON.stringify({
      Records: [deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'weekly/w48.csv')],
    });
    const [finding] = explainTexts([{ input: 't.json', text }], context).findings;
    assert.deepEqual(finding?.fix?.widens, ['Statement "Daily" of inline (arn:aws:s3:::data/daily/*)']);
    assert.equal(finding?.fix?.verified, true);
    assert.ok(
      finding?.fix?.verification.includes(
        'It grants beyond the narrower scope of Statement "Daily" of inline (arn:aws:s3:::data/daily/*): apply it only if that scope was not deliberate (see the caveats).',
      ),
    );
  });

  test('a statement of another partition is not widened: the fix says correcting its ARNs may be the change meant', () => {
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [
          {
            UserName: 'cn-uploader',
            UserId: 'AIDAEXAMPLECN',
            Arn: 'arn:aws-cn:iam::111122223333:user/cn-uploader',
            Path: '/',
            GroupList: [],
            AttachedManagedPolicies: [],
            UserPolicyList: [
              {
                PolicyName: 'Upload',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Sid: 'UploadDaily',
                      Effect: 'Allow',
                      Action: 's3:PutObject',
                      Resource: 'arn:aws:s3:::cn-data/daily/*',
                    },
                  ],
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
    const objectArn = 'arn:aws-cn:s3:::cn-data/daily/2026-11-28/f0.csv';
    const record = deniedRecord({
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLECN',
        arn: 'arn:aws-cn:iam::111122223333:user/cn-uploader',
        accountId: '111122223333',
        userName: 'cn-uploader',
      },
      awsRegion: 'cn-north-1',
      errorMessage: `User: arn:aws-cn:iam::111122223333:user/cn-uploader is not authorized to perform: s3:PutObject on resource: "${objectArn}" because no identity-based policy allows the s3:PutObject action`,
      requestParameters: {
        bucketName: 'cn-data',
        key: 'daily/2026-11-28/f0.csv',
        Host: 'cn-data.s3.cn-north-1.amazonaws.com.cn',
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: objectArn },
        { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws-cn:s3:::cn-data' },
      ],
    });
    const text = JSON.stringify({ Records: [record] });
    const [finding] = explainTexts(
      [{ input: 't.json', text }],
      explainContext({ snapshot: parsed.snapshot }),
    ).findings;
    assert.equal(finding?.fix?.verified, true);
    assert.equal(finding?.fix?.widens, undefined);
    assert.ok(!finding?.fix?.verification.some((line) => line.includes('grants beyond')));
    assert.ok(
      finding?.fix?.verification.includes(
        'Statement "UploadDaily" of Upload (arn:aws:s3:::cn-data/daily/*) names partition aws, not aws-cn: correcting its ARNs would allow the refused requests as well, and may be the change meant instead of this one (see the caveats).',
      ),
    );
    assert.ok(
      finding?.caveats.some((c) =>
        c.includes('an ARN of partition aws, but the refused requests are in partition aws-cn'),
      ),
    );
    assert.ok(!finding?.caveats.some((c) => c.includes('are outside it')));
  });

  test('a fix beyond a per-request statement says it reaches every session of the role, and so does the job profile', () => {
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [],
        GroupDetailList: [],
        RoleDetailList: [
          {
            Path: '/',
            RoleName: 'analyst',
            RoleId: 'AROAANALYSTEXAMPLE01',
            Arn: 'arn:aws:iam::111122223333:role/analyst',
            AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
            InstanceProfileList: [],
            RolePolicyList: [
              {
                PolicyName: 'Home',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Sid: 'OwnHome',
                      Effect: 'Allow',
                      Action: 's3:PutObject',
                      Resource: 'arn:aws:s3:::home-bucket/home/${aws:SourceIdentity}/*',
                    },
                  ],
                },
              },
            ],
            AttachedManagedPolicies: [],
            Tags: [],
          },
        ],
        Policies: [],
      },
      'test',
    );
    assert.ok(parsed.ok);
    const sessionArn = 'arn:aws:sts::111122223333:assumed-role/analyst/alice-session';
    const objectArn = 'arn:aws:s3:::home-bucket/home/bob/notes.txt';
    const record = deniedRecord({
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAANALYSTEXAMPLE01:alice-session',
        arn: sessionArn,
        accountId: '111122223333',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAANALYSTEXAMPLE01',
            arn: 'arn:aws:iam::111122223333:role/analyst',
            accountId: '111122223333',
            userName: 'analyst',
          },
          attributes: { creationDate: '2026-11-27T09:00:00Z', mfaAuthenticated: 'false' },
          sourceIdentity: 'alice',
        },
      },
      errorMessage: `User: ${sessionArn} is not authorized to perform: s3:PutObject on resource: "${objectArn}" because no identity-based policy allows the s3:PutObject action`,
      requestParameters: {
        bucketName: 'home-bucket',
        key: 'home/bob/notes.txt',
        Host: 'home-bucket.s3.eu-west-1.amazonaws.com',
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: objectArn },
        { accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::home-bucket' },
      ],
    });
    const text = JSON.stringify({ Records: [record] });
    const [finding] = explainTexts(
      [{ input: 't.json', text }],
      explainContext({ snapshot: parsed.snapshot }),
    ).findings;
    const scope = 'Statement "OwnHome" of Home (arn:aws:s3:::home-bucket/home/${aws:SourceIdentity}/*)';
    assert.deepEqual(finding?.fix?.widens, [scope]);
    assert.ok(
      finding?.fix?.verification.includes(
        `It grants beyond ${scope}, which IAM resolves per request (\${aws:SourceIdentity} is alice for this one): the fix grants the refused resources to every session of the role, whatever their \${aws:SourceIdentity}. Apply it only if they should be shared so; otherwise run the job with the identity the statement gives them to (see the caveats).`,
      ),
      finding?.fix?.verification.join(' | '),
    );
    assert.ok(!finding?.fix?.verification.some((line) => line.includes('home/alice/*')));
    assert.ok(
      finding?.jobProfile?.notes.includes(
        `Like the fix, it grants the refused resources beyond ${scope}, which IAM resolves per request: to every session of the role, whatever their \${aws:SourceIdentity} (see the caveats).`,
      ),
      finding?.jobProfile?.notes.join(' | '),
    );
    assert.ok(finding?.caveats.some((c) => c.includes('a role session whose source identity is bob')));
  });

  test('a fix where no statement names the action on a narrower scope has none', () => {
    const context = backupUserContext([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
    ]);
    const text = JSON.stringify({
      Records: [deniedObjectRecord('PutObject', 's3:PutObject', 'data', 'weekly/w48.csv')],
    });
    const [finding] = explainTexts([{ input: 't.json', text }], context).findings;
    assert.notEqual(finding?.fix, null);
    assert.equal(finding?.fix?.widens, undefined);
  });
});
