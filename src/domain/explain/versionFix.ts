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
import { decodePolicyDocument } from '../policy/policyDocument.js';
import type { AuthorizationRequest } from '../policy/types.js';
import type { LocatedPolicy } from '../snapshot/types.js';
import { isUnloggedKey, requestContextOf } from './denyAdvice.js';
import type { DeniedRequestForFix, FixInput } from './fix.js';
import { lineDiff } from './lineDiff.js';
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
  const toRequest = (r: DeniedRequestForFix): AuthorizationRequest =>
    r.evaluated ?? {
      principal: resolved.enginePrincipal,
      action: r.action,
      resource: r.resource,
      ...(input.resourceAccount !== undefined ? { resourceAccount: input.resourceAccount } : {}),
      context: r.context,
      principalContext: resolved.context,
      unknownKeys: isUnloggedKey,
    };
  for (let i = 0; i < resolved.identityPolicies.length; i++) {
    const located: LocatedPolicy = resolved.identityPolicies[i]!;
    const compiled = set.identity[i];
    if (compiled === undefined || compiled.version === CURRENT) continue;
    if (located.arn !== undefined && isAwsManagedPolicyArn(located.arn)) continue;
    const decoded = decodePolicyDocument(located.document);
    if (!decoded.ok) continue;
    const before = decoded.document;
    if (!JSON.stringify(before.Statement ?? null).includes('${')) continue;
    const { Version: _old, ...rest } = before;
    const after = { Version: CURRENT, ...rest };
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
    // Nothing else of the changed statements' actions becomes allowed on other resources for this caller.
    const probes = probeResources(requests);
    const actions = [
      ...new Set(
        own.flatMap(({ s }) => {
          const action = (s as { Action?: unknown }).Action;
          return (Array.isArray(action) ? action : [action]).filter(
            (a): a is string => typeof a === 'string',
          );
        }),
      ),
    ].filter((a) => !a.includes('*') && !a.includes('?'));
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
    const managed = located.kind === 'managed' && located.arn !== undefined;
    const diff = lineDiff(JSON.stringify(before, null, 2), JSON.stringify(after, null, 2));
    const n = requests.length;
    const verification = [
      `With "Version": "2012-10-17" added, ${n === 1 ? 'the denied request evaluates' : `all ${n} denied requests evaluate`} to Allowed.`,
      `Only ${own.length === 1 ? 'statement' : 'statements'} ${own.map(({ s, index }) => statementName(s, index)).join(', ')} ${own.length === 1 ? 'holds' : 'hold'} \${…}, so only ${own.length === 1 ? 'its' : 'their'} meaning changes: for this caller ${values || 'the variables resolve per request'}; for each other principal the policy serves, ${tokens.length === 1 ? 'it reads as its own value' : 'they read as its own values'}.`,
      newly === undefined
        ? `No other resource becomes newly allowed for ${actions.join(', ')} (${checked} action/resource probes with the refused requests' context).`
        : `Verification failed: the change would also newly allow ${newly}.`,
    ];
    return {
      fix: {
        attachTo: managed ? located.arn! : located.attachedTo.arn,
        attachKind: managed ? 'managed-policy-version' : 'inline-policy',
        ...(managed ? { policyArn: located.arn! } : {}),
        policyName: located.name,
        statements: [],
        newDocument: after,
        diff,
        verified: newly === undefined,
        verification,
      },
      caveats: [
        `${located.name} ${versionWords}, under which IAM reads \${…} as literal text: the fix adds "Version": "2012-10-17" and nothing else, so its \${…} resolve per request, for every principal the policy serves, rather than a statement that hard-codes this caller's value (${VERSION_DOC}).`,
      ],
    };
  }
  return undefined;
}

/** The refused resources, their buckets and a key beside them, and another bucket: where a widened statement would show. */
function probeResources(requests: readonly DeniedRequestForFix[]): string[] {
  const probes = new Set<string>();
  for (const r of requests) {
    probes.add(r.resource);
    const bucket = /^(arn:[^:]+:s3:::[^/]+)/.exec(r.resource)?.[1];
    if (bucket === undefined) continue;
    probes.add(bucket);
    probes.add(`${bucket}/permission-auditor-probe`);
    probes.add(`${bucket.replace(/:::.*/, ':::')}permission-auditor-other-bucket`);
  }
  probes.add('*');
  return [...probes];
}
