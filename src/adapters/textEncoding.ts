/**
 * Turns the bytes of a JSON input into text. JSON exchanged between systems is UTF-8 (RFC 8259 §8.1), and
 * CloudTrail and the AWS CLI write UTF-8, but a redirection in Windows PowerShell 5.1
 * (`aws iam get-account-authorization-details > authz.json`) writes UTF-16LE with a byte order mark, and
 * other tools write it without one. Such a file is read as what it is rather than reported as broken
 * JSON at "line 1, column 2"; an encoding this cannot read gets a message that names it, where the
 * problem is, and how to convert it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8259#section-8.1
 * @see https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.core/about/about_character_encoding
 */
import { isUtf8 } from 'node:buffer';

export type TextEncodingName = 'UTF-8' | 'UTF-16LE' | 'UTF-16BE' | 'UTF-32LE' | 'UTF-32BE';

/** A line of JSON lines that is not UTF-8, left out of the text (see {@link decodeText}'s `jsonLines`). */
export interface SkippedLine {
  /** From 1. */
  readonly line: number;
  /** What is wrong: `byte 0xE9 at byte 12 of the line is not valid UTF-8`. */
  readonly reason: string;
}

export type DecodedText =
  | {
      readonly ok: true;
      readonly text: string;
      readonly encoding: TextEncodingName;
      /** Lines left out (as empty lines, so that the others keep their numbers); absent when none. */
      readonly skippedLines?: readonly SkippedLine[];
    }
  | {
      readonly ok: false;
      /** What is wrong, to follow the input's name: `is not UTF-8 text, as …`. */
      readonly reason: string;
      /** What to do about it: `convert it (iconv -f WINDOWS-1252 -t UTF-8)`. */
      readonly advice: string;
    };

/**
 * The encoding the first bytes show: a byte order mark, or (without one) the zero bytes that ASCII
 * characters leave in UTF-16 and UTF-32, as RFC 4627 §3 detected them (a JSON text starts with ASCII).
 *
 * @see https://www.rfc-editor.org/rfc/rfc4627#section-3
 */
export function detectEncoding(bytes: Uint8Array): { encoding: TextEncodingName; bom: number } {
  const [b0, b1, b2, b3] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { encoding: 'UTF-8', bom: 3 };
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0xfe && b3 === 0xff) return { encoding: 'UTF-32BE', bom: 4 };
  if (b0 === 0xff && b1 === 0xfe && b2 === 0x00 && b3 === 0x00) return { encoding: 'UTF-32LE', bom: 4 };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'UTF-16LE', bom: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'UTF-16BE', bom: 2 };
  if (bytes.length >= 4) {
    if (b0 === 0 && b1 === 0 && b2 === 0 && b3 !== 0) return { encoding: 'UTF-32BE', bom: 0 };
    if (b0 !== 0 && b1 === 0 && b2 === 0 && b3 === 0) return { encoding: 'UTF-32LE', bom: 0 };
  }
  if (bytes.length >= 2) {
    if (b0 === 0 && b1 !== 0) return { encoding: 'UTF-16BE', bom: 0 };
    if (b0 !== 0 && b1 === 0) return { encoding: 'UTF-16LE', bom: 0 };
  }
  return { encoding: 'UTF-8', bom: 0 };
}

/** How many characters the text of `bytes` has at most: to refuse an input too long for one string first. */
export function maxTextLength(bytes: Uint8Array): number {
  const { encoding } = detectEncoding(bytes);
  return encoding === 'UTF-16LE' || encoding === 'UTF-16BE'
    ? Math.ceil(bytes.byteLength / 2)
    : bytes.byteLength;
}

/**
 * Where the first byte that is not UTF-8 is (an offset into `bytes`), checking lead bytes, continuation
 * bytes, overlong forms, surrogates and the U+10FFFF limit as RFC 3629 does. Only run on text that
 * `isUtf8` rejected, to say where.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3629#section-4
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    // A lead byte that no sequence starts with, or a sequence cut off by the end of the text.
    if (need === 0 || i + need >= bytes.length) return i;
    const second = bytes[i + 1]!;
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return i;
    for (let k = 2; k <= need; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * The text of JSON lines some of whose lines are not UTF-8, those lines left empty, when it is JSON
 * lines: two lines or more, one of the UTF-8 ones a JSON object on its own (a pretty-printed document's
 * lines are fragments). `undefined` otherwise, or when no line is UTF-8.
 */
function utf8JsonLines(
  body: Buffer,
): { readonly text: string; readonly skippedLines: readonly SkippedLine[] } | undefined {
  const parts: string[] = [];
  const skippedLines: SkippedLine[] = [];
  let wholeObject = false;
  let start = 0;
  for (let line = 1; start <= body.length; line++) {
    const newline = body.indexOf(0x0a, start);
    const end = newline < 0 ? body.length : newline;
    const bytes = body.subarray(start, end);
    if (isUtf8(bytes)) {
      const text = bytes.toString('utf8');
      parts.push(text);
      if (!wholeObject && text.trimStart().startsWith('{')) wholeObject = isJsonObject(text);
    } else {
      parts.push('');
      const at = firstInvalidUtf8(bytes);
      skippedLines.push({
        line,
        reason: `byte ${hex(bytes[at]!)} at byte ${(at + 1).toLocaleString('en-US')} of the line is not valid UTF-8`,
      });
    }
    if (newline < 0) break;
    start = newline + 1;
  }
  if (parts.length < 2 || !wholeObject || skippedLines.length === parts.length) return undefined;
  return { text: withoutMark(parts.join('\n')), skippedLines };
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** `line 3 (byte offset 120)`: where an offset into the bytes of a text is. */
function whereInBytes(bytes: Uint8Array, offset: number): string {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return `line ${line} (byte offset ${offset.toLocaleString('en-US')})`;
}

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * The text of `bytes` without its byte order mark, or why there is none. UTF-8 is checked in one
 * (vectorised) pass before decoding: decoding with TextDecoder's `fatal` option instead costs a second
 * copy of a trail file that may be 100 MB. UTF-16 is decoded by Buffer (TextDecoder in Node.js 20 fails
 * on valid UTF-16 above 2^27 code units) and then checked for unpaired surrogates.
 */
export function decodeText(bytes: Uint8Array, options?: { readonly jsonLines?: boolean }): DecodedText {
  const { encoding, bom } = detectEncoding(bytes);
  if (encoding === 'UTF-32LE' || encoding === 'UTF-32BE') {
    return {
      ok: false,
      reason: `is ${encoding} text${bom === 0 ? ' without a byte order mark' : ''}, which a JSON input cannot be`,
      advice: `convert it to UTF-8 (iconv -f ${encoding} -t UTF-8)`,
    };
  }
  const body = Buffer.from(bytes.buffer, bytes.byteOffset + bom, bytes.byteLength - bom);
  if (encoding === 'UTF-8') {
    if (!isUtf8(body)) {
      const binary = binaryKind(body);
      if (binary !== undefined) {
        return {
          ok: false,
          reason: `is ${binary}, not text`,
          advice:
            binary === 'binary data'
              ? "give CloudTrail's log files (.json or .json.gz), JSON lines, or the output of aws cloudtrail lookup-events"
              : 'extract it, and give the .json or .json.gz files inside',
        };
      }
      // JSON lines with a line or two in another encoding (a record a tool wrote in Latin-1): the other
      // records are read, and each such line is an error of its own.
      const lines = options?.jsonLines === true ? utf8JsonLines(body) : undefined;
      if (lines !== undefined) return { ok: true, encoding, ...lines };
      const at = firstInvalidUtf8(body);
      const where =
        at < 0 ? '' : `, as byte ${hex(body[at]!)} at ${whereInBytes(body, at + bom)} is not valid UTF-8`;
      return {
        ok: false,
        reason: `is not UTF-8 text${where}`,
        advice: 'if it is Latin-1 or Windows-1252 text, convert it (iconv -f WINDOWS-1252 -t UTF-8)',
      };
    }
    return { ok: true, encoding, text: withoutMark(body.toString('utf8')) };
  }
  const cut = bom === 0 ? ' without a byte order mark' : '';
  if (body.byteLength % 2 !== 0) {
    return {
      ok: false,
      reason: `is ${encoding} text${cut} with an odd number of bytes (${bytes.byteLength.toLocaleString('en-US')}), so it was cut short`,
      advice: 'produce it again, or save it as UTF-8',
    };
  }
  // A JSON text starts with an ASCII character, whose high byte is zero: a mark that says one byte order
  // in front of a body in the other (two files or two tools joined) would decode it as CJK characters.
  if (bom > 0 && body.byteLength >= 2) {
    const other = encoding === 'UTF-16LE' ? 'UTF-16BE' : 'UTF-16LE';
    const highFirst =
      encoding === 'UTF-16LE' ? body[0] === 0 && body[1] !== 0 : body[0] !== 0 && body[1] === 0;
    if (highFirst) {
      return {
        ok: false,
        reason: `starts with a ${encoding} byte order mark, but its text is ${other} (its first character is bytes ${hex(body[0]!)} ${hex(body[1]!)})`,
        advice: `remove the first two bytes and convert the rest (tail -c +3 FILE | iconv -f ${other} -t UTF-8)`,
      };
    }
  }
  const text =
    encoding === 'UTF-16LE' ? body.toString('utf16le') : Buffer.from(body).swap16().toString('utf16le');
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    const at = text.search(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    return {
      ok: false,
      reason: `is ${encoding} text${cut} with an unpaired surrogate (character ${at.toLocaleString('en-US')}), which is not valid ${encoding}`,
      advice: 'save it as UTF-8',
    };
  }
  return { ok: true, encoding, text: withoutMark(text) };
}

/** Archives people download logs in, by their first bytes (gzip is read, and never reaches here). */
const ARCHIVES: readonly [readonly number[], string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive'],
  [[0x42, 0x5a, 0x68], 'a bzip2 file'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'an xz file'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'a Zstandard file'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'a 7-Zip archive'],
];

/**
 * What bytes that are not UTF-8 are when they are not text at all: an archive named by its magic number,
 * or `binary data` when the first 8 KiB hold a NUL or many control characters (text in a legacy
 * encoding holds neither). `undefined` for what looks like text in another encoding.
 */
function binaryKind(bytes: Uint8Array): string | undefined {
  for (const [magic, name] of ARCHIVES) if (magic.every((b, i) => bytes[i] === b)) return name;
  const head = bytes.subarray(0, 8192);
  let control = 0;
  for (const b of head) {
    if (b === 0) return 'binary data';
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control++;
  }
  return control > head.length / 20 ? 'binary data' : undefined;
}

/** A text without a further byte order mark (a BOM written twice, by two tools in a row). */
function withoutMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
