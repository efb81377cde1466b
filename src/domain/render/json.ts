/**
 * The JSON report, written in pieces: the same text as `JSON.stringify(report, null, 2)`, one array
 * element at a time. A report of a directory of trail files lists millions of skipped events and can
 * exceed the longest string V8 can hold (about 512 MiB), which `JSON.stringify` then cannot build.
 */
import type { ExplainReport } from '../explain/report.js';
import { escapeInvisiblesInJson } from './escape.js';

/** The lines of an element's JSON after the first are indented this much more inside the report. */
const ELEMENT_INDENT = '    ';

/**
 * Yields pieces whose concatenation is `JSON.stringify(report, null, 2)` (with the characters of
 * {@link INVISIBLE} written as escapes, the same JSON value): each member of the report on
 * its own, and each element of a member that is a list on its own (its nested lines indented as the
 * whole-report text indents them; JSON strings hold no raw line breaks, so every `\n` is a line break).
 */
export function* reportJsonPieces(report: ExplainReport): Generator<string> {
  for (const piece of rawPieces(report)) yield escapeInvisiblesInJson(piece);
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
