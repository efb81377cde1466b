/**
 * Memoisation of pure string parsers (request IPs, dates, numbers, ARNs), bounded so that a long-running
 * process fed with ever-new values keeps a fixed footprint: the table is dropped when it is full.
 * Only derived data is cached here, never an evaluation result.
 */
export function boundedMemo<T>(parse: (text: string) => T, maxEntries: number): (text: string) => T {
  const table = new Map<string, T>();
  return (text) => {
    let value = table.get(text);
    if (value === undefined && !table.has(text)) {
      value = parse(text);
      if (table.size >= maxEntries) table.clear();
      table.set(text, value);
    }
    return value as T;
  };
}
