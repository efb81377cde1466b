import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { policyDocument } from '../../../src/domain/render/reportWording.js';
import { renderText, renderTextPieces } from '../../../src/domain/render/text.js';
import {
  allowedFinding,
  explicitDenyFinding,
  fullReport,
  HOSTILE_PARTS,
  hugeFinding,
  manySkipped,
  RCLONE_FIX_STATEMENTS,
  RCLONE_JOB_STATEMENTS,
  rcloneAgainFinding,
  rcloneFinding,
  repeatReport,
  request,
} from './reportFixtures.js';

const ESC = '\u001b';
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

/** The JSON document printed after `marker`, read by its indentation. */
function jsonAfter(text: string, marker: string): unknown {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes(marker)) + 1;
  const indent = /^\s*/.exec(lines[start] ?? '')?.[0] ?? '';
  const close = lines[start]?.trim() === '[' ? ']' : '}';
  const end = lines.findIndex((line, index) => index > start && line === `${indent}${close}`);
  return JSON.parse(lines.slice(start, end + 1).join('\n'));
}

describe('renderText', () => {
  test("a change block's heading (which names a role from the snapshot) reaches the terminal without control characters", () => {
    const { diff: _, ...fix } = rcloneFinding.fix!;
    const finding = {
      ...rcloneFinding,
      fix: {
        ...fix,
        attachKind: 'inline-policy' as const,
        policyName: 'PermissionAuditorFix',
        overQuota: `the inline policies of role deploy${ESC}[1A${ESC}[2K${ESC}[32mFIX-APPLIED${ESC}]0;TITLE\u0007 would be 15,069 characters`,
        verified: false,
      },
    };
    const text = renderText({ findings: [finding], skipped: [], errors: [] }, { color: false });
    assert.ok(text.includes('Do not apply it as an inline policy (the inline policies of role deploy'), text);
    assert.ok(!text.includes(ESC), JSON.stringify(text));
    assert.ok(!text.includes('\u0007'));
  });

  test('contains no escape character at all without colour, even with a hostile key', () => {
    const out = renderText(fullReport, { color: false });
    assert.ok(!out.includes(ESC) && !out.includes('\u009b'));
    assert.ok(
      out.includes(`${HOSTILE_PARTS.mention} ${HOSTILE_PARTS.link}`),
      'the key is shown, minus the escape',
    );
    assert.ok(
      out.includes('*bold* \uFFFDred.txt'),
      'the colour sequence in the key is replaced by U+FFFD, not interpreted',
    );
  });

  test('adds colour only around its own labels: without the SGR codes it is the plain rendering', () => {
    const coloured = renderText(fullReport, { color: true });
    assert.ok(coloured.includes(`${ESC}[1mFinding 1 of 3`));
    assert.ok(coloured.includes(`${ESC}[32mFix (verified)${ESC}[0m`));
    assert.equal(coloured.replace(SGR, ''), renderText(fullReport, { color: false }));
  });

  test('shows who, which client, what was denied and why for the rclone finding', () => {
    const out = renderText({ findings: [rcloneFinding], skipped: [], errors: [] }, { color: false });
    assert.match(out, /^Finding 1 of 1: No identity-based policy allows the request$/m);
    assert.match(
      out,
      /Principal {2}backup-job\/i-0abc \(Role, account 111122223333\) arn:aws:sts::111122223333:assumed-role/,
    );
    assert.match(out, /Client {5}rclone v1\.66\.0, user agent rclone\/v1\.66\.0/);
    assert.match(
      out,
      /- CreateBucket {2}s3:CreateBucket {2}arn:aws:s3:::backups {2}implicitly denied \(no allow\)/,
    );
    assert.match(
      out,
      /Evidence: evaluated against the account's policies\. See https:\/\/docs\.aws\.amazon\.com\//,
    );
  });

  test('prints the fix as a pasteable policy document with where to apply it, the diff and the verification', () => {
    const out = renderText({ findings: [rcloneFinding], skipped: [], errors: [] }, { color: false });
    assert.match(
      out,
      /Fix \(verified\): Create a new default version of the managed policy arn:aws:iam::111122223333:policy\/backup-s3 as policy "backup-s3"/,
    );
    assert.deepEqual(
      jsonAfter(out, 'Statements to add (a part of the policy, not a whole document):'),
      RCLONE_FIX_STATEMENTS,
    );
    assert.match(out, /Where they go \(diff of the policy version, unchanged lines cut\):\n {6} \{\n/);
    assert.match(out, /^ {6}\+ {2}"Action": \["s3:GetObject", "s3:PutObject"\],$/m);
    assert.deepEqual(
      jsonAfter(
        out,
        'The whole new policy version, the current one with the statements added (save it as backup-s3.json):',
      ),
      rcloneFinding.fix?.newDocument,
    );
    assert.match(
      out,
      /Apply it with:\n {6}aws iam create-policy-version --policy-arn arn:aws:iam::111122223333:policy\/backup-s3 --policy-document file:\/\/backup-s3.json --set-as-default\n/,
    );
    assert.match(out, /Verification:\n {6}- With the statement added/);
  });

  test('a partial job profile says so in its heading, with why', () => {
    const profile = rcloneFinding.jobProfile;
    assert.ok(profile !== null);
    const partial = {
      ...rcloneFinding,
      jobProfile: { ...profile, partial: 'whether the job writes is unknown' },
    };
    const out = renderText({ findings: [partial], skipped: [], errors: [] }, { color: false });
    assert.match(
      out,
      /Job profile \(rclone copy\): a partial profile, not everything the job needs: whether the job writes is unknown\n/,
    );
  });

  test('keeps the job profile apart from the minimal fix and lists alternatives with what they remove', () => {
    const out = renderText({ findings: [rcloneFinding], skipped: [], errors: [] }, { color: false });
    assert.deepEqual(jsonAfter(out, 'Job profile (rclone copy)'), policyDocument(RCLONE_JOB_STATEMENTS));
    assert.match(out, /Alternatives:\n {4}- Set no_check_bucket = true .* \(removes s3:CreateBucket\)/);
  });

  test('says why there is no fix for an explicit deny and names the Deny statement', () => {
    const out = renderText({ findings: [explicitDenyFinding], skipped: [], errors: [] }, { color: false });
    assert.match(
      out,
      /Denied by:\n {4}- identity-based policy "no-deletes" \(arn:aws:iam::111122223333:policy\/no-deletes\), statement "DenyDelete"/,
    );
    assert.match(out, /No fix proposed: an explicit Deny overrides any Allow/);
    assert.doesNotMatch(out, /Fix \(/);
  });

  test('lists the caveats when the visible policies allow the request', () => {
    const out = renderText({ findings: [allowedFinding], skipped: [], errors: [] }, { color: false });
    assert.match(out, /The visible policies allow the request/);
    assert.match(out, /Caveats:\n {4}- A service control policy .*\n {4}- The object is SSE-KMS encrypted/);
    assert.match(out, /Client {5}boto3\n/);
  });

  test('ends with skipped events and unreadable inputs, with their reasons', () => {
    const out = renderText(fullReport, { color: false });
    assert.match(
      out,
      /Skipped 2 events:\n {2}- e-ec2-1: not an S3 event \(eventSource is ec2\.amazonaws\.com\)\n {2}- e-put-1: duplicate event/,
    );
    assert.match(
      out,
      /1 input could not be read:\n {2}- trail-2026-11-27\.json: Unexpected token .* \(cloudtrail\.invalidJson\)/,
    );
  });

  test('counts skipped events by reason, with a few of each, once there are too many to list', () => {
    const skipped = manySkipped(30, 12);
    const out = renderText({ findings: [], skipped, errors: [] }, { color: false });
    const tail = out.slice(out.indexOf('Skipped'));
    assert.equal(
      tail,
      [
        'Skipped 43 events, by reason:',
        '  not an AccessDenied event: 30 events',
        '    - ok-0: PutObject 0 succeeded',
        '    - ok-1: PutObject 1 succeeded',
        '    - ok-2: PutObject 2 succeeded',
        '    \u2026 (27 more events omitted; see the JSON report)',
        '  not an S3 event: 12 events',
        `    - other-0: from ${HOSTILE_PARTS.mention}\uFFFD`,
        '    - other-1: GetCallerIdentity 1',
        '    - other-2: GetCallerIdentity 2',
        '    \u2026 (9 more events omitted; see the JSON report)',
        '  duplicate event: 1 event',
        '    - again-0: already seen',
        '',
      ].join('\n'),
    );
    // At the limit, every event is still listed on its own.
    const listed = renderText(
      { findings: [], skipped: skipped.slice(0, 20), errors: [] },
      { color: false, maxSkipped: 20 },
    );
    assert.equal((listed.match(/^ {2}- /gm) ?? []).length, 20);
    assert.doesNotMatch(listed, /by reason/);
  });

  test('is written in pieces, one per finding, that join to the same text', () => {
    const report = { ...fullReport, skipped: manySkipped(100, 100) };
    const pieces = [...renderTextPieces(report, { color: true })];
    assert.equal(pieces.join(''), renderText(report, { color: true }));
    // Three findings or more open with an overview.
    assert.ok(pieces[0]?.startsWith(`${ESC}[1mOverview: 3 findings`));
    assert.ok(pieces[1]?.startsWith(`${ESC}[1mFinding 1 of 3`));
    assert.ok(pieces[2]?.startsWith('\n\n') && pieces[2].includes('Finding 2 of 3'));
    assert.ok(pieces[3]?.startsWith('\n\n') && pieces[3].includes('Finding 3 of 3'));
    assert.equal(
      pieces.length,
      6,
      'the overview, three findings, the skipped and errors tail, the final line break',
    );
  });

  test('counts repeated identical requests once and summarises requests beyond the limit', () => {
    const repeated = {
      ...rcloneFinding,
      requests: [request(), request({ eventId: 'b' }), request({ eventId: 'c' })],
    };
    assert.match(
      renderText({ findings: [repeated], skipped: [], errors: [] }, { color: false }),
      /implicitly denied \(no allow\) x3/,
    );
    const many = renderText(
      { findings: [hugeFinding(500, 3)], skipped: [], errors: [] },
      { color: false, maxRequests: 20 },
    );
    assert.equal((many.match(/^ {4}- PutObject/gm) ?? []).length, 20);
    assert.match(many, /\u2026 \(480 more requests omitted; see the JSON report\)/);
    // A request repeated (a retry) is counted as often as it was made, and the distinct ones are said.
    const retried = {
      ...repeated,
      requests: [
        request(),
        request({ eventId: 'b', resource: 'arn:aws:s3:::backups/x' }),
        request({ eventId: 'c', resource: 'arn:aws:s3:::backups/x' }),
      ],
    };
    assert.match(
      renderText({ findings: [retried], skipped: [], errors: [] }, { color: false, maxRequests: 1 }),
      /\u2026 \(2 more requests, 1 distinct, omitted; see the JSON report\)/,
    );
  });

  test('says so when there is nothing to explain', () => {
    assert.equal(
      renderText({ findings: [], skipped: [], errors: [] }, { color: false }),
      'No denied S3 request to explain.\n',
    );
  });

  test('a finding seen again is shown in short: its events, what it shares with the first, and only its new caveats', () => {
    const text = renderText(repeatReport, { color: false });
    const [first = '', again = ''] = text.split('Finding 2 of 2');
    assert.match(again, /^: No identity-based policy allows the request, again \(as in finding 1\)/);
    assert.ok(again.includes('2026-11-28T10:00:00Z to 2026-11-28T10:00:09Z (3 events)'));
    assert.ok(again.includes('arn:aws:sts::111122223333:assumed-role/backup-job/i-0def'));
    assert.ok(again.includes('Denied     s3:PutObject x2, s3:CreateBucket'));
    assert.ok(
      again.includes(
        "Same cause, fix, alternatives and job profile as finding 1: applying that finding's fix (or the combined change that holds it) covers these requests too.",
      ),
    );
    assert.ok(
      again.includes("Caveats beyond finding 1's:\n    - The snapshot may be out of date <!channel>"),
    );
    // The fix, its diff, the alternatives and the job profile are the first finding's alone.
    for (const shown of ['Fix (verified)', 'Alternatives:', 'Job profile', 'Where they go']) {
      assert.ok(first.includes(shown), shown);
      assert.ok(!again.includes(shown), shown);
    }
    assert.ok(!text.includes(ESC), 'the hostile caveat is sanitised');
    assert.ok(first.includes('(2 events); seen again in finding 2 (the same advice)'));
  });

  test('a repeat keeps its own caveats only when its first finding does not give them', () => {
    const same = { ...rcloneAgainFinding, caveats: ['Shared.'] };
    const text = renderText(
      { ...repeatReport, findings: [{ ...repeatReport.findings[0]!, caveats: ['Shared.'] }, same] },
      { color: false },
    );
    assert.ok(!text.includes('Caveats beyond'));
    assert.equal(text.split('Shared.').length, 2, 'the shared caveat is shown once, in finding 1');
  });

  test('the Bucket line says when the refused requests are on another bucket than the event (a copy source)', () => {
    const copy = {
      ...explicitDenyFinding,
      requests: [
        request({
          eventName: 'CopyObject',
          action: 's3:GetObject',
          resource: 'arn:aws:s3:::ingest/raw/a.mp4',
        }),
      ],
    };
    const text = renderText({ findings: [copy], skipped: [], errors: [] }, { color: false });
    assert.ok(
      text.includes(
        '  Bucket     backups (where CloudTrail logged the event; the refused requests are on ingest)',
      ),
      text,
    );
    assert.ok(!renderText(fullReport, { color: false }).includes('where CloudTrail logged the event'));
  });

  test('a permission-set fix names the permission set, and the role it provisions as the target', () => {
    const role =
      'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataScientist_0a1b2c3d4e5f6789';
    const finding = {
      ...rcloneFinding,
      fix: {
        ...rcloneFinding.fix!,
        attachTo: role,
        attachKind: 'permission-set' as const,
        policyName: 'DataScientist',
      },
    };
    const text = renderText({ findings: [finding], skipped: [], errors: [] }, { color: false });
    assert.ok(
      text.includes(
        `Fix (verified): Add to the inline policy of the IAM Identity Center permission set that provisions the role ${role} (permission set "DataScientist")`,
      ),
      text,
    );
    assert.ok(!text.includes('as policy "DataScientist"'));
  });

  test('a repeat of a finding without a fix does not promise one', () => {
    const again = { ...explicitDenyFinding, eventIds: ['e-del-2'], repeatOf: 1 };
    const text = renderText(
      { findings: [explicitDenyFinding, again], skipped: [], errors: [] },
      { color: false },
    );
    assert.ok(
      text.includes('Same cause and advice as finding 1, which has no fix to apply: see why there.'),
      text,
    );
    assert.ok(!text.includes("applying that finding's fix"));
  });

  test('problems with records of one input are counted as problems in that input, not as unreadable inputs', () => {
    const errors = [1, 2, 3].map((n) => ({
      input: `trail.json ($.Records[${n}])`,
      code: 'cloudtrail.missingField',
      message: `trail.json at $.Records[${n}]: CloudTrail record has no eventID.`,
    }));
    const text = renderText({ findings: [], skipped: [], errors }, { color: false });
    assert.match(text, /^3 problems in 1 input, whose records or text could not be read:$/m);
    // One problem with one record does not make its input unreadable either.
    const one = renderText({ findings: [], skipped: [], errors: errors.slice(0, 1) }, { color: false });
    assert.match(one, /^1 problem in 1 input, whose records or text could not be read:$/m);
    assert.doesNotMatch(one, /input could not be read/);
  });
});

describe('renderText with a terminal width', () => {
  const width = 60;
  const piped = renderText(fullReport, { color: false });
  const wrapped = renderText(fullReport, { color: false, width });

  /** Each piped line, as the wrapped rows that make it up (a run of spaces at a break is dropped). */
  function rowsOfEachLine(): string[][] {
    const rows = wrapped.split('\n');
    const normal = (line: string): string => line.trim().replace(/ {2,}/g, ' ');
    let next = 0;
    return piped.split('\n').map((line) => {
      const taken = [rows[next++] ?? ''];
      while (normal(taken.join(' ')).length < normal(line).length && next < rows.length)
        taken.push(rows[next++]!);
      assert.equal(normal(taken.join(' ')), normal(line));
      return taken;
    });
  }

  test('prose is broken at spaces to the width; nothing is lost or reordered', () => {
    assert.ok(
      piped.split('\n').some((line) => line.length > width),
      'the fixture has long lines',
    );
    assert.notEqual(wrapped, piped);
    // Joining each continuation back gives the lines as piped, in order, and every row is used.
    const rows = rowsOfEachLine();
    assert.equal(rows.flat().length, wrapped.split('\n').length);
    const pipedLines = new Set(piped.split('\n'));
    for (const line of wrapped.split('\n')) {
      // Past the width only a line kept whole (JSON, a command) or a word that fits nowhere (a URL).
      if (line.length > width && !pipedLines.has(line))
        assert.doesNotMatch(line.trim(), / /, `a line wider than ${width} that could be broken: ${line}`);
    }
  });

  test("continuations start under a labelled column's value and under a bullet's text", () => {
    const lines = wrapped.split('\n');
    const cause = lines.findIndex((line) => line.startsWith('  Cause      '));
    assert.ok(cause >= 0 && lines[cause + 1]!.startsWith(`${' '.repeat(13)}`), lines[cause + 1]);
    assert.match(lines[cause + 1]!, /^ {13}\S/);
    const caveats = lines.findIndex((line) => line.startsWith('  Caveats:'));
    const bullet = lines
      .slice(caveats + 1)
      .findIndex((line, i, rest) => line.startsWith('    - ') && /^ {6}\S/.test(rest[i + 1] ?? ''));
    assert.ok(bullet >= 0, 'a caveat continues under its text, 6 columns in');
  });

  test('JSON documents, diffs and commands are not broken', () => {
    const copied = piped.split('\n').filter((line) => /^ {4,}(?:[[\]{}"]|aws |\+ )/.test(line));
    assert.ok(
      copied.some((line) => line.length > width && /^ {6}aws /.test(line)),
      'the fixture has a long command',
    );
    assert.ok(
      copied.some((line) => line.trim() === '"Version": "2012-10-17",'),
      'the fixture has a document',
    );
    const wrappedLines = new Set(wrapped.split('\n'));
    for (const line of copied) assert.ok(wrappedLines.has(line), line);
  });

  test('without a width (piped) no line is broken, and colour takes no column when wrapping', () => {
    assert.equal(
      renderText(fullReport, { color: false }),
      [...renderTextPieces(fullReport, { color: false })].join(''),
    );
    assert.ok(!piped.includes('\u0000') && !wrapped.includes('\u0000'));
    const coloured = renderText(fullReport, { color: true, width });
    assert.equal(coloured.replace(SGR, ''), wrapped);
  });
});
