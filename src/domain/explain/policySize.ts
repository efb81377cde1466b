/**
 * IAM's size quotas for the documents a fix writes, counted as IAM counts them: characters without
 * white space.
 *
 * - a managed policy (a version of it, a permissions boundary too): 6,144;
 * - the inline policies of one entity together: a user's 2,048, a group's 5,120, a role's 10,240;
 * - a service control policy: 5,120, white space included (Organizations counts the text it is sent);
 * - a bucket policy: 20 KB (S3's quota, in bytes);
 * - a permission set's inline policy: 10,240 (IAM Identity Center's quota).
 *
 * IAM refuses a document over its quota (LimitExceeded), so a fix whose document would be over it cannot
 * be applied as it is.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html
 */
import { decodePolicyDocument } from '../policy/policyDocument.js';
import type { PolicyHolder } from '../snapshot/types.js';

export const MANAGED_POLICY_QUOTA = 6144;
export const SERVICE_CONTROL_POLICY_QUOTA = 5120;
export const BUCKET_POLICY_QUOTA_BYTES = 20 * 1024;

/** The quota on the inline policies of one user, group or role together. */
export function inlinePolicyQuota(kind: PolicyHolder['kind']): number {
  return kind === 'user' ? 2048 : kind === 'group' ? 5120 : 10240;
}

/** The size IAM counts for a policy document: its characters as JSON, white space left out. */
export function iamPolicySize(document: unknown): number {
  const decoded = decodePolicyDocument(document);
  const text = JSON.stringify(decoded.ok ? decoded.document : document) ?? '';
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) size++;
  }
  return size;
}

/** The size S3 counts for a bucket policy: the bytes of its JSON (compact). */
export function bucketPolicyBytes(document: unknown): number {
  return utf8Length(JSON.stringify(document) ?? '');
}

/** The length of `text` in UTF-8 bytes. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A surrogate is half of a 4-byte character (JSON.stringify writes a lone one as a \\u escape).
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
  }
  return bytes;
}

const n = (value: number) => value.toLocaleString('en-US');

const IAM_QUOTAS =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length';

/** The size Organizations counts for an SCP: the characters of its JSON, as compact as it can be sent. */
export function scpSize(document: unknown): number {
  return (JSON.stringify(document) ?? '').length;
}

/** The note for a fix moved from a managed policy whose new version would be over the quota. */
export function movedFromTooLargeNote(name: string, size: number): string {
  return `The statements do not go into ${name}, which already grants S3 on the bucket: its new version would be ${n(size)} characters (white space aside), over IAM's quota of ${n(MANAGED_POLICY_QUOTA)} for a managed policy, and IAM would refuse it (${IAM_QUOTAS}).`;
}

/** The caveat for an inline policy that takes the entity's inline policies over their quota together. */
export function inlineTooLargeNote(holder: PolicyHolder, size: number, attachedPolicies = 0): string {
  const quota = inlinePolicyQuota(holder.kind);
  const full =
    attachedPolicies >= ATTACHED_POLICIES_MAXIMUM
      ? ` The ${holder.kind} already has ${attachedPolicies} managed policies attached, IAM's maximum of ${ATTACHED_POLICIES_MAXIMUM}: detach one, or merge two, before attaching another.`
      : attachedPolicies >= ATTACHED_POLICIES_QUOTA
        ? ` The ${holder.kind} already has ${attachedPolicies} managed policies attached; IAM's default quota is ${ATTACHED_POLICIES_QUOTA} (up to ${ATTACHED_POLICIES_MAXIMUM} on request): check the account's quota, or detach one, before attaching another.`
        : '';
  return `The inline policy the fix writes would take the inline policies of ${holder.kind} ${holder.name} to ${n(size)} characters together (white space aside), over IAM's quota of ${n(quota)} for a ${holder.kind}'s: IAM would refuse it (LimitExceeded). Put the statements in a new customer-managed policy attached to the ${holder.kind} instead (aws iam create-policy, then aws iam attach-${holder.kind}-policy), whose own quota is ${n(MANAGED_POLICY_QUOTA)} characters (${IAM_QUOTAS}).${full}`;
}

/** Managed policies attached to one user or role: IAM's default quota, and the most it can be raised to. */
export const ATTACHED_POLICIES_QUOTA = 10;
export const ATTACHED_POLICIES_MAXIMUM = 20;

/** The caveat for a permissions boundary whose new version would be over the quota. */
export function boundaryTooLargeNote(name: string, size: number): string {
  return `The new version of the permissions boundary ${name} would be ${n(size)} characters (white space aside), over IAM's quota of ${n(MANAGED_POLICY_QUOTA)} for a managed policy: IAM would refuse it (LimitExceeded). A principal has one boundary, so make room in this one: merge statements with the same Effect and actions into one Resource list, and drop Sids and statements that others cover (${IAM_QUOTAS}).`;
}

/** The caveat for a bucket policy over S3's quota. */
export function bucketPolicyTooLargeNote(bucket: string, bytes: number): string {
  return `With the statements, the policy of bucket ${bucket} would be ${n(bytes)} bytes as compact JSON, over S3's quota of 20 KB for a bucket policy: S3 would refuse it. Make room in it: merge statements for the same principal and actions into one Resource list (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html).`;
}

/**
 * IAM Identity Center's quota on a permission set's inline policy: 10,240 characters without white
 * space (and 32,768 bytes as sent). The role it provisions holds it as the inline policy
 * {@link PERMISSION_SET_INLINE_POLICY}, under the role's own quota of the same 10,240.
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html
 */
export const PERMISSION_SET_INLINE_QUOTA = 10240;

/** The name of the inline policy a permission set's provisioned role holds its inline policy as. */
export const PERMISSION_SET_INLINE_POLICY = 'AwsSSOInlinePolicy';

const IDENTITY_CENTER_QUOTAS = 'https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html';

/** Why a permission set's new inline policy cannot be applied, in a few words (a fix's `overQuota`). */
export function permissionSetTooLargeReason(name: string, size: number): string {
  return `the inline policy of the permission set ${name} would be ${n(size)} characters (white space aside), over IAM Identity Center's quota of ${n(PERMISSION_SET_INLINE_QUOTA)}`;
}

/** The caveat for a permission set whose new inline policy would be over the quota. */
export function permissionSetTooLargeNote(name: string, size: number): string {
  return `With the statements, the inline policy of the permission set ${name} would be ${n(size)} characters (white space aside), over IAM Identity Center's quota of ${n(PERMISSION_SET_INLINE_QUOTA)}: it would refuse it, and a permission set has one inline policy. Make room in it (merge statements with the same Effect and actions into one Resource list), or put the statements in a customer managed policy the permission set references, which must exist with the same name in every account it is provisioned to (${IDENTITY_CENTER_QUOTAS}, https://docs.aws.amazon.com/singlesignon/latest/userguide/howtocmp.html).`;
}

/** The caveat for a service control policy whose new document would be over the quota. */
export function scpTooLargeNote(name: string, size: number): string {
  return `The new document of the service control policy ${name} would be ${n(size)} characters as compact JSON, over the quota of ${n(SERVICE_CONTROL_POLICY_QUOTA)} for a service control policy: Organizations would refuse it. Make room in it (merge statements with the same Effect and actions into one Resource list), or put the statements in another policy of the organization's own attached to the same target (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).`;
}

/** The verification line of a fix with `count` documents over their quota (see the caveats for which). */
export function overQuotaLine(count: number): string {
  return count === 1
    ? 'Not verified as applicable: a document it changes would be refused as it is (over a size quota, or a policy that cannot be changed; see the caveats).'
    : `Not verified as applicable: ${count} documents it changes would be refused as they are (over size quotas, or policies that cannot be changed; see the caveats).`;
}

/** The over-quota caveats of a fix's documents, added to its caveats as they come, and counted. */
export class OverQuotaNotes {
  readonly #caveats: string[];
  #count = 0;

  constructor(caveats: string[]) {
    this.#caveats = caveats;
  }

  /** Adds the caveat of a document over its quota (`undefined`: the document fits). */
  add(over: string | undefined): void {
    if (over === undefined) return;
    this.#caveats.push(over);
    this.#count++;
  }

  get count(): number {
    return this.#count;
  }
}
