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
 * overrides (U+202E makes a key read backwards), zero-width characters, line and paragraph separators.
 * They occur only inside JSON strings, where `\uXXXX` is the same value to any JSON reader.
 */
const INVISIBLE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;

function withInvisiblesEscaped(piece: string): string {
  return piece.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
