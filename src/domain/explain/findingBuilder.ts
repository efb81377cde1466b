import { eventTimeMillis } from '../cloudtrail/eventTime.js';
import { principalIdKind } from '../cloudtrail/principal.js';
import type { MessagePolicyType, Principal } from '../cloudtrail/types.js';
import { partitionOfArn } from '../policy/arnPartition.js';
import { createReusableResults, evaluate, evaluateReusing, type PolicySet } from '../policy/evaluate.js';
import type { CompiledPolicy, CompiledStatement } from '../policy/parsePolicy.js';
import type {
  AuthorizationRequest,
  ContextValue,
  Decision,
  EvaluationResult,
  PolicyProblem,
  PolicyType,
  StatementRef,
} from '../policy/types.js';
import { contextForAction, NETWORK_CONTEXT_KEYS } from '../s3/requestContext.js';
import {
  accessPointAliasCaveat,
  accessPointAliasKind,
  isMultiRegionAccessPointArn,
  isS3Action,
} from '../s3/s3Location.js';
import {
  DECRYPT_HIDDEN,
  DEFAULT_KEY_NOTE,
  HEAD_DECRYPT_HIDDEN,
  MISSING_KEY_403,
  s3OperationFor,
} from '../s3/s3Operations.js';
import type { S3AuthorizationCheck } from '../s3/types.js';
import { shellWord } from '../shell.js';
import type { MissingPolicy } from '../snapshot/types.js';
import { profileThroughAccessPoint } from '../tools/accessPointProfile.js';
import { awsCliAlternatives, awsCliJobProfile, type MoveSource } from '../tools/awsCliProfile.js';
import { duplicityProfile, isDuplicityFile } from '../tools/duplicityProfile.js';
import { isObjectWrite } from '../tools/jobCalls.js';
import {
  bucketArnOf,
  holdsReplacedCharacter,
  isInsidePrefix,
  objectKeyOf,
  replacedCharacters,
  unsayableCharactersCaveat,
} from '../tools/jobResourceArns.js';
import {
  isMountpointAgent,
  isReadOnlyMountpointAgent,
  mountpointProfile,
} from '../tools/mountpointProfile.js';
import { rcloneAdvice } from '../tools/rcloneProfile.js';
import {
  copyToDestinationCaveat,
  jobPaths,
  loneRootProbeCaveat,
  mayBeRootProbe,
  rootDirectories,
  rootProbeCaveat,
  rootProbeEffect,
  rootProbes,
} from '../tools/rcloneRootProbe.js';
import { isResticAgent, resticProfile } from '../tools/resticProfile.js';
import { isS3aAgent, s3aProfile } from '../tools/s3aProfile.js';
import { isS3fsAgent, s3fsProfile } from '../tools/s3fsProfile.js';
import { isTerraformBackendAgent, terraformBackendProfile } from '../tools/terraformBackend.js';
import { isTerraformAwsProviderAgent, terraformBucketReadProfile } from '../tools/terraformBucketRead.js';
import { transferManagerCaveat } from '../tools/transferManager.js';
import { detectClient } from '../tools/userAgent.js';
import { objectAclCaveat } from './accessManagement.js';
import {
  aclHeadersOf,
  bucketOwnerFullControlRequired,
  OWNER_FULL_CONTROL,
  ownerFullControlSetting,
  withOwnerFullControl,
  withoutAclDroppingAlternatives,
} from './aclRequirement.js';
import type { ExplainContext } from './context.js';
import {
  checksOf,
  type DeniedEvent,
  isBypassRefusedNote,
  isSettingNote,
  isVpceRefusal,
  OBJECT_LOCK_BYPASS_DENIED_NOTE,
  OBJECT_LOCK_BYPASS_REFUSED_NOTE,
  OBJECT_LOCK_BYPASSED_NOTE,
  OBJECT_LOCK_NOTE,
  parseS3ResourceArn,
  vpcEndpointOwnerClause,
} from './deniedEvent.js';
import {
  denyCaveats,
  describeStatement,
  insecureTransportDenies,
  isUnloggedKey,
  plainHttpDenies,
  type UnloggedKeyDeny,
  unloggedKeyDenies,
} from './denyAdvice.js';
import {
  conditionGuardCaveats,
  type DeniedRequestForFix,
  type FixInput,
  fullVersionsCaveat,
  proposeFix,
  serviceLinkedRefusal,
  unverifiableAllowIn,
} from './fix.js';
import {
  type CallEvidence,
  type ContextListing,
  contextListings,
  listingCommand,
  MISSING_KEYS_KEPT,
  type SucceededCalls,
  type TimedListing,
  timedListings,
  uniqueIdOf,
} from './grouping.js';
import {
  bucketPolicyOnly,
  guardrailNote,
  noProfileCaveat,
  trimProfile,
  type UnconditionalDeny,
} from './guardrailProfile.js';
import {
  aliasResourceCaveats,
  answeredKmsNotes,
  bucketKeyCaveat,
  callerSide,
  callerSideRefusalCaveat,
  canHoldKmsGrant,
  copySourceArn,
  describeKmsCalls,
  type EvaluatedKmsCall,
  evaluateKmsCalls,
  grantsKeyUse,
  isCopy,
  KEY_ARN,
  type KeyScopeMiss,
  type KmsCall,
  type KmsFixOutcome,
  keyAccountOf,
  keyPolicyCalls,
  keyPolicyNeeds,
  keyScopeOf,
  keyUseInFixCaveat,
  kmsCallsOf,
  kmsNoFixCaveat,
  kmsRefusalCaveat,
  kmsRows,
  kmsStatements,
  narrowerKeyScopes,
  proposeKmsFix,
  statementsText,
  withKeyUse,
  withKeyUseStatements,
} from './kmsCallerSide.js';
import { type KeyUse, keyPolicyCaveat, type ServiceSource } from './kmsKeyPolicy.js';
import {
  cannedAclOf,
  commonDirectory,
  datedDirectories,
  datedDirectoryCaveat,
  minimalStatements,
  rootLevelKeysCaveat,
  separateDirectories,
  topLevelPlaces,
  wholeBucketCaveat,
} from './minimalStatements.js';
import { type NearMiss, nearMisses } from './nearMisses.js';
import { inSnapshotAccount, type PolicyResolver, type ResolvedPolicies } from './policyResolver.js';
import { principalAdvice } from './principalAdvice.js';
import { aclNote, blockPublicAccessItem, objectOwnershipItem } from './publicAccess.js';
import type {
  Alternative,
  DeniedByRef,
  Finding,
  FindingCause,
  FindingRequest,
  Fix,
  JobProfile,
  PolicyStatement,
} from './report.js';
import { BUCKET_POLICY_NOT_GIVEN, CAUSE_PHRASE, giveBucketPolicy, summarise } from './summary.js';
import {
  andList,
  couldRefuse,
  problemPlace,
  problemsOf,
  type UncheckedKinds,
  unreadCaveats,
  unseenByArn,
  unseenName,
  unseenPolicyCaveat,
  withUncheckedKinds,
  withUnreadStatements,
  withUnseenPolicies,
} from './unseenPolicies.js';

interface EvaluatedCheck {
  readonly event: DeniedEvent;
  readonly check: S3AuthorizationCheck;
  readonly request: AuthorizationRequest;
  readonly result?: EvaluationResult;
  readonly decision: Decision | 'Unknown';
  /**
   * The policies it was evaluated with when they are not the finding's: a request on another bucket than
   * the finding's (a copy's source) is evaluated with that bucket's policy.
   */
  readonly set?: PolicySet;
}

/** The policies a request on another bucket than its finding's is evaluated with (see {@link EvaluatedCheck.set}). */
interface OtherBucketPolicies {
  readonly resolved: ResolvedPolicies;
  readonly set: PolicySet;
  readonly reusable: ReturnType<typeof createReusableResults>;
}

const NO_NAMES: ReadonlySet<string> = new Set();
const NO_CHECKS: ReadonlySet<EvaluatedCheck> = new Set();

/** aws-cli high-level commands and the job kind they are. */
const AWS_CLI_OPERATION: Readonly<Record<string, JobProfile['operation']>> = {
  's3.cp': 'copy',
  's3.sync': 'sync',
  's3.mv': 'move',
};

const EXPLICIT_CAUSE: Readonly<Record<PolicyType, FindingCause>> = {
  identity: 'identity-explicit-deny',
  resource: 'resource-policy-explicit-deny',
  'permissions-boundary': 'boundary-explicit-deny',
  scp: 'scp-explicit-deny',
  rcp: 'rcp-explicit-deny',
  session: 'session-policy',
};

/** Which missing Allow explains a denial first: organisation controls, then the resource side, then identity. */
const MISSING_CAUSE: readonly (readonly [PolicyType, FindingCause])[] = [
  ['scp', 'scp-missing-allow'],
  ['rcp', 'rcp-missing-allow'],
  ['resource', 'resource-policy-missing-allow'],
  ['identity', 'identity-missing-allow'],
  ['permissions-boundary', 'boundary-missing-allow'],
  ['session', 'session-policy'],
];

/** A policy AWS's message names for a KMS call (a resource-based policy there is the key policy). */
const MESSAGE_POLICY_WORDS: Readonly<Record<MessagePolicyType, string>> = {
  identity: 'an identity-based policy',
  resource: 'the key policy',
  'permissions-boundary': 'the permissions boundary',
  session: 'the session policy',
  scp: 'a service control policy',
  rcp: 'a resource control policy',
  'vpc-endpoint': 'the VPC endpoint policy',
};

/** {@link MESSAGE_POLICY_WORDS} without the article: `no ${bare} allows`. */
function bareWords(type: MessagePolicyType): string {
  return MESSAGE_POLICY_WORDS[type].replace(/^(an?|the) /, '');
}

/**
 * Who must allow S3's call to KMS when AWS's message says a kind of policy does not (an implicit denial;
 * the key policy's own refusal is said apart).
 */
const KEY_USE_ALLOWED_BY: Readonly<Record<MessagePolicyType, string>> = {
  identity: "the caller's identity-based policies must allow it",
  resource: 'the key policy must allow it',
  'permissions-boundary':
    "the caller's permissions boundary must allow it as well as its identity-based policies",
  session: 'the session policy passed when the role was assumed must allow it as well as the role',
  scp: "an SCP allow list (at the organization's root, an OU or the account) lacks it, which only the management account or a delegated administrator can add, and the caller's side must allow it",
  rcp: 'a resource control policy must allow it',
  'vpc-endpoint': 'the VPC endpoint policy the request came through must allow it',
};

/** The kind of policy AWS's message names, in words for an S3 request (`the ${KIND} says…`). */
const MESSAGE_KIND: Readonly<Record<MessagePolicyType, string>> = {
  identity: 'identity-based policies',
  resource: 'resource-based policy (the bucket policy)',
  'permissions-boundary': 'permissions boundary',
  session: 'session policy',
  scp: 'service control policies',
  rcp: 'resource control policies',
  'vpc-endpoint': 'VPC endpoint policy',
};

/**
 * {@link MESSAGE_KIND}, for a request made through the access point `accessPoint` (its ARN): there the
 * resource-based policy AWS's message names is the access point's as well as the bucket's.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
 */
function messageKind(type: MessagePolicyType, accessPoint: string | undefined): string {
  return type === 'resource' && accessPoint !== undefined && !isMultiRegionAccessPointArn(accessPoint)
    ? "resource-based policy (the access point's policy or the bucket policy)"
    : MESSAGE_KIND[type];
}

/** The account and name of an access point, from its ARN (`arn:aws:s3:region:account:accesspoint/name`). */
function accessPointParts(arn: string): { readonly account: string; readonly name: string } {
  return { account: arn.split(':')[4] ?? '', name: arn.slice(arn.indexOf(':accesspoint/') + 13) };
}

/** The policy type of a `deniedBy` entry for the kind of policy AWS's message names (a VPC endpoint policy has none). */
const REF_TYPE_OF_MESSAGE: Readonly<Record<MessagePolicyType, PolicyType | undefined>> = {
  identity: 'identity',
  resource: 'resource',
  'permissions-boundary': 'permissions-boundary',
  session: 'session',
  scp: 'scp',
  rcp: 'rcp',
  'vpc-endpoint': undefined,
};

const MESSAGE_CAUSE: Readonly<Record<MessagePolicyType, readonly [FindingCause, FindingCause]>> = {
  identity: ['identity-missing-allow', 'identity-explicit-deny'],
  resource: ['resource-policy-missing-allow', 'resource-policy-explicit-deny'],
  'permissions-boundary': ['boundary-missing-allow', 'boundary-explicit-deny'],
  session: ['session-policy', 'session-policy'],
  scp: ['scp-missing-allow', 'scp-explicit-deny'],
  rcp: ['rcp-missing-allow', 'rcp-explicit-deny'],
  'vpc-endpoint': ['vpc-endpoint-policy', 'vpc-endpoint-policy'],
};

/**
 * The client of a group's requests: the tool most of them came from (the first of those in time), so
 * that an unrelated command in the same window (an `aws s3 ls` before an rclone job) does not decide the
 * job profile. Requests of several tools are said in a caveat.
 */
function groupClient(events: readonly DeniedEvent[], caveats: string[]): ReturnType<typeof detectClient> {
  const first = events[0]!;
  if (events.every((e) => e.userAgent === first.userAgent && e.fromConsole === first.fromConsole))
    return detectClient(first.userAgent, first.fromConsole);
  const byTool = new Map<string, { client: ReturnType<typeof detectClient>; count: number }>();
  for (const e of events) {
    const client = detectClient(e.userAgent, e.fromConsole);
    const entry = byTool.get(client.tool);
    if (entry === undefined) byTool.set(client.tool, { client, count: 1 });
    else entry.count++;
  }
  let chosen = byTool.get(detectClient(first.userAgent, first.fromConsole).tool)!;
  for (const entry of byTool.values()) if (entry.count > chosen.count) chosen = entry;
  if (byTool.size > 1)
    caveats.push(
      `These requests came from ${byTool.size} clients (${[...byTool.entries()].map(([tool, { count }]) => `${tool}: ${count}`).join(', ')}): the client and job profile are those of ${chosen.client.tool}, which made most of them. The profile is read from all of them, the others' included: check that its scope is the job's.`,
    );
  return chosen.client;
}

/**
 * What a Deny the evaluation could not apply says of requests the visible policies allow: one refusing
 * plain HTTP, for a record without tlsDetails, and those on keys CloudTrail does not log (`unlogged`).
 */
function hiddenDenyCaveats(
  events: readonly DeniedEvent[],
  evaluated: readonly EvaluatedCheck[],
  set: PolicySet,
  unlogged: ReturnType<typeof unloggedKeyDenies>,
): string[] {
  const caveats: string[] = [];
  // The evaluation takes a request without tlsDetails as not known to be plain HTTP; a TLS-only Deny
  // would refuse it if it was.
  // Each check's own policies: a copy's source is evaluated with its bucket's.
  const tlsOnly = insecureTransportDenies([
    set,
    ...evaluated.flatMap((e) => (e.set !== undefined ? [e.set] : [])),
  ]);
  if (tlsOnly.length > 0 && events.some((e) => e.check.context['aws:SecureTransport'] === undefined)) {
    caveats.push(
      `${tlsOnly.join(', ')} refuses requests not sent over HTTPS (aws:SecureTransport false), and this record has no tlsDetails, which CloudTrail's records (since eventVersion 1.08) carry for requests over TLS: if the request went over plain HTTP (an endpoint given as http://, or use_ssl off), that statement refused it. Send it over HTTPS.`,
    );
  }
  // Denies on keys the record cannot show (with an enhanced message, #allowedCause named those of its
  // policy type first).
  if (unlogged.length > 0)
    caveats.push(
      `${unlogged.map((u) => u.text).join('; ')}: CloudTrail does not log ${unlogged.length === 1 ? 'that key' : 'those keys'}, so the statement was taken not to apply; if the request met the condition, that statement refused it.`,
    );
  return caveats;
}

/**
 * The s3:ListBucket request of each refused read, when every refused request of the finding is a read
 * of one key of the bucket (GetObject, HeadObject, GetObjectAttributes) with the legacy "Access Denied",
 * which the visible policies allow: S3 answers such a read of a key that does not exist with 403 instead
 * of 404 when the caller lacks s3:ListBucket on the bucket. `undefined` otherwise (a message that names
 * the action, a read through an access point, of another bucket or with SSE-KMS checks of its own).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
function missingKeyListings(
  events: readonly DeniedEvent[],
  evaluated: readonly EvaluatedCheck[],
  bucket: string,
  bucketArn: string,
): { event: DeniedEvent; check: S3AuthorizationCheck }[] | undefined {
  if (evaluated.length === 0) return undefined;
  for (const e of evaluated)
    if (e.decision !== 'Allowed' || e.check.bucket !== bucket || e.check.accessPoint !== undefined)
      return undefined;
  const listings: { event: DeniedEvent; check: S3AuthorizationCheck }[] = [];
  for (const event of events) {
    if (event.message.form !== 'legacy' || !event.notes.includes(MISSING_KEY_403)) return undefined;
    if (event.kmsChecks.length > 0) return undefined;
    listings.push({
      event,
      check: {
        action: 's3:ListBucket',
        resource: bucketArn,
        context: contextForAction(event.check.context, 's3:ListBucket'),
        bucket,
        key: undefined,
        accessPoint: undefined,
        role: undefined,
        reason: `S3 answers ${event.eventName} of a key that does not exist with 403 to a caller without s3:ListBucket on the bucket`,
        kind: 's3',
      },
    });
  }
  return listings;
}

/** Reads of one key that S3 answers 403 for a missing key without s3:ListBucket (see MISSING_KEY_403). */
const READS_CHECKING_LISTING: ReadonlySet<string> = new Set([
  'GetObject',
  'HeadObject',
  'GetObjectAttributes',
]);

/**
 * What in the input shows that S3's 403 for a key that does not exist, to a caller without s3:ListBucket
 * (see {@link missingKeyListings}), is not why the reads were refused, said as the caveat that replaces
 * {@link MISSING_KEY_403}; `undefined` when nothing does:
 * - a ListObjects (V1 or V2) of the bucket that succeeded for the caller though the visible policies do
 *   not allow it (`visiblyAllowed` says which listings they do, each with its own prefix and network
 *   context): policies not visible here allow it s3:ListBucket, and S3 answers a missing key with 404 (a
 *   listing they allow, under an s3:prefix or aws:SourceVpce condition say, leaves the inference
 *   standing);
 * - a successful call of the caller that found a refused key or left an object at it (a GetObject or
 *   HeadObject, a PutObject, CopyObject to it, CompleteMultipartUpload or RestoreObject: FINDS_KEY), at
 *   or before the refusal and within the finding's window, with no successful delete of the key after it
 *   and at or before the refusal: the key existed.
 */
function missingKeyDisproof(
  events: readonly DeniedEvent[],
  principal: Principal,
  bucket: string,
  succeeded: SucceededCalls,
  windowMinutes: number,
  visiblyAllowed: (listing: ContextListing) => boolean,
): string | undefined {
  const listings = contextListings(succeeded.values('listings', principal, bucket));
  const unexplained = listings.find((listing) => !visiblyAllowed(listing));
  if (unexplained !== undefined) {
    const { prefix } = unexplained;
    return `For a key that does not exist S3 answers 403 AccessDenied rather than 404 to a caller without s3:ListBucket on the bucket, but that is not what refused ${events.length === 1 ? 'this read' : 'these reads'}: this caller's listing of ${bucket}${prefix !== undefined && prefix !== '' ? ` (prefix ${prefix})` : ''} succeeded in this input, which the visible policies do not allow, so policies not visible here allow it s3:ListBucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html, "Permissions"), and S3 answers a missing key with 404.`;
  }
  for (const event of events) {
    const key = event.objectKey;
    if (key === undefined) continue;
    const refused = eventTimeMillis(event.eventTime);
    // The latest read at or before the refusal: an earlier one is further from it, and a later one
    // (a reader polling for the file) says nothing of the key when it was refused.
    let found = succeeded.foundBefore(principal, bucket, key, refused);
    // A write in the same second may be the one that created the key after the refusal (check, then
    // write): only one strictly before it shows the key existed.
    if (found !== undefined && found.millis === refused && !READS_KEY.has(found.eventName))
      found = succeeded.foundBefore(principal, bucket, key, refused - 1);
    if (found === undefined) continue;
    // Deleted since (a delete in the same second as the read may have come before it): the key was
    // missing when refused, as the inference has it.
    if (succeeded.deletedBetween(bucket, key, found.millis, refused)) continue;
    const seconds = (refused - found.millis) / 1000;
    if (seconds < 0 || seconds > windowMinutes * 60) continue;
    return `For a key that does not exist S3 answers 403 AccessDenied rather than 404 to a caller without s3:ListBucket on the bucket, but that is not what refused ${events.length === 1 ? 'this read' : 'these reads'}: ${foundBy(found.eventName, `${bucket}/${key}`)} ${seconds === 0 ? 'in the same second' : `${seconds} s before`}, with no delete of it since, so the key existed.`;
  }
  return undefined;
}

/** The calls of FINDS_KEY that read the key, rather than leave an object at it. */
const READS_KEY: ReadonlySet<string> = new Set(['GetObject', 'HeadObject', 'RestoreObject']);

/** What a successful call that showed the key existed did to it, by this caller (see FINDS_KEY). */
function foundBy(eventName: string, object: string): string {
  switch (eventName) {
    case 'GetObject':
    case 'HeadObject':
      return `a ${eventName} of ${object} by this caller found the object`;
    case 'CopyObject':
      return `a CopyObject by this caller wrote the object ${object} (the copy's destination)`;
    case 'RestoreObject':
      return `a RestoreObject of ${object} by this caller found the object (archived)`;
    default:
      return `a ${eventName} by this caller wrote the object ${object}`;
  }
}

/**
 * The caveat of a finding whose reads the visible policies allow, refused with the legacy message
 * (see {@link missingKeyListings}): the listing they lack is inferred, and if the keys exist, it is not
 * the cause.
 */
function missingKeyInferredCaveat(
  events: readonly DeniedEvent[],
  bucket: string,
  still: readonly string[],
): string {
  const names = [...new Set(events.map((e) => e.eventName))];
  const one = events.length === 1;
  return `AWS's message ("Access Denied") names no action, and the visible policies allow ${one ? 'the read' : 'every read'} but not s3:ListBucket on ${bucket}: to a caller without s3:ListBucket on the bucket, S3 answers a read of a key that does not exist with 403 AccessDenied instead of 404 (${names.map((n) => `https://docs.aws.amazon.com/AmazonS3/latest/API/API_${n}.html`).join(', ')}, "Permissions"). So the listing is taken to be what refused ${one ? 'it' : 'them'}; with it, a missing key is answered 404. If the ${one ? 'key exists' : 'keys exist'}, the listing is not the cause, and granting it does not help: what can still deny ${one ? 'the read' : 'the reads'} is ${still.map((item, i) => `(${i + 1}) ${item}`).join('; ')}.`;
}

/** Keys of HEADs AWS refused as s3:ListBucket (a key that does not exist, without s3:ListBucket). */
function headsRefusedAsListing(evaluated: readonly EvaluatedCheck[]): string[] {
  const keys = new Set<string>();
  for (const e of evaluated) {
    const key = e.event.objectKey;
    if (
      e.event.eventName === 'HeadObject' &&
      e.check.action === 's3:ListBucket' &&
      key !== undefined &&
      key !== ''
    )
      keys.add(key);
  }
  return [...keys];
}

/** The cause of a missing Allow in the policy types `missing` names, the first in MISSING_CAUSE's order. */
function missingCause(missing: ReadonlySet<PolicyType>): FindingCause {
  return MISSING_CAUSE.find(([type]) => missing.has(type))?.[1] ?? 'identity-missing-allow';
}

/** What the policies decide for one refused request, as a cause. */
function causeOfCheck(e: EvaluatedCheck): FindingCause {
  if (e.decision === 'ExplicitlyDenied') {
    const type = e.result?.deniedBy[0]?.policyType;
    return type !== undefined ? EXPLICIT_CAUSE[type] : 'identity-explicit-deny';
  }
  return missingCause(new Set(e.result?.missingAllowIn ?? []));
}

/**
 * The refused actions, in words, when AWS's message for every refused request that names its action says
 * an explicit Deny in a resource control policy refused it (and at least one does); else `undefined`.
 */
function rcpDenyByMessage(denied: readonly EvaluatedCheck[]): string | undefined {
  const actions = new Set<string>();
  for (const e of denied) {
    const message = e.event.message;
    if (message.form !== 'enhanced' || message.action.toLowerCase() !== e.check.action.toLowerCase())
      continue;
    if (message.denial !== 'explicit' || message.policyType !== 'rcp') return undefined;
    actions.add(e.check.action);
  }
  return actions.size === 0 ? undefined : andList([...actions]);
}

/** Whether AWS's message for a refused request says no identity-based policy allows it (and none says otherwise). */
function identityNamedByMessage(denied: readonly EvaluatedCheck[]): boolean {
  let named = false;
  for (const e of denied) {
    const message = e.event.message;
    if (message.form !== 'enhanced' || message.action.toLowerCase() !== e.check.action.toLowerCase())
      continue;
    if (message.policyType !== 'identity' || message.denial !== 'implicit') return false;
    named = true;
  }
  return named;
}

/** Why a policy of the type AWS's message names is not in what was evaluated, if it is not; else undefined. */
function notInInput(
  type: MessagePolicyType,
  bucket: string | undefined,
  context: ExplainContext,
  unseen: readonly MissingPolicy[],
  callerAccount?: string,
): string | undefined {
  switch (type) {
    case 'scp':
      return context.scpLevels.length === 0 ? 'no service control policy was given (--scp)' : undefined;
    case 'rcp':
      return context.rcpLevels.length === 0 ? 'no resource control policy was given (--rcp)' : undefined;
    case 'resource':
      return bucket !== undefined && !context.bucketPolicies.has(bucket)
        ? `the bucket policy of ${bucket} was not given (--bucket-policy)`
        : undefined;
    case 'session':
      return 'session policies are not in CloudTrail or the snapshot';
    case 'vpc-endpoint':
      return 'VPC endpoint policies are not an input';
    case 'permissions-boundary': {
      const lacking = unseen.filter((m) => m.usage === 'permissions-boundary');
      return lacking.length > 0 ? `the snapshot lacks ${andList(lacking.map(unseenName))}` : undefined;
    }
    case 'identity': {
      const lacking = unseen.filter((m) => m.usage !== 'permissions-boundary');
      if (lacking.length > 0) return `the snapshot lacks ${andList(lacking.map(unseenName))}`;
      // A caller of another account than the snapshot's: its own policies are not in the input at all.
      return callerAccount !== undefined
        ? `the caller's own policies are in account ${callerAccount}, not in the snapshot (its administrators must allow the request there; the bucket side allows it)`
        : undefined;
    }
  }
}

function principalKey(p: Principal): { arn: string; account: string } {
  return {
    arn: p.arn ?? p.policyPrincipalArn ?? (p.type === 'Anonymous' ? 'anonymous' : 'unknown'),
    account: p.account ?? 'unknown',
  };
}

function dedupeRefs(refs: readonly StatementRef[]): DeniedByRef[] {
  const seen = new Set<string>();
  const out: DeniedByRef[] = [];
  for (const r of refs) {
    const key = `${r.policyType}|${r.policyArn ?? r.policyName ?? r.policyIndex}|${r.statementIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      policyType: r.policyType,
      ...(r.policyArn !== undefined ? { policyArn: r.policyArn } : {}),
      ...(r.policyName !== undefined ? { policyName: r.policyName } : {}),
      ...(r.sid !== undefined ? { sid: r.sid } : {}),
      statementIndex: r.statementIndex,
    });
  }
  return out;
}

/** A KMS check of a denied event, as a use of its key through S3. */
function keyUseOf(check: S3AuthorizationCheck): KeyUse {
  const viaService = check.context['kms:ViaService'];
  return {
    action: check.action,
    keyArn: check.resource,
    ...(typeof viaService === 'string' ? { viaService } : {}),
  };
}

/**
 * For a caller CloudTrail names by account and principal ID alone (evaluated as its account): the
 * statements of a resource policy that bear on the requests (their action and resource) and name a
 * particular principal of that account of the caller's kind (a role for an `AROA…` ID, a user for an
 * `AIDA…` one), or test the caller's ARN or user name. Whether they apply to the caller is unknown; the
 * evaluation took them not to. `"Sid" (Allow, role etl)` each.
 */
function memberNamingStatements(
  policy: CompiledPolicy | undefined,
  account: string,
  principalId: string,
  requests: readonly { readonly action: string; readonly resource: string }[],
): string[] {
  if (policy === undefined) return [];
  const kind = principalId.startsWith('AROA') ? 'role' : principalId.startsWith('AIDA') ? 'user' : undefined;
  const seen = new Set<CompiledStatement>();
  const out: string[] = [];
  for (const { action, resource } of requests) {
    for (const { statement } of policy.relevantStatements(action.toLowerCase())) {
      if (seen.has(statement) || !mayCoverResource(statement, resource)) continue;
      seen.add(statement);
      const named =
        statement.principal === undefined || statement.principal.not
          ? []
          : statement.principal.entries.flatMap((entry) =>
              (entry.kind === 'user' || entry.kind === 'role' || entry.kind === 'federated-user') &&
              entry.account === account &&
              (kind === undefined || kind === entry.kind)
                ? [`${entry.kind === 'federated-user' ? 'federated user' : entry.kind} ${entry.name}`]
                : entry.kind === 'role-session' && entry.account === account && kind !== 'user'
                  ? [`role ${entry.roleName}'s session ${entry.sessionName}`]
                  : [],
            );
      const tested = statement.conditions
        .filter((c) => c.keyLower === 'aws:principalarn' || c.keyLower === 'aws:username')
        .map((c) => `a condition on ${c.key}`);
      const what = [...named, ...tested];
      if (what.length === 0) continue;
      const name = statement.sid !== undefined ? `"${statement.sid}"` : `statement ${statement.index + 1}`;
      out.push(`${name} (${statement.effect}, ${what.join(', ')})`);
    }
  }
  return out;
}

/** Whether a statement's Resource (or NotResource) may cover `resource`: a pattern with a variable may. */
function mayCoverResource(statement: CompiledStatement, resource: string): boolean {
  const matches = statement.resources.some((p) => p.matcher === undefined || p.matcher(resource));
  return statement.notResource ? !statement.resources.some((p) => p.matcher?.(resource) === true) : matches;
}

/**
 * Whether an event's message leaves room for an explicit Deny of `type` to be what refused it: a message
 * that names no policy, or one that names an explicit Deny of that kind of policy. AWS evaluates explicit
 * Denies first, so a message that says a policy lacks the Allow, names an S3 setting, or names S3's KMS
 * call (S3 had authorized the request) says no Deny refused it.
 */
function messageAdmitsDeny(
  message: DeniedEvent['message'],
  check: S3AuthorizationCheck,
  type: PolicyType | undefined,
): boolean {
  if (message.form === 'setting') return false;
  if (message.form !== 'enhanced') return true;
  // S3's KMS call named: S3 had authorized its own requests.
  if (message.action.toLowerCase().startsWith('kms:')) return false;
  // Another request of the event named (a copy's write, when this is its source read): nothing said of this one.
  if (message.action.toLowerCase() !== check.action.toLowerCase()) return true;
  return message.denial === 'explicit' && REF_TYPE_OF_MESSAGE[message.policyType] === type;
}

/** The kinds of policy given here that can hold a Deny on a key CloudTrail does not log. */
const UNLOGGED_DENY_TYPES: readonly PolicyType[] = [
  'resource',
  'scp',
  'rcp',
  'permissions-boundary',
  'identity',
];

/** Where the VPC endpoint policy AWS's message names is: the endpoint the request came through. */
function vpcEndpointWhere(endpoint: string, event: DeniedEvent): string {
  return `the request came through ${endpoint} (read its policy with ${vpcEndpointPolicyCommand(endpoint, event)})`;
}

/**
 * The command that prints a VPC endpoint's policy, as code, and the account to run it in when the record
 * names another owner of the endpoint than the caller's account (`vpcEndpointAccountId`: a shared VPC's
 * endpoints belong to the network account that owns the VPC).
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
function vpcEndpointPolicyCommand(endpoint: string, event: DeniedEvent): string {
  return `\`aws ec2 describe-vpc-endpoints --vpc-endpoint-ids ${shellWord(endpoint)} --query "VpcEndpoints[0].PolicyDocument"\`${vpcEndpointOwnerClause(event.vpcEndpointAccountId, event.principal.account)}`;
}

/** What a Deny given here decides for a caller whose identity policies are not visible. */
function givenDenyCaveat(refused: number, of: number): string {
  const which =
    refused === of ? (of === 1 ? 'the request' : 'every request') : `${refused} of the ${of} requests`;
  return `The caller's identity policies are not visible, but an explicit Deny in the policies given refuses ${which} whatever they allow (see "Denied by"): no statement added to them lifts it.`;
}

/** Policies besides the caller's identity ones, whose Deny refuses a request whatever those allow. */
function hasNonIdentityPolicies(set: PolicySet): boolean {
  return (
    set.resource !== undefined ||
    set.permissionsBoundary !== undefined ||
    set.session !== undefined ||
    set.scpLevels.length > 0 ||
    set.rcpLevels.length > 0
  );
}

/** Cross-account callers' own policies live in another account: assume that side allows, and say so. */
function withAssumedCallerAllow(
  set: PolicySet,
  resolved: ResolvedPolicies,
  crossAccount: boolean,
  compileAllowAll: () => PolicySet['identity'][number],
): PolicySet {
  return crossAccount && !resolved.identityKnown ? { ...set, identity: [compileAllowAll()] } : set;
}

/** Where an rclone finding's requests work on its bucket, and which denied HEADs are root checks. */
interface RcloneJob {
  /** Object keys and listing prefixes of the finding's requests on the bucket. */
  readonly paths: readonly string[];
  readonly probes: ReadonlySet<string>;
  /**
   * Keys HEADed as the root of a directory the job works in (`probes`, and HEADs the visible policies
   * allow, whose denial is not theirs: the key of a missing object without s3:ListBucket). Each counts
   * as its directory (`daily/`) for where the job works, never as a key.
   */
  readonly roots: ReadonlySet<string>;
  /**
   * The finding is one denied HEAD of one key and nothing else, with no evidence of a directory there:
   * rclone's first request, which is either its root check (rclone v1.72 to v1.74.3 stop on it before
   * any other request) or the file the job names. It is read as a root check, but always granted, on
   * that key alone.
   */
  readonly lone: boolean;
  /** Keys the job copies as files although their HEADs were refused (see {@link copiedFiles}). */
  readonly files: ReadonlySet<string>;
  /**
   * After a refused root check and a refused listing of the root, rclone takes the root for a file: a job
   * writing there stops ("is a file not a directory"); this one went on reading it, with a second HEAD
   * of it in the same run (a copy from it) or a listing of the directory above it to find it (`ls`,
   * `lsf`, `hashsum`): the root is where it reads from.
   */
  readonly readsRoot: boolean;
  /** The lone HEAD is of the destination of a server-side copyto or moveto (see {@link serverSideCopyTo}). */
  readonly copyTo: CopyTo | undefined;
  /**
   * Refused HEADs of keys inside a directory the job listed whole with success just before (see
   * {@link readsListedObject}): reads of listed objects, neither root checks nor the file the job names.
   */
  readonly readsListed: boolean;
}

/** A server-side copyto or moveto within the bucket: the destination key, and the source directories. */
interface CopyTo {
  readonly destination: string;
  readonly sources: readonly string[];
}

/** Two refused HEADs of one key at most this far apart are one run of rclone, not two. */
const ONE_RUN_MS = 10_000;

/**
 * The refused root-check candidates that are files the job copies from. After a refused HEAD of `K`,
 * rclone v1.74.4 and later list `K/`; finding nothing there, they take `K` for a file, and a job that
 * copies it (`rclone copy remote:bkt/dir/a.txt ./`, `copyto`) HEADs it again and stops on that 403. A
 * job writing into a new directory `K/` stops after the listing instead ("is a file not a directory"),
 * one HEAD per run. So: two refused HEADs of `K` seconds apart, a listing of `K/` that succeeded, and no
 * object known inside `K/`. A key the job fetched is left out: `rclone cat` fetches the file after
 * listing its directory, which it needs s3:ListBucket for, whatever the HEAD (the generic read
 * profile); so is a key the caller read elsewhere in the input (its reads are allowed).
 *
 * @see https://github.com/rclone/rclone/commit/2d6d0da37b76849aeb29caaf04e681f5ee2947e7
 */
function copiedFiles(
  candidates: ReadonlySet<string>,
  evaluated: readonly EvaluatedCheck[],
  bucket: string,
  fetched: ReadonlySet<string>,
  paths: readonly string[],
  evidence: {
    readonly listedWithSuccess: ReadonlySet<string> | undefined;
    readonly objectDirectories: ReadonlySet<string> | undefined;
    readonly readKeys: ReadonlySet<string> | undefined;
  },
): ReadonlySet<string> {
  // The cheap tests first: most candidates are root checks whose directory was never listed empty.
  let listed: Map<string, number[]> | undefined;
  for (const key of candidates) {
    const directory = `${key}/`;
    if (evidence.listedWithSuccess?.has(directory) !== true) continue;
    if (evidence.readKeys?.has(key) === true || fetched.has(key)) continue;
    if (paths.some((path) => path.startsWith(directory)) || holdsObjects(directory, evidence)) continue;
    listed ??= new Map();
    listed.set(key, []);
  }
  if (listed === undefined) return NO_NAMES;
  for (const e of evaluated) {
    const times = e.check.bucket === bucket ? listed.get(e.check.key ?? '') : undefined;
    if (times !== undefined && e.decision !== 'Allowed' && e.event.eventName === 'HeadObject')
      times.push(eventTimeMillis(e.event.eventTime));
  }
  let files: Set<string> | undefined;
  for (const [key, times] of listed) {
    if (!twiceInOneRun(times)) continue;
    files ??= new Set();
    files.add(key);
  }
  return files ?? NO_NAMES;
}

/** Whether the caller read or wrote an object inside `directory`, or listed one of its subdirectories. */
function holdsObjects(
  directory: string,
  evidence: {
    readonly listedWithSuccess: ReadonlySet<string> | undefined;
    readonly objectDirectories: ReadonlySet<string> | undefined;
  },
): boolean {
  for (const known of evidence.objectDirectories ?? NO_NAMES) if (known.startsWith(directory)) return true;
  for (const listed of evidence.listedWithSuccess ?? NO_NAMES)
    if (listed.length > directory.length && listed.startsWith(directory)) return true;
  return false;
}

/**
 * Whether the refused HEADs of `key` read an object the job listed: the same client (user agent) listed
 * a directory holding `key` with success without a delimiter (`arch/`), at most `windowMs` before one of
 * those HEADs and not after it. That listing returned the whole tree under it, and a HEAD of a key there
 * is of an object it listed (`rclone hashsum`, `md5sum` and `lsjson --hash` HEAD a multipart object to
 * read its MD5). Not so:
 * - a key whose own directory (`key/`) the caller listed: that is a root check, which rclone makes
 *   before listing the directory it was given (`rclone sync … remote:bkt/nas/mirror` HEADs `nas/mirror`,
 *   then lists `nas/mirror/`), whatever listings of the tree above it exist;
 * - a listing by another client, later than the HEAD, or longer before it than the finding's window:
 *   another command's (an `rclone ls` of `nas/` an hour before a sync of `nas/mirror`);
 * - a listing of the whole bucket (`prefix=`): `ls` and `size` of the bucket make it, and a HEAD of a
 *   directory's root lies inside it too.
 */
function readsListedObject(
  key: string,
  heads: readonly DeniedEvent[],
  evidence: {
    readonly listedWithSuccess: ReadonlySet<string> | undefined;
    readonly recursiveListings: readonly TimedListing[];
  },
  windowMs: number,
): boolean {
  if (evidence.listedWithSuccess?.has(`${key}/`) === true) return false;
  for (const head of heads) {
    const time = eventTimeMillis(head.eventTime);
    if (Number.isNaN(time)) continue;
    const agent = head.userAgent ?? '';
    for (const { prefix, userAgent, millis } of evidence.recursiveListings)
      if (
        prefix !== '' &&
        prefix.endsWith('/') &&
        key.startsWith(prefix) &&
        userAgent === agent &&
        millis <= time &&
        time - millis <= windowMs
      )
        return true;
  }
  return false;
}

/** Whether two of the times (milliseconds) are at most {@link ONE_RUN_MS} apart. */
function twiceInOneRun(times: number[]): boolean {
  if (times.length < 2) return false;
  times.sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! <= ONE_RUN_MS) return true;
  return false;
}

/**
 * Listings that succeeded and objects read or written (anywhere in the input) count as evidence of the
 * directories the principal works in, not as the job's paths.
 */
function rcloneJob(
  evaluated: readonly EvaluatedCheck[],
  bucket: string,
  evidence: {
    readonly listedWithSuccess: ReadonlySet<string> | undefined;
    readonly objectDirectories: ReadonlySet<string> | undefined;
    readonly readKeys: ReadonlySet<string> | undefined;
    readonly recursiveListings: readonly TimedListing[];
    readonly succeededNames: ReadonlySet<string> | undefined;
  },
  windowMs: number,
): RcloneJob {
  const paths: string[] = [];
  let candidates: Set<string> | undefined;
  // HEADs of keys the visible policies allow (the event's denial is another's): roots if a path lies inside.
  let allowedHeads: Set<string> | undefined;
  let deniedOthers = false;
  // Keys the job fetched (GET, not HEAD): a root it treated as a file.
  const fetched = new Set<string>();
  // Prefixes of listings with a delimiter: one of the directory above a root check is rclone looking
  // for the root as a file there, not where the job works.
  const walked: string[] = [];
  let lastEvent: DeniedEvent | undefined;
  for (const e of evaluated) {
    const { check } = e;
    // A copy refused its source read writes here all the same (its destination is not a check).
    if (e.event !== lastEvent) {
      lastEvent = e.event;
      const target = e.event.copyTarget;
      if (target !== undefined && target.bucket === bucket) paths.push(target.key);
    }
    const denied = e.decision !== 'Allowed';
    // The source of a copy is read, not where the job works (it has its own statement in the profile).
    if (check.bucket !== bucket || check.role === 'source') {
      deniedOthers ||= denied;
      continue;
    }
    const { key } = check;
    if (key !== undefined) {
      paths.push(key);
      if (e.event.eventName === 'GetObject') fetched.add(key);
    }
    const prefix = check.context['s3:prefix'];
    if (typeof prefix === 'string') {
      const delimiter = check.context['s3:delimiter'];
      if (typeof delimiter === 'string' && delimiter !== '') walked.push(prefix);
      else paths.push(prefix);
    }
    if (denied && mayBeRootProbe(e.event.eventName, check.action, key)) {
      candidates ??= new Set();
      candidates.add(key);
    } else {
      deniedOthers ||= denied;
      if (!denied && mayBeRootProbe(e.event.eventName, check.action, key)) {
        allowedHeads ??= new Set();
        allowedHeads.add(key);
      }
    }
  }
  const allowedRoots =
    allowedHeads === undefined
      ? NO_NAMES
      : rootProbes(
          allowedHeads,
          paths,
          walked,
          evidence.listedWithSuccess ?? NO_NAMES,
          evidence.objectDirectories ?? NO_NAMES,
        );
  // A HEAD of a key the job then fetched is of the file it names (`rclone cat`, `copyto` from S3): after a
  // refused check of `cat/c.txt`, rclone v1.75 lists `cat/c.txt/`, finds nothing and reads the file.
  let files: ReadonlySet<string> = NO_NAMES;
  let readsListed = false;
  if (candidates !== undefined) {
    files = copiedFiles(candidates, evaluated, bucket, fetched, paths, evidence);
    // The refused HEADs of each candidate: a read of a listed object comes after the job's listing.
    const heads = new Map<string, DeniedEvent[]>();
    for (const e of evaluated) {
      const key = e.check.key;
      if (key === undefined || !candidates.has(key) || e.decision === 'Allowed' || e.check.bucket !== bucket)
        continue;
      const of = heads.get(key);
      if (of === undefined) heads.set(key, [e.event]);
      else of.push(e.event);
    }
    for (const key of candidates) {
      const listed = readsListedObject(key, heads.get(key) ?? [], evidence, windowMs);
      readsListed ||= listed;
      if (fetched.has(key) || files.has(key) || evidence.readKeys?.has(key) === true || listed)
        candidates.delete(key);
    }
    if (candidates.size === 0) candidates = undefined;
  }
  if (candidates === undefined) {
    for (const prefix of walked) if (!isParentListingOf(prefix, allowedRoots)) paths.push(prefix);
    return {
      paths,
      probes: NO_NAMES,
      roots: allowedRoots,
      lone: false,
      files,
      readsRoot: false,
      copyTo: undefined,
      readsListed,
    };
  }
  const probes = rootProbes(
    candidates,
    paths,
    walked,
    evidence.listedWithSuccess ?? NO_NAMES,
    evidence.objectDirectories ?? NO_NAMES,
  );
  // After the refused check of `dir` (and a refused or empty listing of `dir/`), rclone takes `dir` for a
  // file and lists the directory above it with a delimiter to find it (`rclone lsf`, `md5sum`): that
  // listing must not widen the job's directory to its parent, or to the whole bucket.
  const roots = allowedRoots.size === 0 ? probes : new Set([...probes, ...allowedRoots]);
  let listsParent = false;
  for (const prefix of walked) {
    if (!isParentListingOf(prefix, roots)) paths.push(prefix);
    else if (isParentListingOf(prefix, probes)) listsParent = true;
  }
  if (probes.size === 0 && candidates.size === 1 && !deniedOthers && paths.every((p) => candidates.has(p)))
    return {
      paths,
      probes: candidates,
      roots: candidates,
      lone: true,
      files,
      readsRoot: false,
      copyTo: serverSideCopyTo(candidates, evidence.succeededNames ?? NO_NAMES, evidence.objectDirectories),
      readsListed,
    };
  const readsRoot = probes.size > 0 && (listsParent || headedTwice(evaluated, bucket, probes));
  return { paths, probes, roots, lone: false, files, readsRoot, copyTo: undefined, readsListed };
}

/**
 * `rclone copyto` or `moveto` between two keys of one bucket is a server-side copy: rclone HEADs the
 * source (twice), then the destination, then copies. When the destination's HEAD is refused, the
 * finding is that lone HEAD, which reads like a root check; what tells it apart is the caller's other
 * calls on the bucket in the input: HEADs that succeeded and nothing else (no listing, upload or read),
 * of keys outside the destination's directory. Those are the sources. Without them (the Lambda sees only
 * the denials) the lone HEAD stays a root check or a file the job names.
 */
function serverSideCopyTo(
  loneHeads: ReadonlySet<string>,
  succeeded: ReadonlySet<string>,
  objectDirectories: ReadonlySet<string> | undefined,
): CopyTo | undefined {
  if (objectDirectories === undefined || !onlyHeadsSucceeded(succeeded)) return undefined;
  const [destination] = loneHeads;
  if (destination === undefined) return undefined;
  const directory = destination.slice(0, destination.lastIndexOf('/') + 1);
  const sources = [...objectDirectories].filter((d) => d !== directory && !d.startsWith(`${destination}/`));
  return sources.length > 0 ? { destination, sources } : undefined;
}

/** Whether the caller's calls on the bucket that succeeded are HEADs and nothing else. */
function onlyHeadsSucceeded(succeeded: ReadonlySet<string>): boolean {
  return succeeded.size === 1 && succeeded.has('HeadObject');
}

/** See `RcloneAdviceInput.deletesFiles`: refused deletes only, after HEADs that succeeded, and no listing. */
function deletesFiles(evaluated: readonly EvaluatedCheck[], succeeded: ReadonlySet<string>): boolean {
  if (!succeeded.has('HeadObject')) return false;
  for (const name of succeeded) if (name !== 'HeadObject' && name !== 'DeleteObject') return false;
  return evaluated.every((e) => e.event.eventName === 'DeleteObject' && e.decision !== 'Allowed');
}

/** Whether one of `keys` was refused two HEADs in one run (see {@link ONE_RUN_MS}). */
function headedTwice(
  evaluated: readonly EvaluatedCheck[],
  bucket: string,
  keys: ReadonlySet<string>,
): boolean {
  const times = new Map<string, number[]>();
  for (const e of evaluated) {
    const key = e.check.key;
    if (key === undefined || e.check.bucket !== bucket || !keys.has(key)) continue;
    if (e.decision === 'Allowed' || e.event.eventName !== 'HeadObject') continue;
    const list = times.get(key);
    const time = eventTimeMillis(e.event.eventTime);
    if (list === undefined) times.set(key, [time]);
    else list.push(time);
  }
  for (const list of times.values()) if (twiceInOneRun(list)) return true;
  return false;
}

/** The bucket's ARN for one of an access point's (`…:accesspoint/name/object/key` -> `bucket/key`); others as they are. */
function bucketArnFor(accessPointArn: string, bucketArn: string): (resource: string) => string {
  const objects = `${accessPointArn}/object/`;
  return (resource) =>
    resource === accessPointArn
      ? bucketArn
      : resource.startsWith(objects)
        ? `${bucketArn}/${resource.slice(objects.length)}`
        : resource;
}

/**
 * `result` with the bucket policy's decision for a request made through an access point. S3 evaluates
 * the underlying bucket's policy for such a request against the bucket's own ARNs
 * (`arn:aws:s3:::bucket/key`), while the request itself, and so every other policy here, is matched
 * against the access point's: a Deny that names the bucket refuses the request whatever the access
 * point's ARNs are granted, and for a caller of another account it is the bucket policy's Allow on those
 * ARNs (a delegation to access points by `s3:DataAccessPointAccount`, or a grant of the same access) that
 * the request needs, never one on the access point's. The statements of that Allow's conditions the
 * request missed (a delegation to another account's access points) are kept for the advice.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
 */
/**
 * The denied requests as the job must send them when a visible policy requires uploads to carry
 * `x-amz-acl: bucket-owner-full-control` (see {@link withOwnerFullControl}): each upload's request with
 * that ACL in place of the headers it sent, evaluated again, and kept only if still refused. `undefined`
 * when no request changes (the uploads sent that ACL already).
 */
function withOwnerAcl(
  denied: readonly EvaluatedCheck[],
  set: PolicySet,
):
  | {
      readonly checks: readonly EvaluatedCheck[];
      /** Each changed request's new check, for the sets that name checks. */
      readonly replaced: ReadonlyMap<EvaluatedCheck, EvaluatedCheck>;
      /** How many uploads changed, and the ACL headers they sent, in words. */
      readonly uploads: number;
      readonly sent: string;
    }
  | undefined {
  const replaced = new Map<EvaluatedCheck, EvaluatedCheck>();
  const checks: EvaluatedCheck[] = [];
  const uploads = new Set<DeniedEvent>();
  const sent = new Set<string>();
  for (const e of denied) {
    const context = withOwnerFullControl(e.event.eventName, e.check.context);
    if (context === undefined) {
      checks.push(e);
      continue;
    }
    uploads.add(e.event);
    sent.add(aclHeadersOf(e.check.context));
    const check = { ...e.check, context };
    const request = { ...e.request, context };
    const policies = e.set ?? set;
    const result = withBucketPolicyDeny(policies, request, check, evaluate(policies, request));
    const again: EvaluatedCheck = {
      event: e.event,
      check,
      request,
      result,
      decision: result.decision,
      ...(e.set !== undefined ? { set: e.set } : {}),
    };
    replaced.set(e, again);
    if (result.decision !== 'Allowed') checks.push(again);
  }
  if (replaced.size === 0) return undefined;
  return { checks, replaced, uploads: uploads.size, sent: andList([...sent].sort()) };
}

/**
 * The canned ACLs the job's uploads on `bucket` sent (`x-amz-acl`), or must send when a visible policy
 * requires `bucket-owner-full-control` (see {@link withOwnerFullControl}): its profile grants
 * s3:PutObjectAcl for them alone, as the fix does. `undefined` when a request set an ACL some other way
 * (`x-amz-grant-*` headers), or none set one: the profile's grant stays bare then.
 */
function jobCannedAcls(
  evaluated: readonly EvaluatedCheck[],
  bucket: string | undefined,
  ownerFullControl: boolean,
): string[] | undefined {
  const acls = new Set<string>();
  for (const { event, check } of evaluated) {
    if (check.action.toLowerCase() !== 's3:putobjectacl' || (check.bucket ?? bucket) !== bucket) continue;
    const context =
      (ownerFullControl ? withOwnerFullControl(event.eventName, check.context) : undefined) ?? check.context;
    const acl = cannedAclOf({ action: check.action, resource: check.resource, context });
    if (acl === undefined) return undefined;
    acls.add(acl);
  }
  return acls.size > 0 ? [...acls].sort() : undefined;
}

function withBucketPolicyDeny(
  set: PolicySet,
  request: AuthorizationRequest,
  check: S3AuthorizationCheck,
  result: EvaluationResult,
): EvaluationResult {
  const through = check.accessPoint;
  const bucketPolicy = bucketPolicyOnly(set);
  if (through === undefined || bucketPolicy === undefined || check.bucket === undefined) return result;
  const bucketArn = bucketArnOf(check.bucket, partitionOfArn(through));
  const resource =
    check.key !== undefined
      ? `${bucketArn}/${check.key}`
      : check.anyKey === true
        ? `${bucketArn}/*`
        : bucketArn;
  const onBucket = evaluate(bucketPolicy, { ...request, resource });
  const before = result.decision === 'ExplicitlyDenied' ? result.deniedBy : [];
  // A Deny whose Resource matches both ARNs (`*`) is named once.
  const denies = onBucket.deniedBy.filter(
    (ref) =>
      ref.policyType === 'resource' &&
      !before.some((b) => b.policyType === 'resource' && b.statementIndex === ref.statementIndex),
  );
  if (onBucket.decision === 'ExplicitlyDenied' && denies.length > 0)
    return { ...result, decision: 'ExplicitlyDenied', deniedBy: [...before, ...denies], missingAllowIn: [] };
  if (result.decision !== 'ImplicitlyDenied' || !result.missingAllowIn.includes('resource')) return result;
  const grants = onBucket.allowedBy.filter((ref) => ref.policyType === 'resource');
  if (grants.length === 0) {
    // Its conditional Allows, as evaluated on the bucket's ARNs: the one the request missed is the advice.
    const onItsArns = onBucket.explanations.filter(
      (e) => e.policyType === 'resource' && e.effect === 'Allow',
    );
    return onItsArns.length === 0
      ? result
      : {
          ...result,
          explanations: [...onItsArns, ...result.explanations.filter((e) => e.policyType !== 'resource')],
        };
  }
  // The bucket policy allows the request on its own ARNs: what else lacks an Allow (the caller's
  // identity policies) still refuses it; the access point's policy is not an input.
  const missingAllowIn = result.missingAllowIn.filter((type) => type !== 'resource');
  return {
    ...result,
    decision: missingAllowIn.length === 0 ? 'Allowed' : 'ImplicitlyDenied',
    missingAllowIn,
    allowedBy: [...result.allowedBy, ...grants],
  };
}

/**
 * The access point every request of the finding on `bucket` went through, if they all went through the
 * same one (a job mixing direct and access point requests keeps the bucket's profile).
 */
function soleAccessPoint(
  evaluated: readonly EvaluatedCheck[],
  bucket: string,
): { readonly arn: string; readonly name: string; readonly multiRegion: boolean } | undefined {
  let arn: string | undefined;
  for (const { check } of evaluated) {
    if (check.bucket !== bucket || check.role === 'source') continue;
    if (check.accessPoint === undefined || (arn !== undefined && arn !== check.accessPoint)) return undefined;
    arn = check.accessPoint;
  }
  return arn === undefined
    ? undefined
    : {
        arn,
        name: arn.slice(arn.indexOf(':accesspoint/') + 13),
        multiRegion: isMultiRegionAccessPointArn(arn),
      };
}

/** Whether `prefix` lists the directory that holds one of the root checks' keys (`a/` for `a/dir`, `` for `dir`). */
function isParentListingOf(prefix: string, probes: ReadonlySet<string>): boolean {
  for (const key of probes) if (key.slice(0, key.lastIndexOf('/') + 1) === prefix) return true;
  return false;
}

/**
 * The job profile's first note when an explicit Deny refused the job: no Allow, the profile's included,
 * overrides it (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 */
function explicitDenyNote(
  denied: readonly EvaluatedCheck[],
  deniedBy: readonly DeniedByRef[],
  leftOut: ReadonlyMap<string, unknown>,
): string[] {
  // Without the policies (the message names the Deny), every refused request is the Deny's.
  const explicit = denied.filter((e) => e.decision === 'ExplicitlyDenied');
  const all = [...new Set((explicit.length > 0 ? explicit : denied).map((e) => e.check.action))];
  // Actions the profile left out have their own note.
  const actions = all.filter((action) => !leftOut.has(action));
  if (all.length > 0 && actions.length === 0) return [];
  const policies = deniedBy.map(
    (ref) =>
      `${ref.policyName ?? ref.policyArn ?? ref.policyType}${ref.sid !== undefined ? ` (Sid ${ref.sid})` : ref.statementIndex !== undefined ? ` (statement ${ref.statementIndex + 1})` : ''}`,
  );
  return [
    `An explicit Deny refused ${actions.length > 0 ? actions.join(', ') : 'the job'}, in ${policies.join(', ')}: no Allow overrides it, so this profile works only once that Deny is lifted or narrowed, or the job stops making those calls (see "Denied by" and the caveats).`,
  ];
}

/**
 * A sync whose deletes an explicit Deny refused: the Deny protects the bucket's objects from deletion (a
 * backup that must keep what the source removed), so the job that fits it stops deleting. Offered first.
 *
 * @see https://rclone.org/commands/rclone_copy/
 * @see https://docs.aws.amazon.com/cli/latest/reference/s3/sync.html
 */
function withKeepDeletedAlternative(
  alternatives: readonly Alternative[],
  tool: string,
  profile: JobProfile | null,
  denied: readonly EvaluatedCheck[],
): readonly Alternative[] {
  if (profile?.operation !== 'sync') return alternatives;
  const deletes = [
    ...new Set(
      denied
        .filter((e) => e.decision === 'ExplicitlyDenied' && DELETE_ACTIONS.has(e.check.action))
        .map((e) => e.check.action),
    ),
  ];
  if (deletes.length === 0) return alternatives;
  // rclone's command is read from its calls (a guess); aws-cli's from its user agent.
  const keep =
    tool === 'rclone'
      ? 'If the job is `rclone sync` (as its calls suggest), run `rclone copy` instead: copy never deletes from the destination'
      : tool === 'aws-cli'
        ? 'Drop `--delete` from `aws s3 sync`: without it, sync never deletes from the destination'
        : undefined;
  if (keep === undefined) return alternatives;
  return [
    {
      kind: 'client-config',
      text: `${keep}, so the Deny that refused ${deletes.join(', ')} no longer stops the job; files removed from the source stay in the bucket, which is what such a Deny protects (${tool === 'rclone' ? 'https://rclone.org/commands/rclone_copy/' : 'https://docs.aws.amazon.com/cli/latest/reference/s3/sync.html'}).`,
      removes: deletes,
    },
    ...alternatives,
  ];
}

const DELETE_ACTIONS: ReadonlySet<string> = new Set(['s3:DeleteObject', 's3:DeleteObjectVersion']);

/**
 * What to do for a cross-account caller CloudTrail names only by account and principal ID: find the role
 * or user by its unique ID (AROA… a role, AIDA… an IAM user) in its account and grant that, or match the
 * unique ID with `aws:userid`, never the whole account.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 */
function unnamedCallerCaveat(principal: Principal, partition = 'aws'): string {
  const account = principal.account ?? 'unknown';
  // A unique ID is upper-case letters and digits: anything else (a forged record) gets no command.
  const unique = uniqueIdOf(principal.principalId);
  const id = unique !== undefined && /^[A-Z0-9]+$/.test(unique) ? unique : undefined;
  const base = `CloudTrail recorded only the caller's account (${account})`;
  const source =
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids';
  const kind = id?.startsWith('AROA') ? 'role' : id?.startsWith('AIDA') ? 'user' : undefined;
  if (id === undefined || kind === undefined) {
    return `${base}${principal.principalId !== undefined ? ` and ${principalIdKind(principal.principalId)} ${principal.principalId}` : ''}, not which user or role called: identify it (the caller's own CloudTrail has the ARN) and grant that principal in the bucket policy, rather than the whole account.`;
  }
  const lookup =
    kind === 'role'
      ? `aws iam list-roles --query "Roles[?RoleId=='${id}'].Arn"`
      : `aws iam list-users --query "Users[?UserId=='${id}'].Arn"`;
  const condition =
    kind === 'role'
      ? `{"StringLike": {"aws:userid": "${id}:*"}}`
      : `{"StringEquals": {"aws:userid": "${id}"}}`;
  return `${base} and its principal ID ${principal.principalId}, not its ARN: ${id} is the unique ID of an IAM ${kind} in that account. Find its name there (\`${lookup}\`, run in account ${account}) and grant that ${kind} in the bucket policy, rather than the whole account; or grant Principal \`{"AWS": "arn:${partition}:iam::${account}:root"}\` with Condition \`${condition}\`, which matches only that ${kind}'s requests${kind === 'role' ? ' (its sessions)' : ''}. No fix is proposed: the grant needs a principal that the record does not name (${source}).`;
}

/** Removes from `caveats` the catalogue's kms:Decrypt notes that the events' AWS messages answer. */
function dropAnsweredKmsNotes(caveats: string[], events: readonly DeniedEvent[]): void {
  for (const note of answeredKmsNotes(events)) {
    const at = caveats.indexOf(note);
    if (at >= 0) caveats.splice(at, 1);
  }
}

/**
 * A fix that grants refused actions beyond the narrower scope an existing statement gives them: which
 * statements (`widens`), and a verification line that says to check their scope was not deliberate.
 */
function withWidens(fix: Fix | null, misses: readonly NearMiss[]): Fix | null {
  if (fix === null) return null;
  const scopes = [...new Set(misses.filter((m) => m.kind === 'narrower').map((m) => m.scope))];
  // A statement whose ARNs name another partition is no narrower scope: it allows nothing here, and
  // correcting its partition may be the change meant, in place of the fix.
  const corrections = [
    ...new Set(
      misses.flatMap((m) =>
        m.partitionFix?.covers === true
          ? [`${m.scope} names partition ${m.partitionFix.written}, not ${m.partitionFix.partition}`]
          : [],
      ),
    ),
  ];
  // A statement scoped per request by a policy variable (`home/${aws:SourceIdentity}/*`): the fix grants
  // what it keeps to another principal (or session) to this one, whatever the variable's value.
  const perRequest = [
    ...new Map(
      misses.flatMap((m) => (m.perRequest !== undefined ? [[m.scope, m.perRequest] as const] : [])),
    ).entries(),
  ];
  const widens = [...scopes, ...perRequest.map(([scope]) => scope)];
  if (widens.length === 0 && corrections.length === 0) return fix;
  return {
    ...fix,
    ...(widens.length > 0 ? { widens } : {}),
    verification: [
      ...fix.verification,
      ...perRequest.map(
        ([scope, per]) =>
          `It grants beyond ${scope}, which IAM resolves per request (${per.values} for this one): the fix grants the refused resources to ${per.session ? 'every session of the role' : 'the principal'}, whatever ${per.session ? 'their' : 'its'} ${per.tokens}. Apply it only if they should be shared so; otherwise run the job with the identity the statement gives them to (see the caveats).`,
      ),
      ...(scopes.length > 0
        ? [
            `It grants beyond the narrower scope of ${scopes.join('; ')}: apply it only if that scope was not deliberate (see the caveats).`,
          ]
        : []),
      ...(corrections.length > 0
        ? [
            `${corrections.join('; ')}: correcting ${corrections.length === 1 ? 'its ARNs' : 'their ARNs'} would allow the refused requests as well, and may be the change meant instead of this one (see the caveats).`,
          ]
        : []),
    ],
  };
}

/** Appends `key` to the list of `bucket` in `keys`. */
function addKey(keys: Map<string, string[]>, bucket: string, key: string): void {
  const list = keys.get(bucket);
  if (list === undefined) keys.set(bucket, [key]);
  else list.push(key);
}

/** What a finding's caller copied and deleted on its bucket, for the job profiles. */
interface CopyEvidence {
  /**
   * The bucket is the source of a move (rclone move, aws s3 mv): every denied delete on it is of a key
   * the caller read or copied from (`readKeys`, see `CallEvidence`), and the caller uploaded nothing
   * into their directory. A sync deletes keys it never read; a sync with --backup-dir uploads there.
   * `destinationPrefix` is where the caller's copies within the bucket went, if any;
   * `otherBucketDestinations` where those of the moved directory went in other buckets (a directory of
   * each), if any.
   */
  readonly moveSource?: MoveSource;
  /** Where the caller's copies within the bucket went, when the bucket is not a move's source. */
  readonly copyDestination?: string;
  /** Those copies are rclone's --backup-dir (see backsUpTo). */
  readonly backupDir?: boolean;
}

function copyEvidence(
  denied: readonly EvaluatedCheck[],
  bucket: string,
  evidence: (kind: CallEvidence) => ReadonlySet<string> | undefined,
): CopyEvidence {
  const copies = evidence('copyDirectories');
  const copyDestination = copies !== undefined && copies.size > 0 ? commonDirectory([...copies]) : undefined;
  const deletes: (string | undefined)[] = [];
  for (const { check } of denied)
    if (check.bucket === bucket && check.action.toLowerCase() === 's3:deleteobject') deletes.push(check.key);
  // Copies into a directory never listed, each after a HEAD that found nothing: a --backup-dir, whose
  // deletes are of the files it backed up. A server-side `move --no-traverse` makes the same calls (a
  // plain move lists its destination): the sync's profile is the wider, and its note says so.
  if (copyDestination !== undefined && backsUpTo(copyDestination, deletes, evidence))
    return { copyDestination, backupDir: true };
  const other: CopyEvidence = copyDestination !== undefined ? { copyDestination } : {};
  const readKeys = evidence('readKeys');
  const deleted: string[] = [];
  for (const key of deletes) {
    if (key === undefined || readKeys?.has(key) !== true) return other;
    deleted.push(key);
  }
  if (deleted.length === 0) return other;
  const sourceDirectory = commonDirectory(deleted);
  for (const uploaded of evidence('uploadDirectories') ?? NO_NAMES)
    if (uploaded.startsWith(sourceDirectory)) return other;
  const elsewhere = copiesToOtherBuckets(sourceDirectory, evidence);
  return {
    moveSource: {
      ...(copyDestination !== undefined ? { destinationPrefix: copyDestination } : {}),
      ...(elsewhere.length > 0 ? { otherBucketDestinations: elsewhere } : {}),
    },
  };
}

/**
 * Where the caller's copies of keys under `sourceDirectory` went in other buckets, a directory of each
 * (`aws s3 mv --recursive s3://src/out/ s3://dst/in/`: `dst`, `in/`), from the copies that succeeded.
 */
function copiesToOtherBuckets(
  sourceDirectory: string,
  evidence: (kind: CallEvidence) => ReadonlySet<string> | undefined,
): readonly { readonly bucket: string; readonly prefix: string }[] {
  const directories = new Map<string, string[]>();
  for (const copied of evidence('copiedToOtherBuckets') ?? NO_NAMES) {
    const [from, bucket, directory] = JSON.parse(copied) as [string, string, string];
    if (from.startsWith(sourceDirectory)) addKey(directories, bucket, directory);
  }
  return [...directories].map(([bucket, list]) => ({ bucket, prefix: commonDirectory(list) }));
}

/**
 * Whether the caller's server-side copies into `destination` (a directory, `''` the bucket root) are
 * rclone's --backup-dir: none of its listings reached that directory, and it looked up keys there that
 * S3 found missing (rclone HEADs each backup key before copying to it). A sync lists the directory it
 * deletes from, whatever its flags (rclone ignores --no-traverse with sync: "Ignoring --no-traverse with
 * sync", rclone issue #1059): refused deletes (`deleted`, their keys) outside every listing of the
 * caller's are not a sync's, but a `move`'s or `moveto`'s, which deletes the file it copied without
 * listing it.
 */
function backsUpTo(
  destination: string,
  deleted: readonly (string | undefined)[],
  evidence: (kind: CallEvidence) => ReadonlySet<string> | undefined,
): boolean {
  if (destination === '') return false;
  const listings = evidence('listPrefixes') ?? NO_NAMES;
  for (const listed of listings)
    if (isInsidePrefix(listed, destination) || isInsidePrefix(destination, listed)) return false;
  for (const key of deleted) {
    let inListed = false;
    for (const listed of listings) inListed ||= key !== undefined && isInsidePrefix(key, listed);
    if (!inListed) return false;
  }
  for (const key of evidence('missingKeys') ?? NO_NAMES)
    if (key.length > destination.length && key.startsWith(destination)) return true;
  return false;
}

/**
 * Whether one of the caller's listings without a delimiter (`recursiveListPrefixes`) walked the job's
 * directory `prefix`: a listing of it, of a directory above it, or of one inside it. After a refused
 * root check of `dir`, rclone from v1.74.4 lists `dir/` that way whatever the command, to see whether it
 * holds objects: a listing of `dir/` then says nothing. Nor does one of a directory above the root the
 * job checked (`nas/` for `nas/mirror`): rclone walks from the path it was given, so another command made
 * it (an `rclone ls` of `nas/` before a sync of `nas/mirror`).
 */
function listsRecursively(
  recursiveListPrefixes: ReadonlySet<string> | undefined,
  prefix: string,
  rootCheckKeys: readonly string[],
): boolean {
  if (recursiveListPrefixes === undefined) return false;
  for (const listed of recursiveListPrefixes) {
    if (rootCheckKeys.some((key) => `${key}/`.startsWith(listed))) continue;
    if (isInsidePrefix(prefix, listed) || isInsidePrefix(listed, prefix)) return true;
  }
  return false;
}

/**
 * Actions Object Lock can refuse whatever the policies allow: deleting a protected version, and
 * changing its retention.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
 */
const LOCKABLE_ACTIONS: ReadonlySet<string> = new Set([
  's3:deleteobjectversion',
  's3:putobjectretention',
  's3:putobjectlegalhold',
]);

/**
 * Actions MFA delete refuses to anyone but the root user, and to the root user without the `x-amz-mfa`
 * header: permanently deleting an object version, and changing the bucket's versioning state.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiFactorAuthenticationDelete.html
 */
const MFA_DELETE_ACTIONS: ReadonlySet<string> = new Set(['s3:deleteobjectversion', 's3:putbucketversioning']);

const MFA_DELETE_DOC = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMFADelete.html';

/** Per catalogue operation: whether S3 may call KMS for it (see {@link mayCallKms}). */
const CALLS_KMS = new Map<string, boolean>();

/**
 * Whether S3 may call KMS for the caller in the event's request, where a KMS key policy can refuse it:
 * the catalogue names a KMS call, or one the record cannot show (an SSE-KMS object's read, an upload to
 * a bucket with default SSE-KMS), or the request names its key. Besides these, a browser-form upload
 * (PostObject) encrypts like PutObject, and UpdateObjectEncryption changes an object's key. A bucket's
 * configuration, a listing or a delete involves no key.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
 */
function mayCallKms(event: DeniedEvent): boolean {
  if (event.kmsChecks.length > 0) return true;
  const known = CALLS_KMS.get(event.eventName);
  if (known !== undefined) return known;
  const operation = s3OperationFor(event.eventName)?.operation;
  const calls =
    operation === undefined ||
    operation.kms !== undefined ||
    operation.kmsHidden !== undefined ||
    event.eventName === 'PostObject' ||
    event.eventName === 'UpdateObjectEncryption';
  // Event names come from the trail: only the catalogue's are remembered, so the map stays small.
  if (operation !== undefined) CALLS_KMS.set(event.eventName, calls);
  return calls;
}

/** Denied requests that only name an object the client listed: a content read or a delete. */
const LISTED_OBJECT_EVENTS: ReadonlySet<string> = new Set(['GetObject', 'DeleteObject']);

/** Whether the job was refused reading or deleting an object inside `directory` (`daily/`) of the bucket. */
function deniedListedObjectIn(
  evaluated: readonly EvaluatedCheck[],
  bucket: string,
  directory: string,
): boolean {
  for (const e of evaluated) {
    const { check } = e;
    if (
      e.decision !== 'Allowed' &&
      check.bucket === bucket &&
      check.key?.startsWith(directory) === true &&
      LISTED_OBJECT_EVENTS.has(e.event.eventName)
    )
      return true;
  }
  return false;
}

function isRootProbe(e: EvaluatedCheck, probes: ReadonlySet<string>): boolean {
  const { key } = e.check;
  return key !== undefined && probes.has(key) && mayBeRootProbe(e.event.eventName, e.check.action, key);
}

/**
 * Why an aws-cli v1 job gets no job profile: v1 names no command in its user agent (see userAgent.ts),
 * and the calls alone do not tell an `aws s3 sync` refused its listing from an `aws s3 rm --recursive`.
 */
function awsCliV1Caveat(version: string): string {
  return `aws-cli ${version} is version 1, which does not say in its user agent which command ran (version 2 adds md/command#s3.sync, say), so no job profile is proposed: a fix covers the refused calls only, and the job may be refused other calls once they are allowed. Run it with aws-cli v2 to get the whole set an \`aws s3\` command needs (https://docs.aws.amazon.com/cli/latest/userguide/cliv2-migration.html).`;
}

/**
 * The aws-cli commands of a finding's requests, in the order the caller ran them, starting with the
 * group's first (`first`). Each distinct user agent is read once: a job repeats its own.
 */
function awsCliCommands(first: string, evaluated: readonly EvaluatedCheck[]): string[] {
  const commands = new Set([first]);
  const agents = new Set<string | undefined>();
  for (const { event } of evaluated) {
    if (agents.has(event.userAgent)) continue;
    agents.add(event.userAgent);
    const client = detectClient(event.userAgent);
    if (client.tool === 'aws-cli' && client.command !== undefined) commands.add(client.command);
  }
  return [...commands];
}

/**
 * What in the input shows that the bucket exists, for advice that depends on it (no_check_bucket makes
 * `rclone mkdir` of a new bucket do nothing): a bucket policy given for it, or a call on it that
 * succeeded or found no such key (a call on a bucket that does not exist fails with NoSuchBucket).
 */
function bucketExistence(
  bucket: string,
  context: ExplainContext,
  succeeded: SucceededCalls,
): { bucketExists?: string } {
  if (context.bucketPolicies.has(bucket)) return { bucketExists: 'its bucket policy was given' };
  if (succeeded.buckets.has(bucket))
    return { bucketExists: 'S3 answered calls on it in this input without NoSuchBucket' };
  return {};
}

/**
 * What the finding's requests on the bucket show, with the caller's successful calls there: the keys
 * (a request's object, or the key a HEAD refused on the bucket was for, and the keys it read), the
 * listings' prefixes, the keys deleted or refused deleting, and the event names.
 */
function callsOn(
  bucket: string,
  evaluated: readonly EvaluatedCheck[],
  succeeded: ReadonlySet<string>,
  evidence: (kind: CallEvidence) => ReadonlySet<string> | undefined,
): { keys: string[]; listPrefixes: string[]; deletedKeys: string[]; eventNames: Set<string> } {
  const keys: string[] = [...(evidence('readKeys') ?? NO_NAMES)];
  const listPrefixes: string[] = [...(evidence('listPrefixes') ?? NO_NAMES)];
  const deletedKeys: string[] = [];
  const eventNames = new Set(succeeded);
  for (const { check, event } of evaluated) {
    if (check.bucket !== bucket) continue;
    eventNames.add(event.eventName);
    const key = check.key ?? event.objectKey;
    if (key !== undefined && key !== '') {
      keys.push(key);
      if (event.eventName === 'DeleteObject') deletedKeys.push(key);
    }
    const prefix = check.context['s3:prefix'];
    if (typeof prefix === 'string') listPrefixes.push(prefix);
  }
  return { keys, listPrefixes, deletedKeys, eventNames };
}

/** Operations that move an object's bytes between the client and S3 (not a server-side copy). */
const LOCAL_TRANSFERS: ReadonlySet<string> = new Set([
  'PutObject',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'GetObject',
]);

/**
 * Whether the caller's successful server-side copies read from the job's directory of this bucket
 * (`prefix`), and it uploaded or copied nothing into the bucket: the bucket is where a transfer reads.
 */
function copiedFromHere(
  prefix: string,
  evidence: (kind: CallEvidence) => ReadonlySet<string> | undefined,
): boolean {
  if ((evidence('uploadDirectories')?.size ?? 0) > 0 || (evidence('copyDirectories')?.size ?? 0) > 0)
    return false;
  const directory = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  for (const read of evidence('copySourceDirectories') ?? NO_NAMES)
    if (read.startsWith(directory)) return true;
  return false;
}

/**
 * restic's profile (see resticProfile); none when the calls show no restic repository (minio-go is
 * used by other programs too).
 */
function resticAdvice(
  bucket: string,
  partition: string | undefined,
  calls: ReturnType<typeof callsOn>,
): { jobProfile: JobProfile | null; alternatives: readonly Alternative[] } {
  const profile = resticProfile({ bucket, ...(partition !== undefined ? { partition } : {}), ...calls });
  if (profile === undefined) return { jobProfile: null, alternatives: [] };
  return {
    jobProfile: {
      tool: 'restic',
      operation: 'unknown',
      statements: profile.statements,
      notes: profile.notes,
    },
    alternatives: profile.alternatives,
  };
}

/** Whether a request of the finding on `bucket`, or a key read there, names a duplicity file. */
function namesDuplicityFile(
  bucket: string,
  evaluated: readonly EvaluatedCheck[],
  readKeys: ReadonlySet<string>,
): boolean {
  for (const { check, event } of evaluated) {
    const key = check.key ?? event.objectKey;
    if (check.bucket === bucket && key !== undefined && isDuplicityFile(key)) return true;
  }
  for (const key of readKeys) if (isDuplicityFile(key)) return true;
  return false;
}

/**
 * duplicity's profile (see duplicityProfile), when a request of the finding or a successful read names
 * one of its files; `undefined` otherwise (most boto3 jobs are not duplicity's).
 */
function duplicityAdvice(
  bucket: string,
  partition: string | undefined,
  evaluated: readonly EvaluatedCheck[],
  succeeded: ReadonlySet<string>,
  evidence: (kind: CallEvidence) => ReadonlySet<string> | undefined,
): { jobProfile: JobProfile; alternatives: readonly Alternative[] } | undefined {
  if (!namesDuplicityFile(bucket, evaluated, evidence('readKeys') ?? NO_NAMES)) return undefined;
  const calls = callsOn(bucket, evaluated, succeeded, evidence);
  const profile = duplicityProfile({ bucket, ...(partition !== undefined ? { partition } : {}), ...calls });
  if (profile === undefined) return undefined;
  return {
    jobProfile: {
      tool: 'duplicity',
      operation: 'unknown',
      statements: profile.statements,
      notes: profile.notes,
    },
    alternatives: profile.alternatives,
  };
}

/**
 * The directories the caller's successful calls on the bucket worked in: those that hold objects it
 * wrote or read, where it uploaded, and where S3 found no key it looked up.
 */
function workedDirectories(
  evidence: (kind: CallEvidence) => ReadonlySet<string> | undefined,
  readsOnly = false,
): string[] {
  const directories: string[] = [];
  // The directories of objects seen include those written: a job that only reads leaves them out (the
  // keys it read are among its calls' keys).
  const kinds = readsOnly
    ? (['missingKeyDirectories'] as const)
    : (['objectDirectories', 'missingKeyDirectories', 'uploadDirectories'] as const);
  for (const kind of kinds) {
    for (const directory of evidence(kind) ?? NO_NAMES) directories.push(directory);
  }
  return directories;
}

/** The profile of a job through Hadoop's S3A connector (see s3aProfile). */
function s3aAdvice(
  bucket: string,
  partition: string | undefined,
  calls: ReturnType<typeof callsOn>,
  evidence: (kind: CallEvidence) => ReadonlySet<string> | undefined,
  evaluated: readonly EvaluatedCheck[],
): { jobProfile: JobProfile; alternatives: readonly Alternative[] } {
  // What the job wrote: the keys of its writes (not a copy's source), and where its successful uploads
  // and copies went.
  const writtenKeys: string[] = [];
  for (const { check, event } of evaluated)
    if (
      check.bucket === bucket &&
      check.role !== 'source' &&
      check.key !== undefined &&
      isObjectWrite(event.eventName)
    )
      writtenKeys.push(check.key);
  const writtenDirectories = [
    ...(evidence('uploadDirectories') ?? NO_NAMES),
    ...(evidence('copyDirectories') ?? NO_NAMES),
  ];
  const profile = s3aProfile({
    bucket,
    ...(partition !== undefined ? { partition } : {}),
    ...calls,
    directories: workedDirectories(evidence),
    writes: { keys: writtenKeys, directories: writtenDirectories },
  });
  return {
    jobProfile: {
      tool: 'hadoop-s3a',
      operation: 'unknown',
      statements: profile.statements,
      notes: profile.notes,
    },
    alternatives: [],
  };
}

/** A listing's prefix as a directory (`team` is listed as the directory `team/`); `''` is the bucket's root. */
function listedDirectory(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/**
 * The path an `aws s3 sync` walked that holds `keys` (the files it wrote, or the copies' sources): the
 * deepest of the caller's listings without a delimiter that holds every key; `undefined` when none does.
 */
function syncPathOf(keys: readonly string[], listings: ReadonlySet<string> | undefined): string | undefined {
  let syncPath: string | undefined;
  for (const listed of listings ?? NO_NAMES) {
    const directory = listedDirectory(listed);
    if (!keys.every((key) => key.startsWith(directory))) continue;
    if (syncPath === undefined || directory.length > syncPath.length) syncPath = directory;
  }
  return syncPath;
}

/**
 * A FUSE mount's directory (s3fs, Mountpoint): the common directory of its keys, its listings and the
 * directories its successful calls worked in; `undefined` when they name none.
 */
function mountDirectory(
  calls: ReturnType<typeof callsOn>,
  evidence: (kind: CallEvidence) => ReadonlySet<string> | undefined,
  readOnly: boolean,
): string | undefined {
  // A read-only mount uploaded nothing: where the caller's uploads went is another client's work.
  const paths = [
    ...calls.keys,
    ...calls.listPrefixes.map(listedDirectory),
    ...workedDirectories(evidence, readOnly),
  ];
  return paths.length > 0 ? commonDirectory(paths) : undefined;
}

/** The profile of a FUSE mount by s3fs or Mountpoint (see s3fsProfile and mountpointProfile). */
function mountAdvice(
  tool: 's3fs' | 'mountpoint-s3',
  bucket: string,
  partition: string | undefined,
  mount: { directory: string | undefined; eventNames: Set<string>; readOnly: boolean },
): { jobProfile: JobProfile; alternatives: readonly Alternative[] } {
  const input = { bucket, ...(partition !== undefined ? { partition } : {}), ...mount };
  const profile = tool === 's3fs' ? s3fsProfile(input) : mountpointProfile(input);
  return {
    jobProfile: { tool, operation: 'mount', statements: profile.statements, notes: profile.notes },
    alternatives: profile.alternatives,
  };
}

/** The bucket an S3 ARN names (`arn:aws:s3:::bucket/...`). */
const BUCKET_OF_ARN = /^arn:[^:]*:s3:::([^/]+)/;

/**
 * The directories of the keys the caller found missing, less rclone's check of its root path: a key
 * (`big2`) that is the directory of other missing keys (`big2/big.bin`) or was listed as one (`big2/`) is
 * that HEAD, not a file the job writes at the bucket's root.
 */
function missingKeyDirectories(
  evidence: (kind: CallEvidence) => ReadonlySet<string> | undefined,
): Iterable<string> {
  const keys = evidence('missingKeys');
  const directories = evidence('missingKeyDirectories') ?? NO_NAMES;
  // Beyond the keys kept, the roots cannot be told: the directories as they are.
  if (keys === undefined || keys.size === 0 || keys.size >= MISSING_KEYS_KEPT) return directories;
  // The directories the missing keys lie in (at most MISSING_KEYS_KEPT keys); a listing of `key/` is
  // looked up directly, not walked (a caller may have listed tens of thousands of directories).
  const holding = new Set<string>();
  for (const key of keys) {
    for (let slash = key.indexOf('/'); slash > 0; slash = key.indexOf('/', slash + 1))
      holding.add(key.slice(0, slash));
  }
  const listed = evidence('listPrefixes') ?? NO_NAMES;
  const kept = new Set<string>();
  for (const key of keys)
    if (!holding.has(key) && !listed.has(`${key}/`)) kept.add(key.slice(0, key.lastIndexOf('/') + 1));
  return kept;
}

/** Evidence of successful calls whose text may reach a job profile's statements. */
const PROFILE_EVIDENCE: readonly CallEvidence[] = [
  'listPrefixes',
  'objectDirectories',
  'readKeys',
  'copyDirectories',
  'copySourceDirectories',
  'uploadDirectories',
  'missingKeyDirectories',
];

/**
 * The key texts a fix's or a job profile's statements can be written from: the checks' keys (and those
 * their object ARNs name, a copy's source too), listed prefixes, and what the caller's successful calls
 * on the bucket showed.
 */
function* keyTextsOf(
  evaluated: readonly EvaluatedCheck[],
  seen: (kind: CallEvidence) => Iterable<string>,
): Generator<string> {
  for (const e of evaluated) {
    if (e.check.key !== undefined) yield e.check.key;
    const named = objectKeyOf(e.check.resource);
    if (named !== undefined) yield named;
    const prefix = e.check.context['s3:prefix'];
    if (typeof prefix === 'string') yield prefix;
    if (e.event.copySource !== undefined) yield e.event.copySource.key;
  }
  for (const kind of PROFILE_EVIDENCE) yield* seen(kind);
}

/** How the verification says that nothing else becomes newly allowed. */
const NOTHING_NEWLY_ALLOWED = 'No other S3 action or resource becomes newly allowed';

/**
 * The fix with its verification saying what its `?` for characters IAM cannot hold allow besides: in
 * the line that says nothing else becomes newly allowed, or in a line of its own.
 */
function withReplacedCharactersLine(fix: Fix | null): Fix | null {
  if (fix === null) return null;
  const besides =
    'keys that differ where its resources write ? for characters IAM cannot hold (see the caveats)';
  const at = fix.verification.findIndex((line) => line.startsWith(NOTHING_NEWLY_ALLOWED));
  const verification =
    at >= 0
      ? fix.verification.map((line, i) =>
          i === at
            ? `${NOTHING_NEWLY_ALLOWED}, apart from ${besides}${line.slice(NOTHING_NEWLY_ALLOWED.length)}`
            : line,
        )
      : [...fix.verification, `It also allows ${besides}.`];
  return { ...fix, verification };
}

/** The statements of the fix (with its other changes) and of the job profile. */
function statementsOf(fix: Fix | null, profile: JobProfile | null): PolicyStatement[] {
  return [
    ...(fix?.statements ?? []),
    ...(fix?.identityStatements ?? []),
    ...(fix?.identityChange?.statements ?? []),
    ...(fix?.boundary?.statements ?? []),
    ...(fix?.otherScps?.flatMap((change) => change.statements) ?? []),
    ...(profile?.statements ?? []),
  ];
}

/** Whether a statement of the fix or of the job profile stands a `?` for a character IAM cannot hold. */
function replacesCharacters(fix: Fix | null, profile: JobProfile | null): boolean {
  return statementsOf(fix, profile).some((s) => s.Resource.some(holdsReplacedCharacter));
}

/** The S3 actions of refused requests that no statement of a job profile grants. */
function refusedNotInProfile(
  denied: readonly EvaluatedCheck[],
  statements: readonly PolicyStatement[],
): string[] {
  const granted = new Set(statements.flatMap((s) => s.Action.map((action) => action.toLowerCase())));
  return [
    ...new Set(
      denied
        .filter((e) => e.check.kind === 's3' && !granted.has(e.check.action.toLowerCase()))
        .map((e) => e.check.action),
    ),
  ];
}

/**
 * Whether SCPs restrict the caller: IAM principals of the organization's accounts, not a service, an
 * anonymous caller or a service-linked role.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
function scpAppliesTo(principal: Principal): boolean {
  return (
    principal.type !== 'AWSService' &&
    principal.type !== 'Anonymous' &&
    !/:assumed-role\/AWSServiceRoleFor|:role\/aws-service-role\//.test(principal.arn ?? '')
  );
}

export class FindingBuilder {
  readonly #context: ExplainContext;
  readonly #resolver: PolicyResolver;
  /** Event names of the S3 calls that succeeded, per principal and bucket: evidence of what a job does. */
  readonly #succeeded: SucceededCalls;

  constructor(context: ExplainContext, resolver: PolicyResolver, succeeded: SucceededCalls) {
    this.#context = context;
    this.#resolver = resolver;
    this.#succeeded = succeeded;
  }

  /** One finding for a group of events with distinct event IDs (the batch reports re-delivered ones once, as skipped). */
  build(events: readonly DeniedEvent[]): Finding {
    const first = events[0]!;
    const principal = first.principal;
    const bucket = first.bucket;
    const owner = first.owner;
    const resourceAccount =
      owner?.from === 'resources'
        ? owner.account
        : (this.#context.snapshot?.accountId ?? owner?.account ?? principal.account);
    // S3's message names the kind of policy that refused a request only "for same-account requests or
    // for requests within the same organization": such a message shows both accounts in one organization.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
    const sameOrganization = events.some(
      (e) => e.message.form === 'enhanced' && isS3Action(e.message.action),
    );
    const resolved = this.#resolver.resolve(principal, bucket, resourceAccount, sameOrganization);
    const crossAccount =
      principal.account !== undefined &&
      resourceAccount !== undefined &&
      principal.account !== resourceAccount;
    const caveats: string[] = [];
    const canEvaluate =
      resolved.identityKnown ||
      principal.type === 'Root' ||
      principal.type === 'Anonymous' ||
      principal.type === 'AWSService' ||
      (crossAccount && resolved.bucketPolicyKnown);
    const cache = this.#resolver.compiledPolicyCache;
    const allowAll = () =>
      cache.compile(
        {
          name: 'assumed caller-side allow',
          document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        },
        { policyType: 'identity', policyIndex: 0 },
      );
    const set = withAssumedCallerAllow(resolved.set, resolved, crossAccount, allowAll);
    if (crossAccount && !resolved.identityKnown) {
      // Its policies must allow the KMS calls S3 makes with its credentials (SSE-KMS) too, unchecked here.
      const keyCalls = kmsCallsOf(events).map((call) => ({ call }));
      let keyStatements = '';
      if (keyCalls.length > 0) {
        const needs = keyPolicyNeeds(keyCalls, principal.account);
        keyStatements = `, and the KMS calls S3 makes with its credentials for them (SSE-KMS): ${statementsText(kmsStatements(keyCalls))}. ${needs.charAt(0).toUpperCase()}${needs.slice(1)}`;
      }
      caveats.push(
        principal.type === 'Root'
          ? `The caller is the root user of account ${principal.account ?? 'unknown'}: allowed everything in its own account but what its organization's SCPs deny, which are not visible here${keyStatements}.`
          : `The caller is in account ${principal.account ?? 'unknown'}, whose policies are not visible here; its own policies must allow these actions too${keyStatements}.`,
      );
    } else if (resolved.identityGap !== undefined) {
      caveats.push(`Identity policies could not be checked: ${resolved.identityGap}.`);
    }
    caveats.push(...resolved.organizationNotes);
    for (const { first, holders } of unseenByArn(resolved.missingPolicies))
      caveats.push(unseenPolicyCaveat(first, holders));
    const unread = canEvaluate ? problemsOf(set) : [];
    caveats.push(...unreadCaveats(unread));

    const evaluated: EvaluatedCheck[] = [];
    // A job repeats requests (the same ListBucket, the same HEAD): those whose decision cannot depend on
    // their context share one evaluation (findings read decisions, never explanations).
    const reusable = createReusableResults();
    // Requests on another bucket (a copy's source): that bucket's policy, not the finding's, decides.
    const otherBuckets = new Map<string, OtherBucketPolicies | undefined>();
    const otherBucket = (name: string | undefined): OtherBucketPolicies | undefined => {
      if (name === undefined || name === bucket) return undefined;
      if (otherBuckets.has(name)) return otherBuckets.get(name);
      // The record names the owner of the bucket it was logged on only: the other bucket is taken to be
      // the same account's, as a copy between buckets most often is.
      const other = this.#resolver.resolve(principal, name, resourceAccount, sameOrganization);
      const found =
        other === resolved
          ? undefined
          : {
              resolved: other,
              set: withAssumedCallerAllow(other.set, other, crossAccount, allowAll),
              reusable: createReusableResults(),
            };
      otherBuckets.set(name, found);
      return found;
    };
    // The caller's identity policies are not visible, but a Deny in a policy that is given (the bucket's,
    // an SCP, an RCP) refuses whatever they allow: requests are evaluated with them taken to allow all,
    // and only an explicit denial is kept (any other decision depends on what is not visible).
    const denyOnly = canEvaluate ? undefined : { ...set, identity: [allowAll()] };
    // The caller's own keys (role ARN with path, principal tags) are shared by all its requests.
    const principalContext = Object.keys(resolved.context).length > 0 ? resolved.context : undefined;
    for (const event of events) {
      for (const check of checksOf(event)) {
        // Assigned member by member (no conditional spreads): this runs for every denied event.
        const request: { -readonly [K in keyof AuthorizationRequest]: AuthorizationRequest[K] } = {
          principal: resolved.enginePrincipal,
          action: check.action,
          resource: check.resource,
        };
        const other = check.bucket !== bucket ? otherBucket(check.bucket) : undefined;
        if (resourceAccount !== undefined) request.resourceAccount = resourceAccount;
        request.context = check.context;
        if (principalContext !== undefined) request.principalContext = principalContext;
        // What CloudTrail does not log is unknown, not absent: a Deny on it is not taken to apply.
        request.unknownKeys = isUnloggedKey;
        if (
          check.accessPoint === undefined &&
          check.bucket !== undefined &&
          accessPointAliasKind(check.bucket) !== undefined
        ) {
          // An access point alias in place of the bucket: S3 evaluated the access point's ARNs, which the
          // record does not give, never `arn:aws:s3:::<alias>` (see accessPointAliasCaveat).
          evaluated.push({ event, check, request, decision: 'Unknown' });
        } else if (canEvaluate && other !== undefined) {
          const result = withBucketPolicyDeny(
            other.set,
            request,
            check,
            evaluateReusing(other.set, request, other.reusable),
          );
          evaluated.push({ event, check, request, result, decision: result.decision, set: other.set });
        } else if (canEvaluate) {
          const result = withBucketPolicyDeny(set, request, check, evaluateReusing(set, request, reusable));
          evaluated.push({ event, check, request, result, decision: result.decision });
        } else if (denyOnly !== undefined) {
          // Only where the event's message allows it: a message that names no Deny of that kind says
          // none refused the request (AWS reports an explicit Deny first).
          const checkSet =
            other !== undefined
              ? hasNonIdentityPolicies(other.set)
                ? { ...other.set, identity: denyOnly.identity }
                : undefined
              : hasNonIdentityPolicies(denyOnly)
                ? denyOnly
                : undefined;
          const result =
            checkSet !== undefined
              ? withBucketPolicyDeny(checkSet, request, check, evaluate(checkSet, request))
              : undefined;
          // The Denies the message leaves room for, the one it names first.
          const admitted =
            result?.decision === 'ExplicitlyDenied'
              ? result.deniedBy.filter((ref) => messageAdmitsDeny(event.message, check, ref.policyType))
              : [];
          // Unknown or not, a check on another bucket keeps that bucket's policies for what is said of it.
          const onOther = other !== undefined && checkSet !== undefined ? { set: checkSet } : {};
          if (result !== undefined && admitted.length > 0)
            evaluated.push({
              event,
              check,
              request,
              result: { ...result, deniedBy: admitted },
              decision: 'ExplicitlyDenied',
              ...onOther,
            });
          else evaluated.push({ event, check, request, decision: 'Unknown', ...onOther });
        } else {
          evaluated.push({ event, check, request, decision: 'Unknown' });
        }
      }
      for (const note of event.notes) if (!caveats.includes(note)) caveats.push(note);
    }
    // Buckets a copy reads, whose owner the record does not name: evaluated as the finding's account's.
    const readElsewhere = [...otherBuckets.keys()].filter((name) =>
      evaluated.some((e) => e.check.bucket === name && e.check.role === 'source'),
    );
    if (readElsewhere.length > 0 && resourceAccount !== undefined && bucket !== undefined && canEvaluate) {
      const one = readElsewhere.length === 1;
      const copies = new Set(evaluated.filter((e) => e.check.role === 'source').map((e) => e.event.eventId))
        .size;
      caveats.push(
        `The ${copies === 1 ? 'copy reads' : 'copies read'} ${one ? 'bucket' : 'buckets'} ${andList(readElsewhere)}, whose owner the record does not name: ${one ? 'it was' : 'they were'} evaluated as ${one ? 'a bucket' : 'buckets'} of account ${resourceAccount}, as ${bucket} is. ${principal.account !== undefined && principal.account !== resourceAccount ? `If ${one ? 'it belongs' : 'one belongs'} to the caller's own account (${principal.account}), its own policies alone decide the read; if to a third account, that bucket's policy must allow it too` : `If ${one ? 'it belongs' : 'one belongs'} to another account, that bucket's policy must allow the read too`}; ${principal.account !== undefined && principal.account !== resourceAccount ? 'neither is' : 'that is not'} checked here.`,
      );
    }
    // Object Lock refused a request that sent the governance bypass, which the caller's policies allow:
    // GOVERNANCE retention is not what refused it. When they do not allow it, granting it lifts a
    // GOVERNANCE retention only: a COMPLIANCE one or a legal hold would still refuse the request.
    const lockNote = caveats.indexOf(OBJECT_LOCK_NOTE);
    if (lockNote >= 0) {
      const bypass = evaluated.filter((e) => e.check.action === 's3:BypassGovernanceRetention');
      if (bypass.length > 0)
        caveats[lockNote] = bypass.every((e) => e.decision === 'Allowed')
          ? OBJECT_LOCK_BYPASSED_NOTE
          : bypass.some((e) => e.decision === 'ExplicitlyDenied')
            ? OBJECT_LOCK_BYPASS_DENIED_NOTE
            : OBJECT_LOCK_BYPASS_REFUSED_NOTE;
    }
    // "If the request does not name a key" does not apply when it names one (its SSE-KMS headers).
    const defaultKey = caveats.indexOf(DEFAULT_KEY_NOTE);
    if (defaultKey >= 0 && events.some((e) => e.kmsChecks.length > 0)) caveats.splice(defaultKey, 1);

    // The partition of the requests' ARNs (`aws-cn` for a bucket in China): fixes and profiles name it.
    let partition: string | undefined;
    for (const e of evaluated) {
      partition = partitionOfArn(e.check.resource);
      if (partition !== undefined) break;
    }
    // "The denial may be about s3:ListBucket" does not apply to a caller its policies let list the bucket.
    const missingKey = caveats.indexOf(MISSING_KEY_403);
    // Whether the reads' refusal is taken to be the listing they lack (the summary says it is inferred).
    let listingInferred = false;
    if (missingKey >= 0 && canEvaluate && bucket !== undefined) {
      const listing: AuthorizationRequest = {
        principal: resolved.enginePrincipal,
        action: 's3:ListBucket',
        resource: bucketArnOf(bucket, partition),
        ...(resourceAccount !== undefined ? { resourceAccount } : {}),
        ...(principalContext !== undefined ? { principalContext } : {}),
        unknownKeys: isUnloggedKey,
      };
      if (evaluate(set, listing).decision === 'Allowed') caveats.splice(missingKey, 1);
      else {
        // The visible policies allow every read, and the legacy message names no action: S3's 403 for a
        // key that does not exist, to a caller without s3:ListBucket, is what they explain. The listing
        // each read would have needed is evaluated as the read's request on the bucket, as AWS's enhanced
        // message names it (s3:ListBucket on the bucket), and is the cause the fix grants.
        // Unless the input disproves it: a listing of the bucket that succeeded for this caller (it holds
        // s3:ListBucket by policies not visible here), or a read of the same key that found it shortly
        // before (the key existed).
        // A listing the visible policies allow (under an s3:prefix condition, say) is explained by them.
        // Each is asked with its own prefix (none for a listing of the whole bucket) and the network it
        // came through (a VPC endpoint, an address, TLS), which need not be the read's.
        const listingContext = contextForAction(first.check.context, 's3:ListBucket');
        const visiblyAllowed = ({ prefix, network }: ContextListing): boolean => {
          const context: Record<string, ContextValue> = { ...listingContext };
          delete context['s3:prefix'];
          for (const key of NETWORK_CONTEXT_KEYS) delete context[key];
          Object.assign(context, network);
          if (prefix !== undefined) context['s3:prefix'] = prefix;
          return evaluate(set, { ...listing, context }).decision === 'Allowed';
        };
        const disproof = missingKeyDisproof(
          events,
          principal,
          bucket,
          this.#succeeded,
          this.#context.windowMinutes,
          visiblyAllowed,
        );
        const listings =
          disproof === undefined
            ? missingKeyListings(events, evaluated, bucket, listing.resource)
            : undefined;
        if (disproof !== undefined) caveats[missingKey] = disproof;
        if (listings !== undefined) {
          const refused: EvaluatedCheck[] = [];
          for (const { event, check } of listings) {
            const request: AuthorizationRequest = { ...listing, context: check.context };
            const result = evaluateReusing(set, request, reusable);
            refused.push({ event, check, request, result, decision: result.decision });
          }
          if (refused.every((e) => e.decision !== 'Allowed')) {
            // The reads' own Denies the evaluation could not apply refuse them whatever the fix adds.
            caveats.push(...hiddenDenyCaveats(events, evaluated, set, unloggedKeyDenies(set, evaluated)));
            evaluated.push(...refused);
            listingInferred = true;
            caveats[missingKey] = missingKeyInferredCaveat(events, bucket, this.#stillDeny(events).items);
          }
        }
      }
    }

    // The message that says the most: one that names an explicit Deny (which no grant lifts), else one
    // that names a policy, else one that names an S3 setting.
    let message = first.message;
    for (const e of events) {
      if (e.message.form === 'enhanced') {
        if (message.form !== 'enhanced' || (e.message.denial === 'explicit' && message.denial !== 'explicit'))
          message = e.message;
        if (message.denial === 'explicit') break;
      } else if (e.message.form === 'setting' && message.form !== 'setting' && message.form !== 'enhanced')
        message = e.message;
    }
    // A caller named by account and principal ID alone was evaluated as its account: statements naming a
    // particular principal of that account may apply to it, or not.
    if (
      principal.arn === undefined &&
      principal.policyPrincipalArn === undefined &&
      principal.account !== undefined &&
      principal.principalId !== undefined &&
      !/^\d{12}$/.test(principal.principalId)
    ) {
      const naming = memberNamingStatements(
        set.resource,
        principal.account,
        principal.principalId,
        evaluated.map((e) => e.check),
      );
      if (naming.length > 0)
        caveats.push(
          `CloudTrail names the caller only by account ${principal.account} and ${principalIdKind(principal.principalId)} ${principal.principalId}, so it was evaluated as that account, and these statements of the bucket policy, which name a particular principal of the account or test the caller's ARN, were taken not to apply to it: ${naming.join('; ')}. If the caller is the principal one of them names, that statement applies: an Allow there leaves the refusal to the caller's own account, a Deny there is what refused it.`,
        );
    }
    // An access point alias in place of the bucket, with no access point ARN: the access point's ARNs,
    // which S3 evaluated, are not known (those requests were not evaluated), and no grant on the bucket
    // the alias seems to name would let the request through.
    const throughAlias =
      bucket !== undefined &&
      accessPointAliasKind(bucket) !== undefined &&
      evaluated.every((e) => e.check.accessPoint === undefined);
    // Every request refused by a Deny given here: the policies decide, whatever the caller's own allow.
    const evidence: Finding['evidence'] =
      (canEvaluate && !throughAlias) ||
      (denyOnly !== undefined && evaluated.every((e) => e.decision === 'ExplicitlyDenied'))
        ? 'policies'
        : message.form === 'enhanced' || message.form === 'setting'
          ? 'message'
          : 'event';
    const client = groupClient(events, caveats);
    const job =
      client.tool === 'rclone' && bucket !== undefined
        ? rcloneJob(
            evaluated,
            bucket,
            {
              listedWithSuccess: this.#succeeded.values('listPrefixes', principal, bucket),
              objectDirectories: this.#succeeded.values('objectDirectories', principal, bucket),
              readKeys: this.#succeeded.values('readKeys', principal, bucket),
              recursiveListings: timedListings(
                this.#succeeded.values('recursiveListings', principal, bucket),
              ),
              succeededNames: this.#succeeded.values('eventNames', principal, bucket),
            },
            this.#context.windowMinutes * 60_000,
          )
        : undefined;
    // rclone's HEAD of the destination root is denied under any policy scoped to the directory. It is
    // never where the job works. Before rclone v1.72 the error is ignored: the HEAD is then not granted,
    // and when other requests were denied it is not their cause either. From v1.72 (or when the version
    // is unknown) it can stop the job: it is granted, on that key alone.
    const probes = new Set<EvaluatedCheck>();
    if (job !== undefined && job.probes.size > 0) {
      for (const e of evaluated) if (e.decision !== 'Allowed' && isRootProbe(e, job.probes)) probes.add(e);
    }
    // Hadoop's S3A checks each parent of a path it creates with a HEAD of the key `dir` and a listing of
    // `dir/`: a refused HEAD of a key that paths the job listed lie below is such a check, granted on that
    // key alone, as a grant on its directory would open every table beside it.
    const parentChecks = new Set<EvaluatedCheck>();
    if (client.tool === 'other' && bucket !== undefined && isS3aAgent(client.raw)) {
      const listed = [...(this.#succeeded.values('listPrefixes', principal, bucket) ?? NO_NAMES)];
      for (const e of evaluated) {
        const key = e.check.key;
        if (e.decision === 'Allowed' || e.event.eventName !== 'HeadObject' || key === undefined) continue;
        if (listed.some((prefix) => prefix.startsWith(`${key}/`))) parentChecks.add(e);
      }
      const keys = [...new Set([...parentChecks].map((e) => e.check.key ?? ''))];
      if (keys.length > 0)
        caveats.push(
          `The HEAD of ${keys.map((key) => `${bucket}/${key}`).join(', ')} is S3A checking a parent directory of what it writes (a HEAD of the key, and a listing of key/): it is granted on that key alone, since S3 authorizes the HEAD as s3:GetObject on the key itself, and a grant on the directory above it would open everything there.`,
        );
    }
    const probeKeys = [...new Set([...probes].map((e) => e.check.key ?? ''))];
    const probeEffect = rootProbeEffect(client.version);
    // From v1.74.4 rclone lists the directory after the 403 and carries on when it holds objects, which
    // the input shows when the caller's successful calls read or wrote one inside it, listed one of its
    // subdirectories or walked it with a delimiter, or when this job was refused reading or deleting one
    // there (rclone only reads and deletes objects it listed).
    const lone = job?.lone === true;
    const walkedDirectories =
      bucket !== undefined ? this.#succeeded.values('delimitedListPrefixes', principal, bucket) : undefined;
    const carriedOnKeys =
      probeEffect === 'fatal-unless-listed' && bucket !== undefined && !lone
        ? probeKeys.filter(
            (key) =>
              this.#succeeded.holdsObjects(principal, bucket, `${key}/`) ||
              // rclone walks `dir/` with a delimiter only as a directory it went on with; the listing
              // it makes to test `dir/` after the 403 has none.
              walkedDirectories?.has(`${key}/`) === true ||
              deniedListedObjectIn(evaluated, bucket, `${key}/`),
          )
        : [];
    const ignoredProbes =
      probeEffect === 'ignored' && !lone
        ? probes
        : carriedOnKeys.length > 0
          ? new Set([...probes].filter((e) => carriedOnKeys.includes(e.check.key ?? '')))
          : NO_CHECKS;
    const onlyProbes = ignoredProbes.size > 0 && ignoredProbes.size === evaluated.length;
    const denied = evaluated.filter((e) => e.decision !== 'Allowed' && (onlyProbes || !ignoredProbes.has(e)));
    if (probes.size > 0 && bucket !== undefined) {
      const grantedKeys = probeKeys.filter((key) => !carriedOnKeys.includes(key));
      if (job?.copyTo !== undefined) caveats.push(copyToDestinationCaveat(bucket, job.copyTo.destination));
      else if (lone) caveats.push(loneRootProbeCaveat(bucket, probeKeys[0] ?? '', probeEffect));
      else {
        if (carriedOnKeys.length > 0) caveats.push(rootProbeCaveat(bucket, carriedOnKeys, probeEffect, true));
        if (grantedKeys.length > 0) {
          const side = job?.readsRoot === true ? 'source' : 'destination';
          caveats.push(rootProbeCaveat(bucket, grantedKeys, probeEffect, false, side));
        }
      }
    }
    // Requests a Deny given here refuses although the caller's identity policies are not visible.
    const byGivenDeny =
      evidence === 'policies' ? [] : denied.filter((e) => e.decision === 'ExplicitlyDenied');
    if (evidence === 'policies' && !canEvaluate) caveats.push(givenDenyCaveat(denied.length, denied.length));
    let cause: FindingCause;
    // The cause AWS's message gave, over what the visible policies show (see rcpDenyByMessage).
    let causeFromMessage: FindingCause | undefined;
    let identityOverAssumedBucket = false;
    let deniedBy: DeniedByRef[] = [];
    let boundaryAlsoRefuses = false;
    if (evidence === 'policies') {
      const explicit = denied.filter((e) => e.decision === 'ExplicitlyDenied');
      if (explicit.length > 0) {
        const refs = explicit.flatMap((e) => e.result?.deniedBy ?? []);
        deniedBy = dedupeRefs(refs);
        cause = EXPLICIT_CAUSE[refs[0]!.policyType];
        caveats.push(
          ...denyCaveats(set, explicit, (ref) =>
            ref.policyType === 'identity' && resolved.identityKnown
              ? resolved.identityPolicies[ref.policyIndex]?.attachedTo
              : undefined,
          ),
        );
      } else if (denied.length > 0) {
        const missing = new Set<PolicyType>();
        for (const e of denied) for (const type of e.result?.missingAllowIn ?? []) missing.add(type);
        const lacking = missingCause(missing);
        cause = lacking;
        boundaryAlsoRefuses = missing.has('identity') && missing.has('permissions-boundary');
        // A bucket policy not in the input was taken to allow nothing, which is no evidence: when AWS's
        // message names the identity-based policies, and the caller's own lack the Allow too, they are
        // the cause unless a fix on the bucket's side (which adds the caller's side too) is proposed.
        identityOverAssumedBucket =
          cause === 'resource-policy-missing-allow' &&
          !resolved.bucketPolicyKnown &&
          missing.has('identity') &&
          identityNamedByMessage(denied);
        // AWS's message says an explicit Deny in an RCP refused the requests, which no Allow lifts: that
        // is the cause, not the missing Allow the visible policies show (a Deny on a key CloudTrail does
        // not log, or in RCPs not given, is one the evaluation cannot see).
        const rcpDeny = rcpDenyByMessage(denied);
        if (rcpDeny !== undefined) {
          cause = 'rcp-explicit-deny';
          causeFromMessage = cause;
          boundaryAlsoRefuses = false;
          const hidden = unloggedKeyDenies(set, denied).filter((u) => u.ref.policyType === 'rcp');
          deniedBy = dedupeRefs(hidden.map((u) => u.ref));
          caveats.push(
            `AWS's message says an explicit Deny in a resource control policy refused ${rcpDeny}, which no Allow lifts: ${
              hidden.length > 0
                ? `${hidden.map((u) => u.text).join('; ')}, and CloudTrail does not log ${hidden.length === 1 ? 'that key' : 'those keys'}, so the evaluation could not check it: that is what refused ${denied.length === 1 ? 'it' : 'them'}`
                : set.rcpLevels.length > 0
                  ? `the RCPs given hold no Deny that refuses ${denied.length === 1 ? 'it' : 'them'}, so a level not given, or one changed since, does`
                  : this.#context.rcpLevels.length > 0
                    ? 'the RCPs given were not evaluated for this bucket (see above)'
                    : "no RCP was given (--rcp; `aws organizations list-policies-for-target --filter RESOURCE_CONTROL_POLICY` for the bucket's account, each OU above it and the root)"
            }. The Deny's owner (the organization's management account, or a delegated administrator) decides whether it should.${
              missing.has('resource') && !resolved.bucketPolicyKnown
                ? ' The bucket policy is not in the input either (it was taken to have no statement for the request), but no statement added to it would let the request through while the Deny stands.'
                : ` What the visible policies lack besides (${CAUSE_PHRASE[lacking]}) would not let the request through while it stands either.`
            }`,
          );
        }
      } else if (message.form === 'setting' && events.every((e) => e.message.form === 'setting')) {
        // AWS named the setting that refused it (the first caveat says which, and what to change). A
        // group with other refusals too (a read beside a delete Object Lock refused) is said as a whole.
        cause = 's3-setting';
      } else {
        cause = this.#allowedCause(
          events,
          evaluated,
          message,
          caveats,
          set,
          resolved.missingPolicies,
          unread,
        );
      }
    } else if (byGivenDeny.length > 0) {
      // The caller's identity policies are not visible, but a Deny given here refuses these requests
      // whatever they allow (and each one's message, when it names a policy, names a Deny of that kind).
      const refs = byGivenDeny.flatMap((e) => e.result?.deniedBy ?? []);
      deniedBy = dedupeRefs(refs);
      cause = EXPLICIT_CAUSE[refs[0]!.policyType];
      caveats.push(givenDenyCaveat(byGivenDeny.length, denied.length), ...denyCaveats(set, byGivenDeny));
    } else if (evidence === 'message' && message.form === 'setting') {
      cause = 's3-setting';
    } else if (evidence === 'message' && message.form === 'enhanced') {
      const pair = MESSAGE_CAUSE[message.policyType];
      // A KMS key policy is the resource-based policy a KMS action's message names.
      cause =
        message.policyType === 'resource' && message.action.toLowerCase().startsWith('kms:')
          ? 'kms-key'
          : message.denial === 'explicit'
            ? pair[1]
            : pair[0];
      const refType = REF_TYPE_OF_MESSAGE[message.policyType];
      if (message.policyArn !== undefined && refType !== undefined)
        deniedBy = [{ policyType: refType, policyArn: message.policyArn }];
      // Not for a network activity event the endpoint refused: its own note names the endpoint, and it
      // carries no message of AWS's that names a policy (VpceAccessDenied, with a fixed text).
      if (
        message.policyType === 'vpc-endpoint' &&
        first.vpcEndpointId !== undefined &&
        !events.every(isVpceRefusal)
      )
        caveats.push(
          `AWS's message names the VPC endpoint policy: ${vpcEndpointWhere(first.vpcEndpointId, first)}.`,
        );
    } else {
      cause = 'not-evaluable';
      caveats.push(
        throughAlias
          ? 'The event carries the generic "Access Denied" message and the access point the request went through is not in the record (see below), so the cause cannot be determined.'
          : 'The event carries the generic "Access Denied" message and the caller\'s policies are not available, so the cause cannot be determined.',
      );
    }
    // Denies taken not to apply for want of a key CloudTrail does not log: they may refuse the requests
    // too, whatever the fix adds.
    let plainHttp: readonly UnloggedKeyDeny[] = [];
    // How many of the requests have no tlsDetails (counted when a TLS-only Deny may refuse them).
    let withoutTls = 0;
    let recordCount = 0;
    // Where the two caveats are, for refused requests the visible policies allow (below) to join them.
    let unloggedAt = -1;
    let plainHttpAt = -1;
    const unloggedCaveat = (unlogged: readonly UnloggedKeyDeny[]) =>
      `${unlogged.map((u) => u.text).join('; ')}: CloudTrail does not log ${unlogged.length === 1 ? 'that key' : 'those keys'}, so the statement was taken not to apply; if the request met the condition, ${canEvaluate ? 'it refuses the request too, whatever the fix adds' : 'that statement refused it'}.`;
    const plainHttpCaveat = () =>
      `${plainHttp.map((u) => u.text).join('; ')}: ${recordCount === 1 ? 'the record has' : withoutTls === recordCount ? `the ${recordCount} records have` : `${withoutTls} of the ${recordCount} records ${withoutTls === 1 ? 'has' : 'have'}`} no tlsDetails, which CloudTrail's records (since eventVersion 1.08) carry for requests over TLS, so ${withoutTls === 1 ? 'the request was' : 'those requests were'} taken to have been sent over HTTPS; if ${withoutTls === 1 ? 'it' : 'they'} went over plain HTTP (an endpoint given as http://, or use_ssl off), ${plainHttp.length === 1 ? 'that statement' : 'those statements'} ${canEvaluate ? `refuse${plainHttp.length === 1 ? 's' : ''} ${withoutTls === 1 ? 'it' : 'them'} too, whatever the fix adds` : `refused ${withoutTls === 1 ? 'it' : 'them'}`}. Send ${withoutTls === 1 ? 'it' : 'them'} over HTTPS.`;
    // Counted by record: a copy's two checks share one.
    const countTls = (checks: readonly EvaluatedCheck[]) => {
      withoutTls = new Set(
        checks.filter((e) => e.check.context['aws:SecureTransport'] === undefined).map((e) => e.event),
      ).size;
      recordCount = new Set(checks.map((e) => e.event)).size;
    };
    // With the caller's policies not visible, the Denies given are checked all the same.
    const unloggedSet = evidence === 'policies' ? set : denyOnly;
    if (unloggedSet !== undefined && denied.length > 0) {
      // Not visible either, the caller's policies leave AWS's message to say whether a Deny refused.
      // Each Deny is checked only on the requests whose own message leaves room for one of its kind.
      const unlogged =
        evidence === 'policies'
          ? unloggedKeyDenies(unloggedSet, denied).filter(
              // Those AWS's message blames are said with the cause already.
              (u) => causeFromMessage !== 'rcp-explicit-deny' || u.ref.policyType !== 'rcp',
            )
          : UNLOGGED_DENY_TYPES.flatMap((type) => {
              const admitting = denied.filter((e) => messageAdmitsDeny(e.event.message, e.check, type));
              return admitting.length === 0
                ? []
                : unloggedKeyDenies(unloggedSet, admitting).filter((u) => u.ref.policyType === type);
            });
      if (unlogged.length > 0) unloggedAt = caveats.push(unloggedCaveat(unlogged)) - 1;
      // So are TLS-only Denies for a record without tlsDetails: evaluated as sent over HTTPS, which the
      // record does not show (and, since eventVersion 1.08, points against).
      plainHttp =
        evidence === 'policies'
          ? plainHttpDenies(unloggedSet, denied)
          : UNLOGGED_DENY_TYPES.flatMap((type) => {
              const admitting = denied.filter((e) => messageAdmitsDeny(e.event.message, e.check, type));
              return admitting.length === 0
                ? []
                : plainHttpDenies(unloggedSet, admitting).filter((u) => u.ref.policyType === type);
            });
      if (plainHttp.length > 0) {
        countTls(denied);
        plainHttpAt = caveats.push(plainHttpCaveat()) - 1;
      }
    }
    // The KMS calls S3 makes for an SSE-KMS request, evaluated against the caller's own policies: when
    // they refuse one, that is the cause (and an identity statement the fix); when they allow every one,
    // the key policy is what refuses. What AWS's message says about the call comes first.
    let kmsRequests: readonly FindingRequest[] = [];
    let kmsCalls: readonly EvaluatedKmsCall[] = [];
    let kmsFix: KmsFixOutcome | undefined;
    // KMS calls the caller's policies refuse besides S3's refusals: the S3 fix may grant them too.
    let keyUseAfterS3:
      | {
          readonly refused: readonly EvaluatedKmsCall[];
          readonly now: readonly EvaluatedKmsCall[];
          readonly likely: readonly EvaluatedKmsCall[];
          readonly next: readonly EvaluatedKmsCall[];
        }
      | undefined;
    const kmsVisible = evidence === 'policies' && canHoldKmsGrant(principal, resolved);
    // Statements that allow the key's use for other objects only: a fix that grants it widens them.
    let keyMisses: readonly KeyScopeMiss[] = [];
    // The events whose upload the key policy refused (see below), when that refusal is the cause.
    let keyLedEvents: ReadonlySet<string> = new Set();
    // The cause the key's refusal of those events gives (kms-key, or a Deny of the caller's on the key).
    let keyLedCause: FindingCause = 'kms-key';
    // AWS says a policy of the caller's refuses the key's use, and the caller's policies are not here to
    // evaluate the call: the cause is that policy, not the key.
    // So is it when they are, but the key is not known to evaluate the call on (an alias, a read).
    if (
      cause === 'kms-key' &&
      (!kmsVisible || kmsCallsOf(events).length === 0) &&
      message.form === 'enhanced' &&
      message.action.toLowerCase().startsWith('kms:') &&
      message.policyType !== 'resource'
    ) {
      const pair = MESSAGE_CAUSE[message.policyType];
      cause = message.denial === 'explicit' ? pair[1] : pair[0];
      // The caller's visible policies allow the call on any key of its account (Resource "*"): the
      // message's missing identity Allow is not what they show.
      if (kmsVisible && cause === 'identity-missing-allow' && principal.account !== undefined) {
        const region = first.check.context['aws:RequestedRegion'];
        const anyKey = `arn:${partition ?? 'aws'}:kms:${typeof region === 'string' ? region : 'us-east-1'}:${principal.account}:key/00000000-0000-0000-0000-000000000000`;
        const probe = evaluate(callerSide(resolved.set), {
          principal: resolved.enginePrincipal,
          action: message.action,
          resource: anyKey,
          resourceAccount: principal.account,
          ...(principalContext !== undefined ? { principalContext } : {}),
          unknownKeys: isUnloggedKey,
        });
        if (probe.decision === 'Allowed') {
          cause = 'allowed-by-visible-policies';
          caveats.push(
            `AWS's message says no identity-based policy allows ${message.action}, but the caller's policies in the snapshot allow it on any key of account ${principal.account}: the snapshot may be out of date, or a condition of the statement that allows it did not hold for S3's call to KMS.`,
          );
        }
      }
    }
    if (kmsVisible && (cause === 'kms-key' || denied.length > 0)) {
      const calls = evaluateKmsCalls(resolved, principal.account, kmsCallsOf(events), (keyAccount) =>
        this.#resolver.rcpLevelsFor(keyAccount),
      );
      kmsCalls = calls;
      kmsRequests = kmsRows(calls);
      const refused = calls.filter((c) => c.result.decision !== 'Allowed');
      caveats.push(...aliasResourceCaveats(resolved.set, refused));
      const bucketKey = bucketKeyCaveat(calls);
      if (bucketKey !== undefined) caveats.push(bucketKey);
      keyMisses = narrowerKeyScopes(resolved.set, refused);
      for (const miss of keyMisses) caveats.push(miss.caveat);
      if (cause !== 'kms-key') {
        // S3 refused requests of the finding: the key's use refused on this run by another event, or next.
        // A key's use AWS's message names: the note that a read's key cannot be known does not apply.
        // A read AWS refused its key's use: not a missing key's 403 either.
        for (const note of [DECRYPT_HIDDEN, HEAD_DECRYPT_HIDDEN, MISSING_KEY_403]) {
          const at = caveats.indexOf(note);
          const explained =
            note !== MISSING_KEY_403
              ? calls.some((c) => c.call.action === 'kms:Decrypt')
              : calls.some((c) => c.call.action === 'kms:Decrypt' && c.call.refusedThisRun);
          if (at >= 0 && explained) caveats.splice(at, 1);
        }
        dropAnsweredKmsNotes(caveats, events);
        // Requests the visible policies allow whose key use AWS's message says the key policy refused
        // (an UploadPart whose kms:Decrypt the key policy does not allow), beside S3 refusals of other
        // requests (the client's AbortMultipartUpload after the failed upload): the key stopped the job
        // first, so it is the cause, as it is without those requests, and what it says comes with it,
        // whether the caller's own policies allow the key's use or lack it too (in the key's account a
        // key policy statement that names the caller is enough on its own, and an identity statement
        // alone is not: the key policy refuses); the S3 refusals keep their fix. An explicit Deny keeps
        // its place as the cause (no change to the key lets those requests through).
        const byKeyPolicy = events.filter(
          (event) =>
            event.message.form === 'enhanced' &&
            event.message.policyType === 'resource' &&
            event.message.action.toLowerCase().startsWith('kms:') &&
            evaluated.every((e) => e.event !== event || e.decision === 'Allowed'),
        );
        const keyRefused = calls.filter((c) => byKeyPolicy.includes(c.call.event));
        if (keyRefused.length > 0 && denied.every((e) => e.decision !== 'ExplicitlyDenied')) {
          const outcome = this.#kmsCause(
            byKeyPolicy[0]!.message,
            keyRefused,
            keyRefused.filter((c) => c.result.decision !== 'Allowed'),
            caveats,
            principal,
            resolved,
            bucket,
            partition,
            resourceAccount,
          );
          keyLedEvents = new Set(byKeyPolicy.map((event) => event.eventId));
          keyLedCause = outcome.cause;
          if (outcome.deniedBy !== undefined) deniedBy = outcome.deniedBy;
        }
        // The key's use refused by the caller's policies for other requests: the S3 fix grants it. That
        // of the requests the key policy refused is said with the key's refusal above.
        const callerRefused = refused.filter((c) => !keyLedEvents.has(c.call.event.eventId));
        const now = callerRefused.filter((c) => c.call.refusedThisRun);
        // A request an explicit Deny refuses never reaches KMS while the Deny stands.
        const deniedEvents = new Set(
          denied.filter((e) => e.decision === 'ExplicitlyDenied').map((e) => e.event.eventId),
        );
        // A call refused on this run already is said once, with this run.
        const refusedNow = new Set(now.map((c) => `${c.call.action} ${c.call.keyArn}`));
        const later = callerRefused.filter(
          (c) =>
            !c.call.refusedThisRun &&
            !deniedEvents.has(c.call.event.eventId) &&
            !refusedNow.has(`${c.call.action} ${c.call.keyArn}`),
        );
        // Those of requests refused on this run that the visible policies allow, with AWS's legacy
        // message (an UploadPart of an SSE-KMS upload): the likely reason they were refused, not a call
        // S3 makes only once the S3 requests are allowed.
        const likely = later.filter(
          (c) =>
            c.call.event.message.form === 'legacy' &&
            evaluated.some((e) => e.event === c.call.event) &&
            evaluated.every((e) => e.event !== c.call.event || e.decision === 'Allowed'),
        );
        const next = later.filter((c) => !likely.includes(c));
        if (now.length > 0) caveats.push(kmsRefusalCaveat(now, true, principal.account));
        if (likely.length > 0) caveats.push(kmsRefusalCaveat(likely, 'likely', principal.account));
        if (next.length > 0) caveats.push(kmsRefusalCaveat(next, false, principal.account));
        if (later.length + now.length > 0)
          keyUseAfterS3 = { refused: [...now, ...likely, ...next], now, likely, next };
      } else if (calls.length > 0) {
        const outcome = this.#kmsCause(
          message,
          calls,
          refused,
          caveats,
          principal,
          resolved,
          bucket,
          partition,
          resourceAccount,
        );
        cause = outcome.cause;
        if (outcome.deniedBy !== undefined) deniedBy = outcome.deniedBy;
        kmsFix = outcome.fix;
      }
    }
    // Every request was refused by its VPC endpoint's policy, as the record proves (a network activity
    // event with VpceAccessDenied: S3 never evaluated it) or AWS's message says, and the visible policies
    // lack an Allow for it too: the endpoint is the cause, since no grant lets the request through while
    // its policy does not allow it. The cause the policies give still makes the fix (needed too, and not
    // enough on its own). A Deny the visible policies hold keeps its place: no Allow lifts it either.
    const endpointLed =
      evidence === 'policies' &&
      denied.length > 0 &&
      causeFromMessage === undefined &&
      keyLedEvents.size === 0 &&
      (cause.endsWith('-missing-allow') || cause === 'session-policy') &&
      events.every(
        (e) =>
          e.message.form === 'enhanced' &&
          e.message.policyType === 'vpc-endpoint' &&
          isS3Action(e.message.action),
      )
        ? { alsoCause: cause, proven: events.every(isVpceRefusal) }
        : undefined;
    // Statements that name a refused action but not its resource say why in the user's own terms.
    // rclone's root checks and S3A's parent checks are explained (and granted, or not) on their own.
    const misses =
      evidence === 'policies' && denied.length > 0
        ? nearMisses(
            set,
            denied.filter((e) => !probes.has(e) && !parentChecks.has(e)),
          )
        : [];
    for (const miss of misses) caveats.push(miss.caveat);
    // Not after the note on a refused governance bypass, which says what the grant does and does not lift.
    if (
      message.form === 'setting' &&
      cause !== 's3-setting' &&
      cause !== 'allowed-by-visible-policies' &&
      !caveats.some(isBypassRefusedNote)
    ) {
      caveats.push(
        `The visible policies do not allow the request either (${CAUSE_PHRASE[cause]}): once the S3 setting no longer refuses it, the fix below is needed too, unless the snapshot is out of date.`,
      );
    }
    // Each denied event's own message against what the policies say of its request: a policy AWS names
    // that the input does not show refusing it (not given, not visible, or out of date) can refuse it
    // again after the fix. A request the visible policies allow is one the fix does not cover at all.
    const keyCalls: { action: string; text: string; eventId: string }[] = [];
    let unshown =
      evidence === 'policies' && denied.length > 0
        ? this.#messageMismatches(
            evaluated,
            denied,
            ignoredProbes,
            bucket,
            resolved.missingPolicies,
            caveats,
            keyCalls,
            resolved.identityKnown,
            // The endpoint's refusal is the cause (see endpointLed): its message agrees with it.
            causeFromMessage ?? (endpointLed !== undefined ? 'vpc-endpoint-policy' : undefined),
          )
        : 0;
    const advice = principalAdvice(principal, cause, bucket);
    if (advice !== undefined) caveats.unshift(advice);

    // A visible policy that allows uploads only with x-amz-acl: bucket-owner-full-control (or denies them
    // without it): the uploads this run sent with another ACL stay refused whatever is added, so the fix
    // is built and verified for them as they must be sent, with that ACL, and grants s3:PutObjectAcl for
    // it (not for the ACL this run sent, which would let no upload through once the job sends the right one).
    const aclRequirement =
      evidence === 'policies'
        ? bucketOwnerFullControlRequired(
            set,
            evaluated.map((e) => ({
              eventName: e.event.eventName,
              request: e.request,
              ...(e.set !== undefined ? { set: e.set } : {}),
            })),
          )
        : undefined;
    const asSent =
      aclRequirement !== undefined && kmsFix === undefined && causeFromMessage === undefined && !onlyProbes
        ? withOwnerAcl(denied, set)
        : undefined;
    const fixChecks = asSent?.checks ?? denied;
    const exactChecks = parentChecks.size > 0 ? new Set([...probes, ...parentChecks]) : probes;
    let fixOutcome: KmsFixOutcome =
      bucket !== undefined && throughAlias
        ? { fix: null, caveats: [accessPointAliasCaveat(bucket)] }
        : kmsFix !== undefined
          ? kmsFix
          : // The Deny AWS's message names refuses every request: no Allow added gets one through.
            causeFromMessage !== undefined
            ? { fix: null, caveats: [] }
            : onlyProbes
              ? {
                  fix: null,
                  caveats: [
                    probeEffect === 'ignored'
                      ? 'Nothing to grant: the only denial is that check, which rclone ignores; the job did not fail on it.'
                      : 'Nothing to grant: the only denial is that check, and rclone carried on past it; the job did not fail on it.',
                  ],
                }
              : this.#fix(
                  cause,
                  evidence,
                  principal,
                  resolved,
                  fixChecks,
                  bucket,
                  partition,
                  resourceAccount,
                  asSent === undefined
                    ? exactChecks
                    : new Set([...exactChecks].map((e) => asSent.replaced.get(e) ?? e)),
                  ignoredProbes.size,
                  otherBucket,
                );
    if (asSent !== undefined && aclRequirement !== undefined) {
      const fix = fixOutcome.fix;
      const grantsAcl = [fix?.statements, fix?.identityStatements].some((statements) =>
        statements?.some((st) => st.Action.includes('s3:PutObjectAcl')),
      );
      const by = aclRequirement.by;
      caveats.push(
        `${by.charAt(0).toUpperCase()}${by.slice(1)}, so this run's ${asSent.uploads === 1 ? 'upload' : `${asSent.uploads} uploads`}, with ${asSent.sent}, ${asSent.uploads === 1 ? 'is' : 'are'} refused whatever is added. Send ${ownerFullControlSetting(client.tool)} on every upload instead, as AWS advises for buckets that require that ACL (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ensure-object-ownership.html#ensure-object-ownership-bucket-policy). ${fix === null ? `With x-amz-acl: ${OWNER_FULL_CONTROL}, the visible policies allow the uploads: nothing needs to be added.` : `The fix is for the uploads as they will then be sent${grantsAcl ? `: S3 authorizes an upload with an ACL header as s3:PutObjectAcl too, which the fix grants for x-amz-acl: ${OWNER_FULL_CONTROL} alone (s3:x-amz-acl is a condition key of that action, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)` : ''}.`}`,
      );
      if (fix !== null)
        fixOutcome = {
          ...fixOutcome,
          fix: {
            ...fix,
            requiresAcl: OWNER_FULL_CONTROL,
            verification: [
              ...fix.verification,
              `Evaluated with the uploads sending x-amz-acl: ${OWNER_FULL_CONTROL}, as they must (see the caveats), in place of this run's ${asSent.sent}: ${by}, so with the ACL this run sent they stay refused whatever the fix adds.`,
            ],
          },
        };
    }
    // One change for the whole job: the S3 fix grants the key's use too, when it can hold it.
    if (keyUseAfterS3 !== undefined && fixOutcome.fix !== null) {
      const combined = withKeyUseStatements(
        fixOutcome.fix,
        this.#fixInput(principal, resolved, bucket, partition, resourceAccount),
        keyUseAfterS3.refused,
        denied.map((e) => ({ eventId: e.event.eventId, request: e.request })),
      );
      if (combined !== undefined && 'notJoined' in combined) caveats.push(combined.notJoined);
      else if (combined !== undefined) {
        const { now, likely, next } = keyUseAfterS3;
        // The S3 fix the key's statements joined: the objects they are for.
        const keyScope = keyScopeOf(fixOutcome.fix);
        for (const [calls, thisRun] of [
          [now, true],
          [likely, 'likely'],
          [next, false],
        ] as const) {
          const at =
            calls.length > 0 ? caveats.indexOf(kmsRefusalCaveat(calls, thisRun, principal.account)) : -1;
          if (at >= 0)
            caveats[at] = keyUseInFixCaveat(
              calls,
              thisRun,
              principal.account,
              combined.fix?.attachKind === 'bucket-policy',
              keyScope,
            );
        }
        const joinedCaveats = [...fixOutcome.caveats, ...combined.caveats];
        // The key's statements may have made the change to a managed policy (the caller's side had none).
        for (const change of [combined.fix, combined.fix?.identityChange]) {
          const full = fullVersionsCaveat(change ?? undefined, this.#context.snapshot);
          if (full !== undefined && !joinedCaveats.includes(full)) joinedCaveats.push(full);
        }
        fixOutcome = { fix: combined.fix, caveats: joinedCaveats };
      }
    }
    // A fix that raises the boundary too says so itself: with a change of the boundary, or with a new
    // version of a managed policy that is also the boundary.
    const boundaryArn = resolved.boundary?.arn;
    const versionsBoundary =
      boundaryArn !== undefined &&
      (fixOutcome.fix?.policyArn === boundaryArn ||
        fixOutcome.fix?.identityChange?.policyArn === boundaryArn);
    if (boundaryAlsoRefuses && fixOutcome.fix?.boundary === undefined && !versionsBoundary) {
      caveats.push(
        'The permissions boundary does not allow these actions either: add them to the boundary as well.',
      );
    }
    caveats.push(...fixOutcome.caveats);
    // An SDK transfer manager's upload: its clean-up on failure (AbortMultipartUpload), beside the fix,
    // when the caller's visible policies do not already allow it (asked as the refused upload was, with
    // that action's own context).
    const upload = evaluated.find(
      (e) =>
        e.check.action === 's3:PutObject' &&
        (e.event.eventName === 'CreateMultipartUpload' || e.event.eventName === 'UploadPart'),
    );
    const transfer = transferManagerCaveat(events, fixOutcome.fix?.statements, (resource) => {
      if (!canEvaluate || upload === undefined) return undefined;
      const policies = upload.set ?? set;
      const request: AuthorizationRequest = {
        ...upload.request,
        action: 's3:AbortMultipartUpload',
        resource,
        context: contextForAction(upload.check.context, 's3:AbortMultipartUpload'),
      };
      const decision = evaluate(policies, request).decision;
      // A caller whose own policies are not in the input was assumed to allow everything: an Allow then
      // shows the bucket's side alone.
      return decision === 'Allowed' && !resolved.identityKnown && principal.type !== 'AWSService'
        ? undefined
        : decision;
    });
    if (transfer !== undefined) caveats.push(transfer);
    // A bare s3:PutObjectAcl (a body ACL, grant headers): any ACL, public ones included, on every object.
    const objectAcl = objectAclCaveat(events, fixOutcome.fix?.statements);
    if (objectAcl !== undefined) caveats.push(objectAcl);
    if (identityOverAssumedBucket && fixOutcome.fix === null) cause = 'identity-missing-allow';
    // A bucket policy not in the input, taken to allow nothing: said, whether or not a fix was checked
    // against it (the fix's own caveat says so when there is one).
    if (
      (cause === 'resource-policy-missing-allow' || identityOverAssumedBucket) &&
      !resolved.bucketPolicyKnown &&
      bucket !== undefined &&
      !caveats.some((c) => BUCKET_POLICY_NOT_GIVEN.test(c))
    )
      caveats.push(
        `The bucket policy of ${bucket} is not in the input: it was taken to have no statement that allows the requests. To check against it, give it with ${giveBucketPolicy(bucket)}.`,
      );
    // The key policy refused the upload first (see above): the S3 refusals beside it have their fix.
    if (keyLedEvents.size > 0) cause = keyLedCause;
    if (endpointLed !== undefined) {
      cause = 'vpc-endpoint-policy';
      const one = denied.length === 1;
      const it = one ? 'it' : 'them';
      const requests = one ? 'the request' : 'the requests';
      caveats.push(
        `${endpointLed.proven ? `The VPC endpoint's policy refused ${requests} before S3 evaluated ${it} (VpceAccessDenied)` : `AWS's message says the VPC endpoint policy refused ${requests}`}: that is the cause, and no change to the caller's or the bucket's policies lets ${it} through until the endpoint's policy allows ${it} (VPC endpoint policies are not an input). The snapshot shows that ${CAUSE_PHRASE[endpointLed.alsoCause]} either: ${fixOutcome.fix !== null ? 'the fix below is needed too, but is not enough on its own' : `once the endpoint's policy allows ${it}, that is refused next`}.`,
      );
      if (fixOutcome.fix !== null)
        fixOutcome = notVerifiedAsEnough(
          fixOutcome,
          `Not verified as enough: the VPC endpoint's policy refused ${requests} too (see the caveats), which no change here lifts: it must allow ${it} as well.`,
        );
    }
    // A bucket of another account than the caller's: its owner changes its policy, not the caller.
    if (
      fixOutcome.fix?.attachKind === 'bucket-policy' &&
      crossAccount &&
      resourceAccount !== undefined &&
      bucket !== undefined
    ) {
      const target = parseS3ResourceArn(fixOutcome.fix.attachTo)?.bucket ?? bucket;
      // The record names the owner of the bucket it was logged on only.
      const where =
        target === bucket
          ? `Bucket ${target} is in account ${resourceAccount}`
          : `Bucket ${target} is taken to be in account ${resourceAccount}, as ${bucket} is (the record names only that bucket's owner; if it is the caller's own, no bucket policy statement is needed)`;
      // The caller's account has its own part only when the fix holds statements for its side.
      const callerSide =
        (fixOutcome.fix.identityStatements?.length ?? 0) > 0 || fixOutcome.fix.identityChange !== undefined;
      caveats.push(
        `${where}: its administrators add the bucket policy statement (put-bucket-policy works only as a principal of that account)${principal.account !== undefined && callerSide ? `, and account ${principal.account} its own side` : ''}.`,
      );
    }
    // A KMS call AWS names that the fix does not grant (its statements may hold the key's use).
    if (keyCalls.length > 0) {
      const fix = fixOutcome.fix;
      // The actions of the statements the fix adds (not of the whole new documents, which hold what
      // was there already).
      const granted = new Set(
        (fix === null
          ? []
          : [fix.statements, fix.identityStatements, fix.identityChange?.statements, fix.boundary?.statements]
        ).flatMap((statements) => (statements ?? []).flatMap((s) => s.Action.map((a) => a.toLowerCase()))),
      );
      for (const { action, text, eventId } of keyCalls) {
        // The key policy's refusal that is the cause: said with it, and no fix of the caller's covers it.
        if (keyLedEvents.has(eventId)) {
          unshown++;
          continue;
        }
        if (granted.has(action.toLowerCase())) continue;
        if (!caveats.includes(text)) caveats.push(text);
        unshown++;
      }
    }
    // Refused requests the visible policies allow, beside the refusals they explain (an UploadPart that
    // something not in the input refused, before the client's AbortMultipartUpload that no Allow of the
    // caller's covers): the fix lets the explained requests through, not these, and the next run is
    // refused at them again. Not those whose refusal the finding says otherwise: a KMS call the caller's
    // policies or the key policy refused, an S3 setting or a KMS call AWS's message names, a read of a
    // key that may not exist (S3's 403 for a caller without s3:ListBucket), or a Deny AWS's message names
    // for every request.
    let unexplained: DeniedEvent[] = [];
    if (
      evidence === 'policies' &&
      denied.length > 0 &&
      cause !== 'allowed-by-visible-policies' &&
      causeFromMessage === undefined
    ) {
      const allowed = allowedEvents(evaluated, ignoredProbes, kmsCalls);
      unexplained = events.filter(
        (event) =>
          allowed.has(event) &&
          !keyLedEvents.has(event.eventId) &&
          event.message.form !== 'setting' &&
          !(event.message.form === 'enhanced' && !isS3Action(event.message.action)) &&
          !(event.notes.includes(MISSING_KEY_403) && caveats.includes(MISSING_KEY_403)),
      );
    }
    // Those whose message names no policy (AWS's legacy "Access Denied"): an enhanced one's mismatch is
    // said above, with the policy it names.
    const unnamed = unexplained.filter((event) => event.message.form !== 'enhanced');
    const unnamedRequests = [
      ...new Set(unnamed.map((event) => `${event.eventName} (${event.check.action})`)),
    ];
    if (unnamed.length > 0) {
      const one = unnamed.length === 1;
      const still = this.#stillDeny(unnamed);
      // The visible Denies the evaluation set aside (on a key CloudTrail does not log, or TLS-only for a
      // record without tlsDetails) may be what refused them, as for such a request alone: each statement
      // is named with every request it refuses, the fix's and these, before what else can deny them.
      const unnamedChecks = evaluated.filter((e) => unnamed.includes(e.event) && !ignoredProbes.has(e));
      const withUnnamed = [...denied, ...unnamedChecks];
      const unloggedAll = unloggedKeyDenies(set, withUnnamed);
      if (unloggedAll.length > 0) {
        if (unloggedAt >= 0) caveats[unloggedAt] = unloggedCaveat(unloggedAll);
        else caveats.push(unloggedCaveat(unloggedAll));
      }
      const plainHttpAll = plainHttpDenies(set, withUnnamed);
      if (plainHttpAll.length > 0) {
        plainHttp = plainHttpAll;
        countTls(withUnnamed);
        if (plainHttpAt >= 0) caveats[plainHttpAt] = plainHttpCaveat();
        else caveats.push(plainHttpCaveat());
      }
      caveats.push(
        `The visible policies allow ${one ? 'a request AWS refused' : `${unnamed.length} requests AWS refused`}, ${andList(unnamedRequests)}, and ${unnamed.every((event) => event.message.form === 'legacy') ? 'AWS\'s message ("Access Denied")' : "AWS's message"} does not say what refused ${one ? 'it' : 'them'}: the fix does not cover ${one ? 'it' : 'them'}, and the next run can be refused there again. What can still deny ${one ? 'it' : 'them'}: ${still.items.map((item, i) => `(${i + 1}) ${item}`).join('; ')}.`,
      );
      if (fixOutcome.fix?.verified)
        fixOutcome = notVerifiedAsEnough(
          fixOutcome,
          `Not verified as enough: the visible policies allow ${andList(unnamedRequests)}, which AWS refused too (see the caveats): the fix is needed, but does not let ${one ? 'that request' : 'those requests'} through.`,
        );
    }
    if (unshown > 0 && fixOutcome.fix !== null && fixOutcome.fix.verified) {
      fixOutcome = notVerifiedAsEnough(
        fixOutcome,
        `Not verified as enough: AWS's message${unshown === 1 ? ' names a policy' : 's name policies'} that the input does not show refusing the request${unshown === 1 ? '' : 's'} (see the caveats): the fix is needed, but may not be enough.`,
      );
    }
    // The fix stays verified (as with a Deny on a key CloudTrail does not log), on the assumption said.
    if (plainHttp.length > 0 && fixOutcome.fix !== null) {
      const names = [...new Set(plainHttp.map((u) => describeStatement(u.ref, true)))];
      fixOutcome = {
        ...fixOutcome,
        fix: {
          ...fixOutcome.fix,
          verification: [
            ...fixOutcome.fix.verification,
            `Evaluated as sent over HTTPS, which a record without tlsDetails does not show: over plain HTTP, ${names.join(' and ')} would refuse ${withoutTls === recordCount ? (withoutTls === 1 ? 'the request' : 'the requests') : withoutTls === 1 ? 'the request whose record has none' : 'the requests whose records have none'} whatever the fix adds (see the caveats).`,
          ],
        },
      };
    }
    const succeeded = this.#succeeded.values('eventNames', principal, bucket) ?? NO_NAMES;
    const copies =
      (client.tool === 'rclone' || client.tool === 'aws-cli') && bucket !== undefined
        ? copyEvidence(denied, bucket, (kind) => this.#succeeded.values(kind, principal, bucket))
        : undefined;
    const toolAdvice: { jobProfile: JobProfile | null; alternatives: readonly Alternative[] } =
      this.#toolAdvice(
        client,
        bucket,
        partition,
        evaluated,
        denied,
        succeeded,
        job,
        probeKeys,
        copies,
        (kind) => (bucket !== undefined ? this.#succeeded.values(kind, principal, bucket) : undefined),
        (otherBucket, commands) =>
          (this.#succeeded.values('listPrefixes', principal, otherBucket)?.size ?? 0) > 0 &&
          commands.some(
            (command) =>
              this.#succeeded.values('listingCommands', principal, otherBucket)?.has(command) === true,
          ),
        () =>
          [...this.#succeeded.buckets].some(
            (other) =>
              other !== bucket &&
              this.#succeeded.values('eventNames', principal, other)?.has('GetObjectTagging') === true,
          ),
        (otherBucket) => this.#succeeded.values('recursiveListPrefixes', principal, otherBucket),
        jobCannedAcls(evaluated, bucket, aclRequirement !== undefined),
      );
    // A refusal the tool's profile does not model (a setting of the job it does not know: OpenTofu's
    // lock_tags, s3fs's default_acl) is said beside the profile; aws-cli's and rclone's say their own.
    // An explicit Deny's refusal is no grant to add: the Deny is said apart.
    const unmodelled =
      toolAdvice.jobProfile !== null && client.tool !== 'aws-cli' && client.tool !== 'rclone'
        ? refusedNotInProfile(
            denied.filter((e) => e.decision !== 'ExplicitlyDenied'),
            toolAdvice.jobProfile.statements,
          )
        : [];
    if (unmodelled.length > 0 && toolAdvice.jobProfile !== null) {
      const one = unmodelled.length === 1;
      toolAdvice.jobProfile = {
        ...toolAdvice.jobProfile,
        notes: [
          ...toolAdvice.jobProfile.notes,
          `${unmodelled.join(', ')} ${one ? 'was' : 'were'} refused too but ${one ? 'is' : 'are'} not in this profile, which does not model the setting of the job that needs ${one ? 'it' : 'them'} (a tag or an ACL on what it writes, for example): add ${one ? 'it' : 'them'} to the profile if the job keeps that setting.`,
        ],
      };
    }
    // An alternative that drops the ACL header is no way out when a visible policy requires
    // bucket-owner-full-control on uploads: the job would still be refused.
    const aclKept = withoutAclDroppingAlternatives(
      withKeepDeletedAlternative(toolAdvice.alternatives, client.tool, toolAdvice.jobProfile, denied),
      aclRequirement,
      client.tool,
    );
    const alternatives = aclKept.alternatives;
    if (aclKept.caveat !== undefined) caveats.push(aclKept.caveat);
    if (
      client.tool === 'aws-cli' &&
      client.command === undefined &&
      client.version?.startsWith('1.') === true
    )
      caveats.push(awsCliV1Caveat(client.version));
    // A job that worked through one access point: its profile grants the access point's ARNs.
    const accessPoint =
      toolAdvice.jobProfile !== null && bucket !== undefined ? soleAccessPoint(evaluated, bucket) : undefined;
    const fullProfile = throughAlias
      ? null
      : toolAdvice.jobProfile !== null && accessPoint !== undefined && bucket !== undefined
        ? profileThroughAccessPoint(toolAdvice.jobProfile, bucketArnOf(bucket, partition), accessPoint)
        : toolAdvice.jobProfile;
    // What a Deny refuses to this caller whatever its requests carry is not the profile's to grant (the
    // engine is asked for the profile's own actions, so a Deny the job stopped before meeting counts too).
    const caller = evaluated[0]?.request;
    const trim =
      fullProfile !== null && evidence === 'policies' && caller !== undefined
        ? trimProfile(
            set,
            fullProfile,
            caller,
            accessPoint !== undefined && bucket !== undefined
              ? bucketArnFor(accessPoint.arn, bucketArnOf(bucket, partition))
              : undefined,
          )
        : undefined;
    const leftOut = trim?.leftOut ?? new Map<string, readonly UnconditionalDeny[]>();
    const profile = trim === undefined ? fullProfile : trim.profile;
    if (fullProfile !== null && profile === null) {
      caveats.push(noProfileCaveat(leftOut));
    }
    // rclone purge learns from the versioning read whether to purge versions: the fix's read alone would
    // send it to version calls it cannot make on a versioned bucket (the profile has them).
    const grants = (statements: readonly PolicyStatement[] | undefined, action: string) =>
      statements?.some((s) => s.Action.includes(action)) === true;
    if (
      grants(fixOutcome.fix?.statements, 's3:GetBucketVersioning') &&
      grants(profile?.statements, 's3:ListBucketVersions')
    ) {
      const deletesVersions = grants(profile?.statements, 's3:DeleteObjectVersion');
      caveats.push(
        `With s3:GetBucketVersioning granted, rclone purge learns whether the bucket is versioned, and on a versioned bucket it then lists every version and deletes each by its version ID: s3:ListBucketVersions and s3:DeleteObjectVersion too, ${deletesVersions ? 'which the job profile grants' : 'of which the job profile grants only s3:ListBucketVersions (a Deny refuses the deletes)'}. With the fix alone, such a purge is refused its listing; leave s3:GetBucketVersioning out to keep purging current versions only (see the alternatives).`,
      );
    }
    // A profile whose notes already name the prefix above the date (rclone's, for a job that works in a
    // new directory on each run) needs no second note saying so.
    const namedWider =
      profile !== null &&
      [...datedDirectories(profile.statements).values()].every((wider) =>
        profile.notes.some((note) => note.includes(wider)),
      );
    // The fix's caveat, when the finding carries it, already names what the profile's dated directories
    // widen to where the two grant the same ones.
    const saidForFix =
      profile !== null &&
      fixOutcome.fix !== null &&
      caveats.some(
        (c) => c.startsWith('The fix grants a ') || c.startsWith('The fix names a bucket whose name'),
      )
        ? fixOutcome.fix.statements
        : [];
    const datedProfile =
      profile === null
        ? undefined
        : datedDirectoryCaveat(profile.statements, 'job profile', namedWider, saidForFix);
    const statedProfile =
      profile !== null && (deniedBy.length > 0 || leftOut.size > 0 || datedProfile !== undefined)
        ? {
            ...profile,
            notes: [
              ...(leftOut.size > 0 ? [guardrailNote(leftOut)] : []),
              ...(deniedBy.length > 0 ? explicitDenyNote(denied, deniedBy, leftOut) : []),
              ...profile.notes,
              ...(datedProfile !== undefined ? [datedProfile] : []),
            ],
          }
        : profile;
    // A job that writes or reads SSE-KMS objects needs the key through S3 too.
    const keyedProfile =
      statedProfile !== null && kmsCalls.length > 0 ? withKeyUse(statedProfile, kmsCalls) : statedProfile;
    // It grants the refused resources too: beyond a statement that keeps them to another principal.
    const perRequestNotes = [
      ...new Set(
        misses.flatMap((m) =>
          m.perRequest !== undefined
            ? [
                `Like the fix, it grants the refused resources beyond ${m.scope}, which IAM resolves per request: to ${m.perRequest.session ? 'every session of the role, whatever their' : 'the principal, whatever its'} ${m.perRequest.tokens} (see the caveats).`,
              ]
            : [],
        ),
      ),
    ];
    const jobProfile =
      keyedProfile !== null && perRequestNotes.length > 0
        ? { ...keyedProfile, notes: [...keyedProfile.notes, ...perRequestNotes] }
        : keyedProfile;

    // Keys IAM cannot name: the statements put `?` for their characters (see literalArnPart).
    const fixReplaces = replacesCharacters(fixOutcome.fix, null);
    if (fixReplaces) fixOutcome = { ...fixOutcome, fix: withReplacedCharactersLine(fixOutcome.fix) };
    if (fixReplaces || replacesCharacters(null, jobProfile)) {
      const resources = statementsOf(fixOutcome.fix, jobProfile).flatMap((statement) => statement.Resource);
      // What the caller's successful calls showed on each bucket the resources name (a copy's source too).
      const buckets = new Set<string>();
      for (const resource of resources) {
        const named = BUCKET_OF_ARN.exec(resource)?.[1];
        if (named !== undefined) buckets.add(named);
      }
      const seen = (kind: CallEvidence) =>
        [...buckets].flatMap((name) => [...(this.#succeeded.values(kind, principal, name) ?? [])]);
      caveats.push(unsayableCharactersCaveat(replacedCharacters(resources, keyTextsOf(evaluated, seen))));
    }

    const requests: FindingRequest[] = evaluated.map((e) => {
      const missing = e.decision === 'ImplicitlyDenied' ? e.result?.missingAllowIn : undefined;
      // An Allow the record cannot show met (see the fix's condition-guarded requests): the row says so.
      const unverifiable =
        missing !== undefined && e.result !== undefined ? unverifiableAllowIn(e.result) : undefined;
      return {
        eventId: e.event.eventId,
        eventName: e.event.eventName,
        action: e.check.action,
        resource: e.check.resource,
        decision: e.decision,
        // A copy's other side, evaluated beside the request a message names, comes from the catalogue.
        source: e.check === e.event.check ? e.event.source : 'operation',
        ...(missing !== undefined && missing.length > 0 ? { missingAllowIn: missing } : {}),
        ...(unverifiable !== undefined && missing?.includes(unverifiable) === true
          ? { unverifiableAllowIn: [unverifiable] }
          : {}),
      };
    });
    requests.push(...kmsRequests);
    // First and last by the time itself, not its text: spellings differ (`2026-11-28 02:00:30`, an
    // offset, fractions); a time that cannot be read counts only when none can.
    let firstSeen = first.eventTime;
    let lastSeen = first.eventTime;
    let firstMillis = eventTimeMillis(first.eventTime);
    let lastMillis = firstMillis;
    const eventIds = new Array<string>(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const time = e.eventTime;
      const millis = eventTimeMillis(time);
      if (!Number.isNaN(millis)) {
        if (Number.isNaN(firstMillis) || millis < firstMillis) {
          firstSeen = time;
          firstMillis = millis;
        }
        if (Number.isNaN(lastMillis) || millis > lastMillis) {
          lastSeen = time;
          lastMillis = millis;
        }
      }
      eventIds[i] = e.eventId;
    }
    const who = principalKey(principal);
    // AWS's message named S3's use of a KMS key it did not name, and no call evaluated is that use (none
    // on a known key; or only a copy's other calls, the destination key's, when it was refused the read
    // of its source object's key, which the record does not show): the summary names that use, not the
    // S3 request the visible policies allow, nor a call AWS did not say was refused.
    const unnamedKeyUse = events.flatMap(({ message: said }, i) =>
      said.form === 'enhanced' &&
      said.action.toLowerCase().startsWith('kms:') &&
      said.resource?.includes(':kms:') !== true &&
      !kmsCalls.some((c) => c.call.event === events[i] && c.call.refusedThisRun)
        ? [said.action]
        : [],
    )[0];
    const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
      eventIds,
      principal:
        who.arn === 'unknown' && principal.principalId !== undefined
          ? { arn: who.arn, type: principal.type, account: who.account, principalId: principal.principalId }
          : who.arn === 'unknown' && principal.type === 'IdentityCenter' && principal.name !== undefined
            ? {
                arn: who.arn,
                type: principal.type,
                account: who.account,
                identityStoreUserId: principal.name,
              }
            : { arn: who.arn, type: principal.type, account: who.account },
      client: {
        tool: client.tool,
        ...(client.version !== undefined && client.version !== '' ? { version: client.version } : {}),
        ...(client.name !== undefined ? { name: client.name } : {}),
        ...(client.raw !== undefined ? { userAgent: client.raw } : {}),
      },
      ...(bucket !== undefined ? { bucket } : {}),
      firstSeen,
      lastSeen,
      requests,
      cause,
      // A network activity event the endpoint refused carries its error code, not a message naming a
      // policy: the cause is read from the event.
      evidence: evidence === 'message' && events.every(isVpceRefusal) ? 'event' : evidence,
      deniedBy,
      fix: withUncheckedKinds(
        withUnreadStatements(
          withUnseenPolicies(
            withWidens(fixOutcome.fix, [
              ...misses,
              ...keyMisses.filter((miss) => fixOutcome.fix !== null && grantsKeyUse(fixOutcome.fix, miss)),
            ]),
            resolved.missingPolicies,
          ),
          unread,
        ),
        this.#uncheckedKinds(principal),
      ),
      alternatives,
      jobProfile,
      // An S3 setting AWS's message names is the first caveat, which the cause and summary point to.
      caveats:
        cause === 's3-setting'
          ? [...new Set([...caveats.filter(isSettingNote), ...caveats])]
          : [...new Set(caveats)],
      ...(unnamedKeyUse !== undefined ? { unnamedKeyUse } : {}),
      // Filled in below, from the rest (a spread of the finding would copy it member by member).
      summary: '',
    };
    // The caller's policies the snapshot lacks, when AWS's message does not itself say no identity-based
    // policy allows the request: "no identity-based policy allows it" holds only of those it shows.
    const unseenIdentity =
      message.form === 'enhanced' && message.policyType === 'identity'
        ? []
        : unseenByArn(resolved.missingPolicies)
            .map(({ first: missing }) => missing)
            .filter((missing) => missing.usage !== 'permissions-boundary')
            // A policy the snapshot holds without its default version's document: that document is what
            // it lacks.
            .map((missing) =>
              missing.defaultVersionMissing !== undefined
                ? `the default version${missing.defaultVersionMissing.versionId !== undefined ? ` (${missing.defaultVersionMissing.versionId})` : ''} of ${unseenName(missing)}`
                : unseenName(missing),
            );
    finding.summary = summarise(finding, {
      unseenIdentity,
      ...(endpointLed !== undefined
        ? { endpointFirst: { ...endpointLed, endpoint: first.vpcEndpointId } }
        : {}),
      listingInferred,
      unexplained: [...new Set(unexplained.map((event) => event.check.action))],
    });
    return finding;
  }

  /**
   * The cause of a finding whose S3 requests the visible policies allow and whose KMS calls were
   * evaluated on the caller's side; `caveats` gets what it says (in place of the cause's general KMS
   * caveat). AWS's message comes first: a key policy it names keeps the cause on the key, an explicit Deny
   * it names is one (no Allow lifts it), and a policy of the caller's it names is the cause.
   */
  #kmsCause(
    message: DeniedEvent['message'],
    calls: readonly EvaluatedKmsCall[],
    refused: readonly EvaluatedKmsCall[],
    caveats: string[],
    principal: Principal,
    resolved: ResolvedPolicies,
    bucket: string | undefined,
    partition: string | undefined,
    resourceAccount: string | undefined,
  ): { cause: FindingCause; deniedBy?: DeniedByRef[]; fix?: KmsFixOutcome } {
    // Said in place of the general caveat that the key policy must allow the call; and AWS's message
    // named the key's use, so the notes on what the request could not show, and on a missing key's 403
    // (which names s3:ListBucket), do not apply.
    const say = (caveat: string, dropKeyPolicy = false) => {
      const at = caveats.findIndex(
        (c) => c.startsWith('AWS names kms:') || c.startsWith('The request uses SSE-KMS'),
      );
      caveats.splice(at < 0 ? caveats.length : at, at < 0 ? 0 : 1, caveat);
      for (const note of [DEFAULT_KEY_NOTE, DECRYPT_HIDDEN, HEAD_DECRYPT_HIDDEN, MISSING_KEY_403]) {
        const i = caveats.indexOf(note);
        const decrypt = note === DECRYPT_HIDDEN || note === HEAD_DECRYPT_HIDDEN;
        if (i >= 0 && (!decrypt || calls.some((c) => c.call.action === 'kms:Decrypt'))) caveats.splice(i, 1);
      }
      dropAnsweredKmsNotes(
        caveats,
        calls.map((c) => c.call.event),
      );
      // The key policy's statement is for the calls AWS refused (the one its message names), not a
      // copy's other key, which nothing says was refused.
      const i = caveats.findIndex((c) => c.startsWith('To let the caller use the key through S3'));
      const keyPolicy = dropKeyPolicy
        ? undefined
        : keyPolicyCaveat(
            principal,
            keyPolicyCalls(calls).map(({ call }) => {
              const via = call.context['kms:ViaService'];
              return {
                action: call.action,
                keyArn: call.keyArn,
                ...(typeof via === 'string' ? { viaService: via } : {}),
              };
            }),
          );
      if (i >= 0) {
        if (keyPolicy === undefined) caveats.splice(i, 1);
        else caveats[i] = keyPolicy;
      } else if (keyPolicy !== undefined) caveats.push(keyPolicy);
    };
    const said =
      message.form === 'enhanced' && message.action.toLowerCase().startsWith('kms:') ? message : undefined;
    const explicit = refused.filter((c) => c.result.decision === 'ExplicitlyDenied');
    const noFix: KmsFixOutcome = { fix: null, caveats: [] };
    if (explicit.length > 0) {
      const refs = explicit.flatMap((c) => c.result.deniedBy);
      const by =
        refs[0]?.policyType === 'scp'
          ? 'A service control policy refuses'
          : refs[0]?.policyType === 'rcp'
            ? 'A resource control policy refuses'
            : "The caller's own policies refuse";
      say(
        `${by} ${describeKmsCalls(explicit)} with an explicit Deny (see "Denied by"): S3 cannot use the key for the caller, whatever the key policy says.`,
        true,
      );
      return { cause: EXPLICIT_CAUSE[refs[0]!.policyType], deniedBy: dedupeRefs(refs), fix: noFix };
    }
    // A copy refused kms:Decrypt without naming the key: that is the source object's key, which the
    // record does not show; the calls evaluated here are the destination key's.
    const copy = calls[0]?.call.event;
    if (
      said !== undefined &&
      said.action.toLowerCase() === 'kms:decrypt' &&
      (said.resource === undefined || !said.resource.startsWith('arn:')) &&
      copy !== undefined &&
      isCopy(copy) &&
      !calls.some((c) => c.call.action.toLowerCase() === 'kms:decrypt')
    ) {
      const source = copySourceArn(copy);
      const object = source === undefined ? undefined : /^arn:[^:]*:s3:::([^/]+)\/(.+)$/s.exec(source);
      const find =
        object === null || object === undefined
          ? 'Find it from the source object (its SSEKMSKeyId)'
          : `Find it with \`aws s3api head-object --bucket ${shellWord(object[1]!)} --key ${shellWord(object[2]!)} --query SSEKMSKeyId\``;
      say(
        `AWS's message says S3 was refused kms:Decrypt for the copy without naming the key: the copy reads its source object${source === undefined ? '' : ` (${source})`}, whose KMS key the record does not show. ${find}; the caller's policies and that key's policy must both allow kms:Decrypt on it through S3.`,
        true,
      );
      const hidden = caveats.indexOf(DECRYPT_HIDDEN);
      if (hidden >= 0) caveats.splice(hidden, 1);
      return { cause: 'kms-key', fix: noFix };
    }
    // An SCP's message reads "explicit deny" for an allow list without the action too: the SCPs given
    // that lack it say which.
    const scpLacks =
      said?.policyType === 'scp' && refused.some((c) => c.result.missingAllowIn.includes('scp'));
    if (said?.denial === 'explicit' && !scpLacks) {
      say(
        said.policyType === 'scp'
          ? `AWS's message says a service control policy refuses ${said.action} (its messages read "explicit deny" for a Deny and for an allow list without the action alike); the SCPs in the input neither deny nor lack it, so a level not given, or one changed since, does: a Deny there must change, a missing action must be added to its allow list.`
          : `AWS's message says an explicit Deny in ${MESSAGE_POLICY_WORDS[said.policyType]} refuses ${said.action}; the policies in the input hold no Deny that does (the snapshot may be out of date, or the Deny is in a policy not in the input). No Allow can lift it.`,
        true,
      );
      return {
        // An explicit Deny in the key policy is the key's refusal, not the bucket policy's.
        cause: said.policyType === 'resource' ? 'kms-key' : MESSAGE_CAUSE[said.policyType][1],
        ...(said.policyArn !== undefined && REF_TYPE_OF_MESSAGE[said.policyType] !== undefined
          ? { deniedBy: [{ policyType: REF_TYPE_OF_MESSAGE[said.policyType]!, policyArn: said.policyArn }] }
          : {}),
        fix: noFix,
      };
    }
    const by = [
      ...new Set(
        calls
          .flatMap((c) => c.result.allowedBy.filter((r) => r.policyType === 'identity'))
          .map((r) => r.policyName ?? r.policyArn ?? 'an identity-based policy'),
      ),
    ];
    const allowedBy = by.length > 0 ? ` (${by.join(', ')})` : '';
    if (refused.length === 0) {
      // AWS names a policy the input does not hold (an SCP or RCP not given, a session or VPC endpoint
      // policy): that is what must allow the call, and no key policy statement helps.
      if (said !== undefined && ['scp', 'rcp', 'session', 'vpc-endpoint'].includes(said.policyType)) {
        // The levels applied to this caller and key (those of another organization are left out).
        const levels = said.policyType === 'scp' ? resolved.set.scpLevels : resolved.set.rcpLevels;
        say(
          `The caller's policies in the snapshot allow ${describeKmsCalls(calls)}${allowedBy}, and AWS's message says no ${bareWords(said.policyType)} allows ${said.action}: ${
            said.policyType === 'scp' || said.policyType === 'rcp'
              ? levels.length > 0
                ? 'the ones given allow it, so a level not given (the root, an OU), or one changed since, refuses it'
                : (said.policyType === 'scp' ? this.#context.scpLevels : this.#context.rcpLevels).length > 0
                  ? `those given (--${said.policyType}) were not applied here (see above), so the ones that refuse it are not in the input`
                  : `they are not given here (--${said.policyType})`
              : said.policyType === 'vpc-endpoint' && calls[0]?.call.event.vpcEndpointId !== undefined
                ? `it is not visible here, and ${vpcEndpointWhere(calls[0].call.event.vpcEndpointId, calls[0].call.event)}`
                : 'it is not visible here'
          }. That policy must allow S3's call to KMS; the key policy is not what refuses.`,
          true,
        );
        return { cause: MESSAGE_CAUSE[said.policyType][0] };
      }
      if (said !== undefined && said.policyType !== 'resource') {
        say(
          `AWS's message says no ${bareWords(said.policyType)} allows ${said.action}, but the caller's policies in the snapshot allow ${describeKmsCalls(calls)}${allowedBy}: the snapshot may be out of date, or a condition of the statement that allows it did not hold for S3's call to KMS.`,
        );
        return { cause: 'allowed-by-visible-policies' };
      }
      say(
        `The caller's own policies allow ${describeKmsCalls(calls)}${allowedBy}: the key policy is what refuses, which is not visible here: it allows the call neither itself nor through the account's IAM policies (or only under a condition S3's call does not meet), or a Deny in it refuses the call. A grant on the key could allow the call as well; grants only allow, they never refuse one (https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html).`,
      );
      return { cause: 'kms-key' };
    }
    const missing = new Set<PolicyType>();
    for (const c of refused) for (const type of c.result.missingAllowIn) missing.add(type);
    if (said?.policyType === 'resource') {
      // AWS says the key policy refuses: in the key's account a statement there that names the caller is
      // enough; for a key in another account the caller's policies must allow the call too.
      const crossKey = refused.some((c) => keyAccountOf(c.call.keyArn) !== principal.account);
      const statements = kmsStatements(refused);
      // An SCP, a boundary or a session policy that lacks the call caps the caller whatever the key
      // policy grants (the boundary not for an IAM user named in the key policy: the caveat says which).
      const capped = [...missing].some((type) => type !== 'identity' && type !== 'resource');
      say(
        crossKey
          ? `${callerSideRefusalCaveat(refused, missing, principal)} Add ${statementsText(statements)} to them as well as the key policy's statement.`
          : capped
            ? `AWS's message says the key policy refuses ${said.action}. ${callerSideRefusalCaveat(refused, missing, principal)}`
            : `AWS's message says the key policy refuses ${said.action}. The caller's own policies do not allow ${describeKmsCalls(refused)} either, but in the key's account a key policy statement that names the caller (below) is enough on its own.`,
      );
      return { cause: 'kms-key', fix: noFix };
    }
    say(callerSideRefusalCaveat(refused, missing, principal));
    // The snapshot decides the cause, as for S3's requests; a message that points elsewhere is said.
    const cause = missingCause(missing);
    const unshownCap =
      said !== undefined &&
      MESSAGE_CAUSE[said.policyType][0] !== cause &&
      ['permissions-boundary', 'scp', 'rcp', 'session', 'vpc-endpoint'].includes(said.policyType)
        ? said.policyType
        : undefined;
    if (said !== undefined && MESSAGE_CAUSE[said.policyType][0] !== cause)
      caveats.push(
        `AWS's message points at the ${MESSAGE_KIND[said.policyType]} (${CAUSE_PHRASE[MESSAGE_CAUSE[said.policyType][0]]}) for ${said.action}; the snapshot suggests ${CAUSE_PHRASE[cause]}. The snapshot may be out of date, or that policy is not in the input: the fix below is needed, but may not be enough.`,
      );
    // A boundary that alone lacks the key's use gets a new version, as an S3 boundary fix does.
    if (cause === 'boundary-missing-allow' && missing.size === 1)
      return {
        cause,
        fix: proposeKmsFix(
          this.#fixInput(principal, resolved, bucket, partition, resourceAccount),
          refused,
          'boundary',
        ),
      };
    if (cause !== 'identity-missing-allow' || !missing.has('identity')) {
      return {
        cause,
        fix: {
          fix: null,
          caveats: [kmsNoFixCaveat(refused, missing)],
        },
      };
    }
    const proposed = proposeKmsFix(
      this.#fixInput(principal, resolved, bucket, partition, resourceAccount),
      refused,
    );
    // AWS names a cap (a boundary, an SCP) the input does not show refusing: the fix cannot be shown enough.
    return {
      cause,
      fix:
        unshownCap !== undefined && proposed.fix !== null
          ? notVerifiedAsEnough(
              proposed,
              `Not verified as enough: AWS's message names ${MESSAGE_POLICY_WORDS[unshownCap]}, which the input does not show refusing the call.`,
            )
          : proposed,
    };
  }

  /**
   * Compares each denied event's enhanced message with what the policies decide for its request, and
   * says where they disagree (one caveat per disagreement). Returns how many requests AWS's message
   * puts on a policy the input does not show refusing them.
   */
  #messageMismatches(
    evaluated: readonly EvaluatedCheck[],
    denied: readonly EvaluatedCheck[],
    ignored: ReadonlySet<EvaluatedCheck>,
    bucket: string | undefined,
    unseenPolicies: readonly MissingPolicy[],
    caveats: string[],
    keyCalls: { action: string; text: string; eventId: string }[],
    identityKnown: boolean,
    /** The finding's cause when AWS's message set it: requests whose message says so agree with it. */
    causeFromMessage?: FindingCause,
  ): number {
    const refused = new Set(denied);
    const said = new Map<string, { text: string; count: number }>();
    let unshown = 0;
    for (const e of evaluated) {
      const message = e.event.message;
      if (message.form !== 'enhanced' || ignored.has(e)) continue;
      // The message names the one request AWS evaluated last; an event's other checks are not compared.
      if (message.action.toLowerCase() !== e.check.action.toLowerCase()) continue;
      const saidCause = MESSAGE_CAUSE[message.policyType][message.denial === 'explicit' ? 1 : 0];
      const allowed = !refused.has(e);
      if (allowed && e.decision !== 'Allowed') continue;
      const engineCause = allowed ? 'allowed-by-visible-policies' : causeOfCheck(e);
      if (engineCause === saidCause || (!allowed && saidCause === causeFromMessage)) continue;
      // An SCP's message reads "explicit deny" also when an SCP lacks the Allow (the IAM guide).
      if (saidCause === 'scp-explicit-deny' && engineCause === 'scp-missing-allow') continue;
      // A cross-account request both sides refuse (AWS names the identity side first), or whose caller's
      // policies the snapshot does not hold: no disagreement. One whose caller's visible policies allow
      // it is one.
      if (
        saidCause === 'identity-missing-allow' &&
        engineCause === 'resource-policy-missing-allow' &&
        (!identityKnown || e.result?.missingAllowIn.includes('identity') === true)
      )
        continue;
      unshown++;
      const why = notInInput(message.policyType, bucket, this.#context, unseenPolicies);
      const what = allowed
        ? `the visible policies allow ${e.check.action} (${e.event.eventName}), yet AWS refused it: its message points at the ${messageKind(message.policyType, e.check.accessPoint)} (${CAUSE_PHRASE[saidCause]})${why === undefined ? ', which the input does not show refusing it' : `, and ${why}`}. The fix does not cover that request.`
        : `AWS's message points at the ${messageKind(message.policyType, e.check.accessPoint)} (${CAUSE_PHRASE[saidCause]}) for ${e.check.action}; the snapshot suggests ${CAUSE_PHRASE[engineCause]}${why === undefined ? '. The snapshot may be out of date.' : `, but ${why}, which is the likely reason.`}`;
      const entry = said.get(what);
      if (entry === undefined) said.set(what, { text: what, count: 1 });
      else entry.count++;
    }
    // A message that names a KMS call (the key S3 uses for the request): no S3 check of the event is
    // that request, and the key policy is not an input, so it is said as it is.
    const ignoredEvents = new Set([...ignored].map((e) => e.event));
    let lastEvent: DeniedEvent | undefined;
    for (const { event } of evaluated) {
      if (event === lastEvent) continue;
      lastEvent = event;
      const message = event.message;
      if (message.form !== 'enhanced' || isS3Action(message.action) || ignoredEvents.has(event)) continue;
      const saidCause = MESSAGE_CAUSE[message.policyType][message.denial === 'explicit' ? 1 : 0];
      // A call the event has a request for (iam:PassRole on the role a replication configuration passes)
      // was evaluated with the visible policies: its row says what they decide, not that they are missing.
      const lower = message.action.toLowerCase();
      const kms = lower.startsWith('kms:');
      const rowed =
        !kms && evaluated.some((x) => x.event === event && x.check.action.toLowerCase() === lower);
      // Said after the fix is known, when it does not grant the call (see the caller).
      keyCalls.push({
        eventId: event.eventId,
        action: message.action,
        text: `For ${event.eventName}, AWS's message names ${message.action}${message.resource !== undefined ? ` on ${message.resource}` : ''} (${saidCause}), a call S3 makes with the caller's credentials for the request: the fix does not cover it. ${kms ? (event.principal.type === 'AWSService' ? "The KMS key's policy (not an input) must allow it, naming the service: an AWS service principal has no IAM policies." : "The KMS key's policy (not an input) must allow it, or let the account's IAM policies grant it.") : rowed ? 'Its request row gives what the visible policies decide for it.' : 'The policy that refuses it is not in the input.'}`,
      });
    }
    for (const { text, count } of said.values())
      caveats.push(
        text.startsWith('the visible')
          ? `${count === 1 ? 'For one request' : `For ${count} requests`}, ${text}`
          : text,
      );
    return unshown;
  }

  #allowedCause(
    events: readonly DeniedEvent[],
    evaluated: readonly EvaluatedCheck[],
    message: DeniedEvent['message'],
    caveats: string[],
    set: PolicySet,
    unseen: readonly MissingPolicy[],
    unread: readonly PolicyProblem[],
  ): FindingCause {
    const first = events[0]!;
    const unlogged = unloggedKeyDenies(set, evaluated);
    if (message.form === 'enhanced' && !isS3Action(message.action)) {
      if (message.action.toLowerCase().startsWith('kms:')) {
        // AWS named the key's use: a missing key's 403 (which names s3:ListBucket) does not apply.
        const missingKey = caveats.indexOf(MISSING_KEY_403);
        if (missingKey >= 0) caveats.splice(missingKey, 1);
        if (message.policyType !== 'resource') {
          // AWS says a policy of the caller's refuses the key's use, not the key policy (the cause, when
          // the caller's policies are not visible to evaluate the call; see #kmsCause when they are).
          const on =
            message.resource?.includes(':kms:') === true
              ? ` on ${message.resource}`
              : ` without naming the key (an upload's is the key it names, else the bucket's default: \`aws s3api get-bucket-encryption${first.bucket !== undefined ? ` --bucket ${shellWord(first.bucket)}` : ''}\`; a read's is the object's, its SSEKMSKeyId in \`aws s3api head-object\`)`;
          caveats.push(
            message.denial === 'explicit' && message.policyType === 'scp'
              ? `AWS names ${message.action}${on}: its message says a service control policy refuses it (a Deny, or an allow list without the action: such messages read "explicit deny" for both). S3 calls it with the caller's credentials (SSE-KMS): a Deny must change; a missing action must be added to the allow list.`
              : message.denial === 'explicit'
                ? `AWS names ${message.action}${on}: its message says an explicit Deny in ${MESSAGE_POLICY_WORDS[message.policyType]} refuses it. S3 calls it with the caller's credentials (SSE-KMS): no Allow lifts that Deny.`
                : `AWS names ${message.action}${on}: its message says no ${bareWords(message.policyType)} allows it. S3 calls it with the caller's credentials (SSE-KMS): ${KEY_USE_ALLOWED_BY[message.policyType]}; so must the key policy.`,
          );
          return 'kms-key';
        }
        caveats.push(
          first.principal.type === 'AWSService'
            ? `AWS names ${message.action}: the KMS key policy must allow it, naming the service (an AWS service principal has no IAM policies); key policies are not visible here.`
            : `AWS names ${message.action}: the KMS key policy must allow it, naming the caller or letting the account's IAM policies grant it (then those must allow it too); key policies are not visible here.`,
        );
        const kms = events.flatMap((e) => e.kmsChecks);
        const region = first.check.context['aws:RequestedRegion'];
        const keyPolicy = keyPolicyCaveat(
          first.principal,
          kms.length > 0
            ? kms.map(keyUseOf)
            : [
                {
                  action: message.action,
                  ...(message.resource?.includes(':kms:') === true ? { keyArn: message.resource } : {}),
                  ...(typeof region === 'string' ? { viaService: `s3.${region}.amazonaws.com` } : {}),
                },
              ],
          serviceSourceOf(first),
        );
        if (keyPolicy !== undefined) caveats.push(keyPolicy);
        return 'kms-key';
      }
    }
    if (events.some((e) => e.kmsChecks.length > 0)) {
      const kms = events.flatMap((e) => e.kmsChecks);
      caveats.push(
        `The request uses SSE-KMS: S3 calls ${[...new Set(kms.map((k) => k.action))].join(' and ')} on ${[...new Set(kms.map((k) => k.resource))].join(', ')} for the caller; ${first.principal.type === 'AWSService' ? 'the KMS key policy alone must allow it, naming the service: an AWS service principal has no IAM policies.' : "the KMS key policy must allow it, naming the caller or letting the account's IAM policies grant it (then those must allow it too; for a key in another account, both must)."}`,
      );
      const keyPolicy = keyPolicyCaveat(first.principal, kms.map(keyUseOf), serviceSourceOf(first));
      if (keyPolicy !== undefined) caveats.push(keyPolicy);
      return 'kms-key';
    }
    if (message.form === 'enhanced') {
      const pair = MESSAGE_CAUSE[message.policyType];
      const said = message.denial === 'explicit' ? pair[1] : pair[0];
      // A Deny of that kind of policy on a key the record cannot show is the likely cause.
      const likely =
        message.denial === 'explicit' ? unlogged.filter((u) => u.ref.policyType === message.policyType) : [];
      const kind = messageKind(message.policyType, first.check.accessPoint);
      const likelyCaveat = `The visible policies allow the request, and AWS's message names an explicit Deny in the ${kind}: ${likely.map((u) => u.text).join('; ')}, which CloudTrail does not log, so it could not be checked here: that is likely what refused it.`;
      if (['scp', 'rcp', 'session', 'vpc-endpoint'].includes(message.policyType)) {
        // One of those given, on such a key, before a level or policy not given.
        if (likely.length > 0) {
          caveats.push(likelyCaveat);
          return said;
        }
        caveats.push(
          `The visible policies allow the request, and AWS's message names the ${kind}, ${
            message.policyType === 'scp' || message.policyType === 'rcp'
              ? (message.policyType === 'scp' ? set.scpLevels : set.rcpLevels).length > 0
                ? 'which allow it as given here: a level not given (the root, an OU), or one changed since, refuses it'
                : (message.policyType === 'scp' ? this.#context.scpLevels : this.#context.rcpLevels).length >
                    0
                  ? `of which those given (--${message.policyType}) were not applied here (see above): the ones that refuse it are not in the input`
                  : message.policyType === 'scp' && message.denial === 'implicit'
                    ? `which are not given here (--scp): an allow list at one level (the organization's root, an OU or this account) lacks ${message.action}. Only the organization's management account, or a delegated administrator, can add it there. Give every level with --scp (\`aws organizations list-policies-for-target --target-id ${first.principal.account !== undefined && /^\d{12}$/.test(first.principal.account) ? first.principal.account : 'ACCOUNT'} --filter SERVICE_CONTROL_POLICY\` lists the account's, then the same for each OU above it and the root; \`aws organizations describe-policy --policy-id …\` gives each, as --scp reads it) to get the statement to add, checked`
                    : `which are not given here (--${message.policyType})`
              : message.policyType === 'vpc-endpoint' && first.vpcEndpointId !== undefined
                ? `of ${first.vpcEndpointId}, which the request came through and is not visible here (read it with ${vpcEndpointPolicyCommand(first.vpcEndpointId, first)})`
                : 'which is not visible here'
          }.`,
        );
        return said;
      }
      // A policy AWS's message names that the snapshot lacks is what refuses: a boundary (which caps the
      // caller), or a Deny in an identity policy or a group's.
      const lacking =
        message.policyType === 'permissions-boundary'
          ? unseen.filter((m) => m.usage === 'permissions-boundary')
          : message.policyType === 'identity' && message.denial === 'explicit'
            ? unseen.filter((m) => m.usage !== 'permissions-boundary')
            : [];
      if (lacking.length > 0) {
        caveats.push(
          `The visible policies allow the request, and AWS's message names the ${kind}: the snapshot lacks ${andList(lacking.map(unseenName))}, which is what refuses it. Add ${lacking.length === 1 ? 'it' : 'them'} to the snapshot and run again for a fix.`,
        );
        return said;
      }
      // A statement of that kind of policy the engine could not read, one that could be a Deny, is the
      // likely cause of an explicit denial (a statement left out cannot make the request lack an Allow).
      const named =
        message.denial === 'explicit'
          ? unread.filter((p) => p.policyType === message.policyType && couldRefuse(p))
          : [];
      if (named.length > 0) {
        caveats.push(
          `The visible policies allow the request, and AWS's message names the ${kind}: ${andList([...new Set(named.map(problemPlace))])} could not be read (see above), which is likely what refuses it.`,
        );
        return said;
      }
      if (likely.length > 0) {
        caveats.push(likelyCaveat);
        return said;
      }
      const callerAccount = first.principal.account;
      const missing = notInInput(
        message.policyType,
        first.bucket,
        this.#context,
        unseen,
        inSnapshotAccount(this.#context, callerAccount) ? undefined : callerAccount,
      );
      // Through an access point, a bucket policy given that does not refuse the request leaves the access
      // point's own policy, which is not an input.
      const through = first.check.accessPoint;
      const pointPolicy =
        message.policyType === 'resource' &&
        through !== undefined &&
        !isMultiRegionAccessPointArn(through) &&
        first.bucket !== undefined &&
        this.#context.bucketPolicies.has(first.bucket)
          ? accessPointParts(through)
          : undefined;
      caveats.push(
        pointPolicy !== undefined
          ? `The visible policies allow the request, but AWS's message names the ${kind}: the bucket policy given does not refuse it, so the access point's policy, which is not in the input, is what to read first (\`aws s3control get-access-point-policy --account-id ${pointPolicy.account} --name ${pointPolicy.name}\`).`
          : missing !== undefined
            ? `The visible policies allow the request, but AWS's message names the ${kind}, and ${missing}: that is what to look at first.`
            : `The visible policies allow the request, but AWS's message names the ${kind}: the snapshot may be out of date.`,
      );
    }
    caveats.push(...hiddenDenyCaveats(events, evaluated, set, unlogged));
    // One caveat, the likeliest first (the endpoint the request came through), after those that name
    // something the record shows.
    const still = this.#stillDeny(events);
    caveats.push(
      `The visible policies allow ${events.length === 1 ? 'the request' : 'every request'}. What can still deny ${events.length === 1 ? 'it' : 'them'}: ${still.items.map((item, i) => `(${i + 1}) ${item}`).join('; ')}.${still.acl !== undefined ? ` ${still.acl}` : ''}`,
    );
    return 'allowed-by-visible-policies';
  }

  /**
   * What can still refuse requests the visible policies allow, the likeliest first (the endpoint the
   * requests came through), and what ACLs do with them (they only grant).
   */
  #stillDeny(events: readonly DeniedEvent[]): { items: string[]; acl?: string } {
    const first = events[0]!;
    const still: string[] = [];
    if (first.vpcEndpointId !== undefined)
      still.push(
        `the VPC endpoint policy of ${first.vpcEndpointId}, which the request came through (read it with ${vpcEndpointPolicyCommand(first.vpcEndpointId, first)})`,
      );
    // The access point the requests went through: its policy, which is not an input, and its network
    // origin (one restricted to a VPC refuses every request from outside it).
    const through = first.check.accessPoint;
    if (through !== undefined && !isMultiRegionAccessPointArn(through)) {
      const { account, name } = accessPointParts(through);
      still.push(
        `the policy of access point ${name}, which the request went through (not an input: \`aws s3control get-access-point-policy --account-id ${account} --name ${name}\`)`,
      );
      // An access point attached to an FSx volume: the volume's permissions decide after its policy.
      if (first.check.bucket !== undefined && accessPointAliasKind(first.check.bucket) === 'fsx')
        still.push(
          `the file system user identity access point ${name} is configured with (\`aws s3control get-access-point --account-id ${account} --name ${name}\`), which the FSx volume's own permissions on the file or directory must allow (https://docs.aws.amazon.com/fsx/latest/ONTAPGuide/configuring-network-access-for-s3-access-points.html)`,
        );
      if (first.vpcEndpointId === undefined)
        still.push(
          `the network origin of access point ${name}: one restricted to a VPC (NetworkOrigin VPC) refuses every request that does not come from that VPC, and this one came through no VPC endpoint (\`aws s3control get-access-point --account-id ${account} --name ${name} --query NetworkOrigin\`; https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-vpc.html)`,
        );
    }
    const buckets = [...new Set(events.map((e) => e.check.bucket).filter((b) => b !== undefined))];
    // An FSx access point's alias names no bucket: there is no bucket policy to give.
    for (const bucket of buckets
      .filter((b) => !this.#context.bucketPolicies.has(b) && accessPointAliasKind(b) !== 'fsx')
      .slice(0, 3))
      still.push(
        `the bucket policy of ${bucket} (none was given: --bucket-policy ${shellWord(`${bucket}=FILE`)})`,
      );
    if (scpAppliesTo(first.principal) && this.#context.scpLevels.length === 0)
      still.push('service control policies (none were given: --scp)');
    if (this.#context.rcpLevels.length === 0)
      still.push('resource control policies (none were given: --rcp)');
    if (first.principal.type === 'Role' || first.principal.type === 'IdentityCenter')
      still.push('a session policy passed when the role was assumed');
    const owner = first.owner;
    if (
      owner?.from === 'resources' &&
      first.principal.account !== undefined &&
      owner.account !== first.principal.account &&
      first.principal.type !== 'Anonymous'
    )
      still.push(
        `Requester Pays: if the bucket (owned by account ${owner.account}) is a Requester Pays bucket, a request from another account must carry x-amz-request-payer: requester (aws-cli --request-payer requester, rclone --s3-requester-pays), or S3 refuses it (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html)`,
      );
    // Requester Pays refuses every unsigned request: a full cause for an anonymous caller.
    if (first.principal.type === 'Anonymous')
      still.push(
        'Requester Pays: anonymous access to a Requester Pays bucket is not allowed, so if the bucket is one, S3 refuses every unsigned request to it; the requests must be signed, by a caller who agrees to pay (x-amz-request-payer: requester) (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html)',
      );
    if (events.some((e) => checksOf(e).some((c) => LOCKABLE_ACTIONS.has(c.action.toLowerCase()))))
      still.push(
        'S3 Object Lock: a retention period or legal hold on the object version refuses deleting it or shortening its retention (S3 then answers "Access Denied because object protected by object lock")',
      );
    // An object another account owns is granted by its ACL alone: the bucket owner's policies do not
    // reach it, whatever they allow. The record shows neither the object's owner nor the bucket's setting.
    const checks = events.flatMap(checksOf);
    const ownership = objectOwnershipItem(
      events.flatMap((e) => checksOf(e).map((check) => ({ eventName: e.eventName, check }))),
    );
    if (ownership !== undefined && !buckets.some((b) => accessPointAliasKind(b) === 'fsx'))
      still.push(ownership);
    if (events.some((e) => checksOf(e).some((c) => MFA_DELETE_ACTIONS.has(c.action.toLowerCase()))))
      still.push(
        first.principal.type === 'Root'
          ? `MFA delete: if the bucket has MFA delete enabled (aws s3api get-bucket-versioning shows MFADelete: Enabled), permanently deleting an object version or changing the bucket's versioning configuration needs the x-amz-mfa header (the root user's MFA device serial number, a space and its current code; aws-cli --mfa) over HTTPS, or S3 refuses it (${MFA_DELETE_DOC})`
          : `MFA delete: if the bucket has MFA delete enabled (aws s3api get-bucket-versioning shows MFADelete: Enabled), only the root user, with the x-amz-mfa header over HTTPS, can permanently delete an object version or change the bucket's versioning configuration: no policy lets anyone else do it (${MFA_DELETE_DOC})`,
      );
    // Block Public Access only where it can apply (public access); ACLs only grant, so they are not
    // among what denies: a request that sets one is told what Object Ownership does with it.
    // An ACL sent in the body (s3cmd's setacl) is no condition key, so the checks do not show it.
    const bodyAcls = events.flatMap((e) => (e.bodyAcl !== undefined ? [e.bodyAcl] : []));
    const publicAccess = blockPublicAccessItem(
      checks,
      first.principal,
      owner,
      first.bucket !== undefined ? this.#context.bucketPolicies.get(first.bucket) : undefined,
      bodyAcls,
    );
    if (publicAccess !== undefined) still.push(publicAccess);
    if (events.some(mayCallKms)) still.push('a KMS key policy for encrypted objects');
    // Nothing else the input leaves out can refuse it: the policies given may not be those AWS evaluated.
    if (still.length === 0)
      still.push('a policy changed since the request (the snapshot may be out of date)');
    const acl = aclNote(checks, bodyAcls);
    return { items: still, ...(acl !== undefined ? { acl } : {}) };
  }

  /**
   * The kinds of policy that apply to the caller's requests and that the input does not hold: the SCPs
   * (see {@link scpAppliesTo}), the RCPs, and a role session's session policy (CloudTrail does not record it).
   */
  #uncheckedKinds(principal: Principal): UncheckedKinds {
    return {
      scp: scpAppliesTo(principal) && this.#context.scpLevels.length === 0,
      rcp: this.#context.rcpLevels.length === 0,
      session: principal.type === 'Role' || principal.type === 'IdentityCenter',
    };
  }

  #fix(
    cause: FindingCause,
    evidence: Finding['evidence'],
    principal: Principal,
    resolved: ResolvedPolicies,
    denied: readonly EvaluatedCheck[],
    bucket: string | undefined,
    partition: string | undefined,
    resourceAccount: string | undefined,
    exactKeys: ReadonlySet<EvaluatedCheck>,
    notGranted: number,
    otherBucket: (name: string | undefined) => OtherBucketPolicies | undefined,
  ): { fix: Fix | null; caveats: readonly string[] } {
    // The fix of some of the requests, for another cause: the same caller, bucket and caches.
    const fixOf = (asCause: FindingCause, some: readonly EvaluatedCheck[]) =>
      this.#fix(
        asCause,
        evidence,
        principal,
        resolved,
        some,
        bucket,
        partition,
        resourceAccount,
        exactKeys,
        notGranted,
        otherBucket,
      );
    // The visible policies allow every request (a policy AWS names is not in the input): nothing to grant.
    if (denied.length === 0) return { fix: null, caveats: [] };
    // An explicit Deny refused some requests, and no policy allowed others: those others still get the
    // fix their missing Allow calls for (the Deny's stay denied; deniedBy names it).
    if (cause.endsWith('-explicit-deny') && evidence === 'policies') {
      const implicit = denied.filter((e) => e.decision === 'ImplicitlyDenied');
      if (implicit.length === 0) return { fix: null, caveats: [] };
      const missing = new Set<PolicyType>();
      for (const e of implicit) for (const type of e.result?.missingAllowIn ?? []) missing.add(type);
      const rest = missingCause(missing);
      const outcome = fixOf(rest, implicit);
      if (outcome.fix === null) return outcome;
      const explicit = denied.length - implicit.length;
      // None left to the Deny: the requests as they must be sent (an upload with the ACL a Deny requires,
      // see withOwnerAcl) are refused for want of an Allow alone.
      if (explicit === 0) return outcome;
      // "All N denied requests" counts those the fix was asked for: the Deny's are said beside them.
      const refused = `; ${explicit === 1 ? 'the one an explicit Deny refused stays refused' : `the ${explicit} an explicit Deny refused stay refused`} (see "Denied by")`;
      const verification = outcome.fix.verification.map((line) => {
        const all =
          /^With the fix applied, (?:all (\d+) denied requests evaluate|the denied request evaluates) to Allowed\.$/.exec(
            line,
          );
        if (all !== null)
          return `With the fix applied, ${all[1] === undefined ? 'the denied request it covers evaluates' : `the ${all[1]} denied requests it covers evaluate`} to Allowed${refused}.`;
        return line.replace(/ it covers (evaluates?) to Allowed;/, ` it covers $1 to Allowed${refused};`);
      });
      return {
        fix: { ...outcome.fix, verification },
        caveats: [
          `The fix covers ${implicit.length === 1 ? 'the request' : `the ${implicit.length} requests`} no policy allowed (${CAUSE_PHRASE[rest]}); ${explicit === 1 ? 'the request an explicit Deny refused stays refused' : `the ${explicit} requests an explicit Deny refused stay refused`}, whatever is added (see "Denied by").`,
          ...outcome.caveats,
        ],
      };
    }
    // A root check that is granted is granted on its own key: it must not widen the keys' directory.
    const requests: DeniedRequestForFix[] = denied.map((e) => {
      // The request evaluated above is the one verification needs (same caller, resource account and
      // context): handing it over spares a copy of its context per denied request.
      const request: { -readonly [K in keyof DeniedRequestForFix]: DeniedRequestForFix[K] } = {
        action: e.check.action,
        resource: e.check.resource,
        context: e.check.context,
        evaluated: e.request,
      };
      if (e.result !== undefined) request.result = e.result;
      if (e.check.bucket !== undefined) request.bucket = e.check.bucket;
      if (e.check.key !== undefined && !exactKeys.has(e)) request.key = e.check.key;
      if (e.check.anyKey === true) request.anyKey = true;
      if (e.check.accessPoint !== undefined) request.accessPoint = e.check.accessPoint;
      // s3:ListBucket for a read (inferred, see missingKeyListings, or named by the message) is S3's own
      // check of a key that may not exist, not a listing the client can narrow.
      if (e.check.action === 's3:ListBucket' && READS_CHECKING_LISTING.has(e.event.eventName))
        request.listingFor = e.event.eventName;
      return request;
    });
    if (evidence === 'message') {
      // Only what an identity statement can lift: requests whose own message says no identity-based
      // policy allows them, and, when that is the finding's cause, those whose message names nothing.
      const byMessage = denied.map((e) => e.event.message);
      const grantable = requests.filter((r, i) => {
        const said = byMessage[i]!;
        // A Deny given here refuses it whatever an identity statement allows.
        if (denied[i]!.decision === 'ExplicitlyDenied') return false;
        // A message that names another action (S3's KMS call) says nothing of the S3 request's own.
        return (
          isS3Action(r.action) &&
          (said.form === 'enhanced'
            ? isS3Action(said.action) && said.policyType === 'identity' && said.denial === 'implicit'
            : cause === 'identity-missing-allow')
        );
      });
      const elsewhere = byMessage.filter(
        (said) => said.form === 'enhanced' && !(said.policyType === 'identity' && said.denial === 'implicit'),
      );
      // A message that says no identity-based policy allows S3's KMS call on a key it names: that call,
      // through S3, is what to grant.
      const keyUses: { readonly call: KmsCall }[] = [];
      denied.forEach((e, i) => {
        const said = byMessage[i]!;
        const key =
          said.form === 'enhanced' && said.resource !== undefined ? KEY_ARN.exec(said.resource) : null;
        if (
          key === null ||
          said.form !== 'enhanced' ||
          !said.action.toLowerCase().startsWith('kms:') ||
          said.policyType !== 'identity' ||
          said.denial !== 'implicit'
        )
          return;
        const region = key[2]!;
        keyUses.push({
          call: {
            event: e.event,
            action: said.action,
            keyArn: key[0],
            context: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
            source: 'message',
            refusedThisRun: true,
          },
        });
      });
      const statements = [...minimalStatements(grantable), ...kmsStatements(keyUses)];
      // A key of another account: its key policy must let the caller use it too.
      const foreignKeys = [
        ...new Set(
          keyUses.map(({ call }) => call.keyArn).filter((arn) => keyAccountOf(arn) !== principal.account),
        ),
      ];
      const keyElsewhere =
        foreignKeys.length === 0
          ? undefined
          : `The key ${foreignKeys.join(', ')} is in another account than the caller's: its key policy must allow the call too, naming the caller (${principal.roleArn ?? principal.policyPrincipalArn ?? principal.arn ?? 'the caller'}) or its account.`;
      if (statements.length === 0 && cause === 'resource-policy-missing-allow' && bucket !== undefined) {
        const caller = principal.roleArn ?? principal.policyPrincipalArn ?? principal.arn;
        return {
          fix: null,
          caveats: [
            `AWS's message says no resource-based policy allows the request: the bucket policy of ${bucket} must allow it${caller !== undefined ? `, in a statement whose Principal names ${caller}` : ''}${principal.type === 'AWSAccount' ? ", and the caller's own account must allow it too" : ''}. For a statement checked against it, give it with ${giveBucketPolicy(bucket)} and the account snapshot.`,
          ],
        };
      }
      if (statements.length === 0) return { fix: null, caveats: [] };
      const attachTo = principal.roleArn ?? principal.policyPrincipalArn ?? principal.arn;
      // Neither the record nor the message names the caller: there is nothing to attach a statement to.
      if (attachTo === undefined)
        return {
          fix: null,
          caveats: [
            "Neither the record nor its message names a caller of the record's account, so no fix is proposed: the statements need a user or role to go on. The credentials the job uses name it, and so does the CloudTrail of the account the call came from.",
          ],
        };
      const serviceLinked = serviceLinkedRefusal(principal, undefined);
      if (serviceLinked !== undefined) return { fix: null, caveats: [`No fix proposed: ${serviceLinked}.`] };
      const rootKeys = rootLevelKeysCaveat(grantable, statements);
      const identityCenter = principal.type === 'IdentityCenter';
      const others =
        elsewhere.length === 0
          ? undefined
          : `The fix covers ${grantable.length + keyUses.length === 1 ? 'the request whose message says no identity-based policy allows it' : `the ${grantable.length + keyUses.length} requests whose messages say no identity-based policy allows them`}; ${elsewhere.length === 1 ? 'the other was refused, its message says,' : `the other ${elsewhere.length} were refused, their messages say,`} by ${andList(
              [
                ...new Set(
                  elsewhere.map((said) =>
                    said.form === 'enhanced'
                      ? `${said.denial === 'explicit' ? 'an explicit Deny in ' : 'a missing Allow in '}${MESSAGE_POLICY_WORDS[said.policyType].replace('the key policy', 'a resource-based policy')}`
                      : '',
                  ),
                ),
              ],
            )}, which an identity statement does not lift: ${elsewhere.length === 1 ? 'it stays' : 'they stay'} refused.`;
      return {
        fix: {
          attachTo,
          attachKind: identityCenter ? 'permission-set' : 'inline-policy',
          statements,
          verified: false,
          verification: [
            "Not verified: the caller's policies are not in the snapshot; the statement is derived from AWS's error message.",
          ],
        },
        caveats: [
          others,
          rootKeys,
          wholeBucketCaveat(grantable, statements),
          datedDirectoryCaveat(statements),
          keyElsewhere,
        ].filter((c) => c !== undefined),
      };
    }
    if (evidence !== 'policies') return { fix: null, caveats: [] };
    if (cause === 'resource-policy-missing-allow' && principal.type === 'Anonymous') {
      return {
        fix: null,
        caveats: [
          'No fix proposed for an unsigned request: the only statement that allows it grants everyone (Principal "*") and makes what it names public. Sign the requests, or grant public access deliberately if it is meant to be public.',
        ],
      };
    }
    if (
      cause === 'resource-policy-missing-allow' &&
      principal.arn === undefined &&
      principal.policyPrincipalArn === undefined
    ) {
      return {
        fix: null,
        caveats: [unnamedCallerCaveat(principal, partition), ...conditionGuardCaveats(resolved, requests)],
      };
    }
    const kind =
      cause === 'identity-missing-allow'
        ? 'identity'
        : cause === 'boundary-missing-allow'
          ? 'boundary'
          : cause === 'resource-policy-missing-allow'
            ? 'bucket-policy'
            : cause === 'scp-missing-allow'
              ? 'scp'
              : undefined;
    if (kind === undefined) return { fix: null, caveats: [] };
    const viaAccessPoint =
      kind === 'bucket-policy' ? requests.filter((r) => r.accessPoint !== undefined) : [];
    const through = viaAccessPoint[0];
    // The bucket policy names the bucket, never the access point's ARNs: the grant belongs in the
    // access point's policy, with a bucket policy that delegates to it.
    const those =
      viaAccessPoint.length === requests.length
        ? requests.length === 1
          ? 'The request'
          : 'The requests'
        : viaAccessPoint.length === 1
          ? 'The request that'
          : `The ${viaAccessPoint.length} requests that`;
    const throughArn = through?.accessPoint;
    // A bucket policy given here was evaluated on the bucket's own ARNs, as S3 does (see
    // withBucketPolicyDeny): it allows none of these, and the delegation it may hold was not met.
    const accessPointCaveat =
      throughArn === undefined
        ? undefined
        : isMultiRegionAccessPointArn(throughArn) || !resolved.bucketPolicyKnown
          ? `${those} went through ${isMultiRegionAccessPointArn(throughArn) ? 'Multi-Region Access Point' : 'access point'} ${throughArn}: the grant belongs in that access point's policy (with Principal ${principal.roleArn ?? principal.policyPrincipalArn ?? principal.arn ?? 'the caller'}), and the bucket policy must delegate to the access point or grant the same. ${resolved.bucketPolicyKnown ? "The access point's policy is not in the input" : 'Neither policy is in the input'}, so no fix is proposed${viaAccessPoint.length === requests.length ? '' : ' for those'}.`
          : `${those} went through access point ${throughArn}, of account ${throughArn.split(':')[4]}: S3 also evaluates the bucket policy, on the bucket's own ARNs (${bucketArnOf(bucket ?? '', partitionOfArn(throughArn))}…), and the bucket policy given ${viaAccessPoint.length === 1 ? 'does not allow it' : 'allows none of them'} there. It must delegate access control to that account's access points (StringEquals s3:DataAccessPointAccount "${throughArn.split(':')[4]}") or grant the caller the same access on the bucket's ARNs (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html); the grant on the access point's ARNs belongs in the access point's policy, which is not in the input, so no fix is proposed${viaAccessPoint.length === requests.length ? '' : ' for those'}.`;
    if (accessPointCaveat !== undefined && viaAccessPoint.length === requests.length)
      return {
        fix: null,
        caveats: [
          accessPointCaveat,
          ...(resolved.bucketPolicyKnown ? conditionGuardCaveats(resolved, viaAccessPoint) : []),
        ],
      };
    // The others (a copy's write, when only its source went through the access point) get their fix.
    if (accessPointCaveat !== undefined) {
      const outcome = fixOf(
        cause,
        denied.filter((e) => e.check.accessPoint === undefined),
      );
      return { fix: outcome.fix, caveats: [...outcome.caveats, accessPointCaveat] };
    }
    // A bucket policy names its own bucket's resources only: the statements go into the policy of the
    // bucket the refused requests are on (a copy's source, say), and those on other buckets are said apart.
    let target = bucket;
    let targetResolved = resolved;
    let forFix = requests;
    let elsewhere: DeniedRequestForFix[] = [];
    if (kind === 'bucket-policy') {
      const on = (r: DeniedRequestForFix) => r.bucket ?? bucket;
      // The bucket whose policy lacks the Allow: a request its bucket's policy allows needs none there.
      const needsBucket = (r: DeniedRequestForFix) =>
        r.result === undefined || r.result.missingAllowIn.includes('resource');
      const buckets = [...new Set(requests.filter(needsBucket).map(on))];
      if (!buckets.includes(bucket) && buckets.length > 0) target = buckets[0];
      forFix = requests.filter((r) => on(r) === target);
      elsewhere = requests.filter((r) => on(r) !== target);
      // Another bucket is taken to be the same account's (see otherBucket in build).
      targetResolved = (target !== bucket ? otherBucket(target)?.resolved : undefined) ?? resolved;
    }
    const outcome = proposeFix({
      kind,
      ...this.#fixInput(principal, targetResolved, target, partition, resourceAccount),
      requests: forFix,
      ...(target !== undefined && this.#context.bucketPolicies.has(target)
        ? { bucketPolicyDocument: this.#context.bucketPolicies.get(target) }
        : {}),
      ...(kind === 'scp' ? { scpLevels: this.#context.scpLevels } : {}),
      ...(notGranted > 0 ? { notGranted } : {}),
      ...(elsewhere.length > 0 ? { onOtherBuckets: elsewhere.length } : {}),
    });
    if (elsewhere.length === 0) return outcome;
    const caller = principal.roleArn ?? principal.policyPrincipalArn ?? principal.arn ?? 'the caller';
    const byBucket = new Map<string, DeniedRequestForFix[]>();
    for (const r of elsewhere) {
      const name = r.bucket ?? '';
      byBucket.set(name, [...(byBucket.get(name) ?? []), r]);
    }
    const apart = [...byBucket].flatMap(([name, list]) => {
      // Those the bucket's own policy already allows lack an Allow in the caller's policies only.
      const onBucket = list.filter(
        (r) => r.result === undefined || r.result.missingAllowIn.includes('resource'),
      );
      const callerOnly = list.filter((r) => !onBucket.includes(r));
      return [
        ...(onBucket.length > 0
          ? [
              `${onBucket.length === 1 ? `The refused request on bucket ${name} is` : `The ${onBucket.length} refused requests on bucket ${name} are`} not in this fix: a bucket policy names only its own bucket's resources, so ${name}'s own policy must allow ${onBucket.length === 1 ? 'it' : 'them'}, in a statement whose Principal names ${caller} (not checked here): ${statementsText(minimalStatements(onBucket))}.`,
            ]
          : []),
        ...(callerOnly.length > 0
          ? [
              `${callerOnly.length === 1 ? `The refused request on bucket ${name} is` : `The ${callerOnly.length} refused requests on bucket ${name} are`} not in this fix: ${name}'s policy allows ${callerOnly.length === 1 ? 'it' : 'them'}, and the caller's own policies must too (not checked here): ${statementsText(minimalStatements(callerOnly))}.`,
            ]
          : []),
      ];
    });
    return { fix: outcome.fix, caveats: [...outcome.caveats, ...apart] };
  }

  /** What every fix of the finding is proposed with: the caller, its policies, where, and the batch's caches. */
  #fixInput(
    principal: Principal,
    resolved: ResolvedPolicies,
    bucket: string | undefined,
    partition: string | undefined,
    resourceAccount: string | undefined,
  ): Omit<FixInput, 'kind' | 'requests'> {
    return {
      principal,
      resolved,
      ...(bucket !== undefined ? { bucket } : {}),
      ...(partition !== undefined ? { partition } : {}),
      ...(resourceAccount !== undefined ? { resourceAccount } : {}),
      s3Actions: this.#context.s3Actions,
      cache: this.#resolver.compiledPolicyCache,
      ...(this.#context.snapshot !== undefined ? { snapshot: this.#context.snapshot } : {}),
      rcpLevelsFor: (account) => this.#resolver.rcpLevelsFor(account),
    };
  }

  #toolAdvice(
    client: ReturnType<typeof detectClient>,
    bucket: string | undefined,
    partition: string | undefined,
    evaluated: readonly EvaluatedCheck[],
    denied: readonly EvaluatedCheck[],
    succeeded: ReadonlySet<string>,
    job: RcloneJob | undefined,
    rootCheckKeys: readonly string[],
    copies: CopyEvidence | undefined,
    /** The input's evidence of the principal's successful calls on the bucket. */
    evidence: (kind: CallEvidence) => ReadonlySet<string> | undefined,
    /** Whether the caller listed that bucket with success, by one of aws-cli's `commands`. */
    listedOn: (otherBucket: string, commands: readonly string[]) => boolean,
    /** Whether the caller read an object's tags with success on another bucket (a copy's source). */
    readTagsElsewhere: () => boolean,
    /** The prefixes of the caller's successful listings without a delimiter of another bucket. */
    recursiveListingsOn: (otherBucket: string) => ReadonlySet<string> | undefined,
    /** The canned ACLs the uploads sent or must send (see jobCannedAcls): s3:PutObjectAcl for them alone. */
    cannedAcls: readonly string[] | undefined,
  ): { jobProfile: JobProfile | null; alternatives: readonly Alternative[] } {
    const moveSource = copies?.moveSource;
    if (client.tool === 'terraform' && bucket !== undefined && isTerraformBackendAgent(client.raw)) {
      // Terraform's S3 backend: the state key, its lock file and the workspace listing.
      // The keys the requests named: a HEAD of the missing state is refused on the bucket (no s3:ListBucket).
      const keys = new Set<string>();
      // Keys any request wrote or deleted: those not in it were only read.
      const changed = new Set<string>();
      for (const { check, event } of evaluated) {
        if (check.bucket !== bucket) continue;
        const key = check.key ?? (event.objectKey !== '' ? event.objectKey : undefined);
        if (key === undefined) continue;
        keys.add(key);
        if (check.key !== undefined && check.action.toLowerCase() !== 's3:getobject') changed.add(key);
      }
      const lockFiles = evidence('lockFiles');
      const readStates = [...(evidence('readKeys') ?? NO_NAMES)].filter((key) => key.endsWith('.tfstate'));
      const profile = terraformBackendProfile({
        bucket,
        openTofu: /(?:^|\s)OpenTofu\//i.test(client.raw ?? ''),
        ...(partition !== undefined ? { partition } : {}),
        keys: [...keys],
        readOnlyKeys: new Set([...keys].filter((key) => !changed.has(key))),
        ...(lockFiles !== undefined ? { lockFiles } : {}),
        ...(readStates.length > 0 ? { statesRead: new Set(readStates) } : {}),
      });
      return {
        jobProfile: {
          tool: 'terraform',
          operation: 'unknown',
          statements: profile.statements,
          notes: profile.notes,
        },
        alternatives: [],
      };
    }
    if (client.tool === 'terraform' && bucket !== undefined && isTerraformAwsProviderAgent(client.raw)) {
      // The AWS provider's aws_s3_bucket reads the whole configuration, stopping at the first refusal;
      // its aws_s3_object reads each object, then the object's tags.
      const deniedActions = new Set<string>();
      const taggingKeys = new Set<string>();
      for (const { check } of denied) {
        if (check.bucket !== bucket) continue;
        if (check.key === undefined) deniedActions.add(check.action);
        else if (check.action === 's3:GetObjectTagging') taggingKeys.add(check.key);
      }
      const profile = terraformBucketReadProfile({
        bucket,
        ...(partition !== undefined ? { partition } : {}),
        deniedActions,
        taggingKeys,
      });
      return profile === undefined
        ? { jobProfile: null, alternatives: [] }
        : {
            jobProfile: {
              tool: 'terraform',
              operation: 'unknown',
              statements: profile.statements,
              notes: profile.notes,
            },
            alternatives: profile.alternatives,
          };
    }
    if (client.tool === 'other' && bucket !== undefined && isS3aAgent(client.raw)) {
      const calls = callsOn(bucket, evaluated, succeeded, evidence);
      return s3aAdvice(bucket, partition, calls, evidence, evaluated);
    }
    if (client.tool === 'other' && bucket !== undefined) {
      const mounter = isS3fsAgent(client.raw)
        ? 's3fs'
        : isMountpointAgent(client.raw)
          ? 'mountpoint-s3'
          : undefined;
      if (mounter !== undefined || isResticAgent(client.raw)) {
        const calls = callsOn(bucket, evaluated, succeeded, evidence);
        if (mounter === undefined) return resticAdvice(bucket, partition, calls);
        const readOnly = mounter === 'mountpoint-s3' && isReadOnlyMountpointAgent(client.raw);
        const mount = {
          directory: mountDirectory(calls, evidence, readOnly),
          eventNames: calls.eventNames,
          readOnly,
        };
        return mountAdvice(mounter, bucket, partition, mount);
      }
    }
    // duplicity sends boto3's user agent (or, before 2.0, the old boto's): its file names say duplicity.
    if ((client.tool === 'boto3' || client.tool === 'other') && bucket !== undefined) {
      const advice = duplicityAdvice(bucket, partition, evaluated, succeeded, evidence);
      if (advice !== undefined) return advice;
    }
    if (bucket === undefined || (client.tool !== 'rclone' && client.tool !== 'aws-cli'))
      return { jobProfile: null, alternatives: [] };
    // One pass over the requests (a finding can hold thousands): keys on the bucket (an rclone job has
    // its paths already) and event names.
    const keys: string[] = [];
    // Keys of this bucket that server-side copies read: their directory is read, not written.
    const sourceKeys: string[] = [];
    // Prefixes of its listings: where a job refused its first listing (`aws s3 rm --recursive`) works.
    const listPrefixes: string[] = [];
    // Keys that copies into this bucket read in other buckets, per bucket.
    const otherSourceKeys = new Map<string, string[]>();
    // A refused read of this bucket's objects that is not a copy's source (a download in the same group).
    let readsObjects = false;
    // Actions refused on this bucket, outside any copy's source.
    const deniedHere = new Set<string>();
    const names = new Set<string>();
    for (const e of evaluated) {
      const { check } = e;
      if (check.bucket !== bucket && check.role === 'source' && check.bucket !== undefined) {
        addKey(otherSourceKeys, check.bucket, check.key ?? '');
      } else if (check.bucket === bucket && check.key !== undefined) {
        if (check.role === 'source') sourceKeys.push(check.key);
        else if (job === undefined) keys.push(check.key);
        if (
          check.role !== 'source' &&
          e.decision !== 'Allowed' &&
          check.action.toLowerCase() === 's3:getobject'
        )
          readsObjects = true;
      } else if (check.bucket === bucket && job === undefined) {
        const prefix = check.context['s3:prefix'];
        if (typeof prefix === 'string') listPrefixes.push(prefix);
        // A read of a missing key refused as s3:ListBucket on the bucket: the key is where the job works.
        else if (e.event.objectKey !== '' && e.event.objectKey !== undefined) keys.push(e.event.objectKey);
      }
      if (check.bucket === bucket && check.role !== 'source' && e.decision !== 'Allowed')
        deniedHere.add(check.action);
      names.add(e.event.eventName);
    }
    // Copies refused with a message that names one request: the event keeps the other side apart.
    let lastEvent: DeniedEvent | undefined;
    for (const { event } of evaluated) {
      if (event === lastEvent) continue;
      lastEvent = event;
      const target = event.copyTarget;
      if (target !== undefined && target.bucket === bucket && job === undefined) keys.push(target.key);
      const from = event.copySource;
      if (from === undefined) continue;
      if (from.bucket === bucket) sourceKeys.push(from.key);
      else addKey(otherSourceKeys, from.bucket, from.key);
    }
    // Copies into this bucket that succeeded read in other buckets too (the input's evidence), unless the
    // finding's own refusals are of a transfer to or from the client (an upload, a download): another
    // command of the caller's made those copies.
    const localTransfer = evaluated.some(
      ({ event }) => LOCAL_TRANSFERS.has(event.eventName) && event.copySource === undefined,
    );
    if (!localTransfer)
      for (const from of evidence('copiedFromOtherBuckets') ?? NO_NAMES) {
        const slash = from.indexOf('/');
        addKey(otherSourceKeys, from.slice(0, slash), from.slice(slash + 1));
      }
    // `aws s3 sync` lists the whole path it was given (no delimiter), on each side, before it copies the
    // files that changed: that listing, when the input has it, is where the job works, wider than the
    // changed files' directory (the next run changes others). (`rm`/`cp --recursive` list too, but the
    // caller's listings are pooled per bucket whatever command made them: a listing is not known to be
    // theirs.)
    const walksItsPath = client.tool === 'aws-cli' && client.command === 's3.sync';
    // Where copies into this bucket read in other buckets: a directory of each (a sync's listed path).
    const otherSources = [...otherSourceKeys].map(([source, sourceKeyList]) => ({
      bucket: source,
      prefix:
        (walksItsPath ? syncPathOf(sourceKeyList, recursiveListingsOn(source)) : undefined) ??
        commonDirectory(sourceKeyList),
    }));
    // Copies that succeeded read their sources too (the input's evidence, kept per source bucket).
    for (const directory of evidence('copySourceDirectories') ?? NO_NAMES) sourceKeys.push(directory);
    const copySource =
      sourceKeys.length > 0
        ? ((walksItsPath ? syncPathOf(sourceKeys, evidence('recursiveListPrefixes')) : undefined) ??
          commonDirectory(sourceKeys))
        : undefined;
    const refusedEventNames = [...names];
    for (const name of succeeded) names.add(name);
    const eventNames = [...names];
    if (client.tool === 'aws-cli' && client.command !== undefined) {
      const worked = keys.length > 0 ? keys : listPrefixes;
      // A sync writes under the path it listed (see walksItsPath).
      const syncPath =
        walksItsPath && keys.length > 0 ? syncPathOf(keys, evidence('recursiveListPrefixes')) : undefined;
      const prefix = syncPath ?? commonDirectory(worked);
      // Commands in sibling directories (`aws s3 cp` of config/app.yml, then of data/x.csv): each
      // directory, as the fix grants them, rather than the bucket root that is their common directory.
      const separate = prefix === '' && syncPath === undefined ? separateDirectories(worked) : undefined;
      // Else the places the bucket root stands for, which the profile's note names (a listing of the
      // root itself, `prefix=`, is the whole bucket's anyway).
      const places =
        prefix === '' && separate === undefined && !worked.includes('') ? topLevelPlaces(worked) : [];
      const commands = awsCliCommands(client.command, evaluated);
      // Which commands listed this bucket: each command's profile counts only its own listings.
      const listingCommands = new Set(evidence('listingCommands') ?? NO_NAMES);
      // And what each listed: the s3:prefix values its listing needs (see AwsCliProfileInput.listings).
      const listed = new Set(evidence('commandListPrefixes') ?? NO_NAMES);
      for (const { event, check } of evaluated) {
        const command =
          event.bucket === bucket ? listingCommand(event.eventName, event.userAgent) : undefined;
        if (command === undefined) continue;
        listingCommands.add(command);
        const listedPrefix = check.context['s3:prefix'];
        listed.add(JSON.stringify([command, typeof listedPrefix === 'string' ? listedPrefix : '']));
      }
      const listings = [...listed].map((entry) => {
        const [command, listedPrefix] = JSON.parse(entry) as [string, string];
        return { command, prefix: listedPrefix };
      });
      const profile = awsCliJobProfile(
        {
          bucket,
          ...(partition !== undefined ? { partition } : {}),
          prefix,
          ...(separate !== undefined ? { directories: separate } : {}),
          ...(places.length > 1 ? { spreadOver: places } : {}),
          eventNames,
          refusedEventNames,
          ...(copySource !== undefined ? { copySource } : {}),
          ...(moveSource !== undefined ? { moveSource } : {}),
          ...(readsObjects ? { readsObjects } : {}),
          deniedActions: [...deniedHere],
          ...(cannedAcls !== undefined ? { cannedAcls } : {}),
          ...(deniedHere.has('s3:PutObjectTagging') &&
          !succeeded.has('GetObjectTagging') &&
          readTagsElsewhere()
            ? { tagsReadElsewhere: true }
            : {}),
          ...(otherSources.length > 0
            ? {
                otherBucketSources: otherSources.map((other) => ({
                  ...other,
                  listed: listedOn(other.bucket, commands),
                })),
              }
            : {}),
          listingCommands: [...listingCommands],
          listings,
        },
        commands,
      );
      if (profile === undefined) return { jobProfile: null, alternatives: [] };
      const [command = client.command] = profile.commands;
      return {
        jobProfile: {
          tool: 'aws-cli',
          // The first command that names one (`ls` then `cp`: a copy).
          operation:
            profile.commands.map((c) => AWS_CLI_OPERATION[c]).find((o) => o !== undefined) ?? 'unknown',
          command,
          ...(profile.commands.length > 1 ? { commands: profile.commands } : {}),
          statements: profile.statements,
          notes: profile.notes,
          ...(profile.partial !== undefined ? { partial: profile.partial } : {}),
        },
        alternatives: awsCliAlternatives(deniedHere, profile.commands),
      };
    }
    if (client.tool !== 'rclone') return { jobProfile: null, alternatives: [] };
    const deniedActions = new Set<string>();
    for (const e of denied) deniedActions.add(e.check.action);
    // A server-side copyto or moveto within the bucket, refused the HEAD of its destination file: the
    // lone HEAD is of that file, not a root (see serverSideCopyTo).
    const copyTo = job?.copyTo;
    const paths =
      copyTo !== undefined ? [copyTo.destination] : job !== undefined ? jobPaths(job.paths, job.roots) : keys;
    // Refused requests that name no object (CreateBucket before a `copyto`) say nothing of where the job
    // works: the keys the caller looked up and found missing, or uploaded, do.
    const written =
      paths.length === 0
        ? [
            ...missingKeyDirectories(evidence),
            ...(evidence('uploadDirectories') ?? NO_NAMES),
            // The trees it listed whole with success (a purge lists what it deletes, in one listing).
            ...[...(evidence('recursiveListPrefixes') ?? NO_NAMES)].map((p) =>
              p.slice(0, p.lastIndexOf('/') + 1),
            ),
          ]
        : [];
    const prefix = commonDirectory(paths.length > 0 ? paths : written);
    // A server-side copyto or moveto refused its CreateBucket (before the copy; rclone HEADed the
    // source, and the destination, which was missing): its source is where the caller's HEADs went too.
    const createBucketSources =
      copyTo === undefined && paths.length === 0 && written.length > 0 && onlyHeadsSucceeded(succeeded)
        ? [...(evidence('objectDirectories') ?? NO_NAMES)].filter((d) => !isInsidePrefix(d, prefix))
        : [];
    const copyFrom =
      copyTo !== undefined
        ? commonDirectory(copyTo.sources)
        : createBucketSources.length > 0
          ? commonDirectory(createBucketSources)
          : copySource;
    // Two remote paths in this bucket (a move or copy between its directories, a --backup-dir): each.
    const directories = job !== undefined ? rootDirectories(paths, job.roots) : undefined;

    // Every refusal a HEAD of a file the job copies (see copiedFiles): a read of those files, nothing else.
    const files = job?.files ?? NO_NAMES;
    const readsFiles =
      files.size > 0 &&
      denied.every(
        (e) => e.event.eventName === 'HeadObject' && e.check.key !== undefined && files.has(e.check.key),
      );
    const refusedAsListing = headsRefusedAsListing(evaluated);
    const missingKeys = evidence('missingKeys');
    // Which requests were refused s3:GetObjectVersion: a HEAD after an upload (rclone v1.60) or a read of
    // an old version (see headsUploadedVersions).
    const versionReads = denied
      .filter((e) => e.check.action.toLowerCase() === 's3:getobjectversion')
      .map((e) => ({
        eventName: e.event.eventName,
        ...(e.check.key !== undefined ? { key: e.check.key } : {}),
      }));
    const uploadDirectories = evidence('uploadDirectories');
    const advice = rcloneAdvice({
      ...(client.version !== undefined ? { version: client.version } : {}),
      bucket,
      ...(partition !== undefined ? { partition } : {}),
      prefix,
      ...(directories !== undefined ? { directories } : {}),
      ...(paths.length === 0
        ? {
            prefixFrom:
              written.length === 0
                ? 'nothing'
                : written.every((directory) => directory === '')
                  ? 'root-calls'
                  : 'other-calls',
          }
        : {}),
      ...(listsRecursively(evidence('recursiveListPrefixes'), prefix, rootCheckKeys)
        ? { listedRecursively: true }
        : {}),
      ...(rootCheckKeys.length > 0 && copyTo === undefined ? { rootCheckKeys } : {}),
      // The keys S3 found missing for this caller: among them, the root checks it answered.
      ...(copyTo === undefined && missingKeys !== undefined ? { missingKeys } : {}),
      ...(refusedAsListing.length > 0 ? { headsRefusedAsListing: refusedAsListing } : {}),
      ...(job?.lone === true && copyTo === undefined ? { loneRootCheck: true } : {}),
      ...(copyTo !== undefined || createBucketSources.length > 0 ? { serverSideCopyTo: true } : {}),
      ...(readsFiles ? { readsFiles: [...files] } : {}),
      ...(job?.readsRoot === true ? { readsRoot: true } : {}),
      ...(job?.readsListed === true ? { readsListed: true } : {}),
      ...(copiedFromHere(prefix, evidence) ? { copiedFrom: true } : {}),
      ...(deletesFiles(evaluated, succeeded) ? { deletesFiles: true } : {}),
      ...(moveSource !== undefined ? { moveSource } : {}),
      ...(copies?.copyDestination !== undefined ? { copyDestination: copies.copyDestination } : {}),
      ...(copies?.backupDir === true ? { backupDir: true } : {}),
      ...(copyFrom !== undefined ? { copySource: copyFrom } : {}),
      ...(otherSources.length > 0 ? { otherBucketSources: otherSources } : {}),
      deniedActions: [...deniedActions],
      ...(cannedAcls !== undefined ? { cannedAcls } : {}),
      eventNames,
      ...(versionReads.length > 0 ? { versionReads } : {}),
      ...(uploadDirectories !== undefined && uploadDirectories.size > 0
        ? { uploadDirectories: [...uploadDirectories] }
        : {}),
      ...bucketExistence(bucket, this.#context, this.#succeeded),
    });
    return { jobProfile: advice.jobProfile, alternatives: advice.alternatives };
  }
}

/**
 * The account an AWS service acts for in `event`, for the key policy statement's confused-deputy
 * condition: the aws:SourceAccount its delivery's key names (taken into the context, see the S3 request
 * context), else the bucket owner's, a guess.
 */
function serviceSourceOf(event: DeniedEvent): ServiceSource | undefined {
  if (event.principal.type !== 'AWSService') return undefined;
  const inferred = event.check.context['aws:SourceAccount'];
  if (typeof inferred === 'string') return { account: inferred, from: 'key' };
  return event.owner !== undefined ? { account: event.owner.account, from: 'bucket-owner' } : undefined;
}

/**
 * `outcome` with its fix no longer called verified, and `line` added to its verification: a refusal
 * the fix does not reach (one AWS's message names, a VPC endpoint's, one the visible policies allow).
 */
function notVerifiedAsEnough<T extends { readonly fix: Fix | null }>(outcome: T, line: string): T {
  if (outcome.fix === null) return outcome;
  return {
    ...outcome,
    fix: { ...outcome.fix, verified: false, verification: [...outcome.fix.verification, line] },
  };
}

/**
 * The events of `evaluated` whose every check the visible policies allow, their KMS calls' too, and
 * which have a check that is not an ignored probe: one pass over each list, not one per event (a job's
 * group can hold thousands).
 */
function allowedEvents(
  evaluated: readonly EvaluatedCheck[],
  ignoredProbes: ReadonlySet<EvaluatedCheck>,
  kmsCalls: readonly { readonly call: { readonly event: DeniedEvent }; readonly result: EvaluationResult }[],
): Set<DeniedEvent> {
  const counted = new Set<DeniedEvent>();
  const refused = new Set<DeniedEvent>();
  for (const e of evaluated) {
    if (!ignoredProbes.has(e)) counted.add(e.event);
    if (e.decision !== 'Allowed') refused.add(e.event);
  }
  for (const c of kmsCalls) if (c.result.decision !== 'Allowed') refused.add(c.call.event);
  for (const event of refused) counted.delete(event);
  return counted;
}
