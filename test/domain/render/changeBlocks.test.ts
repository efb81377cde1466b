import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Fix, PolicyStatement } from '../../../src/domain/explain/report.js';
import {
  applyCommand,
  changeBlocks,
  contextDiff,
  documentFile,
} from '../../../src/domain/render/changeBlocks.js';

const STATEMENTS: readonly PolicyStatement[] = [
  { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::b'] },
];

function change(over: Partial<Fix>): Fix {
  return {
    attachTo: 'arn:aws:iam::111122223333:role/app/backup',
    attachKind: 'inline-policy',
    policyName: 'PermissionAuditorFix',
    statements: STATEMENTS,
    verified: true,
    verification: [],
    ...over,
  };
}

describe('contextDiff', () => {
  test('keeps three unchanged lines around each change and counts the others', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `  line ${i}`);
    lines.splice(10, 0, '+ added');
    assert.equal(
      contextDiff(lines.join('\n')),
      [
        '  … (7 unchanged lines)',
        '  line 7',
        '  line 8',
        '  line 9',
        '+ added',
        '  line 10',
        '  line 11',
        '  line 12',
        '  … (7 unchanged lines)',
      ].join('\n'),
    );
  });

  test("escapes what the documents' JSON leaves raw (C1 controls, zero-width characters), as the whole document shows them", () => {
    const diff = ['  {', '+   "Resource": "arn:aws:s3:::b/rep\u009b1;31mort\u200b.csv"', '  }'].join('\n');
    assert.equal(
      contextDiff(diff),
      ['  {', '+   "Resource": "arn:aws:s3:::b/rep\\u009b1;31mort\\u200b.csv"', '  }'].join('\n'),
    );
  });

  test('joins changes whose context overlaps, and leaves a diff without changes as it is', () => {
    const diff = ['  a', '- b', '  c', '  d', '+ e', '  f'].join('\n');
    assert.equal(contextDiff(diff), diff);
    assert.equal(contextDiff('  a\n  b'), '  a\n  b');
    // A single line left out is kept: its marker would take as much room.
    assert.equal(contextDiff(['  a', '  b', '+ c'].join('\n'), 1), ['  a', '  b', '+ c'].join('\n'));
    assert.equal(
      contextDiff(['  a', '  b', '  c', '+ d'].join('\n'), 1),
      ['  … (2 unchanged lines)', '  c', '+ d'].join('\n'),
    );
  });
});

describe('documentFile', () => {
  test("an inline policy's file names its holder's kind and name: a user and a role may share a name", () => {
    const of = (attachTo: string) =>
      documentFile({ attachKind: 'inline-policy', attachTo, policyName: 'PermissionAuditorFix' });
    assert.equal(of('arn:aws:iam::111122223333:user/deploy'), 'PermissionAuditorFix-user-deploy.json');
    assert.equal(of('arn:aws:iam::111122223333:role/ci/deploy'), 'PermissionAuditorFix-role-deploy.json');
  });
});

describe('applyCommand', () => {
  test('gives the AWS CLI command that applies the whole document, per kind of policy', () => {
    assert.equal(
      applyCommand(change({})),
      'aws iam put-role-policy --role-name backup --policy-name PermissionAuditorFix --policy-document file://PermissionAuditorFix-role-backup.json',
    );
    assert.equal(
      applyCommand(change({ attachTo: 'arn:aws:iam::111122223333:user/rclone-backup' })),
      'aws iam put-user-policy --user-name rclone-backup --policy-name PermissionAuditorFix --policy-document file://PermissionAuditorFix-user-rclone-backup.json',
    );
    assert.equal(
      applyCommand(
        change({
          attachKind: 'managed-policy-version',
          policyArn: 'arn:aws:iam::111122223333:policy/BackupWriter',
        }),
      ),
      'aws iam create-policy-version --policy-arn arn:aws:iam::111122223333:policy/BackupWriter --policy-document file://BackupWriter.json --set-as-default',
    );
    assert.equal(
      applyCommand(change({ attachKind: 'bucket-policy', attachTo: 'arn:aws:s3:::partner-exports' })),
      'aws s3api put-bucket-policy --bucket partner-exports --policy file://partner-exports-bucket-policy.json',
    );
    assert.equal(
      applyCommand(
        change({
          attachKind: 'service-control-policy',
          policyArn:
            'arn:aws:organizations::999900001111:policy/o-k3x8m2p9qz/service_control_policy/p-d4t4s3ap',
        }),
      ),
      'aws organizations update-policy --policy-id p-d4t4s3ap --content file://p-d4t4s3ap.json',
    );
    assert.equal(applyCommand(change({ attachKind: 'permission-set' })), undefined);
  });

  test("quotes a name a shell would split or expand (IAM's own names never need it)", () => {
    assert.equal(
      applyCommand(change({ policyName: "it's $HOME" })),
      `aws iam put-role-policy --role-name backup --policy-name 'it'\\''s $HOME' --policy-document file://it-s--HOME-role-backup.json`,
    );
  });
});

describe('changeBlocks', () => {
  const newDocument = { Version: '2012-10-17', Statement: [{ Sid: 'Old' }, ...STATEMENTS] };

  test('an edited policy: the statements alone, the diff, then the whole new document and the command', () => {
    const blocks = changeBlocks(
      change({
        attachKind: 'managed-policy-version',
        policyArn: 'arn:aws:iam::111122223333:policy/BackupWriter',
        newDocument,
        diff: '  {\n+   "Sid": "x"\n  }',
      }),
    );
    assert.deepEqual(
      blocks.map((b) => [b.kind, b.heading]),
      [
        ['json', 'Statements to add (a part of the policy, not a whole document)'],
        ['diff', 'Where they go (diff of the policy version, unchanged lines cut)'],
        [
          'json',
          'The whole new policy version, the current one with the statements added (save it as BackupWriter.json)',
        ],
        ['command', 'Apply it with'],
      ],
    );
    assert.deepEqual(blocks[0]?.kind === 'json' ? blocks[0].value : undefined, STATEMENTS);
    assert.deepEqual(blocks[2]?.kind === 'json' ? blocks[2].value : undefined, newDocument);
    // Slack leaves the whole document and the command to the other reports.
    assert.deepEqual(
      changeBlocks(change({ attachKind: 'managed-policy-version', newDocument, diff: '+ x' }), {
        whole: false,
      }).map((b) => b.kind),
      ['json', 'diff'],
    );
  });

  test('a new inline policy is one whole document', () => {
    const blocks = changeBlocks(change({ newDocument: { Version: '2012-10-17', Statement: STATEMENTS } }));
    assert.deepEqual(
      blocks.map((b) => [b.kind, b.heading]),
      [
        ['json', 'The whole new inline policy (save it as PermissionAuditorFix-role-backup.json)'],
        ['command', 'Apply it with'],
      ],
    );
  });

  test('a policy whose current text is not in the input gets the statements to add, and no command that would replace it', () => {
    for (const attachKind of ['bucket-policy', 'permission-set'] as const) {
      const blocks = changeBlocks(change({ attachKind, attachTo: 'arn:aws:s3:::partner-exports' }));
      assert.equal(blocks.length, 1, attachKind);
      assert.match(
        blocks[0]?.heading ?? '',
        /^Statements to add \(the .* is not in the input: add them to it/,
      );
      assert.deepEqual(blocks[0]?.kind === 'json' ? blocks[0].value : undefined, STATEMENTS);
    }
  });
});

describe('a permission set whose inline policy the snapshot holds (its role, as provisioned)', () => {
  test('gets the whole new inline policy, saying where the current one was read, or that there was none', () => {
    const edited = changeBlocks(
      change({
        attachKind: 'permission-set',
        policyName: 'DataScientist',
        newDocument: { Version: '2012-10-17', Statement: [{ Sid: 'Old' }, ...STATEMENTS] },
        diff: '  {\n+   "Sid": "x"\n  }',
      }),
    );
    assert.deepEqual(
      edited.map((b) => b.kind),
      ['json', 'diff', 'json'],
    );
    assert.match(
      edited[2]?.heading ?? '',
      /the current one with the statements added \(read from the role it provisions here, as AwsSSOInlinePolicy: /,
    );
    const created = changeBlocks(
      change({ attachKind: 'permission-set', newDocument: { Version: '2012-10-17', Statement: STATEMENTS } }),
    );
    assert.equal(created.length, 1);
    assert.match(
      created[0]?.heading ?? '',
      /^The whole new inline policy of the permission set \(the role it provisions here holds none: /,
    );
  });
});

describe('an SCP near the size quota', () => {
  test('its whole document says its shown and minified lengths, and how to minify it', () => {
    const big = {
      Version: '2012-10-17',
      Statement: Array.from({ length: 40 }, (_, i) => ({
        Sid: `S${i}`,
        Effect: 'Deny',
        Action: ['s3:DeleteObject'],
        Resource: ['*'],
      })),
    };
    const scp = change({
      attachKind: 'service-control-policy',
      policyArn: 'arn:aws:organizations::999900001111:policy/o-k3x8m2p9qz/service_control_policy/p-d4t4s3ap',
      newDocument: big,
      diff: '+ x',
    });
    const heading = changeBlocks(scp).find((b) => b.kind === 'json' && b.value === big)?.heading ?? '';
    assert.match(
      heading,
      /as shown it is [\d,]+ characters, minified [\d,]+, against the SCP quota of 5,120: minify it before applying it \(jq -c \. p-d4t4s3ap\.json > p-d4t4s3ap\.min\.json, then give file:\/\/p-d4t4s3ap\.min\.json\)/,
    );
    const small = changeBlocks({ ...scp, newDocument: { Version: '2012-10-17', Statement: [] } });
    assert.ok(!small.some((b) => b.heading.includes('SCP quota')));
  });

  test("a bucket policy over S3's 20 KB as shown says how large it is minified, and how to minify it", () => {
    const statement = (i: number) => ({
      Sid: `Read${i}`,
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::444455556666:role/reader' },
      Action: ['s3:GetObject'],
      Resource: [`arn:aws:s3:::partner/exports/${i}/*`],
    });
    const document = (count: number) => ({
      Version: '2012-10-17',
      Statement: Array.from({ length: count }, (_, i) => statement(i)),
    });
    const headingOf = (count: number) => {
      const newDocument = document(count);
      const blocks = changeBlocks(
        change({ attachKind: 'bucket-policy', attachTo: 'arn:aws:s3:::partner', newDocument, diff: '+ x' }),
      );
      return blocks.find((b) => b.kind === 'json' && b.value === newDocument)?.heading ?? '';
    };
    // About 200 bytes a statement as shown, 150 minified: 120 are over 20 KB as shown only.
    assert.match(
      headingOf(120),
      /as shown it is [\d,]+ bytes, minified [\d,]+, against the bucket policy's quota of 20 KB: minify it before applying it \(jq -c \. partner-bucket-policy\.json > partner-bucket-policy\.min\.json, then give file:\/\/partner-bucket-policy\.min\.json\)$/,
    );
    assert.match(
      headingOf(200),
      /: even minified it is too large, so make room in it first \(see the caveats\)$/,
    );
    assert.doesNotMatch(headingOf(10), /quota/);
  });
});

describe('changeBlocks of an edit that adds no statement', () => {
  test("a policy's Version added: the diff and the whole document, no empty list of statements to add", () => {
    const blocks = changeBlocks(
      change({
        attachTo: 'arn:aws:iam::111122223333:policy/BackupWriter',
        attachKind: 'managed-policy-version',
        policyArn: 'arn:aws:iam::111122223333:policy/BackupWriter',
        policyName: 'BackupWriter',
        statements: [],
        newDocument: { Version: '2012-10-17', Statement: [] },
        diff: '  {\n+   "Version": "2012-10-17",\n    "Statement": []\n  }',
      }),
    );
    assert.deepEqual(
      blocks.map((b) => b.heading),
      [
        'The change (diff of the policy version, unchanged lines cut)',
        'The whole new policy version, the current one with the change (save it as BackupWriter.json)',
        'Apply it with',
      ],
    );
  });
});
