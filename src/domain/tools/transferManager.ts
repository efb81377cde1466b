/**
 * An AWS SDK's transfer manager (the Go SDK's feature/s3/manager Uploader, the Java SDK's S3 Transfer
 * Manager, and others), which marks its calls with the user agent feature `ft/s3-transfer`. Its uploads
 * of large files are multipart, and when one fails it calls AbortMultipartUpload to delete the parts it
 * uploaded (the Go Uploader does unless LeavePartsOnError is set): a separate action,
 * s3:AbortMultipartUpload, that a grant of s3:PutObject does not cover. Without it the parts of a failed
 * upload stay in the bucket, billed, until a lifecycle rule's AbortIncompleteMultipartUpload removes them.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpu-abort-incomplete-mpu-lifecycle-config.html
 */
import { grantRequestOf, minimalStatements } from '../explain/minimalStatements.js';
import type { PolicyStatement } from '../explain/report.js';
import type { S3AuthorizationCheck } from '../s3/types.js';

const ABORT_DOC = 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html';
const LIFECYCLE_DOC =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpu-abort-incomplete-mpu-lifecycle-config.html';

/** The user agent feature an SDK transfer manager adds to its calls (`… api/s3#1.114.10 ft/s3-transfer m/G,Z,g`). */
const TRANSFER_FEATURE = /(?:^|[\s[])ft\/s3-transfer(?=[\s#/\]]|$)/;

/** Whether a user agent is an SDK transfer manager's (`ft/s3-transfer`). */
export function isTransferManager(userAgent: string | undefined): boolean {
  return userAgent !== undefined && TRANSFER_FEATURE.test(userAgent);
}

/** The upload calls of a multipart upload a transfer manager makes before its clean-up. */
const UPLOAD_CALLS: ReadonlySet<string> = new Set(['CreateMultipartUpload', 'UploadPart']);

interface TransferEvent {
  readonly eventName: string;
  readonly userAgent: string | undefined;
  readonly check: Pick<S3AuthorizationCheck, 'resource' | 'bucket' | 'key' | 'accessPoint' | 'anyKey'>;
}

/**
 * How the caller's visible policies decide s3:AbortMultipartUpload on a resource (an object pattern such
 * as `arn:aws:s3:::data/out/*`): `undefined` when they cannot be evaluated (not in the input).
 */
export type AbortDecision = (
  resource: string,
) => 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' | undefined;

/**
 * What a finding says of a transfer manager's refused calls:
 * - a refused CreateMultipartUpload or UploadPart: the manager aborts the upload when it fails, which
 *   needs s3:AbortMultipartUpload. It is scoped as the fix's s3:PutObject is (the prefix the next upload,
 *   a new key, falls in too), else as a fix for the refused uploads would be, and evaluated there with
 *   the caller's visible policies: nothing is said when they allow it; a Deny that refuses it is named
 *   as one; a missing Allow is offered beside the fix, not in it (the fix stays what the refused
 *   requests need);
 * - a refused AbortMultipartUpload alone: the clean-up of an upload that failed for another reason.
 * `undefined` for another client, or (for an upload) a fix that already grants s3:AbortMultipartUpload. `fix` is the
 * fix's statements, `undefined` when there is none.
 */
export function transferManagerCaveat(
  events: readonly TransferEvent[],
  fix: readonly PolicyStatement[] | undefined,
  abortDecision: AbortDecision = () => undefined,
): string | undefined {
  const fixStatements = fix ?? [];
  const transfer = events.filter((e) => isTransferManager(e.userAgent));
  if (transfer.length === 0) return undefined;
  if (events.every((e) => e.eventName === 'AbortMultipartUpload'))
    return `AbortMultipartUpload is the only refused request, and the client is an AWS SDK transfer manager (its user agent carries ft/s3-transfer), which calls it to delete the parts of an upload that has failed: that upload failed for another reason, which no refused request here shows (an error reading the source, a cancelled or timed-out call, or a refusal not in the input). Granting s3:AbortMultipartUpload lets the clean-up through, so the parts do not stay behind, billed (${ABORT_DOC}); it does not make the upload succeed: look for its error in the job's own output.`;
  if (fixStatements.some((s) => s.Action.some((a) => a.toLowerCase() === 's3:abortmultipartupload')))
    return undefined;
  const uploads = transfer.filter((e) => UPLOAD_CALLS.has(e.eventName));
  if (uploads.length === 0) return undefined;
  const granted = fixStatements
    .filter((s) => s.Action.some((a) => a.toLowerCase() === 's3:putobject'))
    .flatMap((s) => s.Resource);
  // No fix to follow: the objects a fix for the refused uploads would grant (their directory, which the
  // next upload's new key falls in too), not the refused keys alone.
  const scoped =
    granted.length > 0
      ? granted
      : minimalStatements(uploads.map((e) => grantRequestOf({ ...e.check, action: 's3:PutObject' }))).flatMap(
          (s) => s.Resource,
        );
  const resources = [...new Set(scoped)];
  const decisions = resources.map(abortDecision);
  if (decisions.every((d) => d === 'Allowed')) return undefined;
  const on = `s3:AbortMultipartUpload on ${resources.join(', ')}`;
  const head = `The client is an AWS SDK transfer manager (its user agent carries ft/s3-transfer): when an upload fails, it calls AbortMultipartUpload to delete the parts it uploaded, which needs s3:AbortMultipartUpload, an action of its own that s3:PutObject does not cover (${ABORT_DOC}).`;
  const billed = `the parts of a failed upload stay in the bucket, billed, until a lifecycle rule's AbortIncompleteMultipartUpload removes them (${LIFECYCLE_DOC})`;
  if (decisions.includes('ExplicitlyDenied'))
    return `${head} A Deny in the visible policies refuses ${on}, which no Allow lifts: while it stays, ${billed}. Only a change to that Deny lets the clean-up through.`;
  const add =
    fix === undefined
      ? 'once the upload is let through, grant it too'
      : "add it to the fix's s3:PutObject statement (the same Resource)";
  if (decisions.includes(undefined))
    return `${head} The input does not show whether the caller's policies allow ${on}: if they do not, ${add} so that a failed upload cleans up after itself; without it, ${billed}.`;
  return `${head} The visible policies do not allow ${on}: ${add} so that a failed upload cleans up after itself; without it, ${billed}.`;
}
