/**
 * The problems of the policies explain evaluates, in words, for its warnings. The engine leaves an
 * invalid statement out (a statement IAM would refuse to store: `"Effect": "deny"`, an `Action` that
 * is a number, a bucket policy statement without a `Principal`), so a Deny written that way denies
 * nothing here, and the conclusion can change without a word. Each problem names the policy and the
 * statement, so the user can mend the file or know what the report rests on.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
import { compilePolicy, keepsStatement } from '../policy/parsePolicy.js';
import type { PolicyProblem, PolicyType } from '../policy/types.js';
import { defaultVersion } from './defaultVersion.js';
import type { AccountSnapshot, PolicyLevel } from './types.js';

/** A policy as explain evaluates it, with what to call it in a warning. */
interface NamedDocument {
  readonly label: string;
  readonly document: unknown;
  readonly policyType: PolicyType;
}

/**
 * What the engine does with a policy that has the problem: a statement it cannot read is left out; a
 * policy with an unknown Version is still evaluated (its policy variables read as plain text, as IAM
 * reads them without Version 2012-10-17); one without statements grants and denies nothing; one it
 * cannot read at all is left out.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
 */
export function problemEffect(problem: PolicyProblem): string {
  if (keepsStatement(problem)) return 'the rest of the statement is evaluated';
  if (problem.statementIndex !== undefined) return 'the statement is left out of every evaluation';
  if (problem.code === 'policy.invalidVersion')
    return 'its statements are still evaluated, with policy variables such as ${aws:username} read as plain text';
  if (problem.code === 'policy.missingStatement') return 'it allows and denies nothing';
  return 'the policy is left out of every evaluation';
}

/** Whether the engine evaluates less than the policy holds (a statement, or the whole policy, is left out). */
export function dropsContent(problem: PolicyProblem): boolean {
  if (keepsStatement(problem)) return false;
  return (
    problem.statementIndex !== undefined ||
    (problem.code !== 'policy.invalidVersion' && problem.code !== 'policy.missingStatement')
  );
}

function problemText(label: string, problem: PolicyProblem): string {
  const where = problem.statementIndex !== undefined ? `, statement ${problem.statementIndex + 1}` : '';
  const field = problem.field !== undefined ? ` (${problem.field})` : '';
  return `${label}${where}${field}: ${problem.message}; ${problemEffect(problem)}.`;
}

function warningsOf(policies: readonly NamedDocument[]): string[] {
  const warnings: string[] = [];
  for (const { label, document, policyType } of policies) {
    const compiled = compilePolicy(document, { policyType, policyIndex: 0 });
    for (const problem of compiled.problems) warnings.push(problemText(label, problem));
  }
  return warnings;
}

/**
 * The snapshot's policies that explain evaluates: each identity's inline policies, and the default
 * version of each managed policy (AWS-managed ones included). Documents the snapshot could not decode
 * are already warned of when it is read.
 */
export function snapshotPolicyWarnings(snapshot: AccountSnapshot): string[] {
  const policies: NamedDocument[] = [];
  for (const [kind, entities] of [
    ['user', snapshot.users],
    ['group', snapshot.groups],
    ['role', snapshot.roles],
  ] as const) {
    for (const entity of entities) {
      for (const inline of entity.inlinePolicies) {
        // A document the snapshot could not decode is kept as it was, and warned of when it is read.
        if (typeof inline.document !== 'object') continue;
        policies.push({
          label: `inline policy ${inline.name} of ${kind} ${entity.name}`,
          document: inline.document,
          policyType: 'identity',
        });
      }
    }
  }
  for (const policy of snapshot.managedPolicies) {
    const version = defaultVersion(policy);
    if (version === undefined || typeof version.document !== 'object') continue;
    policies.push({
      label: `managed policy ${policy.name} (${policy.arn}, version ${version.versionId})`,
      document: version.document,
      policyType: 'identity',
    });
  }
  return warningsOf(policies);
}

/** The problems of a bucket policy (`bucket`: its bucket's name). */
export function bucketPolicyWarnings(bucket: string, document: unknown): string[] {
  return warningsOf([{ label: `bucket policy of ${bucket}`, document, policyType: 'resource' }]);
}

/** The problems of SCPs or RCPs, level by level (`firstLevel`: the number of the first, from 0). */
export function controlPolicyWarnings(
  levels: readonly PolicyLevel[],
  kind: 'scp' | 'rcp',
  firstLevel = 0,
): string[] {
  const word = kind === 'scp' ? 'service control policy' : 'resource control policy';
  return warningsOf(
    levels.flatMap((level, index) =>
      level.map((policy) => ({
        label: `${word} ${policy.name} (level ${firstLevel + index + 1})`,
        document: policy.document,
        policyType: kind,
      })),
    ),
  );
}
