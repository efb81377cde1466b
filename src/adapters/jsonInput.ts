/**
 * Reads a JSON document from a file or from standard input (`-`), with errors as values that name the
 * input and say what is wrong.
 */
import { readFile } from 'node:fs/promises';

export type JsonInputResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly code: string; readonly message: string };

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Describes where a JSON syntax error is, as line and column, from V8's "position N" message. */
export function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(message);
  if (match === null) return message;
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${message.replace(/\s*\(line \d+ column \d+\)/, '')} (line ${line}, column ${column})`;
}

export async function readTextInput(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<{ ok: true; text: string } | { ok: false; code: string; message: string }> {
  try {
    const text = path === '-' ? await readStream(stdin) : await readFile(path, 'utf8');
    return { ok: true, text };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    return {
      ok: false,
      code: 'input.unreadable',
      message: `${path === '-' ? 'standard input' : path}: ${why}`,
    };
  }
}

export async function readJsonInput(path: string, stdin?: NodeJS.ReadableStream): Promise<JsonInputResult> {
  const read = await readTextInput(path, stdin);
  if (!read.ok) return read;
  const name = path === '-' ? 'standard input' : path;
  if (read.text.trim() === '')
    return { ok: false, code: 'input.empty', message: `${name}: the input is empty` };
  try {
    return { ok: true, value: JSON.parse(read.text) };
  } catch (error) {
    return {
      ok: false,
      code: 'input.invalidJson',
      message: `${name}: not valid JSON: ${describeJsonError(read.text, error)}`,
    };
  }
}
