/** What a command needs from the process, injected so commands are testable in-process. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin?: NodeJS.ReadableStream;
  /** True when stdin is a terminal: a command reading it says so, or it would seem to hang. */
  readonly stdinIsTty?: boolean;
  /** True when stdout is a terminal (enables colour). */
  readonly isTty: boolean;
  /** True when stderr is a terminal that takes escape sequences (enables progress lines that rewrite themselves). */
  readonly stderrIsTty?: boolean;
  /** The terminal's width in columns, when stderr is one (a progress line must fit in one row). */
  readonly stderrColumns?: number;
  /** The terminal's width in columns, when stdout is one (the text report is wrapped to it). */
  readonly stdoutColumns?: number;
  /** Whether the text report is coloured: on a terminal, unless NO_COLOR says not; FORCE_COLOR forces it. */
  readonly color?: boolean;
}

/**
 * Colour by the conventions terminal programs share: a non-empty NO_COLOR turns it off; a FORCE_COLOR
 * other than empty, `0` or `false` turns it on (Node.js, like supports-color, reads `0` and `false` as
 * colour off, where force-color.org would force it); otherwise it follows whether the output is a
 * terminal, unless `TERM=dumb` says the terminal understands no escape sequences.
 *
 * @see https://no-color.org/
 * @see https://force-color.org/
 * @see https://nodejs.org/api/cli.html#force_color1-2-3
 */
export function colorWanted(isTty: boolean, env: NodeJS.ProcessEnv): boolean {
  if ((env.NO_COLOR ?? '') !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return isTty && env.TERM !== 'dumb';
}

/**
 * Whether a progress line that rewrites itself (`\r`, then `ESC[K` to clear the rest of the row) can be
 * shown: on a terminal, unless `TERM=dumb` says it understands no escape sequences (Emacs's shell
 * buffer, some CI logs), where the codes would show as text.
 */
export function progressWanted(isTty: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTty && env.TERM !== 'dumb';
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
    stdinIsTty: process.stdin.isTTY === true,
    isTty: process.stdout.isTTY === true,
    stderrIsTty: progressWanted(process.stderr.isTTY === true, process.env),
    ...(process.stderr.isTTY === true && process.stderr.columns > 0
      ? { stderrColumns: process.stderr.columns }
      : {}),
    ...(process.stdout.isTTY === true && process.stdout.columns > 0
      ? { stdoutColumns: process.stdout.columns }
      : {}),
    color: colorWanted(process.stdout.isTTY === true, process.env),
  };
}
