import { isJsonObject } from '../json/jsonValue.js';

/**
 * A nudge for a CloudTrail event (a trail file, a record, an EventBridge event, lookup-events output)
 * given to an option that takes a policy or a snapshot: the events are explain's FILE arguments. Said
 * alike by `--account-snapshot`, `--bucket-policy`, `--scp` and `--rcp`.
 */
export function cloudTrailHint(value: unknown): string | undefined {
  if (!isJsonObject(value)) return undefined;
  const event =
    'Records' in value ||
    'eventName' in value ||
    'eventSource' in value ||
    ('detail-type' in value && 'detail' in value) ||
    (Array.isArray(value.Events) && value.Events.some((e) => isJsonObject(e) && 'CloudTrailEvent' in e));
  return event ? 'this looks like a CloudTrail event, which explain reads as FILE' : undefined;
}
