/**
 * Reading values out of CloudTrail `requestParameters` for S3.
 *
 * S3 data events log request headers and query parameters under their wire names (`x-amz-acl`,
 * `versionId`, `list-type`), and some records wrap a value in a one-element array (`"host": ["..."]`).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html
 */
import { isJsonObject } from '../json/jsonValue.js';

/**
 * The string value of one request parameter, or `undefined` when it is absent or not a scalar.
 * Names are matched exactly first, then case-insensitively, because HTTP header names are
 * case-insensitive and CloudTrail records seen in the wild differ (`Host` vs `host`).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html
 */
export function readParam(params: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const exact = scalar(params[name]);
  if (exact !== undefined) return exact;
  // Case-insensitive fallback without allocating: most looked-up headers are simply absent.
  let lower: string | undefined;
  for (const key in params) {
    if (key.length !== name.length || key === name) continue;
    lower ??= name.toLowerCase();
    if (key.toLowerCase() === lower) {
      const found = scalar(params[key]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Like {@link readParam}, but treats an empty string as absent (CloudTrail logs `bucketName: ""`). */
export function readNonEmptyParam(
  params: Readonly<Record<string, unknown>>,
  name: string,
): string | undefined {
  const value = readParam(params, name);
  return value === undefined || value === '' ? undefined : value;
}

/** A nested object member, e.g. `CreateBucketConfiguration` or `ReplicationConfiguration`. */
export function readObject(value: unknown, name: string): Readonly<Record<string, unknown>> | undefined {
  if (!isJsonObject(value)) return undefined;
  const member = value[name];
  return isJsonObject(member) ? member : undefined;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.length === 1) return scalar(value[0]);
  return undefined;
}
