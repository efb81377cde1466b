/**
 * Turns the bytes of a JSON input into text. JSON exchanged between systems is UTF-8 (RFC 8259 §8.1), and
 * CloudTrail and the AWS CLI write UTF-8, but a redirection in Windows PowerShell 5.1
 * (`aws iam get-account-authorization-details > authz.json`) writes UTF-16LE with a byte order mark, and
 * other tools write it without one. Such a file is read as what it is rather than reported as broken
 * JSON at "line 1, column 2"; an encoding this cannot read gets a message that names it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8259#section-8.1
 * @see https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.core/about/about_character_encoding
 */
import { isUtf8 } from 'node:buffer';

export type TextEncodingName = 'UTF-8' | 'UTF-16LE' | 'UTF-16BE';

export type DecodedText =
  | { readonly ok: true; readonly text: string; readonly encoding: TextEncodingName }
  | { readonly ok: false; readonly reason: string };

/**
 * The encoding the first bytes show: a byte order mark, or (without one) the zero bytes that ASCII
 * characters leave in UTF-16 and UTF-32, as RFC 4627 §3 detected them (a JSON text starts with ASCII).
 *
 * @see https://www.rfc-editor.org/rfc/rfc4627#section-3
 */
function detect(bytes: Uint8Array): { encoding: TextEncodingName | 'UTF-32'; bom: number } {
  const [b0, b1, b2, b3] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { encoding: 'UTF-8', bom: 3 };
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0xfe && b3 === 0xff) return { encoding: 'UTF-32', bom: 4 };
  if (b0 === 0xff && b1 === 0xfe && b2 === 0x00 && b3 === 0x00) return { encoding: 'UTF-32', bom: 4 };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'UTF-16LE', bom: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'UTF-16BE', bom: 2 };
  if (bytes.length >= 4) {
    if (b0 === 0 && b1 === 0 && b2 === 0 && b3 !== 0) return { encoding: 'UTF-32', bom: 0 };
    if (b0 !== 0 && b1 === 0 && b2 === 0 && b3 === 0) return { encoding: 'UTF-32', bom: 0 };
    if (b0 === 0 && b1 !== 0 && b2 === 0 && b3 !== 0) return { encoding: 'UTF-16BE', bom: 0 };
    if (b0 !== 0 && b1 === 0 && b2 !== 0 && b3 === 0) return { encoding: 'UTF-16LE', bom: 0 };
  }
  return { encoding: 'UTF-8', bom: 0 };
}

/** How many characters the text of `bytes` has at most: to refuse an input too long for one string first. */
export function maxTextLength(bytes: Uint8Array): number {
  const { encoding } = detect(bytes);
  return encoding === 'UTF-16LE' || encoding === 'UTF-16BE'
    ? Math.ceil(bytes.byteLength / 2)
    : bytes.byteLength;
}

/**
 * The text of `bytes` without its byte order mark, or why there is none. UTF-8 is checked in one
 * (vectorised) pass before decoding: decoding with TextDecoder's `fatal` option instead costs a second
 * copy of a trail file that may be 100 MB.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  const { encoding, bom } = detect(bytes);
  if (encoding === 'UTF-32') {
    return {
      ok: false,
      reason:
        'is UTF-32 text, which JSON inputs cannot be; convert it to UTF-8 (for example iconv -f UTF-32 -t UTF-8)',
    };
  }
  const body = bytes.subarray(bom);
  if (encoding === 'UTF-8') {
    if (!isUtf8(body)) return { ok: false, reason: 'is not UTF-8 text' };
    return {
      ok: true,
      encoding,
      text: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'),
    };
  }
  try {
    const text = new TextDecoder(encoding === 'UTF-16LE' ? 'utf-16le' : 'utf-16be', {
      fatal: true,
      ignoreBOM: true,
    }).decode(body);
    return { ok: true, encoding, text };
  } catch {
    return {
      ok: false,
      reason: `starts like ${encoding} text${bom === 0 ? ' without a byte order mark' : ''} but is not valid ${encoding}; save it as UTF-8`,
    };
  }
}
