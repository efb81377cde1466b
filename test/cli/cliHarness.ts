import { Readable } from 'node:stream';
import type { CommandIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output (and optional standard input). */
export async function runCli(
  args: readonly string[],
  stdin?: string,
  isTty = false,
  stderrIsTty = false,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stdin: Readable.from(stdin !== undefined ? [stdin] : []),
    isTty,
    stderrIsTty,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
