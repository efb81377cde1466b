/**
 * Policy variables in a Condition value the refused request missed: under a policy without Version
 * 2012-10-17 IAM reads them as literal text (adding the Version is the change, not a statement that
 * hard-codes this caller's prefix); under 2012-10-17 it resolves them per request, and a prefix that fits
 * the pattern only for another value is another user's (no grant of it to this caller).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainTexts } from '../../../src/domain/explain/explainBatch.js';
import { renderSlack } from '../../../src/domain/render/slack.js';
import { renderText } from '../../../src/domain/render/text.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import { deniedRecord, explainContext, S3_ACTIONS, snapshotWithUser } from './explainFixtures.js';

const listing = (prefix: string, errorMessage: string) =>
  deniedRecord({
    eventName: 'ListObjects',
    errorMessage,
    requestParameters: {
      bucketName: 'data',
      'list-type': '2',
      prefix,
      Host: 'data.s3.eu-west-1.amazonaws.com',
    },
    resources: [{ accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
  });
const NO_ALLOW =
  'User: arn:aws:iam::111122223333:user/backup is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action';
const EXPLICIT =
  'User: arn:aws:iam::111122223333:user/backup is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" with an explicit deny in an identity-based policy';
const explain = (policy: unknown, record: unknown) =>
  explainTexts(
    [{ input: 't.json', text: JSON.stringify({ Records: [record] }) }],
    explainContext({ snapshot: snapshotWithUser('backup', policy) }),
  ).findings[0];
const listOwn = (prefix: string) => ({
  Sid: 'ListOwn',
  Effect: 'Allow',
  Action: 's3:ListBucket',
  Resource: 'arn:aws:s3:::data',
  Condition: { StringLike: { 's3:prefix': prefix } },
});

describe('a policy variable in a Condition value', () => {
  test("resolved per request: another user's directory is not granted, and the caveat says whose it is", () => {
    const finding = explain(
      { Version: '2012-10-17', Statement: [listOwn('home/${aws:username}/*')] },
      listing('home/carol/', NO_ALLOW),
    );
    assert.equal(finding?.fix, null);
    const caveat = finding?.caveats.find((c) => c.includes('(statement ListOwn)')) ?? '';
    assert.match(
      caveat,
      /IAM resolves policy variables in Condition values per request \(s3:prefix StringLike "home\/\$\{aws:username\}\/\*"\): for this one \$\{aws:username\} is "backup", and the request's "home\/carol\/" fits the pattern only for another value, another principal's\./,
    );
    assert.doesNotMatch(caveat, /the fix grants the refused prefix/);
  });

  test('under a policy without Version 2012-10-17 (an Allow): literal text, and adding the Version is the fix, verified', () => {
    const finding = explain({ Statement: [listOwn('${aws:username}/*')] }, listing('backup/', NO_ALLOW));
    const fix = finding?.fix;
    assert.ok(fix !== null && fix !== undefined);
    // The policy rewritten with the Version and nothing else: no statement that hard-codes "backup/".
    assert.equal(fix.attachKind, 'inline-policy');
    assert.equal(fix.attachTo, 'arn:aws:iam::111122223333:user/backup');
    assert.equal(fix.policyName, 'inline');
    assert.deepEqual(fix.statements, []);
    assert.deepEqual(fix.newDocument, { Version: '2012-10-17', Statement: [listOwn('${aws:username}/*')] });
    assert.match(fix.diff ?? '', /^\+ {3}"Version": "2012-10-17",$/m);
    assert.equal(fix.verified, true);
    assert.deepEqual(fix.verification.slice(0, 3), [
      'With "Version": "2012-10-17" added, the denied request evaluates to Allowed.',
      'Only statement ListOwn holds ${…}, so only its meaning changes: for this caller ${aws:username} reads as "backup"; for each other principal the policy serves, it reads as its own value.',
      "No other resource becomes newly allowed for s3:ListBucket (3 action/resource probes with the refused requests' context).",
    ]);
    assert.match(finding?.summary ?? '', /Fix: set "Version" to "2012-10-17" in the inline policy/);
    assert.ok(
      finding?.caveats.some((c) =>
        c.startsWith(
          'inline has no Version (IAM reads it as 2008-10-17), under which IAM reads ${…} as literal text: the fix adds "Version": "2012-10-17" and nothing else',
        ),
      ),
    );
  });

  test("a wildcard Action's actions are probed, expanded against the S3 catalogue", () => {
    const catalogue = explainContext({ s3Actions: [...S3_ACTIONS, 'ListBucketVersions'] });
    const run = (action: unknown) =>
      explainTexts([{ input: 't.json', text: JSON.stringify({ Records: [listing('backup/', NO_ALLOW)] }) }], {
        ...catalogue,
        snapshot: snapshotWithUser('backup', {
          Statement: [{ ...listOwn('${aws:username}/*'), Action: action }],
        }),
      }).findings[0]?.fix;
    // s3:ListBucket* also covers s3:ListBucketVersions, which the Version newly allows on the bucket.
    const wide = run('s3:ListBucket*');
    assert.equal(wide?.verified, false);
    assert.equal(
      wide?.verification[2],
      'Verification failed: the change would also newly allow s3:ListBucketVersions on arn:aws:s3:::data.',
    );
    // s3:ListBucke? covers s3:ListBucket alone: probed, and verified.
    const narrow = run('s3:ListBucke?');
    assert.equal(narrow?.verified, true);
    assert.equal(
      narrow?.verification[2],
      "No other resource becomes newly allowed for s3:ListBucke?, 1 action with the wildcards expanded (3 action/resource probes with the refused requests' context).",
    );
    // Another service's wildcard cannot be listed to probe: not called verified.
    const other = run(['s3:ListBucket', 'iam:List*']);
    assert.equal(other?.verified, false);
    assert.match(
      other?.verification[2] ?? '',
      /^Not verified: its Action covers iam:List\*, whose actions cannot be listed to probe here/,
    );
  });

  test('the reports say the fix replaces the document, and what it does to a Version 2008-10-17', () => {
    const report = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [listing('backup/', NO_ALLOW)] }) }],
      explainContext({ snapshot: snapshotWithUser('backup', { Statement: [listOwn('${aws:username}/*')] }) }),
    );
    const text = renderText(report, { color: false });
    assert.match(
      text,
      /Fix \(verified\): Replace the document of the inline policy of arn:aws:iam::111122223333:user\/backup named "inline"\n/,
    );
    assert.doesNotMatch(text, /Add as an inline policy/);
    // Slack shows the diff alone, and says where the whole document and its command are.
    assert.match(
      JSON.stringify(renderSlack(report)),
      /The change \(diff of the inline policy, unchanged lines cut\) \(the whole new document is in the text, Markdown and JSON reports; the command that applies it, in text and Markdown\):/,
    );
    const old = explain(
      { Version: '2008-10-17', Statement: [listOwn('${aws:username}/*')] },
      listing('backup/', NO_ALLOW),
    );
    assert.equal(
      old?.fix?.verification[0],
      'With the Version changed to "2012-10-17", the denied request evaluates to Allowed.',
    );
    assert.ok(
      old?.caveats.some((c) =>
        c.startsWith(
          'inline has Version 2008-10-17, under which IAM reads ${…} as literal text: the fix changes its Version from "2008-10-17" to "2012-10-17" and nothing else,',
        ),
      ),
      old?.caveats.join('\n'),
    );
    // The summary sets the Version: the policy has one, so "add" would be wrong.
    assert.match(old?.summary ?? '', /Fix: set "Version" to "2012-10-17" in the inline policy/);
    assert.doesNotMatch(old?.summary ?? '', /Fix: add "Version"/);
  });

  test("a service-linked role gets no Version fix: its policies are its service's to change", () => {
    const role = 'AWSServiceRoleForExample';
    const parsed = parseAccountSnapshot(
      {
        UserDetailList: [],
        GroupDetailList: [],
        RoleDetailList: [
          {
            RoleName: role,
            RoleId: 'AROASERVICE',
            Arn: `arn:aws:iam::111122223333:role/aws-service-role/example.amazonaws.com/${role}`,
            Path: '/aws-service-role/example.amazonaws.com/',
            AttachedManagedPolicies: [],
            RolePolicyList: [
              {
                PolicyName: 'inline',
                PolicyDocument: { Statement: [listOwn('${aws:principaltag/dir}/*')] },
              },
            ],
            Tags: [{ Key: 'dir', Value: 'backup' }],
          },
        ],
        Policies: [],
      },
      'test',
    );
    assert.ok(parsed.ok);
    const record = listing(
      'backup/',
      `User: arn:aws:sts::111122223333:assumed-role/${role}/s is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::data" because no identity-based policy allows the s3:ListBucket action`,
    );
    record.userIdentity = {
      type: 'AssumedRole',
      principalId: 'AROASERVICE:s',
      arn: `arn:aws:sts::111122223333:assumed-role/${role}/s`,
      accountId: '111122223333',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROASERVICE',
          arn: `arn:aws:iam::111122223333:role/aws-service-role/example.amazonaws.com/${role}`,
          accountId: '111122223333',
          userName: role,
        },
      },
    };
    const finding = explainTexts(
      [{ input: 't.json', text: JSON.stringify({ Records: [record] }) }],
      explainContext({ snapshot: parsed.snapshot }),
    ).findings[0];
    assert.equal(finding?.fix, null);
    assert.ok(!finding?.caveats.some((c) => c.includes('the fix adds "Version"')));
  });

  test('the Version would change other statements too: advised, naming them, not proposed', () => {
    const other = {
      Sid: 'OwnObjects',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::data/${aws:username}/*',
    };
    const finding = explain(
      { Statement: [listOwn('${aws:username}/*'), other] },
      listing('backup/', NO_ALLOW),
    );
    assert.equal(finding?.fix, null);
    const caveat = finding?.caveats.find((c) => c.startsWith('inline has no Version')) ?? '';
    assert.match(
      caveat,
      /Adding "Version": "2012-10-17" would let these requests through \(checked\), but it is not proposed as the fix: it also turns the \$\{…\} of statement OwnObjects into policy variables, changing what it grants or denies\./,
    );
  });

  test('under a policy without Version 2012-10-17 (a Deny): the advice names the missing Version, not a deliberate Deny', () => {
    const finding = explain(
      {
        Statement: [
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data' },
          {
            Sid: 'OwnPrefixOnly',
            Effect: 'Deny',
            Action: 's3:ListBucket',
            Resource: 'arn:aws:s3:::data',
            Condition: { StringNotLike: { 's3:prefix': '${aws:username}/*' } },
          },
        ],
      },
      listing('backup/', EXPLICIT),
    );
    assert.equal(finding?.cause, 'identity-explicit-deny');
    const caveat = finding?.caveats.find((c) => c.includes('"OwnPrefixOnly"')) ?? '';
    assert.doesNotMatch(caveat, /it looks deliberate/);
    assert.match(
      caveat,
      /this refusal may not be what it meant: its policy has no Version \(IAM reads it as 2008-10-17\), under which IAM reads \$\{…\} in a Condition as literal text/,
    );
  });

  test('the control: a listing outside a fixed s3:prefix is granted for its prefix alone', () => {
    const finding = explain(
      { Version: '2012-10-17', Statement: [listOwn('home/backup/*')] },
      listing('home/carol/', NO_ALLOW),
    );
    assert.ok(finding?.fix !== null);
  });
});
