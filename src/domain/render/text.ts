/**
 * Terminal rendering of an explain report: one block per finding, then what was skipped and what failed.
 * Every string from the report goes through {@link sanitizeTerminal}, so an object key cannot move the
 * cursor, recolour the output or fake a line; colour codes are added only by this module and only when
 * asked for.
 */

import { principalIdKind } from '../cloudtrail/principal.js';
import { caveatsBeyond } from '../explain/repeats.js';
import type {
  AdditionalChange,
  ExplainReport,
  Finding,
  Fix,
  JobProfile,
  PolicyChange,
} from '../explain/report.js';
import { bucketPolicyNotGiven, scpRefusalByMessage } from '../explain/summary.js';
import { findingCauseText } from './causeText.js';
import { type ChangeBlock, changeBlocks, UNPLACED_HEADING } from './changeBlocks.js';
import { safeJson, sanitizeTerminal } from './escape.js';
import {
  actionCounts,
  additionalChanges,
  attachText,
  decisionText,
  describeClient,
  describeDeniedBy,
  EVIDENCE_TEXT,
  elsewhereNote,
  errorLine,
  fixStatus,
  fixTarget,
  groupRequests,
  groupSkipped,
  jobProfileLabel,
  namedAs,
  noFixReason,
  OVERVIEW_MIN_FINDINGS,
  omittedRequests,
  overviewCombined,
  overviewHeading,
  overviewNumbers,
  overviewRows,
  overviewTotals,
  overviewTotalsLines,
  plural,
  policyDocument,
  principalLabel,
  profileScope,
  repeatsByFirst,
  repeatText,
  requestsHeading,
  SKIPPED_EXAMPLES,
  SKIPPED_REASON_TEXT,
  seenAgainText,
  shownUserAgent,
  unplacedIdentityStatements,
} from './reportWording.js';
import { omittedMarker } from './truncate.js';
import { finishLines, verbatim } from './wrap.js';

/** Options of {@link renderText}. */
export interface TextRenderOptions {
  /** Emit ANSI colours (the CLI passes `process.stdout.isTTY`). */
  readonly color: boolean;
  /**
   * The terminal's width in columns: prose lines wider are broken at spaces and continue under their
   * label's value or bullet's text; JSON, diffs and commands are left whole to be copied. Absent (output
   * piped), no line is broken.
   */
  readonly width?: number;
  /** Distinct denied requests listed per finding before the rest is summarised. Default 20. */
  readonly maxRequests?: number;
  /**
   * Skipped events listed one by one; beyond this many they are counted by reason, with the first
   * {@link SKIPPED_EXAMPLES} of each reason shown. Default 20.
   */
  readonly maxSkipped?: number;
}

const DEFAULT_MAX_REQUESTS = 20;
const DEFAULT_MAX_SKIPPED = 20;

/**
 * SGR codes used for emphasis.
 *
 * @see https://www.ecma-international.org/publications-and-standards/standards/ecma-48/ (SGR, §8.3.117)
 */
const SGR = {
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
  reset: '\u001b[0m',
} as const;

type Style = Exclude<keyof typeof SGR, 'reset'>;

type Painter = (style: Style, text: string) => string;

function painter(color: boolean): Painter {
  return (style, text) => (color ? `${SGR[style]}${text}${SGR.reset}` : text);
}

/** Untrusted single-line value. */
function t(value: string): string {
  return sanitizeTerminal(value);
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `${prefix}${line}`))
    .join('\n');
}

function bulletList(items: readonly string[], prefix = '    '): string[] {
  return items.map((item) => `${prefix}- ${item}`);
}

/** The blocks of a change (see {@link changeBlocks}): each heading, then its JSON, diff or command. */
function changeBlockLines(blocks: readonly ChangeBlock[]): string[] {
  const lines: string[] = [];
  for (const block of blocks) {
    lines.push(`    ${t(block.heading)}:`);
    // Text to copy (a document, a diff, a command) is never broken across lines.
    if (block.kind === 'json') lines.push(verbatim(indent(safeJson(block.value), '    ')));
    else if (block.kind === 'diff')
      lines.push(verbatim(indent(sanitizeTerminal(block.text, { multiline: true }), '      ')));
    else lines.push(verbatim(`      ${t(block.text)}`));
  }
  return lines;
}

/** A second policy the fix changes: where, and its blocks. */
function additionalChangeLines(lead: string, change: AdditionalChange): string[] {
  const named = namedAs(change, (name) => `"${t(name)}"`);
  return [
    `    ${lead}: ${attachText(change)} ${t(fixTarget(change))}${named}`,
    ...changeBlockLines(changeBlocks(change)),
  ];
}

function fixLines(fix: Fix, paint: Painter): string[] {
  const lines: string[] = [];
  const status = paint(fixStatus(fix) === 'verified' ? 'green' : 'yellow', `Fix (${fixStatus(fix)})`);
  const named = namedAs(fix, (name) => `"${t(name)}"`);
  lines.push(`  ${status}: ${attachText(fix)} ${t(fixTarget(fix))}${named}`);
  lines.push(...changeBlockLines(changeBlocks(fix)));
  const unplaced = unplacedIdentityStatements(fix);
  if (unplaced !== undefined) {
    lines.push(
      `    Also needed in an identity-based policy of the caller (cross-account), ${UNPLACED_HEADING}:`,
    );
    lines.push(verbatim(indent(safeJson(unplaced), '    ')));
  }
  for (const { lead, change } of additionalChanges(fix)) lines.push(...additionalChangeLines(lead, change));
  if (fix.verification.length > 0) {
    lines.push('    Verification:');
    lines.push(...bulletList(fix.verification.map(t), '      '));
  }
  return lines;
}

/**
 * One combined policy change as plain text, for an alert of its own (SNS), under its number in the
 * report (from 1), which the findings' caveats name it by.
 */
export function renderPolicyChangeText(change: PolicyChange, number = 1): string {
  return finishLines(
    [
      `Combined policy change ${number}: apply it instead of what the fixes of findings ${change.findings.join(', ')} change in this policy; the rest of those fixes still applies`,
      ...changeLines(change, number, painter(false)),
    ].join('\n'),
  );
}

/** The combined changes of fixes that share a policy, each with its whole new document. */
function policyChangesText(changes: readonly PolicyChange[], paint: Painter): string {
  return [
    paint(
      'bold',
      `Combined policy changes (${changes.length}): each replaces what the findings' fixes change in its one policy; the rest of those fixes still applies`,
    ),
    ...changes.flatMap((change, index) => changeLines(change, index + 1, paint)),
  ].join('\n');
}

function changeLines(change: PolicyChange, number: number, paint: Painter): string[] {
  const status = change.verified ? paint('green', 'verified') : paint('yellow', 'NOT verified');
  const named = namedAs(change, (name) => `"${t(name)}"`);
  const lines = [
    `  Change ${number}, for findings ${change.findings.join(', ')} (${status}): ${attachText(change)} ${t(fixTarget(change))}${named}`,
    ...changeBlockLines(changeBlocks(change)),
  ];
  lines.push('    Verification:');
  lines.push(...bulletList(change.verification.map(t), '      '));
  return lines;
}

function jobProfileLines(profile: JobProfile, fix: Fix | null): string[] {
  const lines = [`  Job profile (${jobProfileLabel(profile)}): ${t(profileScope(profile, fix))}`];
  lines.push(verbatim(indent(safeJson(policyDocument(profile.statements)), '    ')));
  lines.push(...bulletList(profile.notes.map(t)));
  return lines;
}

/** Who, with which client, on which bucket, and when (`repeatedIn`: the findings that repeat it). */
function factLines(finding: Finding, repeatedIn: readonly number[] = []): string[] {
  const { principal, client } = finding;
  const userAgent =
    client.userAgent !== undefined ? `, user agent ${t(shownUserAgent(client.userAgent))}` : '';
  const again = repeatedIn.length > 0 ? `; ${seenAgainText(repeatedIn)}` : '';
  return [
    principal.arn === 'unknown' && principal.principalId !== undefined
      ? `  Principal  ${principalIdKind(principal.principalId)} ${t(principal.principalId)} (${principal.type}, account ${t(principal.account)}); the record names no ARN`
      : principal.arn === 'unknown' && principal.identityStoreUserId !== undefined
        ? `  Principal  Identity Center user ID ${t(principal.identityStoreUserId)} (${principal.type}, account ${t(principal.account)}); it has no IAM ARN`
        : `  Principal  ${t(principalLabel(principal.arn))} (${principal.type}, account ${t(principal.account)}) ${t(principal.arn)}`,
    `  Client     ${t(describeClient(client))}${userAgent}`,
    ...(finding.bucket !== undefined
      ? [`  Bucket     ${t(finding.bucket)}${t(elsewhereNote(finding))}`]
      : []),
    `  Seen       ${t(finding.firstSeen)} to ${t(finding.lastSeen)} (${plural(finding.eventIds.length, 'event')})${again}`,
  ];
}

/**
 * One finding as a terminal block (no trailing newline).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export function renderFindingText(
  finding: Finding,
  options: TextRenderOptions,
  heading = 'Finding',
  repeatedIn: readonly number[] = [],
): string {
  return finishLines(findingText(finding, options, heading, repeatedIn), options.width);
}

/** {@link renderFindingText}'s text, its lines not to be broken still marked. */
function findingText(
  finding: Finding,
  options: TextRenderOptions,
  heading: string,
  repeatedIn: readonly number[] = [],
): string {
  const paint = painter(options.color);
  const cause = findingCauseText(finding);
  const maxRequests = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const lines: string[] = [];

  lines.push(paint('bold', `${heading}: ${cause.title}`));
  lines.push(`  ${t(finding.summary)}`);
  lines.push('');
  lines.push(...factLines(finding, repeatedIn));
  lines.push(`  Cause      ${paint('red', cause.explanation)}`);
  lines.push(`             Evidence: ${EVIDENCE_TEXT[finding.evidence]}. See ${cause.source}`);

  const groups = groupRequests(finding.requests);
  const unseen = bucketPolicyNotGiven(finding);
  lines.push('');
  lines.push(`  ${requestsHeading(finding)}:`);
  for (const group of groups.slice(0, maxRequests)) {
    const times = group.count > 1 ? ` x${group.count}` : '';
    lines.push(
      `    - ${t(group.eventName)}  ${t(group.action)}  ${t(group.resource)}  ${decisionText(group, unseen)}${times}`,
    );
  }
  if (groups.length > maxRequests) lines.push(`    ${omittedRequests(groups, maxRequests)}`);

  if (finding.deniedBy.length > 0) {
    lines.push('  Denied by:');
    lines.push(...bulletList(finding.deniedBy.map((ref) => t(describeDeniedBy(ref)))));
  }

  lines.push('');
  if (finding.fix !== null) {
    lines.push(...fixLines(finding.fix, paint));
  } else {
    lines.push(
      `  ${paint('yellow', 'No fix proposed')}: ${noFixReason(finding.cause, scpRefusalByMessage(finding))}`,
    );
  }

  if (finding.alternatives.length > 0) {
    lines.push('  Alternatives:');
    lines.push(
      ...bulletList(
        finding.alternatives.map((alternative) => {
          const removes =
            alternative.removes.length > 0 ? ` (removes ${alternative.removes.map(t).join(', ')})` : '';
          return `${t(alternative.text)}${removes}`;
        }),
      ),
    );
  }
  if (finding.jobProfile !== null) lines.push(...jobProfileLines(finding.jobProfile, finding.fix));
  if (finding.caveats.length > 0) {
    lines.push(`  ${paint('yellow', 'Caveats')}:`);
    lines.push(...bulletList(finding.caveats.map(t)));
  }
  return lines.join('\n');
}

/**
 * A finding that repeats an earlier one (`repeatOf`), in short: its summary, principal, client and
 * events, what it shares with that finding, and only the caveats that finding does not give.
 */
function renderRepeatText(
  finding: Finding,
  first: Finding | undefined,
  firstNumber: number,
  options: TextRenderOptions,
  heading: string,
): string {
  const paint = painter(options.color);
  const cause = findingCauseText(finding);
  const lines = [
    paint('bold', `${heading}: ${cause.title}, again (as in finding ${firstNumber})`),
    `  ${t(finding.summary)}`,
    '',
    ...factLines(finding),
    `  Denied     ${t(actionCounts(finding))}`,
    `  ${paint('green', repeatText(firstNumber, first?.fix !== null))}`,
  ];
  const caveats = caveatsBeyond(finding, first);
  if (caveats.length > 0) {
    lines.push(`  ${paint('yellow', `Caveats beyond finding ${firstNumber}'s`)}:`);
    lines.push(...bulletList(caveats.map(t)));
  }
  return lines.join('\n');
}

/**
 * The overview that opens a report of several findings: one line per distinct answer, after totals by
 * cause and principal when there are many.
 */
function overviewText(report: ExplainReport, paint: Painter): string {
  const rows = overviewRows(report);
  const lines = [paint('bold', overviewHeading(report, rows))];
  const totals = overviewTotals(rows);
  if (totals !== undefined) for (const line of overviewTotalsLines(totals, t)) lines.push(`  ${line}`);
  for (const row of rows) {
    lines.push(
      `  - ${overviewNumbers(row)}: ${t(row.principal)}${row.bucket !== undefined ? `, bucket ${t(row.bucket)}` : ''}: ${row.title}; ${t(row.outcome)}${overviewCombined(row)}`,
    );
  }
  return lines.join('\n');
}

/** What a report skipped and could not read, as plain text (empty when there is nothing to say). */
export function renderSkippedAndErrorsText(report: ExplainReport): string {
  return finishLines(renderTail(report, painter(false), DEFAULT_MAX_SKIPPED));
}

/** The skipped/errors/warnings tail of a report (empty string when there is nothing to say). */
function renderTail(report: ExplainReport, paint: Painter, maxSkipped: number): string {
  const lines: string[] = [];
  const { skipped } = report;
  if (skipped.length > 0 && skipped.length <= maxSkipped) {
    lines.push(paint('bold', `Skipped ${plural(skipped.length, 'event')}:`));
    for (const event of skipped) {
      lines.push(`  - ${t(event.eventId)}: ${SKIPPED_REASON_TEXT[event.reason]} (${t(event.message)})`);
    }
  } else if (skipped.length > 0) {
    lines.push(paint('bold', `Skipped ${plural(skipped.length, 'event')}, by reason:`));
    for (const group of groupSkipped(skipped, SKIPPED_EXAMPLES)) {
      lines.push(`  ${SKIPPED_REASON_TEXT[group.reason]}: ${plural(group.count, 'event')}`);
      for (const event of group.examples) lines.push(`    - ${t(event.eventId)}: ${t(event.message)}`);
      if (group.count > group.examples.length) {
        lines.push(`    ${omittedMarker(group.count - group.examples.length, 'events')}`);
      }
    }
  }
  if (report.errors.length > 0) {
    // An error names an input, or a record of one (`file ($.Records[3])`): count the inputs.
    const inputs = new Set(report.errors.map((e) => e.input.replace(/ \([^)]*\)$/, ''))).size;
    const problems = report.errors.length;
    // A problem with one record leaves the rest of its input read: the input is not "unreadable".
    const inRecords = report.errors.some((e) => / \([^)]*\)$/.test(e.input));
    lines.push(
      paint(
        'red',
        problems === inputs && !inRecords
          ? `${plural(inputs, 'input')} could not be read:`
          : `${plural(problems, 'problem')} in ${plural(inputs, 'input')}, whose records or text could not be read:`,
      ),
    );
    for (const error of report.errors) {
      const line = errorLine(error);
      lines.push(`  - ${t(line.message)} (${t(line.code)})`);
    }
  }
  const warnings = report.warnings ?? [];
  if (warnings.length > 0) {
    lines.push(paint('yellow', `${plural(warnings.length, 'warning')}:`));
    for (const warning of warnings) lines.push(`  - ${t(warning.message)} (${t(warning.code)})`);
  }
  return lines.join('\n');
}

/**
 * Renders an explain report for a terminal, in pieces whose concatenation is {@link renderText}'s text:
 * one per finding, so that a report of a large trail directory can be written out without first being
 * held as one string. ANSI colour appears only when `options.color` is true; the text reads the same
 * without it.
 */
export function* renderTextPieces(report: ExplainReport, options: TextRenderOptions): Generator<string> {
  const paint = painter(options.color);
  const total = report.findings.length;
  const repeats = repeatsByFirst(report.findings);
  const finish = (text: string): string => finishLines(text, options.width);
  if (total >= OVERVIEW_MIN_FINDINGS) yield finish(`${overviewText(report, paint)}\n\n`);
  for (const [index, finding] of report.findings.entries()) {
    const heading = `Finding ${index + 1} of ${total}`;
    const first = finding.repeatOf;
    const block =
      first === undefined
        ? findingText(finding, options, heading, repeats.get(index + 1))
        : renderRepeatText(finding, report.findings[first - 1], first, options, heading);
    yield finish(`${index === 0 ? '' : '\n\n'}${block}`);
  }
  if (total === 0) yield 'No denied S3 request to explain.';
  if (report.policyChanges !== undefined && report.policyChanges.length > 0)
    yield finish(`\n\n${policyChangesText(report.policyChanges, paint)}`);
  const tail = renderTail(report, paint, options.maxSkipped ?? DEFAULT_MAX_SKIPPED);
  if (tail !== '') yield finish(`\n\n${tail}`);
  yield '\n';
}

/** Renders an explain report for a terminal as one string (see {@link renderTextPieces}). */
export function renderText(report: ExplainReport, options: TextRenderOptions): string {
  return [...renderTextPieces(report, options)].join('');
}
