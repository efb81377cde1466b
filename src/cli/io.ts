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

/**
 * The process's output, read by something that may stop reading early (`| head`): when it does, the
 * write fails with EPIPE, and the command ends quietly, as `cat` or `grep` do, rather than with Node's
 * unhandled 'error' and a stack trace. Other write errors (a full disk) still end it with a message.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`permission-auditor: cannot write the output: ${error.message}\n`);
    process.exit(1);
  });
}

export function processIo(): CommandIo {
  quietOnClosedPipe(process.stdout);
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: process.stdin,
    isTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
  };
}
