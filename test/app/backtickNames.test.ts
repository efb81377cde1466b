/**
 * A key or directory whose name holds a pair of backticks, in the caveats that list names (the whole
 * bucket's directories, the bucket root's keys, the "such as" ARNs): Markdown and Slack show the name as
 * it is, not a code span of its middle; text and JSON keep it as it is (review L #7).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadExplainContext } from '../../src/app/loadExplainContext.js';
import { explainTexts } from '../../src/domain/explain/explainBatch.js';
import type { ExplainReport } from '../../src/domain/explain/report.js';
import { renderMarkdown } from '../../src/domain/render/markdown.js';
import { renderSlack } from '../../src/domain/render/slack.js';
import { renderText } from '../../src/domain/render/text.js';

const sample = (name: string, file: string): string =>
  new URL(`../../events/${name}/${file}`, import.meta.url).pathname;

async function explain(sampleName: string, records: readonly unknown[]): Promise<ExplainReport> {
  const loaded = await loadExplainContext({ accountSnapshot: sample(sampleName, 'authz.json') });
  assert.ok(loaded.ok);
  return explainTexts([{ input: 'trail.json', text: JSON.stringify({ Records: records }) }], loaded.context);
}

/**
 * A sample's event with its key replaced wherever it is named (the request, the resources, AWS's message),
 * and an event ID of its own. `to` holds nothing JSON escapes.
 */
function withKey(record: Record<string, unknown>, from: string, to: string, id: number): unknown {
  return JSON.parse(
    JSON.stringify(record)
      .replaceAll(from, () => to)
      .replace(/"eventID":"[^"]*"/, `"eventID":"00000000-0000-4000-8000-${String(id).padStart(12, '0')}"`),
  );
}

/** The caveats of the Markdown report, as lines. */
function markdownCaveats(report: ExplainReport): string {
  const markdown = renderMarkdown(report);
  return markdown.slice(markdown.indexOf('### Caveats'));
}

function slackCaveats(report: ExplainReport): string {
  const texts = renderSlack(report).flatMap((message) =>
    message.blocks.flatMap((block) => ('text' in block && block.text !== undefined ? [block.text.text] : [])),
  );
  return texts.find((text) => text.startsWith('*Caveats*')) ?? '';
}

describe('names holding a pair of backticks in caveats', () => {
  test('nine top-level directories, one of them `tmp`/: the whole-bucket and "such as" caveats show it as it is', async () => {
    const event = JSON.parse(
      readFileSync(sample('47-sse-kms-default-key-no-kms-permission', 'event.json'), 'utf8'),
    ) as Record<string, unknown>;
    const key = (event.requestParameters as { key: string }).key;
    const records = ['`tmp`', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((dir, index) =>
      withKey(event, key, `${dir}/x.csv`, index + 1),
    );
    const report = await explain('47-sse-kms-default-key-no-kms-permission', records);
    const caveats = report.findings[0]?.caveats ?? [];
    // The caveats are written with the name as it is: JSON and text keep it.
    assert.ok(
      caveats.some((c) => c.includes('9 top-level directories: `tmp`/, a/, b/, c/ and 5 more')),
      caveats.join('\n'),
    );
    assert.match(renderText(report, { color: false }), /9 top-level directories: `tmp`\/, a\/, b\/, c\//);

    // Markdown: the directory's backticks escaped, the "such as" ARN in a span fenced by two backticks.
    const markdown = markdownCaveats(report);
    assert.match(markdown, /9 top\\-level directories\\: \\`tmp\\`\\\/\\, a\\\/\\, b\\\//);
    assert.match(markdown, /such as ``arn:aws:s3:::finance-reports\/`tmp`\/x\.csv``\\,/);
    // Slack: inline code, with a look-alike for the backtick (Slack has no escape for it).
    const slack = slackCaveats(report);
    assert.match(slack, /9 top-level directories: `ˋtmpˋ\/`, a\/, b\//);
    assert.match(slack, /such as `arn:aws:s3:::finance-reports\/ˋtmpˋ\/x\.csv`,/);
  });

  test('a key at the bucket root named `b`.html: the root-key caveat shows it as it is', async () => {
    const trail = JSON.parse(readFileSync(sample('29-aws-cli-rb-force', 'event.json'), 'utf8')) as {
      Records: Record<string, unknown>[];
    };
    const records = trail.Records.map((record, index) =>
      withKey(record, 'index.html', '`b`.html', index + 1),
    );
    const report = await explain('29-aws-cli-rb-force', records);
    const caveats = report.findings[0]?.caveats ?? [];
    assert.ok(
      caveats.some((c) => c.startsWith('preview-pr-4182/`b`.html is at the bucket root')),
      caveats.join('\n'),
    );
    assert.match(renderText(report, { color: false }), /- preview-pr-4182\/`b`\.html is at the bucket root/);
    assert.match(markdownCaveats(report), /- preview\\-pr\\-4182\\\/\\`b\\`\\\.html is at the bucket root/);
    assert.match(slackCaveats(report), /• `preview-pr-4182\/ˋbˋ\.html` is at the bucket root/);
    // The report's own code spans stay code.
    assert.match(markdownCaveats(report), /it needs `arn:aws:s3:::preview-pr-4182\/\*`\\, the whole bucket/);
  });

  test("a key named (`copy`) leaves the job profile note's own (`copy`) a code span (review rH1 #4b)", async () => {
    const event = JSON.parse(
      readFileSync(sample('26-rclone-root-check-stops-job', 'event.json'), 'utf8'),
    ) as Record<string, unknown>;
    const report = await explain('26-rclone-root-check-stops-job', [
      withKey(event, 'hosts/nas-berlin-01', 'hosts/(`copy`)', 1),
    ]);
    const markdown = renderMarkdown(report);
    assert.match(markdown, /If the job uploads \\\(`copy`\\\)\\, also grant s3\\:PutObject/);
    // Where the report names the key, its backticks are the key's.
    assert.match(markdown, /a job that stays in \\"hosts\\\/\\\(\\`copy\\`\\\)\\"/);
  });
});
