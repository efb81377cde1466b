/**
 * What S3 Block Public Access and ACLs can do to a request the visible policies allow: Block Public
 * Access only restricts public access, so it is named only where it can apply (a request that makes
 * something public, or a caller from outside the bucket owner's account); ACLs only grant, so a request
 * that carries one is told what Object Ownership does with it instead.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html
 */
import type { Principal } from '../cloudtrail/types.js';
import type { ContextValue } from '../policy/types.js';
import type { BucketOwner } from '../s3/requestContext.js';
import type { S3AuthorizationCheck } from '../s3/types.js';

const BLOCK_PUBLIC_ACCESS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html';
const OBJECT_OWNERSHIP_ERRORS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html';

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

/** How the request sets an ACL (`x-amz-acl: public-read`), and whether that ACL is public. */
function aclOf(check: S3AuthorizationCheck): { header: string; public: boolean } | undefined {
  const canned = valuesOf(check.context['s3:x-amz-acl'])[0];
  if (canned !== undefined)
    return { header: `x-amz-acl: ${canned}`, public: PUBLIC_CANNED_ACLS.has(canned.toLowerCase()) };
  for (const key of GRANT_KEYS) {
    const grants = valuesOf(check.context[key]);
    if (grants.length === 0) continue;
    const header = `${key.slice(3)}: ${grants.join(', ')}`;
    return {
      header,
      public: grants.some((g) => /\/groups\/global\/(?:AllUsers|AuthenticatedUsers)\b/i.test(g)),
    };
  }
  return undefined;
}

/**
 * The "what can still deny it" item for S3 Block Public Access, or undefined where it cannot apply: a
 * request of the bucket owner's own account that makes nothing public is not public access.
 * BlockPublicAcls refuses a request that sets a public ACL; BlockPublicPolicy a policy that grants
 * public access; RestrictPublicBuckets, on a bucket whose policy is public, limits access to AWS service
 * principals and users of the bucket owner's account (cross-account access is blocked, even where the
 * policy names the account).
 */
export function blockPublicAccessItem(
  checks: readonly S3AuthorizationCheck[],
  principal: Principal,
  owner: BucketOwner | undefined,
): string | undefined {
  const reasons: string[] = [];
  const publicAcl = checks.map(aclOf).find((acl) => acl?.public === true);
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
  if (outsider !== undefined)
    reasons.push(
      `if the bucket's policy is public, RestrictPublicBuckets limits access to AWS service principals and users of the bucket owner's account${owner?.from === 'resources' ? ` (${owner.account})` : ''}, which refuses ${outsider} even where the policy allows it`,
    );
  if (reasons.length === 0) return undefined;
  return `S3 Block Public Access (of the bucket, or of the account): ${reasons.join('; ')} (${BLOCK_PUBLIC_ACCESS})`;
}

/**
 * A sentence for a request that sets an ACL: ACLs only grant, and the refusal of one by Object Ownership
 * is not an AccessDenied.
 */
export function aclNote(checks: readonly S3AuthorizationCheck[]): string | undefined {
  const acl = checks.map(aclOf).find((a) => a !== undefined);
  if (acl === undefined) return undefined;
  return `The request sets an ACL (${acl.header}): an ACL only grants access, never denies it, and on a bucket whose Object Ownership is "Bucket owner enforced" a request that sets any ACL but bucket-owner-full-control fails with AccessControlListNotSupported, a 400 error, not AccessDenied (${OBJECT_OWNERSHIP_ERRORS}).`;
}
