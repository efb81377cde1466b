/**
 * A multi-object delete (DeleteObjects: s3cmd's `rm --recursive` and `sync --delete-removed`, boto3's
 * `delete_objects`) that S3 answered 200: it reports each key it refused (AccessDenied) inside that
 * answer, which CloudTrail does not log, so the record looks like a success whatever S3 did. When the
 * policies that could allow the keys' s3:DeleteObject (s3:DeleteObjectVersion for a key sent with a
 * VersionId) are all given (the caller's, from the account snapshot, and the bucket's) and none allows
 * it on any of the keys, S3 refused them: the client may have reported success (s3cmd prints `delete:` for each key and exits 0), yet the keys were most likely
 * not deleted. The report says so in a warning, with the statement that would allow the deletes; no
 * denied event is made up, since the record shows none.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import type { CloudTrailRecord, Principal } from '../cloudtrail/types.js';
import { evaluate } from '../policy/evaluate.js';
import { type CompiledPolicy, resourceKey } from '../policy/parsePolicy.js';
import type { AuthorizationRequest, EvaluationResult, PolicyType } from '../policy/types.js';
import { authorizationChecksFor } from '../s3/authorizationChecks.js';
import { bucketOwnerOf } from '../s3/requestContext.js';
import type { S3AuthorizationCheck } from '../s3/types.js';
import { shellWord } from '../shell.js';
import { callerById } from './callerById.js';
import type { ExplainContext } from './context.js';
import { isUnknownIn, isUnloggedKey } from './denyAdvice.js';
import { grantRequestOf, minimalStatements } from './minimalStatements.js';
import type { PolicyResolver } from './policyResolver.js';
import type { ExplainWarning } from './report.js';

const DELETE_OBJECTS = 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html';

/** The warning's code in the report's `warnings`. */
export const REFUSED_BATCH_DELETE = 'deleteObjects.keysRefused';

/** The warning's code when more batch deletes could be checked than are kept. */
export const BATCH_DELETES_NOT_CHECKED = 'deleteObjects.notChecked';

/**
 * How many successful batch deletes on buckets whose policy is given a batch keeps to check (each is a
 * record's few checks).
 */
export const BATCH_DELETES_KEPT = 1000;

/** The warning that `count` batch deletes past {@link BATCH_DELETES_KEPT}, from `input` on, were not checked. */
export function batchDeletesNotChecked(count: number, input: string): ExplainWarning {
  return {
    input,
    code: BATCH_DELETES_NOT_CHECKED,
    message: `Only the first ${BATCH_DELETES_KEPT.toLocaleString('en-US')} DeleteObjects S3 answered 200 on buckets whose policy is given were checked for keys the visible policies refuse (${REFUSED_BATCH_DELETE}); ${count.toLocaleString('en-US')} more, from ${input} on, were not: give fewer events (a shorter time, or these files alone) to check them.`,
  };
}

/** A DeleteObjects S3 answered 200, as far as the check needs it. */
export interface BatchDelete {
  /** The input the record was read from. */
  readonly input: string;
  readonly eventId: string;
  readonly eventTime: string;
  readonly principal: Principal;
  readonly bucket: string;
  /** The bucket owner's account, when the record's resources name it. */
  readonly owner: string | undefined;
  /** Its s3:DeleteObject (or s3:DeleteObjectVersion) checks: one per logged key, or the bucket's `/*`. */
  readonly checks: readonly S3AuthorizationCheck[];
}

/** The batch delete of a DeleteObjects record S3 answered 200, or `undefined` when it names no bucket. */
export function batchDeleteOf(record: CloudTrailRecord, input: string): BatchDelete | undefined {
  const mapped = authorizationChecksFor(record);
  if (!mapped.ok) return undefined;
  const checks = mapped.checks.filter(
    (c) => c.kind === 's3' && c.bucket !== undefined && c.accessPoint === undefined,
  );
  const bucket = checks[0]?.bucket;
  if (bucket === undefined) return undefined;
  const owner = bucketOwnerOf(record);
  return {
    input,
    eventId: record.eventId,
    eventTime: record.eventTime,
    principal: record.principal,
    bucket,
    owner: owner?.from === 'resources' ? owner.account : undefined,
    checks,
  };
}

/**
 * The resources to ask for a check of `action`: its object, or for a check of every object (the record
 * logs no key) one object under each place an Allow of the visible policies names in the bucket (`dst/*`
 * gives `dst/x`), and one at its root. `undefined` when an Allow's resource cannot be turned into an
 * object of the bucket so (a policy variable, a wildcard in the bucket's name), which might allow some key.
 */
function probesOf(
  check: S3AuthorizationCheck,
  action: string,
  policies: readonly CompiledPolicy[],
): string[] | undefined {
  if (check.anyKey !== true) return [check.resource];
  const base = check.resource.slice(0, -1); // `arn:aws:s3:::bucket/`
  const probes = new Set([`${base}permission-auditor-probe`]);
  for (const policy of policies)
    for (const { statement } of policy.candidateStatements(action.toLowerCase(), resourceKey(`${base}x`))) {
      if (statement.effect !== 'Allow') continue;
      if (statement.notResource) return undefined;
      for (const pattern of statement.resources) {
        if (pattern.template !== undefined) return undefined;
        const raw = pattern.raw;
        if (raw === '*') continue;
        if (!raw.startsWith(base)) {
          // `arn:aws:s3:::*`, `arn:aws:s3:::data-*/in/*`: some other object might match it.
          if (/[*?]/.test(raw) && base.startsWith(raw.slice(0, raw.search(/[*?]/)))) return undefined;
          continue;
        }
        probes.add(raw.replace(/[*?]/g, 'x'));
      }
    }
  return [...probes];
}

/**
 * The actions a check's keys may have been deleted under. A key sent with a VersionId is authorized as
 * s3:DeleteObjectVersion (a version purge, as boto3's `bucket.object_versions.delete()`, sends only
 * such keys); a record that logs no keys does not show which were sent, so either action allowed may
 * have deleted some.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 */
function actionsOf(check: S3AuthorizationCheck): readonly string[] {
  return check.anyKey === true && check.action === 's3:DeleteObject'
    ? ['s3:DeleteObject', 's3:DeleteObjectVersion']
    : [check.action];
}

/**
 * Whether the visible policies may allow the request: they allow it, or each policy type that fails to
 * allow it has an Allow that fails only on conditions on keys the record cannot show (`aws:PrincipalOrgID`,
 * `aws:SourceVpc` behind an endpoint: unverifiable, not unmet, as the findings read them). In the bucket
 * owner's account such an Allow of the bucket policy may grant the request on its own, whatever the
 * caller's other policies lack (SCPs and RCPs aside).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
function mayAllow(result: EvaluationResult, request: AuthorizationRequest): boolean {
  if (result.decision === 'Allowed') return true;
  if (result.decision !== 'ImplicitlyDenied') return false;
  const unverifiable = new Set<PolicyType>();
  for (const e of result.explanations) {
    const failures = e.conditionFailures ?? [];
    if (
      e.effect === 'Allow' &&
      e.mismatch === 'condition' &&
      failures.length > 0 &&
      failures.every((f) => f.requestValues.length === 0 && isUnknownIn(f.key.toLowerCase(), request))
    )
      unverifiable.add(e.policyType);
  }
  if (unverifiable.size === 0) return false;
  return result.missingAllowIn.every(
    (type) =>
      unverifiable.has(type) ||
      (!result.crossAccount && unverifiable.has('resource') && type !== 'scp' && type !== 'rcp'),
  );
}

/**
 * The warnings (each with its event's ID) for batch deletes whose keys the visible policies refuse: the caller's identity policies
 * are in the snapshot and the bucket policy is given (either could allow a delete), and no key of the
 * request (no object of the bucket, when the record does not log the keys) is allowed by them. A Deny
 * on a key the record does not log is not taken to apply (see `isUnloggedKey`), and an Allow on one is
 * taken to allow (see `mayAllow`); the policies not given (SCPs, RCPs, a session policy) could only
 * refuse more.
 */
export function refusedBatchDeletes(
  deletes: readonly BatchDelete[],
  context: ExplainContext,
  resolver: PolicyResolver,
): (ExplainWarning & { readonly eventId: string })[] {
  const warnings: (ExplainWarning & { readonly eventId: string })[] = [];
  for (const batch of deletes) {
    if (!context.bucketPolicies.has(batch.bucket)) continue;
    const principal = callerById(batch.principal, context.snapshot)?.principal ?? batch.principal;
    const resolved = resolver.resolve(principal, batch.bucket, batch.owner);
    if (!resolved.identityKnown || !resolved.bucketPolicyKnown) continue;
    const policies = [...resolved.set.identity, ...(resolved.set.resource ? [resolved.set.resource] : [])];
    const principalContext = Object.keys(resolved.context).length > 0 ? resolved.context : undefined;
    const refused = batch.checks.filter((check) =>
      actionsOf(check).every((action) => {
        const probes = probesOf(check, action, policies);
        if (probes === undefined) return false;
        return probes.every((resource) => {
          const request: AuthorizationRequest = {
            principal: resolved.enginePrincipal,
            action,
            resource,
            ...(batch.owner !== undefined ? { resourceAccount: batch.owner } : {}),
            context: check.context,
            ...(principalContext !== undefined ? { principalContext } : {}),
            unknownKeys: isUnloggedKey,
          };
          return !mayAllow(evaluate(resolved.set, request), request);
        });
      }),
    );
    if (refused.length === 0) continue;
    warnings.push({
      eventId: batch.eventId,
      input: batch.input,
      code: REFUSED_BATCH_DELETE,
      message: refusedMessage(batch, principal, refused),
    });
  }
  return warnings;
}

function refusedMessage(
  batch: BatchDelete,
  principal: Principal,
  refused: readonly S3AuthorizationCheck[],
): string {
  const who = principal.arn ?? principal.policyPrincipalArn ?? principal.name ?? 'the caller';
  const anyKey = refused.some((c) => c.anyKey === true);
  // Unlogged keys: neither action is allowed (see actionsOf).
  const actions = anyKey
    ? 'neither s3:DeleteObject nor s3:DeleteObjectVersion (the action for a key sent with a VersionId)'
    : [...new Set(refused.map((c) => c.action))].join(' and ');
  const keyed = batch.checks.filter((c) => c.key !== undefined);
  const which = anyKey
    ? `on any object of bucket ${batch.bucket} (the record does not log which keys it named)`
    : refused.length === keyed.length
      ? `on none of the ${keyed.length === 1 ? 'key' : `${keyed.length} keys`} it named in bucket ${batch.bucket}`
      : `on ${refused.length} of the ${keyed.length} keys it named in bucket ${batch.bucket} (${refused
          .slice(0, 5)
          .map((c) => shellWord(c.key ?? ''))
          .join(', ')}${refused.length > 5 ? ', …' : ''})`;
  const grant = minimalStatements(refused.map(grantRequestOf));
  const statement = JSON.stringify(grant.length === 1 ? grant[0] : grant);
  const they = anyKey || refused.length === keyed.length ? 'its keys' : 'those keys';
  const versions = anyKey
    ? ' (for keys sent with a VersionId, the action is s3:DeleteObjectVersion instead)'
    : '';
  return `DeleteObjects by ${who} at ${batch.eventTime} (event ${batch.eventId}) succeeded as CloudTrail records it (HTTP 200), but the visible policies (the caller's in the account snapshot, and the bucket policy of ${batch.bucket}) allow ${actions} ${which}: S3 answers a multi-object delete with 200 and lists each key it refused (AccessDenied) in the response body, which CloudTrail does not log, so ${they} were most likely not deleted, even if the client reported them deleted (${DELETE_OBJECTS}). A statement that would allow the deletes, for the caller's identity policy (not verified: no denied event shows the request): ${statement}${versions}.`;
}
