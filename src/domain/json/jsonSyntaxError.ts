/**
 * Where a JSON text stops being valid, as a line and column a person can jump to.
 *
 * `JSON.parse` on Node 20 often says only `Unexpected token '}', "..." is not valid JSON` (no
 * position), and the wording differs between engine versions, so the position is recomputed here by
 * a small validating scanner that follows the JSON grammar of RFC 8259.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8259
 */

/** A syntax error located in the text: 1-based line and column, 0-based offset. */
export interface JsonSyntaxErrorLocation {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  /** What the scanner expected or found, e.g. `expected ',' or '}' after a property value`. */
  readonly reason: string;
}

// A document nested this deeply is not a CloudTrail record; the limit keeps recursion bounded.
const MAX_DEPTH = 512;

interface ScanState {
  readonly text: string;
  pos: number;
  error?: { offset: number; reason: string };
}

/**
 * Finds the first syntax error in `text`, or returns `undefined` when the text is valid JSON.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8259
 */
export function locateJsonSyntaxError(text: string): JsonSyntaxErrorLocation | undefined {
  const state: ScanState = { text, pos: 0 };
  skipWhitespace(state);
  if (scanValue(state, 0)) {
    skipWhitespace(state);
    if (state.pos < text.length) {
      fail(state, `unexpected ${describeChar(text, state.pos)} after the end of the JSON value`);
    }
  }
  if (state.error === undefined) return undefined;
  return { ...lineAndColumn(text, state.error.offset), reason: state.error.reason };
}

/** Converts a 0-based offset to 1-based line and column (LF, CRLF and CR all end a line). */
export function lineAndColumn(
  text: string,
  offset: number,
): { offset: number; line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

function fail(state: ScanState, reason: string): false {
  state.error ??= { offset: state.pos, reason };
  return false;
}

function describeChar(text: string, pos: number): string {
  if (pos >= text.length) return 'end of input';
  return `character ${JSON.stringify(text.charAt(pos))}`;
}

function skipWhitespace(state: ScanState): void {
  const { text } = state;
  while (state.pos < text.length) {
    const c = text.charCodeAt(state.pos);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
    state.pos++;
  }
}

function scanValue(state: ScanState, depth: number): boolean {
  if (depth > MAX_DEPTH) return fail(state, `nesting deeper than ${MAX_DEPTH} levels`);
  const c = state.text.charAt(state.pos);
  switch (c) {
    case '{':
      return scanObject(state, depth);
    case '[':
      return scanArray(state, depth);
    case '"':
      return scanString(state);
    case 't':
      return scanLiteral(state, 'true');
    case 'f':
      return scanLiteral(state, 'false');
    case 'n':
      return scanLiteral(state, 'null');
    default:
      if (c === '-' || (c >= '0' && c <= '9')) return scanNumber(state);
      return fail(state, `expected a JSON value, found ${describeChar(state.text, state.pos)}`);
  }
}

function scanObject(state: ScanState, depth: number): boolean {
  state.pos++;
  skipWhitespace(state);
  if (state.text.charAt(state.pos) === '}') {
    state.pos++;
    return true;
  }
  for (;;) {
    skipWhitespace(state);
    if (state.text.charAt(state.pos) !== '"') {
      return fail(
        state,
        `expected a property name in double quotes, found ${describeChar(state.text, state.pos)}`,
      );
    }
    if (!scanString(state)) return false;
    skipWhitespace(state);
    if (state.text.charAt(state.pos) !== ':') {
      return fail(state, `expected ':' after a property name, found ${describeChar(state.text, state.pos)}`);
    }
    state.pos++;
    skipWhitespace(state);
    if (!scanValue(state, depth + 1)) return false;
    skipWhitespace(state);
    const next = state.text.charAt(state.pos);
    if (next === '}') {
      state.pos++;
      return true;
    }
    if (next !== ',') {
      return fail(
        state,
        `expected ',' or '}' after a property value, found ${describeChar(state.text, state.pos)}`,
      );
    }
    state.pos++;
  }
}

function scanArray(state: ScanState, depth: number): boolean {
  state.pos++;
  skipWhitespace(state);
  if (state.text.charAt(state.pos) === ']') {
    state.pos++;
    return true;
  }
  for (;;) {
    skipWhitespace(state);
    if (!scanValue(state, depth + 1)) return false;
    skipWhitespace(state);
    const next = state.text.charAt(state.pos);
    if (next === ']') {
      state.pos++;
      return true;
    }
    if (next !== ',') {
      return fail(
        state,
        `expected ',' or ']' after an array element, found ${describeChar(state.text, state.pos)}`,
      );
    }
    state.pos++;
  }
}

function scanString(state: ScanState): boolean {
  const { text } = state;
  state.pos++;
  while (state.pos < text.length) {
    const c = text.charCodeAt(state.pos);
    if (c === 0x22) {
      state.pos++;
      return true;
    }
    if (c < 0x20) return fail(state, 'unescaped control character in a string');
    if (c === 0x5c) {
      const escaped = text.charAt(state.pos + 1);
      if (escaped === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(state.pos + 2, state.pos + 6))) {
          state.pos++;
          return fail(state, 'invalid \\u escape in a string');
        }
        state.pos += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(escaped) || escaped === '') {
        state.pos++;
        return fail(state, `invalid escape ${JSON.stringify(`\\${escaped}`)} in a string`);
      }
      state.pos += 2;
      continue;
    }
    state.pos++;
  }
  return fail(state, 'unterminated string');
}

function scanNumber(state: ScanState): boolean {
  const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(
    state.text.slice(state.pos, state.pos + 400),
  );
  if (match === null || match[0] === '-') return fail(state, 'invalid number');
  state.pos += match[0].length;
  return true;
}

function scanLiteral(state: ScanState, literal: 'true' | 'false' | 'null'): boolean {
  if (state.text.startsWith(literal, state.pos)) {
    state.pos += literal.length;
    return true;
  }
  return fail(state, `expected a JSON value, found ${describeChar(state.text, state.pos)}`);
}
