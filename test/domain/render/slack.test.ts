import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { combinePolicyChanges } from '../../../src/domain/explain/policyChanges.js';
import type { ExplainReport, Finding, PolicyStatement } from '../../../src/domain/explain/report.js';
import { renderSlack } from '../../../src/domain/render/slack.js';
import { SLACK_LIMITS, type SlackBlock, type SlackMessage } from '../../../src/domain/render/slackBlock.js';
import {
  allowedFinding,
  explicitDenyFinding,
  fullReport,
  HOSTILE_OBJECT_ARN,
  HOSTILE_PARTS,
  hugeFinding,
  RCLONE_FIX_STATEMENTS,
  rcloneFinding,
  repeatReport,
} from './reportFixtures.js';

function blockTexts(block: SlackBlock): string[] {
  switch (block.type) {
    case 'header':
    case 'section':
      return [block.text.text];
    case 'context':
      return block.elements.map((element) => element.text);
    case 'divider':
      return [];
  }
}

function allTexts(messages: readonly SlackMessage[]): string[] {
  return messages.flatMap((message) => [message.text, ...message.blocks.flatMap(blockTexts)]);
}

/** Text outside inline code spans and code blocks, where Slack applies formatting. */
function outsideCode(text: string): string {
  return text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
}

function assertWithinSlackLimits(messages: readonly SlackMessage[]): void {
  for (const message of messages) {
    assert.ok(
      message.blocks.length <= SLACK_LIMITS.blocksPerMessage.value,
      `${message.blocks.length} blocks`,
    );
    assert.ok(message.text.length <= SLACK_LIMITS.fallbackText.value);
    let total = 0;
    for (const block of message.blocks) {
      for (const text of blockTexts(block)) {
        assert.ok(text.length <= SLACK_LIMITS.sectionText.value, `${block.type} text of ${text.length}`);
        total += text.length;
      }
      if (block.type === 'header') assert.ok(block.text.text.length <= SLACK_LIMITS.headerText.value);
      if (block.type === 'context') assert.ok(block.elements.length <= SLACK_LIMITS.contextElements.value);
    }
    assert.ok(total <= SLACK_LIMITS.blocksTextTotal.value, `${total} characters in blocks`);
  }
}

/** rclone's finding on `bucket` whose fix adds `statements` to a new version of the managed policy backup-s3. */
function onBackupPolicy(bucket: string, statements: PolicyStatement[]): Finding {
  const fix = rcloneFinding.fix!;
  return {
    ...rcloneFinding,
    bucket,
    fix: {
      ...fix,
      statements,
      newDocument: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::backups/*' },
          ...statements,
        ],
      },
    },
  };
}

/** Three findings, the first and third fixing backup-s3 (a combined change), with skipped events. */
function reportWithCombinedChange(): ExplainReport {
  const { findings, policyChanges } = combinePolicyChanges([
    onBackupPolicy('backups', [
      { Effect: 'Allow', Action: ['s3:PutObject'], Resource: [HOSTILE_OBJECT_ARN] },
    ]),
    explicitDenyFinding,
    onBackupPolicy('archive', [
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::archive'] },
    ]),
  ]);
  return { findings, policyChanges, skipped: fullReport.skipped, errors: [] };
}

describe('renderSlack', () => {
  test('renders one message per finding, each opening with a header and closing with a divider', () => {
    const messages = renderSlack(fullReport);
    assert.equal(messages.length, 3);
    for (const message of messages) {
      assert.equal(message.blocks[0]?.type, 'header');
      assert.equal(message.blocks.at(-1)?.type, 'divider');
    }
    const header = messages[0]?.blocks[0];
    assert.equal(
      header?.type === 'header' ? header.text.text : '',
      'AccessDenied: backup-job/i-0abc: No identity-based policy allows the request',
    );
  });

  test('no hostile string can create a mention, a link, formatting or a code-span break', () => {
    const texts = allTexts(renderSlack(fullReport));
    for (const text of texts) {
      assert.ok(
        !text.includes(HOSTILE_PARTS.mention) && !text.includes('<@') && !text.includes('<https://evil'),
      );
      // The only raw angle brackets are the renderer's own documentation links.
      for (const match of text.matchAll(/</g)) {
        assert.ok(
          text.startsWith('<https://docs.aws.amazon.com/', match.index),
          text.slice(match.index, match.index + 40),
        );
      }
      assert.ok(!text.includes('\u001b') && !text.includes('\u009b'));
      assert.ok(!outsideCode(text).includes(HOSTILE_PARTS.bold), 'bold markup outside code');
      assert.ok(!text.includes(HOSTILE_PARTS.backticks), 'the key’s backticks are neutralised');
      const fences = text.match(/```/g)?.length ?? 0;
      assert.equal(fences % 2, 0, 'code blocks are closed');
      assert.equal(
        (text.replace(/```/g, '').match(/`/g)?.length ?? 0) % 2,
        0,
        'inline code spans are closed',
      );
    }
    assert.ok(
      texts.some((text) => text.includes('&lt;!channel&gt;')),
      'the mention is shown escaped',
    );
    assert.ok(
      texts.some((text) => text.includes('&amp;amp;')),
      'the entity in the key shows literally',
    );
  });

  test('every mrkdwn text is verbatim so Slack does not auto-parse mentions or links in values', () => {
    for (const message of renderSlack(fullReport)) {
      for (const block of message.blocks) {
        const texts =
          block.type === 'section' ? [block.text] : block.type === 'context' ? block.elements : [];
        for (const text of texts) assert.ok(text.type === 'plain_text' || text.verbatim);
        if (block.type === 'header') assert.equal(block.text.emoji, false);
      }
    }
  });

  test('the fix code block is JSON that parses to the exact statements, hostile key included', () => {
    const [message] = renderSlack({ findings: [rcloneFinding], skipped: [], errors: [] });
    const fix = message?.blocks.flatMap(blockTexts).find((text) => text.startsWith('*Fix (verified)*'));
    assert.ok(fix !== undefined);
    assert.match(
      fix,
      /^\*Fix \(verified\)\*: Create a new default version of the managed policy `arn:aws:iam::111122223333:policy\/backup-s3`/,
    );
    // The statements to add, bare: wrapped in a document, they would read as the whole new policy.
    assert.match(fix, /Statements to add \(a part of the policy, not a whole document\):/);
    const body = /```\n([\s\S]*?)\n```/.exec(fix)?.[1] ?? '';
    assert.deepEqual(JSON.parse(body), RCLONE_FIX_STATEMENTS);
  });

  test('shows the no-fix reason, the Deny statement and the caveats for the other findings', () => {
    const texts = allTexts(
      renderSlack({ findings: [explicitDenyFinding, allowedFinding], skipped: [], errors: [] }),
    );
    assert.ok(texts.some((text) => /^\*No fix proposed:\* an explicit Deny overrides any Allow/.test(text)));
    assert.ok(
      texts.includes(
        '*Denied by*\n• identity-based policy "no-deletes" (`arn:aws:iam::111122223333:policy/no-deletes`), statement "DenyDelete"',
      ),
    );
    assert.ok(texts.some((text) => text.startsWith('*Caveats*\n• A service control policy')));
    assert.ok(!texts.some((text) => text.startsWith('*Fix')));
  });

  test('stays within every Slack limit with 500 requests and a huge policy, and says what it left out', () => {
    const report: ExplainReport = {
      findings: [hugeFinding(500, 2000)],
      skipped: fullReport.skipped,
      errors: fullReport.errors,
    };
    const messages = renderSlack(report);
    assert.equal(messages.length, 1);
    assertWithinSlackLimits(messages);
    const texts = allTexts(messages);
    assert.ok(texts.some((text) => /\u2026 \(\d+ more requests omitted; see the JSON report\)$/.test(text)));
    assert.ok(
      texts.some((text) => /```\n\u2026 \(\d+ more characters omitted; see the JSON report\)$/.test(text)),
    );
    assert.ok(
      texts.some((text) => text.includes('*Unreadable inputs (1)*')),
      'the tail keeps its reserved room',
    );
  });

  test('a maximal 1024-byte key made of characters that expand when escaped keeps every code span closed', () => {
    const key = '<&'.repeat(512);
    const finding = hugeFinding(30, 5);
    const requests = finding.requests.map((item, index) => ({
      ...item,
      resource: `arn:aws:s3:::backups/${key}${index}`,
    }));
    const messages = renderSlack({ findings: [{ ...finding, requests }], skipped: [], errors: [] });
    assertWithinSlackLimits(messages);
    for (const text of allTexts(messages)) {
      assert.equal((text.match(/```/g)?.length ?? 0) % 2, 0);
      assert.equal((text.replace(/```/g, '').match(/`/g)?.length ?? 0) % 2, 0, text.slice(0, 200));
      assert.ok(!text.includes('<&'));
    }
  });

  test('stays within limits for many findings with maxFindings and lists those not shown in the last message', () => {
    const findings = Array.from({ length: 30 }, (_, index) =>
      index % 2 === 0 ? hugeFinding(50, 100) : explicitDenyFinding,
    );
    const messages = renderSlack({ findings, skipped: [], errors: [] }, { maxFindings: 5 });
    assert.equal(messages.length, 5);
    assertWithinSlackLimits(messages);
    const last = allTexts(messages.slice(-1));
    assert.ok(
      last.some((text) =>
        text.startsWith(
          '*25 more findings not shown*\n• 6. `alice`: An identity-based policy explicitly denies the request\n• 7. `backup-job/i-0abc`: ',
        ),
      ),
    );
    assert.equal(
      allTexts(messages.slice(0, 4)).filter((text) => text.includes('more findings not shown')).length,
      0,
    );
  });

  test('summarises skipped events by reason in the last message', () => {
    const texts = allTexts(renderSlack(fullReport).slice(-1));
    assert.ok(texts.includes('2 events not analysed: 1 not an S3 event, 1 duplicate event.'));
  });

  test('a report without findings yields one summary message, or none when empty', () => {
    assert.deepEqual(renderSlack({ findings: [], skipped: [], errors: [] }), []);
    const messages = renderSlack({ findings: [], skipped: [], errors: fullReport.errors });
    assert.equal(messages.length, 1);
    assert.match(messages[0]?.text ?? '', /0 events skipped, 1 input unreadable/);
    assert.ok(
      allTexts(messages).some((text) =>
        text.includes('trail-2026-11-27.json: Unexpected token &lt;!channel&gt; (`cloudtrail.invalidJson`)'),
      ),
    );
  });
  test('a combined policy change gets its own message after the findings, its whole new document in a code block', () => {
    const report = reportWithCombinedChange();
    const change = report.policyChanges?.[0];
    assert.deepEqual(change?.findings, [1, 3]);
    const messages = renderSlack(report);
    assert.equal(messages.length, 4);
    assertWithinSlackLimits(messages);
    const footers = messages.slice(0, 3).map((m) => allTexts([m]).find((t) => t.startsWith('Finding ')));
    assert.deepEqual(
      footers.map((f) => f?.split(' · ')[0]),
      ['Finding 1 of 3', 'Finding 2 of 3', 'Finding 3 of 3'],
    );
    const last = messages[3]!;
    assert.deepEqual(last.blocks[0], {
      type: 'header',
      text: { type: 'plain_text', text: 'Combined policy change: findings 1, 3', emoji: false },
    });
    const texts = allTexts([last]);
    const apply = texts.find((t) =>
      t.startsWith(
        '*Apply this instead of what the fixes of findings 1, 3 change in this policy* (*verified*)',
      ),
    );
    assert.ok(apply !== undefined, texts.join('\n---\n'));
    // A fix may change a policy without adding statements (its Version): the title says "change".
    assert.match(apply, /applying them one after another keeps only the last one's change;/);
    // The document parses to the change's, hostile key included, with nothing outside code to format.
    const body = /```\n([\s\S]*?)\n```/.exec(apply)?.[1] ?? '';
    assert.deepEqual(JSON.parse(body), change?.newDocument);
    assert.ok(!outsideCode(apply).includes('<!channel>'));
    assert.ok(texts.some((t) => t.startsWith('*Verification*\n• Combines the fixes of 2 findings')));
    // The tail (skipped events) moves to the last message, the change's.
    assert.ok(texts.includes('2 events not analysed: 1 not an S3 event, 1 duplicate event.'));
    assert.ok(!allTexts(messages.slice(0, 3)).some((t) => t.includes('events not analysed')));
    // Each member finding's caveat points at that message.
    assert.ok(
      allTexts([messages[0]!]).some((t) =>
        t.includes('Apply combined change 1 instead (listed after the findings;'),
      ),
    );
  });

  test('a combined change whose findings are all beyond maxFindings is counted in the tail, not shown', () => {
    const report = reportWithCombinedChange();
    const [first, second, third] = report.findings;
    // The same findings, the denied one first: the change combines findings 2 and 3.
    const { findings, policyChanges } = combinePolicyChanges(
      [second!, first!, third!].map((f) => ({ ...f, caveats: [] })),
    );
    assert.deepEqual(policyChanges[0]?.findings, [2, 3]);
    const messages = renderSlack({ findings, policyChanges, skipped: [], errors: [] }, { maxFindings: 1 });
    assert.equal(messages.length, 1);
    const texts = allTexts(messages);
    assert.ok(!texts.some((t) => t.startsWith('*Apply this instead')));
    assert.ok(
      texts.includes(
        '1 combined policy change of findings not shown here: see the JSON report (policyChanges).',
      ),
      texts.join('\n---\n'),
    );
    const shownOne = renderSlack(report, { maxFindings: 1 });
    assert.equal(shownOne.length, 2, 'finding 1 is shown, so its change is too');
    assert.equal(shownOne[1]?.blocks[0]?.type, 'header');
  });
  test('a change of many findings lists the first seven numbers and counts the rest', () => {
    const { findings, policyChanges } = combinePolicyChanges(
      Array.from({ length: 12 }, (_, i) =>
        onBackupPolicy(`b${i}`, [
          { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::b${i}`] },
        ]),
      ),
    );
    const messages = renderSlack({ findings, policyChanges, skipped: [], errors: [] });
    assert.equal(messages.length, 11);
    assertWithinSlackLimits(messages);
    const last = messages[10]!;
    assert.equal(
      last.blocks[0]?.type === 'header' && last.blocks[0].text.text,
      'Combined policy change: findings 1, 2, 3, 4, 5, 6, 7 and 5 more',
    );
    assert.match(last.text, /the fixes of findings 1, 2, 3, 4, 5, 6, 7 and 5 more all change$/);
  });

  test('a finding seen again gets no message: the first names it in its footer and gives its own caveats, and the tail counts it', () => {
    const messages = renderSlack(repeatReport);
    assertWithinSlackLimits(messages);
    assert.equal(messages.length, 1);
    const texts = messages[0]!.blocks.flatMap(blockTexts);
    assert.ok(
      texts.some(
        (t) => t.startsWith('Finding 1 of 2') && t.includes('seen again in finding 2 (the same advice)'),
      ),
      texts.join('\n'),
    );
    assert.ok(texts.some((t) => t.startsWith("1 finding repeats an earlier one's advice")));
    // The repeat's own caveat, which only its events give, is in the first finding's message.
    const own = texts.find((t) => t.startsWith('*Seen again in finding 2 ('));
    assert.ok(own?.includes('with caveats of its own*'), texts.join('\n'));
    assert.ok(own?.includes('The snapshot may be out of date'), own);
  });

  test("a repeat of a finding past maxFindings is named on that finding's line among those not shown", () => {
    const [first, again] = repeatReport.findings;
    const report = {
      ...repeatReport,
      findings: [explicitDenyFinding, first!, { ...again!, repeatOf: 2 }],
    };
    const texts = renderSlack(report, { maxFindings: 1 }).flatMap((m) => m.blocks.flatMap(blockTexts));
    const notShown = texts.find((t) => t.startsWith('*1 more finding not shown*'));
    assert.ok(notShown?.includes('2. '), texts.join('\n'));
    assert.ok(notShown?.includes('(seen again in finding 3 (the same advice))'), notShown);
  });

  test('repeats do not take the places of maxFindings: the next distinct finding is shown, numbered as in the report', () => {
    const report = { ...repeatReport, findings: [...repeatReport.findings, explicitDenyFinding] };
    const messages = renderSlack(report, { maxFindings: 2 });
    assertWithinSlackLimits(messages);
    assert.equal(messages.length, 2);
    const footers = messages
      .flatMap((m) => m.blocks.flatMap(blockTexts))
      .filter((t) => t.startsWith('Finding '));
    assert.deepEqual(
      footers.map((t) => t.split(' · ')[0]),
      ['Finding 1 of 3', 'Finding 3 of 3'],
    );
    assert.ok(!allTexts(messages).some((t) => t.includes('more finding')));
  });

  test("the fix's diff comes right after the fix, and the job profile's notes are a list of their own after its policy", () => {
    const texts = renderSlack({ findings: [rcloneFinding], skipped: [], errors: [] })[0]!.blocks.flatMap(
      blockTexts,
    );
    const at = (prefix: string) => texts.findIndex((t) => t.startsWith(prefix));
    const fix = at('*Fix (verified)*');
    const diff = at(
      '*Where they go (diff of the policy version, unchanged lines cut)* (the whole new document',
    );
    assert.ok(fix >= 0 && diff === fix + 1, texts.join('\n---\n'));
    assert.ok(diff < at('*Alternatives*'));
    const profile = at('*Job profile (rclone copy)*: everything the job needs, beyond the minimal fix\n```');
    assert.ok(profile > diff);
    assert.equal(
      texts[profile + 1],
      '*About the job profile*\n• Multipart uploads above 200 MiB also need s3:AbortMultipartUpload on failure.',
    );
  });

  test('a long user agent is cut once, with the count of what was cut outside its code span', () => {
    const userAgent = `rclone/v1.66.0 ${'A'.repeat(5000)}`;
    const finding = { ...rcloneFinding, client: { ...rcloneFinding.client, userAgent } };
    const texts = allTexts(renderSlack({ findings: [finding], skipped: [], errors: [] }));
    const client = texts.find((t) => t.includes('*Client:*'));
    assert.ok(
      client?.includes(`\`… (${userAgent.length - 500} more characters; the JSON report has it whole)`),
      client,
    );
  });
});
