#!/usr/bin/env node
// Runs the compiled CLI (npm run build); from a source checkout, use `node --import tsx src/cli/main.ts`.
import { processIo } from '../dist/cli/io.js';
import { internalErrorLine, main } from '../dist/cli/main.js';

try {
  process.exitCode = await main(process.argv.slice(2), processIo());
} catch (error) {
  // A bug, not a problem with the input: one line and exit code 1, not Node's stack trace.
  process.stderr.write(internalErrorLine(error));
  process.exitCode = 1;
}
