/**
 * A job profile is the set to grant so that the whole job works. An action that a Deny refuses to this
 * caller whatever its requests carry cannot be granted: an explicit Deny wins over any Allow. Such a
 * Deny has no Condition, or conditions on who the caller is only (an exception for an admin role, a
 * principal tag), which the caller's own requests can never meet. Its action is left out of the
 * profile, which then holds what the job can do while the Deny stays, and a note names the Deny. A Deny
 * with a condition on the request (TLS, an encryption header, a VPC endpoint) stays in the profile's
 * reckoning, since the job may meet it, as does one whose Resource covers only part of a statement's
 * resources.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 */
import { evaluate } from '../policy/evaluate.js';
import type { PolicySet } from '../policy/evaluationPlan.js';
import type { CompiledStatement } from '../policy/parsePolicy.js';
import type { AuthorizationRequest, StatementRef } from '../policy/types.js';
import { globToRegExp } from './arnGlob.js';
import {
  type DeniedCheck,
  describeStatement,
  isUnloggedKey,
  namesCaller,
  statementOf,
} from './denyAdvice.js';
import type { JobProfile, PolicyStatement } from './report.js';

/** A Deny statement that refused some of a finding's requests whatever they carried. */
export interface UnconditionalDeny {
  readonly ref: StatementRef;
  readonly statement: CompiledStatement;
  /**
   * How it reaches this caller: `plain` (no condition, no principal element but `*`), `exceptions` (it
   * exempts others: NotPrincipal, a negated condition on the caller), or `names` (a Principal or a
   * condition on the caller that names it).
   */
  readonly scope: 'plain' | 'exceptions' | 'names';
}

/**
 * The Deny statements that refused some of `checks` with no condition on the request: none at all, or
 * only on who the caller is (which held, since they refused it).
 */
function unconditionalDenies(set: PolicySet, checks: readonly DeniedCheck[]): UnconditionalDeny[] {
  const found = new Map<string, UnconditionalDeny>();
  for (const check of checks) {
    if (check.result?.decision !== 'ExplicitlyDenied') continue;
    for (const ref of check.result.deniedBy) {
      const key = `${ref.policyType}|${ref.level ?? ''}|${ref.policyIndex}|${ref.statementIndex}`;
      if (found.has(key)) continue;
      const statement = statementOf(set, ref);
      if (statement === undefined || !statement.conditions.every((c) => namesCaller(c.keyLower))) continue;
      const principal = statement.principal;
      const scope =
        principal?.not === true || statement.conditions.some((c) => c.spec.negated)
          ? 'exceptions'
          : statement.conditions.length > 0 ||
              (principal !== undefined && !principal.entries.some((e) => e.kind === 'any'))
            ? 'names'
            : 'plain';
      found.set(key, { ref, statement, scope });
    }
  }
  return [...found.values()];
}

/**
 * `set`'s bucket policy alone, for what S3 matches against the bucket's own ARNs when a request comes
 * through an access point; `undefined` when it has none.
 */
export function bucketPolicyOnly(set: PolicySet): PolicySet | undefined {
  return set.resource === undefined
    ? undefined
    : { identity: [], scpLevels: [], rcpLevels: [], resource: set.resource };
}

/** The key a probe of a profile's `prefix*` resource names: inside the prefix, and no real object's. */
const PROBE_KEY = 'permission-auditor-probe';

/**
 * The Deny statements of `set` that refuse some action of `profile` to this caller whatever the request
 * carries, found by asking the engine: each action on a key inside each of its statement's resources
 * (`b/dir/*` -> `b/dir/permission-auditor-probe`), with no request context. A Deny the finding's own
 * requests never met (the job stopped before) counts too. Whether it covers the whole resource is
 * {@link withoutGuardrailDenied}'s to decide.
 */
function profileDenies(
  set: PolicySet,
  profile: JobProfile,
  caller: AuthorizationRequest,
  onBucket: ((resource: string) => string) | undefined,
): UnconditionalDeny[] {
  // Through an access point S3 matches the bucket policy against the bucket's own ARNs.
  const bucketPolicy = onBucket !== undefined ? bucketPolicyOnly(set) : undefined;
  // The caller's side of one of the finding's requests; no request context of its own.
  const request = (action: string, resource: string): AuthorizationRequest => ({
    principal: caller.principal,
    action,
    resource,
    ...(caller.resourceAccount !== undefined ? { resourceAccount: caller.resourceAccount } : {}),
    ...(caller.principalContext !== undefined ? { principalContext: caller.principalContext } : {}),
    // A Deny on the caller's organization or an object's tags (never logged) is not known to apply.
    unknownKeys: isUnloggedKey,
  });
  const checks: DeniedCheck[] = [];
  for (const statement of profile.statements) {
    if (statement.Effect !== 'Allow') continue;
    for (const resource of statement.Resource) {
      const wildcards = (resource.match(/[*?]/g) ?? []).length;
      const probe =
        resource === '*' || wildcards === 0
          ? resource
          : wildcards === 1 && resource.endsWith('*')
            ? `${resource.slice(0, -1)}${PROBE_KEY}`
            : undefined;
      if (probe === undefined) continue;
      for (const action of statement.Action) {
        const asked = request(action, probe);
        const result = evaluate(set, asked);
        if (result.decision === 'ExplicitlyDenied') checks.push({ request: asked, result });
        if (bucketPolicy !== undefined && onBucket !== undefined) {
          const mapped = onBucket(probe);
          if (mapped !== probe) {
            const byBucket = evaluate(bucketPolicy, request(action, mapped));
            if (byBucket.decision === 'ExplicitlyDenied') checks.push({ request: asked, result: byBucket });
          }
        }
      }
    }
  }
  return unconditionalDenies(set, checks);
}

/**
 * Whether every ARN that `resource` (a profile's Resource) matches also matches the Deny's `pattern`.
 * Conservative: a pattern with a policy variable, or a resource with wildcards that the pattern's
 * literal prefix does not come before, is not taken as covered.
 */
export function patternCovers(pattern: string, resource: string): boolean {
  if (pattern.includes('${')) return false;
  if (pattern === '*') return true;
  const wildcards = (text: string) => (text.match(/[*?]/g) ?? []).length;
  // `b/daily/*` (or `b/??/2026-*/x`) is inside `b/*` and `b/da*`: the pattern's literal part is a prefix
  // of the resource, so whatever the resource's own wildcards match begins with it.
  const literal = pattern.slice(0, -1);
  if (pattern.endsWith('*') && wildcards(literal) === 0 && resource.startsWith(literal)) return true;
  return wildcards(resource) === 0 && globToRegExp(pattern).test(resource);
}

/**
 * Whether no ARN that `resource` matches can match `pattern` (for a Deny's NotResource, which then covers
 * it). Conservative: their literal parts (up to the first wildcard) must differ before either ends.
 */
export function patternMisses(pattern: string, resource: string): boolean {
  if (pattern.includes('${')) return false;
  const literal = (text: string) => text.slice(0, text.search(/[*?]|$/));
  const wildcards = /[*?]/.test(resource);
  if (!wildcards) return !globToRegExp(pattern).test(resource);
  const [a, b] = [literal(pattern), literal(resource)];
  return !a.startsWith(b) && !b.startsWith(a);
}

function denyCovers(
  deny: UnconditionalDeny,
  action: string,
  given: readonly string[],
  onBucket: ((resource: string) => string) | undefined,
): boolean {
  const { statement } = deny;
  // A bucket policy's Deny names the bucket's ARNs, which an access point's stand for.
  const resources =
    onBucket !== undefined && deny.ref.policyType === 'resource' ? given.map(onBucket) : given;
  const actionLower = action.toLowerCase();
  const named = statement.actions.some((a) => a.matcher(actionLower));
  // NotAction: every action but those it names.
  if (named === statement.notAction) return false;
  return resources.every((resource) =>
    statement.notResource
      ? statement.resources.every((p) => patternMisses(p.raw, resource))
      : statement.resources.some((p) => patternCovers(p.raw, resource)),
  );
}

export interface GuardrailTrim {
  /** The profile without the refused actions; `null` when nothing the job needs is left to grant. */
  readonly profile: JobProfile | null;
  /** The actions left out, each with the Deny statements that refuse it. */
  readonly leftOut: ReadonlyMap<string, readonly UnconditionalDeny[]>;
}

/** Takes out of `profile` every action such a Deny refuses on all of a statement's resources. */
function withoutGuardrailDenied(
  profile: JobProfile,
  denies: readonly UnconditionalDeny[],
  onBucket: ((resource: string) => string) | undefined,
): GuardrailTrim {
  const leftOut = new Map<string, UnconditionalDeny[]>();
  const statements: PolicyStatement[] = [];
  for (const statement of profile.statements) {
    if (statement.Effect !== 'Allow') {
      statements.push(statement);
      continue;
    }
    const kept = statement.Action.filter((action) => {
      const by = denies.filter((deny) => denyCovers(deny, action, statement.Resource, onBucket));
      if (by.length === 0) return true;
      const refusing = leftOut.get(action) ?? [];
      for (const deny of by) if (!refusing.includes(deny)) refusing.push(deny);
      leftOut.set(action, refusing);
      return false;
    });
    if (kept.length === statement.Action.length) statements.push(statement);
    else if (kept.length > 0) statements.push({ ...statement, Action: kept });
  }
  if (leftOut.size === 0) return { profile, leftOut };
  // The notes on what the profile no longer grants go with it (why an action left out is included; the
  // object statement, when none is left): the first note says what was left out and why.
  // Gone: left out of every statement (an action refused on one statement's resources may stay in another).
  const kept = new Set(statements.flatMap((statement) => statement.Action.map((a) => a.toLowerCase())));
  const gone = [...leftOut.keys()]
    .filter((action) => !kept.has(action.toLowerCase()))
    .map((action) => new RegExp(`${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z])`, 'i'));
  // An object statement grants a tree (`bucket/dir/*`); a root check's single key does not count.
  const objects = statements.some((statement) =>
    statement.Resource.some((resource) => resource.endsWith('/*')),
  );
  // A note that says the profile grants an action left out (why it is included), not one that merely
  // names it (the reason for the operation).
  const grantsGone = (note: string) =>
    /\b(is|are) included\b|\bprofile grants\b/.test(note) && gone.some((pattern) => pattern.test(note));
  const notes = profile.notes.filter(
    (note) => !grantsGone(note) && (objects || !note.includes('object statement')),
  );
  return {
    profile: statements.length === 0 ? null : { ...profile, statements, notes },
    leftOut,
  };
}

/**
 * `Statement "KeepBackups" of inline refuses it with no condition and no exception` (`statement` when
 * `midSentence`).
 */
function refusal(
  leftOut: ReadonlyMap<string, readonly UnconditionalDeny[]>,
  withObject = true,
  midSentence = false,
): string {
  const denies = [...new Set([...leftOut.values()].flat())];
  const one = leftOut.size === 1;
  const scopes = new Set(denies.map((deny) => deny.scope));
  const how = scopes.has('exceptions')
    ? `to this caller whatever ${one ? 'its requests carry' : 'the requests carry'} (${denies.length === 1 ? 'its' : 'their'} exceptions are for other principals)`
    : scopes.has('names')
      ? `to this caller whatever ${one ? 'its requests carry' : 'the requests carry'} (${denies.length === 1 ? 'it names' : 'they name'} this caller)`
      : 'with no condition and no exception';
  return `${denies.map((deny) => describeStatement(deny.ref, midSentence)).join(', ')} ${denies.length === 1 ? 'refuses' : 'refuse'}${withObject ? (one ? ' it' : ' them') : ''} ${how}`;
}

function exemptNote(leftOut: ReadonlyMap<string, readonly UnconditionalDeny[]>): string {
  const scopes = new Set([...leftOut.values()].flat().map((deny) => deny.scope));
  return scopes.has('exceptions')
    ? ', or run as a principal the Deny exempts'
    : scopes.has('names')
      ? ', or run as a principal the Deny does not name'
      : '';
}

/**
 * `profile` without what a Deny of `set` refuses to the caller of `caller` whatever its requests carry
 * ({@link profileDenies}), its heading marked partial when it lost actions; `null` when nothing is left.
 */
export function trimProfile(
  set: PolicySet,
  profile: JobProfile,
  caller: AuthorizationRequest,
  /** A profile through an access point: its ARN, and the bucket's ARN for one of its ARNs. */
  onBucket?: (resource: string) => string,
): GuardrailTrim {
  const denies = profileDenies(set, profile, caller, onBucket);
  if (denies.length === 0) return { profile, leftOut: new Map() };
  const trim = withoutGuardrailDenied(profile, denies, onBucket);
  const { leftOut } = trim;
  if (trim.profile === null || leftOut.size === 0 || trim.profile.partial !== undefined) return trim;
  return {
    leftOut,
    profile: {
      ...trim.profile,
      partial: `${[...leftOut.keys()].join(', ')} ${leftOut.size === 1 ? 'is' : 'are'} left out, refused by a Deny (see its first note)`,
    },
  };
}

/** The profile note for the actions {@link withoutGuardrailDenied} left out. */
export function guardrailNote(leftOut: ReadonlyMap<string, readonly UnconditionalDeny[]>): string {
  const actions = [...leftOut.keys()];
  return `${actions.join(', ')} ${actions.length === 1 ? 'is' : 'are'} left out of this profile: ${refusal(leftOut)}, and no Allow overrides an explicit Deny. The profile holds what the job can do while ${new Set([...leftOut.values()].flat()).size === 1 ? 'that Deny stays' : 'those Denies stay'}; the job must stop making those calls${exemptNote(leftOut)} (see the alternatives and the caveats).`;
}

/** The caveat of a finding whose job profile {@link withoutGuardrailDenied} emptied. */
export function noProfileCaveat(leftOut: ReadonlyMap<string, readonly UnconditionalDeny[]>): string {
  const actions = [...leftOut.keys()];
  return `No job profile: all the job was seen to need is ${actions.join(', ')}, which ${refusal(leftOut, false, true)}; no Allow overrides an explicit Deny, so there is nothing to grant.`;
}
