/**
 * Reads one JSON document from a file or from standard input (`-`). Every failure is a value that
 * names the input and says what is wrong: missing, unreadable, empty, a broken or oversized gzip, text in
 * no encoding it reads (with where and how to convert it), or not JSON (with line and column).
 */
import { constants } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { locateJsonSyntaxError } from '../domain/json/jsonSyntaxError.js';
import { MAX_POLICY_NESTING, nestsDeeperThan } from '../domain/json/jsonValue.js';
import { readAtMost } from './boundedRead.js';
import { gunzipLayers } from './gzipLayers.js';
import { decodeText, maxTextLength } from './textEncoding.js';

export type FileErrorCode =
  | 'file.missing'
  | 'file.unreadable'
  | 'file.empty'
  | 'file.notJson'
  | 'file.notText'
  | 'file.badGzip'
  | 'file.tooLarge'
  | 'file.tooDeep';

/**
 * V8's longest string (2^29 - 24 UTF-16 units on 64-bit builds, about 512 MiB of ASCII): a JSON input
 * whose text is longer cannot be held as one string, and building it would throw.
 *
 * @see https://nodejs.org/api/buffer.html#bufferconstantsmax_string_length
 */
const MAX_TEXT_LENGTH = constants.MAX_STRING_LENGTH;

/** An input that could not be used, with the file named for the user. */
export interface FileFailure {
  readonly ok: false;
  /** A {@link FileErrorCode}, or a code of the loader that rejected the file's content. */
  readonly code: string;
  readonly message: string;
  readonly file: string;
}

export type JsonFileResult = { readonly ok: true; readonly value: unknown } | FileFailure;

const STDIN_LABEL = 'standard input';

function failure(code: FileErrorCode, file: string, message: string): FileFailure {
  return { ok: false, code, message, file };
}

/** Where and why a text is not JSON, e.g. `the file ends too early at line 3, column 1`. */
export function describeJsonProblem(text: string, error: unknown): string {
  const location = locateJsonSyntaxError(text);
  if (location === undefined) return error instanceof Error ? error.message : String(error);
  const reason = location.reason.endsWith('end of input') ? 'the file ends too early' : location.reason;
  return `${reason} at line ${location.line}, column ${location.column}`;
}

/**
 * Reads and parses one JSON input: a file path, or `-` for standard input.
 */
export async function readJsonFile(
  file: string,
  stdin: NodeJS.ReadableStream = process.stdin,
  options?: { readonly maxTextLength?: number },
): Promise<JsonFileResult> {
  const name = file === '-' ? STDIN_LABEL : file;
  const maxLength = options?.maxTextLength ?? MAX_TEXT_LENGTH;
  // UTF-16 holds two bytes per character: a text within the limit has at most twice as many bytes.
  const maxBytes = 2 * maxLength + 4;
  let bytes: Buffer | undefined;
  try {
    if (file === '-') {
      // Past maxBytes (and a little gzip framing) nothing can be read as one text: reading stops.
      const read = await readAtMost(stdin, maxBytes + 1024 * 1024);
      bytes = read.ok ? read.bytes : undefined;
    } else bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return failure('file.missing', file, `${name}: no such file`);
    if (code === 'EISDIR') return failure('file.unreadable', file, `${name}: is a directory, not a file`);
    if (code === 'EACCES' || code === 'EPERM')
      return failure('file.unreadable', file, `${name}: permission denied (${code})`);
    return failure('file.unreadable', file, `${name}: cannot be read (${code ?? (error as Error).message})`);
  }
  if (bytes === undefined) return failure('file.tooLarge', file, `${name}: is too large to read as one text`);
  // A gzipped file is read through its layers, as event inputs are.
  const unzipped = await gunzipLayers(bytes, maxBytes);
  if (!unzipped.ok) {
    return unzipped.problem === 'too-large'
      ? failure('file.tooLarge', file, `${name}: is too large to read as one text after gzip decompression`)
      : failure('file.badGzip', file, `${name}: ${unzipped.message}`);
  }
  // A policy or snapshot file is read whole or not at all: bytes after its gzip data are a problem.
  if (unzipped.trailingBytes > 0)
    return failure(
      'file.badGzip',
      file,
      `${name}: ${unzipped.trailingBytes.toLocaleString('en-US')} bytes after its gzip data do not start like gzip (gzip -d would ignore them); remove them, or decompress the file and give the JSON`,
    );
  // Measured in characters, not bytes: UTF-8 text (one byte per ASCII character) between the longest
  // string and twice it got past a byte cap and threw "Cannot create a string longer than …".
  if (maxTextLength(unzipped.bytes) > maxLength)
    return failure(
      'file.tooLarge',
      file,
      `${name}: is too large to read as one text (${unzipped.bytes.byteLength.toLocaleString('en-US')} bytes${unzipped.layers > 0 ? ' after gzip decompression' : ''}; at most ${maxLength.toLocaleString('en-US')} characters)`,
    );
  // PowerShell redirection writes a byte order mark (UTF-8, or UTF-16LE in Windows PowerShell 5.1) that
  // JSON.parse rejects; the text is read in its encoding, without the mark.
  const decoded = decodeText(unzipped.bytes);
  if (!decoded.ok) {
    return failure(
      'file.notText',
      file,
      `${name}: ${decoded.reason}${unzipped.layers > 0 ? ' (after gzip decompression)' : ''}; ${decoded.advice}`,
    );
  }
  const json = decoded.text;
  if (json.trim() === '') return failure('file.empty', file, `${name}: the file is empty`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return failure('file.notJson', file, `${name}: not valid JSON: ${describeJsonProblem(json, error)}`);
  }
  if (nestsDeeperThan(value, MAX_POLICY_NESTING))
    return failure(
      'file.tooDeep',
      file,
      `${name}: nests arrays and objects more than ${MAX_POLICY_NESTING} levels deep; no policy document, snapshot or request nests more than about 16`,
    );
  return { ok: true, value };
}
