import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import {
  bucketPolicyWarnings,
  controlPolicyWarnings,
  snapshotPolicyWarnings,
} from '../../../src/domain/snapshot/policyProblems.js';

const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

describe('warnings for the statements explain leaves out', () => {
  test("a bucket policy's lower-case Effect and missing Principal are named, with the statement", () => {
    const warnings = bucketPolicyWarnings(
      'photos',
      doc(
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' },
        { Sid: 'NoDeletes', Effect: 'deny', Principal: '*', Action: 's3:DeleteObject', Resource: '*' },
        { Effect: 'Deny', Action: 's3:PutObject', Resource: '*' },
      ),
    );
    assert.deepEqual(warnings, [
      'bucket policy of photos, statement 2 (Effect): Effect must be "Allow" or "Deny", got "deny"; the statement is left out of every evaluation.',
      'bucket policy of photos, statement 3 (Principal): a resource-based policy statement needs Principal or NotPrincipal; the statement is left out of every evaluation.',
    ]);
  });

  test('each problem says what the engine does with the policy: a missing Effect, an unknown Version, no Statement', () => {
    assert.deepEqual(
      bucketPolicyWarnings('photos', {
        Version: '2008-10-17x',
        Statement: [{ Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' }],
      }),
      [
        'bucket policy of photos (Version): Version must be "2012-10-17" or "2008-10-17", got "2008-10-17x"; its statements are still evaluated, with policy variables such as ${aws:username} read as plain text.',
        'bucket policy of photos, statement 1 (Effect): Effect is missing (it must be "Allow" or "Deny"); the statement is left out of every evaluation.',
      ],
    );
    assert.deepEqual(
      bucketPolicyWarnings(
        'photos',
        doc({ Sid: 1, Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }),
      ),
      [
        'bucket policy of photos, statement 1 (Sid): Sid must be a string; the rest of the statement is evaluated.',
      ],
    );
    assert.deepEqual(bucketPolicyWarnings('photos', { Version: '2012-10-17' }), [
      'bucket policy of photos (Statement): the policy has no Statement; it allows and denies nothing.',
    ]);
  });

  test("the snapshot's inline and managed policies are checked; valid ones, and documents already warned of, give nothing", () => {
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [
          {
            UserName: 'backup',
            Arn: 'arn:aws:iam::111122223333:user/backup',
            Path: '/',
            GroupList: [],
            AttachedManagedPolicies: [],
            UserPolicyList: [
              { PolicyName: 'fine', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) },
              { PolicyName: 'numbers', PolicyDocument: doc({ Effect: 'Allow', Action: 5, Resource: '*' }) },
            ],
          },
        ],
        GroupDetailList: [],
        RoleDetailList: [],
        Policies: [
          {
            PolicyName: 'Writer',
            Arn: 'arn:aws:iam::111122223333:policy/Writer',
            Path: '/',
            DefaultVersionId: 'v2',
            PolicyVersionList: [
              { VersionId: 'v1', IsDefaultVersion: false, Document: doc({ Effect: 'nope' }) },
              {
                VersionId: 'v2',
                IsDefaultVersion: true,
                Document: doc({ Effect: 'Allow', Action: 's3:PutObject' }),
              },
            ],
          },
        ],
      },
      'authz.json',
    );
    assert.ok(parsed.ok);
    const warnings = snapshotPolicyWarnings(parsed.snapshot);
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /^inline policy numbers of user backup, statement 1 \(Action\): /);
    assert.match(
      warnings[1] ?? '',
      /^managed policy Writer \(arn:aws:iam::111122223333:policy\/Writer, version v2\), statement 1 \(Resource\): /,
    );
  });

  test('an SCP whose Statement is not an object is named with its level', () => {
    const [warning, ...rest] = controlPolicyWarnings(
      [
        [{ name: 'FullAWSAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }],
        [{ name: 'Data', document: { Version: '2012-10-17', Statement: 'x' } }],
      ],
      'scp',
    );
    assert.deepEqual(rest, []);
    assert.equal(
      warning,
      'service control policy Data (level 2), statement 1 (Statement): the statement is not an object: "x"; the statement is left out of every evaluation.',
    );
  });
});
