import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding } from '../../../src/domain/explain/report.js';
import {
  fitSnsMessage,
  renderSns,
  renderSnsPolicyChange,
  renderSnsProblems,
  SNS_LIMITS,
  toSnsSubject,
} from '../../../src/domain/render/sns.js';
import {
  fullReport,
  hugeFinding,
  RCLONE_FIX_STATEMENTS,
  rcloneFinding,
  repeatReport,
} from './reportFixtures.js';

/** A repeat of the rclone finding first seen at `time`, with its caveats. */
function seenAt(time: string): Finding {
  return { ...rcloneFinding, firstSeen: time, repeatOf: 1 };
}

/** Printable ASCII, starting with a letter, digit or punctuation, under 100 characters. */
function assertValidSubject(subject: string): void {
  assert.ok(
    subject.length > 0 && subject.length <= SNS_LIMITS.subjectMaxLength.value,
    `${subject.length}: ${subject}`,
  );
  assert.match(subject, /^[\x20-\x7e]+$/);
  assert.match(subject, /^[A-Za-z0-9!"#%&'()*,\-./:;?@[\\\]_{}]/);
}

describe('renderSns', () => {
  test('a finding subject names the principal, the action and the bucket', () => {
    const { subject } = renderSns(rcloneFinding);
    assert.equal(subject, 'AccessDenied: role backup-job s3:PutObject +1 on backups');
    assertValidSubject(subject);
  });

  test('an SSE-KMS refusal names the S3 actions, then the KMS calls the caller may not make', () => {
    const kmsRow = (action: string, decision: Finding['requests'][number]['decision']) => ({
      eventId: 'e-1',
      eventName: 'PutObject',
      action,
      resource: 'arn:aws:kms:eu-west-1:111122223333:key/k',
      decision,
      source: 'operation' as const,
    });
    const refused: Finding = {
      ...rcloneFinding,
      requests: [
        ...rcloneFinding.requests,
        kmsRow('kms:GenerateDataKey', 'ImplicitlyDenied'),
        kmsRow('kms:Decrypt', 'Allowed'),
      ],
    };
    const { subject } = renderSns(refused);
    assert.equal(
      subject,
      'AccessDenied: role backup-job s3:PutObject +1 (needs kms:GenerateDataKey) on backups',
    );
    assertValidSubject(subject);
    // KMS calls the caller's policies allow are not what it lacks: the subject is the S3 one.
    const allowed: Finding = {
      ...rcloneFinding,
      requests: [...rcloneFinding.requests, kmsRow('kms:GenerateDataKey', 'Allowed')],
    };
    assert.equal(renderSns(allowed).subject, 'AccessDenied: role backup-job s3:PutObject +1 on backups');
  });

  test('a very long ARN still gives a subject SNS accepts', () => {
    const longArn = `arn:aws:sts::111122223333:assumed-role/${'r'.repeat(64)}/${'session-\u00e9\u2603\n'.repeat(30)}`;
    const finding: Finding = { ...rcloneFinding, principal: { ...rcloneFinding.principal, arn: longArn } };
    const { subject } = renderSns(finding);
    assertValidSubject(subject);
    assert.ok(subject.startsWith('AccessDenied: role rrrr'));
    assert.ok(subject.endsWith('...'));
    assert.doesNotMatch(subject, /[\n\r]/);
  });

  test('toSnsSubject drops leading symbols, replaces non-ASCII and collapses line breaks', () => {
    assert.equal(toSnsSubject('  $ ~ Denied\r\n caf\u00e9 \u001b[31m  '), 'Denied caf? ?[31m');
    assert.equal(toSnsSubject('\u2603'), '?');
    assert.equal(toSnsSubject(''), 'permission-auditor');
  });

  test('the message is plain text with the fix statements as JSON and no Markdown or escape codes', () => {
    const { message } = renderSns(rcloneFinding);
    assert.doesNotMatch(message, /```|\*\*|^#/m);
    assert.ok(!message.includes('\u001b') && !message.includes('\u009b'));
    const lines = message.split('\n');
    const start = lines.findIndex((line) => line.startsWith('    Statements to add')) + 1;
    const end = lines.findIndex((line, index) => index > start && line === '    ]');
    assert.deepEqual(JSON.parse(lines.slice(start, end + 1).join('\n')), RCLONE_FIX_STATEMENTS);
    assert.match(message, /Alternatives:\n {4}- Set no_check_bucket = true/);
  });

  test('a whole report is summarised in the subject and lists skipped events and errors in the message', () => {
    const { subject, message } = renderSns(fullReport);
    assert.equal(subject, 'AccessDenied: 3 findings');
    assert.match(message, /^Finding 3 of 3: /m);
    assert.match(message, /Skipped 2 events:/);
    assert.match(message, /1 input could not be read:/);
  });

  test('a report with a single finding uses that finding’s subject', () => {
    assert.equal(
      renderSns({ findings: [rcloneFinding], skipped: [], errors: [] }).subject,
      renderSns(rcloneFinding).subject,
    );
  });

  test('a message over 256 KB is cut on a line boundary with a marker', () => {
    const { message } = renderSns(hugeFinding(10, 5000));
    const bytes = new TextEncoder().encode(message).length;
    assert.ok(bytes <= SNS_LIMITS.messageMaxBytes.value, `${bytes} bytes`);
    assert.match(message, /\n\u2026 \(\d+ more lines omitted; see the JSON report\)\n$/);
  });

  test("a report of one finding and its repeats uses that finding's subject with how many times it was seen", () => {
    assert.equal(
      renderSns(repeatReport).subject,
      'AccessDenied: role backup-job s3:PutObject +1 on backups (2 times)',
    );
  });

  test("a finding's alert names the findings that repeat it, in the subject and the Seen line", () => {
    const alert = renderSns(rcloneFinding, [4, 7]);
    assert.equal(alert.subject, 'AccessDenied: role backup-job s3:PutObject +1 on backups (3 times)');
    assert.ok(alert.message.includes('(2 events); seen again in findings 4, 7 (the same advice)'));
    assert.ok(!renderSns(rcloneFinding).message.includes('seen again'));
  });

  test('given the repeats, the alert names them by the time each was first seen, as they get no alert of their own', () => {
    const alert = renderSns(rcloneFinding, [4, 7], 'Finding 1 of 7', [
      seenAt('2026-11-28T10:00:00Z'),
      seenAt('2026-11-29T10:00:00Z'),
    ]);
    assert.ok(
      alert.message.includes(
        '(2 events); seen again 2 times, at 2026-11-28T10:00:00Z and 2026-11-29T10:00:00Z (the same advice; no alert of their own)',
      ),
      alert.message,
    );
    assert.ok(!alert.message.includes('findings 4, 7'));
  });

  test('the same words in the user agent stay as recorded: only the Seen line names the repeats by time', () => {
    const forged = {
      ...rcloneFinding,
      client: {
        ...rcloneFinding.client,
        userAgent: 'rclone/v1.68.1 seen again in findings 4, 7 (the same advice)',
      },
    };
    const alert = renderSns(forged, [4, 7], 'Finding 1 of 7', [
      seenAt('2026-11-28T10:00:00Z'),
      seenAt('2026-11-29T10:00:00Z'),
    ]);
    assert.ok(
      alert.message.includes('rclone/v1.68.1 seen again in findings 4, 7 (the same advice)'),
      alert.message,
    );
    assert.ok(
      alert.message.includes(
        '(2 events); seen again 2 times, at 2026-11-28T10:00:00Z and 2026-11-29T10:00:00Z',
      ),
      alert.message,
    );
  });

  test("the repeats' times are the records' own: no control character, and no replacement pattern ($', $&) is expanded", () => {
    const forged = "Nov 27 2026 01:30:09 GMT ($' \u001b[2JURGENT $&)";
    const alert = renderSns(rcloneFinding, [4], 'Finding 1 of 2', [seenAt(forged)]);
    assert.ok(!alert.message.includes('\u001b'), alert.message);
    assert.ok(alert.message.includes("seen again once, at Nov 27 2026 01:30:09 GMT ($' "), alert.message);
    assert.ok(alert.message.includes('URGENT $&) (the same advice; no alert of their own)'), alert.message);
  });

  test("a repeat's caveats beyond the first finding's are in the alert, under the time it was seen", () => {
    const repeat = {
      ...seenAt('2026-11-28T10:00:00Z'),
      caveats: [...rcloneFinding.caveats, 'Only this night: the request came from 198.51.100.7.'],
    };
    const alert = renderSns(rcloneFinding, [2], 'Finding 1 of 2', [repeat]);
    assert.ok(
      alert.message.includes(
        'Seen again at 2026-11-28T10:00:00Z, with caveats of its own:\n  - Only this night: the request came from 198.51.100.7.',
      ),
      alert.message,
    );
    // A repeat whose caveats are all the first finding's adds nothing.
    assert.ok(
      !renderSns(rcloneFinding, [2], 'Finding 1 of 2', [seenAt('2026-11-28T10:00:00Z')]).message.includes(
        'caveats of its own',
      ),
    );
  });

  test('an IAM Identity Center session is named by its user and permission set', () => {
    const arn =
      'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_DataScientist_0a1b2c3d4e5f6789/maria.garcia';
    const { subject } = renderSns({
      ...rcloneFinding,
      principal: { arn, type: 'IdentityCenter', account: '111122223333' },
    });
    assert.equal(
      subject,
      'AccessDenied: maria.garcia (permission set DataScientist) s3:PutObject +1 on backups',
    );
  });

  test('a subject too long is cut before how many times, which stays whole', () => {
    const arn = `arn:aws:sts::111122223333:assumed-role/${'r'.repeat(64)}/i-0abc`;
    const alert = renderSns({ ...rcloneFinding, principal: { ...rcloneFinding.principal, arn } }, [4, 7]);
    assertValidSubject(alert.subject);
    assert.equal(alert.subject.length, SNS_LIMITS.subjectMaxLength.value);
    assert.ok(alert.subject.endsWith('... (3 times)'), alert.subject);
  });

  test('a combined policy change is an alert of its own, which the findings its alerts name can follow', () => {
    const change = {
      attachTo: 'arn:aws:iam::111122223333:policy/backup-s3',
      attachKind: 'managed-policy-version' as const,
      policyArn: 'arn:aws:iam::111122223333:policy/backup-s3',
      policyName: 'backup-s3',
      findings: [1, 3],
      statements: RCLONE_FIX_STATEMENTS,
      newDocument: { Version: '2012-10-17', Statement: RCLONE_FIX_STATEMENTS },
      verified: true,
      verification: ['Combines the fixes of 2 findings.'],
    };
    // Its number is its place in policyChanges, by which the findings' caveats name it.
    const alert = renderSnsPolicyChange(change, 1);
    assert.equal(alert.subject, 'Combined policy change 2: findings 1, 3');
    assert.match(
      alert.message,
      /^Combined policy change 2: apply it instead of what the fixes of findings 1, 3 change in this policy; the rest of those fixes still applies\n {2}Change 2, for findings 1, 3 \(verified\): Create a new default version of the managed policy/,
    );
    assert.ok(!alert.message.includes('\u001b'));
    assert.match(renderSns(rcloneFinding, [], 'Finding 2 of 5').message, /^Finding 2 of 5: /);
  });

  test('the inputs a report could not read get an alert of their own; none when all were read', () => {
    const alert = renderSnsProblems(fullReport);
    assert.equal(alert?.subject, 'permission-auditor: 1 input problem');
    assert.match(
      alert?.message ?? '',
      /1 input could not be read:\n {2}- trail-2026-11-27\.json: Unexpected token .* \(cloudtrail\.invalidJson\)\n/,
    );
    assert.equal(renderSnsProblems({ ...fullReport, errors: [] }), undefined);
  });

  test('a problems alert too long for SNS keeps its warnings: they come first, the skipped events are left out', () => {
    const errors = Array.from({ length: 3000 }, (_, i) => ({
      input: `AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/28/file-${i}.json.gz`,
      code: 'input.badGzip',
      message: `AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/28/file-${i}.json.gz: unexpected end of file ${'x'.repeat(60)}`,
    }));
    const warning = {
      input: 'AWSLogs',
      code: 'input.manyUnreadable',
      message: '3000 files were not read; check the bucket copy',
    };
    const alert = renderSnsProblems({ ...fullReport, errors, warnings: [warning] });
    assert.equal(alert?.subject, 'permission-auditor: 3000 input problems, 1 warning');
    assert.ok(
      alert?.message.includes('3000 files were not read; check the bucket copy'),
      alert?.message.slice(0, 300),
    );
    assert.ok(!alert?.message.includes('Skipped'), alert?.message.slice(0, 300));
    assert.ok(new TextEncoder().encode(alert?.message ?? '').length <= SNS_LIMITS.messageMaxBytes.value);
  });
});

describe('fitting a message to the byte limit', () => {
  test('a line too long for what is left is cut, not dropped, and the lines left out are counted right', () => {
    const bytes = (text: string) => new TextEncoder().encode(text).length;
    const only = `1 problem in 1 input:\n  - in.json: ${'é'.repeat(400)}\n`;
    const fitted = fitSnsMessage(only, 300);
    assert.ok(bytes(fitted) <= 300, String(bytes(fitted)));
    assert.ok(fitted.startsWith('1 problem in 1 input:\n  - in.json: éé'), fitted);
    assert.match(fitted, /… \(\d+ more characters omitted; see the JSON report\)\n$/);
    assert.doesNotMatch(fitted, /more lines/);
    // Whole lines after the cut one are counted, without the trailing line break's empty "line".
    const more = fitSnsMessage(`head\n${'x'.repeat(400)}\nnext\nlast\n`, 200);
    assert.ok(bytes(more) <= 200);
    assert.match(more, /\n… \(2 more lines omitted; see the JSON report\)\n$/);
    // A message within the limit is kept as it is.
    assert.equal(fitSnsMessage('short\n', 200), 'short\n');
  });
});
