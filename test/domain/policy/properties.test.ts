/**
 * Laws of IAM policy evaluation checked over generated S3 policies and requests.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  createReusableResults,
  decisionUsesRequestContext,
  decisionWithAddedIdentityPolicy,
  evaluate,
  evaluateReusing,
  evaluateWithAddedIdentityPolicy,
  type PolicySet,
  policyAllows,
} from '../../../src/domain/policy/evaluate.js';
import {
  compilePolicySet,
  createPolicyCache,
  parseAuthorizationRequest,
  runSimulation,
} from '../../../src/domain/policy/simulation.js';
import type { Decision, EvaluationResult } from '../../../src/domain/policy/types.js';

const runs = { seed: 20261127, numRuns: 200 } as const;

const account = '111122223333';
const otherAccount = '444455556666';
const buckets = ['backup-bucket', 'media-bucket'] as const;
const principals = [
  `arn:aws:iam::${account}:user/backup`,
  `arn:aws:iam::${account}:user/alice`,
  `arn:aws:sts::${account}:assumed-role/backup-role/nightly`,
  `arn:aws:iam::${otherAccount}:user/partner`,
] as const;
const principalPatterns = [
  '*',
  { AWS: principals[0] },
  { AWS: `arn:aws:iam::${account}:role/backup-role` },
  { AWS: principals[2] },
  { AWS: `arn:aws:iam::${otherAccount}:root` },
  { AWS: account },
] as const;
const bucketActions = ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketPolicy'] as const;
const objectActions = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:GetObjectVersion',
  's3:PutObjectAcl',
] as const;
// Broad patterns appear twice so that generated statements often cover the request.
const actionPatterns = [
  '*',
  's3:*',
  's3:*',
  's3:Get*',
  's3:Put*',
  's3:*Object',
  's3:List*',
  ...bucketActions,
  ...objectActions,
];
const keys = [
  'daily/a.tar',
  'daily/b.tar',
  'weekly/w1.tar',
  'home/backup/notes.txt',
  'home/alice/notes.txt',
] as const;

type Json = Readonly<Record<string, unknown>>;
type Statement = Json;
interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly Statement[];
}
type Encoding = 'object' | 'string' | 'url';
interface EncodedPolicy {
  readonly document: PolicyDocument;
  readonly encoding: Encoding;
}
interface Request {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context: Readonly<Record<string, string | boolean>>;
}
interface Scenario {
  readonly request: Request;
  readonly identityPolicies: readonly EncodedPolicy[];
  readonly permissionsBoundary?: EncodedPolicy;
  readonly resourcePolicy?: EncodedPolicy;
  readonly sessionPolicy?: EncodedPolicy;
  readonly serviceControlPolicies?: readonly (readonly EncodedPolicy[])[];
}

const resourcePattern = fc.constantFrom(
  '*',
  'arn:aws:s3:::*',
  'arn:aws:s3:::*',
  ...buckets.flatMap((b) => [
    `arn:aws:s3:::${b}`,
    `arn:aws:s3:::${b}/*`,
    `arn:aws:s3:::${b}/daily/*`,
    `arn:aws:s3:::${b}/home/\${aws:username}/*`,
    // A variable read from the request's context (tags are passed in it here).
    `arn:aws:s3:::${b}/home/\${aws:PrincipalTag/team}/*`,
    `arn:aws:s3:::${b}/*/?.tar`,
  ]),
);

/** Present with the given odds, otherwise undefined; keeps Allowed outcomes frequent enough to test the laws. */
function sometimes<T>(
  arbitrary: fc.Arbitrary<T>,
  present: number,
  absent: number,
): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: absent }, { arbitrary, weight: present });
}

const condition = sometimes(
  fc.oneof(
    fc.record({ StringEquals: fc.record({ 'aws:PrincipalTag/team': fc.constantFrom('backup', 'media') }) }),
    fc.record({
      IpAddress: fc.record({ 'aws:SourceIp': fc.constantFrom('203.0.113.0/24', '2001:db8::/32') }),
    }),
    fc.record({ NotIpAddress: fc.record({ 'aws:SourceIp': fc.constant('198.51.100.0/24') }) }),
    fc.record({ Bool: fc.record({ 'aws:SecureTransport': fc.constantFrom('true', 'false') }) }),
    fc.record({ StringLikeIfExists: fc.record({ 's3:prefix': fc.constantFrom('daily/*', 'home/*') }) }),
    fc.record({ Null: fc.record({ 'aws:PrincipalTag/team': fc.constantFrom('true', 'false') }) }),
  ),
  1,
  2,
);

function statementArbitrary(
  effect: fc.Arbitrary<'Allow' | 'Deny'>,
  withPrincipal: boolean,
): fc.Arbitrary<Statement> {
  return fc
    .record({
      effect,
      actions: fc.uniqueArray(fc.constantFrom(...actionPatterns), { minLength: 1, maxLength: 3 }),
      resources: fc.uniqueArray(resourcePattern, { minLength: 1, maxLength: 3 }),
      principal: fc.constantFrom(...principalPatterns),
      condition,
      sid: fc.constantFrom('A', 'B', 'C', 'D'),
    })
    .map(({ effect: e, actions, resources, principal, condition: c, sid }) => ({
      Sid: sid,
      Effect: e,
      ...(withPrincipal ? { Principal: principal } : {}),
      Action: actions,
      Resource: resources,
      ...(c !== undefined ? { Condition: c } : {}),
    }));
}

const anyEffect = fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Allow', 'Deny');

function policyArbitrary(withPrincipal: boolean, maxStatements = 3): fc.Arbitrary<EncodedPolicy> {
  return fc.record({
    document: fc
      .array(statementArbitrary(anyEffect, withPrincipal), { minLength: 1, maxLength: maxStatements })
      .map((statements): PolicyDocument => ({ Version: '2012-10-17', Statement: statements })),
    encoding: fc.constantFrom<Encoding>('object', 'string', 'url'),
  });
}

const fullAccessScp: EncodedPolicy = {
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  encoding: 'object',
};

const requestArbitrary: fc.Arbitrary<Request> = fc
  .record({
    principal: fc.constantFrom(...principals),
    bucket: fc.constantFrom(...buckets),
    objectLevel: fc.boolean(),
    bucketAction: fc.constantFrom(...bucketActions),
    objectAction: fc.constantFrom(...objectActions),
    key: fc.constantFrom(...keys),
    team: fc.option(fc.constantFrom('backup', 'media'), { nil: undefined }),
    sourceIp: fc.constantFrom('203.0.113.9', '198.51.100.20', '2001:db8::7'),
    secureTransport: fc.boolean(),
    prefix: fc.option(fc.constantFrom('daily/', 'home/backup/', 'weekly/'), { nil: undefined }),
  })
  .map((r) => ({
    principal: r.principal,
    action: r.objectLevel ? r.objectAction : r.bucketAction,
    resource: r.objectLevel ? `arn:aws:s3:::${r.bucket}/${r.key}` : `arn:aws:s3:::${r.bucket}`,
    resourceAccount: account,
    context: {
      'aws:SourceIp': r.sourceIp,
      'aws:SecureTransport': r.secureTransport,
      ...(r.team !== undefined ? { 'aws:PrincipalTag/team': r.team } : {}),
      ...(r.prefix !== undefined && !r.objectLevel ? { 's3:prefix': r.prefix } : {}),
    },
  }));

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .record({
    request: requestArbitrary,
    identityPolicies: fc.array(policyArbitrary(false), { minLength: 1, maxLength: 2 }),
    permissionsBoundary: sometimes(policyArbitrary(false, 2), 1, 2),
    resourcePolicy: sometimes(policyArbitrary(true), 1, 1),
    sessionPolicy: sometimes(policyArbitrary(false, 2), 1, 2),
    serviceControlPolicies: sometimes(
      fc.array(
        fc.array(
          fc.oneof(
            { arbitrary: fc.constant(fullAccessScp), weight: 3 },
            { arbitrary: policyArbitrary(false, 2), weight: 1 },
          ),
          {
            minLength: 1,
            maxLength: 2,
          },
        ),
        { minLength: 1, maxLength: 3 },
      ),
      1,
      2,
    ),
  })
  .map((s): Scenario => {
    // Session policies exist only for sessions; giving one to an IAM user would not be a real request.
    const isSession = s.request.principal.includes(':assumed-role/');
    return {
      request: s.request,
      identityPolicies: s.identityPolicies,
      ...(s.permissionsBoundary !== undefined ? { permissionsBoundary: s.permissionsBoundary } : {}),
      ...(s.resourcePolicy !== undefined ? { resourcePolicy: s.resourcePolicy } : {}),
      ...(isSession && s.sessionPolicy !== undefined ? { sessionPolicy: s.sessionPolicy } : {}),
      ...(s.serviceControlPolicies !== undefined ? { serviceControlPolicies: s.serviceControlPolicies } : {}),
    };
  });

function encode(policy: EncodedPolicy): unknown {
  const json = JSON.stringify(policy.document);
  if (policy.encoding === 'string') return json;
  if (policy.encoding === 'url') return encodeURIComponent(json);
  return policy.document;
}

function toInput(s: Scenario): Json {
  return {
    request: s.request,
    identityPolicies: s.identityPolicies.map(encode),
    ...(s.permissionsBoundary !== undefined ? { permissionsBoundary: encode(s.permissionsBoundary) } : {}),
    ...(s.resourcePolicy !== undefined ? { resourcePolicy: encode(s.resourcePolicy) } : {}),
    ...(s.sessionPolicy !== undefined ? { sessionPolicy: encode(s.sessionPolicy) } : {}),
    ...(s.serviceControlPolicies !== undefined
      ? { serviceControlPolicies: s.serviceControlPolicies.map((level) => level.map(encode)) }
      : {}),
  };
}

function decide(s: Scenario, cache = createPolicyCache()): Decision {
  const outcome = runSimulation(toInput(s), cache);
  if (!outcome.ok)
    throw new Error(`generated scenario rejected: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.result.decision;
}

function withStatement(policy: EncodedPolicy, statement: Statement, position: number): EncodedPolicy {
  const statements = [...policy.document.Statement];
  statements.splice(position % (statements.length + 1), 0, statement);
  return { ...policy, document: { ...policy.document, Statement: statements } };
}

function newPolicy(statement: Statement): EncodedPolicy {
  return { document: { Version: '2012-10-17', Statement: [statement] }, encoding: 'object' };
}

type Target = 'identity' | 'boundary' | 'resource' | 'session' | 'scp';

/** Adds a statement to an existing policy of the chosen type, or creates that policy when it is absent. */
function addStatement(s: Scenario, target: Target, statement: Statement, position: number): Scenario {
  switch (target) {
    case 'identity': {
      const [first, ...others] = s.identityPolicies;
      const updated = first === undefined ? newPolicy(statement) : withStatement(first, statement, position);
      return { ...s, identityPolicies: [updated, ...others] };
    }
    case 'boundary':
      return {
        ...s,
        permissionsBoundary:
          s.permissionsBoundary === undefined
            ? newPolicy(statement)
            : withStatement(s.permissionsBoundary, statement, position),
      };
    case 'resource': {
      const withPrincipal = { Principal: '*', ...statement };
      return {
        ...s,
        resourcePolicy:
          s.resourcePolicy === undefined
            ? newPolicy(withPrincipal)
            : withStatement(s.resourcePolicy, withPrincipal, position),
      };
    }
    case 'session':
      if (!s.request.principal.includes(':assumed-role/')) return s;
      return {
        ...s,
        sessionPolicy:
          s.sessionPolicy === undefined
            ? newPolicy(statement)
            : withStatement(s.sessionPolicy, statement, position),
      };
    case 'scp': {
      const levels = s.serviceControlPolicies ?? [[fullAccessScp]];
      const index = position % levels.length;
      return {
        ...s,
        serviceControlPolicies: levels.map((level, i) =>
          i === index ? [...level, newPolicy(statement)] : level,
        ),
      };
    }
  }
}

/** Deterministic Fisher-Yates driven by a seed, so a failing shuffle replays exactly. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i -= 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

function shuffledPolicy(policy: EncodedPolicy, seed: number): EncodedPolicy {
  return {
    ...policy,
    document: { ...policy.document, Statement: shuffled(policy.document.Statement, seed) },
  };
}

function shuffledScenario(s: Scenario, seed: number): Scenario {
  const p = (policy: EncodedPolicy | undefined, salt: number) =>
    policy === undefined ? undefined : shuffledPolicy(policy, seed + salt);
  const boundary = p(s.permissionsBoundary, 1);
  const resource = p(s.resourcePolicy, 2);
  const session = p(s.sessionPolicy, 3);
  return {
    request: s.request,
    identityPolicies: shuffled(
      s.identityPolicies.map((policy, i) => shuffledPolicy(policy, seed + 10 + i)),
      seed,
    ),
    ...(boundary !== undefined ? { permissionsBoundary: boundary } : {}),
    ...(resource !== undefined ? { resourcePolicy: resource } : {}),
    ...(session !== undefined ? { sessionPolicy: session } : {}),
    ...(s.serviceControlPolicies !== undefined
      ? {
          serviceControlPolicies: shuffled(
            s.serviceControlPolicies.map((level, i) =>
              shuffled(
                level.map((policy, j) => shuffledPolicy(policy, seed + 100 * (i + 1) + j)),
                seed + i,
              ),
            ),
            seed + 7,
          ),
        }
      : {}),
  };
}

const targetArbitrary = fc.constantFrom<Target>('identity', 'boundary', 'resource', 'session', 'scp');

/** What a decision consists of, without explanations. */
function decisionView(r: EvaluationResult) {
  return {
    decision: r.decision,
    deniedBy: r.deniedBy,
    missingAllowIn: r.missingAllowIn,
    allowedBy: r.allowedBy,
    crossAccount: r.crossAccount,
  };
}

describe('policy evaluation laws', () => {
  test('generated scenarios cover all three decisions', () => {
    const seen = new Set<Decision>();
    fc.assert(
      fc.property(scenarioArbitrary, (s) => {
        seen.add(decide(s));
      }),
      runs,
    );
    assert.deepEqual([...seen].sort(), ['Allowed', 'ExplicitlyDenied', 'ImplicitlyDenied']);
  });

  test('adding a Deny statement to any policy never turns a decision into Allowed', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary,
        statementArbitrary(fc.constant('Deny'), false),
        targetArbitrary,
        fc.nat(),
        (s, denyStatement, target, position) => {
          const before = decide(s);
          const after = decide(addStatement(s, target, denyStatement, position));
          if (before !== 'Allowed') assert.notEqual(after, 'Allowed');
          if (before === 'ExplicitlyDenied') assert.equal(after, 'ExplicitlyDenied');
        },
      ),
      runs,
    );
  });

  test('shuffling statements within policies and policies within lists never changes the decision', () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.integer({ min: 1, max: 2 ** 31 - 1 }), (s, seed) => {
        assert.equal(decide(shuffledScenario(s, seed)), decide(s));
      }),
      runs,
    );
  });

  test('adding an Allow statement to an identity policy never turns ExplicitlyDenied into anything else', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary,
        statementArbitrary(fc.constant('Allow'), false),
        fc.nat(),
        (s, allowStatement, position) => {
          fc.pre(decide(s) === 'ExplicitlyDenied');
          assert.equal(decide(addStatement(s, 'identity', allowStatement, position)), 'ExplicitlyDenied');
        },
      ),
      { ...runs, maxSkipsPerRun: 1000 },
    );
  });

  test('a shared cache gives the same result twice and the same result as a fresh cache', () => {
    const shared = createPolicyCache();
    fc.assert(
      fc.property(scenarioArbitrary, (s) => {
        const input = toInput(s);
        const first = runSimulation(input, shared);
        const second = runSimulation(input, shared);
        const fresh = runSimulation(input, createPolicyCache());
        assert.deepEqual(second, first);
        assert.deepEqual(fresh, first);
      }),
      runs,
    );
  });

  test('adding an identity policy: evaluating it alone on top of the first result (in full, or its decision only) equals a full evaluation', () => {
    const view = (r: EvaluationResult) => ({
      ...decisionView(r),
      policyProblems: r.policyProblems,
      explanations: r.explanations,
    });
    const changed = new Set<string>();
    fc.assert(
      fc.property(scenarioArbitrary, policyArbitrary(false), fc.boolean(), (s, addedPolicy, foreign) => {
        const cache = createPolicyCache();
        const input = toInput(s);
        const compiled = compilePolicySet(input, cache);
        const parsed = parseAuthorizationRequest(input.request);
        if (!compiled.ok || !parsed.ok) throw new Error('generated scenario rejected');
        const { set } = compiled;
        const added = cache.compile(encode(addedPolicy), {
          policyType: 'identity',
          policyIndex: set.identity.length,
        });
        // A set not built by appending to the base one (the policy put first) takes the full evaluation.
        const extended: PolicySet = foreign
          ? { ...set, identity: [added, ...set.identity] }
          : { ...set, identity: [...set.identity, added] };
        const base = evaluate(set, parsed.request);
        const derived = evaluateWithAddedIdentityPolicy(base, extended, added);
        const full = evaluate(extended, parsed.request);
        assert.deepEqual(view(derived), view(full));
        assert.equal(decisionWithAddedIdentityPolicy(base, extended, added), full.decision);
        if (base.decision !== full.decision) changed.add(`${base.decision}->${full.decision}`);
      }),
      runs,
    );
    // Not vacuous: the added policy did change decisions, both ways it can.
    assert.ok(changed.has('ImplicitlyDenied->Allowed'), [...changed].join(', '));
    assert.ok(
      changed.has('Allowed->ExplicitlyDenied') || changed.has('ImplicitlyDenied->ExplicitlyDenied'),
      [...changed].join(', '),
    );
  });
  test('when the decision cannot depend on the context, requests that differ only in it get the same result, and reusing it is exact', () => {
    const view = decisionView;
    let free = 0;
    let differed = 0;
    fc.assert(
      fc.property(scenarioArbitrary, requestArbitrary, (s, other) => {
        const cache = createPolicyCache();
        const compiled = compilePolicySet(toInput(s), cache);
        const first = parseAuthorizationRequest(s.request);
        // Same caller, action, resource and resource account; the other request's context.
        const second = parseAuthorizationRequest({ ...s.request, context: other.context });
        if (!compiled.ok || !first.ok || !second.ok) throw new Error('generated scenario rejected');
        const a = evaluate(compiled.set, first.request);
        const b = evaluate(compiled.set, second.request);
        // Evaluating both through one set of reusable results gives each its own full result's view.
        const reusable = createReusableResults();
        assert.deepEqual(view(evaluateReusing(compiled.set, first.request, reusable)), view(a));
        assert.deepEqual(view(evaluateReusing(compiled.set, second.request, reusable)), view(b));
        if (!decisionUsesRequestContext(compiled.set, s.request.action, s.request.resource)) {
          free++;
          assert.deepEqual(view(b), view(a));
        } else if (a.decision !== b.decision) {
          differed++;
        }
      }),
      { ...runs, numRuns: 400 },
    );
    // Not vacuous: both kinds occur, and where the context can matter it did change decisions.
    assert.ok(free > 40, `${free} context-free requests`);
    assert.ok(differed > 0, 'no context-dependent request changed its decision');
  });
  test('policyAllows says whether an Allow statement of the policy applies, as a full evaluation counts it', () => {
    let allows = 0;
    fc.assert(
      fc.property(policyArbitrary(false), requestArbitrary, (policy, request) => {
        const cache = createPolicyCache();
        const compiled = cache.compile(encode(policy), { policyType: 'identity', policyIndex: 0 });
        const parsed = parseAuthorizationRequest(request);
        if (!parsed.ok) throw new Error('generated request rejected');
        const alone: PolicySet = { identity: [compiled], scpLevels: [], rcpLevels: [] };
        const expected = evaluate(alone, parsed.request).allowedBy.length > 0;
        assert.equal(policyAllows(compiled, parsed.request), expected);
        if (expected) allows++;
      }),
      { ...runs, numRuns: 400 },
    );
    // Not vacuous: both answers occur.
    assert.ok(allows > 20 && allows < 380, `${allows} of 400 allowed`);
  });
});
