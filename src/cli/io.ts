/** What a command needs from the process, injected so commands are testable in-process. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin?: NodeJS.ReadableStream;
  /** True when stdout is a terminal (enables colour). */
  readonly isTty: boolean;
  /** True when stderr is a terminal (enables progress lines that rewrite themselves). */
  readonly stderrIsTty?: boolean;
}

export function processIo(): CommandIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: process.stdin,
    isTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
  };
}
