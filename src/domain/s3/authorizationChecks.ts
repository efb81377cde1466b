/**
 * CloudTrail S3 record -> the authorization checks S3 performed (or would perform) for it.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html
 */
import { S3_EVENT_SOURCES } from '../cloudtrail/classify.js';
import type { CloudTrailRecord } from '../cloudtrail/types.js';
import { isJsonObject } from '../json/jsonValue.js';
import type { ContextValue } from '../policy/types.js';
import {
  bucketOwnerOf,
  type ConditionContext,
  contextForAction,
  contextForOtherService,
  kmsContextFor,
  requestContextFor,
} from './requestContext.js';
import { replicationRoleOf, requestFeatures } from './requestFeatures.js';
import { readNonEmptyParam } from './requestParameters.js';
import {
  type AccessPoint,
  accessPointNote,
  accessPointOf,
  bucketOf,
  keyOf,
  parseCopySource,
  partitionOf,
} from './s3Location.js';
import type { ActionRule, S3Operation } from './s3Operations.js';
import { DEFAULT_KEY_NOTE, s3OperationFor, UNLOGGED_DELETE_KEYS } from './s3Operations.js';
import type { S3AuthorizationCheck, S3MappingResult } from './types.js';

const SSE_KMS_VALUES = new Set(['aws:kms', 'aws:kms:dsse']);

const COPY_OBJECT_API = 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html';

interface Target {
  readonly partition: string;
  readonly bucket?: string;
  readonly key?: string;
  /** The access point the request went through: bucket and object resources are its ARNs. */
  readonly accessPoint?: AccessPoint;
}

/**
 * Maps one CloudTrail S3 record to the authorization checks S3 makes for it: every IAM action, on
 * which resource, with the condition context visible in the record, plus KMS checks when the request
 * names an SSE-KMS key. Expected failures are values with stable codes:
 * `s3.notS3Event`, `s3.unsupportedOperation`, `s3.missingBucket`, `s3.missingKey`.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
export function authorizationChecksFor(record: CloudTrailRecord): S3MappingResult {
  return mapped(record, true);
}

/** What {@link authorizationNotesFor} gives: a mapping's notes and KMS checks, or why there is none. */
export type S3MappingNotes =
  | {
      readonly ok: true;
      readonly notes: readonly string[];
      readonly kmsChecks: readonly S3AuthorizationCheck[];
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * {@link authorizationChecksFor}'s notes and KMS checks (its checks of kind `kms`, in order), the same
 * as it gives them, or its failure, without its S3 checks: building their condition contexts is most of
 * its work, and a denied event whose message names the refused request needs only these.
 */
export function authorizationNotesFor(record: CloudTrailRecord): S3MappingNotes {
  const mapping = mapped(record, false);
  return mapping.ok ? { ok: true, notes: mapping.notes, kmsChecks: mapping.checks } : mapping;
}

/**
 * {@link authorizationChecksFor}, or without `s3Checks` the same mapping but for its checks of kind
 * `s3`: every rule's resources are still resolved (that adds and removes notes), and the record's
 * context is read only where a note depends on it.
 */
function mapped(record: CloudTrailRecord, s3Checks: boolean): S3MappingResult {
  // The China regions' records name s3.amazonaws.com.cn.
  if (!S3_EVENT_SOURCES.has(record.eventSource)) {
    return {
      ok: false,
      code: 's3.notS3Event',
      message: `Event source ${record.eventSource} is not ${[...S3_EVENT_SOURCES].join(' or ')}.`,
    };
  }
  const found = s3OperationFor(record.eventName);
  if (found === undefined) {
    return {
      ok: false,
      code: 's3.unsupportedOperation',
      message: `The S3 operation catalogue has no entry for eventName ${record.eventName}.`,
    };
  }
  const { operation } = found;
  const partition = partitionOf(record);
  const bucket = operation.scope === 'account' ? undefined : bucketOf(record);
  if (operation.scope !== 'account' && bucket === undefined) {
    return {
      ok: false,
      code: 's3.missingBucket',
      message: `${record.eventName} acts on a bucket, but the record names none (requestParameters.bucketName, resources[], Host).`,
    };
  }
  const key = operation.scope === 'object' && bucket !== undefined ? keyOf(record, bucket) : undefined;
  if (operation.scope === 'object' && key === undefined) {
    return {
      ok: false,
      code: 's3.missingKey',
      message: `${record.eventName} acts on an object, but the record names no key (requestParameters.key, resources[]).`,
    };
  }

  const accessPoint = operation.scope === 'account' ? undefined : accessPointOf(record);
  // Read when the S3 checks need it, or the default key's note (below); else not at all.
  let fullContext = s3Checks ? requestContextFor(record) : undefined;
  const target: Target = {
    partition,
    ...(bucket !== undefined ? { bucket } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(accessPoint !== undefined ? { accessPoint } : {}),
  };
  const operationNotes = operation.notes ?? [];
  // A request that names SSE-S3 or SSE-C is not encrypted with the bucket's default key: S3 applies a
  // default only to a request that does not specify server-side encryption.
  let ownEncryption = false;
  if (operationNotes.includes(DEFAULT_KEY_NOTE)) {
    fullContext ??= requestContextFor(record);
    ownEncryption =
      fullContext['s3:x-amz-server-side-encryption'] === 'AES256' ||
      fullContext['s3:x-amz-server-side-encryption-customer-algorithm'] !== undefined;
  }
  const notes: string[] = operationNotes.filter((note) => !ownEncryption || note !== DEFAULT_KEY_NOTE);
  if (accessPoint !== undefined) notes.push(accessPointNote(accessPoint, bucket));
  const checks: S3AuthorizationCheck[] = [];

  for (const rule of operation.actions) {
    if (!ruleApplies(rule, record)) continue;
    const resources = resolveResources(rule, record, target, notes);
    // (With s3Checks the context is read.)
    if (!s3Checks || fullContext === undefined) continue;
    for (const resolved of resources) {
      const action = resolved.action ?? rule.action;
      // Assigned member by member (no conditional spreads): this runs for every event of a trail.
      const check: { -readonly [K in keyof S3AuthorizationCheck]: S3AuthorizationCheck[K] } = {
        action,
        resource: resolved.resource,
        context: action.startsWith('s3:')
          ? contextForAction(contextOf(fullContext, resolved, target), action)
          : contextForOtherService(fullContext, action),
        reason: reasonFor(rule, operation),
        kind: 's3',
      };
      if (resolved.bucket !== undefined) check.bucket = resolved.bucket;
      if (resolved.key !== undefined) check.key = resolved.key;
      if (resolved.anyKey !== undefined) check.anyKey = resolved.anyKey;
      if (resolved.accessPoint !== undefined) check.accessPoint = resolved.accessPoint;
      if (resolved.role !== undefined) check.role = resolved.role;
      checks.push(check);
    }
  }
  checks.push(...kmsChecks(record, operation, target, notes));
  if (operation.kmsHidden !== undefined) notes.push(operation.kmsHidden);
  if (operation.scope !== 'account' && bucketOwnerOf(record)?.from === 'recipientAccountId') {
    notes.push(
      'The bucket owner account was taken from recipientAccountId; for a cross-account request this can be the caller account instead.',
    );
  }
  return { ok: true, checks, notes };
}

/**
 * The record's context adjusted for one resource: a per-key version id, and no resource account for a
 * copy source in another bucket (the record only tells who owns the destination bucket).
 */
function contextOf(full: ConditionContext, resolved: ResolvedResource, target: Target): ConditionContext {
  const otherBucketSource = resolved.role === 'source' && resolved.bucket !== target.bucket;
  // Most resources use the record's context as it is; copy only when it must change.
  if (resolved.versionId === undefined && !otherBucketSource) return full;
  const context: Record<string, ContextValue> = { ...full };
  if (resolved.versionId !== undefined) context['s3:versionid'] = resolved.versionId;
  if (otherBucketSource) {
    delete context['aws:ResourceAccount'];
    delete context['s3:ResourceAccount'];
  }
  return context;
}

// The functions of this file that run per event define no function inside them: under tsx (the bench,
// `npm run demo`) each one defined would be named at run time (esbuild's keepNames), a defineProperty
// per call that cost more than the work it does.
function ruleApplies(rule: ActionRule, record: CloudTrailRecord): boolean {
  const params = record.requestParameters;
  if (rule.when !== undefined && !requestFeatures[rule.when].present(params)) return false;
  if (rule.unless !== undefined && requestFeatures[rule.unless].present(params)) return false;
  return true;
}

function reasonFor(rule: ActionRule, operation: S3Operation): string {
  const trigger = rule.when !== undefined ? ` [${requestFeatures[rule.when].description}]` : '';
  const caveat = rule.unverified === true ? ' (unverified: no AWS document states this rule)' : '';
  return `${rule.why}${trigger}${caveat}. Source: ${rule.source ?? operation.source[0]}`;
}

interface ResolvedResource {
  readonly resource: string;
  readonly bucket?: string;
  readonly key?: string;
  /** See {@link S3AuthorizationCheck.anyKey}. */
  readonly anyKey?: true;
  readonly role?: 'source' | 'destination';
  /** Replaces the rule's action for this resource (a DeleteObjects key sent with a VersionId). */
  readonly action?: string;
  /** The access point whose ARN `resource` is. */
  readonly accessPoint?: string;
  readonly versionId?: string;
}

function resolveResources(
  rule: ActionRule,
  record: CloudTrailRecord,
  target: Target,
  notes: string[],
): readonly ResolvedResource[] {
  const isCopy = operationCopies(rule, record);
  const through = target.accessPoint?.arn;
  switch (rule.on) {
    case 'none':
      return [{ resource: '*' }];
    case 'bucket':
      if (target.bucket === undefined) return [];
      return through !== undefined
        ? [{ resource: through, bucket: target.bucket, accessPoint: through }]
        : [{ resource: s3Arn(target.partition, target.bucket), bucket: target.bucket }];
    case 'object':
      if (target.bucket === undefined || target.key === undefined) return [];
      return [
        {
          resource:
            through !== undefined
              ? `${through}/object/${target.key}`
              : s3Arn(target.partition, `${target.bucket}/${target.key}`),
          bucket: target.bucket,
          key: target.key,
          ...(through !== undefined ? { accessPoint: through } : {}),
          ...(isCopy ? { role: 'destination' as const } : {}),
        },
      ];
    case 'copySource': {
      const parsed = parseCopySource(readNonEmptyParam(record.requestParameters, 'x-amz-copy-source'));
      if (!parsed.ok) {
        notes.push(`${parsed.message} The read check on the copy source (${rule.action}) cannot be derived.`);
        return [];
      }
      const source = parsed.source;
      // The version read is the source's own (s3:versionid in its context).
      const version = source.versionId !== undefined ? { versionId: source.versionId } : {};
      if (source.form === 'accessPoint') {
        // Read through the access point: its ARN, for the caveats and fixes that name it.
        const at = source.arn.indexOf('/object/');
        return [
          {
            resource: source.arn,
            role: 'source',
            ...(at >= 0 ? { accessPoint: source.arn.slice(0, at), key: source.arn.slice(at + 8) } : {}),
            ...version,
          },
        ];
      }
      // A directory bucket (`name--zone--x-s3`) is read through a session: s3express:CreateSession on
      // the bucket, not s3:GetObject on the object, which would be a grant with no effect.
      if (source.bucket.endsWith('--x-s3')) {
        notes.push(
          `The copy source is in the directory bucket ${source.bucket}: reading it is authorized by s3express:CreateSession on that bucket (arn:${target.partition}:s3express:REGION:ACCOUNT:bucket/${source.bucket}), not by ${rule.action}; that check is not derived here (${COPY_OBJECT_API}).`,
        );
        return [];
      }
      return [
        {
          resource: s3Arn(target.partition, `${source.bucket}/${source.key}`),
          bucket: source.bucket,
          key: source.key,
          role: 'source',
          ...version,
        },
      ];
    }
    case 'deletedObjects':
      return deletedObjects(rule, record, target, notes);
    case 'passedRole': {
      const role = replicationRoleOf(record.requestParameters);
      return role === undefined ? [] : [{ resource: role }];
    }
  }
}

/** The S3 ARN of a bucket or object path in `partition`. */
function s3Arn(partition: string, path: string): string {
  return `arn:${partition}:s3:::${path}`;
}

function operationCopies(rule: ActionRule, record: CloudTrailRecord): boolean {
  return (
    rule.on === 'object' && readNonEmptyParam(record.requestParameters, 'x-amz-copy-source') !== undefined
  );
}

/**
 * DeleteObjects keys are in the request body, which CloudTrail does not log; when a record does carry
 * `Delete.Object` entries, each key gets its own check.
 */
function deletedObjects(
  rule: ActionRule,
  record: CloudTrailRecord,
  target: Target,
  notes: string[],
): readonly ResolvedResource[] {
  const bucket = target.bucket;
  if (bucket === undefined) return [];
  const through = target.accessPoint?.arn;
  const objects = through !== undefined ? `${through}/object` : `arn:${target.partition}:s3:::${bucket}`;
  const via = through !== undefined ? { accessPoint: through } : {};
  const logged = loggedDeleteEntries(record.requestParameters);
  if (logged.length === 0) return [{ resource: `${objects}/*`, bucket, anyKey: true, ...via }];
  // The keys are in the record: the operation's note that they are not would contradict the checks.
  const unlogged = notes.indexOf(UNLOGGED_DELETE_KEYS);
  if (unlogged >= 0) notes.splice(unlogged, 1);
  const versionsReplaceDelete = rule.action === 's3:DeleteObject';
  return logged.map((entry) => ({
    resource: `${objects}/${entry.key}`,
    bucket,
    key: entry.key,
    ...via,
    ...(entry.versionId !== undefined && versionsReplaceDelete
      ? { action: 's3:DeleteObjectVersion', versionId: entry.versionId }
      : {}),
  }));
}

/** One object of a DeleteObjects request's logged body. */
export interface DeleteEntry {
  readonly key: string;
  readonly versionId?: string;
}

/** The objects of a DeleteObjects request, when its record logs the body (`Delete.Object`); else none. */
export function loggedDeleteEntries(params: Readonly<Record<string, unknown>>): readonly DeleteEntry[] {
  const body = params.Delete;
  if (!isJsonObject(body)) return [];
  const objects: readonly unknown[] = Array.isArray(body.Object) ? body.Object : [body.Object];
  const entries: DeleteEntry[] = [];
  for (const entry of objects) {
    if (!isJsonObject(entry) || typeof entry.Key !== 'string' || entry.Key === '') continue;
    const versionId =
      typeof entry.VersionId === 'string' && entry.VersionId !== '' ? entry.VersionId : undefined;
    entries.push({ key: entry.Key, ...(versionId !== undefined ? { versionId } : {}) });
  }
  return entries;
}

/**
 * KMS checks for SSE-KMS writes whose key the request names. S3 calls KMS with the caller's
 * credentials, so the caller needs the KMS permission and the key policy must allow it.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#aws-managed-customer-managed-keys
 */
function kmsChecks(
  record: CloudTrailRecord,
  operation: S3Operation,
  target: Target,
  notes: string[],
): readonly S3AuthorizationCheck[] {
  if (operation.kms === undefined) return [];
  const params = record.requestParameters;
  const sse = readNonEmptyParam(params, 'x-amz-server-side-encryption');
  const keyId = readNonEmptyParam(params, 'x-amz-server-side-encryption-aws-kms-key-id');
  const usesKms = (sse !== undefined && SSE_KMS_VALUES.has(sse.toLowerCase())) || keyId !== undefined;
  if (!usesKms) return [];
  if (keyId === undefined) {
    notes.push(
      'The request asks for SSE-KMS without naming a key: S3 uses the bucket default key or the AWS managed key aws/s3, so the KMS check cannot be derived.',
    );
    return [];
  }
  const keyArn = kmsKeyArn(keyId, record, target.partition, notes);
  if (keyArn === undefined) return [];
  const context = kmsContextFor(record);
  return operation.kms.map((rule) => ({
    action: rule.action,
    resource: keyArn,
    context,
    ...(target.bucket !== undefined ? { bucket: target.bucket } : {}),
    ...(target.key !== undefined ? { key: target.key } : {}),
    ...(readNonEmptyParam(params, 'x-amz-copy-source') !== undefined ? { role: 'destination' as const } : {}),
    reason: `${rule.why} [x-amz-server-side-encryption-aws-kms-key-id: ${keyId}]. Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html`,
    kind: 'kms' as const,
  }));
}

/**
 * KMS authorizes on the key ARN. A bare key id resolves in the caller's account and the request's
 * region; an alias cannot be resolved to its key offline.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
 */
function kmsKeyArn(
  keyId: string,
  record: CloudTrailRecord,
  partition: string,
  notes: string[],
): string | undefined {
  if (/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/.test(keyId)) return keyId;
  if (keyId.startsWith('alias/') || /^arn:aws[a-z-]*:kms:[^:]*:\d{12}:alias\//.test(keyId)) {
    notes.push(
      `The request names the KMS alias ${keyId}; KMS authorizes on the key it points to, which the record does not show.`,
    );
    return undefined;
  }
  const account = record.principal.account;
  if (record.awsRegion === undefined || account === undefined) {
    notes.push(
      `The KMS key id ${keyId} cannot be turned into an ARN without the region and the caller account.`,
    );
    return undefined;
  }
  const arn = `arn:${partition}:kms:${record.awsRegion}:${account}:key/${keyId}`;
  // S3 resolves a bare key ID in the requester's account: a key of the bucket owner's (another account)
  // must be named by its ARN, or KMS answers that the key does not exist.
  const owner = bucketOwnerOf(record);
  if (owner !== undefined && owner.account !== account)
    notes.push(
      `The request names the KMS key by its ID alone (${keyId}), which S3 looks up in the requester's account ${account} (${arn}), not in the bucket owner's ${owner.account}: if the key is the bucket owner's, name it by its full ARN (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html#AmazonS3-PutObject-request-header-SSEKMSKeyId).`,
    );
  return arn;
}
