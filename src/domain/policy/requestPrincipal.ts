/**
 * Parses the caller of a request into the kinds IAM distinguishes.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
import { DEFAULT_PARTITION, partitionOfArn } from './arnPartition.js';

export type RequestPrincipal =
  | { readonly kind: 'user'; readonly arn: string; readonly account: string; readonly name: string }
  | {
      readonly kind: 'role-session';
      readonly arn: string;
      readonly account: string;
      readonly roleName: string;
      readonly sessionName: string;
    }
  | { readonly kind: 'role'; readonly arn: string; readonly account: string; readonly roleName: string }
  | { readonly kind: 'federated-user'; readonly arn: string; readonly account: string; readonly name: string }
  | { readonly kind: 'root'; readonly arn: string; readonly account: string }
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'unknown'; readonly arn: string; readonly account?: string };

/** Last path element of an IAM resource (`user/path/to/name` -> `name`). */
function lastSegment(path: string): string {
  const idx = path.lastIndexOf('/');
  return idx < 0 ? path : path.slice(idx + 1);
}

const parsedPrincipals = new Map<string, RequestPrincipal>();

/** Parses a caller ARN (memoised: the same callers recur across a trail). */
export function parseRequestPrincipal(principal: string): RequestPrincipal {
  let parsed = parsedPrincipals.get(principal);
  if (parsed === undefined) {
    if (parsedPrincipals.size > 10_000) parsedPrincipals.clear();
    parsed = parsePrincipalUncached(principal);
    parsedPrincipals.set(principal, parsed);
  }
  return parsed;
}

function parsePrincipalUncached(principal: string): RequestPrincipal {
  if (principal === 'anonymous' || principal === '*') return { kind: 'anonymous' };
  if (!principal.startsWith('arn:')) {
    if (/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/i.test(principal)) {
      return { kind: 'service', service: principal.toLowerCase() };
    }
    return { kind: 'unknown', arn: principal };
  }
  const parts = principal.split(':');
  const service = parts[2];
  const account = parts[4] ?? '';
  const resource = parts.slice(5).join(':');
  if (service === 'iam') {
    if (resource === 'root') return { kind: 'root', arn: principal, account };
    if (resource.startsWith('user/')) {
      return { kind: 'user', arn: principal, account, name: lastSegment(resource) };
    }
    if (resource.startsWith('role/')) {
      return { kind: 'role', arn: principal, account, roleName: lastSegment(resource) };
    }
  }
  if (service === 'sts') {
    if (resource.startsWith('assumed-role/')) {
      const [, roleName = '', ...session] = resource.split('/');
      return { kind: 'role-session', arn: principal, account, roleName, sessionName: session.join('/') };
    }
    if (resource.startsWith('federated-user/')) {
      return {
        kind: 'federated-user',
        arn: principal,
        account,
        name: resource.slice('federated-user/'.length),
      };
    }
  }
  return account !== '' ? { kind: 'unknown', arn: principal, account } : { kind: 'unknown', arn: principal };
}

/** The caller's account, when it has one. */
export function principalAccount(p: RequestPrincipal): string | undefined {
  switch (p.kind) {
    case 'service':
    case 'anonymous':
      return undefined;
    default:
      return p.account;
  }
}

/** True for callers that IAM identity policies, boundaries and SCPs apply to. */
export function isIamPrincipal(p: RequestPrincipal): boolean {
  return p.kind !== 'service' && p.kind !== 'anonymous';
}

/**
 * The value AWS puts in `aws:PrincipalArn`: for a role session, the role's ARN (its path is not part of
 * the session ARN, so it is omitted here unless the request context provides the key).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 */
export function principalArnKeyValue(p: RequestPrincipal): string | undefined {
  switch (p.kind) {
    case 'role-session':
      return `arn:${partitionOfArn(p.arn) ?? DEFAULT_PARTITION}:iam::${p.account}:role/${p.roleName}`;
    case 'service':
    case 'anonymous':
      return undefined;
    default:
      return p.arn;
  }
}
