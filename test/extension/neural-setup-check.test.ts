// Editor diagnostics from the engine's factories: optimizer, model and dataset problems of a neural
// experiment are found while it is edited, at the right JSON location. The extension's check asks
// an engine server (in this process here, over a channel that validates every message as the IPC
// channel does; engine-supervisor.test.ts asks the real engine process).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEngineEvent, parseEngineRequest, type SetupCheckedEvent } from '../../engine/src/protocol/engine-messages';
import { EngineServer } from '../../engine/src/server/serve';
import { SetupCheck } from '../../engine/src/sweep/setup-check';
import { placeIssues } from '../../extension/src/editor/diagnostic-ranges';
import { NeuralSetupCheck } from '../../extension/src/editor/neural-setup-check';

type Json = Record<string, unknown> & { problem: { type: string; data: Record<string, unknown>; model: Record<string, unknown> }; optimizers: Record<string, unknown>[] };

/** A small neural experiment on generated data (nothing read from disk). */
function experiment(edit: (j: Json) => void = () => undefined): string {
  const j: Json = {
    name: 'clusters',
    problem: { type: 'classification', data: { type: 'clusters', classes: 3, dim: 4, trainSize: 60, testSize: 30 }, model: { type: 'mlp', widths: [8] } },
    target: { metric: 'testAccuracy', value: 0.9 },
    budget: { maxSteps: 10 },
    batchSizes: [4, 16],
    optimizers: [
      { label: 'SGD', type: 'sgd', learningRate: [0.1, 0.3] },
      { label: 'Adam', type: 'adam', learningRate: 0.01 },
    ],
  };
  edit(j);
  return JSON.stringify(j, null, 2);
}

/** The extension's check, answered by an engine server with this setup check. */
function engineCheck(setupCheck = new SetupCheck()): NeuralSetupCheck {
  const roundTrip = (message: unknown): unknown => JSON.parse(JSON.stringify(message));
  let deliver: (message: unknown) => void = () => undefined;
  const waiting = new Map<string, (answer: SetupCheckedEvent) => void>();
  new EngineServer(
    {
      send: (event) => {
        const e = parseEngineEvent(roundTrip(event));
        if (e.type === 'setupChecked') waiting.get(e.requestId)?.(e);
      },
      onRequest: (handler) => (deliver = handler),
    },
    { setupCheck },
  );
  let n = 0;
  return new NeuralSetupCheck(
    (text, file) =>
      new Promise((resolve, reject) => {
        const request = roundTrip({ type: 'checkSetup', requestId: `c${++n}`, text, ...(file !== undefined && { file }) });
        const { requestId } = parseEngineRequest(request) as { requestId: string };
        waiting.set(requestId, (e) => (e.error === undefined ? resolve(e.issues) : reject(new Error(e.error))));
        deliver(request);
      }),
  );
}

/** The real engine factories, with prepare() calls counted. */
function counted(): { check: NeuralSetupCheck; prepares: () => number; loads: () => number } {
  let prepares = 0;
  let loads = 0;
  const check = engineCheck(
    new SetupCheck(async () => {
      loads++;
      const engine = await import('../../engine/src/sweep/setup-factories.js');
      return {
        ...engine,
        prepare: (setup: Parameters<typeof engine.prepare>[0]) => {
          prepares++;
          return engine.prepare(setup);
        },
      };
    }),
  );
  return { check, prepares: () => prepares, loads: () => loads };
}

describe('neural experiment setup diagnostics', () => {
  test('a valid experiment has none', async () => {
    assert.deepEqual(await engineCheck().issues(experiment()), []);
  });

  test('an optimizer option the factory rejects is placed on that option of that entry', async () => {
    const text = experiment((j) => {
      j.optimizers[1].schedule = { decay: 'cosine' };
    });
    const issues = await engineCheck().issues(text);
    assert.deepEqual(issues.map((i) => i.path), ['/optimizers/1/schedule/decaySteps']);
    assert.match(issues[0].message, /needs schedule\.decaySteps/);
    const [spec] = placeIssues(text, issues);
    const line = text.split('\n')[spec.start.line];
    assert.match(line, /"schedule"|"decay"/, `squiggle on ${line.trim()}`);
  });

  test('a model option of another architecture is placed on the option', async () => {
    const text = experiment((j) => {
      j.problem.model.kernelSize = 3;
    });
    const issues = await engineCheck().issues(text);
    assert.deepEqual(issues.map((i) => i.path), ['/problem/model/kernelSize']);
    assert.match(issues[0].message, /unknown option "kernelSize"/);
    const [spec] = placeIssues(text, issues);
    assert.match(text.split('\n')[spec.start.line], /"kernelSize": 3/);
    assert.deepEqual([spec.start.character, spec.end.character], [text.split('\n')[spec.start.line].indexOf('"kernelSize"'), text.split('\n')[spec.start.line].indexOf('"kernelSize"') + '"kernelSize"'.length]);
  });

  test('a regression dataset under a classification problem is reported where the engine finds it', async () => {
    const text = experiment((j) => {
      j.problem.data = { type: 'lowRank', dim: 4, rank: 2, target: 'linear', trainSize: 40, testSize: 20 };
    });
    const issues = await engineCheck().issues(text);
    assert.equal(issues.length, 1, JSON.stringify(issues));
    // makeModel meets it first: a classifier needs the data's class count.
    assert.match(issues[0].path, /^\/problem\//);
    assert.ok(placeIssues(text, issues)[0].start.line > 0, 'placed inside the file, not on its first line');
  });

  test('NQM studies and files with schema errors are left to the synchronous validation (nothing loaded)', async () => {
    const c = counted();
    assert.deepEqual(await c.check.issues('{ "name": "nqm", "problem": { "type": "nqm" }, "optimizers": [{ "type": "sgd" }] }'), []);
    assert.deepEqual(await c.check.issues(experiment((j) => (j.optimizers[0].learningRate = 'fast'))), []);
    assert.deepEqual(await c.check.issues('{ not json'), []);
    assert.equal(c.loads(), 0, 'the engine factories (and TensorFlow.js) are not loaded for these');
  });

  test('the data and model are prepared again only when the problem block changes', async () => {
    const c = counted();
    await c.check.issues(experiment());
    await c.check.issues(experiment((j) => (j.optimizers[0].learningRate = 0.5)));
    assert.equal(c.prepares(), 1, 'an optimizer edit reuses the prepared problem');
    await c.check.issues(experiment((j) => (j.problem.model.widths = [16])));
    assert.equal(c.prepares(), 2);
    assert.equal(c.loads(), 1, 'the engine module is loaded once');
  });
});
