/**
 * The job profile of Terraform's S3 backend: what `terraform init`, `plan` and `apply` need on the state
 * bucket. The backend is Terraform itself (its user agent has no `terraform-provider-…`, which the AWS
 * provider's calls carry), and it touches only the state key, its lock file and the workspace listing.
 *
 * Seen with Terraform 1.11.4 against moto (test/e2e/terraformAgainstMoto.test.ts): `init` lists the
 * workspaces (ListObjectsV2, prefix `env:/`) and HEADs the state; `apply` with `use_lockfile` also writes
 * `<key>.tflock` (PutObject), HEADs and writes the state, reads the lock file back (GetObject) and
 * deletes it (DeleteObject).
 *
 * @see https://developer.hashicorp.com/terraform/language/backend/s3
 */
import type { PolicyStatement } from '../explain/report.js';
import { bucketArnOf, literalArnPart } from './jobResourceArns.js';

const SOURCE = 'https://developer.hashicorp.com/terraform/language/backend/s3';
const OPENTOFU_SOURCE = 'https://opentofu.org/docs/language/settings/backends/s3/';
const LOCK_SUFFIX = '.tflock';
/** `<workspace_key_prefix>/<workspace>/<key>`, with the default prefix `env:`. */
const WORKSPACE_KEY = /^env:\/[^/]+\/(.+)$/;

/**
 * Whether the user agent is Terraform's own (the S3 backend), or OpenTofu's (`OpenTofu-S3-Backend/1.0
 * OpenTofu/<version>`, the same backend with the same lock file), not the AWS provider's.
 *
 * @see https://github.com/opentofu/opentofu/blob/main/internal/backend/remote-state/s3/backend.go
 */
export function isTerraformBackendAgent(userAgent: string | undefined): boolean {
  return (
    userAgent !== undefined &&
    /(?:^|\s)(?:Terraform|OpenTofu)\/\S+/i.test(userAgent) &&
    !/terraform-provider-/i.test(userAgent)
  );
}

export interface TerraformBackendInput {
  readonly bucket: string;
  /** OpenTofu's backend (its user agent): its own versions, and DynamoDB locking not deprecated. */
  readonly openTofu?: boolean;
  /** The bucket's partition (`aws-cn`, `aws-us-gov`…); `aws` when absent. */
  readonly partition?: string;
  /** Keys of the finding's requests on the bucket: the state key, its lock file, a workspace's state. */
  readonly keys: readonly string[];
  /** Of those, the keys the finding's requests only read (HEAD, GET). */
  readonly readOnlyKeys?: ReadonlySet<string>;
  /** Lock files (`<key>.tflock`) the caller wrote with success on the bucket. */
  readonly lockFiles?: ReadonlySet<string>;
  /**
   * State keys (`….tfstate`) the caller read with success on the bucket: without a lock file, the state
   * the backend read is taken as the job's own, and another it was refused only reading as a remote one.
   */
  readonly statesRead?: ReadonlySet<string>;
}

export interface TerraformBackendProfile {
  readonly statements: readonly PolicyStatement[];
  readonly notes: readonly string[];
}

/**
 * s3:ListBucket on the bucket, s3:GetObject and s3:PutObject on the state key, and s3:GetObject,
 * s3:PutObject and s3:DeleteObject on its lock file when the job used one, as the backend documents
 * them; a workspace's key (`env:/<workspace>/<key>`) adds the same under `env:/*`.
 */
export function terraformBackendProfile(input: TerraformBackendInput): TerraformBackendProfile {
  const stateKeys = new Set<string>();
  let locks = false;
  let workspaces = false;
  for (const key of input.keys) {
    const lock = key.endsWith(LOCK_SUFFIX);
    if (lock) locks = true;
    const state = lock ? key.slice(0, -LOCK_SUFFIX.length) : key;
    const workspace = WORKSPACE_KEY.exec(state);
    if (workspace !== null) workspaces = true;
    if (state !== '') stateKeys.add(workspace?.[1] ?? state);
  }
  // The states the job locks are its own; another state it only reads, beside one it locks, is a
  // terraform_remote_state data source's (another configuration's state): read, never written.
  const locked = new Set<string>();
  for (const key of [...input.keys, ...(input.lockFiles ?? [])]) {
    if (!key.endsWith(LOCK_SUFFIX)) continue;
    const state = key.slice(0, -LOCK_SUFFIX.length);
    locked.add(WORKSPACE_KEY.exec(state)?.[1] ?? state);
  }
  // Read-only keys as state keys (a workspace's `env:/<workspace>/<key>` is its key).
  const readOnly = new Set([...(input.readOnlyKeys ?? [])].map((key) => WORKSPACE_KEY.exec(key)?.[1] ?? key));
  // Without a lock file (DynamoDB locking, -lock=false), the state the backend read with success is its
  // own when it read one; of several, one is and the others are remote states, and which is not known.
  const own = new Set(locked);
  const read = new Set<string>();
  if (own.size === 0)
    for (const key of input.statesRead ?? []) {
      const state = WORKSPACE_KEY.exec(key)?.[1] ?? key;
      if (!readOnly.has(state)) read.add(state);
    }
  if (read.size === 1) for (const key of read) own.add(key);
  const remote = new Set<string>();
  if (own.size > 0 || read.size > 1)
    for (const key of stateKeys) if (!own.has(key) && readOnly.has(key)) remote.add(key);
  for (const key of remote) stateKeys.delete(key);
  // The states it locked (or read as its own) are the job's, whether refused or not: the profile holds them too.
  for (const key of own) stateKeys.add(key);
  if (locked.size > 0) locks = true;
  const bucketArn = bucketArnOf(input.bucket, input.partition);
  const arns = (suffix: string): string[] =>
    [...stateKeys].sort().flatMap((key) => {
      const own = `${bucketArn}/${literalArnPart(key)}${suffix}`;
      return workspaces ? [own, `${bucketArn}/env:/*/${literalArnPart(key)}${suffix}`] : [own];
    });
  const statements: PolicyStatement[] = [
    { Sid: 'TerraformStateList', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn] },
  ];
  const notes: string[] = [
    `${input.openTofu === true ? "OpenTofu's" : "Terraform's"} S3 backend lists the bucket (its workspaces, prefix env:/), reads and writes the state object, and, with use_lockfile = true, writes, reads and deletes <key>.tflock. Source: ${input.openTofu === true ? OPENTOFU_SOURCE : SOURCE}`,
  ];
  if (remote.size > 0) {
    // The keys as read (a workspace's state keeps its env:/<workspace>/ prefix).
    const keys = [...(input.readOnlyKeys ?? [])]
      .filter((key) => remote.has(WORKSPACE_KEY.exec(key)?.[1] ?? key))
      .sort();
    // Several states read with success, the backend's key among them: each is read again on the next run.
    const alsoRead =
      read.size > 1 ? [...(input.statesRead ?? [])].filter((key) => !keys.includes(key)).sort() : [];
    statements.push({
      Sid: 'TerraformRemoteState',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [...keys, ...alsoRead].map((key) => `${bucketArn}/${literalArnPart(key)}`),
    });
    notes.push(
      locked.size > 0
        ? `${keys.join(', ')} ${keys.length === 1 ? 'was' : 'were'} only read, while the job locked ${[...locked].sort().join(', ')}: a terraform_remote_state data source reading another configuration's state, which needs s3:GetObject alone (https://developer.hashicorp.com/terraform/language/state/remote-state-data). Write access to it would let this configuration change that one's state.`
        : own.size > 0
          ? `${keys.join(', ')} ${keys.length === 1 ? 'was' : 'were'} only read, while the backend read ${[...own].sort().join(', ')} with success: taken as a terraform_remote_state data source reading another configuration's state, which needs s3:GetObject alone (https://developer.hashicorp.com/terraform/language/state/remote-state-data). If it is this configuration's own state (the backend's key), it needs s3:PutObject too.`
          : `${keys.join(', ')} ${keys.length === 1 ? 'was' : 'were'} only read, while the backend read ${[...read].sort().join(', ')} with success: one of those is this configuration's own state (the backend's key, which needs s3:GetObject and s3:PutObject), and the others, like this one, terraform_remote_state data sources reading other configurations' states, which need s3:GetObject alone (https://developer.hashicorp.com/terraform/language/state/remote-state-data). Which is the backend's key is not known here, so the profile reads them all and writes none: add s3:PutObject on the backend's key.`,
    );
  }
  if (stateKeys.size === 0 && remote.size > 0) return { statements, notes };
  if (stateKeys.size === 0) {
    notes.push(
      `The refused requests name no state key (only the workspace listing): add s3:GetObject and s3:PutObject on ${bucketArn}/<key> (the backend's key), and s3:GetObject, s3:PutObject and s3:DeleteObject on ${bucketArn}/<key>.tflock when use_lockfile is set.`,
    );
    return { statements, notes };
  }
  statements.push({
    Sid: 'TerraformState',
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:PutObject'],
    Resource: arns(''),
  });
  if (locks) {
    statements.push({
      Sid: 'TerraformStateLock',
      Effect: 'Allow',
      Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      Resource: arns(LOCK_SUFFIX),
    });
  } else {
    notes.push(
      `With use_lockfile = true (${input.openTofu === true ? 'OpenTofu' : 'Terraform'} 1.10 and later), the lock file <key>.tflock also needs s3:GetObject, s3:PutObject and s3:DeleteObject; the input shows no request on one.`,
    );
  }
  notes.push(
    workspaces
      ? 'Workspaces other than default keep their state under env:/<workspace>/<key> (workspace_key_prefix): the profile covers every workspace of the same key.'
      : 'Workspaces other than default keep their state under env:/<workspace>/<key>: if the configuration uses them, grant the same on env:/*/<key> (and its .tflock).',
    `A backend that locks with DynamoDB (dynamodb_table${input.openTofu === true ? '' : ', deprecated'}) needs dynamodb:DescribeTable, dynamodb:GetItem, dynamodb:PutItem and dynamodb:DeleteItem on the table instead of the lock file; a state encrypted with kms_key_id needs kms:Encrypt, kms:Decrypt and kms:GenerateDataKey on the key. Neither shows in S3 events.`,
  );
  return { statements, notes };
}
