/**
 * Resource ARNs for a job that works under one bucket/prefix.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html
 */
import { DEFAULT_PARTITION } from '../policy/arnPartition.js';

/** Policy variables that stand for the literal character (template literals keep `${` verbatim). */
const IAM_LITERALS: Readonly<Record<string, string>> = { '*': `\${*}`, '?': `\${?}`, $: `\${$}` } as const;

/**
 * IAM treats `*`, `?` and `${` in a Resource as wildcards/variables; a key prefix containing them must
 * be written with the `${*}`, `${?}`, `${$}` policy variables to match literally (policy version
 * 2012-10-17).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export function literalArnPart(text: string): string {
  return text.replace(/[*?$]/g, (char) => IAM_LITERALS[char] ?? char);
}

/** A directory prefix without slashes at either end (`/daily/` -> `daily`; `''` is the whole bucket). */
export function trimSlashes(prefix: string): string {
  return prefix.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** `arn:<partition>:s3:::bucket`, in the `aws` partition when the input names none. */
export function bucketArnOf(bucket: string, partition: string | undefined): string {
  return `arn:${partition ?? DEFAULT_PARTITION}:s3:::${bucket}`;
}

/**
 * Bucket ARN and the object ARN pattern for everything under `prefix` (`''` = whole bucket), in the
 * bucket's partition (`aws` when unknown).
 */
export function jobResourceArns(
  bucket: string,
  prefix: string,
  partition: string | undefined,
): { readonly bucketArn: string; readonly objectArn: string } {
  const trimmed = trimSlashes(prefix);
  const bucketArn = bucketArnOf(bucket, partition);
  return {
    bucketArn,
    objectArn: trimmed === '' ? `${bucketArn}/*` : `${bucketArn}/${literalArnPart(trimmed)}/*`,
  };
}

/**
 * Whether the directory `inner` (`in/sub/`) lies inside the job's `prefix` (`in`; slashes at either end
 * ignored; `''` is the whole bucket), so that the job's object statement already covers it.
 */
export function isInsidePrefix(inner: string, prefix: string): boolean {
  const trimmed = trimSlashes(prefix);
  return trimmed === '' || `${inner.replace(/\/+$/, '')}/`.startsWith(`${trimmed}/`);
}
