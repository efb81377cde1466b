/**
 * Grouping: events of one principal on one bucket, close in time, form one finding (a failed job that
 * produced 500 denied calls reads as one answer).
 */
import type { CloudTrailRecord } from '../cloudtrail/types.js';
import type { DeniedEvent } from './deniedEvent.js';

/** The principal-and-bucket identity of an event, shared with the evidence of successful calls. */
export function groupKey(record: CloudTrailRecord, bucket: string | undefined): string {
  const p = record.principal;
  return `${p.type}|${p.arn ?? p.policyPrincipalArn ?? p.account ?? 'unknown'}|${bucket ?? ''}`;
}

/** Splits events into groups of one principal on one bucket, starting a new group after a quiet gap. */
export function groupEvents(events: readonly DeniedEvent[], windowMinutes: number): DeniedEvent[][] {
  // Trail files are usually in time order already; sort only when they are not.
  const inOrder = events.every((e, k) => k === 0 || events[k - 1]!.record.eventTime <= e.record.eventTime);
  const sorted = inOrder
    ? events
    : [...events].sort((a, b) =>
        a.record.eventTime < b.record.eventTime ? -1 : a.record.eventTime > b.record.eventTime ? 1 : 0,
      );
  const open = new Map<string, { events: DeniedEvent[]; last: number }>();
  const groups: DeniedEvent[][] = [];
  const windowMs = windowMinutes * 60_000;
  for (const event of sorted) {
    const key = groupKey(event.record, event.bucket);
    const time = Date.parse(event.record.eventTime);
    const current = open.get(key);
    if (current !== undefined && (Number.isNaN(time) || time - current.last <= windowMs)) {
      current.events.push(event);
      if (!Number.isNaN(time)) current.last = time;
    } else {
      const group = { events: [event], last: Number.isNaN(time) ? 0 : time };
      open.set(key, group);
      groups.push(group.events);
    }
  }
  return groups;
}
