/**
 * Slack Block Kit rendering of an explain report: one message per finding, each within Slack's limits
 * (blocks per message, characters per section and header, total size). What does not fit is cut with an
 * explicit marker pointing at the JSON report, never by failing. Every string from the report is escaped:
 * untrusted values go into inline code ({@link slackInlineCode}) or escaped text ({@link escapeSlackMrkdwn}),
 * policies into code blocks whose JSON escapes `<`, `>`, `&` and backticks as `\uXXXX`.
 *
 * @see https://api.slack.com/reference/surfaces/formatting#escaping
 * @see https://docs.slack.dev/reference/block-kit/blocks
 */

import { principalIdKind } from '../cloudtrail/principal.js';
import type {
  AdditionalChange,
  ExplainReport,
  Finding,
  PolicyChange,
  PolicyStatement,
} from '../explain/report.js';
import { bucketPolicyNotGiven, scpRefusalByMessage } from '../explain/summary.js';
import { findingCauseText } from './causeText.js';
import { applyCommand, changeBlocks, contextDiff, UNPLACED_HEADING } from './changeBlocks.js';
import { escapeSlackCodeBody, escapeSlackMrkdwn, safeJson, slackInlineCode } from './escape.js';
import {
  additionalChanges,
  attachText,
  cutUserAgent,
  decisionText,
  describeClient,
  describeDeniedBy,
  diffHeading,
  EVIDENCE_TEXT,
  elsewhereNote,
  errorLine,
  findingPrincipalLabel,
  fixStatus,
  fixTarget,
  groupRequests,
  groupSkipped,
  jobProfileLabel,
  namedAs,
  noFixReason,
  plural,
  policyDocument,
  profileScope,
  quotedPieces,
  repeatCount,
  repeatsByFirst,
  repeatsWithOwnCaveats,
  requestsHeading,
  SKIPPED_REASON_TEXT,
  seenAgainText,
  unplacedIdentityStatements,
} from './reportWording.js';
import { SLACK_LIMITS, type SlackBlock, type SlackMessage } from './slackBlock.js';
import { fitLines, omittedMarker, truncateMrkdwn, truncateText } from './truncate.js';

/** Options of {@link renderSlack}. */
export interface SlackRenderOptions {
  /** Findings rendered as messages; the others are counted in the last message. Default 10. */
  readonly maxFindings?: number;
}

const DEFAULT_MAX_FINDINGS = 10;
const SECTION_MAX = SLACK_LIMITS.sectionText.value;
/** Kept free in every message for the footer (context) and the tail (omitted findings, errors). */
const FOOTER_RESERVE = 600;
/** Kept free in the last message for omitted findings, skipped events and errors. */
const TAIL_RESERVE = 2500;
/** Below this many characters a section would say nothing useful; it is left out and counted instead. */
const MIN_SECTION = 200;
/** Slots kept free for the footer context, the tail blocks and the divider. */
const BLOCK_RESERVE = 5;

/** Longest untrusted value shown in one code span; longer ones are cut before escaping so spans stay closed. */
const MAX_CODE_VALUE = 500;

function code(value: string): string {
  return slackInlineCode(truncateText(value, MAX_CODE_VALUE));
}
const mrkdwn = escapeSlackMrkdwn;

/**
 * Report prose escaped for Slack, with the backticks of the findings' own values (a key's directory in a
 * caveat's list) shown as theirs, not taken for code spans (see {@link quotedPieces}).
 */
function proseOf(findings: readonly Finding[]): (value: string) => string {
  const quoted = quotedPieces(findings);
  return (value) => escapeSlackMrkdwn(value, quoted);
}

/** A section whose text is produced for a given character budget and never exceeds it. */
type SectionRenderer = (budget: number) => string;

interface MessageBuilder {
  header(text: string): void;
  section(render: SectionRenderer, preferred?: number): void;
  context(text: string): void;
  divider(): void;
  /** Hands the characters kept for the tail back to the sections that follow. */
  releaseReserve(): void;
  readonly omittedSections: number;
  readonly remaining: number;
  build(fallback: string): SlackMessage;
}

function textLength(block: SlackBlock): number {
  switch (block.type) {
    case 'header':
    case 'section':
      return block.text.text.length;
    case 'context':
      return block.elements.reduce((sum, element) => sum + element.text.length, 0);
    case 'divider':
      return 0;
  }
}

/** `tailReserve`: characters kept free for the tail sections of the last message. */
function createMessageBuilder(tailReserve = 0): MessageBuilder {
  const blocks: SlackBlock[] = [];
  let omittedSections = 0;
  let reserve = FOOTER_RESERVE + tailReserve;
  let remaining = SLACK_LIMITS.blocksTextTotal.value;
  const add = (block: SlackBlock): void => {
    blocks.push(block);
    remaining -= textLength(block);
  };
  return {
    header(text) {
      add({
        type: 'header',
        text: { type: 'plain_text', text: truncateText(text, SLACK_LIMITS.headerText.value), emoji: false },
      });
    },
    section(render, preferred = SECTION_MAX) {
      const budget = Math.min(preferred, SECTION_MAX, remaining - reserve);
      if (budget < MIN_SECTION || blocks.length >= SLACK_LIMITS.blocksPerMessage.value - BLOCK_RESERVE) {
        omittedSections++;
        return;
      }
      // Guard the invariant even if a renderer overshoots its budget.
      add({
        type: 'section',
        text: { type: 'mrkdwn', text: truncateMrkdwn(render(budget), budget), verbatim: true },
      });
    },
    context(text) {
      if (blocks.length >= SLACK_LIMITS.blocksPerMessage.value - 1) return;
      const budget = Math.max(0, Math.min(SECTION_MAX, remaining));
      add({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: truncateMrkdwn(text, budget), verbatim: true }],
      });
    },
    divider() {
      if (blocks.length < SLACK_LIMITS.blocksPerMessage.value) add({ type: 'divider' });
    },
    releaseReserve() {
      reserve = FOOTER_RESERVE;
    },
    get omittedSections() {
      return omittedSections;
    },
    get remaining() {
      return remaining;
    },
    build(fallback) {
      return { text: truncateText(fallback, SLACK_LIMITS.fallbackText.value), blocks };
    },
  };
}

/** A titled bullet list that keeps whole items and counts the ones that do not fit. */
function listSection(title: string, items: readonly string[], unit: string): SectionRenderer {
  return (budget) => `${title}\n${fitLines(items, budget - title.length - 1, unit, truncateMrkdwn)}`;
}

/**
 * A titled code block cut at a line boundary to fit the budget, with the marker after the closing fence
 * so it is not mistaken for part of the policy.
 */
function codeSection(title: string, content: string): SectionRenderer {
  return (budget) => {
    const body = escapeSlackCodeBody(content);
    const full = `${title}\n\`\`\`\n${body}\n\`\`\``;
    if (full.length <= budget) return full;
    const marker = omittedMarker(body.length, 'characters');
    const room = budget - title.length - '\n```\n\n```\n'.length - marker.length;
    // Not even an empty code block fits: the title alone, cut, rather than an unclosed fence.
    if (room < 0) return truncateMrkdwn(title, budget);
    const kept: string[] = [];
    let used = 0;
    for (const line of body.split('\n')) {
      const cost = line.length + (kept.length === 0 ? 0 : 1);
      if (used + cost > room) break;
      kept.push(line);
      used += cost;
    }
    const keptBody = kept.length > 0 ? kept.join('\n') : truncateText(body, Math.max(0, room), 'characters');
    return `${title}\n\`\`\`\n${keptBody}\n\`\`\`\n${omittedMarker(body.length - keptBody.length, 'characters')}`;
  };
}

/** Policy JSON safe for a Slack code block: entities and backticks as JSON `\u` escapes, still pasteable. */
function policyJson(statements: readonly PolicyStatement[]): string {
  return safeJson(policyDocument(statements), '<>&`');
}

function headerText(finding: Finding): string {
  // Header text is plain_text; keep to characters an ARN name can hold so nothing needs escaping there.
  // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (RoleName pattern [\w+=,.@-]+)
  const label = findingPrincipalLabel(finding.principal).replace(/[^\w+=,.@/:-]/g, '?');
  return `AccessDenied: ${label}: ${findingCauseText(finding).title}`;
}

function factsSection(finding: Finding): SectionRenderer {
  const { principal, client } = finding;
  const cause = findingCauseText(finding);
  // Cut here, with the count outside the code span: a code span cuts at MAX_CODE_VALUE on its own.
  const agent = client.userAgent === undefined ? undefined : cutUserAgent(client.userAgent, MAX_CODE_VALUE);
  const userAgent =
    agent !== undefined
      ? `, user agent ${code(agent.head)}${agent.marker === '' ? '' : mrkdwn(agent.marker)}`
      : '';
  const lines = [
    principal.arn === 'unknown' && principal.principalId !== undefined
      ? `*Principal:* ${principalIdKind(principal.principalId)} ${code(principal.principalId)} (${principal.type}, account ${code(principal.account)}); the record names no ARN`
      : principal.arn === 'unknown' && principal.identityStoreUserId !== undefined
        ? `*Principal:* Identity Center user ID ${code(principal.identityStoreUserId)} (${principal.type}, account ${code(principal.account)}); it has no IAM ARN`
        : `*Principal:* ${code(principal.arn)} (${principal.type}, account ${code(principal.account)})`,
    `*Client:* ${code(describeClient(client))}${userAgent}`,
    ...(finding.bucket !== undefined
      ? [`*Bucket:* ${code(finding.bucket)}${mrkdwn(elsewhereNote(finding))}`]
      : []),
    `*Seen:* ${code(finding.firstSeen)} to ${code(finding.lastSeen)} (${plural(finding.eventIds.length, 'event')})`,
    `*Cause:* ${cause.explanation} <${cause.source}|AWS documentation>`,
  ];
  return (budget) => fitLines(lines, budget, 'lines', truncateMrkdwn);
}

function requestsSection(finding: Finding): SectionRenderer {
  const unseen = bucketPolicyNotGiven(finding);
  const items = groupRequests(finding.requests).map((group) => {
    const times = group.count > 1 ? ` x${group.count}` : '';
    return `• ${code(group.eventName)} ${code(group.action)} on ${code(group.resource)}: ${decisionText(group, unseen)}${times}`;
  });
  return listSection(`*${requestsHeading(finding)}*`, items, 'requests');
}

/** A second policy the fix changes: where, and its statements. */
function additionalChangeSection(lead: string, change: AdditionalChange): SectionRenderer {
  const named = namedAs(change, code);
  return codeSection(
    truncateMrkdwn(
      `${lead}: ${attachText(change)} ${code(fixTarget(change))}${named}. Statements to add:`,
      800,
    ),
    safeJson(change.statements, '<>&`'),
  );
}

function renderFinding(finding: Finding, builder: MessageBuilder): void {
  const prose = proseOf([finding]);
  builder.header(headerText(finding));
  builder.section((budget) => truncateMrkdwn(prose(finding.summary), budget), 1000);
  builder.section(factsSection(finding), 1500);
  builder.section(requestsSection(finding), 2500);

  const fix = finding.fix;
  if (fix !== null) {
    const status = `*Fix (${fixStatus(fix)})*`;
    const named = namedAs(fix, code);
    const title = `${status}: ${attachText(fix)} ${code(fixTarget(fix))}${named}`;
    // The statements to add and where they go; the whole new document is in the other reports.
    const [first, ...rest] = changeBlocks(fix, { whole: false });
    const elsewhere = `the whole new document is in the text, Markdown and JSON reports${applyCommand(fix) !== undefined ? '; the command that applies it, in text and Markdown' : ''}`;
    builder.section(
      codeSection(
        // A change that is a diff alone (a policy's Version) says so with that diff.
        truncateMrkdwn(
          `${title}. ${first?.heading ?? ''}${first?.kind === 'diff' ? ` (${elsewhere})` : ''}:`,
          800,
        ),
        first?.kind === 'json' ? safeJson(first.value, '<>&`') : first?.kind === 'diff' ? first.text : '',
      ),
    );
    // The diff right after its fix's statements: after another policy's it would read as that one's.
    for (const block of rest) {
      if (block.kind !== 'diff') continue;
      builder.section(codeSection(`*${mrkdwn(block.heading)}* (${elsewhere})`, block.text));
    }
    const unplaced = unplacedIdentityStatements(fix);
    if (unplaced !== undefined) {
      builder.section(
        codeSection(
          `*Also needed in an identity-based policy of the caller*: ${mrkdwn(UNPLACED_HEADING)}`,
          safeJson(unplaced, '<>&`'),
        ),
      );
    }
    for (const { lead, change } of additionalChanges(fix))
      builder.section(additionalChangeSection(`*${lead}*`, change));
    if (fix.verification.length > 0) {
      builder.section(
        listSection(
          '*Verification*',
          fix.verification.map((note) => `• ${prose(note)}`),
          'notes',
        ),
        // What the check could not see is its last line: room for it beside the checks' own.
        2000,
      );
    }
  } else {
    builder.section(
      (budget) =>
        truncateMrkdwn(
          `*No fix proposed:* ${noFixReason(finding.cause, scpRefusalByMessage(finding))}`,
          budget,
        ),
      500,
    );
  }
  if (finding.deniedBy.length > 0) {
    const items = finding.deniedBy.map((ref) => `• ${mrkdwn(describeDeniedBy(ref))}`);
    builder.section(listSection('*Denied by*', items, 'statements'), 1000);
  }
  if (finding.caveats.length > 0) {
    builder.section(
      listSection(
        '*Caveats*',
        finding.caveats.map((caveat) => `• ${prose(caveat)}`),
        'caveats',
      ),
      // A whole section: a caveat cut here may be the one about the fix, and the job profile's notes
      // below matter less than it.
      SECTION_MAX,
    );
  }
  if (finding.alternatives.length > 0) {
    const items = finding.alternatives.map((alternative) => {
      const removes =
        alternative.removes.length > 0 ? ` (removes ${alternative.removes.map(code).join(', ')})` : '';
      return `• ${prose(alternative.text)}${removes}`;
    });
    builder.section(listSection('*Alternatives*', items, 'alternatives'), 2000);
  }
  const profile = finding.jobProfile;
  if (profile !== null) {
    builder.section(
      codeSection(
        `*Job profile (${jobProfileLabel(profile)})*: ${prose(profileScope(profile, fix))}`,
        policyJson(profile.statements),
      ),
    );
    // Its notes in a list of their own, cut between notes rather than inside one.
    if (profile.notes.length > 0) {
      builder.section(
        listSection(
          '*About the job profile*',
          profile.notes.map((note) => `• ${prose(note)}`),
          'notes',
        ),
        2000,
      );
    }
  }
}

/** `Finding 2 of 12`: the number a combined policy change refers to its findings by. */
function footer(
  finding: Finding,
  number: number,
  total: number,
  omittedSections: number,
  repeatedIn: readonly number[] = [],
): string {
  const omitted = omittedSections > 0 ? ` · ${omittedMarker(omittedSections, 'sections')}` : '';
  const again = repeatedIn.length > 0 ? ` · ${seenAgainText(repeatedIn)}` : '';
  return `Finding ${number} of ${total} · Evidence: ${EVIDENCE_TEXT[finding.evidence]} · ${plural(finding.eventIds.length, 'event')}${again}${omitted}`;
}

/** At most this many finding numbers are listed; a change can combine hundreds of findings. */
const MAX_LISTED_NUMBERS = 8;

/** `findings 1, 3`, or `findings 1, 3, … and 12 more` past {@link MAX_LISTED_NUMBERS}. */
function findingNumbers(numbers: readonly number[]): string {
  const word = numbers.length === 1 ? 'finding' : 'findings';
  if (numbers.length <= MAX_LISTED_NUMBERS) return `${word} ${numbers.join(', ')}`;
  const listed = numbers.slice(0, MAX_LISTED_NUMBERS - 1).join(', ');
  return `${word} ${listed} and ${numbers.length - (MAX_LISTED_NUMBERS - 1)} more`;
}

/**
 * One combined policy change: the fixes of several findings change one policy, and each fix's new
 * document starts from the policy as it is now, so applied one after another only the last would stay.
 * Its whole new document is shown (cut, with a marker pointing at the JSON report, when it does not fit).
 */
function renderPolicyChange(
  change: PolicyChange,
  findings: readonly Finding[],
  builder: MessageBuilder,
): void {
  const prose = proseOf(change.findings.flatMap((number) => findings[number - 1] ?? []));
  builder.header(`Combined policy change: ${findingNumbers(change.findings)}`);
  const status = change.verified ? '*verified*' : '*NOT verified*';
  const named = namedAs(change, code);
  const title = `*Apply this instead of what the fixes of ${findingNumbers(change.findings)} change in this policy* (${status}): ${attachText(change)} ${code(fixTarget(change))}${named}. Each of those fixes starts from the policy as it is now, so applying them one after another keeps only the last one's change; the rest of those fixes still applies.`;
  builder.section(codeSection(truncateMrkdwn(title, 1000), safeJson(change.newDocument, '<>&`')));
  if (change.diff !== undefined && change.diff !== '') {
    builder.section(codeSection(`*${diffHeading(change.attachKind)}*`, contextDiff(change.diff)));
  }
  builder.section(
    listSection(
      '*Verification*',
      change.verification.map((note) => `• ${prose(note)}`),
      'notes',
    ),
    2000,
  );
}

/** A finding with its number in the report (from 1). */
interface Numbered {
  readonly finding: Finding;
  readonly number: number;
}

/**
 * Summary of what is not shown as a finding message: omitted findings, repeats (folded into the first
 * finding's footer), skipped events, errors.
 */
function renderTail(
  report: ExplainReport,
  omittedFindings: readonly Numbered[],
  omittedChanges: number,
  builder: MessageBuilder,
): void {
  const repeats = repeatsByFirst(report.findings);
  if (omittedFindings.length > 0) {
    const items = omittedFindings.map(({ finding, number }) => {
      const again = repeats.get(number);
      return `• ${number}. ${code(findingPrincipalLabel(finding.principal))}: ${findingCauseText(finding).title}${again !== undefined ? ` (${seenAgainText(again)})` : ''}`;
    });
    builder.section(
      listSection(`*${plural(omittedFindings.length, 'more finding')} not shown*`, items, 'findings'),
    );
  }
  const repeated = repeatCount(report.findings);
  if (repeated > 0) {
    builder.context(
      `${plural(repeated, 'finding')} repeat${repeated === 1 ? 's' : ''} an earlier one's advice (the same job refused again) and ${repeated === 1 ? 'is' : 'are'} not shown as messages: each first finding's footer (or its line among those not shown) names them, and its message their caveats of their own; their events are in the text and JSON reports.`,
    );
  }
  if (omittedChanges > 0) {
    builder.context(
      `${plural(omittedChanges, 'combined policy change')} of findings not shown here: see the JSON report (policyChanges).`,
    );
  }
  if (report.skipped.length > 0) {
    const reasons = groupSkipped(report.skipped, 0)
      .map((group) => `${group.count} ${SKIPPED_REASON_TEXT[group.reason]}`)
      .join(', ');
    builder.context(`${plural(report.skipped.length, 'event')} not analysed: ${reasons}.`);
  }
  if (report.errors.length > 0) {
    const items = report.errors.map((error) => {
      const line = errorLine(error);
      return `• ${mrkdwn(line.message)} (${code(line.code)})`;
    });
    builder.section(listSection(`*Unreadable inputs (${report.errors.length})*`, items, 'errors'));
  }
  const warnings = report.warnings ?? [];
  if (warnings.length > 0) {
    const items = warnings.map((warning) => `• ${mrkdwn(warning.message)} (${code(warning.code)})`);
    builder.section(listSection(`*Warnings (${warnings.length})*`, items, 'warnings'));
  }
}

/**
 * Renders an explain report as Slack Block Kit messages, one per finding (at most `maxFindings`; a
 * finding that repeats an earlier one's advice is named in that one's footer instead), then
 * one per combined policy change of those findings (several findings' fixes on one policy), the last
 * message also carrying what was omitted, skipped or unreadable. A report without findings yields one
 * summary message, or none when it is empty altogether.
 *
 * @see https://docs.slack.dev/reference/block-kit/blocks
 * @see https://api.slack.com/reference/surfaces/formatting#escaping
 */
export function renderSlack(report: ExplainReport, options: SlackRenderOptions = {}): SlackMessage[] {
  const maxFindings = Math.max(1, options.maxFindings ?? DEFAULT_MAX_FINDINGS);
  // A finding that repeats an earlier one's advice gets no message of its own (a channel would get one
  // per night of a failing job): the first finding's footer names it.
  const firsts: Numbered[] = [];
  report.findings.forEach((finding, index) => {
    if (finding.repeatOf === undefined) firsts.push({ finding, number: index + 1 });
  });
  const shown = firsts.slice(0, maxFindings);
  const omittedFindings = firsts.slice(maxFindings);
  const shownNumbers = new Set(shown.map((s) => s.number));
  const repeats = repeatsByFirst(report.findings);
  const changes = (report.policyChanges ?? []).filter((change) =>
    change.findings.some((n) => shownNumbers.has(n)),
  );
  const omittedChanges = (report.policyChanges?.length ?? 0) - changes.length;
  const hasTail =
    omittedFindings.length > 0 ||
    repeats.size > 0 ||
    omittedChanges > 0 ||
    report.skipped.length > 0 ||
    report.errors.length > 0 ||
    (report.warnings?.length ?? 0) > 0;
  const parts: { render: (builder: MessageBuilder) => string; footer: (omitted: number) => string }[] = [
    ...shown.map(({ finding, number }) => ({
      render: (builder: MessageBuilder) => {
        renderFinding(finding, builder);
        // A repeat gets no message: the caveats only its own events give are shown here.
        for (const repeat of repeatsWithOwnCaveats(report.findings, finding, repeats.get(number))) {
          const prose = proseOf([repeat.finding]);
          builder.section(
            listSection(
              `*Seen again in finding ${repeat.number} (${mrkdwn(repeat.finding.firstSeen)}), with caveats of its own*`,
              repeat.caveats.map((caveat) => `• ${prose(caveat)}`),
              'caveats',
            ),
            2000,
          );
        }
        return `AccessDenied: ${proseOf([finding])(finding.summary)}`;
      },
      footer: (omitted: number) =>
        footer(finding, number, report.findings.length, omitted, repeats.get(number)),
    })),
    ...changes.map((change) => ({
      render: (builder: MessageBuilder) => {
        renderPolicyChange(change, report.findings, builder);
        return change.overQuota === undefined
          ? `permission-auditor: one combined change to a policy the fixes of ${findingNumbers(change.findings)} all change`
          : `permission-auditor: the fixes of ${findingNumbers(change.findings)} change one policy, and together they are over its size quota`;
      },
      footer: (omitted: number) =>
        `Combines the fixes of ${plural(change.findings.length, 'finding')}${omitted > 0 ? ` · ${omittedMarker(omitted, 'sections')}` : ''}`,
    })),
  ];
  const messages: SlackMessage[] = [];
  parts.forEach((part, index) => {
    const isLast = index === parts.length - 1;
    const builder = createMessageBuilder(isLast && hasTail ? TAIL_RESERVE : 0);
    const fallback = part.render(builder);
    if (isLast) {
      builder.releaseReserve();
      renderTail(report, omittedFindings, omittedChanges, builder);
    }
    builder.context(part.footer(builder.omittedSections));
    builder.divider();
    messages.push(builder.build(fallback));
  });
  if (
    shown.length === 0 &&
    (report.skipped.length > 0 || report.errors.length > 0 || (report.warnings?.length ?? 0) > 0)
  ) {
    const builder = createMessageBuilder();
    builder.header('permission-auditor: no denied S3 request to explain');
    renderTail(report, [], 0, builder);
    builder.divider();
    messages.push(
      builder.build(
        `permission-auditor: ${plural(report.skipped.length, 'event')} skipped, ${plural(report.errors.length, 'input')} unreadable`,
      ),
    );
  }
  return messages;
}
