/**
 * What an AccessDenied error message says about the denial: who, which action, which resource, which
 * policy type, implicit or explicit, and the Access Troubleshooter policy ARN and authorization ID.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 */
import { boundedInterner } from '../policy/boundedMemo.js';
import type { MessagePolicyType, ParsedDenialMessage, S3SettingName } from './types.js';

const IAM_ACCESS_DENIED_DOC =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html';
const S3_ACCESS_DENIED_DOC =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html';

/**
 * Policy type phrases as they appear after `because no ` or `with an explicit deny in a(n) `. Longer
 * phrases come first so `permissions boundary policy` wins over `permissions boundary`.
 */
const policyTypePhrases = [
  { phrase: 'identity-based policy', type: 'identity', source: IAM_ACCESS_DENIED_DOC },
  { phrase: 'resource-based policy', type: 'resource', source: IAM_ACCESS_DENIED_DOC },
  // The IAM guide's implicit example reads "no permissions boundary allows" (no "policy").
  { phrase: 'permissions boundary policy', type: 'permissions-boundary', source: IAM_ACCESS_DENIED_DOC },
  { phrase: 'permissions boundary', type: 'permissions-boundary', source: IAM_ACCESS_DENIED_DOC },
  // The IAM guide's explicit example reads "explicit deny in a sessions policy" (sic).
  { phrase: 'sessions policy', type: 'session', source: IAM_ACCESS_DENIED_DOC },
  { phrase: 'session policy', type: 'session', source: IAM_ACCESS_DENIED_DOC },
  // The S3 guide shows both "because no service control policy allows" and "explicit deny in a service
  // control policy"; the IAM guide says SCP messages always read "explicit deny".
  { phrase: 'service control policy', type: 'scp', source: S3_ACCESS_DENIED_DOC },
  // Quoted in the S3 guide ("with an explicit deny in a resource control policy").
  { phrase: 'resource control policy', type: 'rcp', source: S3_ACCESS_DENIED_DOC },
  { phrase: 'VPC endpoint policy', type: 'vpc-endpoint', source: IAM_ACCESS_DENIED_DOC },
] as const satisfies readonly { phrase: string; type: MessagePolicyType; source: string }[];

/**
 * S3's opaque message, still returned for cross-organization and anonymous requests.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 */
const LEGACY_MESSAGE = /^access denied\.?$/i;

/**
 * `User: ARN is not authorized to perform: kms:GenerateDataKey on this resource because the resource does
 * not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly
 * denies access`: KMS's message for a key its key policy does not let the caller use (S3 returns it for
 * SSE-KMS requests). Read as the key policy not allowing the action. For a kms:Decrypt, whose key is
 * inside the ciphertext, KMS writes "on the resource associated with this ciphertext" instead (S3 passes
 * it on for a read of an SSE-KMS object), naming no key either.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/troubleshooting-key-policy.html
 */
const KMS_KEY_REFUSAL =
  /^\s+on (?:this resource|the resource associated with this ciphertext) because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access\.?$/i;

// Whitespace is loose because documented examples wrap lines and double a space ("MaryMajor  is not").
const HEAD = /User:\s+(\S+)\s+is not authorized to perform:\s+(\S+)/;
const IMPLICIT_MARKER = /\sbecause no\s+/gi;
const EXPLICIT_MARKER = /\s(?:with|due to)\s+an\s+explicit\s+deny\s+in\s+an?\s+/gi;

/**
 * The IAM Access Troubleshooter (preview) appends the denying policy ARN and an authorization ID.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied-authorization-id.html
 */
const AUTHORIZATION_ID = /authorization id:\s*([0-9A-Za-z]+)/i;
// `: arn:...` in the IAM guide; `, with policy ARN: arn:...` in some copies of the S3 guide's RCP example.
const POLICY_ARN_SUFFIX = /^(?::|,\s*with policy ARN:)\s*(arn:\S+?)\.?(?=\s|$)/i;

/**
 * Parses an AccessDenied error message in every documented form: the legacy `Access Denied`; `User:
 * ARN is not authorized to perform: ACTION [on resource: "ARN" | ARN] because no <policy type> allows
 * the ACTION action`; `... with an explicit deny in a(n) <policy type>` (also `sessions policy` and a
 * bare `permissions boundary`); `... transitively through a service control policy`; and the Access
 * Troubleshooter suffix (`: <policy ARN>. Go to ... authorization id: <ID>`). A missing or empty message
 * carries no more information than the legacy one and is reported as `legacy`.
 *
 * `denial` reports what the message says; the IAM guide warns that SCP messages may read "explicit deny"
 * even when the SCP merely lacks an Allow. A message whose reason is an S3 setting (the Block Public
 * Access settings BlockPublicPolicy and BlockPublicAcls, a bucket's block on SSE-C uploads) is a
 * `setting`; any other text is `unrecognised`, with the text kept.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied-authorization-id.html
 */
export function parseDenialMessage(text: string | undefined): ParsedDenialMessage {
  if (text === undefined) return LEGACY;
  // The record normaliser and the diagnosis both parse the message of the same event, one after the
  // other: remember the last one (messages name object keys, so a larger memo mostly misses).
  if (text !== lastText) {
    lastText = text;
    lastParsed = parseUncached(text);
  }
  return lastParsed;
}

const LEGACY: ParsedDenialMessage = { form: 'legacy' };
let lastText: string | undefined;
let lastParsed: ParsedDenialMessage = LEGACY;

function parseUncached(text: string): ParsedDenialMessage {
  return parseCanonical(text) ?? parseDenialMessageText(text);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The phrases in the table's order (longest first), as one alternation. */
const PHRASE_ALTERNATION = policyTypePhrases.map((entry) => escapeRegExp(entry.phrase)).join('|');
const TYPE_BY_PHRASE: ReadonlyMap<string, MessagePolicyType> = new Map(
  policyTypePhrases.map((entry) => [entry.phrase, entry.type]),
);

/**
 * The message exactly as S3 writes it today, on one line, with nothing after the policy type: the
 * greedy resource group backtracks from the end, so the marker it stops at is the last one, as in the
 * general parser.
 */
const CANONICAL_MESSAGE = new RegExp(
  `^User: (\\S+) is not authorized to perform: (\\S+)(?: on resource: "(.*)")? ` +
    `(?:because no (${PHRASE_ALTERNATION}) allows the \\S+ action|(?:with|due to) an explicit deny in an? (${PHRASE_ALTERNATION}))$`,
);

/**
 * One string per action name and caller ARN: a trail repeats a few, every later lookup of an interned
 * name (lower-casing, evaluation plans) finds its hash already computed, and a kept message part does
 * not keep its whole message alive. Bounded: names come from input.
 */
const internedAction = boundedInterner(4096);
const internedCaller = boundedInterner(4096);

/**
 * `text` with the same characters, not sharing the message's memory: a resource (an object key) is kept
 * with the finding, and a part of the message would keep the whole message text alive in V8. Joining a
 * character makes a new string, which cutting it off again flattens into a copy.
 */
function detached(text: string): string {
  return `${text} `.slice(0, -1);
}

/**
 * The canonical form in one match; `undefined` for any other spelling, which the general parser reads.
 * It gives the same result as the general parser whenever it matches (a property test checks it).
 *
 * @internal exported for that test.
 */
export function parseCanonical(text: string): Enhanced | undefined {
  const match = CANONICAL_MESSAGE.exec(text);
  if (match === null) return undefined;
  const implicitType = match[4];
  const type = TYPE_BY_PHRASE.get(implicitType ?? match[5] ?? '');
  if (type === undefined) return undefined;
  const principalArn = internedCaller(match[1]!);
  const action = internedAction(match[2]!);
  const resource = match[3] === undefined ? undefined : detached(match[3]);
  const denial = implicitType !== undefined ? 'implicit' : 'explicit';
  return resource !== undefined
    ? { form: 'enhanced', principalArn, action, resource, denial, policyType: type }
    : { form: 'enhanced', principalArn, action, denial, policyType: type };
}

/**
 * The general parser behind {@link parseDenialMessage}: every documented spelling (wrapped lines, loose
 * whitespace and case, the unquoted resource, transitive SCPs, the Access Troubleshooter suffix).
 * Exported for the test that checks the canonical fast path against it.
 *
 * @internal
 */
export function parseDenialMessageText(text: string): ParsedDenialMessage {
  // Documented examples wrap lines; a message is one sentence.
  const message =
    text.includes('\n') || text.includes('\r') ? text.replace(/\s*[\r\n]+\s*/g, ' ').trim() : text.trim();
  if (message === '' || LEGACY_MESSAGE.test(message)) return { form: 'legacy' };
  if (OBJECT_LOCK_MESSAGE.test(message)) return OBJECT_LOCK;
  const head = HEAD.exec(message);
  if (head === null) return { form: 'unrecognised', text };
  const principalArn = internedCaller(head[1] ?? '');
  const action = head[2] ?? '';
  const afterHead = message.slice(head.index + head[0].length);

  // Reasons come last; resources (object keys) are caller-controlled and may contain the marker
  // words, so the split is at the last marker.
  const implicit = lastMatch(IMPLICIT_MARKER, afterHead);
  const implicitAt = implicit?.index ?? -1;
  const explicit = lastMatch(EXPLICIT_MARKER, afterHead);
  const explicitAt = explicit?.index ?? -1;
  // An S3 setting named after the last policy marker is the reason (object keys may hold the markers).
  const setting = settingMessage(principalArn, action, afterHead, Math.max(implicitAt, explicitAt));
  if (setting !== undefined) return setting;
  if (implicitAt < 0 && explicitAt < 0) {
    // KMS's own wording for a key whose key policy (or a grant) does not let the caller use it, which S3
    // passes on for SSE-KMS requests: it names no resource and cannot tell the three reasons apart.
    return KMS_KEY_REFUSAL.test(afterHead)
      ? {
          form: 'enhanced',
          principalArn,
          action: internedAction(action),
          denial: 'implicit',
          policyType: 'resource',
        }
      : { form: 'unrecognised', text };
  }

  const reasonAt = Math.max(implicitAt, explicitAt);
  const named = parseResource(afterHead.slice(0, reasonAt));
  const resource = named === undefined ? undefined : detached(named);

  let denial: 'implicit' | 'explicit';
  let policyType: MessagePolicyType;
  let transitiveVia: MessagePolicyType | undefined;
  let tail: string;
  if (explicitAt > implicitAt && explicit !== undefined) {
    const rest = afterHead.slice(explicitAt + explicit.length);
    const primary = readPolicyType(rest);
    if (primary === undefined) return { form: 'unrecognised', text };
    denial = 'explicit';
    policyType = primary.type;
    tail = rest.slice(primary.length);
    const transitive = /^\s+transitively through an? /i.exec(tail);
    if (transitive !== null) {
      const via = readPolicyType(tail.slice(transitive[0].length));
      if (via !== undefined) {
        transitiveVia = via.type;
        tail = tail.slice(transitive[0].length + via.length);
      }
    }
  } else {
    const rest = afterHead.slice(implicitAt + (implicit?.length ?? 0));
    const primary = readPolicyType(rest);
    if (primary === undefined) return { form: 'unrecognised', text };
    denial = 'implicit';
    policyType = primary.type;
    const allows = /^\s+allows the \S+ action/i.exec(rest.slice(primary.length));
    tail = rest.slice(primary.length + (allows?.[0].length ?? 0));
  }

  // Optional members are assigned only when present, in the contract's order and without spreads: this
  // runs once per denied event.
  const parsed: { -readonly [K in keyof Enhanced]: Enhanced[K] } =
    resource !== undefined
      ? { form: 'enhanced', principalArn, action, resource, denial, policyType }
      : { form: 'enhanced', principalArn, action, denial, policyType };
  if (transitiveVia !== undefined) parsed.transitiveVia = transitiveVia;
  // Most messages end right after the policy type: nothing to look for.
  if (tail.length >= 4) {
    const policyArn = POLICY_ARN_SUFFIX.exec(tail)?.[1];
    const authorizationId = AUTHORIZATION_ID.exec(tail)?.[1];
    if (policyArn !== undefined) parsed.policyArn = policyArn;
    if (authorizationId !== undefined) parsed.authorizationId = authorizationId;
  }
  return parsed;
}

type Enhanced = Extract<ParsedDenialMessage, { form: 'enhanced' }>;

/**
 * The reasons S3 gives when one of its settings, not a policy, refused the request, as its messages
 * spell them (`User: … is not authorized to perform: s3:PutBucketPolicy on resource: "…" because public
 * policies are blocked by the BlockPublicPolicy block public access setting.`).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/blocking-unblocking-s3-c-encryption-gpb.html
 */
const SETTING_REASONS: readonly { readonly pattern: RegExp; readonly setting: S3SettingName }[] = [
  // "because public policies are blocked by the BlockPublicPolicy block public access setting" (as S3
  // sends it), "… are prevented by the BlockPublic… setting in S3 Block Public Access" (as the S3 guide
  // quotes it); ACLs read "public ACLs" or "public access control lists (ACLs)".
  {
    pattern: /\sbecause\s+public\s+policies\s+are\s+(?:blocked|prevented)\s+by\s+the\s+BlockPublicPolicy\b/gi,
    setting: 'BlockPublicPolicy',
  },
  {
    pattern:
      /\sbecause\s+public\s+(?:ACLs|access\s+control\s+lists\s+\(ACLs\))\s+are\s+(?:blocked|prevented)\s+by\s+the\s+BlockPublicAcls\b/gi,
    setting: 'BlockPublicAcls',
  },
  {
    pattern:
      /\sbecause\s+this\s+bucket\s+has\s+blocked\s+upload\s+requests\s+that\s+specify\s+Server\s+Side\s+Encryption\s+with\s+Customer\s+provided\s+keys\b/gi,
    setting: 'BlockedEncryptionTypes',
  },
];

/**
 * S3's answer to a delete (or a shortened retention) of an object version that Object Lock protects; it
 * names no caller.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html#troubleshoot-403-object-lock
 */
const OBJECT_LOCK_MESSAGE = /^access denied because object protected by object lock\.?$/i;
const OBJECT_LOCK: ParsedDenialMessage = { form: 'setting', setting: 'ObjectLock' };

/** The message when its reason is an S3 setting (the last such reason: keys may hold the words). */
function settingMessage(
  principalArn: string,
  action: string,
  afterHead: string,
  after: number,
): ParsedDenialMessage | undefined {
  let found: { at: number; setting: S3SettingName } | undefined;
  for (const { pattern, setting } of SETTING_REASONS) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(afterHead); match !== null; match = pattern.exec(afterHead)) {
      if (found === undefined || match.index > found.at) found = { at: match.index, setting };
    }
  }
  if (found === undefined || found.at < after) return undefined;
  const named = parseResource(afterHead.slice(0, found.at));
  return named === undefined
    ? { form: 'setting', principalArn, action: internedAction(action), setting: found.setting }
    : {
        form: 'setting',
        principalArn,
        action: internedAction(action),
        resource: detached(named),
        setting: found.setting,
      };
}

function lastMatch(pattern: RegExp, text: string): { index: number; length: number } | undefined {
  // Messages are usually in the canonical spelling: find its last occurrence cheaply, then let the
  // regular expression look only at what follows it, so the result is the same as a full scan.
  const literal = CANONICAL_MARKERS.get(pattern);
  let from = 0;
  let last: { index: number; length: number } | undefined;
  if (literal !== undefined) {
    for (const candidate of literal) {
      const at = text.lastIndexOf(candidate);
      if (at >= 0 && (last === undefined || at > last.index)) last = { index: at, length: candidate.length };
    }
    if (last !== undefined) from = last.index + 1;
  }
  // `exec` from `lastIndex` sees the same matches as a scan of the rest (the markers look neither behind
  // nor at the start), without copying the text or cloning the expression as `matchAll` does.
  pattern.lastIndex = from;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    last = { index: match.index, length: match[0].length };
  }
  return last;
}

/** The usual spelling of each marker, as exact text. */
const CANONICAL_MARKERS: ReadonlyMap<RegExp, readonly string[]> = new Map([
  [IMPLICIT_MARKER, [' because no ']],
  [
    EXPLICIT_MARKER,
    [
      ' with an explicit deny in a ',
      ' with an explicit deny in an ',
      ' due to an explicit deny in a ',
      ' due to an explicit deny in an ',
    ],
  ],
]);

/** `on resource: "arn:aws:s3:::b/k"` (S3, quoted) or `on resource: arn:...` (older, unquoted). */
function parseResource(segment: string): string | undefined {
  const match = /^\s+on resource:\s*([\s\S]*)$/.exec(segment);
  if (match === null) return undefined;
  const raw = (match[1] ?? '').trim();
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) return raw.slice(1, -1);
  return raw === '' ? undefined : raw;
}

/** The phrases lower-cased once, longest first as in the table. */
const LOWER_PHRASES = policyTypePhrases.map((entry) => ({ ...entry, lower: entry.phrase.toLowerCase() }));
const LONGEST_PHRASE = Math.max(...policyTypePhrases.map((entry) => entry.phrase.length));

function readPolicyType(text: string): { type: MessagePolicyType; length: number } | undefined {
  const lower = text.slice(0, LONGEST_PHRASE).toLowerCase();
  for (const entry of LOWER_PHRASES) {
    if (lower.startsWith(entry.lower)) return { type: entry.type, length: entry.phrase.length };
  }
  return undefined;
}
