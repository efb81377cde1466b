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
import type { PolicySet } from '../policy/evaluationPlan.js';
import { matchPrincipalEntry } from '../policy/principalMatch.js';
import { buildRequestContext } from '../policy/requestContext.js';
import { parseRequestPrincipal } from '../policy/requestPrincipal.js';
import type { StatementExplanation } from '../policy/types.js';
import { parseS3Arn } from '../s3/s3Location.js';
import { type DeniedCheck, describeStatement, statementOf } from './denyAdvice.js';

/** Resource patterns of a statement at most this many are quoted; the rest are counted. */
const MAX_PATTERNS = 3;

type Kind = 'object-pattern-for-bucket' | 'bucket-pattern-for-object' | 'narrower';

interface Miss {
  readonly explanation: StatementExplanation;
  readonly kind: Kind;
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
  const { request } = check;
  const context = buildRequestContext(
    request.context,
    parseRequestPrincipal(request.principal),
    request.resourceAccount,
    request.principalContext,
  );
  return pattern.replace(/\$\{([^}]+)\}/g, (whole, key: string) => {
    const values = context.get(key.toLowerCase())?.values ?? [];
    return values.length === 1 ? String(values[0]) : whole;
  });
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
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
  const misses = new Map<string, Miss>();
  const looked = new Set<string>();
  for (const check of checks) {
    const result = check.result;
    if (result?.decision !== 'ImplicitlyDenied') continue;
    const target = parseS3Arn(check.request.resource);
    if (target === undefined) continue;
    const isObject = target.key !== undefined;
    // One lookup per action and resource kind: the statements that miss are the same for its other keys.
    const lookKey = `${check.request.action}|${isObject}`;
    if (looked.has(lookKey)) {
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
    looked.add(lookKey);
    for (const e of result.explanations) {
      if (e.effect !== 'Allow' || e.mismatch !== 'resource' || !result.missingAllowIn.includes(e.policyType))
        continue;
      const statement = statementOf(set, e);
      if (statement === undefined || statement.notResource) continue;
      if (statement.principal !== undefined) {
        if (statement.principal.not) continue;
        const caller = parseRequestPrincipal(check.request.principal);
        if (!statement.principal.entries.some((entry) => matchPrincipalEntry(entry, caller) !== undefined))
          continue;
      }
      const patterns = onBucket(
        (e.resourcePatterns ?? []).map((pattern) => withVariables(pattern, check)),
        target.bucket,
      );
      if (patterns.length === 0) continue;
      const kind: Kind = !isObject
        ? patterns.every((p) => parseS3Arn(p)?.key !== undefined)
          ? 'object-pattern-for-bucket'
          : 'narrower'
        : patterns.every((p) => parseS3Arn(p)?.key === undefined)
          ? 'bucket-pattern-for-object'
          : 'narrower';
      const key = `${e.policyType}|${e.level ?? ''}|${e.policyIndex}|${e.statementIndex}|${kind}`;
      let miss = misses.get(key);
      if (miss === undefined) {
        miss = {
          explanation: e,
          kind,
          patterns,
          matchers: patterns.map(globToRegExp),
          actions: new Set(),
          refused: new Set(),
        };
        misses.set(key, miss);
      }
      miss.actions.add(check.request.action);
      if (miss.refused.size < 2) miss.refused.add(check.request.resource);
    }
  }
  return [...misses.values()].map(describe);
}

function quotedPatterns(patterns: readonly string[]): string {
  const shown = patterns.slice(0, MAX_PATTERNS).join(', ');
  return patterns.length > MAX_PATTERNS ? `${shown} and ${patterns.length - MAX_PATTERNS} more` : shown;
}

function describe(miss: Miss): string {
  const where = describeStatement(miss.explanation);
  const actions = [...miss.actions].join(', ');
  const patterns = quotedPatterns(miss.patterns);
  const refused = [...miss.refused].join(', ');
  const source = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html';
  switch (miss.kind) {
    case 'object-pattern-for-bucket':
      return `${where} names ${actions} but only on ${patterns}: object ARNs, which a bucket-level action never matches. ${actions} needs the bucket ARN (${refused}) (${source}).`;
    case 'bucket-pattern-for-object':
      return `${where} names ${actions} but only on ${patterns}: the bucket ARN, which an object-level action never matches. ${actions} needs object ARNs (bucket/key, such as ${refused}) (${source}).`;
    case 'narrower':
      return `${where} allows ${actions} but only on ${patterns}: the refused requests (such as ${refused}) are outside it. If that scope is deliberate, the job must stay inside it; if not, the policy must cover the refused resources too.`;
  }
}
