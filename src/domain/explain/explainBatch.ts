/**
 * `explain`: CloudTrail input texts in, findings out. Parses every envelope, skips what is not a
 * denied S3 request (with a reason), groups the events of one principal on one bucket within a time
 * window into one finding, evaluates each request with the policy engine, classifies the cause,
 * proposes a verified minimal fix and, for known tools, the whole set the job needs.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 */
import { classifyRecord, kmsCallForS3Message } from '../cloudtrail/classify.js';
import {
  extractRecords,
  type RawRecord,
  TrailFileSplitError,
  trailFileRecords,
} from '../cloudtrail/envelopes.js';
import { eventTimeMillis } from '../cloudtrail/eventTime.js';
import { normalisePrincipal } from '../cloudtrail/principal.js';
import { hasRequiredFields, normaliseRecord, stripUserAgentBrackets } from '../cloudtrail/record.js';
import type { CloudTrailRecord, Principal } from '../cloudtrail/types.js';
import { isJsonObject } from '../json/jsonValue.js';
import { loggedDeleteEntries } from '../s3/authorizationChecks.js';
import { networkContextOf } from '../s3/requestContext.js';
import { requestFeatures } from '../s3/requestFeatures.js';
import { parseCopySource } from '../s3/s3Location.js';
import { userOrRoleByArn } from '../snapshot/principalPolicies.js';
import type { AccountSnapshot } from '../snapshot/types.js';
import {
  BATCH_DELETES_KEPT,
  type BatchDelete,
  batchDeleteOf,
  batchDeletesNotChecked,
  REFUSED_BATCH_DELETE,
  refusedBatchDeletes,
} from './batchDeletes.js';
import { callerById, withCallerById } from './callerById.js';
import type { ExplainContext } from './context.js';
import {
  analyseDeniedEvent,
  type DeniedEvent,
  INVALID_BUCKET_NAME,
  VPC_ENDPOINT_REFUSAL,
} from './deniedEvent.js';
import { EventIdSet } from './eventIdSet.js';
import { FindingBuilder } from './findingBuilder.js';
import {
  FINDS_KEY,
  groupEvents,
  LISTINGS_KEPT,
  listingCommand,
  METADATA_UPDATE,
  MISSING_KEYS_KEPT,
  RECURSIVE_LISTINGS_KEPT,
  SHOWS_OBJECT,
  SucceededCalls,
} from './grouping.js';
import { withUploadKey } from './kmsCallerSide.js';
import { combinePolicyChanges, type OtherInlineSize } from './policyChanges.js';
import { PolicyResolver } from './policyResolver.js';
import { iamPolicySize } from './policySize.js';
import { withDistinctProfileSids } from './profileSids.js';
import { markRepeats } from './repeats.js';
import type { ExplainError, ExplainReport, ExplainWarning, Skipped } from './report.js';

/**
 * Error codes of a lookup of a key that holds no object: S3's `NoSuchKey` (a GET's error body; the
 * test recorder gives a HEAD's 404 the same code), and `NotFound`, the name SDKs give a HEAD's 404,
 * which has no body.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
const MISSING_KEY_CODES: ReadonlySet<string | undefined> = new Set(['NoSuchKey', 'NotFound']);

/**
 * Explains every denied S3 event in the given texts (see {@link Explainer}, which takes them one at a
 * time).
 */
export function explainTexts(
  texts: readonly { input: string; text: string }[],
  context: ExplainContext,
): ExplainReport {
  const explainer = new Explainer(context);
  for (const { input, text } of texts) explainer.add(input, text);
  return explainer.report();
}

/**
 * A record whose event ID an earlier record had: CloudTrail delivers a record again with the same ID, so
 * the first one is analysed and this one is not. The message names this record (its operation, time and
 * place), so that a different record given the same ID is not passed over unseen.
 */
/**
 * Why a CloudTrail Insights event is skipped, with what it noticed (`ApiCallRateInsight` on
 * `s3.amazonaws.com` `GetObject`) when it says.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-insights-events-with-cloudtrail.html
 */
function insightMessage(record: Readonly<Record<string, unknown>>): string {
  const details = isJsonObject(record.insightDetails) ? record.insightDetails : {};
  const words = [details.insightType, details.eventSource, details.eventName].filter(
    (w): w is string => typeof w === 'string' && w !== '',
  );
  return `A CloudTrail Insights event${words.length > 0 ? ` (${words.join(' ')})` : ''}: it records an unusual rate of API calls or errors, not a call, so there is no denied request to explain.`;
}

function duplicateMessage(
  eventId: string,
  eventName: string,
  eventTime: unknown,
  raw: { readonly input: string; readonly position: string },
): string {
  const time = typeof eventTime === 'string' ? ` at ${eventTime.slice(0, 40)}` : '';
  return `Event ${eventId} appears more than once; analysed once: this record (${eventName.slice(0, 80)}${time}, ${raw.input} ${raw.position}) was not analysed again, as CloudTrail may deliver a record again with the same ID.`;
}

/**
 * The denied events with one copy of each cross-account request: CloudTrail delivers such a request to
 * the requester and, for S3 data events, to the bucket owner too, each copy with its own `eventID` and
 * `recipientAccountId` and both with the same `sharedEventID`. The requester's copy is kept (it names the
 * caller by ARN; the owner's may name only the caller's account and principal ID), whatever order the
 * copies came in (an organization trail's directory lists the owner's account first); the others are
 * skipped as duplicates that name the kept event.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
 */
function oneCopyPerRequest(events: readonly DeniedEvent[]): { kept: DeniedEvent[]; copies: Skipped[] } {
  // The copies of one request are of one operation too: an ID shared by two operations (a record edited
  // or made by hand) is not taken for one request.
  const requestOf = (event: DeniedEvent) => `${event.sharedEventId}\u0000${event.eventName}`;
  const best = new Map<string, DeniedEvent>();
  for (const event of events) {
    if (event.sharedEventId === undefined) continue;
    const chosen = best.get(requestOf(event));
    if (chosen === undefined || requesterRank(event) > requesterRank(chosen))
      best.set(requestOf(event), event);
  }
  if (best.size === 0) return { kept: [...events], copies: [] };
  const kept: DeniedEvent[] = [];
  const copies: Skipped[] = [];
  for (const event of events) {
    const chosen = event.sharedEventId === undefined ? event : best.get(requestOf(event));
    if (chosen === undefined || chosen === event) {
      kept.push(event);
      continue;
    }
    const recipient =
      event.recipientAccountId === undefined ? 'another account' : `account ${event.recipientAccountId}`;
    copies.push({
      eventId: event.eventId,
      reason: 'duplicate',
      message: `Event ${event.eventId} is the copy of event ${chosen.eventId} that CloudTrail delivered to ${recipient} (sharedEventID ${event.sharedEventId}): one cross-account request, logged for each account, analysed once as event ${chosen.eventId}.`,
    });
  }
  return { kept, copies };
}

/**
 * The denied events without those a later record corrects: CloudTrail logs an update of an event it
 * delivered with missing or wrong information as a new record whose `addendum` gives the reason
 * (`UPDATED_DATA`, …) and the original's `originalEventID`. The update is one request with the original,
 * and carries what it lacked (a caller's ARN, say): it is kept, whatever order the two came in, and the
 * original is skipped as a duplicate that names it.
 *
 * The records linked by originalEventIDs (named in the input or not) are one request, of which one record
 * is kept: the one no other record corrects (the last of a chain of updates, each naming the one before).
 * AWS does not say whether one event can be updated twice; when several updates name it (or a record
 * before them), the latest by eventTime is kept (the last in the input at equal times) and the others are
 * skipped as duplicates naming it. Addenda naming each other in a loop (malformed) leave no record
 * uncorrected: the latest of the loop is kept, so that the refused request is not lost.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
function latestVersions(events: readonly DeniedEvent[]): { kept: DeniedEvent[]; replaced: Skipped[] } {
  if (!events.some((event) => event.originalEventId !== undefined))
    return { kept: [...events], replaced: [] };
  // One request per set of event IDs the addenda link (union-find, the originalEventID need not be in the input).
  const parent = new Map<string, string>();
  const root = (id: string): string => {
    let top = id;
    for (let up = parent.get(top); up !== undefined && up !== top; up = parent.get(top)) top = up;
    for (let at = id; at !== top; ) {
      const up = parent.get(at) ?? top;
      parent.set(at, top);
      at = up;
    }
    return top;
  };
  const corrected = new Set<string>();
  for (const event of events) {
    if (event.originalEventId === undefined) continue;
    corrected.add(event.originalEventId);
    const [a, b] = [root(event.eventId), root(event.originalEventId)];
    if (a !== b) parent.set(a, b);
  }
  const requests = new Map<string, DeniedEvent[]>();
  for (const event of events) {
    const id = root(event.eventId);
    const records = requests.get(id);
    if (records === undefined) requests.set(id, [event]);
    else records.push(event);
  }
  const chosen = new Map<string, DeniedEvent>();
  for (const [id, records] of requests) {
    const uncorrected = records.filter((event) => !corrected.has(event.eventId));
    // A loop: every record is corrected by another.
    const candidates = uncorrected.length > 0 ? uncorrected : records;
    chosen.set(
      id,
      candidates.reduce((latest, event) => (timeOf(event) >= timeOf(latest) ? event : latest)),
    );
  }
  const byId = new Map(events.map((event) => [event.eventId, event]));
  const kept: DeniedEvent[] = [];
  const replaced: Skipped[] = [];
  for (const event of events) {
    const update = chosen.get(root(event.eventId));
    if (update === undefined || update === event) {
      kept.push(event);
      continue;
    }
    replaced.push({
      eventId: event.eventId,
      reason: 'duplicate',
      message: replacedMessage(event, update, byId),
    });
  }
  return { kept, replaced };
}

/** An event's time for choosing the latest record; one without a readable time comes first. */
function timeOf(event: DeniedEvent): number {
  const millis = eventTimeMillis(event.eventTime);
  return Number.isNaN(millis) ? Number.NEGATIVE_INFINITY : millis;
}

/** The event IDs `event`'s addendum leads to, nearest first (its originalEventID, that one's, …), each once. */
function correctedIds(event: DeniedEvent, byId: ReadonlyMap<string, DeniedEvent>): string[] {
  const ids: string[] = [];
  for (
    let id = event.originalEventId;
    id !== undefined && !ids.includes(id);
    id = byId.get(id)?.originalEventId
  )
    ids.push(id);
  return ids;
}

/** Why `event` is skipped for `kept`, a record of the same request (see {@link latestVersions}). */
function replacedMessage(
  event: DeniedEvent,
  kept: DeniedEvent,
  byId: ReadonlyMap<string, DeniedEvent>,
): string {
  const once = `one request, analysed once as event ${kept.eventId}`;
  const keptCorrects = correctedIds(kept, byId);
  const eventCorrects = correctedIds(event, byId);
  if (keptCorrects.includes(event.eventId)) {
    if (eventCorrects.includes(kept.eventId))
      return `Event ${event.eventId} and event ${kept.eventId} name each other as their originalEventID (${keptCorrects[0] === event.eventId && eventCorrects[0] === kept.eventId ? 'each addendum names the other' : 'through other records'}), a loop in which neither is the original: ${once}, the later by eventTime (the last in the input at equal times).`;
    return keptCorrects[0] === event.eventId
      ? `Event ${event.eventId} was corrected by event ${kept.eventId}, whose addendum names it as its originalEventID: ${once}, which carries what CloudTrail updated.`
      : `Event ${event.eventId} was corrected by event ${kept.eventId}, through updates each naming the one before as its originalEventID: ${once}, the latest, which carries what CloudTrail updated.`;
  }
  const original = eventCorrects.find((id) => keptCorrects.includes(id));
  return `Event ${event.eventId} and event ${kept.eventId} are both updates of ${original === undefined ? 'the same event' : `event ${original}`} (their addenda lead to it as originalEventID): ${once}, the later update by eventTime (the last in the input at equal times).`;
}

/**
 * How surely a copy of an event is the requester's: 2 when CloudTrail delivered it to the caller's own
 * account and it names the caller by ARN, 1 when it names the caller by ARN, 0 otherwise.
 */
function requesterRank(event: DeniedEvent): number {
  const { principal, recipientAccountId } = event;
  const named = principal.arn !== undefined || principal.policyPrincipalArn !== undefined;
  if (!named) return 0;
  return recipientAccountId !== undefined && recipientAccountId === principal.account ? 2 : 1;
}

/**
 * Whether a record is a network activity event (`eventCategory` NetworkActivity, `eventType`
 * AwsVpceEvent): CloudTrail's record of a request through a VPC endpoint, with the endpoint policy's
 * decision, logged apart from the service's own event of the request.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html#cloudtrail-network-events
 */
function isNetworkActivity(record: Readonly<Record<string, unknown>>): boolean {
  return record.eventCategory === 'NetworkActivity' || record.eventType === 'AwsVpceEvent';
}

/** Why a network activity event without an error is skipped: the endpoint allowed it, S3 may not have. */
function allowedThroughEndpointMessage(record: Readonly<Record<string, unknown>>): string {
  const name = typeof record.eventName === 'string' ? record.eventName.slice(0, 80) : 'The request';
  const endpoint =
    typeof record.vpcEndpointId === 'string' && record.vpcEndpointId !== ''
      ? `VPC endpoint ${record.vpcEndpointId.slice(0, 80)}`
      : 'its VPC endpoint';
  return `${name} was allowed through ${endpoint}: a network activity event records the endpoint policy's decision, not S3's answer, so it is no evidence of what S3 decided (S3's own record of the request, if data events are logged, is its data event), and it is not counted as a successful call.`;
}

/** `records` one at a time, taken off the list so that each parsed record can be collected once analysed. */
function* draining<T>(records: T[]): Generator<T> {
  records.reverse();
  for (let record = records.pop(); record !== undefined; record = records.pop()) yield record;
}

/** The size of a user's or role's inline policies in the snapshot, the one a change replaces aside. */
function otherInlineSizes(snapshot: AccountSnapshot | undefined): OtherInlineSize {
  return (holderArn, replacedName) => {
    let size = 0;
    for (const p of userOrRoleByArn(snapshot, holderArn)?.inlinePolicies ?? [])
      if (p.name !== replacedName) size += iamPolicySize(p.document);
    return size;
  };
}

/**
 * Explains denied S3 events text by text: each text (a trail file of a directory, say) is analysed when
 * it is added and can be let go, and only what the findings need is kept until {@link report}. Events
 * of one job spread over several files still form one finding, and an event re-delivered in another
 * file is still reported once.
 */
export class Explainer {
  readonly #context: ExplainContext;
  readonly #errors: ExplainError[] = [];
  readonly #skipped: Skipped[] = [];
  readonly #warnings: ExplainWarning[] = [];
  readonly #deniedEvents: DeniedEvent[] = [];
  readonly #seen = new EventIdSet();
  readonly #succeeded = new SucceededCalls();
  /** The DeleteObjects S3 answered 200, whose keys it may have refused in its answer (see batchDeletes). */
  readonly #batchDeletes: BatchDelete[] = [];
  /** The batch deletes past {@link BATCH_DELETES_KEPT}, not checked: how many, and the first one's input. */
  #batchDeletesPast: { count: number; input: string } | undefined;
  /** What the text being read added to the seen IDs and the evidence, while it is read a record at a time. */
  #journal: Journal | undefined;
  /** Whether a text is being added (its steps are not finished). */
  #adding = false;
  /** Texts added so far that held no record at all, only problems (not JSON, not a CloudTrail envelope). */
  #rejectedTexts = 0;

  constructor(context: ExplainContext) {
    this.#context = context;
  }

  /**
   * Analyses the records of one input text. A trail file as CloudTrail writes it is read a record at a
   * time (its parsed records never all stay in memory); anything else is parsed whole. A trail file that
   * looked minified but cannot be cut into records is read again whole, after what its first records
   * added is taken back: the report is a function of the texts alone.
   */
  add(input: string, text: string): void {
    for (const _ of this.steps(input, text, Number.POSITIVE_INFINITY));
  }

  /**
   * {@link add}, a slice at a time: each step analyses at most `recordsPerStep` records, so that a caller
   * can let other work run between steps (reading the next file while this one is analysed). The
   * texts go one at a time: steps of a second text while one is unfinished throw. Steps left unfinished
   * leave the text partly added.
   */
  *steps(input: string, text: string, recordsPerStep: number): Generator<void, void, void> {
    if (!(recordsPerStep >= 1))
      throw new RangeError(`Explainer: recordsPerStep must be at least 1, got ${recordsPerStep}`);
    if (this.#adding) throw new Error('Explainer: a text was added before the one before it was finished');
    this.#adding = true;
    try {
      const records = trailFileRecords(text, input);
      if (records !== undefined) {
        const journal = new Journal(this.#errors.length, this.#skipped.length, this.#deniedEvents.length);
        const pending = records[Symbol.iterator]();
        try {
          while (!this.#analyse(pending, recordsPerStep, journal)) yield;
          return;
        } catch (error) {
          if (!(error instanceof TrailFileSplitError)) throw error;
          this.#takeBack(journal);
        }
      }
      const extracted = extractRecords(text, input);
      // A CloudTrail envelope whose entries are all broken (`{"Records": [1, "x"]}`) was read, as a trail
      // whose records lack a field is: its entries are errors of the report, as those records are.
      if (extracted.records.length === 0 && extracted.errors.length > 0 && !extracted.brokenEntry)
        this.#rejectedTexts++;
      for (const { input: named, code, message } of extracted.warnings)
        this.#warnings.push({ input: named, code, message });
      for (const { eventId, message } of extracted.skipped)
        this.#skipped.push({ eventId, reason: 'not-cloudtrail', message });
      for (const problem of extracted.errors) {
        this.#errors.push({
          input: problem.position !== undefined ? `${problem.input} (${problem.position})` : problem.input,
          code: problem.code,
          message: problem.message,
        });
      }
      const pending = draining(extracted.records);
      while (!this.#analyse(pending, recordsPerStep, undefined)) yield;
    } finally {
      this.#adding = false;
    }
  }

  /**
   * How many of the texts added so far could not be read as CloudTrail input at all: each gave problems
   * (invalid JSON, an unknown envelope) and no record. A text with no records and no problem (an empty
   * trail file), or whose CloudTrail envelope holds only broken entries, is not one of them.
   */
  get rejectedTexts(): number {
    return this.#rejectedTexts;
  }

  /** How many denied events the findings will cover so far. */
  get deniedEvents(): number {
    return this.#deniedEvents.length;
  }

  /**
   * The findings of every denied event added so far (grouped across texts), with what was skipped and
   * why. `onBuilt` is told after each group of events becomes a finding (how many of how many).
   */
  report(onBuilt?: (built: number, groups: number) => void): ExplainReport {
    const resolver = new PolicyResolver(this.#context);
    const builder = new FindingBuilder(this.#context, resolver, this.#succeeded);
    const current = latestVersions(this.#deniedEvents);
    const { kept, copies } = oneCopyPerRequest(current.kept);
    const { snapshot } = this.#context;
    const groups = groupEvents(
      kept.map((event) => {
        const withCaller = withCallerById(event, snapshot);
        // An upload's part or completion needs kms:Decrypt on the key its CreateMultipartUpload chose.
        return withUploadKey(
          withCaller,
          this.#succeeded.values('uploadKeys', withCaller.principal, withCaller.bucket),
        );
      }),
      this.#context.windowMinutes,
    );
    const built = groups.map((group, index) => {
      const finding = builder.build(group);
      onBuilt?.(index + 1, groups.length);
      return finding;
    });
    const { findings, policyChanges } = combinePolicyChanges(
      withDistinctProfileSids(markRepeats(built)),
      otherInlineSizes(this.#context.snapshot),
    );
    // Batch deletes the visible policies refuse: a warning each, and their skipped entry points to it.
    const refusedDeletes = refusedBatchDeletes(this.#batchDeletes, this.#context, resolver);
    const refusedIds = new Set(refusedDeletes.map((w) => w.eventId));
    const skipped = [...this.#skipped, ...current.replaced, ...copies].map((s) =>
      s.reason === 'not-denied' && refusedIds.has(s.eventId)
        ? {
            ...s,
            message: `${s.message} The visible policies refuse its keys' deletes, though: see the warning ${REFUSED_BATCH_DELETE}.`,
          }
        : s,
    );
    const past = this.#batchDeletesPast;
    const warnings = [
      ...this.#warnings,
      ...refusedDeletes.map(({ input, code, message }) => ({ input, code, message })),
      ...(past !== undefined ? [batchDeletesNotChecked(past.count, past.input)] : []),
    ];
    return {
      findings,
      ...(policyChanges.length > 0 ? { policyChanges } : {}),
      skipped,
      errors: [...this.#errors],
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  /** Undoes what a text added since its journal began. */
  #takeBack(journal: Journal): void {
    this.#errors.length = journal.errors;
    this.#skipped.length = journal.skipped;
    this.#deniedEvents.length = journal.denied;
    for (const id of journal.seen) this.#seen.delete(id);
    for (const noted of journal.evidence) noted.values.delete(noted.value);
    for (const undo of journal.undo) undo();
  }

  /** Adds an event ID, noting it in the journal of a text read a record at a time; `false` for a repeat. */
  #firstSeen(eventId: string): boolean {
    if (!this.#seen.add(eventId)) return false;
    this.#journal?.seen.push(eventId);
    return true;
  }

  /**
   * The caller whose evidence a successful call is: the snapshot's role or user when CloudTrail names
   * the caller only by account and principal ID (see callerById), as its denied requests are resolved.
   */
  #evidenceCaller(principal: Principal): Principal {
    return callerById(principal, this.#context.snapshot)?.principal ?? principal;
  }

  /** Adds `value` to one of the evidence sets (a principal's, or the buckets seen to exist), noting it in the journal too when it is new. */
  #note(values: Set<string>, value: string): void {
    if (values.has(value)) return;
    values.add(value);
    this.#journal?.evidence.push({ values, value });
  }

  /** Notes in the journal how to take back what a call noted outside the evidence sets (its times). */
  #noted(undo: (() => void) | undefined): void {
    if (undo !== undefined) this.#journal?.undo.push(undo);
  }

  #succeededCall(
    principal: Principal,
    bucket: string | undefined,
    eventName: string,
    parameters: unknown,
    userAgent: unknown,
    fields: Readonly<Record<string, unknown>>,
  ): void {
    const seen = this.#succeeded.of(this.#evidenceCaller(principal), bucket);
    // The copy's source, read once. A copy onto itself is a metadata update (a large object's is a
    // multipart copy: UploadPartCopy, beyond rclone's copy cutoff).
    const copied =
      eventName === 'CopyObject' || eventName === 'UploadPartCopy' ? copySourceOf(parameters) : undefined;
    const ontoItself = copied !== undefined && copiesOntoItself(bucket, parameters, copied);
    this.#note(seen.eventNames, ontoItself ? METADATA_UPDATE : eventName);
    if (bucket !== undefined) this.#note(this.#succeeded.buckets, bucket);
    // Which aws-cli command listed (an `aws s3 ls` is not an `rm --recursive`'s listing).
    const command = listingCommand(eventName, userAgent);
    if (command !== undefined) {
      this.#note(seen.listingCommands, command);
      // What it listed (an `aws s3 cp --recursive` within the bucket lists its source, not where it writes).
      const prefix = isJsonObject(parameters) ? parameters.prefix : undefined;
      this.#note(
        seen.commandListPrefixes,
        JSON.stringify([command, typeof prefix === 'string' ? prefix : '']),
      );
    }
    if (!isJsonObject(parameters)) return;
    // When the call was made (NaN when the record has no readable time): what its times are noted with.
    const millis = typeof fields.eventTime === 'string' ? eventTimeMillis(fields.eventTime) : Number.NaN;
    // A listing's prefix says which directory the job works in (rclone lists `dir/` after HEADing `dir`).
    // A listing of versions (rclone --s3-versions) walks the same way.
    if (eventName === 'ListObjects' || eventName === 'ListObjectsV2' || eventName === 'ListObjectVersions') {
      const { prefix, delimiter } = parameters;
      // With where it came from: a listing through a VPC endpoint, say, that the visible policies allow
      // only there, does not show that policies not visible let the caller list from elsewhere.
      if (eventName !== 'ListObjectVersions' && seen.listings.size < LISTINGS_KEPT)
        this.#note(
          seen.listings,
          JSON.stringify([
            typeof prefix === 'string' ? prefix : null,
            networkContextOf(fields.vpcEndpointId, fields.sourceIPAddress, fields.tlsDetails),
          ]),
        );
      if (typeof prefix !== 'string') return;
      this.#note(seen.listPrefixes, prefix);
      // No delimiter: the whole tree under the prefix at once (rclone delete, purge, --fast-list).
      if (delimiter === undefined || delimiter === '') {
        this.#note(seen.recursiveListPrefixes, prefix);
        // When, and by which client: a refused HEAD of a key it listed is the job's read of it only if
        // the job itself listed it, just before.
        if (!Number.isNaN(millis) && seen.recursiveListings.size < RECURSIVE_LISTINGS_KEPT)
          this.#note(
            seen.recursiveListings,
            JSON.stringify([
              prefix,
              // As a denied event's, without S3's brackets.
              stripUserAgentBrackets(typeof userAgent === 'string' ? userAgent : undefined) ?? '',
              millis,
            ]),
          );
      } else this.#note(seen.delimitedListPrefixes, prefix);
      return;
    }
    // The key is gone: a read that found it before does not show it existed after. A delete of one
    // version (a VersionId) may leave an older one as the object, so it is not noted.
    if (eventName === 'DeleteObjects') {
      for (const entry of loggedDeleteEntries(parameters))
        if (entry.versionId === undefined)
          this.#noted(this.#succeeded.noteDeleted(bucket, entry.key, millis));
      return;
    }
    const { key } = parameters;
    if (typeof key !== 'string') return;
    if (eventName === 'DeleteObject' && !requestFeatures.versionId.present(parameters)) {
      this.#noted(this.#succeeded.noteDeleted(bucket, key, millis));
    }
    // The key's directory (`daily/` for `daily/a.txt`, `` at the bucket root).
    const directory = key.slice(0, key.lastIndexOf('/') + 1);
    // A written or read object shows that its directory holds objects (rclone from v1.74.4 carries on
    // past a denied root check when the directory does).
    if (directory !== '' && SHOWS_OBJECT.has(eventName)) this.#note(seen.objectDirectories, directory);
    // The key existed then: a later read refused with the legacy message is not of a missing key (until
    // a delete of it). A read found it; an upload, a copy (the key is its destination), a completed
    // multipart upload or a restore left it there.
    if (FINDS_KEY.has(eventName)) {
      this.#noted(this.#succeeded.noteFound(this.#evidenceCaller(principal), bucket, key, millis, eventName));
    }
    // A metadata update reads and writes the one object: no copy between keys to note.
    if (ontoItself) return;
    // What the job read, uploaded and copied: a delete of a key it read is a move's (rclone move), unless
    // it uploaded into the same directory (rclone sync --backup-dir).
    if (eventName === 'GetObject') {
      this.#note(seen.readKeys, key);
    } else if (eventName === 'CreateMultipartUpload') {
      // The SSE-KMS key the upload chose: its parts and its completion need kms:Decrypt on it, and their
      // records do not name it. The response's header first: S3 returns the key's ARN there, resolved from
      // the alias or bare key ID the request may name (which withUploadKey cannot resolve), or the bucket's
      // default key when the request names none. The request's header only when the response has none.
      const header = 'x-amz-server-side-encryption-aws-kms-key-id';
      const response = fields.responseElements;
      const keyId = [isJsonObject(response) ? response[header] : undefined, parameters[header]].find(
        (id): id is string => typeof id === 'string' && id !== '',
      );
      if (keyId !== undefined) this.#note(seen.uploadKeys, JSON.stringify([key, keyId]));
    } else if (eventName === 'PutObject' || eventName === 'CompleteMultipartUpload') {
      this.#note(seen.uploadDirectories, directory);
      if (key.endsWith('.tflock')) this.#note(seen.lockFiles, key);
    } else if (copied !== undefined) {
      const parsed = copied;
      if (parsed.ok && parsed.source.form === 'bucket') {
        const { key: sourceKey } = parsed.source;
        const source = this.#succeeded.of(principal, parsed.source.bucket);
        const sourceDirectory = sourceKey.slice(0, sourceKey.lastIndexOf('/') + 1);
        this.#note(source.readKeys, sourceKey);
        this.#note(source.copySourceDirectories, sourceDirectory);
        if (parsed.source.bucket !== bucket) {
          this.#note(seen.copiedFromOtherBuckets, `${parsed.source.bucket}/${sourceDirectory}`);
          if (bucket !== undefined)
            this.#note(source.copiedToOtherBuckets, JSON.stringify([sourceDirectory, bucket, directory]));
        }
      }
      this.#note(seen.copyDirectories, directory);
    }
  }

  /** Keeps a DeleteObjects S3 answered 200, for the check of its keys against the visible policies. */
  #batchDelete(raw: RawRecord, normalised?: CloudTrailRecord): void {
    // Only a batch delete on a bucket whose policy is given can be checked (see refusedBatchDeletes):
    // others take no room under the cap, or a week of deletes elsewhere would hide a refused one.
    if (this.#context.snapshot === undefined || this.#context.bucketPolicies.size === 0) return;
    let record = normalised;
    if (record === undefined) {
      const result = normaliseRecord(raw);
      if (!result.ok) return;
      record = result.record;
    }
    const batch = batchDeleteOf(record, raw.input);
    if (batch === undefined || !this.#context.bucketPolicies.has(batch.bucket)) return;
    if (this.#batchDeletes.length >= BATCH_DELETES_KEPT) {
      const past = this.#batchDeletesPast;
      if (past === undefined) this.#batchDeletesPast = { count: 1, input: raw.input };
      else past.count++;
      this.#noted(() => {
        if (past === undefined) this.#batchDeletesPast = undefined;
        else past.count--;
      });
      return;
    }
    const at = this.#batchDeletes.push(batch) - 1;
    this.#noted(() => {
      this.#batchDeletes.length = at;
    });
  }

  /** A lookup (HEAD, GET) S3 answered 404 for the key: the caller works in that key's directory. */
  #missingKey(bucket: string | undefined, record: CloudTrailRecord): void {
    const { key } = record.requestParameters;
    if (typeof key !== 'string') return;
    const seen = this.#succeeded.of(this.#evidenceCaller(record.principal), bucket);
    this.#note(seen.missingKeyDirectories, key.slice(0, key.lastIndexOf('/') + 1));
    if (seen.missingKeys.size < MISSING_KEYS_KEPT) this.#note(seen.missingKeys, key);
    // The bucket exists: S3 found no such key in it (a missing bucket answers NoSuchBucket).
    if (bucket !== undefined) this.#note(this.#succeeded.buckets, bucket);
  }

  /**
   * Analyses up to `limit` records; `true` when there are no more. `journal` notes what a text read a
   * record at a time adds, so that it can be taken back.
   */
  #analyse(records: Iterator<RawRecord>, limit: number, journal: Journal | undefined): boolean {
    this.#journal = journal;
    try {
      for (let n = 0; n < limit; n++) {
        const next = records.next();
        if (next.done === true) return true;
        this.#analyseRecord(next.value);
      }
      return false;
    } finally {
      this.#journal = undefined;
    }
  }

  #analyseRecord(raw: RawRecord): void {
    const errors = this.#errors;
    const skipped = this.#skipped;
    const deniedEvents = this.#deniedEvents;
    // Events from other services are skipped before the full normalisation (often a tenth of a trail).
    const { eventSource, eventName, eventID } = raw.record;
    if (
      typeof eventSource === 'string' &&
      typeof eventName === 'string' &&
      typeof eventID === 'string' &&
      eventID !== ''
    ) {
      const quick = classifyRecord({ eventSource, eventName });
      if (quick.kind === 'skip' && quick.reason === 'not-s3') {
        if (!this.#firstSeen(eventID)) {
          skipped.push({
            eventId: eventID,
            reason: 'duplicate',
            message: duplicateMessage(eventID, eventName, raw.record.eventTime, raw),
          });
        } else {
          skipped.push({
            eventId: eventID,
            reason: 'not-s3',
            message: kmsCallForS3Message(raw.record) ?? quick.message,
          });
        }
        return;
      }
      const { record: fields } = raw;
      // A request a VPC endpoint let through: the endpoint's decision, not S3's answer.
      if (quick.kind === 'skip' && isNetworkActivity(fields) && fields.errorCode === undefined) {
        skipped.push(
          this.#firstSeen(eventID)
            ? { eventId: eventID, reason: 'not-denied', message: allowedThroughEndpointMessage(fields) }
            : {
                eventId: eventID,
                reason: 'duplicate',
                message: duplicateMessage(eventID, eventName, raw.record.eventTime, raw),
              },
        );
        return;
      }
      // A successful S3 call (most of a trail besides the denials) only adds its event name to what its
      // caller is seen doing on the bucket: that needs the caller, not the whole normalised record.
      // Without an error code or message, the full path below would come to the same.
      if (
        quick.kind === 'skip' &&
        fields.errorCode === undefined &&
        fields.errorMessage === undefined &&
        hasRequiredFields(fields)
      ) {
        if (!this.#firstSeen(eventID)) {
          skipped.push({
            eventId: eventID,
            reason: 'duplicate',
            message: duplicateMessage(eventID, eventName, raw.record.eventTime, raw),
          });
          return;
        }
        const parameters = fields.requestParameters;
        const bucketName = isJsonObject(parameters) ? parameters.bucketName : undefined;
        this.#succeededCall(
          normalisePrincipal(fields.userIdentity),
          typeof bucketName === 'string' ? bucketName : undefined,
          eventName,
          parameters,
          fields.userAgent,
          fields,
        );
        if (eventName === 'DeleteObjects') this.#batchDelete(raw);
        skipped.push({ eventId: eventID, reason: quick.reason, message: quick.message });
        return;
      }
    }
    // A CloudTrail Insights event (an unusual rate of calls or errors) is not a call: skipped, not broken.
    if (raw.record.eventType === 'AwsCloudTrailInsight') {
      skipped.push({
        eventId: typeof eventID === 'string' && eventID !== '' ? eventID : `${raw.input} at ${raw.position}`,
        reason: 'not-cloudtrail',
        message: insightMessage(raw.record),
      });
      return;
    }
    const normalised = normaliseRecord(raw);
    if (!normalised.ok) {
      errors.push({
        input: `${raw.input} (${raw.position})`,
        code: normalised.code,
        message: normalised.message,
      });
      return;
    }
    const record = normalised.record;
    if (!this.#firstSeen(record.eventId)) {
      skipped.push({
        eventId: record.eventId,
        reason: 'duplicate',
        message: duplicateMessage(record.eventId, record.eventName, record.eventTime, raw),
      });
      return;
    }
    const classification = classifyRecord(record);
    if (classification.kind === 'skip') {
      // A network activity event the endpoint let through says nothing of what S3 decided: no evidence.
      const allowedByEndpoint = isNetworkActivity(record.raw) && record.errorCode === undefined;
      if (classification.reason === 'not-denied' && !allowedByEndpoint) {
        const bucketName = record.requestParameters.bucketName;
        if (record.errorCode === undefined && (record.errorMessage ?? '') === '') {
          this.#succeededCall(
            record.principal,
            typeof bucketName === 'string' ? bucketName : undefined,
            record.eventName,
            record.requestParameters,
            record.userAgent,
            record.raw,
          );
          if (record.eventName === 'DeleteObjects') this.#batchDelete(raw, record);
        } else if (MISSING_KEY_CODES.has(record.errorCode)) {
          this.#missingKey(typeof bucketName === 'string' ? bucketName : undefined, record);
        }
      }
      skipped.push({
        eventId: record.eventId,
        reason: classification.reason,
        message:
          allowedByEndpoint && classification.reason === 'not-denied'
            ? allowedThroughEndpointMessage(record.raw)
            : classification.message,
      });
      return;
    }
    const event = analyseDeniedEvent(record);
    if ('unmapped' in event && event.unmapped.code === INVALID_BUCKET_NAME) {
      // Not an operation the catalogue lacks: a record that cannot be genuine.
      errors.push({ input: `${raw.input} (${raw.position})`, ...event.unmapped });
      return;
    }
    if ('unmapped' in event) {
      skipped.push({
        eventId: record.eventId,
        // A VPC endpoint's refusal of a record that names no bucket: explained by the record, not evaluated.
        reason:
          event.unmapped.code === VPC_ENDPOINT_REFUSAL ? 'vpc-endpoint-refusal' : 'unsupported-operation',
        message: event.unmapped.message,
      });
      return;
    }
    deniedEvents.push(event);
  }
}

/**
 * What one text, read a record at a time, added to a batch, so that it can be taken back: how long the
 * batch's lists were when the text began, and the event IDs and the evidence of successful calls that
 * were new (one seen before the text stays).
 */
class Journal {
  readonly seen: string[] = [];
  /** Values added to the batch's evidence sets (SucceededCalls), each with its set. */
  readonly evidence: { values: Set<string>; value: string }[] = [];
  /** How to take back what was noted outside the evidence sets (the times of reads and deletes). */
  readonly undo: (() => void)[] = [];

  constructor(
    readonly errors: number,
    readonly skipped: number,
    readonly denied: number,
  ) {}
}

/** The parsed `x-amz-copy-source` of a copy's parameters. */
function copySourceOf(parameters: unknown): ReturnType<typeof parseCopySource> {
  const copySource = isJsonObject(parameters) ? parameters['x-amz-copy-source'] : undefined;
  return parseCopySource(typeof copySource === 'string' ? copySource : undefined);
}

/** Whether a copy's source is the object it writes (same bucket and key, no version named). */
function copiesOntoItself(
  bucket: string | undefined,
  parameters: unknown,
  parsed: ReturnType<typeof parseCopySource>,
): boolean {
  if (bucket === undefined || !isJsonObject(parameters)) return false;
  const { key } = parameters;
  return (
    typeof key === 'string' &&
    parsed.ok &&
    parsed.source.form === 'bucket' &&
    parsed.source.bucket === bucket &&
    parsed.source.key === key &&
    parsed.source.versionId === undefined
  );
}
