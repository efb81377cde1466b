/**
 * Truncation that says what it left out. Channels with size limits (Slack blocks, SNS messages) get a
 * shortened rendering with an explicit marker pointing at the JSON report instead of a rejected message.
 */

/** The marker appended where content was cut: `… (N more characters omitted; see the JSON report)`. */
export function omittedMarker(count: number, unit: string): string {
  // Units are plurals (`notes`, `characters`): one is said in the singular.
  const said = count === 1 && unit.endsWith('s') ? unit.slice(0, -1) : unit;
  return `\u2026 (${count} more ${said} omitted; see the JSON report)`;
}

/**
 * Moves a cut position back so it does not split a UTF-16 surrogate pair or an HTML entity (`&amp;`,
 * `&lt;`, `&gt;`) produced by escaping, either of which would leave a broken character behind.
 */
function safeCut(text: string, position: number): number {
  let cut = Math.max(0, Math.min(position, text.length));
  const before = text.charCodeAt(cut - 1);
  if (cut > 0 && before >= 0xd800 && before <= 0xdbff) cut--;
  const ampersand = text.lastIndexOf('&', cut - 1);
  if (ampersand >= 0 && cut - ampersand < 8 && !text.slice(ampersand, cut).includes(';')) {
    const semicolon = text.indexOf(';', ampersand);
    if (semicolon >= cut && semicolon - ampersand < 8) cut = ampersand;
  }
  return cut;
}

/**
 * `text` if it has at most `max` characters (UTF-16 code units, which never undercounts what Slack or
 * SNS count); otherwise a prefix followed by {@link omittedMarker}, the whole at most `max` characters.
 */
export function truncateText(text: string, max: number, unit = 'characters'): string {
  if (text.length <= max) return text;
  const marker = ` ${omittedMarker(text.length, unit)}`;
  // A budget smaller than the marker itself: keeping the limit matters more than the marker.
  if (marker.length >= max) return text.slice(0, safeCut(text, max));
  const cut = safeCut(text, max - marker.length);
  return `${text.slice(0, cut)} ${omittedMarker(text.length - cut, unit)}`;
}

/**
 * {@link truncateText} for Slack mrkdwn, where every backtick is a code span's (an untrusted value's own
 * are replaced by a look-alike before): a span the cut leaves open is closed before the marker, so
 * that the rest of the value (its `*`, `_`, `~`) stays code and the marker is not part of it. Fenced
 * blocks (three backticks) are left to the renderers that cut them on line boundaries.
 *
 * @see https://api.slack.com/reference/surfaces/formatting#inline-code
 */
export function truncateMrkdwn(text: string, max: number, unit = 'characters'): string {
  if (text.length <= max) return text;
  const marker = ` ${omittedMarker(text.length, unit)}`;
  if (marker.length + 1 >= max) return closedSpans(text.slice(0, safeCut(text, max - 1)));
  const cut = safeCut(text, max - marker.length - 1);
  return `${closedSpans(text.slice(0, cut))} ${omittedMarker(text.length - cut, unit)}`;
}

/** `prefix` with a code span it leaves open closed (or, when it only just opened, dropped). */
function closedSpans(prefix: string): string {
  const ticks = prefix.replaceAll('```', '').split('`').length - 1;
  if (ticks % 2 === 0) return prefix;
  return prefix.endsWith('`') && !prefix.endsWith('```') ? prefix.slice(0, -1) : `${prefix}\``;
}

/**
 * Joins as many whole lines as fit in `max` characters (with `\n`), then a marker line counting the lines
 * left out. A first line longer than `max` is itself truncated (with `truncate`) so that something is
 * always shown.
 */
export function fitLines(
  lines: readonly string[],
  max: number,
  unit: string,
  truncate: (text: string, max: number) => string = truncateText,
): string {
  const all = lines.join('\n');
  if (all.length <= max) return all;
  const reserve = omittedMarker(lines.length, unit).length + 1;
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const cost = (kept.length === 0 ? 0 : 1) + line.length;
    if (used + cost + reserve > max) break;
    kept.push(line);
    used += cost;
  }
  if (kept.length === 0) {
    const first = lines[0] ?? '';
    const rest = lines.length - 1;
    const tail = rest > 0 ? `\n${omittedMarker(rest, unit)}` : '';
    return `${truncate(first, max - tail.length)}${tail}`;
  }
  return `${kept.join('\n')}\n${omittedMarker(lines.length - kept.length, unit)}`;
}
