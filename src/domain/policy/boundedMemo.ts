/**
 * Bounded memoisation for the engine's derived data: parsed request values (IPs, dates, numbers) and
 * statement lists per action and resource key. A long-running process fed with ever-new values keeps a
 * fixed footprint: a table is dropped when it is full. Evaluation results are never cached.
 */

/** Memoises a pure string parser; `undefined` results (unparseable text) are remembered too. */
export function boundedMemo<T>(parse: (text: string) => T, maxEntries: number): (text: string) => T {
  const table = new Map<string, T>();
  // The same text often comes twice in a row (fields of consecutive records): no hashing then.
  let lastText: string | undefined;
  let lastValue: T | undefined;
  return (text) => {
    if (text === lastText) return lastValue as T;
    let value = table.get(text);
    if (value === undefined && !table.has(text)) {
      value = parse(text);
      if (table.size >= maxEntries) table.clear();
      table.set(text, value);
    }
    lastText = text;
    lastValue = value;
    return value as T;
  };
}

/**
 * One string per value: `intern(text)` is the first string seen with `text`'s characters. Values that
 * recur across the records of a trail (event names, account IDs, addresses) then share one string, so
 * what a long run keeps of each record is smaller. Bounded: once full, the table starts over.
 */
export function boundedInterner(maxEntries: number): (text: string) => string {
  const table = new Map<string, string>();
  // Most fields repeat the previous record's value: comparing with it is cheaper than hashing the text.
  let last: string | undefined;
  return (text) => {
    if (text === last) return last;
    let known = table.get(text);
    if (known === undefined) {
      if (table.size >= maxEntries) table.clear();
      table.set(text, text);
      known = text;
    }
    last = known;
    return known;
  };
}

/** A bounded cache keyed by two strings, stored in two levels so that no composite key is ever built. */
export interface PairCache<T> {
  get(first: string, second: string): T | undefined;
  set(first: string, second: string, value: T): void;
}

/** Creates a {@link PairCache} that drops everything once it holds `maxEntries` values. */
export function createPairCache<T>(maxEntries: number): PairCache<T> {
  const table = new Map<string, Map<string, T>>();
  let size = 0;
  return {
    get: (first, second) => table.get(first)?.get(second),
    set: (first, second, value) => {
      if (size >= maxEntries) {
        table.clear();
        size = 0;
      }
      let inner = table.get(first);
      if (inner === undefined) {
        inner = new Map();
        table.set(first, inner);
      }
      if (!inner.has(second)) size++;
      inner.set(second, value);
    },
  };
}
