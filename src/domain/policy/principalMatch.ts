/**
 * The Principal / NotPrincipal element of resource-based policies, and how it matches a caller.
 *
 * IAM identifies users and roles by name within an account regardless of path, so matching compares
 * account and name. A role ARN matches every session of that role; an account (`123456789012` or its
 * `:root` ARN) matches every principal of that account.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
import type { RequestPrincipal } from './requestPrincipal.js';
import type { ResourceGrantKind } from './types.js';

export type PrincipalEntry =
  | { readonly kind: 'any'; readonly raw: string }
  | { readonly kind: 'account'; readonly raw: string; readonly account: string }
  | { readonly kind: 'user'; readonly raw: string; readonly account: string; readonly name: string }
  | { readonly kind: 'role'; readonly raw: string; readonly account: string; readonly name: string }
  | {
      readonly kind: 'role-session';
      readonly raw: string;
      readonly account: string;
      readonly roleName: string;
      readonly sessionName: string;
    }
  | { readonly kind: 'federated-user'; readonly raw: string; readonly account: string; readonly name: string }
  | { readonly kind: 'service'; readonly raw: string; readonly service: string }
  | { readonly kind: 'other'; readonly raw: string };

function lastSegment(path: string): string {
  const idx = path.lastIndexOf('/');
  return idx < 0 ? path : path.slice(idx + 1);
}

function parseAwsPrincipal(value: string): PrincipalEntry {
  if (value === '*') return { kind: 'any', raw: value };
  if (/^\d{12}$/.test(value)) return { kind: 'account', raw: value, account: value };
  const parts = value.split(':');
  if (parts[0] === 'arn' && parts.length >= 6) {
    const service = parts[2];
    const account = parts[4] ?? '';
    const resource = parts.slice(5).join(':');
    if (service === 'iam' && resource === 'root') return { kind: 'account', raw: value, account };
    if (service === 'iam' && resource.startsWith('user/'))
      return { kind: 'user', raw: value, account, name: lastSegment(resource) };
    if (service === 'iam' && resource.startsWith('role/'))
      return { kind: 'role', raw: value, account, name: lastSegment(resource) };
    if (service === 'sts' && resource.startsWith('assumed-role/')) {
      const [, roleName = '', ...session] = resource.split('/');
      return { kind: 'role-session', raw: value, account, roleName, sessionName: session.join('/') };
    }
    if (service === 'sts' && resource.startsWith('federated-user/')) {
      return { kind: 'federated-user', raw: value, account, name: resource.slice('federated-user/'.length) };
    }
  }
  return { kind: 'other', raw: value };
}

export function parsePrincipalElement(
  element: unknown,
): { ok: true; entries: PrincipalEntry[] } | { ok: false; message: string } {
  if (element === '*') return { ok: true, entries: [{ kind: 'any', raw: '*' }] };
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    return { ok: false, message: 'Principal must be "*" or an object such as {"AWS": "..."}' };
  }
  const entries: PrincipalEntry[] = [];
  for (const [type, value] of Object.entries(element as Record<string, unknown>)) {
    const list =
      typeof value === 'string'
        ? [value]
        : Array.isArray(value) && value.every((v) => typeof v === 'string')
          ? (value as string[])
          : undefined;
    if (list === undefined || list.length === 0)
      return { ok: false, message: `Principal "${type}" must be a string or an array of strings` };
    for (const item of list) {
      switch (type) {
        case 'AWS':
          entries.push(parseAwsPrincipal(item));
          break;
        case 'Service':
          entries.push({ kind: 'service', raw: item, service: item.toLowerCase() });
          break;
        case 'Federated':
        case 'CanonicalUser':
          entries.push({ kind: 'other', raw: item });
          break;
        default:
          return {
            ok: false,
            message: `unknown principal type "${type}" (expected AWS, Service, Federated or CanonicalUser)`,
          };
      }
    }
  }
  return { ok: true, entries };
}

/** What the caller is, as a grant kind, when a policy names it through `*`. */
function ownKind(p: RequestPrincipal): ResourceGrantKind {
  switch (p.kind) {
    case 'user':
      return 'user';
    case 'role':
      return 'role';
    case 'role-session':
      return 'role-session';
    case 'federated-user':
      return 'federated-user';
    case 'root':
      return 'account';
    case 'service':
      return 'service';
    default:
      return 'other';
  }
}

/**
 * Matches one entry against the caller; returns the kind of grant it represents, or undefined.
 * A `*` grant is reported as the caller's own kind (it names every principal, including this one).
 */
export function matchPrincipalEntry(
  entry: PrincipalEntry,
  p: RequestPrincipal,
): ResourceGrantKind | undefined {
  switch (entry.kind) {
    case 'any':
      return ownKind(p) === 'other' ? 'any' : ownKind(p);
    case 'account':
      return p.kind !== 'service' && p.kind !== 'anonymous' && p.account === entry.account
        ? 'account'
        : undefined;
    case 'user':
      return p.kind === 'user' && p.account === entry.account && p.name === entry.name ? 'user' : undefined;
    case 'role':
      return (p.kind === 'role-session' || p.kind === 'role') &&
        p.account === entry.account &&
        p.roleName === entry.name
        ? 'role'
        : undefined;
    case 'role-session':
      return p.kind === 'role-session' &&
        p.account === entry.account &&
        p.roleName === entry.roleName &&
        p.sessionName === entry.sessionName
        ? 'role-session'
        : undefined;
    case 'federated-user':
      return p.kind === 'federated-user' && p.account === entry.account && p.name === entry.name
        ? 'federated-user'
        : undefined;
    case 'service':
      return p.kind === 'service' && p.service === entry.service ? 'service' : undefined;
    case 'other':
      return p.kind === 'unknown' && p.arn === entry.raw ? 'other' : undefined;
  }
}

/**
 * NotPrincipal names exact identities: an account ARN stands for the account principal only, and a role
 * ARN does not cover the role's sessions (they must be listed by their assumed-role ARN).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
export function matchNotPrincipalEntry(
  entry: PrincipalEntry,
  p: RequestPrincipal,
): ResourceGrantKind | undefined {
  switch (entry.kind) {
    case 'account':
      return p.kind === 'root' && p.account === entry.account ? 'account' : undefined;
    case 'role':
      return p.kind === 'role' && p.account === entry.account && p.roleName === entry.name
        ? 'role'
        : undefined;
    default:
      return matchPrincipalEntry(entry, p);
  }
}

/**
 * The identities AWS may check a caller as against a NotPrincipal, the account first: its account, then
 * (for a role session) its role, then the caller itself. A Deny with NotPrincipal exempts the caller only
 * when the list names each of them: AWS "might validate the account first", so a list that names a user
 * but not its account "might deny access to the entire account containing the principal".
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
function notPrincipalChain(p: RequestPrincipal): RequestPrincipal[] {
  if (p.kind !== 'user' && p.kind !== 'role' && p.kind !== 'federated-user' && p.kind !== 'role-session')
    return [p];
  const partition = p.arn.split(':')[1] ?? 'aws';
  const root: RequestPrincipal = {
    kind: 'root',
    arn: `arn:${partition}:iam::${p.account}:root`,
    account: p.account,
  };
  if (p.kind !== 'role-session') return [p, root];
  const role: RequestPrincipal = {
    kind: 'role',
    arn: `arn:${partition}:iam::${p.account}:role/${p.roleName}`,
    account: p.account,
    roleName: p.roleName,
  };
  return [p, role, root];
}

/**
 * The identities AWS may check the caller as (see {@link notPrincipalChain}) that a NotPrincipal list
 * does not name: its account, a session's role, the caller itself.
 */
export function notPrincipalUnlisted(
  entries: readonly PrincipalEntry[],
  p: RequestPrincipal,
): RequestPrincipal[] {
  return notPrincipalChain(p).filter(
    (identity) => !entries.some((entry) => matchNotPrincipalEntry(entry, identity) !== undefined),
  );
}

/**
 * The entry of a NotPrincipal list that exempts the caller (its own), when the list names every
 * identity AWS may check it as (see {@link notPrincipalChain}); `undefined` when the Deny applies.
 */
export function notPrincipalExemption(
  entries: readonly PrincipalEntry[],
  p: RequestPrincipal,
): { readonly entry: PrincipalEntry; readonly kind: ResourceGrantKind } | undefined {
  let own: { entry: PrincipalEntry; kind: ResourceGrantKind } | undefined;
  for (const identity of notPrincipalChain(p)) {
    let found: { entry: PrincipalEntry; kind: ResourceGrantKind } | undefined;
    for (const entry of entries) {
      const kind = matchNotPrincipalEntry(entry, identity);
      if (kind !== undefined) {
        found = { entry, kind };
        break;
      }
    }
    if (found === undefined) return undefined;
    own ??= found;
  }
  return own;
}
