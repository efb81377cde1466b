/**
 * A FUSE mount of a bucket in moto (s3fs, `rclone mount`) for the end-to-end tests: mounted with IAM
 * enforced for as long as it lives, file operations run in it with the shell, then unmounted. The tests
 * run as root, with /dev/fuse (`npm run test:deps` checks both).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { ClientRun, MotoAccount } from './motoAccount.js';

const run = promisify(execFile);

export interface MountedRun {
  /** Whether the file system was mounted when the steps were to run. */
  readonly mounted: boolean;
  /** Exit code of each step (none when nothing was mounted). */
  readonly codes: readonly number[];
  /** The mount's calls for explain (`code` 1 when a step failed), with the steps' output. */
  readonly run: ClientRun;
}

async function isMounted(point: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[1] === point);
}

async function waitFor(condition: () => Promise<boolean>, tries: number): Promise<void> {
  for (let i = 0; i < tries && !(await condition()); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Runs `mount` (a command that mounts at `point` and returns, leaving its daemon behind) with IAM
 * enforced, then each of `steps` (a shell command run inside the mount), then unmounts. Without steps,
 * it waits up to 5 s for the mount to go away, for clients that mount first and leave when their first
 * request is refused (s3fs).
 */
export async function withMount(
  account: MotoAccount,
  point: string,
  mount: { readonly command: string; readonly args: readonly string[]; readonly env?: NodeJS.ProcessEnv },
  steps: readonly string[],
): Promise<MountedRun> {
  await mkdir(point, { recursive: true });
  const from = account.recorder.calls.length;
  const codes: number[] = [];
  let output = '';
  await account.moto.enforceIam(true);
  try {
    await run(mount.command, [...mount.args], mount.env !== undefined ? { env: mount.env } : {});
    await waitFor(() => isMounted(point), 50);
    if (steps.length === 0) await waitFor(async () => !(await isMounted(point)), 50);
    const mounted = await isMounted(point);
    if (mounted) {
      for (const step of steps) {
        try {
          // The shell changes into the mount itself: a child spawned with the mount as its cwd would
          // block this process (libuv waits for the child's exec, the child's chdir waits for the FUSE
          // daemon, and the daemon's request waits for the recorder in this process).
          const done = await run('sh', ['-c', `cd "$0" && ${step}`, point]);
          output += done.stdout + done.stderr;
          codes.push(0);
        } catch (error) {
          const failure = error as { code?: unknown; stdout?: string; stderr?: string };
          output += (failure.stdout ?? '') + (failure.stderr ?? '');
          codes.push(typeof failure.code === 'number' ? failure.code : -1);
        }
      }
    }
    return { mounted, codes, run: { code: codes.some((c) => c !== 0) ? 1 : 0, output, from } };
  } finally {
    if (await isMounted(point)) {
      await run('umount', [point]);
      await waitFor(async () => !(await isMounted(point)), 50);
    }
    await account.moto.enforceIam(false);
  }
}
