/**
 * `eventTime` as milliseconds since the epoch. CloudTrail writes it as `YYYY-MM-DDTHH:MM:SSZ`; that
 * spelling is read digit by digit (it is read once per event of a trail). Other ISO 8601 spellings of a
 * date and time (fractions of a second, an offset, a space for the `T`, as exports write them, and
 * Athena's `2026-11-28 15:12:36.000 UTC`) are read too, and one without a zone is UTC, as CloudTrail's times are: read in the machine's
 * zone, the same file would group differently on another machine. Anything else (`Monday 5`, `1`,
 * `Nov 27 2026 01:30:09 GMT (…)`, which `Date.parse` takes) is no date: `NaN`. So is a day the month does
 * not have (`2026-02-30`), which `Date.parse` rolls into the next month.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @see https://www.rfc-editor.org/rfc/rfc3339#section-5.6
 */
export function eventTimeMillis(text: string): number {
  if (text.length !== 20 || text.charCodeAt(19) !== 0x5a /* Z */) return parsed(text);
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (
    text.charCodeAt(4) !== 0x2d ||
    text.charCodeAt(7) !== 0x2d ||
    text.charCodeAt(10) !== 0x54 ||
    text.charCodeAt(13) !== 0x3a ||
    text.charCodeAt(16) !== 0x3a ||
    // Outside these ranges (and for years that Date.UTC would read as 19xx) the general parser decides.
    year < 1000 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return parsed(text);
  }
  // A day the month does not have (`2026-02-30`) is no date: Date.UTC would roll it into the next month.
  if (day > daysInMonth(year, month)) return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** An ISO 8601 date, with a time or not, with a zone or not (then UTC). */
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(?: ?([Zz]|UTC)|([+-])(\d{2}):?(\d{2}))?$/;

/** A spelling of the time other than CloudTrail's own: ISO 8601's others, else no date. */
function parsed(text: string): number {
  const m = ISO_TIME.exec(text);
  if (m === null) return Number.NaN;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = Number(m[10] ?? 0);
  const offsetMinutes = Number(m[11] ?? 0);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  )
    return Number.NaN;
  const millis = Math.floor(Number(`0.${(m[7] ?? '0').slice(0, 9)}`) * 1000);
  // Date.UTC reads years 0–99 as 1900–1999: the year is set on its own.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year);
  const offset = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return date.getTime() - offset;
}

/** Days in `month` (1–12) of `year`, in the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** The decimal number in `count` characters from `at`; -1 when one of them is not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
