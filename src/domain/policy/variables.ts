/**
 * Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, `${s3:prefix}`, the escapes `${*}`,
 * `${?}`, `${$}`, and defaults `${key, 'default'}`. Variables are only honoured in policies whose
 * `Version` is `2012-10-17`; in older policies the text is literal.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
import type { RequestContextView } from './requestContext.js';
import { type PatternToken, tokenizeWildcards } from './wildcard.js';

type TemplatePart =
  | { readonly text: string }
  | { readonly variable: string; readonly keyLower: string; readonly defaultValue?: string };

export interface Template {
  readonly parts: readonly TemplatePart[];
  readonly hasVariables: boolean;
  /** Names of variables that were used, for explanations. */
  readonly variableNames: readonly string[];
}

const SPECIAL: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };

/** Parses a string into literal text and variable references. */
export function parseTemplate(value: string, variablesEnabled: boolean): Template {
  if (!variablesEnabled || !value.includes('${')) {
    return { parts: [{ text: value }], hasVariables: false, variableNames: [] };
  }
  const parts: TemplatePart[] = [];
  const names: string[] = [];
  let i = 0;
  let text = '';
  while (i < value.length) {
    const open = value.indexOf('${', i);
    if (open < 0) {
      text += value.slice(i);
      break;
    }
    const close = value.indexOf('}', open + 2);
    if (close < 0) {
      text += value.slice(i);
      break;
    }
    text += value.slice(i, open);
    const inner = value.slice(open + 2, close).trim();
    const special = SPECIAL[inner];
    if (special !== undefined) {
      // `${*}` stands for a literal `*`; it is emitted as a variable-produced literal, never a wildcard.
      if (text !== '') parts.push({ text });
      text = '';
      parts.push({ variable: inner, keyLower: '', defaultValue: special });
    } else {
      const match = /^([^,\s]+)\s*(?:,\s*'((?:[^']|'')*)')?$/.exec(inner);
      if (match === null) {
        text += value.slice(open, close + 1);
      } else {
        if (text !== '') parts.push({ text });
        text = '';
        const name = match[1]!;
        names.push(name);
        const defaultValue = match[2]?.replace(/''/g, "'");
        parts.push({
          variable: name,
          keyLower: name.toLowerCase(),
          ...(defaultValue !== undefined ? { defaultValue } : {}),
        });
      }
    }
    i = close + 1;
  }
  if (text !== '') parts.push({ text });
  const hasVariables = parts.some((p) => 'variable' in p);
  return { parts, hasVariables, variableNames: names };
}

/**
 * Resolves a template against the request context. Returns `undefined` when a variable has no value
 * (absent, or multi-valued) and no default: AWS then treats the element as not matching.
 */
export function resolveTemplate(template: Template, context: RequestContextView): string | undefined {
  let out = '';
  for (const part of template.parts) {
    if ('text' in part) {
      out += part.text;
      continue;
    }
    const value = part.keyLower === '' ? undefined : context.singleValue(part.keyLower);
    if (value !== undefined) out += value;
    else if (part.defaultValue !== undefined) out += part.defaultValue;
    else return undefined;
  }
  return out;
}

/**
 * Resolves the variables of a template, in order. Returns `undefined` when one cannot be resolved.
 * The joined values identify the resolved pattern, so callers can cache compiled matchers by them.
 */
export function resolveVariables(
  template: Template,
  context: RequestContextView | undefined,
): string[] | undefined {
  const values: string[] = [];
  for (const part of template.parts) {
    if ('text' in part) continue;
    const value =
      part.keyLower === '' || context === undefined ? undefined : context.singleValue(part.keyLower);
    const resolved = value ?? part.defaultValue;
    if (resolved === undefined) return undefined;
    values.push(resolved);
  }
  return values;
}

/**
 * The resolved variable values of a template joined with NUL (the key under which callers cache the
 * compiled pattern), without building the intermediate list: with a single variable, the key is that
 * variable's value itself. Returns `undefined` when a variable cannot be resolved.
 */
export function resolvedVariablesKey(
  template: Template,
  context: RequestContextView | undefined,
): string | undefined {
  let key: string | undefined;
  for (const part of template.parts) {
    if ('text' in part) continue;
    const value =
      part.keyLower === '' || context === undefined ? undefined : context.singleValue(part.keyLower);
    const resolved = value ?? part.defaultValue;
    if (resolved === undefined) return undefined;
    key = key === undefined ? resolved : `${key}\u0000${resolved}`;
  }
  return key ?? '';
}

/**
 * Turns a template and its resolved variable values into wildcard tokens: `*` and `?` in the policy
 * text are wildcards, while text that came from a variable (or an escape such as `${*}`) is literal.
 */
export function tokensFromResolved(template: Template, values: readonly string[]): PatternToken[] {
  const tokens: PatternToken[] = [];
  let v = 0;
  for (const part of template.parts) {
    if ('text' in part) {
      tokens.push(...tokenizeWildcards(part.text));
      continue;
    }
    const resolved = values[v++] ?? '';
    if (resolved !== '') tokens.push({ literal: resolved });
  }
  return tokens;
}

/** Resolves a template into wildcard tokens (see {@link tokensFromResolved}). */
export function resolveTemplateTokens(
  template: Template,
  context: RequestContextView | undefined,
): PatternToken[] | undefined {
  const values = resolveVariables(template, context);
  return values === undefined ? undefined : tokensFromResolved(template, values);
}
