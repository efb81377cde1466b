#!/usr/bin/env node
/**
 * Command-line entry: `permission-auditor <command> [options]`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
      process.stderr.write(
        `permission-auditor: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
