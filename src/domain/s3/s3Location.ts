/**
 * Where an S3 request points: partition, bucket, key, and the source of a copy.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
import type { CloudTrailRecord, CloudTrailResource } from '../cloudtrail/types.js';
import { readNonEmptyParam } from './requestParameters.js';
import { s3OperationFor } from './s3Operations.js';

/** Bucket and key named by an S3 ARN (`arn:aws:s3:::bucket/key`). */
export interface S3ArnParts {
  readonly partition: string;
  readonly bucket: string;
  /** Absent for a bucket ARN; may be empty for an `ARNPrefix` such as `arn:aws:s3:::bucket/`. */
  readonly key?: string;
}

const S3_ARN = /^arn:(aws[a-z-]*):s3:::([^/]+)(?:\/(.*))?$/s;

/** Parses a general purpose bucket or object ARN. Access point and Outposts ARNs are not buckets. */
export function parseS3Arn(arn: string): S3ArnParts | undefined {
  const match = S3_ARN.exec(arn);
  if (match === null) return undefined;
  const [, partition, bucket, key] = match;
  if (partition === undefined || bucket === undefined) return undefined;
  return { partition, bucket, ...(key !== undefined ? { key } : {}) };
}

/**
 * Virtual-hosted-style endpoints: `bucket.s3.amazonaws.com`, `bucket.s3.region.amazonaws.com`,
 * legacy `bucket.s3-region.amazonaws.com`, dual-stack, FIPS, interface endpoints
 * (`bucket.vpce-….s3.region.vpce.amazonaws.com`) and China (`….amazonaws.com.cn`).
 * Path-style hosts (`s3.region.amazonaws.com`) carry no bucket, and access point hosts
 * (`name-account.s3-accesspoint.region…`) name an access point, not a bucket.
 */
const VIRTUAL_HOSTED =
  /^(?<bucket>[a-z0-9][a-z0-9.-]*?[a-z0-9])\.(?:vpce-[a-z0-9-]+\.)?s3(?:-fips)?(?:\.dualstack)?(?:[.-](?:[a-z]{2}(?:-[a-z]+)+-\d+|external-1))?\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/;

/**
 * The bucket named by a virtual-hosted-style `Host` header, if any.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
export function bucketFromHost(host: string): string | undefined {
  const hostname = host.trim().toLowerCase().replace(/:\d+$/, '');
  if (/\.s3-(?:accesspoint|object-lambda)\./.test(hostname) || hostname.includes('s3express'))
    return undefined;
  return VIRTUAL_HOSTED.exec(hostname)?.groups?.bucket;
}

/**
 * Whether `name` can be an S3 bucket's: letters, digits, dots, hyphens and underscores (upper case and
 * underscores, up to 255 characters, only in old us-east-1 buckets). A record naming anything else (a
 * `*`, a `/`, a `${…}`) is damaged or forged, and a statement written from it would be a wildcard.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function isBucketName(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,255}$/.test(name);
}

/**
 * What an alias is an alias of, for a name S3 reserves for aliases: bucket names must not end in
 * `-s3alias` (access points; `-ext-s3alias` for those attached to an FSx file system) or `--ol-s3`
 * (Object Lambda access points), so such a name is never a bucket's, and `arn:aws:s3:::<alias>` never
 * matches a request. `undefined` for any other name.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-restrictions-limitations-naming-rules.html
 */
export function accessPointAliasKind(name: string): 'access-point' | 'fsx' | 'object-lambda' | undefined {
  if (name.endsWith('--ol-s3')) return 'object-lambda';
  if (name.endsWith('-ext-s3alias')) return 'fsx';
  return name.endsWith('-s3alias') ? 'access-point' : undefined;
}

/**
 * The caveat of a request made through an access point alias the record names in place of the bucket,
 * with no access point ARN beside it: the alias holds neither the access point's name nor its account.
 */
export function accessPointAliasCaveat(alias: string): string {
  const what =
    accessPointAliasKind(alias) === 'object-lambda'
      ? 'Object Lambda access point alias'
      : 'access point alias';
  const arn =
    accessPointAliasKind(alias) === 'object-lambda'
      ? 'arn:aws:s3-object-lambda:REGION:ACCOUNT:accesspoint/NAME'
      : 'arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME';
  const list =
    accessPointAliasKind(alias) === 'object-lambda'
      ? 'aws s3control list-access-points-for-object-lambda --account-id ACCOUNT'
      : 'aws s3control list-access-points --account-id ACCOUNT';
  return `The request went through ${what} ${alias}, which the record names in place of the bucket: bucket names ending in ${accessPointAliasKind(alias) === 'object-lambda' ? '--ol-s3' : '-s3alias'} are reserved for such aliases, so no bucket has that name and a policy naming arn:aws:s3:::${alias} matches no request (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). The alias holds neither the access point's name nor its account, and the record gives no access point ARN for the request, so it was not evaluated and no fix is proposed: a grant must name the access point's ARN (${arn}, and …/object/KEY for objects), which \`${list}\` shows beside each access point's Alias.`;
}

/**
 * The bucket of the request: `requestParameters.bucketName`, else the bucket ARN in `resources[]`,
 * else the virtual-hosted-style `Host` header. An access point alias (`…-s3alias`, `--ol-s3`) in
 * `bucketName` gives way to the bucket `resources[]` names; with none, the alias stands for it (see
 * {@link accessPointAliasKind}).
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-alias.html
 */
export function bucketOf(record: CloudTrailRecord): string | undefined {
  const named = readNonEmptyParam(record.requestParameters, 'bucketName');
  if (named !== undefined && accessPointAliasKind(named) === undefined) return named;
  const fromResources = s3ResourceArns(record).find(
    (parts) => parts.bucket !== '' && accessPointAliasKind(parts.bucket) === undefined,
  )?.bucket;
  if (fromResources !== undefined || named !== undefined) return fromResources ?? named;
  const host = readNonEmptyParam(record.requestParameters, 'Host');
  return host === undefined ? undefined : bucketFromHost(host);
}

/**
 * The object key of the request: `requestParameters.key`, else the object in `resources[]`
 * (its `ARN`, else its `ARNPrefix`). CloudTrail logs keys as sent, not URL-encoded.
 */
export function keyOf(record: CloudTrailRecord, bucket: string): string | undefined {
  const named = readNonEmptyParam(record.requestParameters, 'key');
  if (named !== undefined) return named;
  for (const resource of record.resources) {
    for (const arn of [resource.arn, resource.arnPrefix]) {
      if (arn === undefined) continue;
      const parts = parseS3Arn(arn);
      if (parts?.bucket === bucket && parts.key !== undefined && parts.key !== '') return parts.key;
    }
  }
  return undefined;
}

/**
 * The AWS partition (`aws`, `aws-cn`, `aws-us-gov`) from the record's S3 ARNs, else from its region.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export function partitionOf(record: CloudTrailRecord): string {
  // The first of s3ResourceArns(record)'s partitions, found without building that list (this runs for
  // every denied event).
  const fromArn = firstS3Partition(record.resources, true) ?? firstS3Partition(record.resources, false);
  if (fromArn !== undefined) return fromArn;
  const region = record.awsRegion ?? '';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

/**
 * The partition of the first S3 ARN (each resource's `ARN`, then its `ARNPrefix`) among the resources of
 * type `AWS::S3::Bucket` (`buckets`) or among the others, in the order {@link s3ResourceArns} reads them.
 */
function firstS3Partition(resources: readonly CloudTrailResource[], buckets: boolean): string | undefined {
  for (const resource of resources) {
    if ((resource.type === 'AWS::S3::Bucket') !== buckets) continue;
    const partition = s3ArnPartition(resource.arn) ?? s3ArnPartition(resource.arnPrefix);
    if (partition !== undefined) return partition;
  }
  return undefined;
}

/** The partition of a general purpose bucket or object ARN, as {@link parseS3Arn} reads it. */
function s3ArnPartition(arn: string | undefined): string | undefined {
  return arn === undefined ? undefined : S3_ARN.exec(arn)?.[1];
}

/** Bucket ARNs first (type `AWS::S3::Bucket`), then object ARNs and prefixes. */
function s3ResourceArns(record: CloudTrailRecord): readonly S3ArnParts[] {
  const ordered = [
    ...record.resources.filter((r) => r.type === 'AWS::S3::Bucket'),
    ...record.resources.filter((r) => r.type !== 'AWS::S3::Bucket'),
  ];
  const parts: S3ArnParts[] = [];
  for (const resource of ordered) {
    for (const arn of [resource.arn, resource.arnPrefix]) {
      const parsed = arn === undefined ? undefined : parseS3Arn(arn);
      if (parsed !== undefined) parts.push(parsed);
    }
  }
  return parts;
}

/** The object a CopyObject/UploadPartCopy reads, from `x-amz-copy-source`. */
export type CopySource =
  | { readonly form: 'bucket'; readonly bucket: string; readonly key: string; readonly versionId?: string }
  /** `arn:aws:s3:region:account:accesspoint/name/object/key`: authorised on that ARN. */
  | { readonly form: 'accessPoint'; readonly arn: string; readonly versionId?: string };

export type CopySourceResult =
  | { readonly ok: true; readonly source: CopySource }
  | {
      readonly ok: false;
      readonly code: 's3.missingCopySource' | 's3.invalidCopySource';
      readonly message: string;
    };

/**
 * Parses `x-amz-copy-source`: `bucket/key` or `/bucket/key`, URL-encoded, optionally followed by
 * `?versionId=…`; or an access point object ARN.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html#API_CopyObject_RequestSyntax
 */
export function parseCopySource(value: string | undefined): CopySourceResult {
  if (value === undefined || value.trim() === '') {
    return { ok: false, code: 's3.missingCopySource', message: 'The request has no x-amz-copy-source.' };
  }
  const queryAt = value.indexOf('?');
  const path = queryAt === -1 ? value : value.slice(0, queryAt);
  const query = queryAt === -1 ? '' : value.slice(queryAt + 1);
  const versionId = new URLSearchParams(query).get('versionId') ?? undefined;
  const versionPart = versionId !== undefined && versionId !== '' ? { versionId } : {};
  const decoded = safeDecode(path.replace(/^\//, ''));
  if (decoded === undefined) {
    return {
      ok: false,
      code: 's3.invalidCopySource',
      message: `x-amz-copy-source is not valid URL encoding: ${value}`,
    };
  }
  if (decoded.startsWith('arn:')) {
    if (!/^arn:aws[a-z-]*:s3:[a-z0-9-]+:\d{12}:accesspoint\/[^/]+\/object\/.+$/s.test(decoded)) {
      return { ok: false, code: 's3.invalidCopySource', message: `Unrecognised copy source ARN: ${decoded}` };
    }
    return { ok: true, source: { form: 'accessPoint', arn: decoded, ...versionPart } };
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    return {
      ok: false,
      code: 's3.invalidCopySource',
      message: `x-amz-copy-source names no object: ${value}`,
    };
  }
  return {
    ok: true,
    source: {
      form: 'bucket',
      bucket: decoded.slice(0, slash),
      key: decoded.slice(slash + 1),
      ...versionPart,
    },
  };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Whether an action name is in the `s3` service prefix (`s3:GetObject`, `S3:getobject`), without copying it. */
export function isS3Action(action: string): boolean {
  return (
    action.length >= 3 &&
    (action.charCodeAt(0) | 0x20) === 0x73 /* s */ &&
    action.charCodeAt(1) === 0x33 /* 3 */ &&
    action.charCodeAt(2) === 0x3a /* : */
  );
}

/**
 * An S3 access point of a general purpose bucket: `arn:aws:s3:region:account:accesspoint/name`. A
 * request through it is authorized on its ARN (`…/object/key` for objects) in identity policies and in
 * the access point's own policy; the bucket policy must also allow it.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-resources-for-iam-policies
 */
export interface AccessPoint {
  readonly arn: string;
  readonly account: string;
  /** The access point's name; a Multi-Region Access Point's alias (`mfzwi23gnjvgw.mrap`). */
  readonly name: string;
  /**
   * A Multi-Region Access Point (`arn:aws:s3::account:accesspoint/alias.mrap`, no Region): identity
   * policies name its ARN and, for objects, `…/object/key`, as for an access point; its own policy and
   * the policy of the bucket the request was routed to apply too.
   *
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointRequests.html
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointPermissions.html
   */
  readonly multiRegion?: true;
  /**
   * The Multi-Region Access Point's account was not in the record (its `Host` does not show it) and was
   * taken to be the bucket owner's, from `resources[]`.
   */
  readonly accountFromBucket?: true;
}

const ACCESS_POINT_ARN = /^arn:aws[a-z-]*:s3:[a-z0-9-]+:(\d{12}):accesspoint\/([a-z0-9-]+)$/;
/** `arn:aws:s3::account:accesspoint/alias.mrap`: no Region, and the alias (`^[a-z][a-z0-9]*[.]mrap$`), not the name. */
const MULTI_REGION_ACCESS_POINT_ARN = /^arn:aws[a-z-]*:s3::(\d{12}):accesspoint\/([a-z][a-z0-9]*\.mrap)$/;
/** `alias.mrap.accesspoint.s3-global.amazonaws.com`, as CloudTrail logs a request through a Multi-Region Access Point. */
const MULTI_REGION_ACCESS_POINT_HOST =
  /^([a-z][a-z0-9]*\.mrap)\.accesspoint\.s3-global\.amazonaws\.com(?:\.cn)?$/;

/** Whether `arn` is a Multi-Region Access Point's (`arn:aws:s3::account:accesspoint/alias.mrap`, objects under it). */
export function isMultiRegionAccessPointArn(arn: string): boolean {
  return /^arn:aws[a-z-]*:s3::\d{12}:accesspoint\/[a-z][a-z0-9]*\.mrap(?:\/|$)/.test(arn);
}

/** An access point ARN as regional or Multi-Region, or `undefined` for anything else. */
function accessPointFromArn(arn: string): AccessPoint | undefined {
  const regional = ACCESS_POINT_ARN.exec(arn);
  if (regional !== null) return { arn, account: regional[1]!, name: regional[2]! };
  const multiRegion = MULTI_REGION_ACCESS_POINT_ARN.exec(arn);
  if (multiRegion !== null)
    return { arn, account: multiRegion[1]!, name: multiRegion[2]!, multiRegion: true };
  return undefined;
}
/** `name-account.s3-accesspoint[-fips][.dualstack].region.amazonaws.com[.cn]` */
const ACCESS_POINT_HOST =
  /^([a-z0-9-]+)-(\d{12})\.s3-accesspoint(?:-fips)?(?:\.dualstack)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * The access point a bucket or object request went through: the `AWS::S3::AccessPoint` entry of
 * `resources[]`, else the access point `Host` header (`name-account.s3-accesspoint.region.amazonaws.com`,
 * or a Multi-Region Access Point's `alias.mrap.accesspoint.s3-global.amazonaws.com`). Only for the bucket
 * and object operations of the S3 catalogue: a request that manages an access point (CreateAccessPoint,
 * PutAccessPointPolicy…) names one without going through it. Object Lambda access points are not
 * recognised.
 *
 * A Multi-Region Access Point's host names its alias but not its account: the account is the one the
 * error message names with that alias (`arn:aws:s3::account:accesspoint/alias.mrap/…`), else the bucket
 * owner's from `resources[]` (flagged `accountFromBucket`); with neither, the request is not taken to be
 * through it.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-monitoring-logging.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-naming.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointMonitoring.html
 */
export function accessPointOf(record: CloudTrailRecord): AccessPoint | undefined {
  // Runs for every denied event: the record's own fields first, the catalogue only when they name one.
  let found: AccessPoint | undefined;
  for (const resource of record.resources) {
    if (resource.type !== 'AWS::S3::AccessPoint' || resource.arn === undefined) continue;
    found = accessPointFromArn(resource.arn);
    if (found !== undefined) break;
  }
  if (found === undefined) {
    const host = readNonEmptyParam(record.requestParameters, 'Host');
    if (host === undefined) return undefined;
    if (host.includes('.s3-accesspoint')) {
      const match = ACCESS_POINT_HOST.exec(host.trim().toLowerCase().replace(/:\d+$/, ''));
      if (match === null) return undefined;
      const [, name, account, region] = match as unknown as [string, string, string, string];
      found = {
        arn: `arn:${partitionOf(record)}:s3:${region}:${account}:accesspoint/${name}`,
        account,
        name,
      };
    } else if (host.includes('.mrap.accesspoint.')) {
      const match = MULTI_REGION_ACCESS_POINT_HOST.exec(host.trim().toLowerCase().replace(/:\d+$/, ''));
      if (match === null) return undefined;
      found = multiRegionAccessPointOf(record, match[1]!);
      if (found === undefined) return undefined;
    } else return undefined;
  }
  const scope = s3OperationFor(record.eventName)?.operation.scope;
  return scope === 'bucket' || scope === 'object' ? found : undefined;
}

/** The Multi-Region Access Point `alias` of the record's account (see {@link accessPointOf}). */
function multiRegionAccessPointOf(record: CloudTrailRecord, alias: string): AccessPoint | undefined {
  const partition = partitionOf(record);
  const message = record.errorMessage;
  const named =
    typeof message === 'string'
      ? new RegExp(
          `arn:${partition}:s3::(\\d{12}):accesspoint/${alias.replace('.', '\\.')}(?![a-z0-9.])`,
        ).exec(message)
      : null;
  if (named !== null) {
    const account = named[1]!;
    return {
      arn: `arn:${partition}:s3::${account}:accesspoint/${alias}`,
      account,
      name: alias,
      multiRegion: true,
    };
  }
  for (const resource of record.resources) {
    if (resource.type !== 'AWS::S3::Bucket' || resource.accountId === undefined) continue;
    if (!/^\d{12}$/.test(resource.accountId)) break;
    const account = resource.accountId;
    return {
      arn: `arn:${partition}:s3::${account}:accesspoint/${alias}`,
      account,
      name: alias,
      multiRegion: true,
      accountFromBucket: true,
    };
  }
  return undefined;
}

/**
 * An access point ARN as a denial message names it: the access point (`…:accesspoint/name`, or a
 * Multi-Region Access Point's `arn:aws:s3::account:accesspoint/alias.mrap`) and, for an object, its key
 * (`…/object/key`).
 */
export function parseAccessPointResource(
  resource: string,
): { readonly accessPoint: AccessPoint; readonly key?: string } | undefined {
  const marker = resource.indexOf(':accesspoint/');
  if (marker < 0) return undefined;
  const slash = resource.indexOf('/', marker + 13);
  const arn = slash < 0 ? resource : resource.slice(0, slash);
  const accessPoint = accessPointFromArn(arn);
  if (accessPoint === undefined) return undefined;
  if (slash < 0) return { accessPoint };
  if (!resource.startsWith('/object/', slash) || resource.length === slash + 8) return undefined;
  return { accessPoint, key: resource.slice(slash + 8) };
}

/** One note per access point (every event through it shares the string). */
const accessPointNotes = new Map<string, string>();

/**
 * The caveat of a request made through an access point: what was evaluated, and what else decides.
 * `bucket` is the bucket the record names behind it: for an access point attached to an FSx file
 * system, its alias (`…-ext-s3alias`), as there is no bucket.
 */
export function accessPointNote(accessPoint: AccessPoint, bucket?: string): string {
  if (accessPoint.multiRegion === true) return multiRegionAccessPointNote(accessPoint);
  if (bucket !== undefined && accessPointAliasKind(bucket) === 'fsx')
    return fsxAccessPointNote(accessPoint, bucket);
  let note = accessPointNotes.get(accessPoint.arn);
  if (note === undefined) {
    note = `The request went through access point ${accessPoint.name} (${accessPoint.arn}): identity-based policies are matched against its ARNs (${accessPoint.arn} for the bucket, ${accessPoint.arn}/object/<key> for objects), not the bucket's, and so is the fix. The access point's own policy, which is not in the input, and the bucket policy must also allow the request: a bucket policy that delegates access control to the account's access points (s3:DataAccessPointAccount) or grants the same access. AWS matches the bucket policy against the bucket's own ARNs, and so does this tool with a bucket policy given here: its Deny statements refuse these requests if they name the bucket, and its Allow (the delegation, or the grant) is what a caller of another account needs. See https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html`;
    if (accessPointNotes.size >= 1024) accessPointNotes.clear();
    accessPointNotes.set(accessPoint.arn, note);
  }
  return note;
}

/**
 * The caveat of a request made through an access point attached to an FSx for NetApp ONTAP or OpenZFS
 * volume: no bucket, so no bucket policy; its own policy, then the file system user identity it is
 * configured with, decide.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-restrictions-limitations-naming-rules.html
 * @see https://docs.aws.amazon.com/fsx/latest/ONTAPGuide/configuring-network-access-for-s3-access-points.html
 */
export function fsxAccessPointNote(accessPoint: AccessPoint, alias: string): string {
  return `The request went through access point ${accessPoint.name} (${accessPoint.arn}), whose alias ${alias} ends in -ext-s3alias, which S3 reserves for access points attached to an FSx file system volume: there is no bucket behind it, so no bucket policy applies, and ${alias} is not a bucket's name. Identity-based policies are matched against its ARNs (${accessPoint.arn}, and ${accessPoint.arn}/object/<key> for files), and so is the fix. The access point's own policy, which is not in the input, must also allow the request, and then the file system user identity the access point is configured with (a UNIX or Windows user) must be allowed the file or directory by the volume's own permissions. See https://docs.aws.amazon.com/fsx/latest/ONTAPGuide/configuring-network-access-for-s3-access-points.html`;
}

/**
 * The caveat of a request made through a Multi-Region Access Point. Its policy and the policy of the
 * bucket the request was routed to apply as an access point's and its bucket's do, except that AWS
 * documents a request from the account that owns them as needing only the identity-based policy.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointPermissions.html
 */
function multiRegionAccessPointNote(accessPoint: AccessPoint): string {
  const cacheKey =
    accessPoint.accountFromBucket === true ? `${accessPoint.arn} from bucket` : accessPoint.arn;
  let note = accessPointNotes.get(cacheKey);
  if (note === undefined) {
    const account =
      accessPoint.accountFromBucket === true
        ? ` Its account is not in the request's Host (${accessPoint.name}.accesspoint.s3-global.amazonaws.com): it was taken to be the bucket owner's, ${accessPoint.account}. A Multi-Region Access Point can serve buckets of other accounts; \`aws s3control list-multi-region-access-points --account-id ACCOUNT --region us-west-2\` lists an account's.`
        : '';
    note = `The request went through Multi-Region Access Point ${accessPoint.name} (${accessPoint.arn}): identity-based policies are matched against its ARNs (${accessPoint.arn} for the bucket, ${accessPoint.arn}/object/<key> for objects), not the bucket's, and so is the fix.${account} The Multi-Region Access Point's own policy, which is not in the input, and the policy of the bucket the request was routed to must also allow the request, the bucket policy directly or by delegating access control to the Multi-Region Access Point; AWS documents that a request from the account that owns them needs only the identity-based policy. A bucket policy given here is evaluated against the bucket's own ARNs: a Deny that names the bucket refuses these requests, and its Allow there is the one a caller of another account needs. See https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointPermissions.html`;
    if (accessPointNotes.size >= 1024) accessPointNotes.clear();
    accessPointNotes.set(cacheKey, note);
  }
  return note;
}
