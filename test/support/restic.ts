/** Where `npm run test:deps` puts the restic release it builds (install-test-deps.sh, `go install`). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { toolsDirectory } from './rclone.js';

/**
 * The restic `version` release build: `PA_TEST_RESTIC_0_18_1` (say) when set, else the test-tools
 * cache. Throws, naming the command that builds it, when it is missing.
 */
export function resticRelease(version: string): string {
  const configured = process.env[`PA_TEST_RESTIC_${version.replaceAll('.', '_')}`];
  const binary =
    configured !== undefined && configured !== ''
      ? configured
      : join(toolsDirectory(), `restic-v${version}`, 'bin', 'restic');
  if (!existsSync(binary))
    throw new Error(`restic ${version} release build not found at ${binary}: npm run test:deps builds it`);
  return binary;
}
