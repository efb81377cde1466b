/**
 * Builds the explain context from files: the account snapshot, bucket policies, SCP/RCP levels, and the
 * S3 action catalogue. Problems with any file are returned as values naming the file.
 */
import { loadS3ActionNames } from '../adapters/iamActionCatalogue.js';
import {
  loadAccountSnapshot,
  loadBucketPolicies,
  loadRcpFiles,
  loadScpFiles,
} from '../adapters/snapshotFiles.js';
import { DEFAULT_WINDOW_MINUTES, type ExplainContext } from '../domain/explain/context.js';
import type { ExplainWarning } from '../domain/explain/report.js';
import { hasAllowStatement, withRcpFullAwsAccess } from '../domain/snapshot/controlPolicies.js';
import {
  bucketPolicyWarnings,
  controlPolicyWarnings,
  snapshotPolicyWarnings,
} from '../domain/snapshot/policyProblems.js';
import type { AccountSnapshot, PolicyLevel } from '../domain/snapshot/types.js';

export interface ExplainContextOptions {
  readonly accountSnapshot?: string;
  readonly bucketPolicies?: readonly string[];
  readonly scps?: readonly string[];
  readonly rcps?: readonly string[];
  readonly windowMinutes?: number;
}

export type LoadedExplainContext =
  | { readonly ok: true; readonly context: ExplainContext; readonly warnings: readonly ExplainWarning[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** The code of a policy that the engine reads only in part (see `policyProblems`). */
export const POLICY_PROBLEM_CODE = 'policy.problem';

/** A warning of the snapshot's loader, with the file it is about named once (the snapshot's and bucket policies' name it already). */
function namingItsFile(warning: {
  readonly source: string;
  readonly code: string;
  readonly message: string;
}): ExplainWarning {
  return {
    input: warning.source,
    code: warning.code,
    message: warning.message.startsWith(`${warning.source}:`)
      ? warning.message
      : `${warning.source}: ${warning.message}`,
  };
}

function policyProblem(input: string, problem: string): ExplainWarning {
  return { input, code: POLICY_PROBLEM_CODE, message: `${input}: ${problem}` };
}

/** The problems of each level's policies, each named with the file the level came from. */
function levelWarnings(
  levels: readonly PolicyLevel[],
  sources: readonly string[],
  kind: 'scp' | 'rcp',
): ExplainWarning[] {
  return levels.flatMap((level, index) =>
    controlPolicyWarnings([level], kind, index).map((problem) =>
      policyProblem(sources[index] ?? `--${kind}`, problem),
    ),
  );
}

export async function loadExplainContext(options: ExplainContextOptions): Promise<LoadedExplainContext> {
  const warnings: ExplainWarning[] = [];
  let snapshot: AccountSnapshot | undefined;
  if (options.accountSnapshot !== undefined) {
    const loaded = await loadAccountSnapshot(options.accountSnapshot);
    if (!loaded.ok) return { ok: false, code: loaded.code, message: `--account-snapshot ${loaded.message}` };
    snapshot = loaded.snapshot;
    warnings.push(...loaded.warnings.map(namingItsFile));
    for (const problem of snapshotPolicyWarnings(loaded.snapshot))
      warnings.push(policyProblem(options.accountSnapshot, problem));
  }
  const bucketPolicies = new Map<string, unknown>();
  if (options.bucketPolicies !== undefined && options.bucketPolicies.length > 0) {
    const loaded = await loadBucketPolicies(options.bucketPolicies);
    if (!loaded.ok)
      return {
        ok: false,
        code: loaded.code,
        message: loaded.message.startsWith('--bucket-policy')
          ? loaded.message
          : `--bucket-policy ${loaded.message}`,
      };
    for (const p of loaded.policies) bucketPolicies.set(p.bucket, p.document);
    warnings.push(...loaded.warnings.map(namingItsFile));
    for (const p of loaded.policies)
      for (const problem of bucketPolicyWarnings(p.bucket, p.document))
        warnings.push(policyProblem(p.source, problem));
  }
  let scpLevels: readonly PolicyLevel[] = [];
  if (options.scps !== undefined && options.scps.length > 0) {
    const loaded = await loadScpFiles(options.scps);
    if (!loaded.ok) return { ok: false, code: loaded.code, message: `--scp ${loaded.message}` };
    scpLevels = loaded.levels;
    warnings.push(...levelWarnings(loaded.levels, loaded.sources, 'scp'));
    // Every level needs an Allow (FullAWSAccess unless it was detached): a level of Deny statements alone
    // refuses everything, which is rarely what the files meant.
    loaded.levels.forEach((level, index) => {
      if (level.some((policy) => hasAllowStatement(policy.document))) return;
      const source = loaded.sources[index] ?? '--scp';
      warnings.push({
        input: source,
        code: 'scp.levelWithoutAllow',
        message: `${source}: SCP level ${index + 1} (the levels of the --scp files in order, the root first, then each OU, then the account; a file holds one policy, or an array of levels, where [p, q] is two levels and [[p, q]] one) holds no Allow statement, so it refuses every request: AWS requires an Allow at every level, which FullAWSAccess gives unless it was detached. Policies attached at the same level go in one level: [[policy, policy]].`,
      });
    });
  }
  let rcpLevels: readonly PolicyLevel[] = [];
  if (options.rcps !== undefined && options.rcps.length > 0) {
    const loaded = await loadRcpFiles(options.rcps);
    if (!loaded.ok) return { ok: false, code: loaded.code, message: `--rcp ${loaded.message}` };
    // RCPFullAWSAccess is at every level, and cannot be detached.
    rcpLevels = withRcpFullAwsAccess(loaded.levels);
    warnings.push(...levelWarnings(loaded.levels, loaded.sources, 'rcp'));
  }
  return {
    ok: true,
    context: {
      ...(snapshot !== undefined ? { snapshot } : {}),
      bucketPolicies,
      scpLevels,
      rcpLevels,
      s3Actions: await loadS3ActionNames(),
      windowMinutes: options.windowMinutes ?? DEFAULT_WINDOW_MINUTES,
    },
    warnings,
  };
}
