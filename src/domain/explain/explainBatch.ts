/**
 * `explain`: CloudTrail input texts in, findings out. Parses every envelope, skips what is not a
 * denied S3 request (with a reason), groups the events of one principal on one bucket within a time
 * window into one finding, evaluates each request with the policy engine, classifies the cause,
 * proposes a verified minimal fix and, for known tools, the whole set the job needs.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 */
import { classifyRecord } from '../cloudtrail/classify.js';
import { extractRecords, TrailFileSplitError, trailFileRecords } from '../cloudtrail/envelopes.js';
import { normalisePrincipal } from '../cloudtrail/principal.js';
import { hasRequiredFields, normaliseRecord } from '../cloudtrail/record.js';
import { isJsonObject } from '../json/jsonValue.js';
import type { ExplainContext } from './context.js';
import { analyseDeniedEvent, type DeniedEvent } from './deniedEvent.js';
import { EventIdSet } from './eventIdSet.js';
import { FindingBuilder } from './findingBuilder.js';
import { groupEvents, SucceededCalls } from './grouping.js';
import { PolicyResolver } from './policyResolver.js';
import type { ExplainError, ExplainReport, Skipped } from './report.js';

/**
 * Explains every denied S3 event in the given texts.
 */
export function explainTexts(
  texts: readonly { input: string; text: string }[],
  context: ExplainContext,
): ExplainReport {
  try {
    return explainWith(texts, context, true);
  } catch (error) {
    // A trail file that looked minified but cannot be cut into records is read again whole; the report
    // is a function of the texts alone, so starting over gives what reading it whole from the start would.
    if (error instanceof TrailFileSplitError) return explainWith(texts, context, false);
    throw error;
  }
}

/** `records` one at a time, taken off the list so that each parsed record can be collected once analysed. */
function* draining<T>(records: T[]): Generator<T> {
  records.reverse();
  for (let record = records.pop(); record !== undefined; record = records.pop()) yield record;
}

function explainWith(
  texts: readonly { input: string; text: string }[],
  context: ExplainContext,
  cutTrailFiles: boolean,
): ExplainReport {
  const errors: ExplainError[] = [];
  const skipped: Skipped[] = [];
  const deniedEvents: DeniedEvent[] = [];
  const seen = new EventIdSet();
  const succeeded = new SucceededCalls();
  for (const { input, text } of texts) {
    // A trail file as CloudTrail writes it is read a record at a time (its parsed records never all
    // stay in memory); anything else is parsed whole.
    let records = cutTrailFiles ? trailFileRecords(text, input) : undefined;
    if (records === undefined) {
      const extracted = extractRecords(text, input);
      for (const problem of extracted.errors) {
        errors.push({
          input: problem.position !== undefined ? `${problem.input} (${problem.position})` : problem.input,
          code: problem.code,
          message: problem.message,
        });
      }
      records = draining(extracted.records);
    }
    for (const raw of records) {
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
          if (!seen.add(eventID)) {
            skipped.push({
              eventId: eventID,
              reason: 'duplicate',
              message: `Event ${eventID} appears more than once; analysed once.`,
            });
          } else {
            skipped.push({ eventId: eventID, reason: 'not-s3', message: quick.message });
          }
          continue;
        }
        // A successful S3 call (most of a trail besides the denials) only adds its event name to what its
        // caller is seen doing on the bucket: that needs the caller, not the whole normalised record.
        // Without an error code or message, the full path below would come to the same.
        const { record: fields } = raw;
        if (
          quick.kind === 'skip' &&
          fields.errorCode === undefined &&
          fields.errorMessage === undefined &&
          hasRequiredFields(fields)
        ) {
          if (!seen.add(eventID)) {
            skipped.push({
              eventId: eventID,
              reason: 'duplicate',
              message: `Event ${eventID} appears more than once; analysed once.`,
            });
            continue;
          }
          const parameters = fields.requestParameters;
          const bucketName = isJsonObject(parameters) ? parameters.bucketName : undefined;
          succeeded.add(
            normalisePrincipal(fields.userIdentity),
            typeof bucketName === 'string' ? bucketName : undefined,
            eventName,
          );
          skipped.push({ eventId: eventID, reason: quick.reason, message: quick.message });
          continue;
        }
      }
      const normalised = normaliseRecord(raw);
      if (!normalised.ok) {
        errors.push({
          input: `${raw.input} (${raw.position})`,
          code: normalised.code,
          message: normalised.message,
        });
        continue;
      }
      const record = normalised.record;
      if (!seen.add(record.eventId)) {
        skipped.push({
          eventId: record.eventId,
          reason: 'duplicate',
          message: `Event ${record.eventId} appears more than once; analysed once.`,
        });
        continue;
      }
      const classification = classifyRecord(record);
      if (classification.kind === 'skip') {
        if (classification.reason === 'not-denied' && record.errorCode === undefined) {
          const bucketName = record.requestParameters.bucketName;
          succeeded.add(
            record.principal,
            typeof bucketName === 'string' ? bucketName : undefined,
            record.eventName,
          );
        }
        skipped.push({
          eventId: record.eventId,
          reason: classification.reason,
          message: classification.message,
        });
        continue;
      }
      const event = analyseDeniedEvent(record);
      if (event.checks.length === 0) {
        skipped.push({
          eventId: record.eventId,
          reason: 'unsupported-operation',
          message:
            event.unmapped?.message ?? `${record.eventName}: no authorization request could be derived.`,
        });
        continue;
      }
      deniedEvents.push(event);
    }
  }
  const resolver = new PolicyResolver(context);
  const builder = new FindingBuilder(context, resolver, succeeded);
  const findings = groupEvents(deniedEvents, context.windowMinutes).map((group) => builder.build(group));
  return { findings, skipped, errors };
}
