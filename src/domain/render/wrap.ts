/**
 * Wrapping the text report to a terminal's width. A terminal's own soft wrap continues a long line at
 * column 0, under nothing: a labelled column's value (`Cause      …`) or a bullet's text then loses its
 * place. Here prose is broken at spaces and continues under its label's value or its bullet's text; lines
 * marked {@link verbatim} (JSON, diffs, commands: text to copy as it is) are never broken, nor is a code
 * span in prose (`` `aws ec2 describe-vpc-endpoints …` ``, copied the same way).
 */
import { columnsOf } from './columns.js';

/**
 * Put in front of a line that must not be broken. A NUL never reaches the report from its input:
 * {@link sanitizeTerminal} replaces every control character, and JSON escapes it.
 */
const VERBATIM = '\u0000';

/** SGR sequences (colour), which take no column. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character starts what is matched.
const SGR_SEQUENCE = /\u001b\[[0-9;]*m/g;

/** `text`'s lines marked not to be broken (empty lines stay empty). */
export function verbatim(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `${VERBATIM}${line}`))
    .join('\n');
}

/** The narrowest width wrapped to: below it, lines are left as they are. */
const MIN_WIDTH = 20;

/**
 * `text` with lines wider than `width` columns broken at spaces (when `width` is given), and the
 * {@link verbatim} marks removed. A continuation starts under the text of a bullet (`- `), under the value
 * of a labelled column (`  Principal  …`), or else two columns in from the line it continues. A word wider
 * than the room (an ARN, a URL, a code span) is kept whole on a line of its own.
 */
export function finishLines(text: string, width?: number): string {
  if (width === undefined || width < MIN_WIDTH)
    return text.includes(VERBATIM) ? text.replaceAll(VERBATIM, '') : text;
  return text
    .split('\n')
    .map((line) => (line.startsWith(VERBATIM) ? line.slice(1) : wrapLine(line, width)))
    .join('\n');
}

function visibleColumns(text: string): number {
  return columnsOf(text.includes('\u001b') ? text.replace(SGR_SEQUENCE, '') : text);
}

/** Where a line's continuations start: under a bullet's text, a labelled column's value, or two in. */
function hangingIndent(line: string): number {
  const plain = line.replace(SGR_SEQUENCE, '');
  const bullet = /^( *- )\S/.exec(plain);
  if (bullet !== null) return bullet[1]!.length;
  // `  Principal  …`, `  Cause      …`: a word, then at least two spaces, then the value.
  const label = /^( {1,4}[A-Z][A-Za-z]* {2,})\S/.exec(plain);
  if (label !== null) return label[1]!.length;
  return (/^ */.exec(plain)?.[0].length ?? 0) + 2;
}

/**
 * `text` as its words and the runs of spaces between them (`[word, spaces, word, …]`, as a split on
 * `/( +)/` gives). A code span (from a backtick to the next) is part of its word whatever spaces it
 * holds: a command in prose is copied from the terminal, and a break would cut it into two commands.
 * A backtick with no other after it on the line opens no span.
 */
function wordsOf(text: string): string[] {
  if (!text.includes('`')) return text.split(/( +)/);
  const parts: string[] = [];
  let start = 0;
  let at = 0;
  while (at < text.length) {
    if (text[at] === '`') {
      const close = text.indexOf('`', at + 1);
      at = close < 0 ? at + 1 : close + 1;
      continue;
    }
    if (text[at] !== ' ') {
      at++;
      continue;
    }
    let end = at;
    while (text[end] === ' ') end++;
    parts.push(text.slice(start, at), text.slice(at, end));
    start = end;
    at = end;
  }
  parts.push(text.slice(start));
  return parts;
}

function wrapLine(line: string, width: number): string {
  if (visibleColumns(line) <= width) return line;
  // At most half the width: on a narrow terminal, a deep indent would leave no room for the words.
  const hang = Math.min(hangingIndent(line), Math.floor(width / 2));
  const lead = /^ */.exec(line)?.[0] ?? '';
  // Words and the runs of spaces between them: a run inside a line (the columns of a request) is kept,
  // one at a break is dropped.
  const parts = wordsOf(line.slice(lead.length));
  const rows: string[] = [];
  let row = `${lead}${parts[0] ?? ''}`;
  let used = visibleColumns(row);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const space = parts[i]!;
    const word = parts[i + 1]!;
    const wordColumns = visibleColumns(word);
    if (used + space.length + wordColumns > width && used > hang) {
      rows.push(row);
      row = `${' '.repeat(hang)}${word}`;
      used = hang + wordColumns;
    } else {
      row += `${space}${word}`;
      used += space.length + wordColumns;
    }
  }
  rows.push(row);
  return rows.join('\n');
}
