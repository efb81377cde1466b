/**
 * A readable line diff (`-`/`+`/` ` prefixes) between two texts, for showing a policy's new version.
 */
export function lineDiff(before: string, after: string): string {
  const allA = before.split('\n');
  const allB = after.split('\n');
  // Unchanged head and tail lines need no alignment (a new policy version usually only appends).
  let head = 0;
  while (head < allA.length && head < allB.length && allA[head] === allB[head]) head++;
  let tail = 0;
  while (
    tail < allA.length - head &&
    tail < allB.length - head &&
    allA[allA.length - 1 - tail] === allB[allB.length - 1 - tail]
  ) {
    tail++;
  }
  const middle = diffLines(allA.slice(head, allA.length - tail), allB.slice(head, allB.length - tail));
  return [
    ...allA.slice(0, head).map((l) => `  ${l}`),
    ...middle,
    ...allA.slice(allA.length - tail).map((l) => `  ${l}`),
  ].join('\n');
}

function diffLines(a: readonly string[], b: readonly string[]): string[] {
  // Longest common subsequence table; policies are small (IAM caps managed policies at 6,144 characters).
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      out.push(`- ${a[i]}`);
      i++;
    } else {
      out.push(`+ ${b[j]}`);
      j++;
    }
  }
  while (i < a.length) out.push(`- ${a[i++]}`);
  while (j < b.length) out.push(`+ ${b[j++]}`);
  return out;
}

/** The text a {@link lineDiff} was made from: its unchanged and removed lines, without their prefixes. */
export function diffBefore(diff: string): string {
  const lines: string[] = [];
  for (const line of diff.split('\n')) if (!line.startsWith('+ ')) lines.push(line.slice(2));
  return lines.join('\n');
}
