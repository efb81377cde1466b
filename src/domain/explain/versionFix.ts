/**
 * The fix for an identity policy without Version 2012-10-17 whose `${…}` the refused requests miss: under
 * 2008-10-17 (what IAM reads when the Version is missing) a policy variable is literal text, so
 * `s3:prefix "${aws:username}/*"` matches only that text. Adding `"Version": "2012-10-17"` is the change
 * the policy's author meant, and it works for every principal the policy serves, where a statement for
 * this caller alone would hard-code its value.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
 */
import { isAwsManagedPolicyArn } from '../policy/arnPartition.js';
import { evaluate, type PolicySet } from '../policy/evaluate.js';
import type { CompiledPolicy } from '../policy/parsePolicy.js';
import { decodePolicyDocument } from '../policy/policyDocument.js';
import type { AuthorizationRequest } from '../policy/types.js';
import type { LocatedPolicy } from '../snapshot/types.js';
import { requestContextOf } from './denyAdvice.js';
import {
  type DeniedRequestForFix,
  evaluatedRequestOf,
  type FixInput,
  fullVersionsCaveat,
  otherHolders,
  serviceLinkedRefusal,
  shownHolders,
} from './fix.js';
import { lineDiff } from './lineDiff.js';
import { PERMISSION_SET_INLINE_POLICY } from './policySize.js';
import type { Fix } from './report.js';

const CURRENT = '2012-10-17';
const VERSION_DOC =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html';

/** A statement's name in prose: its Sid, or its place in the policy. */
function statementName(statement: unknown, index: number): string {
  const sid =
    typeof statement === 'object' && statement !== null ? (statement as { Sid?: unknown }).Sid : undefined;
  return typeof sid === 'string' && sid !== '' ? sid : `#${index + 1}`;
}

/**
 * The Version edit for the requests an Allow refused only because its `${…}` is literal text, when it
 * alone lets every one of them through: the fix (a new version of the managed policy, or the inline
 * policy rewritten), verified with the engine. `advice` instead when the edit would also change other
 * statements' meaning (their own `${…}` would become variables too), naming them; `undefined` when no
 * identity policy's Version edit lets the requests through.
 */
export function literalVariableVersionFix(
  input: FixInput,
  requests: readonly DeniedRequestForFix[],
): { readonly fix: Fix; readonly caveats: readonly string[] } | { readonly advice: string } | undefined {
  const { resolved } = input;
  const set = resolved.set;
  const toRequest = (r: DeniedRequestForFix): AuthorizationRequest => evaluatedRequestOf(input, r);
  // A service-linked role's policies are its service's to change, not the account's.
  if (serviceLinkedRefusal(input.principal, resolved.identityArn) !== undefined) return undefined;
  const identityCenter = input.principal.type === 'IdentityCenter';
  for (let i = 0; i < resolved.identityPolicies.length; i++) {
    const located: LocatedPolicy = resolved.identityPolicies[i]!;
    const compiled = set.identity[i];
    if (compiled === undefined || compiled.version === CURRENT) continue;
    if (located.arn !== undefined && isAwsManagedPolicyArn(located.arn)) continue;
    // An IAM Identity Center role's inline policy is its permission set's, provisioned under this name:
    // the edit goes to the permission set (IAM refuses edits to the role itself). No other inline policy
    // of such a role can be edited.
    const permissionSet = identityCenter && located.kind === 'inline';
    if (permissionSet && located.name !== PERMISSION_SET_INLINE_POLICY) continue;
    const decoded = decodePolicyDocument(located.document);
    if (!decoded.ok) continue;
    const before = decoded.document;
    if (!JSON.stringify(before.Statement ?? null).includes('${')) continue;
    const { Version: _old, ...rest } = before;
    const after = { Version: CURRENT, ...rest };
    const managed = located.kind === 'managed' && located.arn !== undefined;
    const alsoBoundary =
      located.kind === 'managed' &&
      located.arn !== undefined &&
      resolved.boundary?.arn === located.arn &&
      set.permissionsBoundary !== undefined;
    const patched: PolicySet = {
      ...set,
      identity: set.identity.map((p, j) =>
        j === i
          ? input.cache.compile(
              {
                name: located.name,
                ...(located.arn !== undefined ? { arn: located.arn } : {}),
                document: after,
              },
              { policyType: 'identity', policyIndex: i },
            )
          : p,
      ),
      // The same managed policy as the permissions boundary is the same document there: a new version
      // changes both.
      ...(alsoBoundary
        ? {
            permissionsBoundary: input.cache.compile(
              { name: located.name, arn: located.arn!, document: after },
              { policyType: 'permissions-boundary', policyIndex: 0 },
            ),
          }
        : {}),
    };
    const results = requests.map((r) => ({
      r,
      request: toRequest(r),
      result: evaluate(patched, toRequest(r)),
    }));
    if (results.some((x) => x.result.decision !== 'Allowed')) continue;
    // The statements that now let the requests through, and those whose meaning the Version changes too.
    const allowing = new Set(
      results.flatMap((x) =>
        x.result.allowedBy
          .filter((ref) => ref.policyType === 'identity' && ref.policyIndex === i)
          .map((ref) => ref.statementIndex),
      ),
    );
    const statements: unknown[] = Array.isArray(before.Statement) ? before.Statement : [before.Statement];
    const changed = statements
      .map((s, index) => ({ s, index }))
      .filter(({ s }) => JSON.stringify(s).includes('${'));
    const others = changed.filter(({ index }) => !allowing.has(index));
    const own = changed.filter(({ index }) => allowing.has(index));
    const versionWords =
      compiled.version === undefined
        ? 'has no Version (IAM reads it as 2008-10-17)'
        : `has Version ${compiled.version}`;
    if (others.length > 0)
      return {
        advice: `${located.name} ${versionWords}. Adding "Version": "2012-10-17" would let these requests through (checked), but it is not proposed as the fix: it also turns the \${…} of ${others.length === 1 ? 'statement' : 'statements'} ${others.map(({ s, index }) => statementName(s, index)).join(', ')} into policy variables, changing what ${others.length === 1 ? 'it grants or denies' : 'they grant or deny'}. If those are meant as variables too, add the Version; if any is meant literally, write its \${ as \${$}{ first (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html), then add it (${VERSION_DOC}).`,
      };
    // What the variables now read as for this caller (each other principal the policy serves gets its own).
    const context = requestContextOf(results[0]!.request);
    const tokens = [
      ...new Set(own.flatMap(({ s }) => [...JSON.stringify(s).matchAll(/\$\{[^}]+\}/g)].map((m) => m[0]))),
    ];
    const values = tokens
      .map((token) => {
        const name = /^\$\{\s*([^,}]+?)\s*(?:,|\})/.exec(token)?.[1]?.toLowerCase() ?? '';
        const value = context.get(name)?.values;
        return `${token} reads as ${value !== undefined && value.length === 1 ? JSON.stringify(String(value[0])) : 'unknown'}`;
      })
      .join(', ');
    // Nothing else of the changed statements' actions becomes allowed on other resources for this caller:
    // every S3 action their Action (or NotAction) covers, wildcards expanded against the S3 catalogue,
    // and another service's action named as it is. Another service's wildcard (or a NotAction, which
    // covers every other service) cannot be listed, so it leaves the change unverified.
    const covered = coveredActions(input, patched.identity[i]!, own);
    const unprobed = covered.unprobed;
    // The refused requests' own actions first: what the change newly allows is named with them if it can be.
    const refusedActions = new Set(requests.map((r) => r.action.toLowerCase()));
    const actions = [
      ...covered.probed.filter((a) => refusedActions.has(a.toLowerCase())),
      ...covered.probed.filter((a) => !refusedActions.has(a.toLowerCase())),
    ];
    const probes = probeResources(requests);
    const refused = new Set(requests.map((r) => `${r.action.toLowerCase()} ${r.resource}`));
    let checked = 0;
    let newly: string | undefined;
    outer: for (const x of results)
      for (const action of actions)
        for (const resource of probes) {
          if (refused.has(`${action.toLowerCase()} ${resource}`)) continue;
          checked++;
          const probe = { ...x.request, action, resource };
          if (
            evaluate(patched, probe).decision === 'Allowed' &&
            evaluate(set, probe).decision !== 'Allowed'
          ) {
            newly = `${action} on ${resource}`;
            break outer;
          }
        }
    const diff = lineDiff(JSON.stringify(before, null, 2), JSON.stringify(after, null, 2));
    const n = requests.length;
    const verification = [
      `With ${compiled.version === undefined ? '"Version": "2012-10-17" added' : 'the Version changed to "2012-10-17"'}, ${n === 1 ? 'the denied request evaluates' : `all ${n} denied requests evaluate`} to Allowed.`,
      `Only ${own.length === 1 ? 'statement' : 'statements'} ${own.map(({ s, index }) => statementName(s, index)).join(', ')} ${own.length === 1 ? 'holds' : 'hold'} \${…}, so only ${own.length === 1 ? 'its' : 'their'} meaning changes: for this caller ${values || 'the variables resolve per request'}; for each other principal the policy serves, ${tokens.length === 1 ? 'it reads as its own value' : 'they read as its own values'}.`,
      newly !== undefined
        ? `Verification failed: the change would also newly allow ${newly}.`
        : unprobed.length > 0
          ? `Not verified: ${own.length === 1 ? 'its Action covers' : 'their Actions cover'} ${unprobed.join(', ')}, whose actions cannot be listed to probe here, so what the change newly allows with them is not known (${checked} action/resource probes of the rest found nothing newly allowed).`
          : checked === 0
            ? 'Not verified: no action the changed statements cover could be probed on other resources.'
            : `No other resource becomes newly allowed for ${actionWords(own, actions)} (${checked} action/resource probes with the refused requests' context).`,
    ];
    if (alsoBoundary)
      verification.push(
        `${located.name} is also the permissions boundary: checked with the new version in both places.`,
      );
    // Who else the new version serves: each gets the variables' own values, which no request of theirs
    // here shows.
    const sharedWith =
      managed && input.snapshot !== undefined
        ? otherHolders(input.snapshot, located.arn!, located.attachedTo)
        : [];
    if (sharedWith.length > 0)
      verification.push(
        `Verified for this caller only: ${located.name} also serves ${shownHolders(sharedWith, true)}, for whom the \${…} read as their own values; what the new version changes for them was not evaluated.`,
      );
    const verified = newly === undefined && unprobed.length === 0 && checked > 0;
    const fix: Fix = {
      attachTo: managed ? located.arn! : located.attachedTo.arn,
      attachKind: managed ? 'managed-policy-version' : permissionSet ? 'permission-set' : 'inline-policy',
      ...(managed ? { policyArn: located.arn! } : {}),
      policyName: permissionSet ? (input.principal.permissionSet ?? located.name) : located.name,
      statements: [],
      newDocument: after,
      diff,
      verified,
      verification,
    };
    // A managed policy already at IAM's 5 versions takes no new one until one is deleted.
    const full = fullVersionsCaveat(fix, input.snapshot);
    return {
      fix,
      caveats: [
        `${located.name} ${versionWords}, under which IAM reads \${…} as literal text: the fix ${compiled.version === undefined ? 'adds "Version": "2012-10-17"' : `changes its Version from ${JSON.stringify(compiled.version)} to "2012-10-17"`} and nothing else, so its \${…} resolve per request, for every principal the policy serves, rather than a statement that hard-codes this caller's value (${VERSION_DOC}).`,
        // The finding's own caveat already sends an Identity Center role's inline policy to its permission set.
        ...(identityCenter && managed ? [identityCenterCaveat(input, located)] : []),
        ...(full !== undefined ? [full] : []),
      ],
    };
  }
  return undefined;
}

/**
 * The customer managed policy an IAM Identity Center role holds is one its permission set references by
 * name and path: each account the permission set is provisioned to holds its own copy.
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetcustom.html
 */
function identityCenterCaveat(input: FixInput, located: LocatedPolicy): string {
  const name = input.principal.permissionSet !== undefined ? ` ${input.principal.permissionSet}` : '';
  return `${located.name} is a customer managed policy the permission set${name} references by name: each account the permission set is provisioned to holds its own ${located.name}, so make the change in each of them (https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetcustom.html).`;
}

/**
 * The actions the changed statements cover, to probe: every S3 action of the catalogue one of them
 * matches (its Action's wildcards expanded, or all but its NotAction), and another service's action
 * named without a wildcard. `unprobed` names what cannot be listed: another service's wildcard, or a
 * NotAction (which covers every other service's actions).
 */
function coveredActions(
  input: FixInput,
  policy: CompiledPolicy,
  own: readonly { readonly index: number }[],
): { readonly probed: readonly string[]; readonly unprobed: readonly string[] } {
  const indexes = new Set(own.map(({ index }) => index));
  // The catalogue names S3's actions without their service prefix.
  const probed = input.s3Actions
    .map((name) => `s3:${name}`)
    .filter((action) =>
      policy.relevantStatements(action.toLowerCase()).some((r) => indexes.has(r.statement.index)),
    );
  const others = new Set<string>();
  const unprobed = new Set<string>();
  for (const statement of policy.statements) {
    if (!indexes.has(statement.index)) continue;
    if (statement.notAction) {
      unprobed.add(
        `NotAction ${statement.actions.map((a) => a.raw).join(', ')} (every other service's actions)`,
      );
      continue;
    }
    for (const { raw } of statement.actions) {
      if (/^s3:/i.test(raw)) continue;
      if (/[*?]/.test(raw)) unprobed.add(raw);
      else others.add(raw);
    }
  }
  return { probed: [...probed, ...others], unprobed: [...unprobed] };
}

/** The probed actions in words: as the statements write them, with how many a wildcard stands for. */
function actionWords(own: readonly { readonly s: unknown }[], probed: readonly string[]): string {
  const written = [
    ...new Set(
      own.flatMap(({ s }) => {
        const action = (s as { Action?: unknown }).Action;
        return (Array.isArray(action) ? action : [action]).filter((a): a is string => typeof a === 'string');
      }),
    ),
  ];
  return written.some((a) => /[*?]/.test(a))
    ? `${written.join(', ')}, ${probed.length} ${probed.length === 1 ? 'action' : 'actions'} with the wildcards expanded`
    : written.join(', ');
}

/** The refused resources, their buckets and a key beside them, and another bucket: where a widened statement would show. */
function probeResources(requests: readonly DeniedRequestForFix[]): string[] {
  const probes = new Set<string>();
  for (const r of requests) {
    probes.add(r.resource);
    const bucket = /^(arn:[^:]+:s3:::[^/]+)/.exec(r.resource)?.[1];
    if (bucket === undefined) continue;
    probes.add(bucket);
    // Another bucket before a key of this one: a bucket action's widening shows on a bucket's ARN.
    probes.add(`${bucket.replace(/:::.*/, ':::')}permission-auditor-other-bucket`);
    probes.add(`${bucket}/permission-auditor-probe`);
  }
  probes.add('*');
  return [...probes];
}
