// Dataset paths are confined to the workspace unless allowed, never echo the file's bytes, and IDX
// problems carry the JSON path of the option that names the file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetSpecError, datasetPathProblem, loadDataset, writeIdxFile } from '../../../engine/src/data/index.js';
import { parseEngineRequest, ProtocolError } from '../../../engine/src/protocol/engine-messages';
import { SetupInvalid } from '../../../engine/src/sweep/messages';
import { prepare } from '../../../engine/src/sweep/worker';

let tmp: string;
let workspace: string;
let outside: string;
const SECRET = 'SECRET-KEY-abcdef';

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-access-'));
  workspace = path.join(tmp, 'ws');
  outside = path.join(tmp, 'elsewhere');
  fs.mkdirSync(workspace);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'id_rsa'), `${SECRET}\n`);
  writeIdxFile(path.join(workspace, 'imgs'), { dims: [20, 2, 2], dtype: 'uint8', data: new Uint8Array(80).map((_, i) => i) });
  writeIdxFile(path.join(workspace, 'labs'), { dims: [20], dtype: 'uint8', data: new Uint8Array(20).map((_, i) => i % 2) });
  fs.writeFileSync(path.join(workspace, 'notes.txt'), `${SECRET}\n`);
  fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(workspace, 'link'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const spec = (images: string) => ({ type: 'idx', images, labels: 'labs', testFraction: 0.25 });
const hexOf = (s: string) => [...Buffer.from(s.slice(0, 2))].map((b) => `0x${b.toString(16)}`);

function rejected(f: () => unknown): DatasetSpecError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DatasetSpecError, `expected a DatasetSpecError, got ${String(e)}`);
    assert.ok(!e.message.includes(SECRET) && !hexOf(SECRET).some((h) => e.message.includes(h)), `the file's bytes are in the message: ${e.message}`);
    return e;
  }
  assert.fail('expected the dataset to be refused');
}

describe('dataset paths', () => {
  test('inside the workspace: loads', () => {
    assert.equal(loadDataset(spec('imgs'), { baseDir: workspace }).train.n, 15);
  });

  test('an absolute path, a ../ path and a symlink leading out: refused before reading, at the JSON path', () => {
    for (const images of [path.join(outside, 'id_rsa'), '../elsewhere/id_rsa', 'link']) {
      const e = rejected(() => loadDataset(spec(images), { baseDir: workspace, pointer: '/problem/data' }));
      assert.equal(e.pointer, '/problem/data/images');
      assert.match(e.message, /is outside the workspace .*--allow-outside-workspace.*optlab\.allowDataOutsideWorkspace/);
    }
  });

  test('another root (a second workspace folder) is allowed; allowOutside allows anything', () => {
    assert.equal(datasetPathProblem(path.join(outside, 'id_rsa'), { roots: [workspace, outside] }), undefined);
    assert.equal(datasetPathProblem('/etc/passwd', { roots: [workspace], allowOutside: true }), undefined);
    assert.match(datasetPathProblem('/etc/passwd', { roots: [workspace] }) ?? '', /^\/etc\/passwd is outside the workspace/);
  });

  test('a file that is not IDX: its option and JSON path, never its bytes', () => {
    const e = rejected(() => loadDataset(spec('notes.txt'), { baseDir: workspace, pointer: '/problem/data' }));
    assert.equal(e.pointer, '/problem/data/images');
    assert.match(e.message, /notes\.txt: bad magic number at offset 0: expected two zero bytes \(not an IDX file\)/);
    // Allowed outside: read, and still no byte of it in the error.
    const allowed = rejected(() => loadDataset(spec(path.join(outside, 'id_rsa')), { baseDir: workspace, pointer: '/problem/data', access: { roots: [], allowOutside: true } }));
    assert.equal(allowed.pointer, '/problem/data/images');
    assert.match(allowed.message, /not an IDX file/);
  });

  test('the sweep setup reports it as SetupInvalid at /problem/data/images', () => {
    const setup = {
      problem: { type: 'classification' as const, data: spec(path.join(outside, 'id_rsa')), model: { type: 'mlp', widths: [4] } },
      target: { metric: 'trainLoss' as const, value: 0.1 },
      budget: { maxSteps: 1 },
      seed: 0,
      backend: 'cpu' as const,
      baseDir: workspace,
      logEvery: 1,
      probes: [],
      dataAccess: { roots: [workspace] },
    };
    assert.throws(() => prepare(setup), (e: unknown) => e instanceof SetupInvalid && e.path === '/problem/data/images' && /outside the workspace/.test(e.message));
  });

  test('the engine protocol carries dataAccess on start and checkSetup, and checks its shape', () => {
    const start = { type: 'start', requestId: 'r', file: 'f', store: 's', dataAccess: { roots: ['/ws'], allowOutside: true } };
    assert.deepEqual(parseEngineRequest(start), start);
    assert.throws(() => parseEngineRequest({ ...start, dataAccess: { roots: [1] } }), ProtocolError);
    assert.throws(() => parseEngineRequest({ type: 'checkSetup', requestId: 'c', text: '{}', dataAccess: { roots: [], allowOutside: 'yes' } }), ProtocolError);
  });
});
