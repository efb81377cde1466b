/**
 * Escaping of untrusted strings (object keys, user agents, ARNs and messages copied from events, policy
 * names) for every output format. Each function takes the raw value and returns text that shows the value
 * but cannot change the structure of the surrounding output (no link, mention, markup, code-span break or
 * terminal escape sequence can come from the value).
 */

import { singleQuotedText } from '../shell.js';

/** Shown in place of a character that is not safe to print (a lone control character). */
const REPLACEMENT = '\uFFFD';

const ESC = 0x1b;
const BEL = 0x07;
const C1_CSI = 0x9b;
const C1_OSC = 0x9d;

/**
 * Characters that change how the following text is displayed or read without being visible: bidirectional
 * overrides and isolates (the "Trojan Source" attack, CVE-2021-42574), the Unicode line/paragraph
 * separators, which some viewers treat as line breaks, and zero-width characters that hide text in a key
 * (zero-width space and non-joiner, word joiner, invisible operators, byte order mark), and the rest of
 * Unicode's default-ignorable code points, which show as nothing (the soft hyphen, Hangul fillers, tag
 * characters, variation selectors); not the joiner or the emoji variation selectors U+FE0E/U+FE0F, which
 * emoji sequences use. `code` is a code point: those past U+FFFF take two code units.
 *
 * @see https://trojansource.codes/
 * @see https://www.unicode.org/Public/UCD/latest/ucd/DerivedCoreProperties.txt (Default_Ignorable_Code_Point)
 */
function isInvisibleFormatting(code: number): boolean {
  if (code < 0xad) return false;
  if (code <= 0xffff)
    return (
      code === 0xad ||
      code === 0x034f ||
      code === 0x061c ||
      code === 0x115f ||
      code === 0x1160 ||
      code === 0x17b4 ||
      code === 0x17b5 ||
      (code >= 0x180b && code <= 0x180f) ||
      (code >= 0x200b && code <= 0x200f && code !== 0x200d) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2060 && code <= 0x206f) ||
      code === 0x2028 ||
      code === 0x2029 ||
      code === 0x3164 ||
      (code >= 0xfe00 && code <= 0xfe0d) ||
      code === 0xfeff ||
      code === 0xffa0 ||
      (code >= 0xfff0 && code <= 0xfff8)
    );
  return (
    (code >= 0x1bca0 && code <= 0x1bca3) ||
    (code >= 0x1d173 && code <= 0x1d17a) ||
    (code >= 0xe0000 && code <= 0xe0fff)
  );
}

/** Code units of the invisible formatting character at `i` (see {@link isInvisibleFormatting}); 0 for none. */
function invisibleAt(value: string, i: number, code: number): number {
  if (code >= 0xd800 && code <= 0xdbff) {
    const point = value.codePointAt(i) ?? code;
    return point > 0xffff && isInvisibleFormatting(point) ? 2 : 0;
  }
  return isInvisibleFormatting(code) ? 1 : 0;
}

/** C0 controls, DEL and C1 controls. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** Index just past a CSI sequence whose parameters start at `start` (ECMA-48 §5.4). */
function skipCsi(value: string, start: number): number {
  let i = start;
  while (i < value.length && value.charCodeAt(i) >= 0x30 && value.charCodeAt(i) <= 0x3f) i++;
  while (i < value.length && value.charCodeAt(i) >= 0x20 && value.charCodeAt(i) <= 0x2f) i++;
  if (i < value.length && value.charCodeAt(i) >= 0x40 && value.charCodeAt(i) <= 0x7e) i++;
  return i;
}

/**
 * Where the last control string found not ended stopped looking (the value's end, or an ESC that does not
 * end it): one that starts before it is not ended either, as nothing between ends it. Without it, a value
 * of many introducers (100,000 U+009D) would be scanned to its end once per introducer.
 */
interface UnendedScan {
  until: number;
}

/**
 * Index just past a control string (OSC, DCS, SOS, PM, APC) ended by BEL or ST (`ESC \`). One that is
 * not ended (the value stops, or another escape sequence starts) is `start`: only its introducer goes,
 * and what follows stays text. The value is often part of a sentence (a key in a note), whose own words
 * an unended string would otherwise take with it.
 */
function skipControlString(value: string, start: number, unended: UnendedScan): number {
  if (start < unended.until) return start;
  let i = start;
  while (i < value.length) {
    const code = value.charCodeAt(i);
    if (code === BEL || code === 0x9c) return i + 1;
    if (code === ESC) {
      if (value.charCodeAt(i + 1) === 0x5c) return i + 2;
      break;
    }
    i++;
  }
  unended.until = i;
  return start;
}

/** Index just past the escape sequence that starts with ESC at `start`. */
function skipEscapeSequence(value: string, start: number, unended: UnendedScan): number {
  const next = value.charCodeAt(start + 1);
  if (Number.isNaN(next)) return start + 1;
  if (next === 0x5b) return skipCsi(value, start + 2); // ESC [
  // ESC ] (OSC, e.g. hyperlinks and window titles), ESC P (DCS), ESC X, ESC ^, ESC _
  if (next === 0x5d || next === 0x50 || next === 0x58 || next === 0x5e || next === 0x5f) {
    return skipControlString(value, start + 2, unended);
  }
  // nF sequences (ESC, intermediates 0x20-0x2F, final byte) and two-character Fp/Fe/Fs sequences.
  let i = start + 1;
  while (i < value.length && value.charCodeAt(i) >= 0x20 && value.charCodeAt(i) <= 0x2f) i++;
  if (i < value.length && value.charCodeAt(i) >= 0x30 && value.charCodeAt(i) <= 0x7e) i++;
  return i;
}

/** Options for {@link sanitizeTerminal}. */
export interface TerminalSanitizeOptions {
  /** Keep line feeds and tabs (for multi-line values such as a diff). Default: false. */
  readonly multiline?: boolean;
}

/**
 * Makes an untrusted string safe to print on a terminal: an ANSI/ECMA-48 escape sequence (colours, cursor
 * movement, OSC 8 hyperlinks, window titles) is replaced whole by one U+FFFD, and any other control
 * character, carriage return, bidirectional override, invisible character or Unicode line separator by
 * U+FFFD, so the reader sees that something was there. Line feeds and tabs survive only in `multiline` mode. The JSON report keeps the exact value.
 *
 * @see https://www.ecma-international.org/publications-and-standards/standards/ecma-48/
 */
export function sanitizeTerminal(value: string, options: TerminalSanitizeOptions = {}): string {
  const multiline = options.multiline === true;
  // The output is built from the runs between changes, not a character at a time: an untrusted value
  // can be very long (a user agent of 150 MB), and a string built one character at a time takes many
  // times its size.
  let out = '';
  let runStart = 0;
  let i = 0;
  const unended: UnendedScan = { until: 0 };
  while (i < value.length) {
    const code = value.charCodeAt(i);
    let next: number;
    let replacement = '';
    // An escape sequence is replaced whole, by one U+FFFD: inert, and the reader sees something was there.
    if (code === ESC) {
      next = skipEscapeSequence(value, i, unended);
      replacement = REPLACEMENT;
    } else if (code === C1_CSI) {
      next = skipCsi(value, i + 1);
      replacement = REPLACEMENT;
    } else if (code === C1_OSC || code === 0x90 || code === 0x98 || code === 0x9e || code === 0x9f) {
      next = skipControlString(value, i + 1, unended);
      replacement = REPLACEMENT;
    } else if (!(multiline && (code === 0x0a || code === 0x09)) && isControl(code)) {
      next = i + 1;
      replacement = REPLACEMENT;
    } else if (invisibleAt(value, i, code) > 0) {
      next = i + invisibleAt(value, i, code);
      replacement = REPLACEMENT;
    } else {
      i++;
      continue;
    }
    out += value.slice(runStart, i) + replacement;
    i = next;
    runStart = next;
  }
  return runStart === 0 ? value : out + value.slice(runStart);
}

/**
 * Replaces control characters, line breaks and invisible formatting characters by U+FFFD, for values shown
 * on one line (a key in a list item, a table cell, an inline code span). Escape sequences are not parsed:
 * their ESC byte alone is replaced, which already makes them inert outside a terminal.
 */
export function toSingleLine(value: string): string {
  // Built from the runs between replacements (see sanitizeTerminal). An invisible character past U+FFFF
  // (a tag character) is two code units, replaced as one.
  let out = '';
  let runStart = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const units = isControl(code) ? 1 : invisibleAt(value, i, code);
    if (units === 0) continue;
    out += value.slice(runStart, i) + REPLACEMENT;
    i += units - 1;
    runStart = i + 1;
  }
  return runStart === 0 ? value : out + value.slice(runStart);
}

/**
 * Escapes the three characters Slack reserves for links, mentions and entities. Without this a value such
 * as `<!channel>`, `<@U123>` or `<https://evil.example|click>` would notify a channel or render a
 * disguised link.
 *
 * @see https://api.slack.com/reference/surfaces/formatting#escaping
 */
export function escapeSlackEntities(value: string): string {
  return value.replace(/[&<>]/g, (char) => (char === '&' ? '&amp;' : char === '<' ? '&lt;' : '&gt;'));
}

/**
 * A backtick inside a code span or block would close it, and Slack has no escape for it: there it is
 * replaced by a look-alike character (the JSON report keeps the exact value).
 *
 * @see https://api.slack.com/reference/surfaces/formatting#basic-formatting
 */
const BACKTICK_LOOKALIKE = '\u02cb'; // MODIFIER LETTER GRAVE ACCENT

function withoutBackticks(value: string): string {
  return value.replace(/`/g, BACKTICK_LOOKALIKE);
}

/**
 * Characters that can open or close Slack formatting in running text (underscores only at word edges),
 * and emoji codes (`:white_check_mark:` in an object key would show a check mark beside the report's own).
 */
const SLACK_FORMATTING = /[*~`]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])|:[a-z0-9_+'-]+:/iu;

/**
 * One run of running text without code spans: each word that holds a formatting character goes into an
 * inline code span, where Slack leaves it as it is (an ARN's `*` stays a wildcard when pasted), with the
 * punctuation around it left outside; other words get their entities escaped.
 */
function escapeSlackWords(text: string): string {
  return text
    .split(/(\s+)/)
    .map((word) => {
      if (!SLACK_FORMATTING.test(word)) return escapeSlackEntities(word);
      const parts = /^([("'[]*)(.*?)([)"'\].,;:!?]*)$/su.exec(word);
      const [lead = '', core = word, trail = ''] = parts === null ? [] : parts.slice(1);
      return `${escapeSlackEntities(lead)}${slackInlineCode(core)}${escapeSlackEntities(trail)}`;
    })
    .join('');
}

/**
 * A code span as the reports write one (`rclone copy`, `copy`/`copyto`): after a space, `(` or `/`, no
 * space inside at either end, before a space, `/` or punctuation. A backtick inside an object key does
 * not pair with the report's own; a pair of them standing so does, unless the key is known (see
 * {@link backtickPieces}).
 */
const REPORT_CODE_SPAN = /(?<![^\s(/])`([^`\s](?:[^`]*[^`\s])?)`(?![^\s).,;:!?/])/g;

/**
 * A piece of an untrusted value that holds a backtick, in a form report prose may write it in (see
 * {@link backtickPieces}). `inPath` when the value had other `/`-separated parts: such a piece is quoted
 * only as a part of a path, next to a `/` or between quotes.
 */
export interface QuotedPiece {
  readonly text: string;
  readonly inPath: boolean;
}

/**
 * The pieces of untrusted values (object keys, a user agent) that hold a backtick, as report prose may
 * quote them: each `/`-separated part (a key's directory in a caveat's list, `bucket/key`, an ARN), on one
 * line, as it is, as it stands single-quoted for a shell (`--key 'it'\''s `x`.csv'`, see
 * {@link singleQuotedText}) and in a JSON string (a statement's Resource, `a\"`x``). Report prose writes
 * such values in these forms, and their backticks must not be taken for the report's own code spans (a
 * directory `` `tmp`/ `` would show as `tmp/`): see {@link escapeMarkdownProse}.
 */
export function backtickPieces(values: Iterable<string | undefined>): readonly QuotedPiece[] {
  const pieces = new Map<string, QuotedPiece>();
  for (const value of values) {
    if (value === undefined || !value.includes('`')) continue;
    const parts = value.split('/');
    const inPath = parts.length > 1;
    for (const part of parts) {
      if (!part.includes('`')) continue;
      const forms = new Set([
        toSingleLine(part),
        toSingleLine(singleQuotedText(part)),
        toSingleLine(JSON.stringify(part).slice(1, -1)),
      ]);
      // No piece holds a `/`: the prefix tells a part of a path from a whole value of the same text.
      for (const text of forms) pieces.set(`${inPath ? '/' : ''}${text}`, { text, inPath });
    }
  }
  return [...pieces.values()];
}

/**
 * Stands for a backtick of a quoted value while the report's own code spans are looked for: a C0 control,
 * which {@link toSingleLine} has already taken out of the line.
 */
const QUOTED_BACKTICK = '\u0000';

/** A character that may stand before a quoted piece (a list's separator, a path's `/`, an opening bracket). */
const BEFORE_PIECE = /[\s/(["',]/;
/** A character that may follow a quoted piece (a path's `/`, punctuation, a closing bracket). */
const AFTER_PIECE = /[\s/)\]"'.,;:!?]/;
const QUOTE = /["']/;

/**
 * The line with the backticks of each quoted piece replaced by {@link QUOTED_BACKTICK}: where the piece
 * stands alone between separators, so that a piece as short as one backtick does not take the report's
 * own; and, for a part of a path, only next to a `/` or between quotes (`"bucket/key"`, `'key'`), where
 * the report's text never puts its own spans: a directory named `` (`copy`) `` leaves the report's
 * "uploads (`copy`)" a code span.
 */
function maskQuotedBackticks(line: string, pieces: readonly QuotedPiece[]): string {
  if (pieces.length === 0 || !line.includes('`')) return line;
  const masked = line.split('');
  for (const { text: piece, inPath } of pieces) {
    for (let at = line.indexOf(piece); at >= 0; at = line.indexOf(piece, at + 1)) {
      const end = at + piece.length;
      const before = line.charAt(at - 1);
      const after = line.charAt(end);
      if (at > 0 && !BEFORE_PIECE.test(before)) continue;
      if (end < line.length && !AFTER_PIECE.test(after)) continue;
      if (inPath && before !== '/' && after !== '/' && !(QUOTE.test(before) && QUOTE.test(after))) continue;
      for (let i = at; i < end; i++) if (line.charAt(i) === '`') masked[i] = QUOTED_BACKTICK;
    }
  }
  return masked.join('');
}

function unmasked(text: string): string {
  return text.replaceAll(QUOTED_BACKTICK, '`');
}

/**
 * Report prose on one line: its own code spans through `span`, the text between them through `words`.
 * The backticks of `quoted` pieces (see {@link backtickPieces}) are the value's, never a span's fence;
 * a span of the report's may hold them (a statement's JSON), and `span` gets them back.
 */
function withReportSpans(
  value: string,
  words: (text: string) => string,
  span: (code: string) => string,
  quoted: readonly QuotedPiece[],
): string {
  const line = maskQuotedBackticks(toSingleLine(value), quoted);
  let out = '';
  let last = 0;
  for (const match of line.matchAll(REPORT_CODE_SPAN)) {
    out += words(unmasked(line.slice(last, match.index)));
    out += span(unmasked(match[1] ?? ''));
    last = match.index + match[0].length;
  }
  return out + words(unmasked(line.slice(last)));
}

/**
 * Escapes a value for Slack mrkdwn running text, on one line: entities escaped, and nothing can start
 * formatting. Slack has no backslash escape for `*`, `_`, `~` or the backtick, so a word holding one is
 * shown as inline code, where Slack formats nothing: `arn:aws:s3:::b/daily/*` keeps its asterisk (a
 * look-alike character would paste into a policy as a literal that matches nothing), and `*bold*` in an
 * object key shows as typed. A span the text marks with single backticks (`rclone copy`) becomes a code
 * span of its own; the backticks of the `quoted` pieces (see {@link backtickPieces}) show as the value's.
 *
 * @see https://api.slack.com/reference/surfaces/formatting#escaping
 * @see https://api.slack.com/reference/surfaces/formatting#inline-code
 */
export function escapeSlackMrkdwn(value: string, quoted: readonly QuotedPiece[] = []): string {
  return withReportSpans(value, escapeSlackWords, slackInlineCode, quoted);
}

/**
 * An untrusted value as a Slack inline code span. Slack does not format inside code, but a backtick in the
 * value would close the span, so backticks become a look-alike; entities are escaped because Slack parses
 * them everywhere.
 *
 * @see https://api.slack.com/reference/surfaces/formatting#inline-code
 */
export function slackInlineCode(value: string): string {
  const content = escapeSlackEntities(withoutBackticks(toSingleLine(value)));
  return content === '' ? '_(empty)_' : `\`${content}\``;
}

/**
 * Multi-line text (already made JSON-safe by {@link safeJson}, or a diff) as a Slack code block. A run of
 * backticks would close the block, so backticks become a look-alike.
 *
 * @see https://api.slack.com/reference/surfaces/formatting#code-block
 */
export function slackCodeBlock(content: string): string {
  return `\`\`\`\n${escapeSlackCodeBody(content)}\n\`\`\``;
}

/**
 * The escaped body of a Slack code block, without its fences (for renderers that cut it to a size before
 * closing the fence). Control characters are removed as for a terminal; line feeds survive.
 *
 * @see https://api.slack.com/reference/surfaces/formatting#escaping
 */
export function escapeSlackCodeBody(content: string): string {
  return escapeSlackEntities(withoutBackticks(sanitizeTerminal(content, { multiline: true })));
}

/**
 * Characters that CommonMark lets a backslash escape (all ASCII punctuation), minus `&`, `<`, `>`: those are
 * written as HTML entities instead, because GitHub renders raw HTML and an autolink (`<https://…>`) is
 * recognised before backslash escapes in some renderers.
 *
 * @see https://spec.commonmark.org/0.31.2/#backslash-escapes
 * @see https://spec.commonmark.org/0.31.2/#entity-and-numeric-character-references
 */
const MARKDOWN_SPECIAL = /[!-/:-@[-`{-~]/g;

/**
 * Escapes an untrusted value for Markdown running text (GitHub-flavoured): ASCII punctuation is
 * backslash-escaped, `&<>` become entities, and the value is put on one line so it cannot start a heading,
 * list or code block.
 *
 * @see https://github.github.com/gfm/#backslash-escapes
 */
export function escapeMarkdown(value: string): string {
  return toSingleLine(value).replace(MARKDOWN_SPECIAL, (char, at: number, text: string) => {
    if (char === '&') return '&amp;';
    if (char === '<') return '&lt;';
    if (char === '>') return '&gt;';
    // GitHub links an email address and notifies an @mention whatever the escapes (its autolinks and
    // mentions are found in the rendered text): a word joiner after `@` breaks both, unseen. The same
    // goes for an issue reference (`#42`, `owner/repo#42`) and an emoji code (`:+1:`).
    if (char === '@' || char === '#') return `\\${char}${WORD_JOINER}`;
    if (
      char === ':' &&
      // Not inside a word, nor at the second colon of `::` (an IAM ARN's empty region, an IPv6 address).
      !WORD_CHARACTER.test(text.charAt(at - 1)) &&
      text.charAt(at - 1) !== ':' &&
      EMOJI_CODE_AFTER.test(text.slice(at + 1, at + 64))
    )
      return `\\:${WORD_JOINER}`;
    return `\\${char}`;
  });
}

/** What follows the first colon of an emoji code (`+1:`, `white_check_mark:`). */
const EMOJI_CODE_AFTER = /^[a-z0-9_+'-]+:/i;

const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/** U+2060 WORD JOINER: invisible, and no line break at it. */
const WORD_JOINER = '\u2060';

/**
 * The documentation the reports cite: a word that is one of these URLs, and nothing else, is written as
 * an autolink in Markdown prose. Any other URL (an object key can hold one) stays escaped text. On
 * GitHub, where anyone can open an issue, only the issues the reports cite are links, besides a
 * repository's files and commits.
 */
const CITED_URL =
  /^https:\/\/(?:(?:docs\.aws\.amazon\.com|awscli\.amazonaws\.com|rclone\.org|restic\.readthedocs\.io|hadoop\.apache\.org|developer\.hashicorp\.com|opentofu\.org|registry\.terraform\.io|www\.terraform\.io|www\.rfc-editor\.org|learn\.microsoft\.com)\/[A-Za-z0-9/._~#%?=&+-]*|(?:gitlab\.com\/duplicity\/duplicity\/-|github\.com\/(?:rclone|aws|awslabs|hashicorp|s3fs-fuse|s3tools|minio|opentofu)\/[A-Za-z0-9._-]+)(?:\/(?:blob|tree|commit)\/[A-Za-z0-9/._~#%?=&+-]*)?|github\.com\/(?:aws\/aws-cli\/issues\/3163|rclone\/rclone\/issues\/(?:4703|5119|5271|5730)))$/;

/**
 * A cited URL with no dot segment (`..`, `.`, or their percent-encoded forms): a browser resolves them
 * before it follows the link, so `github.com/aws/x/blob/../../../other/repo` would open another repository.
 *
 * @see https://url.spec.whatwg.org/#double-dot-path-segment
 */
function isCitedUrl(url: string): boolean {
  return CITED_URL.test(url) && !/\/(?:\.|%2e){1,2}(?:[/?#]|$)/i.test(url);
}

/** Running text without code spans, a word at a time: a cited URL as an autolink, the rest escaped. */
function escapeMarkdownWords(text: string): string {
  return text
    .split(/(\s+)/)
    .map((word) => {
      // An ARN reads as code (`arn:aws:s3:::b/daily/*`), not as a run of backslashes; a code span shows
      // its content as it is, so what an object key in it holds cannot format or link.
      const arn = /^([("'[]*)(arn:aws[a-z-]*:\S*?)([)"'\].,;:!?]*)$/su.exec(word);
      if (arn !== null) {
        const [, lead = '', core = '', trail = ''] = arn;
        return `${escapeMarkdown(lead)}${markdownInlineCode(core)}${escapeMarkdown(trail)}`;
      }
      if (!word.includes('https://')) return escapeMarkdown(word);
      const parts = /^([("'[]*)(.*?)([)"'\].,;:!?]*)$/su.exec(word);
      const [lead = '', core = word, trail = ''] = parts === null ? [] : parts.slice(1);
      return isCitedUrl(core)
        ? `${escapeMarkdown(lead)}<${core}>${escapeMarkdown(trail)}`
        : escapeMarkdown(word);
    })
    .join('');
}

/**
 * Escapes report prose (a caveat, an alternative, a note) for Markdown: as {@link escapeMarkdown}, but a
 * span the text marks with single backticks (`rclone copy`) becomes a code span, and the documentation
 * it cites stays a link. An untrusted value inside the prose cannot start formatting or a link of its
 * own. The backticks of the `quoted` pieces (see {@link backtickPieces}) show as the value's, escaped
 * (or, in a code span, inside a fence longer than their runs); a backtick pair in an object key not among
 * them could only make a code span, which shows its content as it is.
 *
 * @see https://spec.commonmark.org/0.31.2/#code-spans
 * @see https://github.github.com/gfm/#autolinks
 */
export function escapeMarkdownProse(value: string, quoted: readonly QuotedPiece[] = []): string {
  return withReportSpans(value, escapeMarkdownWords, markdownInlineCode, quoted);
}

function longestBacktickRun(value: string): number {
  let longest = 0;
  for (const run of value.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/**
 * An untrusted value as a Markdown inline code span. Backslash escapes do not work inside code spans, so
 * the fence is one backtick longer than the longest backtick run in the value, and a space pads the value
 * when it starts or ends with a backtick (CommonMark strips exactly one such space on each side).
 *
 * @see https://spec.commonmark.org/0.31.2/#code-spans
 */
export function markdownInlineCode(value: string): string {
  const content = toSingleLine(value);
  const fence = '`'.repeat(longestBacktickRun(content) + 1);
  const needsPadding =
    content.startsWith('`') ||
    content.endsWith('`') ||
    (content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '');
  if (content === '') return '` `';
  const padded = needsPadding ? ` ${content} ` : content;
  return `${fence}${padded}${fence}`;
}

/**
 * Multi-line text as a fenced Markdown code block whose fence is longer than any backtick run inside, so
 * the content cannot close it early.
 *
 * @see https://spec.commonmark.org/0.31.2/#fenced-code-blocks
 */
export function markdownCodeBlock(content: string, language = ''): string {
  const body = sanitizeTerminal(content, { multiline: true });
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `${fence}${language}\n${body}\n${fence}`;
}

/**
 * Escapes the five characters that are significant in HTML text and attribute values.
 *
 * @see https://html.spec.whatwg.org/multipage/named-characters.html
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => {
    switch (char) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

function unicodeEscape(char: string): string {
  // A character past U+FFFF (a tag character) is written as its two code units, as JSON spells it.
  let out = '';
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * The characters {@link safeJsonText} escapes (DEL, C1 controls and {@link isInvisibleFormatting}'s), as
 * one expression: a report's JSON is megabytes, which a replace with it goes through far faster than a
 * loop over its characters. A test checks both give the same characters.
 */
const JSON_UNSAFE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: each combining mark here stands alone, to be escaped
  /[\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0d\ufeff\uffa0\ufff0-\ufff8\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}]/gu;

/**
 * JSON text (a report, piece by piece) with the characters a terminal acts on or that hide or reorder
 * text written as `\uXXXX` escapes, the same value to any JSON reader. They occur only inside its strings.
 */
export function escapeInvisiblesInJson(json: string): string {
  return json.replace(JSON_UNSAFE, unicodeEscape);
}

/**
 * Pretty-printed JSON that stays exactly equivalent to `value` yet is safe to embed in any of our outputs.
 * `JSON.stringify` escapes only C0 controls, so DEL, C1 controls (8-bit CSI `\u009b` is an escape sequence
 * for many terminals), bidirectional overrides and line separators are written as `\uXXXX` escapes, as are
 * `extra` characters (Slack entities, backticks). Those characters can only occur inside JSON strings, so
 * the result parses to the same value and can be pasted into IAM unchanged.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8259#section-7
 */
export function safeJson(value: unknown, extra = ''): string {
  return safeJsonText(JSON.stringify(value, null, 2) ?? 'null', extra);
}

/**
 * {@link safeJson} for JSON already written as text (a diff of two policy documents): the characters
 * JSON.stringify leaves raw that a terminal or a chat would act on or hide are escaped as `\uXXXX`, so
 * they show, and the text still reads back as the same JSON.
 */
export function safeJsonText(json: string, extra = ''): string {
  let out = '';
  for (const char of json) {
    const code = char.codePointAt(0) ?? 0;
    // C0 controls are already escaped inside strings; outside them only the indentation's \n occurs.
    const unsafe = (code >= 0x7f && code <= 0x9f) || isInvisibleFormatting(code) || extra.includes(char);
    out += unsafe ? unicodeEscape(char) : char;
  }
  return out;
}
