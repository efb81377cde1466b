import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toSingleLine } from '../../../src/domain/render/escape.js';
import { renderMarkdown, renderMarkdownPieces } from '../../../src/domain/render/markdown.js';
import { policyDocument } from '../../../src/domain/render/reportWording.js';
import {
  explicitDenyFinding,
  fullReport,
  HOSTILE_OBJECT_ARN,
  HOSTILE_PARTS,
  hugeFinding,
  manySkipped,
  RCLONE_FIX_STATEMENTS,
  RCLONE_JOB_STATEMENTS,
  rcloneFinding,
  repeatReport,
} from './reportFixtures.js';

interface CodeParts {
  readonly prose: string;
  readonly spans: readonly string[];
  readonly blocks: readonly { readonly info: string; readonly body: string }[];
}

/**
 * Splits rendered Markdown into prose, inline code spans and fenced blocks, following the CommonMark rules
 * the renderer relies on (a span closes at the next backtick run of the same length; a fence closes at a
 * line of at least as many backticks).
 */
function splitCode(markdown: string): CodeParts {
  const blocks: { info: string; body: string }[] = [];
  const proseLines: string[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(\w*)$/.exec(lines[i] ?? '');
    if (open === null) {
      proseLines.push(lines[i] ?? '');
      continue;
    }
    const fence = open[1] ?? '';
    const end = lines.findIndex((line, index) => index > i && line.startsWith(fence) && /^`+$/.test(line));
    blocks.push({ info: open[2] ?? '', body: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  const spans: string[] = [];
  const text = proseLines.join('\n');
  let prose = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i] ?? '';
    if (char === '\\' && /[!-/:-@[-`{-~]/.test(text[i + 1] ?? '')) {
      prose += text.slice(i, i + 2); // a backslash-escaped character never opens a code span
      i += 2;
      continue;
    }
    const run = /^`+/.exec(text.slice(i))?.[0];
    if (run === undefined) {
      prose += char;
      i++;
      continue;
    }
    const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
    close.lastIndex = i + run.length;
    const end = close.exec(text);
    if (end === null) {
      prose += run;
      i += run.length;
      continue;
    }
    spans.push(text.slice(i, end.index + run.length));
    i = end.index + run.length;
  }
  return { prose, spans, blocks };
}

describe('renderMarkdown', () => {
  test('hostile key parts appear in prose only escaped, and inline code spans cannot be broken out of', () => {
    const { prose, spans } = splitCode(renderMarkdown(fullReport));
    const { entity, ...parts } = HOSTILE_PARTS;
    for (const part of Object.values(parts)) {
      assert.ok(!prose.includes(part), `raw ${JSON.stringify(part)} in prose`);
    }
    assert.ok(
      !prose.includes(`${entity} `),
      'the entity in the key is itself escaped, so it shows literally',
    );
    // In running text, the ARN's first word is a code span (inert), the rest of the key escaped.
    assert.match(
      prose,
      /&lt;https\\:\\\/\\\/evil\\\.example\\\|click&gt; &amp;amp\\; \\`\\` \\` \\`\\` \\\*bold\\\*/,
    );
    assert.ok(spans.includes('`arn:aws:s3:::backups/reports/<!channel>`'), spans.join(' | '));
    assert.doesNotMatch(prose, /[<>]/);
    assert.ok(!prose.includes('\u001b'));
    // The key's longest backtick run is 2, so its span is fenced with 3 and shows the key verbatim (ESC made visible).
    assert.ok(spans.includes(`\`\`\`${toSingleLine(HOSTILE_OBJECT_ARN)}\`\`\``));
  });

  test('the fix (statements to add, then the whole new document) and the job profile are JSON code fences that parse', () => {
    const { blocks } = splitCode(renderMarkdown({ findings: [rcloneFinding], skipped: [], errors: [] }));
    const json = blocks.filter((block) => block.info === 'json').map((block) => JSON.parse(block.body));
    assert.deepEqual(json, [
      RCLONE_FIX_STATEMENTS,
      rcloneFinding.fix?.newDocument,
      policyDocument(RCLONE_JOB_STATEMENTS),
    ]);
    const diff = blocks.find((block) => block.info === 'diff');
    assert.ok(diff?.body.includes('+  "Action": ["s3:GetObject", "s3:PutObject"],'));
    assert.ok(!(diff?.body ?? '').includes('\u001b'));
    assert.deepEqual(
      blocks.filter((block) => block.info === 'sh').map((block) => block.body),
      [
        'aws iam create-policy-version --policy-arn arn:aws:iam::111122223333:policy/backup-s3 --policy-document file://backup-s3.json --set-as-default',
      ],
    );
  });

  test('says where to apply the fix, whether it was verified and what the alternatives remove', () => {
    const out = renderMarkdown({ findings: [rcloneFinding], skipped: [], errors: [] });
    assert.match(out, /^### Fix \(verified\)$/m);
    assert.match(
      out,
      /^Create a new default version of the managed policy `arn:aws:iam::111122223333:policy\/backup-s3` as policy `backup-s3`\.$/m,
    );
    assert.match(out, /^- Set no\\_check\\_bucket \\= true .* \(removes `s3:CreateBucket`\)$/m);
    assert.match(out, /^### Job profile \(rclone copy\)$/m);
  });

  test('an explicit deny has no fix section, names the Deny statement and says why', () => {
    const out = renderMarkdown({ findings: [explicitDenyFinding], skipped: [], errors: [] });
    assert.match(out, /^### No fix proposed\n\nAn explicit Deny overrides any Allow/m);
    assert.match(out, /^- identity\\-based policy \\"no\\-deletes\\" .*statement \\"DenyDelete\\"$/m);
    assert.doesNotMatch(out, /```json/);
  });

  test('lists caveats, skipped events and unreadable inputs', () => {
    const out = renderMarkdown(fullReport);
    assert.match(out, /^# permission-auditor: 3 findings$/m);
    assert.match(out, /^### Caveats\n\n- A service control policy/m);
    assert.match(out, /^## Skipped events \(2\)\n\n- `e-ec2-1`: not an S3 event/m);
    assert.match(
      out,
      /^## Unreadable inputs \(1\)\n\n- trail\\-2026\\-11\\-27\\.json\\: Unexpected token &lt;\\!channel&gt; \(`cloudtrail.invalidJson`\)$/m,
    );
  });

  test('counts skipped events by reason, with a few of each, once there are too many to list', () => {
    const out = renderMarkdown({ findings: [], skipped: manySkipped(30, 12), errors: [] });
    const section = out.slice(out.indexOf('## Skipped events'));
    const lines = section.split('\n');
    assert.deepEqual(lines.slice(0, 8), [
      '## Skipped events (43)',
      '',
      '- not an AccessDenied event: 30 events',
      '  - `ok-0`: PutObject 0 succeeded',
      '  - `ok-1`: PutObject 1 succeeded',
      '  - `ok-2`: PutObject 2 succeeded',
      '  - \u2026 (27 more events omitted; see the JSON report)',
      '- not an S3 event: 12 events',
    ]);
    // The hostile message is escaped: no raw mention, no raw escape character.
    assert.match(lines[8] ?? '', /^ {2}- `other-0`: from &lt;\\!channel&gt;/);
    assert.ok(!section.includes('<!channel>') && !section.includes('\u001b'));
    assert.ok(section.endsWith('- duplicate event: 1 event\n  - `again-0`: already seen\n'));
  });

  test('is written in pieces, one per section, that join to the same document', () => {
    const report = { ...fullReport, skipped: manySkipped(50, 5) };
    const pieces = [...renderMarkdownPieces(report)];
    const whole = renderMarkdown(report);
    assert.equal(pieces.join(''), whole);
    assert.equal(pieces.length, 7, 'heading, overview, three findings, skipped events, unreadable inputs');
    assert.ok(pieces[1]?.startsWith('## Overview\n'));
    assert.ok(pieces[2]?.startsWith('## 1. '));
    assert.ok(whole.endsWith('\n') && !whole.endsWith('\n\n'));
    const empty = [...renderMarkdownPieces({ findings: [], skipped: [], errors: [] })];
    assert.deepEqual(empty, ['# permission-auditor: 0 findings\n\nNo denied S3 request to explain.\n']);
  });

  test('summarises requests beyond the limit with a pointer to the JSON report', () => {
    const out = renderMarkdown(
      { findings: [hugeFinding(500, 2)], skipped: [], errors: [] },
      { maxRequests: 50 },
    );
    assert.equal((out.match(/^- `PutObject` `s3:PutObject` on /gm) ?? []).length, 50);
    assert.match(out, /^- \u2026 \(450 more requests omitted; see the JSON report\)$/m);
  });

  test('a finding seen again is a short section: its events, what it shares with the first, and only its new caveats, escaped', () => {
    const markdown = renderMarkdown(repeatReport);
    assert.match(markdown, /^# permission-auditor: 2 findings \(1 of them seen again\)$/m);
    const again = markdown.slice(markdown.indexOf('## 2. '));
    assert.ok(
      markdown
        .slice(0, markdown.indexOf('## 2. '))
        .includes('(2 events); seen again in finding 2 (the same advice)'),
    );
    assert.match(again, /^## 2\. No identity-based policy allows the request, again \(as in finding 1\)$/m);
    assert.ok(again.includes('- **Denied:** `s3:PutObject x2, s3:CreateBucket`'));
    assert.ok(again.includes('Same cause, fix, alternatives and job profile as finding 1'));
    assert.ok(again.includes("### Caveats beyond finding 1's"));
    assert.ok(again.includes('&lt;\\!channel&gt;'), 'the hostile caveat is escaped');
    assert.ok(!again.includes('```json'), "no policy document: the fix is finding 1's");
    assert.ok(!splitCode(again).prose.includes('\u001b'));
  });
});
