/**
 * An AWS account in moto for end-to-end tests with real S3 clients: moto in server mode, a recording
 * proxy for S3 (the CloudTrail stand-in), the AWS SDK v3 IAM and S3 clients to set the account up, IAM
 * users with access keys, a client run with IAM enforced, the account snapshot, and `explain` on the
 * CloudTrail events of a run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { promisify } from 'node:util';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetAccountAuthorizationDetailsCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { ExplainReport, Finding, PolicyStatement } from '../../src/domain/explain/report.js';
import { DEFAULT_KEY_NOTE, s3Operations } from '../../src/domain/s3/s3Operations.js';
import { runCli } from '../cli/cliHarness.js';
import { temporaryDirectory } from '../temporaryDirectory.js';
import { type MotoServer, startMotoServer } from './motoServer.js';
import {
  type AssumedRoleIdentity,
  type CallerIdentity,
  cloudTrailFile,
  type IamUserIdentity,
  type MessageForm,
  type S3CallRecorder,
  startS3CallRecorder,
} from './s3CallRecorder.js';

const run = promisify(execFile);

export const REGION = 'us-east-1';
/** Credentials for setting up while moto does not enforce IAM (any key is accepted then). */
const SETUP_CREDENTIALS = { accessKeyId: 'AKIASETUPSETUPSETUP0', secretAccessKey: 'setup' };

export interface MotoUser extends IamUserIdentity {
  readonly secretAccessKey: string;
  /** The customer-managed policy the user was created with. */
  readonly policyArn: string;
}

/** A role session (AssumeRole credentials) of a role created with one customer-managed policy. */
export interface MotoRoleSession extends AssumedRoleIdentity {
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly policyArn: string;
}

export interface ClientRun {
  readonly code: number;
  /** Standard output and error. */
  readonly output: string;
  /** Index of the run's first call in `recorder.calls`. */
  readonly from: number;
}

/** The environment of this process without AWS_* and RCLONE_* variables (a CA bundle, a profile). */
export function cleanEnvironment(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AWS_|RCLONE_)/.test(name)));
}

/**
 * The environment of an AWS SDK client (aws-cli, boto3) run as `user`: its keys, the test region, one
 * try per call, and no config or credentials file of the machine (`directory` holds none).
 */
export function awsSdkEnvironment(user: MotoUser, directory: string): Record<string, string | undefined> {
  return {
    ...cleanEnvironment(),
    AWS_ACCESS_KEY_ID: user.accessKeyId,
    AWS_SECRET_ACCESS_KEY: user.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: join(directory, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(directory, 'no-aws-credentials'),
    AWS_MAX_ATTEMPTS: '1',
  };
}

/**
 * s3:ListBucket on `bucket` and s3:GetObject under `directory/`; `writeActions` (s3:PutObject by default)
 * under each of `writable`: a reader that may write elsewhere (a move's destination, a backup).
 */
export function readOnlyPolicy(
  bucket: string,
  directory: string,
  writable: readonly string[] = [],
  writeActions: readonly string[] = ['s3:PutObject'],
) {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/${directory}/*` },
      ...writable.map((d) => ({
        Effect: 'Allow',
        Action: [...writeActions],
        Resource: `arn:aws:s3:::${bucket}/${d}/*`,
      })),
    ],
  };
}

export class MotoAccount {
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly sts: STSClient;

  private constructor(
    readonly moto: MotoServer,
    readonly recorder: S3CallRecorder,
    /** Directory for the trail and snapshot files explain reads. */
    private readonly directory: string,
  ) {
    const clientConfig = { endpoint: moto.endpoint, region: REGION, credentials: SETUP_CREDENTIALS };
    this.iam = new IAMClient(clientConfig);
    this.s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    this.sts = new STSClient(clientConfig);
  }

  /** Starts moto and the recorder, and creates `buckets`. */
  static async start(directory: string, buckets: readonly string[]): Promise<MotoAccount> {
    // An empty path (a temporary directory read before its hook ran) would put the files in the cwd.
    if (directory === '') throw new Error('MotoAccount needs a directory for its trail and snapshot files');
    const moto = await startMotoServer();
    let account: MotoAccount | undefined;
    try {
      account = new MotoAccount(moto, await startS3CallRecorder(moto.endpoint), directory);
      for (const bucket of buckets) await account.s3.send(new CreateBucketCommand({ Bucket: bucket }));
      return account;
    } catch (error) {
      // Nothing may keep the test process alive: the recorder's server and the clients' sockets too.
      await (account !== undefined ? account.stop() : moto.stop());
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.iam.destroy();
    this.s3.destroy();
    this.sts.destroy();
    await this.recorder.close();
    await this.moto.stop();
  }

  /** A customer-managed policy; returns its ARN. */
  async createPolicy(name: string, document: unknown): Promise<string> {
    const policy = (
      await this.iam.send(
        new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(document) }),
      )
    ).Policy;
    assert.ok(policy?.Arn);
    return policy.Arn;
  }

  /** A user with one customer-managed policy, and an access key. */
  async createUser(name: string, policyName: string, document: unknown): Promise<MotoUser> {
    const user = (await this.iam.send(new CreateUserCommand({ UserName: name }))).User;
    const policyArn = await this.createPolicy(policyName, document);
    assert.ok(user?.UserId && user.Arn);
    await this.iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: policyArn }));
    const key = (await this.iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
    assert.ok(key?.AccessKeyId && key.SecretAccessKey);
    return {
      accountId: user.Arn.split(':')[4] ?? '',
      userName: name,
      userId: user.UserId,
      accessKeyId: key.AccessKeyId,
      secretAccessKey: key.SecretAccessKey,
      policyArn,
    };
  }

  /**
   * A role at `path` that the account may assume, with one customer-managed policy, and a session of it
   * (temporary credentials from AssumeRole).
   */
  async createRoleSession(
    name: string,
    path: string,
    policyName: string,
    document: unknown,
    sessionName: string,
  ): Promise<MotoRoleSession> {
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
    };
    const role = (
      await this.iam.send(
        new CreateRoleCommand({
          RoleName: name,
          Path: path,
          AssumeRolePolicyDocument: JSON.stringify(trust),
        }),
      )
    ).Role;
    const policyArn = await this.createPolicy(policyName, document);
    assert.ok(role?.Arn && role.RoleId);
    await this.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policyArn }));
    const credentials = (
      await this.sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: sessionName }))
    ).Credentials;
    assert.ok(credentials?.AccessKeyId && credentials.SecretAccessKey && credentials.SessionToken);
    return {
      type: 'AssumedRole',
      accountId: role.Arn.split(':')[4] ?? '',
      roleArn: role.Arn,
      roleId: role.RoleId,
      sessionName,
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      policyArn,
    };
  }

  /** Makes `document` the default version of the caller's managed policy (as applying a fix does). */
  async setPolicyVersion(user: { readonly policyArn: string }, document: unknown): Promise<void> {
    await this.iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: user.policyArn,
        PolicyDocument: JSON.stringify(document),
        SetAsDefault: true,
      }),
    );
  }

  /**
   * Leaves `user` with `statements` only: an inline policy holds them, and the managed policy the user
   * was created with keeps one unrelated grant.
   */
  async grantOnly(user: MotoUser, statements: readonly PolicyStatement[]): Promise<void> {
    await this.iam.send(
      new PutUserPolicyCommand({
        UserName: user.userName,
        PolicyName: 'JobProfile',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
    await this.setPolicyVersion(user, {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: 'arn:aws:s3:::unused-bucket' },
      ],
    });
  }

  /** Runs a client program with moto enforcing IAM; a non-zero exit is a result, not an error. */
  async runClient(
    command: string,
    args: readonly string[],
    options: { readonly cwd: string; readonly env: Record<string, string | undefined> },
  ): Promise<ClientRun> {
    const from = this.recorder.calls.length;
    await this.moto.enforceIam(true);
    try {
      const done = await run(command, [...args], options);
      return { code: 0, output: `${done.stdout}${done.stderr}`, from };
    } catch (error) {
      const failure = error as { code?: unknown; stderr?: string; stdout?: string };
      if (failure.code === 'ENOENT')
        throw new Error(`${command} cannot be run (not installed?): npm run test:deps installs it`);
      if (typeof failure.code !== 'number') throw error;
      return { code: failure.code, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}`, from };
    } finally {
      await this.moto.enforceIam(false);
    }
  }

  /** `aws iam get-account-authorization-details` from moto, all pages, as the API returns it. */
  async accountSnapshot(): Promise<string> {
    const pages: Omit<GetAccountAuthorizationDetailsCommandOutput, '$metadata'>[] = [];
    let marker: string | undefined;
    do {
      const { $metadata: _, ...page } = await this.iam.send(
        new GetAccountAuthorizationDetailsCommand(marker !== undefined ? { Marker: marker } : {}),
      );
      pages.push(page);
      marker = page.IsTruncated === true ? page.Marker : undefined;
    } while (marker !== undefined);
    const path = join(this.directory, `authz-${Date.now()}.json`);
    await writeFile(
      path,
      JSON.stringify({
        UserDetailList: pages.flatMap((p) => p.UserDetailList ?? []),
        GroupDetailList: pages.flatMap((p) => p.GroupDetailList ?? []),
        RoleDetailList: pages.flatMap((p) => p.RoleDetailList ?? []),
        Policies: pages.flatMap((p) => p.Policies ?? []),
      }),
    );
    return path;
  }

  /**
   * `permission-auditor explain --format json` on the CloudTrail events of `user`'s calls in `run`, with
   * moto's legacy `Access Denied` messages (the report returned). The same events with the enhanced
   * messages AWS writes (see `MessageForm`) are explained too, and must give the same findings: events,
   * fixes, job profiles, alternatives, and the caveats on what the requests ask of KMS.
   */
  async explainRun(user: CallerIdentity, run: ClientRun, name: string): Promise<ExplainReport> {
    const snapshot = await this.accountSnapshot();
    const explain = async (messages: MessageForm): Promise<ExplainReport> => {
      const trail = join(this.directory, `${name}-${messages}.json`);
      await writeFile(trail, cloudTrailFile(this.recorder.calls.slice(run.from), user, messages));
      const cli = await runCli(['explain', trail, '--account-snapshot', snapshot, '--format', 'json']);
      assert.equal(cli.code, 0, cli.stderr);
      const report = JSON.parse(cli.stdout) as ExplainReport;
      assert.deepEqual(report.errors, []);
      return report;
    };
    const report = await explain('legacy');
    const enhanced = await explain('enhanced');
    assert.deepEqual(
      enhanced.findings.map(essentials),
      report.findings.map(essentials),
      `${name}: the enhanced messages give other findings than the legacy ones`,
    );
    return report;
  }

  /** Writes `keys` to `bucket` as the account's administrator (each body: `body`, or the key and a newline). */
  async putObjects(bucket: string, keys: readonly string[], body?: string): Promise<void> {
    for (const key of keys)
      await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body ?? `${key}\n` }));
  }

  /** The calls of `run` (and any after it) that moto refused, as `METHOD path`, 64-digit IDs elided. */
  refusedCalls(run: ClientRun): string[] {
    return this.recorder.calls
      .slice(run.from)
      .filter((c) => c.status === 403)
      .map((c) => `${c.method} ${c.url.replace(/[0-9a-f]{64}/g, '<id>')}`);
  }

  async objectKeys(bucket: string, prefix: string): Promise<string[]> {
    const listed = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
  }
}

/**
 * The MotoAccount of one `describe` block: started with `buckets` in a fresh temporary directory
 * (`prefix`) before its tests, then `setup` runs; stopped after them. Read both through the returned
 * object: they exist only once the tests run.
 */
export function motoSuite(
  prefix: string,
  buckets: readonly string[],
  setup?: (account: MotoAccount, directory: string) => Promise<void>,
): { readonly account: MotoAccount; readonly dir: () => string } {
  const dir = temporaryDirectory(prefix);
  let account: MotoAccount | undefined;
  before(async () => {
    account = await MotoAccount.start(dir(), buckets);
    await setup?.(account, dir());
  });
  after(async () => {
    await account?.stop();
  });
  return {
    get account(): MotoAccount {
      if (account === undefined) throw new Error(`the moto account of ${prefix} exists once its tests run`);
      return account;
    },
    dir,
  };
}

/** `data/a.txt` and `data/sub/b.txt` under `directory`: what the tests' jobs copy. */
export async function writeSampleData(directory: string): Promise<void> {
  await mkdir(join(directory, 'data', 'sub'), { recursive: true });
  await writeFile(join(directory, 'data', 'a.txt'), 'first file\n');
  await writeFile(join(directory, 'data', 'sub', 'b.txt'), 'second file\n');
}

/**
 * The caveats on what the request asks of KMS: the catalogue's (the bucket's default key, the keys a
 * record does not show) and those its SSE headers give (a key named by alias, or none). An S3 action
 * AWS's message names answers none of them, so both message forms give them.
 */
const KMS_NOTES: ReadonlySet<string> = new Set([
  DEFAULT_KEY_NOTE,
  ...Object.values(s3Operations).flatMap((o) =>
    'kmsHidden' in o && o.kmsHidden !== undefined ? [o.kmsHidden] : [],
  ),
]);
const isKmsNote = (caveat: string) =>
  KMS_NOTES.has(caveat) ||
  /^The request (names the KMS alias|asks for SSE-KMS without naming a key|names the KMS key by its ID alone)|^The KMS key id /.test(
    caveat,
  );

/** What a finding must keep whichever form the messages take (requests and wording may differ). */
function essentials(finding: Finding) {
  return {
    eventIds: finding.eventIds,
    fix: finding.fix?.statements ?? null,
    jobProfile:
      finding.jobProfile === null ? null : [finding.jobProfile.operation, finding.jobProfile.statements],
    alternatives: finding.alternatives.map((a) => a.removes),
    kmsCaveats: [...new Set(finding.caveats.filter(isKmsNote))].sort(),
  };
}

export function onlyFinding(report: ExplainReport): Finding {
  assert.equal(report.findings.length, 1, JSON.stringify(report.findings.map((f) => f.summary)));
  return report.findings[0]!;
}
