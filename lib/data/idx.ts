import { MinidlError, describeValue, formatShape, jsonOrDescription } from '../errors';

/**
 * The IDX file format, in which MNIST is distributed: an n-dimensional array of numbers.
 *
 *   bytes 0–1   0x00 0x00                       magic
 *   byte  2     the type of the values          (see IDX_TYPES)
 *   byte  3     ndims, the number of dimensions
 *   then        ndims sizes, 4-byte big-endian unsigned integers
 *   then        the values, row-major (last dimension fastest), big-endian
 *
 * MNIST's image files are ubyte arrays of dims [N, 28, 28] (pixel 0 = background,
 * 255 = ink) and its label files ubyte arrays of dims [N] (the digit).
 *
 * This file only parses bytes already in memory, so it works in a browser too; reading the
 * files from disk (and gunzipping them) is lib/data/mnist.ts's job.
 */

/** The name of an IDX value type. */
export type IdxType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';

/** One IDX value type. */
export interface IdxTypeInfo {
  /** Its name, e.g. `'ubyte'`. */
  name: IdxType;
  /** Bytes per value. */
  bytes: number;
}

/**
 * The value types an IDX file can hold, by their type byte: 0x08 ubyte (unsigned 8-bit),
 * 0x09 byte (signed 8-bit), 0x0B short (16-bit), 0x0C int (32-bit), 0x0D float (32-bit),
 * 0x0E double (64-bit); all multi-byte values big-endian.
 */
export const IDX_TYPES: Readonly<Record<number, IdxTypeInfo>> = Object.freeze({
  0x08: { name: 'ubyte', bytes: 1 },
  0x09: { name: 'byte', bytes: 1 },
  0x0b: { name: 'short', bytes: 2 },
  0x0c: { name: 'int', bytes: 4 },
  0x0d: { name: 'float', bytes: 4 },
  0x0e: { name: 'double', bytes: 8 },
});

/** The values of an IDX array, in the typed array that holds its type exactly. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX array. */
export interface IdxArray {
  /** The size of each dimension, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** The type of the values, e.g. `'ubyte'`. */
  type: IdxType;
  /**
   * The values, row-major: `Uint8Array` for ubyte, `Int8Array` for byte, `Int16Array` for
   * short, `Int32Array` for int, `Float32Array` for float, `Float64Array` for double.
   * A copy: it does not share memory with the bytes parsed.
   */
  data: IdxData;
}

const HEADER_BYTES = 4;

/**
 * Parses the bytes of an IDX file. `name` (e.g. the file's name) is used in error messages.
 *
 * Refuses, with a MinidlError saying what was expected and what came: a wrong magic number,
 * an unknown type byte, zero dimensions, a file shorter than its header and dims say (truncated),
 * and bytes left over after the values (trailing bytes).
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  if (typeof name !== 'string') throw new MinidlError(`parseIdx: name must be a string (the file's name, for messages), got ${describeValue(name)}`);
  const fail = (message: string): never => {
    throw new MinidlError(`parseIdx(${name}): ${message}`);
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array, got ${describeValue(bytes)}`);
  if (bytes.length < HEADER_BYTES) {
    fail(`truncated: an IDX file starts with a 4-byte header (0x00 0x00 type ndims), got ${bytes.length} byte(s)`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (these are gzip bytes: gunzip the file first)' : '';
    fail(`bad magic number: expected the bytes 0x00 0x00, got ${hex(bytes[0])} ${hex(bytes[1])}${gzip}`);
  }
  const typeByte = bytes[2];
  const type = IDX_TYPES[typeByte] as IdxTypeInfo | undefined;
  if (type === undefined) {
    const known = Object.entries(IDX_TYPES).map(([code, t]) => `${hex(Number(code))} ${t.name}`).join(', ');
    fail(`unknown type byte ${hex(typeByte)}: expected one of ${known}`);
  }
  const { name: typeName, bytes: valueBytes } = type as IdxTypeInfo;
  const ndims = bytes[3];
  if (ndims === 0) fail('the header says 0 dimensions; expected at least 1');
  const headerBytes = HEADER_BYTES + 4 * ndims;
  if (bytes.length < headerBytes) {
    fail(`truncated: the header announces ${ndims} dimension(s), which need ${headerBytes} header bytes, but the data has only ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const size = view.getUint32(HEADER_BYTES + 4 * d, false); // big-endian
    dims.push(size);
    count *= size;
  }
  const expectedBytes = headerBytes + count * valueBytes;
  if (bytes.length < expectedBytes) {
    fail(`truncated: dims ${formatShape(dims)} of type ${typeName} need ${headerBytes} header bytes + ${count} × ${valueBytes} value bytes = ${expectedBytes} bytes, but the data has only ${bytes.length}`);
  }
  if (bytes.length > expectedBytes) {
    fail(`${bytes.length - expectedBytes} trailing byte(s): dims ${formatShape(dims)} of type ${typeName} account for ${expectedBytes} bytes, but the data has ${bytes.length}`);
  }
  return { dims, type: typeName, data: readValues(view, headerBytes, count, typeName) };
}

/** Reads `count` big-endian values of the given type starting at byte `offset`. */
function readValues(view: DataView, offset: number, count: number, type: IdxType): IdxData {
  switch (type) {
    case 'ubyte':
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'byte':
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'short': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'double': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/**
 * The bytes of an IDX file holding `data` with the given dims and type (the inverse of
 * `parseIdx`), e.g. to write a small data set in MNIST's format.
 */
export function encodeIdx(dims: readonly number[], type: IdxType, data: ArrayLike<number>): Uint8Array {
  const entry = Object.entries(IDX_TYPES).find(([, t]) => t.name === type);
  if (entry === undefined) {
    throw new MinidlError(`encodeIdx: unknown type ${jsonOrDescription(type)}; expected one of ${Object.values(IDX_TYPES).map((t) => t.name).join(', ')}`);
  }
  if (!Array.isArray(dims) || dims.length === 0 || dims.length > 255 || dims.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) {
    const got = Array.isArray(dims) ? `[${dims.map((d) => (typeof d === 'number' ? String(d) : describeValue(d))).join(',')}]` : describeValue(dims);
    throw new MinidlError(`encodeIdx: dims must be 1 to 255 sizes, each an integer in 0..2³²−1, got ${got}`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (!Array.isArray(data) && !(ArrayBuffer.isView(data) && !(data instanceof DataView))) {
    throw new MinidlError(`encodeIdx: data must be an array or typed array of numbers, got ${describeValue(data)}`);
  }
  if (data.length !== count) {
    throw new MinidlError(`encodeIdx: dims ${formatShape(dims)} hold ${count} values, but data has ${data.length}`);
  }
  const range = INTEGER_RANGES[type];
  for (let i = 0; i < count; i++) {
    const v = data[i];
    const ok = typeof v === 'number' && (range ? Number.isInteger(v) && v >= range[0] && v <= range[1] : true);
    if (!ok) {
      const shown = typeof v === 'number' ? String(v) : describeValue(v);
      throw new MinidlError(`encodeIdx: data[${i}] = ${shown} cannot be stored as ${type}${range ? ` (an integer in ${range[0]}..${range[1]})` : ' (a number)'}`);
    }
  }
  const valueBytes = entry[1].bytes;
  const headerBytes = HEADER_BYTES + 4 * dims.length;
  const bytes = new Uint8Array(headerBytes + count * valueBytes);
  const view = new DataView(bytes.buffer);
  bytes[2] = Number(entry[0]);
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(HEADER_BYTES + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const at = headerBytes + i * valueBytes;
    switch (type) {
      case 'ubyte': view.setUint8(at, data[i]); break;
      case 'byte': view.setInt8(at, data[i]); break;
      case 'short': view.setInt16(at, data[i], false); break;
      case 'int': view.setInt32(at, data[i], false); break;
      case 'float': view.setFloat32(at, data[i], false); break;
      case 'double': view.setFloat64(at, data[i], false); break;
    }
  }
  return bytes;
}

/** The values each integer type can hold. */
const INTEGER_RANGES: Record<IdxType, [number, number] | null> = {
  ubyte: [0, 255], byte: [-128, 127], short: [-32768, 32767], int: [-2147483648, 2147483647], float: null, double: null,
};

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0').toUpperCase()}`;
}
