/**
 * The explain use case on local files: load the context, then read the event inputs one at a time and
 * explain them. Each text is let go once analysed, so a directory of trail files far larger than memory
 * is explained with memory for one file plus what the findings keep of each denied event.
 */

import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import {
  type ListedInput,
  listTrailInputs,
  readListedInput,
  STDIN_NAME,
  TRAIL_FILE_SUFFIXES,
  trailInputWarningCodes,
} from '../adapters/trailFileSource.js';
import type { InputProblem } from '../domain/cloudtrail/envelopes.js';
import { Explainer } from '../domain/explain/explainBatch.js';
import type { ExplainReport, ExplainWarning } from '../domain/explain/report.js';
import { parseBucketPolicyArg } from '../domain/snapshot/bucketPolicy.js';
import { type ExplainContextOptions, loadExplainContext } from './loadExplainContext.js';

export type ExplainFilesResult =
  | {
      readonly ok: true;
      /** Its `warnings` hold the context's, one per directory for the files in {@link ignoredFiles}, and the inputs'. */
      readonly report: ExplainReport;
      /**
       * Inputs read as CloudTrail input (files, with directories listed, and standard input): not those
       * that could not be opened or decoded, nor those whose content held no record, only problems.
       */
      readonly inputsRead: number;
      /** Inputs named (files found in the directories given, standard input), read or not. */
      readonly inputsNamed: number;
      /** How many of the inputs given on the command line are directories (their files are counted above). */
      readonly directoriesGiven: number;
      /** The inputs given on the command line, directories as one each. */
      readonly inputsGiven: number;
      /**
       * Files in the directories given that were not read: their names do not end as a trail file's
       * (`.json`, `.jsonl`, `.json.gz`, `.gz`).
       */
      readonly ignoredFiles: readonly string[];
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * How far explain has got: as each input is about to be read and analysed, then when every input is read
 * and the findings are being built (for a large directory that takes a while too): once before the first,
 * then as groups of events become findings (`built` of `groups`, at most every 1,000 groups).
 */
export type ExplainProgress =
  | {
      readonly stage: 'reading';
      /** Which input this is (from 1), of how many (files, with directories listed, and standard input). */
      readonly current: number;
      readonly total: number;
      /** The input about to be read. */
      readonly input: string;
      /**
       * Records of this input analysed so far, about every {@link RECORDS_PER_PROGRESS}: one large file
       * takes seconds to minutes, and the line should show it moving. Absent before its analysis starts.
       */
      readonly records?: number;
    }
  | {
      readonly stage: 'findings';
      readonly deniedEvents: number;
      /** How many of the groups of events (one finding each) are built, when any is. */
      readonly built?: number;
      readonly groups?: number;
    };

/** Records analysed between two progress reports within one input (a multiple of RECORDS_PER_STEP). */
const RECORDS_PER_PROGRESS = 10_240;

/** Findings built between two progress reports: a report per finding would cost more than it says. */
const FINDINGS_PER_PROGRESS = 1000;

export interface ExplainFilesIo {
  readonly stdin?: NodeJS.ReadableStream;
  readonly onProgress?: (progress: ExplainProgress) => void;
}

/**
 * Records analysed between two chances for the next file's reading to go on (a few milliseconds of
 * work). Reading a 20 MB gzipped trail file takes some 50 steps on the main thread (file chunks, then
 * the decompression's end): with pauses every 2,048 records they were not done before the file before
 * it was analysed, and explain waited 0.3 to 0.45 s per file; every 256 records, it does not wait.
 */
const RECORDS_PER_STEP = 256;

export async function explainFiles(
  inputs: readonly string[],
  options: ExplainContextOptions,
  io: ExplainFilesIo = {},
): Promise<ExplainFilesResult> {
  const loaded = await loadExplainContext(options);
  if (!loaded.ok) return loaded;
  const ignoredFiles: string[] = [];
  // A directory's file that an option names (the snapshot kept beside the events) is not an event file.
  // Paths are compared with links resolved: a directory reached through a symbolic link holds the same files.
  const optionOf = await optionFiles(options);
  const named = new Set(await Promise.all(inputs.map(canonicalPath)));
  const givenAsOption: ExplainWarning[] = [];
  const listed: ListedInput[] = [];
  for (const input of await listTrailInputs(inputs, (path) => ignoredFiles.push(path))) {
    if (input.kind === 'file' && optionOf.size > 0) {
      const full = await canonicalPath(input.path);
      const option = named.has(full) ? undefined : optionOf.get(full);
      if (option !== undefined) {
        givenAsOption.push({
          input: input.path,
          code: trailInputWarningCodes.givenAsOption,
          message: `${input.path}: not read as events: it is the file given as ${option}.`,
        });
        continue;
      }
    }
    listed.push(input);
  }
  const readable = listed.filter((input) => input.kind !== 'problem');
  const readOptions = io.stdin !== undefined ? { stdin: io.stdin } : {};
  const explainer = new Explainer(loaded.context);
  // Problems with the inputs come first in the report, in the order of the inputs.
  const inputErrors: InputProblem[] = [];
  // What reading the inputs passed over (bytes after a file's gzip data), said as warnings.
  const inputWarnings: ExplainWarning[] = [];
  let inputsRead = 0;
  let current = 0;
  // The next input is read (its gzip decompressed on the thread pool) while one is analysed: the
  // analysis pauses every RECORDS_PER_STEP records to let that reading go on.
  let next = 0;
  let reading = next < readable.length ? readListedInput(readable[next++]!, readOptions) : undefined;
  for (const input of listed) {
    if (input.kind === 'problem') {
      inputErrors.push(input.problem);
      continue;
    }
    io.onProgress?.({
      stage: 'reading',
      current: ++current,
      total: readable.length,
      input: input.kind === 'file' ? input.path : STDIN_NAME,
    });
    const read = await reading!;
    reading = next < readable.length ? readListedInput(readable[next++]!, readOptions) : undefined;
    if (read.ok) {
      if (read.text.warning !== undefined)
        inputWarnings.push({ input: read.text.input, ...read.text.warning });
      inputErrors.push(...(read.text.problems ?? []));
      const rejectedBefore = explainer.rejectedTexts;
      let steps = 0;
      for (const _ of explainer.steps(read.text.input, read.text.text, RECORDS_PER_STEP)) {
        steps++;
        if ((steps * RECORDS_PER_STEP) % RECORDS_PER_PROGRESS === 0)
          io.onProgress?.({
            stage: 'reading',
            current,
            total: readable.length,
            input: input.kind === 'file' ? input.path : STDIN_NAME,
            records: steps * RECORDS_PER_STEP,
          });
        await otherWork();
      }
      // A file whose content is not CloudTrail input at all (invalid JSON, an unknown envelope) was not
      // read either: its problems are in the report's errors.
      if (explainer.rejectedTexts === rejectedBefore) inputsRead++;
    } else {
      inputErrors.push(read.problem);
    }
  }
  const { onProgress } = io;
  const deniedEvents = explainer.deniedEvents;
  onProgress?.({ stage: 'findings', deniedEvents });
  const report = explainer.report(
    onProgress === undefined
      ? undefined
      : (built, groups) => {
          if (built % FINDINGS_PER_PROGRESS === 0 || built === groups)
            onProgress({ stage: 'findings', deniedEvents, built, groups });
        },
  );
  const errors = inputErrors.map((e) => ({ input: e.input, code: e.code, message: e.message }));
  const warnings = [
    ...loaded.warnings,
    ...notReadWarnings(ignoredFiles),
    ...givenAsOption,
    ...inputWarnings,
    ...(report.warnings ?? []),
  ];
  return {
    ok: true,
    report: {
      ...report,
      errors: [...errors, ...report.errors],
      ...(warnings.length > 0 ? { warnings } : {}),
    },
    inputsRead,
    inputsNamed: listed.length,
    directoriesGiven: (await Promise.all(inputs.map(isDirectory))).filter(Boolean).length,
    inputsGiven: inputs.length,
    ignoredFiles,
  };
}

/** Whether `input` is a directory (through links); standard input and a path that cannot be read are not. */
async function isDirectory(input: string): Promise<boolean> {
  if (input === '-') return false;
  try {
    return (await stat(input)).isDirectory();
  } catch {
    return false;
  }
}

/** The code of the warning for the files of a directory given that were not read, for their names. */
export const NOT_TRAIL_FILE_NAME = trailInputWarningCodes.notTrailFileName;

/** Names of files not read shown in a warning, the others counted. */
const NOT_READ_SHOWN = 3;

/** One warning per directory for the files in it that were not read for their names. */
/** A path with its symbolic links resolved (as given, made absolute, when it cannot be). */
async function canonicalPath(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

/** The files the options name (snapshot, bucket policies, SCPs, RCPs), by canonical path, with their option. */
async function optionFiles(options: ExplainContextOptions): Promise<Map<string, string>> {
  const given: [string, string][] = [];
  if (options.accountSnapshot !== undefined) given.push([options.accountSnapshot, '--account-snapshot']);
  for (const arg of options.bucketPolicies ?? []) {
    const parsed = parseBucketPolicyArg(arg);
    if (parsed.ok) given.push([parsed.file, '--bucket-policy']);
  }
  for (const path of options.scps ?? []) given.push([path, '--scp']);
  for (const path of options.rcps ?? []) given.push([path, '--rcp']);
  const files = new Map<string, string>();
  for (const [path, option] of given) if (path !== '-') files.set(await canonicalPath(path), option);
  return files;
}

function notReadWarnings(paths: readonly string[]): ExplainWarning[] {
  const byDirectory = new Map<string, string[]>();
  for (const path of paths) {
    const names = byDirectory.get(dirname(path));
    if (names === undefined) byDirectory.set(dirname(path), [basename(path)]);
    else names.push(basename(path));
  }
  return [...byDirectory].map(([directory, names]) => {
    const shown = names.slice(0, NOT_READ_SHOWN).join(', ');
    const more = names.length > NOT_READ_SHOWN ? ` and ${names.length - NOT_READ_SHOWN} more` : '';
    return {
      input: directory,
      code: NOT_TRAIL_FILE_NAME,
      message: `${directory}: ${names.length === 1 ? '1 file was' : `${names.length} files were`} not read, as ${names.length === 1 ? 'its name does' : 'their names do'} not end in ${TRAIL_FILE_SUFFIXES.slice(0, -1).join(', ')} or ${TRAIL_FILE_SUFFIXES.at(-1)}: ${shown}${more}; name a file as an input to read it whatever its name.`,
    };
  });
}

/** Lets callbacks that are due (file reads, decompression) run before the analysis goes on. */
function otherWork(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
