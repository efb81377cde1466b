/**
 * The request context as the evaluator reads it: case-insensitive key names, every value a string,
 * multi-valued keys kept as lists. Keys AWS always supplies and that follow from the request itself
 * (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:username` for IAM users, `aws:PrincipalIsAWSService`, `aws:PrincipalType`,
 * `aws:ResourceAccount`) are derived when the caller does not set them.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html#Condition-keys
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
import { boundedMemo } from './boundedMemo.js';
import { principalAccount, principalArnKeyValue, type RequestPrincipal } from './requestPrincipal.js';
import type { ContextValue } from './types.js';

export interface ContextEntry {
  readonly values: readonly string[];
  readonly multiValued: boolean;
}

export interface RequestContextView {
  get(keyLower: string): ContextEntry | undefined;
  /** The value of a single-valued key, or `undefined` when absent or multi-valued (not usable as a variable). */
  singleValue(keyLower: string): string | undefined;
}

function toText(value: string | number | boolean): string {
  return typeof value === 'string' ? value : String(value);
}

function toEntry(value: ContextValue): ContextEntry {
  return Array.isArray(value)
    ? { values: value.map(toText), multiValued: true }
    : { values: [toText(value as string | number | boolean)], multiValued: false };
}

/** Lower-cases a context key name once: the same few names recur in every request. */
const lowerKeyName = boundedMemo((key: string): string => key.toLowerCase(), 4096);

function singleEntry(value: string | undefined): ContextEntry | undefined {
  return value === undefined ? undefined : { values: [value], multiValued: false };
}

/** The keys that follow from the caller alone, computed once per (memoised) principal. */
interface PrincipalEntries {
  readonly principalArn: ContextEntry | undefined;
  readonly principalAccount: ContextEntry | undefined;
  readonly username: ContextEntry | undefined;
  /** `true` for an AWS service principal, `false` for other signed callers; absent for anonymous ones. */
  readonly isAwsService: ContextEntry | undefined;
  /** `Account`, `User`, `FederatedUser`, `AssumedRole` or `Anonymous`; absent for a service or an unknown caller. */
  readonly principalType: ContextEntry | undefined;
}

/**
 * `aws:PrincipalType` by the kind of caller, as AWS's table of principal key values gives it (a role acts
 * through its sessions).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltype
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 */
const PRINCIPAL_TYPES: Readonly<Partial<Record<RequestPrincipal['kind'], string>>> = {
  root: 'Account',
  user: 'User',
  'federated-user': 'FederatedUser',
  'role-session': 'AssumedRole',
  role: 'AssumedRole',
  anonymous: 'Anonymous',
};

const TRUE_ENTRY: ContextEntry = { values: ['true'], multiValued: false };
const FALSE_ENTRY: ContextEntry = { values: ['false'], multiValued: false };

const entriesByPrincipal = new WeakMap<RequestPrincipal, PrincipalEntries>();

function principalEntries(principal: RequestPrincipal): PrincipalEntries {
  let entries = entriesByPrincipal.get(principal);
  if (entries === undefined) {
    entries = {
      principalArn: singleEntry(principalArnKeyValue(principal)),
      principalAccount: singleEntry(principalAccount(principal)),
      username: singleEntry(principal.kind === 'user' ? principal.name : undefined),
      // Present in every signed request: AWS's data-perimeter RCPs test it both ways.
      isAwsService:
        principal.kind === 'service'
          ? TRUE_ENTRY
          : principal.kind === 'anonymous' || principal.kind === 'unknown'
            ? undefined
            : FALSE_ENTRY,
      principalType: singleEntry(PRINCIPAL_TYPES[principal.kind]),
    };
    entriesByPrincipal.set(principal, entries);
  }
  return entries;
}

const MAX_ACCOUNT_ENTRIES = 10_000;
const accountEntries = new Map<string, ContextEntry>();

function accountEntry(account: string): ContextEntry {
  let entry = accountEntries.get(account);
  if (entry === undefined) {
    if (accountEntries.size >= MAX_ACCOUNT_ENTRIES) accountEntries.clear();
    entry = { values: [account], multiValued: false };
    accountEntries.set(account, entry);
  }
  return entry;
}

function derived(
  keyLower: string,
  principal: RequestPrincipal,
  resourceAccount: string | undefined,
): ContextEntry | undefined {
  switch (keyLower) {
    case 'aws:principalarn':
      return principalEntries(principal).principalArn;
    case 'aws:principalaccount':
      return principalEntries(principal).principalAccount;
    case 'aws:username':
      return principalEntries(principal).username;
    case 'aws:principaltype':
      return principalEntries(principal).principalType;
    case 'aws:principalisawsservice':
      return principalEntries(principal).isAwsService;
    case 'aws:resourceaccount':
      return resourceAccount === undefined ? undefined : accountEntry(resourceAccount);
    default:
      return undefined;
  }
}

/** Lower-cased key names of one context object, in its key order, with values converted on first read. */
interface ContextIndex {
  readonly context: Readonly<Record<string, ContextValue>>;
  readonly keys: readonly string[];
  readonly rawKeys: readonly string[];
  readonly entries: (ContextEntry | undefined)[];
}

function indexContext(context: Readonly<Record<string, ContextValue>>): ContextIndex {
  const keys: string[] = [];
  const rawKeys: string[] = [];
  for (const key in context) {
    if (context[key] === undefined) continue;
    keys.push(lowerKeyName(key));
    rawKeys.push(key);
  }
  return { context, keys, rawKeys, entries: [] };
}

/**
 * The index of the context evaluated last. Re-evaluating one request (explanations, verification of a
 * fix) reuses it; a stream of distinct requests builds one small index each and retains none.
 */
let lastIndex: ContextIndex | undefined;

function contextIndex(context: Readonly<Record<string, ContextValue>>): ContextIndex {
  if (lastIndex === undefined || lastIndex.context !== context) lastIndex = indexContext(context);
  return lastIndex;
}

/**
 * Contexts are small (a handful of keys), so the lower-cased names are searched linearly, and values
 * are converted only when a policy reads them.
 */
class RequestContext implements RequestContextView {
  readonly #context: Readonly<Record<string, ContextValue>> | undefined;
  readonly #principalContext: PrincipalContextIndex | undefined;
  readonly #principal: RequestPrincipal;
  readonly #resourceAccount: string | undefined;
  #index: ContextIndex | undefined;

  constructor(
    context: Readonly<Record<string, ContextValue>> | undefined,
    principal: RequestPrincipal,
    resourceAccount: string | undefined,
    principalContext: Readonly<Record<string, ContextValue>> | undefined,
  ) {
    this.#context = context;
    this.#principalContext =
      principalContext === undefined ? undefined : principalContextIndex(principalContext);
    this.#principal = principal;
    this.#resourceAccount = resourceAccount;
  }

  get(keyLower: string): ContextEntry | undefined {
    const fromPrincipal = this.#principalContext?.get(keyLower);
    if (fromPrincipal !== undefined) return fromPrincipal;
    const context = this.#context;
    if (context !== undefined) {
      if (this.#index === undefined) this.#index = contextIndex(context);
      const index = this.#index;
      const keys = index.keys;
      // Searching from the end makes the last spelling win when a key appears in two cases.
      for (let i = keys.length - 1; i >= 0; i--) {
        if (keys[i] !== keyLower) continue;
        let entry = index.entries[i];
        if (entry === undefined) {
          entry = toEntry(context[index.rawKeys[i]!]!);
          index.entries[i] = entry;
        }
        return entry;
      }
    }
    return derived(keyLower, this.#principal, this.#resourceAccount);
  }

  singleValue(keyLower: string): string | undefined {
    const entry = this.get(keyLower);
    if (entry === undefined || entry.multiValued || entry.values.length !== 1) return undefined;
    return entry.values[0];
  }
}

type PrincipalContextIndex = ReadonlyMap<string, ContextEntry>;

/** A caller's context is shared by all its requests: index it once per object. */
const principalContextIndexes = new WeakMap<object, PrincipalContextIndex>();

function principalContextIndex(context: Readonly<Record<string, ContextValue>>): PrincipalContextIndex {
  let index = principalContextIndexes.get(context);
  if (index === undefined) {
    const map = new Map<string, ContextEntry>();
    for (const key in context) {
      const value = context[key];
      if (value !== undefined) map.set(lowerKeyName(key), toEntry(value));
    }
    index = map;
    principalContextIndexes.set(context, index);
  }
  return index;
}

export function buildRequestContext(
  context: Readonly<Record<string, ContextValue>> | undefined,
  principal: RequestPrincipal,
  resourceAccount: string | undefined,
  principalContext?: Readonly<Record<string, ContextValue>>,
): RequestContextView {
  return new RequestContext(context, principal, resourceAccount, principalContext);
}
