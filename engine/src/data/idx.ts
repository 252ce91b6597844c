// The IDX file format (LeCun's MNIST format): a 4-byte magic (two zero bytes, a data type code,
// the number of dimensions), one big-endian uint32 size per dimension, then the data in row-major
// order, big-endian. Gzip-compressed files (magic 1f 8b) are decompressed first. Every malformed
// or truncated file is an IdxFormatError naming the file, the byte offset and what was expected.
import fs from 'node:fs';
import zlib from 'node:zlib';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxTensor {
  /** Dimension sizes as written in the header, e.g. [60000, 28, 28]. */
  dims: number[];
  dtype: IdxDtype;
  /** The data in row-major order, in native byte order; length = product of dims. */
  data: IdxArray;
}

interface DtypeInfo {
  code: number;
  dtype: IdxDtype;
  bytes: number;
  label: string;
}

const DTYPES: DtypeInfo[] = [
  { code: 0x08, dtype: 'uint8', bytes: 1, label: 'unsigned byte' },
  { code: 0x09, dtype: 'int8', bytes: 1, label: 'signed byte' },
  { code: 0x0b, dtype: 'int16', bytes: 2, label: 'short' },
  { code: 0x0c, dtype: 'int32', bytes: 4, label: 'int' },
  { code: 0x0d, dtype: 'float32', bytes: 4, label: 'float' },
  { code: 0x0e, dtype: 'float64', bytes: 8, label: 'double' },
];
const BY_CODE = new Map(DTYPES.map((d) => [d.code, d]));
const BY_DTYPE = new Map(DTYPES.map((d) => [d.dtype, d]));

/** Most elements one file may declare (typed arrays beyond this are impractical anyway). */
const MAX_ELEMENTS = 2 ** 31 - 1;

export class IdxFormatError extends Error {
  override name = 'IdxFormatError';
  constructor(
    /** The file (or buffer name) the error is about. */
    readonly file: string,
    /** Byte offset of the problem (in the decompressed data for gzip files), or -1. */
    readonly offset: number,
    /** What was wrong, without the file name. */
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

const hex = (b: number): string => '0x' + b.toString(16).padStart(2, '0');
const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

/** Whether bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses a gzip buffer; a corrupt or truncated stream is an IdxFormatError. */
function gunzip(bytes: Uint8Array, name: string): Uint8Array {
  try {
    return zlib.gunzipSync(bytes);
  } catch (err) {
    const msg = (err as Error).message;
    const truncated = /unexpected end of file/i.test(msg);
    throw new IdxFormatError(
      name,
      -1,
      truncated
        ? `truncated gzip stream: the ${plural(bytes.length, 'byte')} compressed file ends before the end of its data (${msg})`
        : `corrupt gzip stream (${bytes.length} compressed bytes): ${msg}`,
    );
  }
}

/**
 * Parses IDX bytes (gzip-compressed or not). `name` is used in error messages (the file name).
 * The returned data never aliases `bytes`.
 */
export function parseIdx(bytes: Uint8Array, name = '<idx buffer>'): IdxTensor {
  let raw = bytes;
  let note = '';
  if (isGzip(bytes)) {
    raw = gunzip(bytes, name);
    note = ' (offsets in the decompressed data)';
  }
  const fail = (offset: number, detail: string): never => {
    throw new IdxFormatError(name, offset, detail + (offset >= 0 ? note : ''));
  };

  if (raw.length < 4) {
    fail(0, `truncated header: expected a 4-byte magic number (00 00 <type> <ndims>) at offset 0, file has ${plural(raw.length, 'byte')}`);
  }
  if (raw[0] !== 0 || raw[1] !== 0) {
    // The file's bytes are never quoted: the file may be anything (a key, a password file).
    fail(0, 'bad magic number at offset 0: expected two zero bytes (not an IDX file)');
  }
  const info = BY_CODE.get(raw[2]);
  if (!info) {
    const known = DTYPES.map((d) => `${hex(d.code)} (${d.label})`).join(', ');
    fail(2, `unknown data type code at offset 2: expected one of ${known}`);
  }
  const { dtype, bytes: size } = info as DtypeInfo;
  const ndims = raw[3];
  if (ndims === 0) fail(3, 'number of dimensions at offset 3 is 0: expected at least 1');
  const headerBytes = 4 + 4 * ndims;
  if (raw.length < headerBytes) {
    fail(4, `truncated header: ${plural(ndims, 'dimension')} need ${4 * ndims} bytes of sizes at offset 4, file has ${raw.length - 4} after the magic number`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let k = 0; k < ndims; k++) {
    const d = view.getUint32(4 + 4 * k, false);
    dims.push(d);
    count *= d;
  }
  if (count > MAX_ELEMENTS) {
    fail(4, `header declares ${dims.join('x')} = ${count} elements, more than the ${MAX_ELEMENTS} this reader supports (corrupt header?)`);
  }
  const dataBytes = count * size;
  const have = raw.length - headerBytes;
  const shape = `${dims.join('x')}${size > 1 ? ` ${dtype} (${size} bytes each)` : ''}`;
  if (have < dataBytes) {
    fail(headerBytes + have, `truncated: header says ${shape} = ${dataBytes} bytes of data, file has ${have} after the header (data starts at offset ${headerBytes}, ends at ${raw.length})`);
  }
  if (have > dataBytes) {
    fail(headerBytes + dataBytes, `size mismatch: header says ${shape} = ${dataBytes} bytes of data, file has ${have} after the header (${have - dataBytes} unexpected trailing bytes from offset ${headerBytes + dataBytes})`);
  }
  return { dims, dtype, data: decode(view, headerBytes, count, dtype) };
}

/** Copies `count` big-endian elements starting at `offset` into a native typed array. */
function decode(view: DataView, offset: number, count: number, dtype: IdxDtype): IdxArray {
  const src = new Uint8Array(view.buffer, view.byteOffset + offset, count * (BY_DTYPE.get(dtype) as DtypeInfo).bytes);
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(src); // a copy: never alias the file buffer
    case 'int8':
      return new Int8Array(src.buffer, src.byteOffset, count).slice();
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/** Reads and parses an IDX file (gzip or not). Errors name `file` as given. */
export function readIdxFile(file: string): IdxTensor {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new IdxFormatError(file, -1, e.code === 'ENOENT' ? 'no such file' : `cannot read: ${e.message}`);
  }
  return parseIdx(bytes, file);
}

/** Encodes a tensor as IDX bytes (big-endian), optionally gzip-compressed. */
export function encodeIdx(tensor: IdxTensor, options: { gzip?: boolean } = {}): Buffer {
  const info = BY_DTYPE.get(tensor.dtype);
  if (!info) throw new Error(`encodeIdx: unknown dtype ${String(tensor.dtype)}`);
  const { dims, data } = tensor;
  if (dims.length < 1 || dims.length > 255) throw new Error(`encodeIdx: need 1..255 dimensions, got ${dims.length}`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeIdx: dims ${dims.join('x')} = ${count} elements but data has ${data.length}`);
  const header = 4 + 4 * dims.length;
  const out = Buffer.alloc(header + count * info.bytes);
  out[2] = info.code;
  out[3] = dims.length;
  dims.forEach((d, k) => out.writeUInt32BE(d, 4 + 4 * k));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < count; i++) {
    const v = data[i];
    const at = header + i * info.bytes;
    switch (info.dtype) {
      case 'uint8': view.setUint8(at, v); break;
      case 'int8': view.setInt8(at, v); break;
      case 'int16': view.setInt16(at, v, false); break;
      case 'int32': view.setInt32(at, v, false); break;
      case 'float32': view.setFloat32(at, v, false); break;
      case 'float64': view.setFloat64(at, v, false); break;
    }
  }
  return options.gzip ? zlib.gzipSync(out) : out;
}

/** Writes a tensor as an IDX file (gzip-compressed when `gzip` is set). */
export function writeIdxFile(file: string, tensor: IdxTensor, options: { gzip?: boolean } = {}): void {
  fs.writeFileSync(file, encodeIdx(tensor, options));
}
