/**
 * Resource ARNs for a job that works under one bucket/prefix.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html
 */
import { DEFAULT_PARTITION } from '../policy/arnPartition.js';

/** Policy variables that stand for the literal character (template literals keep `${` verbatim). */
const IAM_LITERALS: Readonly<Record<string, string>> = { '*': `\${*}`, '?': `\${?}`, $: `\${$}` } as const;

/**
 * What IAM will not take in a policy document: anything but tab, line feed, carriage return and U+0020
 * to U+00FF. Surrogates (halves of a character beyond U+FFFF) are outside that range too.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html
 */
const ANY_UNSAYABLE = /[^\t\n\r\u0020-\u00ff]/;

/** Key text as it goes into a Resource: wildcard characters made literal, what IAM will not take replaced. */
const ARN_PART = /[*?$]|[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]|[^\t\n\r\u0020-\u00ff]/g;

/**
 * Key text for a Resource element (or a StringLike condition value, which reads `*`, `?` and policy
 * variables the same way).
 *
 * IAM treats `*`, `?` and `${` in a Resource as wildcards/variables; a key prefix containing them must
 * be written with the `${*}`, `${?}`, `${$}` policy variables to match literally (policy version
 * 2012-10-17).
 *
 * IAM policy documents hold only tab, line feed, carriage return and U+0020 to U+00FF: a key in
 * Japanese, Cyrillic or Greek, or with an emoji, cannot be named, and a statement that names it makes
 * IAM refuse the whole document. Each such character becomes `?` (any one character), and one beyond
 * U+FFFF (or a run of them) `?*`, one character or more, since whether IAM counts such a character as
 * one or two is not documented. A `?` outside `${?}` thus always marks a replacement
 * ({@link holdsReplacedCharacter}); the statement also covers keys that differ there (see
 * {@link unsayableCharactersCaveat}).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
 */
export function literalArnPart(text: string): string {
  return text
    .replace(ARN_PART, (char) => IAM_LITERALS[char] ?? (char.length === 1 && !isSurrogate(char) ? '?' : '?*'))
    .replace(/(?:\?\*){2,}/g, '?*');
}

/** The object part of an S3 object ARN (`bucket/` or an access point's `/object/` before it), keys by their name. */
const OBJECT_ARN =
  /^(arn:[^:]*:s3:::[^/]*\/|arn:[^:]*:s3:[^:]*:[^:]*:accesspoint\/[^/]*\/object\/)([\s\S]*)$/;

/**
 * An object ARN a request named, as a Resource that names that object alone: its key written with
 * {@link literalArnPart}. Other ARNs (a bucket, a KMS key, `*`) are returned as they are.
 */
export function literalObjectArn(arn: string): string {
  const match = OBJECT_ARN.exec(arn);
  return match === null ? arn : `${match[1]}${literalArnPart(match[2]!)}`;
}

function isSurrogate(char: string): boolean {
  const code = char.charCodeAt(0);
  return code >= 0xd800 && code <= 0xdfff;
}

/** Whether `text` holds a character an IAM policy document cannot hold. */
export function hasUnsayable(text: string): boolean {
  return ANY_UNSAYABLE.test(text);
}

/** The key an object ARN names (after `bucket/`, or an access point's `/object/`); `undefined` for other ARNs. */
export function objectKeyOf(arn: string): string | undefined {
  return OBJECT_ARN.exec(arn)?.[2];
}

/**
 * The characters IAM cannot hold that the statements' resources stand `?` for: those of `texts` (keys,
 * prefixes) at the places where a resource's object part, written from that text by
 * {@link literalArnPart}, holds a replacement. Characters of texts no resource was written from are left
 * out.
 */
export function replacedCharacters(resources: readonly string[], texts: Iterable<string>): string[] {
  const bodies: string[] = [];
  for (const resource of resources) {
    if (!holdsReplacedCharacter(resource)) continue;
    const key = objectKeyOf(resource);
    if (key !== undefined) bodies.push(key.endsWith('*') && !key.endsWith('${*}') ? key.slice(0, -1) : key);
  }
  const found = new Set<string>();
  if (bodies.length === 0) return [];
  for (const text of texts) {
    if (!hasUnsayable(text)) continue;
    for (const body of bodies) {
      // Walk the text as literalArnPart writes it, for as long as the body holds what it writes.
      let at = 0;
      let lastWasRun = false;
      const matched: string[] = [];
      for (const char of text) {
        const unsayable = hasUnsayable(char);
        const astral = unsayable && (char.length === 2 || isSurrogate(char));
        const piece = astral ? (lastWasRun ? '' : '?*') : unsayable ? '?' : literalArnPart(char);
        if (!body.startsWith(piece, at)) break;
        at += piece.length;
        lastWasRun = astral;
        if (unsayable) matched.push(char);
        if (at >= body.length) break;
      }
      for (const char of matched) found.add(char);
    }
  }
  return [...found];
}

/** Whether a Resource holds a `?` that {@link literalArnPart} put for a character IAM cannot hold (`${?}` is a literal one). */
export function holdsReplacedCharacter(resource: string): boolean {
  return resource.replaceAll('${?}', '').includes('?');
}

/** A letter, digit, punctuation or symbol (an emoji too): shown in quotes; anything else is named by its code point. */
const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}]$/u;

/** `"日"` for a visible character; `U+0301` for a combining mark, a control, a space or an invisible one. */
function characterName(char: string): string {
  if (VISIBLE.test(char) && !/\p{M}/u.test(char)) return `"${char}"`;
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Caveat for statements whose resources stand `?` (or `?*`) for characters IAM cannot hold (see
 * {@link literalArnPart}): `characters`, those of the finding's keys (none when they could not be
 * told, as for a profile's directory taken from other calls).
 */
export function unsayableCharactersCaveat(characters: readonly string[]): string {
  const shown = characters.slice(0, 8).map(characterName);
  const more = characters.length > 8 ? ` and ${characters.length - 8} more` : '';
  const which =
    shown.length > 0
      ? `the keys' characters ${shown.join(', ')}${more} cannot`
      : "some of the keys' characters cannot";
  const beyond = characters.length === 0 || characters.some((c) => c.length === 2 || isSurrogate(c));
  const bmp = characters.length === 0 || characters.some((c) => c.length === 1 && !isSurrogate(c));
  const how = [
    bmp ? 'each as ? (any one character)' : undefined,
    beyond
      ? `${bmp ? 'one' : 'each'} beyond U+FFFF, or a run of them, as ?* (one character or more, / included, so it reaches into other directories too)`
      : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', and ');
  return `IAM policy documents can hold only tab, line feed, carriage return and the characters U+0020 to U+00FF, so ${which} be written in one: the statements write ${how}, so they also allow keys that differ there. Naming them would make IAM refuse the whole policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names).`;
}

/**
 * A directory prefix without its trailing slashes (`daily/` -> `daily`; `''` is the whole bucket). A
 * leading slash is part of the keys (`/exports/a.csv` is a key S3 keeps as written) and stays.
 */
export function trimSlashes(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}

/** `arn:<partition>:s3:::bucket`, in the `aws` partition when the input names none. */
export function bucketArnOf(bucket: string, partition: string | undefined): string {
  return `arn:${partition ?? DEFAULT_PARTITION}:s3:::${bucket}`;
}

/**
 * Bucket ARN and the object ARN pattern for everything under `prefix` (`''` = whole bucket), in the
 * bucket's partition (`aws` when unknown).
 */
export function jobResourceArns(
  bucket: string,
  prefix: string,
  partition: string | undefined,
): { readonly bucketArn: string; readonly objectArn: string } {
  const trimmed = trimSlashes(prefix);
  const bucketArn = bucketArnOf(bucket, partition);
  return {
    bucketArn,
    objectArn: trimmed === '' ? `${bucketArn}/*` : `${bucketArn}/${literalArnPart(trimmed)}/*`,
  };
}

/**
 * Whether the directory `inner` (`in/sub/`) lies inside the job's `prefix` (`in`; slashes at either end
 * ignored; `''` is the whole bucket), so that the job's object statement already covers it.
 */
export function isInsidePrefix(inner: string, prefix: string): boolean {
  const trimmed = trimSlashes(prefix);
  return trimmed === '' || `${inner.replace(/\/+$/, '')}/`.startsWith(`${trimmed}/`);
}
