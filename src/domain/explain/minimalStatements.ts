/**
 * The smallest statement set that grants exactly the denied requests: the denied actions (no
 * wildcards), the bucket ARN for bucket-level actions, the common key prefix (cut back to its last `/`)
 * for object-level actions, and `*` only for actions that take no resource.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-resources-for-iam-policies
 */
import { literalArnPart } from '../tools/jobResourceArns.js';
import type { PolicyStatement } from './report.js';

export interface GrantRequest {
  readonly action: string;
  readonly resource: string;
  readonly bucket?: string;
  readonly key?: string;
}

/** Longest common prefix of the keys, cut back to (and including) its last `/`; `''` for none. */
export function commonDirectory(keys: readonly string[]): string {
  if (keys.length === 0) return '';
  const first = keys[0]!;
  // The common prefix is first.slice(0, length): only its length shrinks while the keys are compared.
  let length = first.length;
  for (const key of keys) {
    let i = 0;
    const end = Math.min(length, key.length);
    while (i < end && first.charCodeAt(i) === key.charCodeAt(i)) i++;
    length = i;
  }
  const slash = first.lastIndexOf('/', length - 1);
  return slash < 0 || length === 0 ? '' : first.slice(0, slash + 1);
}

/** Object ARN pattern for everything under `directory` of `bucket` (wildcard characters in keys made literal). */
export function objectPattern(bucket: string, directory: string): string {
  return `arn:aws:s3:::${bucket}/${literalArnPart(directory)}*`;
}

/** Statements granting exactly the requests' actions on the narrowest resources, one statement per resource. */
export function minimalStatements(requests: readonly GrantRequest[]): PolicyStatement[] {
  const byResource = new Map<string, Set<string>>();
  const add = (resource: string, action: string): void => {
    let actions = byResource.get(resource);
    if (actions === undefined) {
      actions = new Set();
      byResource.set(resource, actions);
    }
    actions.add(action);
  };
  const objectRequests = new Map<string, GrantRequest[]>();
  for (const r of requests) {
    if (r.bucket !== undefined && r.key !== undefined) {
      const list = objectRequests.get(r.bucket) ?? [];
      list.push(r);
      objectRequests.set(r.bucket, list);
    } else {
      add(r.resource, r.action);
    }
  }
  for (const [bucket, list] of objectRequests) {
    const pattern = objectPattern(bucket, commonDirectory(list.map((r) => r.key ?? '')));
    for (const r of list) add(pattern, r.action);
  }
  return [...byResource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([resource, actions]) => ({
      Effect: 'Allow' as const,
      Action: [...actions].sort(),
      Resource: [resource],
    }));
}
