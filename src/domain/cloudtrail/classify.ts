/**
 * Which CloudTrail records permission-auditor explains: S3 requests denied by authorization.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 */
import { isJsonObject } from '../json/jsonValue.js';
import { shellWord } from '../shell.js';
import type { CloudTrailRecord } from './types.js';

/**
 * Event sources that are S3 general purpose buckets. Directory buckets (S3 Express One Zone) log as
 * `s3express.amazonaws.com` and are authorized by `s3express` actions (object requests through
 * `s3express:CreateSession`), which the S3 catalogue does not model: see {@link DIRECTORY_BUCKET_SOURCE}.
 */
const s3EventSources = {
  's3.amazonaws.com': {
    source:
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html',
  },
  // The China-region copy of the same page shows this form in its sample records.
  's3.amazonaws.com.cn': {
    source:
      'https://docs.amazonaws.cn/en_us/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html',
  },
} as const satisfies Record<string, { source: string }>;

/**
 * The event source of directory buckets. Their denials are S3 denials that are not explained: they are
 * skipped as `unsupported-operation`, saying what a directory bucket is authorized by, rather than
 * counted as not S3.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-log-files.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-security-iam.html
 */
const DIRECTORY_BUCKET_SOURCE = 's3express.amazonaws.com';
const DIRECTORY_BUCKET_IAM =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-security-iam.html';
const CROSS_ACCOUNT_EVALUATION =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html';

/**
 * The event source of S3 on Outposts. Its requests are S3 API calls on an Outpost, authorized by
 * `s3-outposts` actions on Outposts ARNs, which the S3 catalogue does not model: they are skipped as
 * `not-s3` (not general purpose bucket requests), with a message that says what they are and what
 * authorizes them, rather than as some other service's.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsIAM.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3onoutposts.html
 */
const OUTPOSTS_SOURCE = 's3-outposts.amazonaws.com';
const OUTPOSTS_IAM = 'https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsIAM.html';
const OBJECT_LAMBDA_SOURCE = 's3-object-lambda.amazonaws.com';
const OBJECT_LAMBDA_IAM = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/olap-policies.html';

/**
 * HTTP 403 error codes and whether a policy change can resolve them. Only authorization denials are
 * explained; the others are 403s about the account, credentials or signature, where no statement
 * helps.
 */
const forbiddenErrorCodes = {
  AccessDenied: {
    policyDenial: true,
    why: 'S3 denied the request (HTTP 403 AccessDenied).',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList',
  },
  // A network activity event: the VPC endpoint's policy refused the request before S3 saw it.
  VpceAccessDenied: {
    policyDenial: true,
    why: 'A VPC endpoint policy denied the request (a CloudTrail network activity event).',
    source:
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-network-events-with-cloudtrail.html',
  },
  AccessDeniedException: {
    policyDenial: true,
    why: 'The JSON-protocol form of AccessDenied (S3 Control and other services).',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html',
  },
  // Not documented as a CloudTrail errorCode; accepted in case a 403 without a body (HEAD) is logged so.
  Forbidden: {
    policyDenial: true,
    why: 'HTTP 403 without an S3 error body (HEAD requests).',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html',
  },
  AllAccessDisabled: {
    policyDenial: false,
    why: 'AWS has disabled all access to this S3 resource; only AWS Support can restore it, no policy change helps.',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList',
  },
  AccountProblem: {
    policyDenial: false,
    why: 'A problem with the AWS account prevents the request; contact AWS Support.',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList',
  },
  InvalidAccessKeyId: {
    policyDenial: false,
    why: 'The access key does not exist in AWS records: a credentials problem, not a permission.',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList',
  },
  SignatureDoesNotMatch: {
    policyDenial: false,
    why: 'The request signature is wrong (secret key or signing): a credentials problem, not a permission.',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList',
  },
  RequestTimeTooSkewed: {
    policyDenial: false,
    why: "The client's clock is too far from the server's time.",
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList',
  },
  InvalidObjectState: {
    policyDenial: false,
    why: 'The object is archived (for example in S3 Glacier) and must be restored before access.',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList',
  },
} as const satisfies Record<string, { policyDenial: boolean; why: string; source: string }>;

/**
 * InvalidObjectState from RestoreObject says the opposite of a read's: the object is not archived, so
 * S3 has nothing to restore (a read or copy of an archived object gets it until it is restored).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_RestoreObject.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html
 */
const RESTORE_NOT_ARCHIVED =
  'The object is not in an archive storage class or tier (S3 Glacier Flexible Retrieval, S3 Glacier Deep Archive, or the S3 Intelligent-Tiering Archive Access and Deep Archive Access tiers), so there is nothing to restore: it can be read as it is.';

/**
 * The tables above as lookups. A record's `eventSource` is a fresh string per parsed record: a property
 * lookup (`Object.hasOwn`) first finds it in V8's table of internalized strings, a `Set` only hashes it.
 */
export const S3_EVENT_SOURCES: ReadonlySet<string> = new Set(Object.keys(s3EventSources));
const FORBIDDEN_ERROR_CODES: ReadonlyMap<string, { readonly policyDenial: boolean; readonly why: string }> =
  new Map(Object.entries(forbiddenErrorCodes));

/** Outcome of {@link classifyRecord}. */
export type RecordClassification =
  | { readonly kind: 'denied-s3' }
  | {
      readonly kind: 'skip';
      readonly reason: 'not-s3' | 'not-denied' | 'unsupported-operation';
      readonly message: string;
    };

/**
 * The two skips a trail is mostly made of, per event name (and source): one (frozen) outcome and message
 * shared by all their events. Names come from the input, so the tables are bounded.
 */
const DENIED_S3: RecordClassification = Object.freeze({ kind: 'denied-s3' });
const notS3 = new Map<string, RecordClassification>();
const succeeded = new Map<string, RecordClassification>();

function remembered(
  table: Map<string, RecordClassification>,
  key: string,
  make: () => RecordClassification,
): RecordClassification {
  let outcome = table.get(key);
  if (outcome === undefined) {
    outcome = Object.freeze(make());
    if (table.size >= 1024) table.clear();
    table.set(key, outcome);
  }
  return outcome;
}

/** The fields of a record, besides its names and error code, that classifying it reads when present. */
type ClassifiedFields = Pick<
  CloudTrailRecord,
  | 'awsRegion'
  | 'recipientAccountId'
  | 'requestParameters'
  | 'resources'
  | 'principal'
  | 'vpcEndpointId'
  | 'vpcEndpointAccountId'
>;

/**
 * Decides whether a record is an S3 request denied by authorization: `eventSource` is
 * `s3.amazonaws.com` and `errorCode` is `AccessDenied` (or `AccessDeniedException`, or a bodiless
 * `Forbidden`). Other 403 codes (`AllAccessDisabled`, `AccountProblem`, signature and key errors) are
 * skipped as `not-denied` with a message saying why no policy change helps.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
 */
export function classifyRecord(
  record: Pick<CloudTrailRecord, 'eventSource' | 'eventName' | 'errorCode'> &
    Partial<ClassifiedFields> & {
      readonly errorMessage?: string | undefined;
    },
): RecordClassification {
  if (record.eventSource === DIRECTORY_BUCKET_SOURCE) {
    const entry = record.errorCode !== undefined ? FORBIDDEN_ERROR_CODES.get(record.errorCode) : undefined;
    if (entry?.policyDenial === true) return directoryBucketDenial(record);
  } else if (!S3_EVENT_SOURCES.has(record.eventSource)) {
    return remembered(notS3, `${record.eventSource}\u0000${record.eventName}`, () => ({
      kind: 'skip',
      reason: 'not-s3',
      message:
        record.eventSource === OUTPOSTS_SOURCE
          ? `${record.eventName} from ${OUTPOSTS_SOURCE} is an S3 on Outposts request: permission-auditor explains requests to general purpose buckets (s3.amazonaws.com) only, so it is not explained. S3 on Outposts is authorized by s3-outposts actions (s3-outposts:${record.eventName}), not s3 ones, on Outposts ARNs (such as arn:aws:s3-outposts:REGION:ACCOUNT:outpost/OUTPOST-ID/bucket/BUCKET and …/accesspoint/NAME, objects under /object/KEY), in identity-based policies and the Outposts bucket's and access point's policies. See ${OUTPOSTS_IAM}.`
          : record.eventSource === OBJECT_LAMBDA_SOURCE
            ? `${record.eventName} from ${OBJECT_LAMBDA_SOURCE} is an S3 Object Lambda request: permission-auditor explains requests to general purpose buckets (s3.amazonaws.com) only, so it is not explained. A request through an Object Lambda access point is authorized by s3-object-lambda actions (s3-object-lambda:${record.eventName}) on its ARN (arn:aws:s3-object-lambda:REGION:ACCOUNT:accesspoint/NAME, objects under /object/KEY), in identity-based policies and the Object Lambda access point's policy; AWS documents that the supporting access point (s3:${record.eventName} on arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY, with the bucket behind it) and the Lambda function must grant their part too. See ${OBJECT_LAMBDA_IAM}.`
            : `${record.eventName} from ${record.eventSource} is not an S3 request (expected s3.amazonaws.com).`,
    }));
  }
  const code = record.errorCode;
  // A message without a code: CloudTrail writes both for a failed call, so the record is incomplete
  // (edited, or exported without the field), and neither a denial nor a success can be read from it.
  if (code === undefined && record.errorMessage !== undefined && record.errorMessage !== '') {
    return {
      kind: 'skip',
      reason: 'not-denied',
      message: `${record.eventName} has an errorMessage (${JSON.stringify(record.errorMessage.slice(0, 80))}) but no errorCode: CloudTrail writes both for a failed call, so the record is incomplete and is not explained; give it as CloudTrail wrote it.`,
    };
  }
  if (code === undefined) {
    return remembered(succeeded, record.eventName, () => ({
      kind: 'skip',
      reason: 'not-denied',
      message:
        record.eventName === 'DeleteObjects'
          ? 'DeleteObjects succeeded (no errorCode). S3 answers a multi-object delete with 200 and reports keys it refused (AccessDenied) inside the response, which CloudTrail does not log: a denied batch delete is not visible here (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html).'
          : `${record.eventName} succeeded (no errorCode).`,
    }));
  }
  const entry = FORBIDDEN_ERROR_CODES.get(code);
  if (entry !== undefined) {
    if (entry.policyDenial) return DENIED_S3;
    const why =
      code === 'InvalidObjectState' && record.eventName === 'RestoreObject'
        ? RESTORE_NOT_ARCHIVED
        : entry.why;
    return {
      kind: 'skip',
      reason: 'not-denied',
      message: `${record.eventName} failed with ${code}, which is not a permission denial: ${why}`,
    };
  }
  const ownership = objectOwnershipError(code, record.requestParameters);
  return {
    kind: 'skip',
    reason: 'not-denied',
    message: `${record.eventName} failed with ${code}, which is not an access denial${ownership !== undefined ? `: ${ownership}` : '.'}`,
  };
}

const OBJECT_OWNERSHIP_ERRORS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html';

/**
 * What the two errors of a bucket whose Object Ownership is "Bucket owner enforced" (ACLs disabled) mean,
 * and what to do: no IAM permission lifts them. The ACL the request set is named when the record shows it.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html
 */
function objectOwnershipError(
  code: string,
  parameters: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  if (code === 'AccessControlListNotSupported') {
    const header = [
      'x-amz-acl',
      'x-amz-grant-read',
      'x-amz-grant-write',
      'x-amz-grant-read-acp',
      'x-amz-grant-write-acp',
      'x-amz-grant-full-control',
    ]
      .map((name) => [name, parameters?.[name]] as const)
      .find(([, value]) => typeof value === 'string' && value !== '');
    const sent = header !== undefined ? ` (${header[0]}: ${String(header[1])})` : '';
    return `S3 answers it (a 400 error) when the bucket's Object Ownership is "Bucket owner enforced", which disables ACLs, and the request sets an ACL other than bucket-owner-full-control${sent}. Drop the ACL from the request (aws-cli --acl or --grants, rclone acl and bucket_acl, s3fs default_acl) or send only bucket-owner-full-control; if the objects are meant to be public, grant that with a bucket policy, not an ACL (${OBJECT_OWNERSHIP_ERRORS}).`;
  }
  if (code === 'InvalidBucketAclWithObjectOwnership')
    return `S3 answers it (a 400 error) when "Bucket owner enforced" Object Ownership, which disables ACLs, meets a bucket ACL that grants access to anyone but the bucket owner (a CreateBucket or PutBucketOwnershipControls that sets it on such a bucket, or a bucket ACL set with it). Move the ACL's grants into the bucket policy and reset the bucket ACL to private first, or leave out the ACL (${OBJECT_OWNERSHIP_ERRORS}).`;
  return undefined;
}

/**
 * The account that owns the directory bucket: the `accountId` (or the ARN's account) of its entry in
 * `resources[]`, else `recipientAccountId` when it is not the caller's account (then the record is the
 * owner's copy). CloudTrail delivers a data event to the requester too, so a `recipientAccountId` equal
 * to the caller's account does not tell the owner of another account's bucket: `undefined` then.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html#cloudtrail-object-level-crossaccount
 */
function directoryBucketOwner(
  record: Partial<Pick<CloudTrailRecord, 'recipientAccountId' | 'resources' | 'principal'>>,
): string | undefined {
  for (const r of record.resources ?? []) {
    if (r.type !== undefined && !r.type.startsWith('AWS::S3Express::')) continue;
    const account = r.accountId ?? r.arn?.split(':')[4];
    if (account !== undefined && /^\d{12}$/.test(account)) return account;
  }
  const caller = record.principal?.account;
  return record.recipientAccountId !== undefined &&
    caller !== undefined &&
    record.recipientAccountId !== caller
    ? record.recipientAccountId
    : undefined;
}

/**
 * A denied directory-bucket request, in words: what authorizes it, with the bucket's ARN when the record
 * names the bucket (`requestParameters.bucketName`, in the Region the record gives and its owner's
 * account, see {@link directoryBucketOwner}), and which policies must allow it: a caller of another
 * account needs both its identity-based policy and the bucket's policy.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-security-iam.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
function directoryBucketDenial(
  record: Pick<CloudTrailRecord, 'eventName' | 'errorCode'> & Partial<ClassifiedFields>,
): RecordClassification {
  const bucket = record.requestParameters?.bucketName;
  const mode = record.requestParameters?.['x-amz-create-session-mode'];
  const named = typeof bucket === 'string' && bucket !== '';
  const region = record.awsRegion ?? '';
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const owner = directoryBucketOwner(record);
  const arn = `arn:${partition}:s3express:${record.awsRegion ?? 'REGION'}:${owner ?? 'ACCOUNT'}:bucket/${named ? bucket : 'BUCKET'}`;
  const caller = record.principal?.account;
  const policies =
    owner !== undefined && caller !== undefined && owner !== caller
      ? `in both the caller's identity-based policy and the directory bucket's policy, since the bucket is in account ${owner} and the caller in ${caller} (${CROSS_ACCOUNT_EVALUATION})`
      : owner !== undefined && caller !== undefined
        ? "in an identity-based policy or the directory bucket's policy"
        : `in an identity-based policy or the directory bucket's policy; in both if the caller is of another account than the bucket${owner === undefined ? ', whose owner (ACCOUNT) the record does not name' : ''}`;
  const session =
    record.eventName === 'CreateSession'
      ? ` This CreateSession asked for a ${typeof mode === 'string' && mode !== '' ? mode : 'ReadWrite (the default)'} session; the condition key s3express:SessionMode holds the mode.`
      : '';
  // A network activity event the VPC endpoint refused: the endpoint's policy refused it before the
  // directory bucket's authorization was reached.
  const endpoint =
    record.errorCode === 'VpceAccessDenied'
      ? ` The VPC endpoint ${record.vpcEndpointId ?? '(the record names none)'}${
          (record.vpcEndpointAccountId ?? record.recipientAccountId) !== undefined
            ? ` (owned by account ${record.vpcEndpointAccountId ?? record.recipientAccountId})`
            : ''
        } refused it by its endpoint policy (a network activity event): S3 never evaluated the request, so the identity-based and bucket policies had no part in the refusal; the endpoint policy must allow the s3express action (read it with \`aws ec2 describe-vpc-endpoints --vpc-endpoint-ids ${record.vpcEndpointId === undefined ? 'VPCE-ID' : shellWord(record.vpcEndpointId)} --query "VpcEndpoints[0].PolicyDocument"\`${
          record.vpcEndpointAccountId !== undefined && record.vpcEndpointAccountId !== caller
            ? `, run in account ${record.vpcEndpointAccountId}, which owns the endpoint`
            : ''
        }).`
      : '';
  return {
    kind: 'skip',
    reason: 'unsupported-operation',
    message: `${record.eventName} on ${named ? `the directory bucket ${bucket}` : 'a directory bucket'} (s3express.amazonaws.com, S3 Express One Zone) was denied (${record.errorCode}); permission-auditor explains general purpose buckets only, so it is not explained.${endpoint} Directory buckets are authorized by s3express actions, not s3 ones: object requests by s3express:CreateSession on ${arn} (${policies}), bucket-level requests by the s3express action of the operation.${session} See ${DIRECTORY_BUCKET_IAM}.`,
  };
}

/** A value of the record as text for a message: strings only, cut to `max` characters. */
function said(value: unknown, max = 200): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, max) : undefined;
}

/**
 * The message for KMS's own record of a call S3 made on a caller's behalf (SSE-KMS) that KMS refused:
 * `kms.amazonaws.com` with an AccessDenied code and `invokedBy: s3.amazonaws.com`. It is not the S3
 * request, which S3 logs as a data event of its own; but it is often the only record of the refusal (KMS
 * calls are management events, which every trail and `lookup-events` have), so the skipped entry says
 * what it shows and what to give instead. `undefined` for any other record.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/ct-generatedatakey.html
 */
export function kmsCallForS3Message(record: Readonly<Record<string, unknown>>): string | undefined {
  if (record.eventSource !== 'kms.amazonaws.com') return undefined;
  const code = said(record.errorCode);
  if (code === undefined || !code.startsWith('AccessDenied')) return undefined;
  const identity = isJsonObject(record.userIdentity) ? record.userIdentity : {};
  if (identity.invokedBy !== 's3.amazonaws.com' && record.sourceIPAddress !== 's3.amazonaws.com')
    return undefined;
  const parameters = isJsonObject(record.requestParameters) ? record.requestParameters : {};
  const context = isJsonObject(parameters.encryptionContext)
    ? said(parameters.encryptionContext['aws:s3:arn'])
    : undefined;
  const action = `kms:${said(record.eventName) ?? 'call'}`;
  const caller = said(identity.arn);
  const key = said(parameters.keyId);
  const region = said(record.awsRegion);
  const kmsSaid = said(record.errorMessage, 500);
  return [
    `KMS refused ${action} to S3, which called it${caller !== undefined ? ` for ${caller}` : ''} (invokedBy s3.amazonaws.com)${key !== undefined ? ` on key ${key}` : ''}${context !== undefined ? ` for ${context}` : ''}: S3's use of the SSE-KMS key in that caller's request, logged by KMS, not the S3 request itself, which explain reads.`,
    `Give S3's own record of the request (a data event${context !== undefined ? ` on ${context}` : ''}, at about the same time) for the cause and a verified fix.`,
    `Meanwhile: S3 calls ${action} on the key with the caller's credentials, so the key policy must allow it (to the caller, or to its account, whose IAM policies must then allow it too; a caller of another account needs both), through S3 (kms:ViaService s3.${region ?? '<region>'}.amazonaws.com) (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).`,
    ...(kmsSaid !== undefined ? [`KMS said: ${kmsSaid}`] : []),
  ].join(' ');
}
