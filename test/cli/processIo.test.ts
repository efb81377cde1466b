/**
 * The CLI as a process, piped to a reader that stops early (`| head -c 10`): it ends quietly, as `cat`
 * does, not with Node's unhandled EPIPE and a stack trace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { colorWanted } from '../../src/cli/io.js';

const ROOT = join(import.meta.dirname, '../..');

test('a reader that closes the pipe early gets no stack trace on standard error', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'explain', 'events/', '--format', 'json'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // Read the first chunk, then close the pipe, as `head -c 10` does.
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.doesNotMatch(stderr, /EPIPE|Unhandled|at .*\(node:/, stderr);
  assert.equal(code, 0, stderr);
});

test('colour follows the terminal, unless NO_COLOR turns it off or FORCE_COLOR on', () => {
  assert.equal(colorWanted(true, {}), true);
  assert.equal(colorWanted(false, {}), false);
  assert.equal(colorWanted(true, { NO_COLOR: '1' }), false);
  assert.equal(colorWanted(true, { NO_COLOR: '' }), true);
  assert.equal(colorWanted(false, { FORCE_COLOR: '1' }), true);
  assert.equal(colorWanted(false, { FORCE_COLOR: '0' }), false);
  assert.equal(colorWanted(true, { NO_COLOR: '1', FORCE_COLOR: '1' }), false);
});
