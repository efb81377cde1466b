/**
 * Building blocks for explain tests: a realistic denied S3 data-event record, a one-user account
 * snapshot, and an explain context.
 */
import assert from 'node:assert/strict';
import type { ExplainContext } from '../../../src/domain/explain/context.js';
import type { Finding } from '../../../src/domain/explain/report.js';
import { parseAccountSnapshot } from '../../../src/domain/snapshot/accountSnapshot.js';
import type { AccountSnapshot } from '../../../src/domain/snapshot/types.js';

export const ACCOUNT = '111122223333';

/** A handful of real S3 action names, standing in for the full catalogue in verification probes. */
export const S3_ACTIONS = [
  'GetObject',
  'PutObject',
  'ListBucket',
  'DeleteObject',
  'PutObjectAcl',
  'CreateBucket',
  'GetObjectVersion',
  'ListAllMyBuckets',
];

let counter = 0;

/** A denied PutObject by IAM user `backup` on `data/in/a.csv`; override any field. */
export function deniedRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    eventVersion: '1.10',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/backup`,
      accountId: ACCOUNT,
      userName: 'backup',
    },
    eventTime: '2026-11-27T10:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'PutObject',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: '[aws-cli/2.15.0 Python/3.11 md/command#s3.cp]',
    errorCode: 'AccessDenied',
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::data/in/a.csv" because no identity-based policy allows the s3:PutObject action`,
    requestParameters: { bucketName: 'data', key: 'in/a.csv', Host: 'data.s3.eu-west-1.amazonaws.com' },
    responseElements: null,
    eventID: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    readOnly: false,
    resources: [
      { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::data/in/a.csv' },
      { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' },
    ],
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Data',
    ...overrides,
  };
}

/**
 * A refused object-level call of the fixtures' user: `eventName`, authorized as `action` on `bucket/key`,
 * with the enhanced message; `overrides` set the rest (the user agent, say).
 */
export function deniedObjectRecord(
  eventName: string,
  action: string,
  bucket: string,
  key: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const objectArn = `arn:aws:s3:::${bucket}/${key}`;
  return deniedRecord({
    eventName,
    errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/backup is not authorized to perform: ${action} on resource: "${objectArn}" because no identity-based policy allows the ${action} action`,
    requestParameters: { bucketName: bucket, key, Host: `${bucket}.s3.eu-west-1.amazonaws.com` },
    resources: [
      { type: 'AWS::S3::Object', ARN: objectArn },
      { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
    ...overrides,
  });
}

/**
 * A successful ListObjectsV2 of `prefix` in bucket `data` by the fixtures' user (CloudTrail logs it as
 * ListObjects with list-type 2), or with `versions` a ListObjectVersions, with `delimiter` when given:
 * evidence, not a denial.
 */
export function succeededListing(
  prefix: string,
  options: { userAgent: string; delimiter?: string; versions?: boolean },
): Record<string, unknown> {
  return deniedRecord({
    eventName: options.versions === true ? 'ListObjectVersions' : 'ListObjects',
    userAgent: options.userAgent,
    errorCode: undefined,
    errorMessage: undefined,
    requestParameters: {
      bucketName: 'data',
      ...(options.versions === true ? { versions: '' } : { 'list-type': '2' }),
      prefix,
      'max-keys': '1000',
      ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
      Host: 'x',
    },
    resources: [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data' }],
  });
}

/** A `UserDetailList` entry of get-account-authorization-details for user `name`; `overrides` set the rest. */
export function userDetail(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    UserName: name,
    UserId: 'AIDAEXAMPLE',
    Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    Path: '/',
    GroupList: [],
    AttachedManagedPolicies: [],
    ...overrides,
  };
}

/** A `Policies` entry: customer-managed policy `name` whose default (and only) version is `document`. */
export function managedPolicy(name: string, document: unknown, overrides: Record<string, unknown> = {}) {
  return {
    PolicyName: name,
    Arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`,
    Path: '/',
    DefaultVersionId: 'v1',
    // No AttachmentCount or PermissionsBoundaryUsageCount: a test that needs IAM's counts gives them.
    PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: document }],
    ...overrides,
  };
}

/** An account snapshot with one IAM user holding one inline policy. */
export function snapshotWithUser(userName: string, policy: unknown): AccountSnapshot {
  const parsed = parseAccountSnapshot(
    {
      UserDetailList: [
        {
          UserName: userName,
          UserId: 'AIDAEXAMPLE',
          Arn: `arn:aws:iam::${ACCOUNT}:user/${userName}`,
          Path: '/',
          GroupList: [],
          AttachedManagedPolicies: [],
          UserPolicyList: [{ PolicyName: 'inline', PolicyDocument: policy }],
        },
      ],
      GroupDetailList: [],
      RoleDetailList: [],
      Policies: [],
    },
    'test',
  );
  assert.ok(parsed.ok);
  return parsed.snapshot;
}

export function explainContext(overrides: Partial<ExplainContext> = {}): ExplainContext {
  return {
    bucketPolicies: new Map(),
    scpLevels: [],
    rcpLevels: [],
    s3Actions: S3_ACTIONS,
    windowMinutes: 60,
    ...overrides,
  };
}

/** An explain context whose account holds the fixtures' user `backup` with one inline policy of `statements`. */
export function backupUserContext(statements: readonly unknown[]): ExplainContext {
  return explainContext({
    snapshot: snapshotWithUser('backup', { Version: '2012-10-17', Statement: statements }),
  });
}

/** A finding of an IAM user with nothing in it but what a report-level pass reads; `overrides` set the rest. */
export function bareFinding(principalArn: string, overrides: Partial<Finding> = {}): Finding {
  return {
    eventIds: ['e'],
    principal: { arn: principalArn, type: 'IAMUser', account: ACCOUNT },
    client: { tool: 'rclone' },
    firstSeen: '2026-11-28T00:00:00Z',
    lastSeen: '2026-11-28T00:00:00Z',
    requests: [],
    cause: 'identity-missing-allow',
    evidence: 'policies',
    deniedBy: [],
    fix: null,
    alternatives: [],
    jobProfile: null,
    caveats: [],
    summary: '',
    ...overrides,
  };
}
