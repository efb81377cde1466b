/**
 * The caller of a CloudTrail event, from its `userIdentity` element, in the terms policy evaluation
 * needs: which ARN to collect policies for, and which ARN AWS evaluated.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */

import { isJsonObject } from '../json/jsonValue.js';
import type { Principal, PrincipalType } from './types.js';

/**
 * IAM Identity Center provisions one role per permission set and account, named
 * `AWSReservedSSO_<PermissionSetName>_<16 hex digits>` under the path `/aws-reserved/sso.amazonaws.com/`.
 * Permission set names may themselves contain `_`, so the hash is taken from the end.
 *
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html
 */
const IDENTITY_CENTER_ROLE = /^AWSReservedSSO_(.+)_([0-9a-f]{16})$/;

/** ARN shapes that CloudTrail and error messages use for callers. */
const ARN_PATTERNS = {
  /** @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns */
  assumedRole: /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/,
  federatedUser: /^arn:(aws[a-z-]*):sts::(\d{12}):federated-user\/(.+)$/,
  user: /^arn:(aws[a-z-]*):iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/,
  role: /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/,
  root: /^arn:(aws[a-z-]*):iam::(\d{12}):root$/,
} as const;

type Fields = { [K in keyof Principal]?: Principal[K] | undefined };

interface Hints {
  readonly messagePrincipalArn?: string;
}

type Normaliser = (identity: Record<string, unknown>, hints: Hints) => Principal;

/**
 * One normaliser per documented `userIdentity.type`. Types not listed (`SAMLUser`, `WebIdentityUser`,
 * `Directory`, `Unknown`...) give type `Unknown` with whatever fields are present.
 */
const byIdentityType = {
  /** @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html */
  IAMUser: (identity, hints) => {
    // A record without the user's ARN: the enhanced AccessDenied message names it (when it is a user of
    // the record's account).
    const hinted = hintOfKind(hints, ARN_PATTERNS.user, str(identity.accountId));
    const userName = str(identity.userName);
    // Not when it names another user than the record does.
    const arn =
      str(identity.arn) ??
      (hinted !== undefined && (userName === undefined || ARN_PATTERNS.user.exec(hinted)?.[3] === userName)
        ? hinted
        : undefined);
    return build('IAMUser', {
      arn,
      account: str(identity.accountId) ?? accountOf(arn),
      name: str(identity.userName) ?? (arn === undefined ? undefined : ARN_PATTERNS.user.exec(arn)?.[3]),
      policyPrincipalArn: arn,
      accessKeyId: str(identity.accessKeyId),
    });
  },
  /**
   * The session ARN drops the role's path; `sessionContext.sessionIssuer.arn` keeps it, and IAM's
   * GetRole takes the bare name (`sessionIssuer.userName`).
   *
   * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
   */
  AssumedRole: (identity, hints) => {
    const hinted =
      str(identity.arn) === undefined
        ? hintOfKind(hints, ARN_PATTERNS.assumedRole, str(identity.accountId))
        : undefined;
    // Not when it names another role (the session issuer's) or session (the principal ID's) than the record does.
    const session = hinted === undefined ? null : ARN_PATTERNS.assumedRole.exec(hinted);
    const issuer = sessionIssuerOf(identity);
    const issuerArn = str(issuer?.arn);
    const issuerRole =
      str(issuer?.userName) ?? (issuerArn === undefined ? undefined : ARN_PATTERNS.role.exec(issuerArn)?.[3]);
    const principalId = str(identity.principalId);
    const idSession =
      principalId?.includes(':') === true ? principalId.slice(principalId.indexOf(':') + 1) : undefined;
    const agrees =
      session !== null &&
      (issuerRole === undefined || session[3] === issuerRole) &&
      (idSession === undefined || session[4] === idSession);
    return normaliseAssumedRole(agrees && hinted !== undefined ? { ...identity, arn: hinted } : identity);
  },
  /**
   * GetFederationToken sessions: policies come from the IAM user (or root) that called it, named in
   * `sessionContext.sessionIssuer`.
   *
   * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
   */
  FederatedUser: (identity) => {
    const arn = str(identity.arn);
    const issuer = sessionIssuerOf(identity);
    const issuerArn = str(issuer?.arn);
    return build('FederatedUser', {
      arn,
      account: str(identity.accountId) ?? accountOf(arn),
      name: arn === undefined ? undefined : ARN_PATTERNS.federatedUser.exec(arn)?.[3],
      sessionName: arn === undefined ? undefined : ARN_PATTERNS.federatedUser.exec(arn)?.[3],
      issuerArn,
      policyPrincipalArn: issuerArn,
      accessKeyId: str(identity.accessKeyId),
    });
  },
  /**
   * A privileged root session that a management or delegated administrator account started with
   * `sts:AssumeRoot` is logged as `Root` too, with `sessionContext.assumedRoot: "true"`.
   *
   * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-track-privileged-tasks.html
   */
  Root: (identity) => {
    const account = str(identity.accountId);
    const arn = str(identity.arn) ?? (account === undefined ? undefined : `arn:aws:iam::${account}:root`);
    const session = isJsonObject(identity.sessionContext) ? identity.sessionContext : undefined;
    const assumedRoot = session?.assumedRoot === 'true' || session?.assumedRoot === true;
    return build('Root', {
      arn,
      account: account ?? accountOf(arn),
      name: str(identity.userName),
      policyPrincipalArn: arn,
      accessKeyId: str(identity.accessKeyId),
      assumedRoot: assumedRoot ? true : undefined,
    });
  },
  /** `invokedBy` names the service, e.g. `cloudtrail.amazonaws.com`. */
  AWSService: (identity) =>
    build('AWSService', {
      account: str(identity.accountId),
      name: str(identity.invokedBy),
      policyPrincipalArn: str(identity.invokedBy),
    }),
  /**
   * Another account called: CloudTrail gives the bucket owner only `accountId` and `principalId`. The
   * enhanced AccessDenied message names the caller's ARN, so it is used when its account matches.
   * S3 records anonymous requests as `AWSAccount` with `accountId: "anonymous"` and an empty
   * `principalId`.
   */
  AWSAccount: (identity, hints) => {
    const account = str(identity.accountId);
    if (account === 'anonymous' || (identity.principalId === '' && account === undefined)) {
      return anonymous();
    }
    const hinted = hints.messagePrincipalArn;
    const hintUsable = hinted !== undefined && (account === undefined || accountOf(hinted) === account);
    if (!hintUsable) return build('AWSAccount', { account, principalId: str(identity.principalId) });
    return build('AWSAccount', { ...fieldsFromArn(hinted), account: account ?? accountOf(hinted) });
  },
  /**
   * A request made with an Identity Center user's own credentials (not through a permission-set role):
   * the user is named only by `onBehalfOf.userId` in the identity store.
   */
  IdentityCenterUser: (identity) => {
    const onBehalfOf = isJsonObject(identity.onBehalfOf) ? identity.onBehalfOf : undefined;
    return build('IdentityCenter', {
      account: str(identity.accountId),
      name: str(onBehalfOf?.userId),
    });
  },
  /** Not documented for S3 CloudTrail records; accepted because some services' records use it. */
  Anonymous: () => anonymous(),
} as const satisfies Record<string, Normaliser>;

/**
 * Normalises a CloudTrail `userIdentity` element for every documented `type`: `IAMUser`,
 * `AssumedRole` (Identity Center permission-set roles become `IdentityCenter` with `permissionSet`),
 * `FederatedUser`, `Root`, `AWSService`, `AWSAccount` (cross-account; anonymous when `accountId` is
 * `anonymous`), `IdentityCenterUser`, and anything else as `Unknown`. Never throws.
 *
 * `hints.messagePrincipalArn` is the caller ARN from the AccessDenied message, used when the record
 * itself does not name the caller (cross-account `AWSAccount`, unknown shapes).
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
export function normalisePrincipal(
  userIdentity: unknown,
  hints?: { messagePrincipalArn?: string },
): Principal {
  // Every event of a job carries the same identity: normalise each distinct one once.
  const fields = identityFields(userIdentity, hints?.messagePrincipalArn, scratchFields);
  if (fields === undefined) return normaliseUncached(userIdentity, hints);
  // A job's records come in runs from one caller: the previous answer is tried before any lookup.
  if (lastEntry !== undefined && sameFields(lastEntry.fields, fields)) return lastEntry.principal;
  // Looked up by one field, then compared field by field: no composite key string is built per record.
  const bucketKey = fields[4] ?? fields[1] ?? fields[3] ?? '';
  let entries = principalMemo.get(bucketKey);
  if (entries !== undefined) {
    for (const entry of entries) {
      if (sameFields(entry.fields, fields)) {
        lastEntry = entry;
        return entry.principal;
      }
    }
  }
  if (principalMemoSize >= PRINCIPAL_MEMO_SIZE) {
    principalMemo.clear();
    principalMemoSize = 0;
    entries = undefined;
  }
  const principal = normaliseUncached(userIdentity, hints);
  if (entries === undefined) {
    entries = [];
    principalMemo.set(bucketKey, entries);
  }
  const entry = { fields: [...fields], principal };
  entries.push(entry);
  principalMemoSize++;
  lastEntry = entry;
  return principal;
}

const PRINCIPAL_MEMO_SIZE = 10_000;
/** Normalised principals by access key (else ARN, else principal ID), each with the fields it was made from. */
const principalMemo = new Map<string, { fields: IdentityFields; principal: Principal }[]>();
let principalMemoSize = 0;
/** The entry {@link normalisePrincipal} answered with last. */
let lastEntry: { readonly fields: IdentityFields; readonly principal: Principal } | undefined;

type IdentityFields = readonly (string | undefined)[];

/** Filled in place for each lookup (a hit allocates nothing); copied when a new entry is stored. */
const scratchFields: (string | undefined)[] = [];

function sameFields(a: IdentityFields, b: IdentityFields): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Every field the normalisers read, in a fixed order; `undefined` when the identity is not a plain object. */
function identityFields(
  userIdentity: unknown,
  hint: string | undefined,
  into: (string | undefined)[],
): IdentityFields | undefined {
  if (!isJsonObject(userIdentity)) return undefined;
  const session = isJsonObject(userIdentity.sessionContext) ? userIdentity.sessionContext : undefined;
  const issuer =
    session !== undefined && isJsonObject(session.sessionIssuer) ? session.sessionIssuer : undefined;
  const onBehalfOf = isJsonObject(userIdentity.onBehalfOf) ? userIdentity.onBehalfOf : undefined;
  into[0] = part(userIdentity.type);
  into[1] = part(userIdentity.arn);
  into[2] = part(userIdentity.accountId);
  into[3] = part(userIdentity.principalId);
  into[4] = part(userIdentity.accessKeyId);
  into[5] = part(userIdentity.userName);
  into[6] = part(userIdentity.invokedBy);
  into[7] = part(userIdentity.identityStoreArn);
  into[8] = part(issuer?.type);
  into[9] = part(issuer?.arn);
  into[10] = part(issuer?.userName);
  into[11] = part(issuer?.accountId);
  into[12] = part(issuer?.principalId);
  into[13] = part(onBehalfOf?.userId);
  into[14] = part(onBehalfOf?.identityStoreArn);
  into[15] = hint;
  return into;
}

function part(v: unknown): string | undefined {
  return typeof v === 'string' || v === undefined ? v : JSON.stringify(v);
}

function normaliseUncached(userIdentity: unknown, hints?: { messagePrincipalArn?: string }): Principal {
  const safeHints: Hints = hints ?? {};
  if (!isJsonObject(userIdentity)) return unknownFromHint(safeHints);
  const type = str(userIdentity.type);
  if (type !== undefined && Object.hasOwn(byIdentityType, type)) {
    const normalise: Normaliser = byIdentityType[type as keyof typeof byIdentityType];
    return normalise(userIdentity, safeHints);
  }
  const arn = str(userIdentity.arn);
  const own: Fields = {
    arn,
    account: str(userIdentity.accountId) ?? accountOf(arn),
    name: str(userIdentity.userName),
    accessKeyId: str(userIdentity.accessKeyId),
  };
  if (arn !== undefined) return build('Unknown', own);
  const fromHint = unknownFromHint(safeHints);
  return build('Unknown', { ...fromHint, ...withoutAbsent(own) });
}

function normaliseAssumedRole(identity: Record<string, unknown>): Principal {
  const arn = str(identity.arn);
  const session = arn === undefined ? undefined : ARN_PATTERNS.assumedRole.exec(arn);
  const issuer = sessionIssuerOf(identity);
  const issuerArn = str(issuer?.arn);
  // Without sessionIssuer the role ARN is rebuilt from the session ARN, which loses any role path.
  const roleArn =
    issuerArn ??
    (session === null || session === undefined
      ? undefined
      : `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`);
  const roleName =
    str(issuer?.userName) ??
    (roleArn === undefined ? undefined : ARN_PATTERNS.role.exec(roleArn)?.[3]) ??
    session?.[3];
  const identityCenter = roleName === undefined ? null : IDENTITY_CENTER_ROLE.exec(roleName);
  return build(identityCenter === null ? 'Role' : 'IdentityCenter', {
    arn,
    account: str(identity.accountId) ?? accountOf(arn) ?? accountOf(roleArn),
    name: roleName,
    roleArn,
    roleArnFromSession: issuerArn === undefined && roleArn !== undefined ? true : undefined,
    sessionName: session?.[4],
    permissionSet: identityCenter?.[1],
    policyPrincipalArn: roleArn,
    accessKeyId: str(identity.accessKeyId),
    webIdentityProvider: webIdentityProviderOf(identity),
  });
}

/** The provider of a web identity session, from `sessionContext.webIdFederationData` (empty for others). */
function webIdentityProviderOf(identity: Record<string, unknown>): string | undefined {
  const context = identity.sessionContext;
  if (typeof context !== 'object' || context === null) return undefined;
  const federation = (context as Record<string, unknown>).webIdFederationData;
  if (typeof federation !== 'object' || federation === null) return undefined;
  const provider = str((federation as Record<string, unknown>).federatedProvider);
  return provider === '' ? undefined : provider;
}

/** What an ARN alone says about a caller (used for message hints). */
function fieldsFromArn(arn: string): Fields {
  const session = ARN_PATTERNS.assumedRole.exec(arn);
  if (session !== null) {
    const roleArn = `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
    const identityCenter = IDENTITY_CENTER_ROLE.exec(session[3] ?? '');
    return {
      arn,
      name: session[3],
      roleArn,
      roleArnFromSession: true,
      sessionName: session[4],
      policyPrincipalArn: roleArn,
      ...(identityCenter !== null ? { permissionSet: identityCenter[1] } : {}),
    };
  }
  const user = ARN_PATTERNS.user.exec(arn);
  if (user !== null) return { arn, name: user[3], policyPrincipalArn: arn };
  const role = ARN_PATTERNS.role.exec(arn);
  if (role !== null) return { arn, name: role[3], roleArn: arn, policyPrincipalArn: arn };
  const federated = ARN_PATTERNS.federatedUser.exec(arn);
  if (federated !== null) return { arn, name: federated[3], sessionName: federated[3] };
  if (ARN_PATTERNS.root.test(arn)) return { arn, policyPrincipalArn: arn };
  return { arn };
}

/** The message's caller ARN when it is of the kind `pattern` matches and of `account` (when known). */
function hintOfKind(hints: Hints, pattern: RegExp, account: string | undefined): string | undefined {
  const hinted = hints.messagePrincipalArn;
  if (hinted === undefined || !pattern.test(hinted)) return undefined;
  return account === undefined || accountOf(hinted) === account ? hinted : undefined;
}

function unknownFromHint(hints: Hints): Principal {
  const hinted = hints.messagePrincipalArn;
  if (hinted === undefined || !hinted.startsWith('arn:')) return { type: 'Unknown' };
  return build('Unknown', { ...fieldsFromArn(hinted), account: accountOf(hinted) });
}

function anonymous(): Principal {
  return { type: 'Anonymous', name: 'anonymous' };
}

function sessionIssuerOf(identity: Record<string, unknown>): Record<string, unknown> | undefined {
  const context = identity.sessionContext;
  if (!isJsonObject(context)) return undefined;
  return isJsonObject(context.sessionIssuer) ? context.sessionIssuer : undefined;
}

/** Account ID from an IAM or STS ARN (`arn:partition:service::account:...`). */
function accountOf(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

function withoutAbsent(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** Drops absent fields so optional properties are omitted, never `undefined`. */
function build(type: PrincipalType, fields: Fields): Principal {
  const principal: Record<string, unknown> = { type };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && key !== 'type') principal[key] = value;
  }
  return principal as unknown as Principal;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * What a record's `principalId` is, in words: an access key ID (`AKIA…` long-term, `ASIA…` temporary), as a
 * network activity event may name a caller of another account by, or else a principal ID (the unique ID
 * of a user or role, with a session name for a role session).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html#cloudtrail-network-events
 */
export function principalIdKind(principalId: string): 'access key' | 'principal ID' {
  return /^(?:AKIA|ASIA)[A-Z0-9]{12,}$/.test(principalId) ? 'access key' : 'principal ID';
}
