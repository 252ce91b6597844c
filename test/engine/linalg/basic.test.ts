// The elementwise and product helpers against hand-computed values and the plain triple loop.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDiagonal, identity, LinalgError, matmul, symmetrize, trace, transpose } from '../../../engine/src/linalg/index.js';
import { maxAbsDiff, mul, randomMatrix, tr } from './helpers.js';

describe('linalg basics', () => {
  test('identity', () => {
    assert.deepEqual(Array.from(identity(3)), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    assert.equal(identity(0).length, 0);
  });

  test('matmul of a 2x3 by a 3x2 matrix by hand', () => {
    const a = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float64Array.from([7, 8, 9, 10, 11, 12]);
    assert.deepEqual(Array.from(matmul(a, b, 2, 3, 2)), [58, 64, 139, 154]);
  });

  test('matmul and transpose agree with the triple loop on rectangular shapes', () => {
    const a = randomMatrix(37, 53, 1);
    const b = randomMatrix(53, 41, 2);
    assert.ok(maxAbsDiff(matmul(a, b, 37, 53, 41), mul(a, b, 37, 53, 41)) < 1e-13);
    assert.deepEqual(transpose(a, 37, 53), tr(a, 37, 53));
  });

  test('trace, addDiagonal and symmetrize', () => {
    const a = Float64Array.from([1, 2, 4, 3]);
    const before = a.slice();
    assert.equal(trace(a, 2), 4);
    assert.deepEqual(Array.from(addDiagonal(a, 2, 0.5)), [1.5, 2, 4, 3.5]);
    assert.deepEqual(Array.from(symmetrize(a, 2)), [1, 3, 3, 3]);
    assert.deepEqual(a, before, 'inputs are never modified');
  });

  test('shape mismatches throw LinalgError', () => {
    assert.throws(() => matmul(new Float64Array(6), new Float64Array(6), 2, 2, 3), LinalgError);
    assert.throws(() => trace(new Float64Array(5), 2), LinalgError);
  });
});
