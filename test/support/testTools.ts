/**
 * The clients `npm run test:deps` installs outside Debian's packages (rclone and restic release builds,
 * Hadoop's S3A jars, PySpark, a duplicity release), each in its own directory under one test-tools
 * directory (install-test-deps.sh's `tools_dir`, with the same default).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `PA_TEST_TOOLS_DIR`, else `$XDG_CACHE_HOME/permission-auditor/test-tools` (`~/.cache` by default). */
export function toolsDirectory(): string {
  const configured = process.env.PA_TEST_TOOLS_DIR;
  if (configured !== undefined && configured !== '') return configured;
  const cache = process.env.XDG_CACHE_HOME;
  return join(
    cache !== undefined && cache !== '' ? cache : join(homedir(), '.cache'),
    'permission-auditor',
    'test-tools',
  );
}

/**
 * The path of an installed client: what the environment variable `override` names when it is set, else
 * `relative` under the test-tools directory. Throws, saying what installs it, when `expected` (a path
 * inside it; itself when empty) is missing.
 */
export function installedTool(what: string, override: string, relative: string, expected = ''): string {
  const configured = process.env[override];
  const path = configured !== undefined && configured !== '' ? configured : join(toolsDirectory(), relative);
  if (!existsSync(join(path, expected)))
    throw new Error(
      `${what} not found at ${join(path, expected)}: npm run test:deps installs it (or set ${override})`,
    );
  return path;
}
