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
  return globMatcher(
    tokens.map((token) =>
      'wildcard' in token
        ? { wildcard: token.wildcard, colons: true }
        : { literal: ignoreCase ? token.literal.toLowerCase() : token.literal },
    ),
    ignoreCase,
  );
}

// A matcher for glob elements: a regular expression for one `*` at most; else compileGlob, as a regular
// expression would backtrack through every way of splitting the candidate among the `*`s (`a*/*/*/*.x`
// against a key of a thousand `/` takes minutes), and the candidate is the caller's. With `ignoreCase`,
// the literals are lower-cased already.
function globMatcher(glob: readonly GlobToken[], ignoreCase = false): Matcher {
  let stars = 0;
  for (const token of glob) if ('wildcard' in token && token.wildcard === '*') stars++;
  if (stars > 1) {
    const matcher = compileGlob(glob);
    return ignoreCase ? (candidate) => matcher(candidate.toLowerCase()) : matcher;
  }
  let source = '^';
  for (const token of glob) {
    if ('literal' in token) source += escapeRegex(token.literal);
    else if (token.wildcard === '*') source += token.colons ? '[\\s\\S]*' : '[^:]*';
    else source += token.colons ? '[\\s\\S]' : '[^:]';
  }
  const regex = new RegExp(`${source}$`, ignoreCase ? 'i' : '');
  return (candidate) => regex.test(candidate);
}

/** A glob element: literal text, or a wildcard that may (`colons`) or may not match `:`. */
type GlobToken = { readonly literal: string } | { readonly wildcard: '*' | '?'; readonly colons: boolean };

/** One step of a glob: a code unit to equal, or one code unit, or a run of them (`star`). */
interface GlobStep {
  readonly code: number;
  readonly star: boolean;
  readonly colons: boolean;
}

const ANY = -1;

/**
 * A matcher that runs in time proportional to the candidate's length times the pattern's, whatever
 * the candidate: the greedy walk back to the last `*` when every wildcard may match anything, else the
 * set of pattern positions reachable after each code unit (a Thompson simulation), rather than a
 * backtracking search. `*` and `?` match UTF-16 code units, as `[\s\S]` does.
 */
function compileGlob(tokens: readonly GlobToken[]): Matcher {
  const steps: GlobStep[] = [];
  for (const token of tokens) {
    if ('literal' in token) {
      for (let i = 0; i < token.literal.length; i++)
        steps.push({ code: token.literal.charCodeAt(i), star: false, colons: true });
    } else steps.push({ code: ANY, star: token.wildcard === '*', colons: token.colons });
  }
  const m = steps.length;
  // Literal text before the first wildcard and after the last one: most candidates fail on those.
  let head = 0;
  while (head < m && steps[head]!.code !== ANY) head++;
  let tail = 0;
  while (tail < m - head && steps[m - 1 - tail]!.code !== ANY) tail++;
  let prefix = '';
  for (let i = 0; i < head; i++) prefix += String.fromCharCode(steps[i]!.code);
  let suffix = '';
  for (let i = m - tail; i < m; i++) suffix += String.fromCharCode(steps[i]!.code);
  // Wildcards that all may match `:` (every one but an ARN's within its first five segments): the
  // greedy walk that goes back only to the last `*` (O(candidate x pattern) at worst, and no allocation).
  if (steps.every((step) => step.colons)) {
    return (candidate) => {
      if (candidate.length < head + tail || !candidate.startsWith(prefix) || !candidate.endsWith(suffix))
        return false;
      const n = candidate.length;
      let p = head;
      let c = head;
      let starAt = -1;
      let starFrom = 0;
      while (c < n) {
        const step = p < m ? steps[p]! : undefined;
        if (
          step !== undefined &&
          !step.star &&
          (step.code === ANY || step.code === candidate.charCodeAt(c))
        ) {
          p++;
          c++;
        } else if (step?.star === true) {
          starAt = p++;
          starFrom = c;
        } else if (starAt >= 0) {
          p = starAt + 1;
          c = ++starFrom;
        } else return false;
      }
      while (p < m && steps[p]!.star) p++;
      return p === m;
    };
  }
  // Reach past every `*` that can match nothing.
  const close = (set: Uint8Array): void => {
    for (let i = 0; i < m; i++) if (set[i] === 1 && steps[i]!.star) set[i + 1] = 1;
  };
  // The two sets of positions, made once per pattern: a match runs to its end before another starts.
  let active = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  return (candidate) => {
    if (candidate.length < head + tail || !candidate.startsWith(prefix) || !candidate.endsWith(suffix))
      return false;
    // The literal prefix is matched: the walk starts after it, at the first wildcard.
    active.fill(0);
    active[head] = 1;
    close(active);
    for (let c = head; c < candidate.length; c++) {
      const code = candidate.charCodeAt(c);
      next.fill(0);
      let any = false;
      for (let i = 0; i < m; i++) {
        if (active[i] !== 1) continue;
        const step = steps[i]!;
        if (step.code === ANY) {
          if (!step.colons && code === 58) continue;
          if (step.star) next[i] = 1;
          else next[i + 1] = 1;
          any = true;
        } else if (step.code === code) {
          next[i + 1] = 1;
          any = true;
        }
      }
      if (!any) return false;
      close(next);
      const swap = active;
      active = next;
      next = swap;
    }
    return active[m] === 1;
  };
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

  // Within the first five segments `?` and `*` stay in their segment, but a `*` that ends one.
  const glob: GlobToken[] = [];
  let seen = 0;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    if ('literal' in token) {
      glob.push(token);
      seen += countColons(token.literal);
    } else if (seen >= 5) glob.push({ wildcard: token.wildcard, colons: true });
    else if (token.wildcard === '?') glob.push({ wildcard: '?', colons: false });
    else {
      const next = tokens[t + 1];
      const endsSegment = next === undefined || ('literal' in next && next.literal.startsWith(':'));
      glob.push({ wildcard: '*', colons: endsSegment });
    }
  }
  return globMatcher(glob);
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
