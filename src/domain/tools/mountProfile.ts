/**
 * What the profiles of FUSE mounts of a bucket (s3fs, Mountpoint) take and give: the mount's directory
 * and calls in, statements with notes and alternatives out.
 */
import type { ToolProfile } from './jobCalls.js';

export interface MountInput {
  readonly bucket: string;
  /** The bucket's partition (`aws-cn`, `aws-us-gov`…); `aws` when absent. */
  readonly partition?: string;
  /**
   * The mount's directory (`team/`), from the keys and listings of its requests; `''` for the whole
   * bucket; `undefined` when they name none.
   */
  readonly directory: string | undefined;
  /** Event names of the mount's calls on the bucket, refused or not. */
  readonly eventNames: ReadonlySet<string>;
  /** The user agent says the mount is read-only (Mountpoint's `md/mp-readonly`). */
  readonly readOnly?: boolean;
}

export type MountProfile = ToolProfile;
