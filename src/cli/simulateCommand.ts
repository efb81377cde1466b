/**
 * `permission-auditor simulate --request FILE [--format json|text]`
 */
import { parseArgs } from 'node:util';
import { readJsonFile } from '../adapters/jsonInput.js';
import { describeSimulation } from '../domain/policy/describeSimulation.js';
import { runSimulations } from '../domain/policy/simulation.js';
import { toSingleLine } from '../domain/render/escape.js';
import type { CommandIo } from './io.js';
import { unknownOptionProblem } from './unknownOption.js';

export const SIMULATE_USAGE = `Usage: permission-auditor simulate --request FILE [--format json|text]

Evaluates one IAM authorization request (or a JSON array of them) against the policies in FILE
(FILE '-' reads standard input). See README.md for the request format.

Options:
  -r, --request FILE   the request and its policies, as JSON
  -f, --format FORMAT  json (default) or text
  -h, --help           show this help
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
    // The parser's message quotes what was typed: made one line without control characters, as explain does.
    const message =
      unknownOptionProblem(error as Error, ['request', 'format', 'help'], false) ??
      (error as Error).message
        .split(/\r?\n/)
        .map((line) => toSingleLine(line.trim()))
        .filter((line) => line !== '')
        .join(' ');
    io.stderr(`simulate: ${message}\n\n${SIMULATE_USAGE}`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(SIMULATE_USAGE);
    return 0;
  }
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'text') {
    io.stderr(`simulate: --format must be json or text, got "${toSingleLine(format)}"\n`);
    return 2;
  }
  if (values.request === undefined) {
    io.stderr(`simulate: --request FILE is required\n\n${SIMULATE_USAGE}`);
    return 2;
  }
  // An unset variable in a script gives an empty value: "simulate: : no such file" would not say which.
  if (values.request === '') {
    io.stderr('simulate: --request is given an empty file name\n');
    return 2;
  }
  // Typed at a terminal, the request ends with Ctrl-D: without a word the command seems to hang.
  if (values.request === '-' && io.stdinIsTty === true)
    io.stderr('simulate: reading the request from standard input (the terminal); end it with Ctrl-D\n');
  const input = await readJsonFile(values.request, io.stdin);
  if (!input.ok) {
    io.stderr(`simulate: ${toSingleLine(input.message)}\n`);
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
