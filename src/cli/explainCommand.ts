/**
 * `permission-auditor explain FILE... [--account-snapshot FILE] [--bucket-policy BUCKET=FILE]...
 *   [--scp FILE]... [--rcp FILE]... [--window MINUTES] [--format text|markdown|slack|sns|json]`
 */
import { parseArgs } from 'node:util';
import { type ExplainProgress, explainFiles, NOT_TRAIL_FILE_NAME } from '../app/explainFiles.js';
import type { ExplainReport } from '../domain/explain/report.js';
import { columnsOf, columnsOfChar } from '../domain/render/columns.js';
import { sanitizeTerminal, toSingleLine } from '../domain/render/escape.js';
import { reportJsonPieces } from '../domain/render/json.js';
import { renderMarkdownPieces } from '../domain/render/markdown.js';
import { repeatCount, repeatsByFirst } from '../domain/render/reportWording.js';
import { renderSlack } from '../domain/render/slack.js';
import {
  renderSns,
  renderSnsPolicyChange,
  renderSnsProblems,
  type SnsMessage,
} from '../domain/render/sns.js';
import { renderTextPieces } from '../domain/render/text.js';
import type { CommandIo } from './io.js';
import { unknownOptionProblem } from './unknownOption.js';

export { columnsOf };

export const EXPLAIN_USAGE = `Usage: permission-auditor explain FILE... [options]

Explains S3 AccessDenied CloudTrail events: why each was denied, and the minimal verified fix.
FILE: a CloudTrail record, an EventBridge event, a trail file ({"Records": [...]}, also .json.gz),
JSON lines, 'aws cloudtrail lookup-events' output, a directory of those, '-' for standard input, or a
pipe such as <(aws cloudtrail lookup-events ...).

Options:
  --account-snapshot FILE     'aws iam get-account-authorization-details' output
  --bucket-policy BUCKET=FILE a bucket policy ('aws s3api get-bucket-policy' output or the document); repeatable
  --scp FILE                  service control policies (a document, or an array of levels); repeatable,
                              levels in order (root, OUs, account): [p, q] is two, [[p, q]] one
  --rcp FILE                  resource control policies (same shapes; RCPFullAWSAccess is implied); repeatable
  --window MINUTES            events of one principal on one bucket this close form one finding (default 60)
  -f, --format FORMAT         text (default), markdown, slack, sns or json
  -h, --help                  show this help

Events that are not S3 or not denied are skipped with a reason: json lists every one; text and markdown
list them when there are at most 20, and otherwise count them by reason with a few examples of each.
`;

const FORMATS = ['text', 'markdown', 'slack', 'sns', 'json'] as const;
type Format = (typeof FORMATS)[number];

export async function explainCommand(args: readonly string[], io: CommandIo): Promise<number> {
  let parsed: ReturnType<typeof parseExplainArgs>;
  try {
    parsed = parseExplainArgs(args);
  } catch (error) {
    io.stderr(`explain: ${argumentProblem(error as Error, args)}\n\n${EXPLAIN_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(EXPLAIN_USAGE);
    return 0;
  }
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) {
    io.stderr(
      `explain: --format must be one of ${FORMATS.join(', ')}, got "${toSingleLine(values.format ?? '')}"\n`,
    );
    return 2;
  }
  let windowMinutes: number | undefined;
  if (values.window !== undefined) {
    // Decimal minutes only: Number() would also take "0x10" (16), "1e3" or " 5 ".
    const decimal = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(values.window);
    windowMinutes = decimal ? Number(values.window) : Number.NaN;
    const problem = !decimal
      ? 'must be a number of minutes in decimal digits, such as 60 or 0.5 (no sign, exponent, hex or spaces)'
      : windowMinutes === 0
        ? 'must be more than 0 minutes'
        : !Number.isFinite(windowMinutes)
          ? 'is too large'
          : undefined;
    if (problem !== undefined) {
      io.stderr(`explain: --window ${problem}, got "${toSingleLine(values.window)}"\n`);
      return 2;
    }
  }
  // An unset variable in a script gives an empty value: "explain: : no such file" would not say which.
  for (const name of ['account-snapshot', 'scp', 'rcp'] as const) {
    const given = values[name];
    if ((Array.isArray(given) ? given : [given]).some((value) => value === '')) {
      io.stderr(`explain: --${name} is given an empty file name\n`);
      return 2;
    }
  }
  if (positionals.length === 0) {
    io.stderr(`explain: give at least one event file, directory or '-'\n\n${EXPLAIN_USAGE}`);
    return 2;
  }
  const progress = io.stderrIsTty === true ? new TerminalProgress(io.stderr, io.stderrColumns) : undefined;
  const result = await explainFiles(
    positionals,
    {
      ...(values['account-snapshot'] !== undefined ? { accountSnapshot: values['account-snapshot'] } : {}),
      bucketPolicies: values['bucket-policy'] ?? [],
      scps: values.scp ?? [],
      rcps: values.rcp ?? [],
      ...(windowMinutes !== undefined ? { windowMinutes } : {}),
    },
    {
      ...(io.stdin !== undefined ? { stdin: io.stdin } : {}),
      ...(progress !== undefined ? { onProgress: (p: ExplainProgress) => progress.update(p) } : {}),
    },
  );
  progress?.clear();
  if (!result.ok) {
    io.stderr(`explain: ${toSingleLine(result.message)}\n`);
    return 2;
  }
  // File names and policy names come from the user's files: no control character reaches the terminal.
  // Files of the directories given that were not read are said in one line below. A text report on the
  // terminal ends with the warnings: they are not said twice there (when there is a report).
  const warningsShown = format === 'text' && io.isTty && result.inputsRead > 0;
  for (const warning of warningsShown ? [] : (result.report.warnings ?? []))
    if (warning.code !== NOT_TRAIL_FILE_NAME)
      io.stderr(`explain: warning: ${toSingleLine(warning.message)}\n`);
  if (result.ignoredFiles.length > 0 && !warningsShown) {
    const shown = result.ignoredFiles.slice(0, 3).map((path) => toSingleLine(path));
    const more = result.ignoredFiles.length - shown.length;
    io.stderr(
      `explain: warning: ${result.ignoredFiles.length} file(s) of the directories given were not read, as their names do not end in .json, .jsonl, .json.gz or .gz: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}; name a file as an input to read it whatever its name\n`,
    );
  }
  const { report } = result;
  if (result.inputsRead === 0) {
    for (const e of report.errors) io.stderr(`explain: ${toSingleLine(withInputName(e))}\n`);
    io.stderr('explain: no input could be read\n');
    return 2;
  }
  // A one-line account on standard error, so that piping the report elsewhere still shows what was read.
  const events = report.findings.reduce((n, f) => n + f.eventIds.length, 0) + report.skipped.length;
  const repeats = repeatCount(report.findings);
  const again = repeats > 0 ? ` (${repeats.toLocaleString('en-US')} seen again)` : '';
  // Numbers as the progress line writes them (69,992); files counted as such when a directory was given.
  const n = (count: number): string => count.toLocaleString('en-US');
  const read =
    result.directoriesGiven > 0
      ? `${result.inputsRead === result.inputsNamed ? n(result.inputsRead) : `${n(result.inputsRead)} of ${n(result.inputsNamed)}`} file(s) read from ${n(result.inputsGiven)} input(s) named`
      : result.inputsRead === result.inputsNamed
        ? `${n(result.inputsRead)} input(s)`
        : `${n(result.inputsRead)} of ${n(result.inputsNamed)} input(s) read`;
  io.stderr(
    `explain: ${read}, ${n(events)} event(s): ${n(report.findings.length)} finding(s)${again}, ${n(report.skipped.length)} skipped, ${n(report.errors.length)} error(s)\n`,
  );
  // The report lists the errors; one that does not reach a terminal (JSON, or piped) is named here too,
  // the first few of them, as the warnings are.
  if (report.errors.length > 0 && (format !== 'text' || io.isTty !== true)) {
    for (const e of report.errors.slice(0, ERRORS_ON_STDERR))
      io.stderr(`explain: ${toSingleLine(withInputName(e))}\n`);
    const more = report.errors.length - ERRORS_ON_STDERR;
    if (more > 0) io.stderr(`explain: … and ${more} more error(s) in the report\n`);
  }
  switch (format) {
    case 'json':
      writeInBatches(io.stdout, reportJsonPieces(report));
      io.stdout('\n');
      break;
    case 'markdown':
      writeInBatches(io.stdout, renderMarkdownPieces(report));
      break;
    case 'slack':
      io.stdout(`${JSON.stringify(renderSlack(report), null, 2)}\n`);
      break;
    case 'sns':
      // One message per finding, as alerts; a repeat is named in its first finding's message instead.
      io.stdout(`${JSON.stringify(snsAlerts(report), null, 2)}\n`);
      break;
    default:
      // Wrapped to the terminal's width only on a terminal: piped, the lines stay whole for scripts.
      writeInBatches(
        io.stdout,
        renderTextPieces(report, {
          color: io.color ?? io.isTty,
          ...(io.isTty && io.stdoutColumns !== undefined ? { width: io.stdoutColumns } : {}),
        }),
      );
  }
  return 0;
}

/** Parses explain's command line (throws on unknown options, as `util.parseArgs` does). */
const EXPLAIN_OPTIONS = {
  'account-snapshot': { type: 'string' },
  'bucket-policy': { type: 'string', multiple: true },
  scp: { type: 'string', multiple: true },
  rcp: { type: 'string', multiple: true },
  window: { type: 'string' },
  format: { type: 'string', short: 'f' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The command line, parsed. Throws (a usage error) for an option that takes one value given twice
 * (`parseArgs` would keep the last without a word, and a bad first snapshot would go unread), and for
 * standard input (`-`) named more than once: it can be read only once.
 */
/**
 * The parser's error in one line of our own words. Node's parser refuses a value that starts with a
 * dash after a space (`--window -1`: "argument is ambiguous", over three lines); the option and the value
 * are named instead, with the `--option=value` form that passes such a value.
 */
/** How many of a report's errors standard error names when the report does not go to a terminal. */
const ERRORS_ON_STDERR = 3;

function argumentProblem(error: Error & { code?: string }, args: readonly string[]): string {
  const unknown = unknownOptionProblem(error, Object.keys(EXPLAIN_OPTIONS));
  if (unknown !== undefined) return unknown;
  const ambiguous = /^Option '(--[a-z-]+)' argument is ambiguous/.exec(error.message);
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && ambiguous !== null) {
    const option = ambiguous[1]!;
    const value = args[args.indexOf(option) + 1] ?? '';
    // A number of minutes has no sign: the `=` form would be refused next.
    if (option === '--window' && /^-\d/.test(value))
      return `--window was given "${toSingleLine(value)}": it takes a number of minutes in decimal digits, with no sign`;
    return `${option} was given "${toSingleLine(value)}", which starts with a dash: if that is its value, write ${option}=${toSingleLine(value)}; if ${option} has no value, give it one`;
  }
  return error.message
    .split(/\r?\n/)
    .map((line) => toSingleLine(line.trim()))
    .filter((line) => line !== '')
    .join(' ');
}

export function parseExplainArgs(args: readonly string[]) {
  const parsed = parseArgs({
    args: [...args],
    allowPositionals: true,
    tokens: true,
    options: EXPLAIN_OPTIONS,
  });
  const counts = new Map<string, number>();
  let stdin = 0;
  for (const token of parsed.tokens) {
    if (token.kind === 'option') counts.set(token.name, (counts.get(token.name) ?? 0) + 1);
    if (token.kind === 'positional' && token.value === '-') stdin++;
    if (token.kind === 'option' && token.value === '-') stdin++;
    // --bucket-policy BUCKET=- reads standard input too.
    if (token.kind === 'option' && token.name === 'bucket-policy' && token.value?.endsWith('=-') === true)
      stdin++;
  }
  for (const [name, count] of counts) {
    const option = EXPLAIN_OPTIONS[name as keyof typeof EXPLAIN_OPTIONS];
    if (count > 1 && option !== undefined && !('multiple' in option) && option.type === 'string')
      throw new Error(`--${name} is given ${count} times; it takes one value`);
  }
  if (stdin > 1) throw new Error(`standard input ('-') is named ${stdin} times; it can be read only once`);
  // After "--" everything is a file name: an option there (`explain -- -x.json --format json`) would be
  // an unreadable file and the option silently unused.
  const terminator = parsed.tokens.findIndex((token) => token.kind === 'option-terminator');
  if (terminator >= 0) {
    for (const token of parsed.tokens.slice(terminator + 1)) {
      if (token.kind !== 'positional') continue;
      const option = optionNamed(token.value);
      if (option !== undefined)
        throw new Error(
          `${toSingleLine(token.value)} comes after "--", where it would be read as a file name: put ${option} before "--" (a file of that name is written ./${toSingleLine(token.value)})`,
        );
    }
  }
  const { values, positionals } = parsed;
  return { values, positionals };
}

/** The option `arg` names (`--format`, `--format=json`, `-f`), as written, or `undefined`. */
function optionNamed(arg: string): string | undefined {
  const long = /^--([a-z-]+)(?:=|$)/.exec(arg)?.[1];
  if (long !== undefined) return Object.hasOwn(EXPLAIN_OPTIONS, long) ? `--${long}` : undefined;
  const short = /^-([a-z])$/.exec(arg)?.[1];
  if (short === undefined) return undefined;
  return Object.values(EXPLAIN_OPTIONS).some((option) => 'short' in option && option.short === short)
    ? `-${short}`
    : undefined;
}

/**
 * Writes the pieces joined into batches of about a million characters: one write per piece would be a
 * system call per finding or skipped event, and one write of the whole could exceed the longest string
 * V8 holds.
 */
function writeInBatches(write: (text: string) => void, pieces: Iterable<string>): void {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= 1 << 20) {
      write(batch);
      batch = '';
    }
  }
  if (batch !== '') write(batch);
}

/**
 * One line on a terminal's standard error that rewrites itself as each input is read (a directory of trail
 * files, or one large file, can take minutes), at most ten times a second, then says the findings are
 * being built, and is wiped before the summary. The line is cut to the terminal's width (a line that
 * wraps leaves its first rows behind at each rewrite); file names are cut from the left and made safe
 * to print (they come from the file system).
 */
class TerminalProgress {
  readonly #write: (text: string) => void;
  readonly #width: number;
  #shown = false;
  #last = 0;

  constructor(write: (text: string) => void, columns?: number) {
    this.#write = write;
    // One column short of the width: a line that fills the row makes some terminals wrap at its end.
    this.#width = Math.max(20, Math.min(200, (columns ?? 101) - 1));
  }

  update(progress: ExplainProgress): void {
    if (progress.stage === 'findings') {
      const { built, groups } = progress;
      const now = Date.now();
      if (built !== undefined && built < (groups ?? 0) && now - this.#last < 100) return;
      this.#last = now;
      const counted =
        built !== undefined && groups !== undefined
          ? `: ${built.toLocaleString('en-US')}/${groups.toLocaleString('en-US')}`
          : '';
      this.#show(
        `explain: building findings for ${progress.deniedEvents.toLocaleString('en-US')} denied events${counted}`,
      );
      return;
    }
    const { current, total, input, records } = progress;
    const now = Date.now();
    if ((current < total || records !== undefined) && now - this.#last < 100) return;
    this.#last = now;
    const name = sanitizeTerminal(input);
    const analysed = records !== undefined ? ` (${records.toLocaleString('en-US')} records analysed)` : '';
    const head = `explain: reading ${current}/${total}${analysed}: `;
    const room = Math.max(10, this.#width - head.length);
    this.#show(`${head}${columnsOf(name) > room ? `...${lastColumns(name, room - 3)}` : name}`);
  }

  clear(): void {
    if (this.#shown) this.#write('\r\u001b[K');
    this.#shown = false;
  }

  #show(line: string): void {
    this.#write(`\r\u001b[K${columnsOf(line) > this.#width ? firstColumns(line, this.#width) : line}`);
    this.#shown = true;
  }
}

/** The longest start of `text` that fits in `columns`. */
function firstColumns(text: string, columns: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    used += columnsOfChar(char.codePointAt(0) ?? 0);
    if (used > columns) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/** The longest end of `text` that fits in `columns`. */
function lastColumns(text: string, columns: number): string {
  const chars = Array.from(text);
  let used = 0;
  let start = chars.length;
  while (start > 0) {
    const next = used + columnsOfChar(chars[start - 1]!.codePointAt(0) ?? 0);
    if (next > columns) break;
    used = next;
    start--;
  }
  return chars.slice(start).join('');
}

/**
 * An input's problem as one line that names the input once: the messages of the readers already start
 * with the file's name (`a.json: invalid JSON at line 2, column 1: …`); others get it in front.
 */
function withInputName(error: { readonly input: string; readonly message: string }): string {
  const file = error.input.replace(/ \([^)]*\)$/, '');
  return error.message.startsWith(file) ? error.message : `${error.input}: ${error.message}`;
}

/**
 * The SNS alerts of a report: one per finding that repeats no earlier one (numbered as in the report,
 * naming its repeats), then one per combined policy change, which those alerts refer to, and one
 * for the inputs it could not read.
 */
function snsAlerts(report: ExplainReport): SnsMessage[] {
  const repeats = repeatsByFirst(report.findings);
  const total = report.findings.length;
  const problems = renderSnsProblems(report);
  return [
    ...report.findings.flatMap((finding, index) =>
      finding.repeatOf === undefined
        ? [
            renderSns(
              finding,
              repeats.get(index + 1),
              `Finding ${index + 1} of ${total}`,
              repeats
                .get(index + 1)
                ?.flatMap((n) => (report.findings[n - 1] !== undefined ? [report.findings[n - 1]!] : [])),
            ),
          ]
        : [],
    ),
    ...(report.policyChanges ?? []).map(renderSnsPolicyChange),
    ...(problems !== undefined ? [problems] : []),
  ];
}
