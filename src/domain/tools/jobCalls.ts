/**
 * What the profiles that read a job from its calls on one bucket take (restic, duplicity, Hadoop S3A):
 * the keys, listings, deletes and event names of the finding's requests there, with the caller's
 * successful calls; and what the tool profiles give.
 */
import { METADATA_UPDATE } from '../explain/grouping.js';
import type { Alternative, PolicyStatement } from '../explain/report.js';

export interface JobCalls {
  readonly bucket: string;
  /** The bucket's partition (`aws-cn`, `aws-us-gov`…); `aws` when absent. */
  readonly partition?: string;
  /** Keys the job's requests named on the bucket (refused or not). */
  readonly keys: readonly string[];
  /** Prefixes of the job's listings of the bucket. */
  readonly listPrefixes: readonly string[];
  /** Keys the job deleted, or was refused deleting. */
  readonly deletedKeys: readonly string[];
  /** Event names of the job's calls on the bucket, refused or not. */
  readonly eventNames: ReadonlySet<string>;
}

/** A tool's profile: its statements, with notes and the alternatives that remove a grant. */
export interface ToolProfile {
  readonly statements: readonly PolicyStatement[];
  readonly notes: readonly string[];
  readonly alternatives: readonly Alternative[];
}

/** Operations that change objects: a job that made one (refused or not) writes. */
const OBJECT_WRITES: ReadonlySet<string> = new Set([
  'PutObject',
  'CopyObject',
  METADATA_UPDATE,
  'DeleteObject',
  'DeleteObjects',
  'CreateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
]);

/** Whether an operation changes objects (writes, copies onto, deletes). */
export function isObjectWrite(eventName: string): boolean {
  return OBJECT_WRITES.has(eventName);
}

/** Whether the job's calls hold an operation that changes objects. */
export function writesObjects(eventNames: ReadonlySet<string>): boolean {
  for (const name of eventNames) if (OBJECT_WRITES.has(name)) return true;
  return false;
}
