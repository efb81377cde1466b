/**
 * GitHub-flavoured Markdown rendering of an explain report (for issues, pull requests, wiki pages).
 * Untrusted values appear either as inline code ({@link markdownInlineCode}) or as escaped text
 * ({@link escapeMarkdown}); policies are JSON code fences that can be pasted into IAM unchanged.
 *
 * @see https://github.github.com/gfm/
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
import {
  escapeMarkdown,
  escapeMarkdownProse,
  markdownCodeBlock,
  markdownInlineCode,
  safeJson,
} from './escape.js';
import {
  actionCounts,
  additionalChanges,
  attachText,
  capitalised,
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
  profileScope,
  quotedPieces,
  repeatCount,
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

/** Options of {@link renderMarkdown}. */
export interface MarkdownRenderOptions {
  /** Distinct denied requests listed per finding before the rest is summarised. Default 50. */
  readonly maxRequests?: number;
  /**
   * Skipped events listed one by one; beyond this many they are counted by reason, with the first
   * {@link SKIPPED_EXAMPLES} of each reason shown. Default 20.
   */
  readonly maxSkipped?: number;
}

const DEFAULT_MAX_REQUESTS = 50;
const DEFAULT_MAX_SKIPPED = 20;

const code = markdownInlineCode;
const text = escapeMarkdown;

/**
 * Report prose escaped for Markdown, with the backticks of the findings' own values (a key's directory in
 * a caveat's list) shown as theirs, not taken for code spans (see {@link quotedPieces}).
 */
function proseOf(findings: readonly Finding[]): (value: string) => string {
  const quoted = quotedPieces(findings);
  return (value) => escapeMarkdownProse(value, quoted);
}

/** The blocks of a change (see {@link changeBlocks}): each heading, then its code block. */
function changeBlockSection(blocks: readonly ChangeBlock[]): string[] {
  const out: string[] = [];
  for (const block of blocks) {
    out.push(`${text(block.heading)}:`, '');
    if (block.kind === 'json') out.push(markdownCodeBlock(safeJson(block.value), 'json'));
    else if (block.kind === 'diff') out.push(markdownCodeBlock(block.text, 'diff'));
    else out.push(markdownCodeBlock(block.text, 'sh'));
    out.push('');
  }
  return out;
}

/** A second policy the fix changes: where, and its blocks. */
function additionalChangeSection(lead: string, change: AdditionalChange): string[] {
  const named = namedAs(change, code);
  return [
    `${lead}: ${attachText(change)} ${code(fixTarget(change))}${named}.`,
    '',
    ...changeBlockSection(changeBlocks(change)),
  ];
}

function fixSection(fix: Fix, prose: (value: string) => string): string[] {
  const out: string[] = [];
  out.push(`### Fix (${fixStatus(fix)})`, '');
  const named = namedAs(fix, code);
  out.push(`${attachText(fix)} ${code(fixTarget(fix))}${named}.`, '');
  out.push(...changeBlockSection(changeBlocks(fix)));
  const unplaced = unplacedIdentityStatements(fix);
  if (unplaced !== undefined) {
    out.push(
      `Also needed in an identity-based policy of the caller (cross-account), ${text(UNPLACED_HEADING)}:`,
      '',
    );
    out.push(markdownCodeBlock(safeJson(unplaced), 'json'), '');
  }
  for (const { lead, change } of additionalChanges(fix)) out.push(...additionalChangeSection(lead, change));
  if (fix.verification.length > 0) {
    out.push('Verification:', '', ...fix.verification.map((note) => `- ${prose(note)}`), '');
  }
  return out;
}

function policyChangesSection(
  changes: readonly PolicyChange[] | undefined,
  findings: readonly Finding[],
): string[] {
  if (changes === undefined || changes.length === 0) return [];
  const out = [
    `## Combined policy changes (${changes.length})`,
    '',
    "Several findings' fixes change the same policy: apply each change below instead of what those fixes change in that policy (each starts from the policy as it is now); the rest of those fixes still applies.",
    '',
  ];
  for (const [index, change] of changes.entries()) {
    const named = namedAs(change, code);
    const prose = proseOf(change.findings.flatMap((number) => findings[number - 1] ?? []));
    out.push(
      `### Change ${index + 1}, for findings ${change.findings.join(', ')} (${change.verified ? 'verified' : 'NOT verified'})`,
      '',
      `${attachText(change)} ${code(fixTarget(change))}${named}.`,
      '',
      ...changeBlockSection(changeBlocks(change)),
    );
    out.push('Verification:', '', ...change.verification.map((note) => `- ${prose(note)}`), '');
  }
  return out;
}

/** A table of the report's distinct answers, before the findings (see {@link overviewRows}). */
function overviewSection(report: ExplainReport): string[] {
  const rows = overviewRows(report);
  const totals = overviewTotals(rows);
  return [
    '## Overview',
    '',
    `${overviewHeading(report, rows).replace(/^Overview: /, '')}.`,
    '',
    ...(totals !== undefined ? overviewTotalsLines(totals, text).flatMap((line) => [`${line}.`, '']) : []),
    '| Findings | Principal | Bucket | Cause | Advice |',
    '|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${text(overviewNumbers(row))} | ${text(row.principal)} | ${row.bucket !== undefined ? text(row.bucket) : '(none)'} | ${row.title} | ${text(`${row.outcome}${overviewCombined(row)}`)} |`,
    ),
    '',
  ];
}

function jobProfileSection(profile: JobProfile, fix: Fix | null, prose: (value: string) => string): string[] {
  return [
    `### Job profile (${jobProfileLabel(profile)})`,
    '',
    `${prose(capitalised(profileScope(profile, fix)))}:`,
    '',
    markdownCodeBlock(safeJson(policyDocument(profile.statements)), 'json'),
    '',
    ...profile.notes.map((note) => `- ${prose(note)}`),
    ...(profile.notes.length > 0 ? [''] : []),
  ];
}

/** Who, with which client, on which bucket, and when (`repeatedIn`: the findings that repeat it). */
function factItems(finding: Finding, repeatedIn: readonly number[] = []): string[] {
  const { principal, client } = finding;
  const userAgent =
    client.userAgent !== undefined ? `, user agent ${code(shownUserAgent(client.userAgent))}` : '';
  const again = repeatedIn.length > 0 ? `; ${seenAgainText(repeatedIn)}` : '';
  return [
    principal.arn === 'unknown' && principal.principalId !== undefined
      ? `- **Principal:** ${principalIdKind(principal.principalId)} ${code(principal.principalId)} (${principal.type}, account ${code(principal.account)}); the record names no ARN`
      : principal.arn === 'unknown' && principal.identityStoreUserId !== undefined
        ? `- **Principal:** Identity Center user ID ${code(principal.identityStoreUserId)} (${principal.type}, account ${code(principal.account)}); it has no IAM ARN`
        : `- **Principal:** ${code(principal.arn)} (${principal.type}, account ${code(principal.account)})`,
    `- **Client:** ${code(describeClient(client))}${userAgent}`,
    ...(finding.bucket !== undefined
      ? [`- **Bucket:** ${code(finding.bucket)}${text(elsewhereNote(finding))}`]
      : []),
    `- **Seen:** ${code(finding.firstSeen)} to ${code(finding.lastSeen)} (${plural(finding.eventIds.length, 'event')})${again}`,
  ];
}

function findingSection(
  finding: Finding,
  index: number,
  maxRequests: number,
  repeatedIn: readonly number[] = [],
): string[] {
  const cause = findingCauseText(finding);
  const prose = proseOf([finding]);
  const out: string[] = [];
  out.push(`## ${index + 1}. ${cause.title}`, '', prose(finding.summary), '');

  out.push(...factItems(finding, repeatedIn));
  out.push(`- **Cause:** ${cause.explanation} ([AWS documentation](${cause.source}))`);
  out.push(`- **Evidence:** ${EVIDENCE_TEXT[finding.evidence]}`, '');

  const groups = groupRequests(finding.requests);
  const unseen = bucketPolicyNotGiven(finding);
  out.push(`### ${requestsHeading(finding)}`, '');
  for (const group of groups.slice(0, maxRequests)) {
    const times = group.count > 1 ? ` (x${group.count})` : '';
    out.push(
      `- ${code(group.eventName)} ${code(group.action)} on ${code(group.resource)}: ${decisionText(group, unseen)}${times}`,
    );
  }
  if (groups.length > maxRequests) out.push(`- ${omittedRequests(groups, maxRequests)}`);
  out.push('');

  if (finding.deniedBy.length > 0) {
    out.push('### Denied by', '', ...finding.deniedBy.map((ref) => `- ${text(describeDeniedBy(ref))}`), '');
  }
  if (finding.fix !== null) {
    out.push(...fixSection(finding.fix, prose));
  } else {
    const reason = noFixReason(finding.cause, scpRefusalByMessage(finding));
    out.push('### No fix proposed', '', capitalised(reason), '');
  }
  if (finding.alternatives.length > 0) {
    out.push('### Alternatives', '');
    for (const alternative of finding.alternatives) {
      const removes =
        alternative.removes.length > 0
          ? ` (removes ${alternative.removes.map((action) => code(action)).join(', ')})`
          : '';
      out.push(`- ${prose(alternative.text)}${removes}`);
    }
    out.push('');
  }
  if (finding.jobProfile !== null) out.push(...jobProfileSection(finding.jobProfile, finding.fix, prose));
  if (finding.caveats.length > 0) {
    out.push('### Caveats', '', ...finding.caveats.map((caveat) => `- ${prose(caveat)}`), '');
  }
  return out;
}

/**
 * A finding that repeats an earlier one (`repeatOf`), in short: its summary and events, what it shares
 * with that finding, and only the caveats that finding does not give.
 */
function repeatSection(
  finding: Finding,
  index: number,
  first: Finding | undefined,
  firstNumber: number,
): string[] {
  const cause = findingCauseText(finding);
  const prose = proseOf([finding]);
  const out = [
    `## ${index + 1}. ${cause.title}, again (as in finding ${firstNumber})`,
    '',
    prose(finding.summary),
    '',
    ...factItems(finding),
    `- **Denied:** ${code(actionCounts(finding))}`,
    '',
    repeatText(firstNumber, first?.fix !== null),
    '',
  ];
  const caveats = caveatsBeyond(finding, first);
  if (caveats.length > 0) {
    out.push(
      `### Caveats beyond finding ${firstNumber}'s`,
      '',
      ...caveats.map((caveat) => `- ${prose(caveat)}`),
      '',
    );
  }
  return out;
}

function skippedSection(skipped: ExplainReport['skipped'], maxSkipped: number): string[] {
  if (skipped.length === 0) return [];
  const out = [`## Skipped events (${skipped.length})`, ''];
  if (skipped.length <= maxSkipped) {
    for (const event of skipped) {
      out.push(`- ${code(event.eventId)}: ${SKIPPED_REASON_TEXT[event.reason]} (${text(event.message)})`);
    }
    out.push('');
    return out;
  }
  for (const group of groupSkipped(skipped, SKIPPED_EXAMPLES)) {
    out.push(`- ${SKIPPED_REASON_TEXT[group.reason]}: ${plural(group.count, 'event')}`);
    for (const event of group.examples) out.push(`  - ${code(event.eventId)}: ${text(event.message)}`);
    if (group.count > group.examples.length) {
      out.push(`  - ${omittedMarker(group.count - group.examples.length, 'events')}`);
    }
  }
  out.push('');
  return out;
}

function errorsSection(errors: ExplainReport['errors']): string[] {
  if (errors.length === 0) return [];
  return [
    `## Unreadable inputs (${errors.length})`,
    '',
    ...errors.map((error) => {
      const line = errorLine(error);
      return `- ${text(line.message)} (${code(line.code)})`;
    }),
    '',
  ];
}

function warningsSection(warnings: ExplainReport['warnings']): string[] {
  if (warnings === undefined || warnings.length === 0) return [];
  return [
    `## Warnings (${warnings.length})`,
    '',
    ...warnings.map((warning) => `- ${text(warning.message)} (${code(warning.code)})`),
    '',
  ];
}

/**
 * Renders an explain report as GitHub-flavoured Markdown, in pieces whose concatenation is
 * {@link renderMarkdown}'s text: one per section, so that a large report can be written out without
 * first being held as one string.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export function* renderMarkdownPieces(
  report: ExplainReport,
  options: MarkdownRenderOptions = {},
): Generator<string> {
  const maxRequests = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const repeats = repeatsByFirst(report.findings);
  const sections = function* (): Generator<string[]> {
    const repeated = repeatCount(report.findings);
    const again = repeated > 0 ? ` (${repeated} of them seen again)` : '';
    const heading = [`# permission-auditor: ${plural(report.findings.length, 'finding')}${again}`, ''];
    if (report.findings.length === 0) heading.push('No denied S3 request to explain.', '');
    yield heading;
    if (report.findings.length >= OVERVIEW_MIN_FINDINGS) yield overviewSection(report);
    for (const [index, finding] of report.findings.entries()) {
      const first = finding.repeatOf;
      yield first === undefined
        ? findingSection(finding, index, maxRequests, repeats.get(index + 1))
        : repeatSection(finding, index, report.findings[first - 1], first);
    }
    yield policyChangesSection(report.policyChanges, report.findings);
    yield skippedSection(report.skipped, options.maxSkipped ?? DEFAULT_MAX_SKIPPED);
    yield errorsSection(report.errors);
    yield warningsSection(report.warnings);
  };
  // Sections end with a blank line; the document ends with exactly one line break, so the last non-empty
  // section is held back until it is known to be the last.
  let previous: string | undefined;
  for (const lines of sections()) {
    if (lines.length === 0) continue;
    if (previous !== undefined) yield previous;
    previous = `${lines.join('\n')}\n`;
  }
  if (previous !== undefined) yield `${previous.trimEnd()}\n`;
}

/** Renders an explain report as GitHub-flavoured Markdown, as one string (see {@link renderMarkdownPieces}). */
export function renderMarkdown(report: ExplainReport, options: MarkdownRenderOptions = {}): string {
  return [...renderMarkdownPieces(report, options)].join('');
}
