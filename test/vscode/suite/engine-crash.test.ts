// Killing the engine mid-run: the session ends 'crashed', its unfinished runs are marked crashed in
// the store, what was recorded stays readable, and restart() brings the engine back.
import * as assert from 'node:assert/strict';
import {
  api, countBy, processAlive, readMetrics, runsOfExperiment, samePath, slowExperiment, waitFor, withTimeout, workspaceFile, writeExperiment, TERMINAL,
} from './helpers';

suite('engine crash', () => {
  let killedPid: number | undefined;

  test('SIGKILL of the engine mid-run: outcome crashed, unfinished runs crashed, metrics kept', async () => {
    const optlab = await api();
    await waitFor(() => optlab.engine.state() === 'ready', () => `engine ready (is ${optlab.engine.state()})`, 30_000);
    const store = optlab.storeRoot();
    const file = writeExperiment('slow-crash.optlab.json', slowExperiment('slow-crash'));
    const { done } = await optlab.runExperiment(file);

    // The fast SGD family completes first; the momentum/EMA grids keep the engine busy afterwards.
    const mid = await waitFor(
      () => {
        const rs = runsOfExperiment(store, 'slow-crash');
        return rs.some((r) => r.status === 'completed') && rs.some((r) => r.status === 'running') ? rs : undefined;
      },
      () => `slow-crash to have both completed and running runs (have ${JSON.stringify(countBy(runsOfExperiment(store, 'slow-crash')))})`,
      60_000,
      50,
    );
    const pid = optlab.engine.pid();
    assert.ok(pid && processAlive(pid), `engine pid ${pid} is not a live process`);
    const completedBefore = new Map(mid.filter((r) => r.status === 'completed').map((r) => [r.id, readMetrics(store, r.id).rows.length]));
    optlab.engine.kill('SIGKILL');
    killedPid = pid;

    const outcome = await withTimeout(done, 30_000, 'the session of the killed engine to end');
    assert.equal(outcome.result, 'crashed', `outcome ${outcome.result}: ${outcome.message ?? ''}`);
    await waitFor(() => !processAlive(pid), () => `engine process ${pid} to be gone`, 10_000);
    assert.equal(optlab.engine.state(), 'crashed');

    const runs = await waitFor(
      () => {
        const rs = runsOfExperiment(store, 'slow-crash');
        return rs.every((r) => TERMINAL.includes(r.status)) ? rs : undefined;
      },
      () => `no run of slow-crash left queued/running (have ${JSON.stringify(countBy(runsOfExperiment(store, 'slow-crash')))})`,
      15_000,
    );
    const counts = countBy(runs);
    console.log(`  after the kill: ${JSON.stringify(counts)}`);
    assert.ok((counts.crashed ?? 0) > 0, `no run marked crashed: ${JSON.stringify(counts)}`);
    for (const r of runs) {
      if (completedBefore.has(r.id)) {
        assert.equal(r.status, 'completed', `run ${r.label} B=${r.batchSize} had completed before the kill, now ${r.status}`);
        const rows = readMetrics(store, r.id).rows.length;
        assert.ok(rows > 0 && rows >= completedBefore.get(r.id)!, `completed run ${r.id} lost metrics (${completedBefore.get(r.id)} -> ${rows})`);
      } else {
        assert.ok(r.status === 'crashed' || r.status === 'completed', `run ${r.label} B=${r.batchSize} is ${r.status}, expected crashed`);
      }
      // Every run's metrics stay readable (a killed writer may leave a cut-off last line only).
      const m = readMetrics(store, r.id);
      assert.ok(Array.isArray(m.rows));
      assert.ok(m.warnings.every((w) => /last line|does not exist/.test(w)), `metrics of ${r.id}: ${m.warnings.join('; ')}`);
    }

    const node = await waitFor(
      async () => {
        const n = (await optlab.treeSnapshot()).find((e) => samePath(e.file, file));
        return n && n.runs.some((r) => r.status === 'crashed') && !n.runs.some((r) => r.status === 'running' || r.status === 'queued') ? n : undefined;
      },
      () => 'the explorer to show the crashed runs of slow-crash',
      10_000,
    );
    assert.ok(node.runs.length > 0);
  });

  test('api.engine.restart() brings the engine back, and it runs experiments', async () => {
    const optlab = await api();
    await optlab.engine.restart();
    await waitFor(() => optlab.engine.state() === 'ready', () => `engine ready after restart (is ${optlab.engine.state()})`, 30_000);
    const pid = optlab.engine.pid();
    assert.ok(pid && processAlive(pid), `engine pid ${pid} after restart is not a live process`);
    if (killedPid !== undefined) assert.notEqual(pid, killedPid, 'restart() kept the old pid');
    const { done } = await optlab.runExperiment(workspaceFile('quick.optlab.json'));
    const outcome = await withTimeout(done, 60_000, 'quick.optlab.json on the restarted engine');
    assert.equal(outcome.result, 'finished', `outcome ${outcome.result}: ${outcome.message ?? ''}`);
    assert.equal(outcome.runIds.length, 6);
  });

  suiteTeardown(async () => {
    try {
      await (await api()).stopAll();
    } catch {
      /* the extension may not be there at all */
    }
  });
});
