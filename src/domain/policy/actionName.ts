/**
 * Action names are case-insensitive (`s3:GetObject` = `S3:getobject`).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 */

const MAX_LOWERED_ACTIONS = 4096;
const loweredActions = new Map<string, string>();

/**
 * Lower-cases an action name once: the same few actions recur across the requests of a trail, and the
 * memoised string keeps its hash, which makes later lookups keyed by it cheap. Bounded, since names
 * come from the input.
 */
export function lowerCaseAction(action: string): string {
  let lower = loweredActions.get(action);
  if (lower === undefined) {
    if (loweredActions.size >= MAX_LOWERED_ACTIONS) loweredActions.clear();
    lower = action.toLowerCase();
    loweredActions.set(action, lower);
  }
  return lower;
}
