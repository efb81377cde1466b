/**
 * Reads CloudTrail inputs from the local file system and stdin: single files, directories of trail
 * log files (as `aws s3 sync` leaves them), gzip or not.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
import { constants } from 'node:buffer';
import { createReadStream, type Dirent, type Stats } from 'node:fs';
import { open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { InputProblem } from '../domain/cloudtrail/envelopes.js';
import { readAtMost } from './boundedRead.js';
import { gunzipLayers, isGzip } from './gzipLayers.js';
import { decodeText, detectEncoding, maxTextLength } from './textEncoding.js';

/** Name under which stdin appears in texts and problems. */
export const STDIN_NAME = '<stdin>';

/** Stable codes of the problems {@link readTrailInputs} reports. */
export const trailInputProblemCodes = {
  notFound: 'input.notFound',
  unreadable: 'input.unreadable',
  badGzip: 'input.badGzip',
  notUtf8: 'input.notUtf8',
  noTrailFiles: 'input.noTrailFiles',
  unsupportedType: 'input.unsupportedType',
  tooLarge: 'input.tooLarge',
} as const;

/** Codes of what reading the inputs passed over, read on (warnings, not errors). */
export const trailInputWarningCodes = {
  /** Bytes after a file's gzip data that do not start like gzip (zero padding too), ignored. */
  trailingBytes: 'input.trailingBytes',
  /** A file of a directory given whose name is not a trail file's, not read. */
  notTrailFileName: 'input.notTrailFileName',
  /** A file of a directory given that an option names too (the account snapshot beside the events): not read as events. */
  givenAsOption: 'input.givenAsOption',
} as const;

/** Something reading an input passed over that the user should know. */
export interface InputWarning {
  readonly code: string;
  /** In words, naming the input. */
  readonly message: string;
}

/**
 * V8's longest string (2^29 - 24 UTF-16 units on 64-bit builds): a text input longer than that cannot be
 * held as one string.
 *
 * @see https://nodejs.org/api/buffer.html#bufferconstantsmax_string_length
 */
const MAX_TEXT_LENGTH = constants.MAX_STRING_LENGTH;

/**
 * `measured`: the size is that of the text after gzip decompression (`exact`), or what decompression
 * reached before it stopped (`beyond`, the cap), or what a stream (standard input, a pipe) gave before
 * reading it stopped (`stopped`, at {@link maxStreamBytes}); absent, the file's own size.
 */
function tooLarge(
  input: string,
  bytes: number,
  limit: number,
  measured?: 'exact' | 'beyond' | 'stopped',
): InputProblem {
  const n = bytes.toLocaleString('en-US');
  const size =
    measured === undefined
      ? `${n} bytes`
      : measured === 'stopped'
        ? `more than ${n} bytes, where reading stopped`
        : `${measured === 'beyond' ? 'more than ' : ''}${n} bytes after gzip decompression`;
  return {
    input,
    code: trailInputProblemCodes.tooLarge,
    message: `${input}: is too large to read as one text (${size}; at most ${limit.toLocaleString('en-US')} characters): split it into several files, as CloudTrail does (one per 5 minutes or so), and pass them or their directory.`,
  };
}

/**
 * File names taken from directories. CloudTrail delivers `<account>_CloudTrail_<region>_<time>_<id>.json.gz`;
 * `.json` and `.jsonl` cover exported or hand-made inputs.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
export const TRAIL_FILE_SUFFIXES = ['.json', '.jsonl', '.json.gz', '.gz'] as const;

/** One text read from an input, named for messages. */
export interface TrailText {
  readonly input: string;
  readonly text: string;
  /** What reading it passed over that the user should know (bytes after its gzip data); absent for none. */
  readonly warning?: InputWarning;
  /** Lines of JSON lines that could not be read (not UTF-8), each named by its line; absent for none. */
  readonly problems?: readonly InputProblem[];
}

/**
 * One input to read, in the order the paths name them: a file, standard input, or a problem met while
 * listing the paths (a missing path, a directory without trail files).
 */
export type ListedInput =
  /** `stream`: a pipe named on the command line (`<(aws cloudtrail lookup-events …)`), read once. */
  | { readonly kind: 'file'; readonly path: string; readonly stream?: boolean }
  | { readonly kind: 'stdin' }
  | { readonly kind: 'problem'; readonly problem: InputProblem };

/**
 * Lists what the paths name, without reading any file: a file (any name), `-` for stdin, or a directory
 * (recursively, sorted by name, files ending in `.json`, `.jsonl`, `.json.gz` or `.gz`, without
 * CloudTrail digest, Insights and Lake sign files; symbolic links to directories followed, each directory listed once). Knowing every file first lets a caller read them one at a time (a directory
 * of trail files may hold gigabytes) and say how far it has got.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
export async function listTrailInputs(
  paths: readonly string[],
  /** Called with each file found in a directory that is not read (its name is not a trail file's). */
  onIgnored?: (path: string) => void,
): Promise<ListedInput[]> {
  const listed: ListedInput[] = [];
  const problem = (p: InputProblem): void => {
    listed.push({ kind: 'problem', problem: p });
  };
  for (const path of paths) {
    if (path === '-') {
      listed.push({ kind: 'stdin' });
      continue;
    }
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (error) {
      problem(fileProblem(path, error));
      continue;
    }
    if (info.isDirectory()) {
      const files: string[] = [];
      const walk: Walk = { digests: 0, directories: new Set() };
      await collectTrailFiles(path, files, problem, onIgnored, walk);
      if (files.length === 0) {
        problem({
          input: path,
          code: trailInputProblemCodes.noTrailFiles,
          message:
            walk.digests > 0
              ? `${path}: directory holds only CloudTrail digest, Insights or Lake sign files (${walk.digests.toLocaleString('en-US')}), which hold hashes of other files or unusual call rates, not API calls: give the CloudTrail/ directory beside CloudTrail-Digest/ and CloudTrail-Insight/ (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html).`
              : `${path}: directory contains no ${TRAIL_FILE_SUFFIXES.join(', ')} files.`,
        });
      }
      for (const file of files) listed.push({ kind: 'file', path: file });
      continue;
    }
    // A pipe named on the command line (a shell's process substitution, /dev/fd/63) is read like stdin.
    // Devices are not: /dev/zero would never end.
    if (info.isFIFO()) {
      listed.push({ kind: 'file', path, stream: true });
      continue;
    }
    if (!info.isFile()) {
      problem({
        input: path,
        code: trailInputProblemCodes.unsupportedType,
        message: `${path}: not a regular file, a pipe or a directory.`,
      });
      continue;
    }
    listed.push({ kind: 'file', path });
  }
  return listed;
}

/** The text of one listed input, or what is wrong with it (named by its file). */
export type ReadInput =
  | { readonly ok: true; readonly text: TrailText }
  | { readonly ok: false; readonly problem: InputProblem };

export interface ReadOptions {
  /** Standard input, for `-` (default `process.stdin`). */
  readonly stdin?: NodeJS.ReadableStream;
  /** The longest text an input may hold once decompressed (default: V8's longest string). */
  readonly maxTextLength?: number;
}

/**
 * Reads one listed input: a file or stdin, gzip or not (detected by its magic bytes). An unreadable
 * file, corrupt gzip or non-UTF-8 text is a problem naming the input.
 */
export async function readListedInput(
  input: Exclude<ListedInput, { kind: 'problem' }>,
  options?: ReadOptions,
): Promise<ReadInput> {
  const limit = options?.maxTextLength ?? MAX_TEXT_LENGTH;
  if (input.kind === 'stdin') return readStdin(options?.stdin ?? process.stdin, limit);
  return input.stream === true ? readStream(input.path, limit) : readOne(input.path, limit);
}

/**
 * Lists and reads every path (see {@link listTrailInputs}), keeping every text: for a few inputs. A
 * missing path, unreadable file, corrupt gzip or non-UTF-8 text is reported with the file's name and
 * the other inputs are still read.
 */
export async function readTrailInputs(
  paths: string[],
  options?: ReadOptions,
): Promise<{ texts: TrailText[]; errors: InputProblem[] }> {
  const texts: TrailText[] = [];
  const errors: InputProblem[] = [];
  for (const input of await listTrailInputs(paths)) {
    if (input.kind === 'problem') {
      errors.push(input.problem);
      continue;
    }
    const read = await readListedInput(input, options);
    if (read.ok) {
      texts.push(read.text);
      errors.push(...(read.text.problems ?? []));
    } else errors.push(read.problem);
  }
  return { texts, errors };
}

/** The state of one directory input's walk. */
interface Walk {
  /** Digest, Insights and Lake sign files met (left out). */
  digests: number;
  /** The directories listed so far, by their path with links resolved. */
  readonly directories: Set<string>;
}

async function collectTrailFiles(
  directory: string,
  files: string[],
  problem: (p: InputProblem) => void,
  onIgnored: ((path: string) => void) | undefined,
  walk: Walk,
): Promise<void> {
  // A directory is listed once, however it is reached: a link back up the tree would otherwise loop
  // forever, and a link to a directory of the tree (`latest -> 2026/11/29`) would read its files twice.
  // Its files are read from the first path that reaches it, in the walk's order.
  const real = await canonicalDirectory(directory);
  if (walk.directories.has(real)) return;
  walk.directories.add(real);
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    problem(fileProblem(directory, error));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(directory, entry.name);
    // What a symbolic link points to (undefined when it points nowhere: reading it then says so).
    const target = entry.isSymbolicLink() ? await statOf(path) : undefined;
    if (entry.isDirectory() || target?.isDirectory() === true) {
      // A link to a directory is followed (a `latest/` link beside dated directories is common).
      await collectTrailFiles(path, files, problem, onIgnored, walk);
    } else if (target !== undefined && !target.isFile() && isTrailFileName(entry.name)) {
      // A pipe would never end, a device (/dev/zero) never stops giving bytes.
      problem({
        input: path,
        code: trailInputProblemCodes.unsupportedType,
        message: `${path}: a symbolic link to ${target.isFIFO() ? 'a pipe' : 'something other than a regular file (a socket or a device)'} inside a directory is not read (it might never end); name it as an input to read it.`,
      });
    } else if (entry.isFIFO() && isTrailFileName(entry.name)) {
      problem({
        input: path,
        code: trailInputProblemCodes.unsupportedType,
        message: `${path}: a pipe inside a directory is not read (it might never end); name it as an input to read it.`,
      });
    } else if ((entry.isFile() || entry.isSymbolicLink()) && isTrailFileName(entry.name)) {
      files.push(path);
    } else if (!entry.isFile() && !entry.isSymbolicLink()) {
      problem({
        input: path,
        code: trailInputProblemCodes.unsupportedType,
        message: `${path}: not a regular file (a pipe, a socket or a device), not read.`,
      });
    } else if (!isDigestOrInsightsFile(entry.name)) {
      // Digest, Insights and Lake sign files are expected beside the logs; anything else not read is said.
      onIgnored?.(path);
    } else {
      walk.digests++;
    }
  }
}

/** A directory's path with its links resolved (as given, made absolute, when it cannot be). */
async function canonicalDirectory(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/**
 * Log file validation writes digest files (`<account>_CloudTrail-Digest_<region>_...json.gz`) next to
 * the logs under `AWSLogs/`; they hold hashes, not events, so directory walks leave them out.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html
 */
const DIGEST_FILE_MARKER = '_CloudTrail-Digest_';

/**
 * CloudTrail Insights writes its events (`<account>_CloudTrail-Insight_<region>_...json.gz`) under
 * `AWSLogs/<account>/CloudTrail-Insight/`: unusual API call rates, not API calls, so directory walks leave
 * them out too.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-insights-fields-trails.html
 */
const INSIGHT_FILE_MARKER = '_CloudTrail-Insight_';

/**
 * A saved CloudTrail Lake query's results come with a sign file (`…/CloudTrail-Lake/Query/<yyyy>/<mm>/<dd>/<query
 * ID>/result_sign.json`) of their names and hashes, for `verify-query-results`, which needs it unrenamed:
 * left out like a digest file. The results beside it (`result_1.csv.gz`) are read, and said to be no
 * CloudTrail records.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-results-file-validation-sign-file-structure.html
 */
const LAKE_SIGN_FILE_NAME = 'result_sign.json';

function isDigestOrInsightsFile(name: string): boolean {
  return (
    name.includes(DIGEST_FILE_MARKER) || name.includes(INSIGHT_FILE_MARKER) || name === LAKE_SIGN_FILE_NAME
  );
}

function isTrailFileName(name: string): boolean {
  const lower = name.toLowerCase();
  if (isDigestOrInsightsFile(name)) return false;
  return TRAIL_FILE_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

async function readOne(path: string, limit: number): Promise<ReadInput> {
  try {
    // Plain text is read straight into a string: no 100 MB buffer is left for the collector while the
    // trail is parsed. Text that holds a replacement character is read again as bytes, to tell
    // mojibake (which decoding replaced) from a real U+FFFD. UTF-16 and UTF-32 (told by their first
    // bytes) and gzip are read as bytes.
    const head = await readHead(path);
    if (!isGzip(head) && detectEncoding(head).encoding === 'UTF-8') {
      const { size } = await stat(path);
      if (size > limit) return { ok: false, problem: tooLarge(path, size, limit) };
      const text = await readFile(path, 'utf8');
      if (!text.includes('\uFFFD')) {
        return {
          ok: true,
          text: { input: path, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text },
        };
      }
    }
    return asRead(path, await decode(path, await readFile(path), limit));
  } catch (error) {
    return { ok: false, problem: fileProblem(path, error) };
  }
}

/** A pipe, read to its end once (peeking at its first bytes would consume them). */
async function readStream(path: string, limit: number): Promise<ReadInput> {
  try {
    const read = await readAtMost(createReadStream(path), maxStreamBytes(limit));
    if (!read.ok) return { ok: false, problem: tooLarge(path, read.read, limit, 'stopped') };
    return asRead(path, await decode(path, read.bytes, limit));
  } catch (error) {
    return { ok: false, problem: fileProblem(path, error) };
  }
}

function asRead(input: string, decoded: Decoded): ReadInput {
  if (!decoded.ok) return decoded;
  return {
    ok: true,
    text: {
      input,
      text: decoded.text,
      ...(decoded.warning !== undefined ? { warning: decoded.warning } : {}),
      ...(decoded.problems !== undefined ? { problems: decoded.problems } : {}),
    },
  };
}

/** The first bytes of a file (fewer when it is shorter): enough to tell gzip and the text encoding. */
async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The most bytes a stream is read to: beyond them no text within `limit` characters can come of it (two
 * bytes per character in UTF-16, and gzip never shrinks a text by less than its few bytes of framing),
 * and holding more would only use memory (a 4.5 GB pipe ended in a RangeError from Buffer.concat).
 */
function maxStreamBytes(limit: number): number {
  return 2 * limit + 1024 * 1024;
}

async function readStdin(stream: NodeJS.ReadableStream, limit: number): Promise<ReadInput> {
  let read: Awaited<ReturnType<typeof readAtMost>>;
  try {
    read = await readAtMost(stream, maxStreamBytes(limit));
  } catch (error) {
    return {
      ok: false,
      problem: {
        input: STDIN_NAME,
        code: trailInputProblemCodes.unreadable,
        message: `${STDIN_NAME}: cannot read: ${describeError(error)}.`,
      },
    };
  }
  if (!read.ok) return { ok: false, problem: tooLarge(STDIN_NAME, read.read, limit, 'stopped') };
  return asRead(STDIN_NAME, await decode(STDIN_NAME, read.bytes, limit));
}

type Decoded =
  | { ok: true; text: string; warning?: InputWarning; problems?: readonly InputProblem[] }
  | { ok: false; problem: InputProblem };

async function decode(input: string, bytes: Uint8Array, limit: number): Promise<Decoded> {
  // UTF-16 holds two bytes per character: decompressed output up to twice the limit may still fit.
  const unzipped = await gunzipLayers(bytes, 2 * limit + 4);
  if (!unzipped.ok) {
    return {
      ok: false,
      problem:
        unzipped.problem === 'too-large'
          ? tooLarge(input, unzipped.bytes, limit, 'beyond')
          : {
              input,
              code: trailInputProblemCodes.badGzip,
              message: `${input}: ${unzipped.message}.`,
            },
    };
  }
  const content = unzipped.bytes;
  const layers = unzipped.layers;
  // Within the limit, the string fits (UTF-8 never decodes to more UTF-16 units than it has bytes).
  if (maxTextLength(content) > limit) {
    return {
      ok: false,
      problem: tooLarge(input, content.byteLength, limit, layers > 0 ? 'exact' : undefined),
    };
  }
  // Mojibake is reported instead of parsed.
  const decoded = decodeText(content, { jsonLines: true });
  if (!decoded.ok) {
    return {
      ok: false,
      problem: {
        input,
        code: trailInputProblemCodes.notUtf8,
        message: `${input}: ${decoded.reason}${layers > 0 ? ' (after gzip decompression)' : ''}; ${decoded.advice}.`,
      },
    };
  }
  const problems = decoded.skippedLines?.map(
    ({ line, reason }): InputProblem => ({
      input: `${input} (line ${line})`,
      code: trailInputProblemCodes.notUtf8,
      message: `${input}: line ${line} is not UTF-8 text, as ${reason}${layers > 0 ? ' (after gzip decompression)' : ''}; the line was not read, the others were. If it is Latin-1 or Windows-1252 text, convert it (iconv -f WINDOWS-1252 -t UTF-8).`,
    }),
  );
  const read = problems !== undefined ? { problems } : {};
  if (unzipped.trailingBytes > 0) {
    const n = unzipped.trailingBytes;
    return {
      ok: true,
      ...read,
      text: decoded.text,
      warning: {
        code: trailInputWarningCodes.trailingBytes,
        message: `${input}: ${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'} after its gzip data ${n === 1 ? 'does' : 'do'} not start like gzip and ${n === 1 ? 'was' : 'were'} ignored (gzip -d ignores ${n === 1 ? 'it' : 'them'} too); the gzip data itself was read whole and its checksums match.`,
      },
    };
  }
  return { ok: true, ...read, text: decoded.text };
}

function fileProblem(path: string, error: unknown): InputProblem {
  const code = errorCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return {
      input: path,
      code: trailInputProblemCodes.notFound,
      message: `${path}: no such file or directory.`,
    };
  }
  return {
    input: path,
    code: trailInputProblemCodes.unreadable,
    message: `${path}: cannot read: ${describeError(error)}.`,
  };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

function describeError(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}
