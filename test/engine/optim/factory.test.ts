// makeOptimizer: experiment-file-like specs give the same optimizers as the constructors, with
// schedules built from the spec, and clear errors that name the offending option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adam,
  adamw,
  makeOptimizer,
  momentum,
  OPTIMIZER_OPTIONS,
  OptimizerSpecError,
  rmsprop,
  sgd,
  type Optimizer,
} from '../../../engine/src/optim';
import { G5, run } from './helpers';


function sameRun(a: Optimizer, b: Optimizer, what: string): void {
  const ra = run(a, G5);
  const rb = run(b, G5);
  assert.deepEqual(ra.xs, rb.xs, `${what}: iterates`);
  assert.deepEqual(ra.stats, rb.stats, `${what}: stats`);
}

test('each spec type builds the same chain as its constructor', () => {
  sameRun(makeOptimizer({ type: 'sgd', learningRate: 0.1 }), sgd(0.1), 'sgd');
  sameRun(makeOptimizer({ type: 'momentum', learningRate: 0.1, momentum: 0.8 }), momentum(0.1, 0.8), 'momentum');
  sameRun(makeOptimizer({ type: 'momentum', learningRate: 0.1 }), momentum(0.1, 0.9), 'momentum default 0.9');
  sameRun(makeOptimizer({ type: 'nesterov', learningRate: 0.1, momentum: 0.8 }), momentum(0.1, 0.8, { nesterov: true }), 'nesterov');
  sameRun(makeOptimizer({ type: 'adam', learningRate: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6 }), adam(0.01, 0.8, 0.99, 1e-6), 'adam');
  sameRun(makeOptimizer({ type: 'adamw', learningRate: 0.01, weightDecay: 0.1 }), adamw(0.01, 0.9, 0.999, 1e-8, 0.1), 'adamw');
  sameRun(makeOptimizer({ type: 'rmsprop', learningRate: 0.01, decay: 0.95, eps: 1e-4, momentum: 0.5 }), rmsprop(0.01, 0.95, 1e-4, { momentum: 0.5 }), 'rmsprop');
  sameRun(
    makeOptimizer({ type: 'sgd', learningRate: 0.1, clipNorm: 1, weightDecay: 0.01, ema: 0.9, label: 'SGD clipped' }),
    sgd(0.1, { clipNorm: 1, weightDecay: 0.01, ema: 0.9 }),
    'sgd with clip, L2 and EMA',
  );
  // The options really act (the comparisons above are not vacuous).
  assert.notDeepEqual(run(makeOptimizer({ type: 'sgd', learningRate: 0.1, clipNorm: 1 }), G5).xs, run(sgd(0.1), G5).xs);
  assert.notDeepEqual(run(makeOptimizer({ type: 'nesterov', learningRate: 0.1 }), G5).xs, run(momentum(0.1), G5).xs);
  assert.equal(makeOptimizer({ type: 'nesterov', learningRate: 0.1 }).name, 'nesterov');
});

test('schedules from the spec: warmup then piecewise; cosine; linear scaling with the batch size', () => {
  const lrs = (spec: object, context = {}) => run(makeOptimizer(spec, context), G5).stats.map((s) => s['scale_by_learning_rate/learning_rate']);
  // warmup 0 -> 0.1 over 2 steps (0, 0.05), then 0.1 x [1 for 1 step, 0.1 after]
  assert.deepEqual(lrs({ type: 'sgd', learningRate: 0.1, schedule: { warmupSteps: 2, decay: 'piecewise', boundaries: [1], factors: [1, 0.1] } }), [0, 0.05, 0.1, 0.1 * 0.1, 0.1 * 0.1]);
  // cosine over 4 steps to 0.5 lr: 0.1 (0.5 (1 + cos(pi k / 4)) / 2 + 0.5)
  const cos = lrs({ type: 'adam', learningRate: 0.1, schedule: { decay: 'cosine', decaySteps: 4, finalFactor: 0.5 } });
  const expected = [0, 1, 2, 3, 4].map((k) => 0.1 * (0.5 * 0.5 * (1 + Math.cos((Math.PI * k) / 4)) + 0.5));
  cos.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-15, `cosine at ${k}: ${v} vs ${expected[k]}`));
  assert.ok(Math.abs(cos[2] - 0.075) < 1e-15);
  // linear decay to 0 over 4 steps: 0.1, 0.075, 0.05, 0.025, 0
  lrs({ type: 'sgd', learningRate: 0.1, schedule: { decay: 'linear', decaySteps: 4 } }).forEach((v, k) => assert.ok(Math.abs(v - [0.1, 0.075, 0.05, 0.025, 0][k]) < 1e-15));
  // linear scaling: 0.1 * 128 / 32 = 0.4 (and after a warmup from 0.5 lr: 0.2, 0.4)
  assert.deepEqual(lrs({ type: 'momentum', learningRate: 0.1, schedule: { baseBatchSize: 32 } }, { batchSize: 128 }), [0.4, 0.4, 0.4, 0.4, 0.4]);
  assert.deepEqual(lrs({ type: 'sgd', learningRate: 0.1, schedule: { baseBatchSize: 32, warmupSteps: 1, warmupInit: 0.5 } }, { batchSize: 128 }), [0.2, 0.4, 0.4, 0.4, 0.4]);
});

/** Asserts makeOptimizer(spec) throws an OptimizerSpecError at `path` whose message matches. */
function rejects(spec: unknown, path: string, message: RegExp, context = {}): void {
  assert.throws(
    () => makeOptimizer(spec, context),
    (err: unknown) => {
      assert.ok(err instanceof OptimizerSpecError, `not an OptimizerSpecError: ${String(err)}`);
      assert.equal(err.path, path);
      assert.match(err.message, message);
      return true;
    },
  );
}

test('clear errors naming the unknown or misplaced option', () => {
  rejects({ type: 'adam', learningRate: 0.1, momentum: 0.9 }, 'momentum', /optimizer "adam": option "momentum" does not apply \(it is an option of momentum, nesterov, rmsprop, kfac, not adam\)/);
  rejects({ type: 'sgd', learningRate: 0.1, beta1: 0.9 }, 'beta1', /option "beta1" does not apply \(it is an option of adam, adamw, not sgd\)/);
  rejects({ type: 'sgd', learningrate: 0.1 }, 'learningrate', /optimizer "sgd": unknown option "learningrate" \(allowed: type, label, learningRate, .*\)\. Did you mean "learningRate"\?/);
  rejects({ type: 'adam', learningRate: 0.1, beta_2: 0.99 }, 'beta_2', /unknown option "beta_2".*Did you mean "beta2"\?/);
  rejects({ type: 'adam', learningRate: 0.1, nesterov: true }, 'nesterov', /unknown option "nesterov"/);
  rejects({ type: 'lamb', learningRate: 0.1 }, 'type', /unknown optimizer type "lamb" \(one of sgd, momentum, nesterov, adam, adamw, rmsprop, kfac, ngd\)/);
  rejects({ learningRate: 0.1 }, 'type', /needs a type/);
  rejects({ type: 'sgd' }, 'learningRate', /optimizer "sgd": learningRate is required/);
  rejects({ type: 'sgd', learningRate: '0.1' }, 'learningRate', /learningRate must be a finite number, got "0.1"/);
  rejects({ type: 'sgd', learningRate: -1 }, 'learningRate', /learningRate must be > 0, got -1/);
  rejects({ type: 'momentum', learningRate: 0.1, momentum: 1 }, 'momentum', /momentum must be < 1, got 1/);
  rejects({ type: 'sgd', learningRate: 0.1, ema: 1.5 }, 'ema', /ema must be < 1/);
  rejects({ type: 'sgd', learningRate: 0.1, clipNorm: 0 }, 'clipNorm', /clipNorm must be > 0/);
  rejects('sgd', '', /must be an object/);
});

test('clear errors in the schedule', () => {
  const sgdWith = (schedule: unknown) => ({ type: 'sgd', learningRate: 0.1, schedule });
  rejects(sgdWith({ warmup: 5 }), 'schedule.warmup', /unknown option "schedule.warmup" \(allowed: warmupSteps, .*\)\. Did you mean "warmupSteps"\?/);
  rejects(sgdWith({ decay: 'exponential' }), 'schedule.decay', /schedule.decay must be one of constant, cosine, linear, piecewise, got "exponential"/);
  rejects(sgdWith({ decay: 'cosine' }), 'schedule.decaySteps', /decay "cosine" needs schedule.decaySteps/);
  rejects(sgdWith({ decaySteps: 10 }), 'schedule.decaySteps', /schedule.decaySteps applies only to decay "cosine" or "linear", not "constant"/);
  rejects(sgdWith({ decay: 'piecewise', boundaries: [10] }), 'schedule.boundaries', /needs schedule.boundaries and schedule.factors/);
  rejects(sgdWith({ decay: 'piecewise', boundaries: [10], factors: [1] }), 'schedule', /one more value than boundaries/);
  rejects(sgdWith({ warmupSteps: 2.5 }), 'schedule.warmupSteps', /must be an integer/);
  rejects(sgdWith({ warmupInit: 0.5 }), 'schedule.warmupInit', /needs schedule.warmupSteps > 0/);
  rejects(sgdWith({ baseBatchSize: 32 }), 'schedule.baseBatchSize', /linear scaling\) needs the run's batch size/);
  rejects(sgdWith([1, 2]), 'schedule', /schedule must be an object/);
});

test('OPTIMIZER_OPTIONS lists what each type takes (for diagnostics and completion)', () => {
  assert.deepEqual(Object.keys(OPTIMIZER_OPTIONS), ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'kfac', 'ngd']);
  assert.ok(OPTIMIZER_OPTIONS.rmsprop.includes('decay') && !OPTIMIZER_OPTIONS.adam.includes('decay'));
  // Every listed option is accepted by makeOptimizer.
  const values: Record<string, unknown> = {
    label: 'x', learningRate: 0.1, weightDecay: 0.01, clipNorm: 1, schedule: {}, ema: 0.5, momentum: 0.5, beta1: 0.8, beta2: 0.9, eps: 1e-3, decay: 0.9,
    damping: 1, l2: 1e-5, emaDecay: 0.9, burnIn: 2, inverseEvery: 5, adaptEvery: 5, dampingDecay: 0.9, minDamping: 1e-6, maxDamping: 1e3,
    statsFraction: 0.5, exactInverses: true, klClip: 1e-3, asyncInverses: false, inverseLag: 2, adaptDamping: true, quadModelFraction: 0.25, timing: true, subsetMinRows: 64, method: 'cg', cgIterations: 10, cgTolerance: 1e-6,
  };
  for (const [type, keys] of Object.entries(OPTIMIZER_OPTIONS)) {
    const spec: Record<string, unknown> = { type };
    for (const k of keys) if (k !== 'type') spec[k] = values[k];
    assert.doesNotThrow(() => makeOptimizer(spec), type);
  }
});

test('curvature optimizers from specs: K-FAC adaptive without a learning rate, stats under their own prefix, clear errors', () => {
  const k = makeOptimizer({ type: 'kfac', damping: 10 });
  assert.equal(k.name, 'kfac');
  assert.deepEqual(k.needs.layerStats, 'sampled', 'K-FAC asks for the true-Fisher taps');
  assert.ok(k.needs.lossAt, 'K-FAC adapts its damping from the reduction ratio');
  const n = makeOptimizer({ type: 'ngd', learningRate: 0.5 });
  assert.equal(n.name, 'ngd');
  assert.ok(n.needs.outputSpace, 'exact natural gradient works in output space');
  assert.ok(makeOptimizer({ type: 'ngd', learningRate: 0.5, method: 'cg' }).needs.curvatureProduct);
  rejects({ type: 'kfac', momentum: 0.9 }, 'momentum', /optimizer "kfac": momentum applies only with a learningRate \(the fixed-step mode\)/);
  rejects({ type: 'kfac', klClip: 0.01 }, 'klClip', /klClip applies only with a learningRate/);
  rejects({ type: 'kfac', schedule: { warmupSteps: 5 } }, 'schedule', /schedule needs a learningRate/);
  rejects({ type: 'kfac', damping: 0 }, 'damping', /damping must be > 0, got 0/);
  // The fixed-step mode has no default damping (kfac-jax and tf-kfac make it an explicit choice).
  rejects({ type: 'kfac', learningRate: 0.1 }, 'damping', /optimizer "kfac": with a learningRate \(the fixed-step mode\) give the damping explicitly/);
  rejects({ type: 'kfac', learningRate: 0.1, adaptDamping: true }, 'damping', /give the damping explicitly/);
  assert.equal(makeOptimizer({ type: 'kfac', learningRate: 0.1, damping: 3 }).name, 'kfac');
  rejects({ type: 'kfac', minDamping: 1, maxDamping: 0.1 }, 'minDamping', /minDamping 1 exceeds maxDamping 0.1/);
  rejects({ type: 'kfac', statsFraction: 1.5 }, 'statsFraction', /statsFraction must be <= 1/);
  rejects({ type: 'kfac', inverseEvery: 2.5 }, 'inverseEvery', /inverseEvery must be an integer/);
  rejects({ type: 'kfac', exactInverses: 'yes' }, 'exactInverses', /exactInverses must be true or false/);
  rejects({ type: 'kfac', inverseEvery: 4, inverseLag: 6 }, 'inverseLag', /optimizer "kfac": inverseLag must be an integer in \[1, inverseEvery\], got 6/);
  rejects({ type: 'kfac', dampnig: 1 }, 'dampnig', /unknown option "dampnig".*Did you mean "damping"\?/);
  rejects({ type: 'ngd' }, 'learningRate', /optimizer "ngd": learningRate is required/);
  rejects({ type: 'ngd', learningRate: 1, cgIterations: 5 }, 'cgIterations', /cgIterations applies only to method "cg"/);
  rejects({ type: 'ngd', learningRate: 1, method: 'lbfgs' }, 'method', /method must be one of exact, cg, got "lbfgs"/);
  rejects({ type: 'sgd', learningRate: 1, damping: 1 }, 'damping', /option "damping" does not apply \(it is an option of kfac, ngd, not sgd\)/);
});
