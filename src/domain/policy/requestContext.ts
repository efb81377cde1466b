/**
 * The request context as the evaluator reads it: case-insensitive key names, every value a string,
 * multi-valued keys kept as lists. Keys AWS always supplies and that follow from the request itself
 * (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:username` for IAM users, `aws:ResourceAccount`) are
 * derived when the caller does not set them.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html#Condition-keys
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
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

/** Lower-cased views of context objects, shared by every evaluation of the same request. */
const lowered = new WeakMap<object, Map<string, ContextEntry>>();

function lowerCased(context: Readonly<Record<string, ContextValue>>): Map<string, ContextEntry> {
  let map = lowered.get(context);
  if (map === undefined) {
    map = new Map();
    for (const key in context) {
      const value = context[key];
      if (value !== undefined) map.set(key.toLowerCase(), toEntry(value));
    }
    lowered.set(context, map);
  }
  return map;
}

function singleEntry(value: string | undefined): ContextEntry | undefined {
  return value === undefined ? undefined : { values: [value], multiValued: false };
}

/** The keys that follow from the caller alone, computed once per (memoised) principal. */
interface PrincipalEntries {
  readonly principalArn: ContextEntry | undefined;
  readonly principalAccount: ContextEntry | undefined;
  readonly username: ContextEntry | undefined;
}

const entriesByPrincipal = new WeakMap<RequestPrincipal, PrincipalEntries>();

function principalEntries(principal: RequestPrincipal): PrincipalEntries {
  let entries = entriesByPrincipal.get(principal);
  if (entries === undefined) {
    entries = {
      principalArn: singleEntry(principalArnKeyValue(principal)),
      principalAccount: singleEntry(principalAccount(principal)),
      username: singleEntry(principal.kind === 'user' ? principal.name : undefined),
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
    case 'aws:resourceaccount':
      return resourceAccount === undefined ? undefined : accountEntry(resourceAccount);
    default:
      return undefined;
  }
}

class RequestContext implements RequestContextView {
  #map: Map<string, ContextEntry> | undefined;
  readonly #context: Readonly<Record<string, ContextValue>> | undefined;
  readonly #principal: RequestPrincipal;
  readonly #resourceAccount: string | undefined;

  constructor(
    context: Readonly<Record<string, ContextValue>> | undefined,
    principal: RequestPrincipal,
    resourceAccount: string | undefined,
  ) {
    this.#context = context;
    this.#principal = principal;
    this.#resourceAccount = resourceAccount;
  }

  get(keyLower: string): ContextEntry | undefined {
    if (this.#context !== undefined) {
      this.#map ??= lowerCased(this.#context);
      const entry = this.#map.get(keyLower);
      if (entry !== undefined) return entry;
    }
    return derived(keyLower, this.#principal, this.#resourceAccount);
  }

  singleValue(keyLower: string): string | undefined {
    const entry = this.get(keyLower);
    if (entry === undefined || entry.multiValued || entry.values.length !== 1) return undefined;
    return entry.values[0];
  }
}

export function buildRequestContext(
  context: Readonly<Record<string, ContextValue>> | undefined,
  principal: RequestPrincipal,
  resourceAccount: string | undefined,
): RequestContextView {
  return new RequestContext(context, principal, resourceAccount);
}
