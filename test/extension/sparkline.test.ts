import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCKS, GAP, sparkline } from '../../extension/src/editor/sparkline';

describe('sparkline', () => {
  test('one block per value, lowest to highest', () => {
    assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), BLOCKS.join(''));
    assert.equal(sparkline([7, 0]), '█▁');
  });

  test('empty series gives an empty string; a flat one the middle block', () => {
    assert.equal(sparkline([]), '');
    assert.equal(sparkline([3, 3, 3]), '▄▄▄');
  });

  test('long series are averaged into `width` buckets', () => {
    const line = sparkline(Array.from({ length: 100 }, (_, i) => i), { width: 10 });
    assert.equal([...line].length, 10);
    assert.equal([...line][0], '▁');
    assert.equal([...line][9], '█');
  });

  test('NaN and infinities are gaps, never a height', () => {
    assert.equal(sparkline([1, Number.NaN, 3]), `▁${GAP}█`);
    assert.equal(sparkline([1, Number.POSITIVE_INFINITY, 2]), `▁${GAP}█`);
    assert.equal(sparkline([Number.NaN, Number.NaN]), GAP + GAP);
  });

  test('a bucket with only gaps is a gap; a bucket with some values averages them', () => {
    const line = [...sparkline([Number.NaN, Number.NaN, 1, 1, 5, Number.NaN], { width: 3 })];
    assert.deepEqual(line, [GAP, '▁', '█']);
  });

  test('log scale: a loss falling by decades descends evenly, values <= 0 are gaps', () => {
    const decades = [1, 0.1, 0.01, 0.001, 0.0001, 0.00001, 0.000001, 0.0000001];
    assert.equal(sparkline(decades, { log: true }), [...BLOCKS].reverse().join(''));
    // Linear scale squashes everything after the first two values to the bottom.
    assert.equal(sparkline(decades), '█▂▁▁▁▁▁▁');
    assert.equal(sparkline([1, 0, 0.01], { log: true }), `█${GAP}▁`);
    assert.equal(sparkline([1, -1, 0.01], { log: true }), `█${GAP}▁`);
  });
});
