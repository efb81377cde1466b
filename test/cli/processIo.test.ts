/**
 * The CLI as a process, piped to a reader that stops early (`| head -c 10`): it ends quietly, as `cat`
 * does, not with Node's unhandled EPIPE and a stack trace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { colorWanted, progressWanted } from '../../src/cli/io.js';
import { internalErrorLine } from '../../src/cli/main.js';
import { temporaryDirectory } from '../temporaryDirectory.js';

const ROOT = join(import.meta.dirname, '../..');
const dir = temporaryDirectory('pa-process-');

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

test('TERM=dumb (no escape sequences understood) turns off colour and the rewriting progress line, unless colour is forced', () => {
  assert.equal(colorWanted(true, { TERM: 'dumb' }), false);
  assert.equal(colorWanted(true, { TERM: 'xterm-256color' }), true);
  assert.equal(colorWanted(true, { TERM: 'dumb', FORCE_COLOR: '1' }), true);
  assert.equal(progressWanted(true, { TERM: 'dumb' }), false);
  assert.equal(progressWanted(true, {}), true);
  assert.equal(progressWanted(false, {}), false);
});

test('an internal error is one line naming its kind and message, whatever was thrown', () => {
  const error = new TypeError(
    "Cannot read properties of undefined (reading 'x')\n    at build (findingBuilder.ts:1:1)",
  );
  assert.equal(
    internalErrorLine(error),
    "permission-auditor: internal error: TypeError: Cannot read properties of undefined (reading 'x') at build (findingBuilder.ts:1:1)\n",
  );
  assert.equal(internalErrorLine('x\u001b[31m'), 'permission-auditor: internal error: x\uFFFD[31m\n');
  assert.equal(internalErrorLine({ code: 7 }), 'permission-auditor: internal error: {"code":7}\n');
  assert.equal(internalErrorLine(10n), 'permission-auditor: internal error: 10\n');
  assert.equal(internalErrorLine(undefined), 'permission-auditor: internal error: undefined\n');
});

test('the bin prints a command that throws as one line and exits 1, not with a stack trace', async () => {
  // The bin as it is, beside a dist/ whose main throws (the real io, and the real line, from src/).
  const root = dir();
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"type": "module"}\n');
  copyFileSync(join(ROOT, 'bin', 'permission-auditor.js'), join(root, 'bin', 'permission-auditor.js'));
  const src = (path: string) => pathToFileURL(join(ROOT, 'src', 'cli', path)).href;
  writeFileSync(join(root, 'dist', 'cli', 'io.js'), `export * from ${JSON.stringify(src('io.ts'))};\n`);
  writeFileSync(
    join(root, 'dist', 'cli', 'main.js'),
    `export { internalErrorLine } from ${JSON.stringify(src('main.ts'))};\n` +
      "export async function main() { throw new RangeError('no such finding\\n  at x'); }\n",
  );
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bin', 'permission-auditor.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(stderr, 'permission-auditor: internal error: RangeError: no such finding at x\n');
  assert.equal(code, 1);
});
