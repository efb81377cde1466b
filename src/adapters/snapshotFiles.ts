/**
 * Local files of the offline mode: the account snapshot, SCP/RCP files and bucket policies. Every
 * failure names the file and says what is wrong with it; expected failures are values.
 */

import { type AccountSnapshotResult, parseAccountSnapshot } from '../domain/snapshot/accountSnapshot.js';
import {
  bucketPolicyFor,
  parseBucketPolicyArg,
  parseBucketPolicyFile,
} from '../domain/snapshot/bucketPolicy.js';
import { parseRcpFile, parseScpFile } from '../domain/snapshot/controlPolicies.js';
import type { BucketPolicy, PolicyLevel, SnapshotProblem } from '../domain/snapshot/types.js';
import { type FileFailure, readJsonFile } from './jsonInput.js';

export { type FileFailure, type JsonFileResult, readJsonFile } from './jsonInput.js';

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
  // Pages of get-account-authorization-details saved one after another into one file: they belong in
  // one array, which the snapshot reads page by page.
  if (!read.ok)
    return read.code === 'file.notJson' && read.message.includes('after the end of the JSON value')
      ? {
          ...read,
          message: `${read.message}; it holds more than one JSON value: put the pages in one JSON array (for example \`jq -s . page1.json page2.json > authz.json\`)`,
        }
      : read;
  const parsed = parseAccountSnapshot(read.value, file);
  return { ...parsed, file };
}

export type LoadedLevels =
  | {
      readonly ok: true;
      readonly levels: readonly PolicyLevel[];
      /** The file each level was read from, level by level. */
      readonly sources: readonly string[];
    }
  | FileFailure;

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
    if (!read.ok)
      return read.code === 'file.empty'
        ? {
            ...read,
            message: `${read.message}. \`aws s3api get-bucket-policy\` writes nothing when the bucket has no policy (NoSuchBucketPolicy) or when the call fails: if ${bucket} has no policy, give a file holding {"Version": "2012-10-17", "Statement": []}`,
          }
        : read;
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
  const sources: string[] = [];
  for (const file of files) {
    const read = await readJsonFile(file);
    if (!read.ok) return read;
    const parsed = parse(read.value, file);
    if (!parsed.ok) return { ...parsed, file };
    levels.push(...parsed.levels);
    for (const _ of parsed.levels) sources.push(file);
  }
  return { ok: true, levels, sources };
}

function failure(code: string, file: string, message: string): FileFailure {
  return { ok: false, code, message, file };
}
