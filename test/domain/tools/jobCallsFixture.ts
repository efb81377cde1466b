import type { JobCalls } from '../../../src/domain/tools/jobCalls.js';

/** A job's calls on the bucket `backups`: none, but for `partial`. */
export function jobCalls(partial: Partial<JobCalls>): JobCalls {
  return {
    bucket: 'backups',
    keys: [],
    listPrefixes: [],
    deletedKeys: [],
    eventNames: new Set(),
    ...partial,
  };
}
