/**
 * The explain use case on local files: load the context, then read the event inputs one at a time and
 * explain them. Each text is let go once analysed, so a directory of trail files far larger than memory
 * is explained with memory for one file plus what the findings keep of each denied event.
 */
import { listTrailInputs, readListedInput, STDIN_NAME } from '../adapters/trailFileSource.js';
import type { InputProblem } from '../domain/cloudtrail/envelopes.js';
import { Explainer } from '../domain/explain/explainBatch.js';
import type { ExplainReport } from '../domain/explain/report.js';
import { type ExplainContextOptions, loadExplainContext } from './loadExplainContext.js';

export type ExplainFilesResult =
  | {
      readonly ok: true;
      readonly report: ExplainReport;
      readonly warnings: readonly string[];
      readonly inputsRead: number;
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * How far explain has got: as each input is about to be read and analysed, then once when every input
 * is read and the findings are being built (for a large directory that takes a while too).
 */
export type ExplainProgress =
  | {
      readonly stage: 'reading';
      /** Which input this is (from 1), of how many (files, with directories listed, and standard input). */
      readonly current: number;
      readonly total: number;
      /** The input about to be read. */
      readonly input: string;
    }
  | { readonly stage: 'findings'; readonly deniedEvents: number };

export interface ExplainFilesIo {
  readonly stdin?: NodeJS.ReadableStream;
  readonly onProgress?: (progress: ExplainProgress) => void;
}

export async function explainFiles(
  inputs: readonly string[],
  options: ExplainContextOptions,
  io: ExplainFilesIo = {},
): Promise<ExplainFilesResult> {
  const loaded = await loadExplainContext(options);
  if (!loaded.ok) return loaded;
  const listed = await listTrailInputs(inputs);
  const readable = listed.filter((input) => input.kind !== 'problem').length;
  const explainer = new Explainer(loaded.context);
  // Problems with the inputs come first in the report, in the order of the inputs.
  const inputErrors: InputProblem[] = [];
  let current = 0;
  let inputsRead = 0;
  for (const input of listed) {
    if (input.kind === 'problem') {
      inputErrors.push(input.problem);
      continue;
    }
    io.onProgress?.({
      stage: 'reading',
      current: ++current,
      total: readable,
      input: input.kind === 'file' ? input.path : STDIN_NAME,
    });
    const read = await readListedInput(input, io.stdin !== undefined ? { stdin: io.stdin } : {});
    if (read.ok) {
      explainer.add(read.text.input, read.text.text);
      inputsRead++;
    } else {
      inputErrors.push(read.problem);
    }
  }
  io.onProgress?.({ stage: 'findings', deniedEvents: explainer.deniedEvents });
  const report = explainer.report();
  const errors = inputErrors.map((e) => ({ input: e.input, code: e.code, message: e.message }));
  return {
    ok: true,
    report: { ...report, errors: [...errors, ...report.errors] },
    warnings: loaded.warnings,
    inputsRead,
  };
}
