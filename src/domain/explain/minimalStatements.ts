/**
 * The smallest statement set that grants exactly the denied requests: the denied actions (no
 * wildcards), the bucket ARN for bucket-level actions, the common key prefix (cut back to its last `/`)
 * for object-level actions, and `*` only for actions that take no resource.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-resources-for-iam-policies
 */

import { partitionOfArn } from '../policy/arnPartition.js';
import { boundedMemo } from '../policy/boundedMemo.js';
import type { ContextValue } from '../policy/types.js';
import type { S3AuthorizationCheck } from '../s3/types.js';
import { bucketArnOf, literalArnPart, literalObjectArn } from '../tools/jobResourceArns.js';
import type { PolicyStatement } from './report.js';

export interface GrantRequest {
  readonly action: string;
  readonly resource: string;
  readonly bucket?: string;
  readonly key?: string;
  /** The resource is a pattern for every object (the record does not log the keys): granted as it is. */
  readonly anyKey?: true;
  /** The access point the request went through: its object resources are `<access point>/object/<key>`. */
  readonly accessPoint?: string;
  /**
   * A listing an Allow limits by `s3:prefix` refused for its prefix: granted for that prefix alone (see
   * {@link listPrefixPattern}), under the other conditions of that Allow.
   */
  readonly listPrefix?: {
    readonly prefix: string;
    readonly conditions?: PolicyStatement['Condition'];
  };
  /** The request's condition context: the canned ACL an ACL request set (see {@link cannedAclOf}). */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

/**
 * The grant request for an S3 check as it was made: its action and resource, with the bucket, key,
 * access point and every-object flag that shape the granted resource (no condition context).
 */
export function grantRequestOf(
  check: Pick<S3AuthorizationCheck, 'action' | 'resource' | 'bucket' | 'key' | 'accessPoint' | 'anyKey'>,
): GrantRequest {
  return {
    action: check.action,
    resource: check.resource,
    ...(check.bucket !== undefined ? { bucket: check.bucket } : {}),
    ...(check.key !== undefined ? { key: check.key } : {}),
    ...(check.accessPoint !== undefined ? { accessPoint: check.accessPoint } : {}),
    ...(check.anyKey === true ? { anyKey: true as const } : {}),
  };
}

/** The actions whose whole effect is the ACL they set (a PutObject with an ACL header needs s3:PutObjectAcl too). */
const ACL_SETTING_ACTIONS = new Set(['s3:putobjectacl', 's3:putobjectversionacl', 's3:putbucketacl']);

/**
 * The canned ACL (`x-amz-acl`) a request that sets an ACL carried, if it carried one. Such a request is
 * granted with `StringEquals s3:x-amz-acl` and that value, not for any ACL: s3:PutObjectAcl granted
 * bare lets the caller set any ACL on every object the resource names (the bucket owner's own, or
 * public-read where Block Public Access allows it), which is what a bucket policy that allows uploads
 * only with `bucket-owner-full-control` guards against. `s3:x-amz-acl` is a condition key of these
 * actions, so the grant still allows the request as it was sent. ACLs given by `x-amz-grant-*` headers
 * (whose values name grantees) or in the request body are granted as before.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-actions-as-permissions
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ensure-object-ownership.html#ensure-object-ownership-bucket-policy
 */
export function cannedAclOf(r: GrantRequest): string | undefined {
  if (r.context === undefined || !ACL_SETTING_ACTIONS.has(r.action.toLowerCase())) return undefined;
  const acl = r.context['s3:x-amz-acl'];
  const value = Array.isArray(acl) ? (acl.length === 1 ? acl[0] : undefined) : acl;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The `StringLike` value of `s3:prefix` that allows listing `prefix`: a directory (`table/year=2026/`)
 * with what is under it (`table/year=2026/*`), another prefix (`table/year=2026`, as a client looking
 * for a directory lists it) as it is; its wildcard characters made literal.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html
 */
export function listPrefixPattern(prefix: string): string {
  return prefix.endsWith('/') ? `${literalArnPart(prefix)}*` : literalArnPart(prefix);
}

/**
 * The statements for listings refused for their prefix: per resource and other conditions, the actions
 * with the prefixes (`StringLike s3:prefix`) refused.
 */
function listPrefixStatements(requests: readonly GrantRequest[]): PolicyStatement[] {
  const groups = new Map<
    string,
    {
      resource: string;
      conditions: PolicyStatement['Condition'];
      actions: Set<string>;
      prefixes: Set<string>;
    }
  >();
  for (const r of requests) {
    if (r.listPrefix === undefined) continue;
    const key = `${r.resource}|${JSON.stringify(r.listPrefix.conditions ?? {})}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        resource: r.resource,
        conditions: r.listPrefix.conditions,
        actions: new Set(),
        prefixes: new Set(),
      };
      groups.set(key, group);
    }
    group.actions.add(r.action);
    group.prefixes.add(listPrefixPattern(r.listPrefix.prefix));
  }
  return [...groups.values()].map(({ resource, conditions, actions, prefixes }) => {
    const values = [...prefixes].sort();
    const like = conditions?.StringLike ?? {};
    return {
      Effect: 'Allow' as const,
      Action: [...actions].sort(),
      Resource: [resource],
      Condition: {
        ...conditions,
        StringLike: { ...like, 's3:prefix': values.length === 1 ? values[0]! : values },
      },
    };
  });
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

/**
 * Object ARN pattern for everything under `directory` of `bucket` (wildcard characters in keys made
 * literal), in the bucket's partition (`aws` when `undefined`).
 */
export function objectPattern(bucket: string, directory: string, partition?: string): string {
  return patternUnder(bucketArnOf(bucket, partition), directory);
}

/** Everything under `directory` of the objects named `<base>/<key>` (a bucket ARN, or `<access point>/object`). */
function patternUnder(base: string, directory: string): string {
  return `${base}/${literalArnPart(directory)}*`;
}

/** Where the request's object ARNs start: its bucket's ARN, or its access point's `…/object`. */
function objectBase(r: GrantRequest & { readonly bucket: string }): string {
  return r.accessPoint !== undefined
    ? `${r.accessPoint}/object`
    : bucketArnOf(r.bucket, partitionOfArn(r.resource));
}

/**
 * The request's object base (see {@link objectBase}), taken from `last` when the request's resource
 * starts with it: a finding's requests (thousands, some) nearly all share one.
 */
function objectBaseLike(r: GrantRequest & { readonly bucket: string }, last: string | undefined): string {
  return last !== undefined && r.resource.startsWith(last) && r.resource.charCodeAt(last.length) === 0x2f
    ? last
    : objectBase(r);
}

/**
 * The condition that grants an ACL-setting action for the canned ACLs given alone (`StringEquals
 * s3:x-amz-acl`, see {@link cannedAclOf}); `undefined` for none. A fix's statements and a job profile's
 * take the same one.
 */
export function cannedAclCondition(acls: Iterable<string>): PolicyStatement['Condition'] | undefined {
  const values = [...new Set(acls)].sort();
  if (values.length === 0) return undefined;
  return { StringEquals: { 's3:x-amz-acl': values.length === 1 ? values[0]! : values } };
}

/**
 * A job profile's statement with its ACL-setting actions (s3:PutObjectAcl for uploads that send an ACL
 * header) moved to a statement of their own, granted for the canned ACLs the job sends (or must send)
 * alone, as the fix grants them: bare, the profile would let the caller set any ACL on every object the
 * statement names. Unchanged when `acls` is absent or empty (an ACL given by `x-amz-grant-*` headers, or
 * none seen in the input) or the statement holds no such action.
 */
export function withAclActionsApart(
  statement: PolicyStatement,
  acls: readonly string[] | undefined,
): PolicyStatement[] {
  const condition = cannedAclCondition(acls ?? []);
  const aclActions = statement.Action.filter((action) => ACL_SETTING_ACTIONS.has(action.toLowerCase()));
  if (condition === undefined || aclActions.length === 0 || statement.Condition !== undefined)
    return [statement];
  const rest = statement.Action.filter((action) => !aclActions.includes(action));
  const apart: PolicyStatement = {
    ...(statement.Sid !== undefined ? { Sid: `${statement.Sid}Acl` } : {}),
    Effect: statement.Effect,
    Action: aclActions,
    Resource: statement.Resource,
    Condition: condition,
  };
  return rest.length === 0 ? [apart] : [{ ...statement, Action: rest }, apart];
}

/** Statements granting exactly the requests' actions on the narrowest resources, one statement per resource. */
export function minimalStatements(requests: readonly GrantRequest[]): PolicyStatement[] {
  // Per resource, and apart from them per resource the ACL requests granted for their canned ACL.
  const byResource = new Map<string, { resource: string; actions: Set<string>; acls?: Set<string> }>();
  const add = (resource: string, action: string, acl?: string): void => {
    const key = acl === undefined ? resource : `${resource}\u0000acl`;
    let group = byResource.get(key);
    if (group === undefined) {
      group = { resource, actions: new Set(), ...(acl !== undefined ? { acls: new Set<string>() } : {}) };
      byResource.set(key, group);
    }
    group.actions.add(action);
    if (acl !== undefined) group.acls?.add(acl);
  };
  // Per bucket ARN (in its partition: the requests come from the input), or per access point.
  const objectRequests = new Map<string, GrantRequest[]>();
  let lastBase: string | undefined;
  let prefixed = false;
  let passed: Map<string, Set<string>> | undefined;
  for (const r of requests) {
    if (r.listPrefix !== undefined) {
      prefixed = true;
      continue;
    }
    const service = passedToService(r);
    if (service !== undefined) {
      passed ??= new Map();
      const roles = passed.get(service) ?? new Set<string>();
      roles.add(r.resource);
      passed.set(service, roles);
      continue;
    }
    if (r.bucket !== undefined && r.key !== undefined) {
      const base = objectBaseLike(r as GrantRequest & { readonly bucket: string }, lastBase);
      lastBase = base;
      const found = objectRequests.get(base);
      if (found !== undefined) found.push(r);
      else objectRequests.set(base, [r]);
    } else {
      // A bucket, `*`, or an object granted by its exact ARN (a check of that key alone): its key made
      // literal. A check for any object (keys not logged) is the pattern it is.
      add(r.anyKey === true ? r.resource : literalObjectArn(r.resource), r.action, cannedAclOf(r));
    }
  }
  for (const [base, list] of objectRequests) {
    const keys = list.map((r) => r.key ?? '');
    const common = commonDirectory(keys);
    if (common !== '') {
      // One directory holds them all (most findings, some with thousands of requests): one pattern.
      const pattern = patternUnder(base, common);
      for (const r of list) add(pattern, r.action, cannedAclOf(r));
      continue;
    }
    const patterns = separateObjectPatterns(base, keys);
    list.forEach((r, i) => {
      add(patterns[i] ?? patternUnder(base, ''), r.action, cannedAclOf(r));
    });
  }
  const statements: PolicyStatement[] = [...byResource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { resource, actions, acls }]) => {
      const condition = cannedAclCondition(acls ?? []);
      return {
        Effect: 'Allow' as const,
        Action: [...actions].sort(),
        Resource: [resource],
        ...(condition !== undefined ? { Condition: condition } : {}),
      };
    });
  if (passed !== undefined)
    for (const [service, roles] of [...passed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      statements.push({
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [...roles].sort(),
        Condition: { StringEquals: { 'iam:PassedToService': service } },
      });
  return prefixed ? [...statements, ...listPrefixStatements(requests)] : statements;
}

/**
 * The service an iam:PassRole request passes its role to (S3, for a replication configuration's role),
 * from its context. Such a request is granted with `StringEquals iam:PassedToService` and that service,
 * the IAM key that limits which service a role may be passed to: granted bare, the caller could pass the
 * role to any service that accepts one.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
 */
function passedToService(r: GrantRequest): string | undefined {
  if (r.context === undefined || r.action.toLowerCase() !== 'iam:passrole') return undefined;
  const service = r.context['iam:PassedToService'];
  return typeof service === 'string' && service !== '' ? service : undefined;
}

/**
 * Most resources a fix spreads object requests over when their keys share no directory, before it
 * takes the whole bucket instead: a policy stays readable and well within IAM's size limits.
 */
export const MAX_SEPARATE_OBJECT_RESOURCES = 8;

/**
 * The keys grouped by the place at the top of the bucket they are in: their top-level directory
 * (`logs/`), or, for a key at the bucket root, the key itself after a NUL (`\u0000app.yml`, which no
 * directory starts with). Groups in the order first met.
 */
function byTopLevelPlace(keys: readonly string[]): Map<string, string[]> {
  const byTop = new Map<string, string[]>();
  for (const key of keys) {
    const slash = key.indexOf('/');
    // A root-level key is its own group (its exact ARN); `''` is not a key S3 accepts, but is kept apart.
    const top = slash < 0 ? `\u0000${key}` : key.slice(0, slash + 1);
    const group = byTop.get(top);
    if (group === undefined) byTop.set(top, [key]);
    else group.push(key);
  }
  return byTop;
}

/**
 * The places at the top of the bucket that the keys (or listing prefixes) are in: each top-level
 * directory (`logs/`), and each key at the root as it is, in the order first met.
 */
export function topLevelPlaces(keys: readonly string[]): string[] {
  return [...byTopLevelPlace(keys).keys()].map((top) => (top.startsWith('\u0000') ? top.slice(1) : top));
}

/**
 * The directories a fix grants keys that share no directory in (see {@link separateObjectPatterns}): for
 * each top-level directory, the common directory of its keys (`logs/2026/`, `data/`), in the order first
 * met. `undefined` when that is not a set of directories: the keys share one (it holds them all), one is
 * at the bucket root (the fix grants it by its own ARN), or they spread over more than
 * {@link MAX_SEPARATE_OBJECT_RESOURCES} places (the fix takes the whole bucket).
 */
export function separateDirectories(keys: readonly string[]): string[] | undefined {
  if (keys.length === 0 || commonDirectory(keys) !== '') return undefined;
  const byTop = byTopLevelPlace(keys);
  if (byTop.size < 2 || byTop.size > MAX_SEPARATE_OBJECT_RESOURCES) return undefined;
  if ([...byTop.keys()].some((top) => top.startsWith('\u0000'))) return undefined;
  return [...byTop.values()].map(commonDirectory);
}

/**
 * The object resource for each of the keys of one bucket that share no directory (the bucket itself
 * would be their common directory): each top-level directory gets the common directory of its keys
 * (`logs/2026/*`, `data/*`), and a key at the bucket root its own ARN, unless that makes more than
 * {@link MAX_SEPARATE_OBJECT_RESOURCES} resources.
 */
function separateObjectPatterns(base: string, keys: readonly string[]): string[] {
  const byTop = byTopLevelPlace(keys);
  if (byTop.size > MAX_SEPARATE_OBJECT_RESOURCES || keys.includes(''))
    return keys.map(() => patternUnder(base, ''));
  const patternOf = new Map<string, string>();
  for (const [top, group] of byTop) {
    patternOf.set(
      top,
      top.startsWith('\u0000')
        ? `${base}/${literalArnPart(top.slice(1))}`
        : patternUnder(base, commonDirectory(group)),
    );
  }
  return keys.map((key) => {
    const slash = key.indexOf('/');
    return patternOf.get(slash < 0 ? `\u0000${key}` : key.slice(0, slash + 1)) ?? patternUnder(base, '');
  });
}

/**
 * The caveat for a fix that grants a bucket's (or access point's) every object because the refused keys
 * spread over more than {@link MAX_SEPARATE_OBJECT_RESOURCES} top-level directories and root-level keys:
 * the statement reaches further than the refused requests, which the verification's probes (beyond the
 * fix's own resources) do not show.
 */
export function wholeBucketCaveat(
  requests: readonly GrantRequest[],
  statements: readonly PolicyStatement[],
): string | undefined {
  const granted = new Set(statements.flatMap((s) => s.Resource));
  // A request for any object (keys not logged) needs the whole bucket anyway, and its caveat says so.
  const anyKeyBases = new Set(requests.filter((r) => r.anyKey === true).map((r) => r.resource));
  const tops = new Map<string, { bucket: string; tops: Set<string> }>();
  for (const r of requests) {
    if (r.bucket === undefined || r.key === undefined || r.key === '' || r.anyKey === true) continue;
    const base = objectBase(r as GrantRequest & { readonly bucket: string });
    if (!granted.has(`${base}/*`) || anyKeyBases.has(`${base}/*`)) continue;
    const slash = r.key.indexOf('/');
    const top = slash < 0 ? r.key : r.key.slice(0, slash + 1);
    const found = tops.get(base);
    if (found !== undefined) found.tops.add(top);
    else tops.set(base, { bucket: r.bucket, tops: new Set([top]) });
  }
  const wide = [...tops.entries()].filter(([, t]) => t.tops.size > MAX_SEPARATE_OBJECT_RESOURCES);
  if (wide.length === 0) return undefined;
  const said = wide.map(([base, { bucket, tops: names }]) => {
    const list = [...names].sort();
    const shown =
      list.length > 4 ? `${list.slice(0, 4).join(', ')} and ${list.length - 4} more` : list.join(', ');
    const directories = list.filter((name) => name.endsWith('/')).length;
    const where = [
      directories > 0 ? `${directories} top-level ${directories === 1 ? 'directory' : 'directories'}` : '',
      list.length > directories
        ? `${list.length - directories} ${list.length - directories === 1 ? 'object' : 'objects'} at the root`
        : '',
    ]
      .filter((part) => part !== '')
      .join(' and ');
    return `${base}/* (bucket ${bucket}: the refused keys are in ${where}: ${shown})`;
  });
  return `The fix grants every object of ${said.join('; ')}: more than ${MAX_SEPARATE_OBJECT_RESOURCES} places to grant one by one, so it takes the whole ${wide.length === 1 ? 'bucket' : 'buckets'}, which is more than the refused requests need. To keep it narrower, replace that resource with one per directory the job works in (the keys are under "Denied requests").`;
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
      s.Resource.some(
        (r) => !r.endsWith('*') && (r.includes(':s3:::') || r.includes(':accesspoint/')) && r.includes('/'),
      ),
    )
  )
    return undefined;
  const granted = new Set(statements.flatMap((s) => s.Resource));
  // Per object base (bucket ARN or access point): the bucket's name, and its keys at the root.
  const rootKeys = new Map<string, { bucket: string; keys: Set<string> }>();
  for (const r of requests) {
    if (r.bucket === undefined || r.key === undefined || r.key.includes('/')) continue;
    const base = objectBase(r as GrantRequest & { readonly bucket: string });
    if (!granted.has(`${base}/${literalArnPart(r.key)}`)) continue;
    const found = rootKeys.get(base);
    if (found !== undefined) found.keys.add(r.key);
    else rootKeys.set(base, { bucket: r.bucket, keys: new Set([r.key]) });
  }
  if (rootKeys.size === 0) return undefined;
  const named = [...rootKeys.values()].flatMap(({ bucket, keys }) =>
    [...keys].map((key) => `${bucket}/${key}`),
  );
  const shown =
    named.length > 3 ? `${named.slice(0, 3).join(', ')} and ${named.length - 3} more` : named.join(', ');
  const buckets = [...rootKeys.keys()].map((base) => `${base}/*`).join(', ');
  return `${shown} ${named.length === 1 ? 'is' : 'are'} at the bucket root, which is no directory to scope to: the fix grants ${named.length === 1 ? 'that object' : 'those objects'} alone. If the job reads or writes other objects at the root (a name with a date, say), it needs ${buckets}, the whole bucket: the job profile, when there is one, says so.`;
}

/**
 * A directory segment that names a date or a time partition: a year (`2026`), a month or day
 * (`2026-11`, `2026-11-29`, `20261129`), a day with its time (`2026-11-29T01-00Z`, S3 Inventory's run
 * directories, `20261129T0100Z`), an ISO week or a quarter (`2026-W48`, `2026-Q4`), or a Hive-style
 * partition (`dt=2026-11-29`, `year=2026`).
 */
const DATED_SEGMENT =
  /^(?:(?:19|20)\d{2}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01])(?:T\d{2}(?:[-:.]?\d{2}){0,2}Z?)?)?)?|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:T\d{2}(?:\d{2}){0,2}Z?)?|(?:19|20)\d{2}-?(?:W(?:0[1-9]|[1-4]\d|5[0-3])|Q[1-4])|(?:year|month|day|hour|date|dt|ds|week)=[^/]+)$/i;

/** A directory segment that names a release (`v2.4.1`, `1.18.0`, `v3.0.0-rc.1`). */
const VERSION_SEGMENT = /^v?\d+\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.-]+)?$/;

/** Whether a directory name is a date (`2026`, `2026-11`, `2026-11-29`, `20261129`) or a Hive date partition (`dt=…`). */
export function isDatedSegment(segment: string): boolean {
  return DATED_SEGMENT.test(segment);
}

/** Each object resource of the statements inside a dated directory, with the prefix above its date (`…/exports/*`). */
export function datedDirectories(statements: readonly PolicyStatement[]): ReadonlyMap<string, string> {
  return directoriesAbove(statements, aboveDated);
}

/** Each object resource of the statements inside a release's directory, with the prefix above it (`…/releases/*`). */
export function versionedDirectories(statements: readonly PolicyStatement[]): ReadonlyMap<string, string> {
  return directoriesAbove(statements, aboveVersion);
}

/**
 * The `s3:prefix` above the first dated directory of a listed prefix (`table/` for
 * `table/year=2026/month=11/`, as `*`: `table/*`), if it has one.
 */
export function datedPrefixAbove(prefix: string): string | undefined {
  const base = 'arn:aws:s3:::bucket/';
  const above = aboveDated(`${base}${literalArnPart(prefix)}*`);
  return above?.slice(base.length);
}

/**
 * A bucket's objects, or an access point's (`…:accesspoint/name/object/key`, a Multi-Region Access
 * Point's without a Region), granted with a trailing `*`.
 */
const OBJECT_RESOURCE =
  /^(arn:aws[a-z-]*:s3:::[^/]+|arn:aws[a-z-]*:s3:[a-z0-9-]*:\d{12}:accesspoint\/[^/]+\/object)\/(.*)\*$/;

/** The prefix above the first directory of an object resource that `marker` matches, if one does. */
function aboveMarker(resource: string, marker: RegExp): string | undefined {
  const bucket = OBJECT_RESOURCE.exec(resource);
  if (bucket === null) return undefined;
  const directories = bucket[2]!.split('/').slice(0, -1);
  const marked = directories.findIndex((segment) => marker.test(segment));
  if (marked < 0) return undefined;
  const above = directories.slice(0, marked).join('/');
  return `${bucket[1]}/${above === '' ? '' : `${above}/`}*`;
}

// Per resource: the fixes and job profiles of a trail's findings name the same resources again and again.
const aboveDated = boundedMemo((resource: string) => aboveMarker(resource, DATED_SEGMENT), 4096);
const aboveVersion = boundedMemo((resource: string) => aboveMarker(resource, VERSION_SEGMENT), 4096);

function directoriesAbove(
  statements: readonly PolicyStatement[],
  above: (resource: string) => string | undefined,
): ReadonlyMap<string, string> {
  const wider = new Map<string, string>();
  for (const statement of statements) {
    for (const resource of statement.Resource) {
      const prefix = above(resource);
      if (prefix !== undefined) wider.set(resource, prefix);
    }
  }
  return wider;
}

/**
 * The caveat for a fix whose object resources sit in a dated directory (`exports/2026/11/29/*`): the
 * grant covers what was refused, but a job that writes or reads a new dated directory on every run is
 * refused again on the next one. It names the prefix above the first dated segment, wider than what
 * was refused, for the user to choose; the fix itself stays minimal. A job profile scoped to where the
 * job was seen working gets the same note (`directoriesNamedElsewhere`: its notes already name the
 * prefix above the date). A bucket whose name holds a date (`acme-exports-2027`) gets the same advice
 * for the series of buckets (`acme-exports-*`).
 */
export function datedDirectoryCaveat(
  statements: readonly PolicyStatement[],
  granter: 'fix' | 'job profile' = 'fix',
  directoriesNamedElsewhere = false,
  saidForFix: readonly PolicyStatement[] = [],
): string | undefined {
  // What the fix's own caveat already says (the profile grants the fix's dated directory, say) is not
  // said again for the profile: the wider resource it names is the same.
  const none = new Map<string, string>();
  const saidDated = saidForFix.length > 0 ? datedDirectories(saidForFix) : none;
  const unsaid = (
    own: ReadonlyMap<string, string>,
    said: ReadonlyMap<string, string>,
  ): Map<string, string> =>
    said.size === 0 ? new Map(own) : new Map([...own].filter(([key, widened]) => said.get(key) !== widened));
  const wider = directoriesNamedElsewhere
    ? new Map<string, string>()
    : unsaid(datedDirectories(statements), saidDated);
  const buckets = unsaid(datedBuckets(statements), saidForFix.length > 0 ? datedBuckets(saidForFix) : none);
  // A release directory already inside a dated one is covered by the wider prefix above the date.
  const releases = new Map(
    [
      ...(directoriesNamedElsewhere
        ? none
        : unsaid(
            versionedDirectories(statements),
            saidForFix.length > 0 ? versionedDirectories(saidForFix) : none,
          )),
    ].filter(([resource]) => !wider.has(resource) && !saidDated.has(resource)),
  );
  if (wider.size === 0 && buckets.size === 0 && releases.size === 0) return undefined;
  const than = granter === 'fix' ? 'what was refused' : 'where the job was seen working';
  const sentences: string[] = [];
  if (wider.size > 0) {
    const pairs = [...wider].map(([resource, widened]) => `${widened} for ${resource}`);
    sentences.push(
      `The ${granter} grants a dated directory (${[...wider.keys()].join(', ')}): a job that writes or reads a new one on every run (daily exports, logs, partitions) will be refused again on the next. To grant the job's whole tree instead, wider than ${than}, use ${pairs.join('; ')}.`,
    );
  }
  if (releases.size > 0) {
    const pairs = [...releases].map(([resource, widened]) => `${widened} for ${resource}`);
    sentences.push(
      `The ${granter} grants a release's directory (${[...releases.keys()].join(', ')}): a job that publishes a new version on every run will be refused again on the next. To grant the releases' tree instead, wider than ${than}, use ${pairs.join('; ')}.`,
    );
  }
  if (buckets.size > 0) {
    const pairs = [...buckets].map(([name, series]) => `${series} for ${name}`);
    sentences.push(
      `The ${granter} names a bucket whose name holds a date (${[...buckets.keys()].join(', ')}): the next period's bucket will be refused again. To grant the series instead, wider than ${than}, use ${pairs.join('; ')} (with /* after it for the objects).`,
    );
  }
  return sentences.join(' ');
}

/** A bucket name's dated part, the first of its `-`, `.` or `_` separated tokens that is a date. */
const DATED_NAME_TOKEN = /^(?:(?:19|20)\d{2}(?:-?(?:0[1-9]|1[0-2])(?:-?(?:0[1-9]|[12]\d|3[01]))?)?)$/;

/**
 * Each bucket the statements name whose name holds a date (`acme-exports-2027`), with the ARN of its
 * series in the same partition (`arn:aws:s3:::acme-exports-*`).
 */
function datedBuckets(statements: readonly PolicyStatement[]): ReadonlyMap<string, string> {
  const series = new Map<string, string>();
  for (const resource of statements.flatMap((s) => s.Resource)) {
    const match = /^(arn:aws[a-z-]*:s3:::)([^/*?]+)/.exec(resource);
    const [, prefix = '', name] = match ?? [];
    if (name === undefined || series.has(name)) continue;
    const tokens = name.split(/([-._])/);
    const dated = tokens.findIndex((token, i) => i % 2 === 0 && i > 0 && DATED_NAME_TOKEN.test(token));
    if (dated < 0) continue;
    series.set(name, `${prefix}${tokens.slice(0, dated).join('')}*`);
  }
  return series;
}
