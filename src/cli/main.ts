#!/usr/bin/env node
/**
 * Command-line entry: `permission-auditor <command> [options]`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toSingleLine } from '../domain/render/escape.js';
import { type CommandIo, processIo } from './io.js';
import { simulateCommand } from './simulateCommand.js';

const USAGE = `Usage: permission-auditor <command> [options]

Commands:
  simulate   evaluate IAM authorization requests offline, with explanations
  explain    explain S3 AccessDenied CloudTrail events and propose a minimal, verified fix

Run 'permission-auditor <command> --help' for a command's options.
`;

type Command = (args: readonly string[], io: CommandIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  simulate: async () => simulateCommand,
  explain: async () => (await import('./explainCommand.js')).explainCommand,
};

export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // A usage error: the usage goes where errors go.
    io.stderr(USAGE);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    io.stderr(`permission-auditor: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  const command = await load();
  return command(rest, io);
}

/**
 * What the process says when a command throws instead of returning an exit code (a bug, not a problem
 * with the input): one line on standard error, with the error's kind and message, rather than Node's
 * stack trace of an unhandled rejection. The process then exits with 1.
 */
export function internalErrorLine(error: unknown): string {
  const line = thrownText(error)
    .split(/\r?\n/)
    .map((part) => toSingleLine(part.trim()))
    .filter((part) => part !== '')
    .join(' ');
  return `permission-auditor: internal error: ${line === '' ? 'unknown error' : line}\n`;
}

/** A thrown value in words: an Error's kind and message, else the value itself. */
function thrownText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    // A BigInt, or an object whose toJSON throws.
    return String(error);
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(internalErrorLine(error));
      process.exitCode = 1;
    },
  );
}
