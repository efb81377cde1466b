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
    const keys = list.map((r) => r.key ?? '');
    const common = commonDirectory(keys);
    if (common !== '') {
      // One directory holds them all (most findings, some with thousands of requests): one pattern.
      const pattern = objectPattern(bucket, common);
      for (const r of list) add(pattern, r.action);
      continue;
    }
    const patterns = separateObjectPatterns(bucket, keys);
    list.forEach((r, i) => {
      add(patterns[i] ?? objectPattern(bucket, ''), r.action);
    });
  }
  return [...byResource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([resource, actions]) => ({
      Effect: 'Allow' as const,
      Action: [...actions].sort(),
      Resource: [resource],
    }));
}

/**
 * Most resources a fix spreads object requests over when their keys share no directory, before it
 * takes the whole bucket instead: a policy stays readable and well within IAM's size limits.
 */
export const MAX_SEPARATE_OBJECT_RESOURCES = 8;

/**
 * The object resource for each of the keys of one bucket that share no directory (the bucket itself
 * would be their common directory): each top-level directory gets the common directory of its keys
 * (`logs/2026/*`, `data/*`), and a key at the bucket root its own ARN, unless that makes more than
 * {@link MAX_SEPARATE_OBJECT_RESOURCES} resources.
 */
function separateObjectPatterns(bucket: string, keys: readonly string[]): string[] {
  const byTop = new Map<string, string[]>();
  for (const key of keys) {
    const slash = key.indexOf('/');
    // A root-level key is its own group (its exact ARN); `''` is not a key S3 accepts, but is kept apart.
    const top = slash < 0 ? `\u0000${key}` : key.slice(0, slash + 1);
    const group = byTop.get(top);
    if (group === undefined) byTop.set(top, [key]);
    else group.push(key);
  }
  if (byTop.size > MAX_SEPARATE_OBJECT_RESOURCES || keys.includes(''))
    return keys.map(() => objectPattern(bucket, ''));
  const patternOf = new Map<string, string>();
  for (const [top, group] of byTop) {
    patternOf.set(
      top,
      top.startsWith('\u0000')
        ? `arn:aws:s3:::${bucket}/${literalArnPart(top.slice(1))}`
        : objectPattern(bucket, commonDirectory(group)),
    );
  }
  return keys.map((key) => {
    const slash = key.indexOf('/');
    return patternOf.get(slash < 0 ? `\u0000${key}` : key.slice(0, slash + 1)) ?? objectPattern(bucket, '');
  });
}

/**
 * The caveat for keys at the bucket root that a fix grants one by one (see {@link minimalStatements}):
 * a job that reads or writes other keys there needs the whole bucket, which the fix does not grant.
 */
export function rootLevelKeysCaveat(
  requests: readonly GrantRequest[],
  statements: readonly PolicyStatement[],
): string | undefined {
  // Only an object ARN without a wildcard can be a root-level key's (most fixes have none).
  if (
    !statements.some((s) =>
      s.Resource.some((r) => !r.endsWith('*') && r.startsWith('arn:aws:s3:::') && r.includes('/')),
    )
  )
    return undefined;
  const granted = new Set(statements.flatMap((s) => s.Resource));
  const rootKeys = new Map<string, Set<string>>();
  for (const r of requests) {
    if (r.bucket === undefined || r.key === undefined || r.key.includes('/')) continue;
    if (!granted.has(`arn:aws:s3:::${r.bucket}/${literalArnPart(r.key)}`)) continue;
    const keys = rootKeys.get(r.bucket) ?? new Set<string>();
    keys.add(r.key);
    rootKeys.set(r.bucket, keys);
  }
  if (rootKeys.size === 0) return undefined;
  const named = [...rootKeys].flatMap(([bucket, keys]) => [...keys].map((key) => `${bucket}/${key}`));
  const shown =
    named.length > 3 ? `${named.slice(0, 3).join(', ')} and ${named.length - 3} more` : named.join(', ');
  const buckets = [...rootKeys.keys()].map((bucket) => `arn:aws:s3:::${bucket}/*`).join(', ');
  return `${shown} ${named.length === 1 ? 'is' : 'are'} at the bucket root, which is no directory to scope to: the fix grants ${named.length === 1 ? 'that object' : 'those objects'} alone. If the job reads or writes other objects at the root (a name with a date, say), it needs ${buckets}, the whole bucket: the job profile, when there is one, says so.`;
}
