/**
 * Action names are case-insensitive (`s3:GetObject` = `S3:getobject`).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 */

import { boundedMemo } from './boundedMemo.js';

/**
 * Lower-cases an action name once: the same few actions recur across the requests of a trail, and the
 * memoised string keeps its hash, which makes later lookups keyed by it cheap. Bounded, since names
 * come from the input.
 */
export const lowerCaseAction: (action: string) => string = boundedMemo(
  (action) => action.toLowerCase(),
  4096,
);
