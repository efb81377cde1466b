/**
 * Shell words for the commands the reports print to be copied: a value from an event or a snapshot
 * (a bucket name, an endpoint ID, a policy name) must stay one word, with nothing a shell expands.
 *
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_02_03
 */

/**
 * A shell word: as it is when it holds only characters no shell treats specially (and does not start
 * with `=`, which zsh expands to a command's path, or `-`), else single-quoted.
 */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:,@+][A-Za-z0-9_./:=,@+-]*$/.test(value) ? value : `'${singleQuotedText(value)}'`;
}

/**
 * A value as it stands between the single quotes of {@link shellWord}: each `'` ends the quotes, is
 * escaped and opens them again (`'\''`). The renderers look for a value's parts in this form too.
 */
export function singleQuotedText(value: string): string {
  return value.replace(/'/g, `'\\''`);
}
