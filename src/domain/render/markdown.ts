/**
 * GitHub-flavoured Markdown rendering of an explain report (for issues, pull requests, wiki pages).
 * Untrusted values appear either as inline code ({@link markdownInlineCode}) or as escaped text
 * ({@link escapeMarkdown}); policies are JSON code fences that can be pasted into IAM unchanged.
 *
 * @see https://github.github.com/gfm/
 */
import type { ExplainReport, Finding, Fix, JobProfile } from '../explain/report.js';
import { causeText } from './causeText.js';
import { escapeMarkdown, markdownCodeBlock, markdownInlineCode, safeJson } from './escape.js';
import {
  ATTACH_KIND_TEXT,
  DECISION_TEXT,
  describeClient,
  describeDeniedBy,
  EVIDENCE_TEXT,
  fixTarget,
  groupRequests,
  noFixReason,
  plural,
  policyDocument,
  SKIPPED_REASON_TEXT,
} from './reportWording.js';
import { omittedMarker } from './truncate.js';

/** Options of {@link renderMarkdown}. */
export interface MarkdownRenderOptions {
  /** Distinct denied requests listed per finding before the rest is summarised. Default 50. */
  readonly maxRequests?: number;
}

const DEFAULT_MAX_REQUESTS = 50;

const code = markdownInlineCode;
const text = escapeMarkdown;

function fixSection(fix: Fix): string[] {
  const out: string[] = [];
  out.push(`### Fix (${fix.verified ? 'verified' : 'NOT verified'})`, '');
  const named = fix.policyName !== undefined ? ` as policy ${code(fix.policyName)}` : '';
  out.push(`${ATTACH_KIND_TEXT[fix.attachKind].text} ${code(fixTarget(fix))}${named}:`, '');
  out.push(markdownCodeBlock(safeJson(policyDocument(fix.statements)), 'json'), '');
  if (fix.identityStatements !== undefined && fix.identityStatements.length > 0) {
    out.push('Also needed in an identity-based policy of the caller (cross-account):', '');
    out.push(markdownCodeBlock(safeJson(policyDocument(fix.identityStatements)), 'json'), '');
  }
  if (fix.diff !== undefined && fix.diff !== '') {
    out.push('Diff of the new policy version:', '', markdownCodeBlock(fix.diff, 'diff'), '');
  }
  if (fix.verification.length > 0) {
    out.push('Verification:', '', ...fix.verification.map((note) => `- ${text(note)}`), '');
  }
  return out;
}

function jobProfileSection(profile: JobProfile): string[] {
  return [
    `### Job profile (${profile.tool} ${profile.operation})`,
    '',
    'Everything the job needs, kept separate from the minimal fix:',
    '',
    markdownCodeBlock(safeJson(policyDocument(profile.statements)), 'json'),
    '',
    ...profile.notes.map((note) => `- ${text(note)}`),
    ...(profile.notes.length > 0 ? [''] : []),
  ];
}

function findingSection(finding: Finding, index: number, maxRequests: number): string[] {
  const cause = causeText(finding.cause);
  const out: string[] = [];
  out.push(`## ${index + 1}. ${cause.title}`, '', text(finding.summary), '');

  const { principal, client } = finding;
  out.push(`- **Principal:** ${code(principal.arn)} (${principal.type}, account ${code(principal.account)})`);
  const userAgent = client.userAgent !== undefined ? `, user agent ${code(client.userAgent)}` : '';
  out.push(`- **Client:** ${code(describeClient(client))}${userAgent}`);
  if (finding.bucket !== undefined) out.push(`- **Bucket:** ${code(finding.bucket)}`);
  out.push(
    `- **Seen:** ${code(finding.firstSeen)} to ${code(finding.lastSeen)} (${plural(finding.eventIds.length, 'event')})`,
  );
  out.push(`- **Cause:** ${cause.explanation} ([AWS documentation](${cause.source}))`);
  out.push(`- **Evidence:** ${EVIDENCE_TEXT[finding.evidence]}`, '');

  const groups = groupRequests(finding.requests);
  out.push(`### Denied requests (${finding.requests.length})`, '');
  for (const group of groups.slice(0, maxRequests)) {
    const times = group.count > 1 ? ` (x${group.count})` : '';
    out.push(
      `- ${code(group.eventName)} ${code(group.action)} on ${code(group.resource)}: ${DECISION_TEXT[group.decision]}${times}`,
    );
  }
  if (groups.length > maxRequests) out.push(`- ${omittedMarker(groups.length - maxRequests, 'requests')}`);
  out.push('');

  if (finding.deniedBy.length > 0) {
    out.push('### Denied by', '', ...finding.deniedBy.map((ref) => `- ${text(describeDeniedBy(ref))}`), '');
  }
  if (finding.fix !== null) {
    out.push(...fixSection(finding.fix));
  } else {
    out.push('### No fix proposed', '', noFixReason(finding.cause), '');
  }
  if (finding.alternatives.length > 0) {
    out.push('### Alternatives', '');
    for (const alternative of finding.alternatives) {
      const removes =
        alternative.removes.length > 0
          ? ` (removes ${alternative.removes.map((action) => code(action)).join(', ')})`
          : '';
      out.push(`- ${text(alternative.text)}${removes}`);
    }
    out.push('');
  }
  if (finding.jobProfile !== null) out.push(...jobProfileSection(finding.jobProfile));
  if (finding.caveats.length > 0) {
    out.push('### Caveats', '', ...finding.caveats.map((caveat) => `- ${text(caveat)}`), '');
  }
  return out;
}

/**
 * Renders an explain report as GitHub-flavoured Markdown.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export function renderMarkdown(report: ExplainReport, options: MarkdownRenderOptions = {}): string {
  const maxRequests = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const out: string[] = [];
  out.push(`# permission-auditor: ${plural(report.findings.length, 'finding')}`, '');
  if (report.findings.length === 0) out.push('No denied S3 request to explain.', '');
  report.findings.forEach((finding, index) => {
    out.push(...findingSection(finding, index, maxRequests));
  });
  if (report.skipped.length > 0) {
    out.push(`## Skipped events (${report.skipped.length})`, '');
    for (const skipped of report.skipped) {
      out.push(
        `- ${code(skipped.eventId)}: ${SKIPPED_REASON_TEXT[skipped.reason]} (${text(skipped.message)})`,
      );
    }
    out.push('');
  }
  if (report.errors.length > 0) {
    out.push(`## Unreadable inputs (${report.errors.length})`, '');
    for (const error of report.errors) {
      out.push(`- ${code(error.input)}: ${code(error.code)}: ${text(error.message)}`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
