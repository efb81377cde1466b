/**
 * Decoding of policy documents as AWS tools hand them out: a JSON object (AWS CLI, botocore), a JSON
 * string (Organizations `Content`, S3 `GetBucketPolicy`), or a URL-encoded JSON string (IAM API and
 * the JavaScript SDK v3, which does not decode).
 */
import { isJsonObject, MAX_POLICY_NESTING, nestsDeeperThan } from '../json/jsonValue.js';

export type DecodedDocument =
  | { readonly ok: true; readonly document: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly reason: string };

/**
 * Turns any of the three forms into a JSON object. Plain JSON is tried before URL decoding so that a
 * literal `%` inside an already-decoded document is never mangled. IAM encodes spaces as `%20`
 * (RFC 3986), not `+`, so `decodeURIComponent` is the exact inverse.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 *   ("Policies returned by this operation are URL-encoded compliant with RFC 3986")
 */
export function decodePolicyDocument(value: unknown): DecodedDocument {
  if (isJsonObject(value)) return { ok: true, document: value };
  // A member left out (a policy version without its Document): nothing to read, said as such.
  if (value === undefined) return { ok: false, reason: 'there is no document' };
  if (typeof value !== 'string') {
    return { ok: false, reason: `expected a JSON object or string, got ${describeType(value)}` };
  }
  const direct = parseObject(value);
  if (direct !== undefined) return { ok: true, document: direct };
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return { ok: false, reason: 'the string is neither JSON nor valid URL-encoded JSON' };
  }
  const fromEncoded = decoded === value ? undefined : parseObject(decoded);
  if (fromEncoded !== undefined) return { ok: true, document: fromEncoded };
  return { ok: false, reason: 'the string is neither JSON nor URL-encoded JSON of an object' };
}

/** A short description of a JSON value's type for error messages ("nothing" for a missing member). */
export function describeType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function parseObject(text: string): Readonly<Record<string, unknown>> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    // A document nested past any policy's depth would overflow the stack of every walk of it.
    return isJsonObject(parsed) && !nestsDeeperThan(parsed, MAX_POLICY_NESTING) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
