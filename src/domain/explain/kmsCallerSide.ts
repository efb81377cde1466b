/**
 * The caller's side of the KMS calls S3 makes for an SSE-KMS request. S3 calls KMS with the caller's
 * credentials (kms:GenerateDataKey to write, kms:Decrypt to read), so two things must allow each call:
 * the key policy, and, when the key policy lets the account's IAM policies grant the key's use (the
 * default key policy's statement for the account root does), the caller's own policies, capped by its
 * permissions boundary and the SCPs like any other request.
 *
 * Key policies are not an input, but the caller's policies are: each KMS call is evaluated against them
 * as if the key policy delegated to IAM. A call they refuse is the cause to report (AWS's message for a
 * bucket whose default encryption uses a customer managed key reads "no identity-based policy allows the
 * kms:GenerateDataKey action"), and an identity statement for it is a fix the engine can verify: the
 * action on the key ARN, through S3 alone (`kms:ViaService`). A call they allow leaves the key policy.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 * @see https://repost.aws/knowledge-center/s3-access-denied-error-kms
 */
import type { ParsedDenialMessage, Principal } from '../cloudtrail/types.js';
import { isJsonObject } from '../json/jsonValue.js';
import { evaluate, type PolicySet } from '../policy/evaluate.js';
import type { AuthorizationRequest, ContextValue, EvaluationResult, PolicyType } from '../policy/types.js';
import { parseS3Arn } from '../s3/s3Location.js';
import { s3OperationFor } from '../s3/s3Operations.js';
import { globToRegExp } from './arnGlob.js';
import type { DeniedEvent } from './deniedEvent.js';
import { describeStatement, isUnloggedKey } from './denyAdvice.js';
import {
  additionalChange,
  type FixInput,
  fullVersionsCaveat,
  placeBoundaryStatements,
  placeIdentityStatements,
  verifiedFix,
} from './fix.js';
import { type GrantRequest, minimalStatements } from './minimalStatements.js';
import type { NearMiss } from './nearMisses.js';
import type { ResolvedPolicies } from './policyResolver.js';
import { iamPolicySize, MANAGED_POLICY_QUOTA, OverQuotaNotes, overQuotaLine } from './policySize.js';
import type { AdditionalChange, FindingRequest, Fix, JobProfile, PolicyStatement } from './report.js';

/** `arn:aws:kms:REGION:ACCOUNT:key/ID`, the form KMS authorizes on. */
/** A KMS key's ARN: partition, region and account captured. */
export const KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/[^/]+$/;

/** One KMS call S3 makes for one event of the finding. */
export interface KmsCall {
  readonly event: DeniedEvent;
  readonly action: string;
  readonly keyArn: string;
  readonly context: Readonly<Record<string, ContextValue>>;
  /** `message` when AWS's error message names the call, else `operation` (the request's SSE-KMS headers). */
  readonly source: 'message' | 'operation';
  /** Whether AWS refused this call on this run (its message names a KMS action), not only S3's request. */
  readonly refusedThisRun: boolean;
}

export interface EvaluatedKmsCall {
  readonly call: KmsCall;
  readonly request: AuthorizationRequest;
  readonly result: EvaluationResult;
  /**
   * Allowed only with the bucket's ARN as encryption context, which S3 gives with S3 Bucket Keys: the
   * record does not say whether the bucket uses them (see {@link bucketKeyCaveat}).
   */
  readonly onlyWithBucketKey?: string;
}

/** The KMS action AWS's message names, with its key when the message names one. */
function messageKmsUse(message: ParsedDenialMessage): { action: string; keyArn?: string } | undefined {
  if (message.form !== 'enhanced') return undefined;
  // Every denied event of a finding comes here: most name an S3 action, told apart by their first letter.
  const action = message.action;
  if ((action.charCodeAt(0) | 32) !== 107 || !action.toLowerCase().startsWith('kms:')) return undefined;
  const keyArn =
    message.resource !== undefined && KEY_ARN.test(message.resource) ? message.resource : undefined;
  return keyArn !== undefined ? { action: message.action, keyArn } : { action: message.action };
}

const S3_SERVICE = 's3.amazonaws.com';

/**
 * What S3's call to KMS carries, as a forward access session: made through S3 (`kms:ViaService`,
 * `aws:ViaAWSService`, `aws:CalledVia`), by the caller's account, from the caller's own address (FAS
 * keeps it), on the key's account and region, with the object's ARN as encryption context (the bucket's
 * with S3 Bucket Keys, which the record does not show).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-ip.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
 */
function callContext(
  event: DeniedEvent,
  action: string,
  keyArn: string,
  base: Readonly<Record<string, ContextValue>>,
): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = { ...base, 'aws:ViaAWSService': true };
  context['aws:CalledVia'] = [S3_SERVICE];
  context['aws:CalledViaFirst'] = S3_SERVICE;
  context['aws:CalledViaLast'] = S3_SERVICE;
  const key = KEY_ARN.exec(keyArn);
  const s3 = event.check.context;
  const region = key?.[2] ?? s3['aws:RequestedRegion'];
  if (typeof region === 'string') {
    context['aws:RequestedRegion'] = region;
    if (context['kms:ViaService'] === undefined) context['kms:ViaService'] = `s3.${region}.amazonaws.com`;
  }
  if (key?.[3] !== undefined) context['aws:ResourceAccount'] = key[3];
  if (event.principal.account !== undefined) context['kms:CallerAccount'] = event.principal.account;
  for (const k of [
    'aws:SourceIp',
    'aws:SourceVpce',
    'aws:SourceVpc',
    'aws:CurrentTime',
    'aws:EpochTime',
    'aws:SourceIdentity',
  ]) {
    const value = s3[k];
    if (value !== undefined && context[k] === undefined) context[k] = value;
  }
  const arn = s3EncryptionContext(event, action, keyArn);
  if (arn !== undefined) context[ENCRYPTION_CONTEXT] = arn;
  return context;
}

/** The condition key of the encryption context S3 gives KMS: the object's ARN (the bucket's with S3 Bucket Keys). */
const ENCRYPTION_CONTEXT = 'kms:EncryptionContext:aws:s3:arn';

/**
 * The ARN S3 gives KMS as encryption context (`aws:s3:arn`) for the event's call: the object's (the
 * source's, for a copy's read of it), or its bucket's when the request asks for an S3 Bucket Key;
 * `undefined` when the record does not show it (an access point's request).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
 */
function s3EncryptionContext(event: DeniedEvent, action: string, keyArn: string): string | undefined {
  if (event.check.key === undefined || event.check.accessPoint !== undefined) return undefined;
  const source = readsCopySource(event, action, keyArn) ? copySourceArn(event) : undefined;
  if (source !== undefined) return source;
  // The request's header speaks for the object it writes, not for a copy's source.
  return event.bucketKey === true ? bucketArnOfObject(event.check.resource) : event.check.resource;
}

/** `arn:aws:s3:::bucket` of `arn:aws:s3:::bucket/key`; the ARN itself when it names no object. */
function bucketArnOfObject(arn: string): string {
  const parts = parseS3Arn(arn);
  return parts === undefined ? arn : `arn:${parts.partition}:s3:::${parts.bucket}`;
}

/**
 * The other encryption context a call may carry: its object's bucket ARN, when the object's ARN is taken
 * for want of knowing whether S3 Bucket Keys are on (the request does not say, or the object is a copy's
 * source, which its own setting decides).
 */
function bucketKeyAlternative(call: KmsCall): string | undefined {
  const arn = call.context[ENCRYPTION_CONTEXT];
  if (typeof arn !== 'string' || parseS3Arn(arn)?.key === undefined) return undefined;
  const source = readsCopySource(call.event, call.action, call.keyArn);
  return source || call.event.bucketKey === undefined ? bucketArnOfObject(arn) : undefined;
}

/** Whether a copy's KMS call is the read of its source object (kms:Decrypt of the source's key). */
function readsCopySource(event: DeniedEvent, action: string, keyArn: string): boolean {
  if (action.toLowerCase() !== 'kms:decrypt') return false;
  if (event.eventName === 'CopyObject') return true;
  // A part copied into an SSE-KMS upload may also need the destination key's Decrypt.
  return event.eventName === 'UploadPartCopy' && !event.kmsChecks.some((check) => check.resource === keyArn);
}

/**
 * The ARN of the object a copy reads: its source check's, or the source the event keeps apart (in the
 * destination's partition); `undefined` for an access point's source.
 */
export function copySourceArn(event: DeniedEvent): string | undefined {
  for (const check of [event.check, ...event.moreChecks])
    if (check.role === 'source' && check.accessPoint === undefined) return check.resource;
  const source = event.copySource;
  if (source === undefined) return undefined;
  const destination = event.check.resource;
  return `${destination.slice(0, destination.indexOf(':s3:'))}:s3:::${source.bucket}/${source.key}`;
}

/** Whether the event is a copy, whose KMS calls are the source key's Decrypt and the destination key's. */
export function isCopy(event: DeniedEvent): boolean {
  return event.eventName === 'CopyObject' || event.eventName === 'UploadPartCopy';
}

/**
 * The KMS calls of the finding's events. What AWS's message names beats what the request's headers
 * imply (the operation mapping), as for S3's own requests: a message that names a KMS action and key
 * gives that call alone (a copy refused the read of its source key, an upload to another account's key);
 * one that names only the action keeps the headers' calls for that action; otherwise each call the
 * headers imply. A request that names no key (a bucket's default key) has only the message's.
 */
export function kmsCallsOf(events: readonly DeniedEvent[]): KmsCall[] {
  const calls: KmsCall[] = [];
  for (const event of events) {
    const named = messageKmsUse(event.message);
    if (named === undefined && event.kmsChecks.length === 0) continue;
    const first = calls.length;
    eventCalls(event, named);
    if (event.eventName === 'CreateMultipartUpload') withPartsDecrypt(calls, first);
  }
  return calls;

  /** The calls of one event: what its message names, else what its headers imply. */
  function eventCalls(event: DeniedEvent, named: ReturnType<typeof messageKmsUse>): void {
    const add = (
      action: string,
      keyArn: string,
      base: Readonly<Record<string, ContextValue>>,
      source: KmsCall['source'],
      refusedThisRun = named !== undefined,
    ) =>
      calls.push({
        event,
        action,
        keyArn,
        context: callContext(event, action, keyArn, base),
        source,
        refusedThisRun,
      });
    const headers = event.kmsChecks.filter((check) => KEY_ARN.test(check.resource));
    // A copy's message names one of its two calls (the source key's Decrypt, say): the destination
    // key's GenerateDataKey, which the headers imply, is needed all the same (not known to be refused).
    const otherCopyCalls = (action: string) =>
      isCopy(event) ? headers.filter((c) => c.action.toLowerCase() !== action.toLowerCase()) : [];
    if (named?.keyArn !== undefined) {
      add(named.action, named.keyArn, {}, 'message');
      for (const check of otherCopyCalls(named.action))
        add(check.action, check.resource, check.context, 'operation', false);
      return;
    }
    if (named === undefined) {
      for (const check of headers) add(check.action, check.resource, check.context, 'operation');
      return;
    }
    const same = headers.filter((c) => c.action.toLowerCase() === named.action.toLowerCase());
    if (same.length > 0) {
      for (const check of same) add(check.action, check.resource, check.context, 'operation');
      return;
    }
    // A copy refused a Decrypt without naming the key: the source object's key, which the record does
    // not show (the catalogue's note says so), not the destination's the headers name.
    if (isCopy(event) && named.action.toLowerCase() === 'kms:decrypt') {
      for (const check of otherCopyCalls(named.action))
        add(check.action, check.resource, check.context, 'operation', false);
      return;
    }
    // The message names another action than the headers imply (a Decrypt to complete an upload in
    // parts): that action, on the key the headers name.
    const keys = new Map<string, Readonly<Record<string, ContextValue>>>();
    for (const check of headers) if (!keys.has(check.resource)) keys.set(check.resource, check.context);
    for (const [keyArn, base] of keys) add(named.action, keyArn, base, 'message');
  }
}

/** The calls of an upload in parts whose records name no key, each needing kms:Decrypt on the upload's. */
const UPLOAD_KEY_USERS: ReadonlySet<string> = new Set(['UploadPart', 'CompleteMultipartUpload']);

/**
 * The event with kms:Decrypt on its upload's key among its KMS checks, when it is an UploadPart or a
 * CompleteMultipartUpload whose upload's CreateMultipartUpload (a successful one of the caller's on the
 * same bucket and object, in the input) chose an SSE-KMS key: S3 needs it "because Amazon S3 must decrypt
 * and read data from the encrypted file parts before it completes the multipart upload"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions), and those
 * records name no key. The event as it is when its record names a key already, when no such upload is in
 * the input, or when uploads of that object chose different keys (which one this part was for is not
 * known: the records of a part do not name it). A bare key ID is the caller's account's, in the
 * request's region, as S3 resolves it; an alias is not resolved.
 *
 * `uploadKeys` holds `[object key, key ID]` arrays as JSON (the caller's `uploadKeys` evidence).
 */
export function withUploadKey(event: DeniedEvent, uploadKeys: ReadonlySet<string> | undefined): DeniedEvent {
  const object = event.objectKey;
  if (
    uploadKeys === undefined ||
    uploadKeys.size === 0 ||
    object === undefined ||
    event.kmsChecks.length > 0 ||
    !UPLOAD_KEY_USERS.has(event.eventName)
  )
    return event;
  const ids = new Set<string>();
  for (const entry of uploadKeys) {
    const parsed: unknown = JSON.parse(entry);
    if (Array.isArray(parsed) && parsed[0] === object && typeof parsed[1] === 'string') ids.add(parsed[1]);
  }
  const [keyId, ...others] = ids;
  if (keyId === undefined || others.length > 0) return event;
  const region = event.check.context['aws:RequestedRegion'];
  const partition = /^arn:(aws[a-z-]*):/.exec(event.check.resource)?.[1];
  const keyArn = KEY_ARN.test(keyId)
    ? keyId
    : /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/.test(keyId) &&
        typeof region === 'string' &&
        partition !== undefined &&
        event.principal.account !== undefined
      ? `arn:${partition}:kms:${region}:${event.principal.account}:key/${keyId}`
      : undefined;
  if (keyArn === undefined) return event;
  const hidden = s3OperationFor(event.eventName)?.operation.kmsHidden;
  return {
    ...event,
    kmsChecks: [
      {
        action: 'kms:Decrypt',
        resource: keyArn,
        context: {},
        ...(event.bucket !== undefined ? { bucket: event.bucket } : {}),
        key: object,
        reason: `the upload's CreateMultipartUpload (in the input) chose SSE-KMS with this key [x-amz-server-side-encryption-aws-kms-key-id: ${keyId}], and S3 decrypts the parts with it. Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions`,
        kind: 'kms',
      },
    ],
    // The note that the upload may use SSE-KMS: the input shows that it does, and which key.
    notes: hidden === undefined ? event.notes : event.notes.filter((note) => note !== hidden),
  };
}

/**
 * An upload in parts (CreateMultipartUpload) needs kms:Decrypt on its key next, for its parts: "the
 * requester needs permissions for the kms:Decrypt action on the UploadPart and UploadPartCopy APIs"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions). Added
 * beside each kms:GenerateDataKey of `calls` from `from` on, on the same key and object, not refused on
 * this run (its record names no part): the next call the job makes there.
 */
function withPartsDecrypt(calls: KmsCall[], from: number): void {
  const added = calls.slice(from);
  for (const call of added) {
    if (call.action.toLowerCase() !== 'kms:generatedatakey') continue;
    const has = (c: KmsCall) => c.keyArn === call.keyArn && c.action.toLowerCase() === 'kms:decrypt';
    if (calls.slice(from).some(has)) continue;
    calls.push({ ...call, action: 'kms:Decrypt', source: 'operation', refusedThisRun: false });
  }
}

/**
 * The catalogue's notes on the kms:Decrypt an operation may need without its record showing it (a copy's
 * source key, an upload's parts), for events whose AWS message names that kms:Decrypt: the message
 * answers them. An UploadPartCopy's stays: it may need a second key's (the upload's and the source's).
 */
export function answeredKmsNotes(events: readonly DeniedEvent[]): Set<string> {
  const notes = new Set<string>();
  for (const event of events) {
    const named = messageKmsUse(event.message);
    if (named === undefined || named.action.toLowerCase() !== 'kms:decrypt') continue;
    if (event.eventName === 'UploadPartCopy') continue;
    const note = s3OperationFor(event.eventName)?.operation.kmsHidden;
    if (note !== undefined) notes.add(note);
  }
  return notes;
}

/**
 * The calls a key policy statement is for: those AWS refused on this run (its message names them), with
 * the others on the same keys (a multipart upload's Decrypt for its parts); all of them when the message
 * names none. Not a copy's other key, which nothing says was refused.
 */
export function keyPolicyCalls<T extends { readonly call: KmsCall }>(calls: readonly T[]): T[] {
  const keys = new Set(calls.filter((c) => c.call.refusedThisRun).map((c) => c.call.keyArn));
  return keys.size === 0 ? [...calls] : calls.filter((c) => keys.has(c.call.keyArn));
}

/**
 * A set as it applies to a KMS key's use: with the RCPs of the key's account (the snapshot's
 * organization's), not the bucket's, when the input says which those are. Memoised per set and account.
 */
function keySetter(rcpLevelsFor: FixInput['rcpLevelsFor']): (set: PolicySet, keyArn: string) => PolicySet {
  if (rcpLevelsFor === undefined) return (set) => set;
  const memo = new Map<PolicySet, Map<string | undefined, PolicySet>>();
  return (set, keyArn) => {
    const account = keyAccountOf(keyArn);
    let byAccount = memo.get(set);
    if (byAccount === undefined) {
      byAccount = new Map();
      memo.set(set, byAccount);
    }
    let found = byAccount.get(account);
    if (found === undefined) {
      found = { ...set, rcpLevels: rcpLevelsFor(account) };
      byAccount.set(account, found);
    }
    return found;
  };
}

/** The caller's side of a set: everything but the bucket policy, which has no say over a KMS key. */
export function callerSide(set: PolicySet): PolicySet {
  const { resource: _bucketPolicy, ...rest } = set;
  return rest;
}

/**
 * Each call evaluated against the caller's policies, as if the key policy let them decide (the key is
 * taken to be in the caller's account: in another, its key policy must name the caller too, which the
 * key-policy caveat says).
 */
export function evaluateKmsCalls(
  resolved: ResolvedPolicies,
  account: string | undefined,
  calls: readonly KmsCall[],
  /** The RCPs that govern a key of an account (the key's organization's, not the bucket's). */
  rcpLevelsFor?: FixInput['rcpLevelsFor'],
): EvaluatedKmsCall[] {
  if (calls.length === 0) return [];
  const callers = callerSide(resolved.set);
  const forKey = keySetter(rcpLevelsFor);
  const principalContext = Object.keys(resolved.context).length > 0 ? resolved.context : undefined;
  return calls.map((call) => {
    const request: AuthorizationRequest = {
      principal: resolved.enginePrincipal,
      action: call.action,
      resource: call.keyArn,
      ...(account !== undefined ? { resourceAccount: account } : {}),
      context: call.context,
      ...(principalContext !== undefined ? { principalContext } : {}),
      // What CloudTrail does not log (the caller's organization) is unknown, not absent.
      unknownKeys: isUnloggedKey,
    };
    const result = evaluate(forKey(callers, call.keyArn), request);
    // Refused with the object's ARN as context, when S3 may give the bucket's (S3 Bucket Keys, which the
    // record does not show): an Allow for the bucket's is not read as refused.
    const bucket = result.decision === 'ImplicitlyDenied' ? bucketKeyAlternative(call) : undefined;
    if (bucket !== undefined) {
      const withBucket = { ...request, context: { ...call.context, [ENCRYPTION_CONTEXT]: bucket } };
      const alternative = evaluate(forKey(callers, call.keyArn), withBucket);
      if (alternative.decision === 'Allowed')
        return { call, request: withBucket, result: alternative, onlyWithBucketKey: bucket };
    }
    return { call, request, result };
  });
}

/**
 * Calls the caller's policies allow only with the bucket's ARN as encryption context: allowed if the
 * bucket uses S3 Bucket Keys (S3 then gives KMS the bucket's ARN, not the object's), refused if not. The
 * record does not show the bucket's setting, nor did the request ask for a Bucket Key.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
 */
export function bucketKeyCaveat(calls: readonly EvaluatedKmsCall[]): string | undefined {
  const only = calls.filter((c) => c.onlyWithBucketKey !== undefined);
  if (only.length === 0) return undefined;
  const buckets = [...new Set(only.map((c) => c.onlyWithBucketKey))].join(', ');
  return `The caller's policies allow ${describeKmsCalls(only)} only with ${buckets} as encryption context (${ENCRYPTION_CONTEXT}), which S3 gives KMS when the bucket uses S3 Bucket Keys, and the object's ARN otherwise: taken as allowed, since the record does not show whether the bucket uses them. If it does not, they refuse ${pronoun(only)} (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).`;
}

/** The calls as rows of the finding's requests. */
export function kmsRows(evaluated: readonly EvaluatedKmsCall[]): FindingRequest[] {
  return evaluated.map(({ call, result }) => ({
    eventId: call.event.eventId,
    eventName: call.event.eventName,
    action: call.action,
    resource: call.keyArn,
    decision: result.decision,
    source: call.source,
    ...(result.decision === 'ImplicitlyDenied' && result.missingAllowIn.length > 0
      ? { missingAllowIn: result.missingAllowIn }
      : {}),
  }));
}

/**
 * The identity statements for the refused calls: per key, its actions, through S3 alone when every call
 * on it names the service, and for the objects the calls are for (`kms:EncryptionContext:aws:s3:arn`,
 * see {@link encryptionContexts}) when every call's context is known, so that the key is usable through
 * S3 for those objects and no others (keys with the same actions, services and objects share one
 * statement). `scope` holds the S3 resources the statements go with (the fix's or the job's grants).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
 */
export function kmsStatements(
  refused: readonly { readonly call: KmsCall }[],
  scope: readonly string[] = [],
): PolicyStatement[] {
  const byKey = new Map<
    string,
    { actions: Set<string>; services: Set<string>; unconditioned: boolean; calls: KmsCall[] }
  >();
  for (const { call } of refused) {
    let entry = byKey.get(call.keyArn);
    if (entry === undefined) {
      entry = { actions: new Set(), services: new Set(), unconditioned: false, calls: [] };
      byKey.set(call.keyArn, entry);
    }
    entry.actions.add(call.action);
    entry.calls.push(call);
    const via = call.context['kms:ViaService'];
    if (typeof via === 'string') entry.services.add(via);
    else entry.unconditioned = true;
  }
  const merged = new Map<
    string,
    { actions: string[]; services: string[]; contexts: string[]; keys: string[] }
  >();
  for (const [key, entry] of byKey) {
    const actions = [...entry.actions].sort();
    const services = entry.unconditioned ? [] : [...entry.services].sort();
    const contexts = encryptionContexts(entry.calls, scope);
    const id = JSON.stringify([actions, services, contexts]);
    const group = merged.get(id);
    if (group === undefined) merged.set(id, { actions, services, contexts, keys: [key] });
    else group.keys.push(key);
  }
  return [...merged.values()].map(({ actions, services, contexts, keys }) => {
    const condition = keyCondition(services, contexts);
    return {
      Effect: 'Allow',
      Action: actions,
      Resource: keys.sort(),
      ...(condition !== undefined ? { Condition: condition } : {}),
    };
  });
}

/** A key statement's condition: through S3 (`kms:ViaService`), for the objects (encryption context). */
function keyCondition(
  services: readonly string[],
  contexts: readonly string[],
): PolicyStatement['Condition'] | undefined {
  if (services.length === 0 && contexts.length === 0) return undefined;
  return {
    ...(services.length > 0 ? { StringEquals: { 'kms:ViaService': services } } : {}),
    ...(contexts.length > 0 ? { StringLike: { [ENCRYPTION_CONTEXT]: contexts } } : {}),
  };
}

/**
 * The encryption contexts a statement for the calls allows: an object's ARN as the S3 object patterns
 * of `scope` that cover it (the key usable for the objects the S3 statements grant, no more), else as an
 * S3 fix grants objects (their common directory); a bucket's ARN (S3 Bucket Keys) as it is, and beside
 * an object's when the record does not say whether the bucket uses Bucket Keys (see
 * {@link bucketKeyAlternative}). None (no condition) when a call's context is not known: a condition
 * could refuse it.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
 */
function encryptionContexts(calls: readonly KmsCall[], scope: readonly string[]): string[] {
  const objectScope = scope.filter((pattern) => parseS3Arn(pattern)?.key !== undefined);
  const patterns = new Set<string>();
  const uncovered: GrantRequest[] = [];
  for (const call of calls) {
    const arn = call.context[ENCRYPTION_CONTEXT];
    if (typeof arn !== 'string') return [];
    const parts = parseS3Arn(arn);
    if (parts === undefined || parts.key === undefined) {
      patterns.add(arn);
      continue;
    }
    // Whether the bucket uses S3 Bucket Keys is not known (every read, an upload that does not say): S3
    // then gives KMS the bucket's ARN instead, which the statement must allow too, or it grants nothing.
    const bucketKey = bucketKeyAlternative(call);
    if (bucketKey !== undefined) patterns.add(bucketKey);
    const covering = objectScope.filter((pattern) => globToRegExp(pattern).test(arn));
    for (const pattern of covering) patterns.add(pattern);
    if (covering.length === 0)
      uncovered.push({ action: 's3:GetObject', resource: arn, bucket: parts.bucket, key: parts.key });
  }
  for (const statement of minimalStatements(uncovered))
    for (const resource of statement.Resource) patterns.add(resource);
  return [...patterns].sort();
}

/** The S3 resources of statements (a fix's, a job profile's): what the key's statements go with. */
function s3Scope(statements: readonly PolicyStatement[]): string[] {
  return statements.flatMap((statement) =>
    statement.Action.some((action) => action.toLowerCase().startsWith('s3:')) ? statement.Resource : [],
  );
}

/** Whether a statement allows the key's use for some objects or buckets only (an encryption context). */
function scopedToObjects(statement: PolicyStatement): boolean {
  return statement.Condition?.StringLike?.[ENCRYPTION_CONTEXT] !== undefined;
}

/**
 * Requests the added statements must not newly allow: other keys, aliases, `*`, the key used directly or
 * through another service, and, for a statement limited to some objects, the key used through S3 for
 * another bucket's object (and that bucket, as S3 Bucket Keys give it).
 */
function probesFor(
  statements: readonly PolicyStatement[],
  template: AuthorizationRequest,
): AuthorizationRequest[] {
  const probes: AuthorizationRequest[] = [];
  const direct: Record<string, ContextValue> = {};
  for (const [k, v] of Object.entries(template.context ?? {})) if (k !== 'kms:ViaService') direct[k] = v;
  for (const statement of statements) {
    for (const action of statement.Action) {
      const resources = new Set<string>(['*']);
      for (const key of statement.Resource) {
        const m = KEY_ARN.exec(key);
        if (m === null) continue;
        resources.add(`arn:${m[1]}:kms:${m[2]}:${m[3]}:key/permission-auditor-other-key`);
        resources.add(`arn:${m[1]}:kms:${m[2]}:${m[3]}:alias/permission-auditor-probe`);
        // The key itself, used directly rather than through S3, and through another service.
        probes.push({ ...template, action, resource: key, context: direct });
        probes.push({
          ...template,
          action,
          resource: key,
          context: { ...direct, 'kms:ViaService': `ec2.${m[2]}.amazonaws.com` },
        });
        if (scopedToObjects(statement)) {
          // Through S3, for objects the statement is not for.
          const other = `arn:${m[1]}:s3:::permission-auditor-other-bucket`;
          for (const arn of [`${other}/permission-auditor-probe`, other])
            probes.push({
              ...template,
              action,
              resource: key,
              context: {
                ...template.context,
                'kms:ViaService': `s3.${m[2]}.amazonaws.com`,
                [ENCRYPTION_CONTEXT]: arn,
              },
            });
        }
      }
      for (const resource of resources) probes.push({ ...template, action, resource });
    }
  }
  return probes;
}

/** The verification line for probes that no change newly allows. */
function probesLine(probes: readonly AuthorizationRequest[], statements: readonly PolicyStatement[]): string {
  const objects = statements.some(scopedToObjects) ? ", and through S3 for another bucket's objects" : '';
  return `No other KMS use becomes newly allowed (${probes.length} probes: another key and an alias of the account, "*", and the key used directly or through another service than S3${objects}).${bucketKeyWidening(statements)}`;
}

/**
 * What a key statement that allows a bucket's ARN beside its objects' (S3 Bucket Keys not ruled out)
 * opens: through Bucket Keys, which any uploader may ask for, every object of the bucket. Empty for none.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
 */
function bucketKeyWidening(statements: readonly PolicyStatement[]): string {
  const buckets = bucketContexts(statements);
  if (buckets.length === 0) return '';
  const one = buckets.length === 1;
  return ` The key's statement also allows ${buckets.join(', ')} as encryption context, which S3 gives KMS when the bucket, or the request, uses S3 Bucket Keys (any uploader may ask for one with x-amz-server-side-encryption-bucket-key-enabled): through S3 the key is then usable for every object of ${one ? 'that bucket' : 'those buckets'} the caller may write or read, not only the objects it names. If the bucket does not use Bucket Keys, remove ${one ? 'that ARN' : 'those ARNs'} from the condition to keep the key to those objects (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).`;
}

/** The buckets' ARNs a key statement allows as encryption context beside objects of theirs. */
function bucketContexts(statements: readonly PolicyStatement[]): string[] {
  const buckets = new Set<string>();
  for (const statement of statements) {
    const contexts = statement.Condition?.StringLike?.[ENCRYPTION_CONTEXT];
    const list = typeof contexts === 'string' ? [contexts] : (contexts ?? []);
    for (const context of list)
      if (parseS3Arn(context)?.key === undefined && list.some((other) => other.startsWith(`${context}/`)))
        buckets.add(context);
  }
  return [...buckets].sort();
}

/** The failed verification's caveat: what the change would newly allow, with the object it was for. */
function newlyAllowedLine(probe: AuthorizationRequest): string {
  const arn = probe.context?.[ENCRYPTION_CONTEXT];
  const through = probe.context?.['kms:ViaService'];
  const forObject =
    typeof arn === 'string' && typeof through === 'string' && through.startsWith('s3.')
      ? ` through S3 for ${arn}`
      : '';
  return `Verification failed: the change would also newly allow ${probe.action} on ${probe.resource}${forObject}.`;
}

export interface KmsFixOutcome {
  readonly fix: Fix | null;
  readonly caveats: readonly string[];
}

/**
 * The identity statements for the calls the caller's policies refused for want of an Allow, placed as
 * an identity fix of the caller is (the managed policy that grants the job S3 on the bucket, else a new
 * inline policy) and verified: with them, every refused call is allowed by the caller's policies, and no
 * probe of another key, an alias, `*` or the key used outside S3 becomes newly allowed.
 */
export function proposeKmsFix(
  input: Omit<FixInput, 'kind' | 'requests'>,
  refused: readonly EvaluatedKmsCall[],
  kind: 'identity' | 'boundary' = 'identity',
): KmsFixOutcome {
  const first = refused[0];
  if (first === undefined) return { fix: null, caveats: [] };
  const statements = kmsStatements(refused);
  const fixInput: FixInput = { ...input, kind, requests: [] };
  const placed =
    kind === 'identity'
      ? placeIdentityStatements(fixInput, statements)
      : placeBoundaryStatements(fixInput, statements);
  if (typeof placed === 'string')
    return { fix: null, caveats: [`No fix proposed for the key's use: ${placed}.`] };
  const before = callerSide(input.resolved.set);
  let after = callerSide(placed.patched);
  // Each key's use is evaluated with the RCPs of its account, as the finding evaluated it.
  const forKey = keySetter(input.rcpLevelsFor);
  const stillRefused = () => {
    const out: { request: AuthorizationRequest; result: EvaluationResult }[] = [];
    for (const { request } of refused) {
      const result = evaluate(forKey(after, request.resource), request);
      if (result.decision !== 'Allowed') out.push({ request, result });
    }
    return out;
  };
  let still = stillRefused();
  const caveats: string[] = placed.note !== undefined ? [placed.note] : [];
  // Documents IAM would refuse as they are (over a size quota): said, and the fix not verified.
  const overQuota = new OverQuotaNotes(caveats);

  overQuota.add(placed.overQuota);
  // A permissions boundary that does not allow the calls either gets the same statements, as a new
  // version of it, verified with the fix (as an S3 fix raises the boundary).
  let boundary: AdditionalChange | undefined;
  if (
    kind === 'identity' &&
    still.some(
      (x) =>
        x.result.decision === 'ImplicitlyDenied' && x.result.missingAllowIn.includes('permissions-boundary'),
    )
  ) {
    const raised = placeBoundaryStatements(fixInput, statements);
    if (typeof raised === 'string') {
      caveats.push(`The permissions boundary cannot be raised here: ${raised}.`);
    } else if (raised.patched.permissionsBoundary !== undefined) {
      if (raised.note !== undefined) caveats.push(raised.note);
      overQuota.add(raised.overQuota);
      boundary = additionalChange(raised.fix);
      after = { ...after, permissionsBoundary: raised.patched.permissionsBoundary };
      still = stillRefused();
    }
  }
  const deny = still.find((x) => x.result.decision === 'ExplicitlyDenied');
  if (deny !== undefined) {
    return {
      fix: null,
      caveats: [
        `An added Allow would not help: ${deny.request.action} on ${deny.request.resource} stays explicitly denied by ${denyNames([deny.result])}.`,
      ],
    };
  }
  const verification: string[] = [];
  if (still.length > 0) {
    const missing = [...new Set(still.flatMap((x) => x.result.missingAllowIn))];
    caveats.push(
      `With the fix applied, ${still.length === 1 ? '1 KMS request still lacks' : `${still.length} KMS requests still lack`} an Allow in: ${missing.join(', ')}. Those policies must allow ${still.length === 1 ? 'it' : 'them'} too.`,
    );
  } else {
    verification.push(
      `With the fix applied, the caller's policies allow ${refused.length === 1 ? 'the KMS request' : `all ${refused.length} KMS requests`} S3 makes for it${boundary !== undefined ? `, checked with both changes: the statements above and a new version of the permissions boundary ${boundary.policyName ?? boundary.attachTo} with the same statements` : ''}.`,
    );
  }
  const probes = probesFor(statements, first.request);
  const newly = probes.find(
    (probe) =>
      evaluate(forKey(after, probe.resource), probe).decision === 'Allowed' &&
      evaluate(forKey(before, probe.resource), probe).decision !== 'Allowed',
  );
  if (newly !== undefined) {
    caveats.push(newlyAllowedLine(newly));
  } else {
    verification.push(probesLine(probes, statements));
  }
  // Every managed policy the fix gives a new version: IAM keeps at most five.
  for (const change of [placed.fix, boundary]) {
    const full = fullVersionsCaveat(change, input.snapshot);
    if (full !== undefined) caveats.push(full);
  }
  const otherAccounts = foreignKeyAccounts(refused, input.principal.account);
  verification.push(
    otherAccounts.length > 0
      ? `Checked against the caller's policies only: the key policy is not an input. The key is in account ${otherAccounts.join(', ')}, so its key policy must also allow the caller's account or the caller (see the caveats).`
      : "Checked against the caller's policies only: the key policy is not an input. It must let the account's IAM policies grant the key's use (the default key policy's statement for the account root does), or name the caller itself (see the caveats).",
  );
  return {
    fix: {
      ...placed.fix,
      ...(boundary !== undefined ? { boundary } : {}),
      verified: still.length === 0 && newly === undefined && overQuota.count === 0,
      verification: overQuota.count > 0 ? [...verification, overQuotaLine(overQuota.count)] : verification,
    },
    caveats,
  };
}

/**
 * The S3 resources a fix grants (its statements, and its caller-side change's): the objects the key's
 * statements that join it are for.
 */
export function keyScopeOf(fix: Fix): string[] {
  return s3Scope([...fix.statements, ...(fix.identityChange?.statements ?? [])]);
}

/** How a bucket-policy fix's verification begins the line saying the caller's side needs nothing. */
const NOTHING_ON_CALLER_SIDE =
  "The caller's own policies already allow these requests: nothing to add on its side";

/**
 * An identity fix of S3 requests, extended with the statements for the KMS calls S3 makes for them with
 * the caller's credentials that the caller's own policies refuse for want of an Allow: one change for
 * the whole job, where the S3 fix alone would leave the next run refused at the key. The S3 fix's
 * verification stands (the added statements name KMS actions only, so no S3 decision changes); the KMS
 * calls are verified on the caller's side as {@link proposeKmsFix} verifies them. `undefined` when they
 * do not go in the same policy as one change: the fix has a second change (a boundary, another policy),
 * a call is refused by a Deny or a cap, or the statements would be placed elsewhere. The caveat then
 * gives the statements.
 */
export function withKeyUseStatements(
  fix: Fix,
  input: Omit<FixInput, 'kind' | 'requests'>,
  refused: readonly EvaluatedKmsCall[],
  s3Denied: readonly { readonly eventId: string; readonly request: AuthorizationRequest }[],
): KmsFixOutcome | { readonly notJoined: string } | undefined {
  const first = refused[0];
  if (first === undefined || fix.boundary !== undefined || fix.otherScps !== undefined) return undefined;
  // A bucket-policy fix for a caller in another account: the key's statements join its caller-side change.
  const callerSideChange = fix.attachKind === 'bucket-policy';
  if (callerSideChange) {
    // Without the caller's policies (every S3 statement given for its side, unchecked), no KMS call was
    // evaluated there either.
    if (
      fix.identityChange === undefined &&
      fix.identityStatements !== undefined &&
      fix.identityStatements.length > 0
    )
      return undefined;
  } else if (
    fix.identityChange !== undefined ||
    fix.identityStatements !== undefined ||
    !(['inline-policy', 'managed-policy-version', 'permission-set'] as const).some(
      (k) => k === fix.attachKind,
    )
  )
    return undefined;
  const onlyIdentity = refused.every(
    ({ result }) =>
      result.decision === 'ImplicitlyDenied' &&
      result.missingAllowIn.length === 1 &&
      result.missingAllowIn[0] === 'identity',
  );
  if (!onlyIdentity) return undefined;
  // The identity statements the key's join: the fix's own, or those of its caller-side change.
  const identityStatements = callerSideChange ? (fix.identityChange?.statements ?? []) : fix.statements;
  // The key for the objects the fix grants, no others.
  const keyStatements = kmsStatements(refused, keyScopeOf(fix));
  const placed = placeIdentityStatements({ ...input, kind: 'identity', requests: [] }, [
    ...identityStatements,
    ...keyStatements,
  ]);
  const target = callerSideChange ? fix.identityChange : fix;
  // One change IAM would refuse as it is (over a size quota) is no better than two: the caveat stays,
  // with why the key's statements are not in the fix and where they can go.
  if (placed.overQuota !== undefined)
    return {
      notJoined: keyUseOverQuotaNote(
        placed.fix.overQuota,
        (callerSideChange ? fix.identityChange : fix)?.overQuota !== undefined,
        placed.fix.attachKind === 'permission-set'
          ? 'permission-set'
          : /:role\//.test(placed.fix.attachTo)
            ? 'role'
            : 'user',
      ),
    };
  if (
    target !== undefined &&
    (placed.fix.attachTo !== target.attachTo ||
      placed.fix.attachKind !== target.attachKind ||
      placed.fix.policyArn !== target.policyArn)
  ) {
    // The fix's managed policy could not take the key's statements too: its new version would be over
    // IAM's quota (they went elsewhere, and would make a second change). Said, with where they can go.
    const grown = grownManagedVersionSize(target, keyStatements);
    return grown === undefined
      ? undefined
      : {
          notJoined: `The key's statements are not added to the fix: with them, the new version of ${target.policyName ?? target.policyArn} would be ${grown.toLocaleString('en-US')} characters (white space aside), over IAM's quota of ${MANAGED_POLICY_QUOTA.toLocaleString('en-US')} for a managed policy, and IAM would refuse it. Put them in another policy of the ${/:role\//.test(placed.fix.attachTo) ? 'role' : 'user'} (a new inline policy, say).`,
        };
  }
  // The S3 requests are decided with the whole fix: for a bucket-policy fix, the bucket's new policy (as
  // it was verified: the statements alone when the bucket's policy is not in the input) too.
  const s3Set: PolicySet =
    callerSideChange && input.bucket !== undefined
      ? {
          ...placed.patched,
          resource: input.cache.compile(
            {
              name: `${input.bucket} bucket policy`,
              document: fix.newDocument ?? { Version: '2012-10-17', Statement: fix.statements },
            },
            { policyType: 'resource', policyIndex: 0 },
          ),
        }
      : placed.patched;
  // Only the key's use by requests the fix lets through: an event whose S3 request stays refused (an
  // explicit Deny, a condition the request did not meet) never reaches KMS.
  const stillRefusedEvents = new Set(
    s3Denied.filter(({ request }) => evaluate(s3Set, request).decision !== 'Allowed').map((d) => d.eventId),
  );
  if (refused.some(({ call }) => stillRefusedEvents.has(call.event.eventId))) return undefined;
  const before = callerSide(input.resolved.set);
  const after = callerSide(placed.patched);
  const forKey = keySetter(input.rcpLevelsFor);
  const still = refused.filter(
    ({ request }) => evaluate(forKey(after, request.resource), request).decision !== 'Allowed',
  );
  const probes = probesFor(keyStatements, first.request);
  const newly = probes.find(
    (probe) =>
      evaluate(forKey(after, probe.resource), probe).decision === 'Allowed' &&
      evaluate(forKey(before, probe.resource), probe).decision !== 'Allowed',
  );
  const caveats: string[] = [];
  // A bucket-policy fix whose caller already had the S3 requests: its change now holds the key's alone.
  const verification = fix.verification.map((line) =>
    callerSideChange && line.startsWith(NOTHING_ON_CALLER_SIDE)
      ? `The caller's own policies already allow the S3 requests: the change to them adds only the key's statement${keyStatements.length === 1 ? '' : 's'}${line.slice(line.indexOf(' ('))}`
      : line,
  );
  if (still.length > 0)
    caveats.push(
      `With the fix applied, ${still.length === 1 ? '1 KMS request is' : `${still.length} KMS requests are`} still not allowed by the caller's policies.`,
    );
  else
    verification.push(
      `With the key's statement${keyStatements.length === 1 ? '' : 's'} added too, the caller's policies allow ${refused.length === 1 ? 'the KMS request' : `all ${refused.length} KMS requests`} S3 makes for these requests (SSE-KMS).`,
    );
  if (newly !== undefined) caveats.push(newlyAllowedLine(newly));
  else verification.push(probesLine(probes, keyStatements));
  verification.push(
    `The key's statements are checked against the caller's policies only, as the key policy is not an input: ${keyPolicyNeeds(refused, input.principal.account)}.`,
  );
  const verified = fix.verified && still.length === 0 && newly === undefined;
  if (callerSideChange) {
    const change = additionalChange(placed.fix);
    return {
      fix: verifiedFix(fix, verified, verification, {
        identityStatements: change.statements,
        identityChange: change,
        boundaryChange: undefined,
      }),
      caveats:
        placed.note !== undefined && fix.identityChange === undefined ? [placed.note, ...caveats] : caveats,
    };
  }
  return { fix: { ...placed.fix, verified, verification }, caveats };
}

/**
 * Why the key's statements are not in the fix: with them, its document would be over its size quota
 * (or it is already, without them).
 */
/** The size of a managed policy change's new version with `added` too, when that is over IAM's quota. */
function grownManagedVersionSize(
  change: Pick<Fix, 'attachKind' | 'newDocument'>,
  added: readonly PolicyStatement[],
): number | undefined {
  if (change.attachKind !== 'managed-policy-version' || !isJsonObject(change.newDocument)) return undefined;
  const statements = change.newDocument.Statement;
  const size = iamPolicySize({
    ...change.newDocument,
    Statement: [...(Array.isArray(statements) ? statements : [statements]), ...added],
  });
  return size > MANAGED_POLICY_QUOTA ? size : undefined;
}

function keyUseOverQuotaNote(
  reason: string | undefined,
  alreadyOver: boolean,
  holder: 'user' | 'role' | 'permission-set',
): string {
  // A permission set's role is IAM Identity Center's to change: the statements go in a policy the
  // permission set references, not one attached to the role.
  if (holder === 'permission-set')
    return alreadyOver
      ? `The key's statements are not added to the fix, whose inline policy is over IAM Identity Center's quota already (see the caveats): put them with its statements in a customer managed policy the permission set references.`
      : `The key's statements are not added to the fix: with them, ${reason ?? 'its inline policy would be over its size quota'}, and IAM Identity Center would refuse it. Put them in a customer managed policy the permission set references instead (it must exist with the same name in every account the permission set is provisioned to: https://docs.aws.amazon.com/singlesignon/latest/userguide/howtocmp.html).`;
  return alreadyOver
    ? `The key's statements are not added to the fix, whose document is over its size quota already (see the caveats): put them in the same new customer-managed policy as its statements.`
    : `The key's statements are not added to the fix: with them, ${reason ?? 'its document would be over its size quota'}, and IAM would refuse it. Put them in a new customer-managed policy attached to the ${holder} instead (aws iam create-policy, then aws iam attach-${holder}-policy).`;
}

/** `them` for several actions or keys, `it` for one. */
function pronoun(calls: readonly EvaluatedKmsCall[]): 'it' | 'them' {
  const actions = new Set(calls.map((c) => c.call.action));
  const keys = new Set(calls.map((c) => c.call.keyArn));
  return actions.size > 1 || keys.size > 1 ? 'them' : 'it';
}

/**
 * What the key policy must hold besides the caller's policies: for a key in the caller's account, that
 * the account's IAM policies may grant its use; for a key in another account, the caller's account or the
 * caller itself.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
 */
export function keyPolicyNeeds(
  calls: readonly { readonly call: KmsCall }[],
  callerAccount: string | undefined,
): string {
  const others = foreignKeyAccounts(calls, callerAccount);
  const own = calls.some((c) => {
    const account = keyAccountOf(c.call.keyArn);
    return account === undefined || account === callerAccount;
  });
  const ownNeeds =
    "the key policy must also let the account's IAM policies grant the key's use, as the default key policy's statement for the account root does";
  if (others.length === 0) return ownNeeds;
  const foreign = `${others.length === 1 ? 'a key in account' : 'keys in accounts'} ${others.join(', ')} also need${others.length === 1 ? 's' : ''} its key policy to allow the caller's account or the caller`;
  return own
    ? `${foreign}, and one in the caller's account its key policy to let the account's IAM policies grant the key's use`
    : foreign;
}

/**
 * An upload in parts needs kms:Decrypt too (S3 decrypts the parts to complete it): said when the calls
 * refused were only the key's kms:GenerateDataKey of single uploads. A CreateMultipartUpload's parts'
 * kms:Decrypt is among its calls already (evaluated, and granted when refused: see kmsCallsOf).
 */
function multipartDecryptNote(calls: readonly EvaluatedKmsCall[]): string {
  const actions = new Set(calls.map((c) => c.call.action));
  const parts = calls.some(
    (c) => c.call.event.eventName === 'CreateMultipartUpload' && c.call.action === 'kms:Decrypt',
  );
  if (parts)
    return ` This upload is in parts (CreateMultipartUpload): kms:Decrypt is for its parts (UploadPart, UploadPartCopy), which S3 decrypts to complete it (${MULTIPART_KMS}).`;
  if (!actions.has('kms:GenerateDataKey') || actions.has('kms:Decrypt')) return '';
  if (calls.some((c) => c.call.event.eventName === 'CreateMultipartUpload')) return '';
  return ` An upload in parts (aws-cli, boto3 and rclone use them for large files) also needs kms:Decrypt on the key, which S3 calls to complete it (${MULTIPART_KMS}): add it if the job uploads such files.`;
}

/** The caveat for KMS calls a fix now grants, in place of {@link kmsRefusalCaveat}'s. */
export function keyUseInFixCaveat(
  refused: readonly EvaluatedKmsCall[],
  thisRun: boolean | 'likely',
  callerAccount: string | undefined,
  callerSideChange = false,
  scope: readonly string[] = [],
): string {
  const lead = keyUseLead(refused, thisRun);
  const needs = keyPolicyNeeds(refused, callerAccount);
  return `${lead}, and the caller's policies do not allow ${pronoun(refused)} either: ${callerSideChange ? "the fix's change to the caller's own policies" : 'the fix'} includes ${statementsText(kmsStatements(refused, scope))}, so that the next run is not refused there. ${needs.charAt(0).toUpperCase()}${needs.slice(1)}.${multipartDecryptNote(refused)}`;
}

/** Whether a principal's policies are visible and can hold a statement (not root, a service or anonymous). */
export function canHoldKmsGrant(principal: Principal, resolved: ResolvedPolicies): boolean {
  return (
    resolved.identityKnown &&
    (principal.type === 'IAMUser' || principal.type === 'Role' || principal.type === 'IdentityCenter')
  );
}

/** "To perform a multipart upload with encryption using an AWS KMS key, the requester must have permission to the kms:Decrypt and kms:GenerateDataKey actions". */
const MULTIPART_KMS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions';

/**
 * A job profile with the KMS key's use the job needs through S3: kms:GenerateDataKey when it uploads,
 * kms:Decrypt when it reads or uploads in parts (S3 decrypts the parts to complete the upload), besides
 * the calls the input shows; on the keys the finding's requests used, through S3 alone when every call
 * names the service.
 */
export function withKeyUse(profile: JobProfile, calls: readonly EvaluatedKmsCall[]): JobProfile {
  const granted = new Set(profile.statements.flatMap((s) => s.Action.map((a) => a.toLowerCase())));
  const actions = new Set(calls.map((c) => c.call.action));
  if (granted.has('s3:putobject')) actions.add('kms:GenerateDataKey').add('kms:Decrypt');
  if (granted.has('s3:getobject')) actions.add('kms:Decrypt');
  const keys = [...new Set(calls.map((c) => c.call.keyArn))].sort();
  const services = new Set<string>();
  let everyNamesService = true;
  for (const { call } of calls) {
    const via = call.context['kms:ViaService'];
    if (typeof via === 'string') services.add(via);
    else everyNamesService = false;
  }
  // For the job's objects in the buckets the calls are for, as its S3 statements grant them: the job
  // also writes and reads where nothing was refused yet (a --backup-dir, a copy's destination).
  const scope = s3Scope(profile.statements);
  const contexts = encryptionContexts(
    calls.map((c) => c.call),
    scope,
  );
  const buckets = new Set(contexts.map((context) => parseS3Arn(context)?.bucket));
  const jobObjects =
    contexts.length === 0
      ? []
      : scope.filter((pattern) => {
          const parts = parseS3Arn(pattern);
          // Directories (`dir/*`), not single keys such as rclone's root check, whose HEAD of a
          // missing key involves no key use.
          return parts?.key !== undefined && pattern.endsWith('*') && buckets.has(parts.bucket);
        });
  const condition = keyCondition(
    everyNamesService ? [...services].sort() : [],
    [...new Set([...contexts, ...jobObjects])].sort(),
  );
  const statement: PolicyStatement = {
    Sid: 'KmsKeyThroughS3',
    Effect: 'Allow',
    Action: [...actions].sort(),
    Resource: keys,
    ...(condition !== undefined ? { Condition: condition } : {}),
  };
  return {
    ...profile,
    statements: [...profile.statements, statement],
    notes: [
      ...profile.notes,
      `The objects are encrypted with the KMS key ${keys.join(', ')} (SSE-KMS): S3 calls ${statement.Action.join(' and ')} on it with the caller's credentials (kms:GenerateDataKey for each upload, kms:Decrypt to read and to complete an upload in parts, ${MULTIPART_KMS}); the key policy must allow them too (see the caveats).${bucketKeyWidening([statement])}`,
    ],
  };
}

/** `kms:GenerateDataKey on KEY`, `kms:Decrypt and kms:GenerateDataKey on KEY, OTHER`. */
export function describeKmsCalls(calls: readonly EvaluatedKmsCall[]): string {
  return `${[...new Set(calls.map((c) => c.call.action))].join(' and ')} on ${[...new Set(calls.map((c) => c.call.keyArn))].join(', ')}`;
}

/** The accounts of the calls' keys other than the caller's, each once. */
function foreignKeyAccounts(
  calls: readonly { readonly call: KmsCall }[],
  callerAccount: string | undefined,
): string[] {
  const accounts = new Set<string>();
  for (const { call } of calls) {
    const account = keyAccountOf(call.keyArn);
    if (account !== undefined && account !== callerAccount) accounts.add(account);
  }
  return [...accounts];
}

/** The account of a key ARN. */
export function keyAccountOf(keyArn: string): string | undefined {
  return KEY_ARN.exec(keyArn)?.[3];
}

/** The Deny statements of `results`, each once: `BackupPolicy (Sid NoKms)`. */
function denyNames(results: readonly EvaluationResult[]): string {
  return [
    ...new Set(
      results.flatMap((result) =>
        result.deniedBy.map(
          (d) =>
            `${d.policyName ?? d.policyArn ?? d.policyType}${d.sid !== undefined ? ` (Sid ${d.sid})` : ''}`,
        ),
      ),
    ),
  ].join(', ');
}

/** Statements as a caveat quotes them: one as an object, several as an array, on one line, as code. */
export function statementsText(statements: readonly PolicyStatement[]): string {
  return `\`${JSON.stringify(statements.length === 1 ? statements[0] : statements)}\``;
}

/** Why no fix is proposed for a key's use that a boundary, an SCP or a session policy does not allow. */
export function kmsNoFixCaveat(
  refused: readonly EvaluatedKmsCall[],
  missing: ReadonlySet<PolicyType>,
): string {
  return `No fix proposed for the key's use: ${[...missing].map((type) => CALLER_SIDE_WORDS[type]).join(' and ')} must allow ${describeKmsCalls(refused)} too.`;
}

/**
 * For a finding whose S3 requests were refused: the KMS calls the caller's policies refuse too. Those
 * AWS's message names were refused on this run (another event of the finding); the others would refuse
 * the next run once the S3 fix is applied. The job profile grants them.
 */
export function kmsRefusalCaveat(
  refused: readonly EvaluatedKmsCall[],
  thisRun: boolean | 'likely',
  callerAccount: string | undefined,
): string {
  const lead = keyUseLead(refused, thisRun);
  const explicit = refused.filter((c) => c.result.decision === 'ExplicitlyDenied');
  const implicit = refused.filter((c) => c.result.decision !== 'ExplicitlyDenied');
  const parts: string[] = [];
  if (explicit.length > 0) {
    const what = implicit.length === 0 ? pronoun(explicit) : describeKmsCalls(explicit);
    parts.push(
      `${denyNames(explicit.map((c) => c.result))} refuses ${what} with an explicit Deny: the job will still be refused there`,
    );
  }
  if (implicit.length > 0) {
    const what = explicit.length === 0 ? pronoun(implicit) : describeKmsCalls(implicit);
    const missing = new Set(
      implicit.flatMap((c) => (c.result.decision === 'ImplicitlyDenied' ? c.result.missingAllowIn : [])),
    );
    const caps = [...missing].filter((type) => CAPS.has(type));
    const capWords = caps.map((type) => CALLER_SIDE_WORDS[type]).join(' and ');
    const capsPlural = caps.length > 1 || caps[0] === 'scp' || caps[0] === 'rcp';
    const capping = `${capsPlural ? 'they cap' : 'it caps'} the caller whatever the key policy says`;
    const next = thisRun ? '' : ', or the next run is refused there';
    const statements = statementsText(kmsStatements(implicit));
    parts.push(
      missing.has('identity') || caps.length === 0
        ? `the caller's policies do not allow ${what} either: add ${statements} as well${caps.length > 0 ? `, and ${capWords} must allow ${what} too (${capping})` : ''}${next}. ${capitalised(keyPolicyNeeds(implicit, callerAccount))}`
        : `${capWords} ${capsPlural ? 'do' : 'does'} not allow ${what} (${capping}): ${capsPlural ? 'they' : 'it'} must allow ${statements} too${next}`,
    );
  }
  const text = `${lead}, and ${parts.join('; and ')}`;
  return text.endsWith('.') ? text : `${text}.`;
}

/**
 * How a caveat on KMS calls the caller's policies refuse begins: refused on this run (AWS's message names
 * them), `likely` refused on this run (requests the visible policies allow were refused with a message
 * that does not say why, and S3 calls KMS for them), or the next refusal once the S3 requests are allowed.
 */
function keyUseLead(refused: readonly EvaluatedKmsCall[], thisRun: boolean | 'likely'): string {
  if (thisRun === 'likely') {
    const names = [...new Set(refused.map((c) => c.call.event.eventName))];
    return `AWS refused ${names.join(', ')} on this run, which the visible policies allow, and its message ("Access Denied") does not say why: S3 calls ${describeKmsCalls(refused)} for ${names.length === 1 && refused.length === 1 ? 'it' : 'them'} with the caller's credentials (SSE-KMS)`;
  }
  return thisRun
    ? `The caller was also refused ${describeKmsCalls(refused)} on this run (AWS's message names it), a call S3 makes with the caller's credentials (SSE-KMS)`
    : `Once the S3 requests are allowed, S3 calls ${describeKmsCalls(refused)} with the caller's credentials (SSE-KMS)`;
}

function capitalised(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** What caps or grants the caller's side, as a refused KMS call's missing Allow names it. */
const CALLER_SIDE_WORDS: Readonly<Record<PolicyType, string>> = {
  identity: "the caller's own policies",
  resource: 'the resource-based policy',
  'permissions-boundary': 'its permissions boundary',
  scp: 'the service control policies',
  rcp: 'the resource control policies',
  session: 'the session policy',
};

/** Policies that cap the caller whatever a key policy says (a key policy cannot lift them). */
const CAPS: ReadonlySet<PolicyType> = new Set(['permissions-boundary', 'scp', 'rcp', 'session']);

/**
 * Why the caller's side refuses the calls for want of an Allow: its own policies (needed unless the key
 * policy names the caller, in the key's account; always for a key in another account), or a boundary,
 * SCP or session policy, which caps the caller whatever the key policy says.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
 */
export function callerSideRefusalCaveat(
  refused: readonly EvaluatedKmsCall[],
  missing: ReadonlySet<PolicyType>,
  principal: Principal,
): string {
  const types = [...missing];
  const words = types.map((type) => CALLER_SIDE_WORDS[type]).join(' and ');
  // "the caller's own policies … do not", "its permissions boundary does not".
  const plural = types.length > 1 || types[0] === 'identity' || types[0] === 'scp' || types[0] === 'rcp';
  const others = foreignKeyAccounts(refused, principal.account);
  const base = `${words.charAt(0).toUpperCase()}${words.slice(1)} ${plural ? 'do' : 'does'} not allow ${describeKmsCalls(refused)}, which S3 calls with the caller's credentials (SSE-KMS)`;
  // A boundary does not limit what a resource-based policy in its account grants an IAM user by name;
  // it does limit a grant to a role (and an SCP limits everything).
  const boundaryExempt = principal.type === 'IAMUser' && others.length === 0;
  const allCaps = types.filter((type) => CAPS.has(type));
  const caps =
    boundaryExempt && allCaps.some((type) => type !== 'permissions-boundary')
      ? allCaps.filter((type) => type !== 'permissions-boundary')
      : allCaps;
  if (caps.length > 0) {
    const userExempt = boundaryExempt && caps.every((type) => type === 'permissions-boundary');
    if (userExempt)
      return `${base}: a key policy statement that names the user also works, since a permissions boundary does not limit what a resource-based policy in the user's account grants it by name.`;
    const capWords = caps.map((type) => CALLER_SIDE_WORDS[type]).join(' and ');
    const capPlural = caps.length > 1 || caps[0] === 'scp' || caps[0] === 'rcp';
    return `${base}: ${capWords} ${capPlural ? 'cap' : 'caps'} the caller whatever the key policy says.`;
  }
  return others.length > 0
    ? `${base}: the key is in account ${others.join(', ')}, so both its key policy and the caller's policies must allow it.`
    : `${base}: unless the key policy names the caller itself, they must allow it.`;
}

/** A statement that allows a refused call's action on its key for other objects: a fix for it widens it. */
export interface KeyScopeMiss extends NearMiss {
  readonly action: string;
  readonly keyArn: string;
}

/**
 * Statements of the caller's own policies that allow a refused KMS call's action on its key, but for
 * other objects only (an encryption context, `kms:EncryptionContext:aws:s3:arn`, that the call's does not
 * match): a narrower scope, as S3 statements on other objects are (see nearMisses), which a fix that
 * grants the call widens. One per statement.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
 */
export function narrowerKeyScopes(set: PolicySet, refused: readonly EvaluatedKmsCall[]): KeyScopeMiss[] {
  const misses: KeyScopeMiss[] = [];
  const said = new Set<string>();
  for (const { call, result } of refused) {
    if (result.decision !== 'ImplicitlyDenied' || !result.missingAllowIn.includes('identity')) continue;
    const arn = call.context[ENCRYPTION_CONTEXT];
    if (typeof arn !== 'string') continue;
    for (const policy of set.identity) {
      for (const { statement } of policy.relevantStatements(call.action.toLowerCase())) {
        if (statement.effect !== 'Allow' || statement.notResource) continue;
        if (!statement.resources.some((r) => globToRegExp(r.raw).test(call.keyArn))) continue;
        const scoped = statement.conditions.filter(
          (c) =>
            c.keyLower === ENCRYPTION_CONTEXT.toLowerCase() &&
            c.qualifier === undefined &&
            (c.operator.startsWith('StringLike') || c.operator.startsWith('StringEquals')),
        );
        const values = scoped.flatMap((c) => c.values.map((v) => v.raw));
        // Only a scope that leaves the call's object out (not one whose other conditions refused it).
        if (values.length === 0 || values.some((value) => globToRegExp(value).test(arn))) continue;
        const ref = statement.ref;
        const id = `${ref.policyType}|${ref.policyIndex}|${ref.statementIndex}`;
        if (said.has(id)) continue;
        said.add(id);
        const where = describeStatement(ref);
        misses.push({
          action: call.action,
          keyArn: call.keyArn,
          kind: 'narrower',
          policyType: ref.policyType,
          scope: `${where} (${call.action} on ${call.keyArn} for ${ENCRYPTION_CONTEXT} ${values.join(', ')})`,
          caveat: `${where} allows ${call.action} on the key ${call.keyArn} but only for ${values.join(', ')} as encryption context (${ENCRYPTION_CONTEXT}, the object S3 uses the key for): the call for ${arn} is outside it. If that scope is deliberate, the job must stay inside it; if not, the key's use must cover these objects too (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context).`,
        });
      }
    }
  }
  return misses;
}

/** Whether the fix grants a statement's key use: `action` on `keyArn`, in its statements or caller-side change. */
export function grantsKeyUse(fix: Fix, miss: KeyScopeMiss): boolean {
  return [...fix.statements, ...(fix.identityChange?.statements ?? [])].some(
    (statement) =>
      statement.Resource.includes(miss.keyArn) &&
      statement.Action.some((action) => action.toLowerCase() === miss.action.toLowerCase()),
  );
}

/**
 * A statement of the caller's own policies that allows a refused KMS call on an alias's ARN: a Resource
 * that names an alias does not match the use of the key it points to (KMS authorizes on the key's ARN),
 * so the statement looks like a grant and is none. One caveat per statement, naming the key to use.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
 */
export function aliasResourceCaveats(set: PolicySet, refused: readonly EvaluatedKmsCall[]): string[] {
  const caveats: string[] = [];
  const said = new Set<string>();
  for (const { call, result } of refused) {
    // A Deny is what refuses an explicitly denied call, whatever the Allows name.
    if (result.decision !== 'ImplicitlyDenied') continue;
    for (const policy of set.identity) {
      for (const { statement } of policy.relevantStatements(call.action.toLowerCase())) {
        if (statement.effect !== 'Allow' || statement.notResource) continue;
        const raws = statement.resources.map((r) => r.raw);
        const aliases = raws.filter((raw) => /^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(raw));
        // A statement that names the key too (or a pattern of it) is not missing it.
        if (raws.some((raw) => !aliases.includes(raw) && globToRegExp(raw).test(call.keyArn))) continue;
        const ref = statement.ref;
        const id = `${ref.policyType}|${ref.policyIndex}|${ref.statementIndex}`;
        if (aliases.length === 0 || said.has(id)) continue;
        said.add(id);
        caveats.push(
          `${describeStatement(ref)} allows ${call.action} on the alias ${aliases.join(', ')}: a Resource that names an alias does not match the use of the key it points to, since KMS authorizes on the key's ARN. If the alias is for the key S3 uses (${call.keyArn}), name the key instead, or keep the alias with a kms:ResourceAliases condition (https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html).`,
        );
      }
    }
  }
  return caveats;
}
