import * as fs from 'fs';
import { MinidlError } from '../errors';
import { describeFsError, describeKind } from './file-words';

/**
 * Reads a model file's text, refusing with a message that says what the file is when it cannot
 * be a model file:
 *
 * - not a regular file: a folder, a device (/dev/zero would be read forever), a named pipe
 *   (reading one blocks until some other program writes) or a socket — refused before opening;
 * - empty;
 * - starting with a byte-order mark. minidl never writes one, and JSON texts must not begin
 *   with one (RFC 8259 §8.1); a mark means another program re-saved the file. Python's
 *   `json.loads` refuses it too ("Unexpected UTF-8 BOM"). The message says how to fix it,
 *   rather than JSON.parse's "Unexpected token".
 * - a ZIP archive (such as a PyTorch `.pt` file) or gzip-compressed data;
 * - not UTF-8 text (decoding would silently replace the bad bytes with U+FFFD).
 *
 * Every message starts with `who` and names `file`. Reading changes nothing.
 */
export function readFileText(who: string, file: string): string {
  const cannot = (why: string, cause?: unknown): never => {
    throw new MinidlError(`${who}: cannot read ${file}: ${why}`, cause === undefined ? undefined : { cause });
  };
  let stats: fs.Stats;
  try {
    stats = fs.statSync(file);
  } catch (err) {
    return cannot(describeFsError(err), err);
  }
  if (!stats.isFile()) cannot(`it is ${describeKind(stats)}, not a model file`);
  let bytes: Buffer;
  let fd: number;
  try {
    // O_NONBLOCK: should the path have become a named pipe since the check, opening it does not wait for a writer.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    return cannot(describeFsError(err), err);
  }
  try {
    const opened = fs.fstatSync(fd);
    if (!opened.isFile()) cannot(`it is ${describeKind(opened)}, not a model file`);
    bytes = fs.readFileSync(fd);
  } catch (err) {
    if (err instanceof MinidlError) throw err;
    return cannot(describeFsError(err), err);
  } finally {
    fs.closeSync(fd);
  }
  const starts = (...prefix: number[]): boolean => prefix.every((b, i) => bytes[i] === b);
  if (bytes.length === 0) throw new MinidlError(`${who}: ${file} is empty (0 bytes), not a model file`);
  if (starts(0xef, 0xbb, 0xbf)) {
    throw new MinidlError(
      `${who}: ${file} starts with a UTF-8 byte-order mark (bytes EF BB BF), which minidl never writes and a JSON text must not begin with; ` +
      'another program re-saved it: save it again as UTF-8 without a byte-order mark (or delete the first 3 bytes)',
    );
  }
  if (starts(0xff, 0xfe) || starts(0xfe, 0xff)) {
    throw new MinidlError(`${who}: ${file} is UTF-16 text (byte-order mark ${starts(0xff, 0xfe) ? 'FF FE' : 'FE FF'}); a model file is UTF-8 JSON: save it again as UTF-8`);
  }
  if (starts(0x50, 0x4b, 0x03, 0x04)) throw new MinidlError(`${who}: ${file} is a ZIP archive (a PyTorch .pt file?), not a minidl model file (JSON text)`);
  if (starts(0x1f, 0x8b)) throw new MinidlError(`${who}: ${file} is gzip-compressed; decompress it first (a minidl model file is JSON text)`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (err) {
    throw new MinidlError(`${who}: ${file} is not UTF-8 text (a binary file?), not a minidl model file`, { cause: err });
  }
}
