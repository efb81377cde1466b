/**
 * Guards for values that come out of `JSON.parse` (input files, CloudTrail records, policy documents),
 * shared by every parser here.
 */

/** A plain JSON object: not an array, not null. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
