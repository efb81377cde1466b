/**
 * Local files of the offline mode: the account snapshot, SCP/RCP files and bucket policies. Every
 * failure names the file and says what is wrong with it; expected failures are values.
 */
import { readFile } from 'node:fs/promises';
import { type AccountSnapshotResult, parseAccountSnapshot } from '../domain/snapshot/accountSnapshot.js';
import {
  bucketPolicyFor,
  parseBucketPolicyArg,
  parseBucketPolicyFile,
} from '../domain/snapshot/bucketPolicy.js';
import { parseRcpFile, parseScpFile } from '../domain/snapshot/controlPolicies.js';
import type { BucketPolicy, PolicyLevel, SnapshotProblem } from '../domain/snapshot/types.js';

export type FileErrorCode = 'file.missing' | 'file.unreadable' | 'file.empty' | 'file.notJson';

/** A file that could not be used, with the file named for the user. */
export interface FileFailure {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
  readonly file: string;
}

export type JsonFileResult = { readonly ok: true; readonly value: unknown } | FileFailure;

/** Reads and parses one JSON file; a parse error reports the line and column. */
export async function readJsonFile(file: string): Promise<JsonFileResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return failure('file.missing', file, `${file}: no such file`);
    return failure('file.unreadable', file, `${file}: cannot be read (${code ?? describeError(error)})`);
  }
  // PowerShell redirection writes a UTF-8 byte order mark that JSON.parse rejects.
  const json = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (json.trim() === '') return failure('file.empty', file, `${file}: the file is empty`);
  try {
    return { ok: true, value: JSON.parse(json) };
  } catch (error) {
    return failure('file.notJson', file, `${file}: not valid JSON: ${jsonErrorDetail(error, json)}`);
  }
}

export type LoadedAccountSnapshot =
  | (Extract<AccountSnapshotResult, { ok: true }> & { readonly file: string })
  | FileFailure;

/**
 * Loads `aws iam get-account-authorization-details` output (CLI or raw form, one page or an array).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 */
export async function loadAccountSnapshot(file: string): Promise<LoadedAccountSnapshot> {
  const read = await readJsonFile(file);
  if (!read.ok) return read;
  const parsed = parseAccountSnapshot(read.value, file);
  return { ...parsed, file };
}

export type LoadedLevels = { readonly ok: true; readonly levels: readonly PolicyLevel[] } | FileFailure;

/**
 * Loads `--scp` files; their levels are concatenated in argument order (root first by convention).
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
 */
export function loadScpFiles(files: readonly string[]): Promise<LoadedLevels> {
  return loadLevels(files, parseScpFile);
}

/**
 * Loads `--rcp` files, same shapes and order as {@link loadScpFiles}.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
 */
export function loadRcpFiles(files: readonly string[]): Promise<LoadedLevels> {
  return loadLevels(files, parseRcpFile);
}

export type LoadedBucketPolicies =
  | {
      readonly ok: true;
      readonly policies: readonly BucketPolicy[];
      readonly warnings: readonly SnapshotProblem[];
    }
  | FileFailure;

/**
 * Loads every `--bucket-policy BUCKET=FILE` argument; one bucket may be given only once.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html
 */
export async function loadBucketPolicies(args: readonly string[]): Promise<LoadedBucketPolicies> {
  const policies: BucketPolicy[] = [];
  const warnings: SnapshotProblem[] = [];
  for (const arg of args) {
    const parsedArg = parseBucketPolicyArg(arg);
    if (!parsedArg.ok) return { ...parsedArg, file: arg };
    const { bucket, file } = parsedArg;
    const earlier = policies.find((p) => p.bucket === bucket);
    if (earlier !== undefined) {
      return failure(
        'bucketPolicy.duplicateBucket',
        file,
        `--bucket-policy: bucket ${bucket} is given twice (${earlier.source} and ${file}); a bucket has one policy`,
      );
    }
    const read = await readJsonFile(file);
    if (!read.ok) return read;
    const parsed = parseBucketPolicyFile(read.value, file);
    if (!parsed.ok) return { ...parsed, file };
    const labelled = bucketPolicyFor(bucket, parsed.document, file);
    policies.push(labelled.policy);
    warnings.push(...labelled.warnings);
  }
  return { ok: true, policies, warnings };
}

async function loadLevels(files: readonly string[], parse: typeof parseScpFile): Promise<LoadedLevels> {
  const levels: PolicyLevel[] = [];
  for (const file of files) {
    const read = await readJsonFile(file);
    if (!read.ok) return read;
    const parsed = parse(read.value, file);
    if (!parsed.ok) return { ...parsed, file };
    levels.push(...parsed.levels);
  }
  return { ok: true, levels };
}

function failure(code: string, file: string, message: string): FileFailure {
  return { ok: false, code, message, file };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** V8 reports a character offset ("at position 11"); people want a line and a column. */
function jsonErrorDetail(error: unknown, text: string): string {
  const message = describeError(error);
  const position = /at position (\d+)/.exec(message)?.[1];
  const offset =
    position !== undefined ? Number(position) : /end of JSON input/.test(message) ? text.length : undefined;
  if (offset === undefined) return message;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const reason = message
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/^Unexpected end of JSON input$/, 'the file ends too early');
  return `${reason} at line ${line}, column ${column}`;
}
