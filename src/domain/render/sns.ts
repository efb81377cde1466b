/**
 * Amazon SNS rendering (email subscribers read it): a subject that SNS accepts and a plain-text body
 * without Markdown, with the fix statements as JSON.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
import { caveatsBeyond } from '../explain/repeats.js';
import type { ExplainReport, Finding, PolicyChange } from '../explain/report.js';
import { keyUseRefusals, refusedElsewhere, refusedForKeyUse } from '../explain/summary.js';
import { findingCauseText } from './causeText.js';
import { sanitizeTerminal } from './escape.js';
import { distinctActions, findingPrincipalLabel, plural, seenAgainText } from './reportWording.js';
import { renderFindingText, renderPolicyChangeText, renderSkippedAndErrorsText, renderText } from './text.js';
import { omittedMarker } from './truncate.js';

/** What to hand to SNS Publish. */
export interface SnsMessage {
  readonly subject: string;
  readonly message: string;
}

/**
 * SNS Publish constraints.
 */
export const SNS_LIMITS = {
  /**
   * "Subjects must be ASCII text that begins with a letter, number, or punctuation mark; must not include
   * line breaks or control characters; and must be less than 100 characters long." (API reference text as
   * shipped in the AWS SDKs; newer revisions say "UTF-8 text" but keep the other rules, so ASCII satisfies
   * both.) Less than 100: at most 99.
   */
  subjectMaxLength: {
    value: 99,
    source: 'https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject)',
  },
  /** "messages must be UTF-8 encoded strings and at most 256 KB in size (262,144 bytes)". */
  messageMaxBytes: {
    value: 262_144,
    source: 'https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Message)',
  },
} as const;

/**
 * Makes a string a valid SNS subject: printable ASCII only (anything else becomes `?`), whitespace runs
 * collapsed to one space, a leading character that is not a letter, digit or punctuation dropped, at most
 * {@link SNS_LIMITS.subjectMaxLength} characters (cut ones end with `...`).
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export function toSnsSubject(value: string, suffix = ''): string {
  const ascii = value
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim()
    // ASCII symbols such as `$+<=>^|~` are not punctuation in Unicode's sense; do not start with them.
    .replace(/^[^A-Za-z0-9!"#%&'()*,\-./:;?@[\\\]_{}]+/, '');
  const subject = ascii === '' ? 'permission-auditor' : ascii;
  // The suffix (how many times) is kept whole: the cut falls in the value before it.
  const tail = suffix.replace(/[^\x20-\x7e]/g, '?');
  const max = SNS_LIMITS.subjectMaxLength.value - tail.length;
  return `${subject.length <= max ? subject : `${subject.slice(0, max - 3).trimEnd()}...`}${tail}`;
}

/**
 * The caller as a subject names it: a role session by its role (the session name, often a random ID,
 * would take a third of the 100 characters), an IAM Identity Center session by its user and permission
 * set, anything else by its readable label.
 */
function subjectPrincipal(principal: Finding['principal']): string {
  // IAM Identity Center: the session is the person, the role the permission set.
  const sso = /:assumed-role\/AWSReservedSSO_(.+)_[0-9a-f]{16}\/([^/]+)$/.exec(principal.arn);
  if (sso !== null) return `${sso[2]} (permission set ${sso[1]})`;
  const session = /:assumed-role\/([^/]+)\//.exec(principal.arn);
  return session !== null ? `role ${session[1]}` : findingPrincipalLabel(principal);
}

/**
 * The S3 actions refused, then the KMS calls S3 made for them (SSE-KMS) that the caller's policies
 * refuse, or that AWS's message says the key policy refused: "s3:PutObject (needs kms:GenerateDataKey)".
 */
function findingSubject(finding: Finding): string {
  const actions = distinctActions(finding);
  // The requests refused for their KMS call lead: the upload that failed, not the clean-up after it.
  const keyUse = refusedForKeyUse(finding);
  const s3 = [
    ...keyUse,
    ...actions.filter((action) => !action.startsWith('kms:') && !keyUse.includes(action)),
  ];
  // The key policy's refusal too, when the key is the cause (the caller's policies allow that call).
  const kms = [
    ...new Set(
      [
        ...finding.requests.filter((r) => r.action.startsWith('kms:') && r.decision !== 'Allowed'),
        ...keyUseRefusals(finding),
      ].map((r) => r.action),
    ),
  ];
  // AWS's message named S3's use of a key it did not name: that use is what was refused.
  if (kms.length === 0 && finding.unnamedKeyUse !== undefined) kms.push(finding.unnamedKeyUse);
  const first = s3[0] ?? actions[0] ?? 'request';
  const more = s3.length > 1 ? ` +${s3.length - 1}` : '';
  const needs = kms.length > 0 && s3.length > 0 ? ` (needs ${kms.join(', ')})` : '';
  const bucket = refusedElsewhere(finding) ?? finding.bucket;
  const where = bucket !== undefined ? ` on ${bucket}` : '';
  return `AccessDenied: ${subjectPrincipal(finding.principal)} ${first}${more}${needs}${where}`;
}

/** The subject of a report, and the suffix kept whole after it (how many times one job was refused). */
function reportSubject(report: ExplainReport): string | [string, string] {
  const [only] = report.findings;
  if (report.findings.length === 1 && only !== undefined) return findingSubject(only);
  if (report.findings.length === 0) {
    return `permission-auditor: no denial explained (${plural(report.errors.length, 'unreadable input')})`;
  }
  // A job refused on every run: one finding and its repeats read as one subject.
  const firsts = report.findings.filter((finding) => finding.repeatOf === undefined);
  const [onlyFirst] = firsts;
  if (firsts.length === 1 && onlyFirst !== undefined)
    return [findingSubject(onlyFirst), ` (${report.findings.length} times)`];
  const causes = new Set(report.findings.map((finding) => findingCauseText(finding).title));
  const [firstCause] = causes;
  return `AccessDenied: ${plural(report.findings.length, 'finding')}${causes.size === 1 ? `: ${firstCause}` : ''}`;
}

const encoder = new TextEncoder();

/** Cuts `message` to SNS's byte limit, on a line boundary, with a marker saying how much was left out. */
function fitMessage(message: string, max: number = SNS_LIMITS.messageMaxBytes.value): string {
  if (encoder.encode(message).length <= max) return message;
  const lines = message.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const reserve = encoder.encode(`\n${omittedMarker(lines.length, 'lines')}\n`).length;
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const cost = encoder.encode(line).length + 1;
    if (used + cost + reserve > max) {
      // The line that does not fit is cut rather than left out, so that a message of one long line (an
      // input's problem) still says what it is about.
      const marker = ` ${omittedMarker(0, 'characters')}`;
      const room = max - used - reserve - encoder.encode(marker).length - 1 - 8;
      const head = headWithinBytes(line, room);
      if (head.length > 0) {
        kept.push(`${head} ${omittedMarker(line.length - head.length, 'characters')}`);
        used += cost;
      }
      break;
    }
    kept.push(line);
    used += cost;
  }
  const left = lines.length - kept.length;
  return `${kept.join('\n')}\n${left > 0 ? `${omittedMarker(left, 'lines')}\n` : ''}`;
}

/** The longest start of `text` (whole characters) that takes at most `bytes` bytes in UTF-8. */
function headWithinBytes(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (used + size > bytes) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/** @internal exported for tests. */
export const fitSnsMessage = fitMessage;

function subjectOf(subject: string | [string, string]): string {
  return typeof subject === 'string' ? toSnsSubject(subject) : toSnsSubject(subject[0], subject[1]);
}

function isReport(input: Finding | ExplainReport): input is ExplainReport {
  return 'findings' in input;
}

/**
 * Renders a finding (one alert; `repeatedIn`: the numbers of the findings that repeat its advice, named
 * in its Seen line) or a whole report for SNS email subscribers. The body is the uncoloured
 * terminal text, which already strips control characters from untrusted values and shows fix statements
 * as JSON.
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export function renderSns(
  input: Finding | ExplainReport,
  repeatedIn: readonly number[] = [],
  heading = 'Finding',
  /**
   * The findings that repeat it (those `repeatedIn` numbers): an alert names them by the time they were
   * first seen, as they get no alert of their own, and gives the caveats only their events give.
   */
  repeats?: readonly Finding[],
): SnsMessage {
  if (isReport(input)) {
    return {
      subject: subjectOf(reportSubject(input)),
      message: fitMessage(renderText(input, { color: false })),
    };
  }
  return {
    subject: toSnsSubject(
      findingSubject(input),
      repeatedIn.length > 0 ? ` (${repeatedIn.length + 1} times)` : '',
    ),
    message: fitMessage(
      `${seenAgainByTime(
        renderFindingText(input, { color: false }, heading, repeatedIn),
        repeatedIn,
        repeats?.map((repeat) => repeat.firstSeen),
      )}${ownCaveatsOfRepeats(input, repeats)}\n`,
    ),
  };
}

/**
 * The caveats of the alert's repeats beyond its own ({@link caveatsBeyond}), under the time each was
 * first seen: the repeats get no alert, and these follow from their events (another key, another
 * operation seen).
 */
function ownCaveatsOfRepeats(first: Finding, repeats: readonly Finding[] | undefined): string {
  const lines: string[] = [];
  for (const repeat of repeats ?? []) {
    const caveats = caveatsBeyond(repeat, first);
    if (caveats.length === 0) continue;
    lines.push(
      '',
      `Seen again at ${sanitizeTerminal(repeat.firstSeen)}, with caveats of its own:`,
      ...caveats.map((caveat) => `  - ${sanitizeTerminal(caveat)}`),
    );
  }
  return lines.length > 0 ? `\n${lines.join('\n')}` : '';
}

/**
 * The Seen line of an alert with the repeats' times instead of their numbers: a subscriber gets no alert
 * for the repeats, so "findings 2, 3" would name messages they never see.
 */
function seenAgainByTime(
  text: string,
  numbers: readonly number[],
  times: readonly string[] | undefined,
): string {
  if (times === undefined || times.length !== numbers.length || numbers.length === 0) return text;
  // The times are the records' own: no control character of theirs reaches the message.
  const safe = times.map((time) => sanitizeTerminal(time));
  // `at T1 and T2`, `at T1, …, T7 and 3 more`: the times listed, not a range ("from T1" read as one).
  const shown =
    safe.length <= 8
      ? safe.length === 1
        ? safe[0]!
        : `${safe.slice(0, -1).join(', ')} and ${safe.at(-1)!}`
      : `${safe.slice(0, 7).join(', ')} and ${safe.length - 7} more`;
  // The Seen line's own end: the same words in a user agent or key elsewhere in the alert stay as they are.
  const said = seenAgainText(numbers);
  const lines = text.split('\n');
  const seen = lines.findIndex((line) => line.startsWith('  Seen       ') && line.endsWith(said));
  if (seen < 0) return text;
  const line = lines[seen]!;
  lines[seen] =
    `${line.slice(0, line.length - said.length)}seen again ${times.length === 1 ? 'once' : `${times.length} times`}, at ${shown} (the same advice; no alert of their own)`;
  return lines.join('\n');
}

/**
 * A combined policy change as an alert of its own: the findings' alerts tell their readers to apply it
 * instead of their own fixes, so it must reach them too. `index` is its place in the report's
 * policyChanges (from 0), which the findings' caveats name it by.
 */
export function renderSnsPolicyChange(change: PolicyChange, index = 0): SnsMessage {
  return {
    subject: toSnsSubject(`Combined policy change ${index + 1}: findings ${change.findings.join(', ')}`),
    message: fitMessage(`${renderPolicyChangeText(change, index + 1)}\n`),
  };
}

/**
 * The warnings of a report and the inputs it could not read, as an alert of its own: the findings'
 * alerts do not carry them, and an unreadable trail file must not go unnoticed. What it skipped is no
 * problem, and is left out.
 */
export function renderSnsProblems(report: ExplainReport): SnsMessage | undefined {
  const warnings = report.warnings?.length ?? 0;
  if (report.errors.length === 0 && warnings === 0) return undefined;
  const problems = [
    ...(report.errors.length > 0 ? [plural(report.errors.length, 'input problem')] : []),
    ...(warnings > 0 ? [plural(warnings, 'warning')] : []),
  ];
  // The warnings first, then the unreadable inputs: a long list of those is what a cut shortens, and
  // the skipped events, no problem, are left out.
  const warningsText = renderSkippedAndErrorsText({ ...report, skipped: [], errors: [] });
  const errorsText = renderSkippedAndErrorsText({ ...report, skipped: [], warnings: [] });
  return {
    subject: toSnsSubject(`permission-auditor: ${problems.join(', ')}`),
    message: fitMessage(`${[warningsText, errorsText].filter((text) => text !== '').join('\n\n')}\n`),
  };
}
