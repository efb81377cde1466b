/**
 * `permission-auditor simulate --request FILE [--format json|text]`
 */
import { parseArgs } from 'node:util';
import { readJsonFile } from '../adapters/jsonInput.js';
import { describeSimulation } from '../domain/policy/describeSimulation.js';
import { runSimulations } from '../domain/policy/simulation.js';
import type { CommandIo } from './io.js';

export const SIMULATE_USAGE = `Usage: permission-auditor simulate --request FILE [-f|--format json|text]

Evaluates one IAM authorization request (or a JSON array of them) against the policies in FILE
(FILE '-' reads standard input). See README.md for the request format.
`;

export async function simulateCommand(args: readonly string[], io: CommandIo): Promise<number> {
  let values: { request?: string | undefined; format?: string | undefined; help?: boolean | undefined };
  try {
    const parsed = parseArgs({
      args: [...args],
      options: {
        request: { type: 'string', short: 'r' },
        format: { type: 'string', short: 'f' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      tokens: true,
    });
    // parseArgs keeps the last of a repeated option without a word: two requests or formats is a mistake.
    for (const name of ['request', 'format'] as const) {
      const count = parsed.tokens.filter((t) => t.kind === 'option' && t.name === name).length;
      if (count > 1) throw new Error(`--${name} is given ${count} times; it takes one value`);
    }
    values = parsed.values;
  } catch (error) {
    io.stderr(`simulate: ${(error as Error).message}\n\n${SIMULATE_USAGE}`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(SIMULATE_USAGE);
    return 0;
  }
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'text') {
    io.stderr(`simulate: --format must be json or text, got "${format}"\n`);
    return 2;
  }
  if (values.request === undefined) {
    io.stderr(`simulate: --request FILE is required\n\n${SIMULATE_USAGE}`);
    return 2;
  }
  const input = await readJsonFile(values.request, io.stdin);
  if (!input.ok) {
    io.stderr(`simulate: ${input.message}\n`);
    return 2;
  }
  const outcome = runSimulations(input.value);
  if (outcome.kind === 'single') {
    if (!outcome.outcome.ok) {
      io.stderr(
        `simulate: invalid request (${outcome.outcome.error.code}): ${outcome.outcome.error.message}\n`,
      );
      return 2;
    }
    io.stdout(
      format === 'json'
        ? `${JSON.stringify(outcome.outcome.result, null, 2)}\n`
        : describeSimulation(outcome.outcome.result),
    );
    return 0;
  }
  if (format === 'json') {
    io.stdout(`${JSON.stringify(outcome.entries, null, 2)}\n`);
  } else {
    outcome.entries.forEach((entry, i) => {
      io.stdout(`# request ${i}\n`);
      io.stdout(
        'error' in entry
          ? `Invalid request (${entry.error.code}): ${entry.error.message}\n`
          : describeSimulation(entry),
      );
    });
  }
  return 0;
}
