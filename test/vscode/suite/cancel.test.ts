// Stop All right after starting a big sweep: the session ends 'cancelled', nothing stays 'running'.
import * as assert from 'node:assert/strict';
import { api, countBy, runsOfExperiment, samePath, slowExperiment, waitFor, withTimeout, writeExperiment, TERMINAL } from './helpers';

suite('cancel', () => {
  test('api.stopAll() right after starting cancels the session and leaves no run running', async () => {
    const optlab = await api();
    const store = optlab.storeRoot();
    const file = writeExperiment('slow-cancel.optlab.json', slowExperiment('slow-cancel'));
    const { done } = await optlab.runExperiment(file);
    const stopAt = Date.now();
    await optlab.stopAll();
    const outcome = await withTimeout(done, 60_000, 'the cancelled session to end');
    console.log(`  cancelled after ${((Date.now() - stopAt) / 1000).toFixed(2)} s`);
    assert.equal(outcome.result, 'cancelled', `outcome ${outcome.result}: ${outcome.message ?? ''}`);

    const runs = await waitFor(
      () => {
        const rs = runsOfExperiment(store, 'slow-cancel');
        return rs.length > 0 && rs.every((r) => TERMINAL.includes(r.status)) ? rs : undefined;
      },
      () => `every run of slow-cancel to end (have ${JSON.stringify(countBy(runsOfExperiment(store, 'slow-cancel')))})`,
      15_000,
    );
    const counts = countBy(runs);
    console.log(`  runs: ${JSON.stringify(counts)}`);
    const unexpected = runs.filter((r) => r.status !== 'completed' && r.status !== 'cancelled');
    assert.deepEqual(unexpected.map((r) => `${r.label} B=${r.batchSize}: ${r.status}`), [], 'runs of a cancelled session are completed or cancelled');
    assert.ok((counts.cancelled ?? 0) > 0, `no run was cancelled: ${JSON.stringify(counts)} (the sweep ended before Stop All?)`);
    const known = new Set(runs.map((r) => r.id));
    for (const id of outcome.runIds) assert.ok(known.has(id), `outcome names run ${id}, which is not in the store`);

    const node = await waitFor(
      async () => {
        const n = (await optlab.treeSnapshot()).find((e) => samePath(e.file, file));
        return n && n.runs.length > 0 && !n.runs.some((r) => r.status === 'running' || r.status === 'queued') ? n : undefined;
      },
      () => 'the explorer to show slow-cancel with no running run',
      10_000,
    );
    assert.ok(node.runs.some((r) => r.status === 'cancelled'), 'the explorer shows no cancelled run');
    assert.equal(optlab.engine.state(), 'ready', 'cancelling must not stop the engine');
  });
});
