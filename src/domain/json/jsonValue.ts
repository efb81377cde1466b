/**
 * Guards for values that come out of `JSON.parse` (input files, CloudTrail records, policy documents),
 * shared by every parser here.
 */

/** A plain JSON object: not an array, not null. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How deeply policies and the files holding them may nest: an account snapshot holds its policy
 * documents some 12 levels down, and a document's own Condition values nest 4 more. Anything deeper is
 * not a policy; past a few thousand levels, `JSON.stringify` and every recursive walk of it overflow the
 * stack.
 */
export const MAX_POLICY_NESTING = 100;

/** Whether `value` nests arrays and objects more than `max` levels deep (walked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current))
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}
