/**
 * Condition operators: every family AWS defines, `...IfExists`, the set qualifiers `ForAllValues:` and
 * `ForAnyValue:`, case-insensitive key names, AWS's missing-key semantics and policy variables.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
import { eventTimeMillis } from '../cloudtrail/eventTime.js';
import { boundedMemo } from './boundedMemo.js';
import { type CidrBlock, cidrContains, parseCidr, parseIp } from './ipAddress.js';
import type { RequestContextView } from './requestContext.js';
import type { ConditionFailure } from './types.js';
import {
  parseTemplate,
  resolvedVariablesKey,
  resolveTemplate,
  resolveTemplateTokens,
  resolveVariables,
  type Template,
  tokensFromResolved,
} from './variables.js';
import { compileWildcard, type Matcher, splitArn, tokenizeWildcards } from './wildcard.js';

type Family = 'String' | 'StringLike' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';
type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

interface OperatorSpec {
  readonly family: Family;
  readonly negated: boolean;
  readonly ignoreCase?: boolean;
  readonly comparison?: Comparison;
}

/** Every base operator, by its exact AWS name. */
const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  StringEquals: { family: 'String', negated: false },
  StringNotEquals: { family: 'String', negated: true },
  StringEqualsIgnoreCase: { family: 'String', negated: false, ignoreCase: true },
  StringNotEqualsIgnoreCase: { family: 'String', negated: true, ignoreCase: true },
  StringLike: { family: 'StringLike', negated: false },
  StringNotLike: { family: 'StringLike', negated: true },
  NumericEquals: { family: 'Numeric', negated: false, comparison: 'eq' },
  NumericNotEquals: { family: 'Numeric', negated: true, comparison: 'eq' },
  NumericLessThan: { family: 'Numeric', negated: false, comparison: 'lt' },
  NumericLessThanEquals: { family: 'Numeric', negated: false, comparison: 'lte' },
  NumericGreaterThan: { family: 'Numeric', negated: false, comparison: 'gt' },
  NumericGreaterThanEquals: { family: 'Numeric', negated: false, comparison: 'gte' },
  DateEquals: { family: 'Date', negated: false, comparison: 'eq' },
  DateNotEquals: { family: 'Date', negated: true, comparison: 'eq' },
  DateLessThan: { family: 'Date', negated: false, comparison: 'lt' },
  DateLessThanEquals: { family: 'Date', negated: false, comparison: 'lte' },
  DateGreaterThan: { family: 'Date', negated: false, comparison: 'gt' },
  DateGreaterThanEquals: { family: 'Date', negated: false, comparison: 'gte' },
  Bool: { family: 'Bool', negated: false },
  BinaryEquals: { family: 'Binary', negated: false },
  IpAddress: { family: 'Ip', negated: false },
  NotIpAddress: { family: 'Ip', negated: true },
  ArnEquals: { family: 'Arn', negated: false },
  ArnLike: { family: 'Arn', negated: false },
  ArnNotEquals: { family: 'Arn', negated: true },
  ArnNotLike: { family: 'Arn', negated: true },
  Null: { family: 'Null', negated: false },
};

/** One value of a condition, prepared for fast matching. `match` receives one request value. */
interface PreparedValue {
  readonly raw: string;
  /** Returns undefined when a policy variable in the value cannot be resolved. */
  readonly match: (requestValue: string, context: RequestContextView) => boolean | undefined;
}

export interface CompiledCondition {
  readonly operator: string;
  readonly key: string;
  readonly keyLower: string;
  readonly spec: OperatorSpec;
  readonly qualifier?: 'ForAllValues' | 'ForAnyValue';
  readonly ifExists: boolean;
  readonly values: readonly PreparedValue[];
}

export type ConditionCompileResult =
  | { readonly ok: true; readonly condition: CompiledCondition }
  | { readonly ok: false; readonly code: string; readonly message: string };

function compare(cmp: Comparison, request: number, policy: number): boolean {
  switch (cmp) {
    case 'eq':
      return request === policy;
    case 'lt':
      return request < policy;
    case 'lte':
      return request <= policy;
    case 'gt':
      return request > policy;
    case 'gte':
      return request >= policy;
  }
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string): number | undefined {
  return NUMBER.test(text.trim()) ? Number(text) : undefined;
}

/**
 * Dates are W3C's ISO 8601 (a time without a zone is UTC, as everywhere here: read in the machine's zone,
 * a condition would decide differently from one machine to another) or epoch seconds.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
 * @see https://www.w3.org/TR/NOTE-datetime
 */
function parseDate(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  // W3C's ISO 8601 profile also has a year and month alone (a year alone is read as epoch seconds).
  const month = /^(\d{4})-(\d{2})$/.exec(t);
  const ms = eventTimeMillis(month !== null ? `${t}-01` : t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Request-side parsers: the same source IPs, times and numbers recur across the requests of a trail. */
const MAX_MEMO_ENTRIES = 4096;
const requestNumber = boundedMemo(parseNumber, MAX_MEMO_ENTRIES);
const requestDate = boundedMemo(parseDate, MAX_MEMO_ENTRIES);
const requestIp = boundedMemo(parseIp, MAX_MEMO_ENTRIES);

function normaliseBase64(text: string): string | undefined {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 === 1) return undefined;
  return Buffer.from(t, 'base64').toString('hex');
}

function compileArnMatcherFromTokens(tokensBySegment: Matcher[]): Matcher {
  return (candidate) => {
    const parts = splitArn(candidate);
    if (parts === undefined) return false;
    for (let i = 0; i < 6; i++) if (!tokensBySegment[i]!(parts[i]!)) return false;
    return true;
  };
}

/** ARN condition values are matched segment by segment; wildcards never cross a colon except in the resource part. */
function compileArnConditionPattern(
  template: Template,
  context: RequestContextView | undefined,
): Matcher | undefined {
  const resolved = template.hasVariables
    ? resolveTemplate(template, context ?? emptyContext)
    : template.parts.map((p) => ('text' in p ? p.text : '')).join('');
  if (resolved === undefined) return undefined;
  const segments = splitArn(resolved);
  if (segments === undefined) {
    // A pattern without six parts can only match through a trailing `*` (e.g. `*`).
    const matcher = compileWildcard(tokenizeWildcards(resolved), false);
    return matcher;
  }
  // Variable-produced text is literal; re-tokenise each segment from the resolved template tokens.
  const tokens = resolveTemplateTokens(template, context);
  if (tokens === undefined) return undefined;
  const segmentMatchers: Matcher[] = [];
  let current: ReturnType<typeof tokenizeWildcards> = [];
  let colons = 0;
  for (const token of tokens) {
    if ('wildcard' in token || colons >= 5) {
      current.push(token);
      continue;
    }
    let rest = token.literal;
    let idx = rest.indexOf(':');
    while (idx >= 0 && colons < 5) {
      if (idx > 0) current.push({ literal: rest.slice(0, idx) });
      segmentMatchers.push(compileWildcard(current, false));
      current = [];
      colons++;
      rest = rest.slice(idx + 1);
      idx = rest.indexOf(':');
    }
    if (rest !== '') current.push({ literal: rest });
  }
  segmentMatchers.push(compileWildcard(current, false));
  if (segmentMatchers.length !== 6) return undefined;
  return compileArnMatcherFromTokens(segmentMatchers);
}

const emptyContext: RequestContextView = { get: () => undefined, singleValue: () => undefined };

function prepareValue(
  spec: OperatorSpec,
  raw: string,
  variablesEnabled: boolean,
): PreparedValue | { error: string } {
  switch (spec.family) {
    case 'String': {
      const template = parseTemplate(raw, variablesEnabled);
      const fold = spec.ignoreCase === true ? (s: string) => s.toLowerCase() : (s: string) => s;
      if (!template.hasVariables) {
        const target = fold(raw);
        return { raw, match: (v) => fold(v) === target };
      }
      return {
        raw,
        match: (v, ctx) => {
          const resolved = resolveTemplate(template, ctx);
          return resolved === undefined ? undefined : fold(v) === fold(resolved);
        },
      };
    }
    case 'StringLike': {
      const template = parseTemplate(raw, variablesEnabled);
      if (!template.hasVariables) {
        const matcher = compileWildcard(tokenizeWildcards(raw), false);
        return { raw, match: (v) => matcher(v) };
      }
      const cache = new Map<string, Matcher>();
      return {
        raw,
        match: (v, ctx) => {
          const cacheKey = resolvedVariablesKey(template, ctx);
          if (cacheKey === undefined) return undefined;
          let matcher = cache.get(cacheKey);
          if (matcher === undefined) {
            const values = resolveVariables(template, ctx);
            if (values === undefined) return undefined;
            if (cache.size > 256) cache.clear();
            matcher = compileWildcard(tokensFromResolved(template, values), false);
            cache.set(cacheKey, matcher);
          }
          return matcher(v);
        },
      };
    }
    case 'Numeric': {
      const n = parseNumber(raw);
      if (n === undefined) return { error: `"${raw}" is not a number` };
      const cmp = spec.comparison ?? 'eq';
      return {
        raw,
        match: (v) => {
          const r = requestNumber(v);
          return r !== undefined && compare(cmp, r, n);
        },
      };
    }
    case 'Date': {
      const d = parseDate(raw);
      if (d === undefined) return { error: `"${raw}" is not an ISO 8601 date or epoch seconds` };
      const cmp = spec.comparison ?? 'eq';
      return {
        raw,
        match: (v) => {
          const r = requestDate(v);
          return r !== undefined && compare(cmp, r, d);
        },
      };
    }
    case 'Bool': {
      const b = raw.toLowerCase();
      if (b !== 'true' && b !== 'false') return { error: `"${raw}" is not true or false` };
      return { raw, match: (v) => v.toLowerCase() === b };
    }
    case 'Binary': {
      const hex = normaliseBase64(raw);
      if (hex === undefined) return { error: `"${raw}" is not base64` };
      return { raw, match: (v) => normaliseBase64(v) === hex };
    }
    case 'Ip': {
      const block: CidrBlock | undefined = parseCidr(raw);
      if (block === undefined) return { error: `"${raw}" is not an IPv4 or IPv6 address or CIDR block` };
      return {
        raw,
        match: (v) => {
          const ip = requestIp(v);
          return ip !== undefined && cidrContains(block, ip);
        },
      };
    }
    case 'Arn': {
      const template = parseTemplate(raw, variablesEnabled);
      if (!template.hasVariables) {
        const matcher = compileArnConditionPattern(template, undefined);
        if (matcher === undefined) return { error: `"${raw}" is not an ARN pattern` };
        return { raw, match: (v) => matcher(v) };
      }
      const cache = new Map<string, Matcher | undefined>();
      return {
        raw,
        match: (v, ctx) => {
          const resolved = resolveTemplate(template, ctx);
          if (resolved === undefined) return undefined;
          let matcher = cache.get(resolved);
          if (matcher === undefined) {
            if (cache.size > 256) cache.clear();
            matcher = compileArnConditionPattern(template, ctx);
            cache.set(resolved, matcher);
          }
          return matcher === undefined ? false : matcher(v);
        },
      };
    }
    case 'Null': {
      const b = raw.toLowerCase();
      if (b !== 'true' && b !== 'false') return { error: `Null expects true or false, got "${raw}"` };
      return { raw, match: () => false };
    }
  }
}

function valueToText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Compiles `"Operator": { "key": value(s) }` for one key. */
export function compileCondition(
  operator: string,
  key: string,
  rawValues: unknown,
  variablesEnabled: boolean,
): ConditionCompileResult {
  let base = operator;
  let qualifier: 'ForAllValues' | 'ForAnyValue' | undefined;
  const colon = base.indexOf(':');
  if (colon >= 0) {
    const q = base.slice(0, colon);
    if (q !== 'ForAllValues' && q !== 'ForAnyValue') {
      return {
        ok: false,
        code: 'condition.unknownQualifier',
        message: `unknown set qualifier "${q}" in "${operator}"`,
      };
    }
    qualifier = q;
    base = base.slice(colon + 1);
  }
  let ifExists = false;
  if (base.endsWith('IfExists')) {
    ifExists = true;
    base = base.slice(0, -'IfExists'.length);
  }
  const spec = OPERATORS[base];
  if (spec === undefined) {
    return {
      ok: false,
      code: 'condition.unknownOperator',
      message: `unknown condition operator "${operator}"`,
    };
  }
  if (spec.family === 'Null' && (ifExists || qualifier !== undefined)) {
    return {
      ok: false,
      code: 'condition.invalidOperator',
      message: `"${operator}": Null takes no IfExists or set qualifier`,
    };
  }
  const list = Array.isArray(rawValues) ? rawValues : [rawValues];
  if (list.length === 0) {
    return { ok: false, code: 'condition.emptyValues', message: `"${operator}" on "${key}" has no values` };
  }
  const values: PreparedValue[] = [];
  for (const item of list) {
    const text = valueToText(item);
    if (text === undefined) {
      return {
        ok: false,
        code: 'condition.invalidValue',
        message: `"${operator}" on "${key}": values must be strings, numbers or booleans`,
      };
    }
    const prepared = prepareValue(spec, text, variablesEnabled);
    if ('error' in prepared) {
      return {
        ok: false,
        code: 'condition.invalidValue',
        message: `"${operator}" on "${key}": ${prepared.error}`,
      };
    }
    values.push(prepared);
  }
  return {
    ok: true,
    condition: {
      operator,
      key,
      keyLower: key.toLowerCase(),
      spec,
      ...(qualifier !== undefined ? { qualifier } : {}),
      ifExists,
      values,
    },
  };
}

const NO_VALUES: readonly string[] = Object.freeze([]);

export function conditionFailure(
  condition: CompiledCondition,
  requestValues: readonly string[],
  reason: ConditionFailure['reason'],
): ConditionFailure {
  return {
    operator: condition.operator,
    key: condition.key,
    policyValues: condition.values.map((v) => v.raw),
    requestValues,
    reason,
  };
}

/** Bit flags returned by {@link matchRequestValue}; plain numbers keep the hot path allocation-free. */
const MATCHED = 1;
const UNRESOLVED = 2;

/** Whether one request value matches any policy value, and whether a variable could not be resolved. */
function matchRequestValue(
  condition: CompiledCondition,
  requestValue: string,
  context: RequestContextView,
): number {
  let flags = 0;
  const values = condition.values;
  for (let i = 0; i < values.length; i++) {
    const r = values[i]!.match(requestValue, context);
    if (r === undefined) flags |= UNRESOLVED;
    else if (r) return flags | MATCHED;
  }
  return flags;
}

/**
 * Evaluates one compiled condition. Returns `undefined` when it holds, or why it does not.
 *
 * Missing keys: positive operators fail, negated operators hold, `...IfExists` holds, `ForAllValues`
 * holds (vacuous truth), `ForAnyValue` fails, `Null` checks presence.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
export function evaluateCondition(
  condition: CompiledCondition,
  context: RequestContextView,
): ConditionFailure | undefined {
  const reason = conditionFailureReason(condition, context);
  if (reason === undefined) return undefined;
  const entry = context.get(condition.keyLower);
  return conditionFailure(
    condition,
    entry !== undefined && entry.values.length > 0 ? entry.values : NO_VALUES,
    reason,
  );
}

/**
 * Why the condition does not hold (`undefined` when it holds), without building the failure report:
 * what a decision without explanations needs.
 */
export function conditionFailureReason(
  condition: CompiledCondition,
  context: RequestContextView,
): ConditionFailure['reason'] | undefined {
  const entry = context.get(condition.keyLower);
  const present = entry !== undefined && entry.values.length > 0;
  const requestValues = present ? entry.values : NO_VALUES;

  if (condition.spec.family === 'Null') {
    const holds = condition.values.some((v) => (v.raw.toLowerCase() === 'true' ? !present : present));
    if (holds) return undefined;
    return present ? 'key-present' : 'key-missing';
  }
  if (!present) {
    if (condition.ifExists || condition.qualifier === 'ForAllValues') return undefined;
    if (condition.qualifier === 'ForAnyValue') return 'key-missing';
    return condition.spec.negated ? undefined : 'key-missing';
  }

  // A value whose variable cannot be resolved matches nothing: positive operators fail on it, negated
  // operators hold (AWS: "Inverted condition operators ... do match against a null value").
  let seen = 0;
  const negated = condition.spec.negated;
  let holds: boolean;
  if (condition.qualifier === 'ForAllValues') {
    holds = true;
    for (let i = 0; i < requestValues.length && holds; i++) {
      const flags = matchRequestValue(condition, requestValues[i]!, context);
      seen |= flags;
      const matched = (flags & MATCHED) !== 0;
      if (matched === negated) holds = false;
    }
  } else if (condition.qualifier === 'ForAnyValue') {
    holds = false;
    for (let i = 0; i < requestValues.length && !holds; i++) {
      const flags = matchRequestValue(condition, requestValues[i]!, context);
      seen |= flags;
      const matched = (flags & MATCHED) !== 0;
      if (matched !== negated) holds = true;
    }
  } else {
    let anyMatched = false;
    for (let i = 0; i < requestValues.length && !anyMatched; i++) {
      const flags = matchRequestValue(condition, requestValues[i]!, context);
      seen |= flags;
      if ((flags & MATCHED) !== 0) anyMatched = true;
    }
    holds = negated ? !anyMatched : anyMatched;
  }
  if (holds) return undefined;
  return (seen & UNRESOLVED) !== 0 ? 'unresolved-variable' : 'value-mismatch';
}
