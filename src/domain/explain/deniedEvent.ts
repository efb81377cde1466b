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
import { lowerCaseAction } from '../policy/actionName.js';
import { boundedMemo } from '../policy/boundedMemo.js';
import { authorizationChecksFor } from '../s3/authorizationChecks.js';
import { type BucketOwner, bucketOwnerOf, requestContextForActionOwnedBy } from '../s3/requestContext.js';
import { isS3Action } from '../s3/s3Location.js';
import { s3OperationFor } from '../s3/s3Operations.js';
import type { S3AuthorizationCheck } from '../s3/types.js';

/**
 * What findings read of an event's record. An event keeps only this much: a batch holds its denied
 * events until the findings are built, and the full record (parameters, message text, the parsed
 * original) is then left to the collector while it is still young.
 */
export type DeniedRecord = Pick<
  CloudTrailRecord,
  'eventId' | 'eventTime' | 'eventName' | 'principal' | 'userAgent' | 'vpcEndpointId'
>;

/** {@link DeniedRecord} of a record, in one literal. */
function deniedRecord(record: CloudTrailRecord): DeniedRecord {
  const { eventId, eventTime, eventName, principal, userAgent, vpcEndpointId } = record;
  return { eventId, eventTime, eventName, principal, userAgent, vpcEndpointId };
}

export interface DeniedEvent {
  readonly record: DeniedRecord;
  readonly message: ParsedDenialMessage;
  /** Requests to evaluate: the one the message names, or every S3 check of the operation. */
  readonly checks: readonly S3AuthorizationCheck[];
  readonly source: 'message' | 'operation';
  /** KMS side requirements visible in the request (evaluated only as caveats: key policies are not visible). */
  readonly kmsChecks: readonly S3AuthorizationCheck[];
  readonly bucket?: string | undefined;
  /** The bucket owner's account as the record shows it (read before the record's `resources` are dropped). */
  readonly owner?: BucketOwner | undefined;
  readonly notes: readonly string[];
  /** Why no request could be derived, when none could. */
  readonly unmapped?: { readonly code: string; readonly message: string } | undefined;
}

/** `arn:aws:s3:::bucket/key` -> { bucket, key }. */
export function parseS3ResourceArn(resource: string): { bucket: string; key?: string } | undefined {
  // `^arn:aws[a-z-]*:s3:::([^/]+)(?:\/(.*))?$`, read without a regular expression (once per denied event).
  if (!resource.startsWith('arn:aws')) return undefined;
  let at = 7;
  for (let c = resource.charCodeAt(at); (c >= 0x61 && c <= 0x7a) || c === 0x2d; c = resource.charCodeAt(at))
    at++;
  if (!resource.startsWith(':s3:::', at)) return undefined;
  at += 6;
  const slash = resource.indexOf('/', at);
  if (slash < 0) return at < resource.length ? { bucket: resource.slice(at) } : undefined;
  if (slash === at) return undefined;
  const key = resource.slice(slash + 1);
  // `.` in the pattern does not match line terminators.
  if (LINE_TERMINATOR.test(key)) return undefined;
  return { bucket: resource.slice(at, slash), key };
}

const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/** Whether the request names SSE-KMS (then S3 also needs KMS permissions for the caller). */
function mentionsKms(record: CloudTrailRecord): boolean {
  for (const name in record.requestParameters) {
    if (isEncryptionParameter(name)) return true;
  }
  return false;
}

/** Per parameter name (the same few recur in every record; bounded, since names come from the input). */
const isEncryptionParameter = boundedMemo(
  (name: string): boolean => name.toLowerCase().startsWith('x-amz-server-side-encryption'),
  4096,
);

const NO_NOTES: readonly string[] = Object.freeze([]);
const NO_CHECKS: readonly S3AuthorizationCheck[] = Object.freeze([]);

interface UsualActions {
  /** The operation's actions, lower-cased. */
  readonly lower: ReadonlySet<string>;
  /** The operation's distinct actions, as a note lists them. */
  readonly listed: string;
}

/** Per event name (a bounded set: the S3 catalogue's operations), derived once from the catalogue. */
const usualActionsByEventName = new Map<string, UsualActions | undefined>();

function usualActionsOf(eventName: string): UsualActions | undefined {
  if (usualActionsByEventName.has(eventName)) return usualActionsByEventName.get(eventName);
  const actions = s3OperationFor(eventName)?.operation.actions.map((rule) => rule.action) ?? [];
  const usual =
    actions.length === 0
      ? undefined
      : { lower: new Set(actions.map((a) => a.toLowerCase())), listed: [...new Set(actions)].join(', ') };
  // Event names come from the trail: unknown ones are not remembered, so the map stays small.
  if (usual !== undefined || usualActionsByEventName.size < 1024)
    usualActionsByEventName.set(eventName, usual);
  return usual;
}

/**
 * The request an enhanced message names, with the condition context S3 evaluates for that action.
 * The operation catalogue is consulted only for what the message cannot say: the operation's usual
 * actions (for the note) and, when the request names SSE-KMS, the KMS side requirements.
 */
function fromMessage(
  record: CloudTrailRecord,
  message: Extract<ParsedDenialMessage, { form: 'enhanced' }>,
): DeniedEvent {
  const resource = message.resource ?? '*';
  const parsed = parseS3ResourceArn(resource);
  const recordBucket = record.requestParameters.bucketName;
  const owner = bucketOwnerOf(record);
  // A copy source in another bucket: the record only says who owns the destination bucket.
  const otherBucket =
    parsed !== undefined &&
    typeof recordBucket === 'string' &&
    recordBucket !== '' &&
    parsed.bucket !== recordBucket;
  // Objects of this function are built in one literal each, every member in place (absent ones
  // `undefined`): members added afterwards would grow a property store per denied event.
  const check: S3AuthorizationCheck = {
    action: message.action,
    resource,
    context: requestContextForActionOwnedBy(record, message.action, otherBucket ? undefined : owner),
    bucket: parsed?.bucket,
    key: parsed?.key,
    reason: 'named by the AccessDenied error message',
    kind: 's3',
  };

  let notes: readonly string[] = NO_NOTES;
  const usual = usualActionsOf(record.eventName);
  if (usual !== undefined && !usual.lower.has(lowerCaseAction(message.action))) {
    notes = [
      `The error message names ${message.action} on ${resource}, not what ${record.eventName} normally needs (${usual.listed}); the message is what AWS evaluated.`,
    ];
  }
  let kmsChecks: readonly S3AuthorizationCheck[] = NO_CHECKS;
  if (mentionsKms(record)) {
    const mapping = authorizationChecksFor(record);
    if (mapping.ok) kmsChecks = mapping.checks.filter((c) => c.kind === 'kms');
  }
  return {
    record: deniedRecord(record),
    message,
    checks: [check],
    source: 'message',
    kmsChecks,
    bucket:
      check.bucket ?? (typeof recordBucket === 'string' && recordBucket !== '' ? recordBucket : undefined),
    owner,
    notes,
    unmapped: undefined,
  };
}

export function analyseDeniedEvent(record: CloudTrailRecord): DeniedEvent {
  const message = parseDenialMessage(record.errorMessage);
  if (message.form === 'enhanced' && isS3Action(message.action)) return fromMessage(record, message);

  const mapping = authorizationChecksFor(record);
  if (!mapping.ok) {
    return {
      record: deniedRecord(record),
      message,
      checks: [],
      source: 'operation',
      kmsChecks: [],
      bucket: undefined,
      owner: undefined,
      notes: [],
      unmapped: { code: mapping.code, message: mapping.message },
    };
  }
  const checks = mapping.checks.filter((c) => c.kind === 's3');
  const kmsChecks = mapping.checks.filter((c) => c.kind === 'kms');
  const bucket =
    checks.find((c) => c.role !== 'source' && c.bucket !== undefined)?.bucket ??
    checks.find((c) => c.bucket !== undefined)?.bucket;
  return {
    record: deniedRecord(record),
    message,
    checks,
    source: 'operation',
    kmsChecks,
    bucket,
    owner: bucketOwnerOf(record),
    notes: mapping.notes,
    unmapped: undefined,
  };
}
