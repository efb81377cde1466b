/**
 * Realistic CloudTrail S3 records for the S3 catalogue tests, shaped like the examples in
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html
 * (requestParameters by wire name, additionalEventData, tlsDetails, resources with ARN or ARNPrefix).
 */
import type { CloudTrailRecord, CloudTrailResource } from '../../../src/domain/cloudtrail/types.js';

export const CALLER_ACCOUNT = '111122223333';
export const BUCKET = 'backup-bucket';

type Raw = Record<string, unknown>;

export interface DataEventInput {
  readonly eventName: string;
  readonly requestParameters: Raw;
  /** Defaults to the bucket (with owner account) and, when a key is given, the object. */
  readonly resources?: readonly Raw[];
  readonly overrides?: Raw;
}

/** A denied S3 data event for an assumed-role caller, as delivered in a trail log file. */
export function s3Event(input: DataEventInput): Raw {
  const key = input.requestParameters.key;
  const bucket =
    typeof input.requestParameters.bucketName === 'string' ? input.requestParameters.bucketName : BUCKET;
  const defaultResources: Raw[] = [
    ...(typeof key === 'string' ? [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` }] : []),
    { accountId: CALLER_ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
  ];
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEROLEID:backup-job',
      arn: `arn:aws:sts::${CALLER_ACCOUNT}:assumed-role/backup-role/backup-job`,
      accountId: CALLER_ACCOUNT,
      accessKeyId: 'ASIAEXAMPLEKEYID',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEROLEID',
          arn: `arn:aws:iam::${CALLER_ACCOUNT}:role/backup-role`,
          accountId: CALLER_ACCOUNT,
          userName: 'backup-role',
        },
        attributes: { creationDate: '2026-11-20T10:00:00Z', mfaAuthenticated: 'false' },
      },
    },
    eventTime: '2026-11-20T10:15:30Z',
    eventSource: 's3.amazonaws.com',
    eventName: input.eventName,
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: '[rclone/v1.66.0]',
    errorCode: 'AccessDenied',
    errorMessage: 'Access Denied',
    requestParameters: { Host: `${bucket}.s3.eu-west-1.amazonaws.com`, ...input.requestParameters },
    responseElements: null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': 'EXAMPLEamzid2/EXAMPLE=',
      bytesTransferredOut: 243,
    },
    requestID: 'EXAMPLE8B7C6D5E4F',
    eventID: '4f8e7a1b-0c2d-4e3f-9a8b-7c6d5e4f3a2b',
    readOnly: false,
    resources: input.resources ?? defaultResources,
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: CALLER_ACCOUNT,
    eventCategory: 'Data',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${bucket}.s3.eu-west-1.amazonaws.com`,
    },
    ...input.overrides,
  };
}

/**
 * The normalised view of a raw record. A deliberately small mapper so these tests do not depend on
 * the envelope parser; it keeps the fields the S3 catalogue reads.
 */
export function toRecord(raw: Raw): CloudTrailRecord {
  const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const obj = (value: unknown): Raw =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : {};
  const identity = obj(raw.userIdentity);
  const resources: CloudTrailResource[] = (Array.isArray(raw.resources) ? raw.resources : []).map(
    (entry: unknown) => {
      const r = obj(entry);
      const type = str(r.type);
      const arn = str(r.ARN);
      const arnPrefix = str(r.ARNPrefix);
      const accountId = str(r.accountId);
      return {
        ...(type !== undefined ? { type } : {}),
        ...(arn !== undefined ? { arn } : {}),
        ...(arnPrefix !== undefined ? { arnPrefix } : {}),
        ...(accountId !== undefined ? { accountId } : {}),
      };
    },
  );
  const optional = (name: string): Raw => {
    const value = str(raw[name]);
    return value !== undefined ? { [name]: value } : {};
  };
  const account = str(identity.accountId);
  const arn = str(identity.arn);
  return {
    eventId: str(raw.eventID) ?? '',
    eventTime: str(raw.eventTime) ?? '',
    eventSource: str(raw.eventSource) ?? '',
    eventName: str(raw.eventName) ?? '',
    ...optional('awsRegion'),
    ...optional('errorCode'),
    ...optional('errorMessage'),
    ...optional('userAgent'),
    ...optional('sourceIPAddress'),
    ...optional('vpcEndpointId'),
    ...optional('recipientAccountId'),
    principal: {
      type: 'Role',
      ...(arn !== undefined ? { arn } : {}),
      ...(account !== undefined ? { account } : {}),
    },
    requestParameters: obj(raw.requestParameters),
    additionalEventData: obj(raw.additionalEventData),
    resources,
    raw,
  };
}

/** Shorthand: a normalised record for one S3 data event. */
export function s3Record(input: DataEventInput): CloudTrailRecord {
  return toRecord(s3Event(input));
}
