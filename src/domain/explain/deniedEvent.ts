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
import { principalIdKind } from '../cloudtrail/principal.js';
import type {
  CloudTrailRecord,
  MessagePolicyType,
  ParsedDenialMessage,
  Principal,
  S3SettingName,
} from '../cloudtrail/types.js';
import { isJsonObject } from '../json/jsonValue.js';
import { lowerCaseAction } from '../policy/actionName.js';
import { boundedInterner, boundedMemo } from '../policy/boundedMemo.js';
import { authorizationChecksFor, authorizationNotesFor } from '../s3/authorizationChecks.js';
import { deliveryLayoutDoc, sourceAccountInKey } from '../s3/logDelivery.js';
import { type BucketOwner, bucketOwnerOf, requestContextForActionOwnedBy } from '../s3/requestContext.js';
import { type RequestFeatureName, requestFeatures } from '../s3/requestFeatures.js';
import { readNonEmptyParam } from '../s3/requestParameters.js';
import {
  accessPointNote,
  accessPointOf,
  bucketOf,
  isBucketName,
  isS3Action,
  parseAccessPointResource,
  parseCopySource,
} from '../s3/s3Location.js';
import {
  actionResourceForm,
  LIST_BUCKETS_EVENTBRIDGE_NOTE,
  MISSING_KEY_403,
  s3OperationFor,
} from '../s3/s3Operations.js';
import type { S3AuthorizationCheck } from '../s3/types.js';
import { shellWord } from '../shell.js';
import { bodyAclOf, type SetAcl } from './publicAccess.js';

/**
 * A denied event as findings read it. A batch holds every denied event until the findings are built, so
 * an event keeps only this much, in one object: six fields of its record (the full record, with its
 * parameters, message text and parsed original, is left to the collector while it is still young), and
 * its first request apart from the others (one list per event would cost more than the request itself).
 */
export interface DeniedEvent {
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly principal: Principal;
  readonly userAgent: string | undefined;
  /**
   * Whether the record says the request came from an AWS Management Console session
   * (`sessionCredentialFromConsole`, since eventVersion 1.08; `"true"` in trail files).
   */
  readonly fromConsole: boolean;
  readonly vpcEndpointId: string | undefined;
  /** The account that owns the VPC endpoint, as the record names it (`vpcEndpointAccountId`). */
  readonly vpcEndpointAccountId: string | undefined;
  /** The AWS service that made the request for the caller (`userIdentity.invokedBy`), when one did. */
  readonly invokedBy: string | undefined;
  /** The account CloudTrail delivered this copy of the event to (`recipientAccountId`). */
  readonly recipientAccountId: string | undefined;
  /** The ID the copies of one request delivered to several accounts share (`sharedEventID`). */
  readonly sharedEventId: string | undefined;
  /**
   * For a record that corrects one logged before (its `addendum`, with a reason such as UPDATED_DATA),
   * the corrected record's event ID (`addendum.originalEventID`).
   */
  readonly originalEventId: string | undefined;
  readonly message: ParsedDenialMessage;
  /** The first request to evaluate: the one the message names, or the operation's first S3 check. */
  readonly check: S3AuthorizationCheck;
  /** The operation's other S3 checks, in order (most operations need one). */
  readonly moreChecks: readonly S3AuthorizationCheck[];
  readonly source: 'message' | 'operation';
  /** KMS side requirements visible in the request (evaluated only as caveats: key policies are not visible). */
  readonly kmsChecks: readonly S3AuthorizationCheck[];
  readonly bucket: string | undefined;
  /** The bucket owner's account as the record shows it (read before the record's `resources` are dropped). */
  readonly owner: BucketOwner | undefined;
  readonly notes: readonly string[];
  /**
   * The object a copy (CopyObject, UploadPartCopy) reads, when the error message names one request and
   * the copy's source is not among the checks: job profiles read it there. Not evaluated.
   */
  readonly copySource: { readonly bucket: string; readonly key: string } | undefined;
  /**
   * The object a copy writes, when the error message names the read of its source instead (the event's
   * check): where the job works, as the destination check says when the operation's checks are derived.
   * Not evaluated.
   */
  readonly copyTarget: { readonly bucket: string; readonly key: string } | undefined;
  /**
   * The object key the request named (`requestParameters.key`), also when the message names a
   * bucket-level request instead (a HEAD of a missing key without s3:ListBucket): where the job works.
   * Not evaluated.
   */
  readonly objectKey: string | undefined;
  /**
   * Whether the request asked for an S3 Bucket Key (`x-amz-server-side-encryption-bucket-key-enabled`),
   * which makes the bucket's ARN, not the object's, the encryption context of S3's KMS calls;
   * `undefined` when it says nothing (the bucket's own setting decides, which the record does not show).
   */
  readonly bucketKey: boolean | undefined;
  /**
   * Whether the request carried MFA delete's `x-amz-mfa` header (a device's serial number and code),
   * which does not make its credentials MFA-authenticated (aws:MultiFactorAuthPresent).
   */
  readonly mfaHeader: boolean;
  /**
   * The ACL the request sent in its body (`AccessControlPolicy`, a PutObjectAcl or PutBucketAcl without
   * ACL headers), which no condition key reads: see {@link bodyAclOf}.
   */
  readonly bodyAcl: SetAcl | undefined;
}

/** A denied operation no authorization request could be derived for, and why. */
export interface UnmappedOperation {
  readonly unmapped: { readonly code: string; readonly message: string };
}

/** The event's requests in order: its first and the others. */
export function checksOf(event: DeniedEvent): readonly S3AuthorizationCheck[] {
  return event.moreChecks.length === 0 ? [event.check] : [event.check, ...event.moreChecks];
}

/**
 * `arn:aws:s3:::bucket/key` -> { bucket, key }. A key with a line break is refused unless
 * `keyLineBreaks` (a key AWS's message names, its wrapped lines joined as the record's key has them).
 */
export function parseS3ResourceArn(
  resource: string,
  keyLineBreaks = false,
): { bucket: string; key?: string } | undefined {
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
  if (!keyLineBreaks && LINE_TERMINATOR.test(key)) return undefined;
  return { bucket: resource.slice(at, slash), key };
}

const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * The message's resource as the record names it: reading the message joins its wrapped lines, so a key
 * with a line break in it comes out with a space instead. The record's own ARN (or bucket and key) with
 * its line breaks joined the same way identifies it.
 */
function withLineBreaksOf(record: CloudTrailRecord, resource: string): string {
  if (!resource.includes(' ')) return resource;
  const joined = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ');
  const candidates = record.resources.map((r) => r.arn).filter((arn) => arn !== undefined);
  const { bucketName, key } = record.requestParameters;
  if (typeof bucketName === 'string' && typeof key === 'string') {
    const partition = resource.slice(0, resource.indexOf(':s3:'));
    candidates.push(`${partition}:s3:::${bucketName}/${key}`);
  }
  for (const candidate of candidates)
    if (/[\r\n]/.test(candidate) && joined(candidate) === resource) return candidate;
  return resource;
}

/** Whether the request names SSE-KMS (then S3 also needs KMS permissions for the caller). */
/**
 * The AWS service a record says made the request for the caller (`userIdentity.invokedBy`, such as
 * `athena.amazonaws.com`), when it names one by its service principal.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
function invokedByOf(record: CloudTrailRecord): string | undefined {
  const identity = record.raw.userIdentity;
  const by = isJsonObject(identity) ? identity.invokedBy : undefined;
  return typeof by === 'string' && by.endsWith('.amazonaws.com') ? by : undefined;
}

/**
 * The event ID of the record this one corrects (`addendum.originalEventID`), when it is an update.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
function originalEventIdOf(record: CloudTrailRecord): string | undefined {
  const addendum = record.raw.addendum;
  const id = isJsonObject(addendum) ? addendum.originalEventID : undefined;
  return typeof id === 'string' && id !== '' && id !== record.eventId ? id : undefined;
}

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
 * One string per bucket name: a batch keeps a bucket name with each denied event, and the tables keyed
 * by it find its hash already computed. Bounded: names come from the input.
 */
const internedBucket = boundedInterner(4096);

/**
 * The note for a message that names another action than the operation's usual ones. A job repeats the
 * same denial (a GetObject of a missing key names s3:ListBucket on the bucket every time): the note of
 * the event before is reused when it would say the same, rather than kept once per denied event.
 */
function otherActionNote(
  eventName: string,
  action: string,
  resource: string,
  usual: string,
  substituted: boolean,
): readonly string[] {
  const last = lastNote;
  if (
    last?.eventName === eventName &&
    last.action === action &&
    last.resource === resource &&
    last.substituted === substituted
  )
    return last.notes;
  const notes = Object.freeze([
    substituted
      ? `The error message names ${action}, not what ${eventName} normally needs (${usual}), on no resource it could be evaluated on: it was evaluated on ${resource}, the request's own; the message is what AWS evaluated.`
      : `The error message names ${action} on ${resource}, not what ${eventName} normally needs (${usual}); the message is what AWS evaluated.`,
  ]);
  lastNote = { eventName, action, resource, substituted, notes };
  return notes;
}

let lastNote:
  | {
      readonly eventName: string;
      readonly action: string;
      readonly resource: string;
      readonly substituted: boolean;
      readonly notes: readonly string[];
    }
  | undefined;

/**
 * The request an enhanced message names, with the condition context S3 evaluates for that action.
 * The operation catalogue is consulted only for what the message cannot say: the operation's usual
 * actions (for the note), the KMS side requirements when the request names SSE-KMS, and the operation's
 * notes the message does not answer (see {@link withUnansweredNotes}).
 */
function fromMessage(
  record: CloudTrailRecord,
  message: Extract<ParsedDenialMessage, { form: 'enhanced' }>,
  /** The message named no resource it could be evaluated on: `message.resource` is the request's own. */
  substituted = false,
): DeniedEvent {
  const resource = message.resource === undefined ? '*' : withLineBreaksOf(record, message.resource);
  // A request through an access point is denied on the access point's ARN: the object's key is in it,
  // the bucket behind it in the record. (A request that manages an access point names one too, but is
  // not a bucket or object operation.)
  const throughAccessPoint =
    resource.includes(':accesspoint/') && isBucketOrObjectOperation(record.eventName)
      ? parseAccessPointResource(resource)
      : undefined;
  const behind = throughAccessPoint !== undefined ? bucketOf(record) : undefined;
  const parsed =
    throughAccessPoint !== undefined
      ? behind !== undefined
        ? { bucket: behind, key: throughAccessPoint.key }
        : undefined
      : parseS3ResourceArn(resource, true);
  const recordBucket = record.requestParameters.bucketName;
  const owner = bucketOwnerOf(record);
  // A copy whose read of its source was refused: the message names the source object. The event stays
  // with the bucket the copy writes to, as when the operation's checks are derived (the source check
  // has the `source` role there too).
  const copySource = copySourceOf(record);
  // A copy onto itself (restoring an earlier version) has one object for both sides: the action says
  // which (the source is read, s3:Get…).
  const namesSource =
    copySource !== undefined &&
    parsed?.bucket === copySource.bucket &&
    parsed.key === copySource.key &&
    lowerCaseAction(message.action).startsWith('s3:get');
  // A copy source in another bucket: the record only says who owns the destination bucket.
  const otherBucket =
    throughAccessPoint === undefined &&
    parsed !== undefined &&
    typeof recordBucket === 'string' &&
    recordBucket !== '' &&
    parsed.bucket !== recordBucket;
  const requestContext = namesSource
    ? sourceContext(record, message.action, resource, otherBucket ? undefined : owner)
    : requestContextForActionOwnedBy(record, message.action, otherBucket ? undefined : owner);
  // The access point the message names is the one the request went through, also when the record's
  // `resources[]` and `Host` do not show it (an alias `Host`): S3 sets its keys in the request's context
  // (a bucket policy's "access points only" Deny does not apply to it). AWS documents them for access
  // points, not for Multi-Region Access Points.
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html#access-points-condition-keys
  const named = throughAccessPoint?.accessPoint;
  const context =
    named !== undefined && named.multiRegion !== true && requestContext['s3:DataAccessPointArn'] === undefined
      ? {
          ...requestContext,
          's3:DataAccessPointArn': named.arn,
          's3:DataAccessPointAccount': named.account,
        }
      : requestContext;
  // Objects of this function are built in one literal each, every member in place (absent ones
  // `undefined`): members added afterwards would grow a property store per denied event.
  const check: S3AuthorizationCheck = {
    action: message.action,
    resource,
    // The source's read has the source's version (`x-amz-copy-source`'s versionId), as the operation
    // gives it.
    context,
    bucket: parsed === undefined ? undefined : internedBucket(parsed.bucket),
    key: parsed?.key,
    accessPoint: throughAccessPoint?.accessPoint.arn,
    reason: 'named by the AccessDenied error message',
    kind: 's3',
    role: namesSource ? 'source' : undefined,
  };

  let notes: readonly string[] = NO_NOTES;
  const usual = usualActionsOf(record.eventName);
  if (usual !== undefined && !usual.lower.has(lowerCaseAction(message.action))) {
    notes = otherActionNote(record.eventName, message.action, resource, usual.listed, substituted);
  }
  if (throughAccessPoint !== undefined)
    notes = [...notes, accessPointNote(throughAccessPoint.accessPoint, behind)];
  const ownerNote = expectedOwnerNote(record, owner);
  if (ownerNote !== undefined) notes = [ownerNote, ...notes];
  let kmsChecks: readonly S3AuthorizationCheck[] = NO_CHECKS;
  // The operation's notes and KMS checks; its S3 requests only where they are evaluated (below).
  const mapping = authorizationNotesFor(record);
  if (mapping.ok) {
    if (mentionsKms(record)) kmsChecks = mapping.kmsChecks;
    notes = withUnansweredNotes(notes, mapping.notes, message.action, record);
  }
  const writtenBucket = typeof recordBucket === 'string' && recordBucket !== '' ? recordBucket : undefined;
  const bucket = namesSource ? (writtenBucket ?? check.bucket) : (check.bucket ?? writtenBucket);
  // A copy is two requests, its source's read and its write, and the message names one: the other is
  // evaluated as the operation needs it (a Deny on it, or a missing Allow, would refuse the copy next).
  const otherSide = copySource !== undefined ? otherSideOfCopy(record, check, namesSource) : NO_CHECKS;
  const keptApart = otherSide.length === 0;
  const headerChecks = namesSource ? NO_CHECKS : companionChecks(record, check);
  return deniedEvent(
    record,
    message,
    check,
    headerChecks.length === 0 ? otherSide : [...headerChecks, ...otherSide],
    'message',
    kmsChecks,
    bucket,
    owner,
    notes,
    namesSource || !keptApart ? undefined : copySource,
    namesSource &&
      keptApart &&
      writtenBucket !== undefined &&
      typeof record.requestParameters.key === 'string'
      ? { bucket: internedBucket(writtenBucket), key: record.requestParameters.key }
      : undefined,
  );
}

/**
 * The operation's notes added to `notes`, but for those the message answers. AWS's message names the
 * one S3 request it refused, so it says nothing of what the request's SSE headers ask of KMS (an alias
 * or no key named: the KMS check cannot be derived; a copy's source key; the bucket's default key), of
 * how the bucket owner was read, or of a missing key's 403 unless it names s3:ListBucket, which is that
 * 403 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html). The note on
 * the access point the record names is the message's to give: {@link fromMessage} adds it when the
 * message's resource is the access point's, and it does not hold for one that is not. The list of the
 * event before is reused when it is the same (a job repeats one denial many times).
 */
function withUnansweredNotes(
  notes: readonly string[],
  operationNotes: readonly string[],
  action: string,
  record: CloudTrailRecord,
): readonly string[] {
  if (operationNotes.length === 0) return notes;
  const listing = lowerCaseAction(action) === 's3:listbucket';
  const accessPoint = accessPointOf(record);
  const pointNote = accessPoint === undefined ? undefined : accessPointNote(accessPoint, bucketOf(record));
  const kept = operationNotes.filter(
    (note) => !(listing && note === MISSING_KEY_403) && note !== pointNote && !notes.includes(note),
  );
  if (kept.length === 0) return notes;
  const all = notes.length === 0 ? kept : [...notes, ...kept];
  const last = lastKept;
  if (last !== undefined && last.length === all.length && last.every((note, i) => note === all[i]))
    return last;
  lastKept = Object.freeze(all);
  return lastKept;
}

let lastKept: readonly string[] | undefined;

/** Request features that put one action in another's place (a version's read) rather than add one. */
const SUBSTITUTING_FEATURES: ReadonlySet<RequestFeatureName> = new Set(['versionId', 'copySourceVersionId']);

/**
 * The other S3 checks the request needs on the object (or bucket) the message names. AWS's message names
 * the first action it refused; once that is granted, the next run is refused the next one, so they are
 * evaluated together, as for a message that names none:
 * - those the request's headers add: an upload with `x-amz-acl` needs s3:PutObjectAcl as well as
 *   s3:PutObject, one with `x-amz-tagging` s3:PutObjectTagging (PutObject's API reference, Permissions);
 * - those the operation needs on every request besides the named one, when the message names one of
 *   them: GetObjectAttributes needs both s3:GetObject and s3:GetObjectAttributes, or with a version ID
 *   both s3:GetObjectVersion and s3:GetObjectVersionAttributes (its API reference, Permissions);
 * - iam:PassRole on the role the request passes to S3 (a replication configuration's, in its body),
 *   which is on another resource than the named one: PutBucketReplication needs it besides
 *   s3:PutReplicationConfiguration
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html).
 * A message that names another action disproves the record's reading of the request (a version's read
 * when the record shows no version ID) or says what AWS evaluated before it was not refused (a named
 * s3:PutObjectAcl: s3:PutObject was allowed): the operation's own actions are not added then.
 */
function companionChecks(
  record: CloudTrailRecord,
  named: S3AuthorizationCheck,
): readonly S3AuthorizationCheck[] {
  const operation = s3OperationFor(record.eventName)?.operation;
  if (operation === undefined) return NO_CHECKS;
  const params = record.requestParameters;
  const namedAction = lowerCaseAction(named.action);
  const byHeaders = new Set<string>();
  const always = new Set<string>();
  for (const rule of operation.actions) {
    if (rule.unless !== undefined && requestFeatures[rule.unless].present(params)) continue;
    if (rule.when !== undefined && !requestFeatures[rule.when].present(params)) continue;
    (rule.when === undefined || SUBSTITUTING_FEATURES.has(rule.when) ? always : byHeaders).add(
      lowerCaseAction(rule.action),
    );
  }
  const withAlways = always.has(namedAction) && always.size > 1;
  if (byHeaders.size === 0 && !withAlways) return NO_CHECKS;
  const mapping = authorizationChecksFor(record);
  if (!mapping.ok) return NO_CHECKS;
  const checks = mapping.checks.filter((c) => {
    if (c.kind !== 's3' || c.role === 'source') return false;
    const action = lowerCaseAction(c.action);
    if (c.resource !== named.resource && action !== 'iam:passrole') return false;
    return action !== namedAction && (byHeaders.has(action) || (withAlways && always.has(action)));
  });
  return checks.length === 0 ? NO_CHECKS : checks;
}

/**
 * The S3 checks of a copy's side the message does not name: its source's read when the message names the
 * write, the write's when it names the source. None when the message names neither side's object (an
 * access point, another action on another resource) or the operation cannot be mapped.
 */
function otherSideOfCopy(
  record: CloudTrailRecord,
  named: S3AuthorizationCheck,
  namesSource: boolean,
): readonly S3AuthorizationCheck[] {
  if (named.accessPoint !== undefined) return NO_CHECKS;
  const mapping = authorizationChecksFor(record);
  if (!mapping.ok) return NO_CHECKS;
  const s3Checks = mapping.checks.filter((c) => c.kind === 's3' && c.accessPoint === undefined);
  const namedSide = s3Checks.filter((c) => (c.role === 'source') === namesSource);
  // The message must name a request of its own side; else it is not about the copy's two objects.
  if (!namedSide.some((c) => c.resource === named.resource)) return NO_CHECKS;
  return s3Checks.filter((c) => (c.role === 'source') !== namesSource);
}

/**
 * The note for a request whose `x-amz-expected-bucket-owner` names another account than the bucket's
 * owner in `resources[]`: S3 refuses it with 403 Access Denied whatever the policies allow. The owner
 * taken from `recipientAccountId` is not trusted for this (across accounts it can be the caller's).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html
 */
function expectedOwnerNote(record: CloudTrailRecord, owner: BucketOwner | undefined): string | undefined {
  const expected = record.requestParameters['x-amz-expected-bucket-owner'];
  if (typeof expected !== 'string' || owner?.from !== 'resources' || expected === owner.account)
    return undefined;
  return `${EXPECTED_OWNER_SAID} ${expected} (x-amz-expected-bucket-owner), but CloudTrail names account ${owner.account} as its owner: S3 refuses such a request with 403 Access Denied whatever the policies allow. Correct the expected owner (aws-cli --expected-bucket-owner, Terraform expected_bucket_owner, the SDKs' ExpectedBucketOwner) or the bucket name. See https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html`;
}

/** How the expected-owner note starts (see {@link isRefusalNote}). */
const EXPECTED_OWNER_SAID = 'The request expected the bucket to be owned by account';

/**
 * Whether a caveat is a note on what refused a request besides the policies, which the event itself
 * shows: an S3 setting AWS's message names, a block on SSE-C uploads, an expected bucket owner that is
 * not the bucket's. Each has its own remedy, so two findings whose notes differ give different advice.
 */
export function isRefusalNote(caveat: string): boolean {
  return isSettingNote(caveat) || caveat === SSE_C_HINT || caveat.startsWith(EXPECTED_OWNER_SAID);
}

const BLOCK_PUBLIC_ACCESS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html';
const BLOCKING_SSE_C =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/blocking-unblocking-s3-c-encryption-gpb.html';

/**
 * How each setting's note starts: the summary and the Cause name the setting a finding's note names
 * ({@link settingNamedIn}).
 */
const SETTING_SAID: Readonly<Record<S3SettingName, string>> = {
  BlockPublicPolicy:
    "AWS's message names S3 Block Public Access, not a policy: the BlockPublicPolicy setting",
  BlockPublicAcls: "AWS's message names S3 Block Public Access, not a policy: the BlockPublicAcls setting",
  ObjectLock: "AWS's message names S3 Object Lock, not a policy",
  BlockedEncryptionTypes: "AWS's message names the bucket's block on SSE-C uploads, not a policy",
};

/** Whether a caveat is the note on an S3 setting AWS's message names (see {@link settingNamedIn}). */
export function isSettingNote(caveat: string): boolean {
  for (const said of Object.values(SETTING_SAID)) if (caveat.startsWith(said)) return true;
  return false;
}

/** The S3 setting whose note (see {@link SETTING_NOTES}) is among `caveats`, if any. */
export function settingNamedIn(caveats: readonly string[]): S3SettingName | undefined {
  for (const caveat of caveats)
    for (const [setting, said] of Object.entries(SETTING_SAID) as [S3SettingName, string][])
      if (caveat.startsWith(said)) return setting;
  return undefined;
}

/**
 * What to do when the message names an S3 setting: no IAM permission lifts it.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/blocking-unblocking-s3-c-encryption-gpb.html
 */
const SETTING_NOTES: Readonly<Record<S3SettingName, string>> = {
  BlockPublicPolicy: `${SETTING_SAID.BlockPublicPolicy} (of the bucket, or of the account) refuses a bucket policy that grants public access, and no IAM permission lifts it. Make the policy non-public (name the principals, or grant a CloudFront origin access control, instead of "Principal": "*" without a narrowing condition), or, if the bucket is meant to be public, turn BlockPublicPolicy off for this bucket (PutPublicAccessBlock, s3:PutBucketPublicAccessBlock) and check the account's setting too (s3:PutAccountPublicAccessBlock). See ${BLOCK_PUBLIC_ACCESS}`,
  BlockPublicAcls: `${SETTING_SAID.BlockPublicAcls} (of the bucket, or of the account) refuses a request that sets a public ACL (public-read, public-read-write, authenticated-read, or a grant to AllUsers or AuthenticatedUsers), and no IAM permission lifts it. Drop the public ACL (aws-cli --acl, rclone acl and bucket_acl, s3cmd --acl-public and setacl; s3cmd's cp, mv and modify copy the source's ACL unless given --acl-private), or, if the objects are meant to be public, grant that with a bucket policy rather than ACLs: turning BlockPublicAcls off (s3:PutBucketPublicAccessBlock, and the account's setting too) is not enough on a bucket whose Object Ownership is "Bucket owner enforced" (the default for new buckets since April 2023), where any ACL but bucket-owner-full-control then fails with AccessControlListNotSupported (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html). See ${BLOCK_PUBLIC_ACCESS}`,
  ObjectLock: `${SETTING_SAID.ObjectLock}: the object version is under a retention period or a legal hold, which refuses deleting it or shortening its retention, and no permission lifts that. In COMPLIANCE mode nobody can delete the version before its retain-until date; in GOVERNANCE mode a caller with s3:BypassGovernanceRetention can, by sending x-amz-bypass-governance-retention: true (aws-cli --bypass-governance-retention); a legal hold must be removed first (s3:PutObjectLegalHold). A job that prunes old versions (a backup's sync --delete or cleanup) should leave them to a lifecycle rule that expires them once their retention ends. See https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html`,
  BlockedEncryptionTypes: `${SETTING_SAID.BlockedEncryptionTypes}: the bucket's default encryption blocks objects encrypted with customer-provided keys (BlockedEncryptionTypes: SSE-C, the default for buckets created since April 2026), and no IAM permission lifts it. Upload with SSE-S3 or SSE-KMS instead (rclone: drop sse_customer_key; aws-cli: drop --sse-c), or allow SSE-C on the bucket (PutBucketEncryption with BlockedEncryptionTypes NONE, s3:PutEncryptionConfiguration). See ${BLOCKING_SSE_C}`,
};

/** The Object Lock note, for the finding to tell apart from the others (see {@link OBJECT_LOCK_BYPASSED_NOTE}). */
export const OBJECT_LOCK_NOTE = SETTING_NOTES.ObjectLock;

/**
 * The Object Lock note for a request that sent the governance bypass while the caller's policies allow
 * s3:BypassGovernanceRetention: a GOVERNANCE retention was lifted, so a COMPLIANCE retention or a legal
 * hold is what refused it.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html (x-amz-bypass-governance-retention: "To use this header, you must have the s3:BypassGovernanceRetention permission")
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
 */
export const OBJECT_LOCK_BYPASSED_NOTE = `${SETTING_SAID.ObjectLock}. The request sent x-amz-bypass-governance-retention: true and the visible policies allow s3:BypassGovernanceRetention, which lifts a GOVERNANCE-mode retention: what refuses it is a COMPLIANCE-mode retention (nobody can delete the version or shorten its retention before its retain-until date) or a legal hold, which must be removed first (s3:PutObjectLegalHold); aws s3api get-object-retention and get-object-legal-hold say which. No permission lifts either. A job that prunes old versions (a backup's sync --delete or cleanup) should leave them to a lifecycle rule that expires them once their retention ends. See https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html`;

/**
 * The Object Lock note for a request that sent the governance bypass while the visible policies do not
 * allow s3:BypassGovernanceRetention: granting it lets the request past a GOVERNANCE-mode retention only,
 * and the record does not say which mode (or a legal hold) protects the version.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html (x-amz-bypass-governance-retention: "To use this header, you must have the s3:BypassGovernanceRetention permission")
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
 */
export const OBJECT_LOCK_BYPASS_REFUSED_NOTE = `${SETTING_SAID.ObjectLock}. The request sent x-amz-bypass-governance-retention: true, and the visible policies do not allow s3:BypassGovernanceRetention, which that header needs: granting it (the fix, if one is proposed) lets the request through only if the version is under a GOVERNANCE-mode retention. A COMPLIANCE-mode retention (nobody, not even the root user, can delete the version or shorten its retention before its retain-until date) or a legal hold (which must be removed first, s3:PutObjectLegalHold) still refuses it, and no permission lifts either; aws s3api get-object-retention and get-object-legal-hold, for the key and version ID, say which protects it. A job that prunes old versions (a backup's sync --delete or cleanup) should leave them to a lifecycle rule that expires them once their retention ends. See https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html`;

/**
 * The Object Lock note for a request that sent the governance bypass while a Deny of the visible
 * policies refuses s3:BypassGovernanceRetention: no Allow lifts it, so nothing is to be granted. Such a
 * Deny keeps GOVERNANCE-mode retentions in place; past it (an exemption, or a change by its owner), the
 * bypass still lifts a GOVERNANCE-mode retention only.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
 */
export const OBJECT_LOCK_BYPASS_DENIED_NOTE = `${SETTING_SAID.ObjectLock}. The request sent x-amz-bypass-governance-retention: true, which needs s3:BypassGovernanceRetention, and a Deny of the visible policies refuses that action (see "Denied by"): no Allow lifts an explicit Deny, so nothing granted lets the bypass through. Such a Deny keeps even GOVERNANCE-mode retentions in place, likely on purpose: the request gets through only as what the Deny exempts (its caveat says what, if anything), or once its owner changes it; even then, the bypass would still lift a GOVERNANCE-mode retention only: a COMPLIANCE-mode retention (nobody, not even the root user, can delete the version or shorten its retention before its retain-until date) or a legal hold (which must be removed first, s3:PutObjectLegalHold) still refuses the request; aws s3api get-object-retention and get-object-legal-hold, for the key and version ID, say which protects it. A job that prunes old versions (a backup's sync --delete or cleanup) should leave them to a lifecycle rule that expires them once their retention ends. See https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html`;

/** Whether a caveat is the Object Lock note on a governance bypass the visible policies refuse (no Allow, or a Deny). */
export function isBypassRefusedNote(caveat: string): boolean {
  return caveat === OBJECT_LOCK_BYPASS_REFUSED_NOTE || caveat === OBJECT_LOCK_BYPASS_DENIED_NOTE;
}

/** For an upload with a customer-provided key whose message names no policy. */
const SSE_C_HINT = `The request uses SSE-C (a customer-provided key): if the bucket blocks SSE-C uploads (BlockedEncryptionTypes: SSE-C in its default encryption, the default for buckets created since April 2026), S3 refuses it with 403 Access Denied whatever the policies allow. Upload with SSE-S3 or SSE-KMS instead, or allow SSE-C on the bucket (PutBucketEncryption, s3:PutEncryptionConfiguration). See ${BLOCKING_SSE_C}`;

/** The operations that write an object, which a block on SSE-C refuses (reads of SSE-C objects still work). */
const SSE_C_WRITES: ReadonlySet<string> = new Set([
  'PutObject',
  'PostObject',
  'CopyObject',
  'CreateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
]);

/** Whether the record is an upload that names a customer-provided key (its algorithm header; CloudTrail never logs the key). */
function usesSseC(record: CloudTrailRecord): boolean {
  return (
    SSE_C_WRITES.has(record.eventName) &&
    typeof record.requestParameters['x-amz-server-side-encryption-customer-algorithm'] === 'string'
  );
}

/** Whether the S3 catalogue holds the event as an operation on a bucket or an object. */
function isBucketOrObjectOperation(eventName: string): boolean {
  const scope = s3OperationFor(eventName)?.operation.scope;
  return scope === 'bucket' || scope === 'object';
}

/** The object a copy reads (`x-amz-copy-source` in a bucket; an access point source is left out). */
function copySourceOf(record: CloudTrailRecord): DeniedEvent['copySource'] {
  if (record.eventName !== 'CopyObject' && record.eventName !== 'UploadPartCopy') return undefined;
  const value = record.requestParameters['x-amz-copy-source'];
  const parsed = parseCopySource(typeof value === 'string' ? value : undefined);
  if (!parsed.ok || parsed.source.form !== 'bucket') return undefined;
  return { bucket: internedBucket(parsed.source.bucket), key: parsed.source.key };
}

/**
 * `notes` with, for a log delivery whose key names the account it delivers for (`AWSLogs/<account-id>/`),
 * the note that the request context took that account as `aws:SourceAccount` (see the S3 request
 * context): an inference from the layout AWS documents, which the finding says.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */
function withSourceAccountNote(record: CloudTrailRecord, notes: readonly string[]): readonly string[] {
  if (record.principal.type !== 'AWSService') return notes;
  const key = record.requestParameters.key;
  const service = record.principal.name;
  const account = sourceAccountInKey(service, typeof key === 'string' ? key : undefined);
  if (account === undefined) return notes;
  return [
    ...notes,
    `aws:SourceAccount, which CloudTrail does not record, was taken to be ${account}, the account the object key names (AWSLogs/${account}/…): ${service} writes each account's logs under AWSLogs/<account-id>/ and sets aws:SourceAccount to the account it delivers for, the pairing AWS's own bucket policies for it use (${deliveryLayoutDoc(service)}). That is an inference from the key: were the delivery made for another account, a condition on aws:SourceAccount would decide otherwise.`,
  ];
}

/** The event in one literal, every member in place: one shape for every denied event a batch keeps. */
function deniedEvent(
  record: CloudTrailRecord,
  message: ParsedDenialMessage,
  check: S3AuthorizationCheck,
  moreChecks: readonly S3AuthorizationCheck[],
  source: DeniedEvent['source'],
  kmsChecks: readonly S3AuthorizationCheck[],
  bucket: string | undefined,
  owner: BucketOwner | undefined,
  notes: readonly string[],
  copySource: DeniedEvent['copySource'] = undefined,
  copyTarget: DeniedEvent['copyTarget'] = undefined,
): DeniedEvent {
  return {
    eventId: record.eventId,
    eventTime: record.eventTime,
    eventName: record.eventName,
    principal: record.principal,
    userAgent: record.userAgent,
    fromConsole: fromConsoleOf(record),
    vpcEndpointId: record.vpcEndpointId,
    vpcEndpointAccountId: record.vpcEndpointAccountId,
    invokedBy: invokedByOf(record),
    recipientAccountId: record.recipientAccountId,
    sharedEventId: record.sharedEventId,
    originalEventId: originalEventIdOf(record),
    message,
    check,
    moreChecks,
    source,
    kmsChecks,
    bucket,
    owner,
    notes: withSourceAccountNote(record, notes),
    copySource,
    copyTarget,
    objectKey: typeof record.requestParameters.key === 'string' ? record.requestParameters.key : undefined,
    bucketKey: bucketKeyOf(record),
    mfaHeader: readNonEmptyParam(record.requestParameters, 'x-amz-mfa') !== undefined,
    bodyAcl: bodyAclOf(record.requestParameters),
  };
}

/**
 * Whether the record's `sessionCredentialFromConsole` says the request came from a console session: CloudTrail
 * writes it as the string `"true"` (a boolean from exporters is read too), and leaves it out otherwise.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
function fromConsoleOf(record: CloudTrailRecord): boolean {
  const flag = record.raw.sessionCredentialFromConsole;
  return flag === true || (typeof flag === 'string' && flag.toLowerCase() === 'true');
}

/**
 * The request's `x-amz-server-side-encryption-bucket-key-enabled`: `true` or `false` as it says,
 * `undefined` when absent or unreadable.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-bucket-key-object.html
 */
function bucketKeyOf(record: CloudTrailRecord): boolean | undefined {
  const value = readNonEmptyParam(
    record.requestParameters,
    'x-amz-server-side-encryption-bucket-key-enabled',
  );
  const lower = value?.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

/** The code of a denied event whose record names something that cannot be a bucket. */
export const INVALID_BUCKET_NAME = 's3.invalidBucketName';

/**
 * Analyses a denied event: what was denied and the requests to evaluate, or why none can be derived
 * (among them, {@link INVALID_BUCKET_NAME}: no statement is written for a bucket that cannot exist).
 */
export function analyseDeniedEvent(record: CloudTrailRecord): DeniedEvent | UnmappedOperation {
  const event = analysed(record);
  if ('unmapped' in event)
    return event.unmapped.code === UNSUPPORTED ? withNamedRefusal(record, event) : event;
  const invalid = invalidBucketOf(event);
  if (invalid === undefined) return event;
  return {
    unmapped: {
      code: INVALID_BUCKET_NAME,
      message: `${record.eventName} names the bucket ${JSON.stringify(invalid)}, which cannot be an S3 bucket's name (letters, digits, dots, hyphens and underscores only): the record is damaged or not CloudTrail's, and no statement is written from it.`,
    },
  };
}

/** The code of an operation the catalogue has no entry for (S3 Control's, among others). */
const UNSUPPORTED = 's3.unsupportedOperation';

/**
 * An operation the catalogue lacks, with what AWS's enhanced message names (the action, which need not
 * be S3's, such as CreateJob's iam:PassRole, and its resource), which is still what the caller lacks.
 * A message without a resource is that of an action that takes none, granted on `*`.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
function withNamedRefusal(record: CloudTrailRecord, event: UnmappedOperation): UnmappedOperation {
  const message = parseDenialMessage(record.errorMessage);
  if (message.form !== 'enhanced') return event;
  // AWS's SCP messages read "explicit deny" whatever refused (see namedRefusalStatement).
  const how =
    message.denial !== 'explicit'
      ? 'no Allow'
      : message.policyType === 'scp'
        ? 'a service control policy refuses it'
        : 'an explicit Deny';
  const named =
    message.resource !== undefined
      ? `${message.action} on ${message.resource} (${how})`
      : `${message.action}, with no resource (${how}); an action that takes none is granted with "Resource": "*" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html)`;
  return {
    unmapped: {
      ...event.unmapped,
      message: `${event.unmapped.message} AWS's message names what the caller was refused: ${named}. The policies given were not evaluated for it.${namedRefusalStatement(message, record.eventName)}`,
    },
  };
}

/** Where an Allow of an identity-side policy kind goes, in words (a resource or endpoint policy also needs a Principal). */
const ALLOW_GOES_IN: Partial<Record<MessagePolicyType, string>> = {
  identity: "the caller's identity-based policies",
  'permissions-boundary': "the caller's permissions boundary",
  session: 'the session policy',
  scp: 'the service control policies (each level of the organization that lacks it)',
  rcp: 'the resource control policies',
};

/**
 * The statement that would allow what AWS's message names, and where it goes, for a skipped operation:
 * not a finding (nothing was evaluated), but what the user would otherwise work out from the message.
 * An explicit Deny is lifted by no Allow: the Deny itself must change. AWS's SCP messages are the
 * exception: they read "explicit deny" even when the denial is implicit (an allow-list SCP that lacks
 * the action), so both causes are named, as the findings do.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
function namedRefusalStatement(
  message: Extract<ParsedDenialMessage, { form: 'enhanced' }>,
  eventName: string,
): string {
  const statement = JSON.stringify({
    Effect: 'Allow',
    Action: message.action,
    Resource: message.resource ?? '*',
  });
  // A Batch Operations job runs as the role it names: its creator must be allowed to pass that role.
  const passes =
    message.action.toLowerCase() === 'iam:passrole' && eventName === 'CreateJob'
      ? ', letting the caller pass the job its role (https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-iam-role-policies.html)'
      : '';
  if (message.denial === 'explicit' && message.policyType === 'scp')
    return ` AWS's message says a service control policy refuses it, and such messages read "explicit deny" whether an SCP Deny refuses it or an SCP allow list lacks the action (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html): a Deny that names ${message.action} must change (no Allow helps), while a missing action must be added to the allow list of every level of the organization that lacks it${passes}: ${statement} (not verified). Only the organization's management account (or a delegated administrator) changes SCPs.`;
  if (message.denial === 'explicit')
    return ` No Allow lifts an explicit Deny: the statement that denies ${message.action} must change, or the request fall outside it.`;
  const where = ALLOW_GOES_IN[message.policyType];
  if (where === undefined) return '';
  return ` The statement that would allow it, in ${where}${passes}: ${statement} (not verified).`;
}

/** Whether a name can be a bucket's, remembered (a trail names few buckets, each many times). */
const bucketNameValid = boundedMemo(isBucketName, 4096);

/** The first bucket the event names that cannot be a bucket's name, if any. */
function invalidBucketOf(event: DeniedEvent): string | undefined {
  // One by one, without the lists (this runs once per denied event).
  if (invalidBucket(event.bucket)) return event.bucket;
  if (invalidBucket(event.copySource?.bucket)) return event.copySource?.bucket;
  if (invalidBucket(event.copyTarget?.bucket)) return event.copyTarget?.bucket;
  if (invalidBucket(event.check.bucket)) return event.check.bucket;
  for (const check of event.moreChecks) if (invalidBucket(check.bucket)) return check.bucket;
  for (const check of event.kmsChecks) if (invalidBucket(check.bucket)) return check.bucket;
  return undefined;
}

/** Whether a bucket is named and its name cannot be a bucket's. */
function invalidBucket(bucket: string | undefined): boolean {
  return bucket !== undefined && !bucketNameValid(bucket);
}

/** How the note on a network activity event a VPC endpoint's policy refused begins (see {@link vpceRefusal}). */
const VPCE_REFUSAL_NOTE =
  'CloudTrail logged this request as a network activity event refused by the policy of VPC endpoint ';

/**
 * Whether the event is a network activity event a VPC endpoint's policy refused (`VpceAccessDenied`): the
 * record itself proves that the endpoint refused the request, before S3 evaluated it.
 */
export function isVpceRefusal(event: Pick<DeniedEvent, 'notes'>): boolean {
  return event.notes.some((note) => note.startsWith(VPCE_REFUSAL_NOTE));
}

/**
 * A network activity event that a VPC endpoint's policy refused (`VpceAccessDenied`): read as AWS's
 * message naming the VPC endpoint policy for the request's first check, with a note on what the event
 * does not say (a Deny statement, or no Allow).
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-network-events-with-cloudtrail.html
 */
function vpceRefusal(
  record: CloudTrailRecord,
  check: S3AuthorizationCheck,
): { message: ParsedDenialMessage; note: string } {
  // A caller of another account, or an anonymous one, is named by the record only by account.
  const { principal } = record;
  const caller =
    principal.arn ??
    principal.policyPrincipalArn ??
    (principal.type === 'Anonymous'
      ? 'anonymous'
      : principal.account !== undefined
        ? `arn:aws:iam::${principal.account}:root`
        : 'unknown');
  const endpoint = record.vpcEndpointId ?? 'its VPC endpoint';
  return {
    message: {
      form: 'enhanced',
      principalArn: caller,
      action: check.action,
      resource: check.resource,
      denial: 'implicit',
      policyType: 'vpc-endpoint',
    },
    note: `${VPCE_REFUSAL_NOTE}${endpoint} (VpceAccessDenied): S3 never saw it. The event does not say whether a Deny statement or the want of an Allow refused it; read the policy with \`aws ec2 describe-vpc-endpoints --vpc-endpoint-ids ${record.vpcEndpointId === undefined ? 'VPCE-ID' : shellWord(record.vpcEndpointId)} --query "VpcEndpoints[0].PolicyDocument"\`${vpcEndpointOwnerClause(record.vpcEndpointAccountId, principal.account)}.`,
  };
}

/**
 * The code of a request a VPC endpoint's policy refused (`VpceAccessDenied`) whose record names no bucket,
 * as AWS's documented network activity events do not (no `requestParameters` or `resources`): no request
 * can be evaluated against the bucket's or the caller's policies, but the record alone explains the
 * refusal. See {@link vpceRefusalWithoutBucket}.
 */
export const VPC_ENDPOINT_REFUSAL = 'vpce.refusedWithoutBucket';

/**
 * The caller of a record in words: its ARN, else its account with the ID CloudTrail gives (a network
 * activity event may name a caller only as `AWSAccount` with an access key ID as `principalId`).
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html#cloudtrail-network-events
 */
function callerWords(principal: Principal): string {
  const arn = principal.arn ?? principal.policyPrincipalArn;
  if (arn !== undefined) return arn;
  if (principal.type === 'Anonymous') return 'an anonymous caller';
  const id = principal.principalId;
  const by = id === undefined ? '' : ` (${principalIdKind(id)} ${id})`;
  return principal.account !== undefined ? `a caller of account ${principal.account}${by}` : `a caller${by}`;
}

/**
 * A refusal by a VPC endpoint's policy (`VpceAccessDenied`) of a record that names no bucket, in words:
 * the endpoint and its owner (`vpcEndpointAccountId`, else `recipientAccountId`, which is the endpoint's
 * owner for network activity events), the caller and operation, that S3 never evaluated the request, the
 * endpoint policy statement that allows it (the operation's actions from the catalogue, on `*`: the record
 * does not name the bucket) and the command that reads the policy.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html#cloudtrail-network-events
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
 */
function vpceRefusalWithoutBucket(record: CloudTrailRecord): string {
  const { principal } = record;
  const endpoint = record.vpcEndpointId;
  const owner = record.vpcEndpointAccountId ?? record.recipientAccountId;
  // The actions every such request needs: those a header or parameter the record does not show calls
  // for (an ACL, tags, a version) are left out.
  const rules = s3OperationFor(record.eventName)?.operation.actions ?? [];
  const always = rules.filter((r) => r.when === undefined);
  const actions = [...new Set((always.length > 0 ? always : rules).map((r) => r.action))];
  const statement = JSON.stringify({
    Effect: 'Allow',
    Principal: '*',
    Action: actions.length === 1 ? actions[0] : actions,
    Resource: '*',
  });
  const allow =
    actions.length > 0
      ? `an Allow statement such as ${statement} (the record names no bucket: narrow Resource to the bucket's ARN${actions.some((a) => actionResourceForm(a) === 'object') ? ' and its objects (BUCKET/*)' : ''}, and Principal to the callers meant to use the endpoint, as your rules require)`
      : `an Allow statement for the action S3 authorizes ${record.eventName} by, which the operation catalogue does not hold`;
  const command = `\`aws ec2 describe-vpc-endpoints --vpc-endpoint-ids ${endpoint === undefined ? 'VPCE-ID' : shellWord(endpoint)} --query "VpcEndpoints[0].PolicyDocument"\``;
  return `The VPC endpoint ${endpoint ?? '(the record names none)'}${owner !== undefined ? ` (owned by account ${owner})` : ''} refused ${record.eventName} by ${callerWords(principal)} by its endpoint policy (VpceAccessDenied, a network activity event): S3 never evaluated the request, so neither the caller's nor the bucket's policies had any part in the refusal, and the record names no bucket to evaluate them on. The fix is in the endpoint policy: it needs ${allow}, and no Deny statement that matches the request. Read the policy with ${command}${vpcEndpointOwnerClause(owner, principal.account)}.`;
}

/**
 * Where to read and change a VPC endpoint's policy when the record names its owner (`vpcEndpointAccountId`)
 * and that is not the caller's account (a shared VPC, whose endpoints the network account owns); empty
 * otherwise.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function vpcEndpointOwnerClause(owner: string | undefined, callerAccount: string | undefined): string {
  if (owner === undefined || owner === callerAccount) return '';
  return `, run in account ${owner}: the record's vpcEndpointAccountId names it as the endpoint's owner${callerAccount === undefined ? '' : `, not the caller's account ${callerAccount}`}, and that account's administrators change the endpoint's policy`;
}

/**
 * A message whose explicit Deny is in one kind of policy "transitively through" another (a VPC endpoint
 * policy through a service control policy) points at the second: the IAM guide says to look for the
 * Deny in the SCPs. Read as that policy's.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
function pointedAt(message: ParsedDenialMessage): ParsedDenialMessage {
  return message.form === 'enhanced' && message.transitiveVia !== undefined
    ? { ...message, policyType: message.transitiveVia }
    : message;
}

/**
 * The condition context of a copy's source read the message names: the operation's for that read (the
 * source's version in `s3:versionid`), else the record's for the action.
 */
function sourceContext(
  record: CloudTrailRecord,
  action: string,
  resource: string,
  owner: BucketOwner | undefined,
): S3AuthorizationCheck['context'] {
  const context = requestContextForActionOwnedBy(record, action, owner);
  const mapping = authorizationChecksFor(record);
  if (!mapping.ok) return context;
  const lower = lowerCaseAction(action);
  const read = mapping.checks.find(
    (c) => c.role === 'source' && c.resource === resource && lowerCaseAction(c.action) === lower,
  );
  const version = read?.context['s3:versionid'];
  return version === undefined ? context : { ...context, 's3:versionid': version };
}

/**
 * Whether a message's resource can be evaluated as it is: a bucket or object ARN, another ARN (an access
 * point's, S3 Control's), or `*` for an action the operation makes on no resource (or an
 * action the catalogue does not map, S3 Control's).
 */
function usableResource(resource: string, record: CloudTrailRecord, action: string): boolean {
  if (resource === '*') {
    // `*` only for an action that takes no resource: one the catalogue authorizes on a bucket or an
    // object never is.
    if (actionResourceForm(action) !== undefined) return false;
    const named = namedActionCheck(record, action);
    return named === undefined || named === '*';
  }
  if (!resource.startsWith('arn:')) return false;
  // A bucket ARN whose name cannot be a bucket's is refused as a damaged record (INVALID_BUCKET_NAME).
  if (/^arn:[^:]*:s3:::/.test(resource)) return parseS3ResourceArn(resource, true) !== undefined;
  // Access points, S3 Control's resources (a Batch Operations job, a Storage Lens configuration), and
  // others: as the message names them.
  return true;
}

/** The resource of the operation's S3 request for `action`, when the operation makes one. */
function namedActionCheck(record: CloudTrailRecord, action: string): string | undefined {
  const mapping = authorizationChecksFor(record);
  if (!mapping.ok) return undefined;
  const lower = lowerCaseAction(action);
  const named = mapping.checks.find((c) => c.kind === 's3' && lowerCaseAction(c.action) === lower)?.resource;
  if (named !== undefined) return named;
  // Through an access point, a request is authorized on the access point's ARN: which of its forms the
  // action takes is not for this fallback to guess; the operation's requests are evaluated.
  if (mapping.checks.some((c) => c.accessPoint !== undefined)) return undefined;
  // An action the operation does not request itself (s3:ListBucket for a read of a missing key): on the
  // request's bucket, or its object, as the catalogue authorizes that action; a copy's reads are of its
  // source.
  const form = actionResourceForm(action);
  const bucket = bucketOf(record);
  if (form === undefined || bucket === undefined) return undefined;
  const partition = /^arn:(aws[a-z-]*):/.exec(record.principal.arn ?? '')?.[1] ?? 'aws';
  if (form === 'bucket') return `arn:${partition}:s3:::${bucket}`;
  const source = copySourceOf(record);
  if (source !== undefined && lower.startsWith('s3:get'))
    return `arn:${partition}:s3:::${source.bucket}/${source.key}`;
  const key = record.requestParameters.key;
  return typeof key === 'string' && key !== '' ? `arn:${partition}:s3:::${bucket}/${key}` : undefined;
}

function analysed(record: CloudTrailRecord): DeniedEvent | UnmappedOperation {
  const message = pointedAt(parseDenialMessage(record.errorMessage));
  if (message.form === 'enhanced' && isS3Action(message.action) && message.resource !== undefined) {
    if (usableResource(message.resource, record, message.action)) return fromMessage(record, message);
    const { resource: unusable, ...withoutResource } = message;
    const event = analysedFromOperation(record, withoutResource, 'silent');
    if ('unmapped' in event) return event;
    const note = `AWS's message names ${message.action} on ${JSON.stringify(unusable)}, which is no bucket, object or access point of this request: the record may be damaged, and ${event.source === 'message' ? `${message.action} was evaluated on the request's own resource` : `the operation's requests were evaluated`} instead.`;
    return { ...event, notes: [...event.notes, note] };
  }
  return analysedFromOperation(record, message);
}

function analysedFromOperation(
  record: CloudTrailRecord,
  message: ParsedDenialMessage,
  /** `false`: from the operation's requests alone; `'silent'`: without the note that says so. */
  fromMessageToo: boolean | 'silent' = true,
): DeniedEvent | UnmappedOperation {
  if (fromMessageToo !== false && message.form === 'enhanced' && isS3Action(message.action)) {
    if (message.resource !== undefined) return fromMessage(record, message);
    // A message without "on resource", or with one that is no bucket, object or access point (`*` for an
    // action that takes one, a bucket ARN without a name): the operation's request for the action it
    // names says where (a ListAllMyBuckets has no resource, `*`); without one, the operation's requests
    // are evaluated.
    const named = namedActionCheck(record, message.action);
    if (named !== undefined) return fromMessage(record, { ...message, resource: named }, true);
    // No resource to evaluate the action on (through an access point): the operation's requests, said.
    const event = analysedFromOperation(record, message, false);
    if ('unmapped' in event || fromMessageToo === 'silent') return event;
    return {
      ...event,
      notes: [
        ...event.notes,
        `AWS's message names ${message.action} on no resource it could be evaluated on here: the operation's requests were evaluated instead.`,
      ],
    };
  }

  const mapping = authorizationChecksFor(record);
  if (!mapping.ok) {
    // A network activity event names no bucket (AWS's documented shape has no requestParameters or
    // resources): the endpoint's refusal is still the whole story, which the record tells by itself.
    if (record.errorCode === 'VpceAccessDenied' && mapping.code === 's3.missingBucket')
      return { unmapped: { code: VPC_ENDPOINT_REFUSAL, message: vpceRefusalWithoutBucket(record) } };
    return { unmapped: { code: mapping.code, message: mapping.message } };
  }
  const checks = mapping.checks.filter((c) => c.kind === 's3');
  const [check, ...moreChecks] = checks;
  if (check === undefined) {
    return {
      unmapped: {
        code: 'no-s3-request',
        message: `${record.eventName}: no authorization request could be derived.`,
      },
    };
  }
  const kmsChecks = mapping.checks.filter((c) => c.kind === 'kms');
  const bucket =
    checks.find((c) => c.role !== 'source' && c.bucket !== undefined)?.bucket ??
    checks.find((c) => c.bucket !== undefined)?.bucket;
  const owner = bucketOwnerOf(record);
  // What refused the request besides the policies, first: the finding's caveats open with it.
  const ownerNote = expectedOwnerNote(record, owner);
  const vpce = record.errorCode === 'VpceAccessDenied' ? vpceRefusal(record, check) : undefined;
  const refusal =
    vpce?.note ??
    (message.form === 'setting' ? SETTING_NOTES[message.setting] : usesSseC(record) ? SSE_C_HINT : undefined);
  const first = [ownerNote, refusal].filter((note): note is string => note !== undefined);
  return deniedEvent(
    record,
    vpce?.message ?? message,
    check,
    moreChecks.length === 0 ? NO_CHECKS : moreChecks,
    'operation',
    kmsChecks,
    bucket,
    owner,
    // S3 never saw a request its VPC endpoint refused: its answer for a missing key does not apply; nor
    // does what an EventBridge rule receives of a management event (this is a network activity event).
    vpce !== undefined
      ? [
          ...first,
          ...mapping.notes.filter((n) => n !== MISSING_KEY_403 && n !== LIST_BUCKETS_EVENTBRIDGE_NOTE),
        ]
      : first.length === 0
        ? mapping.notes
        : [...first, ...mapping.notes],
  );
}
