/**
 * A caller CloudTrail names only by account and principal ID (the bucket owner's copy of a cross-account
 * request: `AROA…:session` for a role's session, `AIDA…` for an IAM user), found in the account snapshot
 * by that unique ID (`RoleId`, `UserId`), so that its policies are evaluated as for a caller named by ARN.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 */
import { normalisePrincipal } from '../cloudtrail/principal.js';
import type { Principal } from '../cloudtrail/types.js';
import type { AccountSnapshot } from '../snapshot/types.js';
import type { DeniedEvent } from './deniedEvent.js';

const UNIQUE_IDS_DOC =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids';

/** A caller found by its unique ID: who it is, and the note that says how it was found. */
interface FoundById {
  readonly principal: Principal;
  readonly note: string;
}

/** Per principal object (normalised principals are shared by a caller's records), what it resolves to. */
const resolved = new WeakMap<Principal, FoundById | null>();

/**
 * The snapshot's role or user whose unique ID the principal ID of a caller CloudTrail names only by
 * account holds (`AROA…:session`, `AIDA…`), with the note that says so; `undefined` when the caller is
 * named otherwise, is of another account than the snapshot's, or matches nothing there. The same for
 * its denied requests and for the evidence of its successful calls, which must be keyed alike.
 */
export function callerById(
  principal: Principal,
  snapshot: AccountSnapshot | undefined,
): FoundById | undefined {
  // Most callers are named by ARN: nothing to look up, nor to remember.
  if (snapshot === undefined || principal.type !== 'AWSAccount' || principal.arn !== undefined)
    return undefined;
  const known = resolved.get(principal);
  if (known !== undefined) return known ?? undefined;
  const found = findById(principal, snapshot);
  resolved.set(principal, found ?? null);
  return found;
}

function findById(principal: Principal, snapshot: AccountSnapshot): FoundById | undefined {
  const { principalId, account } = principal;
  if (
    principal.type !== 'AWSAccount' ||
    principal.arn !== undefined ||
    principalId === undefined ||
    account === undefined ||
    account !== snapshot.accountId
  )
    return undefined;
  const colon = principalId.indexOf(':');
  const uniqueId = colon < 0 ? principalId : principalId.slice(0, colon);
  if (uniqueId === '') return undefined;
  // A role's session is `RoleId:session`; a user's requests carry its UserId alone.
  const session = colon < 0 ? undefined : principalId.slice(colon + 1);
  const role =
    session === undefined || session === '' ? undefined : snapshot.roles.find((r) => r.id === uniqueId);
  const user = colon < 0 ? snapshot.users.find((u) => u.id === uniqueId) : undefined;
  const note = (found: string) =>
    `CloudTrail names the caller only by account ${account} and principal ID ${principalId}; ${uniqueId} is the unique ID of ${found} in the account snapshot, so the request was evaluated as that principal's (${UNIQUE_IDS_DOC}).`;
  if (role !== undefined && session !== undefined) {
    const partition = role.arn.split(':')[1] ?? 'aws';
    return {
      principal: normalisePrincipal({
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
      }),
      note: note(`role ${role.arn} (its RoleId)`),
    };
  }
  if (user !== undefined)
    return {
      principal: normalisePrincipal({
        type: 'IAMUser',
        principalId,
        arn: user.arn,
        accountId: account,
        userName: user.name,
      }),
      note: note(`user ${user.arn} (its UserId)`),
    };
  return undefined;
}

/** The event with its caller resolved by {@link callerById}, and its note; the event itself otherwise. */
export function withCallerById(event: DeniedEvent, snapshot: AccountSnapshot | undefined): DeniedEvent {
  const found = callerById(event.principal, snapshot);
  return found === undefined
    ? event
    : { ...event, principal: found.principal, notes: [...event.notes, found.note] };
}
