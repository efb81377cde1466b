import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  backtickPieces,
  escapeHtml,
  escapeInvisiblesInJson,
  escapeMarkdown,
  escapeMarkdownProse,
  escapeSlackEntities,
  escapeSlackMrkdwn,
  markdownCodeBlock,
  markdownInlineCode,
  safeJson,
  safeJsonText,
  sanitizeTerminal,
  slackCodeBlock,
  slackInlineCode,
  toSingleLine,
} from '../../../src/domain/render/escape.js';
import { HOSTILE_KEY, HOSTILE_PARTS } from './reportFixtures.js';

const SRC = join(import.meta.dirname, '../../../src');

const ESC = '\u001b';

/** Content of a CommonMark code span as a renderer reads it (spec 6.1): one padding space stripped. */
function readCodeSpan(span: string): { fence: string; content: string } {
  const fence = /^`+/.exec(span)?.[0] ?? '';
  let content = span.slice(fence.length, span.length - fence.length);
  if (content.length >= 2 && content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') {
    content = content.slice(1, -1);
  }
  return { fence, content };
}

function longestRun(value: string): number {
  return Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
}

describe('Slack escaping', () => {
  test("an emoji code in a value is code, not an emoji beside the report's own marks", () => {
    assert.equal(escapeSlackMrkdwn('key done:white_check_mark:.csv'), 'key `done:white_check_mark:.csv`');
    // Codes that begin with a digit or a sign are emoji too (a code span breaks each).
    assert.equal(escapeSlackMrkdwn('Approved :+1: :100: :8ball:'), 'Approved `:+1`: `:100`: `:8ball`:');
    assert.equal(escapeSlackMrkdwn('s3:GetObject at 10:00'), 's3:GetObject at 10:00');
  });

  test('a channel mention, a user mention and a disguised link become inert entities', () => {
    assert.equal(escapeSlackEntities('<!channel>'), '&lt;!channel&gt;');
    assert.equal(escapeSlackEntities('<@U123>'), '&lt;@U123&gt;');
    assert.equal(escapeSlackEntities('<https://evil.example|click>'), '&lt;https://evil.example|click&gt;');
  });

  test('an ampersand is escaped first so an existing entity shows literally', () => {
    assert.equal(escapeSlackEntities('&amp; &lt;'), '&amp;amp; &amp;lt;');
  });

  test('running text holds formatting characters only inside code spans, and no angle brackets or line breaks', () => {
    const escaped = escapeSlackMrkdwn(`${HOSTILE_KEY}\n> quote`);
    const spans: readonly string[] = escaped.match(/`[^`]*`/g) ?? [];
    const outside = escaped.replace(/`[^`]*`/g, '');
    assert.doesNotMatch(outside, /[*~`]|(?<!\w)_|_(?!\w)/);
    assert.doesNotMatch(escaped, /[<>\n]/);
    assert.ok(!escaped.includes(ESC));
    assert.match(escaped, /&lt;!channel&gt;/);
    assert.ok(spans.includes('`*bold*`'), spans.join(' '));
  });

  test("an ARN's wildcard stays an asterisk (in code), so it pastes into a policy as a wildcard; marked spans stay code", () => {
    assert.equal(
      escapeSlackMrkdwn('Scope `rclone copy` to arn:aws:s3:::b/daily/* (or "b/*"), then retry.'),
      'Scope `rclone copy` to `arn:aws:s3:::b/daily/*` (or "`b/*`"), then retry.',
    );
  });

  test("backticks in an object key do not pair with the report's own spans: its word is code, with look-alikes", () => {
    assert.equal(
      escapeSlackMrkdwn('Run `rclone copy`/`copyto` on "daily/x```<!here>" and `sync` (x`y).'),
      'Run `rclone copy`/`copyto` on "`daily/xˋˋˋ&lt;!here&gt;`" and `sync` (`xˋy`).',
    );
  });

  test('underscores inside words survive so names stay copyable, while word-edge underscores cannot italicise', () => {
    assert.equal(escapeSlackMrkdwn('no_check_bucket = true'), 'no_check_bucket = true');
    assert.equal(escapeSlackMrkdwn('_italic_ text'), '`_italic_` text');
  });

  test('an inline code span has exactly its two delimiting backticks whatever the value holds', () => {
    const span = slackInlineCode(HOSTILE_KEY);
    assert.equal(span.match(/`/g)?.length, 2);
    assert.ok(span.startsWith('`') && span.endsWith('`'));
    assert.doesNotMatch(span, /[<>]/);
    assert.ok(!span.includes(ESC));
    assert.match(
      span,
      /\*bold\*/,
      'formatting characters stay as they are inside code, where Slack ignores them',
    );
  });

  test('a code block keeps only its own fences and the line structure of the content', () => {
    const block = slackCodeBlock('line one\n``` escape\n<!here>');
    assert.equal(block.match(/`/g)?.length, 6);
    assert.ok(block.startsWith('```\n') && block.endsWith('\n```'));
    assert.equal(block.split('\n').length, 5);
    assert.match(block, /&lt;!here&gt;/);
  });

  test('an empty value is shown as a placeholder instead of an empty code span', () => {
    assert.equal(slackInlineCode(''), '_(empty)_');
  });
});

describe('Markdown escaping', () => {
  test('CommonMark punctuation is backslash-escaped and angle brackets and ampersands become entities', () => {
    assert.equal(escapeMarkdown('*bold*'), '\\*bold\\*');
    assert.equal(escapeMarkdown('[x](https://evil.example)'), '\\[x\\]\\(https\\:\\/\\/evil\\.example\\)');
    assert.equal(escapeMarkdown('<!channel> &amp;'), '&lt;\\!channel&gt; &amp;amp\\;');
    assert.equal(escapeMarkdown('a_b`c'), 'a\\_b\\`c');
  });

  test('a value cannot start a new block: line breaks are replaced', () => {
    const escaped = escapeMarkdown('key\n# heading\n```');
    assert.doesNotMatch(escaped, /\n/);
    assert.match(escaped, /\\#\u2060 heading/);
  });

  test("an IAM ARN's account after `::` gets no word joiner: the ARN copies cleanly", () => {
    assert.equal(
      escapeMarkdown('arn:aws:iam::111122223333:policy/P 2001:db8::1'),
      'arn\\:aws\\:iam\\:\\:111122223333\\:policy\\/P 2001\\:db8\\:\\:1',
    );
  });

  test('GitHub issue references and emoji codes are broken by an invisible word joiner; colons inside words are not', () => {
    assert.equal(
      escapeMarkdown('reports/#42 linux#1 :+1: x:8080: arn:aws:s3'),
      'reports\\/\\#\u206042 linux\\#\u20601 \\:\u2060\\+1\\: x\\:8080\\: arn\\:aws\\:s3',
    );
  });

  test('an inline code span uses a fence longer than any backtick run in the value', () => {
    assert.equal(markdownInlineCode('a`b'), '``a`b``');
    assert.equal(markdownInlineCode('```'), '```` ``` ````');
    assert.equal(markdownInlineCode('`start'), '`` `start ``');
  });

  test('every inline code span reads back as the (single-line) value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const span = markdownInlineCode(value);
        const { fence, content } = readCodeSpan(span);
        assert.ok(fence.length > longestRun(content));
        assert.equal(content, toSingleLine(value) === '' ? ' ' : toSingleLine(value));
      }),
    );
  });

  test("a quoted value's backticks are its own, never a span's fence, whatever stands around them", () => {
    const quoted = backtickPieces([
      'arn:aws:s3:::b/`tmp`/x.csv',
      'arn:aws:s3:::b/`b`.html',
      'arn:aws:s3:::b/`/y',
      undefined,
      'arn:aws:s3:::b/plain/z',
    ]);
    assert.deepEqual(
      quoted.map((piece) => piece.text),
      ['`tmp`', '`b`.html', '`'],
    );
    // Unknown, a directory's pair reads as a span of the report's (what review L #7 saw).
    assert.equal(escapeMarkdownProse('directories: `tmp`/, a/'), 'directories\\: `tmp`\\/\\, a\\/');
    assert.equal(
      escapeMarkdownProse('directories: `tmp`/, a/ and `/; b/`b`.html is at the root', quoted),
      'directories\\: \\`tmp\\`\\/\\, a\\/ and \\`\\/\\; b\\/\\`b\\`\\.html is at the root',
    );
    assert.equal(
      escapeSlackMrkdwn('directories: `tmp`/, a/; b/`b`.html is at the root', quoted),
      'directories: `ˋtmpˋ/`, a/; `b/ˋbˋ.html` is at the root',
    );
    // The report's own spans stay code, also when a piece is one backtick, or when they hold a piece (a
    // statement's JSON): there the fence is longer than the value's runs.
    assert.equal(
      escapeMarkdownProse('Run `rclone copy` with `{"Resource":"arn:aws:s3:::b/`tmp`/x.csv"}`.', quoted),
      'Run `rclone copy` with ``{"Resource":"arn:aws:s3:::b/`tmp`/x.csv"}``\\.',
    );
    assert.equal(
      escapeSlackMrkdwn('Run `rclone copy` with `{"Resource":"arn:aws:s3:::b/`tmp`/x.csv"}`.', quoted),
      'Run `rclone copy` with `{"Resource":"arn:aws:s3:::b/ˋtmpˋ/x.csv"}`.',
    );
    // Only where it stands alone: within a longer name (x`tmp`y/) the pair is the name's anyway.
    assert.equal(escapeMarkdownProse('in x`tmp`y/ and `rclone`', quoted), 'in x\\`tmp\\`y\\/ and `rclone`');
    // A span of the report's equal to a part of a path stays code: a part is quoted next to a `/` or
    // between quotes, never alone among words.
    assert.equal(
      escapeMarkdownProse('use `tmp` here, and "`tmp`"', quoted),
      'use `tmp` here\\, and \\"\\`tmp\\`\\"',
    );
    assert.equal(escapeSlackMrkdwn('use `tmp` here', quoted), 'use `tmp` here');
  });

  test("a directory named like the report's own text leaves its code spans as they are (review rH1 #4b)", () => {
    const quoted = backtickPieces(['arn:aws:s3:::backup-nas/hosts/(`copy`)', 'arn:aws:s3:::b/`copy`/x']);
    assert.equal(
      escapeMarkdownProse(
        'If the job uploads (`copy`), also grant s3:PutObject; a single-file `copy`.',
        quoted,
      ),
      'If the job uploads \\(`copy`\\)\\, also grant s3\\:PutObject\\; a single\\-file `copy`\\.',
    );
    // The same names, as the report quotes them, are the values'.
    assert.equal(
      escapeMarkdownProse('a job that stays in "hosts/(`copy`)", and `copy`/ beside a/', quoted),
      'a job that stays in \\"hosts\\/\\(\\`copy\\`\\)\\"\\, and \\`copy\\`\\/ beside a\\/',
    );
    // A value without a `/` (a user agent) is quoted whole wherever it stands alone.
    assert.equal(
      escapeMarkdownProse('agent (`x`) ran `rclone`', backtickPieces(['(`x`)'])),
      'agent \\(\\`x\\`\\) ran `rclone`',
    );
  });

  test("a key holding a quote and backticks stays the key inside the report's shell and JSON spans (review rH1 #4a)", () => {
    const quoted = backtickPieces([
      "arn:aws:s3:::data/in/it's `x`.csv",
      'arn:aws:s3:::data/a"`y`/*',
      "arn:aws:s3:::data/`z`'",
    ]);
    const command =
      "Find it with `aws s3api head-object --bucket data --key 'in/it'\\''s `x`.csv' --query SSEKMSKeyId`; then";
    assert.equal(
      escapeMarkdownProse(command, quoted),
      "Find it with ``aws s3api head-object --bucket data --key 'in/it'\\''s `x`.csv' --query SSEKMSKeyId``\\; then",
    );
    assert.equal(
      escapeSlackMrkdwn(command, quoted),
      "Find it with `aws s3api head-object --bucket data --key 'in/it'\\''s ˋxˋ.csv' --query SSEKMSKeyId`; then",
    );
    // A key at the bucket root: the whole key between the shell's quotes.
    assert.equal(
      escapeMarkdownProse("Run `aws s3api head-object --key '`z`'\\''' --bucket data`.", quoted),
      "Run ``aws s3api head-object --key '`z`'\\''' --bucket data``\\.",
    );
    // A statement's JSON escapes the key's quote.
    assert.equal(
      escapeMarkdownProse('Add `{"Resource":"arn:aws:s3:::data/a\\"`y`/*"}` to it.', quoted),
      'Add ``{"Resource":"arn:aws:s3:::data/a\\"`y`/*"}`` to it\\.',
    );
  });

  test('prose keeps the spans it marks as code and the documentation it cites as links, and escapes the rest', () => {
    assert.equal(
      escapeMarkdownProse('Run `rclone copy` instead (https://rclone.org/commands/rclone_copy/).'),
      'Run `rclone copy` instead \\(<https://rclone.org/commands/rclone_copy/>\\)\\.',
    );
    // OpenTofu's documentation, which its backend's notes cite, is a link too.
    assert.equal(
      escapeMarkdownProse('Source: https://opentofu.org/docs/language/settings/backends/s3/'),
      'Source\\: <https://opentofu.org/docs/language/settings/backends/s3/>',
    );
    // Other URLs, an object key's backticks that do not form a span, and its markup stay escaped text.
    assert.equal(
      escapeMarkdownProse('see https://evil.example/x and https://docs.aws.amazon.com.evil.example/'),
      'see https\\:\\/\\/evil\\.example\\/x and https\\:\\/\\/docs\\.aws\\.amazon\\.com\\.evil\\.example\\/',
    );
    assert.equal(escapeMarkdownProse(`key ${HOSTILE_PARTS.backticks} *x*`), 'key \\`\\` \\` \\`\\` \\*x\\*');
    // A Markdown link written in a value stays text, even to cited documentation.
    assert.equal(
      escapeMarkdownProse('[x](https://docs.aws.amazon.com/a)'),
      '\\[x\\]\\(https\\:\\/\\/docs\\.aws\\.amazon\\.com\\/a\\)',
    );
  });

  test("GitHub's email links and @mentions, found whatever the escapes, are broken by a word joiner after @", () => {
    assert.equal(escapeMarkdown('billing@evil.example'), 'billing\\@\u2060evil\\.example');
    assert.equal(escapeMarkdownProse('ping @security-team'), 'ping \\@\u2060security\\-team');
  });

  test('on GitHub, only the issues the reports cite are links; every GitHub or GitLab URL they cite is one', () => {
    // Anyone can open an issue or a pull request in aws/aws-cli: an object key naming one is text.
    for (const url of [
      'https://github.com/aws/aws-cli/issues/9999',
      'https://github.com/rclone/rclone/pull/1',
      // Dot segments, which a browser resolves before it follows the link, out of the cited repository.
      'https://github.com/aws/x/blob/../../../attacker/phish/issues/1',
      'https://github.com/aws/x/tree/%2e%2e/%2E%2E/attacker/phish',
      'https://docs.aws.amazon.com/../x',
    ])
      assert.ok(!escapeMarkdownProse(url).includes('<'), url);
    const cited = new Set<string>();
    for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' }))
      if (file.endsWith('.ts'))
        for (const m of readFileSync(join(SRC, file), 'utf8').matchAll(
          /https:\/\/(?:github|gitlab)\.com\/[A-Za-z0-9/._~#%?=&+-]*/g,
        ))
          if (!m[0].startsWith('https://github.com/slackapi/')) cited.add(m[0]);
    assert.ok(cited.size > 20, `${cited.size}`);
    for (const url of cited) assert.equal(escapeMarkdownProse(url), `<${url}>`);
  });

  test('prose never lets a value open a link, an HTML tag or a new block', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const out = escapeMarkdownProse(value);
        assert.doesNotMatch(out, /\n/);
        // Angle brackets appear only around a cited documentation URL.
        for (const match of out.matchAll(/<[^>]*>?/g)) assert.match(match[0], /^<https:\/\/[^\s<>]+>$/);
        assert.doesNotMatch(out.replace(/`[^`]*`/g, ''), /(?<!\\)[[\]]/);
      }),
    );
  });

  test('a code block fence is longer than any backtick run in the content', () => {
    const block = markdownCodeBlock('x\n````\ny', 'json');
    assert.ok(block.startsWith('`````json\n'));
    assert.ok(block.endsWith('\n`````'));
  });
});

describe('HTML escaping', () => {
  test('the five HTML-significant characters are escaped', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('terminal sanitising', () => {
  test('a control string that is not ended loses only its introducer (shown as U+FFFD): the words after the value stay', () => {
    const note = (key: string) =>
      `To tighten it for a job that stays in "${key}", add the condition, and test the job.`;
    assert.equal(
      sanitizeTerminal(note('daily/\u001b]RED')),
      'To tighten it for a job that stays in "daily/\uFFFDRED", add the condition, and test the job.',
    );
    assert.equal(sanitizeTerminal(note('a\u001b]0;t\u001b[31mRED')), note('a\uFFFD0;t\uFFFDRED'));
    // Many introducers with no end: each is replaced, and the text stays (each is not looked for an end again).
    assert.equal(sanitizeTerminal(`${'\u009d'.repeat(50_000)}tail`), `${'\uFFFD'.repeat(50_000)}tail`);
    assert.equal(
      sanitizeTerminal(`${'\u009dx'.repeat(20_000)}\u001b[0m`),
      `${'\uFFFDx'.repeat(20_000)}\uFFFD`,
    );
    // Ended ones still go whole, for one U+FFFD.
    assert.equal(sanitizeTerminal('x\u001b]0;title\u0007y'), 'x\uFFFDy');
    assert.equal(sanitizeTerminal('x\u001b]8;;http://e\u001b\\y'), 'x\uFFFDy');
  });

  test('a colour sequence is replaced whole by one U+FFFD', () => {
    assert.equal(sanitizeTerminal(`a${HOSTILE_PARTS.ansi}red\u001b[0m`), 'a\uFFFDred\uFFFD');
  });

  test('an OSC 8 hyperlink and a window-title sequence leave their visible text and a mark for each', () => {
    assert.equal(
      sanitizeTerminal('\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007'),
      '\uFFFDclick\uFFFD',
    );
    assert.equal(sanitizeTerminal('\u001b]0;owned\u001b\\title'), '\uFFFDtitle');
  });

  test('8-bit CSI, carriage return and bidirectional overrides cannot rewrite the line', () => {
    assert.equal(sanitizeTerminal('a\u009b2Kb'), 'a\uFFFDb');
    // Zero-width characters hide text too.
    assert.equal(sanitizeTerminal('se\u200bcret\ufeff.csv'), 'se\uFFFDcret\uFFFD.csv');
    // The other default-ignorable characters: soft hyphen, Hangul filler, tag characters (two code
    // units, one replacement); the joiner and the emoji variation selector stay (emoji sequences).
    const hidden = 'pay\u00adroll/re\u{E0041}\u{E0042}port\u3164.csv';
    assert.equal(sanitizeTerminal(hidden), 'pay\uFFFDroll/re\uFFFD\uFFFDport\uFFFD.csv');
    assert.equal(toSingleLine(hidden), 'pay\uFFFDroll/re\uFFFD\uFFFDport\uFFFD.csv');
    assert.equal(
      toSingleLine('\u2764\ufe0f-\u{1F468}\u200d\u{1F469}'),
      '\u2764\ufe0f-\u{1F468}\u200d\u{1F469}',
    );
    assert.equal(safeJson('pay\u00adroll\u{E0041}'), '"pay\\u00adroll\\udb40\\udc41"');
    assert.equal(sanitizeTerminal('safe\rEVIL'), 'safe\uFFFDEVIL');
    assert.equal(sanitizeTerminal('abc\u202edcba'), 'abc\uFFFDdcba');
  });

  test('line feeds survive only in multi-line mode', () => {
    assert.equal(sanitizeTerminal('a\nb'), 'a\uFFFDb');
    assert.equal(sanitizeTerminal('a\n\tb', { multiline: true }), 'a\n\tb');
  });

  test('no control character survives, for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        for (const char of sanitizeTerminal(value)) {
          const code = char.codePointAt(0) ?? 0;
          assert.ok(code >= 0x20 && (code < 0x7f || code > 0x9f), `U+${code.toString(16)} survived`);
        }
      }),
    );
  });
});

describe('safe JSON', () => {
  test("the report writer's expression escapes exactly the characters safeJsonText does", () => {
    const differ: string[] = [];
    const check = (code: number) => {
      const json = JSON.stringify(String.fromCodePoint(code));
      if (escapeInvisiblesInJson(json) !== safeJsonText(json)) differ.push(code.toString(16));
    };
    for (let code = 0x7f; code <= 0xffff; code++) if (code < 0xd800 || code > 0xdfff) check(code);
    for (const [from, to] of [
      [0x1bc90, 0x1bcaf],
      [0x1d160, 0x1d18f],
      [0xe0000, 0xe0fff],
      [0xe1000, 0xe1010],
    ] as const)
      for (let code = from; code <= to; code++) check(code);
    assert.deepEqual(differ, []);
  });

  test('parses back to the same value while containing none of the escaped characters', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, key) => {
        const document = { value, key };
        const json = safeJson(document, '<>&`');
        assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(document)));
        assert.doesNotMatch(json, /[<>&`\u007f-\u009f\u202a-\u202e\u2028\u2029]/);
      }),
    );
  });

  test('keeps the pretty-printed layout', () => {
    assert.equal(safeJson({ a: ['<b>'] }, '<>'), '{\n  "a": [\n    "\\u003cb\\u003e"\n  ]\n}');
  });
});

describe('long untrusted values', () => {
  test('sanitizeTerminal and toSingleLine keep a long value whole, replacing only what they must', () => {
    const chunk = `${'a'.repeat(999)}\u0007`;
    const long = chunk.repeat(2000);
    const expected = `${'a'.repeat(999)}\uFFFD`.repeat(2000);
    assert.equal(sanitizeTerminal(long), expected);
    assert.equal(toSingleLine(long), expected);
    // Escape sequences are replaced between the runs kept, at the start, in the middle and at the end.
    assert.equal(
      sanitizeTerminal('\u001b[31mred\u001b[0m plain\u001b]8;;https://x\u0007'),
      '\uFFFDred\uFFFD plain\uFFFD',
    );
    // A value with nothing to change comes back as it is.
    const clean = 'b'.repeat(100_000);
    assert.equal(sanitizeTerminal(clean), clean);
    assert.equal(toSingleLine(clean), clean);
    // Astral characters survive (toSingleLine works on code units; no surrogate is ever replaced).
    assert.equal(toSingleLine('key-😀\n-x'), 'key-😀\uFFFD-x');
  });
});
