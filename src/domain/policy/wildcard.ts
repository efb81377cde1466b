/**
 * Wildcard patterns as IAM uses them: `*` (any run of characters) and `?` (one character).
 *
 * Patterns are tokenised first so that text produced by a policy variable (including `${*}` and `${?}`)
 * stays literal.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */

export type PatternToken = { readonly literal: string } | { readonly wildcard: '*' | '?' };

/** A compiled matcher: a predicate over the candidate string. */
export type Matcher = (candidate: string) => boolean;

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

function escapeRegex(text: string): string {
  return text.replace(REGEX_SPECIAL, '\\$&');
}

/** Splits a pattern without variables into tokens. */
export function tokenizeWildcards(pattern: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  let literal = '';
  for (const ch of pattern) {
    if (ch === '*' || ch === '?') {
      if (literal !== '') tokens.push({ literal });
      literal = '';
      tokens.push({ wildcard: ch });
    } else {
      literal += ch;
    }
  }
  if (literal !== '') tokens.push({ literal });
  return tokens;
}

function onlyLiteral(tokens: readonly PatternToken[]): string | undefined {
  let text = '';
  for (const token of tokens) {
    if ('wildcard' in token) return undefined;
    text += token.literal;
  }
  return text;
}

/**
 * Compiles a plain wildcard pattern (actions, `StringLike`) into a matcher, using cheap string
 * comparisons for the common shapes (`*`, exact, `prefix*`) and a regular expression otherwise.
 */
export function compileWildcard(tokens: readonly PatternToken[], ignoreCase: boolean): Matcher {
  const norm = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  const exact = onlyLiteral(tokens);
  if (exact !== undefined) {
    const target = norm(exact);
    return (candidate) => norm(candidate) === target;
  }
  if (tokens.length === 1 && 'wildcard' in tokens[0]! && tokens[0].wildcard === '*') {
    return () => true;
  }
  const last = tokens[tokens.length - 1];
  const head = tokens.slice(0, -1);
  const headLiteral = onlyLiteral(head);
  if (last !== undefined && 'wildcard' in last && last.wildcard === '*' && headLiteral !== undefined) {
    const prefix = norm(headLiteral);
    return (candidate) => norm(candidate).startsWith(prefix);
  }
  let source = '^';
  for (const token of tokens) {
    if ('wildcard' in token) source += token.wildcard === '*' ? '[\\s\\S]*' : '[\\s\\S]';
    else source += escapeRegex(token.literal);
  }
  const regex = new RegExp(`${source}$`, ignoreCase ? 'i' : '');
  return (candidate) => regex.test(candidate);
}

/**
 * Compiles a Resource-element ARN pattern. IAM matches ARNs case-sensitively; `*` and `?` match within
 * one colon-separated segment of the first five, except that a `*` ending a segment may extend beyond
 * the colon; in the resource part (after the fifth colon) they match anything.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 */
export function compileArnPattern(tokens: readonly PatternToken[]): Matcher {
  const exact = onlyLiteral(tokens);
  if (exact !== undefined) return (candidate) => candidate === exact;
  if (tokens.length === 1 && 'wildcard' in tokens[0]! && tokens[0].wildcard === '*') return () => true;

  // Fast path for the ubiquitous `arn:aws:s3:::bucket/prefix*` (wildcard only at the end, in the resource part).
  const last = tokens[tokens.length - 1];
  const headLiteral = onlyLiteral(tokens.slice(0, -1));
  if (
    last !== undefined &&
    'wildcard' in last &&
    last.wildcard === '*' &&
    headLiteral !== undefined &&
    countColons(headLiteral) >= 5
  ) {
    return (candidate) => candidate.startsWith(headLiteral);
  }

  let source = '^';
  let colons = 0;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    if ('literal' in token) {
      source += escapeRegex(token.literal);
      colons += countColons(token.literal);
      continue;
    }
    if (colons >= 5) {
      source += token.wildcard === '*' ? '[\\s\\S]*' : '[\\s\\S]';
      continue;
    }
    if (token.wildcard === '?') {
      source += '[^:]';
      continue;
    }
    const next = tokens[t + 1];
    const endsSegment = next === undefined || ('literal' in next && next.literal.startsWith(':'));
    source += endsSegment ? '[\\s\\S]*' : '[^:]*';
  }
  const regex = new RegExp(`${source}$`);
  return (candidate) => regex.test(candidate);
}

function countColons(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 58) n++;
  return n;
}

/** Splits an ARN into its six parts (the resource part may contain colons). */
export function splitArn(arn: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const idx = arn.indexOf(':', start);
    if (idx < 0) return undefined;
    parts.push(arn.slice(start, idx));
    start = idx + 1;
  }
  parts.push(arn.slice(start));
  return parts;
}
