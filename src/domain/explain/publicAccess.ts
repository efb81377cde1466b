/**
 * What S3 Block Public Access, Object Ownership and ACLs can do to a request the visible policies allow:
 * Block Public Access only restricts public access, so it is named only where it can apply (a request
 * that makes something public, or a caller from outside the bucket owner's account); ACLs only grant,
 * so a request that carries one is told what Object Ownership does with it instead. But an object
 * another account owns (a bucket with ACLs enabled) is granted by its ACL alone: the bucket owner's
 * policies do not reach it, so a request on an existing object is told that too.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-auth-workflow-object-operation.html
 */
import type { Principal } from '../cloudtrail/types.js';
import type { ContextValue } from '../policy/types.js';
import type { BucketOwner } from '../s3/requestContext.js';
import type { S3AuthorizationCheck } from '../s3/types.js';
import { shellWord } from '../shell.js';

const BLOCK_PUBLIC_ACCESS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html';
const OBJECT_OWNERSHIP_ERRORS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html';
const OBJECT_OWNERSHIP = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html';
const TROUBLESHOOT_403 = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html';

/** The operations that create an object: the ACL or tags they set are the new object's. */
const UPLOADS: ReadonlySet<string> = new Set([
  'PutObject',
  'PostObject',
  'CopyObject',
  'CreateMultipartUpload',
  'UploadPartCopy',
  'CompleteMultipartUpload',
]);

/**
 * The actions on an existing object that its owner's ACL must grant when the bucket owner does not own
 * it: reading it, its ACL, tags or attributes, and setting its ACL or tags. Deleting it is not among
 * them: the bucket owner can delete any object, whoever owns it.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-auth-workflow-object-operation.html
 */
const OWNED_OBJECT_ACTIONS: ReadonlySet<string> = new Set([
  's3:getobject',
  's3:getobjectversion',
  's3:getobjectacl',
  's3:getobjectversionacl',
  's3:putobjectacl',
  's3:putobjectversionacl',
  's3:getobjecttagging',
  's3:getobjectversiontagging',
  's3:putobjecttagging',
  's3:putobjectversiontagging',
  's3:getobjectattributes',
  's3:getobjectversionattributes',
]);

/** The canned ACLs that grant the AllUsers or AuthenticatedUsers group: public to Block Public Access. */
const PUBLIC_CANNED_ACLS: ReadonlySet<string> = new Set([
  'public-read',
  'public-read-write',
  'authenticated-read',
]);
/** The grant headers' condition keys (`x-amz-grant-read: uri="http://acs.amazonaws.com/groups/global/AllUsers"`). */
const GRANT_KEYS = [
  's3:x-amz-grant-read',
  's3:x-amz-grant-write',
  's3:x-amz-grant-read-acp',
  's3:x-amz-grant-write-acp',
  's3:x-amz-grant-full-control',
] as const;
/** Setting a policy: BlockPublicPolicy refuses it when the policy grants public access. */
const POLICY_WRITES: ReadonlySet<string> = new Set(['s3:putbucketpolicy', 's3:putaccesspointpolicy']);

const valuesOf = (value: ContextValue | undefined): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => String(v));

/** An ACL a request sets, in words (`x-amz-acl: public-read`), and whether it is public to Block Public Access. */
export interface SetAcl {
  readonly header: string;
  readonly public: boolean;
}

/** A grantee that makes an ACL public: the AllUsers or AuthenticatedUsers group. */
const PUBLIC_GRANTEE = /\/groups\/global\/(?:AllUsers|AuthenticatedUsers)\b/i;

/** A logged XML element that holds one item or a list (`"Grant": {…}` or `"Grant": [{…}, …]`), as a list. */
const listOf = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];

const member = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;

/** The first string of a logged value (`"READ"`, or `["READ"]` as some records wrap it). */
const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : Array.isArray(value) ? stringOf(value[0]) : undefined;

/**
 * The ACL a PutObjectAcl or PutBucketAcl sends in its body (no `x-amz-acl` or `x-amz-grant-*` header), as
 * CloudTrail logs it: `requestParameters.AccessControlPolicy.AccessControlList.Grant`, one grant as an
 * object or several as a list, each with its `Grantee` (`URI` for a group, `ID` for an account) and its
 * `Permission` (the shape of the PutBucketAcl record in AWS's "CloudTrail log file entries for Amazon S3"
 * example). s3cmd sends its ACLs so: setacl, and cp, mv and modify when they copy the source's ACL. A
 * grant to the AllUsers or AuthenticatedUsers group makes it public: "PUT Bucket ACL and PUT Object ACL
 * calls fail if the specified ACL is public" under BlockPublicAcls. `undefined` when the record logs no
 * such body.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectAcl.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html
 */
export function bodyAclOf(params: Readonly<Record<string, unknown>>): SetAcl | undefined {
  const list = member(params.AccessControlPolicy, 'AccessControlList');
  if (list === undefined) return undefined;
  const grants = listOf(member(list, 'Grant'));
  const publicGrants = grants.flatMap((grant) => {
    const uri = stringOf(member(member(grant, 'Grantee'), 'URI'));
    if (uri === undefined || !PUBLIC_GRANTEE.test(uri)) return [];
    return [`${stringOf(member(grant, 'Permission')) ?? 'a permission'} to uri=${uri}`];
  });
  const what = 'AccessControlPolicy in the request body';
  if (publicGrants.length > 0) return { header: `${what}: ${publicGrants.join(', ')}`, public: true };
  return {
    header: grants.length === 0 ? what : `${what}, ${grants.length} grant${grants.length === 1 ? '' : 's'}`,
    public: false,
  };
}

/** How the request sets an ACL (`x-amz-acl: public-read`), and whether that ACL is public. */
function aclOf(check: S3AuthorizationCheck): SetAcl | undefined {
  const canned = valuesOf(check.context['s3:x-amz-acl'])[0];
  if (canned !== undefined)
    return { header: `x-amz-acl: ${canned}`, public: PUBLIC_CANNED_ACLS.has(canned.toLowerCase()) };
  for (const key of GRANT_KEYS) {
    const grants = valuesOf(check.context[key]);
    if (grants.length === 0) continue;
    const header = `${key.slice(3)}: ${grants.join(', ')}`;
    return {
      header,
      public: grants.some((g) => PUBLIC_GRANTEE.test(g)),
    };
  }
  return undefined;
}

/** A Principal value that names no one in particular: `*`, or a pattern (`arn:aws:iam::*:root`). */
function wildcardPrincipal(principal: unknown): boolean {
  if (typeof principal === 'string') return principal.includes('*');
  if (Array.isArray(principal)) return principal.some(wildcardPrincipal);
  if (typeof principal === 'object' && principal !== null)
    return Object.values(principal).some(wildcardPrincipal);
  return false;
}

/**
 * Whether a bucket policy may be public to S3 Block Public Access. S3 takes a policy as public unless it
 * grants access only to fixed values: an Allow whose Principal names specific principals is never
 * public. An Allow with a wildcard Principal (or a NotPrincipal) is taken as maybe public, even under a
 * condition with fixed values (which S3 counts as not public): only a policy that is certainly not public
 * rules RestrictPublicBuckets out. A document that cannot be read may be public.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
 */
export function mayBePublicPolicy(document: unknown): boolean {
  if (typeof document !== 'object' || document === null) return true;
  const raw = (document as { Statement?: unknown }).Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return statements.some((statement) => {
    if (typeof statement !== 'object' || statement === null) return true;
    const st = statement as { Effect?: unknown; Principal?: unknown; NotPrincipal?: unknown };
    if (st.Effect !== 'Allow') return false;
    return st.NotPrincipal !== undefined || wildcardPrincipal(st.Principal);
  });
}

/**
 * The "what can still deny it" item for S3 Block Public Access, or undefined where it cannot apply: a
 * request of the bucket owner's own account that makes nothing public is not public access.
 * BlockPublicAcls refuses a request that sets a public ACL; BlockPublicPolicy a policy that grants
 * public access; RestrictPublicBuckets, on a bucket whose policy is public, limits access to AWS service
 * principals and users of the bucket owner's account (cross-account access is blocked, even where the
 * policy names the account). `bodyAcls` are the ACLs the requests send in their body (see {@link bodyAclOf}).
 */
export function blockPublicAccessItem(
  checks: readonly S3AuthorizationCheck[],
  principal: Principal,
  owner: BucketOwner | undefined,
  bucketPolicy?: unknown,
  bodyAcls: readonly SetAcl[] = [],
): string | undefined {
  const reasons: string[] = [];
  const publicAcl = [...checks.map(aclOf), ...bodyAcls].find((acl) => acl?.public === true);
  if (publicAcl !== undefined)
    reasons.push(
      `BlockPublicAcls refuses a request that sets a public ACL, as this one does (${publicAcl.header})`,
    );
  if (checks.some((c) => POLICY_WRITES.has(c.action.toLowerCase())))
    reasons.push(
      'BlockPublicPolicy refuses a policy that grants public access, if the one the request sets does',
    );
  const outsider =
    principal.type === 'Anonymous'
      ? 'an anonymous request'
      : principal.type !== 'AWSService' &&
          owner?.from === 'resources' &&
          principal.account !== undefined &&
          owner.account !== principal.account
        ? `a caller of account ${principal.account}`
        : undefined;
  // RestrictPublicBuckets acts only on a bucket whose policy is public: not one given that is not.
  if (outsider !== undefined && (bucketPolicy === undefined || mayBePublicPolicy(bucketPolicy)))
    reasons.push(
      `if the bucket's policy is public, RestrictPublicBuckets limits access to AWS service principals and users of the bucket owner's account${owner?.from === 'resources' ? ` (${owner.account})` : ''}, which refuses ${outsider} even where the policy allows it`,
    );
  // A public ACL (AllUsers) is the other thing that grants an unsigned request: IgnorePublicAcls voids it.
  if (principal.type === 'Anonymous')
    reasons.push(
      'IgnorePublicAcls makes S3 ignore public ACLs, which refuses an anonymous request that only a public ACL (the AllUsers group, such as public-read) allows',
    );
  if (reasons.length === 0) return undefined;
  return `S3 Block Public Access (of the bucket, or of the account): ${reasons.join('; ')} (${BLOCK_PUBLIC_ACCESS})`;
}

/**
 * A sentence for a request that sets an ACL (by its headers, or in its body: `bodyAcls`): ACLs only
 * grant, and the refusal of one by Object Ownership is not an AccessDenied.
 */
export function aclNote(
  checks: readonly S3AuthorizationCheck[],
  bodyAcls: readonly SetAcl[] = [],
): string | undefined {
  const acl = [...checks.map(aclOf), ...bodyAcls].find((a) => a !== undefined);
  if (acl === undefined) return undefined;
  return `The request sets an ACL (${acl.header}): an ACL only grants access, never denies it, and on a bucket whose Object Ownership is "Bucket owner enforced" a request that sets any ACL but bucket-owner-full-control fails with AccessControlListNotSupported, a 400 error, not AccessDenied (${OBJECT_OWNERSHIP_ERRORS}).`;
}

/**
 * The "what can still deny it" item for an object another account owns, or undefined when no request is
 * on an existing object (see {@link OWNED_OBJECT_ACTIONS}). On a bucket with ACLs enabled (Object
 * Ownership "Object writer", or "Bucket owner preferred" for an upload without bucket-owner-full-control)
 * the uploading account owns the object, and only that object's ACL can grant access to it: the bucket
 * owner's policies cannot. The record does not show who owns the object, nor the bucket's setting, so
 * this cannot be ruled out.
 */
export function objectOwnershipItem(
  requests: readonly { readonly eventName: string; readonly check: S3AuthorizationCheck }[],
): string | undefined {
  const check = requests.find(
    ({ eventName, check: c }) =>
      c.bucket !== undefined &&
      c.key !== undefined &&
      OWNED_OBJECT_ACTIONS.has(c.action.toLowerCase()) &&
      // An upload's ACL or tags are set on the object it creates, not on someone else's.
      !(UPLOADS.has(eventName) && c.action.toLowerCase().startsWith('s3:put')),
  )?.check;
  if (check?.bucket === undefined || check.key === undefined) return undefined;
  const bucket = shellWord(check.bucket);
  return `Object Ownership: on a bucket with ACLs enabled (Object Ownership "Object writer", or "Bucket owner preferred" for an upload that did not send bucket-owner-full-control), an object uploaded by another account belongs to that account, and the bucket owner's policies (its bucket policy, its IAM policies) do not grant access to it: only the object's ACL can. \`aws s3api list-objects-v2 --bucket ${bucket} --prefix ${shellWord(check.key)} --fetch-owner\` shows the object's owner. If it is another account, set the bucket's Object Ownership to "Bucket owner enforced" (\`aws s3api put-bucket-ownership-controls --bucket ${bucket} --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'\`, which needs s3:PutBucketOwnershipControls; the bucket owner then owns every object and ACLs no longer apply), or have the uploader copy the objects again with the canned ACL bucket-owner-full-control (${OBJECT_OWNERSHIP}, ${TROUBLESHOOT_403})`;
}
