/**
 * What `explain` knows beyond the events: the account snapshot, bucket policies, SCPs/RCPs, and the
 * catalogue of S3 action names used to verify that a fix grants nothing more than it says.
 */
import type { AccountSnapshot, PolicyLevel } from '../snapshot/types.js';

export interface ExplainContext {
  readonly snapshot?: AccountSnapshot;
  /** Bucket name -> policy document (any form the engine accepts). */
  readonly bucketPolicies: ReadonlyMap<string, unknown>;
  readonly scpLevels: readonly PolicyLevel[];
  readonly rcpLevels: readonly PolicyLevel[];
  /** Every S3 action name (`GetObject`, ...), from the AWS Service Authorization Reference. */
  readonly s3Actions: readonly string[];
  /** Events of one principal on one bucket within this many minutes form one finding. */
  readonly windowMinutes: number;
}

export const DEFAULT_WINDOW_MINUTES = 60;
