/**
 * What to say of an option the command does not have: Node's parseArgs says "Unknown option '--formt'.
 * To specify a positional argument starting with a '-', place it at the end of the command after '--',
 * as in '-- "--formt"", which reads as if the typo might be a file name. A mistyped option gets the
 * option it is closest to.
 */
import { toSingleLine } from '../domain/render/escape.js';

/** Edits (insert, delete, change, swap two neighbours) from `a` to `b`; `max + 1` when the lengths alone differ by more than `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) row.push(j);
      else {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        let best = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
          best = Math.min(best, rows[i - 2]![j - 2]! + 1);
        row.push(best);
      }
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * `unknown option --formt: did you mean --format?` for parseArgs's unknown-option error, with the
 * command's long options (`format`, `account-snapshot`); `undefined` for any other error.
 */
export function unknownOptionProblem(
  error: Error & { code?: string },
  options: readonly string[],
  /** The command takes file names (explain): one that starts with `-` goes at the end, after `--`. */
  takesFiles = true,
): string | undefined {
  if (error.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return undefined;
  const typed = /^Unknown option '([^']*)'/.exec(error.message)?.[1];
  if (typed === undefined) return undefined;
  const said = `unknown option ${toSingleLine(typed)}`;
  // What else to say: the options follow the message, and where a file named like an option goes.
  // At the end: the options after "--" would be read as file names too.
  const filesHint = takesFiles
    ? 'a file whose name starts with "-" goes at the end, after "--", or is written ./-name'
    : undefined;
  const rest = `(the options are below${filesHint !== undefined ? `; ${filesHint}` : ''})`;
  // A short option (`-x`) is one letter: nothing to be close to.
  if (!typed.startsWith('--')) return `${said} ${rest}`;
  const name = typed.slice(2).replace(/=.*$/, '');
  // The closest option within two edits (or one for a short name), or the only one the name starts.
  const max = name.length <= 4 ? 1 : 2;
  let best: { option: string; d: number } | undefined;
  for (const option of options) {
    const d = distance(name, option, max);
    if (d <= max && (best === undefined || d < best.d)) best = { option, d };
  }
  const prefixed = options.filter((option) => name.length >= 2 && option.startsWith(name));
  const suggestion = best?.option ?? (prefixed.length === 1 ? prefixed[0] : undefined);
  if (suggestion === undefined) return `${said} ${rest}`;
  return `${said}: did you mean --${suggestion}?${filesHint !== undefined ? ` (${filesHint.charAt(0).toUpperCase()}${filesHint.slice(1)}.)` : ''}`;
}
