/**
 * The JSON report, written in pieces: the same text as `JSON.stringify(report, null, 2)`, one array
 * element at a time. A report of a directory of trail files lists millions of skipped events and can
 * exceed the longest string V8 can hold (about 512 MiB), which `JSON.stringify` then cannot build.
 */
import type { ExplainReport } from '../explain/report.js';

/** The lines of an element's JSON after the first are indented this much more inside the report. */
const ELEMENT_INDENT = '    ';

/**
 * Yields pieces whose concatenation is `JSON.stringify(report, null, 2)` (with the characters of
 * {@link INVISIBLE} written as escapes, the same JSON value): each member of the report on
 * its own, and each element of a member that is a list on its own (its nested lines indented as the
 * whole-report text indents them; JSON strings hold no raw line breaks, so every `\n` is a line break).
 */
export function* reportJsonPieces(report: ExplainReport): Generator<string> {
  for (const piece of rawPieces(report)) yield withInvisiblesEscaped(piece);
}

/**
 * Characters JSON.stringify leaves as they are that a terminal acts on or that hide or reorder text:
 * DEL and the C1 controls (U+009B and U+009D start sequences as ESC [ and ESC ] do), bidi marks and
 * overrides (U+202E makes a key read backwards), zero-width characters, line and paragraph separators,
 * and the other default-ignorable characters the text formats show as U+FFFD (the soft hyphen, Hangul
 * fillers, variation selectors but the emoji ones, tag characters). They occur only inside JSON strings,
 * where `\uXXXX` (a pair of them past U+FFFF) is the same value to any JSON reader.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: each combining mark here stands alone, to be escaped
  /[\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0d\ufeff\uffa0\ufff0-\ufff8\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}]/gu;

function withInvisiblesEscaped(piece: string): string {
  return piece.replace(INVISIBLE, (c) => {
    let out = '';
    for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}

function* rawPieces(report: ExplainReport): Generator<string> {
  let first = true;
  yield '{';
  for (const [key, value] of Object.entries(report)) {
    // JSON.stringify leaves out members whose value has no JSON text.
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    yield `${first ? '' : ','}\n  ${JSON.stringify(key)}: `;
    first = false;
    if (!Array.isArray(value) || value.length === 0) {
      yield indented(JSON.stringify(value, null, 2), '  ');
      continue;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      // An element with no JSON text of its own (undefined, a function) is `null` in an array.
      const text = JSON.stringify(value[i], null, 2) ?? 'null';
      yield `${i === 0 ? '' : ','}\n${ELEMENT_INDENT}${indented(text, ELEMENT_INDENT)}`;
    }
    yield '\n  ]';
  }
  yield first ? '}' : '\n}';
}

function indented(text: string, indent: string): string {
  return text.includes('\n') ? text.replaceAll('\n', `\n${indent}`) : text;
}
