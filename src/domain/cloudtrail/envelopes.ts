/**
 * Finds CloudTrail records in text, whatever envelope they arrived in.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
import { locateJsonSyntaxError } from '../json/jsonSyntaxError.js';
import { isJsonObject } from '../json/jsonValue.js';

/** One CloudTrail record found in an input, with where it was found. */
export interface RawRecord {
  /** Name of the input (file path, `<stdin>`...). */
  readonly input: string;
  /** Where in the input: `$`, `$.Records[2]`, `line 4: $.detail`, `$.Events[0].CloudTrailEvent`... */
  readonly position: string;
  readonly record: Record<string, unknown>;
}

/** Something wrong with an input, with a stable dotted code. */
export interface InputProblem {
  readonly input: string;
  readonly position?: string;
  readonly code: string;
  readonly message: string;
}

/** Stable codes of the problems {@link extractRecords} reports. */
export const envelopeProblemCodes = {
  emptyInput: 'cloudtrail.emptyInput',
  invalidJson: 'cloudtrail.invalidJson',
  unknownEnvelope: 'cloudtrail.unknownEnvelope',
  notAnObject: 'cloudtrail.notAnObject',
  lookupEventWithoutRecord: 'cloudtrail.lookupEventWithoutRecord',
  lambdaMessageWithoutBody: 'cloudtrail.lambdaMessageWithoutBody',
  digestFile: 'cloudtrail.digestFile',
  lakeQueryResults: 'cloudtrail.lakeQueryResults',
  s3Notification: 'cloudtrail.s3Notification',
  lookupEventsNextToken: 'cloudtrail.lookupEventsNextToken',
} as const;

/**
 * EventBridge `detail-type` values whose `detail` is a CloudTrail record. Other detail types (S3
 * "Object Created", Insights...) carry something else and are reported, not guessed at.
 */
const cloudTrailDetailTypes = {
  'AWS API Call via CloudTrail': {
    source: 'https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-cloudtrail.html',
  },
  'AWS Console Signin via CloudTrail': {
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html',
  },
  'AWS Console Action via CloudTrail': {
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html',
  },
  'AWS Service Event via CloudTrail': {
    source: 'https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-cloudtrail.html',
  },
} as const satisfies Record<string, { source: string }>;

/**
 * Fields by which a bare CloudTrail record is recognised; any one is enough, `normaliseRecord` then
 * names the ones that are missing.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
const recordMarkers = ['eventVersion', 'eventID', 'eventName', 'eventSource', 'userIdentity'] as const;

interface Sink {
  readonly input: string;
  readonly records: RawRecord[];
  readonly errors: InputProblem[];
  /** What the input says it leaves out (a lookup-events page with a `NextToken`), read on. */
  readonly warnings: InputProblem[];
  /** Events that are not CloudTrail records (an EventBridge event of another detail-type): skipped. */
  readonly skipped: SkippedEvent[];
  /**
   * Whether a CloudTrail envelope held an entry that is not a record (`{"Records": [1]}`, a lookup-events
   * entry without its CloudTrailEvent, a Lambda message without a body): the input is CloudTrail input
   * with a broken record, not something else.
   */
  brokenEntry: boolean;
}

/** An event of the input that is not a CloudTrail record, with its ID (or position) and why. */
export interface SkippedEvent {
  readonly eventId: string;
  readonly message: string;
}

// Enough nesting for `[ {Records: [...]} ]` inside an SQS body; deeper is not an envelope we know.
const MAX_ENVELOPE_DEPTH = 8;

/**
 * Extracts CloudTrail records from `text`, accepting: a bare record; an EventBridge event
 * (`detail-type: "AWS API Call via CloudTrail"`, `detail` = record); a trail log file
 * (`{"Records": [...]}`); `aws cloudtrail lookup-events` output (`{"Events": [{"CloudTrailEvent":
 * "<json>"}]}`); an SQS event whose message bodies hold any of these; a JSON array of any of these;
 * and JSON lines (one of these per line). A malformed line or entry is reported and never hides the
 * others.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-cloudtrail.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
export function extractRecords(
  text: string,
  inputName: string,
): {
  records: RawRecord[];
  errors: InputProblem[];
  warnings: InputProblem[];
  skipped: SkippedEvent[];
  /** A CloudTrail envelope held an entry that is no record: the input is CloudTrail input all the same. */
  brokenEntry: boolean;
} {
  const sink: Sink = {
    input: inputName,
    records: [],
    errors: [],
    warnings: [],
    skipped: [],
    brokenEntry: false,
  };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // A regular expression stops at the first non-blank character; trim() would copy a 100 MB trail file.
  if (!/\S/.test(body)) {
    sink.errors.push({
      input: inputName,
      code: envelopeProblemCodes.emptyInput,
      message:
        body.length === 0
          ? `${inputName} is empty: expected CloudTrail JSON.`
          : `${inputName} holds only white space (${body.length.toLocaleString('en-US')} character${body.length === 1 ? '' : 's'}): expected CloudTrail JSON.`,
    });
    return sink;
  }
  const whole = tryParse(body);
  if (whole.ok) {
    visit(whole.value, '$', '', 0, sink);
    return sink;
  }
  const lines = body.split(/\r\n|\n|\r/);
  const header = csvHeader(lines);
  const atLakePath = LAKE_QUERY_PATH.test(inputName);
  // Before JSON lines: a CSV row whose first field is a quoted struct (`"{type=IAMUser, …}"`) is a JSON
  // string on its own. A header naming a record's field is never a JSON line (its names are bare).
  const fields = header?.filter((column) => recordFieldNames.has(column.toLowerCase())) ?? [];
  if (fields.length > 0) {
    reportQueryResults(sink, atLakePath, fields);
    return sink;
  }
  if (looksLikeJsonLines(lines)) {
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const prefix = `line ${index + 1}: `;
      // A byte order mark at a line's start: files joined with `cat`, one saved with a mark.
      const parsed = tryParse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
      if (parsed.ok) {
        visit(parsed.value, '$', prefix, 0, sink);
      } else {
        reportInvalidJson(sink, line, `line ${index + 1}`, index);
      }
    });
    return sink;
  }
  // Where CloudTrail delivers a saved query's results, a header of the query's own names (a count) is
  // enough; the path alone is not: events saved there as JSON (lines) were read above.
  if (atLakePath && header !== undefined) {
    reportQueryResults(sink, true, []);
    return sink;
  }
  reportInvalidJson(sink, body, undefined, 0);
  return sink;
}

/**
 * What CloudTrail Lake query results hold, and what to give instead: said of `get-query-results` output
 * and of a saved export alike.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-results.html
 */
const LAKE_ROWS = "whose rows are the query's columns, not CloudTrail records";
const LAKE_INSTEAD =
  "give explain the trail's log files (its S3 bucket's CloudTrail/ folder), an EventBridge event, or " +
  'lookup-events output for management events.';

/**
 * Fields of a CloudTrail record, which CloudTrail Lake's event data stores keep as columns of the same
 * names (a query's CSV header names them, in whatever case the query wrote them).
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
const recordFieldNames = new Set(
  [
    'eventVersion',
    'userIdentity',
    'eventTime',
    'eventSource',
    'eventName',
    'awsRegion',
    'sourceIPAddress',
    'userAgent',
    'errorCode',
    'errorMessage',
    'requestParameters',
    'responseElements',
    'additionalEventData',
    'requestID',
    'eventID',
    'eventType',
    'apiVersion',
    'managementEvent',
    'readOnly',
    'resources',
    'recipientAccountId',
    'serviceEventDetails',
    'sharedEventID',
    'vpcEndpointId',
    'vpcEndpointAccountId',
    'eventCategory',
    'addendum',
    'sessionCredentialFromConsole',
    'edgeDeviceDetails',
    'tlsDetails',
  ].map((name) => name.toLowerCase()),
);

/**
 * Where CloudTrail delivers a saved CloudTrail Lake query's results (`result_1.csv.gz`, gzipped CSV):
 * `…/AWSLogs/<account>/CloudTrail-Lake/Query/<yyyy>/<mm>/<dd>/<query ID>/`.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-results-file-validation-sign-file-structure.html
 */
const LAKE_QUERY_PATH = /(^|[\\/])CloudTrail-Lake[\\/]Query[\\/]/;

/**
 * The column names of a text's first non-blank line when it reads as a CSV header (names only, each bare
 * or in double quotes, separated by commas), told once the text is not JSON: `undefined` for any other
 * line. A text that is not JSON for another reason starts otherwise (`{`, `[`, `key: value`).
 */
function csvHeader(lines: readonly string[]): string[] | undefined {
  const first = lines.find((line) => /\S/.test(line));
  if (first === undefined) return undefined;
  const columns = first.split(',').map((column) => column.trim().replace(/^"(.*)"$/, '$1'));
  return columns.every((column) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) ? columns : undefined;
}

/**
 * Query results in CSV: a saved CloudTrail Lake query's, as CloudTrail delivers them (`atLakePath`), or,
 * elsewhere, a CSV whose header names a record's `fields`, which a Lake export moved elsewhere and an
 * Athena query's results over a trail's logs alike have: the message does not say which.
 *
 * @see https://docs.aws.amazon.com/athena/latest/ug/cloudtrail-logs.html
 */
function reportQueryResults(sink: Sink, atLakePath: boolean, fields: readonly string[]): void {
  const shown = fields.slice(0, 3).join(', ') + (fields.length > 3 ? ', …' : '');
  sink.errors.push({
    input: sink.input,
    code: envelopeProblemCodes.lakeQueryResults,
    message: atLakePath
      ? `${sink.input}: a saved CloudTrail Lake query's results (CSV, as CloudTrail delivers them to S3 under ` +
        `CloudTrail-Lake/Query/), ${LAKE_ROWS}; ${LAKE_INSTEAD}`
      : `${sink.input}: CSV whose header names CloudTrail record fields (${shown}), such as a CloudTrail Lake ` +
        `export or an Athena query's results, ${LAKE_ROWS}; ${LAKE_INSTEAD}`,
  });
}

type ParseResult = { ok: true; value: unknown } | { ok: false };

/**
 * A trail log file as CloudTrail writes it (minified, `{"Records":[{"eventVersion":...},...]}`), read
 * one record at a time: the text is cut at each `},{"eventVersion":` and each piece parsed alone, so a
 * record's parsed objects can be collected as soon as it is analysed instead of the whole file staying
 * in memory (and being copied by the collector) until the end.
 *
 * The cut is exact for valid JSON: in a JSON text a `"` inside a string is escaped, so `{"` can only
 * open a key, and a cut inside a nested object leaves a piece whose braces do not balance, which the
 * parser rejects. Every piece is parsed, so such a text throws {@link TrailFileSplitError} rather than
 * being misread; so does an SQS or SNS message in `Records` (its body holds events). Callers then read the
 * text with {@link extractRecords}, which gives the same records for every text this accepts.
 *
 * `undefined` when the text is not in that form (pretty-printed, other envelopes, an empty trail).
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
export function trailFileRecords(text: string, inputName: string): Iterable<RawRecord> | undefined {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!body.startsWith(TRAIL_FILE_HEAD)) return undefined;
  let end = body.length;
  while (end > 0 && isJsonWhitespace(body.charCodeAt(end - 1))) end--;
  if (
    !body.startsWith(TRAIL_FILE_TAIL, end - TRAIL_FILE_TAIL.length) ||
    end - TRAIL_FILE_TAIL.length <= TRAIL_FILE_HEAD.length
  )
    return undefined;
  return splitRecords(
    body,
    TRAIL_FILE_HEAD.length - RECORD_HEAD.length,
    end - TRAIL_FILE_TAIL.length,
    inputName,
  );
}

/** Thrown by {@link trailFileRecords}'s records when a piece is not a record on its own. */
export class TrailFileSplitError extends Error {}

const RECORD_HEAD = '{"eventVersion":';
const TRAIL_FILE_HEAD = `{"Records":[${RECORD_HEAD}`;
const TRAIL_FILE_TAIL = ']}';
const RECORD_SEPARATOR = `},${RECORD_HEAD}`;

function* splitRecords(body: string, first: number, last: number, input: string): Generator<RawRecord> {
  let start = first;
  for (let index = 0; ; index++) {
    const cut = body.indexOf(RECORD_SEPARATOR, start);
    const end = cut < 0 || cut >= last ? last : cut + 1;
    let record: unknown;
    try {
      record = JSON.parse(body.slice(start, end));
    } catch {
      throw new TrailFileSplitError(`${input}: record ${index} is not valid JSON on its own`);
    }
    if (
      !isJsonObject(record) ||
      record.eventSource === 'aws:sqs' ||
      record.eventSource === 'aws:s3' ||
      record.EventSource === 'aws:sns'
    )
      throw new TrailFileSplitError(`${input}: record ${index} is not a plain CloudTrail record`);
    yield new TrailFileEntry(input, record, '', '$.Records', index);
    if (end === last) return;
    start = end + 1;
  }
}

function isJsonWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function tryParse(text: string): ParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * JSON lines when at least one line is a complete JSON object or array on its own and there are
 * several lines. A pretty-printed document with one syntax error has no such line (its lines are
 * fragments like `{` or `"eventName": "GetObject",`), so it gets one error with its position instead
 * of one error per line.
 */
function looksLikeJsonLines(lines: readonly string[]): boolean {
  const nonEmpty = lines.filter((line) => line.trim() !== '');
  if (nonEmpty.length < 2) return false;
  // A first line that opens an array or object (`{"Records": [`) starts one document over many lines,
  // a record per line perhaps: a comma missing there is that document's error, not a line's.
  // Unless no line ends with a comma (a record per line of such a document does) and two lines or more
  // are whole documents each: then the first is a line cut short.
  const first = nonEmpty[0]!.trimEnd();
  const opensDocument = first.endsWith('[') || first.endsWith('{');
  if (opensDocument && nonEmpty.some((line) => line.trimEnd().endsWith(','))) return false;
  let whole = 0;
  for (const line of nonEmpty) {
    const trimmed = line.trim();
    // A record as a JSON string (`jq '.Events[].CloudTrailEvent'` without -r) is a line of its own too.
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[') && !trimmed.startsWith('"{')) continue;
    if (tryParse(trimmed).ok && ++whole >= (opensDocument ? 2 : 1)) return true;
  }
  return false;
}

function reportInvalidJson(
  sink: Sink,
  text: string,
  linePosition: string | undefined,
  lineOffset: number,
): void {
  const location = locateJsonSyntaxError(text);
  const line = (location?.line ?? 1) + lineOffset;
  const column = location?.column ?? 1;
  const reason = location?.reason ?? 'not valid JSON';
  // Pretty-printed documents one after another (`jq '.Records[]'`): JSON lines holds one per line.
  const concatenated =
    linePosition === undefined && /^unexpected character "[{[]" after the end of the JSON value$/.test(reason)
      ? " It looks like several JSON documents one after another: give JSON lines instead, one document per line (jq -c '.Records[]' for trail files, jq -c '.Events[]' for lookup-events pages), or one document."
      : '';
  sink.errors.push({
    input: sink.input,
    position: linePosition ?? `line ${line}, column ${column}`,
    code: envelopeProblemCodes.invalidJson,
    message: `${sink.input}: invalid JSON at line ${line}, column ${column}: ${reason}.${concatenated}`,
  });
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isJsonObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty object';
    const shown = keys.slice(0, 8).map((key) => JSON.stringify(key));
    return `an object with keys ${shown.join(', ')}${keys.length > 8 ? `, and ${keys.length - 8} more` : ''}`;
  }
  return `a ${typeof value}`;
}

function visit(value: unknown, path: string, prefix: string, depth: number, sink: Sink): void {
  const position = `${prefix}${path}`;
  if (depth > MAX_ENVELOPE_DEPTH) {
    sink.errors.push({
      input: sink.input,
      position,
      code: envelopeProblemCodes.unknownEnvelope,
      message: `${sink.input} at ${position}: envelopes nested more than ${MAX_ENVELOPE_DEPTH} deep.`,
    });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((element, index) => {
      visit(element, `${path}[${index}]`, prefix, depth + 1, sink);
    });
    return;
  }
  // A record as a JSON string: in a list (`--query 'Events[*].CloudTrailEvent'` of lookup-events), on its
  // own (`--query 'Events[0].CloudTrailEvent'`) or one per line (`jq '.Events[].CloudTrailEvent'`).
  if (typeof value === 'string' && value.trimStart().startsWith('{')) {
    visitEmbedded(value, path, prefix, depth, sink);
    return;
  }
  if (!isJsonObject(value)) {
    sink.errors.push({
      input: sink.input,
      position,
      code: envelopeProblemCodes.unknownEnvelope,
      message: `${sink.input} at ${position}: expected a CloudTrail record or envelope, found ${describeValue(value)}.`,
    });
    return;
  }
  // A document holding both arrays (merged by hand or by a script) has both read: neither is dropped;
  // either key holding something else than an array is an error, not skipped.
  if ('Records' in value || 'Events' in value) {
    const records = value.Records;
    const events = value.Events;
    if (Array.isArray(records) || Array.isArray(events)) {
      for (const [key, list] of [
        ['Records', records],
        ['Events', events],
      ] as const) {
        if (list === undefined) continue;
        if (!Array.isArray(list)) {
          notAnArray(key, list, path, prefix, sink);
          continue;
        }
        if (key === 'Records') visitRecordsArray(list, `${path}.Records`, prefix, depth, sink);
        else visitLookupEvents(list, `${path}.Events`, prefix, sink);
      }
      if (Array.isArray(events) && typeof value.NextToken === 'string' && value.NextToken !== '')
        sink.warnings.push(nextTokenWarning(sink.input, `${prefix}${path}`));
      return;
    }
    if (!recordMarkers.some((marker) => marker in value)) {
      notAnArray(
        'Records' in value ? 'Records' : 'Events',
        'Records' in value ? records : events,
        path,
        prefix,
        sink,
      );
      return;
    }
  }
  if (typeof value['detail-type'] === 'string' && 'detail' in value) {
    visitEventBridge(value, path, prefix, sink);
    return;
  }
  // An SNS notification as SNS delivers it to an SQS queue without raw message delivery (or to HTTPS and
  // email): the event is the JSON string in `Message`.
  // https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
  if (
    value.Type === 'Notification' &&
    typeof value.TopicArn === 'string' &&
    typeof value.Message === 'string'
  ) {
    visitEmbedded(value.Message, `${path}.Message`, prefix, depth, sink);
    return;
  }
  if (recordMarkers.some((marker) => marker in value)) {
    sink.records.push({ input: sink.input, position, record: value });
    return;
  }
  // One lookup-events entry on its own: `--query 'Events[]'`, or `jq -c '.Events[]'` as JSON lines.
  if ('CloudTrailEvent' in value) {
    visitLookupEvent(value, position, sink);
    return;
  }
  // CloudTrail Lake query results (`aws cloudtrail get-query-results`): rows of the query's columns, with
  // structs written as `{type=…, arn=…}` text, not CloudTrail records.
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-results.html
  if ('QueryResultRows' in value || ('QueryStatus' in value && 'QueryStatistics' in value)) {
    sink.errors.push({
      input: sink.input,
      position,
      code: envelopeProblemCodes.lakeQueryResults,
      message:
        `${sink.input} at ${position}: CloudTrail Lake query results (get-query-results), ${LAKE_ROWS}; ` +
        LAKE_INSTEAD,
    });
    return;
  }
  if (isLakeSignFile(value)) {
    sink.errors.push({
      input: sink.input,
      position,
      code: envelopeProblemCodes.lakeQueryResults,
      message:
        `${sink.input} at ${position}: the sign file of a saved CloudTrail Lake query's results ` +
        '(result_sign.json, which verify-query-results checks), which lists the result files and their hashes ' +
        `but holds no events; ${LAKE_INSTEAD}`,
    });
    return;
  }
  if (isDigestFile(value)) {
    sink.errors.push({
      input: sink.input,
      position,
      code: envelopeProblemCodes.digestFile,
      message:
        `${sink.input} at ${position}: a CloudTrail digest file (log file integrity validation), which lists ` +
        'log files and their hashes but holds no events; give explain the log files instead (the CloudTrail/ ' +
        'folder of the trail bucket, not CloudTrail-Digest/).',
    });
    return;
  }
  sink.errors.push({
    input: sink.input,
    position,
    code: envelopeProblemCodes.unknownEnvelope,
    message:
      `${sink.input} at ${position}: not a CloudTrail record, EventBridge event, trail file ({"Records": [...]}) ` +
      `or lookup-events output ({"Events": [...]}); found ${describeValue(value)}.`,
  });
}

/** `Records` or `Events` holding something other than the array of records or events it must hold. */
function notAnArray(
  key: 'Records' | 'Events',
  found: unknown,
  path: string,
  prefix: string,
  sink: Sink,
): void {
  const position = `${prefix}${path}.${key}`;
  sink.errors.push({
    input: sink.input,
    position,
    code: envelopeProblemCodes.unknownEnvelope,
    message: `${sink.input} at ${position}: ${key} must be an array of ${key === 'Records' ? 'CloudTrail records (a trail file)' : 'lookup-events entries'}, found ${describeValue(found)}.`,
  });
}

/**
 * A digest file of CloudTrail log file integrity validation: named by its own fields (when a user gives
 * one by mistake), as a directory listing already leaves out files named as digests.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html
 */
function isDigestFile(value: Record<string, unknown>): boolean {
  return typeof value.digestStartTime === 'string' && Array.isArray(value.logFiles);
}

/**
 * The sign file CloudTrail delivers beside a saved Lake query's results (`result_sign.json`): named by its
 * own fields, as a directory listing already leaves out files named as sign files.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-results-file-validation-sign-file-structure.html
 */
function isLakeSignFile(value: Record<string, unknown>): boolean {
  return typeof value.hashSignature === 'string' && Array.isArray(value.files);
}

/**
 * `Records` is the trail log file envelope, but SQS events also use `Records`: an entry with
 * `eventSource: "aws:sqs"` carries the EventBridge event as a JSON string in `body`.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
function visitRecordsArray(
  records: readonly unknown[],
  path: string,
  prefix: string,
  depth: number,
  sink: Sink,
): void {
  for (let index = 0; index < records.length; index++) {
    const entry = records[index];
    if (
      !isJsonObject(entry) ||
      entry.eventSource === 'aws:sqs' ||
      entry.eventSource === 'aws:s3' ||
      entry.EventSource === 'aws:sns'
    ) {
      visitRecordsEntry(entry, `${path}[${index}]`, prefix, depth, sink);
      continue;
    }
    // The common case, a trail file's record: its position is spelled out only if a message needs it.
    sink.records.push(new TrailFileEntry(sink.input, entry, prefix, path, index));
  }
}

/** A record of a `Records` array, whose position text is built only when asked for. */
class TrailFileEntry implements RawRecord {
  readonly input: string;
  readonly record: Record<string, unknown>;
  readonly #prefix: string;
  readonly #path: string;
  readonly #index: number;

  constructor(input: string, record: Record<string, unknown>, prefix: string, path: string, index: number) {
    this.input = input;
    this.record = record;
    this.#prefix = prefix;
    this.#path = path;
    this.#index = index;
  }

  get position(): string {
    return `${this.#prefix}${this.#path}[${this.#index}]`;
  }
}

/**
 * A `Records` entry that is not a plain record: an SQS message (its body holds events), an SNS message
 * as a Lambda function gets it (its `Sns.Message` holds the event), an S3 Event Notification (no
 * CloudTrail record at all), or not an object.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
function visitRecordsEntry(
  entry: unknown,
  entryPath: string,
  prefix: string,
  depth: number,
  sink: Sink,
): void {
  const position = `${prefix}${entryPath}`;
  if (!isJsonObject(entry)) {
    sink.brokenEntry = true;
    sink.errors.push({
      input: sink.input,
      position,
      code: envelopeProblemCodes.notAnObject,
      message: `${sink.input} at ${position}: a trail file entry must be a JSON object, found ${describeValue(entry)}.`,
    });
    return;
  }
  if (entry.eventSource === 'aws:sqs') {
    if (typeof entry.body === 'string') visitEmbedded(entry.body, `${entryPath}.body`, prefix, depth, sink);
    else {
      sink.brokenEntry = true;
      sink.errors.push({
        input: sink.input,
        position,
        code: envelopeProblemCodes.lambdaMessageWithoutBody,
        message: `${sink.input} at ${position}: SQS message (eventSource aws:sqs${typeof entry.messageId === 'string' ? `, messageId ${entry.messageId}` : ''}) has no body string, which holds the event it carries: ${entry.body === undefined ? 'body is missing' : `body is ${describeValue(entry.body)}`}.`,
      });
    }
    return;
  }
  if (entry.EventSource === 'aws:sns') {
    const sns = isJsonObject(entry.Sns) ? entry.Sns : undefined;
    if (typeof sns?.Message === 'string')
      visitEmbedded(sns.Message, `${entryPath}.Sns.Message`, prefix, depth, sink);
    else {
      sink.brokenEntry = true;
      sink.errors.push({
        input: sink.input,
        position,
        code: envelopeProblemCodes.lambdaMessageWithoutBody,
        message: `${sink.input} at ${position}: SNS record (EventSource aws:sns${typeof sns?.MessageId === 'string' ? `, MessageId ${sns.MessageId}` : ''}) has no Sns.Message string, which holds the event it carries: ${sns === undefined ? (entry.Sns === undefined ? 'Sns is missing' : `Sns is ${describeValue(entry.Sns)}`) : sns.Message === undefined ? 'Sns.Message is missing' : `Sns.Message is ${describeValue(sns.Message)}`}.`,
      });
    }
    return;
  }
  if (entry.eventSource === 'aws:s3') {
    sink.errors.push({
      input: sink.input,
      position,
      code: envelopeProblemCodes.s3Notification,
      message: `${sink.input} at ${position}: an S3 Event Notification${typeof entry.eventName === 'string' ? ` (${entry.eventName})` : ''}, not a CloudTrail record: S3 sends those for objects created or removed, never for a refused request. Give explain the trail's log files, lookup-events output or the EventBridge events of CloudTrail.`,
    });
    return;
  }
  sink.records.push({ input: sink.input, position, record: entry });
}

/**
 * A lookup-events page that ends with a `NextToken`: more events match than it holds. The AWS CLI pages
 * on its own unless given `--max-results` (the API's own limit, which turns its paging off) or
 * `--max-items`; a file written that way holds the first page only.
 *
 * @see https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-pagination.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
function nextTokenWarning(input: string, position: string): InputProblem {
  return {
    input,
    code: envelopeProblemCodes.lookupEventsNextToken,
    message: `${input}${position === '$' ? '' : ` at ${position}`}: the lookup-events output ends with a NextToken, so more events match than it holds (--max-results or --max-items stops the AWS CLI's own paging): run the command again without them, or with --starting-token for each next page, and give every page.`,
  };
}

function visitLookupEvents(events: readonly unknown[], path: string, prefix: string, sink: Sink): void {
  for (let index = 0; index < events.length; index++)
    visitLookupEvent(events[index], `${prefix}${path}[${index}]`, sink);
}

/**
 * Whether an `Events` entry is a lookup-events entry (broken when it gives no record) rather than
 * another service's event: `aws rds describe-events`, ElastiCache's, Redshift's and DMS's have an
 * `Events` array too, and Redshift's entries have an `EventId` as CloudTrail's do. CloudTrail's entries
 * (EventId, EventName, EventSource, EventTime, CloudTrailEvent, Username, Resources…) alone carry the
 * record or both the operation and the service that served it.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html
 * @see https://docs.aws.amazon.com/redshift/latest/APIReference/API_Event.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_Event.html
 */
function isLookupEventEntry(event: Readonly<Record<string, unknown>>): boolean {
  return 'CloudTrailEvent' in event || ('EventName' in event && 'EventSource' in event);
}

/** One lookup-events entry (`{"EventId": …, "CloudTrailEvent": "<the record as a JSON string>"}`). */
function visitLookupEvent(event: unknown, position: string, sink: Sink): void {
  // A lookup-events entry that gives no record is a broken entry; one that gives a record is counted
  // there. Something else in an `Events` array does not make the input CloudTrail input.
  if (isJsonObject(event) && isLookupEventEntry(event)) sink.brokenEntry = true;
  if (!isJsonObject(event)) {
    sink.errors.push({
      input: sink.input,
      position,
      code: envelopeProblemCodes.notAnObject,
      message: `${sink.input} at ${position}: a lookup-events entry must be a JSON object, found ${describeValue(event)}.`,
    });
    return;
  }
  const embedded = event.CloudTrailEvent;
  const embeddedPosition = `${position}.CloudTrailEvent`;
  if (isJsonObject(embedded)) {
    sink.records.push({ input: sink.input, position: embeddedPosition, record: embedded });
    return;
  }
  if (typeof embedded !== 'string') {
    sink.errors.push({
      input: sink.input,
      position,
      code: envelopeProblemCodes.lookupEventWithoutRecord,
      message: `${sink.input} at ${position}: lookup-events entry has no CloudTrailEvent string${
        typeof event.EventId === 'string' ? ` (EventId ${event.EventId})` : ''
      }.`,
    });
    return;
  }
  const parsed = tryParse(embedded);
  if (!parsed.ok) {
    reportEmbeddedInvalidJson(sink, embedded, embeddedPosition);
    return;
  }
  if (!isJsonObject(parsed.value)) {
    sink.errors.push({
      input: sink.input,
      position: embeddedPosition,
      code: envelopeProblemCodes.notAnObject,
      message: `${sink.input} at ${embeddedPosition}: CloudTrailEvent must hold a JSON object, found ${describeValue(parsed.value)}.`,
    });
    return;
  }
  sink.records.push({ input: sink.input, position: embeddedPosition, record: parsed.value });
}

function visitEventBridge(event: Record<string, unknown>, path: string, prefix: string, sink: Sink): void {
  const detailType = String(event['detail-type']);
  const position = `${prefix}${path}`;
  if (!Object.hasOwn(cloudTrailDetailTypes, detailType)) {
    // Another AWS event on the same bus (S3 "Object Created", an EC2 state change): not a denial to
    // explain, and not a broken input either.
    sink.skipped.push({
      eventId: typeof event.id === 'string' && event.id !== '' ? event.id : `${sink.input} at ${position}`,
      message:
        `EventBridge event with detail-type ${JSON.stringify(detailType)}` +
        `${typeof event.source === 'string' ? ` from ${event.source}` : ''} does not carry a CloudTrail record ` +
        `(expected "AWS API Call via CloudTrail").`,
    });
    return;
  }
  const detail = event.detail;
  if (!isJsonObject(detail)) {
    sink.brokenEntry = true;
    sink.errors.push({
      input: sink.input,
      position: `${position}.detail`,
      code: envelopeProblemCodes.notAnObject,
      message: `${sink.input} at ${position}.detail: EventBridge detail must be a JSON object, found ${describeValue(detail)}.`,
    });
    return;
  }
  sink.records.push({ input: sink.input, position: `${position}.detail`, record: detail });
}

/** JSON held as a string (an SQS body, an SNS message, a lookup-events record): read, or said to be invalid. */
function visitEmbedded(text: string, path: string, prefix: string, depth: number, sink: Sink): void {
  const parsed = tryParse(text);
  if (parsed.ok) visit(parsed.value, path, prefix, depth + 1, sink);
  else reportEmbeddedInvalidJson(sink, text, `${prefix}${path}`);
}

function reportEmbeddedInvalidJson(sink: Sink, text: string, position: string): void {
  const location = locateJsonSyntaxError(text);
  const where = location === undefined ? '' : ` at character ${location.offset + 1}: ${location.reason}`;
  sink.errors.push({
    input: sink.input,
    position,
    code: envelopeProblemCodes.invalidJson,
    message: `${sink.input} at ${position}: the embedded JSON string is invalid${where}.`,
  });
}
