/**
 * A caller CloudTrail names only by account and principal ID (the bucket owner's copy of a cross-account
 * request: `AROA…:session` for a role's session, `AIDA…` for an IAM user), found in the account snapshot
 * by that unique ID (`RoleId`, `UserId`), so that its policies are evaluated as for a caller named by ARN.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 */
import { normalisePrincipal } from '../cloudtrail/principal.js';
import type { AccountSnapshot } from '../snapshot/types.js';
import type { DeniedEvent } from './deniedEvent.js';

const UNIQUE_IDS_DOC =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids';

/**
 * The event with its caller resolved to the snapshot's role or user whose unique ID its principal ID
 * holds, with a note saying so; the event itself when the caller is named otherwise, is of another
 * account than the snapshot's, or matches nothing there.
 */
export function withCallerById(event: DeniedEvent, snapshot: AccountSnapshot | undefined): DeniedEvent {
  const { principal } = event;
  const { principalId, account } = principal;
  if (
    snapshot === undefined ||
    principal.type !== 'AWSAccount' ||
    principal.arn !== undefined ||
    principalId === undefined ||
    account === undefined ||
    account !== snapshot.accountId
  )
    return event;
  const colon = principalId.indexOf(':');
  const uniqueId = colon < 0 ? principalId : principalId.slice(0, colon);
  if (uniqueId === '') return event;
  // A role's session is `RoleId:session`; a user's requests carry its UserId alone.
  const session = colon < 0 ? undefined : principalId.slice(colon + 1);
  const role =
    session === undefined || session === '' ? undefined : snapshot.roles.find((r) => r.id === uniqueId);
  const user = colon < 0 ? snapshot.users.find((u) => u.id === uniqueId) : undefined;
  if (role !== undefined && session !== undefined) {
    const partition = role.arn.split(':')[1] ?? 'aws';
    const resolved = normalisePrincipal({
      type: 'AssumedRole',
      principalId,
      arn: `arn:${partition}:sts::${account}:assumed-role/${role.name}/${session}`,
      accountId: account,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: uniqueId,
          arn: role.arn,
          accountId: account,
          userName: role.name,
        },
      },
    });
    return withPrincipal(event, resolved, `role ${role.arn} (its RoleId)`, uniqueId, principalId, account);
  }
  if (user !== undefined) {
    const resolved = normalisePrincipal({
      type: 'IAMUser',
      principalId,
      arn: user.arn,
      accountId: account,
      userName: user.name,
    });
    return withPrincipal(event, resolved, `user ${user.arn} (its UserId)`, uniqueId, principalId, account);
  }
  return event;
}

function withPrincipal(
  event: DeniedEvent,
  principal: DeniedEvent['principal'],
  found: string,
  uniqueId: string,
  principalId: string,
  account: string,
): DeniedEvent {
  const note = `CloudTrail names the caller only by account ${account} and principal ID ${principalId}; ${uniqueId} is the unique ID of ${found} in the account snapshot, so the request was evaluated as that principal's (${UNIQUE_IDS_DOC}).`;
  return { ...event, principal, notes: [...event.notes, note] };
}
