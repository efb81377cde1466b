import type { CommandIo } from './io.js';

/** Placeholder until the explain use case lands. */
export async function explainCommand(_args: readonly string[], io: CommandIo): Promise<number> {
  io.stderr('explain: not available yet\n');
  return 2;
}
