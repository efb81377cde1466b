/**
 * A recording HTTP proxy in front of an S3 endpoint (moto), and the CloudTrail data events AWS would
 * have logged for the calls it saw.
 *
 * moto does not log S3 data events to CloudTrail (nor serve LookupEvents), so this stands in for
 * CloudTrail: a client (rclone, the AWS SDK) talks to the proxy, the proxy forwards every request
 * unchanged (same path, headers and body, so SigV4 signatures still verify) and remembers the method,
 * path, the headers that matter, the status and S3's error code. `cloudTrailRecords` then writes the
 * calls as CloudTrail S3 data events, in the shape of AWS's documented example.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html (data events)
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';

export interface RecordedCall {
  readonly method: string;
  /** Path and query as sent (percent-encoded). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
  /** S3's `<Code>` and `<Message>` from an error body (HEAD answers have no body). */
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly time: Date;
  /** The CloudTrail event ID of the call: the same in every trail written from it. */
  readonly eventId: string;
}

export interface S3CallRecorder {
  /** `http://127.0.0.1:PORT`: give this to the client as its S3 endpoint. */
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  close(): Promise<void>;
}

function tag(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1];
}

/** Starts a proxy on a free loopback port that forwards to `target` (an `http://host:port` origin). */
export async function startS3CallRecorder(target: string): Promise<S3CallRecorder> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            const answerBody = Buffer.concat(answerChunks);
            const status = answer.statusCode ?? 502;
            const text = status >= 300 ? answerBody.toString('utf8') : '';
            const errorCode = tag(text, 'Code');
            const errorMessage = tag(text, 'Message');
            calls.push({
              method: req.method ?? 'GET',
              url: req.url ?? '/',
              headers: req.headers,
              status,
              ...(errorCode !== undefined ? { errorCode } : {}),
              ...(errorMessage !== undefined ? { errorMessage } : {}),
              time: new Date(),
              eventId: randomUUID(),
            });
            res.writeHead(status, answer.headers);
            res.end(answerBody);
          });
        },
      );
      forward.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${error.message}`);
      });
      forward.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy got no TCP port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    calls,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** An IAM user that made the calls with its access key. */
export interface IamUserIdentity {
  readonly type?: 'IAMUser';
  readonly accountId: string;
  readonly userName: string;
  readonly userId: string;
  readonly accessKeyId: string;
}

/** A role session that made the calls with temporary credentials from AssumeRole. */
export interface AssumedRoleIdentity {
  readonly type: 'AssumedRole';
  readonly accountId: string;
  /** `arn:aws:iam::ACCOUNT:role/PATH/NAME` */
  readonly roleArn: string;
  readonly roleId: string;
  readonly sessionName: string;
  readonly accessKeyId: string;
}

export type CallerIdentity = IamUserIdentity | AssumedRoleIdentity;

/**
 * CloudTrail's `userIdentity` for the caller: for a role session, the session ARN (role name without
 * its path) and the role itself, path kept, as `sessionContext.sessionIssuer`.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
function userIdentity(identity: CallerIdentity, time: string): Record<string, unknown> {
  if (identity.type === 'AssumedRole') {
    const roleName = identity.roleArn.slice(identity.roleArn.lastIndexOf('/') + 1);
    return {
      type: 'AssumedRole',
      principalId: `${identity.roleId}:${identity.sessionName}`,
      arn: `arn:aws:sts::${identity.accountId}:assumed-role/${roleName}/${identity.sessionName}`,
      accountId: identity.accountId,
      accessKeyId: identity.accessKeyId,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: identity.roleId,
          arn: identity.roleArn,
          accountId: identity.accountId,
          userName: roleName,
        },
        attributes: { creationDate: time, mfaAuthenticated: 'false' },
      },
    };
  }
  return {
    type: 'IAMUser',
    principalId: identity.userId,
    arn: `arn:aws:iam::${identity.accountId}:user/${identity.userName}`,
    accountId: identity.accountId,
    accessKeyId: identity.accessKeyId,
    userName: identity.userName,
  };
}

interface S3Operation {
  readonly eventName: string;
  readonly readOnly: boolean;
}

/**
 * The S3 operation of a path-style request, by method, path and query, as S3 names them in CloudTrail
 * (ListObjectsV2 is logged as `ListObjects` with `list-type: 2`). Only the operations the tests' clients
 * make; anything else throws, so a new call shows up as a test failure instead of a wrong event.
 */
function operationOf(
  method: string,
  key: string | undefined,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
): S3Operation {
  // AWS SDKs (Go v2, as in rclone from v1.70; JavaScript v3) add `x-id=OPERATION` to some requests, and
  // a presigned URL carries its signature as `X-Amz-*` query parameters (query string authentication).
  // S3 logs them among the request parameters; they do not change the operation.
  // A read of one part (`GET ?partNumber=1`, the Java SDK's multipart download) is GetObject, and a HEAD
  // with it HeadObject: `partNumber` names an upload's part only with an `uploadId`.
  const readsPart = (method === 'GET' || method === 'HEAD') && key !== undefined && !query.has('uploadId');
  const signal = new URLSearchParams(
    [...query].filter(
      ([name]) => name !== 'x-id' && !isQueryAuthParameter(name) && !(readsPart && name === 'partNumber'),
    ),
  );
  return operationByQuery(method, key, signal, headers);
}

/**
 * The query parameters of SigV4 query string authentication (a presigned URL).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
function isQueryAuthParameter(name: string): boolean {
  return name.toLowerCase().startsWith('x-amz-');
}

/** The access key a call was signed with: in its `Authorization` header, or a presigned URL's `X-Amz-Credential`. */
function signingCredential(call: Pick<RecordedCall, 'url' | 'headers'>): string | undefined {
  const scope = /Credential=([^,\s]+)/.exec(header(call.headers, 'authorization') ?? '')?.[1];
  return scope ?? new URL(call.url, 'http://s3.local').searchParams.get('X-Amz-Credential') ?? undefined;
}

function operationByQuery(
  method: string,
  key: string | undefined,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
): S3Operation {
  const has = (name: string) => query.has(name);
  if (key === undefined) {
    if (method === 'HEAD') return { eventName: 'HeadBucket', readOnly: true };
    if (method === 'GET' && query.size === 0) return { eventName: 'ListObjects', readOnly: true };
    if (method === 'GET' && has('versions')) return { eventName: 'ListObjectVersions', readOnly: true };
    if (method === 'GET' && has('versioning')) return { eventName: 'GetBucketVersioning', readOnly: true };
    if (method === 'GET' && has('location')) return { eventName: 'GetBucketLocation', readOnly: true };
    if (method === 'PUT' && has('versioning')) return { eventName: 'PutBucketVersioning', readOnly: false };
    // Checked before listings: rclone cleanup sends `uploads` with a `prefix`.
    if (method === 'GET' && has('uploads')) return { eventName: 'ListMultipartUploads', readOnly: true };
    if (method === 'GET' && (has('list-type') || has('prefix') || has('delimiter')))
      return { eventName: 'ListObjects', readOnly: true };
    if (method === 'PUT' && query.size === 0) return { eventName: 'CreateBucket', readOnly: false };
    if (method === 'DELETE' && query.size === 0) return { eventName: 'DeleteBucket', readOnly: false };
    if (method === 'POST' && has('delete')) return { eventName: 'DeleteObjects', readOnly: false };
  } else {
    if (method === 'HEAD') return { eventName: 'HeadObject', readOnly: true };
    // A versionId (a read or delete of one version) is logged among the request parameters.
    const plain = query.size === 0 || (query.size === 1 && has('versionId'));
    if (method === 'GET' && plain) return { eventName: 'GetObject', readOnly: true };
    if (method === 'PUT' && has('partNumber') && has('uploadId'))
      return {
        eventName: headers['x-amz-copy-source'] !== undefined ? 'UploadPartCopy' : 'UploadPart',
        readOnly: false,
      };
    if (method === 'PUT' && query.size === 0)
      return {
        eventName: headers['x-amz-copy-source'] !== undefined ? 'CopyObject' : 'PutObject',
        readOnly: false,
      };
    if (method === 'POST' && has('uploads')) return { eventName: 'CreateMultipartUpload', readOnly: false };
    if (method === 'POST' && has('uploadId'))
      return { eventName: 'CompleteMultipartUpload', readOnly: false };
    if (method === 'DELETE' && has('uploadId')) return { eventName: 'AbortMultipartUpload', readOnly: false };
    if (method === 'DELETE' && plain) return { eventName: 'DeleteObject', readOnly: false };
  }
  throw new Error(
    `no CloudTrail event name for ${method} ${key === undefined ? 'bucket' : 'object'} request with query "${query.toString()}"`,
  );
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The region of a SigV4 request, from its credential scope (`AKID/date/REGION/s3/aws4_request`). */
function signedRegion(call: Pick<RecordedCall, 'url' | 'headers'>): string {
  const scope = /^[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(signingCredential(call) ?? '');
  return scope?.[1] ?? 'us-east-1';
}

/**
 * How a refusal's `errorMessage` reads: `legacy` is what moto answers (`Access Denied`); `enhanced` is
 * the message AWS writes for requests within an account, which names the caller, the action and the
 * resource (`User: ARN is not authorized to perform: ACTION on resource: "ARN" because no
 * identity-based policy allows the ACTION action`).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 */
export type MessageForm = 'legacy' | 'enhanced';

/**
 * The IAM action and resource of a refused request, as an enhanced message names them, for operations
 * that need one action (S3's documented mapping). A copy names its destination: moto never checks the
 * source, so a copy it refuses was refused its write. `undefined` keeps the legacy message.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
function refusedRequest(
  eventName: string,
  bucket: string,
  key: string | undefined,
  query: URLSearchParams,
): { action: string; resource: string } | undefined {
  const object = `arn:aws:s3:::${bucket}/${key ?? ''}`;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const version = query.has('versionId');
  switch (eventName) {
    case 'HeadObject':
    case 'GetObject':
      return { action: version ? 's3:GetObjectVersion' : 's3:GetObject', resource: object };
    case 'PutObject':
    case 'CopyObject':
    case 'CreateMultipartUpload':
    case 'UploadPart':
    case 'UploadPartCopy':
    case 'CompleteMultipartUpload':
      return { action: 's3:PutObject', resource: object };
    case 'DeleteObject':
      return { action: version ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: object };
    case 'AbortMultipartUpload':
      return { action: 's3:AbortMultipartUpload', resource: object };
    case 'ListObjects':
    case 'HeadBucket':
      return { action: 's3:ListBucket', resource: bucketArn };
    case 'ListObjectVersions':
      return { action: 's3:ListBucketVersions', resource: bucketArn };
    case 'ListMultipartUploads':
      return { action: 's3:ListBucketMultipartUploads', resource: bucketArn };
    case 'GetBucketVersioning':
      return { action: 's3:GetBucketVersioning', resource: bucketArn };
    case 'PutBucketVersioning':
      return { action: 's3:PutBucketVersioning', resource: bucketArn };
    case 'CreateBucket':
      return { action: 's3:CreateBucket', resource: bucketArn };
    case 'DeleteBucket':
      return { action: 's3:DeleteBucket', resource: bucketArn };
    default:
      return undefined;
  }
}

/**
 * S3's error code and message for an error answered without a body (a HEAD's), by status. A status
 * without one throws, so a new kind of answer shows up as a test failure instead of a wrong error code
 * (a 500 once became NoSuchKey).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 */
function bodilessError(call: RecordedCall, key: string | undefined): readonly [string, string] {
  switch (call.status) {
    case 304:
      return ['NotModified', 'Not Modified'];
    case 403:
      return ['AccessDenied', 'Access Denied'];
    case 404:
      return key !== undefined
        ? ['NoSuchKey', 'The specified key does not exist.']
        : ['NoSuchBucket', 'The specified bucket does not exist'];
    case 412:
      return ['PreconditionFailed', 'At least one of the preconditions you specified did not hold.'];
    case 500:
      return ['InternalError', 'We encountered an internal error. Please try again.'];
    case 503:
      return ['ServiceUnavailable', 'Reduce your request rate.'];
    default:
      throw new Error(
        `no S3 error code for a ${call.status} answer without a body: ${call.method} ${call.url}`,
      );
  }
}

function callerArn(identity: CallerIdentity): string {
  if (identity.type === 'AssumedRole') {
    const roleName = identity.roleArn.slice(identity.roleArn.lastIndexOf('/') + 1);
    return `arn:aws:sts::${identity.accountId}:assumed-role/${roleName}/${identity.sessionName}`;
  }
  return `arn:aws:iam::${identity.accountId}:user/${identity.userName}`;
}

/**
 * The CloudTrail data event for one recorded path-style call by `identity`: event name, request
 * parameters (bucket, key, query parameters, the ACL and copy-source headers), resources, user agent in square
 * brackets as S3 logs it, and the error code and message when S3 refused it (in `messages` form).
 */
export function cloudTrailRecord(
  call: RecordedCall,
  identity: CallerIdentity,
  messages: MessageForm = 'legacy',
): Record<string, unknown> {
  const url = new URL(call.url, 'http://s3.local');
  const [bucketPart, ...keyParts] = url.pathname.slice(1).split('/');
  const bucket = decodeURIComponent(bucketPart ?? '');
  // `/bucket/` (minio-go's form, as in restic) is the bucket too: S3 keys are never empty.
  const joined = keyParts.join('/');
  const key = joined !== '' ? decodeURIComponent(joined) : undefined;
  // `GET /` is ListBuckets, a management event with no bucket and no resources.
  const listBuckets = bucket === '' && call.method === 'GET';
  if (bucket === '' && !listBuckets) throw new Error(`not a bucket request: ${call.method} ${call.url}`);
  const operation = listBuckets
    ? { eventName: 'ListBuckets', readOnly: true }
    : operationOf(call.method, key, url.searchParams, call.headers);
  const requestParameters: Record<string, string> = listBuckets
    ? { Host: header(call.headers, 'host') ?? '' }
    : { bucketName: bucket, Host: header(call.headers, 'host') ?? '' };
  if (key !== undefined) requestParameters.key = key;
  for (const [name, value] of url.searchParams) requestParameters[name] = value;
  // Headers S3 logs among the request parameters (a copy's source, a canned ACL).
  for (const name of ['x-amz-acl', 'x-amz-copy-source']) {
    const value = header(call.headers, name);
    if (value !== undefined) requestParameters[name] = value;
  }
  const bucketResource = {
    accountId: identity.accountId,
    type: 'AWS::S3::Bucket',
    ARN: `arn:aws:s3:::${bucket}`,
  };
  const prefix = url.searchParams.get('prefix');
  const resources = listBuckets
    ? undefined
    : key !== undefined
      ? [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` }, bucketResource]
      : operation.eventName === 'ListObjects' && prefix !== null
        ? [{ type: 'AWS::S3::Object', ARNPrefix: `arn:aws:s3:::${bucket}/${prefix}` }, bucketResource]
        : [bucketResource];
  const eventTime = call.time.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const failed = call.status >= 300;
  const refused =
    messages === 'enhanced' && call.status === 403 && !listBuckets
      ? refusedRequest(operation.eventName, bucket, key, url.searchParams)
      : undefined;
  // A HEAD error has no body: name it as S3 does for that status.
  const bodiless = failed && call.errorCode === undefined ? bodilessError(call, key) : undefined;
  return {
    eventVersion: '1.10',
    userIdentity: userIdentity(identity, eventTime),
    eventTime,
    eventSource: 's3.amazonaws.com',
    eventName: operation.eventName,
    awsRegion: signedRegion(call),
    sourceIPAddress: '127.0.0.1',
    userAgent: `[${header(call.headers, 'user-agent') ?? ''}]`,
    ...(failed
      ? {
          errorCode: call.errorCode ?? bodiless?.[0],
          errorMessage:
            refused !== undefined
              ? `User: ${callerArn(identity)} is not authorized to perform: ${refused.action} on resource: "${refused.resource}" because no identity-based policy allows the ${refused.action} action`
              : (call.errorMessage ?? bodiless?.[1]),
        }
      : {}),
    requestParameters,
    responseElements: null,
    // `QueryString` for a presigned URL, `AuthHeader` for most other requests.
    additionalEventData: {
      AuthenticationMethod:
        header(call.headers, 'authorization') !== undefined ? 'AuthHeader' : 'QueryString',
    },
    requestID: call.eventId.replaceAll('-', '').slice(0, 16).toUpperCase(),
    eventID: call.eventId,
    readOnly: operation.readOnly,
    ...(resources !== undefined ? { resources } : {}),
    eventType: 'AwsApiCall',
    managementEvent: listBuckets,
    recipientAccountId: identity.accountId,
    eventCategory: listBuckets ? 'Management' : 'Data',
  };
}

/** A CloudTrail trail file (`{"Records": [...]}`) of the recorded calls signed with `identity`'s access key. */
export function cloudTrailFile(
  calls: readonly RecordedCall[],
  identity: CallerIdentity,
  messages: MessageForm = 'legacy',
): string {
  const mine = calls.filter((c) => signingCredential(c)?.startsWith(`${identity.accessKeyId}/`) === true);
  return JSON.stringify({ Records: mine.map((c) => cloudTrailRecord(c, identity, messages)) });
}
