/**
 * How many columns text takes on a terminal: for the progress line, cut to the terminal's width, and the
 * text report, wrapped to it.
 */

/** Emoji of the Basic Multilingual Plane that are East Asian Wide (UAX #11): ⌚, ☕, ⚡, ✅, ⭐… */
const WIDE_BMP_EMOJI: ReadonlySet<number> = new Set([
  0x231a, 0x231b, 0x23e9, 0x23ea, 0x23eb, 0x23ec, 0x23f0, 0x23f3, 0x25fd, 0x25fe, 0x2614, 0x2615, 0x2648,
  0x2649, 0x264a, 0x264b, 0x264c, 0x264d, 0x264e, 0x264f, 0x2650, 0x2651, 0x2652, 0x2653, 0x267f, 0x2693,
  0x26a1, 0x26aa, 0x26ab, 0x26bd, 0x26be, 0x26c4, 0x26c5, 0x26ce, 0x26d4, 0x26ea, 0x26f2, 0x26f3, 0x26f5,
  0x26fa, 0x26fd, 0x2705, 0x270a, 0x270b, 0x2728, 0x274c, 0x274e, 0x2753, 0x2754, 0x2755, 0x2757, 0x2795,
  0x2796, 0x2797, 0x27b0, 0x27bf, 0x2b1b, 0x2b1c, 0x2b50, 0x2b55,
]);

/**
 * Columns a character takes on a terminal: 2 for East Asian wide and fullwidth characters and emoji,
 * 1 for the rest (an approximation of Unicode's East_Asian_Width; combining marks are counted as 1).
 *
 * @see https://www.unicode.org/reports/tr11/
 */
export function columnsOfChar(code: number): number {
  if (code < 0x1100) return 1;
  return (code >= 0x1100 && code <= 0x115f) ||
    WIDE_BMP_EMOJI.has(code) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f680 && code <= 0x1f6ff) ||
    (code >= 0x1f7e0 && code <= 0x1f7eb) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x1fa70 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
    ? 2
    : 1;
}

/** Columns `text` takes on a terminal (see {@link columnsOfChar}). */
export function columnsOf(text: string): number {
  let columns = 0;
  for (const char of text) columns += columnsOfChar(char.codePointAt(0) ?? 0);
  return columns;
}
