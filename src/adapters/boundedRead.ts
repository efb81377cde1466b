/**
 * Reading a stream (standard input, a pipe) whole, up to a number of bytes: past it, reading stops and
 * the caller says the input is too large, instead of holding it all (a 4.5 GB pipe once ended in a
 * RangeError from Buffer.concat).
 */

/** A stream's bytes, or, past `maxBytes`, how many were read when reading stopped. */
export async function readAtMost(
  stream: NodeJS.ReadableStream,
  maxBytes: number,
): Promise<{ ok: true; bytes: Buffer } | { ok: false; read: number }> {
  const chunks: Buffer[] = [];
  let read = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    read += bytes.byteLength;
    // Leaving the loop ends the stream (for await calls its iterator's return).
    if (read > maxBytes) return { ok: false, read };
    chunks.push(bytes);
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}
