/**
 * The explain use case on local files: read the event inputs, load the context, explain.
 */
import { readTrailInputs } from '../adapters/trailFileSource.js';
import { explainTexts } from '../domain/explain/explainBatch.js';
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

export async function explainFiles(
  inputs: readonly string[],
  options: ExplainContextOptions,
  stdin?: NodeJS.ReadableStream,
): Promise<ExplainFilesResult> {
  const loaded = await loadExplainContext(options);
  if (!loaded.ok) return loaded;
  const read = await readTrailInputs([...inputs], stdin !== undefined ? { stdin } : {});
  const report = explainTexts(read.texts, loaded.context);
  const inputErrors = read.errors.map((e) => ({ input: e.input, code: e.code, message: e.message }));
  return {
    ok: true,
    report: { ...report, errors: [...inputErrors, ...report.errors] },
    warnings: loaded.warnings,
    inputsRead: read.texts.length,
  };
}
