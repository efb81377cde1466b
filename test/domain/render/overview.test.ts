/**
 * The overview that opens a text or Markdown report of three findings or more: one row per distinct
 * answer (a finding and the later ones repeating its advice), with where its fix goes and the combined
 * change that holds it; untrusted names escaped as in the rest of each format.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExplainReport, Fix } from '../../../src/domain/explain/report.js';
import { renderMarkdown } from '../../../src/domain/render/markdown.js';
import { overviewRows } from '../../../src/domain/render/reportWording.js';
import { renderText } from '../../../src/domain/render/text.js';
import { bareFinding } from '../explain/explainFixtures.js';

const USER = 'arn:aws:iam::111122223333:user/nas-sync';
const ROLE = 'arn:aws:iam::111122223333:role/ci/deploy';

const inlineFix: Fix = {
  attachTo: USER,
  attachKind: 'inline-policy',
  statements: [{ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::photos'] }],
  verified: true,
  verification: [],
};

const report: ExplainReport = {
  findings: [
    bareFinding(USER, { bucket: 'photos', fix: inlineFix }),
    bareFinding(ROLE, {
      bucket: 'builds',
      cause: 'resource-policy-explicit-deny',
      fix: null,
    }),
    bareFinding(USER, { bucket: 'photos', fix: inlineFix, repeatOf: 1 }),
    bareFinding(USER, {
      bucket: 'photos-*evil*|x',
      fix: { ...inlineFix, attachKind: 'managed-policy-version', policyName: 'Backup', verified: false },
    }),
  ],
  policyChanges: [
    {
      attachTo: USER,
      attachKind: 'inline-policy',
      findings: [1, 4],
      statements: [],
      newDocument: {},
      verified: true,
      verification: [],
    },
  ],
  skipped: [],
  errors: [],
};

describe('report overview', () => {
  test('one row per distinct answer, with its repeats, fix target and combined change', () => {
    assert.deepEqual(overviewRows(report), [
      {
        findings: [1, 3],
        principal: 'user/nas-sync',
        bucket: 'photos',
        cause: 'identity-missing-allow',
        title: 'No identity-based policy allows the request',
        outcome: 'verified fix: a new inline policy on user/nas-sync',
        combined: [{ number: 1, verified: true, policy: 'the inline policy on user/nas-sync' }],
      },
      {
        findings: [2],
        principal: 'role/ci/deploy',
        bucket: 'builds',
        cause: 'resource-policy-explicit-deny',
        title: 'The bucket policy explicitly denies the request',
        outcome: 'no fix: an explicit Deny (see its caveat)',
        combined: [],
      },
      {
        findings: [4],
        principal: 'user/nas-sync',
        bucket: 'photos-*evil*|x',
        cause: 'identity-missing-allow',
        title: 'No identity-based policy allows the request',
        outcome: 'fix, NOT verified: a new version of Backup',
        combined: [{ number: 1, verified: true, policy: 'the inline policy on user/nas-sync' }],
      },
    ]);
  });

  test('the text report opens with it', () => {
    const text = renderText(report, { color: false });
    assert.ok(
      text.startsWith(
        "Overview: 4 findings, 1 of them repeating an earlier one's advice; 1 combined policy change after the findings\n" +
          '  - 1 (again in 3): user/nas-sync, bucket photos: No identity-based policy allows the request; verified fix: a new inline policy on user/nas-sync; apply its change to the inline policy on user/nas-sync within combined change 1\n' +
          '  - 2: role/ci/deploy, bucket builds: The bucket policy explicitly denies the request; no fix: an explicit Deny (see its caveat)\n',
      ),
      text.slice(0, 600),
    );
    assert.ok(text.indexOf('Finding 1 of 4') > text.indexOf('  - 2: role/ci/deploy'));
  });

  test('the Markdown report has it as a table whose untrusted cells are escaped', () => {
    const markdown = renderMarkdown(report);
    const table = markdown.slice(markdown.indexOf('## Overview'), markdown.indexOf('## 1. '));
    assert.match(table, /^\| Findings \| Principal \| Bucket \| Cause \| Advice \|$/m);
    assert.match(
      table,
      /^\| 1 \\\(again in 3\\\) \| user\\\/nas\\-sync \| photos \| No identity-based policy allows the request \| .*combined change 1 \|$/m,
    );
    // A `|` or `*` in a name can neither end the cell nor start emphasis.
    assert.match(table, /\| photos\\-\\\*evil\\\*\\\|x \|/);
    assert.equal(table.match(/^\|/gm)?.length, 5, 'header, separator, three rows');
  });

  test('a combined change not verified as a whole, and a fix beside an explicit Deny, say so', () => {
    const partial: ExplainReport = {
      ...report,
      findings: [
        ...report.findings.slice(0, 3),
        bareFinding(USER, { bucket: 'photos', cause: 'identity-explicit-deny', fix: inlineFix }),
      ],
      policyChanges: [{ ...report.policyChanges![0]!, verified: false }],
    };
    const rows = overviewRows(partial);
    assert.equal(
      rows[2]?.outcome,
      'verified fix for the requests the Deny does not refuse: a new inline policy on user/nas-sync',
    );
    assert.match(
      renderText(partial, { color: false }),
      /^ {2}- 4: .*; apply its change to the inline policy on user\/nas-sync within combined change 1 \(which is not verified as a whole\)$/m,
    );
  });

  test('a bucket-policy fix checked without the bucket policy says so in its title and outcome', () => {
    const unseen: ExplainReport = {
      ...report,
      findings: [
        ...report.findings.slice(0, 2),
        bareFinding(ROLE, {
          bucket: 'partner',
          cause: 'resource-policy-missing-allow',
          fix: { ...inlineFix, attachTo: 'arn:aws:s3:::partner', attachKind: 'bucket-policy' },
        }),
      ],
      policyChanges: [],
    };
    const row = overviewRows(unseen)[2];
    assert.equal(
      row?.title,
      "Nothing on the bucket's side allows the request (its policy is not in the input)",
    );
    assert.equal(row?.outcome, 'fix verified as if the bucket had no policy: the bucket policy of partner');
    const withPolicy = overviewRows({
      ...unseen,
      findings: unseen.findings.map((f, i) => (i === 2 ? { ...f, fix: { ...f.fix!, newDocument: {} } } : f)),
    })[2];
    assert.equal(withPolicy?.title, 'The bucket policy does not allow the request');
    assert.equal(withPolicy?.outcome, 'verified fix: the bucket policy of partner');
  });

  test('reports of fewer than three findings have none', () => {
    const two = { ...report, findings: report.findings.slice(0, 2), policyChanges: [] };
    assert.ok(renderText(two, { color: false }).startsWith('Finding 1 of 2'));
    assert.ok(!renderMarkdown(two).includes('## Overview'));
  });
});

describe('a long overview (10 distinct answers or more)', () => {
  const buckets = Array.from({ length: 9 }, (_, i) => `bucket-${i}`);
  const long: ExplainReport = {
    findings: [
      ...buckets.map((bucket) => bareFinding(USER, { bucket, fix: inlineFix })),
      bareFinding(ROLE, { bucket: 'builds', cause: 'resource-policy-explicit-deny', fix: null }),
      bareFinding('arn:aws:iam::111122223333:user/a*b', { bucket: 'x', fix: inlineFix }),
    ],
    skipped: [],
    errors: [],
  };

  test('opens with its answers by cause and by principal, most first', () => {
    const text = renderText(long, { color: false });
    const [heading, causes, principals] = text.split('\n');
    assert.equal(heading, 'Overview: 11 findings');
    assert.equal(
      causes,
      '  Answers by cause: No identity-based policy allows the request (10); The bucket policy explicitly denies the request (1)',
    );
    assert.equal(principals, '  Answers by principal: user/nas-sync (9), role/ci/deploy (1), user/a*b (1)');
    const markdown = renderMarkdown(long);
    assert.ok(
      markdown.includes(
        '\n\nAnswers by principal: user\\/nas\\-sync (9), role\\/ci\\/deploy (1), user\\/a\\*b (1).\n',
      ),
      markdown.slice(0, 800),
    );
  });

  test('a short one has no totals', () => {
    assert.ok(!renderText(report, { color: false }).includes('Answers by cause'));
  });
});
