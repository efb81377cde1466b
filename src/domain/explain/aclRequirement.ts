/**
 * Whether the visible policies require uploads to carry `x-amz-acl: bucket-owner-full-control`, and the
 * alternatives that would drop the ACL header then left out: a bucket policy that allows another
 * account's uploads only with that canned ACL (AWS's bucket-owner-preferred example), or a Deny of
 * uploads without it, refuses the upload a client sends once its ACL is dropped (aws-cli without
 * `--acl`, rclone v1.61 and later without an `acl` setting), so such an alternative keeps the job failing.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ensure-object-ownership.html#ensure-object-ownership-bucket-policy
 */

import { evaluate, type PolicySet } from '../policy/evaluate.js';
import type { AuthorizationRequest, ContextValue, Decision, EvaluationResult } from '../policy/types.js';
import type { Alternative } from './report.js';

/** The canned ACL AWS advises bucket-owner-preferred buckets to require on every upload. */
export const OWNER_FULL_CONTROL = 'bucket-owner-full-control';

/** The condition keys of a request's ACL headers (`x-amz-acl`, `x-amz-grant-*`). */
const ACL_KEY = /^s3:x-amz-(?:acl|grant-(?:read|write|read-acp|write-acp|full-control))$/i;

/** The operations whose request S3 authorizes as s3:PutObject and that take ACL headers. */
const UPLOADS = new Set(['PutObject', 'PostObject', 'CopyObject', 'CreateMultipartUpload']);

const RANK: Readonly<Record<Decision, number>> = { ExplicitlyDenied: 0, ImplicitlyDenied: 1, Allowed: 2 };

/** An upload of the finding, as the finding evaluated one of its requests. */
export interface UploadCheck {
  readonly eventName: string;
  readonly request: AuthorizationRequest;
  /** The policies it was evaluated with, when they are not the finding's (a copy's source). */
  readonly set?: PolicySet;
}

/** What requires `bucket-owner-full-control`: the policy and statement, in words. */
export interface AclRequirement {
  readonly by: string;
}

const POLICY_WORDS: Readonly<Record<string, string>> = {
  identity: "the caller's identity-based policy",
  resource: 'the bucket policy',
  'permissions-boundary': 'the permissions boundary',
  scp: 'a service control policy',
  rcp: 'a resource control policy',
  session: 'the session policy',
};

/** A policy named as the report names it: the bucket's is `<bucket> bucket policy`. */
function policyWords(ref: {
  readonly policyType: string;
  readonly policyName?: string;
  readonly policyArn?: string;
  readonly sid?: string;
}): string {
  const name = ref.policyName ?? ref.policyArn ?? '';
  const where =
    ref.policyType === 'resource' && name.endsWith(' bucket policy')
      ? `the ${name}`
      : `${POLICY_WORDS[ref.policyType] ?? 'a policy'}${name !== '' ? ` ${name}` : ''}`;
  return `${where}${ref.sid !== undefined ? ` (statement ${ref.sid})` : ''}`;
}

/** Who refuses the upload without the ACL, as a clause: the Deny that matched, or the Allow whose condition failed. */
function refuser(result: EvaluationResult): string {
  const deny = result.deniedBy[0];
  if (result.decision === 'ExplicitlyDenied' && deny !== undefined)
    return `a Deny in ${policyWords(deny)} refuses uploads without x-amz-acl: ${OWNER_FULL_CONTROL}`;
  const guard = result.explanations.find(
    (e) =>
      e.effect === 'Allow' &&
      e.mismatch === 'condition' &&
      (e.conditionFailures ?? []).some((f) => f.key.toLowerCase() === 's3:x-amz-acl'),
  );
  if (guard !== undefined)
    return `${policyWords(guard)} allows uploads only with x-amz-acl: ${OWNER_FULL_CONTROL}`;
  const missing = result.missingAllowIn[0];
  return `${missing !== undefined ? (POLICY_WORDS[missing] ?? 'the visible policies') : 'the visible policies'} allow uploads only with x-amz-acl: ${OWNER_FULL_CONTROL}`;
}

/**
 * Whether the visible policies refuse the finding's upload once its ACL headers are dropped, where they
 * let it through (or refuse it less: no longer by a Deny) with `x-amz-acl: bucket-owner-full-control`.
 * The first upload that carried an ACL header is asked (the refused s3:PutObjectAcl of an upload, taken
 * as its s3:PutObject); none, or no difference, gives `undefined`.
 */
export function bucketOwnerFullControlRequired(
  set: PolicySet,
  uploads: readonly UploadCheck[],
): AclRequirement | undefined {
  const upload = uploads.find(
    (u) =>
      UPLOADS.has(u.eventName) &&
      Object.keys(u.request.context ?? {}).some((key) => ACL_KEY.test(key)) &&
      /^arn:[^:]+:s3:::[^/]+\/./.test(u.request.resource),
  );
  if (upload === undefined) return undefined;
  const rest: Record<string, ContextValue> = {};
  for (const [key, value] of Object.entries(upload.request.context ?? {}))
    if (!ACL_KEY.test(key)) rest[key] = value;
  const put = { ...upload.request, action: 's3:PutObject' };
  const policies = upload.set ?? set;
  const without = evaluate(policies, { ...put, context: rest });
  const withOwner = evaluate(policies, { ...put, context: { ...rest, 's3:x-amz-acl': OWNER_FULL_CONTROL } });
  if (RANK[withOwner.decision] <= RANK[without.decision]) return undefined;
  return { by: refuser(without) };
}

/**
 * The condition context of an upload's request as the job must send it once a visible policy requires
 * `bucket-owner-full-control` (see {@link bucketOwnerFullControlRequired}): its ACL headers replaced by
 * `x-amz-acl: bucket-owner-full-control`, for its s3:PutObject and its s3:PutObjectAcl alike. `undefined`
 * when the request is no upload with an ACL header, or already sent that ACL alone. The fix is built and
 * verified with it: with the ACL this run sent (rclone before v1.61's `private`), the upload stays
 * refused whatever is added, and s3:PutObjectAcl granted for that ACL lets no upload through once the
 * job sends the required one.
 */
export function withOwnerFullControl(
  eventName: string,
  context: Readonly<Record<string, ContextValue>> | undefined,
): Record<string, ContextValue> | undefined {
  if (!UPLOADS.has(eventName) || context === undefined) return undefined;
  const aclKeys = Object.keys(context).filter((key) => ACL_KEY.test(key));
  if (aclKeys.length === 0) return undefined;
  const sent = aclKeys.length === 1 ? context[aclKeys[0]!] : undefined;
  if (
    aclKeys[0]?.toLowerCase() === 's3:x-amz-acl' &&
    (sent === OWNER_FULL_CONTROL ||
      (Array.isArray(sent) && sent.length === 1 && sent[0] === OWNER_FULL_CONTROL))
  )
    return undefined;
  const rest: Record<string, ContextValue> = {};
  for (const [key, value] of Object.entries(context)) if (!ACL_KEY.test(key)) rest[key] = value;
  return { ...rest, 's3:x-amz-acl': OWNER_FULL_CONTROL };
}

/** The ACL headers an upload's request sent, in words (`x-amz-acl: private`), for the caveat that says to change them. */
export function aclHeadersOf(context: Readonly<Record<string, ContextValue>> | undefined): string {
  return Object.entries(context ?? {})
    .filter(([key]) => ACL_KEY.test(key))
    .map(
      ([key, value]) =>
        `${key.replace(/^s3:/i, '')}: ${Array.isArray(value) ? value.join(', ') : String(value)}`,
    )
    .join(', ');
}

/** How the tool sends `bucket-owner-full-control` on every upload. */
export function ownerFullControlSetting(tool: string): string {
  return tool === 'rclone'
    ? `acl = ${OWNER_FULL_CONTROL} in the rclone remote (or --s3-acl ${OWNER_FULL_CONTROL})`
    : tool === 'aws-cli'
      ? `--acl ${OWNER_FULL_CONTROL}`
      : `x-amz-acl: ${OWNER_FULL_CONTROL}`;
}

/** Whether an alternative makes the client stop sending ACL headers (it removes s3:PutObjectAcl). */
function dropsAcl(alternative: Alternative): boolean {
  return alternative.removes.some((action) => action.toLowerCase() === 's3:putobjectacl');
}

/**
 * The alternatives without those that drop the ACL header, and the caveat that says why, when the
 * visible policies require `bucket-owner-full-control` (see {@link bucketOwnerFullControlRequired}).
 */
export function withoutAclDroppingAlternatives(
  alternatives: readonly Alternative[],
  requirement: AclRequirement | undefined,
  tool: string,
): { alternatives: readonly Alternative[]; caveat?: string } {
  if (requirement === undefined || !alternatives.some(dropsAcl)) return { alternatives };
  const dropping =
    tool === 'rclone'
      ? 'upgrading rclone past v1.60 or removing its acl setting'
      : tool === 'aws-cli'
        ? 'dropping --acl'
        : 'dropping the ACL header';
  const setting = ownerFullControlSetting(tool);
  return {
    alternatives: alternatives.filter((a) => !dropsAcl(a)),
    caveat: `No alternative without s3:PutObjectAcl is offered: ${requirement.by}, so uploads without an ACL header (${dropping}) would still be refused. Send ${setting} on every upload instead, as AWS advises for buckets that require that ACL (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ensure-object-ownership.html#ensure-object-ownership-bucket-policy).`,
  };
}
