import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { IdxFormatError, encodeIdx, parseIdx, readIdxFile, writeIdxFile, type IdxDtype } from '../../../engine/src/data/idx.js';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-idx-'));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** IDX bytes written by hand with DataView (independent of encodeIdx). */
function handIdx(code: number, dims: number[], values: number[], bytesPer: number, put: (v: DataView, at: number, x: number) => void): Buffer {
  const header = 4 + 4 * dims.length;
  const buf = Buffer.alloc(header + values.length * bytesPer);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  v.setUint8(0, 0);
  v.setUint8(1, 0);
  v.setUint8(2, code);
  v.setUint8(3, dims.length);
  dims.forEach((d, k) => v.setUint32(4 + 4 * k, d, false));
  values.forEach((x, i) => put(v, header + i * bytesPer, x));
  return buf;
}

const CASES: { dtype: IdxDtype; code: number; bytes: number; put: (v: DataView, at: number, x: number) => void; dims: number[]; values: number[] }[] = [
  { dtype: 'uint8', code: 0x08, bytes: 1, put: (v, a, x) => v.setUint8(a, x), dims: [2, 3], values: [0, 1, 127, 128, 254, 255] },
  { dtype: 'int8', code: 0x09, bytes: 1, put: (v, a, x) => v.setInt8(a, x), dims: [3, 2], values: [-128, -1, 0, 1, 100, 127] },
  { dtype: 'int16', code: 0x0b, bytes: 2, put: (v, a, x) => v.setInt16(a, x, false), dims: [2, 2, 2], values: [-32768, -2, 0, 1, 258, 1000, -1000, 32767] },
  { dtype: 'int32', code: 0x0c, bytes: 4, put: (v, a, x) => v.setInt32(a, x, false), dims: [4], values: [-2147483648, -1, 16909060, 2147483647] },
  { dtype: 'float32', code: 0x0d, bytes: 4, put: (v, a, x) => v.setFloat32(a, x, false), dims: [1, 5], values: [0, -1.5, 3.25, 2 ** -70, -65504] },
  { dtype: 'float64', code: 0x0e, bytes: 8, put: (v, a, x) => v.setFloat64(a, x, false), dims: [3], values: [Math.PI, -1e300, 5e-324] },
];

describe('IDX reader: round trips', () => {
  for (const c of CASES) {
    test(`${c.dtype} (0x${c.code.toString(16)}), plain and gzip`, () => {
      const bytes = handIdx(c.code, c.dims, c.values, c.bytes, c.put);
      const plain = path.join(tmp, `${c.dtype}.idx`);
      const gz = path.join(tmp, `${c.dtype}.idx.gz`);
      fs.writeFileSync(plain, bytes);
      fs.writeFileSync(gz, zlib.gzipSync(bytes));
      for (const file of [plain, gz]) {
        const t = readIdxFile(file);
        assert.equal(t.dtype, c.dtype);
        assert.deepEqual(t.dims, c.dims);
        assert.deepEqual(Array.from(t.data), c.values);
      }
      // encodeIdx writes exactly the hand-made bytes, and reads back.
      const t = readIdxFile(plain);
      assert.deepEqual(encodeIdx(t), bytes);
      const again = path.join(tmp, `${c.dtype}.again.gz`);
      writeIdxFile(again, t, { gzip: true });
      assert.deepEqual(Array.from(readIdxFile(again).data), c.values);
    });
  }

  test('big-endian byte order from literal bytes', () => {
    const int16 = Buffer.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]);
    assert.deepEqual(Array.from(parseIdx(int16).data), [258, -2]);
    const f32 = Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0x80, 0, 0]);
    assert.deepEqual(Array.from(parseIdx(f32).data), [1]);
    const f64 = Buffer.from([0, 0, 0x0e, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0x40, 0, 0, 0, 0, 0, 0, 0]);
    const t = parseIdx(f64);
    assert.deepEqual(t.dims, [1, 1]);
    assert.deepEqual(Array.from(t.data), [2]);
  });

  test('the data does not alias the input buffer', () => {
    const bytes = handIdx(0x08, [3], [1, 2, 3], 1, (v, a, x) => v.setUint8(a, x));
    const t = parseIdx(bytes);
    bytes[4 + 4] = 99;
    assert.deepEqual(Array.from(t.data), [1, 2, 3]);
  });

  test('an empty dimension gives an empty array', () => {
    const t = parseIdx(handIdx(0x08, [0, 28, 28], [], 1, () => {}));
    assert.deepEqual(t.dims, [0, 28, 28]);
    assert.equal(t.data.length, 0);
  });
});

/** Runs f, expecting an IdxFormatError; returns it. */
function expectIdxError(f: () => unknown): IdxFormatError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof IdxFormatError, `expected an IdxFormatError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('IDX reader: malformed files', () => {
  const write = (name: string, bytes: Uint8Array): string => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, bytes);
    return f;
  };

  test('truncated data: names the file, the sizes and the offset', () => {
    const header = Buffer.from([0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28]);
    const f = write('train-images-idx3-ubyte', Buffer.concat([header, Buffer.alloc(1200, 7)]));
    const e = expectIdxError(() => readIdxFile(f));
    assert.equal(e.file, f);
    assert.equal(e.offset, 16 + 1200);
    assert.ok(e.message.startsWith(`${f}: truncated: header says 60000x28x28 = 47040000 bytes of data, file has 1200 after the header`), e.message);
    assert.match(e.message, /data starts at offset 16, ends at 1216/);
  });

  test('truncated multi-byte data says the element size', () => {
    const bytes = handIdx(0x0b, [4], [1, 2, 3, 4], 2, (v, a, x) => v.setInt16(a, x, false)).subarray(0, 8 + 7);
    const e = expectIdxError(() => parseIdx(bytes, 'shorts.idx'));
    assert.equal(e.offset, 15);
    assert.match(e.message, /^shorts\.idx: truncated: header says 4 int16 \(2 bytes each\) = 8 bytes of data, file has 7 after the header/);
  });

  test('truncated header', () => {
    const f = write('short-header', Buffer.from([0, 0, 8, 3, 0, 0, 0, 5, 0, 0]));
    const e = expectIdxError(() => readIdxFile(f));
    assert.equal(e.offset, 4);
    assert.match(e.message, /short-header: truncated header: 3 dimensions need 12 bytes of sizes at offset 4, file has 6 after the magic number/);
  });

  test('empty and tiny files', () => {
    const e = expectIdxError(() => readIdxFile(write('empty', Buffer.alloc(0))));
    assert.equal(e.offset, 0);
    assert.match(e.message, /empty: truncated header: expected a 4-byte magic number .* file has 0 bytes/);
    const e2 = expectIdxError(() => parseIdx(Buffer.from([0, 0, 8]), 'three'));
    assert.match(e2.message, /^three: .*file has 3 bytes/);
  });

  test('wrong magic', () => {
    const e = expectIdxError(() => readIdxFile(write('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))));
    assert.equal(e.offset, 0);
    assert.match(e.message, /image\.png: bad magic number at offset 0: expected two zero bytes \(not an IDX file\)$/);
    // The file may be anything (a key): its bytes are never quoted.
    assert.ok(!/0x89|0x50/.test(e.message), e.message);
    const e2 = expectIdxError(() => parseIdx(Buffer.from([0, 1, 8, 1, 0, 0, 0, 0]), 'x'));
    assert.match(e2.message, /^x: bad magic number at offset 0/);
  });

  test('unknown data type code', () => {
    const e = expectIdxError(() => parseIdx(Buffer.from([0, 0, 0x0a, 1, 0, 0, 0, 0]), 'odd.idx'));
    assert.equal(e.offset, 2);
    assert.match(e.message, /odd\.idx: unknown data type code at offset 2: expected one of 0x08 \(unsigned byte\), 0x09/);
    assert.ok(!e.message.includes('0x0a'), e.message);
  });

  test('zero dimensions', () => {
    const e = expectIdxError(() => parseIdx(Buffer.from([0, 0, 8, 0]), 'scalar.idx'));
    assert.equal(e.offset, 3);
    assert.match(e.message, /number of dimensions at offset 3 is 0/);
  });

  test('size mismatch: trailing bytes', () => {
    const bytes = Buffer.concat([handIdx(0x08, [2, 2], [1, 2, 3, 4], 1, (v, a, x) => v.setUint8(a, x)), Buffer.from([9, 9, 9])]);
    const e = expectIdxError(() => readIdxFile(write('labels-long', bytes)));
    assert.equal(e.offset, 12 + 4);
    assert.match(e.message, /labels-long: size mismatch: header says 2x2 = 4 bytes of data, file has 7 after the header \(3 unexpected trailing bytes from offset 16\)/);
  });

  test('implausible header sizes', () => {
    const e = expectIdxError(() => parseIdx(Buffer.from([0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 'huge'));
    assert.equal(e.offset, 4);
    assert.match(e.message, /huge: header declares 4294967295x4294967295/);
  });

  test('truncated and corrupt gzip', () => {
    const good = zlib.gzipSync(handIdx(0x08, [1000], new Array(1000).fill(0).map((_, i) => i % 256), 1, (v, a, x) => v.setUint8(a, x)));
    const e = expectIdxError(() => readIdxFile(write('cut.gz', good.subarray(0, good.length - 20))));
    assert.equal(e.file, path.join(tmp, 'cut.gz'));
    assert.match(e.message, /cut\.gz: truncated gzip stream/);
    const bad = Buffer.from(good);
    bad[12] ^= 0xff;
    bad[13] ^= 0xff;
    const e2 = expectIdxError(() => readIdxFile(write('bad.gz', bad)));
    assert.match(e2.message, /bad\.gz: (corrupt|truncated) gzip stream/);
  });

  test('a gzip file holding a truncated IDX gives offsets in the decompressed data', () => {
    const bytes = handIdx(0x08, [10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1, (v, a, x) => v.setUint8(a, x)).subarray(0, 10);
    const e = expectIdxError(() => readIdxFile(write('cut-inside.gz', zlib.gzipSync(bytes))));
    assert.equal(e.offset, 10);
    assert.match(e.message, /cut-inside\.gz: truncated: header says 10 = 10 bytes of data, file has 2 after the header .*\(offsets in the decompressed data\)/);
  });

  test('a missing file', () => {
    const f = path.join(tmp, 'nope-idx1-ubyte');
    const e = expectIdxError(() => readIdxFile(f));
    assert.equal(e.message, `${f}: no such file`);
  });
});
