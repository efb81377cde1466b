/**
 * One denied S3 event, analysed: what AWS says was denied (the error message), what the operation
 * requires (the S3 catalogue), and the authorization requests to evaluate.
 *
 * The action and resource named by an enhanced error message beat the operation mapping: a GetObject
 * on a missing key without s3:ListBucket is denied with a message that names s3:ListBucket on the bucket.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 */
import { parseDenialMessage } from '../cloudtrail/denialMessage.js';
import type { CloudTrailRecord, ParsedDenialMessage } from '../cloudtrail/types.js';
import { authorizationChecksFor } from '../s3/authorizationChecks.js';
import { contextForAction, requestContextFor } from '../s3/requestContext.js';
import type { S3AuthorizationCheck } from '../s3/types.js';

export interface DeniedEvent {
  readonly record: CloudTrailRecord;
  readonly message: ParsedDenialMessage;
  /** Requests to evaluate: the one the message names, or every S3 check of the operation. */
  readonly checks: readonly S3AuthorizationCheck[];
  readonly source: 'message' | 'operation';
  /** KMS side requirements visible in the request (evaluated only as caveats: key policies are not visible). */
  readonly kmsChecks: readonly S3AuthorizationCheck[];
  readonly bucket?: string;
  readonly notes: readonly string[];
  /** Why no request could be derived, when none could. */
  readonly unmapped?: { readonly code: string; readonly message: string };
}

/** `arn:aws:s3:::bucket/key` -> { bucket, key }. */
export function parseS3ResourceArn(resource: string): { bucket: string; key?: string } | undefined {
  const match = /^arn:aws[a-z-]*:s3:::([^/]+)(?:\/(.*))?$/.exec(resource);
  if (match === null) return undefined;
  return match[2] !== undefined ? { bucket: match[1]!, key: match[2] } : { bucket: match[1]! };
}

function sameAction(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function analyseDeniedEvent(record: CloudTrailRecord): DeniedEvent {
  const message = parseDenialMessage(record.errorMessage);
  const mapping = authorizationChecksFor(record);
  const checks = mapping.ok ? mapping.checks.filter((c) => c.kind === 's3') : [];
  const kmsChecks = mapping.ok ? mapping.checks.filter((c) => c.kind === 'kms') : [];
  const notes = mapping.ok ? [...mapping.notes] : [];
  const bucketOf = (list: readonly S3AuthorizationCheck[]): string | undefined =>
    list.find((c) => c.role !== 'source' && c.bucket !== undefined)?.bucket ??
    list.find((c) => c.bucket !== undefined)?.bucket;

  if (message.form === 'enhanced' && message.action.toLowerCase().startsWith('s3:')) {
    const resource = message.resource ?? '*';
    const fromCatalogue = checks.find((c) => sameAction(c.action, message.action) && c.resource === resource);
    const parsed = parseS3ResourceArn(resource);
    const check: S3AuthorizationCheck = fromCatalogue ?? {
      action: message.action,
      resource,
      context: contextForAction(requestContextFor(record), message.action),
      ...(parsed !== undefined ? { bucket: parsed.bucket } : {}),
      ...(parsed?.key !== undefined ? { key: parsed.key } : {}),
      reason: 'named by the AccessDenied error message',
      kind: 's3',
    };
    // The catalogue's notes describe the operation's usual needs; the message says what AWS evaluated.
    notes.length = 0;
    if (fromCatalogue === undefined && checks.length > 0) {
      notes.push(
        `The error message names ${message.action} on ${resource}, not what ${record.eventName} normally needs (${checks
          .map((c) => c.action)
          .join(', ')}); the message is what AWS evaluated.`,
      );
    }
    const bucket = check.bucket ?? bucketOf(checks);
    return {
      record,
      message,
      checks: [check],
      source: 'message',
      kmsChecks,
      ...(bucket !== undefined ? { bucket } : {}),
      notes,
    };
  }

  const bucket = bucketOf(checks);
  if (!mapping.ok) {
    return {
      record,
      message,
      checks: [],
      source: 'operation',
      kmsChecks: [],
      notes,
      unmapped: { code: mapping.code, message: mapping.message },
    };
  }
  return {
    record,
    message,
    checks,
    source: 'operation',
    kmsChecks,
    ...(bucket !== undefined ? { bucket } : {}),
    notes,
  };
}
