import { isJsonObject } from '../json/jsonValue.js';
import { decodePolicyDocument, describeType } from '../policy/policyDocument.js';
import { cloudTrailHint } from './cloudTrailHint.js';
import type { ControlPolicy, PolicyLevel } from './types.js';

export { bucketPolicyFor, parseBucketPolicyArg, parseBucketPolicyFile } from './bucketPolicy.js';

export type ControlPolicyKind = 'scp' | 'rcp';

export type ControlPolicyErrorCode =
  | 'controlPolicy.invalidShape'
  | 'controlPolicy.wrongType'
  | 'controlPolicy.emptyLevel'
  | 'controlPolicy.invalidContent'
  | 'controlPolicy.noContent';

export type ControlPolicyFileResult =
  | { readonly ok: true; readonly levels: readonly PolicyLevel[] }
  | { readonly ok: false; readonly code: ControlPolicyErrorCode; readonly message: string };

/**
 * What distinguishes SCPs from RCPs in Organizations output: the `PolicySummary.Type` value.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_PolicySummary.html
 */
const CONTROL_POLICY_KINDS = {
  scp: {
    type: 'SERVICE_CONTROL_POLICY',
    label: 'SCP',
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
    doc: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html',
  },
  rcp: {
    type: 'RESOURCE_CONTROL_POLICY',
    label: 'RCP',
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
    doc: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html',
  },
} as const satisfies Record<ControlPolicyKind, { type: string; label: string; doc: string }>;

/**
 * Reads an SCP file into organization levels (root first, account last, by the caller's convention).
 *
 * Accepted shapes: a bare policy document (one level, one policy); `aws organizations describe-policy`
 * output (`{"Policy": {"PolicySummary": {...}, "Content": "<json>"}}`, one level); an array of levels,
 * where each level is one of those or an array of them. At every level at least one SCP must allow,
 * so an empty level is an error rather than a silent deny-all.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribePolicy.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
 */
export function parseScpFile(json: unknown, source: string): ControlPolicyFileResult {
  return parseControlPolicyFile(json, source, 'scp');
}

/**
 * Reads an RCP file; same shapes as {@link parseScpFile}, with `RESOURCE_CONTROL_POLICY` summaries.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
 */
export function parseRcpFile(json: unknown, source: string): ControlPolicyFileResult {
  return parseControlPolicyFile(json, source, 'rcp');
}

function parseControlPolicyFile(
  json: unknown,
  source: string,
  kind: ControlPolicyKind,
): ControlPolicyFileResult {
  const label = CONTROL_POLICY_KINDS[kind].label;
  if (!Array.isArray(json)) {
    const policy = parseControlPolicy(json, source, kind);
    return policy.ok ? { ok: true, levels: [[policy.policy]] } : policy;
  }
  if (json.length === 0) {
    return {
      ok: false,
      code: 'controlPolicy.emptyLevel',
      message: `${source}: the array of ${label} levels is empty`,
    };
  }
  const levels: PolicyLevel[] = [];
  for (const [levelIndex, rawLevel] of json.entries()) {
    const where = `${source}[${levelIndex}]`;
    const items: readonly unknown[] = Array.isArray(rawLevel) ? rawLevel : [rawLevel];
    if (items.length === 0) {
      return {
        ok: false,
        code: 'controlPolicy.emptyLevel',
        message: `${where}: a level with no ${label} would deny every request; list the ${label}s attached at that level`,
      };
    }
    const level: ControlPolicy[] = [];
    for (const [itemIndex, item] of items.entries()) {
      const policy = parseControlPolicy(
        item,
        Array.isArray(rawLevel) ? `${where}[${itemIndex}]` : where,
        kind,
      );
      if (!policy.ok) return policy;
      level.push(policy.policy);
    }
    levels.push(level);
  }
  return { ok: true, levels };
}

type ControlPolicyResult =
  | { readonly ok: true; readonly policy: ControlPolicy }
  | { readonly ok: false; readonly code: ControlPolicyErrorCode; readonly message: string };

/**
 * A control policy of the kind asked for: an SCP names no Principal (the principals are the accounts'),
 * an RCP names Principal "*" in every statement. A document whose every statement says the other is
 * refused, naming the option it belongs to, rather than read as a policy that allows nothing.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
 */
function parseControlPolicy(raw: unknown, where: string, kind: ControlPolicyKind): ControlPolicyResult {
  const parsed = parseControlPolicyShape(raw, where, kind);
  if (!parsed.ok) return parsed;
  const list = statementObjects(parsed.policy.document);
  if (list.length === 0) return parsed;
  const namesPrincipal = (statement: Record<string, unknown>) =>
    'Principal' in statement || 'NotPrincipal' in statement;
  if (kind === 'scp' && list.every(namesPrincipal))
    return {
      ok: false,
      code: 'controlPolicy.wrongType',
      message: `${where}: every statement names a Principal, which an SCP cannot: this looks like a resource control policy (give it with --rcp) or a bucket policy (--bucket-policy BUCKET=FILE)`,
    };
  if (kind === 'rcp' && !list.some(namesPrincipal))
    return {
      ok: false,
      code: 'controlPolicy.wrongType',
      message: `${where}: no statement names a Principal, which every RCP statement does (Principal "*"): this looks like a service control policy (give it with --scp) or an identity policy`,
    };
  return parsed;
}

function parseControlPolicyShape(raw: unknown, where: string, kind: ControlPolicyKind): ControlPolicyResult {
  const { label, doc } = CONTROL_POLICY_KINDS[kind];
  if (typeof raw === 'string') return fromDocument(raw, where, where, undefined, kind);
  if (!isJsonObject(raw)) {
    return {
      ok: false,
      code: 'controlPolicy.invalidShape',
      message: `${where}: expected an ${label} document or describe-policy output, got ${describeType(raw)}`,
    };
  }
  if ('Statement' in raw) return { ok: true, policy: { name: where, document: raw } };
  // `describe-policy` output, or its `.Policy` member saved on its own.
  const described = isJsonObject(raw.Policy) ? raw.Policy : 'Content' in raw ? raw : undefined;
  if (described !== undefined) {
    const summary = isJsonObject(described.PolicySummary) ? described.PolicySummary : {};
    const type = summary.Type;
    if (type !== undefined && type !== CONTROL_POLICY_KINDS[kind].type) {
      const other = Object.values(CONTROL_POLICY_KINDS).find((k) => k.type === type);
      return {
        ok: false,
        code: 'controlPolicy.wrongType',
        message:
          `${where}: policy ${String(summary.Name ?? '')} is of type ${String(type)}, not ${CONTROL_POLICY_KINDS[kind].type}` +
          (other !== undefined
            ? `; pass it as an ${other.label}`
            : `; only ${label}s belong here (see ${doc})`),
      };
    }
    if (described.Content === undefined) {
      return {
        ok: false,
        code: 'controlPolicy.noContent',
        message: `${where}: describe-policy output without Content`,
      };
    }
    const name = typeof summary.Name === 'string' ? summary.Name : where;
    const arn = typeof summary.Arn === 'string' ? summary.Arn : undefined;
    return fromDocument(described.Content, where, name, arn, kind);
  }
  // An account snapshot (get-account-authorization-details) also has a Policies list: IAM's, not SCPs.
  if (
    Array.isArray(raw.UserDetailList) ||
    Array.isArray(raw.RoleDetailList) ||
    Array.isArray(raw.GroupDetailList)
  ) {
    return {
      ok: false,
      code: 'controlPolicy.invalidShape',
      message: `${where}: this looks like get-account-authorization-details output (the account's IAM users, roles and policies), which goes to --account-snapshot, not here`,
    };
  }
  if (Array.isArray(raw.Policies)) {
    return {
      ok: false,
      code: 'controlPolicy.noContent',
      message:
        `${where}: this looks like list-policies output, which has no policy content; ` +
        'save `aws organizations describe-policy --policy-id <id>` for each policy instead',
    };
  }
  return {
    ok: false,
    code: 'controlPolicy.invalidShape',
    message: `${where}: neither an ${label} document (no Statement) nor describe-policy output (no Policy)${cloudTrailHint(raw) !== undefined ? `; ${cloudTrailHint(raw)}` : ''}`,
  };
}

function fromDocument(
  content: unknown,
  where: string,
  name: string,
  arn: string | undefined,
  kind: ControlPolicyKind,
): ControlPolicyResult {
  const decoded = decodePolicyDocument(content);
  if (!decoded.ok) {
    return {
      ok: false,
      code: 'controlPolicy.invalidContent',
      message: `${where}: the ${CONTROL_POLICY_KINDS[kind].label} content is not a JSON policy: ${decoded.reason}`,
    };
  }
  return { ok: true, policy: { name, ...(arn !== undefined ? { arn } : {}), document: decoded.document } };
}

/**
 * RCPFullAWSAccess, which AWS attaches to the root, every OU and every account once RCPs are enabled, and
 * which cannot be detached: the RCPs a customer writes can only deny ("Allow is only supported for
 * RCPFullAWSAccess"), so each level given is taken with it.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
 */
export const RCP_FULL_AWS_ACCESS: ControlPolicy = {
  name: 'RCPFullAWSAccess (attached by AWS at every level)',
  arn: 'arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess',
  document: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
  },
};

/** Each RCP level with RCPFullAWSAccess, unless it already holds it. */
export function withRcpFullAwsAccess(levels: readonly PolicyLevel[]): PolicyLevel[] {
  return levels.map((level) =>
    level.some(
      (policy) => policy.arn?.endsWith('/p-RCPFullAWSAccess') === true || policy.name === 'RCPFullAWSAccess',
    )
      ? level
      : [...level, RCP_FULL_AWS_ACCESS],
  );
}

/** The statements of a (decoded) policy document that are objects: one or a list. */
function statementObjects(document: unknown): Record<string, unknown>[] {
  const statements = isJsonObject(document) ? document.Statement : undefined;
  return (Array.isArray(statements) ? statements : [statements]).filter(isJsonObject);
}

/** Whether a (decoded) policy document holds an Allow statement. */
export function hasAllowStatement(document: unknown): boolean {
  return statementObjects(document).some((statement) => statement.Effect === 'Allow');
}
