import type { ContextValue } from '../policy/types.js';

/**
 * One authorization check S3 performs for an operation, derived from a CloudTrail record.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
export interface S3AuthorizationCheck {
  /** `s3:ListBucket`, `kms:Decrypt`... */
  readonly action: string;
  /** Full resource ARN (`arn:aws:s3:::bucket`, `arn:aws:s3:::bucket/key`, `*`, a KMS key ARN). */
  readonly resource: string;
  /** Condition context S3 would add, derived from requestParameters (`s3:prefix`, `s3:x-amz-acl`...). */
  readonly context: Readonly<Record<string, ContextValue>>;
  /** Bucket and key this check concerns, when it is about S3 (used for grouping and fixes). */
  readonly bucket?: string | undefined;
  readonly key?: string | undefined;
  /**
   * The resource stands for every object of the bucket (`bucket/*`): the record does not log which keys
   * the request named (a DeleteObjects without its body). A fix grants it as the pattern it is.
   */
  readonly anyKey?: true | undefined;
  /**
   * The access point the request went through (`arn:aws:s3:region:account:accesspoint/name`): the
   * resource is then that access point (`…/object/key` for an object); `bucket` and `key` stay those of
   * the bucket behind it.
   */
  readonly accessPoint?: string | undefined;
  /** `source` for the read side of CopyObject/UploadPartCopy; `destination` for the write side. */
  readonly role?: 'source' | 'destination' | undefined;
  /** Why this check exists (e.g. "x-amz-acl header present"), with its source. */
  readonly reason: string;
  /** `kms` checks depend on a key policy too and are evaluated separately. */
  readonly kind: 's3' | 'kms';
}

/** Result of mapping one record to authorization checks. */
export type S3MappingResult =
  | { readonly ok: true; readonly checks: readonly S3AuthorizationCheck[]; readonly notes: readonly string[] }
  | { readonly ok: false; readonly code: string; readonly message: string };
