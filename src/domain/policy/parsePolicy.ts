/**
 * Parses policy documents into compiled statements. Invalid statements become located problems and are
 * left out; the valid statements of the same policy still count.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */
import { createPairCache } from './boundedMemo.js';
import { type CompiledCondition, compileCondition } from './conditions.js';
import { decodePolicyDocument } from './policyDocument.js';
import { type PrincipalEntry, parsePrincipalElement } from './principalMatch.js';
import type { PolicyProblem, PolicyType, StatementRef } from './types.js';
import { parseTemplate, type Template } from './variables.js';
import { compileArnPattern, compileWildcard, type Matcher, tokenizeWildcards } from './wildcard.js';

export interface ResourcePattern {
  readonly raw: string;
  /** Present for patterns without variables. */
  readonly matcher?: Matcher;
  /** Present for patterns with variables (resolved per request). */
  readonly template?: Template;
}

/**
 * Problems that leave the statement in the evaluation (IAM ignores neither, but the engine can read past
 * them); an unknown element only in a Deny (see {@link keepsStatement}).
 */
const KEPT_STATEMENT_PROBLEMS: ReadonlySet<string> = new Set([
  'statement.unknownElement',
  'statement.invalidSid',
]);

/**
 * Whether the engine still evaluates a statement that has the problem: a Sid that is not a string, or an
 * element IAM does not know in a Deny (it then refuses more, never less). An Allow with an unknown
 * element is left out: read past it, a misspelt Condition or NotResource would grant more than it says.
 */
export function keepsStatement(problem: Pick<PolicyProblem, 'code' | 'effect'>): boolean {
  if (problem.code === 'statement.unknownElement') return problem.effect !== 'Allow';
  return KEPT_STATEMENT_PROBLEMS.has(problem.code);
}

export interface CompiledStatement {
  readonly index: number;
  /** Precomputed reference to this statement (used in results). */
  readonly ref: StatementRef;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly notAction: boolean;
  readonly actions: readonly { readonly raw: string; readonly matcher: Matcher }[];
  readonly notResource: boolean;
  readonly resources: readonly ResourcePattern[];
  /** Absent for policy types that take no Principal. */
  readonly principal?: { readonly not: boolean; readonly entries: readonly PrincipalEntry[] };
  readonly conditions: readonly CompiledCondition[];
}

export interface PolicyLocation {
  readonly policyType: PolicyType;
  readonly policyIndex: number;
  readonly level?: number;
}

export interface CompiledPolicy extends PolicyLocation {
  readonly name?: string;
  readonly arn?: string;
  readonly version?: string;
  readonly statements: readonly CompiledStatement[];
  readonly problems: readonly PolicyProblem[];
  /** Statements whose Action/NotAction covers an action (lower-cased), cached per action. */
  readonly relevantStatements: (actionLower: string) => readonly RelevantStatement[];
  /**
   * The relevant statements that can possibly match a resource whose key (see {@link resourceKey}) is
   * given: statements whose every Resource pattern starts with literal text incompatible with the key
   * are left out. Used when no explanation is requested.
   */
  readonly candidateStatements: (
    actionLower: string,
    resourceKeyValue: string,
  ) => readonly RelevantStatement[];
}

/**
 * The part of a resource ARN that identifies its container (for S3: `arn:aws:s3:::bucket`): everything
 * up to the first `/` after the fifth colon.
 */
export function resourceKey(resource: string): string {
  let colons = 0;
  for (let i = 0; i < resource.length; i++) {
    const c = resource.charCodeAt(i);
    if (c === 58) colons++;
    else if (c === 47 && colons >= 5) return resource.slice(0, i);
  }
  return resource;
}

/**
 * A Resource's template: policy variables only in the resource part of the ARN, after its fifth colon.
 * Before it (the service, region, account), IAM does not replace them: `${…}` there is literal text.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-infotouse
 */
function resourceTemplate(raw: string, variablesEnabled: boolean): Template {
  let colons = 0;
  let end = -1;
  let inVariable = false;
  for (let i = 0; i < raw.length && end < 0; i++) {
    if (!inVariable && raw.startsWith('${', i)) inVariable = true;
    else if (inVariable && raw[i] === '}') inVariable = false;
    else if (!inVariable && raw[i] === ':' && ++colons === 5) end = i + 1;
  }
  const head = end < 0 ? '' : raw.slice(0, end);
  if (!head.includes('${')) return parseTemplate(raw, variablesEnabled);
  const tail = parseTemplate(raw.slice(end), variablesEnabled);
  return { ...tail, parts: [{ text: head }, ...tail.parts] };
}

/** Literal text every match of a Resource pattern must start with (text before the first wildcard or variable). */
function literalPrefix(raw: string): string {
  let end = raw.length;
  for (const marker of ['*', '?', '${']) {
    const idx = raw.indexOf(marker);
    if (idx >= 0 && idx < end) end = idx;
  }
  return raw.slice(0, end);
}

/**
 * Whether some resource starting with `prefix` can have the resource key `key`. A resource has key `key`
 * only if it equals `key` or continues it with `/` (see {@link resourceKey}), so a prefix longer than
 * the key must continue it with `/`: `arn:aws:s3:::data-2-` can never name an object of `data-2`.
 */
function prefixMayHaveKey(prefix: string, key: string): boolean {
  if (prefix.length <= key.length) return key.startsWith(prefix);
  return prefix.startsWith(key) && prefix.charCodeAt(key.length) === 47;
}

function mayMatchKey(statement: CompiledStatement, prefixes: readonly string[], key: string): boolean {
  if (statement.notResource) return true;
  for (const prefix of prefixes) if (prefixMayHaveKey(prefix, key)) return true;
  return false;
}

export interface RelevantStatement {
  readonly statement: CompiledStatement;
  /** The Action pattern that matched (absent for NotAction statements). */
  readonly matchedAction?: string;
}

const PRINCIPAL_POLICY_TYPES: ReadonlySet<PolicyType> = new Set(['resource', 'rcp']);

/** Decodes a document for compilation, with a problem code for the policy's problem list. */
function decodeForCompile(
  document: unknown,
): { ok: true; value: Readonly<Record<string, unknown>> } | { ok: false; code: string; message: string } {
  const decoded = decodePolicyDocument(document);
  if (decoded.ok) return { ok: true, value: decoded.document };
  return {
    ok: false,
    code: typeof document === 'string' ? 'policy.invalidJson' : 'policy.notAnObject',
    message: `policy document: ${decoded.reason}`,
  };
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'))
    return value as string[];
  return undefined;
}

const ACTION_SHAPE = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;

interface StatementOutcome {
  readonly statement?: CompiledStatement;
  readonly problems: PolicyProblem[];
}

function compileStatement(
  raw: unknown,
  index: number,
  location: PolicyLocation & { readonly name?: string; readonly arn?: string },
  variablesEnabled: boolean,
): StatementOutcome {
  const problems: PolicyProblem[] = [];
  // The statement's Effect as written, for the problems' readers (a Deny left out can refuse; an Allow cannot).
  let writtenEffect: string | undefined;
  const problem = (code: string, field: string, message: string): void => {
    problems.push({
      code,
      message,
      policyType: location.policyType,
      policyIndex: location.policyIndex,
      statementIndex: index,
      field,
      ...(writtenEffect !== undefined ? { effect: writtenEffect } : {}),
      ...(location.name !== undefined ? { policyName: location.name } : {}),
      ...(location.level !== undefined ? { level: location.level } : {}),
    });
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problem(
      'statement.notAnObject',
      'Statement',
      `the statement is not an object: ${JSON.stringify(raw)?.slice(0, 60) ?? String(raw)}`,
    );
    return { problems };
  }
  const s = raw as Record<string, unknown>;
  writtenEffect = typeof s.Effect === 'string' ? s.Effect : undefined;
  const known = new Set([
    'Sid',
    'Effect',
    'Action',
    'NotAction',
    'Resource',
    'NotResource',
    'Principal',
    'NotPrincipal',
    'Condition',
  ]);
  for (const key of Object.keys(s)) {
    if (!known.has(key))
      problem('statement.unknownElement', key, `unknown element "${key}" (IAM refuses a policy with one)`);
  }

  const sid = s.Sid;
  if (sid !== undefined && typeof sid !== 'string')
    problem('statement.invalidSid', 'Sid', 'Sid must be a string');

  const effect = s.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') {
    problem(
      'statement.invalidEffect',
      'Effect',
      effect === undefined
        ? 'Effect is missing (it must be "Allow" or "Deny")'
        : `Effect must be "Allow" or "Deny", got ${JSON.stringify(effect)}`,
    );
  }

  // Action / NotAction
  let notAction = false;
  let actionValues: string[] | undefined;
  if (s.Action !== undefined && s.NotAction !== undefined) {
    problem('statement.actionAndNotAction', 'Action', 'a statement cannot have both Action and NotAction');
  } else if (s.Action === undefined && s.NotAction === undefined) {
    problem('statement.missingAction', 'Action', 'a statement needs Action or NotAction');
  } else {
    notAction = s.NotAction !== undefined;
    const field = notAction ? 'NotAction' : 'Action';
    actionValues = stringList(notAction ? s.NotAction : s.Action);
    if (actionValues === undefined) {
      problem('statement.invalidAction', field, `${field} must be a string or a non-empty array of strings`);
    } else {
      for (const a of actionValues) {
        if (!ACTION_SHAPE.test(a))
          problem('statement.invalidAction', field, `"${a}" is not of the form service:action`);
      }
    }
  }

  // Resource / NotResource
  let notResource = false;
  let resourceValues: string[] | undefined;
  if (s.Resource !== undefined && s.NotResource !== undefined) {
    problem(
      'statement.resourceAndNotResource',
      'Resource',
      'a statement cannot have both Resource and NotResource',
    );
  } else if (s.Resource === undefined && s.NotResource === undefined) {
    problem('statement.missingResource', 'Resource', 'a statement needs Resource or NotResource');
  } else {
    notResource = s.NotResource !== undefined;
    const field = notResource ? 'NotResource' : 'Resource';
    resourceValues = stringList(notResource ? s.NotResource : s.Resource);
    if (resourceValues === undefined)
      problem(
        'statement.invalidResource',
        field,
        `${field} must be a string or a non-empty array of strings`,
      );
  }

  // Principal / NotPrincipal: required in resource policies, forbidden elsewhere.
  let principal: CompiledStatement['principal'];
  const hasPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
  if (PRINCIPAL_POLICY_TYPES.has(location.policyType)) {
    if (s.Principal !== undefined && s.NotPrincipal !== undefined) {
      problem(
        'statement.principalAndNotPrincipal',
        'Principal',
        'a statement cannot have both Principal and NotPrincipal',
      );
    } else if (!hasPrincipal) {
      problem(
        'statement.missingPrincipal',
        'Principal',
        'a resource-based policy statement needs Principal or NotPrincipal',
      );
    } else {
      const not = s.NotPrincipal !== undefined;
      const parsed = parsePrincipalElement(not ? s.NotPrincipal : s.Principal);
      if (!parsed.ok)
        problem('statement.invalidPrincipal', not ? 'NotPrincipal' : 'Principal', parsed.message);
      else principal = { not, entries: parsed.entries };
    }
  } else if (hasPrincipal) {
    problem(
      'statement.unexpectedPrincipal',
      'Principal',
      `a ${location.policyType} policy cannot contain Principal or NotPrincipal`,
    );
  }

  // Condition
  const conditions: CompiledCondition[] = [];
  if (s.Condition !== undefined) {
    if (typeof s.Condition !== 'object' || s.Condition === null || Array.isArray(s.Condition)) {
      problem('statement.invalidCondition', 'Condition', 'Condition must be an object of operators');
    } else {
      for (const [operator, block] of Object.entries(s.Condition as Record<string, unknown>)) {
        if (typeof block !== 'object' || block === null || Array.isArray(block)) {
          problem(
            'statement.invalidCondition',
            'Condition',
            `"${operator}" must map condition keys to values`,
          );
          continue;
        }
        for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
          const compiled = compileCondition(operator, key, values, variablesEnabled);
          if (compiled.ok) conditions.push(compiled.condition);
          else problem(compiled.code, 'Condition', compiled.message);
        }
      }
    }
  }

  const fatal = problems.some((p) => !keepsStatement(p));
  if (
    fatal ||
    actionValues === undefined ||
    resourceValues === undefined ||
    (effect !== 'Allow' && effect !== 'Deny')
  ) {
    return { problems };
  }
  const statement: CompiledStatement = {
    index,
    ref: {
      policyType: location.policyType,
      policyIndex: location.policyIndex,
      statementIndex: index,
      ...(location.name !== undefined ? { policyName: location.name } : {}),
      ...(location.arn !== undefined ? { policyArn: location.arn } : {}),
      ...(location.level !== undefined ? { level: location.level } : {}),
      ...(typeof sid === 'string' ? { sid } : {}),
    },
    ...(typeof sid === 'string' ? { sid } : {}),
    effect,
    notAction,
    actions: actionValues.map((rawAction) => ({
      raw: rawAction,
      matcher: compileWildcard(tokenizeWildcards(rawAction.toLowerCase()), false),
    })),
    notResource,
    resources: resourceValues.map((rawResource) => {
      const template = resourceTemplate(rawResource, variablesEnabled);
      return template.hasVariables
        ? { raw: rawResource, template }
        : { raw: rawResource, matcher: compileArnPattern(tokenizeWildcards(rawResource)) };
    }),
    ...(principal !== undefined ? { principal } : {}),
    conditions,
  };
  return { statement, problems };
}

/** Splits a named policy input `{ name, arn, document }` from a bare document. */
export function unwrapPolicyInput(input: unknown): { name?: string; arn?: string; document: unknown } {
  if (
    typeof input === 'object' &&
    input !== null &&
    !Array.isArray(input) &&
    'document' in input &&
    !('Statement' in input)
  ) {
    const named = input as { name?: unknown; arn?: unknown; document: unknown };
    return {
      document: named.document,
      ...(typeof named.name === 'string' ? { name: named.name } : {}),
      ...(typeof named.arn === 'string' ? { arn: named.arn } : {}),
    };
  }
  return { document: input };
}

/**
 * Compiles one policy. Never throws: problems are returned inside the compiled policy.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
 */
export function compilePolicy(input: unknown, location: PolicyLocation): CompiledPolicy {
  const { name, arn, document } = unwrapPolicyInput(input);
  const named = {
    ...location,
    ...(name !== undefined ? { name } : {}),
    ...(arn !== undefined ? { arn } : {}),
  };
  const base = {
    ...location,
    ...(name !== undefined ? { name } : {}),
    ...(arn !== undefined ? { arn } : {}),
  };
  const policyProblem = (code: string, message: string, field?: string): PolicyProblem => ({
    code,
    message,
    policyType: location.policyType,
    policyIndex: location.policyIndex,
    ...(name !== undefined ? { policyName: name } : {}),
    ...(location.level !== undefined ? { level: location.level } : {}),
    ...(field !== undefined ? { field } : {}),
  });
  const decoded = decodeForCompile(document);
  if (!decoded.ok) {
    return withRelevance({
      ...base,
      statements: [],
      problems: [policyProblem(decoded.code, decoded.message)],
    });
  }
  const doc = decoded.value;
  const problems: PolicyProblem[] = [];
  const version = doc.Version;
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    problems.push(
      policyProblem(
        'policy.invalidVersion',
        `Version must be "2012-10-17" or "2008-10-17", got ${JSON.stringify(version)}`,
        'Version',
      ),
    );
  }
  // Policy variables need Version 2012-10-17; otherwise `${...}` is literal text.
  const variablesEnabled = version === '2012-10-17';
  const rawStatements = doc.Statement;
  const list = Array.isArray(rawStatements)
    ? rawStatements
    : rawStatements === undefined
      ? []
      : [rawStatements];
  if (rawStatements === undefined)
    problems.push(policyProblem('policy.missingStatement', 'the policy has no Statement', 'Statement'));
  const statements: CompiledStatement[] = [];
  list.forEach((raw, index) => {
    const outcome = compileStatement(raw, index, named, variablesEnabled);
    problems.push(...outcome.problems);
    if (outcome.statement !== undefined) statements.push(outcome.statement);
  });
  return withRelevance({
    ...base,
    ...(typeof version === 'string' ? { version } : {}),
    statements,
    problems,
  });
}

const MAX_CACHED_ACTIONS = 4096;
const MAX_CACHED_CANDIDATE_LISTS = 8192;

function withRelevance(
  policy: Omit<CompiledPolicy, 'relevantStatements' | 'candidateStatements'>,
): CompiledPolicy {
  const relevantByAction = new Map<string, readonly RelevantStatement[]>();
  const candidates = createPairCache<readonly RelevantStatement[]>(MAX_CACHED_CANDIDATE_LISTS);
  const prefixesByStatement = new Map<CompiledStatement, readonly string[]>(
    policy.statements.map((statement) => [statement, statement.resources.map((r) => literalPrefix(r.raw))]),
  );
  const relevantStatements = (actionLower: string): readonly RelevantStatement[] => {
    let found = relevantByAction.get(actionLower);
    if (found === undefined) {
      const list: RelevantStatement[] = [];
      for (const statement of policy.statements) {
        const hit = statement.actions.find((a) => a.matcher(actionLower));
        if (statement.notAction) {
          if (hit === undefined) list.push({ statement });
        } else if (hit !== undefined) {
          list.push({ statement, matchedAction: hit.raw });
        }
      }
      found = list;
      if (relevantByAction.size >= MAX_CACHED_ACTIONS) relevantByAction.clear();
      relevantByAction.set(actionLower, found);
    }
    return found;
  };
  const candidateStatements = (actionLower: string, key: string): readonly RelevantStatement[] => {
    // An action that names no resource: a pattern like arn:aws:s3:::* can take it in (see evaluate).
    if (key === '*') return relevantStatements(actionLower);
    let found = candidates.get(actionLower, key);
    if (found === undefined) {
      found = relevantStatements(actionLower).filter((r) =>
        mayMatchKey(r.statement, prefixesByStatement.get(r.statement) ?? [''], key),
      );
      candidates.set(actionLower, key, found);
    }
    return found;
  };
  return { ...policy, relevantStatements, candidateStatements };
}
