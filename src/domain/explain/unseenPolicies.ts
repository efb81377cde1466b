/**
 * What the evaluation of a finding could not see: a policy (or a group) the caller is subject to that
 * the account snapshot lacks, and a statement of a visible policy the engine could not read. Each is
 * said in the finding's caveats, and a fix checked without it is not verified: a Deny there, or a
 * boundary that does not allow the actions, would still refuse the requests.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { type PolicySet, policySetProblems } from '../policy/evaluate.js';
import type { PolicyProblem, PolicyType } from '../policy/types.js';
import { dropsContent } from '../snapshot/policyProblems.js';
import type { MissingPolicy } from '../snapshot/types.js';
import type { Fix } from './report.js';

/** `a`, `a and b`, `a, b and c`. */
export function andList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * The policies (and groups) the caller is subject to that the snapshot lacks, each once with every
 * holder it is attached to (a policy on the user and on two of its groups is one policy).
 */
export function unseenByArn(
  missing: readonly MissingPolicy[],
): { readonly first: MissingPolicy; readonly holders: readonly string[] }[] {
  const byArn = new Map<string, { first: MissingPolicy; holders: string[] }>();
  for (const m of missing) {
    const key = `${m.usage}|${m.arn}`;
    const holder = `${m.attachedTo.kind} ${m.attachedTo.name}`;
    const entry = byArn.get(key);
    if (entry === undefined) byArn.set(key, { first: m, holders: [holder] });
    else if (!entry.holders.includes(holder)) entry.holders.push(holder);
  }
  return [...byArn.values()];
}

/** A missing policy or group as a sentence names it: `policy Guard`, `group Ops`, `the permissions boundary B`. */
export function unseenName(missing: MissingPolicy): string {
  const kind =
    missing.usage === 'group'
      ? 'group'
      : missing.usage === 'permissions-boundary'
        ? 'the permissions boundary'
        : 'policy';
  return `${kind} ${missing.name}`;
}

/** What of a managed policy the snapshot lacks when it lacks its default version's document. */
function defaultVersionWords(versionId: string | undefined): string {
  return versionId !== undefined
    ? `not the document of its default version ${versionId} (its PolicyVersionList lacks it)`
    : 'no version of it is marked default (no DefaultVersionId, no IsDefaultVersion), so its document is not known';
}

/**
 * How to get the default version's document of managed policies the snapshot holds without it.
 *
 * @see https://docs.aws.amazon.com/cli/latest/reference/iam/get-policy-version.html
 */
function getVersionAdvice(lacking: readonly MissingPolicy[]): string {
  const commands = lacking.map((m) =>
    m.defaultVersionMissing?.versionId !== undefined
      ? `aws iam get-policy-version --policy-arn ${m.arn} --version-id ${m.defaultVersionMissing.versionId}`
      : `aws iam get-policy --policy-arn ${m.arn} for its DefaultVersionId, then aws iam get-policy-version with it`,
  );
  return `Get ${lacking.length === 1 ? 'it' : 'them'} with ${andList(commands)}, or export the snapshot again (get-account-authorization-details, every page, without --filter), and run again.`;
}

/**
 * A policy (or group) the caller is subject to whose document the snapshot lacks: the requests were
 * evaluated without it (a boundary as if there were none).
 */
export function unseenPolicyCaveat(first: MissingPolicy, holders: readonly string[]): string {
  const holder = andList(holders);
  // The policy is there, its default version's document is not: not the same gap, nor the same remedy.
  const lacking = first.defaultVersionMissing;
  if (lacking !== undefined) {
    const unknown =
      first.usage === 'permissions-boundary'
        ? 'the requests were evaluated as if there were no boundary, and its effect is unknown'
        : 'the requests were evaluated without it, and its effect is unknown';
    return `${first.usage === 'permissions-boundary' ? 'Permissions boundary' : 'Policy'} ${first.arn}, attached to ${holder}, is in the snapshot, but ${defaultVersionWords(lacking.versionId)}: ${unknown}. ${getVersionAdvice([first])}`;
  }
  switch (first.usage) {
    case 'permissions-boundary':
      return `Permissions boundary ${first.arn} of ${holder} is not in the snapshot: the requests were evaluated as if there were no boundary, and its effect is unknown.`;
    case 'group':
      return `Group ${first.name} of ${holder} is not in the snapshot: its policies were not evaluated, and their effect is unknown.`;
    case 'identity':
      return `Policy ${first.arn}, attached to ${holder}, is not in the snapshot: the requests were evaluated without it, and its effect is unknown.`;
  }
}

/**
 * A fix checked against a snapshot that lacks a policy the caller is subject to is not verified: a
 * Deny in that policy (or in a group's policies), or a boundary that does not allow the actions, would
 * still refuse the requests. The verification says what to add to the snapshot.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export function withUnseenPolicies(fix: Fix | null, missing: readonly MissingPolicy[]): Fix | null {
  if (fix === null || !fix.verified || missing.length === 0) return fix;
  const all = unseenByArn(missing).map((u) => u.first);
  // Those the snapshot holds without their default version's document are said apart.
  const unseen = all.filter((m) => m.defaultVersionMissing === undefined);
  const versionless = all.filter((m) => m.defaultVersionMissing !== undefined);
  const names = (usage: MissingPolicy['usage']) => unseen.filter((m) => m.usage === usage).map((m) => m.name);
  const policies = names('identity');
  const groups = names('group');
  const boundaries = names('permissions-boundary');
  const parts: string[] = [];
  if (policies.length > 0)
    parts.push(
      `${policies.length === 1 ? 'policy' : 'policies'} ${andList(policies)}, which ${policies.length === 1 ? 'applies' : 'apply'} to the caller, ${policies.length === 1 ? 'is' : 'are'} not in the snapshot, and a Deny in ${policies.length === 1 ? 'it' : 'them'} would still refuse the requests`,
    );
  if (groups.length > 0)
    parts.push(
      `the caller's ${groups.length === 1 ? 'group' : 'groups'} ${andList(groups)} ${groups.length === 1 ? 'is' : 'are'} not in the snapshot, and a Deny in ${groups.length === 1 ? 'its' : 'their'} policies would still refuse the requests`,
    );
  if (boundaries.length > 0)
    parts.push(
      `the permissions boundary ${andList(boundaries)} is not in the snapshot, and it must allow the requests too`,
    );
  if (versionless.length > 0) {
    const one = versionless.length === 1;
    const deny = versionless.some((m) => m.usage !== 'permissions-boundary');
    const boundary = versionless.some((m) => m.usage === 'permissions-boundary');
    parts.push(
      `${andList(versionless.map((m) => `${m.usage === 'permissions-boundary' ? 'the permissions boundary' : 'policy'} ${m.name}`))} ${one ? 'is' : 'are'} in the snapshot without the document of ${one ? 'its' : 'their'} default version (${andList(versionless.map((m) => m.defaultVersionMissing?.versionId ?? 'none marked'))}), and ${deny ? `a Deny in ${one ? 'it' : 'them'} would still refuse the requests` : ''}${deny && boundary ? ', or ' : ''}${boundary ? `${one ? 'it' : 'the boundary'} must allow the requests too` : ''}`,
    );
  }
  const advice = [
    ...(unseen.length > 0
      ? [
          `Add ${unseen.length === 1 ? 'it' : 'them'} to the snapshot (get-account-authorization-details, every page, without --filter) and run again.`,
        ]
      : []),
    ...(versionless.length > 0
      ? [
          unseen.length > 0
            ? getVersionAdvice(versionless).replace(/^Get (it|them)/, 'Get the default versions')
            : getVersionAdvice(versionless),
        ]
      : []),
  ];
  return {
    ...fix,
    verified: false,
    verification: [
      ...fix.verification,
      `Not verified as enough: the checks above used the policies in the snapshot, but ${parts.join('; and ')}. ${advice.join(' ')}`,
    ],
  };
}

const PROBLEM_POLICY_WORDS: Readonly<Record<PolicyType, string>> = {
  identity: 'identity policy',
  resource: 'bucket policy',
  'permissions-boundary': 'permissions boundary',
  scp: 'service control policy',
  rcp: 'resource control policy',
  session: 'session policy',
};

/** Problems of a set's policies that leave something out of the evaluation, per set: a caller's findings share its set. */
const setProblems = new WeakMap<PolicySet, readonly PolicyProblem[]>();

export function problemsOf(set: PolicySet): readonly PolicyProblem[] {
  let problems = setProblems.get(set);
  if (problems === undefined) {
    problems = policySetProblems(set).filter(dropsContent);
    setProblems.set(set, problems);
  }
  return problems;
}

/** Where a problem is: `statement 2 of the identity policy BackupWriter`. */
export function problemPlace(problem: PolicyProblem): string {
  const name = problem.policyName;
  // A bucket policy is named `<bucket> bucket policy`: not "the bucket policy b bucket policy".
  const policy =
    problem.policyType === 'resource' && name?.endsWith(' bucket policy') === true
      ? `the ${name}`
      : `the ${PROBLEM_POLICY_WORDS[problem.policyType]}${name !== undefined ? ` ${name}` : ''}`;
  return problem.statementIndex !== undefined
    ? `statement ${problem.statementIndex + 1} of ${policy}`
    : policy;
}

/**
 * A statement (or a whole policy) the engine could not read is left out of the evaluation: a Deny in
 * it refuses nothing here, and an Allow grants nothing, so the verdict rests on the rest. One caveat per
 * statement, with each of its problems.
 */
export function unreadCaveats(problems: readonly PolicyProblem[]): string[] {
  const byPlace = new Map<string, string[]>();
  for (const problem of problems) {
    const place = problemPlace(problem);
    const what = `${problem.field !== undefined ? `${problem.field}: ` : ''}${problem.message}`;
    const list = byPlace.get(place);
    if (list === undefined) byPlace.set(place, [what]);
    else if (!list.includes(what)) list.push(what);
  }
  return [...byPlace].map(
    ([place, whats]) =>
      `${place.charAt(0).toUpperCase()}${place.slice(1)} could not be read (${whats.join('; ')}) and was left out of the evaluation: a Deny written there refuses nothing here, and an Allow grants nothing, so the conclusion may not hold.`,
  );
}

/**
 * Whether a statement left out could refuse a request: it is not written as an Allow (an Allow left out
 * only grants less, which the evaluation already assumes).
 */
export function couldRefuse(problem: PolicyProblem): boolean {
  return problem.effect === undefined || problem.effect.toLowerCase() !== 'allow';
}

/**
 * A fix checked against a set with a statement it could not read, one that could be a Deny, is not
 * verified (see {@link unreadCaveats}).
 */
export function withUnreadStatements(fix: Fix | null, unread: readonly PolicyProblem[]): Fix | null {
  const problems = unread.filter(couldRefuse);
  if (fix === null || !fix.verified || problems.length === 0) return fix;
  const places = [...new Set(problems.map(problemPlace))];
  return {
    ...fix,
    verified: false,
    verification: [
      ...fix.verification,
      `Not verified as enough: ${andList(places)} could not be read and ${places.length === 1 ? 'was' : 'were'} left out of the checks above; a Deny there would still refuse the requests.`,
    ],
  };
}

/** The kinds of policy that apply to a caller's requests and that the input does not hold. */
export interface UncheckedKinds {
  /** Service control policies: none given (`--scp`), for a caller they restrict. */
  readonly scp: boolean;
  /** Resource control policies: none given (`--rcp`). */
  readonly rcp: boolean;
  /** A role session's session policy, which CloudTrail does not record. */
  readonly session: boolean;
}

/**
 * A verified fix says which kinds of policy that could still refuse the requests the input did not hold:
 * the checks could not see them. Still verified: what was given was checked; the line says where the
 * check stops. Each refuses by a Deny, and by not allowing the actions (an allow list, a session
 * policy's scope).
 */
export function withUncheckedKinds(fix: Fix | null, unchecked: UncheckedKinds): Fix | null {
  const kinds = [
    ...(unchecked.scp ? ['service control policies (--scp)'] : []),
    ...(unchecked.rcp ? ['resource control policies (--rcp)'] : []),
    ...(unchecked.session
      ? ['a session policy passed when the role was assumed (CloudTrail does not record it)']
      : []),
  ];
  if (fix === null || !fix.verified || kinds.length === 0) return fix;
  const lists =
    unchecked.scp && unchecked.rcp
      ? 'an SCP or RCP'
      : unchecked.scp
        ? 'an SCP'
        : unchecked.rcp
          ? 'an RCP'
          : undefined;
  const refusers = unchecked.session
    ? lists === undefined
      ? 'a session policy'
      : `${lists}, or a session policy,`
    : lists;
  return {
    ...fix,
    verification: [
      ...fix.verification,
      `Not checked, as the input holds none: ${andList(kinds)}; a Deny in ${kinds.length === 1 ? 'it' : 'one of them'}${refusers !== undefined ? `, or ${refusers} that does not allow these actions,` : ''} would still refuse the requests.`,
    ],
  };
}
