/**
 * A job profile for a job that works through an S3 access point. The profiles are written for a bucket
 * (`arn:aws:s3:::bucket`, `arn:aws:s3:::bucket/dir/*`); through an access point, identity policies grant
 * the access point's ARNs instead (`…:accesspoint/name`, `…:accesspoint/name/object/dir/*`), and only the
 * bucket-level actions that take an access point can be made through one at all.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-resources-for-iam-policies
 */
import type { JobProfile, PolicyStatement } from '../explain/report.js';

/**
 * Bucket-level actions the Service Authorization Reference defines on the `accesspoint` resource type
 * (apart from those that manage access points). Object-level actions take `accesspointobject`, all but
 * replication and torrent ones, which no job profile holds.
 */
export const ACCESS_POINT_BUCKET_ACTIONS: ReadonlySet<string> = new Set([
  's3:GetBucketAcl',
  's3:GetBucketCORS',
  's3:GetBucketLocation',
  's3:GetBucketNotification',
  's3:GetBucketPolicy',
  's3:ListBucket',
  's3:ListBucketVersions',
]);

const LOWER_BUCKET_ACTIONS: ReadonlySet<string> = new Set(
  [...ACCESS_POINT_BUCKET_ACTIONS].map((action) => action.toLowerCase()),
);

/** `text` with the bucket's ARNs written as the access point's: `bucket/...` as `…/object/...`. */
function onAccessPoint(text: string, bucketArn: string, accessPointArn: string): string {
  return text
    .split(`${bucketArn}/`)
    .join(`${accessPointArn}/object/`)
    .replace(
      // The bucket ARN itself, not a longer bucket name that starts with it.
      new RegExp(`${bucketArn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z0-9.-])`, 'g'),
      accessPointArn,
    );
}

/**
 * The profile with the bucket's resources replaced by the access point's, and without the bucket
 * actions an access point does not take (s3:CreateBucket, s3:DeleteBucket…), which a note names.
 * Statements on other buckets and on `*` are kept as they are.
 */
export function profileThroughAccessPoint(
  profile: JobProfile,
  bucketArn: string,
  accessPoint: { readonly arn: string; readonly name: string; readonly multiRegion?: boolean },
): JobProfile {
  const dropped = new Set<string>();
  const statements: PolicyStatement[] = [];
  for (const statement of profile.statements) {
    if (!statement.Resource.some((r) => r === bucketArn || r.startsWith(`${bucketArn}/`))) {
      statements.push(statement);
      continue;
    }
    const onBucket = statement.Resource.includes(bucketArn);
    const actions = onBucket
      ? statement.Action.filter((action) => {
          const kept = LOWER_BUCKET_ACTIONS.has(action.toLowerCase());
          if (!kept) dropped.add(action);
          return kept;
        })
      : statement.Action;
    if (actions.length === 0) continue;
    statements.push({
      ...statement,
      Action: actions,
      Resource: statement.Resource.map((r) => onAccessPoint(r, bucketArn, accessPoint.arn)),
    });
  }
  const leftOut = dropped.size > 0 ? [...dropped].sort().join(', ') : undefined;
  // A Multi-Region Access Point's ARNs are named as an access point's, without a Region; its policy and
  // the policy of the bucket a request is routed to apply as an access point's and its bucket's do
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointPermissions.html).
  const note =
    accessPoint.multiRegion === true
      ? `The job went through Multi-Region Access Point ${accessPoint.name}: the profile grants its ARNs (${accessPoint.arn}, and ${accessPoint.arn}/object/… for objects) instead of the bucket's${leftOut !== undefined ? `, and leaves out ${leftOut}, bucket actions an access point does not take` : ''}. The Multi-Region Access Point's policy and the policy of each bucket it routes requests to must allow the same requests (for a caller of the account that owns them, AWS documents that the identity-based policy is enough).`
      : `The job went through access point ${accessPoint.name}: the profile grants its ARNs (${accessPoint.arn}, and ${accessPoint.arn}/object/… for objects) instead of the bucket's${leftOut !== undefined ? `, and leaves out ${leftOut}, which cannot be made through an access point` : ''}. The access point's policy and the bucket policy must allow the same requests.`;
  return {
    ...profile,
    statements,
    notes: [note, ...profile.notes.map((n) => onAccessPoint(n, bucketArn, accessPoint.arn))],
  };
}
