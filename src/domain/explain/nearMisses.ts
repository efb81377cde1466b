/**
 * Why a statement that names the refused action did not allow it: it names the wrong kind of resource
 * for the action (`s3:ListBucket` on `arn:aws:s3:::b/*`, an object ARN, which no bucket-level request
 * matches; `s3:GetObject` on the bucket ARN), or a narrower prefix than the refused keys (`daily/*` for
 * a write to `weekly/`). This says why in the words of the user's own policy; the fix then adds what is
 * missing, and the user can see whether the narrower scope was deliberate (a partner granted
 * `exports/*` only, reading elsewhere).
 *
 * Only statements on the refused request's bucket count (a grant on another bucket is no near miss),
 * and in a bucket policy only those whose Principal names the caller.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
import { policiesOf } from '../policy/evaluate.js';
import type { PolicySet } from '../policy/evaluationPlan.js';
import type { CompiledPolicy, CompiledStatement } from '../policy/parsePolicy.js';
import { matchPrincipalEntry } from '../policy/principalMatch.js';
import { parseRequestPrincipal } from '../policy/requestPrincipal.js';
import type { StatementRef } from '../policy/types.js';
import { parseS3Arn } from '../s3/s3Location.js';
import { globToRegExp } from './arnGlob.js';
import { type DeniedCheck, describeStatement, requestContextOf } from './denyAdvice.js';

/** Resource patterns of a statement at most this many are quoted; the rest are counted. */
const MAX_PATTERNS = 3;

export type Kind =
  | 'object-pattern-for-bucket'
  | 'bucket-pattern-for-object'
  | 'narrower'
  | 'per-request'
  | 'other-partition'
  | 'literal-variable'
  | 'unresolved-variable';

interface Miss {
  readonly explanation: StatementRef;
  readonly kind: Kind;
  /** For `literal-variable`: the policy's Version as written (absent when it has none). */
  readonly version?: string;
  /** For `unresolved-variable`: the variables the caller has no value for. */
  readonly unresolved?: readonly string[];
  /**
   * For `other-partition`: the refused requests' partition (`aws-cn`), and whether the patterns,
   * rewritten in it, would have matched the first refused request.
   */
  readonly partition?: string;
  readonly correctedCovers?: boolean;
  /** The patterns as the policy writes them (policy variables unresolved), one per `patterns`. */
  readonly written: readonly string[];
  /** The policy variables the patterns hold that this request has a value for, with it. */
  readonly variables: readonly Variable[];
  /** For `per-request`: see {@link PerRequest}. */
  readonly perRequest?: PerRequest;
  readonly patterns: readonly string[];
  readonly matchers: readonly RegExp[];
  readonly actions: Set<string>;
  readonly refused: Set<string>;
}

/**
 * A resource pattern with its policy variables (`${aws:username}`) replaced by this caller's values, as
 * IAM resolves them, so the caveat names the caller's own prefix; a variable without one value stays.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
function withVariables(pattern: string, check: DeniedCheck): string {
  if (!pattern.includes('${')) return pattern;
  const context = requestContextOf(check.request);
  return pattern.replace(/\$\{([^}]+)\}/g, (whole, inner: string) => {
    // `${key, 'default'}`: the default when the caller has no value.
    const parts = /^\s*([^,]+?)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner);
    if (parts === null) return whole;
    const values = context.get(parts[1]!.toLowerCase())?.values ?? [];
    return values.length === 1 ? String(values[0]) : (parts[2] ?? whole);
  });
}

/** A policy variable of a Resource pattern (`${aws:SourceIdentity}`) and this request's value for it. */
interface Variable {
  /** As the pattern writes it: `${aws:SourceIdentity}`. */
  readonly token: string;
  /** The context key, lower case: `aws:sourceidentity`. */
  readonly key: string;
  readonly value: string;
  /** The value is the variable's default (`${aws:PrincipalTag/team, 'shared'}`): the request has none. */
  readonly isDefault: boolean;
}

/**
 * A statement scoped per request by policy variables (`home/${aws:SourceIdentity}/*`) that would allow
 * the refused resource for another value: the refused request is another principal's (or session's).
 */
interface PerRequest {
  /** The variables' tokens, joined: `${aws:SourceIdentity}`. */
  readonly tokens: string;
  /** This request's values, in words: `${aws:SourceIdentity} is alice`. */
  readonly values: string;
  /** With one variable, the value it would need for the first refused resource (`bob`). */
  readonly needed?: string;
  readonly key?: string;
  /** The caller is a role's session: a grant to the role reaches all of its sessions. */
  readonly session: boolean;
}

/** The policy variables of `pattern` that this request has a value for (or a default), with the value. */
function variablesOf(pattern: string, check: DeniedCheck): Variable[] {
  if (!pattern.includes('${')) return [];
  const context = requestContextOf(check.request);
  const found: Variable[] = [];
  for (const match of pattern.matchAll(/\$\{([^}]+)\}/g)) {
    const parts = /^\s*([^,]+?)\s*(?:,\s*'([^']*)'\s*)?$/.exec(match[1]!);
    if (parts === null) continue;
    const key = parts[1]!.toLowerCase();
    const values = context.get(key)?.values ?? [];
    const value = values.length === 1 ? String(values[0]) : parts[2];
    if (value !== undefined && !found.some((v) => v.token === match[0]))
      found.push({ token: match[0], key, value, isDefault: values.length !== 1 });
  }
  return found;
}

/** A glob's text as a regular expression's source, unanchored (see arnGlob). */
function globSource(glob: string): string {
  return glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
}

/**
 * Whether a pattern written with policy variables would match `resource` for other values of them
 * (`home/${aws:SourceIdentity}/*` and `home/bob/notes.txt`): the statement keeps each principal to its
 * own resources, and the refused one is another's. With one variable, the value it would need.
 */
function perRequestMatch(
  written: string,
  variables: readonly Variable[],
  resource: string,
): { readonly needed?: string } | undefined {
  if (variables.length === 0) return undefined;
  let anyValue = written;
  for (const { token } of variables) anyValue = anyValue.split(token).join('*');
  if (!globToRegExp(anyValue).test(resource)) return undefined;
  if (variables.length !== 1) return {};
  const pieces = written.split(variables[0]!.token).map(globSource);
  const needed = new RegExp(`^${pieces.join('(.+?)')}$`, 's').exec(resource)?.[1];
  return needed !== undefined ? { needed } : {};
}

interface Candidate {
  readonly statement: CompiledStatement;
  /** Its Resource patterns, as written (policy variables unresolved). */
  readonly allPatterns: readonly string[];
}

/** Allow statements naming an action with a Resource pattern on a bucket, per policy, action and bucket. */
const candidateCache = new WeakMap<CompiledPolicy, Map<string, readonly Candidate[]>>();

/**
 * The Allow statements of `policy` whose Action names `actionLower` and one of whose Resource patterns
 * names `bucket`: the statements that can miss a request on the bucket by its resource alone. Read from
 * the policy's per-action index, without evaluating anything.
 */
function candidatesOn(policy: CompiledPolicy, actionLower: string, bucket: string): readonly Candidate[] {
  let perPolicy = candidateCache.get(policy);
  if (perPolicy === undefined) {
    perPolicy = new Map();
    candidateCache.set(policy, perPolicy);
  }
  const key = `${actionLower}|${bucket}`;
  let found = perPolicy.get(key);
  if (found === undefined) {
    found = policy
      .relevantStatements(actionLower)
      .filter(({ statement }) => statement.effect === 'Allow' && !statement.notResource)
      .map(({ statement }) => ({ statement, allPatterns: statement.resources.map((r) => r.raw) }))
      .filter((candidate) => onBucket(candidate.allPatterns, bucket).length > 0);
    perPolicy.set(key, found);
  }
  return found;
}

/** The patterns of `patterns` that name `bucket` (wildcards allowed in their bucket part). */
function onBucket(patterns: readonly string[], bucket: string): string[] {
  return patterns.filter((pattern) => {
    const parts = parseS3Arn(pattern);
    return parts !== undefined && globToRegExp(parts.bucket).test(bucket);
  });
}

/**
 * One caveat per Allow statement that names a refused action but not its resource, for the implicitly
 * denied requests among `checks` (the first of each action and resource kind is enough: one answer per
 * statement).
 */
export function nearMissCaveats(set: PolicySet, checks: readonly DeniedCheck[]): string[] {
  return nearMisses(set, checks).map((miss) => miss.caveat);
}

/** A statement that names refused actions on a narrower scope of the bucket than the refused requests. */
export interface NearMiss {
  readonly caveat: string;
  readonly kind: Kind;
  readonly policyType: StatementRef['policyType'];
  /** `Statement "Publish" of publish-catalog-2 (arn:aws:s3:::b/catalog-2/*)`. */
  readonly scope: string;
  /**
   * For `other-partition`: the refused requests' partition, and whether the statement's ARNs, corrected
   * to it, would allow the refused requests (then that correction is the change the user meant).
   */
  readonly partitionFix?: { readonly partition: string; readonly written: string; readonly covers: boolean };
  /**
   * For `per-request`: the statement's variables (`${aws:SourceIdentity}`), this request's values in
   * words, and whether the caller is a role's session (a grant to the role reaches every session).
   */
  readonly perRequest?: { readonly tokens: string; readonly values: string; readonly session: boolean };
}

/** {@link nearMissCaveats}, with what each says in parts (for the fix and the overview). */
export function nearMisses(set: PolicySet, checks: readonly DeniedCheck[]): NearMiss[] {
  const misses = new Map<string, Miss>();
  const looked = new Map<string, number>();
  let policies: readonly CompiledPolicy[] | undefined;
  for (const check of checks) {
    const result = check.result;
    if (result?.decision !== 'ImplicitlyDenied') continue;
    const { action, resource } = check.request;
    // One lookup per action and resource kind (bucket or object: a `/` after the bucket): the statements
    // that miss are the same for its other keys. A job repeats the same few actions thousands of times.
    const kindBit = resource.indexOf('/') >= 0 ? 2 : 1;
    const seen = looked.get(action) ?? 0;
    if ((seen & kindBit) !== 0) {
      if (misses.size === 0) continue;
      // Another refused request of the action, named as an example where the statement misses it too.
      for (const miss of misses.values()) {
        if (
          miss.refused.size < 2 &&
          miss.actions.has(check.request.action) &&
          result.missingAllowIn.includes(miss.explanation.policyType) &&
          !miss.matchers.some((matches) => matches.test(check.request.resource))
        )
          miss.refused.add(check.request.resource);
      }
      continue;
    }
    // Access point ARNs name no bucket here: they are not looked at, nor counted as looked at.
    const target = parseS3Arn(resource);
    if (target === undefined) continue;
    looked.set(action, seen | kindBit);
    const isObject = target.key !== undefined;
    const actionLower = action.toLowerCase();
    policies ??= policiesOf(set);
    for (const policy of check.set !== undefined ? policiesOf(check.set) : policies) {
      if (!result.missingAllowIn.includes(policy.policyType)) continue;
      for (const candidate of candidatesOn(policy, actionLower, target.bucket)) {
        const { statement } = candidate;
        // A statement whose Resource matches was refused for another element (its Principal or Condition).
        // Without Version 2012-10-17, IAM reads `${…}` literally: the patterns are matched as written.
        const literal =
          policy.version !== '2012-10-17' && candidate.allPatterns.some((pattern) => pattern.includes('${'));
        const resolved = literal
          ? candidate.allPatterns
          : candidate.allPatterns.map((pattern) => withVariables(pattern, check));
        if (resolved.some((pattern) => globToRegExp(pattern).test(resource))) continue;
        // Read as variables, they would match: the policy's Version is what misses it.
        const literalMiss =
          literal &&
          candidate.allPatterns.some((pattern) => globToRegExp(withVariables(pattern, check)).test(resource));
        // A variable the caller has no value for (aws:username for a role's session) matches nothing.
        const unresolved = literal
          ? []
          : [
              ...new Set(
                resolved.flatMap((pattern) => [...pattern.matchAll(/\$\{([^}*?$]+)\}/g)].map((m) => m[1]!)),
              ),
            ];
        if (statement.principal !== undefined) {
          if (statement.principal.not) continue;
          const caller = parseRequestPrincipal(check.request.principal);
          if (!statement.principal.entries.some((entry) => matchPrincipalEntry(entry, caller) !== undefined))
            continue;
        }
        const onThisBucket = onBucket(resolved, target.bucket);
        if (onThisBucket.length === 0) continue;
        // An ARN of another partition (`arn:aws:` in aws-cn, a statement copied from a commercial
        // account) matches nothing here: a wrong ARN, not a narrower scope. The statement's patterns in
        // the request's partition, when it has some, are what it grants here.
        const inPartition = onThisBucket.filter((p) => parseS3Arn(p)?.partition === target.partition);
        const otherPartition = inPartition.length === 0;
        const patterns = otherPartition ? onThisBucket : inPartition;
        // Each pattern as written, and the variables it holds that this request resolved.
        const written = patterns.map((p) => candidate.allPatterns[resolved.indexOf(p)] ?? p);
        const variables = literal
          ? []
          : [...new Map(written.flatMap((w) => variablesOf(w, check)).map((v) => [v.token, v])).values()];
        // A pattern that resolves per request and would match the refused resource for another value.
        let perRequest: PerRequest | undefined;
        if (!literal && unresolved.length === 0 && !otherPartition) {
          for (const w of written) {
            const own = variables.filter((v) => w.includes(v.token));
            const match = perRequestMatch(w, own, resource);
            if (match === undefined) continue;
            perRequest = {
              tokens: own.map((v) => v.token).join(', '),
              values: own
                .map((v) => `${v.token} is ${v.isDefault ? `its default, ${v.value}` : v.value}`)
                .join(', '),
              ...(match.needed !== undefined ? { needed: match.needed, key: own[0]!.key } : {}),
              session: check.request.principal.includes(':assumed-role/'),
            };
            break;
          }
        }
        const e = statement.ref;
        const kind: Kind = literalMiss
          ? 'literal-variable'
          : unresolved.length > 0
            ? 'unresolved-variable'
            : otherPartition
              ? 'other-partition'
              : perRequest !== undefined
                ? 'per-request'
                : !isObject
                  ? patterns.every((p) => parseS3Arn(p)?.key !== undefined)
                    ? 'object-pattern-for-bucket'
                    : 'narrower'
                  : patterns.every((p) => parseS3Arn(p)?.key === undefined)
                    ? 'bucket-pattern-for-object'
                    : 'narrower';
        const key = `${e.policyType}|${e.level ?? ''}|${e.policyIndex}|${e.statementIndex}|${kind}|${e.policyName ?? ''}`;
        let miss = misses.get(key);
        if (miss === undefined) {
          miss = {
            explanation: e,
            kind,
            ...(kind === 'literal-variable' && policy.version !== undefined
              ? { version: policy.version }
              : {}),
            ...(kind === 'unresolved-variable' ? { unresolved } : {}),
            ...(kind === 'other-partition'
              ? {
                  partition: target.partition,
                  correctedCovers: patterns.some((p) =>
                    globToRegExp(inPartitionOf(p, target.partition)).test(resource),
                  ),
                }
              : {}),
            written,
            variables,
            ...(perRequest !== undefined ? { perRequest } : {}),
            patterns,
            matchers: patterns.map(globToRegExp),
            actions: new Set(),
            refused: new Set(),
          };
          misses.set(key, miss);
        }
        miss.actions.add(action);
        if (miss.refused.size < 2) miss.refused.add(resource);
      }
    }
  }
  return [...misses.values()].map((miss) => ({
    caveat: describe(miss),
    kind: miss.kind,
    policyType: miss.explanation.policyType,
    // The statement as the policy writes it: with its variables, which resolve per request.
    scope: `${describeStatement(miss.explanation)} (${quotedPatterns(miss.written)})`,
    ...(miss.kind === 'other-partition'
      ? {
          partitionFix: {
            partition: miss.partition!,
            written: partitionsOf(miss.patterns),
            covers: miss.correctedCovers === true,
          },
        }
      : {}),
    ...(miss.perRequest !== undefined
      ? {
          perRequest: {
            tokens: miss.perRequest.tokens,
            values: miss.perRequest.values,
            session: miss.perRequest.session,
          },
        }
      : {}),
  }));
}

/** An ARN pattern with its partition replaced (`arn:aws:s3:::b/*` in `aws-cn`: `arn:aws-cn:s3:::b/*`). */
function inPartitionOf(pattern: string, partition: string): string {
  return pattern.replace(/^arn:[^:]*:/, `arn:${partition}:`);
}

/** The partitions the patterns name, in order (`aws`; `aws, aws-us-gov`). */
function partitionsOf(patterns: readonly string[]): string {
  return [...new Set(patterns.map((p) => parseS3Arn(p)?.partition ?? '?'))].join(', ');
}

function quotedPatterns(patterns: readonly string[]): string {
  const shown = patterns.slice(0, MAX_PATTERNS).join(', ');
  return patterns.length > MAX_PATTERNS ? `${shown} and ${patterns.length - MAX_PATTERNS} more` : shown;
}

/**
 * How a request gets the value a per-request statement needs (`bob` for `${aws:SourceIdentity}`): who
 * the statement gives the refused resources to.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
function whoHas(perRequest: PerRequest): string {
  const { needed, key, tokens } = perRequest;
  if (needed === undefined || key === undefined)
    return `a principal whose ${tokens} fit the refused resources`;
  if (key === 'aws:sourceidentity')
    return `a role session whose source identity is ${needed} (set when the first role of a chain is assumed, and kept unchanged through the chain: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html)`;
  if (key === 'aws:username') return `the IAM user ${needed}`;
  if (key === 'aws:userid')
    return `the principal whose aws:userid is ${needed} (an IAM user's unique ID; role-id:session-name for a role's session)`;
  if (key.startsWith('aws:principaltag/'))
    return `a principal whose tag ${tokens.slice('${aws:PrincipalTag/'.length, -1)} is ${needed} (for a role's session, a tag of the role or a session tag)`;
  if (key === 'aws:federatedprovider') return `a session federated through ${needed}`;
  return `a request whose ${tokens} is ${needed}`;
}

/** The patterns, with as written and this request's values when they hold policy variables. */
function shownPatterns(miss: Miss): string {
  const patterns = quotedPatterns(miss.patterns);
  if (miss.variables.length === 0) return patterns;
  const values = miss.variables
    .map((v) => `${v.token} being ${v.isDefault ? `its default, ${v.value},` : v.value}`)
    .join(', ');
  return `${patterns} (written ${quotedPatterns(miss.written)}, ${values} for this request)`;
}

function describe(miss: Miss): string {
  const where = describeStatement(miss.explanation);
  const actions = [...miss.actions].join(', ');
  const patterns = quotedPatterns(miss.patterns);
  const shown = shownPatterns(miss);
  const refused = [...miss.refused].join(', ');
  const source = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html';
  switch (miss.kind) {
    case 'object-pattern-for-bucket':
      return `${where} names ${actions} but only on ${shown}: object ARNs, which a bucket-level action never matches. ${actions} needs the bucket ARN (${refused}) (${source}).`;
    case 'bucket-pattern-for-object':
      return `${where} names ${actions} but only on ${shown}: the bucket ARN, which an object-level action never matches. ${actions} needs object ARNs (bucket/key, such as ${refused}) (${source}).`;
    case 'narrower':
      return `${where} allows ${actions} but only on ${shown}: the refused requests (such as ${refused}) are outside it. If that scope is deliberate, the job must stay inside it; if not, the policy must cover the refused resources too.`;
    case 'per-request': {
      const per = miss.perRequest!;
      const whom = per.session
        ? `Granting them to the role instead gives them to every one of its sessions, whatever their ${per.tokens}`
        : `Granting them to this principal instead gives them to it whatever its ${per.tokens}, past the statement's per-request scope`;
      return `${where} allows ${actions} on ${quotedPatterns(miss.written)}, which IAM resolves per request: ${per.values} for this one, so it allows ${patterns} here. The refused requests (such as ${refused}) are another's: the statement allows them to ${whoHas(per)}. That is the statement working as written, keeping each to its own: if this job should make them, run it with that identity. ${whom} (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).`;
    }
    case 'other-partition': {
      const corrected = quotedPatterns(miss.patterns.map((p) => inPartitionOf(p, miss.partition!)));
      const written = partitionsOf(miss.patterns);
      return `${where} allows ${actions} on ${patterns}, ${miss.patterns.length === 1 ? 'an ARN' : 'ARNs'} of partition ${written}, but the refused requests are in partition ${miss.partition} (such as ${refused}): an ARN names resources of its own partition only, so the statement allows nothing here. It looks written for another partition (as if copied from an account there): correct its ARNs to ${corrected}${miss.correctedCovers === true ? ', which covers the refused requests' : ', though even so it would not cover the refused requests: the policy must cover them too'} (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).`;
    }
    case 'literal-variable':
      return `${where} allows ${actions} on ${patterns}, but its policy has ${miss.version === undefined ? 'no Version' : `Version ${miss.version}`}, under which IAM reads \${…} as literal text, not as a policy variable: it matches no real resource, such as ${refused}. Add "Version": "2012-10-17" to the policy to make it a variable, which lets every principal it serves use its own path (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).`;
    case 'unresolved-variable': {
      const names = (miss.unresolved ?? []).map((key) => `\${${key}}`).join(', ');
      const username = miss.unresolved?.some((key) => key.toLowerCase() === 'aws:username') === true;
      const tags = miss.unresolved?.some((key) => key.toLowerCase().startsWith('aws:principaltag/')) === true;
      const has = tags
        ? `the input shows no value for ${names} for this caller (the snapshot holds the user's or role's own tags, not tags a session was given when it was assumed)`
        : `this caller has no value for ${names}`;
      return `${where} allows ${actions} on ${patterns}, but ${has}, so the statement matches nothing for it (such as ${refused})${username ? ": aws:username is set for IAM users only, not for a role's sessions, federated users or the root user; for a role, use ${aws:userid} (role-id:session-name) or a principal tag" : ''} (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value).`;
    }
  }
}
