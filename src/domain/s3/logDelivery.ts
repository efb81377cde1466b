/**
 * What the keys of AWS's log deliveries tell about them. A service that delivers logs into a customer's
 * bucket writes them under a layout its documentation gives, and names in it whom it delivers for:
 * CloudWatch Logs' vended logs (VPC Flow Logs and others, `delivery.logs.amazonaws.com`), CloudTrail and
 * AWS Config write `[prefix/]AWSLogs/<account-id>/…`, and their bucket policies pair that path with
 * `aws:SourceAccount` set to the same account; S3 server access logging writes
 * `[TargetPrefix]YYYY-mm-DD-HH-MM-SS-UniqueString`, a name that never repeats. S3 Inventory
 * (`s3.amazonaws.com`) writes each run under `destination-prefix/source-bucket/config-ID/`, in a new
 * `YYYY-MM-DDTHH-MMZ/` manifest directory beside `data/` and `hive/dt=…/`, and S3 Storage Lens
 * (`storage-lens.s3.amazonaws.com`) each daily export under
 * `destination-prefix/StorageLens/<account-id>/<config-id>/V_1/…/dt=YYYY-MM-DD/`: their bucket policies
 * name the source bucket, or the dashboard, as `aws:SourceArn`.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html#server-log-keyname-format
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage_lens_whatis_metrics_export_manifest.html
 */

/** The services whose keys name, as `AWSLogs/<account-id>/`, the account they deliver for (`aws:SourceAccount`). */
const ACCOUNT_IN_KEY_SERVICES: ReadonlySet<string> = new Set([
  'delivery.logs.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'config.amazonaws.com',
]);

/** The page where AWS documents each service's key layout and bucket policy. */
const LAYOUT_DOCS: Readonly<Record<string, string>> = {
  'delivery.logs.amazonaws.com':
    'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html',
  'cloudtrail.amazonaws.com':
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
  'config.amazonaws.com': 'https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html',
  'logdelivery.elasticloadbalancing.amazonaws.com':
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html',
  'logging.s3.amazonaws.com':
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html#server-log-keyname-format',
  's3.amazonaws.com': 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html',
  'storage-lens.s3.amazonaws.com':
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage_lens_whatis_metrics_export_manifest.html',
};

/** How each report service names its objects anew, where that is not a log's timestamp and unique string. */
const REPORT_NAMING: Readonly<Record<string, string>> = {
  's3.amazonaws.com':
    'S3 Inventory writes every run in a new manifest directory named by its start time (YYYY-MM-DDTHH-MMZ/), beside new data files',
  'storage-lens.s3.amazonaws.com':
    'S3 Storage Lens writes every daily export in a new partition (dt=YYYY-MM-DD/)',
};

/** How a delivery service names each new object, for the caveat of a fix granted under its prefix. */
export function deliveryNaming(service: string | undefined): string {
  return (
    (service === undefined ? undefined : REPORT_NAMING[service]) ??
    'the service names each new object anew (a timestamp and a unique string)'
  );
}

/** The page where AWS documents a log-delivery service's key layout, `undefined` for another service. */
export function deliveryLayoutDoc(service: string | undefined): string | undefined {
  return service === undefined ? undefined : LAYOUT_DOCS[service];
}

/** The log-delivery services whose documented key layouts {@link deliveryPrefix} knows. */
const PREFIXED_SERVICES: ReadonlySet<string> = new Set([
  ...ACCOUNT_IN_KEY_SERVICES,
  'logdelivery.elasticloadbalancing.amazonaws.com',
  'logging.s3.amazonaws.com',
  's3.amazonaws.com',
  'storage-lens.s3.amazonaws.com',
]);

/** `[prefix/]AWSLogs/<account-id>/…`: an account's logs (not an organization trail's, `AWSLogs/o-…/`). */
const ACCOUNT_LOGS = /^(.*?(?:^|\/)AWSLogs\/)(\d{12})\//;
/** `[prefix/]AWSLogs/o-…/<member-account>/…`: an organization trail's logs. */
const ORGANIZATION_LOGS = /^(.*?(?:^|\/)AWSLogs\/)(o-[a-z0-9]{10,32})\/(\d{12})\//;
/** `[TargetPrefix]YYYY-mm-DD-HH-MM-SS-UniqueString`: a server access log object (the simple format). */
const ACCESS_LOG_SIMPLE = /^(.*?)\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-Za-z]+$/;
/** `[TargetPrefix]<account>/<region>/<bucket>/YYYY/mm/DD/YYYY-mm-DD-HH-MM-SS-UniqueString` (partitioned). */
const ACCESS_LOG_PARTITIONED =
  /^(.*?)\d{12}\/[a-z0-9-]+\/[^/]+\/\d{4}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-Za-z]+$/;

/**
 * An S3 Inventory object: `destination-prefix/source-bucket/config-ID/` then its run's
 * `YYYY-MM-DDTHH-MMZ/manifest.json` (or `.checksum`), a `data/` file (CSV, ORC or Parquet) or
 * `hive/dt=YYYY-MM-DD-HH-MM/symlink.txt`.
 */
const INVENTORY =
  /^((?:.*\/)?)([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/([^/]+)\/(?:\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z\/manifest\.(?:json|checksum)|data\/[^/]+\.(?:csv\.gz|orc|parquet)|hive\/dt=\d{4}-\d{2}-\d{2}-\d{2}-\d{2}\/symlink\.txt)$/;
/** An S3 Storage Lens export: `[destination-prefix/]StorageLens/<account-id>/<config-id>/V_1/…`. */
const STORAGE_LENS = /^(.*?(?:^|\/)StorageLens\/)(\d{12})\/([^/]+)\/V_\d+\//;

/**
 * What a report delivery's key names as the source AWS's bucket policy for it conditions on: the
 * inventoried bucket of an S3 Inventory object (`aws:SourceArn` `arn:aws:s3:::<source-bucket>`), or the
 * account and dashboard of an S3 Storage Lens export (`aws:SourceArn`
 * `arn:aws:s3:<region>:<account-id>:storage-lens/<config-id>`). `undefined` for another service or key.
 */
export function reportSourceInKey(
  service: string | undefined,
  key: string | undefined,
):
  | { readonly kind: 'inventory'; readonly bucket: string }
  | { readonly kind: 'storage-lens'; readonly account: string; readonly configId: string }
  | undefined {
  if (key === undefined) return undefined;
  if (service === 's3.amazonaws.com') {
    const inventory = INVENTORY.exec(key);
    return inventory === null ? undefined : { kind: 'inventory', bucket: inventory[2]! };
  }
  if (service === 'storage-lens.s3.amazonaws.com') {
    const lens = STORAGE_LENS.exec(key);
    return lens === null ? undefined : { kind: 'storage-lens', account: lens[2]!, configId: lens[3]! };
  }
  return undefined;
}

/**
 * The account a log delivery acts for, as its key names it (`AWSLogs/444455556666/…` of a
 * `delivery.logs.amazonaws.com`, CloudTrail or AWS Config delivery): what the service sets as
 * `aws:SourceAccount`. An inference from the layout AWS documents, not a value the record holds;
 * `undefined` for another service, another key, or an organization trail's key (whose trail, and so
 * `aws:SourceAccount`, is the management account's, not the member's the key names).
 */
export function sourceAccountInKey(service: string | undefined, key: string | undefined): string | undefined {
  if (service === undefined || key === undefined || !ACCOUNT_IN_KEY_SERVICES.has(service)) return undefined;
  return ACCOUNT_LOGS.exec(key)?.[2];
}

/** An organization trail's key (`AWSLogs/o-…/<member>/…`): the organization's ID, `undefined` otherwise. */
export function organizationInKey(key: string | undefined): string | undefined {
  return key === undefined ? undefined : ORGANIZATION_LOGS.exec(key)?.[2];
}

/**
 * The prefix a log-delivery service writes every object of this delivery under, as AWS documents its
 * layout: `[prefix/]AWSLogs/<account-id>/` (or `AWSLogs/o-…/` for an organization trail) for CloudWatch
 * Logs' vended logs, CloudTrail, AWS Config and Elastic Load Balancing, and the target prefix of S3
 * server access logging (`''` at the bucket root), an S3 Inventory configuration's
 * `destination-prefix/source-bucket/config-ID/` and an S3 Storage Lens dashboard's
 * `[destination-prefix/]StorageLens/<account-id>/<config-id>/`. `undefined` for another service or a key
 * of another shape.
 */
export function deliveryPrefix(service: string | undefined, key: string): string | undefined {
  if (service === undefined || !PREFIXED_SERVICES.has(service)) return undefined;
  if (service === 'logging.s3.amazonaws.com')
    return ACCESS_LOG_PARTITIONED.exec(key)?.[1] ?? ACCESS_LOG_SIMPLE.exec(key)?.[1];
  if (service === 's3.amazonaws.com') {
    const inventory = INVENTORY.exec(key);
    return inventory === null ? undefined : `${inventory[1]}${inventory[2]}/${inventory[3]}/`;
  }
  if (service === 'storage-lens.s3.amazonaws.com') {
    const lens = STORAGE_LENS.exec(key);
    return lens === null ? undefined : `${lens[1]}${lens[2]}/${lens[3]}/`;
  }
  const organization = ORGANIZATION_LOGS.exec(key);
  if (organization !== null) return `${organization[1]}${organization[2]}/`;
  const account = ACCOUNT_LOGS.exec(key);
  return account === null ? undefined : `${account[1]}${account[2]}/`;
}
