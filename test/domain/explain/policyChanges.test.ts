import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffBefore, lineDiff } from '../../../src/domain/explain/lineDiff.js';
import { combinePolicyChanges } from '../../../src/domain/explain/policyChanges.js';
import type { Finding, Fix, PolicyStatement } from '../../../src/domain/explain/report.js';
import { renderMarkdown } from '../../../src/domain/render/markdown.js';
import { renderText } from '../../../src/domain/render/text.js';
import { bareFinding } from './explainFixtures.js';

const USER = 'arn:aws:iam::111122223333:user/backup';
const WRITER = 'arn:aws:iam::111122223333:policy/BackupWriter';

function finding(principal: string, fix: Fix | null, caveats: string[] = []): Finding {
  return bareFinding(principal, { fix, caveats });
}

const allow = (action: string, ...resources: string[]): PolicyStatement => ({
  Effect: 'Allow',
  Action: [action],
  Resource: resources,
});
const base = { Sid: 'BackupObjects', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::a/*' };

/**
 * A new version of BackupWriter: its statement as the snapshot has it (`original`), then the fix's,
 * numbered, with the diff from one to the other.
 */
function managedFix(
  statements: PolicyStatement[],
  verified = true,
  original: Record<string, unknown> = { Version: '2012-10-17', Statement: [base] },
): Fix {
  const newDocument = {
    Version: '2012-10-17',
    Statement: [base, ...statements.map((s, i) => ({ Sid: `PermissionAuditorFix${i + 1}`, ...s }))],
  };
  return {
    attachTo: WRITER,
    attachKind: 'managed-policy-version',
    policyArn: WRITER,
    policyName: 'BackupWriter',
    statements,
    newDocument,
    diff: lineDiff(JSON.stringify(original, null, 2), JSON.stringify(newDocument, null, 2)),
    verified,
    verification: [],
  };
}

function inlineFix(statements: PolicyStatement[]): Fix {
  return {
    attachTo: USER,
    attachKind: 'inline-policy',
    policyName: 'PermissionAuditorFix',
    statements,
    newDocument: { Version: '2012-10-17', Statement: statements },
    verified: true,
    verification: [],
  };
}

describe('combinePolicyChanges', () => {
  test("fixes of several findings on one managed policy: one new version with the snapshot's statements and every finding's statement once, merged by action, and a caveat on each finding", () => {
    const { findings, policyChanges } = combinePolicyChanges([
      finding(USER, managedFix([allow('s3:ListBucket', 'arn:aws:s3:::a')])),
      finding(USER, null),
      finding(
        USER,
        managedFix([allow('s3:ListBucket', 'arn:aws:s3:::b'), allow('s3:GetObject', 'arn:aws:s3:::b/x/*')]),
      ),
      finding(USER, managedFix([allow('s3:ListBucket', 'arn:aws:s3:::a')])),
    ]);
    assert.equal(policyChanges.length, 1);
    const [change] = policyChanges;
    assert.deepEqual(change?.findings, [1, 3, 4]);
    assert.equal(change?.verified, true);
    assert.deepEqual(change?.newDocument, {
      Version: '2012-10-17',
      Statement: [
        base,
        {
          Sid: 'PermissionAuditorFix1',
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: ['arn:aws:s3:::a', 'arn:aws:s3:::b'],
        },
        {
          Sid: 'PermissionAuditorFix2',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::b/x/*'],
        },
      ],
    });
    assert.match(change?.diff ?? '', /\+ +"arn:aws:s3:::b"/);
    assert.ok(
      findings[0]?.caveats.at(-1)?.startsWith('Findings 3, 4 also change the managed policy BackupWriter'),
    );
    assert.ok(findings[2]?.caveats.at(-1)?.startsWith('Findings 1, 4 also change'));
    assert.deepEqual(findings[1]?.caveats, []);
  });

  test('inline fixes of one user combine into one inline document; another principal, or a lone fix, is left alone', () => {
    const input = [
      finding(USER, inlineFix([allow('s3:ListBucket', 'arn:aws:s3:::a')])),
      finding('arn:aws:iam::111122223333:user/other', {
        ...inlineFix([allow('s3:ListBucket', 'arn:aws:s3:::a')]),
        attachTo: 'arn:aws:iam::111122223333:user/other',
      }),
      finding(USER, inlineFix([allow('s3:DeleteObject', 'arn:aws:s3:::a/old/*')])),
    ];
    const { findings, policyChanges } = combinePolicyChanges(input);
    assert.equal(policyChanges.length, 1);
    assert.deepEqual(policyChanges[0]?.findings, [1, 3]);
    assert.deepEqual(policyChanges[0]?.newDocument, {
      Version: '2012-10-17',
      Statement: [allow('s3:ListBucket', 'arn:aws:s3:::a'), allow('s3:DeleteObject', 'arn:aws:s3:::a/old/*')],
    });
    assert.ok(
      findings[0]?.caveats
        .at(-1)
        ?.startsWith('Finding 3 also changes the inline policy PermissionAuditorFix of'),
    );
    assert.equal(findings[1], input[1]);
  });

  test('not verified when a member is not, or when a managed policy serves several principals (a shared boundary); too large for IAM is said', () => {
    const unverified = combinePolicyChanges([
      finding(USER, managedFix([allow('s3:ListBucket', 'arn:aws:s3:::a')], false)),
      finding(USER, managedFix([allow('s3:ListBucket', 'arn:aws:s3:::b')])),
    ]).policyChanges[0];
    assert.equal(unverified?.verified, false);
    // A role session's listing of `bucket`, fixed in the managed policy.
    const session = (role: string, run: string, bucket: string) =>
      finding(
        `arn:aws:sts::111122223333:assumed-role/${role}/${run}`,
        managedFix([allow('s3:ListBucket', `arn:aws:s3:::${bucket}`)]),
      );
    const shared = combinePolicyChanges([
      session('etl', 'run-1', 'a'),
      session('etl', 'run-2', 'b'),
      session('loader', 'run-1', 'c'),
    ]).policyChanges[0];
    assert.equal(shared?.verified, false);
    assert.ok(
      shared?.verification.some((v) => v.includes('serves 2 principals')),
      shared?.verification.join(' | '),
    );
    // Sessions of one role are one principal.
    const sessions = combinePolicyChanges([session('etl', 'run-1', 'a'), session('etl', 'run-2', 'b')])
      .policyChanges[0];
    assert.equal(sessions?.verified, true);
    const many = Array.from({ length: 2 }, (_, n) =>
      finding(
        USER,
        inlineFix(
          Array.from({ length: 40 }, (_, i) =>
            allow(`s3:GetObject`, `arn:aws:s3:::bucket-${n}/directory-${i}/*`),
          ),
        ),
      ),
    );
    const large = combinePolicyChanges(many).policyChanges[0];
    assert.ok(
      large?.verification.some((v) =>
        v.startsWith(
          "Not verified as applicable: the combined document, with the holder's other inline policies, would be",
        ),
      ),
      large?.verification.join(' | '),
    );
    assert.match(large?.overQuota ?? '', /over the quota of 2,048$/);
    assert.equal(large?.verified, false);
    assert.ok(
      large?.verification.some((v) =>
        v.includes(
          'Put the combined statements in a new customer-managed policy attached to the user instead',
        ),
      ),
    );
  });

  test("a permission set's combined inline policy is held to IAM Identity Center's quota of 10,240", () => {
    const role =
      'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Data_0a1b2c3d4e5f6789';
    const session = `arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Data_0a1b2c3d4e5f6789/maria`;
    const permissionSetFix = (n: number, count: number): Fix => {
      const statements = Array.from({ length: count }, (_, i) =>
        allow('s3:GetObject', `arn:aws:s3:::bucket-${n}/a-rather-long-directory-name-${i}/*`),
      );
      return { ...inlineFix(statements), attachTo: role, attachKind: 'permission-set', policyName: 'Data' };
    };
    const small = combinePolicyChanges([
      finding(session, permissionSetFix(1, 2)),
      finding(session, permissionSetFix(2, 2)),
    ]).policyChanges[0];
    assert.equal(small?.verified, true);
    assert.equal(small?.overQuota, undefined);
    const large = combinePolicyChanges([
      finding(session, permissionSetFix(1, 90)),
      finding(session, permissionSetFix(2, 90)),
    ]).policyChanges[0];
    assert.equal(large?.verified, false);
    assert.match(
      large?.overQuota ?? '',
      /^the combined document would be [\d,]+ characters \(white space aside\), over the quota of 10,240$/,
    );
    assert.ok(
      large?.verification.some((v) =>
        v.endsWith(
          'or put part of the statements in a customer managed policy the permission set references.',
        ),
      ),
      large?.verification.join(' | '),
    );
  });

  test("a combined change that grants control of a bucket's access says so, as its findings do", () => {
    const { policyChanges } = combinePolicyChanges([
      finding(USER, inlineFix([allow('s3:PutBucketPolicy', 'arn:aws:s3:::a')])),
      finding(USER, inlineFix([allow('s3:ListBucket', 'arn:aws:s3:::a')])),
    ]);
    assert.ok(
      policyChanges[0]?.verification.some((note) =>
        note.startsWith(
          'The combined change grants s3:PutBucketPolicy, which changes who may access the bucket',
        ),
      ),
      policyChanges[0]?.verification.join(' | '),
    );
    const plain = combinePolicyChanges([
      finding(USER, inlineFix([allow('s3:GetObject', 'arn:aws:s3:::a/*')])),
      finding(USER, inlineFix([allow('s3:ListBucket', 'arn:aws:s3:::a')])),
    ]).policyChanges[0];
    assert.ok(!plain?.verification.some((note) => note.includes('who may access the bucket')));
  });

  test("a Version fix's Version is kept, and statements added with ${…} (verified as literal text) leave the combination unverified", () => {
    const original = { Statement: [base] };
    const versionFix: Fix = {
      ...managedFix([], true, original),
      newDocument: { Version: '2012-10-17', Statement: [base] },
      diff: lineDiff(
        JSON.stringify(original, null, 2),
        JSON.stringify({ Version: '2012-10-17', Statement: [base] }, null, 2),
      ),
    };
    const literal = managedFix([allow('s3:GetObject', 'arn:aws:s3:::a/${aws:username}/*')], true, original);
    const { policyChanges } = combinePolicyChanges([finding(USER, literal), finding(USER, versionFix)]);
    assert.equal((policyChanges[0]?.newDocument as { Version?: string } | undefined)?.Version, '2012-10-17');
    assert.equal(policyChanges[0]?.verified, false);
    assert.match(
      policyChanges[0]?.verification.join('\n') ?? '',
      /Not verified as a whole: statements the other fixes add hold \$\{…\}/,
    );
  });

  test("a Version fix combined with another finding's is not verified when the policy's own Deny holds ${…}, which the Version makes a variable", () => {
    const deny = {
      Sid: 'NoOthersHomes',
      Effect: 'Deny',
      Action: 's3:*',
      NotResource: 'arn:aws:s3:::a/home/${aws:username}/*',
    };
    const original = { Statement: [base, deny] };
    const withVersion = { Version: '2012-10-17', Statement: [base, deny] };
    const versionFix: Fix = {
      ...managedFix([], true, original),
      newDocument: withVersion,
      diff: lineDiff(JSON.stringify(original, null, 2), JSON.stringify(withVersion, null, 2)),
    };
    const other: Fix = {
      ...managedFix([allow('s3:GetObject', 'arn:aws:s3:::a/*')], true, original),
      newDocument: {
        Statement: [
          base,
          deny,
          { Sid: 'PermissionAuditorFix1', ...allow('s3:GetObject', 'arn:aws:s3:::a/*') },
        ],
      },
      statements: [allow('s3:GetObject', 'arn:aws:s3:::a/*')],
    };
    const { policyChanges } = combinePolicyChanges([finding(USER, other), finding(USER, versionFix)]);
    assert.equal(policyChanges[0]?.verified, false);
    const text = policyChanges[0]?.verification.join('\n') ?? '';
    assert.match(text, /Not verified as a whole: the policy's own statement "NoOthersHomes" holds \$\{…\}/);
    assert.doesNotMatch(text, /the combination grants nothing more/);
    // An Allow of the policy's own with ${…} in its Resource only widens under the Version: still verified.
    const home = {
      Sid: 'Home',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::a/${aws:username}/*',
    };
    const plain = { Statement: [base, home] };
    const plainVersion = { Version: '2012-10-17', Statement: [base, home] };
    const { policyChanges: widened } = combinePolicyChanges([
      finding(USER, {
        ...managedFix([allow('s3:GetObject', 'arn:aws:s3:::a/*')], true, plain),
        newDocument: { Statement: [base, home, allow('s3:GetObject', 'arn:aws:s3:::a/*')] },
      }),
      finding(USER, { ...managedFix([], true, plain), newDocument: plainVersion }),
    ]);
    assert.equal(widened[0]?.verified, true, widened[0]?.verification.join('\n'));
  });

  test('the text and Markdown reports show the combined change after the findings', () => {
    const { findings, policyChanges } = combinePolicyChanges([
      finding(USER, managedFix([allow('s3:ListBucket', 'arn:aws:s3:::a')])),
      finding(USER, managedFix([allow('s3:ListBucket', 'arn:aws:s3:::b')])),
    ]);
    const report = { findings, policyChanges, skipped: [], errors: [] };
    const text = renderText(report, { color: false });
    assert.match(text, /Combined policy changes \(1\)/);
    assert.match(
      text,
      /Change 1, for findings 1, 2 \(verified\): Create a new default version of the managed policy arn:aws:iam::111122223333:policy\/BackupWriter/,
    );
    assert.ok(text.indexOf('Combined policy changes (1)') > text.indexOf('Finding 2 of 2'));
    const markdown = renderMarkdown(report);
    assert.match(markdown, /## Combined policy changes \(1\)/);
    assert.match(markdown, /### Change 1, for findings 1, 2 \(verified\)/);
  });
  test('the combined diff starts from the policy as it is now, in its own form (one statement as an object, no Version)', () => {
    const original = { Statement: base };
    const { policyChanges } = combinePolicyChanges([
      finding(USER, managedFix([allow('s3:ListBucket', 'arn:aws:s3:::a')], true, original)),
      finding(USER, managedFix([allow('s3:ListBucket', 'arn:aws:s3:::b')], true, original)),
    ]);
    const [change] = policyChanges;
    assert.ok(change?.diff !== undefined);
    assert.equal(diffBefore(change.diff), JSON.stringify(original, null, 2));
    const after = change.diff
      .split('\n')
      .filter((line) => !line.startsWith('- '))
      .map((line) => line.slice(2))
      .join('\n');
    assert.equal(after, JSON.stringify(change.newDocument, null, 2));
    assert.match(change.diff, /^- {3}"Statement": \{$/m);
  });
});

test('a combined change whose resources write ? for characters IAM cannot hold says what they allow besides', () => {
  const said = (resource: string) =>
    combinePolicyChanges([
      finding(USER, inlineFix([allow('s3:GetObject', resource)])),
      finding(USER, inlineFix([allow('s3:PutObject', 'arn:aws:s3:::b/out/*')])),
    ]).policyChanges[0]?.verification.some((v) =>
      v.startsWith('Its resources write ? for characters IAM cannot hold'),
    );
  assert.equal(said('arn:aws:s3:::b/??/2026/*'), true);
  assert.equal(said('arn:aws:s3:::b/odd${?}/2026/*'), false);
});
