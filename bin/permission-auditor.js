#!/usr/bin/env node
import { processIo } from '../dist/cli/io.js';
// Runs the compiled CLI (npm run build); from a source checkout, use `node --import tsx src/cli/main.ts`.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2), processIo());
