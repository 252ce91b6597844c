import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPORTERS, exporterFor } from '../../engine/src/export';
import type { MetricRow, RunRecord } from '../../engine/src/store/types';

const record = { schemaVersion: 1, id: 'r1', experiment: { name: 'e' }, label: 'SGD', optimizer: 'sgd', spec: {}, config: {}, hyperparameters: {}, engine: { version: 'x', backend: 'cpu', node: 'v20' }, status: 'completed', createdAt: '2026-12-07T00:00:00.000Z', summary: {} } as RunRecord;
const rows: MetricRow[] = [{ step: 1, loss: 0.5 }, { step: 2, loss: Number.NaN, testAccuracy: 0.9 }];

describe('export registry', () => {
  test('every format has a unique id and renders a run', () => {
    const ids = EXPORTERS.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(ids, ['csv', 'json']);
    for (const e of EXPORTERS) assert.ok(e.render(record, rows).length > 0, e.id);
  });

  test('csv and json say what the rows hold, NaN included', () => {
    assert.equal(exporterFor('csv').render(record, rows), 'step,loss,testAccuracy\r\n1,0.5,\r\n2,NaN,0.9\r\n');
    const parsed = JSON.parse(exporterFor('json').render(record, rows)) as { run: RunRecord; metrics: unknown[] };
    assert.equal(parsed.run.id, 'r1');
    assert.deepEqual(parsed.metrics, [{ step: 1, loss: 0.5 }, { step: 2, loss: 'NaN', testAccuracy: 0.9 }]);
  });

  test('an unknown format names the known ones', () => {
    assert.throws(() => exporterFor('xml'), /unknown export format 'xml': expected csv or json/);
  });
});
