/**
 * Advice that depends on who the caller is: where its permissions come from and what to change.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
import type { Principal } from '../cloudtrail/types.js';
import type { FindingCause } from './report.js';

/** `bucket`: the finding's bucket, undefined when its requests name none (ListBuckets). */
type Advice = (principal: Principal, cause: FindingCause, bucket: string | undefined) => string | undefined;

/** One entry per principal type; each cites the AWS page that defines the behaviour. */
const ADVICE: Readonly<Record<Principal['type'], Advice>> = {
  IAMUser: () => undefined,
  Role: (p, cause) =>
    cause === 'session-policy'
      ? `The role session ${p.sessionName ?? ''} was created with a session policy (AssumeRole's Policy/PolicyArns): the session can do only what both the role's policies and that session policy allow. Pass a session policy that allows the request, or none (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session).`
      : undefined,
  FederatedUser: (p) =>
    /:root$/.test(p.issuerArn ?? '')
      ? `A federated user the root user issued (GetFederationToken called with the root user's credentials, ${p.issuerArn}): the root user has full access in its own account, so the federated user has what the session policy passed to GetFederationToken allows (nothing without one), within the SCPs and the bucket policy. Session policies are not visible in CloudTrail: change the one the job passes, or issue its credentials from an IAM user or role instead of the root user (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html).`
      : `A federated user (GetFederationToken) has only what both its issuing user ${p.issuerArn ?? ''} and the session policy passed to GetFederationToken allow; without a session policy it has no permissions. Session policies are not visible in CloudTrail (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html).`,
  Root: (p, cause) =>
    // A privileged root session (sts:AssumeRoot) is not the root user's full access: its task policy,
    // an AWS managed policy passed as TaskPolicyArn, scopes it as a session policy does.
    p.assumedRoot === true
      ? "This is a privileged root session (sts:AssumeRoot, centralized root access: the record's sessionContext.assumedRoot), not the root user signed in: it can do only what the task policy it was started with allows (the AWS managed policy passed as AssumeRoot's TaskPolicyArn, such as S3UnlockBucketPolicy to delete a bucket policy that locks everyone out), which scopes it as a session policy does. This record does not name the task policy; the AssumeRoot call that started the session, logged in the management or delegated administrator account that made it, does. A request outside that task is refused whatever else allows it: start a session with the task policy for it, or make the request with other credentials (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html, https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html, https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-track-privileged-tasks.html)."
      : cause === 'resource-policy-missing-allow'
        ? "The root user has full access in its own account only: another account's bucket must allow it in its bucket policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)."
        : 'The root user has full access in its own account: a denial comes from an SCP, an RCP, an explicit Deny in a bucket policy, or a control outside IAM (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).',
  AWSService: (p) =>
    `The request was made by ${p.name !== undefined ? `the AWS service ${p.name}` : 'an AWS service the record does not name (no invokedBy)'}: only the bucket policy (a statement with Principal {"Service": "${p.name ?? '<service>'}"}) can allow it (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services).`,
  AWSAccount: (_p, _cause, bucket) =>
    bucket === undefined
      ? "The caller belongs to another AWS account: its own account's policies must allow the request, which names no bucket, so no bucket's policy takes part (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)."
      : "The caller belongs to another AWS account: both its own account's policies and this bucket's policy must allow the request (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).",
  IdentityCenter: (p, cause) =>
    // An Identity Center user's own identity (IdentityCenterUser: trusted identity propagation, as S3
    // Access Grants takes it), not a permission-set role: no IAM policy of the account's is its own.
    p.roleArn === undefined && p.permissionSet === undefined && p.arn === undefined
      ? `The request was made with an IAM Identity Center user's own identity (${p.name !== undefined ? `user ID ${p.name}` : 'user ID not in the record'}), through trusted identity propagation, not with a permission-set role: S3 grants such an identity access through S3 Access Grants, so look for a grant to that user, or a group of theirs, on the location in the account's Access Grants instance; no IAM policy of the account's is theirs, and none can be proposed here (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants-directory-ids.html).`
      : cause === 'boundary-missing-allow'
        ? `This is an IAM Identity Center role, and its permissions boundary is the one the permission set ${p.permissionSet ?? ''} sets: a customer managed policy IAM Identity Center refers to by name and path in each account it provisions the permission set to, or an AWS managed policy. Add the statements to that policy (in every account the permission set is provisioned to, each holding its own copy), or set another boundary on the permission set; IAM refuses edits to the AWSReservedSSO_ role itself (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PermissionsBoundary.html).`
        : `This is an IAM Identity Center role: change the permission set ${p.permissionSet ?? ''} in IAM Identity Center (inline policy or managed policies of the permission set) and re-provision. IAM refuses edits to the AWSReservedSSO_ role itself ("Cannot perform the operation on the protected role ... this role is only modifiable by AWS"): IAM Identity Center updates it from the permission set (https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html, https://repost.aws/knowledge-center/identity-center-aws-reserved-sso).`,
  Anonymous: () =>
    'The request was anonymous (unsigned): only a bucket policy with Principal "*", or an ACL that grants the AllUsers group (an object or bucket made public-read by its ACL), can allow it, and S3 Block Public Access may still block it. A public ACL stops counting once ACLs are disabled (Object Ownership set to "Bucket owner enforced") or IgnorePublicAcls is on: objects that were public through their ACL alone are then refused with 403, and a bucket policy must grant the public access instead. If the client should be signing requests, check its credentials (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html, https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html, https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).',
  Unknown: (p) =>
    p.arn === undefined
      ? 'CloudTrail did not identify the caller, so its policies could not be looked up.'
      : `The record's userIdentity type is not one permission-auditor knows, so the caller is known only by its ARN ${p.arn}: its policies were looked up by that ARN (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).`,
};

export function principalAdvice(
  principal: Principal,
  cause: FindingCause,
  bucket?: string,
): string | undefined {
  return ADVICE[principal.type](principal, cause, bucket);
}
