/**
 * Normalised CloudTrail records, independent of the envelope they arrived in.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */

/** Principal types as the explain contract names them. */
export type PrincipalType =
  | 'IAMUser'
  | 'Role'
  | 'FederatedUser'
  | 'Root'
  | 'AWSService'
  | 'AWSAccount'
  | 'IdentityCenter'
  | 'Anonymous'
  | 'Unknown';

/** The caller of a CloudTrail event, normalised. */
export interface Principal {
  readonly type: PrincipalType;
  /** Full ARN of the caller as CloudTrail records it (session ARN for assumed roles), when known. */
  readonly arn?: string;
  /** Account of the caller, when known. */
  readonly account?: string;
  /** IAM user name, role name (without path) or service name. */
  readonly name?: string;
  /** For assumed roles: the role ARN with its path (from sessionContext.sessionIssuer). */
  readonly roleArn?: string;
  /**
   * `roleArn` was rebuilt from a session ARN (`assumed-role/NAME/session`, no sessionIssuer): the role's
   * path, if it has one, is not in it.
   */
  readonly roleArnFromSession?: boolean;
  /** For assumed roles: the session name. */
  readonly sessionName?: string;
  /** For federated users: the IAM user that called GetFederationToken. */
  readonly issuerArn?: string;
  /**
   * For a role session from AssumeRoleWithWebIdentity: the provider the record's
   * `sessionContext.webIdFederationData.federatedProvider` names (an OIDC provider's ARN, or
   * `cognito-identity.amazonaws.com`).
   */
  readonly webIdentityProvider?: string;
  /** For Identity Center roles: the permission set name from `AWSReservedSSO_<name>_<hash>`. */
  readonly permissionSet?: string;
  /** The principal ARN to evaluate policies for (role ARN for sessions, user ARN...). */
  readonly policyPrincipalArn?: string;
  readonly accessKeyId?: string;
  /**
   * For a cross-account caller CloudTrail names only by account (`AWSAccount` without an ARN): its
   * `principalId`, such as `AROAEXAMPLEID:session` (a role's unique ID and the session name) or
   * `AIDAEXAMPLEID` (an IAM user's unique ID).
   */
  readonly principalId?: string;
  /**
   * For the root user: the session is a privileged root session (`sts:AssumeRoot`, centralized root
   * access; `sessionContext.assumedRoot: "true"`), limited to the task policy it was issued with, not
   * the root user signed in.
   *
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html
   */
  readonly assumedRoot?: boolean;
}

/** One CloudTrail record, as much as permission-auditor needs of it. */
export interface CloudTrailRecord {
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion?: string | undefined;
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
  readonly principal: Principal;
  readonly userAgent?: string | undefined;
  readonly sourceIPAddress?: string | undefined;
  readonly vpcEndpointId?: string | undefined;
  readonly recipientAccountId?: string | undefined;
  /**
   * The ID CloudTrail gives every copy of an event it delivers to more than one account (a cross-account
   * request is logged for the requester and, for S3 data events, also for the bucket owner): each copy
   * has its own `eventID` and `recipientAccountId`.
   *
   * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
   */
  readonly sharedEventId?: string | undefined;
  /**
   * The account that owns the VPC endpoint the request went through, which can differ from the caller's
   * (a shared VPC, whose endpoints a network account owns).
   *
   * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
   */
  readonly vpcEndpointAccountId?: string | undefined;
  readonly requestParameters: Readonly<Record<string, unknown>>;
  readonly additionalEventData: Readonly<Record<string, unknown>>;
  readonly resources: readonly CloudTrailResource[];
  readonly readOnly?: boolean | undefined;
  /** The original record, for renderers that quote it. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface CloudTrailResource {
  readonly type?: string;
  /** `ARN` or, for listing events, `ARNPrefix`. */
  readonly arn?: string;
  readonly arnPrefix?: string;
  readonly accountId?: string;
}

/** Policy types an AccessDenied message can name. */
export type MessagePolicyType =
  | 'identity'
  | 'resource'
  | 'permissions-boundary'
  | 'session'
  | 'scp'
  | 'rcp'
  | 'vpc-endpoint';

/** What an AccessDenied error message says. */
export type ParsedDenialMessage =
  | { readonly form: 'legacy' }
  | {
      readonly form: 'enhanced';
      readonly principalArn: string;
      readonly action: string;
      readonly resource?: string;
      readonly denial: 'implicit' | 'explicit';
      readonly policyType: MessagePolicyType;
      /** "transitively through a service control policy" and similar. */
      readonly transitiveVia?: MessagePolicyType;
      /** Policy ARN appended by the IAM Access Troubleshooter form, when present. */
      readonly policyArn?: string;
      readonly authorizationId?: string;
    }
  | {
      /** S3 names one of its settings, not a policy (Block Public Access, blocked SSE-C uploads). */
      readonly form: 'setting';
      /** Absent when the message names no caller and action (`Access Denied because object protected by object lock`). */
      readonly principalArn?: string;
      readonly action?: string;
      readonly resource?: string;
      readonly setting: S3SettingName;
    }
  | { readonly form: 'unrecognised'; readonly text: string };

/**
 * The S3 settings an AccessDenied message can name instead of a policy: the Block Public Access
 * settings that refuse public bucket policies and public ACLs, a bucket's block on SSE-C uploads, and
 * the Object Lock retention or legal hold that protects an object version.
 */
export type S3SettingName = 'BlockPublicPolicy' | 'BlockPublicAcls' | 'BlockedEncryptionTypes' | 'ObjectLock';
