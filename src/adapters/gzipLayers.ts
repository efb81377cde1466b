/**
 * Decompresses gzip input, a layer at a time: a `.json.gz` gzipped again (by hand, or by an upload that
 * compresses) is read through both. The output is capped, so a few hundred bytes that nest gzip around a
 * gigabyte of spaces are reported as too large, not held in memory.
 *
 * @see https://www.rfc-editor.org/rfc/rfc1952
 */
import { promisify } from 'node:util';
import { crc32, gunzip, inflateRawSync } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** gzip layers read at most. */
export const MAX_GZIP_LAYERS = 3;

/**
 * gzip members start with ID1 = 0x1f, ID2 = 0x8b; detection by content rather than name copes with
 * `.json.gz` files that a browser or tool already decompressed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc1952#section-2.3.1
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const MIN_CHUNK = 1 << 20;
const MAX_CHUNK = 256 << 20;

/**
 * The output chunk for decompressing `gzip`: its whole expected size (the gzip trailer's ISIZE, the
 * uncompressed length modulo 2^32 of its last member), between 1 MiB and 256 MiB. zlib's default 16 KiB
 * chunk makes a 20 MB trail file take about 0.9 s instead of 0.35 s (a round trip to the main thread
 * per chunk), and one chunk for the whole output lets the decompression run on the thread pool without
 * the main thread, while the previous file is analysed. A wrong ISIZE only changes the chunk count.
 *
 * @see https://www.rfc-editor.org/rfc/rfc1952#section-2.3.1
 */
function outputChunkSize(gzip: Uint8Array, max: number): number {
  const n = gzip.length;
  const isize =
    n < 4 ? 0 : (gzip[n - 4]! | (gzip[n - 3]! << 8) | (gzip[n - 2]! << 16) | (gzip[n - 1]! << 24)) >>> 0;
  return Math.min(MAX_CHUNK, max + 1, Math.max(MIN_CHUNK, isize + 1));
}

export type Gunzipped =
  | {
      readonly ok: true;
      readonly bytes: Uint8Array;
      readonly layers: number;
      /** Bytes after the last gzip member that do not start like gzip (zero padding too), ignored as gzip -d ignores them; 0 for none. */
      readonly trailingBytes: number;
    }
  | {
      readonly ok: false;
      readonly problem: 'too-large';
      /** The bytes it had reached (at least), for the message. */
      readonly bytes: number;
      readonly layers: number;
    }
  | { readonly ok: false; readonly problem: 'bad' | 'too-deep'; readonly message: string };

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/**
 * `bytes` with every gzip layer removed (none when it is not gzip), each layer's output at most
 * `maxOutput` bytes.
 */
export async function gunzipLayers(bytes: Uint8Array, maxOutput: number): Promise<Gunzipped> {
  let content = bytes;
  let layers = 0;
  let trailingBytes = 0;
  while (isGzip(content)) {
    if (layers === MAX_GZIP_LAYERS) {
      return {
        ok: false,
        problem: 'too-deep',
        message: `is still gzip after ${MAX_GZIP_LAYERS} decompressions; a trail file is compressed once`,
      };
    }
    try {
      // zlib stops, with no error, at a zero byte after a member (padding, as tape and block devices
      // leave), and drops everything from there: counted here like any other bytes it did not read.
      const { buffer, engine } = (await gunzipAsync(content, {
        chunkSize: outputChunkSize(content, maxOutput),
        maxOutputLength: maxOutput,
        info: true,
      })) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      trailingBytes += Math.max(0, content.length - engine.bytesWritten);
      content = buffer;
      layers++;
    } catch (error) {
      // Node reports output beyond maxOutputLength as ERR_BUFFER_TOO_LARGE, memory it cannot get as a RangeError.
      if (errorCode(error) === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        return { ok: false, problem: 'too-large', bytes: maxOutput, layers: layers + 1 };
      }
      // Bytes after the last member that are not another member: its members, read one by one, are whole.
      const members = errorCode(error) === 'Z_DATA_ERROR' ? wholeMembers(content, maxOutput) : undefined;
      if (members === 'too-large')
        return { ok: false, problem: 'too-large', bytes: maxOutput, layers: layers + 1 };
      if (members !== undefined) {
        content = members.bytes;
        trailingBytes += members.trailingBytes;
        layers++;
        continue;
      }
      const after = layers > 0 ? ` (after ${layers} decompression${layers > 1 ? 's' : ''})` : '';
      const message = error instanceof Error ? error.message : String(error);
      const code = errorCode(error);
      return {
        ok: false,
        problem: 'bad',
        message: `starts like gzip but cannot be decompressed${after}: ${code !== undefined && !message.includes(code) ? `${code}: ` : ''}${message}`,
      };
    }
  }
  return { ok: true, bytes: content, layers, trailingBytes };
}

/** The header flags of a gzip member that add fields after its 10 fixed bytes. */
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;

/** Reserved header flags, which a reader must refuse. */
const RESERVED_FLAGS = 0xe0;

/**
 * Where a gzip member's compressed data starts, past its header; `undefined` when the header is cut
 * short, sets a reserved flag, or fails its own checksum (FHCRC), as gzip -d refuses those.
 */
function dataStart(bytes: Uint8Array, at: number): number | undefined {
  const flags = bytes[at + 3] ?? 0;
  if (flags & RESERVED_FLAGS) return undefined;
  let p = at + 10;
  if (flags & FEXTRA) p += 2 + ((bytes[p] ?? 0) | ((bytes[p + 1] ?? 0) << 8));
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    while (p < bytes.length && bytes[p] !== 0) p++;
    p++;
  }
  if (flags & FHCRC) {
    if (p + 2 > bytes.length) return undefined;
    const stored = (bytes[p] ?? 0) | ((bytes[p + 1] ?? 0) << 8);
    if ((crc32(bytes.subarray(at, p)) & 0xffff) !== stored) return undefined;
    p += 2;
  }
  return p <= bytes.length ? p : undefined;
}

/**
 * The gzip members at the start of `bytes`, read one by one (each checked against its CRC-32 and
 * length), and how many bytes follow them that do not start like gzip: gzip -d reads such a file and
 * warns "trailing garbage ignored", where zlib refuses it whole. As with gzip -d, a member that starts
 * like gzip and cannot be read fails the whole read: `undefined` then, and also when nothing follows
 * the members (zlib refused the file for a reason of its own, such as a header checksum);
 * `'too-large'` when the output would be over `maxOutput`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc1952#section-2.3
 */
function wholeMembers(
  bytes: Uint8Array,
  maxOutput: number,
): { bytes: Uint8Array; trailingBytes: number } | 'too-large' | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  let at = 0;
  while (at < bytes.length && isGzip(bytes.subarray(at, at + 2))) {
    const start = bytes[at + 2] === 8 ? dataStart(bytes, at) : undefined;
    if (start === undefined) return undefined;
    let out: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      out = inflateRawSync(bytes.subarray(start), {
        info: true,
        maxOutputLength: Math.max(1, maxOutput - total),
      }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    } catch (error) {
      return errorCode(error) === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError
        ? 'too-large'
        : undefined;
    }
    const trailer = start + out.engine.bytesWritten;
    if (trailer + 8 > bytes.length) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset + trailer, 8);
    if (view.getUint32(0, true) !== crc32(out.buffer) || view.getUint32(4, true) !== out.buffer.length >>> 0)
      return undefined;
    total += out.buffer.length;
    if (total > maxOutput) return 'too-large';
    parts.push(out.buffer);
    at = trailer + 8;
  }
  if (parts.length === 0 || at === bytes.length) return undefined;
  return { bytes: Buffer.concat(parts), trailingBytes: bytes.length - at };
}
