/**
 * `eventTime` as milliseconds since the epoch. CloudTrail writes it as `YYYY-MM-DDTHH:MM:SSZ`; that
 * spelling is read digit by digit (it is read once per event of a trail), anything else by `Date.parse`,
 * with the same result (a property test checks it), except that a day the month does not have
 * (`2026-02-30`, in any spelling that starts with the date), which `Date.parse` rolls into the next
 * month, is no date. `NaN` when the text is not a
 * date.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
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
    // Outside these ranges (and for years that Date.UTC would read as 19xx) Date.parse decides.
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

/** `Date.parse`, except that a `YYYY-MM-DD…` text on a day its month does not have is no date. */
function parsed(text: string): number {
  const millis = Date.parse(text);
  if (Number.isNaN(millis) || text.length < 10 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d)
    return millis;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  return year >= 0 && month >= 1 && month <= 12 && day > daysInMonth(year, month) ? Number.NaN : millis;
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
