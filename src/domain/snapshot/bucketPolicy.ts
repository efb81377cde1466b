import { isJsonObject } from '../json/jsonValue.js';
import { decodePolicyDocument, describeType } from '../policy/policyDocument.js';
import { cloudTrailHint } from './cloudTrailHint.js';
import type { BucketPolicy, SnapshotProblem } from './types.js';

export type BucketPolicyFileResult =
  | { readonly ok: true; readonly document: Readonly<Record<string, unknown>> }
  | {
      readonly ok: false;
      readonly code: 'bucketPolicy.invalidShape' | 'bucketPolicy.invalidContent';
      readonly message: string;
    };

/**
 * Reads a bucket policy file: a bare policy document, or `aws s3api get-bucket-policy` output, whose
 * `Policy` member is the document as a JSON string.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html
 * @see https://docs.aws.amazon.com/cli/latest/reference/s3api/get-bucket-policy.html
 */
export function parseBucketPolicyFile(json: unknown, source: string): BucketPolicyFileResult {
  if (isJsonObject(json) && 'Statement' in json) return { ok: true, document: json };
  const content =
    isJsonObject(json) && 'Policy' in json ? json.Policy : typeof json === 'string' ? json : undefined;
  if (content === undefined) {
    return {
      ok: false,
      code: 'bucketPolicy.invalidShape',
      message:
        `${source}: expected a bucket policy document (with Statement) or get-bucket-policy output ` +
        `(with Policy), got ${isJsonObject(json) ? 'an object with neither' : describeType(json)}${cloudTrailHint(json) !== undefined ? `; ${cloudTrailHint(json)}` : ''}`,
    };
  }
  const decoded = decodePolicyDocument(content);
  if (!decoded.ok) {
    return {
      ok: false,
      code: 'bucketPolicy.invalidContent',
      message: `${source}: the Policy member is not a JSON policy document: ${decoded.reason}`,
    };
  }
  return { ok: true, document: decoded.document };
}

export type BucketPolicyArgResult =
  | { readonly ok: true; readonly bucket: string; readonly file: string }
  | { readonly ok: false; readonly code: 'bucketPolicy.argMalformed'; readonly message: string };

/**
 * Bucket names S3 accepts, including legacy us-east-1 names (uppercase, underscores, up to 255
 * characters). `=` never occurs in a bucket name, so the first `=` of `BUCKET=FILE` splits reliably.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;

/**
 * Parses one `--bucket-policy BUCKET=FILE` argument.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function parseBucketPolicyArg(arg: string): BucketPolicyArgResult {
  const fail = (why: string): BucketPolicyArgResult => ({
    ok: false,
    code: 'bucketPolicy.argMalformed',
    message: `--bucket-policy expects BUCKET=FILE (e.g. my-backups=policy.json), got "${arg}": ${why}`,
  });
  const eq = arg.indexOf('=');
  if (eq === -1) return fail('there is no "="');
  const bucket = arg.slice(0, eq).trim();
  const file = arg.slice(eq + 1).trim();
  if (bucket === '') return fail('the bucket name is empty');
  if (file === '') return fail('the file name is empty');
  if (/^(s3:\/\/|arn:)/i.test(bucket)) return fail('give the bare bucket name, not an s3:// URL or an ARN');
  if (!BUCKET_NAME.test(bucket)) {
    return fail(
      `"${bucket}" is not a valid bucket name (letters, digits, ".", "-", "_"; 3 to 255 characters)`,
    );
  }
  return { ok: true, bucket, file };
}

/**
 * Labels a bucket policy with its bucket. A policy whose S3 ARNs all name other buckets was probably
 * saved from another bucket; that is a warning only, since `Resource: "*"` and wildcards are legal.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
 */
export function bucketPolicyFor(
  bucket: string,
  document: unknown,
  source: string,
): { readonly policy: BucketPolicy; readonly warnings: readonly SnapshotProblem[] } {
  const text = JSON.stringify(document) ?? '';
  const bucketPatterns = [...text.matchAll(/:s3:::([^"/]*)/g)].map((m) => m[1] ?? '');
  const mismatch = bucketPatterns.length > 0 && !bucketPatterns.some((p) => wildcardMatches(p, bucket));
  const warnings: SnapshotProblem[] = mismatch
    ? [
        {
          code: 'bucketPolicy.bucketMismatch',
          message:
            `${source}: the policy given for bucket ${bucket} names only other buckets ` +
            `(${[...new Set(bucketPatterns)].join(', ')}); was it saved from another bucket?`,
          source,
        },
      ]
    : [];
  return { policy: { bucket, name: `${bucket} bucket policy`, document, source }, warnings };
}

/** IAM ARN wildcards: `*` any run of characters, `?` one character. */
function wildcardMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}
