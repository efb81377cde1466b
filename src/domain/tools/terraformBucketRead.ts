/**
 * The Terraform AWS provider's `aws_s3_bucket` resource reads the bucket's whole configuration on every
 * plan, refresh and apply, one call after another, and stops at the first that fails with an error it
 * does not expect (AccessDenied among them): a role granted some of those reads fails on the next one,
 * and granting them one failed run at a time takes up to fourteen runs. The profile is every read, so
 * that one change lets the plan through.
 *
 * The reads, in the provider's order (`resourceBucketRead` in internal/service/s3/bucket.go, provider
 * v5 and v6, then the tags, `bucketListTags` in internal/service/s3/tags.go): HeadBucket, GetBucketPolicy,
 * GetBucketAcl, GetBucketCors, GetBucketWebsite, GetBucketVersioning, GetBucketAccelerateConfiguration,
 * GetBucketRequestPayment, GetBucketLogging, GetBucketLifecycleConfiguration, GetBucketReplication,
 * GetBucketEncryption, GetObjectLockConfiguration, the bucket's region (a HEAD of the bucket again), and
 * GetBucketTagging. Only "not found" and "not implemented" answers are let through.
 *
 * Its `aws_s3_object` resource reads each object the same way: a HEAD of the object (s3:GetObject), then
 * its tags (GetObjectTagging, s3:GetObjectTagging), which a policy written for uploads and downloads
 * seldom grants (`resourceObjectRead` in internal/service/s3/object.go; `objectListTags` in tags.go).
 *
 * The provider's user agent names it (`… Terraform/1.11.4 (+https://www.terraform.io)
 * terraform-provider-aws/5.98.0 (+https://registry.terraform.io/providers/hashicorp/aws) …`); Terraform's
 * own S3 backend sends the Terraform part alone (see terraformBackend.ts).
 *
 * @see https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/s3/bucket.go (resourceBucketRead)
 * @see https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/s3/tags.go (bucketListTags)
 * @see https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/s3/object.go (resourceObjectRead)
 * @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket
 */
import type { PolicyStatement } from '../explain/report.js';
import type { ToolProfile } from './jobCalls.js';
import { bucketArnOf, literalArnPart } from './jobResourceArns.js';

const SOURCE =
  'https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/s3/bucket.go (resourceBucketRead)';
const OBJECT_SOURCE =
  'https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/s3/object.go (resourceObjectRead)';

/** Whether the user agent is the Terraform AWS provider's (not Terraform's own S3 backend). */
export function isTerraformAwsProviderAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /(?:^|\s)terraform-provider-aws\/\S+/i.test(userAgent);
}

/**
 * The IAM action of each read, in the provider's order. HeadBucket (the first read, and the region
 * lookup) is s3:ListBucket.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
export const AWS_S3_BUCKET_READ_ACTIONS: readonly string[] = [
  's3:ListBucket',
  's3:GetBucketPolicy',
  's3:GetBucketAcl',
  's3:GetBucketCORS',
  's3:GetBucketWebsite',
  's3:GetBucketVersioning',
  's3:GetAccelerateConfiguration',
  's3:GetBucketRequestPayment',
  's3:GetBucketLogging',
  's3:GetLifecycleConfiguration',
  's3:GetReplicationConfiguration',
  's3:GetEncryptionConfiguration',
  's3:GetBucketObjectLockConfiguration',
  's3:GetBucketTagging',
];

/** The reads only `aws_s3_bucket` makes: a refused HeadBucket alone could come from any bucket lookup. */
const CONFIGURATION_READS: ReadonlySet<string> = new Set(
  AWS_S3_BUCKET_READ_ACTIONS.filter((action) => action !== 's3:ListBucket').map((a) => a.toLowerCase()),
);

/** The IAM actions of `aws_s3_object`'s reads of an object, in the provider's order. */
export const AWS_S3_OBJECT_READ_ACTIONS: readonly string[] = ['s3:GetObject', 's3:GetObjectTagging'];

export interface TerraformBucketReadInput {
  readonly bucket: string;
  /** The bucket's partition (`aws-cn`, `aws-us-gov`…); `aws` when absent. */
  readonly partition?: string;
  /** IAM actions refused on the bucket itself in the finding. */
  readonly deniedActions: Iterable<string>;
  /** Keys whose s3:GetObjectTagging was refused in the finding (objects that `aws_s3_object` manages). */
  readonly taggingKeys?: Iterable<string>;
}

/**
 * Every read of `aws_s3_bucket` on the bucket, when one of the refused actions is one of its
 * configuration reads, and every read of `aws_s3_object` on the objects whose tags were refused
 * (`undefined` when neither shows: nothing shows those resources).
 */
export function terraformBucketReadProfile(input: TerraformBucketReadInput): ToolProfile | undefined {
  const refused = [...input.deniedActions].filter((action) => CONFIGURATION_READS.has(action.toLowerCase()));
  const keys = [...new Set(input.taggingKeys ?? [])].sort();
  if (refused.length === 0 && keys.length === 0) return undefined;
  const bucketArn = bucketArnOf(input.bucket, input.partition);
  const statements: PolicyStatement[] = [];
  const notes: string[] = [];
  if (refused.length > 0) {
    statements.push({
      Sid: 'TerraformS3BucketRead',
      Effect: 'Allow',
      Action: [...AWS_S3_BUCKET_READ_ACTIONS],
      Resource: [bucketArn],
    });
    notes.push(...bucketNotes(refused));
  }
  if (keys.length > 0) {
    statements.push({
      Sid: 'TerraformS3ObjectRead',
      Effect: 'Allow',
      Action: [...AWS_S3_OBJECT_READ_ACTIONS],
      Resource: keys.map((key) => `${bucketArn}/${literalArnPart(key)}`),
    });
    notes.push(
      `The Terraform AWS provider's aws_s3_object resource reads each object it manages with a HEAD (s3:GetObject) and then its tags (s3:GetObjectTagging), on every plan, refresh and apply, and fails when either is refused. Uploading it needs s3:PutObject, and s3:PutObjectTagging when it has tags (they go in the upload's x-amz-tagging header), s3:PutObjectAcl with acl; destroying it needs s3:DeleteObject. Source: ${OBJECT_SOURCE}.`,
    );
  }
  return { statements, notes, alternatives: [] };
}

function bucketNotes(refused: readonly string[]): string[] {
  return [
    `The Terraform AWS provider's aws_s3_bucket resource reads the bucket's whole configuration on every plan, refresh and apply (the bucket itself, then its policy, ACL, CORS, website, versioning, transfer acceleration, request payment, logging, lifecycle, replication, encryption and Object Lock configurations, its region and its tags) and stops at the first refused read (here ${refused.join(', ')}): granted one failed run at a time, they take up to fourteen runs. The profile grants every read at once. Source: ${SOURCE}, provider v5 and v6. A configuration that does not declare the bucket itself (no aws_s3_bucket, only resources such as aws_s3_bucket_policy, each of which reads its own setting) needs the minimal fix alone.`,
    'Creating or changing the bucket needs more: s3:CreateBucket, s3:PutBucketTagging for its tags, and the Put (and Delete) actions of each setting the configuration manages (aws_s3_bucket_versioning needs s3:PutBucketVersioning, aws_s3_bucket_policy s3:PutBucketPolicy, and so on); destroying it needs s3:DeleteBucket, and with force_destroy the object deletes too.',
  ];
}
