/**
 * Statement IDs that stay unique when a principal's job profiles are pasted into one policy.
 *
 * Each job profile names its statements (`RcloneListBucket`, `RcloneObjects`, `AwsCliObjects`...), and
 * one job on two buckets, or the same job in two time windows, gets a finding (and a profile) for each.
 * IAM refuses a policy whose statements share a Sid ("Statement IDs (SID) in a single policy must be
 * unique"), so a user who adds both profiles to the principal's policy would be refused. A Sid that an
 * earlier finding of the same principal already used is suffixed with the finding's bucket, written
 * with the letters and digits a Sid allows, and a number if that is taken too; the profile's notes
 * that name the statement follow.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
 */

import { identityOf, uniqueIdOf } from './grouping.js';
import type { Finding, JobProfile, PolicyStatement } from './report.js';

/** The Sids a principal's profiles took so far, the next number to try for each base, and the profiles given. */
interface TakenSids {
  readonly used: Set<string>;
  readonly next: Map<string, number>;
  /** Each profile given so far (as it came out), by its statements as they came in. */
  readonly given: Map<string, JobProfile>;
}

/**
 * The findings, with each principal's job-profile Sids made unique across its findings (order kept). A
 * profile with the same statements as an earlier one of the principal (the same job in another time
 * window) takes that one's Sids: it is the same statements, pasted once.
 */
export function withDistinctProfileSids(findings: readonly Finding[]): Finding[] {
  const byPrincipal = new Map<string, TakenSids>();
  return findings.map((finding) => distinctSids(finding, byPrincipal));
}

function distinctSids(finding: Finding, byPrincipal: Map<string, TakenSids>): Finding {
  const profile = finding.jobProfile;
  if (profile === null || profile.statements.every((s) => s.Sid === undefined)) return finding;
  // The policy the profiles go into: an IAM Identity Center role's is its permission set's, which every
  // person of it shares (their findings are told apart, not their policy).
  const principalKey =
    finding.principal.type === 'IdentityCenter' && finding.principal.arn !== 'unknown'
      ? identityOf(finding.principal.arn)
      : findingIdentity(finding.principal);
  let taken = byPrincipal.get(principalKey);
  if (taken === undefined) {
    taken = { used: new Set(), next: new Map(), given: new Map() };
    byPrincipal.set(principalKey, taken);
  }
  const { used, next, given } = taken;
  const content = JSON.stringify(profile.statements);
  const same = given.get(content);
  if (same !== undefined) {
    const renamed = new Map<string, string>();
    profile.statements.forEach((s, i) => {
      const sid = same.statements[i]?.Sid;
      if (s.Sid !== undefined && sid !== undefined && sid !== s.Sid) renamed.set(s.Sid, sid);
    });
    return renamed.size === 0 ? finding : { ...finding, jobProfile: renameSids(profile, renamed) };
  }
  let renamed: Map<string, string> | undefined;
  // The profile's own Sids are distinct; only those an earlier profile took are renamed.
  const own = new Set<string>();
  for (const s of profile.statements) if (s.Sid !== undefined) own.add(s.Sid);
  for (const sid of own) {
    if (!used.has(sid)) continue;
    const base = `${sid}${sidWord(finding.bucket ?? '')}`;
    // A job in many windows takes the next number for its base at once, not after trying each.
    let n = next.get(base) ?? 1;
    let candidate = n === 1 ? base : `${base}${n}`;
    while (used.has(candidate) || own.has(candidate)) candidate = `${base}${++n === 1 ? '' : n}`;
    next.set(base, n + 1);
    renamed ??= new Map();
    renamed.set(sid, candidate);
  }
  for (const sid of own) used.add(renamed?.get(sid) ?? sid);
  const out = renamed === undefined ? profile : renameSids(profile, renamed);
  given.set(content, out);
  return out === profile ? finding : { ...finding, jobProfile: out };
}

function renameSids(profile: JobProfile, renamed: ReadonlyMap<string, string>): JobProfile {
  const statements: PolicyStatement[] = profile.statements.map((s) => {
    const sid = s.Sid === undefined ? undefined : renamed.get(s.Sid);
    return sid === undefined ? s : { ...s, Sid: sid };
  });
  // Notes name statements by Sid (`RcloneCopySource: the job copies ...`): whole words only, and only
  // notes that hold one are rewritten.
  const sids = [...renamed.keys()];
  let pattern: RegExp | undefined;
  const notes = profile.notes.map((note) => {
    if (!sids.some((sid) => note.includes(sid))) return note;
    pattern ??= new RegExp(`\\b(${sids.join('|')})\\b`, 'g');
    return note.replace(pattern, (sid) => renamed.get(sid) ?? sid);
  });
  return { ...profile, statements, notes };
}

/**
 * `backup-bucket.eu` -> `BackupBucketEu`: a Sid holds only ASCII letters and digits. Bucket names are
 * lower-case letters, digits, `-` and `.`; anything else is dropped all the same.
 */
export function sidWord(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * {@link identityOf} a finding's caller; a caller CloudTrail names only by account is its role or user
 * (the unique ID of its principal ID), not every such caller of every account (`unknown`).
 */
export function findingIdentity(principal: Finding['principal']): string {
  // An IAM Identity Center session is a person: two people of one permission set are two callers.
  if (principal.type === 'IdentityCenter' && principal.arn !== 'unknown') return principal.arn;
  if (principal.arn === 'unknown' && principal.principalId !== undefined)
    return `unknown|${principal.account}|${uniqueIdOf(principal.principalId) ?? ''}`;
  if (principal.arn === 'unknown' && principal.identityStoreUserId !== undefined)
    return `unknown|${principal.account}|identity-store|${principal.identityStoreUserId}`;
  return identityOf(principal.arn);
}
