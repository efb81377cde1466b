/**
 * Grouping: events of one principal on one bucket, close in time, form one finding (a failed job that
 * produced 500 denied calls reads as one answer).
 */
import { eventTimeMillis } from '../cloudtrail/eventTime.js';
import type { Principal } from '../cloudtrail/types.js';
import { detectClient } from '../tools/userAgent.js';
import type { DeniedEvent } from './deniedEvent.js';

/** The unique ID part of a `principalId` (`AROAEXAMPLEID` of `AROAEXAMPLEID:session`). */
export function uniqueIdOf(principalId: string | undefined): string | undefined {
  if (principalId === undefined) return undefined;
  const colon = principalId.indexOf(':');
  return colon < 0 ? principalId : principalId.slice(0, colon);
}

/**
 * The identity whose policies a principal uses: a role session's ARN
 * (`arn:aws:sts::111122223333:assumed-role/deploy/gha-123`) names its role, and each run of a job may
 * take a new session name (a long one, too, as its credentials are renewed: botocore names each
 * `botocore-session-<epoch>`); other ARNs are themselves.
 */
export function identityOf(principalArn: string): string {
  return principalArn.replace(/^(arn:[^:]+:sts::[^:]*:assumed-role\/[^/]+)\/.*$/, '$1');
}

/** The principal part of a key: the caller as CloudTrail names it (a role session by its session). */
function sessionPart(p: Principal): string {
  // A caller named only by account and principal ID: one group per role or user (its unique ID),
  // whatever each session is called. One named only by account and name (an Identity Center user, by
  // its user ID in the identity store): one group per name.
  return `${p.type}|${p.arn ?? p.policyPrincipalArn ?? `${p.account ?? 'unknown'}|${uniqueIdOf(p.principalId) ?? ''}|${p.name ?? ''}`}`;
}

/**
 * The principal part of an evidence key: a role's sessions are one caller (a job whose credentials were
 * renewed mid-run, the instances of one fleet), so what one session's calls show is evidence for the
 * others'. An IAM Identity Center session is a person (its type is not `Role`), and stays one.
 */
function callerPart(p: Principal): string {
  return p.type === 'Role' && p.arn !== undefined ? `${p.type}|${identityOf(p.arn)}` : sessionPart(p);
}

/**
 * Values per principal, then per bucket (`undefined`: none named): no composite key string is built per
 * lookup. `part` says which callers are one (see {@link sessionPart}, {@link callerPart}); it is
 * memoised per principal object.
 */
class ByPrincipalAndBucket<T> {
  readonly #byPrincipal = new Map<string, Map<string, T>>();
  readonly #parts = new WeakMap<Principal, string>();
  readonly #part: (p: Principal) => string;

  constructor(part: (p: Principal) => string) {
    this.#part = part;
  }

  #partOf(principal: Principal): string {
    let part = this.#parts.get(principal);
    if (part === undefined) {
      part = this.#part(principal);
      this.#parts.set(principal, part);
    }
    return part;
  }

  get(principal: Principal, bucket: string | undefined): T | undefined {
    return this.#byPrincipal.get(this.#partOf(principal))?.get(bucket ?? '');
  }

  set(principal: Principal, bucket: string | undefined, value: T): void {
    const part = this.#partOf(principal);
    let byBucket = this.#byPrincipal.get(part);
    if (byBucket === undefined) {
      byBucket = new Map();
      this.#byPrincipal.set(part, byBucket);
    }
    byBucket.set(bucket ?? '', value);
  }
}

/**
 * What the successful calls of one principal on one bucket show, by kind:
 * - `eventNames`: the operations it made;
 * - `listPrefixes`: `prefix` of its listings (ListObjects, ListObjectsV2, ListObjectVersions), the
 *   directories it works in;
 * - `recursiveListPrefixes`: those of its listings without a delimiter, which walk the whole tree under
 *   the prefix in one go (rclone's `delete` and `purge` list so; `copy` and `sync` list a directory at a
 *   time, with `delimiter=/`, unless --fast-list);
 * - `delimitedListPrefixes`: those of its listings with a delimiter, one directory level at a time;
 * - `recursiveListings`: each listing without a delimiter (the first {@link RECURSIVE_LISTINGS_KEPT}) as
 *   the JSON array `[prefix, user agent ('' when none), time in milliseconds]`: which command made it, and
 *   when, so that a job's own walk of a tree can be told from an earlier command's (an `rclone ls` an hour
 *   before a sync of a directory in that tree);
 * - `listings`: its listings of objects (ListObjects, ListObjectsV2; the first {@link LISTINGS_KEPT}),
 *   each as the JSON array `[prefix (null when none is logged), network context]`, the context being the
 *   listing's own VPC endpoint, source address and TLS (`networkContextOf`): whether the visible policies
 *   allow a listing is asked in the context it was made in, not a later request's;
 * - `objectDirectories`: the directories (`daily/2026/`) of keys it wrote or read, which hold objects;
 * - `readKeys`: the keys whose content it read (GetObject) or copied from (a copy's source, kept under
 *   the source's bucket);
 * - `copyDirectories`: the directories its copies (CopyObject, UploadPartCopy) wrote to;
 * - `copySourceDirectories`: the directories its copies read from (kept under the source's bucket);
 * - `copiedFromOtherBuckets`: where its copies into this bucket read in other buckets, as
 *   `bucket/directory` (`src/in/`): a sync or cp between buckets reads there, not here;
 * - `copiedToOtherBuckets`: where its copies from this bucket wrote in other buckets, each as the JSON
 *   array `[source directory here, bucket, directory there]`: a move between buckets deletes here what
 *   it copied there;
 * - `uploadDirectories`: the directories it uploaded to (PutObject, CompleteMultipartUpload);
 * - `missingKeyDirectories`: the directories of keys it looked up and S3 found no object at (a HEAD or
 *   GET answered NoSuchKey): where a job was about to write (rclone HEADs each file before uploading it);
 * - `missingKeys`: those keys themselves (the first {@link MISSING_KEYS_KEPT}): rclone's check of its root
 *   path (`bkt/dir`, a key without the slash) is one of them, and is not where the job writes;
 * - `lockFiles`: the Terraform or OpenTofu lock files (`<state key>.tflock`) it wrote: the states it
 *   works on as its own backend's, not only reads;
 * - `listingCommands`: the aws-cli commands its listings (ListObjects, ListObjectsV2) came from, as their
 *   user agents name them (`s3.rm`, `s3.ls`), `''` for a listing whose user agent names none: an
 *   `aws s3 rm` lists only with `--recursive`, and an `aws s3 ls` of the caller's is not that listing;
 * - `commandListPrefixes`: those listings' prefixes with the command each came from, as the JSON array
 *   `[command, prefix]` (`''` for a listing without one): what each command listed, which for a copy
 *   within the bucket is its source (`cp --recursive`) or both sides (`sync`), not where it writes.
 * - `uploadKeys`: the SSE-KMS keys its uploads in parts (CreateMultipartUpload) chose, each as the JSON
 *   array `[object key, key ID as the request or its response names it]`: the key whose kms:Decrypt the
 *   upload's UploadPart and CompleteMultipartUpload need, which their own records do not name.
 */
export type CallEvidence =
  | 'eventNames'
  | 'listPrefixes'
  | 'recursiveListPrefixes'
  | 'delimitedListPrefixes'
  | 'recursiveListings'
  | 'listings'
  | 'objectDirectories'
  | 'readKeys'
  | 'copyDirectories'
  | 'copySourceDirectories'
  | 'copiedFromOtherBuckets'
  | 'copiedToOtherBuckets'
  | 'uploadDirectories'
  | 'missingKeyDirectories'
  | 'missingKeys'
  | 'lockFiles'
  | 'listingCommands'
  | 'commandListPrefixes'
  | 'uploadKeys';

/**
 * The name a successful CopyObject of a key onto itself is kept under in `eventNames`: an update of the
 * object's metadata (rclone setting a new modification time, s3fs's chmod), a write of that object, not a
 * copy from elsewhere.
 *
 * @see https://rclone.org/s3/#modification-times-and-hashes
 */
export const METADATA_UPDATE = 'CopyObject onto itself';

/**
 * The aws-cli command the user agent of a listing of objects names (`s3.rm`; `''` when it names none),
 * `undefined` for any other call (see `listingCommands`).
 */
export function listingCommand(eventName: string, userAgent: unknown): string | undefined {
  if (eventName !== 'ListObjects' && eventName !== 'ListObjectsV2') return undefined;
  return (typeof userAgent === 'string' ? detectClient(userAgent).command : undefined) ?? '';
}

/** How many missing keys are kept per principal and bucket: enough to tell a job's root check among them. */
export const MISSING_KEYS_KEPT = 1000;

/**
 * How many timed listings without a delimiter are kept per principal and bucket (pages of one second
 * count once): past that, a refused HEAD in a listed tree is read as it would be without the listing.
 */
export const RECURSIVE_LISTINGS_KEPT = 10_000;

/**
 * How many listings are kept per principal and bucket with their prefix and network context (distinct
 * ones: a job's pages of one directory, from one place, count once): past that, a listing is no evidence
 * that the caller holds s3:ListBucket.
 */
export const LISTINGS_KEPT = 1000;

/** A `listings` value read back (see {@link CallEvidence}). */
export interface ContextListing {
  /** `undefined` for a listing whose record logs no prefix (of the whole bucket). */
  readonly prefix: string | undefined;
  readonly network: Readonly<Record<string, string | number | boolean>>;
}

/** The `listings` values, read back; values that do not parse are left out. */
export function contextListings(values: Iterable<string> | undefined): ContextListing[] {
  const listings: ContextListing[] = [];
  for (const value of values ?? []) {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed)) continue;
    const [prefix, network] = parsed as unknown[];
    if ((typeof prefix === 'string' || prefix === null) && typeof network === 'object' && network !== null)
      listings.push({
        prefix: prefix ?? undefined,
        network: network as Record<string, string | number | boolean>,
      });
  }
  return listings;
}

/** A `recursiveListings` value read back (see {@link CallEvidence}). */
export interface TimedListing {
  readonly prefix: string;
  readonly userAgent: string;
  readonly millis: number;
}

/** The `recursiveListings` values, read back; values that do not parse are left out. */
export function timedListings(values: Iterable<string> | undefined): TimedListing[] {
  const listings: TimedListing[] = [];
  for (const value of values ?? []) {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed)) continue;
    const [prefix, userAgent, millis] = parsed as unknown[];
    if (typeof prefix === 'string' && typeof userAgent === 'string' && typeof millis === 'number')
      listings.push({ prefix, userAgent, millis });
  }
  return listings;
}

/** The evidence of one principal on one bucket, one set per kind. */
export type SeenCalls = Readonly<Record<CallEvidence, Set<string>>>;

/** Successful calls that show an object at their key (written, or read): not a delete, not a failed HEAD. */
export const SHOWS_OBJECT: ReadonlySet<string> = new Set([
  'PutObject',
  'CopyObject',
  'CompleteMultipartUpload',
  'GetObject',
  'HeadObject',
]);

/**
 * Successful calls that show the key existed just after them, until a delete of it: a read that found
 * it, or a call that leaves an object at it (an upload, a copy's destination, a completed multipart
 * upload, or a restore of the archived object at it).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_RestoreObject.html
 */
export const FINDS_KEY: ReadonlySet<string> = new Set([
  'GetObject',
  'HeadObject',
  'PutObject',
  'CopyObject',
  'CompleteMultipartUpload',
  'RestoreObject',
]);

/**
 * How many times are kept per key in a {@link KeyTimes}: a key read (or deleted) more often than that
 * keeps its latest ones, which are those near the refusals that follow them in a trail in time order.
 */
export const KEY_TIMES_KEPT = 32;

/**
 * Times (milliseconds) of calls per key, each key's sorted and at most {@link KEY_TIMES_KEPT}: whether
 * there was one at or before a given time, and when, without keeping every call of a busy key.
 */
export class KeyTimes {
  readonly #times = new Map<string, number[]>();

  /** Adds a time; returns how to take it back, `undefined` when it was there already (or is no time). */
  add(key: string, millis: number): (() => void) | undefined {
    if (Number.isNaN(millis)) return undefined;
    let times = this.#times.get(key);
    if (times === undefined) {
      times = [];
      this.#times.set(key, times);
    }
    const at = KeyTimes.#after(times, millis);
    if (at > 0 && times[at - 1] === millis) return undefined;
    times.splice(at, 0, millis);
    if (times.length > KEY_TIMES_KEPT) times.shift();
    return () => {
      const kept = this.#times.get(key);
      const index = kept?.indexOf(millis) ?? -1;
      if (kept === undefined || index < 0) return;
      kept.splice(index, 1);
      if (kept.length === 0) this.#times.delete(key);
    };
  }

  /** The latest time of `key` at or before `millis`, `undefined` if none. */
  latestAtOrBefore(key: string, millis: number): number | undefined {
    const times = this.#times.get(key);
    if (times === undefined || Number.isNaN(millis)) return undefined;
    const at = KeyTimes.#after(times, millis);
    return at > 0 ? times[at - 1] : undefined;
  }

  /** Whether `key` has a time after `from` and at or before `to`. */
  anyBetween(key: string, from: number, to: number): boolean {
    const latest = this.latestAtOrBefore(key, to);
    return latest !== undefined && latest > from;
  }

  /** The index of the first time after `millis` in the sorted `times`. */
  static #after(times: readonly number[], millis: number): number {
    let low = 0;
    let high = times.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (times[middle]! <= millis) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** What the S3 calls that succeeded show ({@link CallEvidence}), per principal and bucket: evidence of what a job does. */
export class SucceededCalls {
  readonly #seen = new ByPrincipalAndBucket<SeenCalls>(callerPart);
  /**
   * Buckets on which a call of any caller succeeded, or found no such key: the bucket exists (a call on a
   * bucket that does not exist fails with NoSuchBucket). Kept apart from the per-principal sets: who made
   * the call is no matter.
   */
  readonly buckets = new Set<string>();
  /**
   * When successful calls of the principal found each key on the bucket (the object existed then), per
   * call: a read (GetObject, HeadObject) or a call that leaves the object there (PutObject, CopyObject's
   * destination, CompleteMultipartUpload, RestoreObject). A read refused with the legacy message at or
   * shortly after one of them is not of a missing key.
   */
  readonly #found = new ByPrincipalAndBucket<Map<string, KeyTimes>>(callerPart);

  /**
   * Notes that a successful `eventName` of the principal found (or left) `key` on the bucket at `millis`
   * (see {@link foundBefore}); returns how to take the note back, `undefined` when there was nothing to
   * note (a time already noted, or none).
   */
  noteFound(
    principal: Principal,
    bucket: string | undefined,
    key: string,
    millis: number,
    eventName: string,
  ): (() => void) | undefined {
    let calls = this.#found.get(principal, bucket);
    if (calls === undefined) {
      calls = new Map();
      this.#found.set(principal, bucket, calls);
    }
    let times = calls.get(eventName);
    if (times === undefined) {
      times = new KeyTimes();
      calls.set(eventName, times);
    }
    return times.add(key, millis);
  }

  /**
   * The latest call of the principal at or before `millis` that found (or left) `key` on the bucket, and
   * its time; `undefined` if none did (of the times kept, see {@link KEY_TIMES_KEPT}).
   */
  foundBefore(
    principal: Principal,
    bucket: string | undefined,
    key: string,
    millis: number,
  ): { eventName: string; millis: number } | undefined {
    let latest: { eventName: string; millis: number } | undefined;
    for (const [eventName, times] of this.#found.get(principal, bucket) ?? []) {
      const at = times.latestAtOrBefore(key, millis);
      if (at !== undefined && (latest === undefined || at > latest.millis))
        latest = { eventName, millis: at };
    }
    return latest;
  }

  /**
   * When successful deletes (DeleteObject, or a DeleteObjects entry its record logs) removed each key,
   * per bucket, whoever made them: a read that found the key before a delete does not show that it
   * existed after it.
   */
  readonly #deleted = new Map<string, KeyTimes>();

  /**
   * Notes a successful delete of `key` on the bucket at `millis` (see {@link deletedBetween}); returns
   * how to take the note back, `undefined` when there was nothing to note.
   */
  noteDeleted(bucket: string | undefined, key: string, millis: number): (() => void) | undefined {
    let times = this.#deleted.get(bucket ?? '');
    if (times === undefined) {
      times = new KeyTimes();
      this.#deleted.set(bucket ?? '', times);
    }
    return times.add(key, millis);
  }

  /** Whether a successful delete of `key` on the bucket came after `from` and at or before `to`. */
  deletedBetween(bucket: string | undefined, key: string, from: number, to: number): boolean {
    return this.#deleted.get(bucket ?? '')?.anyBetween(key, from, to) === true;
  }

  /**
   * The evidence sets of the principal on the bucket, created empty when there are none yet: a caller
   * noting several things of one call looks them up once. A value deleted from a set (a batch taking
   * back a text) reads as never seen.
   */
  of(principal: Principal, bucket: string | undefined): SeenCalls {
    let seen = this.#seen.get(principal, bucket);
    if (seen === undefined) {
      seen = {
        eventNames: new Set(),
        listPrefixes: new Set(),
        recursiveListPrefixes: new Set(),
        delimitedListPrefixes: new Set(),
        recursiveListings: new Set(),
        listings: new Set(),
        objectDirectories: new Set(),
        readKeys: new Set(),
        copyDirectories: new Set(),
        copySourceDirectories: new Set(),
        copiedFromOtherBuckets: new Set(),
        copiedToOtherBuckets: new Set(),
        uploadDirectories: new Set(),
        missingKeyDirectories: new Set(),
        missingKeys: new Set(),
        lockFiles: new Set(),
        listingCommands: new Set(),
        commandListPrefixes: new Set(),
        uploadKeys: new Set(),
      };
      this.#seen.set(principal, bucket, seen);
    }
    return seen;
  }

  /** The values of one kind seen for the principal on the bucket (the same principal as the events' group). */
  values(
    kind: CallEvidence,
    principal: Principal,
    bucket: string | undefined,
  ): ReadonlySet<string> | undefined {
    return this.#seen.get(principal, bucket)?.[kind];
  }

  /**
   * Whether the principal's successful calls show an object inside `directory` (`daily/`) on the bucket:
   * one read or written there, or a listing of a subdirectory (`daily/2026/`), which rclone only lists
   * when the listing of its parent returned it.
   */
  holdsObjects(principal: Principal, bucket: string | undefined, directory: string): boolean {
    const seen = this.#seen.get(principal, bucket);
    if (seen === undefined) return false;
    for (const d of seen.objectDirectories) if (d.startsWith(directory)) return true;
    for (const p of seen.listPrefixes)
      if (p.length > directory.length && p.startsWith(directory)) return true;
    return false;
  }
}

/**
 * The events in time order, events of one time in the order of their event IDs, with their times.
 * CloudTrail writes records in no particular order, and many share a second: ordering ties by ID makes
 * the findings, their numbers and which one is the first of a repeat the same whatever the input order.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
function inTimeOrder(events: readonly DeniedEvent[]): {
  events: readonly DeniedEvent[];
  times: Float64Array;
} {
  const times = new Float64Array(events.length);
  const byId = (a: DeniedEvent, b: DeniedEvent): number =>
    a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
  let inTime = true;
  for (let k = 0; k < events.length; k++) {
    times[k] = eventTimeMillis(events[k]!.eventTime);
    // By the time itself, not its text: spellings differ (a space for the T, an offset).
    if (k > 0 && inTime) inTime = times[k - 1]! <= times[k]!;
  }
  // In time order already (a trail file of one job often is): only the runs of one time are put in
  // the order of their IDs, each on its own, rather than the whole list sorted.
  if (inTime) {
    let ordered: DeniedEvent[] | undefined;
    for (let i = 0; i < events.length; ) {
      let j = i + 1;
      let idOrder = true;
      while (j < events.length && times[j] === times[i]) {
        if (idOrder && byId(events[j - 1]!, events[j]!) > 0) idOrder = false;
        j++;
      }
      if (!idOrder) {
        ordered ??= events.slice();
        const run = ordered.slice(i, j).sort(byId);
        for (let k = i; k < j; k++) ordered[k] = run[k - i]!;
      }
      i = j;
    }
    return { events: ordered ?? events, times };
  }
  const before = (a: number, b: number): number => times[a]! - times[b]! || byId(events[a]!, events[b]!);
  const order = Array.from(events.keys()).sort(before);
  return { events: order.map((k) => events[k]!), times: Float64Array.from(order, (k) => times[k]!) };
}

interface OpenGroup {
  readonly events: DeniedEvent[];
  last: number;
}

/** Splits events into groups of one principal on one bucket, starting a new group after a quiet gap. */
export function groupEvents(events: readonly DeniedEvent[], windowMinutes: number): DeniedEvent[][] {
  const { events: sorted, times } = inTimeOrder(events);
  // Each session is its own group: its requests are evaluated as that session's (a statement can name one).
  const open = new ByPrincipalAndBucket<OpenGroup>(sessionPart);
  const groups: DeniedEvent[][] = [];
  const windowMs = windowMinutes * 60_000;
  for (let k = 0; k < sorted.length; k++) {
    const event = sorted[k]!;
    const { principal } = event;
    const time = times[k]!;
    const current = open.get(principal, event.bucket);
    if (current !== undefined && (Number.isNaN(time) || time - current.last <= windowMs)) {
      current.events.push(event);
      if (!Number.isNaN(time)) current.last = time;
    } else {
      const group: OpenGroup = { events: [event], last: Number.isNaN(time) ? 0 : time };
      open.set(principal, event.bucket, group);
      groups.push(group.events);
    }
  }
  return groups;
}
