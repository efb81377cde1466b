/**
 * Findings that repeat an earlier one: a nightly job refused every night gives a finding per night
 * (events are grouped within a time window), each with the same cause and the same fix. Read over a
 * week of trail files, the report would show the one answer seven times in full. A finding whose
 * advice is the same as an earlier finding's is marked with that finding's number (`repeatOf`), so
 * the renderers can show it as "seen again" and the combined policy changes need not count it.
 *
 * The advice is what the user acts on: the principal's identity (a role, whatever its session is
 * called on each run), the bucket, the cause and its evidence, the statements that deny, the refused
 * actions, the fix (its target and statements, and the other policies it changes), the alternatives
 * and the job profile. What only describes the events (their IDs, times, keys, user agents, and the
 * caveats that follow from which operations were seen) may differ.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
import { isRefusalNote } from './deniedEvent.js';
import { findingIdentity } from './profileSids.js';
import type { AdditionalChange, Finding, Fix, JobProfile } from './report.js';

/** The parts of a second policy a fix changes that say what to apply (its document follows from them). */
function changeKey(change: AdditionalChange | undefined): unknown {
  if (change === undefined) return null;
  return [change.attachKind, change.attachTo, change.policyArn, change.policyName, change.statements];
}

/**
 * A fix, without what depends on the events it was verified with (its verification notes count them).
 * The new document and its diff are the policy as the snapshot has it plus the statements, so the
 * target and the statements decide them.
 */
function fixKey(fix: Fix | null): unknown {
  if (fix === null) return null;
  return [
    fix.attachKind,
    fix.attachTo,
    fix.policyArn,
    fix.policyName,
    fix.statements,
    fix.identityStatements ?? null,
    changeKey(fix.identityChange),
    changeKey(fix.boundary),
    fix.otherScps?.map(changeKey) ?? null,
    fix.verified,
  ];
}

function profileKey(profile: JobProfile | null): unknown {
  if (profile === null) return null;
  return [
    profile.tool,
    profile.operation,
    profile.command,
    profile.commands,
    profile.statements,
    profile.notes,
  ];
}

/** A request as advice tells it: its action and decision, and for a KMS call its key (each key's policy is its own advice). */
function requestKey(request: Finding['requests'][number]): string {
  const kms = request.action.toLowerCase().startsWith('kms:');
  return `${request.action} ${request.decision}${kms ? ` ${request.resource}` : ''}`;
}

/** The VPC endpoint IDs (`vpce-0a1b…`) the caveats name, sorted. */
function vpcEndpointsNamed(caveats: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const caveat of caveats) for (const [id] of caveat.matchAll(/\bvpce-[0-9a-f]+\b/g)) ids.add(id);
  return [...ids].sort();
}

/** What a finding advises, as a string two findings with the same advice share. */
export function adviceKey(finding: Finding): string {
  // The refused actions: a request the visible policies allow (rclone's start-up HEAD, say) is not
  // advice, and one run may make it while the next does not.
  const actions = new Set<string>();
  for (const request of finding.requests)
    if (request.decision !== 'Allowed') actions.add(requestKey(request));
  // Every request allowed (something not visible refused them): what was refused is still the advice's.
  if (actions.size === 0) for (const request of finding.requests) actions.add(requestKey(request));
  return JSON.stringify([
    findingIdentity(finding.principal),
    finding.principal.type,
    finding.bucket ?? null,
    finding.cause,
    finding.evidence,
    finding.deniedBy,
    [...actions].sort(),
    fixKey(finding.fix),
    finding.alternatives,
    profileKey(finding.jobProfile),
    // Allowed by the visible policies, the advice is what can still refuse the requests: the VPC endpoint
    // they came through is one (its ID, in those caveats), and another endpoint is other advice.
    finding.cause === 'allowed-by-visible-policies' || finding.cause === 'vpc-endpoint-policy'
      ? vpcEndpointsNamed(finding.caveats)
      : null,
    // What refused the requests besides the policies (an S3 setting, a block on SSE-C, an expected owner
    // that is not the bucket's): each has its own remedy, which the same cause does not tell apart.
    finding.caveats.filter(isRefusalNote).sort(),
    // S3's use of a key AWS's message does not name: another use (a read's Decrypt) is other advice.
    finding.unnamedKeyUse ?? null,
  ]);
}

/**
 * The findings, in the same order, each one whose advice an earlier finding already gave marked with
 * `repeatOf`: that earlier finding's number, counted from 1 in this list (the first with the advice,
 * never itself a repeat). Marks the findings already hold are replaced.
 */
export function markRepeats(findings: readonly Finding[]): Finding[] {
  const firstWith = new Map<string, number>();
  return findings.map((finding, index) => {
    const { repeatOf: _earlier, ...unmarked } = finding;
    const key = adviceKey(unmarked);
    const first = firstWith.get(key);
    if (first === undefined) {
      firstWith.set(key, index + 1);
      return _earlier === undefined ? finding : unmarked;
    }
    return { ...unmarked, repeatOf: first };
  });
}

/**
 * The caveats of a repeat that its first finding does not give (those that follow from other events:
 * another operation seen, a message that names something else), so that a renderer showing the repeat
 * in short still shows them.
 */
export function caveatsBeyond(repeat: Finding, first: Finding | undefined): readonly string[] {
  if (first === undefined) return repeat.caveats;
  const known = new Set(first.caveats);
  return repeat.caveats.filter((caveat) => !known.has(caveat));
}
