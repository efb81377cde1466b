/**
 * ARN partitions. A policy grants resources of its own partition only: a fix for a bucket in China
 * (`arn:aws-cn:s3:::bucket`) or GovCloud (`arn:aws-us-gov:…`) must name that partition, not `aws`.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */

/** The partition of the commercial regions, assumed when nothing in the input names another. */
export const DEFAULT_PARTITION = 'aws';

/** `aws`, `aws-cn`, `aws-us-gov`, `aws-eusc`… */
const PARTITION = /^aws(?:-[a-z]+)*$/;

/** The partition an ARN names (`arn:aws-cn:s3:::b` -> `aws-cn`), or `undefined` for anything else (`*`). */
export function partitionOfArn(arn: string): string | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  const end = arn.indexOf(':', 4);
  if (end < 0) return undefined;
  const partition = arn.slice(4, end);
  return PARTITION.test(partition) ? partition : undefined;
}

/**
 * Whether a policy ARN is an AWS managed policy's: `aws` in the account field. IAM refuses to change those.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
 */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//.test(arn);
}
