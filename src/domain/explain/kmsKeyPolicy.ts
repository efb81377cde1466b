/**
 * What to add to a KMS key policy when S3 was refused the key for the caller (SSE-KMS). Key policies
 * are not an input, so the statement is proposed, never verified.
 *
 * A key policy must allow the caller explicitly (the account's IAM policies count only when the key
 * policy delegates to the account); its `Resource` is `*`, the key itself. `kms:ViaService` limits the
 * grant to use through S3 in the key's region.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
 */
import type { Principal } from '../cloudtrail/types.js';

/** One KMS call S3 makes for the caller: the action, and the key and `kms:ViaService` value when known. */
export interface KeyUse {
  readonly action: string;
  readonly keyArn?: string;
  readonly viaService?: string;
}

/** "To perform a multipart upload with encryption using an AWS KMS key, the requester must have permission to the kms:Decrypt and kms:GenerateDataKey actions". */
const MULTIPART_KMS =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions';

/** `arn:aws:kms:eu-west-1:111122223333:key/…` -> its account. */
function keyAccount(keyArn: string): string | undefined {
  return /^arn:aws[a-z-]*:kms:[a-z0-9-]+:(\d{12}):key\//.exec(keyArn)?.[1];
}

/** The IAM user or role a key policy names for the caller (a role session is named by its role). */
function keyPolicyPrincipal(principal: Principal): string | undefined {
  if (principal.type === 'IAMUser') return principal.arn;
  if (principal.type === 'Role' || principal.type === 'IdentityCenter') return principal.roleArn;
  return undefined;
}

/** Where the account a service acts for comes from: its delivery's key (an inference), or the bucket owner (a guess). */
export interface ServiceSource {
  readonly account: string;
  readonly from: 'key' | 'bucket-owner';
}

/**
 * The key policy statement for an AWS service principal's use of a key: it has no IAM policies, so the
 * key policy alone can allow it, naming the service (`Principal: {"Service": …}`) with the
 * confused-deputy condition on the account it acts for, as AWS's statements for log deliveries do.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-services.html
 */
function serviceKeyPolicyCaveat(
  service: string,
  uses: readonly KeyUse[],
  source: ServiceSource | undefined,
): string {
  const byKey = new Map<string, Set<string>>();
  for (const use of uses) {
    const key = use.keyArn ?? '';
    const actions = byKey.get(key) ?? new Set<string>();
    actions.add(use.action);
    byKey.set(key, actions);
  }
  const account = source?.account ?? '<account-id>';
  const sentences = [...byKey].map(([key, actions]) => {
    const statement = {
      Sid: 'AllowServiceUseOfTheKey',
      Effect: 'Allow',
      Principal: { Service: service },
      Action: [...actions].sort(),
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': account } },
    };
    return `a statement for the key policy of ${key === '' ? 'the key the request used' : key} (not verified: key policies are not an input here): \`${JSON.stringify(statement)}\``;
  });
  const whose =
    source === undefined
      ? 'the account the service acts for'
      : source.from === 'key'
        ? `the account the object key names (AWSLogs/${source.account}/…), which the service delivers for (an inference from the key)`
        : `the bucket owner's account, a guess: name the account the service acts for if it is another`;
  return `To let ${service} use the key: an AWS service principal has no IAM policies, so only the key policy can allow it, naming the service: ${sentences.join('; ')}. Its aws:SourceAccount is ${whose}; the service's documentation may give aws:SourceArn too (the confused deputy problem: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-services.html).`;
}

/**
 * A caveat with the key policy statement for the caller's KMS calls through S3 (one per key), and the
 * identity side a key in another account needs too; for an AWS service, the statement naming the
 * service (see {@link serviceKeyPolicyCaveat}); `undefined` when the caller cannot be named in a key
 * policy (root, federated, anonymous).
 */
export function keyPolicyCaveat(
  principal: Principal,
  uses: readonly KeyUse[],
  source?: ServiceSource,
): string | undefined {
  if (principal.type === 'AWSService' && principal.name !== undefined && uses.length > 0)
    return serviceKeyPolicyCaveat(principal.name, uses, source);
  const principalArn = keyPolicyPrincipal(principal);
  if (principalArn === undefined || uses.length === 0) return undefined;
  const byKey = new Map<string, { actions: Set<string>; viaService: Set<string> }>();
  for (const use of uses) {
    const key = use.keyArn ?? '';
    let entry = byKey.get(key);
    if (entry === undefined) {
      entry = { actions: new Set(), viaService: new Set() };
      byKey.set(key, entry);
    }
    entry.actions.add(use.action);
    if (use.viaService !== undefined) entry.viaService.add(use.viaService);
  }
  const sentences: string[] = [];
  for (const [key, { actions, viaService }] of byKey) {
    const statement: Record<string, unknown> = {
      Sid: 'AllowUseThroughS3',
      Effect: 'Allow',
      Principal: { AWS: principalArn },
      Action: [...actions].sort(),
      Resource: '*',
      ...(viaService.size > 0
        ? { Condition: { StringEquals: { 'kms:ViaService': [...viaService].sort() } } }
        : {}),
    };
    const which = key === '' ? 'the key the request used' : key;
    sentences.push(
      `a statement for the key policy of ${which} (not verified: key policies are not an input here): \`${JSON.stringify(statement)}\``,
    );
    if (actions.has('kms:GenerateDataKey') && !actions.has('kms:Decrypt')) {
      sentences.push(
        `an upload S3 takes in parts (a multipart upload, which aws-cli, boto3 and rclone use for large files) also needs kms:Decrypt on the key: add it to Action if the job uploads such files (${MULTIPART_KMS})`,
      );
    }
    const account = key === '' ? undefined : keyAccount(key);
    if (account !== undefined && principal.account !== undefined && account !== principal.account) {
      sentences.push(
        `the key is in account ${account}, so the caller's identity policies must also allow ${[...actions].sort().join(', ')} on ${key}`,
      );
    }
  }
  return `To let the caller use the key through S3: ${sentences.join('; ')}.`;
}
