/**
 * The condition context S3 evaluates for a request, derived from what a CloudTrail record shows.
 * Only keys whose value is present in the record are set: a missing key makes a positive condition
 * false in AWS's evaluation, so inventing one would change the outcome.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys
 */
import { eventTimeMillis } from '../cloudtrail/eventTime.js';
import type { CloudTrailRecord } from '../cloudtrail/types.js';
import { isJsonObject } from '../json/jsonValue.js';
import { lowerCaseAction } from '../policy/actionName.js';
import { boundedMemo } from '../policy/boundedMemo.js';
import type { ContextValue } from '../policy/types.js';
import { sourceAccountInKey } from './logDelivery.js';
import { ACL_HEADERS } from './requestFeatures.js';
import { readNonEmptyParam, readObject, readParam } from './requestParameters.js';
import { accessPointOf } from './s3Location.js';

export type ConditionContext = Readonly<Record<string, ContextValue>>;

const S3_KEYS =
  'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys';

/**
 * Which actions each S3-specific key is defined for (Service Authorization Reference). Keys not listed
 * here and not in {@link ALL_S3_ACTION_KEYS} are never set.
 */
const LIST_ACTIONS = ['s3:ListBucket', 's3:ListBucketVersions'] as const;
const VERSION_ACTIONS = [
  's3:GetObjectVersion',
  's3:DeleteObjectVersion',
  's3:GetObjectVersionAcl',
  's3:PutObjectVersionAcl',
  's3:GetObjectVersionTagging',
  's3:PutObjectVersionTagging',
  's3:DeleteObjectVersionTagging',
  's3:GetObjectVersionAttributes',
  's3:GetObjectVersionTorrent',
  's3:PutObjectVersionAnnotation',
  's3:GetObjectVersionAnnotation',
  's3:DeleteObjectVersionAnnotation',
  's3:ListObjectVersionAnnotations',
] as const;
// s3:BypassGovernanceRetention is authorized beside a write of a governed object, and the Service
// Authorization Reference gives it that write's header keys.
const ACL_ACTIONS = [
  's3:PutObject',
  's3:BypassGovernanceRetention',
  's3:PutObjectAcl',
  's3:PutObjectVersionAcl',
  's3:CreateBucket',
  's3:PutBucketAcl',
];
const TAG_ACTIONS = [
  's3:PutObject',
  's3:PutObjectTagging',
  's3:PutObjectVersionTagging',
  's3:BypassGovernanceRetention',
] as const;
/** PutObject's headers, which s3:BypassGovernanceRetention's context holds too. */
const WRITE_ACTIONS = ['s3:PutObject', 's3:BypassGovernanceRetention'] as const;
const CONDITIONAL_WRITES =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html';

/**
 * `s3:ObjectCreationOperation` by the operation S3 authorizes as s3:PutObject: an operation that creates
 * an object (true), or one of a multipart upload's steps before it completes (false), which take no
 * conditional headers and which AWS's conditional-write policies exempt by this key. A copy creates an
 * object: the same policies refuse CopyObject without If-None-Match or If-Match.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html
 */
const OBJECT_CREATION: ReadonlyMap<string, boolean> = new Map([
  ['PutObject', true],
  ['PostObject', true],
  ['CopyObject', true],
  ['CompleteMultipartUpload', true],
  ['CreateMultipartUpload', false],
  ['UploadPart', false],
  ['UploadPartCopy', false],
]);

/**
 * Action-specific S3 condition keys and the actions that define them.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-actions-as-permissions
 */
export const s3ActionConditionKeys = {
  's3:prefix': { actions: LIST_ACTIONS, source: S3_KEYS },
  's3:delimiter': { actions: LIST_ACTIONS, source: S3_KEYS },
  's3:max-keys': { actions: LIST_ACTIONS, source: S3_KEYS },
  's3:versionid': { actions: VERSION_ACTIONS, source: S3_KEYS },
  's3:x-amz-acl': { actions: ACL_ACTIONS, source: S3_KEYS },
  's3:x-amz-grant-read': { actions: ACL_ACTIONS, source: S3_KEYS },
  's3:x-amz-grant-write': { actions: ACL_ACTIONS, source: S3_KEYS },
  's3:x-amz-grant-read-acp': { actions: ACL_ACTIONS, source: S3_KEYS },
  's3:x-amz-grant-write-acp': { actions: ACL_ACTIONS, source: S3_KEYS },
  's3:x-amz-grant-full-control': { actions: ACL_ACTIONS, source: S3_KEYS },
  's3:x-amz-server-side-encryption': { actions: WRITE_ACTIONS, source: S3_KEYS },
  's3:x-amz-server-side-encryption-aws-kms-key-id': { actions: WRITE_ACTIONS, source: S3_KEYS },
  's3:x-amz-server-side-encryption-customer-algorithm': { actions: WRITE_ACTIONS, source: S3_KEYS },
  's3:x-amz-website-redirect-location': { actions: WRITE_ACTIONS, source: S3_KEYS },
  's3:x-amz-copy-source': { actions: WRITE_ACTIONS, source: S3_KEYS },
  's3:x-amz-metadata-directive': { actions: WRITE_ACTIONS, source: S3_KEYS },
  's3:x-amz-storage-class': {
    actions: [...WRITE_ACTIONS, 's3:PutObjectAcl', 's3:PutObjectVersionAcl'],
    source: S3_KEYS,
  },
  's3:x-amz-object-ownership': { actions: ['s3:CreateBucket'], source: S3_KEYS },
  // The account regional namespace's header; unknown when the record does not show it (denyAdvice).
  's3:x-amz-bucket-namespace': {
    actions: ['s3:CreateBucket'],
    source:
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/gpbucketnamespaces.html#require-account-regional',
  },
  's3:LocationConstraint': { actions: ['s3:CreateBucket'], source: S3_KEYS },
  's3:object-lock-mode': { actions: ['s3:PutObject', 's3:PutObjectRetention'], source: S3_KEYS },
  's3:object-lock-retain-until-date': { actions: ['s3:PutObject', 's3:PutObjectRetention'], source: S3_KEYS },
  's3:object-lock-legal-hold': { actions: ['s3:PutObject', 's3:PutObjectLegalHold'], source: S3_KEYS },
  's3:ObjectCreationOperation': { actions: ['s3:PutObject'], source: CONDITIONAL_WRITES },
  's3:if-none-match': { actions: ['s3:PutObject'], source: CONDITIONAL_WRITES },
  's3:if-match': { actions: ['s3:PutObject', 's3:DeleteObject'], source: CONDITIONAL_WRITES },
  's3:RequestObjectTagKeys': { actions: TAG_ACTIONS, source: S3_KEYS },
  's3:RequestObjectTag/': { actions: TAG_ACTIONS, source: S3_KEYS },
  's3:InventoryAccessibleOptionalFields': { actions: ['s3:PutInventoryConfiguration'], source: S3_KEYS },
} as const satisfies Record<string, { readonly actions: readonly string[]; readonly source: string }>;

/**
 * S3 keys the Service Authorization Reference defines for every S3 action.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html
 */
export const ALL_S3_ACTION_KEYS = [
  's3:authType',
  's3:signatureversion',
  's3:TlsVersion',
  's3:ResourceAccount',
] as const;

/**
 * Keys S3 sets for a request made through an access point, whatever the action. The Service
 * Authorization Reference no longer lists them per action, but the access point documentation defines
 * them for such requests (the recommended bucket policy delegates on `s3:DataAccessPointAccount`), and
 * policies that require access points test them (`"Null": {"s3:DataAccessPointArn": "true"}`).
 * `s3:AccessPointNetworkOrigin` is left out: the record does not show the access point's setting.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html#access-points-condition-keys
 */
export const ACCESS_POINT_KEYS = ['s3:DataAccessPointArn', 's3:DataAccessPointAccount'] as const;

/**
 * CloudTrail `additionalEventData.AuthenticationMethod` -> `s3:authType`.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html
 */
export const authTypeByAuthenticationMethod = {
  AuthHeader: 'REST-HEADER',
  QueryString: 'REST-QUERY-STRING',
  POST: 'POST',
} as const satisfies Record<string, string>;

/**
 * CloudTrail `additionalEventData.SignatureVersion` -> `s3:signatureversion`.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html
 */
export const signatureVersionByCloudTrail = {
  SigV4: 'AWS4-HMAC-SHA256',
  SigV2: 'AWS',
} as const satisfies Record<string, string>;

/** Where the bucket owner's account came from; `recipient` is a guess for cross-account requests. */
export interface BucketOwner {
  readonly account: string;
  readonly from: 'resources' | 'recipientAccountId';
}

/**
 * The bucket owner's account: the `accountId` of the bucket in `resources[]`, else `recipientAccountId`.
 * CloudTrail delivers data events to the requester too, so `recipientAccountId` can be the caller's
 * account rather than the bucket owner's.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
 */
export function bucketOwnerOf(record: CloudTrailRecord): BucketOwner | undefined {
  // One pass for both choices (the bucket's own entry first, else any S3 entry): runs once per event.
  let bucketResource: string | undefined;
  let anyResource: string | undefined;
  for (const r of record.resources) {
    if (r.accountId === undefined) continue;
    if (r.type === 'AWS::S3::Bucket') {
      bucketResource = r.accountId;
      break;
    }
    if (anyResource === undefined && r.type?.startsWith('AWS::S3::') === true) anyResource = r.accountId;
  }
  const fromResources = bucketResource ?? anyResource;
  if (fromResources !== undefined) return ownerFromResources(fromResources);
  if (record.recipientAccountId !== undefined) return ownerFromRecipient(record.recipientAccountId);
  return undefined;
}

// One (frozen) answer per account: a finding keeps the owner of each of its events.
const ownerFromResources = boundedMemo(
  (account: string): BucketOwner => Object.freeze({ account, from: 'resources' }),
  1024,
);
const ownerFromRecipient = boundedMemo(
  (account: string): BucketOwner => Object.freeze({ account, from: 'recipientAccountId' }),
  1024,
);

/**
 * The full condition context visible in the record, before narrowing to one action with
 * {@link contextForAction}.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
export function requestContextFor(record: CloudTrailRecord): ConditionContext {
  const tlsDetails = record.raw.tlsDetails;
  const context = globalContext(record, bucketOwnerOf(record), tlsDetails);
  addS3Context(record, context, undefined, tlsDetails);
  return context;
}

/**
 * The condition context S3 evaluates for one S3 action on this record: the same as
 * `contextForAction(requestContextFor(record), action)`, built in one pass (it runs once per denied event).
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys
 */
export function requestContextForAction(
  record: CloudTrailRecord,
  action: string,
): Record<string, ContextValue> {
  return requestContextForActionOwnedBy(record, action, bucketOwnerOf(record));
}

/**
 * {@link requestContextForAction} with the bucket owner already read from the record, or `undefined` to
 * leave the resource account out (a copy source in another bucket, whose owner the record does not name).
 */
export function requestContextForActionOwnedBy(
  record: CloudTrailRecord,
  action: string,
  owner: BucketOwner | undefined,
): Record<string, ContextValue> {
  // Read once: both the global keys and the S3 keys look at it, and the record's shapes vary.
  const tlsDetails = record.raw.tlsDetails;
  const context = globalContext(record, owner, tlsDetails);
  addS3Context(record, context, lowerCaseAction(action), tlsDetails);
  return context;
}

const ALL_ACTION_KEYS: ReadonlySet<string> = new Set([...ALL_S3_ACTION_KEYS, ...ACCESS_POINT_KEYS]);

/** Action-specific key -> the lower-cased actions that define it, built once from the table. */
const ACTIONS_BY_KEY: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(s3ActionConditionKeys).map(([key, scope]) => [
    key,
    new Set((scope as { readonly actions: readonly string[] }).actions.map((a) => a.toLowerCase())),
  ]),
);

/**
 * The context S3 evaluates for one S3 action: global keys, keys defined for every S3 action, and the
 * action-specific keys that action defines.
 */
export function contextForAction(context: ConditionContext, action: string): ConditionContext {
  const narrowed: Record<string, ContextValue> = {};
  const lowerAction = action.toLowerCase();
  for (const key in context) {
    const value = context[key];
    if (value === undefined) continue;
    if (definedFor(key, lowerAction)) narrowed[key] = value;
  }
  return narrowed;
}

/**
 * The S3 actions whose context holds the tags a request puts on a bucket (`aws:RequestTag/<key>`,
 * `aws:TagKeys`): CreateBucket with `CreateBucketConfiguration.Tags`, and the s3:TagResource it needs.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
const BUCKET_TAG_ACTIONS: ReadonlySet<string> = new Set(['s3:createbucket', 's3:tagresource']);

/** Whether S3 puts `key` in the context of the (lower-cased) action. */
function definedFor(key: string, lowerAction: string): boolean {
  if (key.startsWith('aws:RequestTag/') || key === 'aws:TagKeys') return BUCKET_TAG_ACTIONS.has(lowerAction);
  if (key.startsWith('aws:') || ALL_ACTION_KEYS.has(key)) return true;
  // A web identity provider's claims (`cognito-identity.amazonaws.com:sub`): global to the session.
  if (!key.startsWith('s3:') && !key.startsWith('s3express:')) return true;
  const scopeKey = key.startsWith('s3:RequestObjectTag/') ? 's3:RequestObjectTag/' : key;
  return ACTIONS_BY_KEY.get(scopeKey)?.has(lowerAction) === true;
}

/**
 * The context of a request S3 authorizes for another service in the caller's name (`iam:PassRole` of a
 * replication configuration's role): the global keys (the resource, a role, is not the bucket: no
 * `aws:ResourceAccount` from it), and for `iam:PassRole` the service the role is passed to.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
 */
export function contextForOtherService(context: ConditionContext, action: string): ConditionContext {
  const other: Record<string, ContextValue> = {};
  for (const key in context) {
    const value = context[key];
    if (value !== undefined && key.startsWith('aws:') && key !== 'aws:ResourceAccount') other[key] = value;
  }
  if (action.toLowerCase() === 'iam:passrole') other['iam:PassedToService'] = 's3.amazonaws.com';
  return other;
}

/**
 * The context of the KMS call S3 makes on the caller's behalf (forward access session).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-viaawsservice
 */
export function kmsContextFor(record: CloudTrailRecord): ConditionContext {
  const context: Record<string, ContextValue> = { 'aws:ViaAWSService': true };
  if (record.awsRegion !== undefined) context['kms:ViaService'] = `s3.${record.awsRegion}.amazonaws.com`;
  if (record.principal.account !== undefined) context['kms:CallerAccount'] = record.principal.account;
  Object.assign(context, timeContext(record.eventTime));
  // The session's own keys travel with S3's call (a forward access session): a guardrail on the source
  // identity applies to the key's use as to the S3 request.
  const identity = record.raw.userIdentity;
  const session = isJsonObject(identity) ? identity.sessionContext : undefined;
  if (isJsonObject(session)) addSessionIdentityContext(session, context);
  return context;
}

/** The keys of a request's context that {@link networkContextOf} gives: where and how it came in. */
export const NETWORK_CONTEXT_KEYS: readonly string[] = [
  'aws:SourceVpce',
  'aws:VpcSourceIp',
  'aws:SourceIp',
  'aws:SecureTransport',
  's3:TlsVersion',
];

/**
 * The network part of a request's context, from its record's fields, as the full context has it (see
 * {@link globalContext}): the VPC endpoint it came through and the address in the VPC, else its source
 * address; whether it came over TLS, and which version.
 */
export function networkContextOf(
  vpcEndpointId: unknown,
  sourceIPAddress: unknown,
  tlsDetails: unknown,
): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  if (isJsonObject(tlsDetails)) context['aws:SecureTransport'] = true;
  const address =
    typeof sourceIPAddress === 'string' && isIpAddress(sourceIPAddress) ? sourceIPAddress : undefined;
  if (typeof vpcEndpointId === 'string' && vpcEndpointId !== '') {
    context['aws:SourceVpce'] = vpcEndpointId;
    if (address !== undefined) context['aws:VpcSourceIp'] = address;
  } else if (address !== undefined) context['aws:SourceIp'] = address;
  const tlsVersion = isJsonObject(tlsDetails) ? tlsDetails.tlsVersion : undefined;
  const tlsNumber = typeof tlsVersion === 'string' ? tlsVersionNumber(tlsVersion) : undefined;
  if (tlsNumber !== undefined) context['s3:TlsVersion'] = tlsNumber;
  return context;
}

function globalContext(
  record: CloudTrailRecord,
  owner: BucketOwner | undefined,
  tlsDetails: unknown,
): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = timeContext(record.eventTime);
  if (isJsonObject(tlsDetails)) context['aws:SecureTransport'] = true;
  // AWS leaves aws:SourceIp out of the context for requests through a VPC endpoint, and gives the
  // address in the VPC as aws:VpcSourceIp instead.
  if (record.vpcEndpointId !== undefined && record.vpcEndpointId !== '') {
    context['aws:SourceVpce'] = record.vpcEndpointId;
    if (record.sourceIPAddress !== undefined && isIpAddress(record.sourceIPAddress))
      context['aws:VpcSourceIp'] = record.sourceIPAddress;
  } else if (record.sourceIPAddress !== undefined && isIpAddress(record.sourceIPAddress)) {
    context['aws:SourceIp'] = record.sourceIPAddress;
  }
  addCallerContext(record, context);
  // A log delivery's key names the account the service delivers for (`AWSLogs/<account-id>/`), the
  // aws:SourceAccount it sets, which CloudTrail does not record: taken from there, an inference the
  // finding states (see logDelivery.ts).
  if (record.principal.type === 'AWSService') {
    const key = record.requestParameters.key;
    const account = sourceAccountInKey(record.principal.name, typeof key === 'string' ? key : undefined);
    if (account !== undefined) context['aws:SourceAccount'] = account;
  }
  // A call the caller made itself, from an address (no service named as its source, none invoking it):
  // aws:ViaAWSService is false. A call a service made may be one with the caller's credentials (true)
  // or with its own role (false), which the record does not tell apart: left out then.
  if (
    record.sourceIPAddress !== undefined &&
    isIpAddress(record.sourceIPAddress) &&
    !(isJsonObject(record.raw.userIdentity) && record.raw.userIdentity.invokedBy !== undefined)
  )
    context['aws:ViaAWSService'] = false;
  if (record.awsRegion !== undefined) context['aws:RequestedRegion'] = record.awsRegion;
  if (owner !== undefined) context['aws:ResourceAccount'] = owner.account;
  return context;
}

/** Adds the S3 keys; with `lowerAction`, only those S3 defines for that action (see {@link definedFor}). */
function addS3Context(
  record: CloudTrailRecord,
  context: Record<string, ContextValue>,
  lowerAction: string | undefined,
  tlsDetails: unknown,
): void {
  const params = record.requestParameters;

  const owner = context['aws:ResourceAccount'];
  if (owner !== undefined) context['s3:ResourceAccount'] = owner;
  const method = readParam(record.additionalEventData, 'AuthenticationMethod');
  if (method !== undefined && Object.hasOwn(authTypeByAuthenticationMethod, method)) {
    context['s3:authType'] =
      authTypeByAuthenticationMethod[method as keyof typeof authTypeByAuthenticationMethod];
  }
  const signature = readParam(record.additionalEventData, 'SignatureVersion');
  if (signature !== undefined && Object.hasOwn(signatureVersionByCloudTrail, signature)) {
    context['s3:signatureversion'] =
      signatureVersionByCloudTrail[signature as keyof typeof signatureVersionByCloudTrail];
  }
  const accessPoint = accessPointOf(record);
  // AWS documents these keys for access points, not what they hold for a Multi-Region Access Point.
  if (accessPoint !== undefined && accessPoint.multiRegion !== true) {
    context['s3:DataAccessPointArn'] = accessPoint.arn;
    context['s3:DataAccessPointAccount'] = accessPoint.account;
  }
  const tlsVersion = isJsonObject(tlsDetails) ? tlsDetails.tlsVersion : undefined;
  const tlsNumber = typeof tlsVersion === 'string' ? tlsVersionNumber(tlsVersion) : undefined;
  if (tlsNumber !== undefined) context['s3:TlsVersion'] = tlsNumber;

  // One pass over the parameters (usually a handful) instead of one case-insensitive lookup per key.
  for (const name in params) {
    const spec = parameterKeyOf(name);
    if (spec === undefined) continue;
    if (lowerAction !== undefined && !definedFor(spec.key, lowerAction)) continue;
    const value = readParam(params, name);
    if (value === undefined || (value === '' && spec.allowEmpty !== true)) continue;
    // An exact-case parameter wins over another spelling of the same name.
    if (context[spec.key] !== undefined && name !== spec.name) continue;
    if (spec.numeric === true) {
      if (/^\d+$/.test(value)) context[spec.key] = Number(value);
    } else {
      context[spec.key] = value;
    }
  }

  const location = readObject(params, 'CreateBucketConfiguration')?.LocationConstraint;
  if (
    typeof location === 'string' &&
    location !== '' &&
    (lowerAction === undefined || definedFor('s3:LocationConstraint', lowerAction))
  ) {
    context['s3:LocationConstraint'] = location;
  }

  // The tags a CreateBucket puts on the new bucket (`CreateBucketConfiguration.Tags.Tag`).
  if (lowerAction === undefined || BUCKET_TAG_ACTIONS.has(lowerAction)) {
    const tags = tagList(readObject(readObject(params, 'CreateBucketConfiguration'), 'Tags'));
    if (tags !== undefined && tags.length > 0) {
      context['aws:TagKeys'] = [...new Set(tags.map(([tagKey]) => tagKey))];
      for (const [tagKey, tagValue] of tags) context[`aws:RequestTag/${tagKey}`] = tagValue;
    }
  }

  const creation = OBJECT_CREATION.get(record.eventName);
  if (
    creation !== undefined &&
    (lowerAction === undefined || definedFor('s3:ObjectCreationOperation', lowerAction))
  )
    context['s3:ObjectCreationOperation'] = creation;

  // The tag keys and each tag are defined for the same actions: PutObject's x-amz-tagging header, or
  // PutObjectTagging's body (CloudTrail logs it as `Tagging.TagSet.Tag`, one tag or a list).
  if (lowerAction === undefined || definedFor('s3:RequestObjectTagKeys', lowerAction)) {
    const tagging = readNonEmptyParam(params, 'x-amz-tagging');
    const tags =
      tagging !== undefined ? [...new URLSearchParams(tagging)] : bodyTags(readObject(params, 'Tagging'));
    if (tags !== undefined) {
      context['s3:RequestObjectTagKeys'] = [...new Set(tags.map(([tagKey]) => tagKey))];
      for (const [tagKey, tagValue] of tags) context[`s3:RequestObjectTag/${tagKey}`] = tagValue;
    }
  }

  // The optional fields an inventory configuration lists (`InventoryConfiguration.OptionalFields.Field`,
  // one string or a list), which AWS's example policies restrict with this key
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html). A record
  // without the body leaves the key unknown (see UNLOGGED_KEYS in denyAdvice).
  if (lowerAction === undefined || definedFor('s3:InventoryAccessibleOptionalFields', lowerAction)) {
    const fields = readObject(readObject(params, 'InventoryConfiguration'), 'OptionalFields')?.Field;
    const listed = (Array.isArray(fields) ? fields : [fields]).filter(
      (field): field is string => typeof field === 'string' && field !== '',
    );
    if (listed.length > 0) context['s3:InventoryAccessibleOptionalFields'] = [...new Set(listed)];
  }

  // PutObjectRetention's and PutObjectLegalHold's settings are in their bodies (PutObject's in headers,
  // read above): `Retention.Mode`, `Retention.RetainUntilDate`, `LegalHold.Status`.
  const retention = readObject(params, 'Retention');
  const legalHold = readObject(params, 'LegalHold');
  const bodyLock: [string, unknown][] = [
    ['s3:object-lock-mode', retention?.Mode],
    ['s3:object-lock-retain-until-date', retention?.RetainUntilDate],
    ['s3:object-lock-legal-hold', legalHold?.Status],
  ];
  for (const [key, value] of bodyLock) {
    if (typeof value !== 'string' || value === '' || context[key] !== undefined) continue;
    if (lowerAction === undefined || definedFor(key, lowerAction)) context[key] = value;
  }
}

/**
 * The tags of a PutObjectTagging body as CloudTrail logs it (`TagSet.Tag` one object, or a list of
 * them), in order; `undefined` without a tag set. A tag without a string Key is left out.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html
 */
function bodyTags(tagging: Readonly<Record<string, unknown>> | undefined): [string, string][] | undefined {
  return tagList(readObject(tagging, 'TagSet'));
}

/** The tags of a logged XML tag list (`{Tag: {Key, Value}}` or `{Tag: [...]}`); `undefined` without one. */
function tagList(container: Readonly<Record<string, unknown>> | undefined): [string, string][] | undefined {
  if (container === undefined) return undefined;
  const listed = container.Tag;
  const entries: unknown[] = Array.isArray(listed) ? listed : listed === undefined ? [] : [listed];
  const tags: [string, string][] = [];
  for (const entry of entries) {
    if (!isJsonObject(entry) || typeof entry.Key !== 'string') continue;
    tags.push([entry.Key, typeof entry.Value === 'string' ? entry.Value : '']);
  }
  return tags;
}

interface ParameterKey {
  /** The parameter's usual spelling. */
  readonly name: string;
  readonly key: string;
  /** An empty `prefix` is still a value S3 compares against. */
  readonly allowEmpty?: boolean;
  readonly numeric?: boolean;
}

/** Request headers whose value S3 puts in the context under `s3:<header>`. */
const HEADER_KEYS = [
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  // SSE-C: AWS's own sample policies deny uploads that send it (Null ... "false").
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-website-redirect-location',
  'x-amz-copy-source',
  'x-amz-metadata-directive',
  'x-amz-storage-class',
  'x-amz-object-ownership',
  'x-amz-bucket-namespace',
] as const;

/**
 * Request parameters (query string and headers) that become S3 condition keys, by lower-cased name.
 * A bare `prefix` query parameter is how ListObjects/ListObjectVersions carry it.
 */
const PARAMETER_KEYS: ReadonlyMap<string, ParameterKey> = new Map(
  [
    { name: 'prefix', key: 's3:prefix', allowEmpty: true },
    { name: 'delimiter', key: 's3:delimiter' },
    { name: 'max-keys', key: 's3:max-keys', numeric: true },
    { name: 'versionId', key: 's3:versionid' },
    ...[...ACL_HEADERS, ...HEADER_KEYS].map((header) => ({ name: header, key: `s3:${header}` })),
    { name: 'x-amz-object-lock-mode', key: 's3:object-lock-mode' },
    { name: 'x-amz-object-lock-retain-until-date', key: 's3:object-lock-retain-until-date' },
    { name: 'x-amz-object-lock-legal-hold', key: 's3:object-lock-legal-hold' },
    // Conditional writes' headers, when the record shows them.
    { name: 'If-None-Match', key: 's3:if-none-match' },
    { name: 'If-Match', key: 's3:if-match' },
  ].map((spec): [string, ParameterKey] => [spec.name.toLowerCase(), spec]),
);

/** `TLSv1.3` -> 1.3, per spelling (a handful recur; bounded, since they come from the input). */
const tlsVersionNumber = boundedMemo((tlsVersion: string): number | undefined => {
  const digits = /^TLSv(\d+\.\d+)$/.exec(tlsVersion)?.[1];
  return digits === undefined ? undefined : Number(digits);
}, 256);

/** {@link PARAMETER_KEYS} by a parameter's exact name: the same few names recur in every record. */
const parameterKeyOf = boundedMemo(
  (name: string): ParameterKey | undefined => PARAMETER_KEYS.get(name.toLowerCase()),
  4096,
);

/** Principal types whose CloudTrail `principalId` is the request's `aws:userid`. */
const USER_ID_TYPES: ReadonlySet<string> = new Set([
  'IAMUser',
  'Role',
  'FederatedUser',
  'Root',
  'AWSAccount',
]);

/**
 * The caller's keys that the record's `userIdentity` shows:
 * - `aws:userid` is its `principalId` (an IAM user's unique ID, `role-id:session-name` for a role's
 *   session, `account:name` for a federated user, the account ID for root);
 * - for temporary credentials only (AWS leaves these keys out for an access key of an IAM user or of
 *   root): `aws:TokenIssueTime` is the session's `creationDate`, `aws:MultiFactorAuthPresent` its
 *   `mfaAuthenticated`, and `aws:MultiFactorAuthAge` the seconds since it was created with MFA.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
function addCallerContext(record: CloudTrailRecord, context: Record<string, ContextValue>): void {
  const identity = record.raw.userIdentity;
  if (!isJsonObject(identity)) return;
  const principalId = identity.principalId;
  const { type, roleArn } = record.principal;
  // An Identity Center permission set's role session has one; an Identity Center user has no IAM ID.
  const hasUserId = USER_ID_TYPES.has(type) || (type === 'IdentityCenter' && roleArn !== undefined);
  if (typeof principalId === 'string' && principalId !== '' && hasUserId) context['aws:userid'] = principalId;
  const accessKeyId = identity.accessKeyId;
  if (typeof accessKeyId === 'string' && accessKeyId.startsWith('AKIA')) return;
  const session = identity.sessionContext;
  if (isJsonObject(session)) addSessionIdentityContext(session, context);
  const attributes = isJsonObject(session) ? session.attributes : undefined;
  if (!isJsonObject(attributes)) return;
  // Read once per session's spelling: every event of a job carries the same creation date.
  const created = typeof attributes.creationDate === 'string' ? creationMillis(attributes.creationDate) : NaN;
  if (!Number.isNaN(created)) context['aws:TokenIssueTime'] = attributes.creationDate as string;
  const mfa = attributes.mfaAuthenticated;
  const present =
    mfa === true || mfa === 'true' ? true : mfa === false || mfa === 'false' ? false : undefined;
  if (present === undefined) return;
  context['aws:MultiFactorAuthPresent'] = present;
  // The event's own time, as the time context already read it (whole seconds).
  const now = context['aws:EpochTime'];
  if (present && !Number.isNaN(created) && typeof now === 'number' && now * 1000 >= created)
    context['aws:MultiFactorAuthAge'] = Math.floor(now - created / 1000);
}

/**
 * What a role session carries for its whole life and the record shows: its source identity
 * (`aws:SourceIdentity`, present "in requests for any AWS action taken during the role session"), the
 * instance metadata service's version that delivered an EC2 instance's role credentials
 * (`ec2:RoleDelivery`, the record's `ec2RoleDelivery`), and,
 * for a web identity session, the provider's claims under their own keys
 * (`cognito-identity.amazonaws.com:sub`, `accounts.google.com:aud`), which policies name as variables
 * (`${cognito-identity.amazonaws.com:sub}`).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-ec2-role-delivery
 */
function addSessionIdentityContext(
  session: Readonly<Record<string, unknown>>,
  context: Record<string, ContextValue>,
): void {
  const source = session.sourceIdentity;
  if (typeof source === 'string' && source !== '') context['aws:SourceIdentity'] = source;
  // The version of the instance metadata service that delivered an EC2 instance's role credentials
  // (1.0, 2.0): "included in the request context whenever the role session is created by an Amazon EC2
  // instance", and the record shows it as ec2RoleDelivery.
  const delivery = session.ec2RoleDelivery;
  if ((typeof delivery === 'string' && delivery !== '') || typeof delivery === 'number')
    context['ec2:RoleDelivery'] = String(delivery);
  const federation = session.webIdFederationData;
  const claims = isJsonObject(federation) ? federation.attributes : undefined;
  if (!isJsonObject(claims)) return;
  for (const [key, value] of Object.entries(claims))
    if (key.includes(':') && typeof value === 'string' && context[key] === undefined) context[key] = value;
}

const creationMillis = boundedMemo((text: string) => eventTimeMillis(text), 1024);

function timeContext(eventTime: string): Record<string, ContextValue> {
  const millis = eventTimeMillis(eventTime);
  if (Number.isNaN(millis)) return {};
  // Another spelling (no zone, an offset) as the instant it was read as: a date condition would read a
  // time without a zone in the machine's zone.
  const current =
    eventTime.length === 20 && eventTime.endsWith('Z') ? eventTime : new Date(millis).toISOString();
  return { 'aws:CurrentTime': current, 'aws:EpochTime': Math.floor(millis / 1000) };
}

/** Whether `text` is an IPv4 or IPv6 address (else `aws:SourceIp` is left out: a service name, for example). @internal exported for tests. */
export function isIpAddress(text: string): boolean {
  return isIpv4Address(text) || (text.includes(':') && /^[0-9a-f:.]+$/i.test(text));
}

/** Four dot-separated decimal octets of 1 to 3 digits, each at most 255 (read once per event, without a regular expression). */
function isIpv4Address(text: string): boolean {
  let octets = 0;
  let value = 0;
  let length = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (length === 0 || value > 255) return false;
      octets++;
      value = 0;
      length = 0;
    } else if (c >= 0x30 && c <= 0x39 && length < 3) {
      value = value * 10 + (c - 0x30);
      length++;
    } else {
      return false;
    }
  }
  return octets === 4;
}
